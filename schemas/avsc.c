/* schemas/avsc.c - an Avro schema as a small tree, its Parsing Canonical Form and fingerprint.
 *
 * The .avsc text is read with jansson into our own node tree, which the bounded pre-decoder
 * walks; the same pass writes the Parsing Canonical Form of the Avro specification (section
 * "Parsing Canonical Form for Schemas"): primitives as bare names, named types by fullname,
 * only name, type, fields, symbols, items, values and size kept, in that order, no whitespace.
 * doc, default, aliases, order, logicalType and every other attribute are dropped. A named type
 * is written in full where it is defined and by fullname afterwards, which is how a valid schema
 * text is already arranged. Refuses: unknown type names, duplicate names, malformed attributes,
 * names that are not Avro names, field defaults that are not values of their type, and texts
 * over the bounds of wire_int.h, since a writer schema may come from a registry we do not
 * control. Field defaults and enum symbols are kept for schema resolution (resolve.c), the
 * defaults already in Avro binary form. Pure: no globals, reentrant.
 */
#include "wire_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include <jansson.h>

#include "bounds.h"
#include "xalloc.h"

/* Deeper nesting than this is not a schema we wrote. */
#define AVSC_MAX_DEPTH 32

struct parser {
    struct avsc *s;
    struct buf canon;
    char *err;
    size_t err_size;
    int failed;
};

static const struct {
    const char *name;
    enum avsc_kind kind;
    size_t min_bytes;
} primitives[] = {
    {"null", AVSC_NULL, 0},   {"boolean", AVSC_BOOLEAN, 1}, {"int", AVSC_INT, 1},
    {"long", AVSC_LONG, 1},   {"float", AVSC_FLOAT, 4},     {"double", AVSC_DOUBLE, 8},
    {"bytes", AVSC_BYTES, 1}, {"string", AVSC_STRING, 1},
};

/* CRC-64-AVRO: the 64-bit Rabin fingerprint with the polynomial the specification gives as
 * EMPTY = 0xc15d213aa4d7a795. The table is rebuilt per call (256 * 8 shifts) rather than kept
 * in a global, so the function stays pure; it only runs at start-up and in tests. */
uint64_t
avro_rabin64_(const void *data, size_t len)
{
    const uint64_t empty = 0xc15d213aa4d7a795ULL;
    uint64_t table[256];
    for (unsigned i = 0; i < 256; i++) {
        uint64_t fp = i;
        for (int j = 0; j < 8; j++) fp = (fp >> 1) ^ (empty & (0 - (fp & 1)));
        table[i] = fp;
    }
    const unsigned char *p = data;
    uint64_t fp = empty;
    for (size_t i = 0; i < len; i++) fp = (fp >> 8) ^ table[(fp ^ p[i]) & 0xff];
    return fp;
}

static void
fail(struct parser *ps, const char *fmt, ...)
{
    if (ps->failed) return;
    ps->failed = 1;
    if (ps->err == NULL || ps->err_size == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err, ps->err_size, fmt, ap);
    va_end(ap);
}

static struct avsc_node *
node_new(struct parser *ps, enum avsc_kind kind)
{
    struct avsc *s = ps->s;
    /* Still allocated past the bound so callers need no NULL check; parsing stops at once. */
    if (s->n_nodes >= AVSC_MAX_NODES) fail(ps, "more than %d types", AVSC_MAX_NODES);
    struct avsc_node *n = xcalloc(1, sizeof(*n));
    n->kind = kind;
    n->sym_default = -1;
    s->nodes = xrealloc(s->nodes, (s->n_nodes + 1) * sizeof(*s->nodes));
    s->nodes[s->n_nodes++] = n;
    return n;
}

/* The canonical form writes strings with only the escapes JSON requires, so that the bytes
 * match other implementations for any name a schema may legally use. */
static void
canon_str(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)*p);
        } else if (*p < 0x20) {
            buf_printf(b, "\\u%04x", *p);
        } else {
            buf_putc(b, (char)*p);
        }
    }
    buf_putc(b, '"');
}

static struct avsc_node *
named_find(struct parser *ps, const char *fullname)
{
    for (size_t i = 0; i < ps->s->n_nodes; i++) {
        const char *fn = ps->s->nodes[i]->fullname;
        if (fn != NULL && strcmp(fn, fullname) == 0) return ps->s->nodes[i];
    }
    return NULL;
}

