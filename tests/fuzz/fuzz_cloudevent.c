/* tests/fuzz/fuzz_cloudevent.c - any headers and value as a CloudEvent around a requirement.
 *
 * The input is header lines "name=value" (at most 80), an empty line, then the value
 * (make_corpus.py writes seeds in both content modes). ce_requirement_decode() must give a
 * known status, a refusal must carry a detail, and an accepted record must have an event id
 * and survive every format unchanged (fuzz_req_reencode).
 */
#include <stddef.h>
#include <stdint.h>

#include "cloudevent.h"
#include "fuzz_common.h"

#define MAX_HEADERS 80

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ce_header hdrs[MAX_HEADERS];
    char names[MAX_HEADERS][64];
    size_t n = 0, at = 0;
    while (at < size && data[at] != '\n' && n < MAX_HEADERS) {
        const uint8_t *end = memchr(data + at, '\n', size - at);
        size_t line = end ? (size_t)(end - (data + at)) : size - at;
        const uint8_t *eq = memchr(data + at, '=', line);
        size_t name_len = eq ? (size_t)(eq - (data + at)) : line;
        if (name_len >= sizeof(names[0])) name_len = sizeof(names[0]) - 1;
        memcpy(names[n], data + at, name_len);
        names[n][name_len] = '\0';
        hdrs[n] = (struct ce_header){names[n], name_len, eq ? eq + 1 : NULL,
                                     eq ? line - name_len - 1 : 0};
        n++;
        at += line + (end ? 1 : 0);
    }
    if (at < size && data[at] == '\n') at++;
    struct requirement req;
    char detail[512];
    enum ce_mode mode;
    enum wire_status st = ce_requirement_decode(fuzz_wire(), hdrs, n, data + at, size - at, &req,
                                                &mode, detail, sizeof(detail));
    fuzz_require((unsigned)st < WIRE_STATUS_COUNT, "a known status");
    if (st == WIRE_OK) {
        fuzz_require(req.event_id != NULL && req.event_id[0] != '\0', "an event id");
        fuzz_req_reencode(&req);
    } else {
        fuzz_require(detail[0] != '\0', "a refusal carries a detail");
    }
    requirement_fini(&req);
    return 0;
}
