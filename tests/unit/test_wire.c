/* tests/unit/test_wire.c - the wire formats: round trips, fingerprints, and hostile bytes.
 *
 * Every refusal is checked for its exact wire_status, since that is what the DLQ reason header
 * carries. Expected fingerprints and canonical forms come from fastavro, not from our code (see
 * the comments at each constant); tests/unit/vectors/ holds messages written by fastavro. Run
 * from the repository root (make test-unit does), under ASan+UBSan with make SANITIZE=1.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "bounds.h"
#include "requirement.h"
#include "wire.h"
#include "wire_int.h"
#include "xalloc.h"

#define VECTORS_DIR "tests/unit/vectors/"

/* ---- helpers ------------------------------------------------------------------------------- */

static struct wire *
wire_open(void)
{
    char err[256] = "";
    struct wire *w = wire_new(err, sizeof(err));
    if (w == NULL) fprintf(stderr, "wire_new: %s\n", err);
    return w;
}

static int
str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* NaN equals NaN here: both mean unknown. */
static int
num_eq(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static int
list_eq(const struct strlist *a, const struct strlist *b)
{
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (!str_eq(a->v[i], b->v[i])) return 0;
    return 1;
}

/* Compares every field, and says which one differs. */
static int
req_eq(const struct requirement *a, const struct requirement *b)
{
    const char *diff = NULL;
    if (!str_eq(a->event_id, b->event_id)) diff = "event_id";
    else if (!str_eq(a->project_id, b->project_id))
        diff = "project_id";
    else if (a->submitted_at_ms != b->submitted_at_ms)
        diff = "submitted_at";
    else if (!str_eq(a->title, b->title))
        diff = "title";
    else if (!str_eq(a->description, b->description))
        diff = "description";
    else if (a->n_sources != b->n_sources)
        diff = "n_sources";
    else if (!num_eq(a->freshness_seconds, b->freshness_seconds))
        diff = "freshness_seconds";
    else if (!num_eq(a->retention_days, b->retention_days))
        diff = "retention_days";
    else if (!list_eq(&a->consumers, &b->consumers))
        diff = "consumers";
    else if (!str_eq(a->cloud, b->cloud))
        diff = "cloud";
    else if (!num_eq(a->budget_usd_per_month, b->budget_usd_per_month))
        diff = "budget";
    else if (!list_eq(&a->compliance, &b->compliance))
        diff = "compliance";
    else if (!list_eq(&a->existing_stack, &b->existing_stack))
        diff = "existing_stack";
    else if (!num_eq(a->team_size, b->team_size))
        diff = "team_size";
    else if (!list_eq(&a->team_skills, &b->team_skills))
        diff = "team_skills";
    else if (!num_eq(a->availability_target, b->availability_target))
        diff = "availability";
    else if (a->audio.enabled != b->audio.enabled)
        diff = "audio.enabled";
    else if (!str_eq(a->audio.voice, b->audio.voice))
        diff = "audio.voice";
    else if (!num_eq(a->audio.rate_wpm, b->audio.rate_wpm))
        diff = "audio.rate_wpm";
    else if (!str_eq(a->audio.codec, b->audio.codec))
        diff = "audio.codec";
    for (size_t i = 0; diff == NULL && i < a->n_sources; i++) {
        const struct req_source *x = &a->sources[i], *y = &b->sources[i];
        if (!str_eq(x->name, y->name) || x->kind != y->kind ||
            !num_eq(x->volume_gb_per_day, y->volume_gb_per_day) ||
            !num_eq(x->peak_events_per_sec, y->peak_events_per_sec) ||
            !num_eq(x->avg_record_bytes, y->avg_record_bytes) || x->contains_pii != y->contains_pii)
            diff = "sources[i]";
    }
    if (diff != NULL) fprintf(stderr, "  records differ in %s\n", diff);
    return diff == NULL;
}

static void
add_source(struct requirement *req, const char *name, enum source_kind kind, double gb, double eps,
           double bytes, int pii)
{
    req->sources = xrealloc(req->sources, (req->n_sources + 1) * sizeof(*req->sources));
    struct req_source *s = &req->sources[req->n_sources++];
    s->name = xstrdup(name);
    s->kind = kind;
    s->volume_gb_per_day = gb;
    s->peak_events_per_sec = eps;
    s->avg_record_bytes = bytes;
    s->contains_pii = pii;
}

/* A requirement with every field known, plus sources that exercise each kind and unknowns. */
static void
full_req(struct requirement *req)
{
    requirement_init(req);
    req->event_id = xstrdup("evt-7f3a");
    req->project_id = xstrdup("proj-42");
    req->submitted_at_ms = 1767225600123LL;
    req->title = xstrdup("Ride-hailing surge pricing \xe2\x80\x94 5 s windows");
    req->description = xstrdup("We ingest GPS pings from 200k drivers.\n"
                               "Line two: \"quoted\" \\ ok");
    for (int k = 0; k < SOURCE_KIND_COUNT; k++)
        add_source(req, source_kind_name((enum source_kind)k), (enum source_kind)k, 0.1 * k,
                   k % 2 ? NAN : 1e5 + k, 512.25, k % 3 - 1);
    add_source(req, NULL, SOURCE_UNKNOWN, NAN, NAN, NAN, -1);
    req->freshness_seconds = 5;
    req->retention_days = 365.25;
    strlist_push(&req->consumers, "operational");
    strlist_push(&req->consumers, "ml");
    req->cloud = xstrdup("gcp");
    req->budget_usd_per_month = 12345.678;
    strlist_push(&req->compliance, "GDPR");
    strlist_push(&req->existing_stack, "Kafka");
    strlist_push(&req->existing_stack, "BigQuery");
    req->team_size = 6;
    strlist_push(&req->team_skills, "Go");
    req->availability_target = 99.95;
    req->audio.enabled = 0;
    req->audio.voice = xstrdup("flite:slt");
    req->audio.rate_wpm = 170;
    req->audio.codec = xstrdup("wav");
}

static void
min_req(struct requirement *req)
{
    requirement_init(req);
    req->event_id = xstrdup("e1");
    req->project_id = xstrdup("p1");
}

static void
put_varlong(struct buf *b, int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    do {
        unsigned char c = z & 0x7f;
        z >>= 7;
        if (z) c |= 0x80;
        buf_putc(b, (char)c);
    } while (z);
}

static void
put_avstr(struct buf *b, const char *s)
{
    put_varlong(b, (int64_t)strlen(s));
    buf_puts(b, s);
}

/* A single-object header for the requirement schema. */
static void
put_header(struct buf *b)
{
    uint64_t fp = wire_schema_fingerprint("requirement");
    buf_putc(b, (char)0xc3);
    buf_putc(b, 0x01);
    for (int i = 0; i < 8; i++) buf_putc(b, (char)(fp >> (8 * i)));
}

/* A requirement message: ids e1/p1, submitted_at/title/description null, then 'sources' as
 * given (the union included; NULL for null), then the 11 remaining fields null. */
static void
make_msg(struct buf *b, const void *sources, size_t n)
{
    put_header(b);
    put_avstr(b, "e1");
    put_avstr(b, "p1");
    buf_append(b, "\0\0\0", 3);
    if (sources != NULL) buf_append(b, sources, n);
    else
        buf_putc(b, 0);
    for (int i = 0; i < 11; i++) buf_putc(b, 0);
}

static enum wire_status
decode_buf(struct wire *w, const struct buf *b, char *detail, size_t detail_size)
{
    struct requirement req;
    enum wire_status st = wire_requirement_decode(w, b->data, b->len, &req, NULL, detail,
                                                  detail_size);
    requirement_fini(&req);
    return st;
}

static enum wire_status
decode_sources(struct wire *w, const struct buf *sources, char *detail, size_t detail_size)
{
    struct buf b;
    buf_init(&b);
    make_msg(&b, sources->data, sources->len);
    enum wire_status st = decode_buf(w, &b, detail, detail_size);
    buf_fini(&b);
    return st;
}

static enum wire_status
decode_json(const char *json, char *detail, size_t detail_size)
{
    struct requirement req;
    enum wire_status st = requirement_json_parse(json, strlen(json), &req, detail, detail_size);
    requirement_fini(&req);
    return st;
}

static char *
read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    struct buf b;
    buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return buf_detach(&b);
}

