/* schemas/wire_int.h - what the files of schemas/ share and nothing outside may use.
 *
 * Three layers meet here: our own model of an Avro schema (parsed with jansson from the .avsc
 * text, the source of the Parsing Canonical Form, the fingerprint and the bounded pre-decoder),
 * the pre-decoder itself, and the conversions between avro-c values and C records. Symbols end
 * in '_' because they are internal to the module. Everything here is pure and reentrant except
 * where a 'struct wire' is passed (one per thread).
 */
#ifndef PW_SCHEMAS_WIRE_INT_H
#define PW_SCHEMAS_WIRE_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <avro.h>
#include <jansson.h>

#include "buf.h"
#include "requirement.h"
#include "wire.h"

/* Single-object encoding: C3 01 then the 8-byte little-endian fingerprint. */
#define WIRE_SO_HEADER_BYTES 10
/* Confluent framing: 00 then a 4-byte big-endian schema id. */
#define WIRE_CONFLUENT_HEADER_BYTES 5
/* Output events are bounded more loosely than requirements: an audio chunk or a long report
 * is legitimately bigger, yet a decoder still must not trust a length it cannot see. */
#define WIRE_MAX_EVENT_BYTES (16 * 1024 * 1024)

enum avsc_kind {
    AVSC_NULL = 0,
    AVSC_BOOLEAN,
    AVSC_INT,
    AVSC_LONG,
    AVSC_FLOAT,
    AVSC_DOUBLE,
    AVSC_BYTES,
    AVSC_STRING,
    AVSC_RECORD,
    AVSC_ENUM,
    AVSC_ARRAY,
    AVSC_MAP,
    AVSC_UNION,
    AVSC_FIXED
};

struct avsc_node;

struct avsc_field {
    char *name;             /* owned */
    struct avsc_node *type; /* borrowed from the schema's node list */
    int has_default;        /* the field has a "default" ... */
    unsigned char *def;     /* ... whose Avro binary encoding this is (owned) */
    size_t def_len;
};

struct avsc_node {
    enum avsc_kind kind;
    char *fullname;            /* owned; named types only */
    struct avsc_field *fields; /* record: owned array */
    size_t n_fields;
    struct avsc_node **branches; /* union: owned array of borrowed nodes */
    size_t n_branches;
    size_t n_symbols;        /* enum */
    char **symbols;          /* enum: owned array of owned names */
    long sym_default;        /* enum: index of the "default" symbol, or -1 */
    struct avsc_node *items; /* array items or map values (borrowed) */
    size_t fixed_size;       /* fixed */
    size_t min_bytes;        /* fewest bytes one value can take on the wire */
};

/* A parsed schema: every node lives in 'nodes' and is freed with it. */
struct avsc {
    struct avsc_node **nodes;
    size_t n_nodes;
    struct avsc_node *root;
    char *canonical;      /* Parsing Canonical Form, NUL-terminated */
    uint64_t fingerprint; /* CRC-64-AVRO of 'canonical' */
};

/* Bounds on a schema text from outside (a registry's answer): its size, its node count, and the
 * length of any name or symbol. Our own schemas are far inside them. */
#define AVSC_MAX_TEXT_BYTES (128 * 1024)
#define AVSC_MAX_NODES 2048
#define AVSC_MAX_NAME_BYTES 256
/* The Avro encoding of one field default is at most this long. */
#define AVSC_MAX_DEFAULT_BYTES (64 * 1024)

/* Parses the .avsc JSON 'text' into 's' (caller storage): names and symbols must be Avro names
 * within the bounds above, and every field default must be a valid value of the field's type
 * (it is kept in binary form for schema resolution). Returns 0, or -1 with 'err' set and
 * nothing owned. */
int avsc_parse_(struct avsc *s, const char *text, size_t len, char *err, size_t err_size);
void avsc_fini_(struct avsc *s);
/* Index of 'symbol' in enum 'n', or -1. */
long avsc_symbol_index_(const struct avsc_node *n, const char *symbol);
/* Avro binary writers: a zig-zag varint long (also int, enum index, length, count), and the
 * little-endian IEEE 754 forms of double and float. */
void avro_put_long_(struct buf *b, int64_t v);
void avro_put_double_(struct buf *b, double v);
void avro_put_float_(struct buf *b, float v);
/* CRC-64-AVRO (Rabin) of 'len' bytes, as the Avro specification defines it. */
uint64_t avro_rabin64_(const void *data, size_t len);

