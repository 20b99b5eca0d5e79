/* advisor/cost.c - price the design: monthly line items, a low-high range, budget check, levers.
 *
 * Owns the cost model: for each chosen technology, the rows of costrules.tsv name a quantity
 * model (a sizing figure) and a price-book id; quantity x unit price (across the price's volume
 * tiers) is a line item. The central figure is the run rate at the planning month (constants.tsv
 * planning_month); the headline range runs from month 1 at list price (low) to the steady state
 * at full retention with every estimate at the top of its basis (high), and the budget verdict is
 * judged on the high end. What already runs (decisions marked reused, capacity the request names)
 * is priced on lines marked existing, shown apart from the incremental total; a budget stated "on
 * top of" the existing platform is compared with the incremental high end. A price marked E in
 * the price book is an explicit estimate with its basis, never a silent zero. Levers are
 * quantified from the same lines by cost_levers.c. On premises there is no bill: capacity is
 * given.
 * Pure, deterministic; cost_() starts from a clean costing, so a re-decided analysis re-prices.
 */
#include "cost_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double
cost_cents_(double v)
{
    return round(v * 100.0) / 100.0;
}

double
cost_tiered_(const struct price *p, double q, int high)
{
    double total = 0;
    for (const struct price *t = p; t && q > t->from; t = t->tier) {
        double to = t->tier ? t->tier->from : q;
        total += (fmin(q, to) - t->from) * (high ? t->usd_high : t->usd);
    }
    return total;
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

/* Lake GB at 'month' months: hot part (the sizing's one hot window) and the rest, which holds
 * the data a migration moves over as well. */
void
cost_lake_gb_(const struct analysis *an, double month, double *hot, double *cool)
{
    const struct knobs *k = &an->a->k;
    double days = fmin(month * k->days_per_month, an->p.retention_days);
    double total = an->p.total.lake_gb_day * days;
    *hot = an->p.total.lake_gb_day * fmin(days, an->sz.hot_days);
    *cool = total - *hot + cost_migrated_gb_(an);
}

/* Quantities that do not grow with the months (throughput, capacity, licences). */
static double
quantity_flat(const struct analysis *an, const struct decision *d, const char *model, double param,
              const struct flow *f)
{
    const struct knobs *k = &an->a->k;
    const struct sizing *sz = &an->sz;
    const struct stream_unit *u = unit_of(an, d);
    double h = k->month_hours, days = k->days_per_month;
    if (strcmp(model, "stream_tib") == 0) return f->gb_day * days / 1099.511627776 * param;
    if (strcmp(model, "gb_month") == 0) return f->gb_day * days * param;
    if (strcmp(model, "gib_month") == 0) return f->gb_day * days * 1e9 / 1073741824.0 * param;
    if (strcmp(model, "shard_h") == 0 || strcmp(model, "tu_h") == 0)
        return (u ? (double)u->units : 1) * h;
    if (strcmp(model, "put_m") == 0 || strcmp(model, "events_m") == 0)
        return f->avg_ev_s * 86400.0 * days / 1e6 * param;
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
    /* Loads more often than hourly resume a warehouse all day long: each resume bills at least
     * a minute and it suspends only after its idle wait, so it is billed the whole day. */
    if (strcmp(model, "warehouse_h") == 0)
        return (an->p.freshness_s > 0 && an->p.freshness_s < 3600 ? 24
                                                                  : k->warehouse_active_hours) *
               days * param;
    if (strcmp(model, "hours") == 0) return h * param;
    if (strcmp(model, "month") == 0) return param;
    if (strcmp(model, "users") == 0) return fmax(1, round(an->p.team_size)) * param;
    if (strcmp(model, "paid_team") == 0) /* a plan free for 'param' seats bills all above it */
        return round(an->p.team_size) > param ? round(an->p.team_size) : 0;
    if (strcmp(model, "viewers") == 0) {
        double n = cost_stated_viewers_(an);
        return (n > 0 ? n : k->bi_viewers) * param;
    }
    if (strcmp(model, "runs_k") == 0) {
        int n = d->src_mask ? popcount(d->src_mask) : (int)an->p.n_src;
        return n * k->adf_tables_per_source * days / 1000.0 * param;
    }
    if (strcmp(model, "online_node_h") == 0) return (double)sz->online_nodes * h;
    if (strcmp(model, "search_node_h") == 0) return (double)sz->search_nodes * h;
    if (strcmp(model, "search_disk_gb") == 0) return sz->search_disk_gb;
    if (strcmp(model, "hot_replica_gb") == 0) return sz->hot_replica_gb * param;
    return 0;
}

/* The smallest warehouse units busy a day at 'month' months, for a warehouse billed while busy:
 * the loads (their batch compute, or each load run's resume and idle wait, whichever is more;
 * loads every few minutes keep it awake all day), plus the dashboard readers' minutes on a
 * warehouse sized for the data at rest (one size up for each 10x over warehouse_size_tb), at
 * least warehouse_min_hours of them. */
static double
warehouse_units_day(const struct analysis *an, double month, double *size)
{
    const struct knobs *k = &an->a->k;
    double hot, cool;
    cost_lake_gb_(an, month, &hot, &cool);
    double tb = (hot + cool) / 1000.0; /* the migrated data is in 'cool' */
    *size = tb > k->warehouse_size_tb ? pow(2, ceil(log10(tb / k->warehouse_size_tb))) : 1;
    double readers = cost_stated_viewers_(an);
    if (readers <= 0) readers = k->bi_viewers;
    double query_h = fmax(k->warehouse_min_hours, readers * k->reader_minutes / 60.0);
    double runs = an->p.freshness_s > 0 ? fmax(1, 86400 / an->p.freshness_s) : 1;
    double load_h = fmax(an->sz.batch_vcpu_h / k->days_per_month / k->warehouse_unit_vcpu,
                         fmin(24, runs * k->warehouse_resume_minutes / 60.0));
    return *size * query_h + load_h;
}

/* The quantity of 'model' for decision 'd' at 'month' months (storage grows, the rest not). */
static double
quantity(const struct analysis *an, const struct decision *d, const char *model, double param,
         double month)
{
    struct flow f;
    if (d->src_mask) flow_of_(an, d->src_mask, &f);
    else
        f = an->p.total;
    double hot, cool;
    if (strcmp(model, "landing_gb") == 0) return an->sz.landing_gb;
    if (strcmp(model, "lake_hot_gb") == 0) return cost_lake_gb_(an, month, &hot, &cool), hot;
    if (strcmp(model, "lake_cool_gb") == 0) return cost_lake_gb_(an, month, &hot, &cool), cool;
    if (strcmp(model, "lake_total_gb") == 0)
        return cost_lake_gb_(an, month, &hot, &cool), (hot + cool) * param;
    if (strcmp(model, "warehouse_busy_h") == 0) {
        double size;
        return warehouse_units_day(an, month, &size) * an->a->k.days_per_month * param;
    }
    return quantity_flat(an, d, model, param, &f);
}

/* Fills {broker}, {cloud}, {snowflake}, {eh} and {dms} in a price id. */
static const char *
price_id(struct analysis *an, const struct decision *d, const char *tmpl)
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
        } else if (strncmp(s, "{snowflake}", 11) == 0) {
            const char *e = an->cost.snowflake_edition;
            buf_puts(&b, e == NULL || strcmp(e, "Enterprise") == 0 ? ""
                         : strcmp(e, "Standard") == 0              ? "_standard"
                                                                   : "_bc");
            s += 10;
        } else if (strncmp(s, "{eh}", 4) == 0) {
            buf_puts(&b, an->sz.eventhubs_premium ? "premium_pu" : "standard_tu");
            s += 3;
        } else if (strncmp(s, "{dms}", 5) == 0) {
            struct flow f;
            flow_of_(an, d->src_mask, &f);
            buf_puts(&b, f.gb_day <= an->a->k.dms_micro_max_gb ? "t2_micro" : "c5_large");
            s += 4;
        } else {
            buf_putc(&b, *s);
        }
    }
    const char *id = arena_strdup_(&an->ar, b.data);
    buf_fini(&b);
    return id;
}

