/* producer/producer.h - the daemon's output: transactional produce on the loop.
 *
 * One transactional producer per daemon. Outputs of a batch of requests (reports, audio chunks,
 * dead letters) and the input offsets they answer are committed in one Kafka transaction, so a
 * consumer reading with isolation.level=read_committed sees each answer exactly once, together
 * with the input offset moving past its request.
 *
 * Error triage follows librdkafka's transactional API: a retriable error repeats the same call;
 * one that requires an abort aborts the transaction (the caller rewinds its input); a fatal one
 * (e.g. fenced by a newer instance) is returned as fatal and the producer must be re-created.
 *
 * Ending a transaction takes round trips to the transaction coordinator, and while the broker is
 * unreachable it takes as long as the outage. So commit and abort are *started* and then
 * *settled* in steps that each block for a bounded time: the loop keeps serving HTTP, Redis and
 * signals in between. The steps use librdkafka's resumable calls (commit and abort resume after
 * a timeout); offsets are sent only after the batch's messages are delivered, when the
 * coordinator has just answered, and a retry resends the very same offsets, as documented.
 *
 * Thread: the loop thread.
 */
#ifndef PW_PRODUCER_PRODUCER_H
#define PW_PRODUCER_PRODUCER_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

struct event_base;

enum producer_txn_result {
    PRODUCER_TXN_OK = 0,
    PRODUCER_TXN_ABORTED, /* the transaction was aborted: rewind the input and redo the batch */
    PRODUCER_TXN_FATAL,   /* the producer is unusable: re-create it */
    PRODUCER_TXN_PENDING, /* not settled yet: step again */
};

struct producer_stats {
    unsigned long produced;        /* messages handed to librdkafka */
    unsigned long delivery_errors; /* delivery reports with an error */
    unsigned long commits;
    unsigned long aborts;
};

struct producer;

/* Creates the producer from 'conf' (taken, even on failure; it must carry bootstrap.servers and
 * transactional.id). Transactions are not usable until producer_init_step() says so. Returns
 * NULL with 'errstr' on failure. */
struct producer *producer_new(struct event_base *base, rd_kafka_conf_t *conf, char *errstr,
                              size_t errstr_size);
void producer_free(struct producer *p);

enum producer_init {
    PRODUCER_INIT_DONE = 0, /* transactions are ready */
    PRODUCER_INIT_PENDING,  /* not yet (the cluster is not reachable yet): call again */
    PRODUCER_INIT_FAILED,   /* refused for good: 'errstr' says why */
};

/* Takes one step of init_transactions, which fences any older instance with the same
 * transactional.id and aborts what it left open. Blocks at most 'timeout_ms', so the loop can
 * serve signals and HTTP between steps. 'errstr' carries the latest error the client saw
 * (e.g. an authentication failure), also while pending. */
enum producer_init producer_init_step(struct producer *p, int timeout_ms, char *errstr,
                                      size_t errstr_size);
int producer_ready(const struct producer *p);

/* Begins a transaction if none is open. Returns 0 or -1 (fatal: re-create). */
int producer_begin(struct producer *p, char *errstr, size_t errstr_size);
/* 1 while a transaction is open. */
int producer_in_txn(const struct producer *p);

/* Produces one message in the open transaction (copies key, value; takes 'hdrs' even on
 * failure). Returns 0, or -1 when librdkafka refuses it (then the transaction must abort). */
int producer_send(struct producer *p, const char *topic, const void *key, size_t key_len,
                  const void *value, size_t value_len, rd_kafka_headers_t *hdrs, char *errstr,
                  size_t errstr_size);

/* Starts committing the open transaction: the messages are delivered, then 'offsets' (next
 * offsets to consume; NULL or empty when the batch consumed nothing) are sent with the
 * consumer's group metadata, then the transaction is committed. Takes 'offsets' and 'cgmd'.
 * producer_settle() does the work. */
void producer_commit_start(struct producer *p, rd_kafka_topic_partition_list_t *offsets,
                           rd_kafka_consumer_group_metadata_t *cgmd);
/* Starts aborting the open transaction; not while a commit is settling (a commit turns into an
 * abort only if its own outcome says so). Nothing to do when no transaction is open. */
void producer_abort_start(struct producer *p);
/* 1 while a started commit or abort is not settled. */
int producer_settling(const struct producer *p);

/* Takes steps of the started commit or abort for at most 'timeout_ms' (-1: until settled).
 * Returns OK (committed), ABORTED (rolled back: rewind the input and redo the batch), FATAL
 * (re-create the producer) or PENDING. A commit that fails aborts by itself; an outcome still
 * unknown after twice the transaction timeout is reported as FATAL, so that a new producer's
 * init_transactions settles it. 'errstr' says why for ABORTED and FATAL. */
enum producer_txn_result producer_settle(struct producer *p, int timeout_ms, char *errstr,
                                         size_t errstr_size);

const struct producer_stats *producer_stats(const struct producer *p);
rd_kafka_t *producer_handle(struct producer *p);

#endif
