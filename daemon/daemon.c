/* daemon/daemon.c - start and stop pipewrightd's parts, in dependency order.
 *
 * Start-up fails fast and says why (a bad configuration, Kafka or Redis unusable at start is
 * reported, not hidden); once running, outages are survived: Redis reconnects by itself and
 * librdkafka retries brokers. Stop: SIGTERM or SIGINT stops intake, lets the open batch finish
 * and commit within a deadline (else aborts it, so its requests are answered after restart),
 * then closes everything.
 */
#include "daemon.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <librdkafka/rdkafka_mock.h>

#include "advisor.h"
#include "clock.h"
#include "cloudevent.h"
#include "consumer.h"
#include "log.h"
#include "producer.h"
#include "registry.h"
#include "speech.h"
#include "state.h"
#include "wire.h"
#include "xalloc.h"

#define SHUTDOWN_DEADLINE_S 20
#define PRODUCER_RESTARTS_MAX 3

static void
on_kafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 3) log_error("kafka", "KAFKA_LOG", "facility=%s msg=\"%s\"", fac, buf);
    else if (level <= 4)
        log_warn("kafka", "KAFKA_LOG", "facility=%s msg=\"%s\"", fac, buf);
    else
        log_debug("kafka", "KAFKA_LOG", "facility=%s msg=\"%s\"", fac, buf);
}

static void
on_event_log(int severity, const char *msg)
{
    if (severity >= EVENT_LOG_WARN) log_warn("daemon", "LIBEVENT", "msg=\"%s\"", msg);
}

/* Builds a librdkafka configuration: our settings first, then the user's -X / kafka.* keys,
 * which win. Returns NULL with 'errstr' naming the bad property. */
static rd_kafka_conf_t *
kafka_conf(struct daemon *d, const char *const *ours, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, on_kafka_log);
    if (rd_kafka_conf_set(conf, "bootstrap.servers", d->brokers, errstr, errstr_size) != 0)
        goto fail;
    for (; ours && *ours; ours += 2)
        if (rd_kafka_conf_set(conf, ours[0], ours[1], errstr, errstr_size) != 0) goto fail;
    for (int i = 0; i < d->cfg->n_kafka_props; i++) {
        char key[256];
        const char *kv = d->cfg->kafka_props[i], *eq = strchr(kv, '=');
        snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
        char why[200];
        if (rd_kafka_conf_set(conf, key, eq + 1, why, sizeof(why)) != 0) {
            snprintf(errstr, errstr_size, "kafka.%.200s: %s", key, why);
            goto fail;
        }
    }
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

/* Embedded mode: librdkafka's mock cluster in this process, with our topics. */
static int
start_embedded_kafka(struct daemon *d, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, on_kafka_log);
    d->mock_owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errstr_size);
    if (d->mock_owner == NULL) {
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rd_kafka_mock_cluster_t *mc = d->mock = rd_kafka_mock_cluster_new(d->mock_owner, 1);
    if (mc == NULL) {
        snprintf(errstr, errstr_size, "could not start the embedded Kafka (mock cluster)");
        return -1;
    }
    const char *topics[] = {d->topic_in, d->topic_reports, d->topic_audio, d->topic_dlq};
    for (size_t i = 0; i < PW_ARRAY_LEN(topics); i++)
        rd_kafka_mock_topic_create(mc, topics[i], d->cfg->embedded_partitions, 1);
    free(d->brokers);
    d->brokers = xstrdup(rd_kafka_mock_cluster_bootstraps(mc));
    log_info("daemon", "EMBEDDED_KAFKA", "bootstrap=%s", d->brokers);
    if (d->cfg->bootstrap_file[0]) {
        FILE *f = fopen(d->cfg->bootstrap_file, "w");
        if (f == NULL || fprintf(f, "%s\n", d->brokers) < 0 || fclose(f) != 0) {
            snprintf(errstr, errstr_size, "cannot write %s", d->cfg->bootstrap_file);
            return -1;
        }
    }
    return 0;
}

