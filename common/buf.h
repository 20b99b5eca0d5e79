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
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the bytes to the caller (free() them) and leaves 'b' empty. Never returns NULL. */
char *buf_detach(struct buf *b);

#endif
