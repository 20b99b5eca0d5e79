/* common/kafka_wake.c - a pipe and a libevent event that librdkafka queues wake (kafka_wake.h). */
#include "kafka_wake.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void
kafka_wake_init(struct kafka_wake *w)
{
    w->pipefd[0] = w->pipefd[1] = -1;
    w->ev = NULL;
}

int
kafka_wake_open(struct kafka_wake *w, struct event_base *base, event_callback_fn cb, void *arg,
                char *errstr, size_t errstr_size)
{
    if (pipe2(w->pipefd, O_NONBLOCK | O_CLOEXEC) != 0) {
        snprintf(errstr, errstr_size, "pipe: %s", strerror(errno));
        return -1;
    }
    w->ev = event_new(base, w->pipefd[0], EV_READ | EV_PERSIST, cb, arg);
    event_add(w->ev, NULL);
    return 0;
}

void
kafka_wake_watch(struct kafka_wake *w, rd_kafka_queue_t *q)
{
    rd_kafka_queue_io_event_enable(q, w->pipefd[1], "1", 1);
}

void
kafka_wake_unwatch(rd_kafka_queue_t *q)
{
    if (q == NULL) return;
    rd_kafka_queue_io_event_enable(q, -1, NULL, 0);
    rd_kafka_queue_destroy(q);
}

void
kafka_wake_drain(int fd)
{
    char drain[64];
    while (read(fd, drain, sizeof(drain)) > 0) {
    }
}

void
kafka_wake_stop(struct kafka_wake *w)
{
    if (w->ev) event_free(w->ev);
    w->ev = NULL;
}

void
kafka_wake_close(struct kafka_wake *w)
{
    if (w->pipefd[0] >= 0) close(w->pipefd[0]);
    if (w->pipefd[1] >= 0) close(w->pipefd[1]);
    w->pipefd[0] = w->pipefd[1] = -1;
}
