/* schemas/wire_req.c - struct requirement to and from avro-c generic values, and its checks.
 *
 * Maps schemas/requirement.avsc onto common/requirement.h exactly: a null union is the record's
 * "unknown" (NAN, NULL, -1, SOURCE_UNKNOWN, an empty list, submitted_at 0) and back. Enum symbols
 * are matched by name, never by position, so reordering a C enum cannot shift meanings. Decoding
 * only ever sees datums the pre-decoder accepted. Each function takes and releases its own avro-c
 * references. Not thread-safe per 'struct wire' (see wire.h); otherwise pure.
 */
#include "wire_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "xalloc.h"

/* Bounds of the speaking rate: outside them no engine produces intelligible speech. */
#define RATE_WPM_MAX 1000.0

/* ---- decoding ------------------------------------------------------------------------------ */

struct dec {
    char *detail;
    size_t detail_size;
    enum wire_status st;
};

static void
dec_fail(struct dec *d, enum wire_status st, const char *what, const char *field)
{
    if (d->st != WIRE_OK) return;
    d->st = st;
    if (st == WIRE_ERR_MALFORMED)
        wire_fail_(st, d->detail, d->detail_size, "%s: avro-c: %s", field, avro_strerror());
    else
        wire_fail_(st, d->detail, d->detail_size, "%s: %s", field, what);
}

/* Sets 'branch' to the value of optional field 'name'; returns 1 when it is not null. */
static int
opt_get(struct dec *d, avro_value_t *rec, const char *name, avro_value_t *branch)
{
    avro_value_t field;
    int disc;
    if (avro_value_get_by_name(rec, name, &field, NULL) != 0 ||
        avro_value_get_discriminant(&field, &disc) != 0) {
        dec_fail(d, WIRE_ERR_MALFORMED, NULL, name);
        return 0;
    }
    if (disc == 0) return 0;
    if (avro_value_get_current_branch(&field, branch) != 0) {
        dec_fail(d, WIRE_ERR_MALFORMED, NULL, name);
        return 0;
    }
    return 1;
}

static char *
str_dup(struct dec *d, avro_value_t *v, const char *name)
{
    const char *s;
    size_t size;
    if (avro_value_get_string(v, &s, &size) != 0) {
        dec_fail(d, WIRE_ERR_MALFORMED, NULL, name);
        return NULL;
    }
    /* avro-c counts the terminating NUL in 'size'. */
    return xstrndup(s, size ? size - 1 : 0);
}

static char *
get_str(struct dec *d, avro_value_t *rec, const char *name)
{
    avro_value_t field;
    if (avro_value_get_by_name(rec, name, &field, NULL) != 0) {
        dec_fail(d, WIRE_ERR_MALFORMED, NULL, name);
        return NULL;
    }
    return str_dup(d, &field, name);
}

static char *
opt_str(struct dec *d, avro_value_t *rec, const char *name)
{
    avro_value_t b;
    return opt_get(d, rec, name, &b) ? str_dup(d, &b, name) : NULL;
}

/* A present number must be a number: NaN would silently read as "unknown". */
static double
opt_double(struct dec *d, avro_value_t *rec, const char *name)
{
    avro_value_t b;
    double v;
    if (!opt_get(d, rec, name, &b)) return NAN;
    if (avro_value_get_double(&b, &v) != 0) {
        dec_fail(d, WIRE_ERR_MALFORMED, NULL, name);
        return NAN;
    }
    if (isnan(v)) dec_fail(d, WIRE_ERR_INVALID, "NaN is not a value (null means unknown)", name);
    return v;
}

static int
opt_bool(struct dec *d, avro_value_t *rec, const char *name)
{
    avro_value_t b;
    int v;
    if (!opt_get(d, rec, name, &b)) return -1;
    if (avro_value_get_boolean(&b, &v) != 0) {
        dec_fail(d, WIRE_ERR_MALFORMED, NULL, name);
        return -1;
    }
    return v ? 1 : 0;
}

/* The symbol of a checked enum value; NULL on an avro-c error. */
static const char *
enum_symbol(struct dec *d, avro_value_t *v, const char *name)
{
    int idx;
    avro_schema_t schema = avro_value_get_schema(v);
    if (avro_value_get_enum(v, &idx) != 0 || schema == NULL) {
        dec_fail(d, WIRE_ERR_MALFORMED, NULL, name);
        return NULL;
    }
    return avro_schema_enum_get(schema, idx);
}

