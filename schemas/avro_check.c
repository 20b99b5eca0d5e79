/* schemas/avro_check.c - the bounded pre-decoder: proves a datum safe before avro-c reads it.
 *
 * Debian's avro-c 1.11.1 allocates whatever a length prefix claims, leaks it when the read then
 * fails, accepts negative lengths and crashes later on out-of-range enum ordinals. So every
 * Avro datum from outside is first walked here, against our own schema tree, without allocating:
 * lengths must fit in the bytes left and in the caller's limits, array counts too, varints end
 * within 10 bytes (5 for int), indexes are in range, booleans are 0 or 1, strings are UTF-8
 * without NUL, and nothing is left over. Only then may avro_value_read() run, and it can then
 * allocate at most about the size of the message. Pure and reentrant.
 */
#include "wire_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Schemas are not recursive today; this only stops a recursive one from exhausting the stack. */
#define CHECK_MAX_DEPTH 32
/* Items that take no bytes (null, empty records) cost memory in avro-c but nothing on the wire,
 * so their count is capped separately whatever the limits say. */
#define CHECK_MAX_ZERO_WIDTH_ITEMS 1024

struct frame {
    const char *field; /* record field entered, or NULL */
    int64_t index;     /* array item or -1 */
};

struct walker {
    const unsigned char *p;
    const unsigned char *end;
    const struct check_limits *lim;
    size_t max_string; /* bound in force for the current field */
    struct frame path[CHECK_MAX_DEPTH + 1];
    int depth;
    char *detail;
    size_t detail_size;
};

int
utf8_valid_(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c == 0xe0) lo = 0xa0; /* overlong */
            if (c == 0xed) hi = 0x9f; /* UTF-16 surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c == 0xf0) lo = 0x90; /* overlong */
            if (c == 0xf4) hi = 0x8f; /* above U+10FFFF */
        } else {
            return 0;
        }
        if (len - i <= need) return 0;
        if (s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (size_t k = 2; k <= need; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xbf) return 0;
        i += need + 1;
    }
    return 1;
}

/* Writes the path ("sources[2].name") then the message. */
static enum wire_status walk_fail(struct walker *wk, enum wire_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum wire_status
walk_fail(struct walker *wk, enum wire_status st, const char *fmt, ...)
{
    if (wk->detail == NULL || wk->detail_size == 0) return st;
    struct buf b;
    buf_init(&b);
    for (int i = 1; i <= wk->depth; i++) {
        if (wk->path[i].field != NULL) buf_printf(&b, "%s%s", b.len ? "." : "", wk->path[i].field);
        if (wk->path[i].index >= 0) buf_printf(&b, "[%" PRId64 "]", wk->path[i].index);
    }
    va_list ap;
    va_start(ap, fmt);
    wire_fail_at_(st, wk->detail, wk->detail_size, &b, fmt, ap);
    va_end(ap);
    return st;
}

static enum wire_status
read_varint(struct walker *wk, int max_bytes, uint64_t *raw)
{
    uint64_t v = 0;
    for (int i = 0; i < max_bytes; i++) {
        if (wk->p == wk->end) return walk_fail(wk, WIRE_ERR_TRUNCATED, "ends inside a varint");
        unsigned b = *wk->p++;
        /* The last byte of a 64-bit varint has one payload bit left; of a 32-bit one, four. */
        if (i == max_bytes - 1 && (b & 0x80 || (b >> (max_bytes == 10 ? 1 : 4)) != 0))
            return walk_fail(wk, WIRE_ERR_MALFORMED, "varint out of range");
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *raw = v;
            return WIRE_OK;
        }
    }
    return walk_fail(wk, WIRE_ERR_MALFORMED, "varint longer than %d bytes", max_bytes);
}

