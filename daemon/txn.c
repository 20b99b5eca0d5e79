/* daemon/txn.c - the batch's actions on the loop: the Kafka transaction, its timers, the input
 * rewind and intake (txn.h). The decisions are daemon/batch.c's.
 *
 * Settling is stepped from a timer in bounded slices (producer_settle), so a broker outage
 * mid-commit leaves the loop free to answer /healthz, Redis and signals. After an abort the
 * input goes back to the committed offsets: the replayed messages find their Redis records
 * (same partition and offset) and are answered again, identically.
 *
 * Thread: the loop thread.
 */
#include "txn.h"

#include <event2/event.h>

#include "batch.h"
#include "consumer.h"
#include "daemon.h"
#include "log.h"
#include "producer.h"
#include "records.h"

/* Intake runs unless something says stop: shutdown, a batch draining or settling, Redis or the
 * schema registry down, a pending rewind, or too much work in hand (backpressure: memory stays
 * bounded by max_in_flight requests). */
void
intake_update(struct daemon *d)
{
    int on = !d->stopping && (d->batch.phase == BATCH_IDLE || d->batch.phase == BATCH_FILLING) &&
             !d->redis_paused && !d->registry_paused && !d->rewind_pending &&
             d->total_jobs < d->cfg->max_in_flight && d->producer && producer_ready(d->producer);
    if (d->consumer) consumer_intake(d->consumer, on);
}

static void
try_rewind(struct daemon *d)
{
    char errstr[512];
    if (!d->rewind_pending || d->consumer == NULL) return;
    if (consumer_rewind(d->consumer, errstr, sizeof(errstr)) == 0) {
        d->rewind_pending = 0;
        intake_update(d);
        return;
    }
    /* Until the input is back at the committed offsets nothing may be taken: the messages of
     * the aborted batch would be skipped. Try again shortly (e.g. "not coordinator"). */
    log_error("daemon", "REWIND_FAILED", "reason=\"%s\" retry_ms=500", errstr);
    struct timeval tv = {0, 500000};
    evtimer_add(d->rewind_timer, &tv);
}

/* Seeks the input back to the committed offsets after an abort; intake stays off until it has. */
static void
rewind_input(struct daemon *d)
{
    d->rewind_pending = 1;
    intake_update(d);
    try_rewind(d);
}

void
pipeline_on_rewind_timer(int fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    try_rewind(arg);
}

void
registry_pause(struct daemon *d)
{
    d->registry_paused = 1;
    struct timeval tv = {REGISTRY_RETRY_S, 0};
    evtimer_add(d->registry_timer, &tv);
}

void
pipeline_on_registry_timer(int fd, short what, void *arg)
{
    struct daemon *d = arg;
    (void)fd;
    (void)what;
    d->registry_paused = 0;
    intake_update(d);
}

/* Starts committing the drained batch: its outputs and the input offsets past its messages. */
static void
commit_start(struct daemon *d)
{
    const struct batch_offsets *o = &d->batch.offsets;
    rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new(o->n);
    for (int i = 0; i < o->n; i++)
        rd_kafka_topic_partition_list_add(offsets, d->topic_in, o->partition[i])->offset =
            o->next_offset[i];
    producer_commit_start(d->producer, offsets, consumer_group_metadata(d->consumer));
}

/* The actions that end a batch, in order: the record of a commit, the rewind after an abort. */
static void
perform_outcome(struct daemon *d, unsigned act, const char *why)
{
    if (act & BATCH_DO_RECORD) {
        d->batches++;
        records_write(d);
        log_debug("daemon", "BATCH_COMMIT", "requests=%d", d->batch.ended_requests);
    }
    if (act & BATCH_DO_WARN_ABORTED)
        log_warn("daemon", "TXN_ABORT", "requests=%d reason=\"%s\"", d->batch.ended_requests, why);
    if (act & BATCH_DO_REWIND) rewind_input(d);
    if (act & BATCH_DO_FORGET) records_clear(d);
}

void
txn_perform(struct daemon *d, unsigned act, const char *why)
{
    perform_outcome(d, act, why);
    if (act & BATCH_DO_TIMER_STOP) evtimer_del(d->batch_timer);
    if (act & BATCH_DO_TIMER_START) {
        struct timeval tv = {d->cfg->commit_interval_ms / 1000,
                             (d->cfg->commit_interval_ms % 1000) * 1000};
        evtimer_add(d->batch_timer, &tv);
    }
    if (act & BATCH_DO_COMMIT) commit_start(d);
    if (act & BATCH_DO_ABORT) producer_abort_start(d->producer);
    if (act & BATCH_DO_SETTLE_STOP) evtimer_del(d->settle_timer);
    if ((act & BATCH_DO_ENDED) && d->stopping && d->total_jobs == 0)
        event_base_loopexit(d->base, NULL);
    if (act & BATCH_DO_INTAKE) intake_update(d);
    if (act & BATCH_DO_SETTLE) event_active(d->settle_timer, EV_TIMEOUT, 0);
    if (act & BATCH_DO_SETTLE_LATER) {
        struct timeval tv = {0, 10000}; /* let the loop serve what waited meanwhile */
        evtimer_add(d->settle_timer, &tv);
    }
}

