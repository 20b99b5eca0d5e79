/* daemon/pipeline.c - one request through the daemon, and batches of requests per transaction.
 *
 * A *job* is one accepted requirement event on its way: Redis apply -> advisor -> speech ->
 * emit. A *batch* is the set of messages consumed while one Kafka transaction is open:
 *
 *   IDLE --first message--> FILLING --batch_max or commit_interval--> DRAINING
 *   DRAINING --no live job left--> SETTLING (commit: outputs + input offsets) --> IDLE
 *   FILLING or DRAINING --something went wrong--> SETTLING (abort) --> IDLE
 *
 * While draining and settling, intake is off, so the offsets sent with the commit are exactly
 * those of messages whose answers are in the transaction. Settling is stepped from a timer in
 * bounded slices (producer_settle), so a broker outage mid-commit leaves the loop free to answer
 * /healthz, Redis and signals. Anything that makes the batch untrustworthy (Redis lost
 * mid-batch, a refused produce, an abortable commit error) aborts the transaction, rewinds the
 * input to the committed offsets and bumps the epoch: jobs of an older epoch are
 * *stale*, and when their callbacks come back they are freed without producing anything. The
 * replayed messages find their Redis records (same partition and offset) and are answered again,
 * identically; a redelivered event id at another offset is a duplicate and answered never.
 *
 * Thread: the loop thread.
 */
#include "daemon.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "advisor.h"
#include "buf.h"
#include "clock.h"
#include "consumer.h"
#include "emit.h"
#include "intake.h"
#include "jsonw.h"
#include "log.h"
#include "producer.h"
#include "records.h"
#include "speech.h"
#include "state.h"
#include "store.h"
#include "wire.h"
#include "xalloc.h"

struct job {
    struct daemon *d;
    unsigned long epoch;        /* the batch it belongs to */
    int32_t partition;
    int64_t offset;
    struct requirement req;     /* the event as decoded */
    struct report rep;
    int has_report;
    struct timespec t0;         /* when it was consumed */
    int64_t consumed_at_ms;
    char *traceparent;          /* the request's W3C trace context, or NULL */
    struct speech_request sreq; /* the audio asked for (strings borrowed from req, rep, cfg) */
    char audio_hash[65];        /* SHA-256 of what is spoken and how: the audio cache's key */
    int speech_attempts;        /* synthesis tries so far */
};

#define SPEECH_ATTEMPTS_MAX 2   /* a crash may be the worker's, not the text's: try once more */

static void synthesise(struct job *job); /* and on_speech() calls it again: mutual recursion */

static double
seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Intake runs unless something says stop: shutdown, a batch draining or settling, Redis or the
 * schema registry down, a pending rewind, or too much work in hand (backpressure: memory stays
 * bounded by max_in_flight requests). */
static void
update_intake(struct daemon *d)
{
    int on = !d->stopping && (d->phase == BATCH_IDLE || d->phase == BATCH_FILLING) &&
             !d->redis_paused && !d->registry_paused && !d->rewind_pending &&
             d->total_jobs < d->cfg->max_in_flight && d->producer && producer_ready(d->producer);
    if (d->consumer) consumer_intake(d->consumer, on);
}

/* Messages whose own output made a batch abort: after STRIKES_MAX aborts the message is skipped
 * (logged and counted as failed), so one message can never hold its partition for long. */
#define STRIKES_MAX 3
#define STRIKES_SLOTS 64

struct strike {
    int32_t partition;
    int64_t offset;
    int count;
};
static int
strike_find(struct daemon *d, int32_t partition, int64_t offset)
{
    if (d->strikes == NULL) return -1;
    for (int i = 0; i < STRIKES_SLOTS; i++)
        if (d->strikes[i].count && d->strikes[i].partition == partition &&
            d->strikes[i].offset == offset)
            return i;
    return -1;
}

