/* bench/bench_kafka.c - load generator and latency meter for the daemon, and the Kafka ceiling.
 *
 *   bench_kafka e2e --brokers B --prefix P --template REQ.json --count N [--rate R] [--window W]
 *                   [--warmup N] [--audio 0|1] [--format json|avro] [--projects N]
 *                   [--idle-timeout S] [--tag TEXT] [--run-id PREFIX]
 *   bench_kafka ceiling --brokers B --topic T --size BYTES --count N [--txn-every K] [--tag TEXT]
 *
 * e2e publishes N requirement events to P.requirements, built from the template with a unique
 * event_id (PREFIX<seq>, PREFIX "bench-<pid>-" unless --run-id), one of --projects project ids
 * of its own (PREFIX"project-"<n>), a numbered title, and a source volume that varies
 * with the sequence number so that no two events ask the same question (no cache can answer).
 * --rate R offers R events per second (open loop, paced on the clock); --rate 0 offers as fast as
 * the window allows: at most W events published and not yet answered (saturation). A consumer
 * thread reads P.reports (and P.audio with --audio 1) with isolation.level=read_committed; an
 * event is answered when its report (and every chunk of its audio) has arrived, matched by the
 * pw.event_id header. Latency runs from just before the produce call to the arrival of the last
 * piece. The first --warmup answers are left out of the figures. Reports seen twice are counted
 * as duplicates (exactly once means zero).
 *
 * ceiling measures the broker and librdkafka alone: a transactional producer writes N messages
 * of BYTES bytes (committing every K) while a read_committed consumer of the same topic reads
 * them; the rate is N over the time from the first produce to the last message read.
 *
 * Prints one logfmt line. Exits 0 when every event was answered, 1 when some were not (after
 * --idle-timeout seconds without progress), 64 on usage, 70 on a client error. A benchmark: it
 * never judges speed.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "requirement.h"
#include "wire.h"
#include "xalloc.h"

#define MAX_COUNT 20000000L /* events per run: 8 bytes each of bookkeeping at most */
#define MAX_TEMPLATE_BYTES (1u << 20)
#define MAX_CEILING_BYTES (8u << 20)

struct opts {
    const char *mode;
    const char *brokers;
    const char *prefix;
    const char *topic;
    const char *template_path;
    const char *format;
    const char *tag;
    const char *run_id;
    long count;
    double rate;
    long window;
    long warmup;
    long projects;
    long size;
    long txn_every;
    int audio;
    double idle_timeout_s;
};

/* Shared between the producing thread and the consuming thread. */
struct run {
    const struct opts *o;
    _Atomic int64_t *sent_ns; /* per sequence number: when it was published, 0 before */
    unsigned char *state;     /* consumer thread only: bit 0 report seen, bit 1 audio done */
    int32_t *chunks_left;     /* consumer thread only: audio chunks still missing, -1 unknown */
    double *latency_ms;       /* consumer thread only: in order of completion */
    atomic_long completed;
    atomic_long duplicates;
    atomic_int stop;
    int64_t first_done_ns; /* completion time of the warm-up's last answer (or the first) */
    int64_t last_done_ns;
    double report_bytes;
    long reports;
    double audio_bytes;
    double audio_ms;
    long audio_artifacts;
    long foreign; /* messages without a header of this run */
    char run_id[48];
    long title_base; /* first request number spoken in titles */
    rd_kafka_t *consumer;
    struct wire *w;
};

static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
sleep_ns(int64_t ns)
{
    if (ns <= 0) return;
    struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int
conf_set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
    char err[512];
    if (rd_kafka_conf_set(conf, name, value, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "bench_kafka: %s=%s: %s\n", name, value, err);
        return -1;
    }
    return 0;
}