static void
on_shutdown_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    log_warn("daemon", "SHUTDOWN_DEADLINE", "seconds=%d", SHUTDOWN_DEADLINE_S);
    pipeline_abort_for_shutdown(arg);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct daemon *d = arg;
    (void)what;
    if (d->stopping) return;
    log_info("daemon", "SHUTDOWN", "signal=%d", (int)sig);
    struct event *deadline = evtimer_new(d->base, on_shutdown_deadline, d);
    struct timeval tv = {SHUTDOWN_DEADLINE_S, 0};
    evtimer_add(deadline, &tv);
    event_free(d->sigterm_ev);
    d->sigterm_ev = deadline; /* freed with the other events in daemon_stop() */
    pipeline_finish(d);
}

static int start_consumer(struct daemon *d, char *errstr, size_t errstr_size);

/* A failure before the first time Kafka was usable is a start-up failure: say so. */
static void
init_failed(struct daemon *d, const char *why)
{
    if (d->consumer == NULL) {
        log_error("daemon", "START_FAILED", "reason=\"%s\"", why);
        d->exit_code = 1;
        d->stopping = 1;
        event_base_loopexit(d->base, NULL);
    } else {
        daemon_fatal(d, why);
    }
}

/* The value of a librdkafka property the operator set (-X or kafka.* in --config), or NULL. */
static const char *
kafka_prop(const struct daemon *d, const char *key)
{
    size_t n = strlen(key);
    for (int i = d->cfg->n_kafka_props - 1; i >= 0; i--) {
        const char *kv = d->cfg->kafka_props[i];
        if (strncmp(kv, key, n) == 0 && kv[n] == '=') return kv + n + 1;
    }
    return NULL;
}

/* The producer could not start: the client's reason (an authorization error says only
 * "Transactional Id authorization failed") with the transactional id and SASL user it was for. */
static void
producer_init_failed(struct daemon *d, const char *errstr)
{
    const char *user = kafka_prop(d, "sasl.username");
    char why[900];
    snprintf(why, sizeof(why), "transactional id %s%s%s: %s", d->txn_id,
             user ? ", sasl.username " : "", user ? user : "", errstr);
    init_failed(d, why);
}

/* One step of the producer's initialisation per turn of the loop, so that signals and HTTP are
 * served while the cluster is unreachable; the consumer joins the group only once the producer
 * can answer, and a start-up that cannot finish within startup_timeout_ms stops with the
 * client's last error. */
static void
on_producer_init(evutil_socket_t fd, short what, void *arg)
{
    struct daemon *d = arg;
    char errstr[512] = "";
    (void)fd;
    (void)what;
    if (d->producer == NULL || d->stopping) return;
    switch (producer_init_step(d->producer, LOOP_STEP_MS, errstr, sizeof(errstr))) {
    case PRODUCER_INIT_DONE:
        log_info("daemon", "PRODUCER_READY", "transactional_id=%s", d->txn_id);
        if (d->consumer == NULL && start_consumer(d, errstr, sizeof(errstr)) != 0) {
            init_failed(d, errstr);
            return;
        }
        pipeline_resume(d);
        return;
    case PRODUCER_INIT_PENDING: {
        if ((clock_monotonic_ms() / 1000 - d->producer_init_started) * 1000 >=
            d->cfg->startup_timeout_ms) {
            char why[700];
            snprintf(why, sizeof(why), "Kafka transactions not ready after %d ms: %s",
                     d->cfg->startup_timeout_ms, errstr);
            producer_init_failed(d, why);
            return;
        }
        struct timeval tv = {0, 10000};
        evtimer_add(d->producer_init_ev, &tv);
        return;
    }
    case PRODUCER_INIT_FAILED:
        producer_init_failed(d, errstr);
        return;
    }
}

