/* daemon/daemon.h - pipewrightd's parts and how they meet (internal to daemon/).
 *
 * One 'struct daemon' owns the loop and every handle on it: the consumer, the transactional
 * producer, the Redis state, the speech pool, the HTTP server and the advisor. It is passed down
 * explicitly; there is no global. A request travels:
 *
 *   consumer (on_message) -> decode (schemas/) -> Redis apply (state/) -> advisor -> speech pool
 *   -> emit report + audio (producer/) -> job done -> batch commit with the input offsets
 *
 * Thread: everything here runs on the loop thread; speech runs in worker processes.
 */
#ifndef PW_DAEMON_DAEMON_H
#define PW_DAEMON_DAEMON_H

#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "batch.h"
#include "config.h"

struct event_base;
struct event;
struct evhttp;
struct advisor;
struct consumer;
struct producer;
struct speech_pool;
struct state;
struct wire;

/* Outcomes counted per request; the names are the metric's label values. */
enum outcome {
    OUTCOME_ANSWERED = 0, /* report (and audio) produced */
    OUTCOME_DUPLICATE,    /* event id seen before: nothing produced */
    OUTCOME_DEAD_LETTER,  /* undecodable or invalid: sent to the DLQ */
    OUTCOME_FAILED,       /* processing failed: sent to the DLQ */
    OUTCOME_COUNT
};

/* The outcome's name: the metric's label value and the request record's status (records.c). */
const char *outcome_name(enum outcome o);

/* The longest one step of a blocking librdkafka call (transaction init, flush, commit, abort)
 * may hold the event loop; the step is resumed on the next turn. */
#define LOOP_STEP_MS 50

/* Latency histogram of one stage, in seconds (Prometheus buckets). */
#define HIST_BUCKETS 12
struct histogram {
    unsigned long counts[HIST_BUCKETS + 1]; /* the last is +Inf */
    double sum;
    unsigned long n;
};

/* What the HTTP API says about a request once its batch has committed. */
struct done_record {
    char *event_id;
    char *project_id;
    char *report_id; /* NULL unless answered */
    char *title;     /* what a person calls the request, short; NULL if unknown */
    enum outcome outcome;
    long version;
    char audio_status[12];
    int64_t consumed_at_ms;
    int64_t answered_at_ms;
};

struct daemon {
    struct config *cfg; /* borrowed from main */
    struct event_base *base;
    struct event *sigterm_ev, *sigint_ev;
    struct event *batch_timer;      /* closes a filling batch after commit_interval_ms */
    struct event *producer_init_ev; /* steps the producer's initialisation */
    long producer_init_started;     /* monotonic seconds */
    struct wire *wire;
    struct advisor *advisor;
    struct consumer *consumer;
    struct producer *producer;
    struct state *state;
    struct speech_pool *speech;
    struct evhttp *http;
    rd_kafka_t *mock_owner;               /* embedded mode: the handle the mock cluster hangs on */
    struct rd_kafka_mock_cluster_s *mock; /* embedded mode: destroyed before 'mock_owner' */
    char *brokers;                        /* effective bootstrap servers */
    char topic_in[256], topic_reports[256], topic_audio[256], topic_dlq[256];
    char txn_id[512]; /* transactional.id, stable per instance */
    unsigned long producer_restarts;
    long producer_restart_window; /* start (s) of the minute counted below */
    int producer_restarts_recent;

    /* batching and backpressure */
    struct batch batch;       /* the open batch and its transaction (batch.h) */
    struct done_record *done; /* requests finished in this batch, recorded after commit */
    int n_done, cap_done;
    int total_jobs;               /* all jobs still running, stale ones included */
    int redis_paused;             /* intake paused because Redis is down */
    int registry_paused;          /* intake paused: the schema registry did not answer */
    struct event *registry_timer; /* ends that pause */
    int rewind_pending;           /* intake paused until the input is back at committed offsets */
    struct event *rewind_timer;   /* retries a failed rewind */
    struct event *settle_timer;   /* steps the commit or abort of a settling batch */
    struct strike *strikes;       /* messages that made batches abort (strikes.c) */
    unsigned strike_next;
    int stopping;
    int exit_code;

    /* metrics */
    unsigned long outcomes[OUTCOME_COUNT];
    unsigned long dlq_by_reason[16];
    unsigned long audio_failed;
    unsigned long audio_cache_hits, audio_cache_misses;
    unsigned long batches;
    struct histogram latency_total; /* consume -> outputs produced */
    struct histogram latency_advisor;
    struct histogram latency_speech;
    struct histogram loop_lag; /* how late the loop ran a timer due every LOOP_PROBE_MS */
    double loop_lag_max;       /* seconds, the worst since start */
    struct event *loop_probe;  /* that timer */
    int64_t loop_probe_due_us; /* when it should fire, monotonic microseconds */
    int64_t started_ms;        /* monotonic */
};

/* daemon.c */
int daemon_start(struct daemon *d, struct config *cfg);
void daemon_stop(struct daemon *d);
int daemon_ready(const struct daemon *d);
void daemon_fatal(struct daemon *d, const char *why);
/* Replaces a producer that failed fatally (e.g. fenced). Returns 0, or -1 after daemon_fatal(). */
int daemon_producer_restart(struct daemon *d, const char *why);

/* pipeline.c (a message's way), txn.c (the batch's transaction, timers and intake) */
void pipeline_on_message(const rd_kafka_message_t *rkm, void *arg);
void pipeline_on_rebalance(int assigned, const rd_kafka_topic_partition_list_t *parts, void *arg);
void pipeline_on_redis_ready(int ready, void *arg);
void pipeline_on_batch_timer(int fd, short what, void *arg);
void pipeline_on_settle_timer(int fd, short what, void *arg);
void pipeline_on_rewind_timer(int fd, short what, void *arg);
void pipeline_on_registry_timer(int fd, short what, void *arg);
/* Ends the current batch at shutdown: commits if nothing is running, aborts otherwise. */
void pipeline_finish(struct daemon *d);
/* Re-evaluates whether intake may run (e.g. once the producer is ready). */
void pipeline_resume(struct daemon *d);
/* Frees what the pipeline holds (batch offsets and records). */
void pipeline_free(struct daemon *d);
/* Used when the shutdown deadline passes with work still running: aborts and stops the loop. */
void pipeline_abort_for_shutdown(struct daemon *d);

/* http.c */
int http_start(struct daemon *d, const char *addr);
/* Puts the limits and every route on 'http' (which 'd' answers for); http_start() uses it on
 * its listening server, the HTTP fuzzer on its own. */
void http_serve(struct daemon *d, struct evhttp *http);
void histogram_observe(struct histogram *h, double seconds);

#endif
