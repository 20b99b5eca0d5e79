/* tests/unit/test_cloudevent.c - CloudEvents envelopes in, CloudEvents headers out.
 *
 * Input: both content modes of the Kafka binding around requirements in every wire format,
 * the event id taken from the CloudEvent when the data has none, and a list of hostile or
 * broken envelopes (empty, truncated, huge, wrong specversion, missing or doubled attributes,
 * bad media types, bad base64), each checked for its exact wire_status (the DLQ reason) and
 * for a detail that names the problem; then every prefix and many byte flips of a valid
 * envelope, which must be refused or read without a crash (ASan+UBSan with make SANITIZE=1).
 * Output: ids, source and time strings, and the headers producer/emit.c builds, which are read
 * back with librdkafka's header API and must pass our own binary-mode checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "check.h"
#include "bounds.h"
#include "cloudevent.h"
#include "emit.h"
#include "requirement.h"
#include "wire.h"
#include "xalloc.h"

#define REQ_JSON "{\"event_id\":\"e-1\",\"project_id\":\"p-1\",\"title\":\"t\"}"
#define REQ_NO_ID "{\"project_id\":\"p-1\",\"title\":\"t\"}"

/* ---- helpers ------------------------------------------------------------------------------- */

struct msg {
    struct ce_header h[80];
    size_t n;
};

static void
hdr_n(struct msg *m, const char *name, const void *value, size_t len)
{
    m->h[m->n++] = (struct ce_header){name, strlen(name), value, value ? len : 0};
}

static void
hdr(struct msg *m, const char *name, const char *value)
{
    hdr_n(m, name, value, value ? strlen(value) : 0);
}

/* The four required attributes, with 'id'. */
static void
binary_base(struct msg *m, const char *id)
{
    m->n = 0;
    hdr(m, "ce_specversion", "1.0");
    hdr(m, "ce_id", id);
    hdr(m, "ce_source", "/tests/unit");
    hdr(m, "ce_type", "io.pipewright.requirement.v1");
}

static struct wire *
wire_open(void)
{
    char err[256] = "";
    struct wire *w = wire_new(err, sizeof(err));
    if (w == NULL) fprintf(stderr, "wire_new: %s\n", err);
    return w;
}

static enum wire_status
dec(struct wire *w, const struct msg *m, const void *v, size_t len, struct requirement *req,
    enum ce_mode *mode, char *detail, size_t detail_size)
{
    return ce_requirement_decode(w, m ? m->h : NULL, m ? m->n : 0, v, len, req, mode, detail,
                                 detail_size);
}

/* Decoding must give 'want' and a detail containing 'needle'; frees whatever was decoded. */
#define EXPECT(w, m, v, len, want, needle)                                                         \
    do {                                                                                           \
        struct requirement r_;                                                                     \
        char d_[512] = "";                                                                         \
        enum wire_status st_ = dec((w), (m), (v), (len), &r_, NULL, d_, sizeof(d_));               \
        CHECK(st_ == (want));                                                                      \
        CHECK(strstr(d_, (needle)) != NULL);                                                       \
        if (st_ != (want) || strstr(d_, (needle)) == NULL)                                         \
            fprintf(stderr, "  line %d: status %s, detail \"%s\"\n", __LINE__,                     \
                    wire_status_str(st_), d_);                                                     \
        if (st_ == WIRE_OK) requirement_fini(&r_);                                                 \
    } while (0)

/* A JSON envelope around 'data_member' ("\"data\":{...}" or "\"data_base64\":\"...\""). */
static char *
envelope(const char *id, const char *extra, const char *data_member)
{
    struct buf b;
    buf_init(&b);
    buf_printf(&b,
               "{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"/tests/unit\","
               "\"type\":\"io.pipewright.requirement.v1\"%s%s%s}",
               id, extra, data_member[0] ? "," : "", data_member);
    return buf_detach(&b);
}

