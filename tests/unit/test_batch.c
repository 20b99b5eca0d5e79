/* tests/unit/test_batch.c - the batch and transaction state machine (daemon/batch.c), every
 * phase and every error path, without Kafka: events in, the state and the actions checked.
 */
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "check.h"

/* The actions that end a batch and make it idle. */
#define IDLE_ACTS                                                                                  \
    (BATCH_DO_FORGET | BATCH_DO_TIMER_STOP | BATCH_DO_SETTLE_STOP | BATCH_DO_ENDED |               \
     BATCH_DO_INTAKE)
#define COMMIT_ACTS (BATCH_DO_COMMIT | BATCH_DO_TIMER_STOP | BATCH_DO_INTAKE | BATCH_DO_SETTLE)
#define ABORT_ACTS                                                                                 \
    (BATCH_DO_FORGET | BATCH_DO_TIMER_STOP | BATCH_DO_ABORT | BATCH_DO_INTAKE | BATCH_DO_SETTLE)

/* A batch opened by a first message: FILLING. */
static void
open_batch(struct batch *b, int batch_max)
{
    batch_init(b, batch_max);
    CHECK(batch_on_message(b) == BATCH_DO_BEGIN);
    CHECK(b->phase == BATCH_IDLE); /* until the transaction is begun */
    CHECK(batch_on_begun(b) == BATCH_DO_TIMER_START);
    CHECK(b->phase == BATCH_FILLING);
}

/* One message taken into the batch, with a job started for it when 'job'. */
static unsigned
message(struct batch *b, int32_t partition, int64_t offset, int job)
{
    CHECK(batch_on_message(b) == 0); /* the transaction is open already */
    batch_take(b, partition, offset);
    if (job) batch_job_started(b);
    return batch_on_handled(b);
}

static void
test_open(void)
{
    struct batch b;
    open_batch(&b, 10);
    CHECK(batch_on_begun(&b) == 0); /* begun once */
    CHECK(b.requests == 0 && b.live_jobs == 0 && b.epoch == 0);
    batch_fini(&b);
}

static void
test_offsets(void)
{
    struct batch b;
    open_batch(&b, 1000);
    CHECK(message(&b, 0, 5, 0) == 0);
    CHECK(message(&b, 1, 3, 0) == 0);
    CHECK(message(&b, 0, 7, 0) == 0);
    CHECK(message(&b, 0, 6, 0) == 0); /* an older offset never moves the commit back */
    CHECK(b.requests == 4);
    CHECK(b.offsets.n == 2);
    CHECK(b.offsets.partition[0] == 0 && b.offsets.next_offset[0] == 8);
    CHECK(b.offsets.partition[1] == 1 && b.offsets.next_offset[1] == 4);
    for (int p = 2; p < 40; p++) message(&b, p, 100 + p, 0); /* the table grows */
    CHECK(b.offsets.n == 40);
    CHECK(b.offsets.partition[39] == 39 && b.offsets.next_offset[39] == 140);
    batch_fini(&b);
    CHECK(b.offsets.partition == NULL && b.offsets.n == 0);
}

static void
test_full_without_jobs_commits(void)
{
    struct batch b;
    open_batch(&b, 2);
    CHECK(message(&b, 0, 0, 0) == 0);
    CHECK(message(&b, 0, 1, 0) == COMMIT_ACTS); /* full, and nothing running: commit at once */
    CHECK(b.phase == BATCH_SETTLING);
    CHECK(b.settle_commit == 1 && b.settle_rewind == 0);
    CHECK(b.offsets.n == 1 && b.offsets.next_offset[0] == 2);
    batch_fini(&b);
}

static void
test_full_drains_then_commits(void)
{
    struct batch b;
    open_batch(&b, 2);
    CHECK(message(&b, 0, 0, 1) == 0);
    CHECK(message(&b, 0, 1, 1) == (BATCH_DO_TIMER_STOP | BATCH_DO_INTAKE));
    CHECK(b.phase == BATCH_DRAINING);
    CHECK(b.live_jobs == 2);
    CHECK(batch_on_timer(&b) == 0); /* closed already */
    CHECK(batch_on_job_done(&b) == 0);
    CHECK(b.phase == BATCH_DRAINING);
    CHECK(batch_on_job_done(&b) == COMMIT_ACTS);
    CHECK(b.phase == BATCH_SETTLING && b.settle_commit == 1);
    batch_fini(&b);
}

