/* schemas/wire_json.c - the requirement record as a JSON object, both ways.
 *
 * The JSON form uses the field names of schemas/requirement.avsc with plain values (no Avro
 * union wrappers): null or an absent field means unknown, unknown fields are ignored. Before
 * jansson sees the text, a scan bounds its nesting (PW_MAX_JSON_DEPTH) and its number of values,
 * so a hostile message cannot make the parser build a large tree; jansson then rejects invalid
 * UTF-8, NUL escapes and duplicate keys. Wrong types are refused with the field named. Numbers
 * are written so that strtod() reads back the same double. Pure and reentrant.
 */
#include "wire.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonw.h"
#include "bounds.h"
#include "wire_int.h"
#include "xalloc.h"

/* A requirement has a few hundred values; this leaves room for unknown fields and no more. */
#define JSON_MAX_TOKENS 65536

/* ---- writing ------------------------------------------------------------------------------- */

/* Shortest of %.15g and %.17g that reads back exactly: 0.1 stays "0.1", nothing is rounded. */
static void
knum(struct jsonw *jw, const char *key, double v)
{
    if (isnan(v)) return;
    jsonw_key(jw, key);
    if (!isfinite(v)) {
        jsonw_null(jw);
        return;
    }
    char s[40];
    snprintf(s, sizeof(s), "%.15g", v);
    if (strtod(s, NULL) != v) snprintf(s, sizeof(s), "%.17g", v);
    jsonw_raw(jw, s, strlen(s));
}

static void
kstr(struct jsonw *jw, const char *key, const char *s)
{
    if (s != NULL) jsonw_kstr(jw, key, s);
}

static void
klist(struct jsonw *jw, const char *key, const struct strlist *l)
{
    if (l->n == 0) return;
    jsonw_key(jw, key);
    jsonw_arr_begin(jw);
    for (size_t i = 0; i < l->n; i++) jsonw_str(jw, l->v[i] ? l->v[i] : "");
    jsonw_arr_end(jw);
}

static int
audio_known(const struct req_audio *a)
{
    return a->enabled >= 0 || a->voice != NULL || !isnan(a->rate_wpm) || a->codec != NULL;
}

void
requirement_json_write(const struct requirement *req, struct buf *out)
{
    struct jsonw jw;
    jsonw_init(&jw, out);
    jsonw_obj_begin(&jw);
    jsonw_kstr(&jw, "event_id", req->event_id ? req->event_id : "");
    jsonw_kstr(&jw, "project_id", req->project_id ? req->project_id : "");
    if (req->submitted_at_ms != 0) jsonw_kint(&jw, "submitted_at", req->submitted_at_ms);
    kstr(&jw, "title", req->title);
    kstr(&jw, "description", req->description);
    if (req->n_sources > 0) {
        jsonw_key(&jw, "sources");
        jsonw_arr_begin(&jw);
        for (size_t i = 0; i < req->n_sources; i++) {
            const struct req_source *s = &req->sources[i];
            jsonw_obj_begin(&jw);
            kstr(&jw, "name", s->name);
            if (s->kind != SOURCE_UNKNOWN) jsonw_kstr(&jw, "kind", source_kind_name(s->kind));
            knum(&jw, "volume_gb_per_day", s->volume_gb_per_day);
            knum(&jw, "peak_events_per_sec", s->peak_events_per_sec);
            knum(&jw, "avg_record_bytes", s->avg_record_bytes);
            if (s->contains_pii >= 0) jsonw_kbool(&jw, "contains_pii", s->contains_pii);
            jsonw_obj_end(&jw);
        }
        jsonw_arr_end(&jw);
    }
    knum(&jw, "freshness_seconds", req->freshness_seconds);
    knum(&jw, "retention_days", req->retention_days);
    klist(&jw, "consumers", &req->consumers);
    kstr(&jw, "cloud", req->cloud);
    knum(&jw, "budget_usd_per_month", req->budget_usd_per_month);
    klist(&jw, "compliance", &req->compliance);
    klist(&jw, "existing_stack", &req->existing_stack);
    knum(&jw, "team_size", req->team_size);
    klist(&jw, "team_skills", &req->team_skills);
    knum(&jw, "availability_target", req->availability_target);
    if (audio_known(&req->audio)) {
        const struct req_audio *a = &req->audio;
        jsonw_key(&jw, "audio");
        jsonw_obj_begin(&jw);
        if (a->enabled >= 0) jsonw_kbool(&jw, "enabled", a->enabled);
        kstr(&jw, "voice", a->voice);
        knum(&jw, "rate_wpm", a->rate_wpm);
        kstr(&jw, "codec", a->codec);
        jsonw_obj_end(&jw);
    }
    jsonw_obj_end(&jw);
}