/* Bounds the pre-decoder applies to one datum. A string or array inside a record field named in
 * 'fields' takes that field's bound; others take the defaults. */
struct check_field_limit {
    const char *field;
    size_t max_string_bytes;
};
struct check_limits {
    size_t max_string_bytes; /* strings and bytes */
    size_t max_items;        /* per array or map, summed over its blocks */
    const struct check_field_limit *fields;
    size_t n_fields;
};

/* Walks 'len' bytes as one datum of schema 'root' without allocating: every length within the
 * bytes left and within 'lim', varints of at most 10 bytes, union and enum indexes in range,
 * booleans 0 or 1, strings valid UTF-8 without NUL, no bytes left over. Returns WIRE_OK or the
 * reason, with the path of the offending field in 'detail'. */
enum wire_status avro_check_datum_(const struct avsc_node *root, const struct check_limits *lim,
                                   const unsigned char *data, size_t len, char *detail,
                                   size_t detail_size);

/* Schema resolution (the Avro specification's "Schema Resolution"), our own code because
 * avro-c 1.11.1's resolver ignores reader defaults. Checks that data written with 'writer' can
 * be read as 'reader': records by unqualified name with fields matched by name (a reader field
 * missing in the writer needs a default; writer fields missing in the reader are skipped),
 * enums by name with every writer symbol known to the reader or an enum default, fixed by name
 * and size, int->long->float->double and string<->bytes promotion, arrays and maps by their
 * items, each writer union branch to a reader branch. Returns WIRE_OK or WIRE_ERR_INCOMPATIBLE
 * with the path of the first mismatch in 'detail'. Pure. */
enum wire_status avsc_resolve_check_(const struct avsc *writer, const struct avsc *reader,
                                     char *detail, size_t detail_size);
/* Rewrites one datum of 'writer' (already accepted by avro_check_datum_() against 'writer') as
 * a datum of 'reader', appending to 'out': writer-only fields dropped, reader-only fields set
 * from their defaults, values promoted, enum symbols and union branches mapped by name. The
 * pair must have passed avsc_resolve_check_(). Output over 'max_out' bytes is WIRE_ERR_LIMIT.
 * On failure 'out' is left as it was. Pure. */
enum wire_status avro_resolve_datum_(const struct avsc *writer, const struct avsc *reader,
                                     const unsigned char *data, size_t len, size_t max_out,
                                     struct buf *out, char *detail, size_t detail_size);

/* Nonzero when the 'len' bytes at 's' are well-formed UTF-8 (no overlongs, no surrogates). */
int utf8_valid_(const unsigned char *s, size_t len);

/* The parsed schemas and avro-c classes; defined in wire.c. */
struct wire_schema {
    const char *name; /* "requirement", "report", "audio" */
    const char *text; /* embedded .avsc */
    size_t text_len;
    struct avsc model;
    avro_schema_t schema;
    avro_value_iface_t *iface;
};

/* Which local schema a writer schema is resolved into. */
enum wire_target { WIRE_TARGET_REQ = 0, WIRE_TARGET_REPORT, WIRE_TARGET_AUDIO, WIRE_TARGET_COUNT };

/* A writer schema fetched by registry id, parsed and checked against one local schema. Ids are
 * immutable in a registry, so an entry never goes stale; 'st' is WIRE_OK or why every datum
 * written with it is refused. */
struct wire_writer {
    int32_t id;
    enum wire_target target;
    struct avsc model; /* empty when the text did not parse */
    enum wire_status st;
    char detail[200];
};

/* Parsed writer schemas kept per 'struct wire'; the oldest is dropped when full. */
#define WIRE_WRITER_CACHE_MAX 32

struct wire {
    struct wire_schema req;
    struct wire_schema report;
    struct wire_schema audio;
    int32_t ids[WIRE_TARGET_COUNT];   /* registered ids of our schemas, -1 when not registered */
    struct wire_schema_source source; /* fetch NULL when no registry is configured */
    struct wire_writer *writers[WIRE_WRITER_CACHE_MAX];
    size_t n_writers, next_writer;
    const char *default_event_id; /* during wire_requirement_decode_as_() only, else NULL */
    char ce_source[256];          /* the CloudEvents source of output events (cloudevent.h) */
};

/* The writer schema for Confluent id 'id' to be read as 'target', fetched through the source and
 * cached; NULL with the reason (unknown_schema, schema_unavailable) when it cannot be had. The
 * entry may itself carry a refusal in its 'st'. */
