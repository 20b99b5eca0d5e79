/* advisor/cost.c - price the design: monthly line items, budget check and savings levers.
 *
 * Owns the cost model: for each chosen technology, the rows of costrules.tsv name a quantity
 * model (a sizing figure) and a price-book id; quantity x unit price is a line item. The headline
 * figure is the run rate at the planning month (constants.tsv planning_month), with month 1 and
 * the steady state at full retention beside it, because storage grows every month. Technologies
 * with no list price in the price book are listed as not priced rather than guessed. Levers
 * (archive tier, spot capacity, commitments, scan pruning, a serverless scheduler, shorter
 * retention) are quantified from the same lines. On premises there is no bill: capacity is given.
 * Pure, deterministic.
 */
#include "advisor_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static double
cents(double v)
{
    return round(v * 100.0) / 100.0;
}

static int
popcount(unsigned long long v)
{
    int n = 0;
    for (; v; v &= v - 1) n++;
    return n;
}

static const struct stream_unit *
unit_of(const struct analysis *an, const struct decision *d)
{
    for (size_t i = 0; i < an->sz.n_unit; i++)
        if (an->sz.unit[i].d == d) return &an->sz.unit[i];
    return NULL;
}

/* Lake GB at 'month' months: total and hot part. */
static void
lake_gb(const struct analysis *an, double month, double *hot, double *cool)
{
    const struct knobs *k = &an->a->k;
    double days = fmin(month * k->days_per_month, an->p.retention_days);
    double total = an->p.total.lake_gb_day * days;
    *hot = an->p.total.lake_gb_day * fmin(days, k->hot_days);
    *cool = total - *hot;
}

/* The quantity of 'model' for decision 'd' at 'month' months (storage grows, the rest not). */
static double
quantity(const struct analysis *an, const struct decision *d, const char *model, double param,
         double month)
{
    const struct knobs *k = &an->a->k;
    const struct sizing *sz = &an->sz;
    struct flow f;
    if (d->src_mask) flow_of_(an, d->src_mask, &f);
    else f = an->p.total;
    const struct stream_unit *u = unit_of(an, d);
    double hot, cool;
    double h = k->month_hours, days = k->days_per_month;
    if (strcmp(model, "landing_gb") == 0) return sz->landing_gb;
    if (strcmp(model, "lake_hot_gb") == 0) return lake_gb(an, month, &hot, &cool), hot;
    if (strcmp(model, "lake_cool_gb") == 0) return lake_gb(an, month, &hot, &cool), cool;
    if (strcmp(model, "stream_tib") == 0) return f.gb_day * days / 1099.511627776 * param;
    if (strcmp(model, "shard_h") == 0 || strcmp(model, "tu_h") == 0)
        return (u ? (double)u->units : 1) * h;
    if (strcmp(model, "put_m") == 0 || strcmp(model, "events_m") == 0)
        return f.avg_ev_s * 86400.0 * days / 1e6;
    if (strcmp(model, "broker_h") == 0) return (double)sz->brokers * h;
    if (strcmp(model, "broker_storage_gb") == 0) return sz->broker_disk_gb;
    if (strcmp(model, "cross_az_gb") == 0) return sz->cross_az_gb;
    if (strcmp(model, "stream_vcpu_h") == 0) return sz->stream_vcpu * h / param;
    if (strcmp(model, "stream_mem_gb_h") == 0) return sz->stream_vcpu * h * param;
    if (strcmp(model, "stream_node_h") == 0) {
        double workers = fmax(k->stream_min_workers, ceil(sz->stream_vcpu / param - 1e-9));
        return (workers + k->stream_driver_nodes) * h;
    }
    if (strcmp(model, "batch_vcpu_h") == 0) return sz->batch_vcpu_h / param;
    if (strcmp(model, "batch_scan_tb") == 0) return sz->batch_scan_tb * param;
    if (strcmp(model, "scan_tb") == 0) return sz->scan_tb * param;
    if (strcmp(model, "warehouse_h") == 0) return k->warehouse_active_hours * days * param;
    if (strcmp(model, "hours") == 0) return h * param;
    if (strcmp(model, "month") == 0) return param;
    if (strcmp(model, "runs_k") == 0) {
        int n = d->src_mask ? popcount(d->src_mask) : (int)an->p.n_src;
        return n * k->adf_tables_per_source * days / 1000.0;
    }
    if (strcmp(model, "online_node_h") == 0) return (double)sz->online_nodes * h;
    if (strcmp(model, "search_node_h") == 0) return (double)sz->search_nodes * h;
    if (strcmp(model, "search_disk_gb") == 0) return sz->search_disk_gb;
    if (strcmp(model, "hot_replica_gb") == 0) return sz->hot_replica_gb * param;
    return 0;
}

