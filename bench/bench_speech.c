/* bench/bench_speech.c - audio seconds per CPU second of speech_render(), against its libraries.
 *
 *   bench_speech render  [-r ROUNDS] VOICE SCRIPT.txt...
 *   bench_speech ceiling [-r ROUNDS] VOICE SCRIPT.txt...
 *   bench_speech ceiling-same [-r ROUNDS] VOICE SCRIPT.txt...
 *
 * 'render' calls speech_render() (normalise + synthesise + Ogg Opus, what a speech worker does
 * per job) on every script ROUNDS times and divides the audio produced by the process CPU time.
 * 'ceiling' calls the same libraries directly in a tight loop with their default settings: the
 * synthesiser alone (espeak-ng in synchronous mode, or flite_text_to_wave), then libopusenc alone
 * on the PCM it produced (no ctl call: the library's defaults), on the normalised text so that
 * both modes speak the same words. 'ceiling-same' is the ceiling with the encoder set as
 * speech/encode.c sets it (16 kbit/s, voice signal, wideband, complexity 5), which separates the
 * cost of the codec settings from any cost of speech_render() itself. The modes run in separate
 * processes because both engines keep process-global state. One logfmt line per mode on stdout.
 *
 * Single-threaded; a benchmark, not a test: it fails only on a library or input error.
 */
#include <espeak-ng/espeak_ng.h>
#include <flite/flite.h>
#include <opus/opusenc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "speech.h"
#include "xalloc.h"

#define MAX_SCRIPT_BYTES (1u << 20)     /* a script is under a kilobyte; refuse anything absurd */
#define MAX_PCM_SAMPLES (48000u * 900u) /* the longest PCM the speech library accepts */
#define ENCODE_BLOCK 4096

/* Defined by the flite voice library; its header is not installed. */
cst_voice *register_cmu_us_rms(const char *voxdir);

struct pcm {
    short *s;
    size_t n;
    size_t cap;
    int overflow;
};

static struct pcm *espeak_sink; /* where the synth callback writes; this thread only */

static double
cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
read_script(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > MAX_SCRIPT_BYTES) {
        fprintf(stderr, "%s: not a regular file of at most %u bytes\n", path, MAX_SCRIPT_BYTES);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return NULL;
    }
    char *text = xmalloc((size_t)sb.st_size + 1);
    size_t n = fread(text, 1, (size_t)sb.st_size, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

static void
pcm_append(struct pcm *p, const short *s, size_t n)
{
    if (n > MAX_PCM_SAMPLES - p->n) {
        p->overflow = 1;
        return;
    }
    if (p->n + n > p->cap) {
        while (p->n + n > p->cap) p->cap = p->cap ? p->cap * 2 : 65536;
        p->s = xrealloc(p->s, p->cap * sizeof(*p->s));
    }
    memcpy(p->s + p->n, s, n * sizeof(*s));
    p->n += n;
}

static int
espeak_cb(short *wav, int numsamples, espeak_EVENT *events)
{
    (void)events;
    if (wav != NULL && numsamples > 0 && espeak_sink != NULL)
        pcm_append(espeak_sink, wav, (size_t)numsamples);
    return espeak_sink != NULL && espeak_sink->overflow;
}

static int
count_write(void *user_data, const unsigned char *ptr, opus_int32 len)
{
    (void)ptr;
    *(size_t *)user_data += (size_t)len;
    return 0;
}

static int
count_close(void *user_data)
{
    (void)user_data;
    return 0;
}

/* libopusenc with nothing but the mandatory arguments, or with speech/encode.c's settings when
 * 'same' is set. Returns the Ogg bytes, or 0 on error. */
static size_t
ogg_encode(const struct pcm *p, int rate, int same)
{
    const OpusEncCallbacks cbs = {count_write, count_close};
    size_t bytes = 0;
    int err = OPE_OK;
    OggOpusComments *comments = ope_comments_create();
    OggOpusEnc *enc = ope_encoder_create_callbacks(&cbs, &bytes, comments, rate, 1, 0, &err);
    ope_comments_destroy(comments);
    if (enc == NULL) {
        fprintf(stderr, "opus: %s\n", ope_strerror(err));
        return 0;
    }
    if (same &&
        ((err = ope_encoder_ctl(enc, OPUS_SET_BITRATE(16000))) != OPE_OK ||
         (err = ope_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE))) != OPE_OK ||
         (err = ope_encoder_ctl(enc, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_WIDEBAND))) != OPE_OK ||
         (err = ope_encoder_ctl(enc, OPUS_SET_COMPLEXITY(5))) != OPE_OK)) {
        fprintf(stderr, "opus: %s\n", ope_strerror(err));
        ope_encoder_destroy(enc);
        return 0;
    }
    for (size_t off = 0; off < p->n && err == OPE_OK; off += ENCODE_BLOCK) {
        size_t k = p->n - off < ENCODE_BLOCK ? p->n - off : ENCODE_BLOCK;
        err = ope_encoder_write(enc, p->s + off, (int)k);
    }
    if (err == OPE_OK) err = ope_encoder_drain(enc);
    ope_encoder_destroy(enc);
    if (err != OPE_OK) {
        fprintf(stderr, "opus: %s\n", ope_strerror(err));
        return 0;
    }
    return bytes;
}

