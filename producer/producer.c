/* producer/producer.c - transactional produce on the loop, with librdkafka's error triage.
 *
 * Delivery reports arrive on the producer's main queue, which wakes the loop through a
 * non-blocking pipe (rd_kafka_queue_io_event_enable); flush and commit_transaction also serve
 * them. A failed delivery inside a transaction makes the commit fail as abortable, so the
 * report callback only counts.
 *
 * Settling a transaction is a small state machine, FLUSH -> OFFSETS -> COMMIT, or ABORT, whose
 * steps are bounded librdkafka calls: rd_kafka_flush() until the batch is delivered, then
 * send_offsets_to_transaction (retried with the same offsets and metadata), then the resumable
 * commit_transaction; an abortable failure anywhere moves to the resumable abort_transaction.
 * send_offsets_to_transaction is the one call that is neither resumable nor bounded by its
 * timeout (measured on 2.0.2's mock cluster: with 1000 ms it blocked until the broker came back,
 * 7 s later), so it runs on a short-lived thread of its own while the loop polls for its end;
 * nothing else touches the transaction meanwhile.
 */
#include "producer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "clock.h"
#include "kafka_wake.h"
#include "log.h"
#include "xalloc.h"

#define RETRIES_MAX 10        /* retriable errors other than timeouts, per settle stage */
#define OFFSETS_POLL_MS 2     /* how often a step looks whether send_offsets has returned */
#define OFFSETS_JOIN_MS 10000 /* what producer_free() waits for a send_offsets still running */
#define SETTLE_WARN_MS 5000   /* a settle pending this long is logged, once */

enum settle_stage {
    SETTLE_NONE = 0,
    SETTLE_FLUSH,   /* waiting for the transaction's messages to be delivered */
    SETTLE_OFFSETS, /* sending the input offsets to the transaction */
    SETTLE_COMMIT,  /* commit_transaction, resumed until it answers */
    SETTLE_ABORT,   /* abort_transaction, resumed until it answers */
};

struct producer {
    rd_kafka_t *rk;
    rd_kafka_queue_t *mainq;
    struct kafka_wake wake; /* the main queue wakes the loop through it */
    int in_txn;
    int ready;            /* init_transactions completed */
    char last_error[256]; /* the latest error librdkafka reported, for start-up messages */
    struct producer_stats stats;

    /* the transaction being settled */
    enum settle_stage settle;
    rd_kafka_topic_partition_list_t *offsets;
    rd_kafka_consumer_group_metadata_t *cgmd;
    int attempts;             /* retriable failures in this stage */
    pthread_t offsets_thread; /* running send_offsets_to_transaction, when offsets_running */
    int offsets_running;
    atomic_int offsets_done;         /* set by that thread as it ends */
    rd_kafka_error_t *offsets_error; /* its result, read after the join */
    int64_t settle_started_ms;       /* monotonic */
    int warned;                      /* the long-pending warning was logged */
    int64_t settle_cap_ms;           /* twice transaction.timeout.ms */
    char why[512];                   /* what turned a commit into an abort */
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
    (void)what;
    kafka_wake_drain(fd);
    rd_kafka_poll(p->rk, 0);
}

struct producer *
producer_new(struct event_base *base, rd_kafka_conf_t *conf, char *errstr, size_t errstr_size)
{
    struct producer *p = xcalloc(1, sizeof(*p));
    kafka_wake_init(&p->wake);
    rd_kafka_conf_set_opaque(conf, p);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    char value[32];
    size_t value_size = sizeof(value);
    long txn_timeout_ms = 60000; /* librdkafka's default */
    if (rd_kafka_conf_get(conf, "transaction.timeout.ms", value, &value_size) == RD_KAFKA_CONF_OK)
        txn_timeout_ms = strtol(value, NULL, 10);
    p->settle_cap_ms = 2 * (int64_t)(txn_timeout_ms > 0 ? txn_timeout_ms : 60000);
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errstr_size);
    if (p->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        free(p);
        return NULL;
    }
    conf = NULL; /* now owned, and freed, by the rd_kafka_t instance */

    if (kafka_wake_open(&p->wake, base, on_wake, p, errstr, errstr_size) != 0) goto fail;
    p->mainq = rd_kafka_queue_get_main(p->rk);
    kafka_wake_watch(&p->wake, p->mainq);
    return p;
fail:
    producer_free(p);
    return NULL;
}

/* The send_offsets thread's body; the loop thread does not touch 'p->offsets' or 'p->cgmd'
 * while it runs. */
static void *
offsets_main(void *arg)
{
    struct producer *p = arg;
    p->offsets_error = rd_kafka_send_offsets_to_transaction(p->rk, p->offsets, p->cgmd, -1);
    atomic_store(&p->offsets_done, 1);
    return NULL;
}