/* ---- names and schemas --------------------------------------------------------------------- */

static void
test_status_names(void)
{
    CHECK_STR(wire_status_str(WIRE_OK), "ok");
    CHECK_STR(wire_status_str(WIRE_ERR_EMPTY), "empty");
    CHECK_STR(wire_status_str(WIRE_ERR_TOO_LARGE), "too_large");
    CHECK_STR(wire_status_str(WIRE_ERR_BAD_MAGIC), "bad_magic");
    CHECK_STR(wire_status_str(WIRE_ERR_UNKNOWN_SCHEMA), "unknown_schema");
    CHECK_STR(wire_status_str(WIRE_ERR_TRUNCATED), "truncated");
    CHECK_STR(wire_status_str(WIRE_ERR_MALFORMED), "malformed");
    CHECK_STR(wire_status_str(WIRE_ERR_LIMIT), "limit");
    CHECK_STR(wire_status_str(WIRE_ERR_ENCODING), "encoding");
    CHECK_STR(wire_status_str(WIRE_ERR_INVALID), "invalid");
    CHECK_STR(wire_status_str(WIRE_ERR_INCOMPATIBLE), "incompatible");
    CHECK_STR(wire_status_str(WIRE_ERR_SCHEMA_UNAVAILABLE), "schema_unavailable");
    CHECK(WIRE_STATUS_COUNT <= 16); /* the daemon counts dead letters per reason in 16 slots */
    CHECK_STR(wire_format_name(WIRE_FORMAT_CONFLUENT), "confluent");
    CHECK(wire_format_parse("json") == WIRE_FORMAT_JSON);
    CHECK(wire_format_parse("avro") == WIRE_FORMAT_AVRO);
    CHECK(wire_format_parse("xml") == WIRE_FORMAT_UNKNOWN);
}

/* Expected values computed once with fastavro 1.13.1:
 *   c = fastavro.schema.to_parsing_canonical_form(json.load(open("schemas/NAME.avsc")))
 *   fastavro.schema.fingerprint(c, "CRC-64-AVRO")
 * which prints the fingerprint's bytes little-endian first: "92e2a37b357cee9b" is the value
 * 0x9bee7c357ba3e292. */
static void
test_fingerprints(void)
{
    CHECK(wire_schema_fingerprint("requirement") == 0x9bee7c357ba3e292ULL);
    CHECK(wire_schema_fingerprint("report") == 0xec0ddbf1bae3f334ULL);
    CHECK(wire_schema_fingerprint("audio") == 0xc17ac0e4d37f8006ULL);
    CHECK(wire_schema_fingerprint("nope") == 0);
    CHECK(wire_schema_fingerprint(NULL) == 0);
    /* fastavro.schema.fingerprint('"int"', "CRC-64-AVRO") == "8f5c393f1ad57572" */
    CHECK(avro_rabin64_("\"int\"", 5) == 0x7275d51a3f395c8fULL);
    /* The empty input is the polynomial's EMPTY value (Avro specification). */
    CHECK(avro_rabin64_("", 0) == 0xc15d213aa4d7a795ULL);
    CHECK(wire_schema_text("report") != NULL && strstr(wire_schema_text("report"), "Report"));
    CHECK(wire_schema_text("x") == NULL);
}

