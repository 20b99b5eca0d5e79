/* tests/unit/test_evolution.c - Avro schema evolution: datums of other schema versions.
 *
 * Writer datums are written by avro-c from the writer's own schema text (so they are what an
 * Avro library makes of that schema, not what our resolver expects), then read through
 * schemas/resolve.c. Resolved datums of test schemas are read back with avro-c using the reader
 * schema, so a default we encode wrongly cannot pass. Writer schemas of the requirement are
 * requirement.avsc edited with jansson: fields added (also inside the nested Source record and
 * behind unions), removed, retyped. Hostile schema texts must be refused within the parser's
 * bounds. Run under ASan+UBSan with make SANITIZE=1.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "bounds.h"
#include "requirement.h"
#include "wire.h"
#include "wire_int.h"
#include "xalloc.h"

/* ---- helpers ------------------------------------------------------------------------------- */

static struct wire *
wire_open(void)
{
    char err[256] = "";
    struct wire *w = wire_new(err, sizeof(err));
    if (w == NULL) fprintf(stderr, "wire_new: %s\n", err);
    return w;
}

/* An avro-c value of schema 'text' whose unions are all set to their first (null) branch and
 * strings to "", ready for the caller to fill. */
struct writer {
    avro_schema_t schema;
    avro_value_iface_t *iface;
    avro_value_t rec;
};

static void
nullify(avro_value_t *rec)
{
    size_t n = 0;
    avro_value_get_size(rec, &n);
    for (size_t i = 0; i < n; i++) {
        avro_value_t f, b;
        avro_value_get_by_index(rec, i, &f, NULL);
        if (avro_value_get_type(&f) == AVRO_UNION) avro_value_set_branch(&f, 0, &b);
        else if (avro_value_get_type(&f) == AVRO_STRING)
            avro_value_set_string(&f, "");
    }
}

static int
writer_open(struct writer *wr, const char *text)
{
    memset(wr, 0, sizeof(*wr));
    if (avro_schema_from_json_length(text, strlen(text), &wr->schema) != 0) {
        fprintf(stderr, "avro-c schema: %s\n", avro_strerror());
        return -1;
    }
    wr->iface = avro_generic_class_from_schema(wr->schema);
    avro_generic_value_new(wr->iface, &wr->rec);
    nullify(&wr->rec);
    return 0;
}

static void
writer_close(struct writer *wr)
{
    avro_value_decref(&wr->rec);
    avro_value_iface_decref(wr->iface);
    avro_schema_decref(wr->schema);
}

/* Selects the non-null branch of union field 'name' of 'rec'. */
static avro_value_t
present(avro_value_t *rec, const char *name)
{
    avro_value_t f, b;
    avro_value_get_by_name(rec, name, &f, NULL);
    avro_value_set_branch(&f, 1, &b);
    return b;
}

static void
set_str(avro_value_t *rec, const char *name, const char *s)
{
    avro_value_t f;
    avro_value_get_by_name(rec, name, &f, NULL);
    if (avro_value_get_type(&f) == AVRO_UNION) f = present(rec, name);
    avro_value_set_string(&f, s);
}

static void
set_double(avro_value_t *rec, const char *name, double v)
{
    avro_value_t b = present(rec, name);
    avro_value_set_double(&b, v);
}

/* The requirement schema as JSON, to edit into other versions. */
static json_t *
req_schema(void)
{
    return json_loads(wire_schema_text("requirement"), 0, NULL);
}

static json_t *
fields_of(json_t *rec)
{
    return json_object_get(rec, "fields");
}

static json_t *
field_get(json_t *rec, const char *name)
{
    json_t *fields = fields_of(rec), *f;
    size_t i;
    json_array_foreach(fields, i, f) if (strcmp(json_string_value(json_object_get(f, "name")),
                                                name) == 0) return f;
    return NULL;
}

static void
field_remove(json_t *rec, const char *name)
{
    json_t *fields = fields_of(rec), *f;
    size_t i;
    json_array_foreach(fields, i,
                       f) if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0)
    {
        json_array_remove(fields, i);
        return;
    }
}

static void
field_add(json_t *rec, const char *json)
{
    json_array_append_new(fields_of(rec), json_loads(json, 0, NULL));
}

/* The Source record inside sources: ["null", {"type":"array","items":{...}}]. */
static json_t *
source_record(json_t *schema)
{
    json_t *sources = json_object_get(field_get(schema, "sources"), "type");
    return json_object_get(json_object_get(json_array_get(sources, 1), "items"), "type") == NULL
               ? NULL
               : json_object_get(json_array_get(sources, 1), "items");
}

