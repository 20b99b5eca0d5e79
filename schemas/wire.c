/* schemas/wire.c - message formats: detection, framing, schemas and the requirement entry points.
 *
 * Owns 'struct wire' (the three schemas parsed once, by us for canonical form and pre-decoding
 * and by avro-c for values), the single-object and Confluent frames, and the order of checks on a
 * requirement message: size, format, frame, bounded pre-decoder, avro-c, then field validation.
 * Confluent-framed messages are decoded with the local schema when no registry is attached or
 * their id is ours; otherwise the writer schema is fetched once per id (through the attached
 * source), kept parsed in a bounded cache, and every datum is pre-checked against it and
 * resolved into the local schema (resolve.c). Refuses to hand any byte to avro-c before
 * avro_check_datum_() accepted it against the schema it was written with and then, resolved,
 * against ours. A 'struct wire' is used by one thread at a time; the free functions are
 * reentrant.
 */
#include "wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "bounds.h"
#include "wire_int.h"
#include "xalloc.h"

static const char *const status_names[WIRE_STATUS_COUNT] = {
    "ok",        "empty", "too_large", "bad_magic", "unknown_schema", "truncated",
    "malformed", "limit", "encoding",  "invalid",   "incompatible",   "schema_unavailable",
};

/* Ids and the description get their own bounds; every other string (title, names, list items,
 * cloud, voice) is a name. Ids are allowed up to the text bound here so that an over-long id is
 * reported by the field check as invalid, the same answer the JSON path gives. */
static const struct check_field_limit requirement_field_limits[] = {
    {"event_id", PW_MAX_TEXT_BYTES},
    {"project_id", PW_MAX_TEXT_BYTES},
    {"description", PW_MAX_TEXT_BYTES},
};

const struct check_limits wire_requirement_limits_ = {
    .max_string_bytes = PW_MAX_NAME_BYTES,
    .max_items = PW_MAX_LIST_ITEMS,
    .fields = requirement_field_limits,
    .n_fields = PW_ARRAY_LEN(requirement_field_limits),
};

static const char *const schema_names[] = {"requirement", "report", "audio"};

const char *
wire_status_str(enum wire_status st)
{
    return (unsigned)st < WIRE_STATUS_COUNT ? status_names[st] : "unknown";
}

const char *
wire_format_name(enum wire_format f)
{
    switch (f) {
    case WIRE_FORMAT_AVRO:
        return "avro";
    case WIRE_FORMAT_CONFLUENT:
        return "confluent";
    case WIRE_FORMAT_JSON:
        return "json";
    case WIRE_FORMAT_UNKNOWN:
        break;
    }
    return "unknown";
}

enum wire_format
wire_format_parse(const char *s)
{
    if (s == NULL) return WIRE_FORMAT_UNKNOWN;
    if (strcmp(s, "avro") == 0) return WIRE_FORMAT_AVRO;
    if (strcmp(s, "confluent") == 0) return WIRE_FORMAT_CONFLUENT;
    if (strcmp(s, "json") == 0) return WIRE_FORMAT_JSON;
    return WIRE_FORMAT_UNKNOWN;
}

enum wire_status
wire_fail_(enum wire_status st, char *detail, size_t detail_size, const char *fmt, ...)
{
    if (detail == NULL || detail_size == 0) return st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, detail_size, fmt, ap);
    va_end(ap);
    return st;
}

enum wire_status
wire_fail_at_(enum wire_status st, char *detail, size_t detail_size, struct buf *path,
              const char *fmt, va_list ap)
{
    if (path->len) buf_puts(path, ": ");
    buf_vprintf(path, fmt, ap);
    if (detail != NULL && detail_size > 0) snprintf(detail, detail_size, "%s", path->data);
    buf_fini(path);
    return st;
}

static char *
schema_path(const char *name)
{
    struct buf b;
    buf_init(&b);
    buf_printf(&b, "schemas/%s.avsc", name);
    return buf_detach(&b);
}

static const char *
schema_embedded(const char *name, size_t *len)
{
    for (size_t i = 0; i < PW_ARRAY_LEN(schema_names); i++) {
        if (strcmp(name, schema_names[i]) != 0) continue;
        char *path = schema_path(name);
        const char *text = embedded_file(path, len);
        free(path);
        return text;
    }
    return NULL;
}

