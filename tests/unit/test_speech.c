/* tests/unit/test_speech.c - the speech module: normaliser table, engines, codecs, worker pool.
 *
 * The pool tests need worker processes: this binary is its own worker. Run with
 * "--speech-worker" it serves jobs through speech_worker_main() on SPEECH_WORKER_FD, exactly as
 * the daemon does; run with "--hang-worker" it reads jobs and never answers (to test timeouts).
 * The crash test sends espeak-ng 1.51 the text that overflows one of its buffers ("s'" 70 times,
 * verbatim) and checks that only that job fails and the pool keeps serving. Decoding checks use
 * opusinfo from opus-tools.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "bounds.h"
#include "speech.h"
#include "speech_int.h"
#include "xalloc.h"

#define main check_main_
#include "check.h"

/* ---- normaliser ------------------------------------------------------------------------------ */

static const struct {
    const char *in;
    const char *want;
} norm_table[] = {
    {"2,500 rows", "two thousand five hundred rows"},
    {"$18,400/month", "eighteen thousand four hundred dollars a month"},
    {"~$18,400/month", "about eighteen thousand dollars a month"},
    {"about $18,400 a month", "about eighteen thousand dollars a month"},
    {"99.9%", "ninety nine point nine percent"},
    {"99.95 % uptime", "ninety nine point nine five percent uptime"},
    {"2 TB/day", "two terabytes a day"},
    {"1 TB", "one terabyte"},
    {"150k events/s", "one hundred fifty thousand events a second"},
    {"2.5k rows", "two thousand five hundred rows"},
    {"1.2M users", "one point two million users"},
    {"5 min", "five minutes"},
    {"200ms", "two hundred milliseconds"},
    {"under 5 s", "under five seconds"},
    {"10GB", "ten gigabytes"},
    {"40 Gbps", "forty gigabits a second"},
    {"p99 latency", "p ninety nine latency"},
    {"X2B deals, v2 of 3B rows", "X two B deals, v two of three billion rows"},
    {"B2B SaaS on CloudFront", "B to B sass on cloud front"},
    {"gps pings, rclone to Ceph", "G-P-S pings, R clone to seff"},
    {"serverless Synapse", "server less Synapse"},
    {"2-3 nodes", "two to three nodes"},
    {"2\xe2\x80\x93"
     "3 TB",
     "two to three terabytes"},
    {"1st, 2nd, 3rd, 11th, 21st, 40th", "first, second, third, eleventh, twenty first, fortieth"},
    {"$0.50", "fifty cents"},
    {"$1.00", "one dollar"},
    {"$18,400.50", "eighteen thousand four hundred dollars and fifty cents"},
    {"$1.2M", "one point two million dollars"},
    {"$0.023/GB", "zero point zero two three dollars per gigabyte"},
    {"$250", "two hundred fifty dollars"},
    {"\xe2\x82\xac"
     "90/TB",
     "ninety euros per terabyte"},
    {"3x faster", "three times faster"},
    {"-5 degrees", "minus five degrees"},
    {"by 06:00, 7am or 18:00", "by six o'clock, seven A M or eighteen hundred"},
    {"IPs and VMs", "I-Ps and V-Ms"},
    {"on AWS with KYC", "on A-W-S with K-Y-C"},
    {"Confirm the assumptions.Again: see example.com or v2.1.",
     "Confirm the assumptions. Again: see example dot com or v two point one."},
    {"1 MB/s or 1,000 records/s", "one megabyte a second or one thousand records a second"},
    {"0.5 TB, 1.5 GB and 1 PB",
     "zero point five terabytes, one point five gigabytes and one petabyte"},
    {"10%-20% of $5/user", "ten percent to twenty percent of five dollars per user"},
    {"p50/p99, 3:1", "p fifty or p ninety nine, three to one"},
    {"policies (15 GB/day). Then", "policies, fifteen gigabytes a day. Then"},
    {"librdkafka 2.0.2", "librdkafka two point zero point two"},
    {"On 2026-11-27 at 14:05",
     "On November twenty seventh, two thousand twenty six at fourteen oh five"},
    {"12345678901234567890", "one two three four five six seven eight nine zero one two three "
                             "four five six seven eight nine zero"},
    {"dbt on S3", "D-B-T on S three"},
    {"PySpark and Kinesis", "pie spark and kinnesis"},
    {"ADLS Gen2", "A-D-L-S gen two"},
    {"SQL", "S-Q-L"},
    {"Amazon S3 on AWS, T-SQL", "amma zonn S three on A-W-S, T-S-Q-L"},
    {"ETL/ELT", "E-T-L or E-L-T"},
    {"Iceberg tables with Debezium", "Iceberg tables with deh bee zee um"},
    {"billed per TB, tens of GB a day, a GB",
     "billed per terabyte, tens of gigabytes a day, a gigabyte"},
    {"I am on GBP, MBA", "I am on G-B-P, M-B-A"},
    {"GCS and Parquet", "G-C-S and par kay"},
    {"Kafka's topics feed Flink", "kafka's topics feed flink"},
    {"BigQuery or Postgres", "big query or post gress"},
    {"GDPR and APIs", "G-D-P-R and A-P-Is"},
    {"ClickStream", "Click Stream"},
    {"IMPORTANT note", "important note"},
    {"read/write", "read or write"},
    {"e.g. batch", "for example batch"},
    {"A & B", "A and B"},
    {"a <speak>b</speak> [[c]] {d} `e` \\f", "a less than speak more than b less than speak more "
                                             "than c d e f"},
    {"one\x01two\x1b[0m three", "one two three"},
    {"## Summary\n- Use Kafka\n- Cost ~$2,350/mo",
     "Summary.\nUse kafka.\nCost about two thousand four hundred dollars a month"},
    {"bad \xff\xfe utf8 caf\xc3\xa9", "bad utf eight caf\xc3\xa9"},
    {"", ""},
};