/* ---- reading ------------------------------------------------------------------------------- */

struct jrd {
    char *detail;
    size_t detail_size;
    enum wire_status st;
};

static void
jfail(struct jrd *r, enum wire_status st, const char *field, const char *what)
{
    if (r->st != WIRE_OK) return;
    r->st = st;
    wire_fail_(st, r->detail, r->detail_size, "%s: %s", field, what);
}

/* Nesting depth and value count, outside strings, without building anything. */
enum wire_status
wire_json_prescan_(const char *json, size_t len, int max_depth, char *detail, size_t detail_size)
{
    int depth = 0, in_str = 0;
    size_t tokens = 0;
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        switch (c) {
        case '"':
            in_str = 1;
            break;
        case '{':
        case '[':
            if (++depth > max_depth)
                return wire_fail_(WIRE_ERR_LIMIT, detail, detail_size, "JSON nested deeper than %d",
                                  max_depth);
            tokens++;
            break;
        case '}':
        case ']':
            depth--;
            break;
        case ',':
        case ':':
            tokens++;
            break;
        default:
            break;
        }
        if (tokens > JSON_MAX_TOKENS)
            return wire_fail_(WIRE_ERR_LIMIT, detail, detail_size, "JSON has more than %d values",
                              JSON_MAX_TOKENS);
    }
    return WIRE_OK;
}

static char *
jstr(struct jrd *r, json_t *obj, const char *key, const char *field, size_t max)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) return NULL;
    if (!json_is_string(v)) {
        jfail(r, WIRE_ERR_INVALID, field, "expected a string or null");
        return NULL;
    }
    size_t n = json_string_length(v);
    if (n > max) {
        char what[80];
        snprintf(what, sizeof(what), "%zu bytes, over the limit of %zu", n, max);
        jfail(r, WIRE_ERR_LIMIT, field, what);
        return NULL;
    }
    return xstrndup(json_string_value(v), n);
}

static double
jnum(struct jrd *r, json_t *obj, const char *key, const char *field)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) return NAN;
    if (!json_is_number(v)) {
        jfail(r, WIRE_ERR_INVALID, field, "expected a number or null");
        return NAN;
    }
    return json_number_value(v);
}

static int
jbool(struct jrd *r, json_t *obj, const char *key, const char *field)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) return -1;
    if (!json_is_boolean(v)) {
        jfail(r, WIRE_ERR_INVALID, field, "expected true, false or null");
        return -1;
    }
    return json_is_true(v) ? 1 : 0;
}

/* Returns the array at 'key' (NULL when absent or null) after checking its type and size. */
static json_t *
jarr(struct jrd *r, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) return NULL;
    if (!json_is_array(v)) {
        jfail(r, WIRE_ERR_INVALID, key, "expected an array or null");
        return NULL;
    }
    if (json_array_size(v) > PW_MAX_LIST_ITEMS) {
        char what[64];
        snprintf(what, sizeof(what), "%zu items, over the limit of %d", json_array_size(v),
                 PW_MAX_LIST_ITEMS);
        jfail(r, WIRE_ERR_LIMIT, key, what);
        return NULL;
    }
    return v;
}

