/* common/jsonw.h - a streaming JSON writer into a 'struct buf'.
 *
 * Writes compact, deterministic JSON: keys in the order the caller writes them, strings escaped
 * (control characters and non-ASCII as \uXXXX, so output is ASCII), numbers formatted the same
 * way on every run. The writer tracks commas itself; nesting deeper than JSONW_MAX_DEPTH is a bug
 * (PW_ASSERT). Caller storage: jsonw_init() then write; there is nothing to free but the buf.
 */
#ifndef PW_COMMON_JSONW_H
#define PW_COMMON_JSONW_H

#include <stddef.h>

#include "buf.h"

#define JSONW_MAX_DEPTH 64

struct jsonw {
    struct buf *out;                           /* borrowed */
    int depth;                                 /* current nesting */
    unsigned char need_comma[JSONW_MAX_DEPTH]; /* per level: a value was written already */
    int after_key;                             /* the next value follows a key */
};

void jsonw_init(struct jsonw *w, struct buf *out);
void jsonw_obj_begin(struct jsonw *w);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w);
void jsonw_arr_end(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);
/* Writes 's' as a string, or null when 's' is NULL. Invalid UTF-8 bytes become U+FFFD. */
void jsonw_str(struct jsonw *w, const char *s);
void jsonw_strn(struct jsonw *w, const char *s, size_t len);
void jsonw_int(struct jsonw *w, long long v);
/* Integral values within 2^53 print without a fraction; others with up to 10 significant
 * digits. NaN and infinities print as null. */
void jsonw_num(struct jsonw *w, double v);
void jsonw_bool(struct jsonw *w, int v);
void jsonw_null(struct jsonw *w);
/* Writes 'json', which must already be valid JSON, as one value. */
void jsonw_raw(struct jsonw *w, const char *json, size_t len);

/* key + value in one call */
void jsonw_kstr(struct jsonw *w, const char *key, const char *s);
void jsonw_kint(struct jsonw *w, const char *key, long long v);
void jsonw_knum(struct jsonw *w, const char *key, double v);
void jsonw_kbool(struct jsonw *w, const char *key, int v);

/* Appends 'len' bytes of 's' to 'out' as a quoted JSON string. */
void json_quote(struct buf *out, const char *s, size_t len);

#endif