static void
test_normalise_table(void)
{
    for (size_t i = 0; i < PW_ARRAY_LEN(norm_table); i++) {
        struct buf b;
        buf_init(&b);
        speech_normalise(norm_table[i].in, &b);
        CHECK_STR(b.data ? b.data : "", norm_table[i].want);
        buf_fini(&b);
    }
}

static void
test_normalise_appends(void)
{
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "Intro: ");
    speech_normalise("5 TB", &b);
    CHECK_STR(b.data, "Intro: five terabytes");
    buf_fini(&b);
}

/* The espeak-ng 1.51 crash input comes out with at most one apostrophe per word. */
static void
test_normalise_defuses_apostrophes(void)
{
    struct buf in, out;
    buf_init(&in);
    buf_init(&out);
    for (int i = 0; i < 70; i++) buf_puts(&in, "s'");
    speech_normalise(in.data, &out);
    CHECK(out.len > 0);
    int max_in_word = 0, cur = 0;
    for (size_t i = 0; i < out.len; i++) {
        if (out.data[i] == ' ') cur = 0;
        else if (out.data[i] == '\'' && ++cur > max_in_word)
            max_in_word = cur;
    }
    CHECK(max_in_word <= 1);
    buf_fini(&in);
    buf_fini(&out);
}

/* Long input is cut at a sentence end within the bound; control characters never survive. */
static void
test_normalise_bound(void)
{
    struct buf in, out;
    buf_init(&in);
    buf_init(&out);
    for (int i = 0; i < 2000; i++) buf_printf(&in, "Sentence %d costs $%d,500 a month.\x07 ", i, i);
    speech_normalise(in.data, &out);
    CHECK(out.len > PW_MAX_SPEECH_CHARS / 2);
    CHECK(out.len <= PW_MAX_SPEECH_CHARS);
    CHECK(out.len > 0 && out.data[out.len - 1] == '.');
    CHECK(memchr(out.data, '\x07', out.len) == NULL);
    buf_fini(&in);
    buf_fini(&out);

    /* the cut ends a whole sentence: never inside a number, a unit or a dotted name */
    buf_init(&in);
    buf_init(&out);
    for (int i = 0; i < 200; i++)
        buf_puts(&in, "Shards take 1 MB/s or 1,000 records/s, 1.5 TB a day on node.js v2.1. ");
    speech_normalise(in.data, &out);
    CHECK(out.len <= PW_MAX_SPEECH_CHARS);
    static const char tail[] = "one point five terabytes a day on node J-S v two point one.";
    CHECK(out.len > sizeof(tail) &&
          memcmp(out.data + out.len - (sizeof(tail) - 1), tail, sizeof(tail) - 1) == 0);
    buf_fini(&in);
    buf_fini(&out);

    /* a single endless word is still cut, and the cut never splits a UTF-8 sequence */
    buf_init(&in);
    buf_init(&out);
    for (int i = 0; i < 3000; i++) buf_puts(&in, "\xc3\xa9");
    speech_normalise(in.data, &out);
    CHECK(out.len <= PW_MAX_SPEECH_CHARS);
    CHECK(out.len % 2 == 0);
    buf_fini(&in);
    buf_fini(&out);
}

