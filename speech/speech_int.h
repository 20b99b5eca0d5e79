/* speech/speech_int.h - what the files of speech/ share and nobody else sees.
 *
 * The synthesis engines sit behind one small interface (a function that turns text into 16-bit
 * mono PCM), so that render.c, the encoder and the worker never name espeak-ng or flite. PCM is
 * bounded by SPEECH_MAX_AUDIO_S_ so a runaway synthesis costs a bounded amount of memory. The
 * worker protocol (frames on a socketpair) is shared by pool.c (parent) and worker.c (child).
 * Internal symbols carry a trailing underscore.
 */
#ifndef PW_SPEECH_SPEECH_INT_H
#define PW_SPEECH_SPEECH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "speech.h"

struct buf;

#define SPEECH_MAX_AUDIO_S_ 900               /* longest PCM an engine may produce, seconds */
#define SPEECH_MAX_VOICE_ 64                  /* bytes of an "ENGINE:VOICE" name */
#define SPEECH_MAX_REQ_TEXT_ (1024 * 1024)    /* request text sent to a worker; longer is cut */
#define SPEECH_MAX_FRAME_ (64u * 1024 * 1024) /* a worker reply: WAV of SPEECH_MAX_AUDIO_S_ fits */

/* 16-bit mono PCM produced by an engine. */
struct speech_pcm_ {
    short *samples; /* owned */
    size_t n;       /* samples used */
    size_t cap;     /* samples allocated */
    int rate;       /* Hz */
};

void speech_pcm_fini_(struct speech_pcm_ *pcm);
/* Appends 'n' samples; returns -1 (appending nothing) past SPEECH_MAX_AUDIO_S_ seconds. */
int speech_pcm_append_(struct speech_pcm_ *pcm, const short *samples, size_t n);

/* An engine turns text (already normalised) into PCM. 'voice' is the part after "ENGINE:",
 * 'rate_wpm' 0 for the voice's default or a checked value in [SPEECH_MIN_WPM, SPEECH_MAX_WPM].
 * Returns 0, or -1 with 'errstr'. Not thread-safe: both libraries keep global state. */
int speech_espeak_synth_(const char *voice, const char *text, int rate_wpm, struct speech_pcm_ *pcm,
                         char *errstr, size_t errstr_size);
int speech_flite_synth_(const char *voice, const char *text, int rate_wpm, struct speech_pcm_ *pcm,
                        char *errstr, size_t errstr_size);
/* Returns 1 when the engine has a voice of that name, 0 otherwise (no library call). */
int speech_espeak_has_voice_(const char *voice);
int speech_flite_has_voice_(const char *voice);

/* Encodes 'pcm' as Ogg Opus (mono, 16 kbit/s, voice signal, fixed 'serial') into 'out'.
 * Returns 0, or -1 with 'errstr'. */
int speech_opus_encode_(const struct speech_pcm_ *pcm, uint32_t serial, struct buf *out,
                        char *errstr, size_t errstr_size);
/* Writes 'pcm' as a RIFF WAVE file (PCM16 mono) into 'out'. */
void speech_wav_encode_(const struct speech_pcm_ *pcm, struct buf *out);

/* ---- words (words.c) --------------------------------------------------------------------------
 * The pieces speech_normalise() builds sentences from. Each speech_word_()/speech_say_*_() call
 * appends whole words to 'o', with one space before them unless 'o' is empty or ends a line. */

#define SPEECH_MAX_LEXICON_ 512 /* entries read from speech/data/lexicon.tsv */

struct speech_lex_entry_ {
    const char *key; /* points into the embedded file */
    size_t key_len;
    const char *spoken;
    size_t spoken_len;
};

struct speech_lexicon_ {
    struct speech_lex_entry_ e[SPEECH_MAX_LEXICON_];
    size_t n;
};

/* Fills 'lx' from the embedded lexicon ('#' lines and lines without a tab are skipped). */
void speech_lexicon_load_(struct speech_lexicon_ *lx);
/* Returns the longest entry whose key starts 's' (case-insensitively) and ends at a word
 * boundary (end of text or a character that is not an ASCII letter or digit), or NULL. */
const struct speech_lex_entry_ *speech_lexicon_match_(const struct speech_lexicon_ *lx,
                                                      const char *s, size_t n);
void speech_word_(struct buf *o, const char *w, size_t n);
/* 2500 -> "two thousand five hundred"; up to 999 trillion. */
void speech_say_int_(struct buf *o, uint64_t v);
/* 22 -> "twenty second". */
void speech_say_ordinal_(struct buf *o, uint64_t v);
/* "023" -> "zero two three"; characters other than digits are skipped. */
void speech_say_digits_(struct buf *o, const char *d, size_t n);

/* ---- worker protocol -------------------------------------------------------------------------
 * Every frame is a 4-byte big-endian payload length followed by the payload.
 *  request : u8 version(1) u8 flags u8 codec u8 pad, u32 rate_wpm, u16 voice_len, voice,
 *            u32 text_len, text
 *  reply ok: u8 0, u8 codec, u32 sample_rate, u64 duration_us, u16 voice_len, voice,
 *            u32 spoken_len, spoken, u32 audio_len, audio
 *  reply error: u8 1, u16 len, message
 */
#define SPEECH_PROTO_VERSION_ 1
#define SPEECH_FLAG_VERBATIM_ 0x01 /* speech_request.verbatim */

/* Appends a request frame for 'req' to 'out'. Text longer than SPEECH_MAX_REQ_TEXT_ is cut at a
 * UTF-8 boundary. */
void speech_proto_request_encode_(const struct speech_request *req, struct buf *out);
/* Parses a request payload. On success fills 'req' (its strings are owned: free() text and
 * voice) and returns 0; returns -1 on a malformed payload. */
int speech_proto_request_decode_(const unsigned char *p, size_t len, struct speech_request *req);
/* Appends a reply frame: 'res' on success, else 'error'. */
void speech_proto_reply_encode_(const struct speech_result *res, const char *error,
                                struct buf *out);
/* Parses a reply payload into 'res' (0) or copies the error into 'errstr' (1); -1 when
 * malformed. */
int speech_proto_reply_decode_(const unsigned char *p, size_t len, struct speech_result *res,
                               char *errstr, size_t errstr_size);

#endif