static void
structured(struct msg *m)
{
    m->n = 0;
    hdr(m, "content-type", "application/cloudevents+json; charset=UTF-8");
}

static char *
base64(const void *data, size_t len)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    struct buf b;
    buf_init(&b);
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < len ? p[i + 2] : 0);
        buf_putc(&b, a[v >> 18 & 63]);
        buf_putc(&b, a[v >> 12 & 63]);
        buf_putc(&b, i + 1 < len ? a[v >> 6 & 63] : '=');
        buf_putc(&b, i + 2 < len ? a[v & 63] : '=');
    }
    buf_putc(&b, '\0');
    return buf_detach(&b);
}

/* The requirement REQ_JSON with 'event_id', encoded in 'fmt'. */
static void
encoded(struct wire *w, enum wire_format fmt, const char *event_id, struct buf *out)
{
    struct requirement req;
    char d[256];
    CHECK(requirement_json_parse(REQ_JSON, strlen(REQ_JSON), &req, d, sizeof(d)) == WIRE_OK);
    free(req.event_id);
    req.event_id = xstrdup(event_id);
    CHECK(wire_requirement_encode(w, &req, fmt, 42, out) == 0);
    requirement_fini(&req);
}

/* ---- input ---------------------------------------------------------------------------------- */

static void
test_plain_unchanged(void)
{
    struct wire *w = wire_open();
    struct requirement req;
    enum ce_mode mode = CE_MODE_BINARY;
    char d[256];
    struct msg m = {.n = 0};
    hdr(&m, "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    hdr(&m, "content-type", "application/json");
    CHECK(dec(w, &m, REQ_JSON, strlen(REQ_JSON), &req, &mode, d, sizeof(d)) == WIRE_OK);
    CHECK(mode == CE_MODE_NONE);
    CHECK_STR(req.event_id, "e-1");
    requirement_fini(&req);
    /* Without ce_ headers the id is required exactly as before. */
    EXPECT(w, &m, REQ_NO_ID, strlen(REQ_NO_ID), WIRE_ERR_INVALID, "event_id is missing");
    EXPECT(w, NULL, "", 0, WIRE_ERR_EMPTY, "no bytes");
    CHECK_STR(ce_mode_name(CE_MODE_STRUCTURED), "structured");
    wire_free(w);
}

static void
test_binary_mode(void)
{
    struct wire *w = wire_open();
    struct requirement req;
    enum ce_mode mode = CE_MODE_NONE;
    char d[256];
    struct msg m;
    binary_base(&m, "ce-7");
    hdr(&m, "content-type", "application/json");
    hdr(&m, "ce_time", "2026-12-08T01:36:46.5+01:00");
    hdr(&m, "ce_subject", "p-1");
    hdr(&m, "ce_partitionkey", "p-1"); /* an extension: ignored */
    /* The data's own event id wins: a redelivery under a fresh CloudEvent id stays a duplicate. */
    CHECK(dec(w, &m, REQ_JSON, strlen(REQ_JSON), &req, &mode, d, sizeof(d)) == WIRE_OK);
    CHECK(mode == CE_MODE_BINARY);
    CHECK_STR(req.event_id, "e-1");
    CHECK_STR(req.project_id, "p-1");
    requirement_fini(&req);
    /* None, null or empty in the data: the CloudEvent id is the event id. */
    const char *no_ids[] = {REQ_NO_ID, "{\"event_id\":null,\"project_id\":\"p-1\"}",
                            "{\"event_id\":\"\",\"project_id\":\"p-1\"}"};
    for (size_t i = 0; i < 3; i++) {
        CHECK(dec(w, &m, no_ids[i], strlen(no_ids[i]), &req, NULL, d, sizeof(d)) == WIRE_OK);
        CHECK_STR(req.event_id, "ce-7");
        requirement_fini(&req);
    }
    /* Avro in both framings, declared or not; an empty Avro event_id takes the id too. */
    const char *types[] = {"application/avro", "avro/binary", "application/vnd.apache.avro+binary",
                           NULL};
    enum wire_format fmts[] = {WIRE_FORMAT_AVRO, WIRE_FORMAT_CONFLUENT};
    for (size_t f = 0; f < 2; f++) {
        for (size_t t = 0; t < 4; t++) {
            struct buf v;
            buf_init(&v);
            encoded(w, fmts[f], "", &v);
            binary_base(&m, "ce-avro");
            if (types[t]) hdr(&m, "content-type", types[t]);
            CHECK(dec(w, &m, v.data, v.len, &req, NULL, d, sizeof(d)) == WIRE_OK);
            CHECK_STR(req.event_id, "ce-avro");
            CHECK_STR(req.title, "t");
            requirement_fini(&req);
            buf_fini(&v);
        }
    }
    /* Header names are matched without regard to case, as the SDKs do. */
    m.n = 0;
    hdr(&m, "CE_SPECVERSION", "1.0");
    hdr(&m, "Ce_Id", "ce-8");
    hdr(&m, "ce_source", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66");
    hdr(&m, "ce_type", "t");
    hdr(&m, "Content-Type", "Application/JSON; charset=utf-8");
    CHECK(dec(w, &m, REQ_NO_ID, strlen(REQ_NO_ID), &req, NULL, d, sizeof(d)) == WIRE_OK);
    CHECK_STR(req.event_id, "ce-8");
    requirement_fini(&req);
    wire_free(w);
}

static void
test_structured_mode(void)
{
    struct wire *w = wire_open();
    struct requirement req;
    enum ce_mode mode = CE_MODE_NONE;
    char d[256];
    struct msg m;
    structured(&m);
    char *env = envelope("ce-9",
                         ",\"time\":\"2026-12-08T01:36:46Z\",\"subject\":null,"
                         "\"datacontenttype\":\"application/json\",\"ext1\":5",
                         "\"data\":" REQ_NO_ID);
    CHECK(dec(w, &m, env, strlen(env), &req, &mode, d, sizeof(d)) == WIRE_OK);
    CHECK(mode == CE_MODE_STRUCTURED);
    CHECK_STR(req.event_id, "ce-9");
    CHECK_STR(req.title, "t");
    requirement_fini(&req);
    free(env);
    env = envelope("ce-9", "", "\"data\":" REQ_JSON);
    CHECK(dec(w, &m, env, strlen(env), &req, NULL, d, sizeof(d)) == WIRE_OK);
    CHECK_STR(req.event_id, "e-1");
    requirement_fini(&req);
    free(env);
    /* data_base64: JSON bytes, and Avro declared as such; ce_ headers beside it are ignored. */
    char *b64 = base64(REQ_NO_ID, strlen(REQ_NO_ID));
    struct buf member;
    buf_init(&member);
    buf_printf(&member, "\"data_base64\":\"%s\"", b64);
    env = envelope("ce-10", "", member.data);
    hdr(&m, "ce_id", "ignored");
    CHECK(dec(w, &m, env, strlen(env), &req, NULL, d, sizeof(d)) == WIRE_OK);
    CHECK_STR(req.event_id, "ce-10");
    requirement_fini(&req);
    free(env);
    free(b64);
    struct buf avro;
    buf_init(&avro);
    encoded(w, WIRE_FORMAT_AVRO, "", &avro);
    b64 = base64(avro.data, avro.len);
    buf_reset(&member);
    buf_printf(&member, "\"data_base64\":\"%s\"", b64);
    env = envelope("ce-11", ",\"datacontenttype\":\"application/avro\"", member.data);
    structured(&m);
    CHECK(dec(w, &m, env, strlen(env), &req, NULL, d, sizeof(d)) == WIRE_OK);
    CHECK_STR(req.event_id, "ce-11");
    requirement_fini(&req);
    free(env);
    free(b64);
    buf_fini(&avro);
    buf_fini(&member);
    wire_free(w);
}

/* Binary mode: each broken envelope with its status and what the detail must say; first the
 * attributes and bounds. */
static void
test_binary_refusals(void)
{
    struct wire *w = wire_open();
    struct msg m;
    const char *v = REQ_NO_ID;
    size_t n = strlen(v);
    binary_base(&m, "x");
    m.h[1] = m.h[3]; /* no ce_id */
    m.n = 3;
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "CloudEvent (binary): ce_id is missing");
    binary_base(&m, "");
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "ce_id is empty");
    binary_base(&m, NULL);
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "ce_id is empty");
    binary_base(&m, "x");
    m.h[0].value = "0.3";
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "ce_specversion \"0.3\" is not supported (1.0 only)");
    m.h[0].value = "1.0.2";
    m.h[0].value_len = 5;
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "not supported");
    binary_base(&m, "x");
    m.n = 2; /* no source, no type */
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "ce_source is missing");
    binary_base(&m, "x");
    hdr(&m, "ce_id", "y");
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "header ce_id appears twice");
    /* Bounds: an attribute over the limit, too many ce_ headers, a value over 1 MiB. */
    char *big = xcalloc(1, CE_MAX_ATTR_BYTES + 2);
    memset(big, 'a', CE_MAX_ATTR_BYTES + 1);
    binary_base(&m, big);
    EXPECT(w, &m, v, n, WIRE_ERR_LIMIT, "ce_id is 1025 bytes, over the limit of 1024");
    binary_base(&m, "x");
    hdr(&m, "ce_ext", big);
    EXPECT(w, &m, v, n, WIRE_ERR_LIMIT, "header ce_ext is 1025 bytes");
    binary_base(&m, "x");
    for (int i = 0; i < CE_MAX_HEADERS; i++) hdr(&m, "ce_ext", "1");
    EXPECT(w, &m, v, n, WIRE_ERR_LIMIT, "more than 64 ce_ headers");
    size_t huge_len = PW_MAX_MESSAGE_BYTES + 1;
    char *huge = xcalloc(1, huge_len);
    huge[0] = '{';
    binary_base(&m, "x");
    EXPECT(w, &m, huge, huge_len, WIRE_ERR_TOO_LARGE, "CloudEvent (binary): 1048577 bytes");
    free(huge);
    free(big);
    wire_free(w);
}