/* fastavro.schema.to_parsing_canonical_form of the same files (see above). */
static void
test_canonical_form(void)
{
    static const char report_canon[] =
        "{\"name\":\"io.pipewright.Report\",\"type\":\"record\",\"fields\":["
        "{\"name\":\"event_id\",\"type\":\"string\"},{\"name\":\"project_id\",\"type\":\"string\"},"
        "{\"name\":\"report_id\",\"type\":\"string\"},{\"name\":\"version\",\"type\":\"long\"},"
        "{\"name\":\"engine_version\",\"type\":\"string\"},"
        "{\"name\":\"created_at\",\"type\":\"long\"},"
        "{\"name\":\"executive_summary\",\"type\":\"string\"},"
        "{\"name\":\"architecture_overview\",\"type\":\"string\"},"
        "{\"name\":\"implementation_details\",\"type\":\"string\"},"
        "{\"name\":\"performance_considerations\",\"type\":\"string\"},"
        "{\"name\":\"cost_analysis\",\"type\":\"string\"},"
        "{\"name\":\"risk_assessment\",\"type\":\"string\"},"
        "{\"name\":\"next_steps\",\"type\":\"string\"},{\"name\":\"markdown\",\"type\":\"string\"},"
        "{\"name\":\"report_json\",\"type\":\"string\"},"
        "{\"name\":\"audio_status\",\"type\":\"string\"}]}";
    /* Namespaces inherited, overridden and dotted; fixed, map, enum, a union of named types,
     * a logical type and doc/aliases/default/order to strip (the default is a valid 16-byte
     * fixed value: the parser refuses defaults that are not). Expected from fastavro as above;
     * fingerprint "77a41db5dfaf0977". */
    static const char nested[] =
        "{\"type\": \"record\", \"name\": \"Outer\", \"namespace\": \"a.b\", \"doc\": \"x\", "
        "\"aliases\": [\"q\"], \"fields\": [{\"name\": \"f1\", \"type\": {\"type\": \"fixed\", "
        "\"name\": \"F\", \"size\": 16, \"doc\": \"d\"}, \"default\": \"0123456789abcdef\"}, "
        "{\"name\": \"f2\", "
        "\"type\": {\"type\": \"map\", \"values\": {\"type\": \"enum\", \"name\": \"c.E\", "
        "\"symbols\": [\"X\", \"Y\"], \"doc\": \"e\"}}}, {\"name\": \"f3\", \"type\": [\"null\", "
        "\"F\", \"c.E\", {\"type\": \"record\", \"name\": \"In\", \"namespace\": \"d\", "
        "\"fields\": [{\"name\": \"z\", \"type\": {\"type\": \"int\", \"logicalType\": "
        "\"date\"}}, {\"name\": \"w\", \"type\": \"c.E\"}, {\"name\": \"v\", \"type\": "
        "\"a.b.F\"}]}]}, {\"name\": \"f4\", \"type\": {\"type\": \"array\", \"items\": "
        "\"d.In\"}, \"order\": \"ignore\"}]}";
    static const char nested_canon[] =
        "{\"name\":\"a.b.Outer\",\"type\":\"record\",\"fields\":[{\"name\":\"f1\",\"type\":"
        "{\"name\":\"a.b.F\",\"type\":\"fixed\",\"size\":16}},{\"name\":\"f2\",\"type\":"
        "{\"type\":\"map\",\"values\":{\"name\":\"c.E\",\"type\":\"enum\",\"symbols\":"
        "[\"X\",\"Y\"]}}},{\"name\":\"f3\",\"type\":[\"null\",\"a.b.F\",\"c.E\",{\"name\":"
        "\"d.In\",\"type\":\"record\",\"fields\":[{\"name\":\"z\",\"type\":\"int\"},{\"name\":"
        "\"w\",\"type\":\"c.E\"},{\"name\":\"v\",\"type\":\"a.b.F\"}]}]},{\"name\":\"f4\","
        "\"type\":{\"type\":\"array\",\"items\":\"d.In\"}}]}";
    struct avsc s;
    char err[128];
    const char *text = wire_schema_text("report");
    CHECK(avsc_parse_(&s, text, strlen(text), err, sizeof(err)) == 0);
    CHECK_STR(s.canonical, report_canon);
    avsc_fini_(&s);

    CHECK(avsc_parse_(&s, nested, strlen(nested), err, sizeof(err)) == 0);
    CHECK_STR(s.canonical, nested_canon);
    CHECK(s.fingerprint == 0x7709afdfb51da477ULL);
    avsc_fini_(&s);

    text = wire_schema_text("requirement");
    CHECK(avsc_parse_(&s, text, strlen(text), err, sizeof(err)) == 0);
    CHECK(s.canonical != NULL && strlen(s.canonical) == 1761); /* fastavro: len(c) */
    static const char req_head[] = "{\"name\":\"io.pipewright.Requirement\",\"type\":"
                                   "\"record\",\"fields\":[{\"name\":\"event_id\"";
    CHECK(s.canonical != NULL && strncmp(s.canonical, req_head, sizeof(req_head) - 1) == 0);
    avsc_fini_(&s);

    /* Refusals: unknown type, duplicate name, bad JSON. */
    CHECK(avsc_parse_(&s, "\"nope\"", 6, err, sizeof(err)) == -1);
    CHECK(strstr(err, "nope") != NULL);
    static const char dup[] = "[{\"type\":\"enum\",\"name\":\"A\",\"symbols\":[\"x\"]},"
                              "{\"type\":\"fixed\",\"name\":\"A\",\"size\":1}]";
    CHECK(avsc_parse_(&s, dup, strlen(dup), err, sizeof(err)) == -1);
    CHECK(avsc_parse_(&s, "{", 1, err, sizeof(err)) == -1);
}

/* ---- round trips --------------------------------------------------------------------------- */

static void
round_trip(struct wire *w, const struct requirement *in, enum wire_format fmt)
{
    struct buf b;
    struct requirement out;
    enum wire_format got = WIRE_FORMAT_UNKNOWN;
    char detail[256] = "";
    buf_init(&b);
    CHECK(wire_requirement_encode(w, in, fmt, 7, &b) == 0);
    enum wire_status st = wire_requirement_decode(w, b.data, b.len, &out, &got, detail,
                                                  sizeof(detail));
    if (st != WIRE_OK) fprintf(stderr, "  %s: %s\n", wire_format_name(fmt), detail);
    CHECK(st == WIRE_OK);
    CHECK(got == fmt);
    CHECK(req_eq(in, &out));
    requirement_fini(&out);
    buf_fini(&b);
}

static void
test_round_trip(void)
{
    struct wire *w = wire_open();
    CHECK(w != NULL);
    if (w == NULL) return;
    struct requirement full, min;
    full_req(&full);
    min_req(&min);
    enum wire_format fmts[] = {WIRE_FORMAT_AVRO, WIRE_FORMAT_CONFLUENT, WIRE_FORMAT_JSON};
    for (size_t i = 0; i < PW_ARRAY_LEN(fmts); i++) {
        round_trip(w, &full, fmts[i]);
        round_trip(w, &min, fmts[i]);
    }
    /* Audio with only 'enabled' known, and doubles that need all 17 digits. */
    min.audio.enabled = 1;
    min.freshness_seconds = 0.1 + 0.2;
    min.budget_usd_per_month = 123456789.123456789; /* within PW_MAX_USD_PER_MONTH */
    for (size_t i = 0; i < PW_ARRAY_LEN(fmts); i++) round_trip(w, &min, fmts[i]);

    /* Past the physical bounds of common/bounds.h a figure is refused, in every format. */
    for (size_t i = 0; i < PW_ARRAY_LEN(fmts); i++) {
        struct requirement huge, out;
        char detail[256] = "";
        requirement_copy(&huge, &min);
        huge.budget_usd_per_month = 1e300;
        struct buf enc;
        buf_init(&enc);
        CHECK(wire_requirement_encode(w, &huge, fmts[i], 7, &enc) == 0);
        CHECK(wire_requirement_decode(w, enc.data, enc.len, &out, NULL, detail, sizeof(detail)) ==
              WIRE_ERR_INVALID);
        CHECK(strstr(detail, "budget_usd_per_month") != NULL);
        buf_fini(&enc);
        requirement_fini(&huge);
    }

    /* The Confluent header carries the id given, big-endian. */
    struct buf b;
    buf_init(&b);
    CHECK(wire_requirement_encode(w, &min, WIRE_FORMAT_CONFLUENT, 0x01020304, &b) == 0);
    CHECK(b.len > 5 && memcmp(b.data, "\x00\x01\x02\x03\x04", 5) == 0);
    buf_reset(&b);
    CHECK(wire_requirement_encode(w, &min, WIRE_FORMAT_UNKNOWN, 0, &b) == -1);
    CHECK(b.len == 0);
    /* A codec the schema has no symbol for cannot be encoded in Avro. */
    free(min.audio.codec);
    min.audio.codec = xstrdup("mp3");
    CHECK(wire_requirement_encode(w, &min, WIRE_FORMAT_AVRO, 0, &b) == -1);
    CHECK(b.len == 0);
    buf_fini(&b);
    requirement_fini(&full);
    requirement_fini(&min);
    wire_free(w);
}