static char *
dump(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

static int
datum_of(struct writer *wr, struct buf *out)
{
    buf_reset(out);
    return avro_value_append_datum_(&wr->rec, out);
}

/* ---- generic resolution: reader defaults of every kind ------------------------------------- */

static const char new_reader[] =
    "{\"type\":\"record\",\"name\":\"T\",\"namespace\":\"r\",\"fields\":["
    "{\"name\":\"a\",\"type\":\"long\"},"
    "{\"name\":\"s\",\"type\":\"string\",\"default\":\"hi\"},"
    "{\"name\":\"n\",\"type\":\"double\",\"default\":1.5},"
    "{\"name\":\"i\",\"type\":\"int\",\"default\":-7},"
    "{\"name\":\"u\",\"type\":[\"null\",\"string\"],\"default\":null},"
    "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\",\"C\"]},"
    "\"default\":\"B\"},"
    "{\"name\":\"arr\",\"type\":{\"type\":\"array\",\"items\":\"int\"},\"default\":[1,2,3]},"
    "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"boolean\"},\"default\":{\"k\":true}},"
    "{\"name\":\"r\",\"type\":{\"type\":\"record\",\"name\":\"In\",\"fields\":["
    "{\"name\":\"x\",\"type\":\"float\",\"default\":2.5},{\"name\":\"y\",\"type\":\"bytes\"}]},"
    "\"default\":{\"y\":\"\\u00ff\\u0001\"}},"
    "{\"name\":\"fx\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":2},\"default\":\"ab\"}"
    "]}";
/* The old writer: only 'a', an int (promoted to the reader's long), in another namespace. */
static const char old_writer[] =
    "{\"type\":\"record\",\"name\":\"T\",\"namespace\":\"w\",\"fields\":["
    "{\"name\":\"a\",\"type\":\"int\"}]}";

static void
test_defaults_filled(void)
{
    struct avsc ws, rs;
    char err[200] = "";
    CHECK(avsc_parse_(&rs, new_reader, strlen(new_reader), err, sizeof(err)) == 0);
    CHECK(avsc_parse_(&ws, old_writer, strlen(old_writer), err, sizeof(err)) == 0);
    CHECK(avsc_resolve_check_(&ws, &rs, err, sizeof(err)) == WIRE_OK);

    struct writer wr;
    struct buf in, out;
    buf_init(&in);
    buf_init(&out);
    CHECK(writer_open(&wr, old_writer) == 0);
    avro_value_t a;
    avro_value_get_by_name(&wr.rec, "a", &a, NULL);
    avro_value_set_int(&a, -123456);
    CHECK(datum_of(&wr, &in) == 0);
    writer_close(&wr);
    CHECK(avro_resolve_datum_(&ws, &rs, (const unsigned char *)in.data, in.len, 4096, &out, err,
                              sizeof(err)) == WIRE_OK);
    /* Our pre-decoder accepts the result, then avro-c reads it with the reader schema. */
    struct check_limits lim = {.max_string_bytes = 100, .max_items = 100};
    CHECK(avro_check_datum_(rs.root, &lim, (const unsigned char *)out.data, out.len, err,
                            sizeof(err)) == WIRE_OK);
    struct writer rd;
    CHECK(writer_open(&rd, new_reader) == 0);
    avro_reader_t r = avro_reader_memory(out.data, (int64_t)out.len);
    CHECK(avro_value_read(r, &rd.rec) == 0);
    avro_reader_free(r);

    avro_value_t f, item;
    int64_t l = 0;
    int32_t i32 = 0;
    double d = 0;
    float fl = 0;
    const char *s = NULL;
    size_t size = 0;
    int disc = -1, b = -1;
    const void *bytes = NULL;
    avro_value_get_by_name(&rd.rec, "a", &f, NULL);
    avro_value_get_long(&f, &l);
    CHECK(l == -123456);
    avro_value_get_by_name(&rd.rec, "s", &f, NULL);
    avro_value_get_string(&f, &s, &size);
    CHECK_STR(s, "hi");
    avro_value_get_by_name(&rd.rec, "n", &f, NULL);
    avro_value_get_double(&f, &d);
    CHECK(d == 1.5);
    avro_value_get_by_name(&rd.rec, "i", &f, NULL);
    avro_value_get_int(&f, &i32);
    CHECK(i32 == -7);
    avro_value_get_by_name(&rd.rec, "u", &f, NULL);
    avro_value_get_discriminant(&f, &disc);
    CHECK(disc == 0);
    avro_value_get_by_name(&rd.rec, "e", &f, NULL);
    avro_value_get_enum(&f, &disc);
    CHECK(disc == 1);
    avro_value_get_by_name(&rd.rec, "arr", &f, NULL);
    avro_value_get_size(&f, &size);
    CHECK(size == 3);
    avro_value_get_by_index(&f, 2, &item, NULL);
    avro_value_get_int(&item, &i32);
    CHECK(i32 == 3);
    avro_value_get_by_name(&rd.rec, "m", &f, NULL);
    CHECK(avro_value_get_by_name(&f, "k", &item, NULL) == 0);
    avro_value_get_boolean(&item, &b);
    CHECK(b == 1);
    avro_value_get_by_name(&rd.rec, "r", &f, NULL);
    avro_value_get_by_name(&f, "x", &item, NULL);
    avro_value_get_float(&item, &fl);
    CHECK(fl == 2.5f);
    avro_value_get_by_name(&f, "y", &item, NULL);
    avro_value_get_bytes(&item, &bytes, &size);
    CHECK(size == 2 && memcmp(bytes, "\xff\x01", 2) == 0);
    avro_value_get_by_name(&rd.rec, "fx", &f, NULL);
    avro_value_get_fixed(&f, &bytes, &size);
    CHECK(size == 2 && memcmp(bytes, "ab", 2) == 0);
    writer_close(&rd);

    /* The output bound holds: the defaults alone are bigger than 8 bytes. */
    CHECK(avro_resolve_datum_(&ws, &rs, (const unsigned char *)in.data, in.len, 8, &out, err,
                              sizeof(err)) == WIRE_ERR_LIMIT);
    buf_fini(&in);
    buf_fini(&out);
    avsc_fini_(&ws);
    avsc_fini_(&rs);
}

