/* schemas/resolve.c - Avro schema resolution: a datum of one schema version read as another.
 *
 * A producer may write requirements with an older or newer version of requirement.avsc than
 * this build's; the registry tells us its schema, and this file turns its datum into a datum of
 * our schema, so that the one decoder (pre-decoder, avro-c, field checks) stays the only path
 * into struct requirement. It is our own code because avro-c 1.11.1's resolving reader skips
 * writer-only fields but leaves reader-only fields unset instead of taking their defaults.
 * Rules follow the specification's "Schema Resolution" section; see wire_int.h. Reader field
 * aliases are not honoured: a renamed field is a removed one plus an added one. Works on our
 * own schema trees and on bytes the pre-decoder already accepted against the writer schema,
 * yet still checks every read against the end of the datum. Pure, reentrant, no globals.
 */
#include "wire_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "xalloc.h"

/* The same nesting bound as the pre-decoder and the schema parser. */
#define RESOLVE_MAX_DEPTH 32

static const char *const kind_names[] = {
    "null",   "boolean", "int",  "long",  "float", "double", "bytes",
    "string", "record",  "enum", "array", "map",   "union",  "fixed",
};

static const char *
kind_name(enum avsc_kind k)
{
    return (unsigned)k < PW_ARRAY_LEN(kind_names) ? kind_names[k] : "?";
}

static int
is_named(const struct avsc_node *n)
{
    return n->kind == AVSC_RECORD || n->kind == AVSC_ENUM || n->kind == AVSC_FIXED;
}

/* Named types match on their unqualified names, as the specification says: a namespace may
 * change between versions without breaking readers. */
static int
same_name(const struct avsc_node *a, const struct avsc_node *b)
{
    const char *x = strrchr(a->fullname, '.'), *y = strrchr(b->fullname, '.');
    return strcmp(x ? x + 1 : a->fullname, y ? y + 1 : b->fullname) == 0;
}

/* Primitive promotions the specification allows, writer kind to reader kind. */
static int
promotable(enum avsc_kind w, enum avsc_kind r)
{
    switch (w) {
    case AVSC_INT:
        return r == AVSC_LONG || r == AVSC_FLOAT || r == AVSC_DOUBLE;
    case AVSC_LONG:
        return r == AVSC_FLOAT || r == AVSC_DOUBLE;
    case AVSC_FLOAT:
        return r == AVSC_DOUBLE;
    case AVSC_STRING:
        return r == AVSC_BYTES;
    case AVSC_BYTES:
        return r == AVSC_STRING;
    default:
        return 0;
    }
}

/* The branch of reader union 'ru' that a non-union writer type 'w' resolves to: the first of
 * the same kind (and name, for named types), else the first it promotes to; -1 for none. */
static long
union_pick(const struct avsc_node *ru, const struct avsc_node *w)
{
    for (size_t i = 0; i < ru->n_branches; i++) {
        const struct avsc_node *b = ru->branches[i];
        if (b->kind == w->kind && (!is_named(b) || same_name(b, w))) return (long)i;
    }
    for (size_t i = 0; i < ru->n_branches; i++)
        if (promotable(w->kind, ru->branches[i]->kind)) return (long)i;
    return -1;
}

static long
field_index(const struct avsc_node *rec, const char *name)
{
    for (size_t i = 0; i < rec->n_fields; i++)
        if (rec->fields[i].name != NULL && strcmp(rec->fields[i].name, name) == 0) return (long)i;
    return -1;
}

/* ---- schema check -------------------------------------------------------------------------- */

struct pair {
    const struct avsc_node *w, *r;
};

struct checker {
    struct pair *seen; /* record pairs already checked or being checked */
    size_t n_seen;
    const char *path[RESOLVE_MAX_DEPTH + 2];
    int depth;
    char *detail;
    size_t detail_size;
};

