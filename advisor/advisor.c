/* advisor/advisor.c - run the stages in order and hand the caller a finished report.
 *
 * Owns advisor_run() and the small shared helpers of the stages: the per-run arena, names of
 * enums, token matching. It refuses a NULL requirement and nothing else: any requirement, however
 * empty, gets a report whose assumptions say what was missing. Pure: no I/O, no clock, no
 * globals; the only state is the caller's 'struct analysis'.
 */
#include "advisor_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* ---- arena ---------------------------------------------------------------------------------- */

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char data[];
};

#define ARENA_BLOCK 16384

void *
arena_alloc_(struct arena *ar, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct arena_block *b = ar->head;
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = xmalloc(sizeof(*b) + cap);
        b->used = 0;
        b->cap = cap;
        b->next = ar->head;
        ar->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

char *
arena_strdup_(struct arena *ar, const char *s)
{
    if (s == NULL) return NULL;
    size_t n = strlen(s) + 1;
    char *p = arena_alloc_(ar, n);
    memcpy(p, s, n);
    return p;
}

char *
arena_printf_(struct arena *ar, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    PW_ASSERT(n >= 0);
    char *p = arena_alloc_(ar, (size_t)n + 1);
    if ((size_t)n < sizeof(small)) {
        memcpy(p, small, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return p;
}

void
arena_free_(struct arena *ar)
{
    struct arena_block *b = ar->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    ar->head = NULL;
}

/* ---- names and matching --------------------------------------------------------------------- */

const char *
cloud_name_(enum cloud c)
{
    static const char *const names[CLOUD_COUNT] = {"aws", "gcp", "azure", "on_prem", "any"};
    return (unsigned)c < CLOUD_COUNT ? names[c] : "any";
}

const char *
mode_name_(enum mode m)
{
    static const char *const names[MODE_COUNT] = {"batch", "micro_batch", "streaming"};
    return (unsigned)m < MODE_COUNT ? names[m] : "batch";
}

const char *
need_name_(enum need n)
{
    static const char *const names[NEED_COUNT] = {"bi", "search", "online", "operational",
                                                  "ml", "exactly_once", "stateful", "audit",
                                                  "archive"};
    return (unsigned)n < NEED_COUNT ? names[n] : "";
}

const char *
origin_name_(enum origin o)
{
    static const char *const names[] = {"given", "extracted", "assumed", "derived"};
    return (unsigned)o < PW_ARRAY_LEN(names) ? names[o] : "assumed";
}

const char *
crit_name_(enum crit c)
{
    static const char *const names[CRIT_COUNT] = {"latency", "scale", "cost",
                                                  "operations", "skills", "lock_in"};
    return (unsigned)c < CRIT_COUNT ? names[c] : "";
}

static int
word_char(char c)
{
    return isalnum((unsigned char)c);
}

int
has_token_(const char *hay, const char *tok)
{
    if (hay == NULL || tok == NULL || tok[0] == '\0') return 0;
    size_t n = strlen(tok);
    /* A token starts a word ("hive" is not in "archive"); short tokens ("s3", "sql", "go")
     * must also end one, so "go" is not in "google" nor "sql" in "mysql". Longer tokens may be
     * stems ("aggregat" matches "aggregates"). */
    int whole = n <= 3;
    for (const char *p = strstr(hay, tok); p; p = strstr(p + 1, tok)) {
        if (p != hay && word_char(p[-1]) && word_char(tok[0])) continue;
        if (!whole || !word_char(p[n])) return 1;
    }
    return 0;
}

int
has_any_token_(const char *hay, const char *list)
{
    if (list == NULL || strcmp(list, "-") == 0) return 0;
    char tok[64];
    const char *s = list;
    while (*s) {
        size_t n = strcspn(s, ",|");
        if (n > 0 && n < sizeof(tok)) {
            memcpy(tok, s, n);
            tok[n] = '\0';
            if (has_token_(hay, tok)) return 1;
        }
        s += n;
        if (*s) s++;
    }
    return 0;
}

const struct cloudinfo *
cloud_info_(const struct analysis *an)
{
    return &an->a->cloud[an->p.cloud];
}

/* ---- the run -------------------------------------------------------------------------------- */

int
analysis_run_(const struct advisor *a, const struct requirement *req, struct analysis *an,
              char *errstr, size_t errstr_size)
{
    memset(an, 0, sizeof(*an));
    an->a = a;
    if (req == NULL) {
        if (errstr && errstr_size) snprintf(errstr, errstr_size, "no requirement");
        return -1;
    }
    profile_build_(an, req);
    decide_(an);
    size_(an);
    cost_(an);
    risks_(an);
    quality_(an);
    iac_(an);
    return 0;
}

void
analysis_fini_(struct analysis *an)
{
    requirement_fini(&an->p.req);
    extract_result_fini(&an->p.ex);
    arena_free_(&an->ar);
}

void
report_init(struct report *rep)
{
    memset(rep, 0, sizeof(*rep));
}

void
report_fini(struct report *rep)
{
    free(rep->report_id);
    free(rep->fingerprint);
    for (int i = 0; i < SECTION_COUNT; i++) free(rep->sections[i]);
    free(rep->markdown);
    free(rep->json);
    free(rep->audio_script);
    free(rep->dot);
    memset(rep, 0, sizeof(*rep));
}

int
advisor_run(const struct advisor *a, const struct requirement *req,
            const struct advisor_context *ctx, struct report *rep, char *errstr,
            size_t errstr_size)
{
    report_init(rep);
    struct analysis *an = xmalloc(sizeof(*an));
    if (analysis_run_(a, req, an, errstr, errstr_size)) {
        free(an);
        return -1;
    }
    struct analysis *prev = NULL;
    if (ctx && ctx->previous) {
        prev = xmalloc(sizeof(*prev));
        /* The engine is deterministic, so re-running it on the previous requirement gives
         * exactly the decisions that version's report made. */
        if (analysis_run_(a, ctx->previous, prev, NULL, 0)) {
            free(prev);
            prev = NULL;
        }
    }
    long version = ctx && ctx->version > 0 ? ctx->version : 1;
    render_(an, prev, version, rep);
    if (prev) {
        analysis_fini_(prev);
        free(prev);
    }
    analysis_fini_(an);
    free(an);
    return 0;
}

const char *
report_section_name(enum report_section s)
{
    static const char *const names[SECTION_COUNT] = {
        "executive_summary",         "architecture_overview", "implementation_details",
        "performance_considerations", "cost_analysis",        "risk_assessment",
        "next_steps"};
    return (unsigned)s < SECTION_COUNT ? names[s] : "";
}

const char *
report_section_title(enum report_section s)
{
    static const char *const titles[SECTION_COUNT] = {
        "Executive Summary",          "Architecture Overview", "Implementation Details",
        "Performance Considerations", "Cost Analysis",         "Risk Assessment",
        "Next Steps"};
    return (unsigned)s < SECTION_COUNT ? titles[s] : "";
}
