/* tests/fuzz/fuzz_requirement_json.c - any bytes as the JSON form of a requirement.
 *
 * requirement_json_parse() directly, without the format sniffing in front of it, so that inputs
 * not starting with '{' reach jansson and our field mapping too. Accepted records must survive
 * requirement_json_write() and every other format unchanged.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct requirement req;
    char detail[256];
    enum wire_status st = requirement_json_parse((const char *)data, size, &req, detail,
                                                 sizeof(detail));
    fuzz_require((unsigned)st < WIRE_STATUS_COUNT, "a known status");
    if (st == WIRE_OK) fuzz_req_reencode(&req);
    else
        fuzz_require(detail[0] != '\0', "a refusal carries a detail");
    requirement_fini(&req);
    return 0;
}