/* Fullname of 'name' seen inside namespace 'ns': a dotted name is already full. */
static char *
fullname_of(const char *name, const char *ns)
{
    struct buf b;
    buf_init(&b);
    if (strchr(name, '.') == NULL && ns != NULL && ns[0] != '\0') buf_printf(&b, "%s.", ns);
    buf_puts(&b, name);
    return buf_detach(&b);
}

/* An Avro name is [A-Za-z_][A-Za-z0-9_]*; a full name is such names joined by dots. */
static int
name_valid(const char *s, int dotted)
{
    size_t len = strlen(s);
    if (len == 0 || len > AVSC_MAX_NAME_BYTES) return 0;
    int start = 1;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (c == '.' && dotted && !start) {
            start = 1;
            continue;
        }
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!alpha && (start || !(c >= '0' && c <= '9'))) return 0;
        start = 0;
    }
    return !start;
}

static struct avsc_node *parse_schema(struct parser *ps, json_t *j, const char *ns, int depth);

long
avsc_symbol_index_(const struct avsc_node *n, const char *symbol)
{
    for (size_t i = 0; i < n->n_symbols; i++)
        if (n->symbols[i] != NULL && strcmp(n->symbols[i], symbol) == 0) return (long)i;
    return -1;
}

void
avro_put_long_(struct buf *b, int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    while (z >= 0x80) {
        buf_putc(b, (char)((z & 0x7f) | 0x80));
        z >>= 7;
    }
    buf_putc(b, (char)z);
}

void
avro_put_double_(struct buf *b, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    for (int i = 0; i < 8; i++) buf_putc(b, (char)(bits >> (8 * i)));
}

void
avro_put_float_(struct buf *b, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof(bits));
    for (int i = 0; i < 4; i++) buf_putc(b, (char)(bits >> (8 * i)));
}

/* A JSON default for a float or double: a number, or the strings the Java implementation
 * writes for the values JSON cannot hold. */
static int
default_number(json_t *j, double *v)
{
    if (json_is_number(j)) {
        *v = json_number_value(j);
        return 0;
    }
    const char *s = json_string_value(j);
    if (s == NULL) return -1;
    if (strcmp(s, "NaN") == 0) *v = NAN;
    else if (strcmp(s, "Infinity") == 0)
        *v = INFINITY;
    else if (strcmp(s, "-Infinity") == 0)
        *v = -INFINITY;
    else
        return -1;
    return 0;
}

/* Bytes and fixed defaults are JSON strings whose code points 0-255 are the bytes. */
static int
default_bytes(json_t *j, struct buf *b, size_t *n)
{
    const unsigned char *s = (const unsigned char *)json_string_value(j);
    if (s == NULL) return -1;
    size_t len = json_string_length(j);
    *n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned c = s[i];
        if (c >= 0x80) {
            /* jansson hands us valid UTF-8: only C2 and C3 lead bytes stay under U+0100. */
            if ((c != 0xc2 && c != 0xc3) || i + 1 >= len) return -1;
            c = ((c & 0x1f) << 6) | (s[++i] & 0x3f);
        }
        buf_putc(b, (char)c);
        (*n)++;
    }
    return 0;
}

static int encode_default(const struct avsc_node *n, json_t *j, struct buf *b, int depth);

static int
encode_record_default(const struct avsc_node *n, json_t *j, struct buf *b, int depth)
{
    if (!json_is_object(j)) return -1;
    for (size_t i = 0; i < n->n_fields; i++) {
        const struct avsc_field *f = &n->fields[i];
        if (f->name == NULL || f->type == NULL) return -1; /* a type still being defined */
        json_t *v = json_object_get(j, f->name);
        if (v != NULL) {
            if (encode_default(f->type, v, b, depth + 1) != 0) return -1;
        } else if (f->has_default) {
            buf_append(b, f->def, f->def_len);
        } else {
            return -1;
        }
    }
    return 0;
}