/* Binary mode: strings, media types and data. */
static void
test_binary_refusals_data(void)
{
    struct wire *w = wire_open();
    struct msg m;
    const char *v = REQ_NO_ID;
    size_t n = strlen(v);
    char *big = xcalloc(1, CE_MAX_ATTR_BYTES + 2);
    /* Strings: control characters, bad UTF-8, a source that is no URI, a bad time. */
    binary_base(&m, "x");
    m.h[3].value = "type\nwith newline";
    m.h[3].value_len = strlen(m.h[3].value);
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "ce_type holds a control character");
    binary_base(&m, "x");
    hdr_n(&m, "ce_subject", "p\xc2\x85", 3); /* U+0085, a C1 control */
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "ce_subject holds a control character");
    binary_base(&m, "x");
    m.h[2].value = "/a\xff";
    m.h[2].value_len = 3;
    EXPECT(w, &m, v, n, WIRE_ERR_ENCODING, "ce_source is not UTF-8");
    m.h[2].value = "/a b";
    m.h[2].value_len = 4;
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "ce_source is not a URI reference");
    binary_base(&m, "x");
    hdr(&m, "ce_dataschema", "schemas/requirement.avsc");
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "ce_dataschema is not an absolute URI");
    const char *times[] = {"2026-12-08",           "2026-13-08T01:36:46Z",
                           "2026-12-08T01:36:46",  "2026-12-08T01:36:46.Z",
                           "2026-12-08T24:00:00Z", "2026-12-08T01:36:46+0100",
                           "2026-12-08 01:36:46Z"};
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        binary_base(&m, "x");
        hdr(&m, "ce_time", times[i]);
        EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "is not an RFC 3339 date-time");
    }
    /* Media types: not a requirement format, not a media type, or not what the bytes are. */
    binary_base(&m, "x");
    hdr(&m, "content-type", "text/plain");
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "content-type \"text/plain\" is not a requirement");
    m.h[4].value = "json";
    m.h[4].value_len = 4;
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "content-type \"json\" is not a media type");
    m.h[4].value_len = 0;
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "CloudEvent (binary): content-type is empty");
    m.h[4].value_len = 4;
    m.h[4].value = "application/avro";
    m.h[4].value_len = strlen("application/avro");
    EXPECT(w, &m, v, n, WIRE_ERR_BAD_MAGIC, "the data is declared Avro but starts with 0x7b");
    struct buf avro;
    buf_init(&avro);
    encoded(w, WIRE_FORMAT_AVRO, "", &avro);
    m.h[4].value = "application/json";
    m.h[4].value_len = strlen("application/json");
    EXPECT(w, &m, avro.data, avro.len, WIRE_ERR_BAD_MAGIC, "declared JSON but starts with 0xc3");
    /* No data at all, data that is no requirement, an id too long to be the event id. */
    binary_base(&m, "x");
    EXPECT(w, &m, "", 0, WIRE_ERR_EMPTY, "CloudEvent (binary): the event has no data");
    EXPECT(w, &m, " \n", 2, WIRE_ERR_EMPTY, "no data");
    EXPECT(w, &m, "{\"event_id\":\"e\"}", 16, WIRE_ERR_INVALID,
           "CloudEvent (binary): data: project_id is missing");
    EXPECT(w, &m, avro.data, avro.len - 3, WIRE_ERR_TRUNCATED, "CloudEvent (binary): data:");
    memset(big, 'i', 200);
    big[200] = '\0';
    binary_base(&m, big);
    EXPECT(w, &m, v, n, WIRE_ERR_INVALID, "has no event_id and the id (200 bytes) is longer");
    EXPECT(w, &m, REQ_JSON, strlen(REQ_JSON), WIRE_OK, "");
    buf_fini(&avro);
    free(big);
    wire_free(w);
}

