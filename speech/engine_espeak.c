/* speech/engine_espeak.c - the espeak-ng engine: text to 22050 Hz PCM through libespeak-ng.
 *
 * espeak-ng 1.51 keeps its whole state in globals, is not re-entrant and may abort the process
 * on hostile text (buffer overflows fixed upstream after 1.51), so it is initialised once per
 * process, used by one thread, and in the daemon only inside worker processes. Synchronous
 * mode: samples arrive through the synth callback before espeak_ng_Synthesize() returns. The
 * text is never flagged as SSML or phoneme input.
 */
#include "speech_int.h"

#include <stdio.h>
#include <string.h>

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

/* Default rate: the rate at which the voice was measured for intelligibility
 * (docs/knowledge/audio.md, 2026-11-27: espeak-ng en-us at -s 160). */
#define ESPEAK_DEFAULT_WPM 160

/* The default voice, en-us, as tuned for a listener (docs/speech.md, "Heard by Whisper"): the
 * klatt2 variant, whose stops and nasals a listener tells apart ("batch", not "match"), at a slower
 * rate. Measured over the scenarios' audio scripts through the Opus path, 2026-12-07. */
#define ESPEAK_EN_US_SPEC "en-us+klatt2"
#define ESPEAK_EN_US_WPM 145

/* English voices of the Debian espeak-ng-data 1.51 package (`espeak-ng --voices=en`, checked
 * 2026-11-27); MBROLA voices are left out (contrib/non-free). */
static const char *const espeak_voices[] = {
    "en-us",          "en",         "en-gb",  "en-gb-scotland", "en-gb-x-gbclan",
    "en-gb-x-gbcwmd", "en-gb-x-rp", "en-029",
};

static int initialised;          /* espeak_ng_Initialize() succeeded in this process */
static int sample_rate;          /* Hz, from espeak_ng_GetSampleRate() */
static struct speech_pcm_ *sink; /* where the callback appends; set during one synthesis */
static int sink_overflow;        /* the PCM bound was hit: stop the synthesis */

int
speech_espeak_has_voice_(const char *voice)
{
    for (size_t i = 0; i < sizeof(espeak_voices) / sizeof(espeak_voices[0]); i++)
        if (strcmp(voice, espeak_voices[i]) == 0) return 1;
    return 0;
}

static int
synth_cb(short *wav, int numsamples, espeak_EVENT *events)
{
    (void)events;
    if (sink == NULL || wav == NULL || numsamples <= 0) return 0;
    if (speech_pcm_append_(sink, wav, (size_t)numsamples) != 0) {
        sink_overflow = 1;
        return 1; /* abort the synthesis */
    }
    return 0;
}

static void
status_error(espeak_ng_STATUS st, const char *what, char *errstr, size_t errstr_size)
{
    char msg[256];
    espeak_ng_GetStatusCodeMessage(st, msg, sizeof(msg));
    snprintf(errstr, errstr_size, "espeak-ng %s: %s", what, msg);
}

static int
init_once(char *errstr, size_t errstr_size)
{
    if (initialised) return 0;
    espeak_ng_ERROR_CONTEXT ctx = NULL;
    espeak_ng_InitializePath(NULL);
    espeak_ng_STATUS st = espeak_ng_Initialize(&ctx);
    if (st != ENS_OK) {
        status_error(st, "initialise", errstr, errstr_size);
        espeak_ng_ClearErrorContext(&ctx);
        return -1;
    }
    st = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL);
    if (st != ENS_OK) {
        status_error(st, "output", errstr, errstr_size);
        return -1;
    }
    espeak_SetSynthCallback(synth_cb);
    sample_rate = espeak_ng_GetSampleRate();
    initialised = 1;
    return 0;
}

int
speech_espeak_synth_(const char *voice, const char *text, int rate_wpm, struct speech_pcm_ *pcm,
                     char *errstr, size_t errstr_size)
{
    if (!speech_espeak_has_voice_(voice)) {
        snprintf(errstr, errstr_size, "espeak-ng: unknown voice '%s'", voice);
        return -1;
    }
    if (init_once(errstr, errstr_size) != 0) return -1;
    int en_us = strcmp(voice, "en-us") == 0;
    espeak_ng_STATUS st = espeak_ng_SetVoiceByName(en_us ? ESPEAK_EN_US_SPEC : voice);
    if (st != ENS_OK) {
        status_error(st, "voice", errstr, errstr_size);
        return -1;
    }
    if (rate_wpm == 0) rate_wpm = en_us ? ESPEAK_EN_US_WPM : ESPEAK_DEFAULT_WPM;
    st = espeak_ng_SetParameter(espeakRATE, rate_wpm, 0);
    if (st != ENS_OK) {
        status_error(st, "rate", errstr, errstr_size);
        return -1;
    }
    pcm->rate = sample_rate;
    sink = pcm;
    sink_overflow = 0;
    st = espeak_ng_Synthesize(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL,
                              NULL);
    sink = NULL;
    if (sink_overflow) {
        snprintf(errstr, errstr_size, "espeak-ng: audio longer than %d s", SPEECH_MAX_AUDIO_S_);
        return -1;
    }
    if (st != ENS_OK) {
        status_error(st, "synthesis", errstr, errstr_size);
        return -1;
    }
    return 0;
}