static rd_kafka_t *
client_new(rd_kafka_type_t type, const char *brokers, const char *const *kv, size_t n)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (conf_set(conf, "bootstrap.servers", brokers) != 0) goto fail;
    for (size_t i = 0; i + 1 < n; i += 2)
        if (conf_set(conf, kv[i], kv[i + 1]) != 0) goto fail;
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof(err));
    if (rk == NULL) {
        fprintf(stderr, "bench_kafka: rd_kafka_new: %s\n", err);
        return NULL; /* rd_kafka_new frees 'conf' only on success */
    }
    return rk;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

/* A consumer with every partition of 'topics' assigned from the beginning: the topics of a run
 * are new, so the beginning is where this run starts. */
static rd_kafka_t *
consumer_new(const char *brokers, const char *const *topics, int ntopics, const char *group)
{
    const char *kv[] = {"group.id",
                        group,
                        "isolation.level",
                        "read_committed",
                        "enable.auto.commit",
                        "false",
                        "fetch.wait.max.ms",
                        "5",
                        "enable.partition.eof",
                        "false"};
    rd_kafka_t *rk = client_new(RD_KAFKA_CONSUMER, brokers, kv, sizeof(kv) / sizeof(kv[0]));
    if (rk == NULL) return NULL;
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(16);
    for (int t = 0; t < ntopics; t++) {
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topics[t], NULL);
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
        rd_kafka_topic_destroy(rkt);
        if (err || md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt < 1) {
            fprintf(stderr, "bench_kafka: topic %s: %s\n", topics[t],
                    rd_kafka_err2str(err             ? err
                                     : md->topic_cnt ? md->topics[0].err
                                                     : err));
            if (md) rd_kafka_metadata_destroy(md);
            rd_kafka_topic_partition_list_destroy(parts);
            rd_kafka_destroy(rk);
            return NULL;
        }
        for (int p = 0; p < md->topics[0].partition_cnt; p++)
            rd_kafka_topic_partition_list_add(parts, topics[t], p)->offset =
                RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (err) {
        fprintf(stderr, "bench_kafka: assign: %s\n", rd_kafka_err2str(err));
        rd_kafka_destroy(rk);
        return NULL;
    }
    return rk;
}

/* The sequence number in a pw.event_id header of this run, or -1. */
static long
header_seq(const struct run *r, rd_kafka_message_t *m)
{
    rd_kafka_headers_t *hdrs = NULL;
    const void *val = NULL;
    size_t len = 0;
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_header_get_last(hdrs, "pw.event_id", &val, &len) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return -1;
    size_t plen = strlen(r->run_id);
    if (len <= plen || len > plen + 20 || memcmp(val, r->run_id, plen) != 0) return -1;
    long seq = 0;
    for (size_t i = plen; i < len; i++) {
        char ch = ((const char *)val)[i];
        if (ch < '0' || ch > '9') return -1;
        seq = seq * 10 + (ch - '0');
    }
    return seq < r->o->count ? seq : -1;
}

static void
complete(struct run *r, long seq, int64_t t)
{
    int64_t sent = atomic_load_explicit(&r->sent_ns[seq], memory_order_relaxed);
    long done = atomic_load(&r->completed);
    r->latency_ms[done] = sent ? (double)(t - sent) / 1e6 : 0;
    if (done + 1 == (r->o->warmup > 0 ? r->o->warmup : 1)) r->first_done_ns = t;
    r->last_done_ns = t;
    atomic_store(&r->completed, done + 1);
}

static void
on_report(struct run *r, long seq, size_t len, int64_t t)
{
    if (r->state[seq] & 1) {
        atomic_fetch_add(&r->duplicates, 1);
        return;
    }
    r->state[seq] |= 1;
    r->report_bytes += (double)len;
    r->reports++;
    if (!r->o->audio || (r->state[seq] & 2)) complete(r, seq, t);
}

/* The daemon's audio events are Avro (schemas/audio.avsc) and say how many chunks make the
 * artifact; a message that is not one (the shell pipeline writes bare Ogg) is a whole artifact. */