static int
encode_blocks_default(const struct avsc_node *n, json_t *j, struct buf *b, int depth)
{
    size_t count = n->kind == AVSC_ARRAY ? json_array_size(j) : json_object_size(j);
    if (n->kind == AVSC_ARRAY ? !json_is_array(j) : !json_is_object(j)) return -1;
    if (count > 0) {
        avro_put_long_(b, (int64_t)count);
        if (n->kind == AVSC_ARRAY) {
            for (size_t i = 0; i < count; i++)
                if (encode_default(n->items, json_array_get(j, i), b, depth + 1) != 0) return -1;
        } else {
            const char *key;
            json_t *v;
            json_object_foreach(j, key, v)
            {
                avro_put_long_(b, (int64_t)strlen(key));
                buf_puts(b, key);
                if (encode_default(n->items, v, b, depth + 1) != 0) return -1;
            }
        }
    }
    avro_put_long_(b, 0);
    return 0;
}

/* Appends the Avro binary form of default 'j' for type 'n'; -1 when 'j' is not a value of it. */
static int
encode_default(const struct avsc_node *n, json_t *j, struct buf *b, int depth)
{
    double d;
    size_t len, at = b->len;
    if (n == NULL || depth > AVSC_MAX_DEPTH || b->len > AVSC_MAX_DEFAULT_BYTES) return -1;
    switch (n->kind) {
    case AVSC_NULL:
        return json_is_null(j) ? 0 : -1;
    case AVSC_BOOLEAN:
        if (!json_is_boolean(j)) return -1;
        buf_putc(b, json_is_true(j) ? 1 : 0);
        return 0;
    case AVSC_INT:
    case AVSC_LONG:
        if (!json_is_integer(j)) return -1;
        if (n->kind == AVSC_INT &&
            (json_integer_value(j) < INT32_MIN || json_integer_value(j) > INT32_MAX))
            return -1;
        avro_put_long_(b, (int64_t)json_integer_value(j));
        return 0;
    case AVSC_FLOAT:
    case AVSC_DOUBLE:
        if (default_number(j, &d) != 0) return -1;
        if (n->kind == AVSC_FLOAT) avro_put_float_(b, (float)d);
        else
            avro_put_double_(b, d);
        return 0;
    case AVSC_STRING:
        if (!json_is_string(j)) return -1;
        avro_put_long_(b, (int64_t)json_string_length(j));
        buf_append(b, json_string_value(j), json_string_length(j));
        return 0;
    case AVSC_BYTES: {
        /* The length goes first, so encode into a scratch buffer. */
        struct buf tmp;
        buf_init(&tmp);
        int rc = default_bytes(j, &tmp, &len);
        if (rc == 0) {
            avro_put_long_(b, (int64_t)len);
            buf_append(b, tmp.data, tmp.len);
        }
        buf_fini(&tmp);
        return rc;
    }
    case AVSC_FIXED:
        if (default_bytes(j, b, &len) != 0 || len != n->fixed_size) return -1;
        return 0;
    case AVSC_ENUM: {
        long idx = json_is_string(j) ? avsc_symbol_index_(n, json_string_value(j)) : -1;
        if (idx < 0) return -1;
        avro_put_long_(b, idx);
        return 0;
    }
    case AVSC_ARRAY:
    case AVSC_MAP:
        return encode_blocks_default(n, j, b, depth);
    case AVSC_RECORD:
        return encode_record_default(n, j, b, depth);
    case AVSC_UNION:
        /* The specification ties a union's default to its first branch; writers that chose a
         * later branch exist, so later branches are tried after it. */
        for (size_t i = 0; i < n->n_branches; i++) {
            avro_put_long_(b, (int64_t)i);
            if (encode_default(n->branches[i], j, b, depth + 1) == 0) return 0;
            b->len = at;
            b->data[at] = '\0';
        }
        return -1;
    }
    return -1;
}

static void
field_default(struct parser *ps, const struct avsc_node *rec, struct avsc_field *f, json_t *def)
{
    struct buf b;
    buf_init(&b);
    if (encode_default(f->type, def, &b, 0) != 0 || b.len > AVSC_MAX_DEFAULT_BYTES) {
        fail(ps, "%s.%s: the default is not a value of the field's type", rec->fullname, f->name);
        buf_fini(&b);
        return;
    }
    f->has_default = 1;
    f->def_len = b.len;
    f->def = (unsigned char *)buf_detach(&b);
}