static void
test_job_done_while_filling(void)
{
    struct batch b;
    open_batch(&b, 5);
    message(&b, 0, 0, 1);
    CHECK(batch_on_job_done(&b) == 0); /* the batch stays open for more messages */
    CHECK(b.phase == BATCH_FILLING && b.live_jobs == 0);
    batch_fini(&b);
}

static void
test_timer(void)
{
    struct batch b;
    batch_init(&b, 5);
    CHECK(batch_on_timer(&b) == 0); /* idle: nothing to close */
    batch_fini(&b);

    open_batch(&b, 5);
    message(&b, 0, 0, 1);
    CHECK(batch_on_timer(&b) == (BATCH_DO_TIMER_STOP | BATCH_DO_INTAKE));
    CHECK(b.phase == BATCH_DRAINING);
    CHECK(batch_on_job_done(&b) == COMMIT_ACTS);
    CHECK(batch_on_timer(&b) == 0); /* settling */
    batch_fini(&b);

    open_batch(&b, 5); /* a batch whose messages were all dead-lettered commits at once */
    message(&b, 0, 0, 0);
    CHECK(batch_on_timer(&b) == (BATCH_DO_TIMER_STOP | COMMIT_ACTS));
    batch_fini(&b);
}

static void
test_commit_ok(void)
{
    struct batch b;
    open_batch(&b, 3);
    message(&b, 0, 0, 0);
    message(&b, 1, 9, 0);
    CHECK(message(&b, 0, 1, 0) == COMMIT_ACTS);
    CHECK(batch_on_settled(&b, BATCH_SETTLED_PENDING) == BATCH_DO_SETTLE_LATER);
    CHECK(b.phase == BATCH_SETTLING);
    CHECK(batch_on_settled(&b, BATCH_SETTLED_COMMITTED) == (BATCH_DO_RECORD | IDLE_ACTS));
    CHECK(b.phase == BATCH_IDLE);
    CHECK(b.epoch == 1);
    CHECK(b.ended_requests == 3 && b.requests == 0 && b.offsets.n == 0);
    CHECK(batch_on_settled(&b, BATCH_SETTLED_COMMITTED) == 0); /* nothing settling any more */
    /* the next message opens the next batch */
    CHECK(batch_on_message(&b) == BATCH_DO_BEGIN);
    batch_fini(&b);
}

static void
test_commit_aborted(void)
{
    struct batch b;
    open_batch(&b, 1);
    CHECK(message(&b, 0, 4, 0) == COMMIT_ACTS);
    /* the commit failed (an abortable error): say so, and redo the batch from the input */
    CHECK(batch_on_settled(&b, BATCH_SETTLED_ABORTED) ==
          (BATCH_DO_WARN_ABORTED | BATCH_DO_REWIND | IDLE_ACTS));
    CHECK(b.phase == BATCH_IDLE && b.epoch == 1 && b.ended_requests == 1);
    batch_fini(&b);
}

static void
test_abort_rewinds(void)
{
    struct batch b;
    open_batch(&b, 5);
    message(&b, 0, 0, 1);
    message(&b, 0, 1, 1);
    unsigned long epoch = b.epoch;
    CHECK(!batch_is_stale(&b, epoch));
    CHECK(batch_on_abort(&b, 1) == ABORT_ACTS);
    CHECK(b.phase == BATCH_SETTLING);
    CHECK(b.settle_commit == 0 && b.settle_rewind == 1);
    CHECK(b.ended_requests == 2 && b.requests == 0 && b.live_jobs == 0 && b.offsets.n == 0);
    CHECK(batch_is_stale(&b, epoch)); /* the batch's jobs are stale at once */
    CHECK(!batch_is_stale(&b, b.epoch));
    CHECK(batch_on_abort(&b, 1) == 0); /* aborting already */
    CHECK(batch_on_settled(&b, BATCH_SETTLED_PENDING) == BATCH_DO_SETTLE_LATER);
    CHECK(batch_on_settled(&b, BATCH_SETTLED_ABORTED) == (BATCH_DO_REWIND | IDLE_ACTS));
    CHECK(b.phase == BATCH_IDLE);
    CHECK(b.epoch == epoch + 2); /* once at the abort, once when it settled */
    batch_fini(&b);
}

