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

#include <stddef.h>
#include <stdint.h>

#include <avro.h>

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
    char *name;                /* owned */
    struct avsc_node *type;    /* borrowed from the schema's node list */
};

struct avsc_node {
    enum avsc_kind kind;
    char *fullname;            /* owned; named types only */
    struct avsc_field *fields; /* record: owned array */
    size_t n_fields;
    struct avsc_node **branches; /* union: owned array of borrowed nodes */
    size_t n_branches;
    size_t n_symbols;          /* enum */
    struct avsc_node *items;   /* array items or map values (borrowed) */
    size_t fixed_size;         /* fixed */
    size_t min_bytes;          /* fewest bytes one value can take on the wire */
};

/* A parsed schema: every node lives in 'nodes' and is freed with it. */
struct avsc {
    struct avsc_node **nodes;
    size_t n_nodes;
    struct avsc_node *root;
    char *canonical;           /* Parsing Canonical Form, NUL-terminated */
    uint64_t fingerprint;      /* CRC-64-AVRO of 'canonical' */
};

/* Parses the .avsc JSON 'text' into 's' (caller storage). Returns 0, or -1 with 'err' set and
 * nothing owned. */
int avsc_parse_(struct avsc *s, const char *text, size_t len, char *err, size_t err_size);
void avsc_fini_(struct avsc *s);
/* CRC-64-AVRO (Rabin) of 'len' bytes, as the Avro specification defines it. */
uint64_t avro_rabin64_(const void *data, size_t len);

/* Bounds the pre-decoder applies to one datum. A string or array inside a record field named in
 * 'fields' takes that field's bound; others take the defaults. */
struct check_field_limit {
    const char *field;
    size_t max_string_bytes;
};
struct check_limits {
    size_t max_string_bytes;   /* strings and bytes */
    size_t max_items;          /* per array or map, summed over its blocks */
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

/* Nonzero when the 'len' bytes at 's' are well-formed UTF-8 (no overlongs, no surrogates). */
int utf8_valid_(const unsigned char *s, size_t len);

/* The parsed schemas and avro-c classes; defined in wire.c. */
struct wire_schema {
    const char *name;          /* "requirement", "report", "audio" */
    const char *text;          /* embedded .avsc */
    size_t text_len;
    struct avsc model;
    avro_schema_t schema;
    avro_value_iface_t *iface;
};

struct wire {
    struct wire_schema req;
    struct wire_schema report;
    struct wire_schema audio;
};

/* The pre-decoder bounds for requirement datums (common/bounds.h). */
extern const struct check_limits wire_requirement_limits_;

/* Fills 'req' (initialised) from a requirement datum that avro_check_datum_() accepted.
 * Returns WIRE_OK or WIRE_ERR_INVALID / WIRE_ERR_MALFORMED with 'detail'; on failure the caller
 * frees 'req'. */
enum wire_status requirement_from_avro_(struct wire *w, const void *datum, size_t len,
                                        struct requirement *req, char *detail,
                                        size_t detail_size);
/* Appends the Avro binary datum of 'req'. Returns 0 or -1. */
int requirement_to_avro_(struct wire *w, const struct requirement *req, struct buf *out);
/* The checks both decoders apply once the record is filled: ids present and bounded, numbers
 * finite and in range, enums known. */
enum wire_status requirement_check_(const struct requirement *req, char *detail,
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

/* snprintf into 'detail' (which may be NULL or 0 bytes); returns 'st' for tail calls. */
enum wire_status wire_fail_(enum wire_status st, char *detail, size_t detail_size,
                            const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
