/* schemas/wire.h - the only C that knows the bytes on the wire.
 *
 * Requirement messages arrive in one of three formats, told apart by their first bytes:
 *  - Avro single-object encoding: C3 01, the schema's 8-byte CRC-64-AVRO fingerprint
 *    (little-endian), then the Avro binary datum;
 *  - Confluent framing: 00, a 4-byte big-endian schema id, then the Avro binary datum;
 *  - JSON: the requirement record as a JSON object (first non-space byte '{').
 * Avro bytes are validated against the schema by a bounded walker (lengths within the message,
 * enum and union indexes in range, counts within common/bounds.h) *before* avro-c sees them,
 * because Debian's avro-c 1.11.1 allocates from length prefixes and crashes on bad enums.
 *
 * Output events (report, audio) are written as Avro single-object encoding, or Confluent-framed
 * with their registered ids once wire_ids_set() gave them. Confluent-framed datums are decoded
 * with the local schema whatever their id says, unless a schema source (a registry) is attached:
 * then a foreign id's writer schema is fetched, parsed by our bounded parser, and the datum is
 * pre-checked against it and resolved into the local schema (schemas/resolve.c) before avro-c
 * sees a byte. docs/schemas.md describes every field, refusal and allowed schema change.
 * The schemas are compiled in from the .avsc files in schemas/. 'struct wire' holds the parsed
 * schemas and avro-c classes and is not thread-safe: use one per thread.
 */
#ifndef PW_SCHEMAS_WIRE_H
#define PW_SCHEMAS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "requirement.h"

enum wire_format {
    WIRE_FORMAT_UNKNOWN = 0,
    WIRE_FORMAT_AVRO,      /* single-object encoding */
    WIRE_FORMAT_CONFLUENT, /* magic 0 + schema id */
    WIRE_FORMAT_JSON
};

/* Why a message was refused; the name is what the DLQ header carries. */
enum wire_status {
    WIRE_OK = 0,
    WIRE_ERR_EMPTY,              /* no bytes */
    WIRE_ERR_TOO_LARGE,          /* over PW_MAX_MESSAGE_BYTES */
    WIRE_ERR_BAD_MAGIC,          /* none of the three formats */
    WIRE_ERR_UNKNOWN_SCHEMA,     /* fingerprint or schema id not known */
    WIRE_ERR_TRUNCATED,          /* the datum ends early */
    WIRE_ERR_MALFORMED,          /* bad varint, enum/union index, trailing bytes, bad JSON */
    WIRE_ERR_LIMIT,              /* a string, list or nesting over common/bounds.h */
    WIRE_ERR_ENCODING,           /* a string that is not valid UTF-8 */
    WIRE_ERR_INVALID,            /* well-formed, but a required field is missing or out of range */
    WIRE_ERR_INCOMPATIBLE,       /* the writer's schema cannot be read as ours (Avro resolution) */
    WIRE_ERR_SCHEMA_UNAVAILABLE, /* the registry did not answer for the writer's schema id */
    WIRE_STATUS_COUNT
};

/* Returns "ok", "empty", "too_large", "bad_magic", "unknown_schema", "truncated", "malformed",
 * "limit", "encoding", "invalid", "incompatible", "schema_unavailable". */
const char *wire_status_str(enum wire_status st);
const char *wire_format_name(enum wire_format f); /* "avro", "confluent", "json" */
/* Parses "avro", "confluent" or "json"; returns WIRE_FORMAT_UNKNOWN otherwise. */
enum wire_format wire_format_parse(const char *s);

/* A report event (schemas/report.avsc). All strings borrowed. */
struct report_event {
    const char *event_id;
    const char *project_id;
    const char *report_id;
    long version; /* project version */
    const char *engine_version;
    int64_t created_at_ms;
    const char *sections[7]; /* in enum report_section order */
    const char *markdown;
    const char *report_json;
    const char *audio_status; /* "pending", "ready", "failed", "disabled" */
};

/* An audio event (schemas/audio.avsc): one chunk of one artifact. Strings and data borrowed. */
struct audio_event {
    const char *event_id;
    const char *project_id;
    const char *report_id;
    const char *codec; /* "opus" | "wav" */
    const char *voice;
    int32_t sample_rate;
    int64_t duration_ms;
    const char *text;    /* the spoken text */
    const char *sha256;  /* hex digest of the whole artifact */
    int32_t chunk_index; /* 0-based */
    int32_t chunk_count;
    int64_t total_bytes;       /* of the whole artifact */
    const unsigned char *data; /* this chunk */
    size_t data_len;
};

