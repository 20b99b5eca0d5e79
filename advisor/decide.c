/* advisor/decide.c - choose the processing mode and a technology for every area of the design.
 *
 * The mode follows the latency classes of constants.tsv (freshness_batch_s, freshness_stream_s).
 * Every other decision is a scoring of catalog.tsv rows: a row competes when it serves the cloud,
 * the mode, the source kind and its 'requires' conditions; it fits when the day's volume lies in
 * its range. The score is a weighted mean of its criteria (weights from the profile: latency
 * matters more when streaming, cost when the budget is tight, operations when the team is small,
 * skills when they are known) plus a bonus when it already runs here. Rows the team rules out
 * (constraints, avoided tools) compete only when nothing else fits; rows written for the kind of
 * request ('request:' term) beat general ones; in the lean pass over budget, cost weighs most and
 * a choice changes only for a cheaper row. The runners-up and the best row that did not fit are
 * kept as alternatives, each with the reason it lost. No technology is named in this file:
 * adding one is a catalog row. Pure, deterministic (ties go to the first row).
 */
#include "advisor_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct ctx {
    struct analysis *an;
    const char *src_name; /* lower-case name of the source an ingestion decision is for */
    double w[CRIT_COUNT];
    double wsum;
};

static void
weights(struct ctx *c)
{
    const struct profile *p = &c->an->p;
    const struct knobs *k = &c->an->a->k;
    c->w[CRIT_LATENCY] = c->an->mode == MODE_STREAMING     ? 3
                         : c->an->mode == MODE_MICRO_BATCH ? 2
                                                           : 1;
    c->w[CRIT_SCALE] = p->total.gb_day >= k->large_volume_gb ? 3 : p->total.gb_day >= 100 ? 2 : 1;
    c->w[CRIT_COST] = p->has_budget && p->budget < k->budget_tight_usd ? 3 : 2;
    c->w[CRIT_OPS] = p->team_size <= k->team_small ? 3 : p->team_size <= k->team_medium ? 2 : 1;
    if (p->constraints & ((1u << CONSTRAINT_NO_ONCALL) | (1u << CONSTRAINT_NO_SERVERS)))
        c->w[CRIT_OPS] += 1;
    /* Over budget at first: the same decisions again, with cost weighing most. */
    if (c->an->lean) {
        /* The mode already guarantees the latency class: within it, price decides. */
        c->w[CRIT_COST] = 6;
        c->w[CRIT_LATENCY] = 1;
        c->w[CRIT_SCALE] = 1;
        c->w[CRIT_LOCKIN] = 0;
    }
    c->w[CRIT_SKILLS] = p->skills_lc[0] ? 2 : 1;
    c->w[CRIT_LOCKIN] = 1;
    c->wsum = 0;
    for (int i = 0; i < CRIT_COUNT; i++) c->wsum += c->w[i];
}

static int
family_chosen(const struct analysis *an, const char *family)
{
    for (size_t i = 0; i < an->n_dec; i++)
        if (an->dec[i].t && strcmp(an->dec[i].area, "ingestion") == 0 &&
            strcmp(an->dec[i].t->family, family) == 0)
            return 1;
    return 0;
}

/* 'word' is one of the '|'-separated words of 'list'. */
static int
list_has(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *s = list; *s;) {
        size_t m = strcspn(s, "|");
        if (m == n && strncmp(s, word, n) == 0) return 1;
        s += m;
        if (*s) s++;
    }
    return 0;
}

