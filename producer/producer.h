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
 * Thread: the loop thread. commit and abort block the loop for at most the transaction timeout;
 * the batches keep that rare (one commit per batch).
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

/* Sends 'offsets' (next offsets to consume) with the consumer's group metadata and commits.
 * 'offsets' may be NULL when the batch consumed nothing. Aborts by itself when needed. */
enum producer_txn_result producer_commit(struct producer *p,
                                         const rd_kafka_topic_partition_list_t *offsets,
                                         const rd_kafka_consumer_group_metadata_t *cgmd,
                                         char *errstr, size_t errstr_size);
/* Aborts the open transaction, if any. */
enum producer_txn_result producer_abort(struct producer *p, char *errstr, size_t errstr_size);

const struct producer_stats *producer_stats(const struct producer *p);
rd_kafka_t *producer_handle(struct producer *p);

#endif