/* Fills {broker} and {cloud} in a price id. */
static const char *
price_id(struct analysis *an, const char *tmpl)
{
    if (strchr(tmpl, '{') == NULL) return tmpl;
    struct buf b;
    buf_init(&b);
    for (const char *s = tmpl; *s; s++) {
        if (strncmp(s, "{broker}", 8) == 0) {
            buf_puts(&b, an->sz.broker_type ? an->sz.broker_type : "-");
            s += 7;
        } else if (strncmp(s, "{cloud}", 7) == 0) {
            buf_puts(&b, cloud_name_(an->p.cloud));
            s += 6;
        } else {
            buf_putc(&b, *s);
        }
    }
    const char *id = arena_strdup_(&an->ar, b.data);
    buf_fini(&b);
    return id;
}

static int
always_on(const char *model)
{
    static const char *const m[] = {"broker_h", "shard_h", "tu_h", "stream_vcpu_h",
                                    "stream_mem_gb_h", "stream_node_h", "online_node_h",
                                    "search_node_h", "warehouse_h"};
    for (size_t i = 0; i < PW_ARRAY_LEN(m); i++)
        if (strcmp(model, m[i]) == 0) return 1;
    return 0;
}

static int
is_storage(const char *model)
{
    return strcmp(model, "lake_hot_gb") == 0 || strcmp(model, "lake_cool_gb") == 0;
}

static void
add_lever(struct costing *c, const char *name, double savings, const char *detail)
{
    if (savings < 0.005 || c->n_lever == PW_ARRAY_LEN(c->lever)) return;
    struct lever *l = &c->lever[c->n_lever++];
    l->name = name;
    l->savings = cents(savings);
    l->detail = detail;
}

static void
levers(struct analysis *an, const struct price *archive, const struct price *cool)
{
    struct costing *c = &an->cost;
    const struct knobs *k = &an->a->k;
    double spot = 0, commit = 0, scan = 0, sched = 0, storage_steady = 0, storage_year = 0;
    for (size_t i = 0; i < c->n_line; i++) {
        const struct line *l = &c->line[i];
        if (strcmp(l->model, "batch_vcpu_h") == 0) spot += l->monthly;
        if (always_on(l->model)) commit += l->monthly;
        if (strcmp(l->model, "scan_tb") == 0 || strcmp(l->model, "batch_scan_tb") == 0)
            scan += l->monthly;
        if (strcmp(l->area, "orchestration") == 0 &&
            (strcmp(l->model, "hours") == 0 || strcmp(l->model, "month") == 0))
            sched += l->monthly;
        if (is_storage(l->model)) storage_steady += l->steady;
    }
    if (archive && cool) {
        double days = fmin(k->planning_month * k->days_per_month, an->p.retention_days);
        double old_gb = an->p.total.lake_gb_day * fmax(0, days - 90);
        add_lever(c, "tiering", old_gb * (cool->usd - archive->usd),
                  arena_printf_(&an->ar,
                                "move lake data older than 90 days from %s to %s ($%g to $%g per "
                                "GB-month); reads of old data cost more",
                                cool->service, archive->service, cool->usd, archive->usd));
    }
    add_lever(c, "spot_capacity", spot * k->spot_discount,
              arena_printf_(&an->ar,
                            "run batch workers on spot or preemptible capacity (about %.0f %% "
                            "off on demand; jobs must tolerate interruption)",
                            k->spot_discount * 100));
    add_lever(c, "commitments", commit * k->commit_discount,
              arena_printf_(&an->ar,
                            "commit to one year of the always-on capacity (about %.0f %% off)",
                            k->commit_discount * 100));
    add_lever(c, "scan_pruning", scan * k->scan_pruning,
              arena_printf_(&an->ar,
                            "partition pruning, clustering and materialised aggregates to cut "
                            "bytes scanned by about %.0f %%",
                            k->scan_pruning * 100));
    if (an->p.has_budget && sched > 0.1 * an->p.budget)
        add_lever(c, "right_sizing", sched,
                  "replace the managed Airflow environment with a serverless scheduler while the "
                  "DAGs are few");
    if (an->p.retention_days > 365 && storage_steady > 0) {
        double hot, cool_gb;
        lake_gb(an, 365.0 / k->days_per_month, &hot, &cool_gb);
        for (size_t i = 0; i < c->n_line; i++) {
            const struct line *l = &c->line[i];
            if (strcmp(l->model, "lake_hot_gb") == 0) storage_year += hot * l->price->usd;
            if (strcmp(l->model, "lake_cool_gb") == 0) storage_year += cool_gb * l->price->usd;
        }
        add_lever(c, "retention", storage_steady - storage_year,
                  arena_printf_(&an->ar,
                                "at steady state: keep row-level data one year instead of %.0f "
                                "days and aggregates beyond (only where no rule requires the "
                                "longer retention)",
                                an->p.retention_days));
    }
}