/* Structured mode: the same idea for the JSON envelope. */
static const struct {
    const char *value;
    enum wire_status st;
    const char *needle;
} structured_cases[] = {
    {"", WIRE_ERR_EMPTY, "CloudEvent (structured): no bytes"},
    {"{\"specversion\":\"1.0\",\"id\":", WIRE_ERR_MALFORMED, "JSON at byte"},
    {"[1,2]", WIRE_ERR_MALFORMED, "not a JSON object"},
    {"{\"id\":\"a\",\"id\":\"b\"}", WIRE_ERR_MALFORMED, "duplicate"},
    {"{\"specversion\":1.0,\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\",\"data\":{}}",
     WIRE_ERR_INVALID, "specversion must be a string"},
    {"{\"specversion\":\"0.3\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\",\"data\":{}}",
     WIRE_ERR_INVALID, "specversion \"0.3\" is not supported (1.0 only)"},
    {"{\"specversion\":\"1.0\",\"source\":\"/s\",\"type\":\"t\",\"data\":" REQ_JSON "}",
     WIRE_ERR_INVALID, "CloudEvent (structured): id is missing"},
    {"{\"specversion\":\"1.0\",\"id\":\"\",\"source\":\"/s\",\"type\":\"t\"}", WIRE_ERR_INVALID,
     "id is empty"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\"}", WIRE_ERR_EMPTY,
     "the event has no data (data or data_base64)"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\",\"data\":null}",
     WIRE_ERR_EMPTY, "no data"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\",\"data\":{},"
     "\"data_base64\":\"e30=\"}",
     WIRE_ERR_INVALID, "both data and data_base64"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\",\"data\":\"{}\"}",
     WIRE_ERR_INVALID, "data must be the requirement as a JSON object, not a string"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\",\"data\":[]}",
     WIRE_ERR_INVALID, "not a list"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\","
     "\"datacontenttype\":\"application/avro\",\"data\":{}}",
     WIRE_ERR_INVALID, "Avro data must come as data_base64"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\","
     "\"datacontenttype\":\"application/xml\",\"data\":\"<a/>\"}",
     WIRE_ERR_INVALID, "datacontenttype \"application/xml\" is not a requirement format"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\","
     "\"data_base64\":\"e30\"}",
     WIRE_ERR_MALFORMED, "data_base64 is not base64"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\","
     "\"data_base64\":\"e=30\"}",
     WIRE_ERR_MALFORMED, "not base64"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\","
     "\"data_base64\":\"====\"}",
     WIRE_ERR_MALFORMED, "not base64"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\","
     "\"data_base64\":5}",
     WIRE_ERR_INVALID, "data_base64 must be a string"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\",\"data\":{}}",
     WIRE_ERR_INVALID, "CloudEvent (structured): data: project_id is missing"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\","
     "\"data\":{\"project_id\":\"p\",\"team_size\":-1}}",
     WIRE_ERR_INVALID, "data: team_size is -1"},
    {"{\"specversion\":\"1.0\",\"id\":\"a\\u0001\",\"source\":\"/s\",\"type\":\"t\"}",
     WIRE_ERR_INVALID, "id holds a control character"},
};