int
cost_always_on_(const char *model)
{
    static const char *const m[] = {"broker_h",        "shard_h",         "tu_h",
                                    "stream_vcpu_h",   "stream_mem_gb_h", "stream_node_h",
                                    "online_node_h",   "search_node_h",   "warehouse_h",
                                    "warehouse_busy_h"};
    for (size_t i = 0; i < PW_ARRAY_LEN(m); i++)
        if (strcmp(model, m[i]) == 0) return 1;
    return 0;
}

int
cost_is_storage_(const char *model)
{
    return strcmp(model, "lake_hot_gb") == 0 || strcmp(model, "lake_cool_gb") == 0;
}

/* Capacity an existing cluster already provides (its compute, environment, licences). */
static int
is_capacity(const char *model)
{
    return cost_always_on_(model) || strcmp(model, "hours") == 0 || strcmp(model, "month") == 0 ||
           strcmp(model, "users") == 0 || strcmp(model, "paid_team") == 0 ||
           strcmp(model, "viewers") == 0;
}

/* A charge never rounds to $0.00: under a cent counts as a cent. */
static double
at_least_a_cent(const struct price *pr, double qty, int high)
{
    double v = cost_cents_(cost_tiered_(pr, qty, high));
    return qty > 0 && pr->usd_high > 0 && v < 0.01 ? 0.01 : v;
}