/* The loop's lag: a timer due every LOOP_PROBE_MS records how late it runs. A step that holds
 * the loop (a blocking call, a long computation) shows up here as the lag of everything else. */
#define LOOP_PROBE_MS 50
#define LOOP_STALL_MS 100 /* a lag above this is logged */

static void
on_loop_probe(evutil_socket_t fd, short what, void *arg)
{
    struct daemon *d = arg;
    (void)fd;
    (void)what;
    int64_t now = clock_monotonic_us();
    if (d->loop_probe_due_us) { /* 0 on the first run, when the loop has just started */
        double lag = now > d->loop_probe_due_us ? (double)(now - d->loop_probe_due_us) / 1e6 : 0;
        histogram_observe(&d->loop_lag, lag);
        if (lag > d->loop_lag_max) d->loop_lag_max = lag;
        if (lag * 1000 > LOOP_STALL_MS) log_warn("daemon", "LOOP_STALL", "lag_ms=%.1f", lag * 1000);
    }
    d->loop_probe_due_us = now + LOOP_PROBE_MS * 1000;
    struct timeval tv = {0, LOOP_PROBE_MS * 1000};
    evtimer_add(d->loop_probe, &tv);
}

/* Creates the transactional producer and starts its initialisation on the loop. */
static int
start_producer(struct daemon *d, char *errstr, size_t errstr_size)
{
    const char *producer_props[] = {
        "transactional.id",
        d->txn_id,
        /* A batch waits for its requests' audio; under load that can take a minute, and a
         * broker-side timeout would fence us and redo the batch. */
        "transaction.timeout.ms",
        "180000",
        "linger.ms",
        "5",
        /* The reports topic stores zstd (pipewright topics create): producing zstd spares the
         * broker a recompression of every batch. */
        "compression.codec",
        "zstd",
        NULL,
    };
    rd_kafka_conf_t *pconf = kafka_conf(d, producer_props, errstr, errstr_size);
    if (pconf == NULL) return -1;
    d->producer = producer_new(d->base, pconf, errstr, errstr_size);
    if (d->producer == NULL) return -1;
    d->producer_init_started = (long)(clock_monotonic_ms() / 1000);
    event_active(d->producer_init_ev, EV_TIMEOUT, 0);
    return 0;
}

/* Joins the group. Eager assignment: a revoke takes every partition at once, so the open batch
 * is either committed or aborted as a whole (librdkafka 2.0.2's cooperative protocol also has
 * known commit-during-rebalance bugs). */
static int
start_consumer(struct daemon *d, char *errstr, size_t errstr_size)
{
    const char *consumer_props[] = {
        "group.id",
        d->cfg->group,
        "enable.auto.commit",
        "false",
        "enable.auto.offset.store",
        "false",
        "auto.offset.reset",
        "earliest",
        "isolation.level",
        "read_committed",
        "partition.assignment.strategy",
        "roundrobin",
        "session.timeout.ms",
        "10000",
        "queued.max.messages.kbytes",
        "16384",
        "statistics.interval.ms",
        "1000", /* lag for /metrics; broker silence for /readyz */
        NULL,
    };
    rd_kafka_conf_t *cconf = kafka_conf(d, consumer_props, errstr, errstr_size);
    if (cconf == NULL) return -1;
    d->consumer = consumer_new(d->base, cconf, d->topic_in, pipeline_on_message,
                               pipeline_on_rebalance, d, errstr, errstr_size);
    if (d->consumer == NULL) return -1;
    consumer_intake(d->consumer, 0); /* pipeline_resume() decides */
    return 0;
}

