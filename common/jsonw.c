/* common/jsonw.c - a streaming JSON writer into a 'struct buf'. */
#include "jsonw.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "xalloc.h"

void
jsonw_init(struct jsonw *w, struct buf *out)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
}

/* Emits the comma that separates this value from the previous one at the same level. */
static void
value_prefix(struct jsonw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->need_comma[w->depth]) buf_putc(w->out, ',');
    w->need_comma[w->depth] = 1;
}

static void
open_level(struct jsonw *w, char c)
{
    value_prefix(w);
    buf_putc(w->out, c);
    PW_ASSERT(w->depth + 1 < JSONW_MAX_DEPTH);
    w->depth++;
    w->need_comma[w->depth] = 0;
}

static void
close_level(struct jsonw *w, char c)
{
    PW_ASSERT(w->depth > 0);
    w->depth--;
    buf_putc(w->out, c);
}

void
jsonw_obj_begin(struct jsonw *w)
{
    open_level(w, '{');
}
void
jsonw_obj_end(struct jsonw *w)
{
    close_level(w, '}');
}
void
jsonw_arr_begin(struct jsonw *w)
{
    open_level(w, '[');
}
void
jsonw_arr_end(struct jsonw *w)
{
    close_level(w, ']');
}

/* Returns the length of the valid UTF-8 sequence at 's' (at most 'n' bytes), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
    if (s[0] < 0x80) return *cp = s[0], 1;
    size_t len;
    unsigned min;
    if ((s[0] & 0xE0) == 0xC0) len = 2, min = 0x80, *cp = s[0] & 0x1F;
    else if ((s[0] & 0xF0) == 0xE0)
        len = 3, min = 0x800, *cp = s[0] & 0x0F;
    else if ((s[0] & 0xF8) == 0xF0)
        len = 4, min = 0x10000, *cp = s[0] & 0x07;
    else
        return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
    return len;
}

void
json_quote(struct buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    buf_reserve(out, len + 2);
    buf_putc(out, '"');
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i) {
            buf_append(out, p + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = p[i];
        unsigned cp;
        size_t n;
        switch (c) {
        case '"':
            buf_append(out, "\\\"", 2);
            i++;
            continue;
        case '\\':
            buf_append(out, "\\\\", 2);
            i++;
            continue;
        case '\n':
            buf_append(out, "\\n", 2);
            i++;
            continue;
        case '\r':
            buf_append(out, "\\r", 2);
            i++;
            continue;
        case '\t':
            buf_append(out, "\\t", 2);
            i++;
            continue;
        default:
            break;
        }
        if (c < 0x20) {
            buf_printf(out, "\\u%04x", c);
            i++;
            continue;
        }
        n = utf8_len(p + i, len - i, &cp);
        if (n == 0) {
            buf_append(out, "\\ufffd", 6);
            i++;
            continue;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            buf_printf(out, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
        } else {
            buf_printf(out, "\\u%04x", cp);
        }
        i += n;
    }
    buf_putc(out, '"');
}

void
jsonw_key(struct jsonw *w, const char *key)
{
    value_prefix(w);
    json_quote(w->out, key, strlen(key));
    buf_putc(w->out, ':');
    w->after_key = 1;
}

void
jsonw_strn(struct jsonw *w, const char *s, size_t len)
{
    value_prefix(w);
    json_quote(w->out, s, len);
}

void
jsonw_str(struct jsonw *w, const char *s)
{
    if (s == NULL) {
        jsonw_null(w);
        return;
    }
    jsonw_strn(w, s, strlen(s));
}

void
jsonw_int(struct jsonw *w, long long v)
{
    value_prefix(w);
    buf_printf(w->out, "%lld", v);
}

void
jsonw_num(struct jsonw *w, double v)
{
    value_prefix(w);
    if (!isfinite(v)) {
        buf_puts(w->out, "null");
    } else if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        buf_printf(w->out, "%.0f", v == 0 ? 0.0 : v);
    } else {
        buf_printf(w->out, "%.10g", v);
    }
}

void
jsonw_bool(struct jsonw *w, int v)
{
    value_prefix(w);
    buf_puts(w->out, v ? "true" : "false");
}

void
jsonw_null(struct jsonw *w)
{
    value_prefix(w);
    buf_puts(w->out, "null");
}

void
jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
    value_prefix(w);
    buf_append(w->out, json, len);
}

void
jsonw_kstr(struct jsonw *w, const char *k, const char *s)
{
    jsonw_key(w, k);
    jsonw_str(w, s);
}
void
jsonw_kint(struct jsonw *w, const char *k, long long v)
{
    jsonw_key(w, k);
    jsonw_int(w, v);
}
void
jsonw_knum(struct jsonw *w, const char *k, double v)
{
    jsonw_key(w, k);
    jsonw_num(w, v);
}
void
jsonw_kbool(struct jsonw *w, const char *k, int v)
{
    jsonw_key(w, k);
    jsonw_bool(w, v);
}
