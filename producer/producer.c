/* producer/producer.c - transactional produce on the loop, with librdkafka's error triage.
 *
 * Delivery reports arrive on the producer's main queue, which wakes the loop through a
 * non-blocking pipe (rd_kafka_queue_io_event_enable); commit_transaction also serves them while
 * it flushes. A failed delivery inside a transaction makes the commit fail as abortable, so the
 * report callback only counts.
 */
#include "producer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "xalloc.h"

#define RETRIES_MAX 10

struct producer {
    rd_kafka_t *rk;
    rd_kafka_queue_t *mainq;
    int pipefd[2];          /* librdkafka writes here when the main queue has events */
    struct event *wake_ev;
    int in_txn;
    int ready;              /* init_transactions completed */
    char last_error[256];   /* the latest error librdkafka reported, for start-up messages */
    struct producer_stats stats;
};

/* Errors the client reports outside any call (authentication, TLS, all brokers down): kept so
 * that a start-up that cannot finish says why. Thread: librdkafka's, hence the bounded copy;
 * readers tolerate a torn message. */
static void
on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    struct producer *p = opaque;
    (void)rk;
    snprintf(p->last_error, sizeof(p->last_error), "%s: %s",
             rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

static void
on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    struct producer *p = opaque;
    (void)rk;
    if (rkm->err) {
        p->stats.delivery_errors++;
        log_warn("producer", "DELIVERY_FAILED", "topic=%s reason=\"%s\"",
                 rd_kafka_topic_name(rkm->rkt), rd_kafka_err2str(rkm->err));
    }
}

static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
    struct producer *p = arg;
    char drain[64];
    (void)what;
    while (read(fd, drain, sizeof(drain)) > 0) {
    }
    rd_kafka_poll(p->rk, 0);
}

struct producer *
producer_new(struct event_base *base, rd_kafka_conf_t *conf, char *errstr, size_t errstr_size)
{
    struct producer *p = xcalloc(1, sizeof(*p));
    p->pipefd[0] = p->pipefd[1] = -1;
    rd_kafka_conf_set_opaque(conf, p);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errstr_size);
    if (p->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        free(p);
        return NULL;
    }
    conf = NULL; /* now owned, and freed, by the rd_kafka_t instance */

    if (pipe2(p->pipefd, O_NONBLOCK | O_CLOEXEC) != 0) {
        snprintf(errstr, errstr_size, "pipe: %s", strerror(errno));
        goto fail;
    }
    p->mainq = rd_kafka_queue_get_main(p->rk);
    rd_kafka_queue_io_event_enable(p->mainq, p->pipefd[1], "1", 1);
    p->wake_ev = event_new(base, p->pipefd[0], EV_READ | EV_PERSIST, on_wake, p);
    event_add(p->wake_ev, NULL);
    return p;
fail:
    producer_free(p);
    return NULL;
}

void
producer_free(struct producer *p)
{
    if (p == NULL) return;
    if (p->in_txn && p->ready) {
        rd_kafka_error_t *error = rd_kafka_abort_transaction(p->rk, 10000);
        if (error) rd_kafka_error_destroy(error);
    }
    if (p->mainq) {
        rd_kafka_queue_io_event_enable(p->mainq, -1, NULL, 0);
        rd_kafka_queue_destroy(p->mainq);
    }
    if (p->wake_ev) event_free(p->wake_ev);
    rd_kafka_flush(p->rk, 5000);
    rd_kafka_destroy(p->rk);
    if (p->pipefd[0] >= 0) close(p->pipefd[0]);
    if (p->pipefd[1] >= 0) close(p->pipefd[1]);
    free(p);
}