static void
opt_strlist(struct dec *d, avro_value_t *rec, const char *name, struct strlist *l)
{
    avro_value_t arr, item;
    size_t n;
    if (!opt_get(d, rec, name, &arr)) return;
    if (avro_value_get_size(&arr, &n) != 0) {
        dec_fail(d, WIRE_ERR_MALFORMED, NULL, name);
        return;
    }
    for (size_t i = 0; i < n && d->st == WIRE_OK; i++) {
        if (avro_value_get_by_index(&arr, i, &item, NULL) != 0) {
            dec_fail(d, WIRE_ERR_MALFORMED, NULL, name);
            return;
        }
        char *s = str_dup(d, &item, name);
        if (s == NULL) return;
        l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
        l->v[l->n++] = s;
    }
}

static void
get_sources(struct dec *d, avro_value_t *rec, struct requirement *req)
{
    avro_value_t arr, item, kind;
    size_t n;
    if (!opt_get(d, rec, "sources", &arr)) return;
    if (avro_value_get_size(&arr, &n) != 0) {
        dec_fail(d, WIRE_ERR_MALFORMED, NULL, "sources");
        return;
    }
    /* n was bounded by the pre-decoder (PW_MAX_LIST_ITEMS). */
    req->sources = n ? xcalloc(n, sizeof(*req->sources)) : NULL;
    for (size_t i = 0; i < n && d->st == WIRE_OK; i++) {
        struct req_source *src = &req->sources[i];
        req->n_sources = i + 1;
        src->kind = SOURCE_UNKNOWN;
        if (avro_value_get_by_index(&arr, i, &item, NULL) != 0) {
            dec_fail(d, WIRE_ERR_MALFORMED, NULL, "sources");
            return;
        }
        src->name = opt_str(d, &item, "name");
        if (opt_get(d, &item, "kind", &kind)) {
            const char *sym = enum_symbol(d, &kind, "sources.kind");
            src->kind = source_kind_parse(sym);
        }
        src->volume_gb_per_day = opt_double(d, &item, "volume_gb_per_day");
        src->peak_events_per_sec = opt_double(d, &item, "peak_events_per_sec");
        src->avg_record_bytes = opt_double(d, &item, "avg_record_bytes");
        src->contains_pii = opt_bool(d, &item, "contains_pii");
    }
}

static void
get_audio(struct dec *d, avro_value_t *rec, struct req_audio *a)
{
    avro_value_t opts, codec;
    if (!opt_get(d, rec, "audio", &opts)) return;
    a->enabled = opt_bool(d, &opts, "enabled");
    a->voice = opt_str(d, &opts, "voice");
    a->rate_wpm = opt_double(d, &opts, "rate_wpm");
    if (opt_get(d, &opts, "codec", &codec)) {
        const char *sym = enum_symbol(d, &codec, "audio.codec");
        a->codec = xstrdup(sym);
    }
}

static void
fill(struct dec *d, avro_value_t *rec, struct requirement *req)
{
    avro_value_t b;
    req->event_id = get_str(d, rec, "event_id");
    req->project_id = get_str(d, rec, "project_id");
    if (opt_get(d, rec, "submitted_at", &b)) {
        int64_t ms = 0;
        if (avro_value_get_long(&b, &ms) != 0)
            dec_fail(d, WIRE_ERR_MALFORMED, NULL, "submitted_at");
        req->submitted_at_ms = ms;
    }
    req->title = opt_str(d, rec, "title");
    req->description = opt_str(d, rec, "description");
    get_sources(d, rec, req);
    req->freshness_seconds = opt_double(d, rec, "freshness_seconds");
    req->retention_days = opt_double(d, rec, "retention_days");
    opt_strlist(d, rec, "consumers", &req->consumers);
    req->cloud = opt_str(d, rec, "cloud");
    req->budget_usd_per_month = opt_double(d, rec, "budget_usd_per_month");
    opt_strlist(d, rec, "compliance", &req->compliance);
    opt_strlist(d, rec, "existing_stack", &req->existing_stack);
    req->team_size = opt_double(d, rec, "team_size");
    opt_strlist(d, rec, "team_skills", &req->team_skills);
    req->availability_target = opt_double(d, rec, "availability_target");
    get_audio(d, rec, &req->audio);
}

enum wire_status
requirement_from_avro_(struct wire *w, const void *datum, size_t len, struct requirement *req,
                       char *detail, size_t detail_size)
{
    struct dec d = {.detail = detail, .detail_size = detail_size, .st = WIRE_OK};
    avro_value_t rec;
    if (avro_generic_value_new(w->req.iface, &rec) != 0)
        return wire_fail_(WIRE_ERR_MALFORMED, detail, detail_size, "avro-c: %s", avro_strerror());
    avro_reader_t rd = avro_reader_memory(datum, (int64_t)len);
    if (avro_value_read(rd, &rec) != 0) {
        /* The pre-decoder accepted these bytes, so this would be a disagreement between it
         * and avro-c; report it as malformed rather than trust either. */
        d.st = wire_fail_(WIRE_ERR_MALFORMED, detail, detail_size, "avro-c read: %s",
                          avro_strerror());
    } else {
        fill(&d, &rec, req);
    }
    avro_reader_free(rd);
    avro_value_decref(&rec);
    return d.st;
}