static void
test_abort_draining_without_rewind(void)
{
    struct batch b;
    open_batch(&b, 1);
    CHECK(message(&b, 0, 0, 1) == (BATCH_DO_TIMER_STOP | BATCH_DO_INTAKE));
    CHECK(b.phase == BATCH_DRAINING);
    CHECK(batch_on_abort(&b, 0) == ABORT_ACTS);
    CHECK(batch_on_settled(&b, BATCH_SETTLED_ABORTED) == IDLE_ACTS); /* no rewind asked */
    batch_fini(&b);
}

static void
test_abort_when_idle_or_settling(void)
{
    struct batch b;
    batch_init(&b, 5);
    CHECK(batch_on_abort(&b, 1) == 0);
    CHECK(b.phase == BATCH_IDLE && b.epoch == 0);
    batch_fini(&b);

    open_batch(&b, 1);
    CHECK(message(&b, 0, 0, 0) == COMMIT_ACTS);
    CHECK(batch_on_abort(&b, 1) == 0); /* a commit in flight turns into an abort only by itself */
    CHECK(b.settle_commit == 1 && b.phase == BATCH_SETTLING);
    batch_fini(&b);
}

static void
test_fenced(void)
{
    struct batch b;
    open_batch(&b, 1);
    CHECK(message(&b, 0, 0, 0) == COMMIT_ACTS);
    CHECK(batch_on_settled(&b, BATCH_SETTLED_FATAL) == BATCH_DO_RESTART);
    CHECK(b.phase == BATCH_SETTLING); /* until the producer is re-created */
    CHECK(b.epoch == 0);
    CHECK(batch_on_restarted(&b) == (BATCH_DO_REWIND | IDLE_ACTS));
    CHECK(b.phase == BATCH_IDLE && b.epoch == 1);
    CHECK(batch_on_restarted(&b) == 0);
    batch_fini(&b);

    open_batch(&b, 5); /* fatal while aborting: the same */
    message(&b, 0, 0, 1);
    CHECK(batch_on_abort(&b, 1) == ABORT_ACTS);
    CHECK(batch_on_settled(&b, BATCH_SETTLED_FATAL) == BATCH_DO_RESTART);
    CHECK(batch_on_restarted(&b) == (BATCH_DO_REWIND | IDLE_ACTS));
    batch_fini(&b);
}

static void
test_revoke(void)
{
    struct batch b;
    batch_init(&b, 5);
    CHECK(batch_on_revoke(&b, 0) == 0); /* idle: nothing to settle */
    batch_fini(&b);

    open_batch(&b, 5); /* complete: commits, even while filling */
    message(&b, 0, 0, 0);
    CHECK(batch_on_revoke(&b, 0) == COMMIT_ACTS);
    CHECK(batch_on_revoke(&b, 0) == 0); /* settling */
    batch_fini(&b);

    open_batch(&b, 5); /* lost partitions: abort, the next owner answers the batch */
    message(&b, 0, 0, 0);
    CHECK(batch_on_revoke(&b, 1) == ABORT_ACTS);
    CHECK(b.settle_rewind == 0);
    batch_fini(&b);

    open_batch(&b, 5); /* a job still running: abort */
    message(&b, 0, 0, 1);
    CHECK(batch_on_revoke(&b, 0) == ABORT_ACTS);
    CHECK(b.settle_rewind == 0 && b.settle_commit == 0);
    batch_fini(&b);
}

