/* tests/fuzz/fuzz_wire_requirement.c - any bytes as a requirement message, in every format.
 *
 * wire_requirement_decode() must never crash, leak or trip a sanitizer, and must name a reason
 * for every refusal; an accepted message must re-encode, in each format, to the same record.
 * This is the path a Kafka message value takes in the daemon.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct requirement req;
    enum wire_format fmt;
    char detail[256];
    enum wire_status st = wire_requirement_decode(fuzz_wire(), data, size, &req, &fmt, detail,
                                                  sizeof(detail));
    fuzz_require((unsigned)st < WIRE_STATUS_COUNT, "a known status");
    if (st == WIRE_OK) {
        fuzz_require(fmt != WIRE_FORMAT_UNKNOWN, "an accepted message has a format");
        fuzz_req_reencode(&req);
    } else {
        fuzz_require(detail[0] != '\0', "a refusal carries a detail");
        if (fmt != WIRE_FORMAT_JSON) fuzz_require_agreement(detail);
        fuzz_require(req.event_id == NULL && req.n_sources == 0, "a refused record owns nothing");
    }
    requirement_fini(&req);
    return 0;
}