/* The JSON form of the shared scenarios: unknown fields ("expect", "id") are ignored. */
static void
test_json_shape(void)
{
    static const char json[] =
        "{\"event_id\":\"e\",\"project_id\":\"p\",\"id\":\"p01\",\"expect\":{\"x\":[1,2]},"
        "\"sources\":[{\"name\":\"cdc\",\"kind\":\"CDC\",\"volume_gb_per_day\":2,"
        "\"peak_events_per_sec\":null,\"contains_pii\":true},{\"kind\":\"telepathy\"}],"
        "\"consumers\":[\"bi\"],\"team_size\":3,\"availability_target\":99.9,"
        "\"submitted_at\":null,\"audio\":{\"codec\":\"opus\",\"enabled\":true}}";
    struct requirement req;
    char detail[128];
    CHECK(requirement_json_parse(json, strlen(json), &req, detail, sizeof(detail)) == WIRE_OK);
    CHECK(req.n_sources == 2);
    if (req.n_sources == 2) {
        CHECK(req.sources[0].kind == SOURCE_CDC);
        CHECK(req.sources[0].volume_gb_per_day == 2);
        CHECK(isnan(req.sources[0].peak_events_per_sec));
        CHECK(isnan(req.sources[0].avg_record_bytes));
        CHECK(req.sources[0].contains_pii == 1);
        CHECK(req.sources[1].kind == SOURCE_UNKNOWN);
        CHECK(req.sources[1].name == NULL);
        CHECK(req.sources[1].contains_pii == -1);
    }
    CHECK(req.consumers.n == 1);
    CHECK(req.team_size == 3);
    CHECK(req.submitted_at_ms == 0);
    CHECK(req.audio.enabled == 1);
    CHECK_STR(req.audio.codec, "opus");
    requirement_fini(&req);

    /* The writer omits unknowns and reads back what it wrote. */
    struct buf b;
    buf_init(&b);
    min_req(&req);
    requirement_json_write(&req, &b);
    CHECK_STR(b.data, "{\"event_id\":\"e1\",\"project_id\":\"p1\"}");
    requirement_fini(&req);
    buf_fini(&b);
}

/* Messages written by fastavro (tests/unit/vectors/make_vectors.py) equal their JSON twins. */
static void
test_fastavro_vectors(void)
{
    static const char *const names[] = {"full", "minimal", "unicode", "confluent"};
    struct wire *w = wire_open();
    if (w == NULL) return;
    for (size_t i = 0; i < PW_ARRAY_LEN(names); i++) {
        char path[256], detail[256] = "";
        size_t bin_len = 0, json_len = 0;
        snprintf(path, sizeof(path), VECTORS_DIR "%s.bin", names[i]);
        char *bin = read_all(path, &bin_len);
        snprintf(path, sizeof(path), VECTORS_DIR "%s.json", names[i]);
        char *json = read_all(path, &json_len);
        CHECK(bin != NULL && json != NULL);
        if (bin == NULL || json == NULL) {
            fprintf(stderr, "  %s: missing (run from the repository root)\n", names[i]);
            free(bin);
            free(json);
            continue;
        }
        struct requirement from_avro, from_json;
        enum wire_format fmt;
        enum wire_status st = wire_requirement_decode(w, bin, bin_len, &from_avro, &fmt, detail,
                                                      sizeof(detail));
        if (st != WIRE_OK) fprintf(stderr, "  %s: %s\n", names[i], detail);
        CHECK(st == WIRE_OK);
        CHECK(fmt ==
              (strcmp(names[i], "confluent") == 0 ? WIRE_FORMAT_CONFLUENT : WIRE_FORMAT_AVRO));
        CHECK(requirement_json_parse(json, json_len, &from_json, detail, sizeof(detail)) ==
              WIRE_OK);
        CHECK(req_eq(&from_avro, &from_json));
        /* Our encoder writes the same bytes fastavro did, except for "unicode": it carries an
         * empty list and the symbol "unknown", which we write as null. */
        struct buf again;
        buf_init(&again);
        CHECK(wire_requirement_encode(w, &from_avro, fmt, 42, &again) == 0);
        if (strcmp(names[i], "unicode") != 0)
            CHECK(again.len == bin_len && memcmp(again.data, bin, bin_len) == 0);
        buf_fini(&again);
        requirement_fini(&from_avro);
        requirement_fini(&from_json);
        free(bin);
        free(json);
    }
    wire_free(w);
}

/* ---- framing and truncation ---------------------------------------------------------------- */

static void
test_framing(void)
{
    struct wire *w = wire_open();
    if (w == NULL) return;
    struct requirement req;
    char detail[256];
    CHECK(wire_requirement_decode(w, "", 0, &req, NULL, detail, sizeof(detail)) == WIRE_ERR_EMPTY);
    CHECK(wire_requirement_decode(w, " \n", 2, &req, NULL, detail, sizeof(detail)) ==
          WIRE_ERR_EMPTY);
    CHECK(wire_requirement_decode(w, "hello", 5, &req, NULL, detail, sizeof(detail)) ==
          WIRE_ERR_BAD_MAGIC);
    CHECK(wire_requirement_decode(w, "[1]", 3, &req, NULL, detail, sizeof(detail)) ==
          WIRE_ERR_BAD_MAGIC);
    CHECK(wire_requirement_decode(w, "\xc3\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00", 11, &req, NULL,
                                  detail, sizeof(detail)) == WIRE_ERR_BAD_MAGIC);
    CHECK(wire_requirement_decode(w, "\xc3\x01\x01\x02\x03\x04\x05\x06\x07\x08\x00", 11, &req, NULL,
                                  detail, sizeof(detail)) == WIRE_ERR_UNKNOWN_SCHEMA);

    /* A report on the requirements topic is named in the detail. */
    struct buf b;
    buf_init(&b);
    struct report_event rep = {.event_id = "e", .project_id = "p"};
    CHECK(wire_report_encode(w, &rep, &b) == 0);
    CHECK(wire_requirement_decode(w, b.data, b.len, &req, NULL, detail, sizeof(detail)) ==
          WIRE_ERR_UNKNOWN_SCHEMA);
    CHECK(strstr(detail, "report") != NULL);
    buf_reset(&b);

    /* BOM and leading white space before JSON. */
    static const char bom[] = "\xef\xbb\xbf \n{\"event_id\":\"a\",\"project_id\":\"b\"}";
    enum wire_format fmt;
    CHECK(wire_requirement_decode(w, bom, strlen(bom), &req, &fmt, detail, sizeof(detail)) ==
          WIRE_OK);
    CHECK(fmt == WIRE_FORMAT_JSON);
    requirement_fini(&req);

    /* Over the message bound, whatever the format. */
    size_t big = PW_MAX_MESSAGE_BYTES + 1;
    char *huge = xcalloc(1, big);
    huge[0] = '{';
    CHECK(wire_requirement_decode(w, huge, big, &req, &fmt, detail, sizeof(detail)) ==
          WIRE_ERR_TOO_LARGE);
    huge[0] = (char)0xc3;
    CHECK(wire_requirement_decode(w, huge, big, &req, &fmt, detail, sizeof(detail)) ==
          WIRE_ERR_TOO_LARGE);
    free(huge);
    buf_fini(&b);
    wire_free(w);
}

