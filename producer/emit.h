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
 * Thread: the loop thread (uses the daemon's 'struct wire').
 */
#ifndef PW_PRODUCER_EMIT_H
#define PW_PRODUCER_EMIT_H

#include <stddef.h>
#include <stdint.h>

#include "producer.h"
#include "wire.h"

/* 'traceparent' (may be NULL) is copied into the message headers. */
int emit_report(struct producer *p, struct wire *w, const char *topic,
                const struct report_event *ev, const char *traceparent, char *errstr,
                size_t errstr_size);

/* 'ev' describes the artifact; its chunk fields, sha256 and data are filled here from
 * 'audio'/'audio_len'. Returns the number of chunks produced, or -1. */
int emit_audio(struct producer *p, struct wire *w, const char *topic, struct audio_event *ev,
               const unsigned char *audio, size_t audio_len, size_t chunk_bytes,
               const char *traceparent, char *errstr, size_t errstr_size);

int emit_dead_letter(struct producer *p, const char *topic, const void *key, size_t key_len,
                     const void *value, size_t value_len, const char *reason, const char *detail,
                     const char *src_topic, int32_t src_partition, int64_t src_offset,
                     char *errstr, size_t errstr_size);

#endif