/* A writer with fields the reader lacks, in another order, one behind a union and one a nested
 * record: they are skipped, and the reader's fields keep their values. */
static void
test_extra_fields_skipped(void)
{
    static const char writer[] =
        "{\"type\":\"record\",\"name\":\"T\",\"fields\":["
        "{\"name\":\"extra\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"X\",\"fields\":["
        "{\"name\":\"deep\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}]}]},"
        "{\"name\":\"s\",\"type\":\"bytes\"},"
        "{\"name\":\"tail\",\"type\":{\"type\":\"map\",\"values\":\"double\"}},"
        "{\"name\":\"a\",\"type\":[\"null\",\"long\"]}]}";
    static const char reader[] =
        "{\"type\":\"record\",\"name\":\"T\",\"fields\":["
        "{\"name\":\"a\",\"type\":[\"null\",\"double\"]},{\"name\":\"s\",\"type\":\"string\"}]}";
    struct avsc ws, rs;
    char err[200] = "";
    CHECK(avsc_parse_(&ws, writer, strlen(writer), err, sizeof(err)) == 0);
    CHECK(avsc_parse_(&rs, reader, strlen(reader), err, sizeof(err)) == 0);
    CHECK(avsc_resolve_check_(&ws, &rs, err, sizeof(err)) == WIRE_OK);
    struct writer wr;
    struct buf in, out;
    buf_init(&in);
    buf_init(&out);
    CHECK(writer_open(&wr, writer) == 0);
    avro_value_t x = present(&wr.rec, "extra"), deep, item, f, a;
    avro_value_get_by_name(&x, "deep", &deep, NULL);
    avro_value_append(&deep, &item, NULL);
    avro_value_set_string(&item, "skipped");
    avro_value_get_by_name(&wr.rec, "s", &f, NULL);
    avro_value_set_bytes(&f, (void *)"kept", 4);
    avro_value_get_by_name(&wr.rec, "tail", &f, NULL);
    avro_value_add(&f, "k", &item, NULL, NULL);
    avro_value_set_double(&item, 9);
    a = present(&wr.rec, "a");
    avro_value_set_long(&a, 42);
    CHECK(datum_of(&wr, &in) == 0);
    writer_close(&wr);
    CHECK(avro_resolve_datum_(&ws, &rs, (const unsigned char *)in.data, in.len, 4096, &out, err,
                              sizeof(err)) == WIRE_OK);
    /* a: union branch 1, double 42; s: "kept". */
    static const unsigned char want[] = {0x02, 0,    0,    0,   0,   0,   0,
                                         0x45, 0x40, 0x08, 'k', 'e', 'p', 't'};
    CHECK(out.len == sizeof(want) && memcmp(out.data, want, sizeof(want)) == 0);
    buf_fini(&in);
    buf_fini(&out);
    avsc_fini_(&ws);
    avsc_fini_(&rs);
}

/* Pairs the check must refuse, with a word of the reason. */
static void
test_incompatible_pairs(void)
{
    static const struct {
        const char *writer, *reader, *why;
    } pairs[] = {
        {"{\"type\":\"record\",\"name\":\"T\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}",
         "{\"type\":\"record\",\"name\":\"T\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"}]}",
         "a: a string cannot be read as a long"},
        {"{\"type\":\"record\",\"name\":\"T\",\"fields\":[]}",
         "{\"type\":\"record\",\"name\":\"T\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"}]}",
         "a: the writer lacks this field and the reader has no default"},
        {"{\"type\":\"record\",\"name\":\"U\",\"fields\":[]}",
         "{\"type\":\"record\",\"name\":\"T\",\"fields\":[]}", "record U cannot be read"},
        {"{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"Z\"]}",
         "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}", "symbol Z"},
        {"{\"type\":\"fixed\",\"name\":\"F\",\"size\":3}",
         "{\"type\":\"fixed\",\"name\":\"F\",\"size\":4}", "cannot be read as fixed"},
        {"[\"null\",\"string\"]", "[\"null\",\"long\"]", "no branch of the reader's union"},
        {"\"long\"", "\"int\"", "a long cannot be read as a int"},
        {"{\"type\":\"array\",\"items\":\"double\"}", "{\"type\":\"array\",\"items\":\"float\"}",
         "[]: a double cannot be read as a float"},
    };
    for (size_t i = 0; i < PW_ARRAY_LEN(pairs); i++) {
        struct avsc ws, rs;
        char err[200] = "";
        CHECK(avsc_parse_(&ws, pairs[i].writer, strlen(pairs[i].writer), err, sizeof(err)) == 0);
        CHECK(avsc_parse_(&rs, pairs[i].reader, strlen(pairs[i].reader), err, sizeof(err)) == 0);
        CHECK(avsc_resolve_check_(&ws, &rs, err, sizeof(err)) == WIRE_ERR_INCOMPATIBLE);
        if (strstr(err, pairs[i].why) == NULL)
            fprintf(stderr, "pair %zu: '%s' lacks '%s'\n", i, err, pairs[i].why);
        CHECK(strstr(err, pairs[i].why) != NULL);
        avsc_fini_(&ws);
        avsc_fini_(&rs);
    }
}

