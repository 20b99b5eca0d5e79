/* tests/fuzz/fuzz_extract.c - any bytes as the free text of a request.
 *
 * The extractor reads people's prose, so it meets every kind of text: numbers with odd units,
 * huge digit runs, broken UTF-8, no spaces at all. Properties: it never crashes or leaks, every
 * value it sets is finite and not negative, and it is deterministic (a second run on the same
 * text sets the same fields with the same notes).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "requirement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct extract_lexicon *
lexicon(void)
{
    static struct extract_lexicon *lex;
    if (lex == NULL) {
        char err[256] = "";
        lex = extract_lexicon_new(err, sizeof(err));
        if (lex == NULL) {
            fprintf(stderr, "extract_lexicon_new: %s\n", err);
            abort();
        }
    }
    return lex;
}

static void
require(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "property broken: %s\n", what);
        abort();
    }
}

static void
require_sane(double v, const char *what)
{
    require(isnan(v) || (isfinite(v) && v >= 0), what);
}

static void
run(const char *text, struct requirement *req, struct extract_result *res)
{
    requirement_init(req);
    memset(res, 0, sizeof(*res));
    extract_requirement_lex(lexicon(), NULL, text, req, res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536) return 0; /* the description's bound (common/bounds.h) */
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    struct requirement a, b;
    struct extract_result ra, rb;
    run(text, &a, &ra);
    run(text, &b, &rb);
    require(ra.n_notes == rb.n_notes && a.n_sources == b.n_sources, "deterministic");
    for (size_t i = 0; i < ra.n_notes; i++)
        require(strcmp(ra.notes[i].field, rb.notes[i].field) == 0 &&
                    strcmp(ra.notes[i].evidence, rb.notes[i].evidence) == 0,
                "deterministic notes");
    for (size_t i = 0; i < a.n_sources; i++) {
        require_sane(a.sources[i].volume_gb_per_day, "volume");
        require_sane(a.sources[i].peak_events_per_sec, "peak rate");
        require_sane(a.sources[i].avg_record_bytes, "record size");
    }
    require_sane(a.freshness_seconds, "freshness");
    require_sane(a.retention_days, "retention");
    require_sane(a.budget_usd_per_month, "budget");
    require_sane(a.team_size, "team size");
    require(isnan(a.availability_target) ||
                (a.availability_target >= 0 && a.availability_target <= 100),
            "availability is a percentage");
    extract_result_fini(&ra);
    extract_result_fini(&rb);
    requirement_fini(&a);
    requirement_fini(&b);
    free(text);
    return 0;
}
