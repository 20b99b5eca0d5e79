/* schemas/wire_events.c - report and audio events (schemas/report.avsc, audio.avsc) both ways.
 *
 * The daemon writes them as single-object encoded datums, or Confluent-framed with their
 * registered ids when a registry is configured; `pipewright watch` reads both back. Decoding
 * takes the same path as requirements (size, header, bounded pre-decoder, resolution of a
 * foreign writer schema, avro-c), with a looser size bound (WIRE_MAX_EVENT_BYTES) because
 * reports and audio chunks are bigger.
 * NULL strings in an event are written as "" since every field is required. Owned results keep
 * their strings in 'storage' and are released by the _fini functions, which also accept a
 * zeroed or failed result. Not thread-safe per 'struct wire'; no globals.
 */
#include "wire.h"

#include <stdlib.h>
#include <string.h>

#include "wire_int.h"
#include "xalloc.h"

/* In enum report_section order (advisor/advisor.h), which schemas/ must not include. */
static const char *const section_fields[7] = {
    "executive_summary",
    "architecture_overview",
    "implementation_details",
    "performance_considerations",
    "cost_analysis",
    "risk_assessment",
    "next_steps",
};

/* Events are written by this service; the message bound is the only one that matters. */
static const struct check_limits event_limits = {
    .max_string_bytes = WIRE_MAX_EVENT_BYTES,
    .max_items = 0,
};

static int
put_str(avro_value_t *rec, const char *name, const char *s)
{
    avro_value_t f;
    return avro_value_get_by_name(rec, name, &f, NULL) || avro_value_set_string(&f, s ? s : "");
}

static int
put_long(avro_value_t *rec, const char *name, int64_t v)
{
    avro_value_t f;
    return avro_value_get_by_name(rec, name, &f, NULL) || avro_value_set_long(&f, v);
}

static int
put_int(avro_value_t *rec, const char *name, int32_t v)
{
    avro_value_t f;
    return avro_value_get_by_name(rec, name, &f, NULL) || avro_value_set_int(&f, v);
}

/* Single-object encoding, or Confluent framing once the schema has a registry id. */
static int
event_append(struct wire *w, enum wire_target target, const struct wire_schema *ws,
             avro_value_t *rec, struct buf *out)
{
    if (w->ids[target] < 0) return avro_value_append_so_(rec, ws->model.fingerprint, out);
    size_t start = out->len;
    wire_put_confluent_header_(out, w->ids[target]);
    if (avro_value_append_datum_(rec, out) != 0) {
        out->len = start;
        out->data[start] = '\0';
        return -1;
    }
    return 0;
}

int
wire_report_encode(struct wire *w, const struct report_event *ev, struct buf *out)
{
    avro_value_t rec;
    if (avro_generic_value_new(w->report.iface, &rec) != 0) return -1;
    int rc = put_str(&rec, "event_id", ev->event_id) ||
             put_str(&rec, "project_id", ev->project_id) ||
             put_str(&rec, "report_id", ev->report_id) || put_long(&rec, "version", ev->version) ||
             put_str(&rec, "engine_version", ev->engine_version) ||
             put_long(&rec, "created_at", ev->created_at_ms) ||
             put_str(&rec, "markdown", ev->markdown) ||
             put_str(&rec, "report_json", ev->report_json) ||
             put_str(&rec, "audio_status", ev->audio_status);
    for (int i = 0; i < 7 && !rc; i++) rc = put_str(&rec, section_fields[i], ev->sections[i]);
    rc = rc ? -1 : event_append(w, WIRE_TARGET_REPORT, &w->report, &rec, out);
    avro_value_decref(&rec);
    return rc;
}