/* Checks the comma-separated 'requires' terms; 'need' (or -1) is the need being served. */
static int
requires_ok(const struct analysis *an, const char *src_name, const char *req, int need)
{
    if (strcmp(req, "-") == 0) return 1;
    char term[128];
    const char *s = req;
    while (*s) {
        size_t n = strcspn(s, ",");
        if (strncmp(s, "runs:", 5) == 0) { /* a marker read by blocked_by(), not a condition */
            s += n;
            if (*s) s++;
            continue;
        }
        if (n >= sizeof(term)) return 0;
        memcpy(term, s, n);
        term[n] = '\0';
        s += n;
        if (*s) s++;
        /* A leading '!' negates the term: a general row can step aside for a special one. */
        int negate = term[0] == '!';
        char *name = term + negate;
        char *colon = strchr(name, ':');
        if (colon == NULL) return 0;
        *colon = '\0';
        const char *v = colon + 1;
        int ok = 0;
        if (strcmp(name, "stack") == 0) {
            ok = map_has_any_(an->p.ctx_map, v);
        } else if (strcmp(name, "skill") == 0) {
            ok = has_any_token_(an->p.skills_lc, v);
        } else if (strcmp(name, "family") == 0) {
            ok = family_chosen(an, v);
        } else if (strcmp(name, "source") == 0) {
            ok = src_name && has_any_token_(src_name, v);
        } else if (strcmp(name, "data") == 0) {
            /* data:binary - most of the volume is binary objects, not records. */
            ok = strcmp(v, "binary") == 0 && an->p.binary_share >= 0.5;
        } else if (strcmp(name, "request") == 0) {
            ok = list_has(v, kind_name_(an->p.kind));
        } else if (strcmp(name, "bill") == 0) { /* bill:compute - a warehouse compute bill */
            ok = strcmp(v, "compute") == 0 ? an->p.compute_bill : !an->p.compute_bill;
        } else if (strcmp(name, "constraint") == 0) {
            for (int x = 0; x < CONSTRAINT_COUNT; x++)
                if (strcmp(v, constraint_name_((enum constraint)x)) == 0)
                    ok = (an->p.constraints >> x) & 1u;
        } else if (strcmp(name, "need") == 0) {
            for (int x = 0; x < NEED_COUNT; x++)
                if (strcmp(v, need_name_((enum need)x)) == 0)
                    ok = need >= 0 && !negate ? need == x : (an->p.needs >> x) & 1;
        }
        if (ok == negate) return 0;
    }
    return 1;
}

/* Every token of the comma list 'skills' is one the request rules out. */
static int
all_avoided(const char *avoid_lc, const char *skills)
{
    char tok[48];
    for (const char *s = skills; *s;) {
        size_t m = strcspn(s, ",");
        if (m == 0 || m >= sizeof(tok)) return 0;
        memcpy(tok, s, m);
        tok[m] = '\0';
        if (!has_token_(avoid_lc, tok)) return 0;
        s += m;
        if (*s) s++;
    }
    return 1;
}

