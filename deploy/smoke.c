/* deploy/smoke.c - prove a local broker serves what pipewrightd needs from it, with our client.
 *
 * deploy/services runs this gate after starting Kafka. It uses the system librdkafka (2.0.2 on
 * Debian 12, the daemon's own client) because a broker can answer metadata requests and still
 * refuse what that client needs: Kafka 4.x dropped the FindCoordinator v0 and JoinGroup v0-v1
 * requests librdkafka 2.0.2 sends, so consumer groups then receive nothing. The gate creates a
 * throw-away one-partition topic, produces plain messages, commits one more in a transaction
 * (init_transactions needs the transaction coordinator and its state topic), then reads them
 * all back through a group consumer with isolation.level=read_committed, and deletes the topic.
 * It refuses to pass on anything short of every message back, intact and in order.
 *
 * Single-threaded; every wait is bounded. Exit 0 on success, 1 on failure (reason on stderr),
 * 64 on bad usage.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define PLAIN_COUNT 10           /* non-transactional messages */
#define ADMIN_TIMEOUT_MS 30000   /* topic create/delete */
#define TXN_TIMEOUT_MS 30000     /* init_transactions and commit_transaction */
#define CONSUME_TIMEOUT_MS 60000 /* group join plus fetch on a cold broker */

static void
fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "smoke: FAILED: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static rd_kafka_conf_t *
conf_new(const char *bootstrap)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[512];

    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK)
        fail("bootstrap.servers: %s", errstr);
    return conf;
}

static void
conf_put(rd_kafka_conf_t *conf, const char *name, const char *value)
{
    char errstr[512];

    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
        fail("%s=%s: %s", name, value, errstr);
}

static rd_kafka_t *
client_new(rd_kafka_type_t type, rd_kafka_conf_t *conf)
{
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));

    if (!rk) fail("rd_kafka_new: %s", errstr);
    /* conf is now owned, and freed, by rk. */
    return rk;
}

/* Waits for the one admin result of type 'want' on 'q'; returns it (caller destroys it). */
static rd_kafka_event_t *
admin_wait(rd_kafka_queue_t *q, rd_kafka_event_type_t want)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ADMIN_TIMEOUT_MS + 5000);

    if (!ev) fail("no admin result within %d ms", ADMIN_TIMEOUT_MS + 5000);
    if (rd_kafka_event_type(ev) != want) fail("unexpected admin event %s", rd_kafka_event_name(ev));
    if (rd_kafka_event_error(ev)) fail("admin request: %s", rd_kafka_event_error_string(ev));
    return ev;
}

static void
topic_create(rd_kafka_t *rk, const char *topic)
{
    char errstr[512];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, 1, 1, errstr, sizeof(errstr));
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    const rd_kafka_topic_result_t **res;
    size_t n;

    if (!nt) fail("NewTopic: %s", errstr);
    rd_kafka_AdminOptions_set_operation_timeout(opt, ADMIN_TIMEOUT_MS, errstr, sizeof(errstr));
    rd_kafka_CreateTopics(rk, &nt, 1, opt, q);
    rd_kafka_event_t *ev = admin_wait(q, RD_KAFKA_EVENT_CREATETOPICS_RESULT);
    res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    if (n != 1 || rd_kafka_topic_result_error(res[0]) != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail("create topic %s: %s", topic,
             n == 1 ? rd_kafka_topic_result_error_string(res[0]) : "no result");
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_NewTopic_destroy(nt);
}

/* Best effort: a leftover topic only costs disk, so a failure here is reported, not fatal. */
static void
topic_delete(rd_kafka_t *rk, const char *topic)
{
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(topic);
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_event_t *ev;

    rd_kafka_DeleteTopics(rk, &dt, 1, opt, q);
    ev = rd_kafka_queue_poll(q, ADMIN_TIMEOUT_MS + 5000);
    if (!ev || rd_kafka_event_error(ev))
        fprintf(stderr, "smoke: warning: could not delete topic %s\n", topic);
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_DeleteTopic_destroy(dt);
}

static void
produce_one(rd_kafka_t *rk, const char *topic, const char *payload)
{
    rd_kafka_resp_err_t err;

    err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                            RD_KAFKA_V_VALUE((void *)payload, strlen(payload)),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err) fail("produce: %s", rd_kafka_err2str(err));
}

/* A delivery report callback that records the first failure in the opaque counter. */
static void
on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    int *failed = opaque;

    (void)rk;
    if (rkm->err) {
        fprintf(stderr, "smoke: delivery failed: %s\n", rd_kafka_err2str(rkm->err));
        (*failed)++;
    }
}

