/* daemon/http.c - health, readiness and Prometheus metrics over evhttp on the loop.
 *
 * Bound to loopback unless configured otherwise. evhttp has no limits of its own, so they are
 * set here: header and body sizes, an idle timeout, GET and HEAD only. Every answer is small
 * and built without blocking, so /healthz stays fast whatever the pipeline is doing.
 */
#include "daemon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api.h"
#include "consumer.h"
#include "log.h"
#include "producer.h"
#include "speech.h"
#include "state.h"
#include "wire.h"

/* Upper bounds of the latency buckets, seconds. */
static const double bucket_le[HIST_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                               0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

void
histogram_observe(struct histogram *h, double seconds)
{
    int i = 0;
    while (i < HIST_BUCKETS && seconds > bucket_le[i]) i++;
    h->counts[i]++;
    h->sum += seconds;
    h->n++;
}

static void
reply(struct evhttp_request *req, int code, const char *reason, const char *type,
      struct evbuffer *body)
{
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", type);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
    evhttp_send_reply(req, code, reason, body);
}

static void
histogram_write(struct evbuffer *b, const char *name, const char *help, const struct histogram *h)
{
    evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    unsigned long cum = 0;
    for (int i = 0; i < HIST_BUCKETS; i++) {
        cum += h->counts[i];
        evbuffer_add_printf(b, "%s_bucket{le=\"%g\"} %lu\n", name, bucket_le[i], cum);
    }
    cum += h->counts[HIST_BUCKETS];
    evbuffer_add_printf(b, "%s_bucket{le=\"+Inf\"} %lu\n%s_sum %.6f\n%s_count %lu\n", name, cum,
                        name, h->sum, name, h->n);
}

struct lag_ctx {
    struct evbuffer *b;
    const char *topic;
};

static void
lag_line(int32_t partition, int64_t lag, void *arg)
{
    struct lag_ctx *ctx = arg;
    evbuffer_add_printf(ctx->b, "pipewright_consumer_lag{topic=\"%s\",partition=\"%d\"} %lld\n",
                        ctx->topic, (int)partition, (long long)lag);
}

static void
metrics(struct daemon *d, struct evbuffer *b)
{
    evbuffer_add_printf(b, "# HELP pipewright_consumer_lag Messages behind the partition's end.\n"
                           "# TYPE pipewright_consumer_lag gauge\n");
    if (d->consumer) {
        struct lag_ctx ctx = {b, d->topic_in};
        consumer_lag_foreach(d->consumer, lag_line, &ctx);
    }
    evbuffer_add_printf(b, "# HELP pipewright_requests_total Requirement messages by outcome.\n"
                           "# TYPE pipewright_requests_total counter\n");
    for (int i = 0; i < OUTCOME_COUNT; i++)
        evbuffer_add_printf(b, "pipewright_requests_total{outcome=\"%s\"} %lu\n",
                            outcome_name((enum outcome)i), d->outcomes[i]);
    evbuffer_add_printf(b, "# HELP pipewright_dlq_total Messages dead-lettered by reason.\n"
                           "# TYPE pipewright_dlq_total counter\n");
    for (int i = 1; i < WIRE_STATUS_COUNT && i < 16; i++)
        evbuffer_add_printf(b, "pipewright_dlq_total{reason=\"%s\"} %lu\n",
                            wire_status_str((enum wire_status)i), d->dlq_by_reason[i]);
    evbuffer_add_printf(b, "pipewright_dlq_total{reason=\"processing\"} %lu\n",
                        d->outcomes[OUTCOME_FAILED]);
    const struct producer_stats *ps = d->producer ? producer_stats(d->producer) : NULL;
    evbuffer_add_printf(b,
                        "# HELP pipewright_transactions_total Kafka transactions by result.\n"
                        "# TYPE pipewright_transactions_total counter\n"
                        "pipewright_transactions_total{result=\"commit\"} %lu\n"
                        "pipewright_transactions_total{result=\"abort\"} %lu\n",
                        ps ? ps->commits : 0, ps ? ps->aborts : 0);
    evbuffer_add_printf(b,
                        "# HELP pipewright_audio_failed_total Reports sent without audio.\n"
                        "# TYPE pipewright_audio_failed_total counter\n"
                        "pipewright_audio_failed_total %lu\n"
                        "# HELP pipewright_audio_cache_total Audio cache lookups by result.\n"
                        "# TYPE pipewright_audio_cache_total counter\n"
                        "pipewright_audio_cache_total{result=\"hit\"} %lu\n"
                        "pipewright_audio_cache_total{result=\"miss\"} %lu\n"
                        "# HELP pipewright_redis_reconnects_total Redis connections lost.\n"
                        "# TYPE pipewright_redis_reconnects_total counter\n"
                        "pipewright_redis_reconnects_total %lu\n"
                        "# HELP pipewright_speech_queue_depth Speech jobs queued or running.\n"
                        "# TYPE pipewright_speech_queue_depth gauge\n"
                        "pipewright_speech_queue_depth %zu\n"
                        "# HELP pipewright_speech_worker_restarts_total Speech workers restarted.\n"
                        "# TYPE pipewright_speech_worker_restarts_total counter\n"
                        "pipewright_speech_worker_restarts_total %lu\n"
                        "# HELP pipewright_in_flight Requests being processed.\n"
                        "# TYPE pipewright_in_flight gauge\n"
                        "pipewright_in_flight %d\n"
                        "# HELP pipewright_ready 1 when Kafka and Redis are usable.\n"
                        "# TYPE pipewright_ready gauge\n"
                        "pipewright_ready %d\n",
                        d->audio_failed, d->audio_cache_hits, d->audio_cache_misses,
                        d->state ? state_reconnects(d->state) : 0,
                        d->speech ? speech_pool_depth(d->speech) : 0,
                        d->speech ? speech_pool_restarts(d->speech) : 0, d->total_jobs,
                        daemon_ready(d));
    histogram_write(b, "pipewright_request_seconds",
                    "Time from consuming a request to producing its answer.", &d->latency_total);
    histogram_write(b, "pipewright_advisor_seconds", "Time the advisor takes for one report.",
                    &d->latency_advisor);
    histogram_write(b, "pipewright_speech_seconds",
                    "Time from consuming a request to its audio being ready.", &d->latency_speech);
    histogram_write(b, "pipewright_event_loop_lag_seconds",
                    "How late the event loop ran a timer due every 50 ms.", &d->loop_lag);
    evbuffer_add_printf(b,
                        "# HELP pipewright_event_loop_lag_max_seconds The worst event loop lag "
                        "since start.\n"
                        "# TYPE pipewright_event_loop_lag_max_seconds gauge\n"
                        "pipewright_event_loop_lag_max_seconds %.6f\n",
                        d->loop_lag_max);
}

static void
on_request(struct evhttp_request *req, void *arg)
{
    struct daemon *d = arg;
    const char *uri = evhttp_request_get_uri(req);
    struct evhttp_uri *parsed = evhttp_uri_parse_with_flags(uri, 0);
    const char *path = parsed ? evhttp_uri_get_path(parsed) : NULL;
    enum evhttp_cmd_type method = evhttp_request_get_command(req);
    if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
        api_reply_json_error(req, 405, "Method Not Allowed", "only GET and HEAD are served");
    } else if (path == NULL || strpbrk(uri, "\r\n") != NULL) {
        api_reply_json_error(req, 400, "Bad Request", "malformed request target");
    } else if (strcmp(path, "/healthz") == 0) {
        struct evbuffer *b = evbuffer_new();
        evbuffer_add_printf(b, "{\"status\":\"ok\"}\n");
        reply(req, 200, "OK", "application/json", b);
        evbuffer_free(b);
    } else if (strcmp(path, "/readyz") == 0) {
        struct evbuffer *b = evbuffer_new();
        int ready = daemon_ready(d);
        evbuffer_add_printf(b,
                            "{\"ready\":%s,\"redis\":%s,\"kafka_group_joined\":%s,"
                            "\"kafka_reachable\":%s,\"stopping\":%s}\n",
                            ready ? "true" : "false",
                            d->state && state_ready(d->state) ? "true" : "false",
                            d->consumer && consumer_joined(d->consumer) ? "true" : "false",
                            d->consumer && consumer_cluster_reachable(d->consumer) ? "true"
                                                                                   : "false",
                            d->stopping ? "true" : "false");
        reply(req, ready ? 200 : 503, ready ? "OK" : "Service Unavailable", "application/json", b);
        evbuffer_free(b);
    } else if (strcmp(path, "/metrics") == 0) {
        struct evbuffer *b = evbuffer_new();
        metrics(d, b);
        reply(req, 200, "OK", "text/plain; version=0.0.4", b);
        evbuffer_free(b);
    } else if (!api_route(d, req, path)) {
        api_reply_json_error(req, 404, "Not Found", "no such endpoint");
    }
    if (parsed) evhttp_uri_free(parsed);
}

void
http_serve(struct daemon *d, struct evhttp *http)
{
    evhttp_set_max_headers_size(http, 8192);
    evhttp_set_max_body_size(http, 65536);
    evhttp_set_timeout(http, 10);
    /* Every method reaches on_request, which answers 405 with Allow itself: evhttp's own
     * refusal is a 501 with an HTML body. */
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
                                         EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                         EVHTTP_REQ_PATCH | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT);
    evhttp_set_gencb(http, on_request, d);
}

int
http_start(struct daemon *d, const char *addr)
{
    char host[256];
    const char *colon = strrchr(addr, ':');
    if (colon == NULL || (size_t)(colon - addr) >= sizeof(host)) return -1;
    snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
    int port = atoi(colon + 1);
    if (port <= 0 || port > 65535) return -1;
    d->http = evhttp_new(d->base);
    http_serve(d, d->http);
    if (evhttp_bind_socket(d->http, host, (ev_uint16_t)port) != 0) {
        evhttp_free(d->http);
        d->http = NULL;
        return -1;
    }
    log_info("daemon", "HTTP_LISTENING", "addr=%s", addr);
    return 0;
}