static void
jlist(struct jrd *r, json_t *obj, const char *key, struct strlist *l)
{
    json_t *arr = jarr(r, obj, key);
    for (size_t i = 0; arr != NULL && i < json_array_size(arr) && r->st == WIRE_OK; i++) {
        char field[64];
        snprintf(field, sizeof(field), "%s[%zu]", key, i);
        json_t *item = json_array_get(arr, i);
        if (!json_is_string(item)) {
            jfail(r, WIRE_ERR_INVALID, field, "expected a string");
            return;
        }
        if (json_string_length(item) > PW_MAX_NAME_BYTES) {
            jfail(r, WIRE_ERR_LIMIT, field, "longer than the name limit");
            return;
        }
        strlist_push(l, json_string_value(item));
    }
}

static void
jsources(struct jrd *r, json_t *obj, struct requirement *req)
{
    json_t *arr = jarr(r, obj, "sources");
    if (arr == NULL || json_array_size(arr) == 0) return;
    req->sources = xcalloc(json_array_size(arr), sizeof(*req->sources));
    for (size_t i = 0; i < json_array_size(arr) && r->st == WIRE_OK; i++) {
        struct req_source *s = &req->sources[i];
        json_t *item = json_array_get(arr, i);
        char field[64];
        req->n_sources = i + 1;
        s->kind = SOURCE_UNKNOWN;
        s->volume_gb_per_day = s->peak_events_per_sec = s->avg_record_bytes = NAN;
        s->contains_pii = -1;
        snprintf(field, sizeof(field), "sources[%zu]", i);
        if (!json_is_object(item)) {
            jfail(r, WIRE_ERR_INVALID, field, "expected an object");
            return;
        }
        snprintf(field, sizeof(field), "sources[%zu].name", i);
        s->name = jstr(r, item, "name", field, PW_MAX_NAME_BYTES);
        snprintf(field, sizeof(field), "sources[%zu].kind", i);
        char *kind = jstr(r, item, "kind", field, PW_MAX_NAME_BYTES);
        /* Like the Avro enum's default: a kind this build does not know reads as unknown. */
        s->kind = source_kind_parse(kind);
        free(kind);
        snprintf(field, sizeof(field), "sources[%zu].volume_gb_per_day", i);
        s->volume_gb_per_day = jnum(r, item, "volume_gb_per_day", field);
        snprintf(field, sizeof(field), "sources[%zu].peak_events_per_sec", i);
        s->peak_events_per_sec = jnum(r, item, "peak_events_per_sec", field);
        snprintf(field, sizeof(field), "sources[%zu].avg_record_bytes", i);
        s->avg_record_bytes = jnum(r, item, "avg_record_bytes", field);
        snprintf(field, sizeof(field), "sources[%zu].contains_pii", i);
        s->contains_pii = jbool(r, item, "contains_pii", field);
    }
}

static void
jaudio(struct jrd *r, json_t *obj, struct req_audio *a)
{
    json_t *v = json_object_get(obj, "audio");
    if (v == NULL || json_is_null(v)) return;
    if (!json_is_object(v)) {
        jfail(r, WIRE_ERR_INVALID, "audio", "expected an object or null");
        return;
    }
    a->enabled = jbool(r, v, "enabled", "audio.enabled");
    a->voice = jstr(r, v, "voice", "audio.voice", PW_MAX_NAME_BYTES);
    a->rate_wpm = jnum(r, v, "rate_wpm", "audio.rate_wpm");
    a->codec = jstr(r, v, "codec", "audio.codec", PW_MAX_NAME_BYTES);
}