/* Returns 1 when 'p' is valid UTF-8 (no overlong forms, no surrogates). */
static int
valid_utf8(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xe0) == 0xc0 ? 2
                     : (c & 0xf0) == 0xe0 ? 3
                     : (c & 0xf8) == 0xf0 ? 4
                                          : 0;
        if (len == 0 || i + len > n) return 0;
        uint32_t v = len == 1 ? c : len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80) return 0;
            v = (v << 6) | (p[i + k] & 0x3fu);
        }
        static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
        i += len;
    }
    return 1;
}

/* Random bytes, biased towards digits, units and symbols: the output is always bounded, valid
 * UTF-8 and free of control characters and markup. */
static void
test_normalise_random_input(void)
{
    static const char alphabet[] = "0123456789,.$%/-~:'kMBsTGhx ECDSQLPabyz<>&[]{}\\`\n\x01\x1b"
                                   "\xc3\xa9\xe2\x80\x93\xe2\x82\xac\xff";
    uint32_t x = 2463534242u;
    int bad = 0;
    for (int round = 0; round < 3000 && !bad; round++) {
        char in[600];
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        size_t n = x % (sizeof(in) - 1);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            in[i] = (x & 0x300) ? alphabet[x % (sizeof(alphabet) - 1)] : (char)(x & 0xff);
            if (in[i] == '\0') in[i] = ' ';
        }
        in[n] = '\0';
        struct buf out;
        buf_init(&out);
        speech_normalise(in, &out);
        const unsigned char *o = (const unsigned char *)(out.data ? out.data : "");
        if (out.len > PW_MAX_SPEECH_CHARS || !valid_utf8(o, out.len)) bad = 1;
        for (size_t i = 0; i < out.len; i++)
            if ((o[i] < 0x20 && o[i] != '\n') || strchr("<>&[]{}\\`", o[i]) != NULL) bad = 1;
        if (bad) fprintf(stderr, "  input %d: \"%s\" -> \"%s\"\n", round, in, (const char *)o);
        buf_fini(&out);
    }
    CHECK(bad == 0);
}

/* ---- voices and codecs ----------------------------------------------------------------------- */

static void
test_voice_and_codec_names(void)
{
    char err[256];
    CHECK(speech_voice_check("espeak-ng:en-us", err, sizeof(err)) == 0);
    CHECK(speech_voice_check("espeak-ng:en-gb", err, sizeof(err)) == 0);
    CHECK(speech_voice_check("flite:rms", err, sizeof(err)) == 0);
    CHECK(speech_voice_check("flite:slt", err, sizeof(err)) == 0);
    CHECK(speech_voice_check("flite:kal16", err, sizeof(err)) == 0);
    CHECK(speech_voice_check(SPEECH_DEFAULT_VOICE, err, sizeof(err)) == 0);
    CHECK(speech_voice_check("flite:awb", err, sizeof(err)) == -1);
    CHECK(strstr(err, "flite:awb") != NULL);
    CHECK(speech_voice_check("espeak-ng:mb-us1", err, sizeof(err)) == -1);
    CHECK(speech_voice_check("en-us", err, sizeof(err)) == -1);
    CHECK(speech_voice_check("espeak-ng", err, sizeof(err)) == -1);
    CHECK(speech_voice_check("", err, sizeof(err)) == -1);
    CHECK(speech_voice_check(NULL, err, sizeof(err)) == -1);
    CHECK(speech_codec_parse("opus") == SPEECH_CODEC_OPUS);
    CHECK(speech_codec_parse("wav") == SPEECH_CODEC_WAV);
    CHECK(speech_codec_parse("mp3") == -1);
    CHECK(speech_codec_parse(NULL) == -1);
    CHECK_STR(speech_codec_name(SPEECH_CODEC_OPUS), "opus");
    CHECK_STR(speech_codec_name(SPEECH_CODEC_WAV), "wav");
}

