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
    char *why;      /* owned, NULL when the words say it plainly: "upper end of a range",
                       "count x record size", "stated rate, taken as the peak" */
};

struct extract_result {
    struct extract_note *notes; /* owned array */
    size_t n_notes;
    size_t cap_notes;  /* allocated length of 'notes' */
    int pii_mentioned; /* 1 when the text speaks of personal data anywhere, even where it
                                   cannot tie it to one source; 0 otherwise */
    /* What the text rules out, as lower-case tokens of the catalog's vocabulary ("kafka",
     * "flink", "python", "servers", "on-call"): "nobody's touched flink", "no Python", "don't
     * want to run kafka ourselves", "no servers". Each with the words it came from. */
    struct extract_note *avoid; /* owned array; 'field' holds the token */
    size_t n_avoid, cap_avoid;
    /* Deciding facts the text leaves missing or ambiguous, each as a short question to the
     * requester ("Is the 50 MB/s a peak of the same feed or a second source?"). */
    char **questions; /* owned strings */
    size_t n_questions, cap_questions;
};

/* The extractor's word lists (advisor/data/extract_*.tsv), parsed once; immutable afterwards and
 * shareable by any number of threads. */
struct extract_lexicon;

/* Parses the embedded word lists. Returns NULL and writes why into 'errstr' on a data error. */
struct extract_lexicon *extract_lexicon_new(char *errstr, size_t errstr_size);
/* Frees 'lex'; NULL is a no-op. */
void extract_lexicon_free(struct extract_lexicon *lex);

/* Fills unknown fields of 'req' from 'title' and 'description' (either may be NULL) and appends
 * one note per value set to 'out' (initialised by the caller with {0}). Borrows 'lex'. Fields
 * already known are kept; sources are added only when 'req' has none; lists only when empty.
 * The description is read first, the title fills what it left unknown. Each text is read up to
 * PW_MAX_TEXT_BYTES (common/bounds.h). */
void extract_requirement_lex(const struct extract_lexicon *lex, const char *title,
                             const char *description, struct requirement *req,
                             struct extract_result *out);
/* The same with a lexicon built and freed inside the call (tens of microseconds more): for
 * callers that extract once. Aborts if the embedded word lists are broken (a build defect). */
void extract_requirement(const char *title, const char *description, struct requirement *req,
                         struct extract_result *out);
/* Frees what 'out' owns and leaves it empty. */
void extract_result_fini(struct extract_result *out);

#endif