static int
schema_load(struct wire_schema *ws, const char *name, char *errstr, size_t errstr_size)
{
    char err[256] = "";
    ws->name = name;
    ws->text = schema_embedded(name, &ws->text_len);
    if (ws->text == NULL) {
        snprintf(errstr, errstr_size, "schemas/%s.avsc is not compiled in", name);
        return -1;
    }
    if (avsc_parse_(&ws->model, ws->text, ws->text_len, err, sizeof(err)) != 0) {
        snprintf(errstr, errstr_size, "schemas/%s.avsc: %s", name, err);
        return -1;
    }
    if (avro_schema_from_json_length(ws->text, ws->text_len, &ws->schema) != 0) {
        snprintf(errstr, errstr_size, "schemas/%s.avsc: avro-c: %s", name, avro_strerror());
        ws->schema = NULL;
        return -1;
    }
    ws->iface = avro_generic_class_from_schema(ws->schema);
    if (ws->iface == NULL) {
        snprintf(errstr, errstr_size, "schemas/%s.avsc: avro-c class: %s", name, avro_strerror());
        return -1;
    }
    return 0;
}

static void
schema_unload(struct wire_schema *ws)
{
    if (ws->iface != NULL) avro_value_iface_decref(ws->iface);
    if (ws->schema != NULL) avro_schema_decref(ws->schema);
    avsc_fini_(&ws->model);
    memset(ws, 0, sizeof(*ws));
}

/* A writer's datum is pre-checked before resolution with the message bound only: fields the
 * local schema lacks are dropped, and what is kept is checked again with the local bounds. */
static const struct check_limits writer_limits = {
    .max_string_bytes = PW_MAX_MESSAGE_BYTES,
    .max_items = PW_MAX_MESSAGE_BYTES,
};

struct wire *
wire_new(char *errstr, size_t errstr_size)
{
    struct wire *w = xcalloc(1, sizeof(*w));
    for (int i = 0; i < WIRE_TARGET_COUNT; i++) w->ids[i] = -1;
    snprintf(w->ce_source, sizeof(w->ce_source), "/pipewrightd");
    if (schema_load(&w->req, "requirement", errstr, errstr_size) != 0 ||
        schema_load(&w->report, "report", errstr, errstr_size) != 0 ||
        schema_load(&w->audio, "audio", errstr, errstr_size) != 0) {
        wire_free(w);
        return NULL;
    }
    return w;
}

void
wire_free(struct wire *w)
{
    if (w == NULL) return;
    if (w->source.release != NULL) w->source.release(w->source.ctx);
    for (size_t i = 0; i < w->n_writers; i++) {
        avsc_fini_(&w->writers[i]->model);
        free(w->writers[i]);
    }
    schema_unload(&w->req);
    schema_unload(&w->report);
    schema_unload(&w->audio);
    free(w);
}

void
wire_source_set(struct wire *w, const struct wire_schema_source *src)
{
    if (w->source.release != NULL) w->source.release(w->source.ctx);
    w->source = *src;
}

void
wire_ids_set(struct wire *w, int32_t requirement_id, int32_t report_id, int32_t audio_id)
{
    w->ids[WIRE_TARGET_REQ] = requirement_id;
    w->ids[WIRE_TARGET_REPORT] = report_id;
    w->ids[WIRE_TARGET_AUDIO] = audio_id;
}

static const struct wire_schema *
target_schema(const struct wire *w, enum wire_target target)
{
    return target == WIRE_TARGET_REPORT  ? &w->report
           : target == WIRE_TARGET_AUDIO ? &w->audio
                                         : &w->req;
}

static void
writer_keep(struct wire *w, struct wire_writer *ww)
{
    if (w->n_writers < WIRE_WRITER_CACHE_MAX) {
        w->writers[w->n_writers++] = ww;
        return;
    }
    struct wire_writer *old = w->writers[w->next_writer];
    avsc_fini_(&old->model);
    free(old);
    w->writers[w->next_writer] = ww;
    w->next_writer = (w->next_writer + 1) % WIRE_WRITER_CACHE_MAX;
}