static const char summary_text[] =
    "Executive summary. Stream 2 TB/day of clickstream events from Kafka at 150k events/s into "
    "Iceberg tables on S3, processed by Flink with a p99 under 200 ms. Batch models run in dbt "
    "on BigQuery. The platform costs about $18,400/month and meets 99.9% availability.";

/* Playback length in seconds as reported by opusinfo for 'path', or -1. */
static double
opusinfo_seconds(const char *path)
{
    char cmd[512], line[512];
    double secs = -1;
    snprintf(cmd, sizeof(cmd), "opusinfo '%s' 2>&1", path);
    FILE *f = popen(cmd, "r");
    if (f == NULL) return -1;
    while (fgets(line, sizeof(line), f)) {
        int m;
        double s;
        const char *p = strstr(line, "Playback length:");
        if (p && sscanf(p, "Playback length: %dm:%lfs", &m, &s) == 2) secs = m * 60 + s;
    }
    if (pclose(f) != 0) return -1;
    return secs;
}

static int
write_file(const char *path, const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) return -1;
    int bad = fwrite(p, 1, n, f) != n;
    bad |= fclose(f) != 0;
    return bad ? -1 : 0;
}

/* Renders 'voice' to Opus and checks the container, the figures and the decode. */
static void
check_opus_voice(const char *voice, int want_rate)
{
    struct speech_request req = {.text = summary_text, .voice = voice};
    struct speech_result res;
    char err[256], path[64];
    CHECK(speech_render(&req, &res, err, sizeof(err)) == 0);
    if (res.audio == NULL) {
        fprintf(stderr, "  %s: %s\n", voice, err);
        return;
    }
    CHECK(res.audio_len > 4 && memcmp(res.audio, "OggS", 4) == 0);
    CHECK(res.sample_rate == want_rate);
    CHECK(res.duration_s > 8 && res.duration_s < 40);
    CHECK_STR(res.voice, voice);
    CHECK(res.codec == SPEECH_CODEC_OPUS);
    CHECK(strstr(res.spoken_text, "two terabytes a day") != NULL);
    CHECK(strstr(res.spoken_text, "$") == NULL);
    /* the size target: at most 2.1 KB per audio second */
    CHECK(res.audio_len / res.duration_s <= 2100);
    snprintf(path, sizeof(path), "/tmp/pw_test_speech_%d.ogg", (int)getpid());
    CHECK(write_file(path, res.audio, res.audio_len) == 0);
    double decoded = opusinfo_seconds(path);
    CHECK(decoded > 0);
    CHECK(decoded >= res.duration_s * 0.8 && decoded <= res.duration_s * 1.2);
    unlink(path);
    speech_result_fini(&res);
}

static void
test_render_espeak_opus(void)
{
    check_opus_voice("espeak-ng:en-us", 22050);
}

static void
test_render_flite_opus(void)
{
    check_opus_voice("flite:rms", 16000);
    check_opus_voice("flite:slt", 16000);
    check_opus_voice("flite:kal16", 16000);
}

static uint32_t
le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
test_render_wav(void)
{
    struct speech_request req = {.text = "Three terabytes.",
                                 .voice = "flite:slt",
                                 .codec = SPEECH_CODEC_WAV};
    struct speech_result res;
    char err[256];
    CHECK(speech_render(&req, &res, err, sizeof(err)) == 0);
    if (res.audio == NULL) return;
    CHECK(res.codec == SPEECH_CODEC_WAV);
    CHECK(res.audio_len > 44 && memcmp(res.audio, "RIFF", 4) == 0);
    CHECK(memcmp(res.audio + 8, "WAVEfmt ", 8) == 0);
    CHECK(le32(res.audio + 4) == res.audio_len - 8);
    CHECK(le32(res.audio + 24) == 16000);
    CHECK(le32(res.audio + 40) == res.audio_len - 44);
    CHECK_NEAR(res.duration_s, (res.audio_len - 44) / 2.0 / 16000, 1e-9);
    speech_result_fini(&res);
}