static void
statement(struct analysis *an)
{
    struct costing *c = &an->cost;
    const struct profile *p = &an->p;
    struct buf b, x, y, z;
    buf_init(&b);
    buf_init(&x);
    buf_init(&y);
    buf_init(&z);
    fmt_usd_(&x, c->monthly);
    fmt_usd_(&y, p->budget);
    fmt_usd_(&z, c->steady);
    if (!c->priced) {
        buf_puts(&b, p->cloud == CLOUD_ON_PREM
                         ? "On premises there is no monthly cloud bill to compare: the design is "
                           "given as capacity (storage tiers, tape, network) for the owner's "
                           "hardware plan."
                         : "None of the chosen services has a list price in the price book.");
        c->within = -1;
    } else if (!p->has_budget) {
        buf_fmt_(&b, "No budget was given; the estimate is %s a month at month %.0f.", x.data,
                   an->a->k.planning_month);
        c->within = -1;
    } else if (c->monthly <= p->budget) {
        c->within = 1;
        buf_fmt_(&b, "Within the budget of %s (%.0f %% of it at month %.0f).", y.data,
                   c->monthly / p->budget * 100, an->a->k.planning_month);
        if (c->steady > p->budget)
            buf_fmt_(&b, " At full retention the run rate reaches %s, over the budget: apply "
                           "the tiering and retention levers before then.",
                       z.data);
    } else {
        c->within = 0;
        struct buf w;
        buf_init(&w);
        fmt_usd_(&w, c->best_case);
        if (c->best_case <= p->budget)
            buf_fmt_(&b, "Over the budget of %s at %s a month; applying the levers below brings "
                           "it to about %s, within the budget.",
                       y.data, x.data, w.data);
        else
            buf_fmt_(&b, "The budget of %s cannot be met: the design costs %s a month, and "
                           "about %s even with every lever. Raise the budget, relax the "
                           "freshness target or shorten retention.",
                       y.data, x.data, w.data);
        buf_fini(&w);
    }
    c->statement = arena_strdup_(&an->ar, b.data);
    buf_fini(&b);
    buf_fini(&x);
    buf_fini(&y);
    buf_fini(&z);
}

void
cost_(struct analysis *an)
{
    struct costing *c = &an->cost;
    const struct advisor *a = an->a;
    memset(c, 0, sizeof(*c));
    const struct price *archive = NULL, *cool = NULL;
    double steady_month = an->p.retention_days / a->k.days_per_month;
    if (steady_month < a->k.planning_month) steady_month = a->k.planning_month;
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (d->t == NULL) continue;
        int rows = 0;
        for (size_t r = 0; r < a->n_cost; r++) {
            const struct costrule *cr = &a->cost[r];
            if (strcmp(cr->tech, d->t->id) != 0) continue;
            rows++;
            if (strcmp(cr->model, "none") == 0) continue;
            const struct price *pr = price_find_(a, price_id(an, cr->price));
            if (strcmp(cr->model, "lever_archive") == 0) {
                archive = pr;
                continue;
            }
            if (pr == NULL) {
                if (c->n_unpriced < PW_ARRAY_LEN(c->unpriced))
                    c->unpriced[c->n_unpriced++] = arena_printf_(
                        &an->ar, "%s (%s: no price for this platform in the price book)",
                        d->choice, cr->label);
                continue;
            }
            if (c->n_line == ADVISOR_MAX_LINES) continue;
            struct line *l = &c->line[c->n_line++];
            l->service = cr->label;
            l->area = d->area;
            l->model = cr->model;
            l->price = pr;
            l->qty = quantity(an, d, cr->model, cr->param, a->k.planning_month);
            l->monthly = cents(l->qty * pr->usd);
            l->month1 = cents(quantity(an, d, cr->model, cr->param, 1) * pr->usd);
            l->steady = cents(quantity(an, d, cr->model, cr->param, steady_month) * pr->usd);
            if (strcmp(cr->model, "lake_cool_gb") == 0) cool = pr;
        }
        if (rows == 0 && !d->reused && an->p.cloud != CLOUD_ON_PREM &&
            c->n_unpriced < PW_ARRAY_LEN(c->unpriced))
            c->unpriced[c->n_unpriced++] =
                arena_printf_(&an->ar, "%s (not in the price book)", d->choice);
    }
    for (size_t i = 0; i < c->n_line; i++) {
        c->monthly += c->line[i].monthly;
        c->month1 += c->line[i].month1;
        c->steady += c->line[i].steady;
    }
    c->monthly = cents(c->monthly);
    c->month1 = cents(c->month1);
    c->steady = cents(c->steady);
    c->priced = c->n_line > 0 && an->p.cloud != CLOUD_ON_PREM;
    levers(an, archive, cool);
    double save = 0;
    for (size_t i = 0; i < c->n_lever; i++)
        if (strcmp(c->lever[i].name, "retention") != 0) save += c->lever[i].savings;
    c->best_case = cents(fmax(0, c->monthly - save));
    statement(an);
}