/* Parses 'text' into 'ww' and checks it against the local schema; the verdict goes in ww->st. */
static void
writer_prepare(struct wire_writer *ww, const struct wire_schema *local, const char *text,
               size_t len, const char *what)
{
    char err[160] = "";
    if (avsc_parse_(&ww->model, text, len, err, sizeof(err)) != 0) {
        ww->st = WIRE_ERR_INCOMPATIBLE;
        snprintf(ww->detail, sizeof(ww->detail), "%s does not parse: %s", what, err);
        return;
    }
    ww->st = avsc_resolve_check_(&ww->model, &local->model, err, sizeof(err));
    if (ww->st != WIRE_OK)
        snprintf(ww->detail, sizeof(ww->detail), "%s cannot be read as %s: %s", what,
                 local->model.root->fullname, err);
}

struct wire_writer *
wire_writer_get_(struct wire *w, int32_t id, enum wire_target target, enum wire_status *st,
                 char *detail, size_t detail_size)
{
    for (size_t i = 0; i < w->n_writers; i++)
        if (w->writers[i]->id == id && w->writers[i]->target == target) {
            *st = WIRE_OK;
            return w->writers[i];
        }
    if (w->source.fetch == NULL) {
        *st = wire_fail_(WIRE_ERR_UNKNOWN_SCHEMA, detail, detail_size,
                         "schema id %d: no registry to ask", (int)id);
        return NULL;
    }
    char err[200] = "";
    struct buf text;
    buf_init(&text);
    int rc = w->source.fetch(w->source.ctx, id, &text, err, sizeof(err));
    if (rc != 0) {
        buf_fini(&text);
        /* Neither answer is kept: the id may be registered later, the registry may come back. */
        *st = rc > 0 ? wire_fail_(WIRE_ERR_UNKNOWN_SCHEMA, detail, detail_size,
                                  "schema id %d is not in the registry", (int)id)
                     : wire_fail_(WIRE_ERR_SCHEMA_UNAVAILABLE, detail, detail_size,
                                  "schema id %d: %s", (int)id, err);
        return NULL;
    }
    struct wire_writer *ww = xcalloc(1, sizeof(*ww));
    ww->id = id;
    ww->target = target;
    char what[48];
    snprintf(what, sizeof(what), "writer schema id %d", (int)id);
    writer_prepare(ww, target_schema(w, target), text.data ? text.data : "", text.len, what);
    buf_fini(&text);
    writer_keep(w, ww);
    *st = WIRE_OK;
    return ww;
}

/* Pre-checks a datum of 'writer' and rewrites it into 'scratch' as a datum of 'local', checked
 * again with the local bounds. */
static enum wire_status
resolve_into(const struct avsc *writer, const struct wire_schema *local,
             const struct check_limits *lim, const unsigned char *data, size_t len, size_t max_len,
             struct buf *scratch, const unsigned char **datum, size_t *datum_len, char *detail,
             size_t detail_size)
{
    if (writer->fingerprint == local->model.fingerprint) {
        *datum = data;
        *datum_len = len;
        return avro_check_datum_(local->model.root, lim, data, len, detail, detail_size);
    }
    enum wire_status st = avro_check_datum_(writer->root, &writer_limits, data, len, detail,
                                            detail_size);
    if (st != WIRE_OK) return st;
    buf_reset(scratch);
    st = avro_resolve_datum_(writer, &local->model, data, len, max_len, scratch, detail,
                             detail_size);
    if (st != WIRE_OK) return st;
    *datum = (const unsigned char *)scratch->data;
    *datum_len = scratch->len;
    return avro_check_datum_(local->model.root, lim, *datum, *datum_len, detail, detail_size);
}

void
wire_put_confluent_header_(struct buf *out, int32_t id)
{
    uint32_t u = (uint32_t)id;
    unsigned char h[WIRE_CONFLUENT_HEADER_BYTES] = {
        0x00,
        (unsigned char)(u >> 24),
        (unsigned char)(u >> 16),
        (unsigned char)(u >> 8),
        (unsigned char)u,
    };
    buf_append(out, h, sizeof(h));
}