int
wire_audio_encode(struct wire *w, const struct audio_event *ev, struct buf *out)
{
    avro_value_t rec, data;
    if (avro_generic_value_new(w->audio.iface, &rec) != 0) return -1;
    int rc = put_str(&rec, "event_id", ev->event_id) ||
             put_str(&rec, "project_id", ev->project_id) ||
             put_str(&rec, "report_id", ev->report_id) || put_str(&rec, "codec", ev->codec) ||
             put_str(&rec, "voice", ev->voice) || put_int(&rec, "sample_rate", ev->sample_rate) ||
             put_long(&rec, "duration_ms", ev->duration_ms) || put_str(&rec, "text", ev->text) ||
             put_str(&rec, "sha256", ev->sha256) || put_int(&rec, "chunk_index", ev->chunk_index) ||
             put_int(&rec, "chunk_count", ev->chunk_count) ||
             put_long(&rec, "total_bytes", ev->total_bytes) ||
             avro_value_get_by_name(&rec, "data", &data, NULL) ||
             avro_value_set_bytes(&data, (void *)(ev->data ? ev->data : (const unsigned char *)""),
                                  ev->data ? ev->data_len : 0);
    rc = rc ? -1 : event_append(w, WIRE_TARGET_AUDIO, &w->audio, &rec, out);
    avro_value_decref(&rec);
    return rc;
}

/* Reads string field 'name' into the next free slot of 'storage'. */
static int
take_str(avro_value_t *rec, const char *name, char **storage, size_t *used, size_t cap,
         const char **dst)
{
    avro_value_t f;
    const char *s;
    size_t size;
    if (*used >= cap || avro_value_get_by_name(rec, name, &f, NULL) != 0 ||
        avro_value_get_string(&f, &s, &size) != 0)
        return -1;
    storage[*used] = xstrndup(s, size ? size - 1 : 0);
    *dst = storage[(*used)++];
    return 0;
}

static int
take_long(avro_value_t *rec, const char *name, int64_t *dst)
{
    avro_value_t f;
    return avro_value_get_by_name(rec, name, &f, NULL) || avro_value_get_long(&f, dst);
}

static int
take_int(avro_value_t *rec, const char *name, int32_t *dst)
{
    avro_value_t f;
    return avro_value_get_by_name(rec, name, &f, NULL) || avro_value_get_int(&f, dst);
}

/* Opens, checks and reads one event datum into a fresh value of 'ws'; the caller releases
 * 'rec' when WIRE_OK is returned. */
static enum wire_status
event_read(struct wire *w, enum wire_target target, const struct wire_schema *ws, const void *data,
           size_t len, avro_value_t *rec, char *detail, size_t detail_size)
{
    const unsigned char *datum;
    size_t datum_len;
    struct buf scratch;
    enum wire_status st;
    if (detail != NULL && detail_size > 0) detail[0] = '\0';
    buf_init(&scratch);
    if (len > 0 && ((const unsigned char *)data)[0] == 0x00)
        st = wire_confluent_open_(w, target, &event_limits, data, len, WIRE_MAX_EVENT_BYTES,
                                  &scratch, &datum, &datum_len, detail, detail_size);
    else
        st = wire_so_open_(ws, &event_limits, data, len, WIRE_MAX_EVENT_BYTES, &datum, &datum_len,
                           detail, detail_size);
    if (st == WIRE_OK && avro_generic_value_new(ws->iface, rec) != 0)
        st = wire_fail_(WIRE_ERR_MALFORMED, detail, detail_size, "avro-c: %s", avro_strerror());
    if (st != WIRE_OK) {
        buf_fini(&scratch);
        return st;
    }
    avro_reader_t rd = avro_reader_memory((const char *)datum, (int64_t)datum_len);
    int rc = avro_value_read(rd, rec);
    avro_reader_free(rd);
    buf_fini(&scratch);
    if (rc != 0) {
        avro_value_decref(rec);
        return wire_fail_(WIRE_ERR_MALFORMED, detail, detail_size, "avro-c read: %s",
                          avro_strerror());
    }
    return WIRE_OK;
}

