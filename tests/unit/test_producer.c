/* tests/unit/test_producer.c - settling transactions in bounded steps, against librdkafka's mock.
 *
 * The mock cluster (rdkafka_mock.h) runs in this process: it can take its broker down and fail
 * chosen protocol requests, which the real broker of the integration tests cannot do on cue.
 * What is checked: while the broker is unreachable no settle step blocks much longer than its
 * slice (the daemon's loop keeps serving HTTP meanwhile), the commit resumes once the broker is
 * back, an abortable EndTxn error ends as ABORTED and a fenced producer as FATAL.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "check.h"
#include "producer.h"

#define API_END_TXN 26 /* Kafka protocol ApiKey of EndTxn */
#define SLICE_MS 200
#define SLICE_SLACK_MS 400 /* scheduling noise on a loaded machine */

struct rig {
    rd_kafka_t *owner; /* the handle the mock cluster hangs on */
    rd_kafka_mock_cluster_t *mc;
    struct event_base *base;
    struct producer *p;
};

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
rig_up(struct rig *r, const char *txn_id)
{
    char errstr[512];
    memset(r, 0, sizeof(*r));
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
    r->owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (r->owner == NULL) return -1;
    r->mc = rd_kafka_mock_cluster_new(r->owner, 1);
    if (r->mc == NULL) return -1;
    rd_kafka_mock_topic_create(r->mc, "out", 1, 1);
    rd_kafka_mock_topic_create(r->mc, "in", 1, 1);
    r->base = event_base_new();

    conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(r->mc),
                          errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "transactional.id", txn_id, errstr, sizeof(errstr)) ||
        rd_kafka_conf_set(conf, "transaction.timeout.ms", "20000", errstr, sizeof(errstr)) ||
        rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr)))
        return -1;
    r->p = producer_new(r->base, conf, errstr, sizeof(errstr));
    if (r->p == NULL) return -1;
    for (int i = 0; i < 30; i++) {
        enum producer_init st = producer_init_step(r->p, 1000, errstr, sizeof(errstr));
        if (st == PRODUCER_INIT_DONE) return 0;
        if (st == PRODUCER_INIT_FAILED) break;
    }
    fprintf(stderr, "init_transactions: %s\n", errstr);
    return -1;
}

static void
rig_down(struct rig *r)
{
    if (r->mc) rd_kafka_mock_broker_set_up(r->mc, 1);
    producer_free(r->p);
    if (r->base) event_base_free(r->base);
    if (r->mc) rd_kafka_mock_cluster_destroy(r->mc);
    if (r->owner) rd_kafka_destroy(r->owner);
}

static int
send_some(struct rig *r, int n)
{
    char errstr[256];
    if (producer_begin(r->p, errstr, sizeof(errstr)) != 0) return -1;
    for (int i = 0; i < n; i++) {
        char v[32];
        int len = snprintf(v, sizeof(v), "answer %d", i);
        if (producer_send(r->p, "out", "k", 1, v, (size_t)len, NULL, errstr, sizeof(errstr)) != 0)
            return -1;
    }
    return 0;
}

/* Steps until settled or 'limit_ms'; records the longest step. */
static enum producer_txn_result
settle_until(struct rig *r, long long limit_ms, long long *longest_ms, char *errstr,
             size_t errstr_size)
{
    long long start = now_ms();
    enum producer_txn_result res = PRODUCER_TXN_PENDING;
    while (res == PRODUCER_TXN_PENDING && now_ms() - start < limit_ms) {
        long long t0 = now_ms();
        res = producer_settle(r->p, SLICE_MS, errstr, errstr_size);
        if (longest_ms && now_ms() - t0 > *longest_ms) *longest_ms = now_ms() - t0;
    }
    return res;
}

static rd_kafka_topic_partition_list_t *
offsets_in(int64_t next)
{
    rd_kafka_topic_partition_list_t *o = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(o, "in", 0)->offset = next;
    return o;
}

static void
commit_resumes_after_outage(void)
{
    struct rig r;
    char errstr[512] = "";
    CHECK(rig_up(&r, "pw-test-outage") == 0);
    if (r.p == NULL || !producer_ready(r.p)) goto out;

    /* The broker goes away with the batch still undelivered. */
    rd_kafka_mock_broker_set_down(r.mc, 1);
    CHECK(send_some(&r, 5) == 0);
    producer_commit_start(r.p, offsets_in(5), rd_kafka_consumer_group_metadata_new("g"));
    CHECK(producer_settling(r.p));
    long long longest = 0;
    CHECK(settle_until(&r, 3000, &longest, errstr, sizeof(errstr)) == PRODUCER_TXN_PENDING);
    CHECK(longest <= SLICE_MS + SLICE_SLACK_MS);
    CHECK(producer_settling(r.p));

    rd_kafka_mock_broker_set_up(r.mc, 1);
    CHECK(settle_until(&r, 15000, NULL, errstr, sizeof(errstr)) == PRODUCER_TXN_OK);
    CHECK(!producer_settling(r.p) && !producer_in_txn(r.p));
    CHECK(producer_stats(r.p)->commits == 1 && producer_stats(r.p)->aborts == 0);
    CHECK(producer_stats(r.p)->delivery_errors == 0);

    /* The producer goes on: the next transaction commits at once. */
    CHECK(send_some(&r, 2) == 0);
    producer_commit_start(r.p, NULL, NULL);
    CHECK(settle_until(&r, 10000, NULL, errstr, sizeof(errstr)) == PRODUCER_TXN_OK);
    CHECK(producer_stats(r.p)->commits == 2);
out:
    rig_down(&r);
}