static enum wire_status check_fail(struct checker *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum wire_status
check_fail(struct checker *c, const char *fmt, ...)
{
    if (c->detail == NULL || c->detail_size == 0) return WIRE_ERR_INCOMPATIBLE;
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < c->depth; i++)
        if (c->path[i] != NULL) buf_printf(&b, "%s%s", b.len ? "." : "", c->path[i]);
    va_list ap;
    va_start(ap, fmt);
    wire_fail_at_(WIRE_ERR_INCOMPATIBLE, c->detail, c->detail_size, &b, fmt, ap);
    va_end(ap);
    return WIRE_ERR_INCOMPATIBLE;
}

static enum wire_status check(struct checker *c, const struct avsc_node *w,
                              const struct avsc_node *r, const char *step);

static enum wire_status
check_record(struct checker *c, const struct avsc_node *w, const struct avsc_node *r)
{
    for (size_t i = 0; i < c->n_seen; i++)
        if (c->seen[i].w == w && c->seen[i].r == r) return WIRE_OK; /* recursive or repeated */
    c->seen = xrealloc(c->seen, (c->n_seen + 1) * sizeof(*c->seen));
    c->seen[c->n_seen++] = (struct pair){w, r};
    for (size_t i = 0; i < r->n_fields; i++) {
        const struct avsc_field *rf = &r->fields[i];
        long k = field_index(w, rf->name);
        if (k < 0) {
            if (!rf->has_default) {
                c->path[c->depth] = rf->name;
                c->depth++;
                enum wire_status st =
                    check_fail(c, "the writer lacks this field and the reader has no default");
                c->depth--;
                return st;
            }
            continue;
        }
        enum wire_status st = check(c, w->fields[k].type, rf->type, rf->name);
        if (st != WIRE_OK) return st;
    }
    return WIRE_OK;
}

static enum wire_status
check_same_kind(struct checker *c, const struct avsc_node *w, const struct avsc_node *r)
{
    switch (w->kind) {
    case AVSC_RECORD:
        if (!same_name(w, r))
            return check_fail(c, "record %s cannot be read as record %s", w->fullname, r->fullname);
        return check_record(c, w, r);
    case AVSC_ENUM:
        if (!same_name(w, r))
            return check_fail(c, "enum %s cannot be read as enum %s", w->fullname, r->fullname);
        for (size_t i = 0; i < w->n_symbols; i++)
            if (avsc_symbol_index_(r, w->symbols[i]) < 0 && r->sym_default < 0)
                return check_fail(c, "symbol %s is not the reader's and %s has no default",
                                  w->symbols[i], r->fullname);
        return WIRE_OK;
    case AVSC_FIXED:
        if (!same_name(w, r) || w->fixed_size != r->fixed_size)
            return check_fail(c, "fixed %s (%zu bytes) cannot be read as fixed %s (%zu bytes)",
                              w->fullname, w->fixed_size, r->fullname, r->fixed_size);
        return WIRE_OK;
    case AVSC_ARRAY:
        return check(c, w->items, r->items, "[]");
    case AVSC_MAP:
        return check(c, w->items, r->items, "{}");
    default:
        return WIRE_OK;
    }
}

static enum wire_status
check(struct checker *c, const struct avsc_node *w, const struct avsc_node *r, const char *step)
{
    if (c->depth > RESOLVE_MAX_DEPTH)
        return check_fail(c, "nested deeper than %d", RESOLVE_MAX_DEPTH);
    c->path[c->depth++] = step;
    enum wire_status st = WIRE_OK;
    if (w->kind == AVSC_UNION) {
        /* Every branch the writer may choose must be readable. */
        for (size_t i = 0; i < w->n_branches && st == WIRE_OK; i++)
            st = check(c, w->branches[i], r, NULL);
    } else if (r->kind == AVSC_UNION) {
        long b = union_pick(r, w);
        st = b < 0 ? check_fail(c, "no branch of the reader's union takes a %s",
                                is_named(w) ? w->fullname : kind_name(w->kind))
                   : check(c, w, r->branches[b], NULL);
    } else if (w->kind == r->kind) {
        st = check_same_kind(c, w, r);
    } else if (!promotable(w->kind, r->kind)) {
        st = check_fail(c, "a %s cannot be read as a %s", kind_name(w->kind), kind_name(r->kind));
    }
    c->depth--;
    return st;
}

