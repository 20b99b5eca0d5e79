/* advisor/cost_levers.c - the levers of a priced design: what would cut its monthly cost.
 *
 * Owns the levers cost_() offers after pricing: archive tiering of the lake, spot capacity for
 * batch workers, a commitment on always-on capacity, scan pruning, a serverless scheduler in
 * place of an orchestrator that is a large share of the budget, and a shorter retention. Each
 * saves a share of the lines it applies to (constants.tsv discounts) and says how; a lever that
 * saves under half a cent is not offered. Pure: no I/O, no globals.
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

static void
lever_tiering(struct analysis *an, const struct price *archive, const struct price *cool)
{
    const struct knobs *k = &an->a->k;
    if (!archive || !cool) return;
    /* Archive classes charge for 90 days at least; data moves there after the hot window. */
    double after = fmax(90.0, an->sz.hot_days);
    double days = fmin(k->planning_month * k->days_per_month, an->p.retention_days);
    double old_gb = an->p.total.lake_gb_day * fmax(0, days - after);
    cost_lever_(&an->cost, "tiering", old_gb * (cool->usd - archive->usd),
              arena_printf_(&an->ar,
                            "move lake data older than %g days from %s to %s ($%g to $%g per "
                            "GB-month); reads of old data cost more",
                            after, cool->service, archive->service, cool->usd, archive->usd));
}

static void
lever_retention(struct analysis *an, double storage_steady)
{
    struct costing *c = &an->cost;
    const struct knobs *k = &an->a->k;
    if (an->p.retention_days <= 365 || storage_steady <= 0) return;
    double hot, cool_gb, storage_year = 0;
    cost_lake_gb_(an, 365.0 / k->days_per_month, &hot, &cool_gb);
    for (size_t i = 0; i < c->n_line; i++) {
        const struct line *l = &c->line[i];
        if (l->existing) continue;
        if (strcmp(l->model, "lake_hot_gb") == 0) storage_year += hot * l->price->usd;
        if (strcmp(l->model, "lake_cool_gb") == 0) storage_year += cool_gb * l->price->usd;
    }
    cost_lever_(c, "retention", storage_steady - storage_year,
              arena_printf_(&an->ar,
                            "at steady state: keep row-level data one year instead of %.0f "
                            "days and aggregates beyond (only where no rule requires the "
                            "longer retention)",
                            an->p.retention_days));
}

void
cost_levers_(struct analysis *an, const struct price *archive, const struct price *cool)
{
    struct costing *c = &an->cost;
    const struct knobs *k = &an->a->k;
    double spot = 0, commit = 0, scan = 0, sched = 0, storage_steady = 0;
    for (size_t i = 0; i < c->n_line; i++) {
        const struct line *l = &c->line[i];
        if (l->existing) continue;
        if (strcmp(l->model, "batch_vcpu_h") == 0) spot += l->monthly;
        if (cost_always_on_(l->model)) commit += l->monthly;
        if (strcmp(l->model, "scan_tb") == 0 || strcmp(l->model, "batch_scan_tb") == 0)
            scan += l->monthly;
        if (strcmp(l->area, "orchestration") == 0 &&
            (strcmp(l->model, "hours") == 0 || strcmp(l->model, "month") == 0))
            sched += l->monthly;
        if (cost_is_storage_(l->model)) storage_steady += l->steady;
    }
    lever_tiering(an, archive, cool);
    cost_lever_(c, "spot_capacity", spot * k->spot_discount,
              arena_printf_(&an->ar,
                            "run batch workers on spot or preemptible capacity (about %.0f %% "
                            "off on demand; jobs must tolerate interruption)",
                            k->spot_discount * 100));
    cost_lever_(c, "commitments", commit * k->commit_discount,
              arena_printf_(&an->ar,
                            "commit to one year of the always-on capacity (about %.0f %% off)",
                            k->commit_discount * 100));
    cost_lever_(c, "scan_pruning", scan * k->scan_pruning,
              arena_printf_(&an->ar,
                            "partition pruning, clustering and materialised aggregates to cut "
                            "bytes scanned by about %.0f %%",
                            k->scan_pruning * 100));
    const struct decision *orch = decision_find_(an, "orchestration");
    if (an->p.has_budget && sched > 0.1 * an->p.budget && orch && orch->choice)
        cost_lever_(c, "right_sizing", sched,
                    arena_printf_(&an->ar, "replace %s with a serverless scheduler while the "
                                           "pipelines are few",
                                  short_name_(an, orch->choice)));
    lever_retention(an, storage_steady);
}