static enum wire_status
read_long(struct walker *wk, int64_t *out)
{
    uint64_t raw;
    enum wire_status st = read_varint(wk, 10, &raw);
    if (st == WIRE_OK) *out = (int64_t)(raw >> 1) ^ -(int64_t)(raw & 1);
    return st;
}

static enum wire_status
read_int(struct walker *wk, int64_t *out)
{
    uint64_t raw;
    enum wire_status st = read_varint(wk, 5, &raw);
    if (st == WIRE_OK) *out = (int64_t)(raw >> 1) ^ -(int64_t)(raw & 1);
    return st;
}

static size_t
left(const struct walker *wk)
{
    return (size_t)(wk->end - wk->p);
}

static enum wire_status
skip(struct walker *wk, size_t n, const char *what)
{
    if (left(wk) < n)
        return walk_fail(wk, WIRE_ERR_TRUNCATED, "%s needs %zu bytes, %zu left", what, n, left(wk));
    wk->p += n;
    return WIRE_OK;
}

static enum wire_status
walk_string(struct walker *wk, int is_text)
{
    int64_t n;
    enum wire_status st = read_long(wk, &n);
    if (st != WIRE_OK) return st;
    if (n < 0) return walk_fail(wk, WIRE_ERR_MALFORMED, "negative length %" PRId64, n);
    if ((uint64_t)n > wk->max_string)
        return walk_fail(wk, WIRE_ERR_LIMIT, "%" PRId64 " bytes, over the limit of %zu", n,
                         wk->max_string);
    if ((uint64_t)n > left(wk))
        return walk_fail(wk, WIRE_ERR_TRUNCATED, "length %" PRId64 " with %zu bytes left", n,
                         left(wk));
    if (is_text) {
        if (memchr(wk->p, 0, (size_t)n) != NULL)
            return walk_fail(wk, WIRE_ERR_ENCODING, "string contains a NUL byte");
        if (!utf8_valid_(wk->p, (size_t)n))
            return walk_fail(wk, WIRE_ERR_ENCODING, "string is not valid UTF-8");
    }
    wk->p += n;
    return WIRE_OK;
}

static enum wire_status walk(struct walker *wk, const struct avsc_node *n);

static enum wire_status
walk_blocks(struct walker *wk, const struct avsc_node *n)
{
    uint64_t total = 0;
    size_t width = n->items->min_bytes + (n->kind == AVSC_MAP ? 1 : 0);
    size_t cap = wk->lim->max_items;
    if (width == 0 && cap > CHECK_MAX_ZERO_WIDTH_ITEMS) cap = CHECK_MAX_ZERO_WIDTH_ITEMS;
    for (;;) {
        int64_t count;
        enum wire_status st = read_long(wk, &count);
        if (st != WIRE_OK) return st;
        if (count == 0) return WIRE_OK;
        if (count < 0) {
            /* A negative count is followed by the block's size in bytes. */
            if (count == INT64_MIN)
                return walk_fail(wk, WIRE_ERR_MALFORMED, "block count out of range");
            count = -count;
            int64_t size;
            st = read_long(wk, &size);
            if (st != WIRE_OK) return st;
            if (size < 0)
                return walk_fail(wk, WIRE_ERR_MALFORMED, "negative block size %" PRId64, size);
        }
        if ((uint64_t)count > cap || total + (uint64_t)count > cap)
            return walk_fail(wk, WIRE_ERR_LIMIT, "more than %zu items", cap);
        if (width > 0 && (uint64_t)count > left(wk) / width)
            return walk_fail(wk, WIRE_ERR_TRUNCATED, "%" PRId64 " items cannot fit in %zu bytes",
                             count, left(wk));
        for (int64_t i = 0; i < count; i++) {
            wk->path[wk->depth].index = (int64_t)total;
            total++;
            if (n->kind == AVSC_MAP) {
                size_t saved = wk->max_string;
                st = walk_string(wk, 1);
                wk->max_string = saved;
                if (st != WIRE_OK) return st;
            }
            st = walk(wk, n->items);
            if (st != WIRE_OK) return st;
        }
        wk->path[wk->depth].index = -1;
    }
}