enum producer_init
producer_init_step(struct producer *p, int timeout_ms, char *errstr, size_t errstr_size)
{
    if (p->ready) return PRODUCER_INIT_DONE;
    rd_kafka_error_t *error = rd_kafka_init_transactions(p->rk, timeout_ms);
    if (error == NULL) {
        p->ready = 1;
        return PRODUCER_INIT_DONE;
    }
    /* init_transactions is resumable: a timeout or a retriable error is tried again. */
    int pending = rd_kafka_error_is_retriable(error) ||
                  rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__TIMED_OUT;
    if (p->last_error[0])
        snprintf(errstr, errstr_size, "%s (%s)", rd_kafka_error_string(error), p->last_error);
    else
        snprintf(errstr, errstr_size, "%s", rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return pending ? PRODUCER_INIT_PENDING : PRODUCER_INIT_FAILED;
}

int
producer_ready(const struct producer *p)
{
    return p->ready;
}

int
producer_begin(struct producer *p, char *errstr, size_t errstr_size)
{
    if (p->in_txn) return 0;
    rd_kafka_error_t *error = rd_kafka_begin_transaction(p->rk);
    if (error) {
        snprintf(errstr, errstr_size, "begin_transaction: %s", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
        return -1;
    }
    p->in_txn = 1;
    return 0;
}

int
producer_in_txn(const struct producer *p)
{
    return p->in_txn;
}

int
producer_send(struct producer *p, const char *topic, const void *key, size_t key_len,
              const void *value, size_t value_len, rd_kafka_headers_t *hdrs, char *errstr,
              size_t errstr_size)
{
    for (int attempt = 0;; attempt++) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, key_len),
            RD_KAFKA_V_VALUE((void *)value, value_len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            p->stats.produced++;
            return 0; /* 'hdrs' now owned by the message */
        }
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && attempt < 50) {
            rd_kafka_poll(p->rk, 100); /* serve delivery reports to make room */
            continue;
        }
        snprintf(errstr, errstr_size, "produce to %s: %s", topic, rd_kafka_err2str(err));
        if (hdrs) rd_kafka_headers_destroy(hdrs);
        return -1;
    }
}

/* Triage of one transactional error: 1 retry, 0 abort needed, -1 fatal. Destroys 'error'. */
static int
triage(rd_kafka_error_t *error, const char *what, char *errstr, size_t errstr_size)
{
    int verdict;
    if (rd_kafka_error_is_retriable(error)) verdict = 1;
    else if (rd_kafka_error_txn_requires_abort(error)) verdict = 0;
    else verdict = -1;
    snprintf(errstr, errstr_size, "%s: %s", what, rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return verdict;
}

enum producer_txn_result
producer_abort(struct producer *p, char *errstr, size_t errstr_size)
{
    if (!p->in_txn) return PRODUCER_TXN_OK;
    for (int attempt = 0; attempt < RETRIES_MAX; attempt++) {
        rd_kafka_error_t *error = rd_kafka_abort_transaction(p->rk, -1);
        if (error == NULL) {
            p->in_txn = 0;
            p->stats.aborts++;
            log_warn("producer", "TXN_ABORT", "aborts=%lu", p->stats.aborts);
            return PRODUCER_TXN_ABORTED;
        }
        if (triage(error, "abort_transaction", errstr, errstr_size) != 1) break;
    }
    p->in_txn = 0;
    return PRODUCER_TXN_FATAL;
}

/* After a commit step failed for good: fatal stays fatal, anything else aborts. 'errstr' keeps
 * the reason of the failure, not of the abort. */
static enum producer_txn_result
give_up(struct producer *p, int verdict, char *errstr, size_t errstr_size)
{
    if (verdict == -1) return PRODUCER_TXN_FATAL;
    char why[512], ignored[256];
    snprintf(why, sizeof(why), "%s", errstr);
    enum producer_txn_result r = producer_abort(p, ignored, sizeof(ignored));
    snprintf(errstr, errstr_size, "%s", why);
    return r;
}

enum producer_txn_result
producer_commit(struct producer *p, const rd_kafka_topic_partition_list_t *offsets,
                const rd_kafka_consumer_group_metadata_t *cgmd, char *errstr,
                size_t errstr_size)
{
    if (!p->in_txn) return PRODUCER_TXN_OK;
    int verdict = 0;
    if (offsets && offsets->cnt > 0) {
        for (int attempt = 0;; attempt++) {
            /* retriable but not resumable: repeat with the very same offsets and metadata */
            rd_kafka_error_t *error =
                rd_kafka_send_offsets_to_transaction(p->rk, offsets, cgmd, -1);
            if (error == NULL) break;
            verdict = triage(error, "send_offsets_to_transaction", errstr, errstr_size);
            if (verdict != 1 || attempt >= RETRIES_MAX)
                return give_up(p, verdict, errstr, errstr_size);
        }
    }
    for (int attempt = 0;; attempt++) {
        rd_kafka_error_t *error = rd_kafka_commit_transaction(p->rk, -1);
        if (error == NULL) {
            p->in_txn = 0;
            p->stats.commits++;
            return PRODUCER_TXN_OK;
        }
        /* A timed-out commit has an unknown outcome: the resumable call finds out. */
        verdict = triage(error, "commit_transaction", errstr, errstr_size);
        if (verdict != 1 || attempt >= RETRIES_MAX)
            return give_up(p, verdict, errstr, errstr_size);
    }
}

const struct producer_stats *
producer_stats(const struct producer *p)
{
    return &p->stats;
}

rd_kafka_t *
producer_handle(struct producer *p)
{
    return p->rk;
}
