/* schemas/cloudevent.c - CloudEvents envelopes around requirements, and output attributes.
 *
 * Input: finds the content mode from the headers, checks the envelope's attributes (both modes
 * share one attribute table and one set of checks), takes the data out (the value in binary
 * mode; "data" re-serialised or "data_base64" decoded in structured mode), checks its declared
 * media type against its first bytes and hands it to the wire decoder with the CloudEvent id
 * as the default event id. Every length is bounded before anything is copied or parsed.
 * Output: ids, source and time strings for producer/emit.c. See cloudevent.h.
 */
#include "cloudevent.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "bounds.h"
#include "wire_int.h"
#include "xalloc.h"

/* The context attributes the daemon looks at; others (extensions) are bounded and ignored. */
enum ce_attr {
    A_SPECVERSION = 0,
    A_ID,
    A_SOURCE,
    A_TYPE,
    A_TIME,
    A_SUBJECT,
    A_DATASCHEMA,
    A_DATACONTENTTYPE, /* structured mode; binary mode has the content-type header instead */
    A_COUNT
};

static const char *const attr_names[A_COUNT] = {
    "specversion", "id", "source", "type", "time", "subject", "dataschema", "datacontenttype",
};

/* An envelope's attributes: borrowed bytes, NULL when absent. */
struct ce_env {
    enum ce_mode mode;
    const char *v[A_COUNT];
    size_t n[A_COUNT];
};

/* What a media type says the data is. */
enum ce_class { CLASS_ANY = 0, CLASS_JSON, CLASS_AVRO, CLASS_OTHER };

const char *
ce_mode_name(enum ce_mode m)
{
    switch (m) {
    case CE_MODE_BINARY:
        return "binary";
    case CE_MODE_STRUCTURED:
        return "structured";
    case CE_MODE_NONE:
        break;
    }
    return "none";
}

/* "CloudEvent (binary): " then the message; returns 'st'. */
static enum wire_status ce_fail(enum wire_status st, enum ce_mode mode, char *detail,
                                size_t detail_size, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static enum wire_status
ce_fail(enum wire_status st, enum ce_mode mode, char *detail, size_t detail_size, const char *fmt,
        ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return wire_fail_(st, detail, detail_size, "CloudEvent (%s): %s", ce_mode_name(mode), msg);
}

/* At most 60 bytes of a value (not NUL-terminated) for a detail, bytes outside printable
 * ASCII as '?', so a detail stays one safe line whatever came in. */
struct quoted {
    char s[64];
};

static struct quoted
quote(const void *v, size_t n)
{
    struct quoted q;
    const unsigned char *p = v;
    size_t k = 0;
    for (; p && k < n && k < 60; k++) q.s[k] = p[k] >= 0x20 && p[k] < 0x7f ? (char)p[k] : '?';
    q.s[k] = '\0';
    return q;
}

/* How an attribute is named in its mode: the header "ce_id" or the member "id". */
static const char *
attr_label(enum ce_mode mode, int a, char *buf, size_t size)
{
    if (mode == CE_MODE_BINARY && a == A_DATACONTENTTYPE) snprintf(buf, size, "content-type");
    else if (mode == CE_MODE_BINARY)
        snprintf(buf, size, "ce_%s", attr_names[a]);
    else
        snprintf(buf, size, "%s", attr_names[a]);
    return buf;
}

/* ---- strings ------------------------------------------------------------------------------- */

/* Length of the UTF-8 sequence at 's' with its code point, or 0 when it is not well-formed. */
static size_t
utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
    if (n == 0 || n > len || !utf8_valid_(s, n)) return 0;
    uint32_t v = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) v = (v << 6) | (s[i] & 0x3f);
    *cp = v;
    return n;
}

/* Code points a CloudEvents String may not hold. */
static int
cp_forbidden(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) ||
           (cp & 0xfffe) == 0xfffe;
}

int
ce_string_valid(const void *s, size_t len)
{
    const unsigned char *p = s;
    if (p == NULL || len == 0) return 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_next(p + i, len - i, &cp);
        if (n == 0 || cp_forbidden(cp)) return 0;
        i += n;
    }
    return 1;
}