/* Waits for the send_offsets thread at most 'wait_ms' (-1: for good). Returns 1 once joined. */
static int
offsets_join(struct producer *p, int wait_ms)
{
    if (!p->offsets_running) return 1;
    for (int waited = 0; !atomic_load(&p->offsets_done); waited += OFFSETS_POLL_MS) {
        if (wait_ms >= 0 && waited >= wait_ms) return 0;
        struct timespec ts = {0, OFFSETS_POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    pthread_join(p->offsets_thread, NULL);
    p->offsets_running = 0;
    return 1;
}

void
producer_free(struct producer *p)
{
    if (p == NULL) return;
    if (!offsets_join(p, OFFSETS_JOIN_MS)) {
        /* The broker is gone and librdkafka still holds the call: the handle cannot be
         * destroyed under it. The process is ending; the broker aborts the transaction when it
         * times out, or the next instance's init_transactions fences it. */
        log_error("producer", "TXN_UNSETTLED",
                  "reason=\"send_offsets_to_transaction still "
                  "waiting for the broker after %d ms\"",
                  OFFSETS_JOIN_MS);
        pthread_detach(p->offsets_thread);
        return;
    }
    if (p->offsets_error) rd_kafka_error_destroy(p->offsets_error);
    if (p->in_txn && p->ready) {
        rd_kafka_error_t *error = rd_kafka_abort_transaction(p->rk, 10000);
        if (error) rd_kafka_error_destroy(error);
    }
    kafka_wake_unwatch(p->mainq);
    kafka_wake_stop(&p->wake);
    if (p->offsets) rd_kafka_topic_partition_list_destroy(p->offsets);
    if (p->cgmd) rd_kafka_consumer_group_metadata_destroy(p->cgmd);
    rd_kafka_flush(p->rk, 5000);
    rd_kafka_destroy(p->rk);
    kafka_wake_close(&p->wake);
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
        rd_kafka_resp_err_t err = rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(topic),
                                                    RD_KAFKA_V_KEY(key, key_len),
                                                    RD_KAFKA_V_VALUE((void *)value, value_len),
                                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
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

/* Triage of one transactional error: 1 retry, 0 abort needed, -1 fatal. */
static int
triage(const rd_kafka_error_t *error)
{
    if (rd_kafka_error_is_retriable(error)) return 1;
    if (rd_kafka_error_txn_requires_abort(error)) return 0;
    return -1;
}

static void
settle_clear(struct producer *p)
{
    p->settle = SETTLE_NONE;
    if (p->offsets_running) return; /* still in use: producer_free() joins, then frees */
    if (p->offsets) rd_kafka_topic_partition_list_destroy(p->offsets);
    if (p->cgmd) rd_kafka_consumer_group_metadata_destroy(p->cgmd);
    p->offsets = NULL;
    p->cgmd = NULL;
}

static void
settle_enter(struct producer *p, enum settle_stage stage)
{
    p->settle = stage;
    p->attempts = 0;
}

void
producer_commit_start(struct producer *p, rd_kafka_topic_partition_list_t *offsets,
                      rd_kafka_consumer_group_metadata_t *cgmd)
{
    PW_ASSERT(p->settle == SETTLE_NONE && !p->offsets_running);
    p->offsets = offsets;
    p->cgmd = cgmd;
    p->why[0] = '\0';
    p->settle_started_ms = clock_monotonic_ms();
    p->warned = 0;
    settle_enter(p, p->in_txn ? SETTLE_FLUSH : SETTLE_NONE);
}

void
producer_abort_start(struct producer *p)
{
    PW_ASSERT(p->settle == SETTLE_NONE || p->settle == SETTLE_ABORT);
    if (p->settle == SETTLE_ABORT) return;
    p->why[0] = '\0';
    p->settle_started_ms = clock_monotonic_ms();
    p->warned = 0;
    settle_enter(p, p->in_txn ? SETTLE_ABORT : SETTLE_NONE);
}

int
producer_settling(const struct producer *p)
{
    return p->settle != SETTLE_NONE;
}

/* The settle ended; 'r' is what the caller is told. */
static enum producer_txn_result
settle_done(struct producer *p, enum producer_txn_result r, char *errstr, size_t errstr_size)
{
    if (r == PRODUCER_TXN_OK) p->stats.commits++;
    if (r == PRODUCER_TXN_ABORTED) {
        p->stats.aborts++;
        log_warn("producer", "TXN_ABORT", "aborts=%lu reason=\"%s\"", p->stats.aborts, p->why);
    }
    if (r != PRODUCER_TXN_OK) snprintf(errstr, errstr_size, "%s", p->why);
    p->in_txn = 0;
    settle_clear(p);
    return r;
}

/* A stage's call failed with 'error' (destroyed here). Returns PENDING to step again, or what
 * the settle ends with; an abortable failure of a commit stage moves on to the abort. */
static enum producer_txn_result
settle_failed(struct producer *p, rd_kafka_error_t *error, const char *what, int *again,
              char *errstr, size_t errstr_size)
{
    int verdict = triage(error);
    int timed_out = rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__TIMED_OUT;
    char reason[400];
    snprintf(reason, sizeof(reason), "%s: %s", what, rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    *again = 0;
    if (verdict == 1 && (timed_out || ++p->attempts < RETRIES_MAX))
        return PRODUCER_TXN_PENDING; /* the same call again at the next step */
    if (p->why[0] == '\0') snprintf(p->why, sizeof(p->why), "%s", reason);
    if (verdict == -1 || p->settle == SETTLE_ABORT)
        return settle_done(p, PRODUCER_TXN_FATAL, errstr, errstr_size);
    settle_enter(p, SETTLE_ABORT); /* abortable, or retried too often */
    *again = 1;
    return PRODUCER_TXN_PENDING;
}

/* One bounded call of the current stage. 'budget_ms' is -1 (block) or what is left. */
static enum producer_txn_result
settle_once(struct producer *p, int budget_ms, int *again, char *errstr, size_t errstr_size)
{
    rd_kafka_error_t *error = NULL;
    *again = 0;
    switch (p->settle) {
    case SETTLE_NONE:
        return PRODUCER_TXN_OK;
    case SETTLE_FLUSH:
        if (rd_kafka_flush(p->rk, budget_ms) == RD_KAFKA_RESP_ERR__TIMED_OUT)
            return PRODUCER_TXN_PENDING;
        settle_enter(p, p->offsets && p->offsets->cnt > 0 ? SETTLE_OFFSETS : SETTLE_COMMIT);
        *again = 1;
        return PRODUCER_TXN_PENDING;
    case SETTLE_OFFSETS:
        if (!p->offsets_running) {
            atomic_store(&p->offsets_done, 0);
            p->offsets_error = NULL;
            p->offsets_running = 1;
            if (pthread_create(&p->offsets_thread, NULL, offsets_main, p) != 0) {
                p->offsets_running = 0; /* no thread to be had: call it here */
                error = rd_kafka_send_offsets_to_transaction(p->rk, p->offsets, p->cgmd, -1);
            }
        }
        if (p->offsets_running) {
            if (!offsets_join(p, budget_ms)) return PRODUCER_TXN_PENDING;
            error = p->offsets_error;
            p->offsets_error = NULL;
        }
        if (error)
            return settle_failed(p, error, "send_offsets_to_transaction", again, errstr,
                                 errstr_size);
        settle_enter(p, SETTLE_COMMIT);
        *again = 1;
        return PRODUCER_TXN_PENDING;
    case SETTLE_COMMIT:
        error = rd_kafka_commit_transaction(p->rk, budget_ms);
        if (error) return settle_failed(p, error, "commit_transaction", again, errstr, errstr_size);
        return settle_done(p, PRODUCER_TXN_OK, errstr, errstr_size);
    case SETTLE_ABORT:
        error = rd_kafka_abort_transaction(p->rk, budget_ms);
        if (error) return settle_failed(p, error, "abort_transaction", again, errstr, errstr_size);
        if (p->why[0] == '\0') snprintf(p->why, sizeof(p->why), "aborted on request");
        return settle_done(p, PRODUCER_TXN_ABORTED, errstr, errstr_size);
    }
    return PRODUCER_TXN_FATAL;
}

enum producer_txn_result
producer_settle(struct producer *p, int timeout_ms, char *errstr, size_t errstr_size)
{
    int64_t start = clock_monotonic_ms();
    for (;;) {
        int64_t elapsed = clock_monotonic_ms() - p->settle_started_ms;
        if (p->settle != SETTLE_NONE && elapsed > p->settle_cap_ms) {
            snprintf(p->why, sizeof(p->why),
                     "transaction not settled after %lld ms: outcome unknown", (long long)elapsed);
            return settle_done(p, PRODUCER_TXN_FATAL, errstr, errstr_size);
        }
        if (p->settle != SETTLE_NONE && !p->warned && elapsed > SETTLE_WARN_MS) {
            p->warned = 1;
            log_warn("producer", "TXN_WAITING", "stage=%s elapsed_ms=%lld",
                     p->settle == SETTLE_FLUSH     ? "flush"
                     : p->settle == SETTLE_OFFSETS ? "offsets"
                     : p->settle == SETTLE_COMMIT  ? "commit"
                                                   : "abort",
                     (long long)elapsed);
        }
        int budget = -1;
        if (timeout_ms >= 0) {
            int64_t left = timeout_ms - (clock_monotonic_ms() - start);
            budget = left > 0 ? (int)left : 0;
        }
        int again;
        enum producer_txn_result r = settle_once(p, budget, &again, errstr, errstr_size);
        if (r != PRODUCER_TXN_PENDING) return r;
        if (timeout_ms >= 0 && clock_monotonic_ms() - start >= timeout_ms)
            return PRODUCER_TXN_PENDING;
        if (!again && timeout_ms >= 0) return PRODUCER_TXN_PENDING;
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
