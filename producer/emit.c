/* producer/emit.c - reports, chunked audio artifacts and dead letters, in the open transaction. */
#include "emit.h"

#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "buf.h"
#include "clock.h"
#include "cloudevent.h"
#include "sha256.h"

/* A dead letter carries at most this much of the original value, so that it fits the default
 * message limits of librdkafka (1,000,000 bytes) and of topics (1 MiB) with its headers; a
 * longer value is cut and says so in pw.error.value_truncated (its original length). */
#define DLQ_VALUE_MAX 900000

rd_kafka_headers_t *
emit_headers(const char *source, const struct emit_ce *ce, const char *event_id,
             const char *traceparent)
{
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new(10);
    if (event_id) rd_kafka_header_add(hdrs, "pw.event_id", -1, event_id, -1);
    if (traceparent) rd_kafka_header_add(hdrs, "traceparent", -1, traceparent, -1);
    struct buf id;
    buf_init(&id);
    ce_id_append(&id, ce->id_base, ce->id_kind);
    char time[32];
    ce_time_format(ce->time_ms, time);
    rd_kafka_header_add(hdrs, "ce_specversion", -1, "1.0", -1);
    rd_kafka_header_add(hdrs, "ce_id", -1, id.data, (ssize_t)id.len);
    rd_kafka_header_add(hdrs, "ce_source", -1, source, -1);
    rd_kafka_header_add(hdrs, "ce_type", -1, ce->type, -1);
    rd_kafka_header_add(hdrs, "ce_time", -1, time, -1);
    /* The subject is optional: left out rather than written as something it may not hold. */
    if (ce->subject && strlen(ce->subject) <= PW_MAX_ID_BYTES &&
        ce_string_valid(ce->subject, strlen(ce->subject)))
        rd_kafka_header_add(hdrs, "ce_subject", -1, ce->subject, -1);
    rd_kafka_header_add(hdrs, "content-type", -1, ce->content_type, -1);
    buf_fini(&id);
    return hdrs;
}

int
emit_report(struct producer *p, struct wire *w, const char *topic, const struct report_event *ev,
            const char *traceparent, char *errstr, size_t errstr_size)
{
    struct buf out;
    buf_init(&out);
    if (wire_report_encode(w, ev, &out) != 0) {
        snprintf(errstr, errstr_size, "report %s: encoding failed", ev->report_id);
        buf_fini(&out);
        return -1;
    }
    struct emit_ce ce = {CE_TYPE_REPORT, ev->event_id,         "report",
                         ev->project_id, CE_CONTENT_TYPE_AVRO, ev->created_at_ms};
    int rc = producer_send(p, topic, ev->project_id, strlen(ev->project_id), out.data, out.len,
                           emit_headers(wire_ce_source(w), &ce, ev->event_id, traceparent), errstr,
                           errstr_size);
    buf_fini(&out);
    return rc;
}

int
emit_audio(struct producer *p, struct wire *w, const char *topic, struct audio_event *ev,
           const unsigned char *audio, size_t audio_len, size_t chunk_bytes,
           const char *traceparent, char *errstr, size_t errstr_size)
{
    char sha[65];
    sha256_hex(audio, audio_len, sha);
    size_t count = audio_len == 0 ? 1 : (audio_len + chunk_bytes - 1) / chunk_bytes;
    ev->sha256 = sha;
    ev->chunk_count = (int32_t)count;
    ev->total_bytes = (int64_t)audio_len;
    struct buf out;
    buf_init(&out);
    struct emit_ce ce = {CE_TYPE_AUDIO,  ev->event_id,         NULL,
                         ev->project_id, CE_CONTENT_TYPE_AVRO, clock_wall_ms()};
    char kind[32];
    for (size_t i = 0; i < count; i++) {
        size_t at = i * chunk_bytes;
        ev->chunk_index = (int32_t)i;
        ev->data = audio + at;
        ev->data_len = audio_len - at < chunk_bytes ? audio_len - at : chunk_bytes;
        buf_reset(&out);
        if (wire_audio_encode(w, ev, &out) != 0) {
            snprintf(errstr, errstr_size, "audio %s: encoding failed", ev->report_id);
            buf_fini(&out);
            return -1;
        }
        snprintf(kind, sizeof(kind), "audio/%zu", i);
        ce.id_kind = kind;
        if (producer_send(p, topic, ev->project_id, strlen(ev->project_id), out.data, out.len,
                          emit_headers(wire_ce_source(w), &ce, ev->event_id, traceparent), errstr,
                          errstr_size) != 0) {
            buf_fini(&out);
            return -1;
        }
    }
    buf_fini(&out);
    ev->sha256 = NULL;
    ev->data = NULL;
    return (int)count;
}

int
emit_dead_letter(struct producer *p, struct wire *w, const char *topic, const void *key,
                 size_t key_len, const void *value, size_t value_len, const char *reason,
                 const char *detail, const char *src_topic, int32_t src_partition,
                 int64_t src_offset, char *errstr, size_t errstr_size)
{
    char part[16], off[24], coords[512], subject[PW_MAX_ID_BYTES + 1] = "";
    snprintf(part, sizeof(part), "%d", (int)src_partition);
    snprintf(off, sizeof(off), "%lld", (long long)src_offset);
    /* One dead letter per input message: its coordinates make the id. */
    snprintf(coords, sizeof(coords), "%s/%s/%s", src_topic, part, off);
    if (key != NULL && key_len < sizeof(subject) && memchr(key, '\0', key_len) == NULL)
        memcpy(subject, key, key_len), subject[key_len] = '\0';
    struct emit_ce ce = {CE_TYPE_DEAD_LETTER,   coords,
                         "deadletter",          subject[0] ? subject : NULL,
                         CE_CONTENT_TYPE_BYTES, clock_wall_ms()};
    rd_kafka_headers_t *hdrs = emit_headers(wire_ce_source(w), &ce, NULL, NULL);
    if (value_len > DLQ_VALUE_MAX) {
        char orig[24];
        snprintf(orig, sizeof(orig), "%zu", value_len);
        rd_kafka_header_add(hdrs, "pw.error.value_truncated", -1, orig, -1);
        value_len = DLQ_VALUE_MAX;
    }
    rd_kafka_header_add(hdrs, "pw.error.reason", -1, reason, -1);
    rd_kafka_header_add(hdrs, "pw.error.detail", -1, detail ? detail : "", -1);
    rd_kafka_header_add(hdrs, "pw.source.topic", -1, src_topic, -1);
    rd_kafka_header_add(hdrs, "pw.source.partition", -1, part, -1);
    rd_kafka_header_add(hdrs, "pw.source.offset", -1, off, -1);
    return producer_send(p, topic, key, key_len, value, value_len, hdrs, errstr, errstr_size);
}