/* A slower rate gives longer audio, for both engines. */
static void
test_render_rate(void)
{
    const char *voices[] = {"espeak-ng:en-us", "flite:rms"};
    for (size_t v = 0; v < PW_ARRAY_LEN(voices); v++) {
        struct speech_request req = {.text = summary_text, .voice = voices[v], .rate_wpm = 100};
        struct speech_result slow, fast;
        char err[256];
        CHECK(speech_render(&req, &slow, err, sizeof(err)) == 0);
        req.rate_wpm = 250;
        CHECK(speech_render(&req, &fast, err, sizeof(err)) == 0);
        CHECK(slow.duration_s > fast.duration_s * 1.5);
        speech_result_fini(&slow);
        speech_result_fini(&fast);
    }
}

static void
test_render_errors(void)
{
    struct speech_request req = {.text = "hello", .voice = "flite:nobody"};
    struct speech_result res;
    char err[256];
    CHECK(speech_render(&req, &res, err, sizeof(err)) == -1);
    CHECK(strstr(err, "unknown voice") != NULL);
    CHECK(res.audio == NULL && res.spoken_text == NULL);
    req.voice = NULL;
    req.rate_wpm = 20;
    CHECK(speech_render(&req, &res, err, sizeof(err)) == -1);
    CHECK(strstr(err, "rate") != NULL);
    req.rate_wpm = 0;
    req.text = "\x01\x02 `` ";
    CHECK(speech_render(&req, &res, err, sizeof(err)) == -1);
    CHECK(strstr(err, "empty") != NULL);
    req.text = NULL;
    CHECK(speech_render(&req, &res, err, sizeof(err)) == -1);
}

/* Same text, same process, same voice: the diphone voice kal16 gives the same PCM each time, and
 * so the same Opus bytes (fixed serial number). espeak-ng and the clustergen voices rms and slt
 * vary between calls in one process (measured), so they are not asked to. */
static void
test_render_deterministic_container(void)
{
    struct speech_request req = {.text = "Nine terabytes a day.", .voice = "flite:kal16"};
    struct speech_result a, b;
    char err[256];
    CHECK(speech_render(&req, &a, err, sizeof(err)) == 0);
    CHECK(speech_render(&req, &b, err, sizeof(err)) == 0);
    CHECK(a.audio_len == b.audio_len && a.audio && b.audio &&
          memcmp(a.audio, b.audio, a.audio_len) == 0);
    speech_result_fini(&a);
    speech_result_fini(&b);
}

/* ---- worker protocol ------------------------------------------------------------------------- */

static void
test_proto_round_trip(void)
{
    struct speech_request req = {.text = "hello 5 TB",
                                 .voice = "flite:rms",
                                 .rate_wpm = 170,
                                 .codec = SPEECH_CODEC_WAV,
                                 .verbatim = 1};
    struct speech_request got;
    struct buf f;
    buf_init(&f);
    speech_proto_request_encode_(&req, &f);
    CHECK(f.len > 4);
    CHECK(speech_proto_request_decode_((unsigned char *)f.data + 4, f.len - 4, &got) == 0);
    CHECK_STR(got.text, "hello 5 TB");
    CHECK_STR(got.voice, "flite:rms");
    CHECK(got.rate_wpm == 170 && got.codec == SPEECH_CODEC_WAV && got.verbatim == 1);
    free((char *)got.text);
    free((char *)got.voice);
    /* every truncation is refused, none crashes */
    for (size_t n = 0; n < f.len - 4; n++)
        CHECK(speech_proto_request_decode_((unsigned char *)f.data + 4, n, &got) == -1);

    unsigned char audio[3] = {1, 2, 3};
    struct speech_result res = {
        audio, 3, 16000, 1.25, (char *)"five", (char *)"flite:rms", SPEECH_CODEC_OPUS};
    struct speech_result back;
    char err[64];
    buf_reset(&f);
    speech_proto_reply_encode_(&res, NULL, &f);
    CHECK(speech_proto_reply_decode_((unsigned char *)f.data + 4, f.len - 4, &back, err,
                                     sizeof(err)) == 0);
    CHECK(back.audio_len == 3 && back.audio && memcmp(back.audio, audio, 3) == 0);
    CHECK(back.sample_rate == 16000);
    CHECK_NEAR(back.duration_s, 1.25, 1e-6);
    CHECK_STR(back.spoken_text, "five");
    CHECK_STR(back.voice, "flite:rms");
    speech_result_fini(&back);
    for (size_t n = 0; n < f.len - 4; n++)
        CHECK(speech_proto_reply_decode_((unsigned char *)f.data + 4, n, &back, err, sizeof(err)) ==
              -1);

    buf_reset(&f);
    speech_proto_reply_encode_(NULL, "synthesis failed", &f);
    CHECK(speech_proto_reply_decode_((unsigned char *)f.data + 4, f.len - 4, &back, err,
                                     sizeof(err)) == 1);
    CHECK_STR(err, "synthesis failed");
    buf_fini(&f);
}