struct line *
cost_line_(struct analysis *an, const struct decision *d, const char *service, const char *area,
           const char *model, const struct price *pr, double qty, double qty_m1, double qty_steady)
{
    struct costing *c = &an->cost;
    if (c->n_line == ADVISOR_MAX_LINES) return NULL;
    struct line *l = &c->line[c->n_line++];
    l->service = service;
    l->area = area;
    l->model = model;
    l->price = pr;
    l->d = d;
    l->qty = qty;
    l->monthly = at_least_a_cent(pr, qty, 0);
    l->month1 = at_least_a_cent(pr, qty_m1, 0);
    l->steady = at_least_a_cent(pr, qty_steady, 0);
    l->high = at_least_a_cent(pr, fmax(qty, qty_steady), 1);
    l->estimate = strcmp(pr->src, "E") == 0;
    if (l->estimate) c->n_estimate++;
    return l;
}

/* The same service priced twice (a warehouse that also runs the transformations): one line. */
static int
duplicate(const struct costing *c, const struct price *pr, const struct costrule *cr,
          const struct decision *d)
{
    for (size_t i = 0; i < c->n_line; i++) {
        const struct line *l = &c->line[i];
        if (l->d != d && l->price == pr && strcmp(l->model, cr->model) == 0 &&
            strncmp(l->service, cr->label, strlen(cr->label)) == 0)
            return 1;
    }
    return 0;
}

/* What already runs: a reused ingestion (the data already flows through it) or the fixed cost
 * of a reused service (an environment, a licence). Compute sized by this workload and new data
 * stored or scanned on a reused platform are incremental. */
static int
existing_line(const struct analysis *an, const struct decision *d, const char *model)
{
    if (!d->reused) return 0;
    /* New topics on a running cluster: their retention and producer traffic are new unless the
     * request only adds a consumer to data that already flows there. */
    if ((strcmp(model, "broker_storage_gb") == 0 || strcmp(model, "cross_az_gb") == 0) &&
        an->p.kind != KIND_ADD_CONSUMER)
        return 0;
    if (strcmp(d->area, "ingestion") == 0) return 1;
    return !cost_always_on_(model) && is_capacity(model);
}

static void
included(struct analysis *an, const char *what)
{
    struct costing *c = &an->cost;
    for (size_t i = 0; i < c->n_included; i++)
        if (strcmp(c->included[i], what) == 0) return;
    if (c->n_included < PW_ARRAY_LEN(c->included)) c->included[c->n_included++] = what;
}

static void
unpriced(struct analysis *an, const char *what)
{
    struct costing *c = &an->cost;
    if (c->n_unpriced < PW_ARRAY_LEN(c->unpriced)) c->unpriced[c->n_unpriced++] = what;
}

/* Power BI readers need no Pro licence on a Fabric capacity of F64 or more (free users may view
 * its content): with such a capacity already priced, the reader licences are included. */
