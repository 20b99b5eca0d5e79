/* speech/encode.c - PCM buffers and the two containers: Ogg Opus (libopusenc) and RIFF WAVE.
 *
 * Opus is tuned for speech delivered over Kafka: mono, 16 kbit/s (intelligibility within a
 * point or two of 24 kbit/s at two thirds of the bytes, docs/knowledge/audio.md,
 * 2026-11-27), OPUS_SIGNAL_VOICE, wideband at most, complexity SPEECH_OPUS_COMPLEXITY (5: 1.4 to
 * 1.6 times faster than 10 at no larger size, measured in docs/speech.md), and a serial number
 * chosen by the caller so that the same PCM gives the same bytes. Everything is written to
 * memory; nothing touches the file system. Pure apart from allocation.
 */
#include "speech_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus/opusenc.h>

#include "buf.h"
#include "xalloc.h"

#define OPUS_BITRATE 16000
#define SPEECH_OPUS_COMPLEXITY 5
#define ENCODE_BLOCK 4096 /* samples handed to the encoder per call */

void
speech_pcm_fini_(struct speech_pcm_ *pcm)
{
    free(pcm->samples);
    pcm->samples = NULL;
    pcm->n = pcm->cap = 0;
}

int
speech_pcm_append_(struct speech_pcm_ *pcm, const short *samples, size_t n)
{
    /* the bound uses 48 kHz, the highest rate any engine here produces */
    size_t max = (size_t)SPEECH_MAX_AUDIO_S_ * 48000;
    if (n > max - pcm->n) return -1;
    if (pcm->n + n > pcm->cap) {
        size_t cap = pcm->cap ? pcm->cap : 16384;
        while (cap < pcm->n + n) cap *= 2;
        pcm->samples = xrealloc(pcm->samples, cap * sizeof(short));
        pcm->cap = cap;
    }
    memcpy(pcm->samples + pcm->n, samples, n * sizeof(short));
    pcm->n += n;
    return 0;
}

static int
write_cb(void *user_data, const unsigned char *ptr, opus_int32 len)
{
    buf_append(user_data, ptr, (size_t)len);
    return 0;
}

static int
close_cb(void *user_data)
{
    (void)user_data;
    return 0;
}

int
speech_opus_encode_(const struct speech_pcm_ *pcm, uint32_t serial, struct buf *out, char *errstr,
                    size_t errstr_size)
{
    const OpusEncCallbacks cbs = {write_cb, close_cb};
    int err = OPE_OK;
    OggOpusComments *comments = ope_comments_create();
    if (comments == NULL) {
        snprintf(errstr, errstr_size, "opus: cannot create comments");
        return -1;
    }
    OggOpusEnc *enc = ope_encoder_create_callbacks(&cbs, out, comments, pcm->rate, 1, 0, &err);
    ope_comments_destroy(comments);
    if (enc == NULL) {
        snprintf(errstr, errstr_size, "opus: %s", ope_strerror(err));
        return -1;
    }
    /* Wideband (audio up to 8 kHz) carries speech; left free, the encoder spends bits above it
     * on espeak-ng's 22 kHz output and lands at ~2.35 KB per audio second instead of ~1.96
     * (measured, docs/speech.md). The serial is an opaque 32-bit value. */
    if ((err = ope_encoder_ctl(enc, OPE_SET_SERIALNO((opus_int32)serial))) != OPE_OK ||
        (err = ope_encoder_ctl(enc, OPUS_SET_BITRATE(OPUS_BITRATE))) != OPE_OK ||
        (err = ope_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE))) != OPE_OK ||
        (err = ope_encoder_ctl(enc, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_WIDEBAND))) != OPE_OK ||
        (err = ope_encoder_ctl(enc, OPUS_SET_COMPLEXITY(SPEECH_OPUS_COMPLEXITY))) != OPE_OK)
        goto fail;
    for (size_t off = 0; off < pcm->n; off += ENCODE_BLOCK) {
        size_t k = pcm->n - off < ENCODE_BLOCK ? pcm->n - off : ENCODE_BLOCK;
        if ((err = ope_encoder_write(enc, pcm->samples + off, (int)k)) != OPE_OK) goto fail;
    }
    if ((err = ope_encoder_drain(enc)) != OPE_OK) goto fail;
    ope_encoder_destroy(enc);
    return 0;
fail:
    snprintf(errstr, errstr_size, "opus: %s", ope_strerror(err));
    ope_encoder_destroy(enc);
    return -1;
}

static void
put_le(struct buf *out, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) buf_putc(out, (char)((v >> (8 * i)) & 0xff));
}

void
speech_wav_encode_(const struct speech_pcm_ *pcm, struct buf *out)
{
    uint32_t data_bytes = (uint32_t)(pcm->n * 2);
    buf_reserve(out, 44 + data_bytes);
    buf_append(out, "RIFF", 4);
    put_le(out, 36 + data_bytes, 4);
    buf_append(out, "WAVEfmt ", 8);
    put_le(out, 16, 4);                      /* fmt chunk size */
    put_le(out, 1, 2);                       /* PCM */
    put_le(out, 1, 2);                       /* mono */
    put_le(out, (uint32_t)pcm->rate, 4);     /* sample rate */
    put_le(out, (uint32_t)pcm->rate * 2, 4); /* byte rate */
    put_le(out, 2, 2);                       /* block align */
    put_le(out, 16, 2);                      /* bits per sample */
    buf_append(out, "data", 4);
    put_le(out, data_bytes, 4);
    for (size_t i = 0; i < pcm->n; i++) put_le(out, (uint16_t)pcm->samples[i], 2);
}