static void
test_structured_refusals(void)
{
    struct wire *w = wire_open();
    struct msg m;
    structured(&m);
    for (size_t i = 0; i < sizeof(structured_cases) / sizeof(structured_cases[0]); i++)
        EXPECT(w, &m, structured_cases[i].value, strlen(structured_cases[i].value),
               structured_cases[i].st, structured_cases[i].needle);
    /* Nesting one level deeper than a requirement may, inside the envelope. */
    struct buf deep;
    buf_init(&deep);
    buf_puts(&deep, "{\"data\":");
    for (int i = 0; i <= PW_MAX_JSON_DEPTH; i++) buf_puts(&deep, "[");
    for (int i = 0; i <= PW_MAX_JSON_DEPTH; i++) buf_puts(&deep, "]");
    buf_puts(&deep, "}");
    EXPECT(w, &m, deep.data, deep.len, WIRE_ERR_LIMIT, "JSON nested deeper than 17");
    buf_fini(&deep);
    size_t huge_len = PW_MAX_MESSAGE_BYTES + 1;
    char *huge = xcalloc(1, huge_len);
    EXPECT(w, &m, huge, huge_len, WIRE_ERR_TOO_LARGE, "CloudEvent (structured): 1048577 bytes");
    free(huge);
    /* Other event formats and the batch mode are refused by name. */
    const char *formats[] = {"application/cloudevents-batch+json", "application/cloudevents+avro",
                             "application/cloudevents"};
    char *env = envelope("a", "", "\"data\":" REQ_JSON);
    for (size_t i = 0; i < 3; i++) {
        m.n = 0;
        hdr(&m, "content-type", formats[i]);
        EXPECT(w, &m, env, strlen(env), WIRE_ERR_INVALID, "only the JSON event format");
    }
    m.n = 0;
    hdr(&m, "Content-Type", "Application/CloudEvents+JSON");
    EXPECT(w, &m, env, strlen(env), WIRE_OK, "");
    free(env);
    wire_free(w);
}