/* ---- worker pool ----------------------------------------------------------------------------- */

struct outcome {
    int done;
    int ok;
    char error[400];
    double duration_s;
    int sample_rate;
    int is_ogg;
    struct event_base *base;
    int *remaining; /* break the loop when it reaches 0 */
};

static void
on_done(struct speech_result *res, const char *error, void *arg)
{
    struct outcome *o = arg;
    o->done = 1;
    if (res) {
        o->ok = 1;
        o->duration_s = res->duration_s;
        o->sample_rate = res->sample_rate;
        o->is_ogg = res->audio_len > 4 && memcmp(res->audio, "OggS", 4) == 0;
        speech_result_fini(res);
    } else {
        snprintf(o->error, sizeof(o->error), "%s", error);
    }
    if (o->remaining && --*o->remaining == 0) event_base_loopbreak(o->base);
}

static struct speech_pool *
pool_start(struct event_base *base, unsigned workers, const char *arg, unsigned timeout_ms,
           unsigned max_queue)
{
    struct speech_pool_config cfg = {workers, "/proc/self/exe", arg, timeout_ms, max_queue};
    char err[256];
    struct speech_pool *p = speech_pool_new(base, &cfg, err, sizeof(err));
    if (p == NULL) fprintf(stderr, "  speech_pool_new: %s\n", err);
    return p;
}

/* Runs 'base' until the outcomes are in or 'seconds' pass. */
static void
run_loop(struct event_base *base, int seconds)
{
    struct timeval tv = {seconds, 0};
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
}

static void
test_pool_serves_jobs(void)
{
    struct event_base *base = event_base_new();
    struct speech_pool *p = pool_start(base, 2, "--speech-worker", 0, 0);
    CHECK(p != NULL);
    if (p == NULL) {
        event_base_free(base);
        return;
    }
    enum { N = 5 };
    struct outcome o[N];
    int remaining = N;
    const char *voices[N] = {"espeak-ng:en-us", "flite:rms", "flite:slt", "flite:kal16", NULL};
    memset(o, 0, sizeof(o));
    for (int i = 0; i < N; i++) {
        struct speech_request req = {.text = "The lake holds 40 TB.", .voice = voices[i]};
        o[i].base = base;
        o[i].remaining = &remaining;
        CHECK(speech_pool_submit(p, &req, on_done, &o[i]) == 0);
    }
    /* callbacks never run inside submit */
    for (int i = 0; i < N; i++) CHECK(o[i].done == 0);
    CHECK(speech_pool_depth(p) == N);
    run_loop(base, 60);
    for (int i = 0; i < N; i++) {
        CHECK(o[i].ok == 1);
        CHECK(o[i].is_ogg == 1);
        CHECK(o[i].duration_s > 0.5);
        if (!o[i].ok) fprintf(stderr, "  job %d: %s\n", i, o[i].error);
    }
    CHECK(o[0].sample_rate == 22050 && o[1].sample_rate == 16000);
    CHECK(speech_pool_depth(p) == 0);
    CHECK(speech_pool_restarts(p) == 0);
    speech_pool_free(p);
    event_base_free(base);
}