static int
digits(const char *s, int n, int lo, int hi)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    return v >= lo && v <= hi;
}

int
ce_time_valid(const char *s, size_t len)
{
    /* full-date "T" partial-time time-offset: 2026-12-08T01:36:46[.123](Z|+01:00) */
    if (len < 20 || !digits(s, 4, 0, 9999) || s[4] != '-' || !digits(s + 5, 2, 1, 12) ||
        s[7] != '-' || !digits(s + 8, 2, 1, 31) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s + 11, 2, 0, 23) || s[13] != ':' || !digits(s + 14, 2, 0, 59) || s[16] != ':' ||
        !digits(s + 17, 2, 0, 60))
        return 0;
    size_t i = 19;
    if (s[i] == '.') {
        size_t f = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == f) return 0;
    }
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) return i + 1 == len;
    if (i + 6 != len || (s[i] != '+' && s[i] != '-')) return 0;
    return digits(s + i + 1, 2, 0, 23) && s[i + 3] == ':' && digits(s + i + 4, 2, 0, 59);
}

/* A URI reference as far as its characters go: visible ASCII, none of the ones RFC 3986
 * never allows unencoded. 'absolute' also wants a scheme ("x:"). */
static int
uri_plausible(const char *s, size_t len, int absolute)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] <= 0x20 || s[i] >= 0x7f || strchr("\"<>\\^`{|}", s[i])) return 0;
    if (!absolute) return 1;
    size_t i = 0;
    while (i < len && (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') ||
                       (i > 0 && ((s[i] >= '0' && s[i] <= '9') || strchr("+-.", s[i])))))
        i++;
    return i > 0 && i < len && s[i] == ':';
}

/* The media type without parameters, trimmed and lower-cased, into 'out'; 0, or -1 when it
 * is not TYPE/SUBTYPE or longer than 'size'. */
static int
media_type(const char *v, size_t len, char *out, size_t size)
{
    size_t a = 0, b = 0;
    while (a < len && (v[a] == ' ' || v[a] == '\t')) a++;
    while (a + b < len && v[a + b] != ';') b++;
    while (b > 0 && (v[a + b - 1] == ' ' || v[a + b - 1] == '\t')) b--;
    if (b == 0 || b >= size) return -1;
    for (size_t i = 0; i < b; i++) {
        char c = v[a + i];
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[b] = '\0';
    const char *slash = strchr(out, '/');
    return slash && slash != out && slash[1] != '\0' && !strchr(slash + 1, '/') ? 0 : -1;
}

static int
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* JSON is "* /json" or "* / *+json" (the JSON event format's rule); Avro is any of the names in
 * use for Avro binary data. */
static enum ce_class
media_class(const char *mt)
{
    if (mt == NULL || strcmp(mt, "application/octet-stream") == 0) return CLASS_ANY;
    const char *sub = strchr(mt, '/') + 1;
    if (strcmp(sub, "json") == 0 || ends_with(sub, "+json")) return CLASS_JSON;
    if (strcmp(mt, "application/avro") == 0 || strcmp(mt, "avro/binary") == 0 ||
        strcmp(mt, "application/x-avro") == 0 || ends_with(sub, "+avro") ||
        strcmp(mt, "application/vnd.apache.avro+binary") == 0)
        return CLASS_AVRO;
    return CLASS_OTHER;
}

/* ---- the envelope --------------------------------------------------------------------------- */

/* Checks the attributes both modes share: required present, everything bounded and typed. */
static enum wire_status
env_check(const struct ce_env *e, char *detail, size_t detail_size)
{
    char label[40];
    for (int a = 0; a < A_COUNT; a++) {
        const char *v = e->v[a];
        size_t n = e->n[a];
        attr_label(e->mode, a, label, sizeof(label));
        if (v == NULL) {
            if (a <= A_TYPE)
                return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size,
                               "%s is missing (specversion, id, source and type are required)",
                               label);
            continue;
        }
        if (n > CE_MAX_ATTR_BYTES)
            return ce_fail(WIRE_ERR_LIMIT, e->mode, detail, detail_size,
                           "%s is %zu bytes, over the limit of %d", label, n, CE_MAX_ATTR_BYTES);
        if (n == 0)
            return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size, "%s is empty", label);
        if (!utf8_valid_((const unsigned char *)v, n))
            return ce_fail(WIRE_ERR_ENCODING, e->mode, detail, detail_size, "%s is not UTF-8",
                           label);
        if (!ce_string_valid(v, n))
            return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size,
                           "%s holds a control character", label);
    }
    if (e->n[A_SPECVERSION] != 3 || memcmp(e->v[A_SPECVERSION], "1.0", 3) != 0)
        return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size,
                       "%s \"%s\" is not supported (1.0 only)",
                       attr_label(e->mode, A_SPECVERSION, label, sizeof(label)),
                       quote(e->v[A_SPECVERSION], e->n[A_SPECVERSION]).s);
    if (!uri_plausible(e->v[A_SOURCE], e->n[A_SOURCE], 0))
        return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size, "%s is not a URI reference",
                       attr_label(e->mode, A_SOURCE, label, sizeof(label)));
    if (e->v[A_DATASCHEMA] && !uri_plausible(e->v[A_DATASCHEMA], e->n[A_DATASCHEMA], 1))
        return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size, "%s is not an absolute URI",
                       attr_label(e->mode, A_DATASCHEMA, label, sizeof(label)));
    if (e->v[A_TIME] && !ce_time_valid(e->v[A_TIME], e->n[A_TIME]))
        return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size,
                       "%s \"%s\" is not an RFC 3339 date-time",
                       attr_label(e->mode, A_TIME, label, sizeof(label)),
                       quote(e->v[A_TIME], e->n[A_TIME]).s);
    return WIRE_OK;
}