static struct avsc_node *
parse_name_ref(struct parser *ps, const char *name, const char *ns)
{
    for (size_t i = 0; i < PW_ARRAY_LEN(primitives); i++) {
        if (strcmp(name, primitives[i].name) == 0) {
            struct avsc_node *n = node_new(ps, primitives[i].kind);
            n->min_bytes = primitives[i].min_bytes;
            canon_str(&ps->canon, name);
            return n;
        }
    }
    char *full = fullname_of(name, ns);
    struct avsc_node *n = named_find(ps, full);
    /* An unqualified name may also refer to a type in the null namespace. */
    if (n == NULL) n = named_find(ps, name);
    if (n == NULL) {
        fail(ps, "unknown type '%s'", name);
    } else {
        canon_str(&ps->canon, n->fullname);
    }
    free(full);
    return n;
}

/* Defines a named type: sets its fullname, writes "name" and "type", and returns the namespace
 * that its children inherit (owned by the caller). */
static char *
define_named(struct parser *ps, struct avsc_node *n, json_t *j, const char *ns, const char *type)
{
    const char *name = json_string_value(json_object_get(j, "name"));
    if (name == NULL || name[0] == '\0') {
        fail(ps, "a %s without a name", type);
        return NULL;
    }
    if (!name_valid(name, 1)) {
        fail(ps, "a %s name of %zu bytes is not an Avro name (%.40s)", type, strlen(name), name);
        return NULL;
    }
    json_t *jns = json_object_get(j, "namespace");
    if (jns != NULL && !json_is_string(jns)) {
        fail(ps, "%s: namespace is not a string", name);
        return NULL;
    }
    const char *own_ns = jns != NULL ? json_string_value(jns) : ns;
    if (own_ns != NULL && own_ns[0] != '\0' && !name_valid(own_ns, 1)) {
        fail(ps, "%s: namespace of %zu bytes is not an Avro name", name, strlen(own_ns));
        return NULL;
    }
    n->fullname = fullname_of(name, own_ns);
    if (named_find(ps, n->fullname) != n) {
        fail(ps, "type '%s' defined twice", n->fullname);
        return NULL;
    }
    buf_puts(&ps->canon, "{\"name\":");
    canon_str(&ps->canon, n->fullname);
    buf_printf(&ps->canon, ",\"type\":\"%s\"", type);
    const char *dot = strrchr(n->fullname, '.');
    return dot != NULL ? xstrndup(n->fullname, (size_t)(dot - n->fullname)) : xstrdup("");
}

static struct avsc_node *
parse_record(struct parser *ps, json_t *j, const char *ns, int depth)
{
    struct avsc_node *n = node_new(ps, AVSC_RECORD);
    char *child_ns = define_named(ps, n, j, ns, "record");
    if (child_ns == NULL) return NULL;
    json_t *fields = json_object_get(j, "fields");
    if (!json_is_array(fields)) {
        fail(ps, "%s: fields is not an array", n->fullname);
        free(child_ns);
        return NULL;
    }
    buf_puts(&ps->canon, ",\"fields\":[");
    n->n_fields = json_array_size(fields);
    n->fields = n->n_fields ? xcalloc(n->n_fields, sizeof(*n->fields)) : NULL;
    for (size_t i = 0; i < n->n_fields && !ps->failed; i++) {
        json_t *f = json_array_get(fields, i);
        const char *fname = json_string_value(json_object_get(f, "name"));
        json_t *ftype = json_object_get(f, "type");
        if (fname == NULL || ftype == NULL) {
            fail(ps, "%s: field %zu has no name or type", n->fullname, i);
            break;
        }
        if (!name_valid(fname, 0)) {
            fail(ps, "%s: field %zu's name is not an Avro name", n->fullname, i);
            break;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(n->fields[k].name, fname) == 0) {
                fail(ps, "%s: field '%s' defined twice", n->fullname, fname);
                break;
            }
        n->fields[i].name = xstrdup(fname);
        buf_puts(&ps->canon, i ? ",{\"name\":" : "{\"name\":");
        canon_str(&ps->canon, fname);
        buf_puts(&ps->canon, ",\"type\":");
        n->fields[i].type = parse_schema(ps, ftype, child_ns, depth + 1);
        buf_putc(&ps->canon, '}');
        if (n->fields[i].type != NULL) n->min_bytes += n->fields[i].type->min_bytes;
        json_t *def = json_object_get(f, "default");
        if (def != NULL && !ps->failed) field_default(ps, n, &n->fields[i], def);
    }
    buf_puts(&ps->canon, "]}");
    free(child_ns);
    return ps->failed ? NULL : n;
}