/* The real espeak-ng 1.51 aborts on 70 x "s'": the job fails, the others succeed. */
static void
test_pool_survives_engine_crash(void)
{
    struct event_base *base = event_base_new();
    struct speech_pool *p = pool_start(base, 1, "--speech-worker", 0, 0);
    CHECK(p != NULL);
    if (p == NULL) {
        event_base_free(base);
        return;
    }
    char crash[200] = "";
    for (int i = 0; i < 70; i++) strcat(crash, "s'");
    struct outcome before = {0}, bad = {0}, after = {0}, also = {0};
    int remaining = 4;
    struct outcome *all[] = {&before, &bad, &after, &also};
    for (size_t i = 0; i < PW_ARRAY_LEN(all); i++) {
        all[i]->base = base;
        all[i]->remaining = &remaining;
    }
    struct speech_request ok_req = {.text = "Before the crash, 3 TB.", .voice = "espeak-ng:en-us"};
    struct speech_request bad_req = {.text = crash, .voice = "espeak-ng:en-us", .verbatim = 1};
    CHECK(speech_pool_submit(p, &ok_req, on_done, &before) == 0);
    CHECK(speech_pool_submit(p, &bad_req, on_done, &bad) == 0);
    CHECK(speech_pool_submit(p, &ok_req, on_done, &after) == 0);
    /* the same text through the normaliser is harmless */
    bad_req.verbatim = 0;
    CHECK(speech_pool_submit(p, &bad_req, on_done, &also) == 0);
    run_loop(base, 60);
    CHECK(before.ok == 1);
    CHECK(bad.done == 1 && bad.ok == 0);
    CHECK(strstr(bad.error, "worker") != NULL);
    CHECK(after.ok == 1);
    CHECK(also.ok == 1);
    CHECK(speech_pool_restarts(p) == 1);
    fprintf(stderr, "  crash job error: %s\n", bad.error);
    speech_pool_free(p);
    event_base_free(base);
}

static void
test_pool_timeout_kills_worker(void)
{
    struct event_base *base = event_base_new();
    struct speech_pool *p = pool_start(base, 1, "--hang-worker", 300, 0);
    CHECK(p != NULL);
    if (p == NULL) {
        event_base_free(base);
        return;
    }
    struct outcome a = {0}, b = {0};
    int remaining = 2;
    a.base = b.base = base;
    a.remaining = b.remaining = &remaining;
    struct speech_request req = {.text = "never answered"};
    CHECK(speech_pool_submit(p, &req, on_done, &a) == 0);
    CHECK(speech_pool_submit(p, &req, on_done, &b) == 0);
    run_loop(base, 20);
    CHECK(a.done && !a.ok && strstr(a.error, "timed out") != NULL);
    CHECK(b.done && !b.ok && strstr(b.error, "timed out") != NULL);
    CHECK(speech_pool_restarts(p) == 2);
    speech_pool_free(p);
    event_base_free(base);
}

static void
test_pool_queue_bound_and_free(void)
{
    struct event_base *base = event_base_new();
    struct speech_pool *p = pool_start(base, 1, "--hang-worker", 0, 2);
    CHECK(p != NULL);
    if (p == NULL) {
        event_base_free(base);
        return;
    }
    struct outcome o[3];
    memset(o, 0, sizeof(o));
    struct speech_request req = {.text = "queued"};
    CHECK(speech_pool_submit(p, &req, on_done, &o[0]) == 0);
    CHECK(speech_pool_submit(p, &req, on_done, &o[1]) == 0);
    CHECK(speech_pool_submit(p, &req, on_done, &o[2]) == -1);
    /* one job starts on the hanging worker; then one place is free again */
    struct timeval tv = {0, 200000};
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
    CHECK(speech_pool_depth(p) == 2);
    CHECK(speech_pool_submit(p, &req, on_done, &o[2]) == 0);
    CHECK(speech_pool_depth(p) == 3);
    speech_pool_free(p);
    for (int i = 0; i < 3; i++) {
        CHECK(o[i].done == 1 && o[i].ok == 0);
        CHECK(strstr(o[i].error, "stopped") != NULL);
    }
    event_base_free(base);
}