/* ---- encoding ------------------------------------------------------------------------------ */

static int
set_null(avro_value_t *rec, const char *name)
{
    avro_value_t f, b;
    return avro_value_get_by_name(rec, name, &f, NULL) || avro_value_set_branch(&f, 0, &b) ||
           avro_value_set_null(&b);
}

/* Selects the non-null branch of optional field 'name' into 'b'. */
static int
set_present(avro_value_t *rec, const char *name, avro_value_t *b)
{
    avro_value_t f;
    return avro_value_get_by_name(rec, name, &f, NULL) || avro_value_set_branch(&f, 1, b);
}

static int
set_opt_str(avro_value_t *rec, const char *name, const char *s)
{
    avro_value_t b;
    if (s == NULL) return set_null(rec, name);
    return set_present(rec, name, &b) || avro_value_set_string(&b, s);
}

static int
set_opt_double(avro_value_t *rec, const char *name, double v)
{
    avro_value_t b;
    if (isnan(v)) return set_null(rec, name);
    return set_present(rec, name, &b) || avro_value_set_double(&b, v);
}

static int
set_opt_bool(avro_value_t *rec, const char *name, int v)
{
    avro_value_t b;
    if (v < 0) return set_null(rec, name);
    return set_present(rec, name, &b) || avro_value_set_boolean(&b, v != 0);
}

static int
set_opt_enum(avro_value_t *rec, const char *name, const char *symbol)
{
    avro_value_t b;
    if (symbol == NULL) return set_null(rec, name);
    if (set_present(rec, name, &b) != 0) return -1;
    int idx = avro_schema_enum_get_by_name(avro_value_get_schema(&b), symbol);
    return idx < 0 ? -1 : avro_value_set_enum(&b, idx);
}

static int
set_opt_strlist(avro_value_t *rec, const char *name, const struct strlist *l)
{
    avro_value_t arr, item;
    if (l->n == 0) return set_null(rec, name);
    if (set_present(rec, name, &arr) != 0) return -1;
    for (size_t i = 0; i < l->n; i++)
        if (avro_value_append(&arr, &item, NULL) != 0 ||
            avro_value_set_string(&item, l->v[i] ? l->v[i] : "") != 0)
            return -1;
    return 0;
}

static int
set_str(avro_value_t *rec, const char *name, const char *s)
{
    avro_value_t f;
    return avro_value_get_by_name(rec, name, &f, NULL) || avro_value_set_string(&f, s ? s : "");
}

static int
set_sources(avro_value_t *rec, const struct requirement *req)
{
    avro_value_t arr, item;
    if (req->n_sources == 0) return set_null(rec, "sources");
    if (set_present(rec, "sources", &arr) != 0) return -1;
    for (size_t i = 0; i < req->n_sources; i++) {
        const struct req_source *src = &req->sources[i];
        const char *kind = src->kind == SOURCE_UNKNOWN ? NULL : source_kind_name(src->kind);
        if (avro_value_append(&arr, &item, NULL) != 0 ||
            set_opt_str(&item, "name", src->name) != 0 || set_opt_enum(&item, "kind", kind) != 0 ||
            set_opt_double(&item, "volume_gb_per_day", src->volume_gb_per_day) != 0 ||
            set_opt_double(&item, "peak_events_per_sec", src->peak_events_per_sec) != 0 ||
            set_opt_double(&item, "avg_record_bytes", src->avg_record_bytes) != 0 ||
            set_opt_bool(&item, "contains_pii", src->contains_pii) != 0)
            return -1;
    }
    return 0;
}

static int
set_audio(avro_value_t *rec, const struct req_audio *a)
{
    avro_value_t opts;
    if (a->enabled < 0 && a->voice == NULL && isnan(a->rate_wpm) && a->codec == NULL)
        return set_null(rec, "audio");
    return set_present(rec, "audio", &opts) || set_opt_bool(&opts, "enabled", a->enabled) ||
           set_opt_str(&opts, "voice", a->voice) ||
           set_opt_double(&opts, "rate_wpm", a->rate_wpm) || set_opt_enum(&opts, "codec", a->codec);
}