/* The outage begins after delivery: send_offsets_to_transaction, which is not resumable, times
 * out and is sent again with the same offsets once the broker is back. */
static void
offsets_resent_after_outage(void)
{
    struct rig r;
    char errstr[512] = "";
    CHECK(rig_up(&r, "pw-test-offsets") == 0);
    if (r.p == NULL || !producer_ready(r.p)) goto out;

    CHECK(send_some(&r, 4) == 0);
    CHECK(rd_kafka_flush(producer_handle(r.p), 5000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_mock_broker_set_down(r.mc, 1);
    producer_commit_start(r.p, offsets_in(4), rd_kafka_consumer_group_metadata_new("g"));
    long long longest = 0;
    CHECK(settle_until(&r, 5000, &longest, errstr, sizeof(errstr)) == PRODUCER_TXN_PENDING);
    CHECK(longest <= SLICE_MS + SLICE_SLACK_MS);

    rd_kafka_mock_broker_set_up(r.mc, 1);
    CHECK(settle_until(&r, 20000, NULL, errstr, sizeof(errstr)) == PRODUCER_TXN_OK);
    CHECK(producer_stats(r.p)->commits == 1 && producer_stats(r.p)->aborts == 0);
out:
    rig_down(&r);
}

static void
abort_resumes_after_outage(void)
{
    struct rig r;
    char errstr[512] = "";
    CHECK(rig_up(&r, "pw-test-abort") == 0);
    if (r.p == NULL || !producer_ready(r.p)) goto out;

    /* Delivered first, so the coordinator knows the transaction and the abort needs it. */
    CHECK(send_some(&r, 3) == 0);
    CHECK(rd_kafka_flush(producer_handle(r.p), 5000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_mock_broker_set_down(r.mc, 1);
    producer_abort_start(r.p);
    long long longest = 0;
    CHECK(settle_until(&r, 2000, &longest, errstr, sizeof(errstr)) == PRODUCER_TXN_PENDING);
    CHECK(longest <= SLICE_MS + SLICE_SLACK_MS);

    rd_kafka_mock_broker_set_up(r.mc, 1);
    CHECK(settle_until(&r, 15000, NULL, errstr, sizeof(errstr)) == PRODUCER_TXN_ABORTED);
    CHECK(producer_stats(r.p)->aborts == 1 && producer_stats(r.p)->commits == 0);
    CHECK(send_some(&r, 1) == 0); /* a new transaction may begin */
    producer_commit_start(r.p, NULL, NULL);
    CHECK(settle_until(&r, 10000, NULL, errstr, sizeof(errstr)) == PRODUCER_TXN_OK);
out:
    rig_down(&r);
}

static void
abortable_commit_error_aborts(void)
{
    struct rig r;
    char errstr[512] = "";
    CHECK(rig_up(&r, "pw-test-abortable") == 0);
    if (r.p == NULL || !producer_ready(r.p)) goto out;

    CHECK(send_some(&r, 3) == 0);
    rd_kafka_mock_push_request_errors(r.mc, API_END_TXN, 1, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
    producer_commit_start(r.p, offsets_in(3), rd_kafka_consumer_group_metadata_new("g"));
    CHECK(settle_until(&r, 15000, NULL, errstr, sizeof(errstr)) == PRODUCER_TXN_ABORTED);
    CHECK(strstr(errstr, "commit_transaction") != NULL);
    CHECK(producer_stats(r.p)->aborts == 1 && producer_stats(r.p)->commits == 0);
out:
    rig_down(&r);
}

static void
fenced_commit_is_fatal(void)
{
    struct rig r;
    char errstr[512] = "";
    CHECK(rig_up(&r, "pw-test-fenced") == 0);
    if (r.p == NULL || !producer_ready(r.p)) goto out;

    CHECK(send_some(&r, 2) == 0);
    rd_kafka_mock_push_request_errors(r.mc, API_END_TXN, 1, RD_KAFKA_RESP_ERR_PRODUCER_FENCED);
    producer_commit_start(r.p, NULL, NULL);
    CHECK(settle_until(&r, 15000, NULL, errstr, sizeof(errstr)) == PRODUCER_TXN_FATAL);
    CHECK(errstr[0] != '\0');
    CHECK(!producer_settling(r.p));
out:
    rig_down(&r);
}

static const struct check_case cases[] = {
    {"commit_resumes_after_outage", commit_resumes_after_outage},
    {"offsets_resent_after_outage", offsets_resent_after_outage},
    {"abort_resumes_after_outage", abort_resumes_after_outage},
    {"abortable_commit_error_aborts", abortable_commit_error_aborts},
    {"fenced_commit_is_fatal", fenced_commit_is_fatal},
};

CHECK_MAIN(cases)