/* Every prefix of a valid envelope is refused (only the whole one is read), and byte flips
 * never crash: what a fuzzer would try first, deterministically. */
static void
test_truncation_and_flips(void)
{
    struct wire *w = wire_open();
    struct msg m;
    structured(&m);
    char *env = envelope("ce-12", ",\"time\":\"2026-12-08T01:36:46Z\"", "\"data\":" REQ_NO_ID);
    size_t len = strlen(env);
    struct requirement req;
    char d[512];
    int ok = 0;
    for (size_t i = 0; i <= len; i++) {
        char *cut = xmalloc(i + 1);
        memcpy(cut, env, i);
        enum wire_status st = dec(w, &m, cut, i, &req, NULL, d, sizeof(d));
        if (st == WIRE_OK) {
            ok++;
            requirement_fini(&req);
        }
        CHECK(st == WIRE_OK ? i == len : d[0] != '\0');
        free(cut);
    }
    CHECK(ok == 1);
    uint32_t seed = 12345;
    for (int round = 0; round < 4000; round++) {
        char *f = xmalloc(len);
        memcpy(f, env, len);
        for (int k = 0; k < 1 + round % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            f[(seed >> 8) % len] = (char)(seed >> 20);
        }
        binary_base(&m, "flip");
        if (round % 2) structured(&m);
        if (dec(w, &m, f, len, &req, NULL, d, sizeof(d)) == WIRE_OK) requirement_fini(&req);
        free(f);
    }
    free(env);
    wire_free(w);
}