#define FABRIC_FREE_VIEWERS_CU 64

static int
readers_on_capacity(const struct analysis *an, const struct costrule *cr, const struct price *pr)
{
    if (strcmp(cr->model, "viewers") != 0 || strcmp(pr->id, "azure_powerbi_pro") != 0) return 0;
    double cu_h = 0;
    for (size_t i = 0; i < an->cost.n_line; i++) {
        const struct line *l = &an->cost.line[i];
        if (strcmp(l->model, "existing_node_h") == 0 &&
            strcmp(l->price->id, "azure_fabric_cu") == 0)
            cu_h += l->qty;
    }
    return cu_h / an->a->k.month_hours >= FABRIC_FREE_VIEWERS_CU - 1e-9;
}

/* "Snowflake warehouse credits, size 4x the smallest, busy 1.2 h a day (loads and 900 readers)" */
static const char *
warehouse_label(struct analysis *an, const char *label)
{
    double size, units = warehouse_units_day(an, an->a->k.planning_month, &size);
    double readers = cost_stated_viewers_(an);
    return arena_printf_(&an->ar,
                         "%s, %g unit%s, %s h of warehouse time a day (the loads and "
                         "%g%s readers)",
                         label, size, size > 1 ? "s" : "", fmt_num_arena_(an, units / size),
                         readers > 0 ? readers : an->a->k.bi_viewers,
                         readers > 0 ? "" : " assumed");
}

/* The lines of one decision; 'archive' and 'cool' collect the prices the tiering lever uses. */
static void
price_decision(struct analysis *an, const struct decision *d, double steady_month, int skip_storage,
               const struct price **archive, const struct price **cool)
{
    const struct advisor *a = an->a;
    int rows = (int)d->t->n_cost_rows;
    const struct price *covered = cost_covered_(an, d);
    for (size_t r = 0; r < d->t->n_cost_rows; r++) {
        const struct costrule *cr = &a->cost[d->t->cost_rows[r]];
        if (strcmp(cr->model, "none") == 0) {
            included(an, arena_printf_(&an->ar, "%s: %s", short_name_(an, d->choice), cr->label));
            continue;
        }
        /* The estate lines replaced the storage decision's (its transitions too). */
        if (skip_storage && strcmp(cr->model, "lever_archive") != 0) continue;
        const struct price *pr = price_find_(a, price_id(an, d, cr->price));
        /* The product's capacity is on the existing line; what the design adds beside it (a
         * gateway VM) is priced, and incremental. */
        if (covered && is_capacity(cr->model) &&
            (pr == NULL || pr == covered || strcmp(cr->model, "broker_h") == 0))
            continue;
        if (strcmp(cr->model, "lever_archive") == 0) {
            *archive = pr;
            continue;
        }
        if (pr == NULL) {
            if (an->p.cloud != CLOUD_ON_PREM)
                unpriced(an, arena_printf_(&an->ar,
                                           "%s (%s: no price for this platform in the "
                                           "price book)",
                                           d->choice, cr->label));
            continue;
        }
        if (pr->usd == 0 && pr->usd_high == 0) { /* no charge of its own */
            included(an, arena_printf_(&an->ar, "%s: %s", short_name_(an, d->choice), pr->service));
            continue;
        }
        if (strcmp(cr->model, "paid_team") == 0 && quantity(an, d, cr->model, cr->param, 1) == 0) {
            included(an, arena_printf_(&an->ar, "%s: no seat fee for a team of one (the free plan)",
                                       short_name_(an, d->choice)));
            continue;
        }
        if (readers_on_capacity(an, cr, pr)) {
            included(an, arena_printf_(&an->ar,
                                       "%s: report readers view with free licences on "
                                       "the F64 or larger capacity",
                                       short_name_(an, d->choice)));
            continue;
        }
        if (duplicate(&an->cost, pr, cr, d)) continue;
        const char *label = cr->label;
        if (strcmp(cr->model, "lake_hot_gb") == 0)
            label = arena_printf_(&an->ar, "%s, first %g days", label, an->sz.hot_days);
        else if (strcmp(cr->model, "lake_cool_gb") == 0)
            label = arena_printf_(&an->ar, "%s, after %g days", label, an->sz.hot_days);
        else if (strcmp(cr->model, "warehouse_busy_h") == 0)
            label = warehouse_label(an, cr->label);
        else if (strcmp(cr->model, "warehouse_h") == 0)
            label = arena_printf_(&an->ar, "%s, %s", label,
                                  an->p.freshness_s > 0 && an->p.freshness_s < 3600
                                      ? "awake all day (loads more often than hourly)"
                                      : arena_printf_(&an->ar, "busy %g h a day",
                                                      a->k.warehouse_active_hours));
        struct line *l = cost_line_(an, d, label, d->area, cr->model, pr,
                                    quantity(an, d, cr->model, cr->param, a->k.planning_month),
                                    quantity(an, d, cr->model, cr->param, 1),
                                    quantity(an, d, cr->model, cr->param, steady_month));
        if (l)
            l->existing = !(covered && is_capacity(cr->model)) && existing_line(an, d, cr->model);
        if (strcmp(cr->model, "lake_cool_gb") == 0 && strcmp(d->area, "storage") == 0) *cool = pr;
    }
    if (rows == 0 && !d->reused && an->p.cloud != CLOUD_ON_PREM)
        unpriced(an, arena_printf_(&an->ar, "%s (not in the price book)", d->choice));
}

