/* schemas/cloudevent.h - CloudEvents 1.0 over Kafka: requirement envelopes in, attributes out.
 *
 * Follows the CloudEvents Kafka protocol binding (both content modes it defines):
 *  - binary mode: the attributes are headers named "ce_" + attribute ("ce_specversion",
 *    "ce_id", ...), the value is the data as-is and the "content-type" header its media type;
 *  - structured mode: header "content-type: application/cloudevents+json", the value is the
 *    JSON event format, the data in member "data" (JSON) or "data_base64" (any bytes).
 * A requirement message is read as a CloudEvent when its content-type starts with
 * "application/cloudevents" (structured) or when it has any "ce_" header (binary); anything
 * else is decoded as before (schemas/wire.h). The data inside an envelope is a requirement in
 * any of the three wire formats; a media type that names JSON or Avro must match the bytes.
 * The envelope must be complete and well-formed: specversion exactly "1.0", id, source and type
 * non-empty, every attribute at most CE_MAX_ATTR_BYTES of UTF-8 without control characters,
 * time (when given) RFC 3339; a refusal says what and where in 'detail', prefixed with the mode.
 * The CloudEvent id is the requirement's event id when the data carries none.
 *
 * For output, the helpers below build the attribute values the daemon's messages carry
 * (producer/emit.c adds the headers): deterministic ids derived from the request, the source
 * naming the consumer group, RFC 3339 times. docs/schemas.md section 10 describes both sides.
 * Pure except where a 'struct wire' is passed (one per thread, as wire.h says).
 */
#ifndef PW_SCHEMAS_CLOUDEVENT_H
#define PW_SCHEMAS_CLOUDEVENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "requirement.h"
#include "wire.h"

/* Longest attribute value accepted on input (bytes), and longest header name looked at. */
#define CE_MAX_ATTR_BYTES 1024
/* At most this many "ce_" headers on one message; more is refused as a limit. */
#define CE_MAX_HEADERS 64

/* The event types the daemon writes, and the media types. */
#define CE_TYPE_REPORT "io.pipewright.report.v1"
#define CE_TYPE_AUDIO "io.pipewright.audio.v1"
#define CE_TYPE_DEAD_LETTER "io.pipewright.deadletter.v1"
#define CE_CONTENT_TYPE_AVRO "application/avro"
#define CE_CONTENT_TYPE_BYTES "application/octet-stream"
#define CE_CONTENT_TYPE_STRUCTURED "application/cloudevents+json"

/* One Kafka header as the decoder sees it (borrowed; 'value' NULL for a null header). */
struct ce_header {
    const char *name;
    size_t name_len;
    const void *value;
    size_t value_len;
};

enum ce_mode {
    CE_MODE_NONE = 0, /* not a CloudEvent: a plain requirement message */
    CE_MODE_BINARY,
    CE_MODE_STRUCTURED
};

/* "none", "binary", "structured". */
const char *ce_mode_name(enum ce_mode m);

/* Decodes one requirement message with its headers, CloudEvent or not, into 'req' (initialised
 * by the callee, owning nothing on failure). '*mode' (may be NULL) receives the content mode
 * found. The statuses are wire.h's; an envelope refused is WIRE_ERR_INVALID (missing or wrong
 * attribute), WIRE_ERR_MALFORMED (not the JSON event format), WIRE_ERR_LIMIT, WIRE_ERR_ENCODING
 * or WIRE_ERR_EMPTY, with 'detail' starting "CloudEvent (binary)" or "CloudEvent (structured)". */
enum wire_status ce_requirement_decode(struct wire *w, const struct ce_header *hdrs, size_t n_hdrs,
                                       const void *value, size_t len, struct requirement *req,
                                       enum ce_mode *mode, char *detail, size_t detail_size);

/* ---- output -------------------------------------------------------------------------------- */

/* Appends an output event's id: 'base' (the request's event id, or the source coordinates of a
 * dead letter) then '/' and 'kind' ("report", "audio/3", "deadletter"). Bytes of 'base' that a
 * CloudEvents String may not hold (control characters) and '%' are written as %XX, so distinct
 * bases give distinct ids. Deterministic: a replay produces the same id. */
void ce_id_append(struct buf *out, const char *base, const char *kind);
/* Writes "/pipewrightd/GROUP" (GROUP percent-encoded outside A-Z a-z 0-9 - . _ ~) into 'out';
 * cut to 'size' (at least 1). */
void ce_source_format(const char *group, char *out, size_t size);
/* Writes 'ms' since the epoch as RFC 3339 UTC with milliseconds, "2026-12-08T01:36:46.123Z". */
void ce_time_format(int64_t ms, char out[32]);
/* Nonzero when 'len' bytes at 's' are a CloudEvents String value: non-empty, UTF-8, no control
 * characters (U+0000-001F, U+007F-009F) and no noncharacters. */
int ce_string_valid(const void *s, size_t len);
/* Nonzero when the 'len' bytes at 's' are an RFC 3339 date-time. */
int ce_time_valid(const char *s, size_t len);

/* The source the wire's output events name (default "/pipewrightd"); set from the consumer
 * group at start (ce_source_format). */
void wire_ce_source_set(struct wire *w, const char *group);
const char *wire_ce_source(const struct wire *w);

#endif
