/* tests/fuzz/fuzz_resolve.c - any writer schema and any datum, resolved into our requirement.
 *
 * What a Confluent-framed message with a foreign schema id costs the daemon once a registry
 * has answered: the writer's schema text is parsed within our bounds, the datum pre-checked
 * against it and resolved into the local requirement schema (schemas/resolve.c), then read like
 * any requirement. Both halves are hostile here: a registry is a network peer. Input: two bytes
 * (big-endian) giving the schema text's length, the schema text, then the datum.
 * Properties: no crash, leak or sanitizer report; a known status, and a detail for every
 * refusal, whose record owns nothing; an accepted record re-encodes, in each format, to itself.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    size_t schema_len = (size_t)data[0] << 8 | data[1];
    if (schema_len > size - 2) schema_len = size - 2;
    const char *schema = (const char *)data + 2;
    const uint8_t *datum = data + 2 + schema_len;
    size_t datum_len = size - 2 - schema_len;

    struct requirement req;
    char detail[256] = "";
    enum wire_status st = wire_requirement_resolve(fuzz_wire(), schema, schema_len, datum,
                                                   datum_len, &req, detail, sizeof(detail));
    fuzz_require((unsigned)st < WIRE_STATUS_COUNT, "a known status");
    if (st == WIRE_OK) {
        fuzz_req_reencode(&req);
    } else {
        fuzz_require(detail[0] != '\0', "a refusal carries a detail");
        fuzz_require(req.event_id == NULL && req.n_sources == 0, "a refused record owns nothing");
    }
    requirement_fini(&req);
    return 0;
}
