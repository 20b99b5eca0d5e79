/* tests/speech/opus_settings.c - cost and size of the Opus settings speech/encode.c could use.
 *
 *   opus_settings FILE.wav
 *
 * Encodes a PCM16 mono WAV (as `pipewright speak --codec wav` writes it) in memory with
 * libopusenc at 16 kbit/s VBR, voice signal, for complexity 5 and 10, with the bandwidth left to
 * the encoder and capped at wideband, five times each, and prints bytes per audio second and
 * audio seconds per CPU second. Run by tests/speech/measure; not part of the build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <opus/opusenc.h>

#define REPEAT 5

static size_t total;

static int
count_cb(void *user_data, const unsigned char *ptr, opus_int32 len)
{
    (void)user_data;
    (void)ptr;
    total += (size_t)len;
    return 0;
}

static int
close_cb(void *user_data)
{
    (void)user_data;
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: opus_settings FILE.wav\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    unsigned char hdr[44];
    if (f == NULL || fread(hdr, 1, 44, f) != 44 || memcmp(hdr, "RIFF", 4) != 0) {
        fprintf(stderr, "%s: not a WAV file\n", argv[1]);
        return 1;
    }
    int rate = hdr[24] | hdr[25] << 8 | hdr[26] << 16 | hdr[27] << 24;
    size_t bytes = (size_t)(hdr[40] | hdr[41] << 8 | hdr[42] << 16 | (size_t)hdr[43] << 24);
    if (rate <= 0 || bytes > 200u * 1024 * 1024) return 1;
    short *pcm = malloc(bytes ? bytes : 2);
    size_t n = fread(pcm, 2, bytes / 2, f);
    fclose(f);
    double seconds = (double)n / rate;
    const OpusEncCallbacks cbs = {count_cb, close_cb};
    for (int complexity = 5; complexity <= 10; complexity += 5) {
        for (int wideband = 0; wideband <= 1; wideband++) {
            clock_t t0 = clock();
            for (int r = 0; r < REPEAT; r++) {
                int err;
                OggOpusComments *c = ope_comments_create();
                OggOpusEnc *enc = ope_encoder_create_callbacks(&cbs, NULL, c, rate, 1, 0, &err);
                ope_comments_destroy(c);
                if (enc == NULL) return 1;
                total = 0;
                ope_encoder_ctl(enc, OPUS_SET_BITRATE(16000));
                ope_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
                ope_encoder_ctl(enc, OPUS_SET_COMPLEXITY(complexity));
                if (wideband) ope_encoder_ctl(enc, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_WIDEBAND));
                ope_encoder_write(enc, pcm, (int)n);
                ope_encoder_drain(enc);
                ope_encoder_destroy(enc);
            }
            double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC / REPEAT;
            printf("complexity %2d  bandwidth %-9s  %5.0f bytes per audio s  %4.0f audio s per "
                   "CPU s\n",
                   complexity, wideband ? "wideband" : "auto", total / seconds, seconds / cpu);
        }
    }
    free(pcm);
    return 0;
}