static void
test_truncation(void)
{
    struct wire *w = wire_open();
    if (w == NULL) return;
    struct requirement full;
    full_req(&full);
    enum wire_format fmts[] = {WIRE_FORMAT_AVRO, WIRE_FORMAT_CONFLUENT, WIRE_FORMAT_JSON};
    for (size_t f = 0; f < PW_ARRAY_LEN(fmts); f++) {
        struct buf b;
        buf_init(&b);
        CHECK(wire_requirement_encode(w, &full, fmts[f], 1, &b) == 0);
        int wrong = 0;
        for (size_t cut = 1; cut < b.len; cut++) {
            struct requirement req;
            char detail[256];
            enum wire_status want = fmts[f] == WIRE_FORMAT_JSON ? WIRE_ERR_MALFORMED
                                                                : WIRE_ERR_TRUNCATED;
            enum wire_status st = wire_requirement_decode(w, b.data, cut, &req, NULL, detail,
                                                          sizeof(detail));
            if (st != want && wrong++ < 3)
                fprintf(stderr, "  %s cut at %zu: %s (%s)\n", wire_format_name(fmts[f]), cut,
                        wire_status_str(st), detail);
            requirement_fini(&req);
        }
        CHECK(wrong == 0);
        buf_fini(&b);
    }
    requirement_fini(&full);
    wire_free(w);
}

/* ---- hostile Avro -------------------------------------------------------------------------- */

static void
test_avro_lengths(void)
{
    struct wire *w = wire_open();
    if (w == NULL) return;
    char detail[256];
    struct buf b;
    buf_init(&b);

    /* event_id claims 2^40 bytes: over the bound before anything is allocated. */
    put_header(&b);
    put_varlong(&b, 1LL << 40);
    buf_puts(&b, "abc");
    CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_LIMIT);
    CHECK(strstr(detail, "event_id") != NULL);
    buf_reset(&b);
    /* Within the bound but past the end of the message. */
    put_header(&b);
    put_varlong(&b, 1000);
    buf_puts(&b, "abc");
    CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_TRUNCATED);
    buf_reset(&b);
    /* Negative length. */
    put_header(&b);
    put_varlong(&b, -5);
    CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_MALFORMED);
    buf_reset(&b);
    /* A varint that never ends, and one whose tenth byte overflows 64 bits. */
    put_header(&b);
    buf_append(&b, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12);
    CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_MALFORMED);
    buf_reset(&b);
    put_header(&b);
    buf_append(&b, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);
    CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_MALFORMED);
    buf_reset(&b);
    /* A title of 257 bytes: over PW_MAX_NAME_BYTES. */
    put_header(&b);
    put_avstr(&b, "e1");
    put_avstr(&b, "p1");
    buf_putc(&b, 0);
    buf_putc(&b, 2);
    put_varlong(&b, PW_MAX_NAME_BYTES + 1);
    for (int i = 0; i <= PW_MAX_NAME_BYTES; i++) buf_putc(&b, 'x');
    CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_LIMIT);
    CHECK(strstr(detail, "title") != NULL);
    buf_reset(&b);
    /* Trailing bytes after a complete datum. */
    make_msg(&b, NULL, 0);
    CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_OK);
    buf_putc(&b, 0);
    CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_MALFORMED);
    CHECK(strstr(detail, "trailing") != NULL);
    buf_reset(&b);
    /* Invalid UTF-8 and NUL inside strings. */
    static const char *const bad_text[] = {"\xc3\x28", "\xed\xa0\x80", "\xf5\x80\x80\x80",
                                           "\xc0\xaf", "a\xe2\x82"};
    for (size_t i = 0; i < PW_ARRAY_LEN(bad_text); i++) {
        buf_reset(&b);
        put_header(&b);
        put_avstr(&b, bad_text[i]);
        put_avstr(&b, "p1");
        for (int k = 0; k < 15; k++) buf_putc(&b, 0);
        CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_ENCODING);
    }
    buf_reset(&b);
    put_header(&b);
    put_varlong(&b, 3);
    buf_append(&b, "a\0b", 3);
    put_avstr(&b, "p1");
    for (int k = 0; k < 15; k++) buf_putc(&b, 0);
    CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_ENCODING);
    buf_fini(&b);
    wire_free(w);
}

static void
test_avro_indexes(void)
{
    struct wire *w = wire_open();
    if (w == NULL) return;
    char detail[256];
    struct buf s;
    buf_init(&s);

    /* One source: name null, kind = symbol 'k', the rest null. */
    int64_t kinds[] = {0, 9, 10, -1, 1LL << 31};
    enum wire_status want[] = {WIRE_OK, WIRE_OK, WIRE_ERR_MALFORMED, WIRE_ERR_MALFORMED,
                               WIRE_ERR_MALFORMED};
    for (size_t i = 0; i < PW_ARRAY_LEN(kinds); i++) {
        buf_reset(&s);
        buf_append(&s, "\x02\x02\x00\x02", 4);
        put_varlong(&s, kinds[i]);
        buf_append(&s, "\x00\x00\x00\x00\x00", 5);
        CHECK(decode_sources(w, &s, detail, sizeof(detail)) == want[i]);
    }
    CHECK(strstr(detail, "sources[0].kind") != NULL);

    /* Union indexes: 2 and -1 for a two-branch union. */
    buf_reset(&s);
    buf_putc(&s, 4);
    CHECK(decode_sources(w, &s, detail, sizeof(detail)) == WIRE_ERR_MALFORMED);
    CHECK(strstr(detail, "union") != NULL);
    buf_reset(&s);
    buf_putc(&s, 1);
    CHECK(decode_sources(w, &s, detail, sizeof(detail)) == WIRE_ERR_MALFORMED);
    /* A boolean byte that is neither 0 nor 1. */
    buf_reset(&s);
    buf_append(&s, "\x02\x02\x00\x00\x00\x00\x00\x02\x07\x00", 10);
    CHECK(decode_sources(w, &s, detail, sizeof(detail)) == WIRE_ERR_MALFORMED);
    CHECK(strstr(detail, "contains_pii") != NULL);
    buf_fini(&s);
    wire_free(w);
}