static struct avsc_node *
parse_enum(struct parser *ps, json_t *j, const char *ns)
{
    struct avsc_node *n = node_new(ps, AVSC_ENUM);
    n->min_bytes = 1;
    char *child_ns = define_named(ps, n, j, ns, "enum");
    if (child_ns == NULL) return NULL;
    free(child_ns);
    json_t *symbols = json_object_get(j, "symbols");
    if (!json_is_array(symbols) || json_array_size(symbols) == 0) {
        fail(ps, "%s: symbols is not a non-empty array", n->fullname);
        return NULL;
    }
    size_t count = json_array_size(symbols);
    if (count > AVSC_MAX_NODES) {
        fail(ps, "%s: more than %d symbols", n->fullname, AVSC_MAX_NODES);
        return NULL;
    }
    n->symbols = xcalloc(count, sizeof(*n->symbols));
    buf_puts(&ps->canon, ",\"symbols\":[");
    for (size_t i = 0; i < count; i++) {
        const char *sym = json_string_value(json_array_get(symbols, i));
        if (sym == NULL || !name_valid(sym, 0)) {
            fail(ps, "%s: symbol %zu is not an Avro name", n->fullname, i);
            return NULL;
        }
        if (avsc_symbol_index_(n, sym) >= 0) {
            fail(ps, "%s: symbol '%s' listed twice", n->fullname, sym);
            return NULL;
        }
        n->symbols[i] = xstrdup(sym);
        n->n_symbols = i + 1;
        if (i) buf_putc(&ps->canon, ',');
        canon_str(&ps->canon, sym);
    }
    buf_puts(&ps->canon, "]}");
    json_t *def = json_object_get(j, "default");
    if (def != NULL) {
        n->sym_default = json_is_string(def) ? avsc_symbol_index_(n, json_string_value(def)) : -1;
        if (n->sym_default < 0) {
            fail(ps, "%s: the enum default is not one of its symbols", n->fullname);
            return NULL;
        }
    }
    return n;
}

static struct avsc_node *
parse_fixed(struct parser *ps, json_t *j, const char *ns)
{
    struct avsc_node *n = node_new(ps, AVSC_FIXED);
    char *child_ns = define_named(ps, n, j, ns, "fixed");
    if (child_ns == NULL) return NULL;
    free(child_ns);
    json_t *size = json_object_get(j, "size");
    if (!json_is_integer(size) || json_integer_value(size) < 0 ||
        json_integer_value(size) > (json_int_t)PW_MAX_MESSAGE_BYTES) {
        fail(ps, "%s: size is not a small non-negative integer", n->fullname);
        return NULL;
    }
    n->fixed_size = (size_t)json_integer_value(size);
    n->min_bytes = n->fixed_size;
    /* [INTEGERS]: printing the parsed value drops any leading zeros. */
    buf_printf(&ps->canon, ",\"size\":%zu}", n->fixed_size);
    return n;
}

static struct avsc_node *
parse_container(struct parser *ps, json_t *j, const char *ns, int depth, int is_map)
{
    const char *key = is_map ? "values" : "items";
    json_t *inner = json_object_get(j, key);
    if (inner == NULL) {
        fail(ps, "%s without %s", is_map ? "map" : "array", key);
        return NULL;
    }
    struct avsc_node *n = node_new(ps, is_map ? AVSC_MAP : AVSC_ARRAY);
    n->min_bytes = 1; /* the terminating zero count */
    buf_printf(&ps->canon, "{\"type\":\"%s\",\"%s\":", is_map ? "map" : "array", key);
    n->items = parse_schema(ps, inner, ns, depth + 1);
    buf_putc(&ps->canon, '}');
    return ps->failed ? NULL : n;
}

