/* consumer/consumer.h - the daemon's intake: a consumer-group member on the loop.
 *
 * librdkafka wakes the libevent loop through a non-blocking pipe when the consumer queue has
 * something (rd_kafka_queue_io_event_enable). On each wake-up the consumer polls with timeout 0
 * and hands each message to the callback, until the queue is empty, a turn's cap is reached
 * (then it re-arms itself so the loop stays fair), or intake is switched off.
 *
 * Intake off means *not polling*: librdkafka keeps its bounded prefetch and nothing more is
 * taken, which is how the daemon applies backpressure and drains a batch before committing.
 * Offsets are never committed by the consumer (enable.auto.commit=false): the producer commits
 * them inside its transaction. The group uses the eager protocol (docs/architecture.md says why).
 *
 * Thread: the loop thread.
 */
#ifndef PW_CONSUMER_CONSUMER_H
#define PW_CONSUMER_CONSUMER_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

struct event_base;

/* A message for the daemon. 'rkm' is borrowed: the consumer destroys it when the call returns. */
typedef void consumer_msg_cb(const rd_kafka_message_t *rkm, void *arg);
/* The group gave ('assigned' = 1) or took away (0) 'parts'. On a revoke the callee must finish
 * or abort the work of those partitions before returning: their offsets move to another member. */
typedef void consumer_rebalance_cb(int assigned, const rd_kafka_topic_partition_list_t *parts,
                                   void *arg);

struct consumer;

/* Creates the group member from 'conf' (taken, even on failure; must carry bootstrap.servers
 * and group.id) and subscribes to 'topic'. Returns NULL with 'errstr' on failure. */
struct consumer *consumer_new(struct event_base *base, rd_kafka_conf_t *conf, const char *topic,
                              consumer_msg_cb *on_msg, consumer_rebalance_cb *on_rebalance,
                              void *arg, char *errstr, size_t errstr_size);
/* Leaves the group and frees. */
void consumer_free(struct consumer *c);

/* Switches intake on or off (see the top of this file). */
void consumer_intake(struct consumer *c, int on);
/* 1 while the member holds an assignment (possibly empty) from a completed join. */
int consumer_joined(const struct consumer *c);

/* 1 unless the brokers have not answered this member for several seconds, as of librdkafka's
 * statistics (needs statistics.interval.ms of about a second). */
int consumer_cluster_reachable(const struct consumer *c);

/* Seeks every assigned partition back to its committed offset (after an aborted transaction).
 * Returns 0 or -1 with 'errstr'. */
int consumer_rewind(struct consumer *c, char *errstr, size_t errstr_size);

/* The group metadata for send_offsets_to_transaction (caller destroys it). */
rd_kafka_consumer_group_metadata_t *consumer_group_metadata(struct consumer *c);

/* Lag per assigned partition from librdkafka's statistics (needs statistics.interval.ms > 0):
 * calls 'fn' once per partition with its lag in messages (high watermark minus the position
 * this member has reached), as of the latest statistics. */
void consumer_lag_foreach(const struct consumer *c,
                          void (*fn)(int32_t partition, int64_t lag, void *arg), void *arg);
rd_kafka_t *consumer_handle(struct consumer *c);

#endif