static void
test_stop(void)
{
    struct batch b;
    batch_init(&b, 5);
    CHECK(batch_on_stop(&b) == (BATCH_DO_ENDED | BATCH_DO_INTAKE));
    batch_fini(&b);

    open_batch(&b, 5); /* filling: closes, and commits once drained */
    message(&b, 0, 0, 1);
    CHECK(batch_on_stop(&b) == (BATCH_DO_TIMER_STOP | BATCH_DO_INTAKE));
    CHECK(b.phase == BATCH_DRAINING);
    CHECK(batch_on_stop(&b) == BATCH_DO_INTAKE); /* draining: nothing more */
    CHECK(batch_on_job_done(&b) == COMMIT_ACTS);
    CHECK(batch_on_stop(&b) == BATCH_DO_INTAKE); /* settling: nothing more */
    batch_fini(&b);

    open_batch(&b, 5);
    message(&b, 0, 0, 0);
    CHECK(batch_on_stop(&b) == (BATCH_DO_TIMER_STOP | COMMIT_ACTS));
    batch_fini(&b);
}

static void
test_message_while_closed(void)
{
    struct batch b;
    open_batch(&b, 1);
    message(&b, 0, 0, 1);             /* draining */
    CHECK(batch_on_message(&b) == 0); /* no second transaction */
    batch_take(&b, 0, 1);             /* taken still moves the commit past it */
    CHECK(batch_on_handled(&b) == 0); /* not filling: nothing to close */
    CHECK(b.offsets.next_offset[0] == 2);
    batch_fini(&b);
}

/* The order the caller performs actions in: a commit's records are written before the batch is
 * forgotten, the rewind starts before intake is re-evaluated, and a settling step is taken last. */
static void
test_action_order(void)
{
    CHECK(BATCH_DO_RECORD < BATCH_DO_FORGET);
    CHECK(BATCH_DO_WARN_ABORTED < BATCH_DO_REWIND);
    CHECK(BATCH_DO_REWIND < BATCH_DO_INTAKE);
    CHECK(BATCH_DO_COMMIT < BATCH_DO_INTAKE && BATCH_DO_ABORT < BATCH_DO_INTAKE);
    CHECK(BATCH_DO_INTAKE < BATCH_DO_SETTLE && BATCH_DO_SETTLE < BATCH_DO_SETTLE_LATER);
}

/* Many batches in a row: the epoch only grows and nothing leaks (ASan). */
static void
test_many_batches(void)
{
    struct batch b;
    batch_init(&b, 3);
    for (int i = 0; i < 100; i++) {
        CHECK(batch_on_message(&b) == BATCH_DO_BEGIN);
        batch_on_begun(&b);
        message(&b, i % 4, i, 1);
        if (i % 3 == 0) {
            CHECK(batch_on_abort(&b, 1) == ABORT_ACTS);
            CHECK(batch_on_settled(&b, BATCH_SETTLED_ABORTED) == (BATCH_DO_REWIND | IDLE_ACTS));
        } else {
            batch_on_timer(&b);
            CHECK(batch_on_job_done(&b) == COMMIT_ACTS);
            CHECK(batch_on_settled(&b, BATCH_SETTLED_COMMITTED) == (BATCH_DO_RECORD | IDLE_ACTS));
        }
    }
    CHECK(b.phase == BATCH_IDLE);
    CHECK(b.epoch == 100 + 34); /* one per batch, and one more per abort */
    batch_fini(&b);
}

static const struct check_case cases[] = {
    {"open", test_open},
    {"offsets", test_offsets},
    {"full_without_jobs_commits", test_full_without_jobs_commits},
    {"full_drains_then_commits", test_full_drains_then_commits},
    {"job_done_while_filling", test_job_done_while_filling},
    {"timer", test_timer},
    {"commit_ok", test_commit_ok},
    {"commit_aborted", test_commit_aborted},
    {"abort_rewinds", test_abort_rewinds},
    {"abort_draining_without_rewind", test_abort_draining_without_rewind},
    {"abort_when_idle_or_settling", test_abort_when_idle_or_settling},
    {"fenced", test_fenced},
    {"revoke", test_revoke},
    {"stop", test_stop},
    {"message_while_closed", test_message_while_closed},
    {"action_order", test_action_order},
    {"many_batches", test_many_batches},
};

CHECK_MAIN(cases)