/* Why the team cannot take row 't' (a constraint or a tool it rules out), or NULL. */
static const char *
blocked_by(struct analysis *an, const struct tech *t)
{
    const struct profile *p = &an->p;
    if ((p->constraints & (1u << CONSTRAINT_NO_SERVERS)) && strstr(t->requires, "runs:servers"))
        return arena_printf_(&an->ar,
                             "ruled out: it needs servers the team would run, and the "
                             "request says %s",
                             p->constraint_evidence ? p->constraint_evidence : "no servers");
    if ((p->constraints & (1u << CONSTRAINT_NO_SELF_KAFKA)) && strstr(t->requires, "runs:kafka"))
        return arena_printf_(&an->ar,
                             "ruled out: a self-run Kafka cluster, and the request "
                             "says %s",
                             p->constraint_evidence ? p->constraint_evidence : "no self-run Kafka");
    if (p->avoid_lc[0] == '\0') return NULL;
    if (strcmp(t->skills, "-") != 0 && all_avoided(p->avoid_lc, t->skills))
        return arena_printf_(&an->ar, "ruled out: it needs %s, which the team lacks or rules out",
                             t->skills);
    char name[256];
    size_t n = 0;
    for (const char *c = t->name; *c && n + 1 < sizeof(name); c++)
        name[n++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    name[n] = '\0';
    char tok[48];
    for (const char *s = p->avoid_lc; *s;) {
        size_t m = strcspn(s, ",");
        if (m > 0 && m < sizeof(tok)) {
            memcpy(tok, s, m);
            tok[m] = '\0';
            if (has_token_(name, tok) || has_any_token_(tok, t->stack))
                return arena_printf_(&an->ar, "ruled out: the team lacks or rules out %s", tok);
        }
        s += m;
        if (*s) s++;
    }
    return NULL;
}

/* A row written for this kind of request ('request:' term) beats the general rows. */
static int
made_for_kind(const struct tech *t)
{
    const char *r = strstr(t->requires, "request:");
    return r && (r == t->requires || r[-1] != '!');
}

static const char *
not_for_kind(const struct analysis *an)
{
    switch (an->p.kind) {
    case KIND_COST_REDUCTION:
        return "the request is to cut the cost of the existing estate, not to build it again";
    case KIND_ADD_CONSUMER:
        return "the existing pipeline is kept; only the new consumer's path is added";
    case KIND_MIGRATION:
        return "the migration targets the platform already paid for";
    case KIND_CDC:
        return "the change stream needs a design that applies updates and deletes";
    default:
        return "a general choice; this request has a row made for it";
    }
}

static int
serves_need(const struct tech *t)
{
    return strstr(t->requires, "need:") != NULL;
}

/* 1 when a token of 'stack' names something that runs here (the existing stack); 2 when the
 * text only names it ("Datastream would be fine", a migration's target): it earns the same
 * preference, without the claim that it runs, so it is priced as new. A team skill ("2 DEs
 * (python, sql, dbt)") is no product that runs. */
static int
runs_here(const struct profile *p, const char *stack)
{
    if (strcmp(stack, "-") == 0) return 0;
    char tok[64];
    int named = 0;
    for (const char *s = stack; *s;) {
        size_t n = strcspn(s, ",|");
        if (n > 0 && n < sizeof(tok)) {
            memcpy(tok, s, n);
            tok[n] = '\0';
            if (map_has_(p->ctx_map, tok)) {
                if (has_token_(p->stack_lc, tok)) return 1;
                if (p->kind == KIND_MIGRATION || !has_token_(p->skills_lc, tok)) named = 2;
            }
        }
        s += n;
        if (*s) s++;
    }
    return named;
}

static double
score_of(const struct ctx *c, const struct tech *t, double crit[CRIT_COUNT], int *reused)
{
    const struct analysis *an = c->an;
    const struct profile *p = &an->p;
    for (int i = 0; i < CRIT_COUNT; i++) crit[i] = t->score[i];
    if (strcmp(t->skills, "-") == 0 || p->skills_lc[0] == '\0') crit[CRIT_SKILLS] = 3;
    else
        crit[CRIT_SKILLS] = has_any_token_(p->skills_lc, t->skills) ? 5 : 2;
    /* A skill the text says the team lacks ("nobody's touched flink") counts against. */
    if (p->avoid_lc[0] && strcmp(t->skills, "-") != 0 && !has_any_token_(p->skills_lc, t->skills) &&
        has_any_token_(p->avoid_lc, t->skills))
        crit[CRIT_SKILLS] = 1;
    double s = 0;
    for (int i = 0; i < CRIT_COUNT; i++) s += c->w[i] * crit[i];
    s = s / c->wsum * 20.0;
    *reused = runs_here(p, t->stack);
    if (*reused) s += an->a->k.reuse_bonus;
    /* A row made for exactly this cloud beats a portable one on a tie. */
    if (p->cloud != CLOUD_ANY && t->clouds == (1u << p->cloud)) s += an->a->k.native_bonus;
    return s;
}

static const char *
why_not_lower(const struct ctx *c, const struct decision *d, const double crit[CRIT_COUNT],
              double score, int reused)
{
    struct analysis *an = c->an;
    int worst = -1;
    double gap = 0;
    for (int i = 0; i < CRIT_COUNT; i++) {
        double g = c->w[i] * (d->crit[i] - crit[i]);
        if (g > gap) {
            gap = g;
            worst = i;
        }
    }
    const char *reuse = d->reused && !reused ? "; the chosen one is in the team's stack" : "";
    if (worst < 0)
        return arena_printf_(&an->ar, "scores %d against %d%s", (int)round(score),
                             (int)round(d->score),
                             d->reused ? ": the chosen one is in the team's stack" : "");
    return arena_printf_(&an->ar, "scores %d against %d: weaker on %s (%d/5 against %d/5)%s",
                         (int)round(score), (int)round(d->score), crit_name_((enum crit)worst),
                         (int)crit[worst], (int)d->crit[worst], reuse);
}

struct cand {
    const struct tech *t;
    double s;
    double crit[CRIT_COUNT];
    int reused, fit, special;
    const char *blocked;
};

/* In the lean pass a decision changes only for a cheaper row: otherwise the first design's
 * choice for the area stays (when it still competes). What already runs, or what the request
 * names, stays whatever the price: a new service in its place adds a bill and a migration, or
 * overrules the requester (and the models written for the named platform). */
static int
lean_keep(const struct analysis *an, const struct cand *cand, size_t n, int best)
{
    if (!an->lean || an->lean_ref == NULL) return best;
    const struct tech *t = cand[best].t;
    if (strcmp(t->area, "ingestion") == 0 || strcmp(t->area, "serving") == 0) return best;
    for (size_t j = 0; j < an->n_lean_ref; j++) {
        const struct decision *f = &an->lean_ref[j];
        if (f->t == NULL || strcmp(f->t->area, t->area) != 0 || f->t == t) continue;
        for (size_t i = 0; i < n; i++)
            if (cand[i].t == f->t && cand[i].fit && !cand[i].blocked &&
                (f->reused || cand[i].reused ||
                 cand[best].crit[CRIT_COST] <= cand[i].crit[CRIT_COST]))
                return (int)i;
    }
    return best;
}

/* Runners-up, best first (ties keep file order), then the best row that did not fit. */
static void
add_alternatives(struct ctx *c, struct decision *d, const struct cand *cand, size_t n, int best,
                 int misfit, double gb_day)
{
    struct analysis *an = c->an;
    const struct cand *w = &cand[best];
    unsigned char *taken = arena_alloc_(&an->ar, n ? n : 1);
    memset(taken, 0, n ? n : 1);
    taken[best] = 1;
    for (size_t slot = 0; slot + 1 < ADVISOR_MAX_ALTS; slot++) {
        int next = -1;
        for (size_t i = 0; i < n; i++)
            if (cand[i].fit && !taken[i] && (next < 0 || cand[i].s > cand[next].s)) next = (int)i;
        if (next < 0) break;
        taken[next] = 1;
        struct alt *x = &d->alt[d->n_alt++];
        x->t = cand[next].t;
        x->name = cand[next].t->name;
        x->score = cand[next].s > 100 ? 100 : cand[next].s;
        if (cand[next].blocked && !w->blocked) x->why_not = cand[next].blocked;
        else if (w->special && !cand[next].special)
            x->why_not = not_for_kind(an);
        else
            x->why_not = why_not_lower(c, d, cand[next].crit, x->score, cand[next].reused == 1);
    }
    if (misfit >= 0 && d->n_alt < ADVISOR_MAX_ALTS) {
        const struct tech *m = cand[misfit].t;
        struct alt *x = &d->alt[d->n_alt++];
        x->t = m;
        x->name = m->name;
        x->score = cand[misfit].s > 100 ? 100 : cand[misfit].s;
        if (gb_day < m->min_gb)
            x->why_not = arena_printf_(&an->ar,
                                       "oversized: it pays off from about %s GB/day, and this "
                                       "flow is %s GB/day (start-up time and operations "
                                       "without the benefit)",
                                       fmt_num_arena_(an, m->min_gb), fmt_num_arena_(an, gb_day));
        else
            x->why_not = arena_printf_(&an->ar,
                                       "undersized: it suits up to about %s GB/day, and this "
                                       "flow is %s GB/day",
                                       fmt_num_arena_(an, m->max_gb), fmt_num_arena_(an, gb_day));
    }
}

static void
write_rationale(struct analysis *an, struct decision *d, const struct cand *w)
{
    struct buf b;
    buf_init(&b);
    buf_reserve(&b, 512);
    buf_puts(&b, w->t->name);
    buf_puts(&b, ": ");
    buf_puts(&b, w->t->why);
    buf_fmt_(&b,
             ". It scores %d/100 on the weighted criteria (latency %d/5, scale %d/5, "
             "cost %d/5, operations %d/5, skills %d/5, lock-in %d/5)",
             (int)round(d->score), (int)d->crit[CRIT_LATENCY], (int)d->crit[CRIT_SCALE],
             (int)d->crit[CRIT_COST], (int)d->crit[CRIT_OPS], (int)d->crit[CRIT_SKILLS],
             (int)d->crit[CRIT_LOCKIN]);
    if (d->reused)
        buf_puts(&b, "; it already runs here and is reused as it is (its size and edition kept), "
                     "so it adds work, not a new platform");
    else if (w->reused == 2)
        buf_puts(&b, an->p.kind == KIND_MIGRATION
                         ? "; the request names it as the migration's target"
                         : "; the request names it");
    if (w->blocked)
        buf_fmt_(&b,
                 ". No workable alternative fits, so it stays despite the constraint (%s): a "
                 "skills or operations gap to close",
                 w->blocked);
    buf_puts(&b, ".");
    d->rationale = arena_strdup_(&an->ar, b.data);
    buf_fini(&b);
}

/* Picks the best row of 'area' for 'kind' (or SOURCE_UNKNOWN) and 'need' (or -1) at volume
 * 'gb_day'. Returns the new decision, or NULL when no row competes. */
static struct decision *
choose(struct ctx *c, const char *area, const char *out_area, enum source_kind kind, int need,
       double gb_day)
{
    struct analysis *an = c->an;
    const struct area_list *al = area_find_(an->a, area);
    if (al == NULL || an->n_dec == ADVISOR_MAX_DECISIONS) return NULL;
    /* Score every competing row of the area once. */
    struct cand *cand = arena_alloc_(&an->ar, al->n * sizeof(*cand));
    size_t n = 0;
    int best = -1, misfit = -1;
    for (size_t i = 0; i < al->n; i++) {
        const struct tech *t = &an->a->tech[al->idx[i]];
        if (!(t->clouds & (1u << an->p.cloud))) continue;
        if (!(t->modes & (1u << an->mode))) continue;
        if (kind != SOURCE_UNKNOWN && t->kinds && !(t->kinds & (1u << kind))) continue;
        if (need >= 0 && !serves_need(t) && strcmp(t->requires, "-") == 0) continue;
        if (!requires_ok(an, c->src_name, t->requires, need)) continue;
        struct cand *x = &cand[n];
        x->t = t;
        x->s = score_of(c, t, x->crit, &x->reused);
        x->fit = gb_day >= t->min_gb && gb_day <= t->max_gb;
        x->blocked = blocked_by(an, t);
        x->special = made_for_kind(t);
        n++;
    }
    /* Rows the team rules out compete only when nothing else fits; rows made for this kind
     * of request beat general ones. */
    int any_free = 0, any_special = 0;
    for (size_t i = 0; i < n; i++) {
        any_free |= cand[i].fit && !cand[i].blocked;
        any_special |= cand[i].fit && !cand[i].blocked && cand[i].special;
    }
    for (size_t i = 0; i < n; i++) {
        struct cand *x = &cand[i];
        if (x->fit && any_free && x->blocked) continue;
        if (x->fit && any_special && !x->special) continue;
        if (x->fit && (best < 0 || x->s > cand[best].s)) best = (int)i;
        if (!x->fit && !x->blocked && (misfit < 0 || x->s > cand[misfit].s)) misfit = (int)i;
    }
    if (best < 0) return NULL;
    best = lean_keep(an, cand, n, best);
    const struct cand *w = &cand[best];
    struct decision *d = &an->dec[an->n_dec++];
    memset(d, 0, sizeof(*d));
    d->area = out_area;
    d->t = w->t;
    d->choice = w->t->name;
    d->score = w->s > 100 ? 100 : w->s;
    d->reused = w->reused == 1;
    memcpy(d->crit, w->crit, sizeof(w->crit));

    add_alternatives(c, d, cand, n, best, misfit, gb_day);
    write_rationale(an, d, w);
    return d;
}

static void
decide_mode(struct ctx *c)
{
    struct analysis *an = c->an;
    const struct knobs *k = &an->a->k;
    double f = an->p.freshness_s;
    enum mode m = f < k->freshness_stream_s  ? MODE_STREAMING
                  : f < k->freshness_batch_s ? MODE_MICRO_BATCH
                                             : MODE_BATCH;
    an->mode = m;
    struct decision *d = &an->dec[an->n_dec++];
    memset(d, 0, sizeof(*d));
    d->area = "processing_mode";
    d->choice = mode_name_(m);
    d->score = 100;
    struct buf fb;
    buf_init(&fb);
    fmt_num_(&fb, f);
    const char *fs = arena_strdup_(&an->ar, fb.data);
    buf_fini(&fb);
    /* Fit of each mode to the freshness target (docs/knowledge/sizing.md section 7 latency classes). */
    static const char *const why[MODE_COUNT][MODE_COUNT] = {
        /* chosen batch */
        {NULL,
         "works, but keeps a stream and its operations running for data that is only "
         "needed once a day",
         "streaming costs 3-10x more per row than batch (docs/knowledge/sizing.md section 8) and a daily need "
         "does not pay for it"},
        /* chosen micro_batch */
        {"cannot meet the target: a batch's freshness is its schedule plus queueing plus "
         "runtime, 15 minutes at best",
         NULL,
         "per-event engines reach milliseconds, which this target does not need, at a higher "
         "cost and operational load"},
        /* chosen streaming */
        {"cannot meet the target: batch freshness is minutes to hours",
         "micro-batches of seconds risk the target at peak; per-event processing keeps margin",
         NULL},
    };
    for (int o = 0; o < MODE_COUNT; o++) {
        if (o == (int)m) continue;
        struct alt *x = &d->alt[d->n_alt++];
        x->name = mode_name_((enum mode)o);
        x->score = o == MODE_MICRO_BATCH || m == MODE_MICRO_BATCH ? 60 : 20;
        if (m == MODE_STREAMING && o == MODE_MICRO_BATCH && f >= 5) x->score = 70;
        x->why_not = why[m][o];
    }
    d->rationale = arena_printf_(
        &an->ar,
        "The freshness target is %s s (%s). Batch meets targets of %.0f s and more, micro-batch "
        "targets from %.0f s, and only streaming meets less than %.0f s (docs/knowledge/sizing.md section 7).%s",
        fs, origin_name_(an->p.o_freshness), k->freshness_batch_s, k->freshness_stream_s,
        k->freshness_stream_s, wish_pushback_(an));
}


static void
decide_ingestion(struct ctx *c)
{
    struct analysis *an = c->an;
    const struct profile *p = &an->p;
    for (size_t i = 0; i < p->n_src; i++) {
        const struct src *s = &p->src[i];
        size_t before = an->n_dec;
        c->src_name = arena_printf_(&an->ar, "%s", s->name);
        for (char *q = (char *)c->src_name; *q; q++)
            if (*q >= 'A' && *q <= 'Z') *q = (char)(*q - 'A' + 'a');
        struct decision *d = choose(c, "ingestion", "ingestion", s->kind, -1, s->gb_day);
        if (d == NULL) continue;
        /* One decision per distinct tool: merge with an earlier one that chose the same. */
        for (size_t j = 0; j < before; j++) {
            struct decision *e = &an->dec[j];
            if (e->t == d->t && strcmp(e->area, "ingestion") == 0) {
                e->src_mask |= 1ull << i;
                e->subject = arena_printf_(&an->ar, "%s, %s", e->subject, s->name);
                an->n_dec--;
                d = NULL;
                break;
            }
        }
        if (d) {
            d->src_mask = 1ull << i;
            d->subject = s->name;
        }
    }
    c->src_name = NULL;
}

static double
stream_gb(const struct analysis *an)
{
    double gb = 0;
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (d->t == NULL || strcmp(d->area, "ingestion") != 0) continue;
        if (strcmp(d->t->family, "inplace") == 0) continue;
        struct flow f;
        flow_of_(an, d->src_mask, &f);
        gb += f.gb_day;
    }
    return gb;
}

