/* advisor/advisor.h - the advisor engine: a requirement in, an architecture report out.
 *
 * A pure library: no I/O, no clock, no globals, no logging. Its knowledge (technology catalog,
 * price book with sources and dates, thresholds) is data compiled into the binary from
 * advisor/data/ and parsed once by advisor_new(); the resulting 'struct advisor' is immutable
 * and may be shared by any number of threads. advisor_run() is deterministic: the same
 * requirement and context give the same bytes.
 *
 * Ownership: advisor_run() fills caller storage 'struct report'; report_fini() frees it.
 */
#ifndef PW_ADVISOR_ADVISOR_H
#define PW_ADVISOR_ADVISOR_H

#include <stddef.h>

#include "requirement.h"

#define ADVISOR_ENGINE_VERSION "1.0.0"

/* The seven sections of the report, in order. */
enum report_section {
    SECTION_EXECUTIVE_SUMMARY = 0,
    SECTION_ARCHITECTURE_OVERVIEW,
    SECTION_IMPLEMENTATION_DETAILS,
    SECTION_PERFORMANCE_CONSIDERATIONS,
    SECTION_COST_ANALYSIS,
    SECTION_RISK_ASSESSMENT,
    SECTION_NEXT_STEPS,
    SECTION_COUNT
};

struct advisor;

/* What the daemon knows beyond the requirement itself. */
struct advisor_context {
    long version;                       /* project version this report answers (1, 2, ...) */
    const struct requirement *previous; /* the project's previous merged requirement, or NULL */
};

struct report {
    char *report_id;   /* "<project_id>-v<version>-<fingerprint prefix>" */
    char *fingerprint; /* hex hash of the normalised requirement */
    long version;
    char *sections[SECTION_COUNT]; /* Markdown body of each section */
    char *markdown;                /* the whole report, Markdown */
    char *json;                    /* the structured report (docs/report-contract.md) */
    char *audio_script;            /* text written for the ear, 30-60 s */
    char *dot;                     /* Graphviz DOT of the data flow */
};

/* Loads the embedded knowledge. Returns NULL and writes why into 'errstr' on a data error. */
struct advisor *advisor_new(char *errstr, size_t errstr_size);
void advisor_free(struct advisor *a);

/* Runs every stage on 'req' ('ctx' may be NULL: version 1, no history) and fills 'rep'.
 * Returns 0, or -1 with a reason in 'errstr' (then 'rep' holds nothing to free). */
int advisor_run(const struct advisor *a, const struct requirement *req,
                const struct advisor_context *ctx, struct report *rep, char *errstr,
                size_t errstr_size);

void report_init(struct report *rep);
void report_fini(struct report *rep);

/* Returns "executive_summary", "architecture_overview", ... */
const char *report_section_name(enum report_section s);
/* Returns "Executive Summary", "Architecture Overview", ... */
const char *report_section_title(enum report_section s);

#endif