static void
strike_add(struct daemon *d, int32_t partition, int64_t offset)
{
    if (d->strikes == NULL) d->strikes = xcalloc(STRIKES_SLOTS, sizeof(*d->strikes));
    int i = strike_find(d, partition, offset);
    if (i < 0) {
        i = d->strike_next++ % STRIKES_SLOTS; /* the oldest slot gives way */
        d->strikes[i].partition = partition;
        d->strikes[i].offset = offset;
        d->strikes[i].count = 0;
    }
    d->strikes[i].count++;
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
static void
batch_forget(struct daemon *d)
{
    records_clear(d);
    d->offsets.n = 0;
    d->batch_requests = 0;
    d->live_jobs = 0;
    d->epoch++;
    evtimer_del(d->batch_timer);
}

/* The transaction is settled (or gone with its producer): intake may resume. */
static void
batch_idle(struct daemon *d)
{
    batch_forget(d);
    d->phase = BATCH_IDLE;
    evtimer_del(d->settle_timer);
    if (d->stopping && d->total_jobs == 0) event_base_loopexit(d->base, NULL);
    update_intake(d);
}

static void
try_rewind(struct daemon *d)
{
    char errstr[512];
    if (!d->rewind_pending || d->consumer == NULL) return;
    if (consumer_rewind(d->consumer, errstr, sizeof(errstr)) == 0) {
        d->rewind_pending = 0;
        update_intake(d);
        return;
    }
    /* Until the input is back at the committed offsets nothing may be taken: the messages of
     * the aborted batch would be skipped. Try again shortly (e.g. "not coordinator"). */
    log_error("daemon", "REWIND_FAILED", "reason=\"%s\" retry_ms=500", errstr);
    struct timeval tv = {0, 500000};
    evtimer_add(d->rewind_timer, &tv);
}

/* How long intake waits after the schema registry failed to give a writer schema. */
#define REGISTRY_RETRY_S 6 /* a little over the wire's own 5 s pause after a failed lookup */

void
pipeline_on_registry_timer(int fd, short what, void *arg)
{
    struct daemon *d = arg;
    (void)fd;
    (void)what;
    d->registry_paused = 0;
    update_intake(d);
}

void
pipeline_on_rewind_timer(int fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    try_rewind(arg);
}

/* Seeks the input back to the committed offsets after an abort; intake stays off until it has. */
static void
rewind_input(struct daemon *d)
{
    d->rewind_pending = 1;
    update_intake(d);
    try_rewind(d);
}

/* What a settled transaction means for the batch. */
static void
settle_finish(struct daemon *d, enum producer_txn_result r, const char *errstr)
{
    switch (r) {
    case PRODUCER_TXN_PENDING:
        return;
    case PRODUCER_TXN_OK:
        d->batches++;
        records_write(d);
        log_debug("daemon", "BATCH_COMMIT", "requests=%d", d->batch_requests);
        break;
    case PRODUCER_TXN_ABORTED:
        if (d->settle_commit)
            log_warn("daemon", "TXN_ABORT", "requests=%d reason=\"%s\"", d->batch_requests,
                     errstr);
        if (d->settle_commit || d->settle_rewind) rewind_input(d);
        break;
    case PRODUCER_TXN_FATAL:
        /* Nothing of this batch was committed, or its outcome is unknown and the new
         * producer's init_transactions settles it: the input goes back to what is committed. */
        if (daemon_producer_restart(d, errstr) != 0) return;
        rewind_input(d);
        break;
    }
    batch_idle(d);
}

/* One bounded slice of the settling transaction (LOOP_STEP_MS), then back to the loop. */
void
pipeline_on_settle_timer(int fd, short what, void *arg)
{
    struct daemon *d = arg;
    char errstr[512] = "";
    (void)fd;
    (void)what;
    if (d->phase != BATCH_SETTLING || d->producer == NULL) return;
    enum producer_txn_result r = producer_settle(d->producer, LOOP_STEP_MS, errstr,
                                                 sizeof(errstr));
    if (r == PRODUCER_TXN_PENDING) {
        struct timeval tv = {0, 10000}; /* let the loop serve what waited meanwhile */
        evtimer_add(d->settle_timer, &tv);
        return;
    }
    settle_finish(d, r, errstr);
}

static void
settle_begin(struct daemon *d)
{
    d->phase = BATCH_SETTLING;
    evtimer_del(d->batch_timer);
    update_intake(d);
    event_active(d->settle_timer, EV_TIMEOUT, 0);
}

/* Aborts the open transaction; 'rewind' seeks the input back to the committed offsets once the
 * abort is settled (not needed when the partitions are being revoked). The batch's jobs become
 * stale at once. */
static void
batch_abort(struct daemon *d, const char *why, int rewind)
{
    if (d->phase == BATCH_IDLE || d->phase == BATCH_SETTLING) return;
    log_warn("daemon", "BATCH_ABORT", "requests=%d reason=\"%s\"", d->batch_requests, why);
    batch_forget(d);
    d->settle_commit = 0;
    d->settle_rewind = rewind;
    producer_abort_start(d->producer);
    settle_begin(d);
}

/* Commits the drained batch: its outputs and the input offsets past its messages. */
static void
batch_commit(struct daemon *d)
{
    rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new(d->offsets.n);
    for (int i = 0; i < d->offsets.n; i++)
        rd_kafka_topic_partition_list_add(offsets, d->topic_in, d->offsets.partition[i])->offset =
            d->offsets.next_offset[i];
    d->settle_commit = 1;
    d->settle_rewind = 0;
    producer_commit_start(d->producer, offsets, consumer_group_metadata(d->consumer));
    settle_begin(d);
}

static void
maybe_commit(struct daemon *d)
{
    if (d->phase == BATCH_DRAINING && d->live_jobs == 0) batch_commit(d);
}

/* Stops taking messages into this batch; it commits once its jobs are done. */
static void
batch_close(struct daemon *d)
{
    if (d->phase != BATCH_FILLING) return;
    d->phase = BATCH_DRAINING;
    evtimer_del(d->batch_timer);
    update_intake(d);
    maybe_commit(d);
}

void
pipeline_on_batch_timer(int fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    batch_close(arg);
}

/* Opens a transaction for the first message of a batch. Returns 0 or -1 (fatal). */
static int
batch_open(struct daemon *d)
{
    char errstr[512];
    if (d->phase != BATCH_IDLE) return 0;
    if (producer_begin(d->producer, errstr, sizeof(errstr)) != 0 &&
        (daemon_producer_restart(d, errstr) != 0 ||
         producer_begin(d->producer, errstr, sizeof(errstr)) != 0)) {
        daemon_fatal(d, errstr);
        return -1;
    }
    d->phase = BATCH_FILLING;
    struct timeval tv = {d->cfg->commit_interval_ms / 1000,
                         (d->cfg->commit_interval_ms % 1000) * 1000};
    evtimer_add(d->batch_timer, &tv);
    return 0;
}

/* A job whose batch was aborted (or whose producer is gone) must not produce anything. */
static int
job_is_stale(const struct job *job)
{
    return job->epoch != job->d->epoch || job->d->producer == NULL;
}

static void
job_free(struct job *job)
{
    requirement_fini(&job->req);
    if (job->has_report) report_fini(&job->rep);
    free(job->traceparent);
    free(job);
}

/* A job of the current epoch is finished (whatever its outcome). */
static void
job_finish(struct job *job, enum outcome outcome, const char *audio_status)
{
    struct daemon *d = job->d;
    d->outcomes[outcome]++;
    records_add(d, job->req.event_id, job->req.project_id,
                job->req.title && job->req.title[0] ? job->req.title : job->req.description,
                job->has_report ? job->rep.report_id : NULL, job->has_report ? job->rep.version : 0,
                outcome, audio_status, job->consumed_at_ms);
    if (outcome == OUTCOME_ANSWERED) histogram_observe(&d->latency_total, seconds_since(&job->t0));
    d->total_jobs--;
    d->live_jobs--;
    job_free(job);
    update_intake(d);
    maybe_commit(d);
}

/* A job whose batch was aborted: its results belong to nobody. */
static void
job_drop_stale(struct job *job)
{
    struct daemon *d = job->d;
    d->total_jobs--;
    job_free(job);
    if (d->stopping && d->total_jobs == 0 && d->phase == BATCH_IDLE)
        event_base_loopexit(d->base, NULL);
    update_intake(d);
}

static int
dead_letter(struct daemon *d, const void *key, size_t key_len, const void *value, size_t len,
            const char *reason, const char *detail, int32_t partition, int64_t offset)
{
    char errstr[512];
    log_warn("daemon", "DEAD_LETTER", "topic=%s partition=%d offset=%lld reason=%s detail=\"%s\"",
             d->topic_in, (int)partition, (long long)offset, reason, detail);
    if (emit_dead_letter(d->producer, d->wire, d->topic_dlq, key, key_len, value, len, reason,
                         detail, d->topic_in, partition, offset, errstr, sizeof(errstr)) != 0) {
        strike_add(d, partition, offset);
        batch_abort(d, errstr, 1);
        return -1;
    }
    return 0;
}

/* Processing (not decoding) failed: the request goes to the DLQ as JSON with the reason. */
static void
job_fail(struct job *job, const char *why)
{
    struct daemon *d = job->d;
    struct buf json;
    buf_init(&json);
    requirement_json_write(&job->req, &json);
    int rc = dead_letter(d, job->req.project_id, strlen(job->req.project_id), json.data, json.len,
                         "processing", why, job->partition, job->offset);
    buf_fini(&json);
    if (rc != 0) {
        job_drop_stale(job); /* the batch was aborted */
        return;
    }
    job_finish(job, OUTCOME_FAILED, NULL);
}

static void
emit_answer(struct job *job, struct speech_result *res, const char *audio_status)
{
    struct daemon *d = job->d;
    char errstr[512];
    struct report_event ev = {
        .event_id = job->req.event_id,
        .project_id = job->req.project_id,
        .report_id = job->rep.report_id,
        .version = job->rep.version,
        .engine_version = ADVISOR_ENGINE_VERSION,
        .created_at_ms = clock_wall_ms(),
        .markdown = job->rep.markdown,
        .report_json = job->rep.json,
        .audio_status = audio_status,
    };
    for (int i = 0; i < SECTION_COUNT; i++) ev.sections[i] = job->rep.sections[i];
    if (emit_report(d->producer, d->wire, d->topic_reports, &ev, job->traceparent, errstr,
                    sizeof(errstr)) != 0) {
        /* Refused locally (e.g. too large): nothing of this job is in the transaction yet. */
        job_fail(job, errstr);
        return;
    }
    if (res) {
        struct audio_event aev = {
            .event_id = job->req.event_id,
            .project_id = job->req.project_id,
            .report_id = job->rep.report_id,
            .codec = speech_codec_name(res->codec),
            .voice = res->voice,
            .sample_rate = res->sample_rate,
            .duration_ms = (int64_t)llround(res->duration_s * 1000.0),
            .text = res->spoken_text,
        };
        if (emit_audio(d->producer, d->wire, d->topic_audio, &aev, res->audio, res->audio_len,
                       (size_t)d->cfg->audio_chunk_bytes, job->traceparent, errstr,
                       sizeof(errstr)) < 0) {
            strike_add(d, job->partition, job->offset);
            batch_abort(d, errstr, 1);
            job_drop_stale(job);
            return;
        }
    }
    records_store_report(d, &job->req, &job->rep, res, audio_status);
    log_info("daemon", "ANSWERED", "event_id=%s project_id=%s version=%ld audio=%s",
             job->req.event_id, job->req.project_id, job->rep.version, audio_status);
    job_finish(job, OUTCOME_ANSWERED, audio_status);
}

/* Keeps a synthesised artifact for the next identical script (state/store.h says how long). */
static void
audio_store(struct daemon *d, const struct job *job, const struct speech_result *res)
{
    char rate[16], dur[24];
    snprintf(rate, sizeof(rate), "%d", res->sample_rate);
    snprintf(dur, sizeof(dur), "%lld", (long long)llround(res->duration_s * 1000.0));
    const char *values[STORE_AUDIO_COUNT] = {
        [STORE_AUDIO_AUDIO] = (const char *)res->audio,
        [STORE_AUDIO_CODEC] = speech_codec_name(res->codec),
        [STORE_AUDIO_VOICE] = res->voice,
        [STORE_AUDIO_SAMPLE_RATE] = rate,
        [STORE_AUDIO_DURATION_MS] = dur,
        [STORE_AUDIO_TEXT] = res->spoken_text,
    };
    size_t lens[STORE_AUDIO_COUNT];
    for (int f = 0; f < STORE_AUDIO_COUNT; f++) lens[f] = values[f] ? strlen(values[f]) : 0;
    lens[STORE_AUDIO_AUDIO] = res->audio_len;
    store_audio_put(d->state, job->audio_hash, values, lens);
}

static void
on_speech(struct speech_result *res, const char *error, void *arg)
{
    struct job *job = arg;
    struct daemon *d = job->d;
    if (job_is_stale(job)) {
        if (res) speech_result_fini(res);
        job_drop_stale(job);
        return;
    }
    histogram_observe(&d->latency_speech, seconds_since(&job->t0));
    if (res == NULL && job->speech_attempts < SPEECH_ATTEMPTS_MAX) {
        log_warn("daemon", "AUDIO_RETRY", "event_id=%s attempt=%d reason=\"%s\"",
                 job->req.event_id, job->speech_attempts, error ? error : "unknown");
        synthesise(job);
        return;
    }
    if (res == NULL) {
        d->audio_failed++;
        log_warn("daemon", "AUDIO_FAILED", "event_id=%s reason=\"%s\"", job->req.event_id,
                 error ? error : "unknown");
        emit_answer(job, NULL, "failed");
        return;
    }
    audio_store(d, job, res);
    emit_answer(job, res, "ready");
    speech_result_fini(res);
}

static void
synthesise(struct job *job)
{
    struct daemon *d = job->d;
    job->speech_attempts++;
    if (speech_pool_submit(d->speech, &job->sreq, on_speech, job) != 0) {
        d->audio_failed++;
        emit_answer(job, NULL, "failed");
    }
}

static void
on_audio_cache(const char *const *values, const size_t *lens, size_t n, const char *error,
               void *arg)
{
    struct job *job = arg;
    struct daemon *d = job->d;
    (void)error;
    if (job_is_stale(job)) {
        job_drop_stale(job);
        return;
    }
    if (values == NULL || n != STORE_AUDIO_COUNT || values[STORE_AUDIO_AUDIO] == NULL ||
        lens[STORE_AUDIO_AUDIO] == 0 ||
        speech_codec_parse(values[STORE_AUDIO_CODEC] ? values[STORE_AUDIO_CODEC] : "") < 0) {
        d->audio_cache_misses++;
        synthesise(job);
        return;
    }
    d->audio_cache_hits++;
    struct speech_result res;
    speech_result_init(&res);
    const char *voice = values[STORE_AUDIO_VOICE], *rate = values[STORE_AUDIO_SAMPLE_RATE];
    const char *dur = values[STORE_AUDIO_DURATION_MS], *text = values[STORE_AUDIO_TEXT];
    res.audio = xmalloc(lens[STORE_AUDIO_AUDIO]);
    memcpy(res.audio, values[STORE_AUDIO_AUDIO], lens[STORE_AUDIO_AUDIO]);
    res.audio_len = lens[STORE_AUDIO_AUDIO];
    res.codec = (enum speech_codec)speech_codec_parse(values[STORE_AUDIO_CODEC]);
    res.voice = xstrdup(voice ? voice : job->sreq.voice);
    res.sample_rate = rate ? atoi(rate) : 0;
    res.duration_s = dur ? atof(dur) / 1000.0 : 0;
    res.spoken_text = xstrndup(text ? text : "", text ? lens[STORE_AUDIO_TEXT] : 0);
    emit_answer(job, &res, "ready");
    speech_result_fini(&res);
}

/* The same script, voice, rate and codec are synthesised once: look in the cache first. */
static void
audio_lookup(struct job *job)
{
    struct daemon *d = job->d;
    char material[64];
    struct buf key;
    buf_init(&key);
    snprintf(material, sizeof(material), "|%d|%s|", job->sreq.rate_wpm,
             speech_codec_name(job->sreq.codec));
    buf_puts(&key, job->sreq.voice);
    buf_puts(&key, material);
    buf_puts(&key, job->sreq.text);
    emit_sha256_hex(key.data, key.len, job->audio_hash);
    buf_fini(&key);
    if (store_audio_get(d->state, job->audio_hash, on_audio_cache, job) != 0) {
        d->audio_cache_misses++;
        synthesise(job);
    }
}

/* Runs the advisor on the project's merged requirement, then asks for the audio. */
static void
answer(struct job *job, const struct state_apply_result *res)
{
    struct daemon *d = job->d;
    char detail[256];
    struct requirement merged, previous;
    int has_previous = 0;

    if (res->merged_json == NULL) {
        /* A replay whose merged state is gone (recorded before event records kept it): the
         * event alone is what is left, and a valid request is answered, never dead-lettered. */
        log_warn("daemon", "HISTORY_MISSING", "event_id=%s project_id=%s version=%ld",
                 job->req.event_id, job->req.project_id, res->version);
        requirement_copy(&merged, &job->req);
    } else if (requirement_json_parse(res->merged_json, strlen(res->merged_json), &merged,
                                      detail, sizeof(detail)) != WIRE_OK) {
        job_fail(job, "the project's merged state does not parse");
        return;
    }
    if (res->previous_json &&
        requirement_json_parse(res->previous_json, strlen(res->previous_json), &previous, detail,
                               sizeof(detail)) == WIRE_OK)
        has_previous = 1;
    /* The merged record answers this event: its ids are this event's. */
    free(merged.event_id);
    merged.event_id = xstrdup(job->req.event_id);

    struct advisor_context ctx = {res->version, has_previous ? &previous : NULL};
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    char errstr[256];
    int rc = advisor_run(d->advisor, &merged, &ctx, &job->rep, errstr, sizeof(errstr));
    histogram_observe(&d->latency_advisor, seconds_since(&t));
    requirement_fini(&merged);
    if (has_previous) requirement_fini(&previous);
    if (rc != 0) {
        job_fail(job, errstr);
        return;
    }
    job->has_report = 1;

    if (job->req.audio.enabled == 0) {
        emit_answer(job, NULL, "disabled");
        return;
    }
    int codec = job->req.audio.codec ? speech_codec_parse(job->req.audio.codec) : SPEECH_CODEC_OPUS;
    job->sreq = (struct speech_request){
        .text = job->rep.audio_script,
        .voice = job->req.audio.voice ? job->req.audio.voice : d->cfg->default_voice,
        .rate_wpm = req_known(job->req.audio.rate_wpm) ? (int)job->req.audio.rate_wpm : 0,
        .codec = codec < 0 ? SPEECH_CODEC_OPUS : (enum speech_codec)codec,
    };
    if (speech_voice_check(job->sreq.voice, errstr, sizeof(errstr)) != 0) {
        log_warn("daemon", "VOICE_REFUSED", "event_id=%s reason=\"%s\"", job->req.event_id, errstr);
        job->sreq.voice = d->cfg->default_voice;
    }
    audio_lookup(job);
}

static void
on_state(const struct state_apply_result *res, const char *error, int retriable, void *arg)
{
    struct job *job = arg;
    struct daemon *d = job->d;
    if (job_is_stale(job)) {
        job_drop_stale(job);
        return;
    }
    if (res == NULL && !retriable) {
        job_fail(job, error);
        return;
    }
    if (res == NULL) {
        /* Redis is outside the transaction: without its answer nothing may be acknowledged.
         * Intake waits for the reconnection (pipeline_on_redis_ready). */
        d->redis_paused = 1;
        batch_abort(d, error, 1);
        job_drop_stale(job);
        return;
    }
    if (res->status == STATE_APPLY_DUPLICATE) {
        log_info("daemon", "DUPLICATE", "event_id=%s project_id=%s version=%ld", job->req.event_id,
                 job->req.project_id, res->version);
        job_finish(job, OUTCOME_DUPLICATE, NULL);
        return;
    }
    if (res->status == STATE_APPLY_REPLAY)
        log_info("daemon", "REPLAY", "event_id=%s version=%ld", job->req.event_id, res->version);
    answer(job, res);
}

/* Returns a copy of the message's W3C traceparent header when it is well-formed
 * (version-traceid-parentid-flags, 55 characters), else NULL. */
static char *
traceparent_of(const rd_kafka_message_t *rkm)
{
    rd_kafka_headers_t *hdrs;
    const void *value;
    size_t size;
    if (rd_kafka_message_headers(rkm, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_header_get_last(hdrs, "traceparent", &value, &size) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        size != 55)
        return NULL;
    const char *v = value;
    for (size_t i = 0; i < size; i++) {
        int dash = i == 2 || i == 35 || i == 52;
        if (dash ? v[i] != '-' : !((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
            return NULL;
    }
    return xstrndup(v, size);
}

void
pipeline_on_message(const rd_kafka_message_t *rkm, void *arg)
{
    struct daemon *d = arg;
    char detail[256] = "";
    if (batch_open(d) != 0) return;
    offsets_note(&d->offsets, rkm->partition, rkm->offset + 1);
    d->batch_requests++;
    int strike = strike_find(d, rkm->partition, rkm->offset);
    if (strike >= 0 && d->strikes[strike].count >= STRIKES_MAX) {
        log_error("daemon", "POISON_SKIPPED", "topic=%s partition=%d offset=%lld aborts=%d",
                  d->topic_in, (int)rkm->partition, (long long)rkm->offset,
                  d->strikes[strike].count);
        d->strikes[strike].count = 0;
        d->outcomes[OUTCOME_FAILED]++;
        if (d->batch_requests >= d->cfg->batch_max) batch_close(d);
        return;
    }

    struct job *job = xcalloc(1, sizeof(*job));
    job->d = d;
    job->epoch = d->epoch;
    job->partition = rkm->partition;
    job->offset = rkm->offset;
    clock_gettime(CLOCK_MONOTONIC, &job->t0);
    job->consumed_at_ms = clock_wall_ms();
    job->traceparent = traceparent_of(rkm);
    enum wire_status st = intake_decode(d->wire, rkm, &job->req, detail, sizeof(detail));
    if (st == WIRE_ERR_SCHEMA_UNAVAILABLE) {
        /* An outage, not bad input: nothing is dead-lettered. The batch goes back to the
         * committed offsets and intake waits, as when Redis is down. */
        job_free(job);
        log_warn("daemon", "REGISTRY_UNAVAILABLE", "retry_s=%d detail=\"%s\"", REGISTRY_RETRY_S,
                 detail);
        d->registry_paused = 1;
        struct timeval tv = {REGISTRY_RETRY_S, 0};
        evtimer_add(d->registry_timer, &tv);
        batch_abort(d, "schema registry unavailable", 1);
        update_intake(d);
        return;
    }
    if (st != WIRE_OK) {
        job_free(job);
        if (dead_letter(d, rkm->key, rkm->key_len, rkm->payload, rkm->len, wire_status_str(st),
                        detail, rkm->partition, rkm->offset) == 0) {
            d->outcomes[OUTCOME_DEAD_LETTER]++;
            if ((unsigned)st < PW_ARRAY_LEN(d->dlq_by_reason)) d->dlq_by_reason[st]++;
        }
    } else {
        struct buf json;
        buf_init(&json);
        requirement_json_write(&job->req, &json);
        int rc = state_event_apply(d->state, job->req.project_id, job->req.event_id,
                                   rkm->partition, rkm->offset, json.data, on_state, job);
        buf_fini(&json);
        if (rc != 0) {
            job_free(job);
            d->redis_paused = 1; /* until the state's ready callback says otherwise */
            batch_abort(d, "redis unavailable", 1);
            return;
        }
        d->live_jobs++;
        d->total_jobs++;
    }
    if (d->batch_requests >= d->cfg->batch_max) batch_close(d);
    update_intake(d);
}

void
pipeline_on_rebalance(int assigned, const rd_kafka_topic_partition_list_t *parts, void *arg)
{
    struct daemon *d = arg;
    (void)parts;
    if (assigned || d->phase == BATCH_IDLE || d->phase == BATCH_SETTLING) return;
    /* The batch is settled while the partitions move, without holding the loop: the next owner
     * reads the committed offsets with require_stable (KIP-447), so it waits for a commit still
     * in flight, and a commit that lost its generation is refused by the coordinator and
     * aborted. A complete batch commits; anything else, or lost partitions, aborts so the next
     * owner answers the whole batch again. */
    if (d->live_jobs == 0 && !rd_kafka_assignment_lost(consumer_handle(d->consumer)))
        batch_commit(d);
    else
        batch_abort(d, "partitions revoked mid-batch", 0);
}

void
pipeline_on_redis_ready(int ready, void *arg)
{
    struct daemon *d = arg;
    d->redis_paused = !ready;
    update_intake(d);
}

void
pipeline_resume(struct daemon *d)
{
    update_intake(d);
}

void
pipeline_free(struct daemon *d)
{
    records_clear(d);
    free(d->done);
    d->done = NULL;
    d->cap_done = 0;
    free(d->strikes);
    d->strikes = NULL;
    free(d->offsets.partition);
    free(d->offsets.next_offset);
    d->offsets.partition = NULL;
    d->offsets.next_offset = NULL;
}

void
pipeline_finish(struct daemon *d)
{
    d->stopping = 1;
    if (d->phase == BATCH_IDLE) {
        if (d->total_jobs == 0) event_base_loopexit(d->base, NULL);
        update_intake(d);
        return;
    }
    if (d->phase == BATCH_FILLING) batch_close(d);
    else update_intake(d);
}

void
pipeline_abort_for_shutdown(struct daemon *d)
{
    /* A transaction still settling is left to producer_free(), which gives its abort a bounded
     * time; an unsettled one is aborted by the broker or fenced by the next instance. */
    batch_abort(d, "shutdown deadline", 0);
    evtimer_del(d->settle_timer);
    event_base_loopexit(d->base, NULL);
}