/* Copies every event to the second region once: the inter-region transfer, where the price
 * book has a rate for the cloud. */
static void
replication_transfer(struct analysis *an)
{
    const struct price *pr = price_find_(an->a, arena_printf_(&an->ar, "%s_inter_region",
                                                              cloud_name_(an->p.cloud)));
    double gb = an->p.total.gb_day * an->a->k.days_per_month;
    if (pr == NULL || gb <= 0) return;
    cost_line_(an, NULL, "Replication to the second region (every event copied once)", "network",
               "gb_month", pr, gb, gb, gb);
}

/* An RPO of zero: each write committed in both regions before it is acknowledged, in a
 * multi-region strongly consistent store priced per million writes of up to 1 KB. */
static void
sync_commit(struct analysis *an)
{
    const struct price *pr = price_find_(an->a, arena_printf_(&an->ar, "%s_sync_commit",
                                                              cloud_name_(an->p.cloud)));
    if (pr == NULL) {
        unpriced(an, "the synchronous commit in both regions that an RPO of zero needs (a "
                     "multi-region strongly consistent store in the write path; no price for "
                     "this platform in the price book)");
        return;
    }
    double kb = an->p.total.avg_ev_s > 0 ? an->p.total.gb_day * 1e6 / 86400 / an->p.total.avg_ev_s
                                         : 1;
    double m = an->p.total.avg_ev_s * 86400 * an->a->k.days_per_month / 1e6 * ceil(fmax(1, kb)) * 2;
    cost_line_(an, NULL,
               "Synchronous commit in both regions for the RPO of zero (each event "
               "written to a multi-region strongly consistent table)",
               "availability", "events_m", pr, m, m, m);
}

/* A second region (the availability decision, for a target above what one region promises)
 * runs the same always-on capacity and keeps a replica of the stored data: each such line of the
 * primary is priced again for it. Traffic-priced lines are too when both regions take traffic
 * (active-active); a warm standby serves none. Licences per person are not. */
