/* common/kafka_wake.h - librdkafka queues that wake a libevent loop.
 *
 * librdkafka writes one byte to a non-blocking pipe when a queue it was told about goes from
 * empty to non-empty (rd_kafka_queue_io_event_enable); the loop watches the pipe's read end and
 * polls the queue. The consumer and the producer both wait this way.
 *
 * Thread: the loop thread; librdkafka's threads only write to the pipe.
 */
#ifndef PW_COMMON_KAFKA_WAKE_H
#define PW_COMMON_KAFKA_WAKE_H

#include <stddef.h>

#include <event2/event.h>
#include <librdkafka/rdkafka.h>

struct kafka_wake {
    int pipefd[2];    /* -1 until opened */
    struct event *ev; /* the pipe is readable: calls the callback given to kafka_wake_open() */
};

/* Nothing open yet: kafka_wake_stop() and kafka_wake_close() are then no-ops. */
void kafka_wake_init(struct kafka_wake *w);
/* Creates the pipe and a persistent read event on 'base' calling 'cb'(fd, what, 'arg').
 * Returns 0, or -1 with 'errstr'. */
int kafka_wake_open(struct kafka_wake *w, struct event_base *base, event_callback_fn cb, void *arg,
                    char *errstr, size_t errstr_size);
/* librdkafka writes to the pipe when 'q' has events. */
void kafka_wake_watch(struct kafka_wake *w, rd_kafka_queue_t *q);
/* Stops librdkafka writing for 'q' and releases 'q' (NULL: nothing). */
void kafka_wake_unwatch(rd_kafka_queue_t *q);
/* Empties the pipe (in the callback, before polling). */
void kafka_wake_drain(int fd);
/* Frees the event: before the rd_kafka_t is destroyed. */
void kafka_wake_stop(struct kafka_wake *w);
/* Closes the pipe: after the rd_kafka_t is destroyed (its threads may write until then). */
void kafka_wake_close(struct kafka_wake *w);

#endif