static void
test_avro_counts(void)
{
    struct wire *w = wire_open();
    if (w == NULL) return;
    char detail[256];
    struct buf s;
    buf_init(&s);
    /* 2^40 sources in a handful of bytes. */
    buf_putc(&s, 2);
    put_varlong(&s, 1LL << 40);
    CHECK(decode_sources(w, &s, detail, sizeof(detail)) == WIRE_ERR_LIMIT);
    /* One over the list bound, with enough bytes for all of them. */
    buf_reset(&s);
    buf_putc(&s, 2);
    put_varlong(&s, PW_MAX_LIST_ITEMS + 1);
    for (int i = 0; i <= PW_MAX_LIST_ITEMS; i++) buf_append(&s, "\0\0\0\0\0\0", 6);
    buf_putc(&s, 0);
    CHECK(decode_sources(w, &s, detail, sizeof(detail)) == WIRE_ERR_LIMIT);
    /* The bound holds across blocks too: 40 + 40. */
    buf_reset(&s);
    buf_putc(&s, 2);
    for (int blk = 0; blk < 2; blk++) {
        put_varlong(&s, 40);
        for (int i = 0; i < 40; i++) buf_append(&s, "\0\0\0\0\0\0", 6);
    }
    buf_putc(&s, 0);
    CHECK(decode_sources(w, &s, detail, sizeof(detail)) == WIRE_ERR_LIMIT);
    /* Within the bound, but the items cannot fit in the bytes left. */
    buf_reset(&s);
    buf_putc(&s, 2);
    put_varlong(&s, 60);
    CHECK(decode_sources(w, &s, detail, sizeof(detail)) == WIRE_ERR_TRUNCATED);
    /* A negative count with its block size is a valid encoding... */
    buf_reset(&s);
    buf_putc(&s, 2);
    put_varlong(&s, -2);
    put_varlong(&s, 12);
    buf_append(&s, "\0\0\0\0\0\0\0\0\0\0\0\0\0", 13);
    CHECK(decode_sources(w, &s, detail, sizeof(detail)) == WIRE_OK);
    /* ...but not with a negative size, nor the most negative count. */
    buf_reset(&s);
    buf_putc(&s, 2);
    put_varlong(&s, -2);
    put_varlong(&s, -12);
    CHECK(decode_sources(w, &s, detail, sizeof(detail)) == WIRE_ERR_MALFORMED);
    buf_reset(&s);
    buf_putc(&s, 2);
    put_varlong(&s, INT64_MIN);
    CHECK(decode_sources(w, &s, detail, sizeof(detail)) == WIRE_ERR_MALFORMED);
    buf_fini(&s);
    wire_free(w);
}

/* Values that are well-formed Avro but not a valid requirement. */
static void
test_avro_invalid(void)
{
    struct wire *w = wire_open();
    if (w == NULL) return;
    char detail[256];
    struct requirement req;
    struct buf b;
    buf_init(&b);
    const char *ids[][2] = {{"", "p"}, {"e", ""}};
    for (size_t i = 0; i < PW_ARRAY_LEN(ids); i++) {
        min_req(&req);
        free(req.event_id);
        free(req.project_id);
        req.event_id = xstrdup(ids[i][0]);
        req.project_id = xstrdup(ids[i][1]);
        buf_reset(&b);
        CHECK(wire_requirement_encode(w, &req, WIRE_FORMAT_AVRO, 0, &b) == 0);
        CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_INVALID);
        requirement_fini(&req);
    }
    /* Ids of PW_MAX_ID_BYTES pass, one more does not. */
    char id[PW_MAX_ID_BYTES + 2];
    memset(id, 'x', sizeof(id));
    id[PW_MAX_ID_BYTES] = '\0';
    min_req(&req);
    free(req.event_id);
    req.event_id = xstrdup(id);
    buf_reset(&b);
    CHECK(wire_requirement_encode(w, &req, WIRE_FORMAT_AVRO, 0, &b) == 0);
    CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_OK);
    id[PW_MAX_ID_BYTES] = 'x';
    id[PW_MAX_ID_BYTES + 1] = '\0';
    free(req.event_id);
    req.event_id = xstrdup(id);
    buf_reset(&b);
    CHECK(wire_requirement_encode(w, &req, WIRE_FORMAT_AVRO, 0, &b) == 0);
    CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_INVALID);
    CHECK(strstr(detail, "event_id") != NULL);
    requirement_fini(&req);

    /* Negative, infinite, NaN and out-of-range numbers. */
    double bad[] = {-1, INFINITY, NAN};
    for (size_t i = 0; i < PW_ARRAY_LEN(bad); i++) {
        min_req(&req);
        add_source(&req, "s", SOURCE_API, bad[i], NAN, NAN, -1);
        buf_reset(&b);
        CHECK(wire_requirement_encode(w, &req, WIRE_FORMAT_AVRO, 0, &b) == 0);
        /* NaN is written as null by our encoder; craft a present NaN below instead. */
        if (!isnan(bad[i])) {
            CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_INVALID);
            CHECK(strstr(detail, "volume_gb_per_day") != NULL);
        }
        requirement_fini(&req);
    }
    struct buf s;
    buf_init(&s);
    buf_append(&s, "\x02\x02\x00\x00\x02", 5);
    double nan = NAN;
    buf_append(&s, &nan, 8);
    buf_append(&s, "\x00\x00\x00\x00", 4);
    CHECK(decode_sources(w, &s, detail, sizeof(detail)) == WIRE_ERR_INVALID);
    buf_fini(&s);
    min_req(&req);
    req.availability_target = 100.5;
    buf_reset(&b);
    CHECK(wire_requirement_encode(w, &req, WIRE_FORMAT_CONFLUENT, 0, &b) == 0);
    CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_INVALID);
    req.availability_target = NAN;
    req.submitted_at_ms = -1;
    buf_reset(&b);
    CHECK(wire_requirement_encode(w, &req, WIRE_FORMAT_AVRO, 0, &b) == 0);
    CHECK(decode_buf(w, &b, detail, sizeof(detail)) == WIRE_ERR_INVALID);
    requirement_fini(&req);
    buf_fini(&b);
    wire_free(w);
}

/* ---- hostile JSON -------------------------------------------------------------------------- */