/* An enum default takes symbols the reader does not know; a recursive schema terminates. */
static void
test_enum_default_and_recursion(void)
{
    static const char w_enum[] = "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"NEW\"]}";
    static const char r_enum[] =
        "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"OTHER\",\"A\"],\"default\":\"OTHER\"}";
    struct avsc ws, rs;
    struct buf out;
    char err[200] = "";
    buf_init(&out);
    CHECK(avsc_parse_(&ws, w_enum, strlen(w_enum), err, sizeof(err)) == 0);
    CHECK(avsc_parse_(&rs, r_enum, strlen(r_enum), err, sizeof(err)) == 0);
    CHECK(avsc_resolve_check_(&ws, &rs, err, sizeof(err)) == WIRE_OK);
    const unsigned char sym_a = 0x00, sym_new = 0x02;
    CHECK(avro_resolve_datum_(&ws, &rs, &sym_a, 1, 16, &out, err, sizeof(err)) == WIRE_OK);
    CHECK(out.len == 1 && out.data[0] == 0x02); /* A is the reader's index 1 */
    buf_reset(&out);
    CHECK(avro_resolve_datum_(&ws, &rs, &sym_new, 1, 16, &out, err, sizeof(err)) == WIRE_OK);
    CHECK(out.len == 1 && out.data[0] == 0x00); /* NEW falls to the default OTHER */
    avsc_fini_(&ws);
    avsc_fini_(&rs);

    static const char w_list[] =
        "{\"type\":\"record\",\"name\":\"L\",\"fields\":[{\"name\":\"v\",\"type\":\"int\"},"
        "{\"name\":\"next\",\"type\":[\"null\",\"L\"]}]}";
    static const char r_list[] =
        "{\"type\":\"record\",\"name\":\"L\",\"fields\":[{\"name\":\"next\",\"type\":[\"null\","
        "\"L\"]},{\"name\":\"v\",\"type\":\"long\"},{\"name\":\"w\",\"type\":\"int\","
        "\"default\":5}]}";
    CHECK(avsc_parse_(&ws, w_list, strlen(w_list), err, sizeof(err)) == 0);
    CHECK(avsc_parse_(&rs, r_list, strlen(r_list), err, sizeof(err)) == 0);
    CHECK(avsc_resolve_check_(&ws, &rs, err, sizeof(err)) == WIRE_OK);
    /* v=1, next -> {v=2, next null}. */
    const unsigned char two[] = {0x02, 0x02, 0x04, 0x00};
    buf_reset(&out);
    CHECK(avro_resolve_datum_(&ws, &rs, two, sizeof(two), 64, &out, err, sizeof(err)) == WIRE_OK);
    const unsigned char want[] = {0x02, 0x00, 0x04, 0x0a, 0x02, 0x0a};
    CHECK(out.len == sizeof(want) && memcmp(out.data, want, sizeof(want)) == 0);
    /* A chain deeper than the nesting bound is refused, not followed down the stack. */
    struct buf deep;
    buf_init(&deep);
    for (int i = 0; i < 100; i++) buf_append(&deep, "\x02\x02", 2);
    buf_append(&deep, "\x02\x00", 2);
    buf_reset(&out);
    CHECK(avro_resolve_datum_(&ws, &rs, (const unsigned char *)deep.data, deep.len, 1 << 20, &out,
                              err, sizeof(err)) == WIRE_ERR_LIMIT);
    CHECK(out.len == 0);
    buf_fini(&deep);
    buf_fini(&out);
    avsc_fini_(&ws);
    avsc_fini_(&rs);
}

/* ---- the requirement schema: older and newer writers --------------------------------------- */

/* requirement.avsc with more: a top-level field, one inside Source, one behind a union. */
static char *
newer_requirement(void)
{
    json_t *s = req_schema();
    field_add(s, "{\"name\":\"priority\",\"type\":{\"type\":\"enum\",\"name\":\"Priority\","
                 "\"symbols\":[\"low\",\"high\"]},\"default\":\"low\"}");
    field_add(s, "{\"name\":\"labels\",\"type\":[\"null\",{\"type\":\"map\",\"values\":"
                 "\"string\"}],\"default\":null}");
    field_add(source_record(s), "{\"name\":\"owner\",\"type\":\"string\",\"default\":\"\"}");
    /* The new kind reads as the reader's enum default, unknown. */
    json_t *kind = json_object_get(field_get(source_record(s), "kind"), "type");
    json_array_append_new(json_object_get(json_array_get(kind, 1), "symbols"),
                          json_string("stream"));
    return dump(s);
}