struct wire_writer *wire_writer_get_(struct wire *w, int32_t id, enum wire_target target,
                                     enum wire_status *st, char *detail, size_t detail_size);
/* Opens a Confluent frame of 'len' bytes for local schema 'target': resolved through the
 * registry when one is attached and the id is not ours, else read with the local schema. The
 * datum of the local schema, already passed through avro_check_datum_() with 'lim', is left in
 * '*datum'/'*datum_len', pointing into 'data' or into 'scratch'. */
enum wire_status wire_confluent_open_(struct wire *w, enum wire_target target,
                                      const struct check_limits *lim, const void *data, size_t len,
                                      size_t max_len, struct buf *scratch,
                                      const unsigned char **datum, size_t *datum_len, char *detail,
                                      size_t detail_size);
/* Appends the Confluent frame header for 'id'. */
void wire_put_confluent_header_(struct buf *out, int32_t id);

/* The pre-decoder bounds for requirement datums (common/bounds.h). */
extern const struct check_limits wire_requirement_limits_;

/* Fills 'req' (initialised) from a requirement datum that avro_check_datum_() accepted.
 * Returns WIRE_OK or WIRE_ERR_INVALID / WIRE_ERR_MALFORMED with 'detail'; on failure the caller
 * frees 'req'. */
enum wire_status requirement_from_avro_(struct wire *w, const void *datum, size_t len,
                                        struct requirement *req, char *detail, size_t detail_size);
/* Appends the Avro binary datum of 'req'. Returns 0 or -1. */
int requirement_to_avro_(struct wire *w, const struct requirement *req, struct buf *out);
/* The checks both decoders apply once the record is filled: ids present and bounded, numbers
 * finite and in range, enums known. */
enum wire_status requirement_check_(const struct requirement *req, char *detail,
                                    size_t detail_size);

/* wire_requirement_decode() where a message without an event id (absent, null or empty) takes
 * 'default_event_id' (may be NULL) before the checks: a CloudEvent's id. */
enum wire_status wire_requirement_decode_as_(struct wire *w, const void *data, size_t len,
                                             const char *default_event_id, struct requirement *req,
                                             enum wire_format *fmt, char *detail,
                                             size_t detail_size);
/* requirement_json_parse() with the same default event id. */
enum wire_status requirement_json_parse_as_(const char *json, size_t len,
                                            const char *default_event_id, struct requirement *req,
                                            char *detail, size_t detail_size);
/* Sets 'req's event id to 'default_event_id' when it has none and the default is not NULL. */
void requirement_default_id_(struct requirement *req, const char *default_event_id);
/* Bounds a JSON text before a parser sees it: nesting at most 'max_depth', at most 65,536
 * values. WIRE_OK or WIRE_ERR_LIMIT with 'detail'. */
enum wire_status wire_json_prescan_(const char *json, size_t len, int max_depth, char *detail,
                                    size_t detail_size);

/* Appends the Avro binary datum of 'value'. Returns 0 or -1 (nothing appended). */
int avro_value_append_datum_(avro_value_t *value, struct buf *out);
/* Writes the datum of 'value' after a single-object header for 'fingerprint'. Returns 0/-1. */
int avro_value_append_so_(avro_value_t *value, uint64_t fingerprint, struct buf *out);
/* Checks the single-object header against 'ws' and runs the pre-decoder over the rest.
 * On WIRE_OK '*datum' and '*datum_len' give the datum. */
enum wire_status wire_so_open_(const struct wire_schema *ws, const struct check_limits *lim,
                               const void *data, size_t len, size_t max_len,
                               const unsigned char **datum, size_t *datum_len, char *detail,
                               size_t detail_size);

/* The wire status of a jansson decode error: encoding, limit, or malformed. */
enum wire_status wire_json_status_(const json_error_t *err);

/* snprintf into 'detail' (which may be NULL or 0 bytes); returns 'st' for tail calls. */
enum wire_status wire_fail_(enum wire_status st, char *detail, size_t detail_size, const char *fmt,
                            ...) __attribute__((format(printf, 4, 5)));
/* The same with where it happened: "PATH: message", or the message alone when 'path' is empty.
 * Takes 'path' (finished here). */
enum wire_status wire_fail_at_(enum wire_status st, char *detail, size_t detail_size,
                               struct buf *path, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

#endif
