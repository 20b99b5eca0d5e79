/* speech/render.c - one synthesis in this process: normalise, pick the engine, encode.
 *
 * Owns the public result type, voice names and codec names. speech_render() calls the engines,
 * which keep global state and may abort on hostile text: only short-lived processes (the CLI, a
 * pool worker, tests) call it. Thread: one at a time per process.
 */
#include "speech_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "bounds.h"
#include "xalloc.h"

struct engine {
    const char *name; /* before the ':' */
    int (*has_voice)(const char *voice);
    int (*synth)(const char *voice, const char *text, int rate_wpm, struct speech_pcm_ *pcm,
                 char *errstr, size_t errstr_size);
};

static const struct engine engines[] = {
    {"espeak-ng", speech_espeak_has_voice_, speech_espeak_synth_},
    {"flite", speech_flite_has_voice_, speech_flite_synth_},
};

void
speech_result_init(struct speech_result *res)
{
    memset(res, 0, sizeof(*res));
}

void
speech_result_fini(struct speech_result *res)
{
    free(res->audio);
    free(res->spoken_text);
    free(res->voice);
    speech_result_init(res);
}

const char *
speech_codec_name(enum speech_codec c)
{
    return c == SPEECH_CODEC_WAV ? "wav" : "opus";
}

int
speech_codec_parse(const char *s)
{
    if (s == NULL) return -1;
    if (strcmp(s, "opus") == 0) return SPEECH_CODEC_OPUS;
    if (strcmp(s, "wav") == 0) return SPEECH_CODEC_WAV;
    return -1;
}

/* Splits "ENGINE:VOICE"; returns the engine and points '*voice' after the colon, or NULL. */
static const struct engine *
lookup(const char *name, const char **voice)
{
    const char *colon = strchr(name, ':');
    if (colon == NULL || strlen(name) > SPEECH_MAX_VOICE_) return NULL;
    for (size_t i = 0; i < PW_ARRAY_LEN(engines); i++) {
        size_t el = strlen(engines[i].name);
        if ((size_t)(colon - name) == el && memcmp(name, engines[i].name, el) == 0 &&
            engines[i].has_voice(colon + 1)) {
            *voice = colon + 1;
            return &engines[i];
        }
    }
    return NULL;
}

int
speech_voice_check(const char *voice, char *errstr, size_t errstr_size)
{
    const char *v;
    if (voice != NULL && lookup(voice, &v) != NULL) return 0;
    snprintf(errstr, errstr_size,
             "unknown voice '%.64s' (want espeak-ng:en-us, espeak-ng:en-gb, flite:rms, "
             "flite:slt or flite:kal16)",
             voice ? voice : "(null)");
    return -1;
}

/* FNV-1a: a fixed Ogg serial per (voice, text), so equal PCM encodes to equal bytes. */
static uint32_t
serial_of(const char *voice, const char *text)
{
    uint32_t h = 2166136261u;
    for (const char *p = voice; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    h = (h ^ 0) * 16777619u;
    for (const char *p = text; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

int
speech_render(const struct speech_request *req, struct speech_result *res, char *errstr,
              size_t errstr_size)
{
    const char *name = req->voice ? req->voice : SPEECH_DEFAULT_VOICE;
    const char *voice;
    const struct engine *eng = lookup(name, &voice);
    struct speech_pcm_ pcm = {NULL, 0, 0, 0};
    struct buf spoken, audio;

    speech_result_init(res);
    if (eng == NULL) return speech_voice_check(name, errstr, errstr_size);
    if (req->rate_wpm != 0 && (req->rate_wpm < SPEECH_MIN_WPM || req->rate_wpm > SPEECH_MAX_WPM)) {
        snprintf(errstr, errstr_size, "rate %d wpm outside %d..%d", req->rate_wpm, SPEECH_MIN_WPM,
                 SPEECH_MAX_WPM);
        return -1;
    }
    if (req->codec != SPEECH_CODEC_OPUS && req->codec != SPEECH_CODEC_WAV) {
        snprintf(errstr, errstr_size, "unknown codec %d", (int)req->codec);
        return -1;
    }
    buf_init(&spoken);
    buf_init(&audio);
    if (req->verbatim) {
        if (req->text && strlen(req->text) > PW_MAX_SPEECH_CHARS) {
            snprintf(errstr, errstr_size, "verbatim text longer than %d bytes",
                     PW_MAX_SPEECH_CHARS);
            goto fail;
        }
        buf_puts(&spoken, req->text ? req->text : "");
    } else {
        speech_normalise(req->text, &spoken);
    }
    if (spoken.len == 0) {
        snprintf(errstr, errstr_size, "nothing to say: the text is empty after normalisation");
        goto fail;
    }
    if (eng->synth(voice, spoken.data, req->rate_wpm, &pcm, errstr, errstr_size) != 0) goto fail;
    if (pcm.n == 0 || pcm.rate <= 0) {
        snprintf(errstr, errstr_size, "%s produced no audio", eng->name);
        goto fail;
    }
    if (req->codec == SPEECH_CODEC_WAV) {
        speech_wav_encode_(&pcm, &audio);
    } else if (speech_opus_encode_(&pcm, serial_of(name, spoken.data), &audio, errstr,
                                   errstr_size) != 0) {
        goto fail;
    }
    res->sample_rate = pcm.rate;
    res->duration_s = (double)pcm.n / pcm.rate;
    res->codec = req->codec;
    res->audio_len = audio.len;
    res->audio = (unsigned char *)buf_detach(&audio);
    res->spoken_text = buf_detach(&spoken);
    res->voice = xstrdup(name);
    speech_pcm_fini_(&pcm);
    return 0;
fail:
    speech_pcm_fini_(&pcm);
    buf_fini(&spoken);
    buf_fini(&audio);
    return -1;
}
