/* tests/unit/test_versions.c - what changed between a project's versions (daemon/versions.c).
 *
 * daemon/ objects are not in the library every test links, so versions.c is compiled into
 * this file. The inputs are what the merge script keeps in Redis: pairs of a version number
 * and a merged requirement, in hash order (any order), with numbers as its JSON encoder writes
 * them.
 */
#include "../../daemon/versions.c"

#include "check.h"

static json_t *
run(const char *const *values, size_t n, size_t *count)
{
    size_t lens[16];
    for (size_t i = 0; i < n; i++) lens[i] = values[i] ? strlen(values[i]) : 0;
    struct buf out;
    buf_init(&out);
    *count = versions_json(values, lens, n, &out);
    json_t *j = json_loadb(out.data, out.len, 0, NULL);
    buf_fini(&out);
    return j;
}

/* The change of 'field' in entry 'e', or NULL. */
static json_t *
change(json_t *e, const char *field)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(e, "changed"), i,
                       c) if (strcmp(json_string_value(json_object_get(c, "field")), field) ==
                              0) return c;
    return NULL;
}

static void
test_changes_between_versions_newest_first(void)
{
    const char *values[] = {
        "2",
        "{\"event_id\":\"e2\",\"project_id\":\"p\",\"submitted_at\":2000,\"title\":\"Orders\","
        "\"budget_usd_per_month\":30000,\"cloud\":\"gcp\",\"compliance\":[\"gdpr\"],"
        "\"consumers\":{}}",
        "1",
        "{\"event_id\":\"e1\",\"project_id\":\"p\",\"submitted_at\":1000,\"title\":\"Orders\","
        "\"budget_usd_per_month\":25000.0,\"cloud\":\"aws\",\"team_size\":3,"
        "\"consumers\":[]}",
        "3",
        "{\"event_id\":\"e3\",\"project_id\":\"p\",\"submitted_at\":3000,\"title\":\"Orders\","
        "\"budget_usd_per_month\":30000.0,\"cloud\":\"gcp\",\"compliance\":[\"gdpr\"],"
        "\"consumers\":{}}",
    };
    size_t count = 0;
    json_t *j = run(values, 6, &count);
    CHECK(count == 3 && json_array_size(j) == 3);
    json_t *v3 = json_array_get(j, 0), *v2 = json_array_get(j, 1), *v1 = json_array_get(j, 2);
    CHECK(json_integer_value(json_object_get(v3, "version")) == 3);
    CHECK_STR(json_string_value(json_object_get(v3, "event_id")), "e3");
    CHECK_STR(json_string_value(json_object_get(v3, "title")), "Orders");
    CHECK(json_integer_value(json_object_get(v3, "submitted_at")) == 3000);
    /* the same budget written as 30000 and 30000.0: nothing changed */
    CHECK(json_array_size(json_object_get(v3, "changed")) == 0);
    /* version 2: cloud and budget changed, compliance added, team size dropped; an empty
     * list and an empty object are the same */
    json_t *budget = change(v2, "budget_usd_per_month"), *cloud = change(v2, "cloud");
    CHECK(budget && json_number_value(json_object_get(budget, "before")) == 25000 &&
          json_number_value(json_object_get(budget, "after")) == 30000);
    CHECK(cloud && !strcmp(json_string_value(json_object_get(cloud, "before")), "aws") &&
          !strcmp(json_string_value(json_object_get(cloud, "after")), "gcp"));
    json_t *comp = change(v2, "compliance"), *team = change(v2, "team_size");
    CHECK(comp && json_is_null(json_object_get(comp, "before")));
    CHECK(team && json_is_null(json_object_get(team, "after")));
    CHECK(change(v2, "consumers") == NULL && change(v2, "event_id") == NULL &&
          change(v2, "submitted_at") == NULL && change(v2, "title") == NULL);
    CHECK(json_array_size(json_object_get(v2, "changed")) == 4);
    /* version 1 is the first: an empty list of changes */
    CHECK(json_is_array(json_object_get(v1, "changed")) &&
          json_array_size(json_object_get(v1, "changed")) == 0);
    json_decref(j);
}

static void
test_gaps_long_values_and_garbage(void)
{
    char desc[600];
    memset(desc, 'a', sizeof(desc));
    memcpy(desc + 155, "\xC3\xA9\xC3\xA9", 4); /* a two-byte character across the cut */
    desc[sizeof(desc) - 1] = '\0';
    char v9[1024], v8[200];
    snprintf(v9, sizeof(v9),
             "{\"title\":\"t\",\"description\":\"%s\",\"sources\":[{\"name\":"
             "\"a very long source name indeed\"},{\"name\":\"another very long source name\"},"
             "{\"name\":\"and a third very long source name\"},{\"name\":\"fourth\"},"
             "{\"name\":\"fifth\"}]}",
             desc);
    snprintf(v8, sizeof(v8), "{\"title\":\"t\",\"description\":\"short\"}");
    const char *values[] = {"9", v9,         "8", v8,   "6",  "{\"title\":\"t\"}",
                            "7", "not json", "x", "{}", NULL, "{}",
                            "5", NULL,       "0", "{}"};
    size_t count = 0;
    json_t *j = run(values, 16, &count);
    CHECK(count == 3 && json_array_size(j) == 3); /* 9, 8, 6: the rest do not parse */
    json_t *d = change(json_array_get(j, 0), "description");
    const char *after = d ? json_string_value(json_object_get(d, "after")) : NULL;
    CHECK(after && strlen(after) <= VERSIONS_VALUE_MAX + 3);
    CHECK(after && !strcmp(after + strlen(after) - 3, "\xE2\x80\xA6"));
    json_t *s = change(json_array_get(j, 0), "sources");
    CHECK(s && json_integer_value(json_object_get(json_object_get(s, "after"), "items")) == 5);
    /* 8's predecessor (7) did not parse, 6 is not 1: what changed is unknown */
    CHECK(json_is_null(json_object_get(json_array_get(j, 1), "changed")));
    CHECK(json_is_null(json_object_get(json_array_get(j, 2), "changed")));
    json_decref(j);
    j = run(values, 0, &count);
    CHECK(count == 0 && json_is_array(j) && json_array_size(j) == 0);
    json_decref(j);
}

static const struct check_case cases[] = {
    {"changes_between_versions", test_changes_between_versions_newest_first},
    {"gaps_long_values_and_garbage", test_gaps_long_values_and_garbage},
};

CHECK_MAIN(cases)