static void
on_audio(struct run *r, long seq, rd_kafka_message_t *m, int64_t t)
{
    if (r->state[seq] & 2) return;
    struct audio_event_owned ae;
    char detail[256];
    int32_t count = 1;
    if (wire_audio_decode(r->w, m->payload, m->len, &ae, detail, sizeof(detail)) == WIRE_OK) {
        count = ae.ev.chunk_count > 0 ? ae.ev.chunk_count : 1;
        if (ae.ev.chunk_index == 0) r->audio_ms += (double)ae.ev.duration_ms;
        audio_event_owned_fini(&ae);
    }
    if (r->chunks_left[seq] < 0) r->chunks_left[seq] = count;
    r->audio_bytes += (double)m->len;
    if (--r->chunks_left[seq] > 0) return;
    r->state[seq] |= 2;
    r->audio_artifacts++;
    if (r->state[seq] & 1) complete(r, seq, t);
}

static void *
consume_main(void *arg)
{
    struct run *r = arg;
    char audio_topic[512];
    snprintf(audio_topic, sizeof(audio_topic), "%s.audio", r->o->prefix);
    while (!atomic_load(&r->stop)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r->consumer, 100);
        if (m == NULL) continue;
        int64_t t = now_ns();
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                fprintf(stderr, "bench_kafka: consume: %s\n", rd_kafka_message_errstr(m));
        } else {
            long seq = header_seq(r, m);
            if (seq < 0) {
                r->foreign++;
            } else if (strcmp(rd_kafka_topic_name(m->rkt), audio_topic) == 0) {
                on_audio(r, seq, m, t);
            } else {
                on_report(r, seq, m->len, t);
            }
        }
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

/* Template with this event's ids and a volume that depends on 'seq'. Returns the message. */
static void
build_event(const struct opts *o, struct run *r, json_t *tpl, struct wire *w, long seq,
            struct buf *out, char *key, size_t key_size)
{
    char event_id[96];
    snprintf(event_id, sizeof(event_id), "%s%ld", r->run_id, seq);
    snprintf(key, key_size, "%sproject-%ld", r->run_id, seq % o->projects);
    json_object_set_new(tpl, "event_id", json_string(event_id));
    json_object_set_new(tpl, "project_id", json_string(key));
    json_t *sources = json_object_get(tpl, "sources");
    json_t *src = json_array_get(sources, 0);
    if (json_is_object(src))
        json_object_set_new(src, "volume_gb_per_day", json_real(10.0 + (double)(seq % 100000)));
    /* The title is spoken: numbering it makes every audio script differ, so that no audio comes
     * from the daemon's cache (keyed by text and voice, so shared across runs: the number starts
     * at a per-run offset). */
    char title[512];
    snprintf(title, sizeof(title), "Request %ld: %s", r->title_base + seq,
             json_string_value(json_object_get(tpl, "base_title")));
    json_object_set_new(tpl, "title", json_string(title));
    json_t *audio = json_object();
    json_object_set_new(audio, "enabled", json_boolean(o->audio));
    json_object_set_new(tpl, "audio", audio);
    json_t *base = json_incref(json_object_get(tpl, "base_title"));
    json_object_del(tpl, "base_title");
    char *text = json_dumps(tpl, JSON_COMPACT);
    json_object_set_new(tpl, "base_title", base);
    PW_ASSERT(text != NULL);
    buf_reset(out);
    if (strcmp(o->format, "avro") == 0) {
        struct requirement req;
        char detail[256];
        enum wire_status st = requirement_json_parse(text, strlen(text), &req, detail,
                                                     sizeof(detail));
        PW_ASSERT(st == WIRE_OK); /* the template was checked before the run */
        PW_ASSERT(wire_requirement_encode(w, &req, WIRE_FORMAT_AVRO, 0, out) == 0);
        requirement_fini(&req);
    } else {
        buf_append(out, text, strlen(text));
    }
    free(text);
}