/* ---- output --------------------------------------------------------------------------------- */

static void
test_output_strings(void)
{
    struct buf b;
    buf_init(&b);
    ce_id_append(&b, "evt-1", "report");
    CHECK_STR(b.data, "evt-1/report");
    buf_reset(&b);
    ce_id_append(&b, "a%0A", "audio/3");
    CHECK_STR(b.data, "a%250A/audio/3");
    buf_reset(&b);
    ce_id_append(&b, "a\n\xc2\x85\xff\xe2\x82\xac", "deadletter");
    CHECK_STR(b.data, "a%0A%C2%85%FF\xe2\x82\xac/deadletter"); /* the euro sign stays */
    CHECK(ce_string_valid(b.data, b.len));
    buf_fini(&b);

    char src[64];
    ce_source_format("pipewright", src, sizeof(src));
    CHECK_STR(src, "/pipewrightd/pipewright");
    ce_source_format("team a/b:c", src, sizeof(src));
    CHECK_STR(src, "/pipewrightd/team%20a%2Fb%3Ac");
    ce_source_format("x", src, 8);
    CHECK_STR(src, "/pipewr");

    char t[32];
    ce_time_format(0, t);
    CHECK_STR(t, "1970-01-01T00:00:00.000Z");
    ce_time_format(1796687100123, t);
    CHECK_STR(t, "2026-12-07T23:45:00.123Z");
    ce_time_format(951782400999, t);
    CHECK_STR(t, "2000-02-29T00:00:00.999Z");
    ce_time_format(-1, t);
    CHECK_STR(t, "1969-12-31T23:59:59.999Z");
    CHECK(ce_time_valid(t, strlen(t)));
    CHECK(ce_time_valid("1985-04-12T23:20:50.52z", 23));
    CHECK(ce_time_valid("1996-12-19T16:39:57-08:00", 25));
    CHECK(ce_time_valid("1990-12-31T23:59:60Z", 20));
    CHECK(!ce_time_valid("1990-12-31T23:59:60Zx", 21));

    CHECK(ce_string_valid("abc", 3));
    CHECK(!ce_string_valid("", 0));
    CHECK(!ce_string_valid("a\x7f", 2));
    CHECK(!ce_string_valid("\xef\xbf\xbe", 3)); /* U+FFFE, a noncharacter */
    CHECK(!ce_string_valid("\xed\xa0\x80", 3)); /* a surrogate */
    CHECK(!ce_string_valid("\xc0\xaf", 2));     /* overlong */
}