/* Decoded output events own their strings (free with the _fini functions). */
struct report_event_owned {
    struct report_event ev; /* pointers into owned storage */
    char *storage[16];
};
struct audio_event_owned {
    struct audio_event ev;
    char *storage[10];
    unsigned char *data;
};

struct wire;

struct wire *wire_new(char *errstr, size_t errstr_size);
/* Also releases an attached schema source. */
void wire_free(struct wire *w);

/* Where writer schemas of Confluent-framed messages come from (a schema registry). 'fetch'
 * writes the schema text registered under 'id' into 'schema' and returns 0, 1 when the
 * registry has no such id, or -1 when it could not be asked (why in 'err'). It may block; the
 * wire calls it once per id and keeps the parsed result. 'release' (may be NULL) frees 'ctx'
 * when the wire is freed. */
struct wire_schema_source {
    int (*fetch)(void *ctx, int32_t id, struct buf *schema, char *err, size_t err_size);
    void (*release)(void *ctx);
    void *ctx;
};

/* Attaches 'src' (copied; the wire owns 'ctx' from now on). From then on a Confluent-framed
 * message whose id is not the registered id of the local schema is decoded with the writer's
 * schema resolved into ours: writer-only fields dropped, reader fields the writer lacks given
 * their defaults; a writer we cannot read is refused as "incompatible", an id the registry does
 * not know as "unknown_schema", a registry that does not answer as "schema_unavailable".
 * Without a source, a Confluent-framed datum is read with the local schema whatever its id. */
void wire_source_set(struct wire *w, const struct wire_schema_source *src);
/* The ids under which the local requirement, report and audio schemas are registered; -1 for
 * none. With a report or audio id set, wire_report_encode() and wire_audio_encode() write
 * Confluent framing with that id instead of single-object encoding. */
void wire_ids_set(struct wire *w, int32_t requirement_id, int32_t report_id, int32_t audio_id);

/* Decodes one Avro binary 'datum' (no header) written with 'writer_schema' (Avro JSON text) as a
 * requirement: the writer text is parsed within our bounds, the datum pre-checked against it,
 * resolved into the local requirement schema, then read and checked like any requirement.
 * The same path the registry-backed decoder takes, without a registry (for tests and fuzzers).
 * 'req' is initialised by the callee and owns nothing on failure. */
enum wire_status wire_requirement_resolve(struct wire *w, const char *writer_schema,
                                          size_t schema_len, const void *datum, size_t len,
                                          struct requirement *req, char *detail,
                                          size_t detail_size);

/* Decodes one requirement message in any of the three formats into 'req' (initialised by the
 * callee). On failure returns the reason, writes a human-readable detail, and 'req' owns
 * nothing. '*fmt' (may be NULL) receives the format detected. */
enum wire_status wire_requirement_decode(struct wire *w, const void *data, size_t len,
                                         struct requirement *req, enum wire_format *fmt,
                                         char *detail, size_t detail_size);

/* Encodes 'req' in 'fmt' (appended to 'out'). For WIRE_FORMAT_CONFLUENT 'schema_id' is written
 * in the frame (a registry id of the local requirement schema). Returns 0 or -1. */
int wire_requirement_encode(struct wire *w, const struct requirement *req, enum wire_format fmt,
                            int32_t schema_id, struct buf *out);

/* The requirement record as JSON, the same shape JSON input takes (unknown fields omitted). */
void requirement_json_write(const struct requirement *req, struct buf *out);
/* Parses the JSON form (same validation as wire decoding). */
enum wire_status requirement_json_parse(const char *json, size_t len, struct requirement *req,
                                        char *detail, size_t detail_size);

int wire_report_encode(struct wire *w, const struct report_event *ev, struct buf *out);
int wire_audio_encode(struct wire *w, const struct audio_event *ev, struct buf *out);
enum wire_status wire_report_decode(struct wire *w, const void *data, size_t len,
                                    struct report_event_owned *out, char *detail,
                                    size_t detail_size);
enum wire_status wire_audio_decode(struct wire *w, const void *data, size_t len,
                                   struct audio_event_owned *out, char *detail, size_t detail_size);
void report_event_owned_fini(struct report_event_owned *o);
void audio_event_owned_fini(struct audio_event_owned *o);

/* The CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form ("requirement", "report",
 * "audio"); 0 for an unknown name. */
uint64_t wire_schema_fingerprint(const char *name);
/* The .avsc text compiled in, or NULL. */
const char *wire_schema_text(const char *name);

#endif