struct free_from_cb {
    struct speech_pool *p;
    int calls;
};

static void
on_done_free(struct speech_result *res, const char *error, void *arg)
{
    struct free_from_cb *f = arg;
    (void)error;
    if (res) speech_result_fini(res);
    if (f->calls++ == 0) speech_pool_free(f->p);
}

/* speech_pool_free() from a callback is deferred; the other job is failed, not lost. */
static void
test_pool_free_from_callback(void)
{
    struct event_base *base = event_base_new();
    struct speech_pool *p = pool_start(base, 1, "--speech-worker", 0, 0);
    CHECK(p != NULL);
    if (p == NULL) {
        event_base_free(base);
        return;
    }
    struct free_from_cb f = {p, 0};
    struct speech_request req = {.text = "one", .voice = "flite:slt"};
    CHECK(speech_pool_submit(p, &req, on_done_free, &f) == 0);
    CHECK(speech_pool_submit(p, &req, on_done_free, &f) == 0);
    run_loop(base, 10);
    CHECK(f.calls == 2);
    event_base_free(base);
}

/* A missing program is a configuration error; a worker that exits at once fails its job and
 * is restarted with a backoff instead of in a tight loop. */
static void
test_pool_bad_worker(void)
{
    struct event_base *base = event_base_new();
    struct speech_pool_config cfg = {1, "/nonexistent/pipewrightd", "--speech-worker", 0, 0};
    char err[256];
    CHECK(speech_pool_new(base, &cfg, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "/nonexistent/pipewrightd") != NULL);

    cfg.worker_exe = "/bin/true";
    struct speech_pool *p = speech_pool_new(base, &cfg, err, sizeof(err));
    CHECK(p != NULL);
    if (p == NULL) {
        event_base_free(base);
        return;
    }
    struct outcome o = {0};
    int remaining = 1;
    o.base = base;
    o.remaining = &remaining;
    struct speech_request req = {.text = "nobody listens"};
    CHECK(speech_pool_submit(p, &req, on_done, &o) == 0);
    run_loop(base, 10);
    CHECK(o.done && !o.ok);
    CHECK(strstr(o.error, "exited with status 0") != NULL);
    /* let the restarted workers exit too: 0 ms, then 100, 200, 400 ms of backoff */
    run_loop(base, 1);
    unsigned long r = speech_pool_restarts(p);
    CHECK(r >= 2 && r <= 6);
    speech_pool_free(p);
    event_base_free(base);
}

static const struct check_case cases[] = {
    {"normalise_table", test_normalise_table},
    {"normalise_appends", test_normalise_appends},
    {"normalise_defuses_apostrophes", test_normalise_defuses_apostrophes},
    {"normalise_bound", test_normalise_bound},
    {"normalise_random_input", test_normalise_random_input},
    {"voice_and_codec_names", test_voice_and_codec_names},
    {"render_espeak_opus", test_render_espeak_opus},
    {"render_flite_opus", test_render_flite_opus},
    {"render_wav", test_render_wav},
    {"render_rate", test_render_rate},
    {"render_errors", test_render_errors},
    {"render_deterministic_container", test_render_deterministic_container},
    {"proto_round_trip", test_proto_round_trip},
    {"pool_serves_jobs", test_pool_serves_jobs},
    {"pool_survives_engine_crash", test_pool_survives_engine_crash},
    {"pool_timeout_kills_worker", test_pool_timeout_kills_worker},
    {"pool_queue_bound_and_free", test_pool_queue_bound_and_free},
    {"pool_free_from_callback", test_pool_free_from_callback},
    {"pool_bad_worker", test_pool_bad_worker},
};

CHECK_MAIN(cases)
#undef main

/* A worker that reads requests and never answers: the pool must time it out. */
static int
hang_worker(int fd)
{
    char chunk[4096];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n == 0 || (n < 0 && errno != EINTR)) return 0;
    }
}

int
main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--speech-worker") == 0)
        return speech_worker_main(SPEECH_WORKER_FD);
    if (argc >= 2 && strcmp(argv[1], "--hang-worker") == 0) return hang_worker(SPEECH_WORKER_FD);
    return check_main_(argc, argv);
}