static void
test_requirement_newer_writer(void)
{
    struct wire *w = wire_open();
    char *schema = newer_requirement();
    struct writer wr;
    struct buf in;
    char detail[256] = "";
    buf_init(&in);
    CHECK(writer_open(&wr, schema) == 0);
    set_str(&wr.rec, "event_id", "e-new");
    set_str(&wr.rec, "project_id", "p-new");
    set_double(&wr.rec, "freshness_seconds", 60);
    avro_value_t pr, labels, item, sources, src, kind;
    avro_value_get_by_name(&wr.rec, "priority", &pr, NULL);
    avro_value_set_enum(&pr, 1);
    labels = present(&wr.rec, "labels");
    avro_value_add(&labels, "team", &item, NULL, NULL);
    avro_value_set_string(&item, "data");
    sources = present(&wr.rec, "sources");
    avro_value_append(&sources, &src, NULL);
    nullify(&src);
    set_str(&src, "name", "orders");
    set_str(&src, "owner", "sales");
    set_double(&src, "volume_gb_per_day", 12.5);
    kind = present(&src, "kind");
    avro_value_set_enum(&kind, 10); /* stream */
    avro_value_append(&sources, &src, NULL);
    nullify(&src);
    kind = present(&src, "kind");
    avro_value_set_enum(&kind, 1); /* cdc */
    CHECK(datum_of(&wr, &in) == 0);
    writer_close(&wr);

    struct requirement req;
    enum wire_status st = wire_requirement_resolve(w, schema, strlen(schema), in.data, in.len, &req,
                                                   detail, sizeof(detail));
    if (st != WIRE_OK) fprintf(stderr, "newer writer: %s: %s\n", wire_status_str(st), detail);
    CHECK(st == WIRE_OK);
    CHECK_STR(req.event_id, "e-new");
    CHECK_STR(req.project_id, "p-new");
    CHECK(req.freshness_seconds == 60);
    CHECK(isnan(req.retention_days));
    CHECK(req.n_sources == 2);
    if (req.n_sources == 2) {
        CHECK_STR(req.sources[0].name, "orders");
        CHECK(req.sources[0].volume_gb_per_day == 12.5);
        CHECK(req.sources[0].kind == SOURCE_UNKNOWN);
        CHECK(req.sources[1].kind == source_kind_parse("cdc"));
        CHECK(req.sources[1].name == NULL);
    }
    requirement_fini(&req);
    buf_fini(&in);
    free(schema);
    wire_free(w);
}

static void
test_requirement_older_writer(void)
{
    struct wire *w = wire_open();
    json_t *s = req_schema();
    field_remove(s, "freshness_seconds");
    field_remove(s, "audio");
    field_remove(s, "consumers");
    field_remove(source_record(s), "contains_pii");
    char *schema = dump(s);
    struct writer wr;
    struct buf in;
    char detail[256] = "";
    buf_init(&in);
    CHECK(writer_open(&wr, schema) == 0);
    set_str(&wr.rec, "event_id", "e-old");
    set_str(&wr.rec, "project_id", "p-old");
    set_str(&wr.rec, "cloud", "gcp");
    avro_value_t sources = present(&wr.rec, "sources"), src;
    avro_value_append(&sources, &src, NULL);
    nullify(&src);
    set_str(&src, "name", "clicks");
    CHECK(datum_of(&wr, &in) == 0);
    writer_close(&wr);

    struct requirement req;
    enum wire_status st = wire_requirement_resolve(w, schema, strlen(schema), in.data, in.len, &req,
                                                   detail, sizeof(detail));
    if (st != WIRE_OK) fprintf(stderr, "older writer: %s: %s\n", wire_status_str(st), detail);
    CHECK(st == WIRE_OK);
    CHECK_STR(req.event_id, "e-old");
    CHECK_STR(req.cloud, "gcp");
    CHECK(isnan(req.freshness_seconds)); /* the default, null */
    CHECK(req.consumers.n == 0);
    CHECK(req.audio.enabled == -1 && req.audio.codec == NULL);
    CHECK(req.n_sources == 1 && req.sources[0].contains_pii == -1);
    if (req.n_sources == 1) CHECK_STR(req.sources[0].name, "clicks");
    requirement_fini(&req);
    buf_fini(&in);
    free(schema);
    wire_free(w);
}

struct bad_writer {
    json_t *schema;
    const char *why;
};