/* The value of header 'name' in 'h' as a string, or NULL. */
static const char *
header(rd_kafka_headers_t *h, const char *name, char *out, size_t size)
{
    const void *v;
    size_t n;
    if (rd_kafka_header_get_last(h, name, &v, &n) != RD_KAFKA_RESP_ERR_NO_ERROR || n >= size)
        return NULL;
    memcpy(out, v, n);
    out[n] = '\0';
    return out;
}

static void
test_emit_headers(void)
{
    struct wire *w = wire_open();
    CHECK_STR(wire_ce_source(w), "/pipewrightd");
    wire_ce_source_set(w, "analytics");
    struct emit_ce ce = {CE_TYPE_AUDIO,        "evt-1",      "audio/2", "proj-1",
                         CE_CONTENT_TYPE_AVRO, 1796687100123};
    const char *tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    rd_kafka_headers_t *h = emit_headers(wire_ce_source(w), &ce, "evt-1", tp);
    char v[256];
    CHECK_STR(header(h, "pw.event_id", v, sizeof(v)), "evt-1");
    CHECK_STR(header(h, "traceparent", v, sizeof(v)), tp);
    CHECK_STR(header(h, "ce_specversion", v, sizeof(v)), "1.0");
    CHECK_STR(header(h, "ce_id", v, sizeof(v)), "evt-1/audio/2");
    CHECK_STR(header(h, "ce_source", v, sizeof(v)), "/pipewrightd/analytics");
    CHECK_STR(header(h, "ce_type", v, sizeof(v)), "io.pipewright.audio.v1");
    CHECK_STR(header(h, "ce_time", v, sizeof(v)), "2026-12-07T23:45:00.123Z");
    CHECK_STR(header(h, "ce_subject", v, sizeof(v)), "proj-1");
    CHECK_STR(header(h, "content-type", v, sizeof(v)), "application/avro");
    CHECK(rd_kafka_header_cnt(h) == 9);

    /* What we write passes our own binary-mode checks (with a JSON body in place of Avro). */
    struct msg m = {.n = 0};
    const char *name;
    const void *val;
    size_t n;
    for (size_t i = 0; rd_kafka_header_get_all(h, i, &name, &val, &n) == 0; i++)
        if (strcmp(name, "content-type") != 0) hdr_n(&m, name, val, n);
    struct requirement req;
    char d[256];
    CHECK(dec(w, &m, REQ_NO_ID, strlen(REQ_NO_ID), &req, NULL, d, sizeof(d)) == WIRE_OK);
    CHECK_STR(req.event_id, "evt-1/audio/2");
    requirement_fini(&req);
    rd_kafka_headers_destroy(h);

    /* A dead letter: no pw.event_id nor traceparent; a subject no String may hold is left out. */
    struct emit_ce dl = {CE_TYPE_DEAD_LETTER,   "t/0/5", "deadletter", "bad\nkey",
                         CE_CONTENT_TYPE_BYTES, 0};
    h = emit_headers(wire_ce_source(w), &dl, NULL, NULL);
    CHECK(header(h, "pw.event_id", v, sizeof(v)) == NULL);
    CHECK(header(h, "traceparent", v, sizeof(v)) == NULL);
    CHECK(header(h, "ce_subject", v, sizeof(v)) == NULL);
    CHECK_STR(header(h, "ce_id", v, sizeof(v)), "t/0/5/deadletter");
    CHECK_STR(header(h, "content-type", v, sizeof(v)), "application/octet-stream");
    rd_kafka_headers_destroy(h);
    wire_free(w);
}

static const struct check_case cases[] = {
    {"plain_unchanged", test_plain_unchanged},
    {"binary_mode", test_binary_mode},
    {"structured_mode", test_structured_mode},
    {"binary_refusals", test_binary_refusals},
    {"binary_refusals_data", test_binary_refusals_data},
    {"structured_refusals", test_structured_refusals},
    {"truncation_and_flips", test_truncation_and_flips},
    {"output_strings", test_output_strings},
    {"emit_headers", test_emit_headers},
};

CHECK_MAIN(cases)
