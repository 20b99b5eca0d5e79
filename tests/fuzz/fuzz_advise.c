/* tests/fuzz/fuzz_advise.c - any bytes as a requirement file given to the advisor.
 *
 * What `pipewright advise` and the daemon do with a message: parse the JSON form, then run every
 * stage of the engine. Properties: no crash, no leak, no sanitizer report, and determinism (the
 * same requirement gives the same report bytes twice).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisor.h"
#include "requirement.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct advisor *
engine(void)
{
    static struct advisor *a;
    if (a == NULL) {
        char err[256] = "";
        a = advisor_new(err, sizeof(err));
        if (a == NULL) {
            fprintf(stderr, "advisor_new: %s\n", err);
            abort();
        }
    }
    return a;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct requirement req;
    char detail[256], err[256];
    if (requirement_json_parse((const char *)data, size, &req, detail, sizeof(detail)) != WIRE_OK)
        return 0;
    struct report one, two;
    int rc1 = advisor_run(engine(), &req, NULL, &one, err, sizeof(err));
    int rc2 = advisor_run(engine(), &req, NULL, &two, err, sizeof(err));
    if (rc1 != rc2) abort();
    if (rc1 == 0) {
        if (strcmp(one.json, two.json) != 0 || strcmp(one.markdown, two.markdown) != 0) {
            fprintf(stderr, "property broken: the same requirement gave two reports\n");
            abort();
        }
        report_fini(&one);
        report_fini(&two);
    }
    requirement_fini(&req);
    return 0;
}