enum wire_status
wire_report_decode(struct wire *w, const void *data, size_t len, struct report_event_owned *out,
                   char *detail, size_t detail_size)
{
    avro_value_t rec;
    memset(out, 0, sizeof(*out));
    enum wire_status st = event_read(w, WIRE_TARGET_REPORT, &w->report, data, len, &rec, detail,
                                     detail_size);
    if (st != WIRE_OK) return st;
    struct report_event *ev = &out->ev;
    size_t used = 0, cap = PW_ARRAY_LEN(out->storage);
    int64_t version = 0;
    int rc = take_str(&rec, "event_id", out->storage, &used, cap, &ev->event_id) ||
             take_str(&rec, "project_id", out->storage, &used, cap, &ev->project_id) ||
             take_str(&rec, "report_id", out->storage, &used, cap, &ev->report_id) ||
             take_long(&rec, "version", &version) ||
             take_str(&rec, "engine_version", out->storage, &used, cap, &ev->engine_version) ||
             take_long(&rec, "created_at", &ev->created_at_ms) ||
             take_str(&rec, "markdown", out->storage, &used, cap, &ev->markdown) ||
             take_str(&rec, "report_json", out->storage, &used, cap, &ev->report_json) ||
             take_str(&rec, "audio_status", out->storage, &used, cap, &ev->audio_status);
    for (int i = 0; i < 7 && !rc; i++)
        rc = take_str(&rec, section_fields[i], out->storage, &used, cap, &ev->sections[i]);
    ev->version = (long)version;
    avro_value_decref(&rec);
    if (rc != 0) {
        report_event_owned_fini(out);
        return wire_fail_(WIRE_ERR_MALFORMED, detail, detail_size, "report fields: %s",
                          avro_strerror());
    }
    return WIRE_OK;
}

enum wire_status
wire_audio_decode(struct wire *w, const void *data, size_t len, struct audio_event_owned *out,
                  char *detail, size_t detail_size)
{
    avro_value_t rec, f;
    memset(out, 0, sizeof(*out));
    enum wire_status st = event_read(w, WIRE_TARGET_AUDIO, &w->audio, data, len, &rec, detail,
                                     detail_size);
    if (st != WIRE_OK) return st;
    struct audio_event *ev = &out->ev;
    size_t used = 0, cap = PW_ARRAY_LEN(out->storage);
    const void *bytes = NULL;
    size_t nbytes = 0;
    int rc = take_str(&rec, "event_id", out->storage, &used, cap, &ev->event_id) ||
             take_str(&rec, "project_id", out->storage, &used, cap, &ev->project_id) ||
             take_str(&rec, "report_id", out->storage, &used, cap, &ev->report_id) ||
             take_str(&rec, "codec", out->storage, &used, cap, &ev->codec) ||
             take_str(&rec, "voice", out->storage, &used, cap, &ev->voice) ||
             take_int(&rec, "sample_rate", &ev->sample_rate) ||
             take_long(&rec, "duration_ms", &ev->duration_ms) ||
             take_str(&rec, "text", out->storage, &used, cap, &ev->text) ||
             take_str(&rec, "sha256", out->storage, &used, cap, &ev->sha256) ||
             take_int(&rec, "chunk_index", &ev->chunk_index) ||
             take_int(&rec, "chunk_count", &ev->chunk_count) ||
             take_long(&rec, "total_bytes", &ev->total_bytes) ||
             avro_value_get_by_name(&rec, "data", &f, NULL) ||
             avro_value_get_bytes(&f, &bytes, &nbytes);
    if (rc == 0) {
        /* One spare byte so that an empty chunk still has a non-NULL pointer. */
        out->data = xmalloc(nbytes + 1);
        if (nbytes) memcpy(out->data, bytes, nbytes);
        ev->data = out->data;
        ev->data_len = nbytes;
    }
    avro_value_decref(&rec);
    if (rc != 0) {
        audio_event_owned_fini(out);
        return wire_fail_(WIRE_ERR_MALFORMED, detail, detail_size, "audio fields: %s",
                          avro_strerror());
    }
    return WIRE_OK;
}

void
report_event_owned_fini(struct report_event_owned *o)
{
    for (size_t i = 0; i < PW_ARRAY_LEN(o->storage); i++) free(o->storage[i]);
    memset(o, 0, sizeof(*o));
}

void
audio_event_owned_fini(struct audio_event_owned *o)
{
    for (size_t i = 0; i < PW_ARRAY_LEN(o->storage); i++) free(o->storage[i]);
    free(o->data);
    memset(o, 0, sizeof(*o));
}
