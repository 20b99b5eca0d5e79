/* advisor/extract.h - free text to requirement fields (internal to the advisor).
 *
 * Reads a request's title and description as a person wrote them ("2 TB/day of clickstream",
 * "dashboards fresher than 5 minutes", "$25k a month", "GDPR", "AWS", "team of 4 Python
 * engineers") and fills the fields of a requirement that are still unknown. Structured fields
 * always win: a field that is already known is never overwritten. Every value it sets is noted
 * with the words it came from, so the report can say where each number came from.
 * Pure: no I/O, no globals, no clock; deterministic.
 */
#ifndef PW_ADVISOR_EXTRACT_H
#define PW_ADVISOR_EXTRACT_H

#include <stddef.h>

#include "requirement.h"

struct extract_note {
    char *field;    /* owned: "sources[0].volume_gb_per_day", "freshness_seconds", "cloud", ... */
    char *evidence; /* owned: the words of the text it came from, e.g. "2 TB/day" */
};

struct extract_result {
    struct extract_note *notes; /* owned array */
    size_t n_notes;
};

/* Fills unknown fields of 'req' from 'title' and 'description' (either may be NULL) and appends
 * one note per value set to 'out' (initialised by the caller with {0}). */
void extract_requirement(const char *title, const char *description, struct requirement *req,
                         struct extract_result *out);
void extract_result_fini(struct extract_result *out);

#endif