enum wire_status
avsc_resolve_check_(const struct avsc *writer, const struct avsc *reader, char *detail,
                    size_t detail_size)
{
    struct checker c = {.detail = detail, .detail_size = detail_size};
    enum wire_status st = check(&c, writer->root, reader->root, NULL);
    free(c.seen);
    return st;
}

/* ---- datum rewriting ----------------------------------------------------------------------- */

struct tx {
    const unsigned char *p, *end;
    struct buf *out;
    size_t start; /* where this datum began in 'out' */
    size_t max_out;
    int depth;
    char *detail;
    size_t detail_size;
};

static enum wire_status tx_fail(struct tx *t, enum wire_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum wire_status
tx_fail(struct tx *t, enum wire_status st, const char *fmt, ...)
{
    if (t->detail == NULL || t->detail_size == 0) return st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->detail, t->detail_size, fmt, ap);
    va_end(ap);
    return st;
}

static enum wire_status
tx_long(struct tx *t, int64_t *v)
{
    uint64_t raw = 0;
    for (int i = 0; i < 10; i++) {
        if (t->p == t->end) return tx_fail(t, WIRE_ERR_TRUNCATED, "ends inside a varint");
        unsigned b = *t->p++;
        raw |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *v = (int64_t)(raw >> 1) ^ -(int64_t)(raw & 1);
            return WIRE_OK;
        }
    }
    return tx_fail(t, WIRE_ERR_MALFORMED, "varint longer than 10 bytes");
}

static enum wire_status
tx_take(struct tx *t, size_t n, const unsigned char **at)
{
    if ((size_t)(t->end - t->p) < n)
        return tx_fail(t, WIRE_ERR_TRUNCATED, "needs %zu bytes, %zu left", n,
                       (size_t)(t->end - t->p));
    *at = t->p;
    t->p += n;
    return WIRE_OK;
}

static void
put(struct tx *t, const void *data, size_t n)
{
    if (t->out != NULL) buf_append(t->out, data, n);
}

static void
put_long(struct tx *t, int64_t v)
{
    if (t->out != NULL) avro_put_long_(t->out, v);
}

static enum wire_status
out_bound(struct tx *t)
{
    if (t->out != NULL && t->out->len - t->start > t->max_out)
        return tx_fail(t, WIRE_ERR_LIMIT, "the resolved datum grows over %zu bytes", t->max_out);
    return WIRE_OK;
}

static enum wire_status tx_value(struct tx *t, const struct avsc_node *w,
                                 const struct avsc_node *r);

/* A length-prefixed string or bytes, copied as it is (both kinds share the encoding). */
static enum wire_status
tx_string(struct tx *t)
{
    int64_t n;
    const unsigned char *at = NULL;
    enum wire_status st = tx_long(t, &n);
    if (st != WIRE_OK) return st;
    if (n < 0) return tx_fail(t, WIRE_ERR_MALFORMED, "negative length %" PRId64, n);
    if ((st = tx_take(t, (size_t)n, &at)) != WIRE_OK) return st;
    put_long(t, n);
    put(t, at, (size_t)n);
    return WIRE_OK;
}

