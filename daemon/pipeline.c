/* daemon/pipeline.c - one request through the daemon, in the order a message travels.
 *
 * A *job* is one accepted requirement event on its way:
 *
 *   pipeline_on_message: take it into the batch, decode (schemas/)   -> refused: dead letter
 *   on_state:            Redis apply (state/): new, replay or duplicate
 *   answer:              the advisor on the project's merged requirement
 *   audio_lookup:        the audio cache, else synthesise in a speech worker (on_speech)
 *   emit_answer:         report + audio into the open transaction (producer/emit.c)
 *   job_finish:          counted, recorded; the batch commits once its jobs are done
 *
 * Which batch a message belongs to, and when that batch commits or aborts, is decided by
 * daemon/batch.c and carried out by daemon/txn.c. A batch that aborts bumps the epoch: jobs of
 * an older epoch are *stale*, and when their callbacks come back they are freed without
 * producing anything. The replayed messages find their Redis records (same partition and
 * offset) and are answered again, identically; a redelivered event id at another offset is a
 * duplicate and answered never.
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
#include "batch.h"
#include "buf.h"
#include "clock.h"
#include "emit.h"
#include "intake.h"
#include "log.h"
#include "records.h"
#include "sha256.h"
#include "speech.h"
#include "state.h"
#include "store.h"
#include "strikes.h"
#include "trace.h"
#include "txn.h"
#include "wire.h"
#include "xalloc.h"

struct job {
    struct daemon *d;
    unsigned long epoch; /* the batch it belongs to */
    int32_t partition;
    int64_t offset;
    struct requirement req; /* the event as decoded */
    struct report rep;
    int has_report;
    int64_t t0_us; /* when it was consumed (monotonic) */
    int64_t consumed_at_ms;
    char *traceparent;          /* the request's W3C trace context, or NULL */
    struct speech_request sreq; /* the audio asked for (strings borrowed from req, rep, cfg) */
    char audio_hash[65];        /* SHA-256 of what is spoken and how: the audio cache's key */
    int speech_attempts;        /* synthesis tries so far */
};

#define SPEECH_ATTEMPTS_MAX 2 /* a crash may be the worker's, not the text's: try once more */

/* The stages, each calling the next (defined below in this order). */
static void on_state(const struct state_apply_result *res, const char *error, int retriable,
                     void *arg);
static void answer(struct job *job, const struct state_apply_result *res);
static void audio_lookup(struct job *job);
static void synthesise(struct job *job);
static void emit_answer(struct job *job, struct speech_result *res, const char *audio_status);
static void job_finish(struct job *job, enum outcome outcome, const char *audio_status);
static void job_fail(struct job *job, const char *why);
static void job_drop_stale(struct job *job);
static int job_is_stale(const struct job *job);
static void job_free(struct job *job);
static int dead_letter(struct daemon *d, const void *key, size_t key_len, const void *value,
                       size_t len, const char *reason, const char *detail, int32_t partition,
                       int64_t offset);

static double
seconds_since(int64_t t0_us)
{
    return (double)(clock_monotonic_us() - t0_us) / 1e6;
}

/* ---- intake and decode ------------------------------------------------------------------- */

/* A message whose output made STRIKES_MAX batches abort is skipped this time. Returns 1 if so. */
static int
poison_skipped(struct daemon *d, const rd_kafka_message_t *rkm)
{
    int strikes = strike_take_if_poison(d, rkm->partition, rkm->offset);
    if (strikes < STRIKES_MAX) return 0;
    log_error("daemon", "POISON_SKIPPED", "topic=%s partition=%d offset=%lld aborts=%d",
              d->topic_in, (int)rkm->partition, (long long)rkm->offset, strikes);
    d->outcomes[OUTCOME_FAILED]++;
    txn_perform(d, batch_on_handled(&d->batch), NULL);
    return 1;
}

static struct job *
job_new(struct daemon *d, const rd_kafka_message_t *rkm)
{
    struct job *job = xcalloc(1, sizeof(*job));
    job->d = d;
    job->epoch = d->batch.epoch;
    job->partition = rkm->partition;
    job->offset = rkm->offset;
    job->t0_us = clock_monotonic_us();
    job->consumed_at_ms = clock_wall_ms();
    job->traceparent = traceparent_of(rkm);
    return job;
}

/* A message that did not decode: an unreachable schema registry pauses intake (an outage, not
 * bad input), anything else is dead-lettered. Returns 1 when the batch was aborted. */
