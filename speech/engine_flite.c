/* speech/engine_flite.c - the flite engine: text to 16 kHz PCM with the CMU US voices.
 *
 * Three voices are linked in (cmu_us_rms, cmu_us_slt, cmu_us_kal16) and registered on first use.
 * flite keeps global state (voice list, features), so like espeak-ng it is used by one thread;
 * its speaking rate is the voice feature "duration_stretch", set per synthesis.
 */
#include "speech_int.h"

#include <stdio.h>
#include <string.h>

#include <flite/flite.h>

/* Defined by the voice libraries; their headers are not installed. */
cst_voice *register_cmu_us_rms(const char *voxdir);
cst_voice *register_cmu_us_slt(const char *voxdir);
cst_voice *register_cmu_us_kal16(const char *voxdir);

struct flite_voice {
    const char *name; /* after "flite:" */
    cst_voice *(*reg)(const char *voxdir);
    int natural_wpm; /* the voice's own rate, to turn a requested rate into a stretch:
                      * measured on the eight scenario texts with tests/speech/measure,
                      * 2026-11-27 (docs/speech.md) */
    cst_voice *v;    /* registered on first use */
};

static struct flite_voice voices[] = {
    {"rms", register_cmu_us_rms, 151, NULL},
    {"slt", register_cmu_us_slt, 173, NULL},
    {"kal16", register_cmu_us_kal16, 173, NULL},
};

static int initialised;

static struct flite_voice *
find(const char *name)
{
    for (size_t i = 0; i < sizeof(voices) / sizeof(voices[0]); i++)
        if (strcmp(name, voices[i].name) == 0) return &voices[i];
    return NULL;
}

int
speech_flite_has_voice_(const char *voice)
{
    return find(voice) != NULL;
}

int
speech_flite_synth_(const char *voice, const char *text, int rate_wpm, struct speech_pcm_ *pcm,
                    char *errstr, size_t errstr_size)
{
    struct flite_voice *fv = find(voice);
    if (fv == NULL) {
        snprintf(errstr, errstr_size, "flite: unknown voice '%s'", voice);
        return -1;
    }
    if (!initialised) {
        flite_init();
        initialised = 1;
    }
    if (fv->v == NULL) {
        fv->v = fv->reg(NULL);
        if (fv->v == NULL) {
            snprintf(errstr, errstr_size, "flite: cannot register voice '%s'", voice);
            return -1;
        }
    }
    float stretch = rate_wpm ? (float)fv->natural_wpm / (float)rate_wpm : 1.0f;
    flite_feat_set_float(fv->v->features, "duration_stretch", stretch);
    cst_wave *w = flite_text_to_wave(text, fv->v);
    if (w == NULL) {
        snprintf(errstr, errstr_size, "flite: synthesis failed");
        return -1;
    }
    int rc = 0;
    if (w->num_channels != 1 || w->sample_rate <= 0 || w->num_samples < 0) {
        snprintf(errstr, errstr_size, "flite: unexpected wave (%d channels, %d Hz)",
                 w->num_channels, w->sample_rate);
        rc = -1;
    } else {
        pcm->rate = w->sample_rate;
        if (speech_pcm_append_(pcm, w->samples, (size_t)w->num_samples) != 0) {
            snprintf(errstr, errstr_size, "flite: audio longer than %d s", SPEECH_MAX_AUDIO_S_);
            rc = -1;
        }
    }
    delete_wave(w);
    return rc;
}
