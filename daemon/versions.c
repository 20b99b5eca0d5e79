/* daemon/versions.c - what changed between a project's requirement versions (versions.h).
 *
 * The merged requirements come from Redis (the state layer keeps the last eight per project),
 * written by the merge script: JSON objects with the fields of schemas/requirement.avsc. A
 * field is compared by value: numbers as numbers (25000 and 25000.0 are the same budget),
 * an empty list the same as an empty object (the script's JSON encoder cannot tell them
 * apart), everything else with json_equal(). Pure: no I/O. Thread: any.
 */
#include "versions.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define VERSIONS_MAX 64

struct version {
    long number;
    json_t *req; /* owned */
};

/* Fields that differ between every two versions by construction. */
static const char *const ignored[] = {"event_id", "project_id", "submitted_at"};

static int
is_ignored(const char *key)
{
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
        if (strcmp(key, ignored[i]) == 0) return 1;
    return 0;
}

static int
empty(const json_t *v)
{
    return v == NULL || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0) ||
           (json_is_object(v) && json_object_size(v) == 0);
}

static int
same(const json_t *a, const json_t *b)
{
    if (empty(a) && empty(b)) return 1;
    if (a == NULL || b == NULL) return 0;
    if (json_is_number(a) && json_is_number(b)) return json_number_value(a) == json_number_value(b);
    return json_equal((json_t *)a, (json_t *)b);
}

/* A short form of 'v' for a change (a new reference). */
static json_t *
brief(const json_t *v)
{
    if (v == NULL) return json_null();
    if (json_is_string(v) && json_string_length(v) > VERSIONS_VALUE_MAX) {
        const char *s = json_string_value(v);
        size_t cut = VERSIONS_VALUE_MAX;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80) cut--; /* a whole character */
        char text[VERSIONS_VALUE_MAX + 4];
        memcpy(text, s, cut);
        memcpy(text + cut, "\xE2\x80\xA6", 4); /* ... as one character, with the NUL */
        return json_string(text);
    }
    if (json_is_array(v) || json_is_object(v)) {
        size_t n = json_is_array(v) ? json_array_size(v) : json_object_size(v);
        if (n == 0) return json_null();
        char *dump = json_dumps(v, JSON_COMPACT);
        size_t len = dump ? strlen(dump) : 0;
        free(dump);
        if (len > VERSIONS_VALUE_MAX) return json_pack("{s:I}", "items", (json_int_t)n);
    }
    return json_deep_copy(v);
}

/* The fields of 'now' that differ from 'before', as an array of changes. */
static json_t *
changes(json_t *before, json_t *now)
{
    json_t *out = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(now, key, v)
    {
        if (is_ignored(key) || same(json_object_get(before, key), v)) continue;
        json_array_append_new(out,
                              json_pack("{s:s,s:o,s:o}", "field", key, "before",
                                        brief(json_object_get(before, key)), "after", brief(v)));
    }
    json_object_foreach(before, key, v)
    {
        if (is_ignored(key) || json_object_get(now, key) != NULL || empty(v)) continue;
        json_array_append_new(out, json_pack("{s:s,s:o,s:n}", "field", key, "before", brief(v),
                                             "after"));
    }
    return out;
}

static int
newest_first(const void *a, const void *b)
{
    long x = ((const struct version *)a)->number, y = ((const struct version *)b)->number;
    return (x < y) - (x > y);
}

/* One entry of the answer for 'v', with 'prev' the version before it (or NULL). */
static json_t *
entry(const struct version *v, const struct version *prev)
{
    json_t *e = json_pack("{s:I}", "version", (json_int_t)v->number);
    json_t *eid = json_object_get(v->req, "event_id");
    json_t *title = json_object_get(v->req, "title");
    json_t *at = json_object_get(v->req, "submitted_at");
    json_object_set_new(e, "event_id", json_is_string(eid) ? json_copy(eid) : json_null());
    json_object_set_new(e, "title", json_is_string(title) ? brief(title) : json_null());
    json_object_set_new(e, "submitted_at", json_is_number(at) ? json_copy(at) : json_null());
    if (prev) json_object_set_new(e, "changed", changes(prev->req, v->req));
    else if (v->number == 1)
        json_object_set_new(e, "changed", json_array());
    else
        json_object_set_new(e, "changed", json_null());
    return e;
}

size_t
versions_json(const char *const *values, const size_t *lens, size_t n, struct buf *out)
{
    struct version vs[VERSIONS_MAX];
    size_t k = 0;
    for (size_t i = 0; i + 1 < n && k < VERSIONS_MAX; i += 2) {
        if (values[i] == NULL || values[i + 1] == NULL || lens[i] == 0 || lens[i] > 18) continue;
        char num[20], *end;
        memcpy(num, values[i], lens[i]);
        num[lens[i]] = '\0';
        long number = strtol(num, &end, 10);
        if (*end != '\0' || number <= 0) continue;
        json_t *req = json_loadb(values[i + 1], lens[i + 1], 0, NULL);
        if (!json_is_object(req)) {
            json_decref(req);
            continue;
        }
        vs[k].number = number;
        vs[k++].req = req;
    }
    qsort(vs, k, sizeof(vs[0]), newest_first);
    json_t *arr = json_array();
    for (size_t i = 0; i < k; i++) {
        const struct version *prev = i + 1 < k && vs[i + 1].number == vs[i].number - 1 ? &vs[i + 1]
                                                                                       : NULL;
        json_array_append_new(arr, entry(&vs[i], prev));
    }
    char *text = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    buf_puts(out, text ? text : "[]");
    buf_putc(out, '\n');
    free(text);
    json_decref(arr);
    for (size_t i = 0; i < k; i++) json_decref(vs[i].req);
    return k;
}