static int
run_render(const char *voice, char **scripts, int n, int rounds)
{
    double audio_s = 0, bytes = 0, cpu_normalise = 0;
    double t0 = cpu_s();
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++) {
            struct speech_request req = {.text = scripts[i], .voice = voice};
            struct speech_result res;
            char err[256];
            speech_result_init(&res);
            if (speech_render(&req, &res, err, sizeof(err)) != 0) {
                fprintf(stderr, "speech_render %s: %s\n", voice, err);
                return -1;
            }
            audio_s += res.duration_s;
            bytes += (double)res.audio_len;
            speech_result_fini(&res);
        }
    }
    double cpu = cpu_s() - t0;
    /* the normaliser alone, to say how much of the render it is */
    double t1 = cpu_s();
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++) {
            struct buf out;
            buf_init(&out);
            speech_normalise(scripts[i], &out);
            buf_fini(&out);
        }
    }
    cpu_normalise = cpu_s() - t1;
    printf("bench=speech mode=render voice=%s scripts=%d rounds=%d audio_s=%.1f cpu_s=%.3f "
           "normalise_cpu_s=%.4f audio_s_per_cpu_s=%.1f bytes_per_audio_s=%.0f "
           "audio_s_per_script=%.1f\n",
           voice, n, rounds, audio_s, cpu, cpu_normalise, audio_s / cpu, bytes / audio_s,
           audio_s / (double)(n * rounds));
    return 0;
}

static int
synth_espeak(const char *text, struct pcm *p)
{
    espeak_sink = p;
    espeak_ng_STATUS st = espeak_ng_Synthesize(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
                                               espeakCHARS_UTF8, NULL, NULL);
    espeak_sink = NULL;
    return st == ENS_OK && !p->overflow ? 0 : -1;
}

static int
synth_flite(cst_voice *v, const char *text, struct pcm *p, int *rate)
{
    cst_wave *w = flite_text_to_wave(text, v);
    if (w == NULL) return -1;
    *rate = w->sample_rate;
    pcm_append(p, w->samples, (size_t)w->num_samples);
    delete_wave(w);
    return p->overflow ? -1 : 0;
}