/* The datacontenttype as a class; CLASS_OTHER is refused here with what it was. */
static enum wire_status
env_class(const struct ce_env *e, enum ce_class *cls, char *detail, size_t detail_size)
{
    char mt[128];
    *cls = CLASS_ANY;
    if (e->v[A_DATACONTENTTYPE] == NULL) return WIRE_OK;
    const char *what = e->mode == CE_MODE_BINARY ? "content-type" : "datacontenttype";
    if (media_type(e->v[A_DATACONTENTTYPE], e->n[A_DATACONTENTTYPE], mt, sizeof(mt)) != 0)
        return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size,
                       "%s \"%s\" is not a media type", what,
                       quote(e->v[A_DATACONTENTTYPE], e->n[A_DATACONTENTTYPE]).s);
    *cls = media_class(mt);
    if (*cls == CLASS_OTHER)
        return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size,
                       "%s \"%s\" is not a requirement format (JSON or Avro)", what, mt);
    return WIRE_OK;
}

/* The first byte that tells the format (after a UTF-8 BOM and white space), or -1. */
static int
first_byte(const unsigned char *p, size_t len)
{
    size_t i = len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf ? 3 : 0;
    if (len > 0 && (p[0] == 0xc3 || p[0] == 0x00)) return p[0];
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) i++;
    return i < len ? p[i] : -1;
}

/* Decodes the envelope's data as a requirement, the CloudEvent id standing in for a missing
 * event id. */