static int
refused(struct daemon *d, const rd_kafka_message_t *rkm, enum wire_status st, const char *detail)
{
    if (st == WIRE_ERR_SCHEMA_UNAVAILABLE) {
        /* Nothing is dead-lettered. The batch goes back to the committed offsets and intake
         * waits, as when Redis is down. */
        log_warn("daemon", "REGISTRY_UNAVAILABLE", "retry_s=%d detail=\"%s\"", REGISTRY_RETRY_S,
                 detail);
        registry_pause(d);
        txn_abort(d, "schema registry unavailable", 1);
        intake_update(d);
        return 1;
    }
    if (dead_letter(d, rkm->key, rkm->key_len, rkm->payload, rkm->len, wire_status_str(st), detail,
                    rkm->partition, rkm->offset) == 0) {
        d->outcomes[OUTCOME_DEAD_LETTER]++;
        if ((unsigned)st < PW_ARRAY_LEN(d->dlq_by_reason)) d->dlq_by_reason[st]++;
    }
    return 0;
}

/* Hands the decoded event to Redis; the answer comes back in on_state(). Returns 0, or -1 when
 * Redis is unavailable (the batch was aborted). */
static int
apply(struct daemon *d, struct job *job)
{
    struct buf json;
    buf_init(&json);
    requirement_json_write(&job->req, &json);
    int rc = state_event_apply(d->state, job->req.project_id, job->req.event_id, job->partition,
                               job->offset, json.data, on_state, job);
    buf_fini(&json);
    if (rc != 0) {
        job_free(job);
        d->redis_paused = 1; /* until the state's ready callback says otherwise */
        txn_abort(d, "redis unavailable", 1);
        return -1;
    }
    batch_job_started(&d->batch);
    d->total_jobs++;
    return 0;
}

void
pipeline_on_message(const rd_kafka_message_t *rkm, void *arg)
{
    struct daemon *d = arg;
    char detail[256] = "";
    if (txn_open(d) != 0) return;
    batch_take(&d->batch, rkm->partition, rkm->offset);
    if (poison_skipped(d, rkm)) return;

    struct job *job = job_new(d, rkm);
    enum wire_status st = intake_decode(d->wire, rkm, &job->req, detail, sizeof(detail));
    if (st != WIRE_OK) {
        job_free(job);
        if (refused(d, rkm, st, detail)) return;
    } else if (apply(d, job) != 0) {
        return;
    }
    txn_perform(d, batch_on_handled(&d->batch), NULL);
    intake_update(d);
}

/* ---- Redis, then the advisor --------------------------------------------------------------- */

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
        txn_abort(d, error, 1);
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

/* The project's merged requirement (and the version before it, when recorded) that answers the
 * job's event. Returns 0, or -1 when the merged state does not parse. */
static int
merged_of(struct job *job, const struct state_apply_result *res, struct requirement *merged,
          struct requirement *previous, int *has_previous)
{
    char detail[256];
    *has_previous = 0;
    if (res->merged_json == NULL) {
        /* A replay whose merged state is gone (recorded before event records kept it): the
         * event alone is what is left, and a valid request is answered, never dead-lettered. */
        log_warn("daemon", "HISTORY_MISSING", "event_id=%s project_id=%s version=%ld",
                 job->req.event_id, job->req.project_id, res->version);
        requirement_copy(merged, &job->req);
    } else if (requirement_json_parse(res->merged_json, strlen(res->merged_json), merged, detail,
                                      sizeof(detail)) != WIRE_OK) {
        return -1;
    }
    if (res->previous_json && requirement_json_parse(res->previous_json, strlen(res->previous_json),
                                                     previous, detail, sizeof(detail)) == WIRE_OK)
        *has_previous = 1;
    /* The merged record answers this event: its ids are this event's. */
    free(merged->event_id);
    merged->event_id = xstrdup(job->req.event_id);
    return 0;
}

/* The audio the request asks for, in the voice, rate and codec it names (or the defaults). */
static void
speech_request_of(struct job *job)
{
    struct daemon *d = job->d;
    char errstr[256];
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
}

/* Runs the advisor on the project's merged requirement, then asks for the audio. */
static void
answer(struct job *job, const struct state_apply_result *res)
{
    struct daemon *d = job->d;
    struct requirement merged, previous;
    int has_previous;
    if (merged_of(job, res, &merged, &previous, &has_previous) != 0) {
        job_fail(job, "the project's merged state does not parse");
        return;
    }
    struct advisor_context ctx = {res->version, has_previous ? &previous : NULL};
    int64_t t_us = clock_monotonic_us();
    char errstr[256];
    int rc = advisor_run(d->advisor, &merged, &ctx, &job->rep, errstr, sizeof(errstr));
    histogram_observe(&d->latency_advisor, seconds_since(t_us));
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
    speech_request_of(job);
    audio_lookup(job);
}

/* ---- audio: the cache, else a speech worker ----------------------------------------------- */