int
txn_open(struct daemon *d)
{
    char errstr[512];
    if (!(batch_on_message(&d->batch) & BATCH_DO_BEGIN)) return 0;
    if (producer_begin(d->producer, errstr, sizeof(errstr)) != 0 &&
        (daemon_producer_restart(d, errstr) != 0 ||
         producer_begin(d->producer, errstr, sizeof(errstr)) != 0)) {
        daemon_fatal(d, errstr);
        return -1;
    }
    txn_perform(d, batch_on_begun(&d->batch), NULL);
    return 0;
}

/* Says that the batch aborts when 'act' aborts it. */
static void
log_abort(const struct daemon *d, unsigned act, const char *why)
{
    if (act & BATCH_DO_ABORT)
        log_warn("daemon", "BATCH_ABORT", "requests=%d reason=\"%s\"", d->batch.ended_requests,
                 why);
}

void
txn_abort(struct daemon *d, const char *why, int rewind)
{
    unsigned act = batch_on_abort(&d->batch, rewind);
    log_abort(d, act, why);
    txn_perform(d, act, why);
}

void
pipeline_on_batch_timer(int fd, short what, void *arg)
{
    struct daemon *d = arg;
    (void)fd;
    (void)what;
    txn_perform(d, batch_on_timer(&d->batch), NULL);
}

static enum batch_settled
settled_of(enum producer_txn_result r)
{
    switch (r) {
    case PRODUCER_TXN_OK:
        return BATCH_SETTLED_COMMITTED;
    case PRODUCER_TXN_ABORTED:
        return BATCH_SETTLED_ABORTED;
    case PRODUCER_TXN_FATAL:
        return BATCH_SETTLED_FATAL;
    case PRODUCER_TXN_PENDING:
        break;
    }
    return BATCH_SETTLED_PENDING;
}

/* One bounded slice of the settling transaction (LOOP_STEP_MS), then back to the loop. */
void
pipeline_on_settle_timer(int fd, short what, void *arg)
{
    struct daemon *d = arg;
    char errstr[512] = "";
    (void)fd;
    (void)what;
    if (d->batch.phase != BATCH_SETTLING || d->producer == NULL) return;
    enum producer_txn_result r = producer_settle(d->producer, LOOP_STEP_MS, errstr, sizeof(errstr));
    unsigned act = batch_on_settled(&d->batch, settled_of(r));
    if (act & BATCH_DO_RESTART) {
        /* The new producer's init_transactions settles what this one left open. */
        if (daemon_producer_restart(d, errstr) != 0) return;
        act = batch_on_restarted(&d->batch);
    }
    txn_perform(d, act, errstr);
}

void
pipeline_on_rebalance(int assigned, const rd_kafka_topic_partition_list_t *parts, void *arg)
{
    struct daemon *d = arg;
    (void)parts;
    if (assigned || d->batch.phase == BATCH_IDLE || d->batch.phase == BATCH_SETTLING) return;
    /* The batch is settled while the partitions move, without holding the loop: the next owner
     * reads the committed offsets with require_stable (KIP-447), so it waits for a commit still
     * in flight, and a commit that lost its generation is refused by the coordinator and
     * aborted. A complete batch commits; anything else, or lost partitions, aborts so the next
     * owner answers the whole batch again. */
    unsigned act = batch_on_revoke(&d->batch,
                                   rd_kafka_assignment_lost(consumer_handle(d->consumer)));
    log_abort(d, act, "partitions revoked mid-batch");
    txn_perform(d, act, NULL);
}

void
pipeline_on_redis_ready(int ready, void *arg)
{
    struct daemon *d = arg;
    d->redis_paused = !ready;
    intake_update(d);
}

void
pipeline_resume(struct daemon *d)
{
    intake_update(d);
}

void
pipeline_finish(struct daemon *d)
{
    d->stopping = 1;
    txn_perform(d, batch_on_stop(&d->batch), NULL);
}

void
pipeline_abort_for_shutdown(struct daemon *d)
{
    /* A transaction still settling is left to producer_free(), which gives its abort a bounded
     * time; an unsettled one is aborted by the broker or fenced by the next instance. */
    txn_abort(d, "shutdown deadline", 0);
    evtimer_del(d->settle_timer);
    event_base_loopexit(d->base, NULL);
}