static int
set_all(avro_value_t *rec, const struct requirement *req)
{
    avro_value_t b;
    int rc = set_str(rec, "event_id", req->event_id) || set_str(rec, "project_id", req->project_id);
    if (req->submitted_at_ms == 0) rc = rc || set_null(rec, "submitted_at");
    else
        rc = rc || set_present(rec, "submitted_at", &b) ||
             avro_value_set_long(&b, req->submitted_at_ms);
    return rc || set_opt_str(rec, "title", req->title) ||
           set_opt_str(rec, "description", req->description) || set_sources(rec, req) ||
           set_opt_double(rec, "freshness_seconds", req->freshness_seconds) ||
           set_opt_double(rec, "retention_days", req->retention_days) ||
           set_opt_strlist(rec, "consumers", &req->consumers) ||
           set_opt_str(rec, "cloud", req->cloud) ||
           set_opt_double(rec, "budget_usd_per_month", req->budget_usd_per_month) ||
           set_opt_strlist(rec, "compliance", &req->compliance) ||
           set_opt_strlist(rec, "existing_stack", &req->existing_stack) ||
           set_opt_double(rec, "team_size", req->team_size) ||
           set_opt_strlist(rec, "team_skills", &req->team_skills) ||
           set_opt_double(rec, "availability_target", req->availability_target) ||
           set_audio(rec, &req->audio);
}

int
requirement_to_avro_(struct wire *w, const struct requirement *req, struct buf *out)
{
    avro_value_t rec;
    if (avro_generic_value_new(w->req.iface, &rec) != 0) return -1;
    int rc = set_all(&rec, req) ? -1 : avro_value_append_datum_(&rec, out);
    avro_value_decref(&rec);
    return rc;
}

/* ---- checks -------------------------------------------------------------------------------- */

static enum wire_status
check_id(const char *name, const char *v, char *detail, size_t detail_size)
{
    if (v == NULL || v[0] == '\0')
        return wire_fail_(WIRE_ERR_INVALID, detail, detail_size, "%s is missing or empty", name);
    size_t n = strlen(v);
    if (n > PW_MAX_ID_BYTES)
        return wire_fail_(WIRE_ERR_INVALID, detail, detail_size, "%s is %zu bytes, longer than %d",
                          name, n, PW_MAX_ID_BYTES);
    return WIRE_OK;
}

/* Unknown (NaN) passes; a known value must be finite and within [0, max]. */
static enum wire_status
check_num(const char *name, double v, double max, char *detail, size_t detail_size)
{
    if (isnan(v)) return WIRE_OK;
    if (!isfinite(v) || v < 0 || v > max)
        return wire_fail_(WIRE_ERR_INVALID, detail, detail_size, "%s is %g, outside 0..%g", name, v,
                          max);
    return WIRE_OK;
}

enum wire_status
requirement_check_(const struct requirement *req, char *detail, size_t detail_size)
{
    enum wire_status st;
    char name[64];
    if ((st = check_id("event_id", req->event_id, detail, detail_size)) != WIRE_OK ||
        (st = check_id("project_id", req->project_id, detail, detail_size)) != WIRE_OK)
        return st;
    if (req->submitted_at_ms < 0)
        return wire_fail_(WIRE_ERR_INVALID, detail, detail_size, "submitted_at is negative");
    for (size_t i = 0; i < req->n_sources; i++) {
        const struct req_source *s = &req->sources[i];
        if ((unsigned)s->kind >= SOURCE_KIND_COUNT)
            return wire_fail_(WIRE_ERR_INVALID, detail, detail_size, "sources[%zu].kind", i);
        snprintf(name, sizeof(name), "sources[%zu].volume_gb_per_day", i);
        if ((st = check_num(name, s->volume_gb_per_day, PW_MAX_GB_PER_DAY, detail, detail_size)))
            return st;
        snprintf(name, sizeof(name), "sources[%zu].peak_events_per_sec", i);
        if ((st = check_num(name, s->peak_events_per_sec, PW_MAX_EVENTS_PER_SEC, detail,
                            detail_size)))
            return st;
        snprintf(name, sizeof(name), "sources[%zu].avg_record_bytes", i);
        if ((st = check_num(name, s->avg_record_bytes, PW_MAX_RECORD_BYTES, detail, detail_size)))
            return st;
    }
    if ((st = check_num("freshness_seconds", req->freshness_seconds, PW_MAX_SECONDS, detail,
                        detail_size)) ||
        (st = check_num("retention_days", req->retention_days, PW_MAX_DAYS, detail, detail_size)) ||
        (st = check_num("budget_usd_per_month", req->budget_usd_per_month, PW_MAX_USD_PER_MONTH,
                        detail, detail_size)) ||
        (st = check_num("team_size", req->team_size, PW_MAX_TEAM_SIZE, detail, detail_size)) ||
        (st = check_num("availability_target", req->availability_target, 100, detail,
                        detail_size)) ||
        (st = check_num("audio.rate_wpm", req->audio.rate_wpm, RATE_WPM_MAX, detail, detail_size)))
        return st;
    if (req->audio.codec != NULL && strcmp(req->audio.codec, "opus") != 0 &&
        strcmp(req->audio.codec, "wav") != 0)
        return wire_fail_(WIRE_ERR_INVALID, detail, detail_size,
                          "audio.codec \"%.32s\" is neither opus nor wav", req->audio.codec);
    return WIRE_OK;
}