static struct avsc_node *
parse_union(struct parser *ps, json_t *j, const char *ns, int depth)
{
    if (json_array_size(j) == 0) {
        fail(ps, "an empty union");
        return NULL;
    }
    struct avsc_node *n = node_new(ps, AVSC_UNION);
    n->n_branches = json_array_size(j);
    n->branches = xcalloc(n->n_branches, sizeof(*n->branches));
    buf_putc(&ps->canon, '[');
    size_t min = SIZE_MAX;
    for (size_t i = 0; i < n->n_branches && !ps->failed; i++) {
        if (i) buf_putc(&ps->canon, ',');
        n->branches[i] = parse_schema(ps, json_array_get(j, i), ns, depth + 1);
        if (n->branches[i] != NULL && n->branches[i]->min_bytes < min)
            min = n->branches[i]->min_bytes;
    }
    buf_putc(&ps->canon, ']');
    n->min_bytes = ps->failed ? 1 : 1 + min;
    return ps->failed ? NULL : n;
}

static struct avsc_node *
parse_schema(struct parser *ps, json_t *j, const char *ns, int depth)
{
    if (ps->failed) return NULL;
    if (depth > AVSC_MAX_DEPTH) {
        fail(ps, "schema nested deeper than %d", AVSC_MAX_DEPTH);
        return NULL;
    }
    if (json_is_string(j)) return parse_name_ref(ps, json_string_value(j), ns);
    if (json_is_array(j)) return parse_union(ps, j, ns, depth);
    if (!json_is_object(j)) {
        fail(ps, "a schema is neither a name, a union nor an object");
        return NULL;
    }
    json_t *type = json_object_get(j, "type");
    if (json_is_object(type) || json_is_array(type)) return parse_schema(ps, type, ns, depth + 1);
    const char *t = json_string_value(type);
    if (t == NULL) {
        fail(ps, "an object schema without a type");
        return NULL;
    }
    if (strcmp(t, "record") == 0 || strcmp(t, "error") == 0) return parse_record(ps, j, ns, depth);
    if (strcmp(t, "enum") == 0) return parse_enum(ps, j, ns);
    if (strcmp(t, "fixed") == 0) return parse_fixed(ps, j, ns);
    if (strcmp(t, "array") == 0) return parse_container(ps, j, ns, depth, 0);
    if (strcmp(t, "map") == 0) return parse_container(ps, j, ns, depth, 1);
    /* [PRIMITIVES] and [STRIP]: {"type":"long","logicalType":...} is just "long". */
    return parse_name_ref(ps, t, ns);
}

int
avsc_parse_(struct avsc *s, const char *text, size_t len, char *err, size_t err_size)
{
    memset(s, 0, sizeof(*s));
    if (len > AVSC_MAX_TEXT_BYTES) {
        if (err != NULL && err_size > 0)
            snprintf(err, err_size, "schema text of %zu bytes, over %d", len, AVSC_MAX_TEXT_BYTES);
        return -1;
    }
    json_error_t jerr;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (j == NULL) {
        if (err != NULL && err_size > 0)
            snprintf(err, err_size, "schema JSON, line %d: %s", jerr.line, jerr.text);
        return -1;
    }
    struct parser ps = {.s = s, .err = err, .err_size = err_size};
    buf_init(&ps.canon);
    s->root = parse_schema(&ps, j, NULL, 0);
    json_decref(j);
    if (ps.failed || s->root == NULL) {
        fail(&ps, "schema has no root type");
        buf_fini(&ps.canon);
        avsc_fini_(s);
        return -1;
    }
    s->canonical = buf_detach(&ps.canon);
    s->fingerprint = avro_rabin64_(s->canonical, strlen(s->canonical));
    return 0;
}

void
avsc_fini_(struct avsc *s)
{
    for (size_t i = 0; i < s->n_nodes; i++) {
        struct avsc_node *n = s->nodes[i];
        for (size_t f = 0; f < n->n_fields; f++) {
            free(n->fields[f].name);
            free(n->fields[f].def);
        }
        free(n->fields);
        for (size_t k = 0; k < n->n_symbols; k++) free(n->symbols[k]);
        free(n->symbols);
        free(n->branches);
        free(n->fullname);
        free(n);
    }
    free(s->nodes);
    free(s->canonical);
    memset(s, 0, sizeof(*s));
}