static size_t
field_limit(const struct walker *wk, const char *field)
{
    for (size_t i = 0; i < wk->lim->n_fields; i++)
        if (strcmp(wk->lim->fields[i].field, field) == 0)
            return wk->lim->fields[i].max_string_bytes;
    return wk->max_string;
}

static enum wire_status
walk(struct walker *wk, const struct avsc_node *n)
{
    if (wk->depth >= CHECK_MAX_DEPTH)
        return walk_fail(wk, WIRE_ERR_LIMIT, "nested deeper than %d", CHECK_MAX_DEPTH);
    wk->depth++;
    wk->path[wk->depth] = (struct frame){NULL, -1};
    enum wire_status st = WIRE_OK;
    int64_t v;
    switch (n->kind) {
    case AVSC_NULL:
        break;
    case AVSC_BOOLEAN:
        if (wk->p == wk->end) {
            st = walk_fail(wk, WIRE_ERR_TRUNCATED, "ends before a boolean");
        } else if (*wk->p > 1) {
            st = walk_fail(wk, WIRE_ERR_MALFORMED, "boolean byte 0x%02x", *wk->p);
        } else {
            wk->p++;
        }
        break;
    case AVSC_INT:
        st = read_int(wk, &v);
        break;
    case AVSC_LONG:
        st = read_long(wk, &v);
        break;
    case AVSC_FLOAT:
        st = skip(wk, 4, "float");
        break;
    case AVSC_DOUBLE:
        st = skip(wk, 8, "double");
        break;
    case AVSC_BYTES:
    case AVSC_STRING:
        st = walk_string(wk, n->kind == AVSC_STRING);
        break;
    case AVSC_FIXED:
        st = skip(wk, n->fixed_size, "fixed");
        break;
    case AVSC_ENUM:
        st = read_int(wk, &v);
        if (st == WIRE_OK && (v < 0 || (uint64_t)v >= n->n_symbols))
            st = walk_fail(wk, WIRE_ERR_MALFORMED, "enum index %" PRId64 " of %zu symbols", v,
                           n->n_symbols);
        break;
    case AVSC_UNION:
        st = read_long(wk, &v);
        if (st == WIRE_OK && (v < 0 || (uint64_t)v >= n->n_branches))
            st = walk_fail(wk, WIRE_ERR_MALFORMED, "union index %" PRId64 " of %zu branches", v,
                           n->n_branches);
        if (st == WIRE_OK) {
            wk->depth--; /* a union adds no level to the path */
            st = walk(wk, n->branches[v]);
            wk->depth++;
        }
        break;
    case AVSC_ARRAY:
    case AVSC_MAP:
        st = walk_blocks(wk, n);
        break;
    case AVSC_RECORD:
        for (size_t i = 0; i < n->n_fields && st == WIRE_OK; i++) {
            size_t saved = wk->max_string;
            wk->path[wk->depth].field = n->fields[i].name;
            wk->max_string = field_limit(wk, n->fields[i].name);
            st = walk(wk, n->fields[i].type);
            wk->max_string = saved;
        }
        break;
    }
    wk->depth--;
    return st;
}

enum wire_status
avro_check_datum_(const struct avsc_node *root, const struct check_limits *lim,
                  const unsigned char *data, size_t len, char *detail, size_t detail_size)
{
    struct walker wk = {
        .p = data,
        .end = data + len,
        .lim = lim,
        .max_string = lim->max_string_bytes,
        .detail = detail,
        .detail_size = detail_size,
    };
    enum wire_status st = walk(&wk, root);
    if (st == WIRE_OK && wk.p != wk.end)
        st = walk_fail(&wk, WIRE_ERR_MALFORMED, "%zu trailing bytes after the datum", left(&wk));
    return st;
}
