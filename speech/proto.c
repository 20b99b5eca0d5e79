/* speech/proto.c - the frames between the pool and its workers (layout in speech_int.h).
 *
 * Both sides are the same binary, but a worker may die half-way through a write and a bug may
 * send garbage, so every decoder checks each length against what is left in the payload and
 * against the protocol bounds before copying. Pure: no I/O.
 */
#include "speech_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

#define MAX_ERROR_LEN 1024 /* bytes of an error message in a reply */

struct cursor {
    const unsigned char *p;
    size_t len;
    size_t off;
    int bad; /* set by the first read past the end; later reads return zeros */
};

static void
put_be(struct buf *b, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--) buf_putc(b, (char)((v >> (8 * i)) & 0xff));
}

static uint64_t
get_be(struct cursor *c, int bytes)
{
    if (c->bad || c->len - c->off < (size_t)bytes) {
        c->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v = (v << 8) | c->p[c->off++];
    return v;
}

/* Returns a NUL-terminated copy of the next 'n' bytes, or NULL (and marks 'c' bad). */
static char *
get_str(struct cursor *c, size_t n, size_t max)
{
    if (c->bad || n > max || c->len - c->off < n) {
        c->bad = 1;
        return NULL;
    }
    char *s = xstrndup((const char *)c->p + c->off, n);
    c->off += n;
    return s;
}

/* Starts a frame: a zero length, patched by frame_end() once the payload is written. */
static size_t
frame_begin(struct buf *out)
{
    size_t at = out->len;
    put_be(out, 0, 4);
    return at;
}

static void
frame_end(struct buf *out, size_t at)
{
    uint64_t len = out->len - at - 4;
    PW_ASSERT(len <= SPEECH_MAX_FRAME_);
    for (int i = 0; i < 4; i++) out->data[at + (size_t)i] = (char)((len >> (8 * (3 - i))) & 0xff);
}

/* Length of 's' cut to at most 'max' bytes without splitting a UTF-8 sequence. */
static size_t
utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) return n;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80) max--;
    return max;
}

void
speech_proto_request_encode_(const struct speech_request *req, struct buf *out)
{
    const char *voice = req->voice ? req->voice : SPEECH_DEFAULT_VOICE;
    const char *text = req->text ? req->text : "";
    size_t vl = strlen(voice) > SPEECH_MAX_VOICE_ ? SPEECH_MAX_VOICE_ : strlen(voice);
    size_t tl = utf8_cut(text, SPEECH_MAX_REQ_TEXT_);
    size_t at = frame_begin(out);
    put_be(out, SPEECH_PROTO_VERSION_, 1);
    put_be(out, req->verbatim ? SPEECH_FLAG_VERBATIM_ : 0, 1);
    put_be(out, (uint64_t)req->codec & 0xff, 1);
    put_be(out, 0, 1);
    put_be(out, (uint32_t)(req->rate_wpm < 0 ? 0 : req->rate_wpm), 4);
    put_be(out, vl, 2);
    buf_append(out, voice, vl);
    put_be(out, tl, 4);
    buf_append(out, text, tl);
    frame_end(out, at);
}

int
speech_proto_request_decode_(const unsigned char *p, size_t len, struct speech_request *req)
{
    struct cursor c = {p, len, 0, 0};
    memset(req, 0, sizeof(*req));
    if (get_be(&c, 1) != SPEECH_PROTO_VERSION_) return -1;
    req->verbatim = (get_be(&c, 1) & SPEECH_FLAG_VERBATIM_) != 0;
    req->codec = (enum speech_codec)get_be(&c, 1);
    get_be(&c, 1);
    uint64_t rate = get_be(&c, 4);
    req->rate_wpm = rate > SPEECH_MAX_WPM ? SPEECH_MAX_WPM + 1 : (int)rate;
    char *voice = get_str(&c, (size_t)get_be(&c, 2), SPEECH_MAX_VOICE_);
    char *text = get_str(&c, (size_t)get_be(&c, 4), SPEECH_MAX_REQ_TEXT_);
    if (c.bad || c.off != c.len) {
        free(voice);
        free(text);
        return -1;
    }
    req->voice = voice;
    req->text = text;
    return 0;
}

void
speech_proto_reply_encode_(const struct speech_result *res, const char *error, struct buf *out)
{
    size_t at = frame_begin(out);
    if (res == NULL) {
        size_t el = strlen(error) > MAX_ERROR_LEN ? MAX_ERROR_LEN : strlen(error);
        put_be(out, 1, 1);
        put_be(out, el, 2);
        buf_append(out, error, el);
    } else {
        size_t vl = strlen(res->voice), sl = strlen(res->spoken_text);
        put_be(out, 0, 1);
        put_be(out, (uint64_t)res->codec & 0xff, 1);
        put_be(out, (uint32_t)res->sample_rate, 4);
        put_be(out, (uint64_t)(res->duration_s * 1e6 + 0.5), 8);
        put_be(out, vl, 2);
        buf_append(out, res->voice, vl);
        put_be(out, sl, 4);
        buf_append(out, res->spoken_text, sl);
        put_be(out, res->audio_len, 4);
        buf_append(out, res->audio, res->audio_len);
    }
    frame_end(out, at);
}

int
speech_proto_reply_decode_(const unsigned char *p, size_t len, struct speech_result *res,
                           char *errstr, size_t errstr_size)
{
    struct cursor c = {p, len, 0, 0};
    speech_result_init(res);
    uint64_t status = get_be(&c, 1);
    if (status == 1) {
        char *msg = get_str(&c, (size_t)get_be(&c, 2), MAX_ERROR_LEN);
        if (c.bad || c.off != c.len) {
            free(msg);
            return -1;
        }
        snprintf(errstr, errstr_size, "%s", msg);
        free(msg);
        return 1;
    }
    if (status != 0) return -1;
    uint64_t codec = get_be(&c, 1);
    res->codec = codec == SPEECH_CODEC_WAV ? SPEECH_CODEC_WAV : SPEECH_CODEC_OPUS;
    res->sample_rate = (int)get_be(&c, 4);
    res->duration_s = (double)get_be(&c, 8) / 1e6;
    res->voice = get_str(&c, (size_t)get_be(&c, 2), SPEECH_MAX_VOICE_);
    res->spoken_text = get_str(&c, (size_t)get_be(&c, 4), SPEECH_MAX_REQ_TEXT_);
    size_t al = (size_t)get_be(&c, 4);
    if (!c.bad && al <= c.len - c.off && c.off + al == c.len) {
        res->audio = xmalloc(al ? al : 1);
        memcpy(res->audio, c.p + c.off, al);
        res->audio_len = al;
        c.off += al;
    } else {
        c.bad = 1;
    }
    if (c.bad || codec > SPEECH_CODEC_WAV || res->sample_rate <= 0 || res->sample_rate > 192000) {
        speech_result_fini(res);
        return -1;
    }
    return 0;
}