static void
test_json_hostile(void)
{
    char detail[256];
    struct buf b;
    buf_init(&b);

    /* Nesting: PW_MAX_JSON_DEPTH levels pass (in an ignored field), one more does not. */
    buf_puts(&b, "{\"event_id\":\"e\",\"project_id\":\"p\",\"x\":");
    for (int i = 1; i < PW_MAX_JSON_DEPTH; i++) buf_putc(&b, '[');
    for (int i = 1; i < PW_MAX_JSON_DEPTH; i++) buf_putc(&b, ']');
    buf_putc(&b, '}');
    CHECK(decode_json(b.data, detail, sizeof(detail)) == WIRE_OK);
    buf_reset(&b);
    buf_puts(&b, "{\"event_id\":\"e\",\"project_id\":\"p\",\"x\":");
    for (int i = 0; i < 100000; i++) buf_putc(&b, '[');
    CHECK(decode_json(b.data, detail, sizeof(detail)) == WIRE_ERR_LIMIT);

    /* Brackets inside strings do not count. */
    CHECK(decode_json("{\"event_id\":\"[[[[[[[[[[[[[[[[[[[[\",\"project_id\":\"p\"}", detail,
                      sizeof(detail)) == WIRE_OK);

    /* Invalid UTF-8, raw and escaped, and NUL. */
    CHECK(decode_json("{\"event_id\":\"\xff\",\"project_id\":\"p\"}", detail, sizeof(detail)) ==
          WIRE_ERR_ENCODING);
    CHECK(decode_json("{\"event_id\":\"\xed\xa0\x80\",\"project_id\":\"p\"}", detail,
                      sizeof(detail)) == WIRE_ERR_ENCODING);
    CHECK(decode_json("{\"event_id\":\"a\\u0000b\",\"project_id\":\"p\"}", detail,
                      sizeof(detail)) == WIRE_ERR_ENCODING);
    CHECK(decode_json("{\"event_id\":\"\\ud800\",\"project_id\":\"p\"}", detail, sizeof(detail)) ==
          WIRE_ERR_MALFORMED);

    /* 10 MB of string: over the message bound. 300 KB: over the description bound. */
    buf_reset(&b);
    buf_puts(&b, "{\"event_id\":\"e\",\"project_id\":\"p\",\"description\":\"");
    size_t start = b.len;
    buf_reserve(&b, 10 * 1024 * 1024 + 8);
    memset(b.data + start, 'a', 10 * 1024 * 1024);
    b.len += 10 * 1024 * 1024;
    buf_puts(&b, "\"}");
    CHECK(decode_json(b.data, detail, sizeof(detail)) == WIRE_ERR_TOO_LARGE);
    b.len = start + 300 * 1024;
    b.data[b.len] = '\0';
    buf_puts(&b, "\"}");
    CHECK(decode_json(b.data, detail, sizeof(detail)) == WIRE_ERR_LIMIT);
    CHECK(strstr(detail, "description") != NULL);

    /* Lists over the item bound, list items over the name bound. */
    buf_reset(&b);
    buf_puts(&b, "{\"event_id\":\"e\",\"project_id\":\"p\",\"consumers\":[\"a\"");
    for (int i = 0; i < PW_MAX_LIST_ITEMS; i++) buf_puts(&b, ",\"a\"");
    buf_puts(&b, "]}");
    CHECK(decode_json(b.data, detail, sizeof(detail)) == WIRE_ERR_LIMIT);
    buf_reset(&b);
    buf_puts(&b, "{\"event_id\":\"e\",\"project_id\":\"p\",\"team_skills\":[\"");
    for (int i = 0; i <= PW_MAX_NAME_BYTES; i++) buf_putc(&b, 'k');
    buf_puts(&b, "\"]}");
    CHECK(decode_json(b.data, detail, sizeof(detail)) == WIRE_ERR_LIMIT);
    CHECK(strstr(detail, "team_skills[0]") != NULL);

    /* A flood of values in an ignored field. */
    buf_reset(&b);
    buf_puts(&b, "{\"event_id\":\"e\",\"project_id\":\"p\",\"x\":[0");
    for (int i = 0; i < 70000; i++) buf_puts(&b, ",0");
    buf_puts(&b, "]}");
    CHECK(decode_json(b.data, detail, sizeof(detail)) == WIRE_ERR_LIMIT);
    buf_fini(&b);

    /* Wrong types name their field. */
    static const struct {
        const char *json;
        const char *field;
    } wrong[] = {
        {"{\"event_id\":1,\"project_id\":\"p\"}", "event_id"},
        {"{\"event_id\":\"e\",\"project_id\":\"p\",\"title\":[]}", "title"},
        {"{\"event_id\":\"e\",\"project_id\":\"p\",\"retention_days\":\"10\"}", "retention_days"},
        {"{\"event_id\":\"e\",\"project_id\":\"p\",\"sources\":{}}", "sources"},
        {"{\"event_id\":\"e\",\"project_id\":\"p\",\"sources\":[1]}", "sources[0]"},
        {"{\"event_id\":\"e\",\"project_id\":\"p\",\"sources\":[{},{\"contains_pii\":1}]}",
         "sources[1].contains_pii"},
        {"{\"event_id\":\"e\",\"project_id\":\"p\",\"consumers\":[\"bi\",2]}", "consumers[1]"},
        {"{\"event_id\":\"e\",\"project_id\":\"p\",\"audio\":true}", "audio"},
        {"{\"event_id\":\"e\",\"project_id\":\"p\",\"audio\":{\"rate_wpm\":\"fast\"}}",
         "audio.rate_wpm"},
        {"{\"event_id\":\"e\",\"project_id\":\"p\",\"audio\":{\"codec\":\"mp3\"}}", "audio.codec"},
        {"{\"event_id\":\"e\",\"project_id\":\"p\",\"submitted_at\":1.5}", "submitted_at"},
        {"{\"event_id\":\"e\",\"project_id\":\"p\",\"team_size\":-3}", "team_size"},
        {"{\"event_id\":\"e\",\"project_id\":\"p\",\"availability_target\":120}",
         "availability_target"},
        {"{\"project_id\":\"p\"}", "event_id"},
        {"{\"event_id\":\"e\",\"project_id\":null}", "project_id"},
    };
    for (size_t i = 0; i < PW_ARRAY_LEN(wrong); i++) {
        detail[0] = '\0';
        enum wire_status st = decode_json(wrong[i].json, detail, sizeof(detail));
        if (st != WIRE_ERR_INVALID || strstr(detail, wrong[i].field) == NULL)
            fprintf(stderr, "  %s -> %s (%s)\n", wrong[i].json, wire_status_str(st), detail);
        CHECK(st == WIRE_ERR_INVALID);
        CHECK(strstr(detail, wrong[i].field) != NULL);
    }

    /* Not JSON objects, trailing garbage, duplicate keys, big integers. */
    CHECK(decode_json("", detail, sizeof(detail)) == WIRE_ERR_EMPTY);
    CHECK(decode_json("[]", detail, sizeof(detail)) == WIRE_ERR_MALFORMED);
    CHECK(decode_json("{\"event_id\":\"e\",\"project_id\":\"p\"} x", detail, sizeof(detail)) ==
          WIRE_ERR_MALFORMED);
    CHECK(decode_json("{\"event_id\":\"e\",\"event_id\":\"f\",\"project_id\":\"p\"}", detail,
                      sizeof(detail)) == WIRE_ERR_MALFORMED);
    CHECK(decode_json("{\"event_id\":\"e\",\"project_id\":\"p\",\"submitted_at\":"
                      "99999999999999999999999}",
                      detail, sizeof(detail)) == WIRE_ERR_MALFORMED);
    CHECK(decode_json("{\"event_id\":\"e\",\"project_id\":\"p\",\"team_size\":NaN}", detail,
                      sizeof(detail)) == WIRE_ERR_MALFORMED);
}

/* ---- report and audio events --------------------------------------------------------------- */