int
daemon_producer_restart(struct daemon *d, const char *why)
{
    char errstr[512];
    long now_s = (long)(clock_monotonic_ms() / 1000);
    /* More than PRODUCER_RESTARTS_MAX in a minute means something else holds our identity
     * (a second instance with the same instance_id): stop instead of fencing each other. */
    if (now_s - d->producer_restart_window > 60) {
        d->producer_restart_window = now_s;
        d->producer_restarts_recent = 0;
    }
    if (++d->producer_restarts_recent > PRODUCER_RESTARTS_MAX) {
        daemon_fatal(d, "the producer keeps failing fatally (is another instance using this "
                        "instance_id?)");
        return -1;
    }
    log_error("daemon", "PRODUCER_RESTART", "reason=\"%s\"", why);
    /* Intake waits for the new producer's initialisation (producer_ready). */
    d->producer_restarts++;
    producer_free(d->producer);
    d->producer = NULL;
    if (start_producer(d, errstr, sizeof(errstr)) != 0) {
        daemon_fatal(d, errstr);
        return -1;
    }
    return 0;
}

void
daemon_fatal(struct daemon *d, const char *why)
{
    log_error("daemon", "FATAL", "reason=\"%s\"", why);
    d->exit_code = 1;
    d->stopping = 1;
    event_base_loopexit(d->base, NULL);
}

int
daemon_ready(const struct daemon *d)
{
    return !d->stopping && !d->registry_paused && d->state && state_ready(d->state) &&
           d->consumer && consumer_joined(d->consumer) && consumer_cluster_reachable(d->consumer) &&
           d->producer && producer_ready(d->producer);
}

/* The codecs of every message in and out (schemas/), with the CloudEvents source and, when
 * configured, the schema registry. Returns 0, or -1 with 'errstr'. */
static int
start_wire(struct daemon *d, char *errstr, size_t errstr_size)
{
    const struct config *cfg = d->cfg;
    if ((d->wire = wire_new(errstr, errstr_size)) == NULL) return -1;
    wire_ce_source_set(d->wire, cfg->group); /* the CloudEvents source of every output */
    if (cfg->schema_registry_url[0] == '\0') return 0;
    /* Registers our schemas and lets the wire resolve foreign writer ids (registry/). */
    struct registry_config rcfg = {cfg->schema_registry_url, cfg->schema_registry_user,
                                   cfg->schema_registry_password, cfg->schema_registry_timeout_ms};
    if (registry_wire_setup(d->wire, &rcfg, d->topic_in, d->topic_reports, d->topic_audio, errstr,
                            errstr_size) != 0)
        return -1;
    return 0;
}