static void
decide_partitioning(struct ctx *c)
{
    struct analysis *an = c->an;
    /* Date partitions organise the columnar tables; binary objects are keyed by path. */
    double lake = 0;
    for (size_t i = 0; i < an->p.n_src; i++)
        if (an->p.src[i].compression > 1.0) lake += an->p.src[i].gb_day / an->p.src[i].compression;
    const char *gran = lake >= an->a->k.large_volume_gb ? "hourly" : lake < 1 ? "monthly" : "daily";
    struct decision *d = &an->dec[an->n_dec++];
    memset(d, 0, sizeof(*d));
    d->area = "partitioning";
    unsigned tables = (1u << SOURCE_DATABASE) | (1u << SOURCE_CDC) | (1u << SOURCE_SAAS) |
                      (1u << SOURCE_API);
    const char *keyed = "";
    if ((an->p.kinds & tables) && an->p.kind != KIND_COST_REDUCTION)
        keyed = (an->p.kinds & ~tables) ? "; tables from databases: current state clustered by "
                                          "primary key, changes partitioned by change date"
                                        : "; current-state tables clustered by primary key, "
                                          "history and change tables partitioned by change date";
    if (an->p.kind != KIND_COST_REDUCTION && (an->p.kinds & tables) && !(an->p.kinds & ~tables))
        d->choice = arena_printf_(&an->ar,
                                  "Facts partitioned by business date (%s); current-state tables "
                                  "clustered by primary key, history tables partitioned by "
                                  "change date",
                                  gran);
    else if (an->p.compute_bill)
        d->choice = "The largest tables partitioned by date and clustered by the dashboards' "
                    "filter columns; queries must name a date range (a required partition filter)";
    else if (an->p.kind == KIND_COST_REDUCTION)
        d->choice = arena_printf_(&an->ar,
                                  "Keep the date layout (%s prefixes) so lifecycle rules act by "
                                  "age; compaction writes 512 MB-1 GB files per partition",
                                  gran);
    else
        d->choice = arena_printf_(&an->ar,
                                  "Partition by event date (%s), cluster or sort by the "
                                  "most-filtered key%s%s",
                                  gran, an->mode == MODE_BATCH ? "" : "; stream keyed by entity id",
                                  keyed);
    d->score = 100;
    struct buf b;
    buf_init(&b);
    fmt_num_(&b, lake);
    d->rationale = arena_printf_(
        &an->ar,
        "About %s GB/day lands in columnar form; %s partitions keep files near the 256-512 MB "
        "that engines read efficiently and let queries prune by date.%s",
        b.data, gran,
        an->mode == MODE_BATCH ? "" : " Keying the stream by entity keeps per-entity order.");
    buf_fini(&b);
    struct alt *x = &d->alt[d->n_alt++];
    if (an->p.kind == KIND_COST_REDUCTION) {
        x->name = "Re-partition the whole estate";
        x->why_not = "rewrites every file once more for no saving beyond what compaction gives";
    } else if (an->p.kinds & tables) {
        x->name = "Date partitions on current-state tables";
        x->why_not = "every update rewrites old partitions and lookups by key scan them all";
    } else {
        x->name = "Partition by a high-cardinality id";
        x->why_not = "millions of tiny files and no pruning for the usual date filters";
    }
    x = &d->alt[d->n_alt++];
    x->name = strcmp(gran, "hourly") == 0 ? "Daily partitions" : "Hourly partitions";
    x->why_not = strcmp(gran, "hourly") == 0 ? "files grow past a few GB per partition"
                                             : "too many small files for this volume";
}