static void
second_region(struct analysis *an)
{
    const struct decision *av = decision_find_(an, "availability");
    if (av == NULL || av->choice == NULL || strncmp(av->choice, "Multi-region", 12) != 0) return;
    static const char *const stored[] = {"landing_gb",    "lake_hot_gb",       "lake_cool_gb",
                                         "lake_total_gb", "broker_storage_gb", "hot_replica_gb",
                                         "search_disk_gb"};
    int active = strstr(av->choice, "active-active") != NULL;
    struct costing *c = &an->cost;
    size_t n = c->n_line;
    replication_transfer(an);
    if (map_has_any_(an->p.ctx_map, "rpo 0,rpo of 0,rpo of zero,rpo zero,rpo=0,zero data loss")) {
        sync_commit(an);
        question_(an, "An RPO of zero across regions puts a cross-region round trip in every "
                      "write: is that latency acceptable on the write path, or is an RPO of "
                      "seconds with asynchronous replication enough?");
    }
    for (size_t i = 0; i < n; i++) {
        const struct line l = c->line[i];
        if (l.existing || l.d == NULL) continue;
        int copy = cost_always_on_(l.model) ||
                   (active && strcmp(l.model, "users") != 0 && strcmp(l.model, "viewers") != 0 &&
                    strcmp(l.model, "paid_team") != 0);
        for (size_t m = 0; m < PW_ARRAY_LEN(stored); m++) copy |= strcmp(l.model, stored[m]) == 0;
        if (!copy) continue;
        struct line *x = cost_line_(an, l.d, arena_printf_(&an->ar, "Second region: %s", l.service),
                                    l.area, l.model, l.price, l.qty, 0, 0);
        if (x == NULL) return;
        x->month1 = l.month1;
        x->steady = l.steady;
        x->high = l.high;
    }
}

/* "12 %", "under 1 %": a share of the budget that never reads as zero. */
static void
share(struct buf *b, double pct)
{
    if (pct < 1) buf_puts(b, "under 1 %");
    else
        buf_fmt_(b, "%.0f %%", floor(pct));
}

static void
usd(struct buf *b, double v)
{
    if (v > 0 && v < 0.01) buf_puts(b, "under $0.01");
    else
        fmt_usd_(b, v);
}

/* "$1,234 to $2,345 a month (...)", the range and what it spans. */
static void
range_sentence(struct analysis *an, struct buf *b)
{
    const struct costing *c = &an->cost;
    buf_puts(b, "The estimate is ");
    usd(b, c->monthly_low);
    buf_puts(b, " to ");
    usd(b, c->monthly_high);
    buf_puts(b, " a month: month 1 at list price to full retention with every estimate at its "
                "high end.");
    if (c->existing_monthly > 0) {
        buf_puts(b, " It includes ");
        usd(b, c->existing_monthly);
        buf_puts(b, " a month for what already runs (shown apart); the request adds ");
        usd(b, c->incr_low);
        buf_puts(b, " to ");
        usd(b, c->incr_high);
        buf_puts(b, ".");
    }
    if (c->n_estimate)
        buf_fmt_(b, " %zu line%s %s explicit estimate%s (E in the price book).", c->n_estimate,
                 c->n_estimate > 1 ? "s" : "", c->n_estimate > 1 ? "are" : "is an",
                 c->n_estimate > 1 ? "s" : "");
}

/* Existing streams and clusters: the capacity this flow needs of them, and what each unit they
 * lack would add; the Snowflake edition priced and why. */
static void
existing_notes(struct analysis *an, struct buf *b)
{
    const struct costing *c = &an->cost;
    for (size_t i = 0; i < c->n_line; i++) {
        const struct line *l = &c->line[i];
        if (!l->existing || l->d == NULL) continue;
        const struct stream_unit *u = unit_of(an, l->d);
        int per_unit = strcmp(l->model, "shard_h") == 0 || strcmp(l->model, "tu_h") == 0;
        if (u && per_unit && u->units > 0) {
            buf_fmt_(b,
                     " The existing %s needs at least %ld %s for this flow; each one it "
                     "lacks adds ",
                     short_name_(an, l->d->choice), u->units, u->unit_name);
            usd(b, l->monthly / (double)u->units);
            buf_puts(b, " a month (incremental).");
        } else if (strcmp(l->model, "broker_h") == 0 && an->sz.brokers > 0) {
            buf_fmt_(b,
                     " The existing %s is kept as it is; this flow needs %ld %s brokers' "
                     "worth of capacity, and brokers it lacks are incremental.",
                     short_name_(an, l->d->choice), an->sz.brokers, an->sz.broker_type);
        }
    }
    if (c->snowflake_edition)
        buf_fmt_(b, " Snowflake is priced at the %s edition's credit rate (%s).",
                 c->snowflake_edition, c->snowflake_edition_why);
}