static enum wire_status
tx_number(struct tx *t, const struct avsc_node *w, const struct avsc_node *r)
{
    const unsigned char *at = NULL;
    int64_t v = 0;
    double d;
    enum wire_status st;
    if (w->kind == AVSC_INT || w->kind == AVSC_LONG) {
        if ((st = tx_long(t, &v)) != WIRE_OK) return st;
        d = (double)v;
    } else if (w->kind == AVSC_FLOAT) {
        if ((st = tx_take(t, 4, &at)) != WIRE_OK) return st;
        uint32_t bits = (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 |
                        (uint32_t)at[3] << 24;
        float f;
        memcpy(&f, &bits, sizeof(f));
        d = f;
    } else {
        if ((st = tx_take(t, 8, &at)) != WIRE_OK) return st;
        put(t, at, 8); /* double to double: the reader kind can only be double */
        return WIRE_OK;
    }
    if (t->out == NULL) return WIRE_OK;
    switch (r->kind) {
    case AVSC_INT:
    case AVSC_LONG:
        avro_put_long_(t->out, v);
        break;
    case AVSC_FLOAT:
        if (w->kind == AVSC_FLOAT) put(t, at, 4);
        else
            avro_put_float_(t->out, (float)d);
        break;
    default:
        avro_put_double_(t->out, d);
        break;
    }
    return WIRE_OK;
}

static enum wire_status
tx_enum(struct tx *t, const struct avsc_node *w, const struct avsc_node *r)
{
    int64_t v;
    enum wire_status st = tx_long(t, &v);
    if (st != WIRE_OK) return st;
    if (v < 0 || (uint64_t)v >= w->n_symbols)
        return tx_fail(t, WIRE_ERR_MALFORMED, "enum index %" PRId64 " of %zu", v, w->n_symbols);
    if (r == NULL) return WIRE_OK;
    long ri = avsc_symbol_index_(r, w->symbols[v]);
    if (ri < 0) ri = r->sym_default;
    if (ri < 0)
        return tx_fail(t, WIRE_ERR_INCOMPATIBLE, "%s: symbol %s is not the reader's", r->fullname,
                       w->symbols[v]);
    put_long(t, ri);
    return WIRE_OK;
}

static enum wire_status
tx_blocks(struct tx *t, const struct avsc_node *w, const struct avsc_node *r)
{
    for (;;) {
        int64_t count, size;
        enum wire_status st = tx_long(t, &count);
        if (st != WIRE_OK) return st;
        if (count == 0) break;
        if (count < 0) {
            if (count == INT64_MIN) return tx_fail(t, WIRE_ERR_MALFORMED, "block count");
            count = -count;
            /* The byte size only helps skipping; the items may change size when resolved. */
            if ((st = tx_long(t, &size)) != WIRE_OK) return st;
        }
        if ((uint64_t)count > (size_t)(t->end - t->p) + 1024)
            return tx_fail(t, WIRE_ERR_TRUNCATED, "%" PRId64 " items cannot fit", count);
        put_long(t, count);
        for (int64_t i = 0; i < count; i++) {
            if (w->kind == AVSC_MAP && (st = tx_string(t)) != WIRE_OK) return st;
            if ((st = tx_value(t, w->items, r ? r->items : NULL)) != WIRE_OK) return st;
            if ((st = out_bound(t)) != WIRE_OK) return st;
        }
    }
    put_long(t, 0);
    return WIRE_OK;
}

static enum wire_status
tx_record(struct tx *t, const struct avsc_node *w, const struct avsc_node *r)
{
    enum wire_status st = WIRE_OK;
    if (r == NULL) {
        for (size_t i = 0; i < w->n_fields && st == WIRE_OK; i++)
            st = tx_value(t, w->fields[i].type, NULL);
        return st;
    }
    /* Reader order may differ from writer order: find where each writer field lies first. */
    const unsigned char **span = xcalloc(w->n_fields + 1, sizeof(*span));
    struct buf *out = t->out;
    t->out = NULL;
    for (size_t i = 0; i < w->n_fields && st == WIRE_OK; i++) {
        span[i] = t->p;
        st = tx_value(t, w->fields[i].type, NULL);
    }
    span[w->n_fields] = t->p;
    t->out = out;
    const unsigned char *end = t->p;
    for (size_t i = 0; i < r->n_fields && st == WIRE_OK; i++) {
        const struct avsc_field *rf = &r->fields[i];
        long k = field_index(w, rf->name);
        if (k >= 0) {
            t->p = span[k];
            st = tx_value(t, w->fields[k].type, rf->type);
            if (st == WIRE_OK && t->p != span[k + 1])
                st = tx_fail(t, WIRE_ERR_MALFORMED, "%s: field read twice differently", rf->name);
        } else if (rf->has_default) {
            put(t, rf->def, rf->def_len);
        } else {
            st = tx_fail(t, WIRE_ERR_INCOMPATIBLE, "%s: no value and no default", rf->name);
        }
        if (st == WIRE_OK) st = out_bound(t);
    }
    t->p = end;
    free(span);
    return st;
}

/* Reads one value of writer type 'w' and writes it as reader type 'r'; r NULL skips it. */
static enum wire_status
tx_value(struct tx *t, const struct avsc_node *w, const struct avsc_node *r)
{
    const unsigned char *at = NULL;
    int64_t v;
    enum wire_status st = WIRE_OK;
    if (t->depth >= RESOLVE_MAX_DEPTH)
        return tx_fail(t, WIRE_ERR_LIMIT, "nested deeper than %d", RESOLVE_MAX_DEPTH);
    t->depth++;
    if (w->kind == AVSC_UNION) {
        if ((st = tx_long(t, &v)) == WIRE_OK) {
            if (v < 0 || (uint64_t)v >= w->n_branches)
                st = tx_fail(t, WIRE_ERR_MALFORMED, "union index %" PRId64, v);
            else
                st = tx_value(t, w->branches[v], r);
        }
    } else if (r != NULL && r->kind == AVSC_UNION) {
        long b = union_pick(r, w);
        if (b < 0) {
            st = tx_fail(t, WIRE_ERR_INCOMPATIBLE, "no branch of the reader's union takes a %s",
                         kind_name(w->kind));
        } else {
            put_long(t, b);
            st = tx_value(t, w, r->branches[b]);
        }
    } else if (r != NULL && r->kind != w->kind && !promotable(w->kind, r->kind)) {
        st = tx_fail(t, WIRE_ERR_INCOMPATIBLE, "a %s cannot be read as a %s", kind_name(w->kind),
                     kind_name(r->kind));
    } else {
        switch (w->kind) {
        case AVSC_NULL:
            break;
        case AVSC_BOOLEAN:
            if ((st = tx_take(t, 1, &at)) == WIRE_OK) put(t, at, 1);
            break;
        case AVSC_INT:
        case AVSC_LONG:
        case AVSC_FLOAT:
        case AVSC_DOUBLE:
            st = tx_number(t, w, r);
            break;
        case AVSC_BYTES:
        case AVSC_STRING:
            st = tx_string(t);
            break;
        case AVSC_FIXED:
            if ((st = tx_take(t, w->fixed_size, &at)) == WIRE_OK) put(t, at, w->fixed_size);
            break;
        case AVSC_ENUM:
            st = tx_enum(t, w, r);
            break;
        case AVSC_ARRAY:
        case AVSC_MAP:
            st = tx_blocks(t, w, r);
            break;
        case AVSC_RECORD:
            st = tx_record(t, w, r);
            break;
        case AVSC_UNION:
            break;
        }
    }
    t->depth--;
    return st;
}

enum wire_status
avro_resolve_datum_(const struct avsc *writer, const struct avsc *reader, const unsigned char *data,
                    size_t len, size_t max_out, struct buf *out, char *detail, size_t detail_size)
{
    struct tx t = {
        .p = data,
        .end = data + len,
        .out = out,
        .start = out->len,
        .max_out = max_out,
        .detail = detail,
        .detail_size = detail_size,
    };
    enum wire_status st = tx_value(&t, writer->root, reader->root);
    if (st == WIRE_OK && t.p != t.end)
        st = tx_fail(&t, WIRE_ERR_MALFORMED, "%zu trailing bytes", (size_t)(t.end - t.p));
    if (st == WIRE_OK) st = out_bound(&t);
    if (st != WIRE_OK) {
        out->len = t.start;
        if (out->data != NULL) out->data[t.start] = '\0';
    }
    return st;
}
