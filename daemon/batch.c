/* daemon/batch.c - the batch and its transaction: events in, actions out, no I/O (batch.h). */
#include "batch.h"

#include <stdlib.h>

#include "xalloc.h"

void
batch_init(struct batch *b, int batch_max)
{
    *b = (struct batch){.phase = BATCH_IDLE, .batch_max = batch_max};
}

void
batch_fini(struct batch *b)
{
    free(b->offsets.partition);
    free(b->offsets.next_offset);
    b->offsets = (struct batch_offsets){0};
}

static void
offsets_note(struct batch_offsets *o, int32_t partition, int64_t next)
{
    for (int i = 0; i < o->n; i++) {
        if (o->partition[i] == partition) {
            if (next > o->next_offset[i]) o->next_offset[i] = next;
            return;
        }
    }
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 8;
        o->partition = xrealloc(o->partition, (size_t)o->cap * sizeof(*o->partition));
        o->next_offset = xrealloc(o->next_offset, (size_t)o->cap * sizeof(*o->next_offset));
    }
    o->partition[o->n] = partition;
    o->next_offset[o->n++] = next;
}

/* Forgets the batch: a new epoch begins and older jobs become stale. */
static unsigned
forget(struct batch *b)
{
    b->ended_requests = b->requests;
    b->offsets.n = 0;
    b->requests = 0;
    b->live_jobs = 0;
    b->epoch++;
    return BATCH_DO_FORGET | BATCH_DO_TIMER_STOP;
}

/* The transaction is settled (or gone with its producer): intake may resume. */
static unsigned
idle(struct batch *b)
{
    unsigned act = forget(b);
    b->phase = BATCH_IDLE;
    return act | BATCH_DO_SETTLE_STOP | BATCH_DO_ENDED | BATCH_DO_INTAKE;
}

static unsigned
settle_begin(struct batch *b)
{
    b->phase = BATCH_SETTLING;
    return BATCH_DO_TIMER_STOP | BATCH_DO_INTAKE | BATCH_DO_SETTLE;
}

/* Commits the batch: its outputs and the input offsets past its messages. */
static unsigned
commit(struct batch *b)
{
    b->settle_commit = 1;
    b->settle_rewind = 0;
    return BATCH_DO_COMMIT | settle_begin(b);
}

/* Stops taking messages into this batch; it commits once its jobs are done. */
static unsigned
close_batch(struct batch *b)
{
    if (b->phase != BATCH_FILLING) return 0;
    b->phase = BATCH_DRAINING;
    return BATCH_DO_TIMER_STOP | BATCH_DO_INTAKE | (b->live_jobs == 0 ? commit(b) : 0);
}

unsigned
batch_on_message(struct batch *b)
{
    return b->phase == BATCH_IDLE ? BATCH_DO_BEGIN : 0;
}

unsigned
batch_on_begun(struct batch *b)
{
    if (b->phase != BATCH_IDLE) return 0;
    b->phase = BATCH_FILLING;
    return BATCH_DO_TIMER_START;
}

void
batch_take(struct batch *b, int32_t partition, int64_t offset)
{
    offsets_note(&b->offsets, partition, offset + 1);
    b->requests++;
}

void
batch_job_started(struct batch *b)
{
    b->live_jobs++;
}

unsigned
batch_on_handled(struct batch *b)
{
    return b->requests >= b->batch_max ? close_batch(b) : 0;
}

unsigned
batch_on_timer(struct batch *b)
{
    return close_batch(b);
}

unsigned
batch_on_job_done(struct batch *b)
{
    b->live_jobs--;
    return b->phase == BATCH_DRAINING && b->live_jobs == 0 ? commit(b) : 0;
}

unsigned
batch_on_abort(struct batch *b, int rewind)
{
    if (b->phase == BATCH_IDLE || b->phase == BATCH_SETTLING) return 0;
    unsigned act = forget(b);
    b->settle_commit = 0;
    b->settle_rewind = rewind;
    return act | BATCH_DO_ABORT | settle_begin(b);
}

unsigned
batch_on_revoke(struct batch *b, int lost)
{
    if (b->phase == BATCH_IDLE || b->phase == BATCH_SETTLING) return 0;
    if (b->live_jobs == 0 && !lost) return commit(b);
    return batch_on_abort(b, 0);
}

unsigned
batch_on_stop(struct batch *b)
{
    if (b->phase == BATCH_IDLE) return BATCH_DO_ENDED | BATCH_DO_INTAKE;
    if (b->phase == BATCH_FILLING) return close_batch(b);
    return BATCH_DO_INTAKE;
}

unsigned
batch_on_settled(struct batch *b, enum batch_settled how)
{
    if (b->phase != BATCH_SETTLING) return 0;
    switch (how) {
    case BATCH_SETTLED_PENDING:
        return BATCH_DO_SETTLE_LATER;
    case BATCH_SETTLED_COMMITTED:
        return BATCH_DO_RECORD | idle(b);
    case BATCH_SETTLED_ABORTED: {
        unsigned act = b->settle_commit ? BATCH_DO_WARN_ABORTED : 0;
        if (b->settle_commit || b->settle_rewind) act |= BATCH_DO_REWIND;
        return act | idle(b);
    }
    case BATCH_SETTLED_FATAL:
        /* Nothing of this batch was committed, or its outcome is unknown and the new
         * producer's init_transactions settles it. */
        return BATCH_DO_RESTART;
    }
    return 0;
}

unsigned
batch_on_restarted(struct batch *b)
{
    if (b->phase != BATCH_SETTLING) return 0;
    return BATCH_DO_REWIND | idle(b);
}

int
batch_is_stale(const struct batch *b, unsigned long epoch)
{
    return epoch != b->epoch;
}