static void
verdict(struct analysis *an, struct buf *b, double judged, double central, const char *what)
{
    struct costing *c = &an->cost;
    const struct profile *p = &an->p;
    c->budget_pct_high = p->budget > 0 ? judged / p->budget * 100 : 0;
    buf_puts(b, " ");
    if (judged <= p->budget) {
        c->within = 1;
        buf_fmt_(b, "Within the budget of ");
        fmt_usd_(b, p->budget);
        buf_fmt_(b, " even at the high end (%s: ", what);
        share(b, c->budget_pct_high);
        buf_puts(b, " of it).");
        return;
    }
    c->within = 0;
    buf_puts(b, "The high end (");
    buf_puts(b, what);
    buf_puts(b, ", ");
    usd(b, judged);
    buf_puts(b, ") is over the budget of ");
    fmt_usd_(b, p->budget);
    if (central <= p->budget)
        buf_puts(b, ", though the central estimate fits: commit only after pricing the uncertain "
                    "lines and applying the levers below.");
    else if (c->best_case <= p->budget)
        buf_puts(b, "; the levers below bring the central estimate within it.");
    else
        buf_puts(b, ", and the levers below do not close the gap: it needs a leaner design or a "
                    "larger budget.");
}

static void
statement(struct analysis *an)
{
    struct costing *c = &an->cost;
    const struct profile *p = &an->p;
    struct buf b;
    buf_init(&b);
    c->within = -1;
    if (!c->priced) {
        buf_puts(&b, p->cloud == CLOUD_ON_PREM
                         ? "On premises there is no monthly cloud bill to compare: the design is "
                           "given as capacity (storage tiers, tape, network) for the owner's "
                           "hardware plan."
                         : "None of the chosen services has a list price in the price book.");
    } else {
        range_sentence(an, &b);
        existing_notes(an, &b);
        if (!p->has_budget) {
            buf_puts(&b, " No budget was given.");
        } else if (c->budget_scope == 1 && c->existing_monthly > 0) {
            verdict(an, &b, c->incr_high, c->incr_monthly,
                    "incremental, on top of what already runs");
        } else if (c->budget_scope == 0 && c->existing_monthly >= p->budget &&
                   p->kind != KIND_COST_REDUCTION) {
            /* What already runs costs more than the whole budget: it can only be on top (a cost
             * reduction's target is the whole bill's). */
            verdict(an, &b, c->incr_high, c->incr_monthly,
                    "incremental: what already runs costs more than the whole budget, so the "
                    "budget can only be on top of it");
        } else {
            verdict(an, &b, c->monthly_high, c->monthly,
                    p->kind == KIND_COST_REDUCTION ? "the whole bill after the change"
                    : c->existing_monthly <= 0     ? "everything is new"
                    : c->budget_scope == 2         ? "all in, what already runs included"
                                                   : "all in, since the budget does not say it "
                                                     "is on top of what already runs");
        }
    }
    if (c->estate_working) buf_fmt_(&b, " %s", c->estate_working);
    if (c->parallel_run_usd > 0) {
        buf_fmt_(&b, " During the %g-month parallel run both platforms run: about ",
                 c->parallel_run_months);
        usd(&b, c->parallel_run_usd);
        buf_puts(&b, " for the new one on top of the current platform's bill.");
    }
    c->statement = arena_strdup_(&an->ar, b.data);
    buf_fini(&b);
}

/* A design pinned to AWS GovCloud pays more than the us-east-1 list prices of its lines: one
 * estimate line over the new spend (existing capacity is already on the bill). */
static void
govcloud(struct analysis *an)
{
    const struct price *up = price_find_(an->a, "aws_govcloud_uplift");
    if (up == NULL || an->p.region == NULL || strncmp(an->p.region, "us-gov-", 7) != 0) return;
    struct costing *c = &an->cost;
    double plan = 0, m1 = 0, st = 0;
    for (size_t i = 0; i < c->n_line; i++) {
        const struct line *l = &c->line[i];
        if (l->existing) continue;
        plan += l->monthly;
        m1 += l->month1;
        st += l->steady;
    }
    if (plan > 0)
        cost_line_(an, NULL,
                   arena_printf_(&an->ar, "GovCloud uplift (%s) over the lines above",
                                 an->p.region),
                   "platform", "uplift", up, plan, m1, st);
}