static enum wire_status
env_data(struct wire *w, const struct ce_env *e, enum ce_class cls, const unsigned char *data,
         size_t len, struct requirement *req, char *detail, size_t detail_size)
{
    int c = first_byte(data, len);
    if (len == 0 || c < 0)
        return ce_fail(WIRE_ERR_EMPTY, e->mode, detail, detail_size, "the event has no data");
    if ((cls == CLASS_JSON && c != '{') || (cls == CLASS_AVRO && c != 0xc3 && c != 0x00))
        return ce_fail(WIRE_ERR_BAD_MAGIC, e->mode, detail, detail_size,
                       "the data is declared %s but starts with 0x%02x",
                       cls == CLASS_JSON ? "JSON" : "Avro", (unsigned)c);
    char id[PW_MAX_ID_BYTES + 1], sub[300];
    const char *dflt = NULL;
    if (e->n[A_ID] <= PW_MAX_ID_BYTES) {
        memcpy(id, e->v[A_ID], e->n[A_ID]);
        id[e->n[A_ID]] = '\0';
        dflt = id;
    }
    enum wire_status st = wire_requirement_decode_as_(w, data, len, dflt, req, NULL, sub,
                                                      sizeof(sub));
    if (st == WIRE_OK) return st;
    if (dflt == NULL && strncmp(sub, "event_id is missing", 19) == 0)
        return ce_fail(st, e->mode, detail, detail_size,
                       "the data has no event_id and the id (%zu bytes) is longer than %d",
                       e->n[A_ID], PW_MAX_ID_BYTES);
    return ce_fail(st, e->mode, detail, detail_size, "data: %s", sub);
}

/* ---- binary mode ---------------------------------------------------------------------------- */

static int
name_is(const struct ce_header *h, size_t skip, const char *name)
{
    size_t n = strlen(name);
    return h->name_len == skip + n && strncasecmp(h->name + skip, name, n) == 0;
}

/* Collects the ce_ headers and content-type into 'e'. */
static enum wire_status
binary_attrs(const struct ce_header *hdrs, size_t n_hdrs, struct ce_env *e, char *detail,
             size_t detail_size)
{
    size_t seen = 0;
    for (size_t i = 0; i < n_hdrs; i++) {
        const struct ce_header *h = &hdrs[i];
        int a = -1;
        if (name_is(h, 0, "content-type")) {
            a = A_DATACONTENTTYPE;
        } else if (h->name_len > 3 && strncasecmp(h->name, "ce_", 3) == 0) {
            if (++seen > CE_MAX_HEADERS)
                return ce_fail(WIRE_ERR_LIMIT, e->mode, detail, detail_size,
                               "more than %d ce_ headers", CE_MAX_HEADERS);
            for (int k = 0; k < A_DATACONTENTTYPE && a < 0; k++)
                if (name_is(h, 3, attr_names[k])) a = k;
            if (a < 0) { /* an extension: bounded, not interpreted */
                if (h->value_len > CE_MAX_ATTR_BYTES)
                    return ce_fail(WIRE_ERR_LIMIT, e->mode, detail, detail_size,
                                   "header %s is %zu bytes, over the limit of %d",
                                   quote(h->name, h->name_len).s, h->value_len, CE_MAX_ATTR_BYTES);
                continue;
            }
        } else {
            continue;
        }
        if (e->v[a] != NULL)
            return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size,
                           "header %s appears twice", quote(h->name, h->name_len).s);
        e->v[a] = h->value ? h->value : "";
        e->n[a] = h->value ? h->value_len : 0;
    }
    return WIRE_OK;
}

/* ---- structured mode ------------------------------------------------------------------------ */

/* Strict RFC 4648 base64 (padding required, no white space) into 'out'; -1 when malformed. */
static int
base64_decode(const char *s, size_t len, struct buf *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (len % 4 != 0) return -1;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        int pad = 0;
        for (size_t k = 0; k < 4; k++) {
            const char *at = s[i + k] ? strchr(alphabet, s[i + k]) : NULL;
            if (s[i + k] == '=' && i + 4 == len && k >= 2 && (k == 3 || s[i + 3] == '=')) {
                pad++;
                v <<= 6;
                continue;
            }
            if (at == NULL || pad) return -1;
            v = (v << 6) | (uint32_t)(at - alphabet);
        }
        unsigned char b[3] = {(unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
        buf_append(out, b, (size_t)(3 - pad));
    }
    return 0;
}

/* The attributes of a JSON envelope: strings, or null for "absent". */
static enum wire_status
structured_attrs(json_t *root, struct ce_env *e, char *detail, size_t detail_size)
{
    for (int a = 0; a < A_COUNT; a++) {
        json_t *v = json_object_get(root, attr_names[a]);
        if (v == NULL || json_is_null(v)) continue;
        if (!json_is_string(v))
            return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size, "%s must be a string",
                           attr_names[a]);
        e->v[a] = json_string_value(v);
        e->n[a] = json_string_length(v);
    }
    return WIRE_OK;
}

