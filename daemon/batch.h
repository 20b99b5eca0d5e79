/* daemon/batch.h - the batch and its Kafka transaction as a state machine without I/O.
 *
 * A *batch* is the set of messages consumed while one Kafka transaction is open:
 *
 *   IDLE --message--> (begin the transaction) --begun--> FILLING
 *   FILLING --batch_max messages handled, or the commit_interval timer--> DRAINING
 *   DRAINING --no live job left--> SETTLING (commit: outputs + input offsets)
 *   FILLING or DRAINING --abort (Redis lost, a refused produce...)--> SETTLING (abort)
 *   FILLING or DRAINING --partitions revoked--> SETTLING (commit if complete, else abort)
 *   SETTLING --committed / aborted / producer re-created--> IDLE
 *
 * Each batch_on_*() takes one event, changes the state and returns the actions the caller
 * performs (a set of BATCH_DO_* bits), in the order the bits are declared below. Nothing here
 * touches a handle, a timer or a clock, so every path is testable on its own
 * (tests/unit/test_batch.c); daemon/pipeline.c performs the actions.
 *
 * Every batch has an *epoch*; it changes when the batch ends (committed or aborted). A job
 * started in an older epoch is stale: its results belong to nobody.
 *
 * Thread: one caller at a time (the loop thread).
 */
#ifndef PW_DAEMON_BATCH_H
#define PW_DAEMON_BATCH_H

#include <stdint.h>

enum batch_phase {
    BATCH_IDLE = 0, /* no transaction open, nothing consumed */
    BATCH_FILLING,  /* transaction open, intake on */
    BATCH_DRAINING, /* intake off until this batch's requests are done, then commit */
    BATCH_SETTLING, /* intake off while the transaction commits or aborts, step by step */
};

/* Offsets consumed in the current batch: the next offset of each input partition. */
struct batch_offsets {
    int32_t *partition;
    int64_t *next_offset;
    int n, cap;
};

struct batch {
    enum batch_phase phase;
    unsigned long epoch; /* changes when a batch ends; older jobs are stale */
    struct batch_offsets offsets;
    int requests;       /* messages taken in this batch */
    int ended_requests; /* messages of the batch that ended last (for the logs) */
    int live_jobs;      /* jobs of this epoch still running */
    int batch_max;      /* messages that close a filling batch */
    int settle_commit;  /* the settling transaction commits (1) or aborts (0) */
    int settle_rewind;  /* an abort rewinds the input once settled */
};

/* Actions, performed by the caller in this order. */
enum {
    BATCH_DO_BEGIN = 1 << 0,         /* begin a transaction, then batch_on_begun() (or stop) */
    BATCH_DO_RESTART = 1 << 1,       /* re-create the producer, then batch_on_restarted() */
    BATCH_DO_RECORD = 1 << 2,        /* the batch committed: count it, write its done records */
    BATCH_DO_WARN_ABORTED = 1 << 3,  /* a commit turned into an abort: say so */
    BATCH_DO_REWIND = 1 << 4,        /* seek the input back to the committed offsets */
    BATCH_DO_FORGET = 1 << 5,        /* drop the done records of the batch that ended */
    BATCH_DO_TIMER_STOP = 1 << 6,    /* cancel the commit_interval timer */
    BATCH_DO_TIMER_START = 1 << 7,   /* start the commit_interval timer */
    BATCH_DO_COMMIT = 1 << 8,        /* start committing: outputs + batch.offsets */
    BATCH_DO_ABORT = 1 << 9,         /* start aborting the open transaction */
    BATCH_DO_SETTLE_STOP = 1 << 10,  /* cancel the settling steps */
    BATCH_DO_ENDED = 1 << 11,        /* now idle: a stopping daemon with no job left may exit */
    BATCH_DO_INTAKE = 1 << 12,       /* re-evaluate whether intake may run */
    BATCH_DO_SETTLE = 1 << 13,       /* take a settling step now */
    BATCH_DO_SETTLE_LATER = 1 << 14, /* take the next settling step shortly */
};

/* How one settling step ended (producer_settle's result, without its type). */
enum batch_settled {
    BATCH_SETTLED_COMMITTED = 0, /* outputs and offsets are committed */
    BATCH_SETTLED_ABORTED,       /* rolled back (the commit failed, or the abort asked for) */
    BATCH_SETTLED_FATAL,         /* the producer is unusable (fenced, outcome unknown) */
    BATCH_SETTLED_PENDING,       /* not settled yet: step again */
};

void batch_init(struct batch *b, int batch_max);
void batch_fini(struct batch *b);

/* A message arrived: BEGIN when no transaction is open. */
unsigned batch_on_message(struct batch *b);
/* The transaction was begun: FILLING. */
unsigned batch_on_begun(struct batch *b);
/* The message at 'partition'/'offset' belongs to the batch; its commit moves past it. */
void batch_take(struct batch *b, int32_t partition, int64_t offset);
/* A job for the last message taken started; it belongs to the current epoch. */
void batch_job_started(struct batch *b);
/* The last message taken is handled (a job started, dead-lettered or skipped): a full batch
 * closes (the batch-full event). */
unsigned batch_on_handled(struct batch *b);
/* The commit_interval timer fired: the filling batch closes. */
unsigned batch_on_timer(struct batch *b);
/* A job of the current epoch finished: a drained batch commits. */
unsigned batch_on_job_done(struct batch *b);
/* Something made the batch untrustworthy: abort it; 'rewind' seeks the input back once the
 * abort is settled. Nothing when idle or already settling. */
unsigned batch_on_abort(struct batch *b, int rewind);
/* The partitions are revoked; 'lost' when they were taken without a clean revoke. A complete
 * batch commits, any other aborts without rewinding (the next owner reads the committed
 * offsets). */
unsigned batch_on_revoke(struct batch *b, int lost);
/* The daemon is stopping: a filling batch closes (and commits once drained). */
unsigned batch_on_stop(struct batch *b);
/* A settling step ended with 'how'. */
unsigned batch_on_settled(struct batch *b, enum batch_settled how);
/* The producer was re-created after a fatal settle: the input goes back, the batch ends. */
unsigned batch_on_restarted(struct batch *b);
/* 1 when a job of 'epoch' belongs to a batch that ended. */
int batch_is_stale(const struct batch *b, unsigned long epoch);

#endif
