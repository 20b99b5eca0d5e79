/* consumer/consumer.c - a consumer-group member woken by librdkafka through a pipe. */
#include "consumer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "clock.h"
#include "kafka_wake.h"
#include "log.h"
#include "xalloc.h"

#define MESSAGES_PER_TURN 256 /* then yield to the loop (Redis replies, speech results, HTTP) */
/* A member hears from the cluster at least every fetch.wait.max.ms (500 ms) while it fetches
 * and every heartbeat.interval.ms (3 s) while it only heartbeats: silence longer than this
 * means the cluster is unreachable, whether its connections are refused or hang. */
#define SILENCE_MAX_MS 5000

struct consumer {
    rd_kafka_t *rk;
    rd_kafka_queue_t *queue; /* the consumer queue (messages, rebalances), io event enabled */
    rd_kafka_queue_t *mainq; /* the main queue (statistics, errors, logs), same pipe */
    struct kafka_wake wake;  /* both queues wake the loop through it */
    struct event *again_ev;  /* re-arm after a capped turn, or when intake turns on */
    int intake;
    int joined;
    int32_t lag_partition[256]; /* from the latest statistics */
    int64_t lag[256];
    int n_lag;
    int64_t rx_seen;     /* responses received from all brokers, as of the last statistics */
    int64_t heard_at_ms; /* monotonic time the count last grew */
    consumer_msg_cb *on_msg;
    consumer_rebalance_cb *on_rebalance;
    void *arg;
};

static void
on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
             void *opaque)
{
    struct consumer *c = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        log_info("consumer", "ASSIGNED", "partitions=%d", parts->cnt);
        c->joined = 1;
        c->on_rebalance(1, parts, c->arg);
        rd_kafka_assign(rk, parts);
    } else {
        log_info("consumer", "REVOKED", "partitions=%d lost=%d", parts->cnt,
                 rd_kafka_assignment_lost(rk));
        c->on_rebalance(0, parts, c->arg);
        rd_kafka_assign(rk, NULL);
        c->joined = 0;
    }
}

/* Notes when the brokers last answered anything (the sum of their 'rx' counters grew). */
static void
note_responses(struct consumer *c, json_t *brokers)
{
    const char *name;
    json_t *broker;
    int64_t rx = 0;
    json_object_foreach(brokers, name, broker)
    {
        json_t *n = json_object_get(broker, "rx");
        if (json_is_integer(n) && json_integer_value(n) > 0) rx += json_integer_value(n);
    }
    if (rx != c->rx_seen) {
        c->rx_seen = rx;
        c->heard_at_ms = clock_monotonic_ms();
    }
}

/* librdkafka's statistics JSON (on the loop thread, from poll): keep each partition's
 * consumer_lag_stored, the lag as of the offsets this member has reached, and when the
 * brokers last answered. */
static int
on_stats(rd_kafka_t *rk, char *json, size_t json_len, void *opaque)
{
    struct consumer *c = opaque;
    (void)rk;
    json_t *root = json_loadb(json, json_len, 0, NULL);
    if (root) note_responses(c, json_object_get(root, "brokers"));
    json_t *topics = root ? json_object_get(root, "topics") : NULL;
    const char *tname;
    json_t *topic;
    c->n_lag = 0;
    json_object_foreach(topics, tname, topic)
    {
        const char *pname;
        json_t *part;
        json_object_foreach(json_object_get(topic, "partitions"), pname, part)
        {
            long id = strtol(pname, NULL, 10);
            json_t *lag = json_object_get(part, "consumer_lag_stored");
            if (id < 0 || !json_is_integer(lag) || json_integer_value(lag) < 0 ||
                c->n_lag == (int)(sizeof(c->lag) / sizeof(c->lag[0])))
                continue;
            c->lag_partition[c->n_lag] = (int32_t)id;
            c->lag[c->n_lag++] = json_integer_value(lag);
        }
    }
    json_decref(root);
    return 0; /* librdkafka frees 'json' */
}

void
consumer_lag_foreach(const struct consumer *c,
                     void (*fn)(int32_t partition, int64_t lag, void *arg), void *arg)
{
    for (int i = 0; i < c->n_lag; i++) fn(c->lag_partition[i], c->lag[i], arg);
}

/* Polls until the queue is empty, the turn's cap, or intake goes off. */
static void
serve(struct consumer *c)
{
    for (int n = 0; c->intake; n++) {
        if (n == MESSAGES_PER_TURN) {
            event_active(c->again_ev, EV_TIMEOUT, 0);
            return;
        }
        rd_kafka_message_t *rkm = rd_kafka_consumer_poll(c->rk, 0);
        if (rkm == NULL) return;
        if (rkm->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            c->on_msg(rkm, c->arg);
        } else if (rkm->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            log_warn("consumer", "CONSUMER_ERROR", "reason=\"%s\"", rd_kafka_message_errstr(rkm));
            if (rkm->err == RD_KAFKA_RESP_ERR__FATAL) {
                char why[256];
                rd_kafka_fatal_error(c->rk, why, sizeof(why));
                log_error("consumer", "CONSUMER_FATAL", "reason=\"%s\"", why);
            }
        }
        rd_kafka_message_destroy(rkm);
    }
}