/* Takes the data out of a checked JSON envelope into 'out'. */
static enum wire_status
structured_data(json_t *root, const struct ce_env *e, enum ce_class cls, struct buf *out,
                char *detail, size_t detail_size)
{
    json_t *data = json_object_get(root, "data");
    json_t *b64 = json_object_get(root, "data_base64");
    if (data != NULL && b64 != NULL)
        return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size,
                       "both data and data_base64 are present");
    if (b64 != NULL) {
        if (!json_is_string(b64))
            return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size,
                           "data_base64 must be a string");
        if (base64_decode(json_string_value(b64), json_string_length(b64), out) != 0)
            return ce_fail(WIRE_ERR_MALFORMED, e->mode, detail, detail_size,
                           "data_base64 is not base64 (RFC 4648, padded)");
        return WIRE_OK;
    }
    if (data == NULL || json_is_null(data))
        return ce_fail(WIRE_ERR_EMPTY, e->mode, detail, detail_size,
                       "the event has no data (data or data_base64)");
    if (cls == CLASS_AVRO)
        return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size,
                       "Avro data must come as data_base64");
    if (!json_is_object(data))
        return ce_fail(WIRE_ERR_INVALID, e->mode, detail, detail_size,
                       "data must be the requirement as a JSON object, not a %s",
                       json_is_string(data)  ? "string"
                       : json_is_array(data) ? "list"
                                             : "number");
    char *text = json_dumps(data, JSON_COMPACT);
    if (text == NULL)
        return ce_fail(WIRE_ERR_LIMIT, e->mode, detail, detail_size, "data: out of memory");
    buf_puts(out, text);
    free(text);
    return WIRE_OK;
}

static enum wire_status
structured_decode(struct wire *w, const void *value, size_t len, struct requirement *req,
                  char *detail, size_t detail_size)
{
    struct ce_env e = {.mode = CE_MODE_STRUCTURED};
    if (len == 0) return ce_fail(WIRE_ERR_EMPTY, e.mode, detail, detail_size, "no bytes");
    if (len > PW_MAX_MESSAGE_BYTES)
        return ce_fail(WIRE_ERR_TOO_LARGE, e.mode, detail, detail_size, "%zu bytes, over %d", len,
                       PW_MAX_MESSAGE_BYTES);
    char sub[300];
    enum wire_status st = wire_json_prescan_(value, len, PW_MAX_JSON_DEPTH + 1, sub, sizeof(sub));
    if (st != WIRE_OK) return ce_fail(st, e.mode, detail, detail_size, "%s", sub);
    json_error_t err;
    json_t *root = json_loadb(value, len, JSON_REJECT_DUPLICATES, &err);
    if (root == NULL)
        return ce_fail(wire_json_status_(&err), e.mode, detail, detail_size, "JSON at byte %d: %s",
                       err.position, err.text);
    struct buf data;
    buf_init(&data);
    enum ce_class cls = CLASS_ANY;
    if (!json_is_object(root))
        st = ce_fail(WIRE_ERR_MALFORMED, e.mode, detail, detail_size, "not a JSON object");
    else if ((st = structured_attrs(root, &e, detail, detail_size)) == WIRE_OK &&
             (st = env_check(&e, detail, detail_size)) == WIRE_OK &&
             (st = env_class(&e, &cls, detail, detail_size)) == WIRE_OK)
        st = structured_data(root, &e, cls, &data, detail, detail_size);
    if (st == WIRE_OK)
        st = env_data(w, &e, cls, (const unsigned char *)data.data, data.len, req, detail,
                      detail_size);
    buf_fini(&data);
    json_decref(root); /* after env_data: the attributes point into it */
    return st;
}

/* ---- the entry point ------------------------------------------------------------------------ */