static int
run_ceiling(const char *voice, char **scripts, int n, int rounds, int same)
{
    int is_espeak = strncmp(voice, "espeak-ng:", 10) == 0;
    int is_flite = strcmp(voice, "flite:rms") == 0;
    if (!is_espeak && !is_flite) {
        fprintf(stderr, "ceiling: voices are espeak-ng:NAME and flite:rms\n");
        return -1;
    }
    int rate = 0;
    cst_voice *fv = NULL;
    if (is_espeak) {
        espeak_ng_InitializePath(NULL);
        espeak_ng_ERROR_CONTEXT ctx = NULL;
        if (espeak_ng_Initialize(&ctx) != ENS_OK ||
            espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL) != ENS_OK ||
            espeak_ng_SetVoiceByName(voice + 10) != ENS_OK) {
            fprintf(stderr, "espeak-ng: cannot initialise voice %s\n", voice + 10);
            espeak_ng_ClearErrorContext(&ctx);
            return -1;
        }
        espeak_SetSynthCallback(espeak_cb);
        rate = espeak_ng_GetSampleRate();
    } else {
        flite_init();
        fv = register_cmu_us_rms(NULL);
    }
    /* the same words as render speaks: normalisation is not part of the ceiling */
    char **texts = xcalloc((size_t)n, sizeof(*texts));
    for (int i = 0; i < n; i++) {
        struct buf out;
        buf_init(&out);
        speech_normalise(scripts[i], &out);
        buf_putc(&out, '\0');
        texts[i] = xstrdup(out.data);
        buf_fini(&out);
    }
    double synth_cpu = 0, encode_cpu = 0, audio_s = 0, bytes = 0;
    int status = 0;
    struct pcm p = {0};
    for (int r = 0; r < rounds && status == 0; r++) {
        for (int i = 0; i < n && status == 0; i++) {
            p.n = 0;
            double t0 = cpu_s();
            int rc = is_espeak ? synth_espeak(texts[i], &p) : synth_flite(fv, texts[i], &p, &rate);
            double t1 = cpu_s();
            size_t b = rc == 0 && rate > 0 ? ogg_encode(&p, rate, same) : 0;
            double t2 = cpu_s();
            if (b == 0) {
                fprintf(stderr, "ceiling %s: synthesis or encoding failed on script %d\n", voice,
                        i);
                status = -1;
            }
            synth_cpu += t1 - t0;
            encode_cpu += t2 - t1;
            audio_s += (double)p.n / (double)(rate > 0 ? rate : 1);
            bytes += (double)b;
        }
    }
    if (status == 0) {
        printf("bench=speech mode=%s voice=%s scripts=%d rounds=%d audio_s=%.1f "
               "synth_cpu_s=%.3f encode_cpu_s=%.3f synth_audio_s_per_cpu_s=%.1f "
               "encode_audio_s_per_cpu_s=%.1f audio_s_per_cpu_s=%.1f bytes_per_audio_s=%.0f\n",
               same ? "ceiling_same" : "ceiling", voice, n, rounds, audio_s, synth_cpu, encode_cpu,
               audio_s / synth_cpu, audio_s / encode_cpu, audio_s / (synth_cpu + encode_cpu),
               bytes / audio_s);
    }
    free(p.s);
    for (int i = 0; i < n; i++) free(texts[i]);
    free(texts);
    if (is_espeak) espeak_ng_Terminate();
    return status;
}

int
main(int argc, char **argv)
{
    int rounds = 1, arg = 2;
    if (argc > 3 && strcmp(argv[2], "-r") == 0) {
        rounds = atoi(argv[3]);
        arg = 4;
    }
    const char *mode = argc > 1 ? argv[1] : "";
    int render = strcmp(mode, "render") == 0, same = strcmp(mode, "ceiling-same") == 0;
    if (argc < arg + 2 || rounds < 1 || (!render && !same && strcmp(mode, "ceiling") != 0)) {
        fprintf(stderr, "usage: bench_speech render|ceiling|ceiling-same [-r ROUNDS] VOICE "
                        "SCRIPT.txt...\n");
        return 64;
    }
    const char *voice = argv[arg++];
    int n = argc - arg;
    char **scripts = xcalloc((size_t)n, sizeof(*scripts));
    int status = 0;
    for (int i = 0; i < n; i++)
        if ((scripts[i] = read_script(argv[arg + i])) == NULL) status = 65;
    if (status == 0) {
        int rc = render ? run_render(voice, scripts, n, rounds)
                        : run_ceiling(voice, scripts, n, rounds, same);
        if (rc != 0) status = 70;
    }
    for (int i = 0; i < n; i++) free(scripts[i]);
    free(scripts);
    return status;
}