static void
test_report_event(void)
{
    struct wire *w = wire_open();
    if (w == NULL) return;
    struct report_event in = {
        .event_id = "evt-1",
        .project_id = "proj-1",
        .report_id = "rep-1",
        .version = 3,
        .engine_version = "advisor 1.0 pricebook 2025-01",
        .created_at_ms = 1767225600999LL,
        .sections = {"## Executive summary\nUse batch.", "arch", "impl", "perf", "cost",
                     "risk \xe2\x9a\xa0", "next"},
        .markdown = "# Report\n...",
        .report_json = "{\"sections\":[]}",
        .audio_status = "pending",
    };
    struct buf b;
    buf_init(&b);
    CHECK(wire_report_encode(w, &in, &b) == 0);
    CHECK(b.len > 10 && (unsigned char)b.data[0] == 0xc3 && b.data[1] == 0x01);
    struct report_event_owned out;
    char detail[256];
    CHECK(wire_report_decode(w, b.data, b.len, &out, detail, sizeof(detail)) == WIRE_OK);
    CHECK_STR(out.ev.event_id, "evt-1");
    CHECK_STR(out.ev.project_id, "proj-1");
    CHECK_STR(out.ev.report_id, "rep-1");
    CHECK(out.ev.version == 3);
    CHECK_STR(out.ev.engine_version, in.engine_version);
    CHECK(out.ev.created_at_ms == in.created_at_ms);
    for (int i = 0; i < 7; i++) CHECK_STR(out.ev.sections[i], in.sections[i]);
    CHECK_STR(out.ev.markdown, in.markdown);
    CHECK_STR(out.ev.report_json, in.report_json);
    CHECK_STR(out.ev.audio_status, "pending");
    report_event_owned_fini(&out);

    int wrong = 0;
    for (size_t cut = 1; cut < b.len; cut++)
        if (wire_report_decode(w, b.data, cut, &out, detail, sizeof(detail)) != WIRE_ERR_TRUNCATED)
            wrong++;
    CHECK(wrong == 0);
    CHECK(wire_report_decode(w, "", 0, &out, detail, sizeof(detail)) == WIRE_ERR_EMPTY);
    CHECK(wire_report_decode(w, "{}", 2, &out, detail, sizeof(detail)) == WIRE_ERR_BAD_MAGIC);
    buf_putc(&b, 0);
    CHECK(wire_report_decode(w, b.data, b.len, &out, detail, sizeof(detail)) == WIRE_ERR_MALFORMED);
    /* An audio event is not a report. */
    struct audio_event a = {.event_id = "e"};
    buf_reset(&b);
    CHECK(wire_audio_encode(w, &a, &b) == 0);
    CHECK(wire_report_decode(w, b.data, b.len, &out, detail, sizeof(detail)) ==
          WIRE_ERR_UNKNOWN_SCHEMA);
    /* NULL strings are written as empty ones. */
    struct report_event empty = {.version = -1};
    buf_reset(&b);
    CHECK(wire_report_encode(w, &empty, &b) == 0);
    CHECK(wire_report_decode(w, b.data, b.len, &out, detail, sizeof(detail)) == WIRE_OK);
    CHECK_STR(out.ev.markdown, "");
    CHECK(out.ev.version == -1);
    report_event_owned_fini(&out);
    buf_fini(&b);
    wire_free(w);
}

static void
test_audio_event(void)
{
    struct wire *w = wire_open();
    if (w == NULL) return;
    unsigned char data[3000];
    for (size_t i = 0; i < sizeof(data); i++) data[i] = (unsigned char)(i * 7);
    struct audio_event in = {
        .event_id = "evt-1",
        .project_id = "proj-1",
        .report_id = "rep-1",
        .codec = "opus",
        .voice = "espeak:en-us",
        .sample_rate = 22050,
        .duration_ms = 61234,
        .text = "Use a batch pipeline.",
        .sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        .chunk_index = 1,
        .chunk_count = 4,
        .total_bytes = 12000,
        .data = data,
        .data_len = sizeof(data),
    };
    struct buf b;
    buf_init(&b);
    CHECK(wire_audio_encode(w, &in, &b) == 0);
    struct audio_event_owned out;
    char detail[256];
    CHECK(wire_audio_decode(w, b.data, b.len, &out, detail, sizeof(detail)) == WIRE_OK);
    CHECK_STR(out.ev.codec, "opus");
    CHECK_STR(out.ev.voice, in.voice);
    CHECK_STR(out.ev.text, in.text);
    CHECK_STR(out.ev.sha256, in.sha256);
    CHECK(out.ev.sample_rate == 22050);
    CHECK(out.ev.duration_ms == 61234);
    CHECK(out.ev.chunk_index == 1 && out.ev.chunk_count == 4);
    CHECK(out.ev.total_bytes == 12000);
    CHECK(out.ev.data_len == sizeof(data) && memcmp(out.ev.data, data, sizeof(data)) == 0);
    audio_event_owned_fini(&out);

    int wrong = 0;
    for (size_t cut = 1; cut < b.len; cut++)
        if (wire_audio_decode(w, b.data, cut, &out, detail, sizeof(detail)) != WIRE_ERR_TRUNCATED)
            wrong++;
    CHECK(wrong == 0);
    /* A data length claiming more than the event bound. */
    buf_reset(&b);
    CHECK(wire_audio_encode(w, &(struct audio_event){.data_len = 0}, &b) == 0);
    b.len -= 1; /* drop the zero length of 'data' */
    put_varlong(&b, (int64_t)WIRE_MAX_EVENT_BYTES + 1);
    CHECK(wire_audio_decode(w, b.data, b.len, &out, detail, sizeof(detail)) == WIRE_ERR_LIMIT);
    /* An empty chunk still gives a usable pointer. */
    buf_reset(&b);
    CHECK(wire_audio_encode(w, &(struct audio_event){.chunk_count = 1}, &b) == 0);
    CHECK(wire_audio_decode(w, b.data, b.len, &out, detail, sizeof(detail)) == WIRE_OK);
    CHECK(out.ev.data != NULL && out.ev.data_len == 0);
    audio_event_owned_fini(&out);
    audio_event_owned_fini(&out); /* idempotent on a cleared result */
    buf_fini(&b);
    wire_free(w);
}

static const struct check_case cases[] = {
    {"status_names", test_status_names},
    {"fingerprints", test_fingerprints},
    {"canonical_form", test_canonical_form},
    {"round_trip", test_round_trip},
    {"json_shape", test_json_shape},
    {"fastavro_vectors", test_fastavro_vectors},
    {"framing", test_framing},
    {"truncation", test_truncation},
    {"avro_lengths", test_avro_lengths},
    {"avro_indexes", test_avro_indexes},
    {"avro_counts", test_avro_counts},
    {"avro_invalid", test_avro_invalid},
    {"json_hostile", test_json_hostile},
    {"report_event", test_report_event},
    {"audio_event", test_audio_event},
};

CHECK_MAIN(cases)