/* Either queue has events. The main queue is served even while intake is off, so statistics
 * (lag, broker silence) stay current during backpressure and outages. */
static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
    struct consumer *c = arg;
    (void)what;
    kafka_wake_drain(fd);
    rd_kafka_poll(c->rk, 0);
    serve(c);
}

static void
on_again(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    serve(arg);
}

struct consumer *
consumer_new(struct event_base *base, rd_kafka_conf_t *conf, const char *topic,
             consumer_msg_cb *on_msg, consumer_rebalance_cb *on_rebalance_cb, void *arg,
             char *errstr, size_t errstr_size)
{
    struct consumer *c = xcalloc(1, sizeof(*c));
    c->heard_at_ms = clock_monotonic_ms(); /* reachable until the statistics say otherwise */
    kafka_wake_init(&c->wake);
    c->on_msg = on_msg;
    c->on_rebalance = on_rebalance_cb;
    c->arg = arg;
    c->intake = 1;
    rd_kafka_conf_set_opaque(conf, c);
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_stats_cb(conf, on_stats);
    c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errstr_size);
    if (c->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        free(c);
        return NULL;
    }
    conf = NULL; /* now owned, and freed, by the rd_kafka_t instance */

    if (kafka_wake_open(&c->wake, base, on_wake, c, errstr, errstr_size) != 0) goto fail;
    c->queue = rd_kafka_queue_get_consumer(c->rk);
    kafka_wake_watch(&c->wake, c->queue);
    c->mainq = rd_kafka_queue_get_main(c->rk);
    kafka_wake_watch(&c->wake, c->mainq);
    c->again_ev = event_new(base, -1, 0, on_again, c);

    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(c->rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        snprintf(errstr, errstr_size, "subscribe %s: %s", topic, rd_kafka_err2str(err));
        goto fail;
    }
    /* Events may have been queued before the io event was enabled. */
    event_active(c->again_ev, EV_TIMEOUT, 0);
    return c;
fail:
    consumer_free(c);
    return NULL;
}

void
consumer_free(struct consumer *c)
{
    if (c == NULL) return;
    kafka_wake_unwatch(c->queue);
    kafka_wake_unwatch(c->mainq);
    kafka_wake_stop(&c->wake);
    if (c->again_ev) event_free(c->again_ev);
    c->intake = 0;
    rd_kafka_consumer_close(c->rk); /* revokes through on_rebalance, leaves the group */
    rd_kafka_destroy(c->rk);
    kafka_wake_close(&c->wake);
    free(c);
}

void
consumer_intake(struct consumer *c, int on)
{
    if (c->intake == on) return;
    c->intake = on;
    if (on) event_active(c->again_ev, EV_TIMEOUT, 0);
}

int
consumer_joined(const struct consumer *c)
{
    return c->joined;
}

int
consumer_cluster_reachable(const struct consumer *c)
{
    return clock_monotonic_ms() - c->heard_at_ms <= SILENCE_MAX_MS;
}

int
consumer_rewind(struct consumer *c, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *parts = NULL;
    rd_kafka_resp_err_t err = rd_kafka_assignment(c->rk, &parts);
    if (err) {
        snprintf(errstr, errstr_size, "assignment: %s", rd_kafka_err2str(err));
        return -1;
    }
    int rc = 0;
    if (parts->cnt > 0) {
        err = rd_kafka_committed(c->rk, parts, 10000);
        if (err) {
            snprintf(errstr, errstr_size, "committed: %s", rd_kafka_err2str(err));
            rc = -1;
        } else {
            /* A partition with no committed offset restarts where auto.offset.reset says. */
            for (int i = 0; i < parts->cnt; i++)
                if (parts->elems[i].offset < 0) parts->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
            rd_kafka_error_t *error = rd_kafka_seek_partitions(c->rk, parts, 10000);
            if (error) {
                snprintf(errstr, errstr_size, "seek: %s", rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
                rc = -1;
            }
        }
    }
    rd_kafka_topic_partition_list_destroy(parts);
    return rc;
}

rd_kafka_consumer_group_metadata_t *
consumer_group_metadata(struct consumer *c)
{
    return rd_kafka_consumer_group_metadata(c->rk);
}

rd_kafka_t *
consumer_handle(struct consumer *c)
{
    return c->rk;
}