/* Tools the team lacks or rules out: say whether the design still uses one. */
static void
note_avoided(struct analysis *an)
{
    const char *avoid = an->p.avoid_lc;
    if (avoid[0] == '\0') return;
    const char *kept = NULL;
    for (size_t i = 0; i < an->n_dec && kept == NULL; i++)
        if (an->dec[i].t && blocked_by(an, an->dec[i].t)) kept = an->dec[i].choice;
    size_t n = strlen(avoid);
    const char *list = arena_printf_(&an->ar, "%.*s", (int)(n > 2 ? n - 2 : 0), avoid + 1);
    if (kept) {
        an->skills_gap = 1;
        assume_(an, "avoid", list,
                arena_printf_(&an->ar,
                              "the request rules out, lacks or replaces these; no "
                              "workable alternative to %s fits: a gap to close before "
                              "go-live",
                              short_name_(an, kept)));
    } else {
        assume_(an, "avoid", list,
                "the request rules out, lacks or replaces these: the design uses none of them, "
                "and alternatives the team can run were chosen");
    }
}


const struct decision *
decision_find_(const struct analysis *an, const char *area)
{
    /* called hundreds of times a report: the first letter rules most areas out */
    for (size_t i = 0; i < an->n_dec; i++)
        if (an->dec[i].area[0] == area[0] && strcmp(an->dec[i].area, area) == 0) return &an->dec[i];
    return NULL;
}