static void
produce_plain(const char *bootstrap, const char *topic)
{
    rd_kafka_conf_t *conf = conf_new(bootstrap);
    int failed = 0;
    char payload[64];

    conf_put(conf, "acks", "all");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &failed);
    rd_kafka_t *rk = client_new(RD_KAFKA_PRODUCER, conf);
    for (int i = 0; i < PLAIN_COUNT; i++) {
        snprintf(payload, sizeof(payload), "smoke-%d", i);
        produce_one(rk, topic, payload);
    }
    if (rd_kafka_flush(rk, ADMIN_TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail("plain messages not delivered within %d ms", ADMIN_TIMEOUT_MS);
    if (failed) fail("%d plain messages failed", failed);
    rd_kafka_destroy(rk);
}

/* Takes ownership of 'error'; fails with its text when set. */
static void
txn_check(rd_kafka_error_t *error, const char *what)
{
    if (!error) return;
    fprintf(stderr, "smoke: FAILED: %s: %s\n", what, rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    exit(1);
}

static void
produce_transactional(const char *bootstrap, const char *topic, const char *txn_id)
{
    rd_kafka_conf_t *conf = conf_new(bootstrap);

    conf_put(conf, "transactional.id", txn_id);
    conf_put(conf, "transaction.timeout.ms", "60000");
    rd_kafka_t *rk = client_new(RD_KAFKA_PRODUCER, conf);
    txn_check(rd_kafka_init_transactions(rk, TXN_TIMEOUT_MS), "init_transactions");
    txn_check(rd_kafka_begin_transaction(rk), "begin_transaction");
    produce_one(rk, topic, "smoke-txn");
    txn_check(rd_kafka_commit_transaction(rk, TXN_TIMEOUT_MS), "commit_transaction");
    rd_kafka_destroy(rk);
}

/* Reads every message back through a consumer group; returns how many matched, in order. */
static int
consume_group(const char *bootstrap, const char *topic, const char *group)
{
    rd_kafka_conf_t *conf = conf_new(bootstrap);
    int want = PLAIN_COUNT + 1, got = 0;
    char expect[64];

    conf_put(conf, "group.id", group);
    conf_put(conf, "auto.offset.reset", "earliest");
    conf_put(conf, "isolation.level", "read_committed");
    conf_put(conf, "enable.auto.commit", "false");
    rd_kafka_t *rk = client_new(RD_KAFKA_CONSUMER, conf);
    rd_kafka_poll_set_consumer(rk);

    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (err) fail("subscribe: %s", rd_kafka_err2str(err));

    int64_t deadline = now_ms() + CONSUME_TIMEOUT_MS;
    while (got < want && now_ms() < deadline) {
        rd_kafka_message_t *rkm = rd_kafka_consumer_poll(rk, 500);

        if (!rkm) continue;
        if (rkm->err) {
            if (rkm->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                fprintf(stderr, "smoke: consumer: %s\n", rd_kafka_message_errstr(rkm));
            rd_kafka_message_destroy(rkm);
            continue;
        }
        if (got < PLAIN_COUNT) snprintf(expect, sizeof(expect), "smoke-%d", got);
        else
            snprintf(expect, sizeof(expect), "smoke-txn");
        if (rkm->len == strlen(expect) && memcmp(rkm->payload, expect, rkm->len) == 0) got++;
        else
            fprintf(stderr, "smoke: unexpected message at offset %" PRId64 "\n", rkm->offset);
        rd_kafka_message_destroy(rkm);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return got;
}

int
main(int argc, char **argv)
{
    char topic[64], group[96], txn_id[96];
    int64_t t0 = now_ms();

    if (argc != 2 || strchr(argv[1], ':') == NULL) {
        fprintf(stderr, "usage: smoke HOST:PORT\n");
        return 64;
    }
    /* Unique names, so a gate never reads an earlier run's messages or group offsets. */
    snprintf(topic, sizeof(topic), "pw-smoke-%ld-%d", (long)time(NULL), (int)getpid());
    snprintf(group, sizeof(group), "%s-group", topic);
    snprintf(txn_id, sizeof(txn_id), "%s-txn", topic);

    rd_kafka_conf_t *conf = conf_new(argv[1]);
    rd_kafka_t *admin = client_new(RD_KAFKA_PRODUCER, conf);
    topic_create(admin, topic);
    produce_plain(argv[1], topic);
    produce_transactional(argv[1], topic, txn_id);
    int got = consume_group(argv[1], topic, group);
    topic_delete(admin, topic);
    rd_kafka_destroy(admin);
    if (got != PLAIN_COUNT + 1)
        fail("group consumer received %d of %d messages (librdkafka %s)", got, PLAIN_COUNT + 1,
             rd_kafka_version_str());
    printf("smoke: ok: librdkafka %s group consumer read %d/%d (1 transactional) in %" PRId64
           " ms\n",
           rd_kafka_version_str(), got, PLAIN_COUNT + 1, now_ms() - t0);
    return 0;
}