/* Writers the requirement schema cannot read, each with its reason. */
static void
test_requirement_incompatible(void)
{
    struct wire *w = wire_open();
    struct bad_writer cases[5];
    size_t n = 0;
    json_t *s = req_schema();
    json_object_set_new(field_get(s, "freshness_seconds"), "type",
                        json_loads("[\"null\",\"string\"]", 0, NULL));
    cases[n++] = (struct bad_writer){s, "freshness_seconds: no branch"};
    s = req_schema();
    field_remove(s, "project_id");
    cases[n++] = (struct bad_writer){s, "project_id: the writer lacks this field"};
    s = req_schema();
    json_t *codec = json_object_get(
        field_get(json_array_get(json_object_get(field_get(s, "audio"), "type"), 1), "codec"),
        "type");
    json_array_append_new(json_object_get(json_array_get(codec, 1), "symbols"), json_string("mp3"));
    cases[n++] = (struct bad_writer){s, "symbol mp3"};
    s = req_schema();
    json_object_set_new(s, "name", json_string("Requirement2"));
    cases[n++] = (struct bad_writer){s, "record io.pipewright.Requirement2 cannot be read"};
    s = req_schema();
    json_object_set_new(field_get(s, "event_id"), "type", json_string("long"));
    cases[n++] = (struct bad_writer){s, "event_id: a long cannot be read as a string"};
    for (size_t i = 0; i < n; i++) {
        char *text = dump(cases[i].schema);
        struct requirement req;
        char detail[256] = "";
        /* A datum that is never reached: the writer schema is refused first. */
        enum wire_status st = wire_requirement_resolve(w, text, strlen(text), "\x02x", 2, &req,
                                                       detail, sizeof(detail));
        CHECK(st == WIRE_ERR_INCOMPATIBLE);
        if (strstr(detail, cases[i].why) == NULL)
            fprintf(stderr, "case %zu: '%s' lacks '%s'\n", i, detail, cases[i].why);
        CHECK(strstr(detail, cases[i].why) != NULL);
        CHECK(req.event_id == NULL);
        free(text);
    }
    wire_free(w);
}

/* Hostile writer schemas: refused by the bounded parser, quickly and without a crash. */
static void
test_hostile_writer_schema(void)
{
    struct wire *w = wire_open();
    struct requirement req;
    char detail[256] = "";
    struct buf t;
    buf_init(&t);

    /* 10,000 nested arrays: deeper than the parser's bound. */
    for (int i = 0; i < 10000; i++) buf_puts(&t, "{\"type\":\"array\",\"items\":");
    buf_puts(&t, "\"int\"");
    for (int i = 0; i < 10000; i++) buf_putc(&t, '}');
    CHECK(wire_requirement_resolve(w, t.data, t.len, "", 0, &req, detail, sizeof(detail)) ==
          WIRE_ERR_INCOMPATIBLE);
    /* Over the text bound, refused before jansson reads it. */
    CHECK(strstr(detail, "over") != NULL || strstr(detail, "deeper") != NULL);
    buf_reset(&t);
    for (int i = 0; i < 40; i++) buf_puts(&t, "{\"type\":\"array\",\"items\":");
    buf_puts(&t, "\"int\"");
    for (int i = 0; i < 40; i++) buf_putc(&t, '}');
    CHECK(wire_requirement_resolve(w, t.data, t.len, "", 0, &req, detail, sizeof(detail)) ==
          WIRE_ERR_INCOMPATIBLE);
    CHECK(strstr(detail, "deeper") != NULL);

    /* A 100 KB record name. */
    buf_reset(&t);
    buf_puts(&t, "{\"type\":\"record\",\"name\":\"");
    for (int i = 0; i < 100000; i++) buf_putc(&t, 'N');
    buf_puts(&t, "\",\"fields\":[]}");
    CHECK(wire_requirement_resolve(w, t.data, t.len, "", 0, &req, detail, sizeof(detail)) ==
          WIRE_ERR_INCOMPATIBLE);
    CHECK(strstr(detail, "not an Avro name") != NULL);

    /* A field name that is no Avro name, a symbol with a quote. */
    static const char *const bad[] = {
        "{\"type\":\"record\",\"name\":\"Requirement\",\"fields\":[{\"name\":\"a b\","
        "\"type\":\"int\"}]}",
        "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"a\\\"\"]}",
        "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"A\"]}",
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
        "{\"name\":\"a\",\"type\":\"int\"}]}",
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\","
        "\"default\":\"x\"}]}",
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":[\"null\","
        "\"int\"],\"default\":1.5}]}",
        "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"],\"default\":\"B\"}",
        "not json",
    };
    for (size_t i = 0; i < PW_ARRAY_LEN(bad); i++) {
        CHECK(wire_requirement_resolve(w, bad[i], strlen(bad[i]), "", 0, &req, detail,
                                       sizeof(detail)) == WIRE_ERR_INCOMPATIBLE);
        CHECK(strstr(detail, "does not parse") != NULL);
    }

    /* Very many types: over the node bound. */
    buf_reset(&t);
    buf_puts(&t, "{\"type\":\"record\",\"name\":\"R\",\"fields\":[");
    for (int i = 0; i < 3000; i++)
        buf_printf(&t, "%s{\"name\":\"f%d\",\"type\":\"int\"}", i ? "," : "", i);
    buf_puts(&t, "]}");
    CHECK(wire_requirement_resolve(w, t.data, t.len, "", 0, &req, detail, sizeof(detail)) ==
          WIRE_ERR_INCOMPATIBLE);
    CHECK(strstr(detail, "more than") != NULL);
    buf_fini(&t);

    /* A valid writer schema with a hostile datum: the writer pre-check refuses it. */
    json_t *s = req_schema();
    field_add(s, "{\"name\":\"blob\",\"type\":[\"null\",\"bytes\"],\"default\":null}");
    char *text = dump(s);
    /* The two ids, fifteen nulls, then blob claims 1000 bytes (zig-zag d0 0f) it does not
     * have, and then 2^31 bytes, over the message bound. */
    unsigned char lying[32] = {0x02, 'e', 0x02, 'p'};
    size_t n = 4 + 15;
    lying[n++] = 0x02;
    lying[n++] = 0xd0;
    lying[n++] = 0x0f;
    CHECK(wire_requirement_resolve(w, text, strlen(text), lying, n, &req, detail, sizeof(detail)) ==
          WIRE_ERR_TRUNCATED);
    CHECK(strstr(detail, "blob") != NULL);
    memcpy(lying + n - 2, "\xfe\xff\xff\xff\x0f", 5);
    CHECK(wire_requirement_resolve(w, text, strlen(text), lying, n + 3, &req, detail,
                                   sizeof(detail)) == WIRE_ERR_LIMIT);
    /* The same datum without the lie resolves, blob dropped. */
    lying[n - 2] = 0x00;
    CHECK(wire_requirement_resolve(w, text, strlen(text), lying, n - 1, &req, detail,
                                   sizeof(detail)) == WIRE_OK);
    CHECK_STR(req.project_id, "p");
    requirement_fini(&req);
    free(text);
    wire_free(w);
}