/* The cached artifact in 'values' as a speech result. Returns 0, or -1 when it is unusable. */
static int
cached_result(const struct job *job, const char *const *values, const size_t *lens, size_t n,
              struct speech_result *res)
{
    if (values == NULL || n != STORE_AUDIO_COUNT || values[STORE_AUDIO_AUDIO] == NULL ||
        lens[STORE_AUDIO_AUDIO] == 0 ||
        speech_codec_parse(values[STORE_AUDIO_CODEC] ? values[STORE_AUDIO_CODEC] : "") < 0)
        return -1;
    speech_result_init(res);
    const char *voice = values[STORE_AUDIO_VOICE], *rate = values[STORE_AUDIO_SAMPLE_RATE];
    const char *dur = values[STORE_AUDIO_DURATION_MS], *text = values[STORE_AUDIO_TEXT];
    res->audio = xmalloc(lens[STORE_AUDIO_AUDIO]);
    memcpy(res->audio, values[STORE_AUDIO_AUDIO], lens[STORE_AUDIO_AUDIO]);
    res->audio_len = lens[STORE_AUDIO_AUDIO];
    res->codec = (enum speech_codec)speech_codec_parse(values[STORE_AUDIO_CODEC]);
    res->voice = xstrdup(voice ? voice : job->sreq.voice);
    res->sample_rate = rate ? atoi(rate) : 0;
    res->duration_s = dur ? atof(dur) / 1000.0 : 0;
    res->spoken_text = xstrndup(text ? text : "", text ? lens[STORE_AUDIO_TEXT] : 0);
    return 0;
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
    struct speech_result res;
    if (cached_result(job, values, lens, n, &res) != 0) {
        d->audio_cache_misses++;
        synthesise(job);
        return;
    }
    d->audio_cache_hits++;
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
    sha256_hex(key.data, key.len, job->audio_hash);
    buf_fini(&key);
    if (store_audio_get(d->state, job->audio_hash, on_audio_cache, job) != 0) {
        d->audio_cache_misses++;
        synthesise(job);
    }
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
    histogram_observe(&d->latency_speech, seconds_since(job->t0_us));
    if (res == NULL && job->speech_attempts < SPEECH_ATTEMPTS_MAX) {
        log_warn("daemon", "AUDIO_RETRY", "event_id=%s attempt=%d reason=\"%s\"", job->req.event_id,
                 job->speech_attempts, error ? error : "unknown");
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

/* Asks a speech worker for the audio; on_speech() calls it again for a retry. */
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

/* ---- output ------------------------------------------------------------------------------ */

/* Writes the audio chunks ('res') into the transaction. Returns 0, or -1 when refused (then the
 * batch was aborted and the job dropped). */
static int
emit_audio_of(struct job *job, const struct speech_result *res)
{
    struct daemon *d = job->d;
    char errstr[512];
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
        txn_abort(d, errstr, 1);
        job_drop_stale(job);
        return -1;
    }
    return 0;
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
    if (res && emit_audio_of(job, res) != 0) return;
    records_store_report(d, &job->req, &job->rep, res, audio_status);
    log_info("daemon", "ANSWERED", "event_id=%s project_id=%s version=%ld audio=%s",
             job->req.event_id, job->req.project_id, job->rep.version, audio_status);
    job_finish(job, OUTCOME_ANSWERED, audio_status);
}

/* ---- the end of a job -------------------------------------------------------------------- */

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
    if (outcome == OUTCOME_ANSWERED)
        histogram_observe(&d->latency_total, seconds_since(job->t0_us));
    d->total_jobs--;
    job_free(job);
    intake_update(d);
    txn_perform(d, batch_on_job_done(&d->batch), NULL);
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

/* The original bytes (or the request as JSON) to the DLQ with the reason in headers. Returns 0,
 * or -1 when refused: the message gets a strike and the batch is aborted. */
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
        txn_abort(d, errstr, 1);
        return -1;
    }
    return 0;
}

/* A job whose batch was aborted: its results belong to nobody. */
static void
job_drop_stale(struct job *job)
{
    struct daemon *d = job->d;
    d->total_jobs--;
    job_free(job);
    if (d->stopping && d->total_jobs == 0 && d->batch.phase == BATCH_IDLE)
        event_base_loopexit(d->base, NULL);
    intake_update(d);
}

/* A job whose batch was aborted (or whose producer is gone) must not produce anything. */
static int
job_is_stale(const struct job *job)
{
    return batch_is_stale(&job->d->batch, job->epoch) || job->d->producer == NULL;
}

static void
job_free(struct job *job)
{
    requirement_fini(&job->req);
    if (job->has_report) report_fini(&job->rep);
    free(job->traceparent);
    free(job);
}

void
pipeline_free(struct daemon *d)
{
    records_clear(d);
    free(d->done);
    d->done = NULL;
    d->cap_done = 0;
    strikes_free(d);
    batch_fini(&d->batch);
}