void
decide_(struct analysis *an)
{
    struct ctx c = {.an = an};
    note_constraints_(an);
    decide_scope_(an);
    decide_mode(&c);
    weights(&c);
    const struct profile *p = &an->p;
    double total = p->total.gb_day;
    decide_ingestion(&c);
    /* A cost reduction keeps the pipelines that run: no new stream to process. */
    int stream = an->mode != MODE_BATCH && p->kind != KIND_COST_REDUCTION;
    if (stream)
        choose(&c, "stream_processing", "stream_processing", SOURCE_UNKNOWN, -1, stream_gb(an));
    /* Transformations parse records; binary objects (video, images) are moved, not parsed, so
     * only the record-shaped volume decides whether a cluster is worth starting. */
    double parsed = 0;
    for (size_t i = 0; i < p->n_src; i++)
        if (p->src[i].compression > 1.0) parsed += p->src[i].gb_day;
    choose(&c, "transformation", "transformation", SOURCE_UNKNOWN, -1, parsed);
    choose(&c, "storage", "storage", SOURCE_UNKNOWN, -1, total);
    const struct decision *st = decision_find_(an, "storage");
    int in_warehouse = st && st->t && strcmp(st->t->family, "warehouse") == 0;
    if (!p->compute_bill && !in_warehouse) { /* a warehouse's own tables keep their format */
        choose(&c, "table_format", "table_format", SOURCE_UNKNOWN, -1, total);
        choose(&c, "file_format", "file_format", SOURCE_UNKNOWN, -1, total);
    }
    if (stream) choose(&c, "wire_format", "file_format", SOURCE_UNKNOWN, -1, total);
    choose(&c, "warehouse", "warehouse", SOURCE_UNKNOWN, -1, total);
    if (p->compute_bill)
        choose(&c, "warehouse_compute", "warehouse_compute", SOURCE_UNKNOWN, -1, total);
    static const enum need serving_needs[] = {NEED_ONLINE, NEED_SEARCH, NEED_BI, NEED_OPERATIONAL};
    for (size_t i = 0; i < PW_ARRAY_LEN(serving_needs); i++) {
        enum need n = serving_needs[i];
        if (!((p->needs >> n) & 1)) continue;
        size_t before = an->n_dec;
        struct decision *d = choose(&c, "serving", "serving", SOURCE_UNKNOWN, (int)n, total);
        if (d == NULL) continue;
        d->subject = need_name_(n);
        for (size_t j = 0; j < before; j++)
            if (an->dec[j].t == d->t) {
                /* The same store serves two needs: one decision says so. */
                an->dec[j].subject = arena_printf_(&an->ar, "%s, %s", an->dec[j].subject,
                                                   need_name_(n));
                an->n_dec--;
                break;
            }
    }
    choose(&c, "orchestration", "orchestration", SOURCE_UNKNOWN, -1, total);
    choose(&c, "data_quality", "data_quality", SOURCE_UNKNOWN, -1, total);
    choose(&c, "governance", "governance", SOURCE_UNKNOWN, -1, total);
    choose(&c, "data_model", "data_model", SOURCE_UNKNOWN, -1, total);
    decide_partitioning(&c);
    decide_availability_(an);
    note_avoided(an);
    /* A tool the team does not know is a risk worth naming (risks.tsv skills_gap). */
    if (p->skills_lc[0])
        for (size_t i = 0; i < an->n_dec; i++)
            if (an->dec[i].t && an->dec[i].crit[CRIT_SKILLS] <= 2 && !an->dec[i].reused &&
                (an->dec[i].crit[CRIT_SKILLS] <= 1 ||
                 (strcmp(an->dec[i].area, "stream_processing") == 0 ||
                  strcmp(an->dec[i].area, "transformation") == 0)))
                an->skills_gap = 1;
}