enum wire_status
wire_confluent_open_(struct wire *w, enum wire_target target, const struct check_limits *lim,
                     const void *data, size_t len, size_t max_len, struct buf *scratch,
                     const unsigned char **datum, size_t *datum_len, char *detail,
                     size_t detail_size)
{
    const unsigned char *p = data;
    const struct wire_schema *local = target_schema(w, target);
    if (len == 0) return wire_fail_(WIRE_ERR_EMPTY, detail, detail_size, "no bytes");
    if (len > max_len)
        return wire_fail_(WIRE_ERR_TOO_LARGE, detail, detail_size, "%zu bytes, over %zu", len,
                          max_len);
    if (p[0] != 0x00)
        return wire_fail_(WIRE_ERR_BAD_MAGIC, detail, detail_size,
                          "first byte is not the Confluent magic 00");
    if (len < WIRE_CONFLUENT_HEADER_BYTES)
        return wire_fail_(WIRE_ERR_TRUNCATED, detail, detail_size,
                          "%zu bytes: shorter than the Confluent header", len);
    int32_t id = (int32_t)((uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 |
                           (uint32_t)p[4]);
    p += WIRE_CONFLUENT_HEADER_BYTES;
    len -= WIRE_CONFLUENT_HEADER_BYTES;
    if (w->source.fetch == NULL || id == w->ids[target]) {
        *datum = p;
        *datum_len = len;
        return avro_check_datum_(local->model.root, lim, p, len, detail, detail_size);
    }
    enum wire_status st;
    struct wire_writer *ww = wire_writer_get_(w, id, target, &st, detail, detail_size);
    if (ww == NULL) return st;
    if (ww->st != WIRE_OK) return wire_fail_(ww->st, detail, detail_size, "%s", ww->detail);
    return resolve_into(&ww->model, local, lim, p, len, max_len, scratch, datum, datum_len, detail,
                        detail_size);
}

uint64_t
wire_schema_fingerprint(const char *name)
{
    size_t len;
    const char *text = name != NULL ? schema_embedded(name, &len) : NULL;
    if (text == NULL) return 0;
    struct avsc s;
    if (avsc_parse_(&s, text, len, NULL, 0) != 0) return 0;
    uint64_t fp = s.fingerprint;
    avsc_fini_(&s);
    return fp;
}

const char *
wire_schema_text(const char *name)
{
    return name != NULL ? schema_embedded(name, NULL) : NULL;
}

static uint64_t
le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static void
put_so_header(struct buf *out, uint64_t fp)
{
    unsigned char h[WIRE_SO_HEADER_BYTES] = {0xc3, 0x01};
    for (int i = 0; i < 8; i++) h[2 + i] = (unsigned char)(fp >> (8 * i));
    buf_append(out, h, sizeof(h));
}

int
avro_value_append_datum_(avro_value_t *value, struct buf *out)
{
    size_t size;
    if (avro_value_sizeof(value, &size) != 0) return -1;
    buf_reserve(out, size);
    avro_writer_t wr = avro_writer_memory(out->data + out->len, (int64_t)size);
    int rc = avro_value_write(wr, value);
    avro_writer_free(wr);
    if (rc != 0) return -1;
    out->len += size;
    out->data[out->len] = '\0';
    return 0;
}

int
avro_value_append_so_(avro_value_t *value, uint64_t fingerprint, struct buf *out)
{
    size_t start = out->len;
    put_so_header(out, fingerprint);
    if (avro_value_append_datum_(value, out) != 0) {
        out->len = start;
        out->data[start] = '\0';
        return -1;
    }
    return 0;
}

/* Names the schema a known fingerprint belongs to, for a clearer DLQ detail. */
static const char *
fingerprint_owner(const struct wire *w, uint64_t fp)
{
    if (fp == w->req.model.fingerprint) return "requirement";
    if (fp == w->report.model.fingerprint) return "report";
    if (fp == w->audio.model.fingerprint) return "audio";
    return NULL;
}

/* Checks the single-object header of 'len' bytes against schema 'ws'; 'w' (optional) names
 * other known schemas in the detail. */
static enum wire_status
so_header(const struct wire *w, const struct wire_schema *ws, const unsigned char *p, size_t len,
          char *detail, size_t detail_size)
{
    if (p[0] != 0xc3 || (len >= 2 && p[1] != 0x01))
        return wire_fail_(WIRE_ERR_BAD_MAGIC, detail, detail_size,
                          "first bytes are not the single-object marker c3 01");
    if (len < WIRE_SO_HEADER_BYTES)
        return wire_fail_(WIRE_ERR_TRUNCATED, detail, detail_size,
                          "%zu bytes: shorter than the single-object header", len);
    uint64_t fp = le64(p + 2);
    if (fp != ws->model.fingerprint) {
        const char *owner = w != NULL ? fingerprint_owner(w, fp) : NULL;
        return wire_fail_(WIRE_ERR_UNKNOWN_SCHEMA, detail, detail_size,
                          "fingerprint %016llx is %s%s, expected %s %016llx",
                          (unsigned long long)fp, owner ? "the schema of " : "not known",
                          owner ? owner : "", ws->name, (unsigned long long)ws->model.fingerprint);
    }
    return WIRE_OK;
}

enum wire_status
wire_so_open_(const struct wire_schema *ws, const struct check_limits *lim, const void *data,
              size_t len, size_t max_len, const unsigned char **datum, size_t *datum_len,
              char *detail, size_t detail_size)
{
    const unsigned char *p = data;
    if (len == 0) return wire_fail_(WIRE_ERR_EMPTY, detail, detail_size, "no bytes");
    if (len > max_len)
        return wire_fail_(WIRE_ERR_TOO_LARGE, detail, detail_size, "%zu bytes, over %zu", len,
                          max_len);
    enum wire_status st = so_header(NULL, ws, p, len, detail, detail_size);
    if (st != WIRE_OK) return st;
    *datum = p + WIRE_SO_HEADER_BYTES;
    *datum_len = len - WIRE_SO_HEADER_BYTES;
    return avro_check_datum_(ws->model.root, lim, *datum, *datum_len, detail, detail_size);
}

/* Reads a datum the pre-decoder accepted against the local requirement schema. */
static enum wire_status
read_requirement(struct wire *w, const unsigned char *datum, size_t len, struct requirement *req,
                 char *detail, size_t detail_size)
{
    enum wire_status st = requirement_from_avro_(w, datum, len, req, detail, detail_size);
    if (st == WIRE_OK) requirement_default_id_(req, w->default_event_id);
    if (st == WIRE_OK) st = requirement_check_(req, detail, detail_size);
    return st;
}

static enum wire_status
decode_avro_requirement(struct wire *w, const unsigned char *datum, size_t len,
                        struct requirement *req, char *detail, size_t detail_size)
{
    enum wire_status st = avro_check_datum_(w->req.model.root, &wire_requirement_limits_, datum,
                                            len, detail, detail_size);
    if (st != WIRE_OK) return st;
    return read_requirement(w, datum, len, req, detail, detail_size);
}

static enum wire_status
decode_confluent_requirement(struct wire *w, const unsigned char *p, size_t len,
                             struct requirement *req, char *detail, size_t detail_size)
{
    struct buf scratch;
    const unsigned char *datum;
    size_t datum_len;
    buf_init(&scratch);
    enum wire_status st = wire_confluent_open_(w, WIRE_TARGET_REQ, &wire_requirement_limits_, p,
                                               len, PW_MAX_MESSAGE_BYTES, &scratch, &datum,
                                               &datum_len, detail, detail_size);
    if (st == WIRE_OK) st = read_requirement(w, datum, datum_len, req, detail, detail_size);
    buf_fini(&scratch);
    return st;
}

enum wire_status
wire_requirement_resolve(struct wire *w, const char *writer_schema, size_t schema_len,
                         const void *datum, size_t len, struct requirement *req, char *detail,
                         size_t detail_size)
{
    struct wire_writer ww = {.target = WIRE_TARGET_REQ};
    struct buf scratch;
    const unsigned char *d;
    size_t d_len;
    requirement_init(req);
    if (detail != NULL && detail_size > 0) detail[0] = '\0';
    if (len > PW_MAX_MESSAGE_BYTES)
        return wire_fail_(WIRE_ERR_TOO_LARGE, detail, detail_size, "%zu bytes, over %d", len,
                          PW_MAX_MESSAGE_BYTES);
    writer_prepare(&ww, &w->req, writer_schema, schema_len, "writer schema");
    if (ww.st != WIRE_OK) {
        avsc_fini_(&ww.model);
        return wire_fail_(ww.st, detail, detail_size, "%s", ww.detail);
    }
    buf_init(&scratch);
    enum wire_status st = resolve_into(&ww.model, &w->req, &wire_requirement_limits_, datum, len,
                                       PW_MAX_MESSAGE_BYTES, &scratch, &d, &d_len, detail,
                                       detail_size);
    if (st == WIRE_OK) st = read_requirement(w, d, d_len, req, detail, detail_size);
    if (st != WIRE_OK) requirement_fini(req);
    buf_fini(&scratch);
    avsc_fini_(&ww.model);
    return st;
}

static enum wire_status
decode_dispatch(struct wire *w, const unsigned char *p, size_t len, struct requirement *req,
                enum wire_format *fmt, char *detail, size_t detail_size)
{
    if (len == 0) return wire_fail_(WIRE_ERR_EMPTY, detail, detail_size, "no bytes");
    if (len > PW_MAX_MESSAGE_BYTES)
        return wire_fail_(WIRE_ERR_TOO_LARGE, detail, detail_size, "%zu bytes, over %d", len,
                          PW_MAX_MESSAGE_BYTES);
    if (p[0] == 0xc3) {
        *fmt = WIRE_FORMAT_AVRO;
        enum wire_status st = so_header(w, &w->req, p, len, detail, detail_size);
        if (st != WIRE_OK) return st;
        return decode_avro_requirement(w, p + WIRE_SO_HEADER_BYTES, len - WIRE_SO_HEADER_BYTES, req,
                                       detail, detail_size);
    }
    if (p[0] == 0x00) {
        *fmt = WIRE_FORMAT_CONFLUENT;
        return decode_confluent_requirement(w, p, len, req, detail, detail_size);
    }
    size_t bom = len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf ? 3 : 0;
    size_t i = bom;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) i++;
    if (i < len && p[i] == '{') {
        *fmt = WIRE_FORMAT_JSON;
        return requirement_json_parse_as_((const char *)p + bom, len - bom, w->default_event_id,
                                          req, detail, detail_size);
    }
    if (i == len && i > 0)
        return wire_fail_(WIRE_ERR_EMPTY, detail, detail_size, "only white space");
    return wire_fail_(WIRE_ERR_BAD_MAGIC, detail, detail_size,
                      "first byte 0x%02x is none of c3 (Avro), 00 (Confluent), '{' (JSON)",
                      i < len ? p[i] : p[0]);
}