enum wire_status
ce_requirement_decode(struct wire *w, const struct ce_header *hdrs, size_t n_hdrs,
                      const void *value, size_t len, struct requirement *req, enum ce_mode *mode,
                      char *detail, size_t detail_size)
{
    const struct ce_header *ct = NULL;
    int binary = 0;
    requirement_init(req);
    if (detail != NULL && detail_size > 0) detail[0] = '\0';
    for (size_t i = 0; i < n_hdrs; i++) {
        if (name_is(&hdrs[i], 0, "content-type")) ct = &hdrs[i];
        else if (hdrs[i].name_len > 3 && strncasecmp(hdrs[i].name, "ce_", 3) == 0)
            binary = 1;
    }
    enum ce_mode m = CE_MODE_NONE;
    static const char prefix[] = "application/cloudevents";
    if (ct && ct->value && ct->value_len >= sizeof(prefix) - 1 &&
        strncasecmp(ct->value, prefix, sizeof(prefix) - 1) == 0)
        m = CE_MODE_STRUCTURED;
    else if (binary)
        m = CE_MODE_BINARY;
    if (mode != NULL) *mode = m;
    if (m == CE_MODE_NONE)
        return wire_requirement_decode(w, value, len, req, NULL, detail, detail_size);
    if (m == CE_MODE_STRUCTURED) {
        char mt[128];
        if (media_type(ct->value, ct->value_len, mt, sizeof(mt)) != 0 ||
            strcmp(mt, CE_CONTENT_TYPE_STRUCTURED) != 0)
            return ce_fail(WIRE_ERR_INVALID, m, detail, detail_size,
                           "content-type \"%s\": only the JSON event format (%s) is read; "
                           "the Kafka binding has no batch mode",
                           quote(ct->value, ct->value_len).s, CE_CONTENT_TYPE_STRUCTURED);
        return structured_decode(w, value, len, req, detail, detail_size);
    }
    struct ce_env e = {.mode = CE_MODE_BINARY};
    enum ce_class cls = CLASS_ANY;
    enum wire_status st;
    if ((st = binary_attrs(hdrs, n_hdrs, &e, detail, detail_size)) != WIRE_OK ||
        (st = env_check(&e, detail, detail_size)) != WIRE_OK ||
        (st = env_class(&e, &cls, detail, detail_size)) != WIRE_OK)
        return st;
    if (len > PW_MAX_MESSAGE_BYTES)
        return ce_fail(WIRE_ERR_TOO_LARGE, m, detail, detail_size, "%zu bytes, over %d", len,
                       PW_MAX_MESSAGE_BYTES);
    return env_data(w, &e, cls, (const unsigned char *)value, len, req, detail, detail_size);
}

/* ---- output --------------------------------------------------------------------------------- */

void
ce_id_append(struct buf *out, const char *base, const char *kind)
{
    const unsigned char *p = (const unsigned char *)(base ? base : "");
    size_t len = strlen((const char *)p);
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        size_t n = utf8_next(p + i, len - i, &cp);
        if (n > 0 && !cp_forbidden(cp) && cp != '%') {
            buf_append(out, p + i, n);
            i += n;
            continue;
        }
        for (size_t k = 0; k < (n ? n : 1); k++) buf_printf(out, "%%%02X", p[i + k]);
        i += n ? n : 1;
    }
    buf_putc(out, '/');
    buf_puts(out, kind);
}

void
ce_source_format(const char *group, char *out, size_t size)
{
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "/pipewrightd/");
    for (const unsigned char *p = (const unsigned char *)(group ? group : ""); *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            buf_putc(&b, (char)*p);
        else
            buf_printf(&b, "%%%02X", *p);
    }
    snprintf(out, size, "%s", b.data);
    buf_fini(&b);
}

void
ce_time_format(int64_t ms, char out[32])
{
    int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int frac = (int)(ms - s * 1000);
    time_t t = (time_t)s;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL) memset(&tm, 0, sizeof(tm));
    char date[24];
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%.19s.%03dZ", date, frac);
}

void
wire_ce_source_set(struct wire *w, const char *group)
{
    ce_source_format(group, w->ce_source, sizeof(w->ce_source));
}

const char *
wire_ce_source(const struct wire *w)
{
    return w->ce_source;
}
