/* advisor/cost_levers.c - the levers of a priced design: what would cut its monthly cost.
 *
 * Owns the working of the levers advisor/data/levers.tsv lists, in its order: a share of some
 * lines' cost (spot capacity, commitments, scan pruning), archive tiering of the lake, a
 * serverless scheduler in place of an orchestrator that is a large share of the budget, and a
 * shorter retention. The table holds the texts, the lines, the rates and the thresholds; this
 * file the arithmetic of each kind. A lever that saves under half a cent is not offered. Pure: no
 * I/O, no globals.
 */
#include "cost_int.h"

#include <math.h>
#include <string.h>

void
cost_lever_(struct costing *c, const char *name, double savings, const char *detail)
{
    if (savings < 0.005 || c->n_lever == PW_ARRAY_LEN(c->lever)) return;
    struct lever *l = &c->lever[c->n_lever++];
    l->name = name;
    l->savings = cost_cents_(savings);
    l->detail = detail;
}

/* A lever's text with its {fields} filled: 'vals' are the values of 'keys', in order. Built in
 * the arena's scratch buffer (the values are already arena strings), then kept in the arena. */
static const char *
lever_text(struct analysis *an, const char *text, const char *const *keys, const char *const *vals,
           size_t n)
{
    struct buf *b = &an->ar.scratch;
    b->len = 0;
    for (const char *s = text;;) {
        const char *o = strchr(s, '{');
        const char *c = o ? strchr(o, '}') : NULL;
        if (c == NULL) {
            buf_puts(b, s);
            break;
        }
        buf_append(b, s, (size_t)(o - s));
        size_t i = 0;
        while (i < n && !(strlen(keys[i]) == (size_t)(c - o - 1) &&
                          strncmp(keys[i], o + 1, (size_t)(c - o - 1)) == 0))
            i++;
        if (i < n) buf_puts(b, vals[i]);
        else
            buf_append(b, o, (size_t)(c - o + 1));
        s = c + 1;
    }
    return arena_strndup_(&an->ar, b->data ? b->data : "", b->len);
}

/* The monthly cost (new lines only) of the lines lever 'r' names. */
static double
lines_monthly(const struct analysis *an, const struct lever_rule *r)
{
    const struct costing *c = &an->cost;
    double sum = 0;
    for (size_t i = 0; i < c->n_line; i++) {
        const struct line *l = &c->line[i];
        if (l->existing || (r->area && strcmp(l->area, r->area) != 0)) continue;
        for (size_t m = 0; m < r->n_model; m++)
            if (strcmp(r->model[m], "always_on") == 0 ? cost_always_on_(l->model)
                                                      : strcmp(r->model[m], l->model) == 0) {
                sum += l->monthly;
                break;
            }
    }
    return sum;
}

static void
lever_share(struct analysis *an, const struct lever_rule *r)
{
    static const char *const keys[] = {"pct"};
    const char *vals[] = {arena_printf_(&an->ar, "%.0f", r->rate * 100)};
    cost_lever_(&an->cost, r->id, lines_monthly(an, r) * r->rate,
                lever_text(an, r->text, keys, vals, 1));
}

/* Lake data past the hot window (and past the archive class's minimum days) moved from the
 * 'cool' to the 'archive' price. */
static void
lever_tiering(struct analysis *an, const struct lever_rule *r, const struct price *archive,
              const struct price *cool)
{
    const struct knobs *k = &an->a->k;
    if (!archive || !cool) return;
    double after = fmax(r->threshold, an->sz.hot_days);
    double days = fmin(k->planning_month * k->days_per_month, an->p.retention_days);
    double old_gb = an->p.total.lake_gb_day * fmax(0, days - after);
    static const char *const keys[] = {"after", "cool", "archive", "cool_usd", "archive_usd"};
    const char *vals[] = {arena_printf_(&an->ar, "%g", after), cool->service, archive->service,
                          arena_printf_(&an->ar, "%g", cool->usd),
                          arena_printf_(&an->ar, "%g", archive->usd)};
    cost_lever_(&an->cost, r->id, old_gb * (cool->usd - archive->usd),
                lever_text(an, r->text, keys, vals, 5));
}

/* The area's tool replaced by a serverless scheduler when its lines are over the threshold's
 * share of the budget. */
static void
lever_scheduler(struct analysis *an, const struct lever_rule *r)
{
    double sched = lines_monthly(an, r);
    const struct decision *d = decision_find_(an, r->area);
    if (!an->p.has_budget || sched <= r->threshold * an->p.budget || !d || !d->choice) return;
    static const char *const keys[] = {"orchestrator"};
    const char *vals[] = {short_name_(an, d->choice)};
    cost_lever_(&an->cost, r->id, sched, lever_text(an, r->text, keys, vals, 1));
}

/* Row-level lake data kept 'threshold' days instead of the retention asked, when longer. */
static void
lever_retention(struct analysis *an, const struct lever_rule *r)
{
    struct costing *c = &an->cost;
    const struct knobs *k = &an->a->k;
    double storage_steady = 0;
    for (size_t i = 0; i < c->n_line; i++)
        if (!c->line[i].existing && cost_is_storage_(c->line[i].model))
            storage_steady += c->line[i].steady;
    if (an->p.retention_days <= r->threshold || storage_steady <= 0) return;
    double hot, cool_gb, storage_year = 0;
    cost_lake_gb_(an, r->threshold / k->days_per_month, &hot, &cool_gb);
    for (size_t i = 0; i < c->n_line; i++) {
        const struct line *l = &c->line[i];
        if (l->existing) continue;
        if (strcmp(l->model, "lake_hot_gb") == 0) storage_year += hot * l->price->usd;
        if (strcmp(l->model, "lake_cool_gb") == 0) storage_year += cool_gb * l->price->usd;
    }
    static const char *const keys[] = {"retention"};
    const char *vals[] = {arena_printf_(&an->ar, "%.0f", an->p.retention_days)};
    cost_lever_(c, r->id, storage_steady - storage_year, lever_text(an, r->text, keys, vals, 1));
}

void
cost_levers_(struct analysis *an, const struct price *archive, const struct price *cool)
{
    for (size_t i = 0; i < an->a->n_lever; i++) {
        const struct lever_rule *r = &an->a->lever[i];
        switch (r->kind) {
        case LEVER_SHARE:
            lever_share(an, r);
            break;
        case LEVER_TIERING:
            lever_tiering(an, r, archive, cool);
            break;
        case LEVER_SCHEDULER:
            lever_scheduler(an, r);
            break;
        case LEVER_RETENTION:
            lever_retention(an, r);
            break;
        }
    }
}
