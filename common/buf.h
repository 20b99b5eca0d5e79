/* common/buf.h - a growable byte buffer, always NUL-terminated.
 *
 * 'struct buf' is caller storage: buf_init() / buf_fini(). 'data' is NULL until the first append,
 * then always NUL-terminated (the NUL is not counted in 'len'), so text can be used as a C string.
 * Appends never fail (allocation aborts on OOM, see xalloc.h); callers bound untrusted sizes first.
 */
#ifndef PW_COMMON_BUF_H
#define PW_COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct buf {
    char *data; /* owned; NULL or NUL-terminated */
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated */
};

void buf_init(struct buf *b);
void buf_fini(struct buf *b);
/* Empties 'b' and keeps its memory. */
void buf_reset(struct buf *b);
/* Makes room for 'extra' more bytes plus the NUL. */
void buf_reserve(struct buf *b, size_t extra);
/* The fast paths are inline: a report is built from thousands of small appends. */
void buf_grow_(struct buf *b, size_t extra);

static inline void
buf_append(struct buf *b, const void *data, size_t len)
{
    if (b->len + len + 1 > b->cap) buf_grow_(b, len);
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

static inline void
buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

static inline void
buf_putc(struct buf *b, char c)
{
    if (b->len + 2 > b->cap) buf_grow_(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the bytes to the caller (free() them) and leaves 'b' empty. Never returns NULL. */
char *buf_detach(struct buf *b);

#endif