int
daemon_start(struct daemon *d, struct config *cfg)
{
    char errstr[512];
    memset(d, 0, sizeof(*d));
    d->cfg = cfg;
    d->started_ms = clock_monotonic_ms();
    batch_init(&d->batch, cfg->batch_max);
    d->brokers = xstrdup(cfg->brokers);
    snprintf(d->topic_in, sizeof(d->topic_in), "%s.requirements", cfg->topic_prefix);
    snprintf(d->topic_reports, sizeof(d->topic_reports), "%s.reports", cfg->topic_prefix);
    snprintf(d->topic_audio, sizeof(d->topic_audio), "%s.audio", cfg->topic_prefix);
    snprintf(d->topic_dlq, sizeof(d->topic_dlq), "%s.dlq", cfg->topic_prefix);

    event_set_log_callback(on_event_log);
    d->base = event_base_new();
    if (d->base == NULL) {
        log_error("daemon", "START_FAILED", "reason=\"event_base_new failed\"");
        return -1;
    }
    signal(SIGPIPE, SIG_IGN);
    d->sigterm_ev = evsignal_new(d->base, SIGTERM, on_signal, d);
    d->sigint_ev = evsignal_new(d->base, SIGINT, on_signal, d);
    event_add(d->sigterm_ev, NULL);
    event_add(d->sigint_ev, NULL);
    d->batch_timer = evtimer_new(d->base, pipeline_on_batch_timer, d);
    d->producer_init_ev = evtimer_new(d->base, on_producer_init, d);
    d->rewind_timer = evtimer_new(d->base, pipeline_on_rewind_timer, d);
    d->registry_timer = evtimer_new(d->base, pipeline_on_registry_timer, d);
    d->settle_timer = evtimer_new(d->base, pipeline_on_settle_timer, d);
    d->loop_probe = evtimer_new(d->base, on_loop_probe, d);
    event_active(d->loop_probe, EV_TIMEOUT, 0);

    if (start_wire(d, errstr, sizeof(errstr)) != 0) goto fail;
    if ((d->advisor = advisor_new(errstr, sizeof(errstr))) == NULL) goto fail;
    if (speech_voice_check(cfg->default_voice, errstr, sizeof(errstr)) != 0) goto fail;
    if (!strcmp(cfg->kafka_mode, "embedded") &&
        start_embedded_kafka(d, errstr, sizeof(errstr)) != 0)
        goto fail;

    struct speech_pool_config scfg = {
        .workers = (unsigned)cfg->workers,
        .worker_exe = cfg->speech_worker_exe,
        .worker_arg = "--speech-worker",
        .job_timeout_ms = (unsigned)cfg->speech_timeout_ms,
        .max_queue = (unsigned)cfg->max_in_flight * 2,
    };
    if ((d->speech = speech_pool_new(d->base, &scfg, errstr, sizeof(errstr))) == NULL) goto fail;

    struct state_config stcfg = {cfg->redis_url, (unsigned)cfg->redis_timeout_ms,
                                 (unsigned)cfg->event_ttl_s};
    d->state = state_new(d->base, &stcfg, pipeline_on_redis_ready, d, errstr, sizeof(errstr));
    if (d->state == NULL) goto fail;
    d->redis_paused = 1; /* until Redis answers */

    char host[128] = "localhost";
    gethostname(host, sizeof(host) - 1);
    if (cfg->instance_id[0]) snprintf(d->txn_id, sizeof(d->txn_id), "%s", cfg->instance_id);
    else
        snprintf(d->txn_id, sizeof(d->txn_id), "%s-%s", cfg->group, host);
    if (start_producer(d, errstr, sizeof(errstr)) != 0) goto fail;

    if (cfg->http_addr[0] && http_start(d, cfg->http_addr) != 0) {
        snprintf(errstr, sizeof(errstr), "cannot listen on %s", cfg->http_addr);
        goto fail;
    }
    log_info("daemon", "STARTED", "brokers=%s group=%s topic=%s http=%s", d->brokers, cfg->group,
             d->topic_in, cfg->http_addr);
    return 0;
fail:
    log_error("daemon", "START_FAILED", "reason=\"%s\"", errstr);
    return -1;
}

void
daemon_stop(struct daemon *d)
{
    if (d->http) evhttp_free(d->http);
    d->http = NULL;
    if (d->consumer) consumer_free(d->consumer); /* leaves the group */
    d->consumer = NULL;
    if (d->speech) speech_pool_free(d->speech);
    d->speech = NULL;
    if (d->producer) producer_free(d->producer);
    d->producer = NULL;
    if (d->state) state_free(d->state);
    d->state = NULL;
    advisor_free(d->advisor);
    d->advisor = NULL;
    if (d->wire) wire_free(d->wire);
    d->wire = NULL;
    if (d->mock) rd_kafka_mock_cluster_destroy(d->mock);
    d->mock = NULL;
    if (d->mock_owner) rd_kafka_destroy(d->mock_owner);
    d->mock_owner = NULL;
    if (d->batch_timer) event_free(d->batch_timer);
    if (d->producer_init_ev) event_free(d->producer_init_ev);
    if (d->rewind_timer) event_free(d->rewind_timer);
    if (d->registry_timer) event_free(d->registry_timer);
    if (d->settle_timer) event_free(d->settle_timer);
    if (d->loop_probe) event_free(d->loop_probe);
    pipeline_free(d);
    if (d->sigterm_ev) event_free(d->sigterm_ev);
    if (d->sigint_ev) event_free(d->sigint_ev);
    if (d->base) event_base_free(d->base);
    free(d->brokers);
    d->base = NULL;
}
