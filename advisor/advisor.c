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
arena_strndup_(struct arena *ar, const char *s, size_t n)
{
    char *p = arena_alloc_(ar, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
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

/* Writes the digits of 'v' (no sign) into 'b'. */
static void
put_unsigned(struct buf *b, unsigned long long v)
{
    char d[24];
    size_t n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    buf_reserve(b, n);
    while (n) b->data[b->len++] = d[--n];
    b->data[b->len] = '\0';
}

/* One conversion of a format string, as buf_vfmt_() parsed it. */
struct conv_spec {
    int simple;    /* no flags, width or length other than 'l', "ll" and 'z' */
    int prec;      /* the precision, or -1 */
    int star_prec; /* the precision is an argument */
    int lng, size; /* 'l' count; 'z' */
    char conv;
};

/* Parses the conversion after '%' at '*f' and moves '*f' past it. */
static void
parse_spec(const char **fp, struct conv_spec *s)
{
    const char *f = *fp;
    s->simple = 1, s->prec = -1, s->star_prec = 0, s->lng = 0, s->size = 0;
    while (*f && strchr("-+ #0", *f)) s->simple = 0, f++;
    if (*f == '*') s->simple = 0, f++;
    while (*f >= '0' && *f <= '9') s->simple = 0, f++;
    if (*f == '.') {
        f++;
        if (*f == '*') {
            s->star_prec = 1;
            f++;
        } else {
            s->prec = 0;
            while (*f >= '0' && *f <= '9') s->prec = s->prec * 10 + (*f++ - '0');
        }
    }
    while (*f && strchr("hlLqjzt", *f)) {
        if (*f == 'l') s->lng++;
        else if (*f == 'z')
            s->size = 1;
        else
            s->simple = 0;
        f++;
    }
    s->conv = *f ? *f++ : '\0';
    *fp = f;
}

/* Writes a "%s", "%zu", "%d" or "%c" conversion directly; 0 when 's' is another kind. */
static int
put_simple(struct buf *b, const struct conv_spec *s, va_list *ap)
{
    if (!s->simple || s->star_prec) return 0;
    if (s->conv == 's') {
        const char *sv = va_arg(*ap, const char *);
        if (sv == NULL) sv = "(null)";
        buf_append(b, sv, s->prec >= 0 ? strnlen(sv, (size_t)s->prec) : strlen(sv));
        return 1;
    }
    if (s->prec < 0 && (s->conv == 'd' || s->conv == 'i' || s->conv == 'u')) {
        if (s->size) {
            put_unsigned(b, va_arg(*ap, size_t));
            return 1;
        }
        long long v = s->lng >= 2 ? va_arg(*ap, long long)
                      : s->lng    ? va_arg(*ap, long)
                                  : va_arg(*ap, int);
        if (s->conv != 'u' && v < 0) {
            buf_putc(b, '-');
            put_unsigned(b, 0ull - (unsigned long long)v);
        } else {
            put_unsigned(b, (unsigned long long)v);
        }
        return 1;
    }
    if (s->conv == 'c') {
        buf_putc(b, (char)va_arg(*ap, int));
        return 1;
    }
    return 0;
}

/* Writes one conversion 'one' (the text of the spec) through snprintf. */
static void
put_general(struct buf *b, const char *one, const struct conv_spec *s, va_list *ap)
{
    int p1 = s->star_prec ? va_arg(*ap, int) : 0;
    enum { A_DBL, A_STR, A_SIZE, A_LL, A_L, A_INT } kind;
    double dv = 0;
    const char *sv = NULL;
    size_t zv = 0;
    long long lv = 0;
    if (strchr("eEfFgGaA", s->conv)) kind = A_DBL, dv = va_arg(*ap, double);
    else if (s->conv == 's')
        kind = A_STR, sv = va_arg(*ap, const char *);
    else if (s->size)
        kind = A_SIZE, zv = va_arg(*ap, size_t);
    else if (s->lng >= 2)
        kind = A_LL, lv = va_arg(*ap, long long);
    else if (s->lng)
        kind = A_L, lv = va_arg(*ap, long);
    else
        kind = A_INT, lv = va_arg(*ap, int);
    /* twice at most: the second time with room for all of it */
    for (int pass = 0; pass < 2; pass++) {
        buf_reserve(b, 64);
        char *dst = b->data + b->len;
        size_t room = b->cap - b->len;
        int w;
        int star = s->star_prec;
        /* 'one' is a single conversion copied from the caller's checked format string */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        switch (kind) {
        case A_DBL:
            w = star ? snprintf(dst, room, one, p1, dv) : snprintf(dst, room, one, dv);
            break;
        case A_STR:
            w = star ? snprintf(dst, room, one, p1, sv) : snprintf(dst, room, one, sv);
            break;
        case A_SIZE:
            w = snprintf(dst, room, one, zv);
            break;
        case A_LL:
            w = snprintf(dst, room, one, lv);
            break;
        case A_L:
            w = snprintf(dst, room, one, (long)lv);
            break;
        default:
            w = snprintf(dst, room, one, (int)lv);
            break;
        }
#pragma GCC diagnostic pop
        PW_ASSERT(w >= 0);
        if ((size_t)w < room) {
            b->len += (size_t)w;
            break;
        }
        buf_reserve(b, (size_t)w);
    }
}

void
buf_vfmt_(struct buf *b, const char *fmt, va_list ap_in)
{
    /* The report's sentences are mostly "%s" and "%zu": those are copied here directly, which
     * costs a fraction of vsnprintf; any other conversion (floats, widths, flags) is handed to
     * snprintf one conversion at a time, so the bytes are exactly printf's. */
    va_list ap;
    va_copy(ap, ap_in);
    const char *f = fmt;
    while (*f) {
        const char *lit = f;
        f = strchrnul(f, '%');
        if (f > lit) buf_append(b, lit, (size_t)(f - lit));
        if (*f == '\0') break;
        const char *spec = f++;
        if (*f == '%') {
            buf_putc(b, '%');
            f++;
            continue;
        }
        struct conv_spec s;
        parse_spec(&f, &s);
        if (put_simple(b, &s, &ap)) continue;
        char one[32];
        size_t n = (size_t)(f - spec);
        PW_ASSERT(n < sizeof(one));
        memcpy(one, spec, n);
        one[n] = '\0';
        put_general(b, one, &s, &ap);
    }
    va_end(ap);
}

void
buf_fmt_(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vfmt_(b, fmt, ap);
    va_end(ap);
}

char *
arena_printf_(struct arena *ar, const char *fmt, ...)
{
    struct buf *b = &ar->scratch;
    b->len = 0;
    va_list ap;
    va_start(ap, fmt);
    buf_vfmt_(b, fmt, ap);
    va_end(ap);
    char *p = arena_alloc_(ar, b->len + 1);
    memcpy(p, b->data ? b->data : "", b->len);
    p[b->len] = '\0';
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
    buf_fini(&ar->scratch);
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
kind_name_(enum request_kind k)
{
    static const char *const names[KIND_COUNT] = {"greenfield", "migration", "cost_reduction",
                                                  "cdc", "add_consumer"};
    return (unsigned)k < KIND_COUNT ? names[k] : "greenfield";
}

const char *
need_name_(enum need n)
{
    static const char *const names[NEED_COUNT] = {"bi",          "search", "online",
                                                  "operational", "ml",     "exactly_once",
                                                  "stateful",    "audit",  "archive"};
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
    static const char *const names[CRIT_COUNT] = {"latency",    "scale",  "cost",
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
any_token_(const char *list, int (*has)(const void *ctx, const char *tok), const void *ctx)
{
    if (list == NULL || strcmp(list, "-") == 0) return 0;
    char tok[64];
    const char *s = list;
    while (*s) {
        size_t n = strcspn(s, ",|");
        if (n > 0 && n < sizeof(tok)) {
            memcpy(tok, s, n);
            tok[n] = '\0';
            if (has(ctx, tok)) return 1;
        }
        s += n;
        if (*s) s++;
    }
    return 0;
}

static int
hay_has(const void *hay, const char *tok)
{
    return has_token_(hay, tok);
}

int
has_any_token_(const char *hay, const char *list)
{
    return any_token_(list, hay_has, hay);
}

const struct cloudinfo *
cloud_info_(const struct analysis *an)
{
    return &an->a->cloud[an->p.cloud];
}

/* ---- the run -------------------------------------------------------------------------------- */

/* The decisions and the arithmetic on the profile already built; 'lean' prefers cheaper rows.
 * Leaves the profile as it is, so it can run again on the same analysis. */
static void
design_(struct analysis *an, int lean, size_t n_assumption, size_t n_question)
{
    an->lean = lean;
    an->n_dec = 0;
    an->skills_gap = 0;
    memset(&an->sz, 0, sizeof(an->sz));
    memset(&an->cost, 0, sizeof(an->cost));
    an->p.n_assumption = n_assumption;
    an->n_question = n_question;
    decide_(an);
    size_(an);
    cost_(an);
}

/* The monthly figure the budget is judged on, as cost.c's verdict judges it: the high end of
 * the new spend when the budget is on top of what already runs, else of everything. */
static double
judged_cost(const struct analysis *an)
{
    const struct costing *c = &an->cost;
    return c->budget_scope == 1 && c->existing_monthly > 0 ? c->incr_high : c->monthly_high;
}

/* What the lean design gives up against the full one ('full', 'n_full' decisions), as
 * assumptions the report prints. */
static void
note_trade_offs(struct analysis *an, const struct decision *full, size_t n_full)
{
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (d->t == NULL) continue;
        for (size_t j = 0; j < n_full; j++) {
            const struct decision *f = &full[j];
            if (f->t == NULL || f->t == d->t || strcmp(f->t->area, d->t->area) != 0) continue;
            if ((d->subject == NULL) != (f->subject == NULL)) continue;
            if (d->subject && strcmp(d->subject, f->subject) != 0) continue;
            int worst = -1;
            for (int c = 0; c < CRIT_COUNT; c++)
                if (c != CRIT_COST && f->crit[c] > d->crit[c] &&
                    (worst < 0 || f->crit[c] - d->crit[c] > f->crit[worst] - d->crit[worst]))
                    worst = c;
            assume_(an, "budget",
                    arena_printf_(&an->ar, "%s instead of %s", short_name_(an, d->choice),
                                  short_name_(an, f->choice)),
                    worst < 0 ? "cheaper for the same needs"
                              : arena_printf_(&an->ar, "cheaper; gives up %s (%d/5 against %d/5)",
                                              crit_name_((enum crit)worst), (int)d->crit[worst],
                                              (int)f->crit[worst]));
            break;
        }
    }
}

/* What a design wrote into the analysis, kept while another is tried. */
struct saved_design {
    struct decision dec[ADVISOR_MAX_DECISIONS];
    size_t n_dec;
    struct sizing sz;
    struct costing cost;
    struct assumption assumption[ADVISOR_MAX_ASSUMPTIONS];
    size_t n_assumption;
    const char *question[ADVISOR_MAX_QUESTIONS];
    size_t n_question;
    int skills_gap;
};

static void
save_design(struct saved_design *s, const struct analysis *an)
{
    memcpy(s->dec, an->dec, sizeof(an->dec));
    s->n_dec = an->n_dec;
    s->sz = an->sz;
    s->cost = an->cost;
    memcpy(s->assumption, an->p.assumption, sizeof(an->p.assumption));
    s->n_assumption = an->p.n_assumption;
    memcpy(s->question, an->question, sizeof(an->question));
    s->n_question = an->n_question;
    s->skills_gap = an->skills_gap;
}

/* Puts a saved design back. Its pointers into 'an' (sizing units to decisions) are valid again
 * because it is restored to the same analysis; strings live in the arena, which only grows. */
static void
restore_design(struct analysis *an, const struct saved_design *s)
{
    memcpy(an->dec, s->dec, sizeof(an->dec));
    an->n_dec = s->n_dec;
    an->sz = s->sz;
    an->cost = s->cost;
    memcpy(an->p.assumption, s->assumption, sizeof(an->p.assumption));
    an->p.n_assumption = s->n_assumption;
    memcpy(an->question, s->question, sizeof(an->question));
    an->n_question = s->n_question;
    an->skills_gap = s->skills_gap;
}

/* Over budget: decide again with cost weighing most; keep the cheaper design, list what it gives
 * up and, when even that is over, say so instead of only asking for more money. */
static void
lean_pass_(struct analysis *an, size_t n_assumption, size_t n_question)
{
    struct saved_design *full = xmalloc(sizeof(*full));
    save_design(full, an);
    double full_cost = judged_cost(an);
    an->lean_ref = full->dec;
    an->n_lean_ref = full->n_dec;
    design_(an, 1, n_assumption, n_question);
    an->lean_ref = NULL;
    an->n_lean_ref = 0;
    if (judged_cost(an) < full_cost) {
        note_trade_offs(an, full->dec, full->n_dec);
        cost_lean_(an, &full->cost);
    } else
        restore_design(an, full); /* an->lean stays set: the lean pass was tried */
    free(full);
    if (an->cost.within != 0) return;
    an->over_after_lean = 1;
    assume_(an, "budget", "above the budget even when lean",
            "this is the minimum viable design found; the trade-offs to reach the budget are "
            "relaxing freshness, a shorter retention or hot tier, fewer replicas, or dropping a "
            "consumer, each listed in the cost levers");
    if (decision_find_(an, "availability"))
        assume_(an, "availability_target", "kept with a second region",
                "the standby region is priced in; without it the design meets only a "
                "single-region target (about 99.9 %), which would not meet the request");
}

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
    size_t n_assumption = an->p.n_assumption, n_question = an->n_question;
    design_(an, 0, n_assumption, n_question);
    if (an->p.has_budget && an->cost.within == 0) lean_pass_(an, n_assumption, n_question);
    risks_(an);
    design_questions_(an);
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
            const struct advisor_context *ctx, struct report *rep, char *errstr, size_t errstr_size)
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
    static const char *const names[SECTION_COUNT] = {"executive_summary",
                                                     "architecture_overview",
                                                     "implementation_details",
                                                     "performance_considerations",
                                                     "cost_analysis",
                                                     "risk_assessment",
                                                     "next_steps"};
    return (unsigned)s < SECTION_COUNT ? names[s] : "";
}

const char *
report_section_title(enum report_section s)
{
    static const char *const titles[SECTION_COUNT] = {"Executive Summary",
                                                      "Architecture Overview",
                                                      "Implementation Details",
                                                      "Performance Considerations",
                                                      "Cost Analysis",
                                                      "Risk Assessment",
                                                      "Next Steps"};
    return (unsigned)s < SECTION_COUNT ? titles[s] : "";
}