static json_t *
template_load(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > MAX_TEMPLATE_BYTES) {
        fprintf(stderr, "%s: not a regular file of at most %u bytes\n", path, MAX_TEMPLATE_BYTES);
        return NULL;
    }
    json_error_t jerr;
    json_t *tpl = json_load_file(path, 0, &jerr);
    if (tpl == NULL) {
        fprintf(stderr, "%s:%d: %s\n", path, jerr.line, jerr.text);
        return NULL;
    }
    if (!json_is_object(tpl)) {
        fprintf(stderr, "%s: not a JSON object\n", path);
        json_decref(tpl);
        return NULL;
    }
    const char *title = json_string_value(json_object_get(tpl, "title"));
    json_object_set_new(tpl, "base_title", json_string(title ? title : "benchmark"));
    return tpl;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double
pct(const double *sorted, long n, double p)
{
    if (n <= 0) return 0;
    long i = (long)(p / 100.0 * (double)(n - 1) + 0.5);
    return sorted[i];
}

static int
run_e2e(const struct opts *o)
{
    json_t *tpl = template_load(o->template_path);
    if (tpl == NULL) return 65;
    struct run r;
    memset(&r, 0, sizeof(r));
    r.o = o;
    if (o->run_id != NULL) snprintf(r.run_id, sizeof(r.run_id), "%s", o->run_id);
    else
        snprintf(r.run_id, sizeof(r.run_id), "bench-%ld-", (long)getpid());
    /* a new thousand every ten seconds: runs of up to 1,000 events that start ten seconds or
     * more apart never share a title number (the cycle is 11 days) */
    r.title_base = (long)(time(NULL) / 10 % 100000) * 1000;
    char err[256];
    r.w = wire_new(err, sizeof(err));
    PW_ASSERT(r.w != NULL);
    /* the template must be a valid requirement before the clock starts */
    struct buf msg;
    buf_init(&msg);
    char key[96];
    build_event(o, &r, tpl, r.w, 0, &msg, key, sizeof(key));
    r.sent_ns = xcalloc((size_t)o->count, sizeof(*r.sent_ns));
    r.state = xcalloc((size_t)o->count, 1);
    r.chunks_left = xmalloc((size_t)o->count * sizeof(*r.chunks_left));
    for (long i = 0; i < o->count; i++) r.chunks_left[i] = -1;
    r.latency_ms = xcalloc((size_t)o->count, sizeof(*r.latency_ms));

    char reports[512], audio[512], input[512], group[96];
    snprintf(reports, sizeof(reports), "%s.reports", o->prefix);
    snprintf(audio, sizeof(audio), "%s.audio", o->prefix);
    snprintf(input, sizeof(input), "%s.requirements", o->prefix);
    snprintf(group, sizeof(group), "bench-reader-%ld", (long)getpid());
    const char *topics[] = {reports, audio};
    int status = 0;
    r.consumer = consumer_new(o->brokers, topics, o->audio ? 2 : 1, group);
    const char *pkv[] = {"acks",
                         "all",
                         "linger.ms",
                         "1",
                         "enable.idempotence",
                         "true",
                         "queue.buffering.max.messages",
                         "1000000"};
    rd_kafka_t *prod = client_new(RD_KAFKA_PRODUCER, o->brokers, pkv, sizeof(pkv) / sizeof(*pkv));
    pthread_t th;
    int started = 0;
    int64_t t0 = now_ns();
    if (r.consumer == NULL || prod == NULL) {
        status = 70;
        goto out;
    }
    if (pthread_create(&th, NULL, consume_main, &r) != 0) {
        status = 70;
        goto out;
    }
    started = 1;

    t0 = now_ns();
    int64_t last_progress = t0;
    long last_completed = 0;
    for (long seq = 0; seq < o->count; seq++) {
        if (o->rate > 0) sleep_ns(t0 + (int64_t)((double)seq * 1e9 / o->rate) - now_ns());
        while (o->window > 0 && seq - atomic_load(&r.completed) >= o->window) {
            rd_kafka_poll(prod, 1);
            long c = atomic_load(&r.completed);
            if (c != last_completed) {
                last_completed = c;
                last_progress = now_ns();
            } else if ((double)(now_ns() - last_progress) / 1e9 > o->idle_timeout_s) {
                goto drain;
            }
        }
        build_event(o, &r, tpl, r.w, seq, &msg, key, sizeof(key));
        char event_id[96];
        snprintf(event_id, sizeof(event_id), "%s%ld", r.run_id, seq);
        atomic_store_explicit(&r.sent_ns[seq], now_ns(), memory_order_relaxed);
        rd_kafka_resp_err_t e;
        while (
            (e = rd_kafka_producev(prod, RD_KAFKA_V_TOPIC(input), RD_KAFKA_V_KEY(key, strlen(key)),
                                   RD_KAFKA_V_VALUE(msg.data, msg.len),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                   RD_KAFKA_V_HEADER("pw.event_id", event_id, -1),
                                   RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(prod, 10);
        if (e) {
            fprintf(stderr, "bench_kafka: produce: %s\n", rd_kafka_err2str(e));
            status = 70;
            goto drain;
        }
        rd_kafka_poll(prod, 0);
    }
drain:
    rd_kafka_flush(prod, 30000);
    last_progress = now_ns();
    last_completed = atomic_load(&r.completed);
    while (last_completed < o->count) {
        sleep_ns(20000000);
        long c = atomic_load(&r.completed);
        if (c != last_completed) {
            last_completed = c;
            last_progress = now_ns();
        } else if ((double)(now_ns() - last_progress) / 1e9 > o->idle_timeout_s) {
            break;
        }
    }
    /* a duplicate would come after its original: give it a moment to show itself */
    sleep_ns(500000000);
out:
    atomic_store(&r.stop, 1);
    if (started) pthread_join(th, NULL);
    long done = atomic_load(&r.completed);
    if (status == 0) {
        long measured = done - o->warmup;
        long intervals = done - (o->warmup > 0 ? o->warmup : 1);
        double span_s = intervals > 0 ? (double)(r.last_done_ns - r.first_done_ns) / 1e9 : 0;
        /* Answers come a transaction at a time; when the measured ones came within a second
         * (a few transactions) the interval says little, and the rate is taken over the whole
         * run instead, from the first publish (it then includes the pipeline's fill time). */
        if (done > 0 && span_s < 1.0) {
            intervals = done;
            span_s = (double)(r.last_done_ns - t0) / 1e9;
        }
        double *lat = r.latency_ms + (o->warmup < done ? o->warmup : done);
        qsort(lat, (size_t)(measured > 0 ? measured : 0), sizeof(*lat), cmp_double);
        printf("bench=e2e tag=%s format=%s audio=%d offered_per_s=%.0f window=%ld sent=%ld "
               "answered=%ld missing=%ld duplicates=%ld warmup=%ld measured=%ld span_s=%.2f "
               "events_per_s=%.1f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f "
               "report_bytes=%.0f audio_bytes=%.0f audio_s_per_report=%.2f\n",
               o->tag, o->format, o->audio, o->rate, o->window, o->count, done, o->count - done,
               atomic_load(&r.duplicates), o->warmup, measured > 0 ? measured : 0, span_s,
               span_s > 0 ? (double)intervals / span_s : 0, pct(lat, measured, 50),
               pct(lat, measured, 90), pct(lat, measured, 99), pct(lat, measured, 100),
               r.reports ? r.report_bytes / (double)r.reports : 0,
               r.audio_artifacts ? r.audio_bytes / (double)r.audio_artifacts : 0,
               r.audio_artifacts ? r.audio_ms / 1000.0 / (double)r.audio_artifacts : 0);
        if (done < o->count) status = 1;
    }
    if (prod) rd_kafka_destroy(prod);
    if (r.consumer) {
        rd_kafka_consumer_close(r.consumer);
        rd_kafka_destroy(r.consumer);
    }
    buf_fini(&msg);
    free(r.sent_ns);
    free(r.state);
    free(r.chunks_left);
    free(r.latency_ms);
    wire_free(r.w);
    json_decref(tpl);
    return status;
}

struct ceiling {
    rd_kafka_t *consumer;
    long count;
    atomic_long seen;
    atomic_int stop;
    int64_t last_ns;
};

static void *
ceiling_consume(void *arg)
{
    struct ceiling *c = arg;
    while (!atomic_load(&c->stop) && atomic_load(&c->seen) < c->count) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c->consumer, 100);
        if (m == NULL) continue;
        if (!m->err) {
            atomic_fetch_add(&c->seen, 1);
            c->last_ns = now_ns();
        }
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

static int
txn_check(rd_kafka_error_t *error, const char *what)
{
    if (error == NULL) return 0;
    fprintf(stderr, "bench_kafka: %s: %s\n", what, rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return -1;
}

static int
run_ceiling(const struct opts *o)
{
    char txn_id[96], group[96];
    snprintf(txn_id, sizeof(txn_id), "bench-ceiling-%ld", (long)getpid());
    snprintf(group, sizeof(group), "bench-ceiling-reader-%ld", (long)getpid());
    const char *pkv[] = {"acks",
                         "all",
                         "linger.ms",
                         "5",
                         "transactional.id",
                         txn_id,
                         "queue.buffering.max.messages",
                         "1000000"};
    rd_kafka_t *prod = client_new(RD_KAFKA_PRODUCER, o->brokers, pkv, sizeof(pkv) / sizeof(*pkv));
    const char *topics[] = {o->topic};
    struct ceiling c = {.count = o->count};
    c.consumer = consumer_new(o->brokers, topics, 1, group);
    int status = 0;
    pthread_t th;
    int started = 0;
    char *payload = xmalloc((size_t)o->size);
    for (long i = 0; i < o->size; i++) payload[i] = (char)('a' + i % 26);
    if (prod == NULL || c.consumer == NULL ||
        txn_check(rd_kafka_init_transactions(prod, 30000), "init_transactions") != 0 ||
        pthread_create(&th, NULL, ceiling_consume, &c) != 0) {
        status = 70;
        goto out;
    }
    started = 1;
    int64_t t0 = now_ns();
    int open = 0;
    for (long i = 0; i < o->count && status == 0; i++) {
        if (!open) {
            if (txn_check(rd_kafka_begin_transaction(prod), "begin_transaction") != 0) {
                status = 70;
                break;
            }
            open = 1;
        }
        char key[32];
        snprintf(key, sizeof(key), "k%ld", i % 1000);
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(prod, RD_KAFKA_V_TOPIC(o->topic),
                                      RD_KAFKA_V_KEY(key, strlen(key)),
                                      RD_KAFKA_V_VALUE(payload, (size_t)o->size),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(prod, 10);
        if (e) {
            fprintf(stderr, "bench_kafka: produce: %s\n", rd_kafka_err2str(e));
            status = 70;
            break;
        }
        rd_kafka_poll(prod, 0);
        if ((i + 1) % o->txn_every == 0 || i + 1 == o->count) {
            if (txn_check(rd_kafka_commit_transaction(prod, 60000), "commit_transaction") != 0)
                status = 70;
            open = 0;
        }
    }
    int64_t deadline = now_ns() + (int64_t)(o->idle_timeout_s * 1e9);
    while (status == 0 && atomic_load(&c.seen) < o->count && now_ns() < deadline)
        sleep_ns(10000000);
    atomic_store(&c.stop, 1);
    pthread_join(th, NULL);
    started = 0;
    long seen = atomic_load(&c.seen);
    if (status == 0) {
        double span = (double)(c.last_ns - t0) / 1e9;
        printf("bench=ceiling tag=%s size=%ld txn_every=%ld sent=%ld read=%ld span_s=%.2f "
               "messages_per_s=%.1f mb_per_s=%.1f\n",
               o->tag, o->size, o->txn_every, o->count, seen, span,
               span > 0 ? (double)seen / span : 0,
               span > 0 ? (double)seen * (double)o->size / span / 1e6 : 0);
        if (seen < o->count) status = 1;
    }
out:
    if (started) {
        atomic_store(&c.stop, 1);
        pthread_join(th, NULL);
    }
    if (prod) rd_kafka_destroy(prod);
    if (c.consumer) {
        rd_kafka_consumer_close(c.consumer);
        rd_kafka_destroy(c.consumer);
    }
    free(payload);
    return status;
}

static int
usage(void)
{
    fprintf(stderr, "usage: bench_kafka e2e --brokers B --prefix P --template REQ.json --count N\n"
                    "                   [--rate R] [--window W] [--warmup N] [--audio 0|1]\n"
                    "                   [--format json|avro] [--projects N] [--idle-timeout S]\n"
                    "                   [--tag TEXT] [--run-id PREFIX]\n"
                    "       bench_kafka ceiling --brokers B --topic T --size BYTES --count N\n"
                    "                   [--txn-every K] [--tag TEXT]\n");
    return 64;
}

int
main(int argc, char **argv)
{
    struct opts o = {.format = "json",
                     .tag = "-",
                     .window = 0,
                     .projects = 1000,
                     .txn_every = 500,
                     .idle_timeout_s = 30,
                     .size = 0};
    if (argc < 2) return usage();
    o.mode = argv[1];
    for (int i = 2; i < argc; i += 2) {
        if (i + 1 >= argc) return usage();
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--brokers") == 0) o.brokers = v;
        else if (strcmp(k, "--prefix") == 0)
            o.prefix = v;
        else if (strcmp(k, "--topic") == 0)
            o.topic = v;
        else if (strcmp(k, "--template") == 0)
            o.template_path = v;
        else if (strcmp(k, "--format") == 0)
            o.format = v;
        else if (strcmp(k, "--tag") == 0)
            o.tag = v;
        else if (strcmp(k, "--run-id") == 0)
            o.run_id = v;
        else if (strcmp(k, "--count") == 0)
            o.count = atol(v);
        else if (strcmp(k, "--rate") == 0)
            o.rate = atof(v);
        else if (strcmp(k, "--window") == 0)
            o.window = atol(v);
        else if (strcmp(k, "--warmup") == 0)
            o.warmup = atol(v);
        else if (strcmp(k, "--projects") == 0)
            o.projects = atol(v);
        else if (strcmp(k, "--size") == 0)
            o.size = atol(v);
        else if (strcmp(k, "--txn-every") == 0)
            o.txn_every = atol(v);
        else if (strcmp(k, "--audio") == 0)
            o.audio = atoi(v) != 0;
        else if (strcmp(k, "--idle-timeout") == 0)
            o.idle_timeout_s = atof(v);
        else
            return usage();
    }
    if (o.brokers == NULL || o.count < 1 || o.count > MAX_COUNT) return usage();
    if (strcmp(o.mode, "e2e") == 0) {
        if (o.prefix == NULL || o.template_path == NULL || o.rate < 0 || o.window < 0 ||
            (o.run_id != NULL && (strlen(o.run_id) < 1 || strlen(o.run_id) > 40)) || o.warmup < 0 ||
            o.warmup >= o.count || o.projects < 1 ||
            (strcmp(o.format, "json") != 0 && strcmp(o.format, "avro") != 0))
            return usage();
        return run_e2e(&o);
    }
    if (strcmp(o.mode, "ceiling") == 0) {
        if (o.topic == NULL || o.size < 1 || (size_t)o.size > MAX_CEILING_BYTES || o.txn_every < 1)
            return usage();
        return run_ceiling(&o);
    }
    return usage();
}
