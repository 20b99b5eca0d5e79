/* producer/emit.h - what the daemon writes: reports, audio artifacts, dead letters.
 *
 * Turns answers into messages on the output topics, inside the producer's open transaction:
 *  - a report event (schemas/report.avsc) keyed by project id, header pw.event_id (and the
 *    request's W3C traceparent, when it had one, so traces continue downstream);
 *  - an audio artifact (schemas/audio.avsc) split into chunks of at most 'chunk_bytes' of audio,
 *    each carrying index, count, total size and the SHA-256 of the whole artifact, so that a
 *    reader reassembles and verifies it (a topic's message limit is about 1 MB);
 *  - a dead letter: the original key and value (cut at 900,000 bytes, with
 *    pw.error.value_truncated giving the original length), with the reason and the source
 *    coordinates in headers (pw.error.reason, pw.error.detail, pw.source.topic/partition/offset).
 * Every message is also a CloudEvent in the Kafka binding's binary content mode: headers
 * ce_specversion "1.0", ce_id (derived from the request, so a replay repeats it), ce_source
 * (the wire's, naming the consumer group), ce_type, ce_time, ce_subject (the project id) and
 * content-type (schemas/cloudevent.h; docs/schemas.md section 10).
 * Thread: the loop thread (uses the daemon's 'struct wire').
 */
#ifndef PW_PRODUCER_EMIT_H
#define PW_PRODUCER_EMIT_H

#include <stddef.h>
#include <stdint.h>

#include "producer.h"
#include "wire.h"

/* What makes an output message's CloudEvents attributes. */
struct emit_ce {
    const char *type;         /* CE_TYPE_REPORT, CE_TYPE_AUDIO, CE_TYPE_DEAD_LETTER */
    const char *id_base;      /* the request's event id, or a dead letter's source coordinates */
    const char *id_kind;      /* "report", "audio/N", "deadletter" */
    const char *subject;      /* the project id; NULL (or a value no String may hold): none */
    const char *content_type; /* the media type of the value */
    int64_t time_ms;          /* when the answer was made, ms since the epoch */
};

/* The headers of one output message: pw.event_id (when 'event_id' is not NULL), traceparent
 * (when not NULL), then the CloudEvents attributes with 'source'. The caller owns the result
 * (producer_send() takes it). */
rd_kafka_headers_t *emit_headers(const char *source, const struct emit_ce *ce, const char *event_id,
                                 const char *traceparent);

/* 'traceparent' (may be NULL) is copied into the message headers. */
int emit_report(struct producer *p, struct wire *w, const char *topic,
                const struct report_event *ev, const char *traceparent, char *errstr,
                size_t errstr_size);

/* 'ev' describes the artifact; its chunk fields, sha256 and data are filled here from
 * 'audio'/'audio_len'. Returns the number of chunks produced, or -1. */
int emit_audio(struct producer *p, struct wire *w, const char *topic, struct audio_event *ev,
               const unsigned char *audio, size_t audio_len, size_t chunk_bytes,
               const char *traceparent, char *errstr, size_t errstr_size);

/* 'w' gives the CloudEvents source; the key, when it is short text, is the subject. */
int emit_dead_letter(struct producer *p, struct wire *w, const char *topic, const void *key,
                     size_t key_len, const void *value, size_t value_len, const char *reason,
                     const char *detail, const char *src_topic, int32_t src_partition,
                     int64_t src_offset, char *errstr, size_t errstr_size);

#endif