enum wire_status
wire_requirement_decode(struct wire *w, const void *data, size_t len, struct requirement *req,
                        enum wire_format *fmt, char *detail, size_t detail_size)
{
    return wire_requirement_decode_as_(w, data, len, NULL, req, fmt, detail, detail_size);
}

enum wire_status
wire_requirement_decode_as_(struct wire *w, const void *data, size_t len,
                            const char *default_event_id, struct requirement *req,
                            enum wire_format *fmt, char *detail, size_t detail_size)
{
    enum wire_format f = WIRE_FORMAT_UNKNOWN;
    requirement_init(req);
    if (detail != NULL && detail_size > 0) detail[0] = '\0';
    w->default_event_id = default_event_id;
    enum wire_status st = decode_dispatch(w, data, len, req, &f, detail, detail_size);
    w->default_event_id = NULL;
    if (st != WIRE_OK) requirement_fini(req);
    if (fmt != NULL) *fmt = f;
    return st;
}

int
wire_requirement_encode(struct wire *w, const struct requirement *req, enum wire_format fmt,
                        int32_t schema_id, struct buf *out)
{
    size_t start = out->len;
    switch (fmt) {
    case WIRE_FORMAT_JSON:
        requirement_json_write(req, out);
        return 0;
    case WIRE_FORMAT_AVRO:
        put_so_header(out, w->req.model.fingerprint);
        break;
    case WIRE_FORMAT_CONFLUENT:
        wire_put_confluent_header_(out, schema_id);
        break;
    case WIRE_FORMAT_UNKNOWN:
        return -1;
    }
    if (requirement_to_avro_(w, req, out) != 0) {
        out->len = start;
        if (out->data != NULL) out->data[start] = '\0';
        return -1;
    }
    return 0;
}
