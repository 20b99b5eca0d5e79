/* tests/fuzz/fuzz_common.h - what the libFuzzer harnesses share: one wire, record equality.
 *
 * Each harness decodes its input and, when the decoder accepts it, checks a property that must
 * hold for every accepted input (re-encoding reads back the same record); a broken property
 * aborts, which libFuzzer reports as a crash with the input saved. Header-only, because each
 * harness is linked on its own; single-threaded like libFuzzer itself.
 */
#ifndef PW_TESTS_FUZZ_COMMON_H
#define PW_TESTS_FUZZ_COMMON_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "requirement.h"
#include "wire.h"

/* Parsed once: the schemas are the same for every input, and parsing them per input would
 * spend the fuzzing budget on start-up. Still reachable at exit, so LeakSanitizer is quiet. */
static inline struct wire *
fuzz_wire(void)
{
    static struct wire *w;
    if (w == NULL) {
        char err[256] = "";
        w = wire_new(err, sizeof(err));
        if (w == NULL) {
            fprintf(stderr, "wire_new: %s\n", err);
            abort();
        }
    }
    return w;
}

static inline void
fuzz_require(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "property broken: %s\n", what);
        abort();
    }
}

/* A datum the pre-decoder passed must also be read by avro-c: a disagreement would mean the
 * pre-decoder is looser than the library it protects. Details from avro-c say "avro-c"; only
 * Avro details qualify, since a JSON detail may quote the input. */
static inline void
fuzz_require_agreement(const char *detail)
{
    fuzz_require(strstr(detail, "avro-c") == NULL, "the pre-decoder and avro-c agree");
}

static inline int
fuzz_str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Doubles compare by value, NaN (unknown) equal to NaN. */
static inline int
fuzz_num_eq(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static inline int
fuzz_list_eq(const struct strlist *a, const struct strlist *b)
{
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (!fuzz_str_eq(a->v[i], b->v[i])) return 0;
    return 1;
}

static inline int
fuzz_req_eq(const struct requirement *a, const struct requirement *b)
{
    if (!fuzz_str_eq(a->event_id, b->event_id) || !fuzz_str_eq(a->project_id, b->project_id) ||
        a->submitted_at_ms != b->submitted_at_ms || !fuzz_str_eq(a->title, b->title) ||
        !fuzz_str_eq(a->description, b->description) || a->n_sources != b->n_sources ||
        !fuzz_num_eq(a->freshness_seconds, b->freshness_seconds) ||
        !fuzz_num_eq(a->retention_days, b->retention_days) ||
        !fuzz_list_eq(&a->consumers, &b->consumers) || !fuzz_str_eq(a->cloud, b->cloud) ||
        !fuzz_num_eq(a->budget_usd_per_month, b->budget_usd_per_month) ||
        !fuzz_list_eq(&a->compliance, &b->compliance) ||
        !fuzz_list_eq(&a->existing_stack, &b->existing_stack) ||
        !fuzz_num_eq(a->team_size, b->team_size) ||
        !fuzz_list_eq(&a->team_skills, &b->team_skills) ||
        !fuzz_num_eq(a->availability_target, b->availability_target) ||
        a->audio.enabled != b->audio.enabled || !fuzz_str_eq(a->audio.voice, b->audio.voice) ||
        !fuzz_num_eq(a->audio.rate_wpm, b->audio.rate_wpm) ||
        !fuzz_str_eq(a->audio.codec, b->audio.codec))
        return 0;
    for (size_t i = 0; i < a->n_sources; i++) {
        const struct req_source *x = &a->sources[i], *y = &b->sources[i];
        if (!fuzz_str_eq(x->name, y->name) || x->kind != y->kind ||
            !fuzz_num_eq(x->volume_gb_per_day, y->volume_gb_per_day) ||
            !fuzz_num_eq(x->peak_events_per_sec, y->peak_events_per_sec) ||
            !fuzz_num_eq(x->avg_record_bytes, y->avg_record_bytes) ||
            x->contains_pii != y->contains_pii)
            return 0;
    }
    return 1;
}

/* An accepted requirement must survive Avro and JSON encoding unchanged. */
static inline void
fuzz_req_reencode(const struct requirement *req)
{
    static const enum wire_format fmts[] = {WIRE_FORMAT_AVRO, WIRE_FORMAT_CONFLUENT,
                                            WIRE_FORMAT_JSON};
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        struct buf b;
        struct requirement again;
        char detail[256];
        buf_init(&b);
        fuzz_require(wire_requirement_encode(fuzz_wire(), req, fmts[i], 1, &b) == 0,
                     "an accepted requirement encodes");
        enum wire_status st = wire_requirement_decode(fuzz_wire(), b.data, b.len, &again, NULL,
                                                      detail, sizeof(detail));
        /* JSON escapes non-ASCII as \uXXXX, so only its re-encoding may outgrow the bound. */
        if (!(st == WIRE_ERR_TOO_LARGE && fmts[i] == WIRE_FORMAT_JSON)) {
            if (st != WIRE_OK) fprintf(stderr, "%s: %s\n", wire_format_name(fmts[i]), detail);
            fuzz_require(st == WIRE_OK, "a re-encoded requirement decodes");
            fuzz_require(fuzz_req_eq(req, &again), "a re-encoded requirement is unchanged");
        }
        requirement_fini(&again);
        buf_fini(&b);
    }
}

#endif