static void
jfill(struct jrd *r, json_t *obj, struct requirement *req)
{
    /* Ids may be read up to the text bound: requirement_check_() then calls them invalid. */
    req->event_id = jstr(r, obj, "event_id", "event_id", PW_MAX_TEXT_BYTES);
    req->project_id = jstr(r, obj, "project_id", "project_id", PW_MAX_TEXT_BYTES);
    json_t *at = json_object_get(obj, "submitted_at");
    if (at != NULL && !json_is_null(at)) {
        if (json_is_integer(at)) req->submitted_at_ms = json_integer_value(at);
        else
            jfail(r, WIRE_ERR_INVALID, "submitted_at", "expected integer milliseconds or null");
    }
    req->title = jstr(r, obj, "title", "title", PW_MAX_NAME_BYTES);
    req->description = jstr(r, obj, "description", "description", PW_MAX_TEXT_BYTES);
    jsources(r, obj, req);
    req->freshness_seconds = jnum(r, obj, "freshness_seconds", "freshness_seconds");
    req->retention_days = jnum(r, obj, "retention_days", "retention_days");
    jlist(r, obj, "consumers", &req->consumers);
    req->cloud = jstr(r, obj, "cloud", "cloud", PW_MAX_NAME_BYTES);
    req->budget_usd_per_month = jnum(r, obj, "budget_usd_per_month", "budget_usd_per_month");
    jlist(r, obj, "compliance", &req->compliance);
    jlist(r, obj, "existing_stack", &req->existing_stack);
    req->team_size = jnum(r, obj, "team_size", "team_size");
    jlist(r, obj, "team_skills", &req->team_skills);
    req->availability_target = jnum(r, obj, "availability_target", "availability_target");
    jaudio(r, obj, &req->audio);
}

enum wire_status
wire_json_status_(const json_error_t *err)
{
    switch (json_error_code(err)) {
    case json_error_invalid_utf8:
    case json_error_null_character:
        return WIRE_ERR_ENCODING;
    case json_error_out_of_memory:
    case json_error_stack_overflow:
        return WIRE_ERR_LIMIT;
    default:
        return WIRE_ERR_MALFORMED;
    }
}

void
requirement_default_id_(struct requirement *req, const char *default_event_id)
{
    if (default_event_id == NULL || (req->event_id != NULL && req->event_id[0] != '\0')) return;
    free(req->event_id);
    req->event_id = xstrdup(default_event_id);
}

enum wire_status
requirement_json_parse(const char *json, size_t len, struct requirement *req, char *detail,
                       size_t detail_size)
{
    return requirement_json_parse_as_(json, len, NULL, req, detail, detail_size);
}

enum wire_status
requirement_json_parse_as_(const char *json, size_t len, const char *default_event_id,
                           struct requirement *req, char *detail, size_t detail_size)
{
    requirement_init(req);
    if (detail != NULL && detail_size > 0) detail[0] = '\0';
    if (len == 0) return wire_fail_(WIRE_ERR_EMPTY, detail, detail_size, "no bytes");
    if (len > PW_MAX_MESSAGE_BYTES)
        return wire_fail_(WIRE_ERR_TOO_LARGE, detail, detail_size, "%zu bytes, over %d", len,
                          PW_MAX_MESSAGE_BYTES);
    enum wire_status st = wire_json_prescan_(json, len, PW_MAX_JSON_DEPTH, detail, detail_size);
    if (st != WIRE_OK) return st;
    json_error_t err;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    if (root == NULL)
        return wire_fail_(wire_json_status_(&err), detail, detail_size, "JSON at byte %d: %s",
                          err.position, err.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return wire_fail_(WIRE_ERR_MALFORMED, detail, detail_size, "JSON is not an object");
    }
    struct jrd r = {.detail = detail, .detail_size = detail_size, .st = WIRE_OK};
    jfill(&r, root, req);
    json_decref(root);
    if (r.st == WIRE_OK) requirement_default_id_(req, default_event_id);
    st = r.st != WIRE_OK ? r.st : requirement_check_(req, detail, detail_size);
    if (st != WIRE_OK) requirement_fini(req);
    return st;
}