static void
totals(struct costing *c)
{
    double m1 = 0, st = 0;
    for (size_t i = 0; i < c->n_line; i++) {
        const struct line *l = &c->line[i];
        c->total_monthly += l->monthly;
        c->total_high += l->high;
        m1 += l->month1;
        st += l->steady;
        if (l->existing) {
            c->existing_monthly += l->monthly;
            continue;
        }
        c->incr_monthly += l->monthly;
        c->incr_low += l->month1;
        c->incr_high += l->high;
    }
    c->monthly = c->total_monthly;
    /* Existing capacity is already paid for in month 1 too. */
    c->monthly_low = c->incr_low + c->existing_monthly;
    c->monthly_high = c->total_high;
    c->month1 = m1;
    c->steady = st;
    double *v[] = {&c->monthly,      &c->monthly_low,   &c->monthly_high, &c->month1,
                   &c->steady,       &c->total_monthly, &c->total_high,   &c->existing_monthly,
                   &c->incr_monthly, &c->incr_low,      &c->incr_high};
    for (size_t i = 0; i < PW_ARRAY_LEN(v); i++) *v[i] = cost_cents_(*v[i]);
}

/* Facts the figures hang on that the request leaves open. */
static void
questions(struct analysis *an)
{
    const struct costing *c = &an->cost;
    const struct profile *p = &an->p;
    if (!c->priced) return;
    if (p->has_budget && c->existing_monthly > 0 && c->budget_scope == 0)
        question_(an, "Is the budget on top of what already runs here, or all in?");
    for (size_t i = 0; i < c->n_line; i++) {
        const struct line *l = &c->line[i];
        if (strstr(l->service, "count not stated"))
            question_(an, arena_printf_(&an->ar, "How many %s nodes does the cluster have?",
                                        short_name_(an, l->price->service)));
        if (l->estimate && p->has_budget && l->high > 0.2 * p->budget)
            question_(an, arena_printf_(&an->ar,
                                        "What do you pay for %s? The report uses an estimate, "
                                        "and it is a large part of the budget.",
                                        short_name_(an, l->price->service)));
    }
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
    cost_budget_scope_(an);
    cost_snowflake_edition_(an);
    if (an->p.cloud != CLOUD_ON_PREM) cost_existing_nodes_(an);
    int estate = an->p.cloud != CLOUD_ON_PREM && cost_estate_(an);
    int compute = an->p.cloud != CLOUD_ON_PREM && cost_compute_(an);
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (d->t == NULL) continue;
        /* The compute estate priced the warehouse, its compute and the stored tables. */
        if (compute &&
            (strcmp(d->area, "warehouse") == 0 || strcmp(d->area, "warehouse_compute") == 0))
            continue;
        /* A right-sizing decision prices the warehouse's compute: not the warehouse again. */
        if (strcmp(d->area, "warehouse") == 0 && decision_find_(an, "warehouse_compute")) continue;
        price_decision(an, d, steady_month, estate && strcmp(d->area, "storage") == 0, &archive,
                       &cool);
    }
    second_region(an);
    govcloud(an);
    totals(c);
    c->priced = c->n_line > 0 && an->p.cloud != CLOUD_ON_PREM;
    cost_levers_(an, archive, cool);
    double save = 0;
    for (size_t i = 0; i < c->n_lever; i++)
        if (strcmp(c->lever[i].name, "retention") != 0) save += c->lever[i].savings;
    double base = c->budget_scope == 1 && c->existing_monthly > 0 ? c->incr_monthly : c->monthly;
    c->best_case = cost_cents_(fmax(0, base - save));
    cost_parallel_run_(an);
    cost_compute_bill_(an);
    statement(an);
    questions(an);
}

void
cost_lean_(struct analysis *an, const struct costing *full)
{
    struct costing *c = &an->cost;
    int incr = c->budget_scope == 1 && c->existing_monthly > 0;
    c->lean_full_high = incr ? full->incr_high : full->monthly_high;
    c->lean_saving = cost_cents_(
        fmax(0, c->lean_full_high - (incr ? c->incr_high : c->monthly_high)));
}