/* ---- through a schema source (what the registry client plugs in) -------------------------- */

struct fake_source {
    const char *text; /* served for id 7 */
    int fetches;
    int down; /* answer as an unreachable registry */
    int released;
};

static int
fake_fetch(void *ctx, int32_t id, struct buf *schema, char *err, size_t err_size)
{
    struct fake_source *fs = ctx;
    fs->fetches++;
    if (fs->down) {
        snprintf(err, err_size, "connection refused");
        return -1;
    }
    if (id != 7) return 1;
    buf_puts(schema, fs->text);
    return 0;
}

static void
fake_release(void *ctx)
{
    ((struct fake_source *)ctx)->released++;
}

static void
test_source_confluent(void)
{
    struct wire *w = wire_open();
    char *schema = newer_requirement();
    struct fake_source fs = {.text = schema};
    struct writer wr;
    struct buf msg, datum;
    char detail[256] = "";
    struct requirement req;
    buf_init(&msg);
    buf_init(&datum);
    CHECK(writer_open(&wr, schema) == 0);
    set_str(&wr.rec, "event_id", "e1");
    set_str(&wr.rec, "project_id", "p1");
    set_str(&wr.rec, "title", "via registry");
    CHECK(datum_of(&wr, &datum) == 0);
    writer_close(&wr);
    wire_put_confluent_header_(&msg, 7);
    buf_append(&msg, datum.data, datum.len);

    /* Without a source the id is carried, not resolved: the newer datum does not fit ours. */
    CHECK(wire_requirement_decode(w, msg.data, msg.len, &req, NULL, detail, sizeof(detail)) !=
          WIRE_OK);
    wire_source_set(w, &(struct wire_schema_source){fake_fetch, fake_release, &fs});
    wire_ids_set(w, 3, -1, -1);
    for (int i = 0; i < 3; i++) {
        CHECK(wire_requirement_decode(w, msg.data, msg.len, &req, NULL, detail, sizeof(detail)) ==
              WIRE_OK);
        CHECK_STR(req.title, "via registry");
        requirement_fini(&req);
    }
    CHECK(fs.fetches == 1); /* cached after the first */
    /* An id the registry lacks, then a registry that does not answer: not cached. */
    msg.data[4] = 8;
    CHECK(wire_requirement_decode(w, msg.data, msg.len, &req, NULL, detail, sizeof(detail)) ==
          WIRE_ERR_UNKNOWN_SCHEMA);
    CHECK(strstr(detail, "schema id 8") != NULL);
    fs.down = 1;
    CHECK(wire_requirement_decode(w, msg.data, msg.len, &req, NULL, detail, sizeof(detail)) ==
          WIRE_ERR_SCHEMA_UNAVAILABLE);
    CHECK(strstr(detail, "connection refused") != NULL);
    CHECK(fs.fetches == 3);
    /* Our own id takes the local schema without asking. */
    buf_reset(&msg);
    struct requirement mine;
    requirement_init(&mine);
    mine.event_id = xstrdup("e2");
    mine.project_id = xstrdup("p2");
    CHECK(wire_requirement_encode(w, &mine, WIRE_FORMAT_CONFLUENT, 3, &msg) == 0);
    CHECK(wire_requirement_decode(w, msg.data, msg.len, &req, NULL, detail, sizeof(detail)) ==
          WIRE_OK);
    CHECK(fs.fetches == 3);
    requirement_fini(&req);
    requirement_fini(&mine);

    /* Reports take Confluent framing with their id, and read back. */
    wire_ids_set(w, 3, 11, 12);
    struct report_event ev = {.event_id = "e",
                              .project_id = "p",
                              .report_id = "r",
                              .version = 2,
                              .audio_status = "ready"};
    buf_reset(&msg);
    CHECK(wire_report_encode(w, &ev, &msg) == 0);
    CHECK(msg.len > 5 && memcmp(msg.data, "\x00\x00\x00\x00\x0b", 5) == 0);
    struct report_event_owned ro;
    CHECK(wire_report_decode(w, msg.data, msg.len, &ro, detail, sizeof(detail)) == WIRE_OK);
    CHECK_STR(ro.ev.report_id, "r");
    CHECK(ro.ev.version == 2);
    report_event_owned_fini(&ro);
    struct audio_event aev = {.event_id = "e",
                              .project_id = "p",
                              .codec = "opus",
                              .data = (const unsigned char *)"ab",
                              .data_len = 2};
    buf_reset(&msg);
    CHECK(wire_audio_encode(w, &aev, &msg) == 0);
    CHECK(msg.len > 5 && memcmp(msg.data, "\x00\x00\x00\x00\x0c", 5) == 0);
    struct audio_event_owned ao;
    CHECK(wire_audio_decode(w, msg.data, msg.len, &ao, detail, sizeof(detail)) == WIRE_OK);
    CHECK(ao.ev.data_len == 2 && memcmp(ao.ev.data, "ab", 2) == 0);
    audio_event_owned_fini(&ao);
    /* A report whose id the registry serves as the requirement schema: incompatible. */
    fs.down = 0;
    msg.data[4] = 7;
    CHECK(wire_audio_decode(w, msg.data, msg.len, &ao, detail, sizeof(detail)) ==
          WIRE_ERR_INCOMPATIBLE);
    wire_free(w);
    CHECK(fs.released == 1);
    buf_fini(&msg);
    buf_fini(&datum);
    free(schema);
}

/* Mutated datums and schema texts: every answer is a known status, nothing leaks or crashes
 * (ASan and UBSan watch), and an accepted datum always yields a checked requirement. */
static void
test_resolve_random_input(void)
{
    struct wire *w = wire_open();
    char *schema = newer_requirement();
    struct writer wr;
    struct buf datum, m;
    char detail[256];
    buf_init(&datum);
    buf_init(&m);
    CHECK(writer_open(&wr, schema) == 0);
    set_str(&wr.rec, "event_id", "e-rand");
    set_str(&wr.rec, "project_id", "p-rand");
    set_str(&wr.rec, "title", "random");
    avro_value_t sources = present(&wr.rec, "sources"), src, labels, item;
    avro_value_append(&sources, &src, NULL);
    nullify(&src);
    set_str(&src, "name", "s");
    labels = present(&wr.rec, "labels");
    avro_value_add(&labels, "k", &item, NULL, NULL);
    avro_value_set_string(&item, "v");
    CHECK(datum_of(&wr, &datum) == 0);
    writer_close(&wr);

    uint64_t x = 0x9e3779b97f4a7c15ULL; /* xorshift64, fixed seed: the run is repeatable */
    int accepted = 0, bad_status = 0, leaked = 0;
    size_t schema_len = strlen(schema);
    for (int i = 0; i < 8000; i++) {
        int on_schema = i % 4 == 3;
        buf_reset(&m);
        buf_append(&m, on_schema ? schema : datum.data, on_schema ? schema_len : datum.len);
        int flips = 1 + (int)(x % 4);
        for (int k = 0; k < flips; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            size_t at = (size_t)(x >> 8) % m.len;
            if (x & 1) m.data[at] = (char)(x >> 40);
            else if (m.len > 1)
                m.len = at + 1; /* cut short */
        }
        struct requirement req;
        enum wire_status st = on_schema
                                  ? wire_requirement_resolve(w, m.data, m.len, datum.data,
                                                             datum.len, &req, detail,
                                                             sizeof(detail))
                                  : wire_requirement_resolve(w, schema, schema_len, m.data, m.len,
                                                             &req, detail, sizeof(detail));
        if ((unsigned)st >= WIRE_STATUS_COUNT) bad_status++;
        if (st == WIRE_OK) {
            accepted++;
            if (req.event_id == NULL || req.project_id == NULL) bad_status++;
            requirement_fini(&req);
        } else if (req.event_id != NULL || req.n_sources != 0) {
            leaked++;
        }
    }
    CHECK(bad_status == 0);
    CHECK(leaked == 0);
    CHECK(accepted > 0 && accepted < 8000);
    buf_fini(&datum);
    buf_fini(&m);
    free(schema);
    wire_free(w);
}

static const struct check_case cases[] = {
    {"defaults_filled", test_defaults_filled},
    {"extra_fields_skipped", test_extra_fields_skipped},
    {"incompatible_pairs", test_incompatible_pairs},
    {"enum_default_and_recursion", test_enum_default_and_recursion},
    {"requirement_newer_writer", test_requirement_newer_writer},
    {"requirement_older_writer", test_requirement_older_writer},
    {"requirement_incompatible", test_requirement_incompatible},
    {"hostile_writer_schema", test_hostile_writer_schema},
    {"source_confluent", test_source_confluent},
    {"resolve_random_input", test_resolve_random_input},
};

CHECK_MAIN(cases)
