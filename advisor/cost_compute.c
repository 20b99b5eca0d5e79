/* advisor/cost_compute.c - a cost reduction whose bill is warehouse compute.
 *
 * The current bill (what the request says is paid today, else the usage it states at list
 * price) against the proposed run-rate: BigQuery on-demand TiB scanned against an Editions
 * reservation sized from the same usage; Snowflake warehouses named with their size and hours
 * awake against the same warehouses one size smaller and auto-suspended. Any other warehouse
 * (Redshift nodes, priced as existing lines) compares the stated bill with the priced lines.
 * Its assumptions are rows of constants.tsv and are written into the working. Pure,
 * deterministic.
 */
#include "cost_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WAREHOUSES 8
#define WORD_MAX 24

/* Snowflake warehouse sizes as requests write them, in credits an hour: X-Small bills 1 and each
 * size up doubles it (docs.snowflake.com, warehouses overview). One-letter sizes count only
 * after "a", "an" or "one", or before "warehouse". */
static const struct {
    const char *word;
    double credits;
} sf_sizes[] = {{"x-small", 1},   {"xsmall", 1}, {"xs", 1},         {"small", 2}, {"s", 2},
                {"medium", 4},    {"m", 4},      {"large", 8},      {"l", 8},     {"x-large", 16},
                {"xlarge", 16},   {"xl", 16},    {"2x-large", 32},  {"2xl", 32},  {"xxl", 32},
                {"3x-large", 64}, {"3xl", 64},   {"4x-large", 128}, {"4xl", 128}};

static double
sf_size(const char *w)
{
    for (size_t i = 0; i < sizeof(sf_sizes) / sizeof(sf_sizes[0]); i++)
        if (strcmp(sf_sizes[i].word, w) == 0) return sf_sizes[i].credits;
    return 0;
}

static double bill_in_text(const struct analysis *an);

/* The amount at 's' ("45k", "30,000", "1.2m"), in USD. */
static double
amount_of_one(const char *s)
{
    const char *e;
    double v = cost_number_at_(s, &e);
    if (*e == 'k' || *e == 'K') v *= 1e3;
    else if ((*e == 'm' || *e == 'M') && e[1] != 'o' && e[1] != 'i')
        v *= 1e6;
    return v;
}

/* The largest amount in 'ev' ("~$30k/mo", "from ~18k to ~45k/mo"), in USD; 0 when none. */
static double
amount_of(const char *ev)
{
    double best = 0;
    for (const char *s = ev; *s; s++) {
        if (!(*s >= '0' && *s <= '9') ||
            (s > ev && ((s[-1] >= '0' && s[-1] <= '9') || s[-1] == '.' || s[-1] == ',')))
            continue;
        best = fmax(best, amount_of_one(s));
    }
    return best;
}

/* What the request says is paid today, a month (the reader's current_cost notes), or 0. */
static double
stated_bill(const struct analysis *an)
{
    double best = 0;
    for (size_t i = 0; i < an->p.ex.n_notes; i++) {
        const struct extract_note *n = &an->p.ex.notes[i];
        if (n->field && n->evidence && strcmp(n->field, "current_cost_usd_per_month") == 0)
            best = fmax(best, amount_of(n->evidence));
    }
    return best > 0 ? best : bill_in_text(an);
}

/* "~45k/mo", "$30,000 a month": an amount a month at 's' (a digit), or 0. */
static double
monthly_amount(const char *t, const char *s)
{
    if (s > t && ((s[-1] >= '0' && s[-1] <= '9') || s[-1] == '.' || s[-1] == ',')) return 0;
    double v = amount_of_one(s);
    const char *e = s;
    while ((*e >= '0' && *e <= '9') || *e == '.' || *e == ',') e++;
    if (*e == 'k' || (*e == 'm' && e[1] != 'o')) e++;
    while (*e == ' ') e++;
    if (strncmp(e, "usd", 3) == 0 || strncmp(e, "dollars", 7) == 0) {
        e += *e == 'u' ? 3 : 7;
        while (*e == ' ') e++;
    }
    return strncmp(e, "/mo", 3) == 0 || strncmp(e, "a month", 7) == 0 ||
                   strncmp(e, "per month", 9) == 0 || strncmp(e, "monthly", 7) == 0
               ? v
               : 0;
}

/* The bill the text states when the reader noted none: the largest amount a month in a sentence
 * that speaks of a bill, spend or cost, other than the budget. */
static double
bill_in_text(const struct analysis *an)
{
    const char *t = an->p.ctx_lc;
    double best = 0;
    if (t == NULL) return 0;
    for (const char *s = t; *s; s++) {
        if (*s < '0' || *s > '9') continue;
        double v = monthly_amount(t, s);
        if (v <= 0 || (an->p.budget > 0 && fabs(v - an->p.budget) < 0.01 * an->p.budget)) continue;
        const char *a = s, *b = s;
        /* the clause: "costs us ~$30k/mo: get to ~$12k/mo" holds a bill and a target */
        while (a > t && !strchr(".\n:;", a[-1]) && s - a < 200) a--;
        while (*b && !strchr(".\n:;", *b) && b - s < 200) b++;
        char sent[420];
        size_t n = (size_t)(b - a) < sizeof(sent) - 1 ? (size_t)(b - a) : sizeof(sent) - 1;
        memcpy(sent, a, n);
        sent[n] = '\0';
        if (strstr(sent, "target") || strstr(sent, "budget") || strstr(sent, "get to") ||
            strstr(sent, "under "))
            continue;
        if (strstr(sent, "bill") || strstr(sent, "spend") || strstr(sent, "cost") ||
            strstr(sent, "pay"))
            best = fmax(best, v);
    }
    return best;
}

/* The choice in 'area' when its catalog id starts with 'prefix'. */
static int
chosen(const struct analysis *an, const char *area, const char *prefix)
{
    const struct decision *d = decision_find_(an, area);
    return d && d->t && strncmp(d->t->id, prefix, strlen(prefix)) == 0;
}

static void
finish(struct analysis *an, double before, double after, struct buf *b)
{
    struct costing *c = &an->cost;
    c->estate_before = cost_cents_(before);
    c->estate_after = cost_cents_(after);
    c->estate_saving = cost_cents_(fmax(0, before - after));
    buf_puts(b, ": before ");
    fmt_usd_(b, c->estate_before);
    buf_puts(b, ", after ");
    fmt_usd_(b, c->estate_after);
    buf_puts(b, ", saving ");
    fmt_usd_(b, c->estate_saving);
    buf_puts(b, " a month.");
    c->estate_working = arena_strdup_(&an->ar, b->data);
}

/* ---- BigQuery: on-demand TiB scanned against an Editions reservation ---- */

static int
bigquery(struct analysis *an, double bill)
{
    const struct advisor *a = an->a;
    const struct price *scan = price_find_(a, "gcp_bq_scan_tib");
    const struct price *slot = price_find_(a, "gcp_bq_slot_enterprise");
    const struct price *std = price_find_(a, "gcp_bq_slot_standard");
    const struct price *act = price_find_(a, "gcp_bq_storage_active");
    const struct price *lt = price_find_(a, "gcp_bq_storage_longterm");
    if (!scan || !slot || !std || !act || !lt) return 0;
    /* assumptions of constants.tsv, each written into the working */
    double share = a->k.bq_active_share, cut = a->k.compute_scan_cut;
    double per_tib = a->k.bq_slot_h_per_tib, step = a->k.bq_baseline_step;
    double gib = cost_stated_stored_gb_(an) * 1e9 / 1073741824.0;
    double storage = gib * (share * act->usd + (1 - share) * lt->usd);
    double tib = bill > 0 ? fmax(0, bill - storage) / scan->usd : an->sz.scan_tb / 1.099511627776;
    double before = bill > 0 ? bill : storage + tib * scan->usd;
    double h = a->k.month_hours;
    double slot_h = tib * (1 - cut) * per_tib;
    double baseline = fmax(step, floor(slot_h / h / step) * step);
    double autoscale = fmax(0, slot_h - baseline * h);
    if (gib > 0) {
        cost_line_(an, NULL,
                   arena_printf_(&an->ar, "%s (%.0f%% of the stated storage active)", act->service,
                                 share * 100),
                   "storage", "estate_gb", act, gib * share, gib * share, gib * share);
        cost_line_(an, NULL, lt->service, "storage", "estate_gb", lt, gib * (1 - share),
                   gib * (1 - share), gib * (1 - share));
    }
    cost_line_(an, NULL,
               arena_printf_(&an->ar, "%s, %.0f-slot baseline reservation", slot->service,
                             baseline),
               "warehouse_compute", "hours", slot, baseline * h, baseline * h, baseline * h);
    if (autoscale > 0)
        cost_line_(an, NULL,
                   arena_printf_(&an->ar, "%s, autoscaled above the baseline", slot->service),
                   "warehouse_compute", "hours", slot, autoscale, autoscale, autoscale);
    double after = storage + (baseline * h + autoscale) * slot->usd;
    struct buf b;
    buf_init(&b);
    if (bill > 0) {
        buf_puts(&b, "Today: the stated bill of ");
        fmt_usd_(&b, bill);
        buf_puts(&b, " less storage of ");
    } else {
        buf_puts(&b, "Today (no bill stated): storage of ");
    }
    fmt_usd_(&b, storage);
    buf_fmt_(&b,
             " (%s GiB logical, %.0f%% active at $%g, the rest long-term at $%g) leaves %s "
             "TiB a month of on-demand queries at $%g. Proposed: partitioning, clustering and "
             "incremental models cut the bytes scanned by %.0f%% (assumed), and the rest runs "
             "on BigQuery Enterprise edition slots at $%g per slot-hour (Standard: $%g, no "
             "commitments) at %g slot-hours per TiB (an estimate; measure it in "
             "INFORMATION_SCHEMA.JOBS): %s slot-hours, a %.0f-slot baseline for %g h plus %s "
             "autoscaled slot-hours, with storage unchanged",
             fmt_num_arena_(an, round(gib)), share * 100, act->usd, lt->usd,
             fmt_num_arena_(an, round(tib)), scan->usd, cut * 100, slot->usd, std->usd, per_tib,
             fmt_num_arena_(an, round(slot_h)), baseline, h, fmt_num_arena_(an, round(autoscale)));
    finish(an, before, after, &b);
    buf_fini(&b);
    an->cost.estate_gb = gib * 1.073741824;
    return 1;
}

/* ---- Snowflake: the warehouses named, by size and hours awake ---- */

struct wh {
    double credits, hours;
};

static int
word_at(const char *s, size_t i, char *w)
{
    size_t n = 0;
    for (; s[i] && n < WORD_MAX - 1; i++) {
        char ch = s[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '/' ||
            ch == '.')
            w[n++] = ch;
        else
            break;
    }
    while (n > 0 && (w[n - 1] == '.' || w[n - 1] == '-')) n--;
    w[n] = '\0';
    return (int)n;
}

/* Splits 'text' into at most 'max' words of WORD_MAX characters. */
static size_t
words(const char *text, char (*w)[WORD_MAX], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; text[i] && n < max;) {
        char tmp[WORD_MAX];
        int len = word_at(text, i, tmp);
        size_t adv = 0;
        while (text[i + adv] &&
               ((text[i + adv] >= 'a' && text[i + adv] <= 'z') ||
                (text[i + adv] >= '0' && text[i + adv] <= '9') || strchr("-/.", text[i + adv])))
            adv++;
        if (len > 0) memcpy(w[n++], tmp, (size_t)len + 1);
        i += adv ? adv : 1;
    }
    return n;
}

/* Hours a day in the words after a warehouse: "24/7", "~3h", "3 hours". */
static double
hours_in(char (*w)[WORD_MAX], size_t from, size_t to)
{
    for (size_t j = from; j < to; j++) {
        if (strcmp(w[j], "24/7") == 0 || strcmp(w[j], "24x7") == 0) return 24;
        char *end;
        double v = strtod(w[j], &end);
        if (v <= 0 || v > 24 || end == w[j]) continue;
        if (strcmp(end, "h") == 0 || strcmp(end, "hrs") == 0 ||
            (*end == '\0' && j + 1 < to &&
             (strncmp(w[j + 1], "hour", 4) == 0 || strcmp(w[j + 1], "hrs") == 0 ||
              strcmp(w[j + 1], "h") == 0)))
            return v;
    }
    return -1;
}

/* The warehouses named in 'text' (lower case), at most 'max'. */
static size_t
warehouses_in(const char *text, struct wh *out, size_t max)
{
    char w[400][WORD_MAX];
    size_t n = words(text, w, 400), k = 0;
    size_t at[MAX_WAREHOUSES];
    for (size_t i = 0; i < n && k < max; i++) {
        double credits = sf_size(w[i]);
        if (credits <= 0) continue;
        int letter = strlen(w[i]) == 1;
        int after_article = i > 0 && (strcmp(w[i - 1], "a") == 0 || strcmp(w[i - 1], "an") == 0 ||
                                      strcmp(w[i - 1], "one") == 0);
        int before_wh = i + 1 < n && strncmp(w[i + 1], "warehouse", 9) == 0;
        if ((letter || strcmp(w[i], "small") == 0 || strcmp(w[i], "large") == 0 ||
             strcmp(w[i], "medium") == 0) &&
            !after_article && !before_wh)
            continue;
        out[k].credits = credits;
        at[k++] = i;
    }
    for (size_t j = 0; j < k; j++) {
        size_t to = j + 1 < k ? at[j + 1] : (at[j] + 20 < n ? at[j] + 20 : n);
        out[j].hours = hours_in(w, at[j] + 1, to);
    }
    return k;
}

/* The warehouses the description names, else those of the title and stack: a title that sums
 * the description up names the same ones again. */
static size_t
warehouses(const struct analysis *an, struct wh *out, size_t max)
{
    const char *d = an->p.req.description;
    if (d && *d) {
        char lc[8192]; /* the words parsed stop at 400 long before */
        size_t i = 0;
        for (; d[i] && i + 1 < sizeof(lc); i++)
            lc[i] = d[i] >= 'A' && d[i] <= 'Z' ? (char)(d[i] - 'A' + 'a') : d[i];
        lc[i] = '\0';
        size_t k = warehouses_in(lc, out, max);
        if (k > 0) return k;
    }
    return warehouses_in(an->p.ctx_lc ? an->p.ctx_lc : "", out, max);
}

/* The part of a stated bill the named warehouses do not explain, kept as it is. */
static void
rest_of_bill(struct analysis *an, double usd, const char *label)
{
    struct price *pr = arena_alloc_(&an->ar, sizeof(*pr));
    if (pr == NULL) return;
    memset(pr, 0, sizeof(*pr));
    pr->id = "stated_bill";
    pr->cloud = "any";
    pr->service = "the rest of today's bill as the request states it";
    pr->unit = "month";
    pr->src = "D";
    pr->source = "the request's own figure less the lines priced above";
    pr->date = "undated";
    pr->usd = pr->usd_high = round(usd);
    struct line *l = cost_line_(an, NULL, label, "warehouse_compute", "month", pr, 1, 1, 1);
    if (l) l->existing = 1; /* part of today's bill */
}

/* A stated bill with no warehouse named: the after-state is today's bill less the share the
 * changes typically remove (compute_scan_cut, the low end of the usual range, assumed), an
 * explicit estimate, and the question that would price it. */
static int
bill_only(struct analysis *an, double bill, const char *product)
{
    double cut = an->a->k.compute_scan_cut, after = bill * (1 - cut);
    struct price *pr = arena_alloc_(&an->ar, sizeof(*pr));
    if (pr == NULL) return 0;
    memset(pr, 0, sizeof(*pr));
    pr->id = "stated_bill_after";
    pr->cloud = "any";
    pr->service = "today's bill less the assumed saving";
    pr->unit = "month";
    pr->src = "E";
    pr->source = "estimate: the request's own bill less compute_scan_cut (constants.tsv)";
    pr->date = "undated";
    pr->usd = pr->usd_high = round(after); /* the low end of the typical cut */
    cost_line_(an, NULL,
               arena_printf_(&an->ar,
                             "%s compute and storage after the changes (today's bill "
                             "less %.0f %%; the warehouses are not named)",
                             product, cut * 100),
               "warehouse_compute", "month", pr, 1, 1, 1);
    question_(an, arena_printf_(&an->ar,
                                "Which %s warehouses make up the bill (size, hours a "
                                "day awake, who uses each), and how much is storage?",
                                product));
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "No warehouse is named, so the saving is the assumed share of the stated bill");
    finish(an, bill, after, &b);
    buf_fini(&b);
    return 1;
}

static int
snowflake(struct analysis *an, double bill)
{
    const struct advisor *a = an->a;
    const char *ed = an->cost.snowflake_edition ? an->cost.snowflake_edition : "Standard";
    const struct price *credit = price_find_(a, strcmp(ed, "Enterprise") == 0 ? "snowflake_credit"
                                                : strcmp(ed, "Standard") == 0
                                                    ? "snowflake_credit_standard"
                                                    : "snowflake_credit_bc");
    const struct price *store = price_find_(a, "snowflake_storage_gb");
    /* The price row is for AWS US East; its high end covers other clouds and regions. A
     * request that names that region pays the row's rate. */
    if (credit && an->p.cloud == CLOUD_AWS && strstr(credit->service, "AWS US East") &&
        an->p.ctx_lc && has_token_(an->p.ctx_lc, "us-east-1")) {
        struct price *pin = arena_alloc_(&an->ar, sizeof(*pin));
        if (pin) {
            *pin = *credit;
            pin->usd_high = pin->usd;
            credit = pin;
        }
    }
    struct wh wh[MAX_WAREHOUSES];
    size_t n = warehouses(an, wh, MAX_WAREHOUSES);
    if (credit == NULL || store == NULL) return 0;
    if (n == 0) return bill > 0 ? bill_only(an, bill, "Snowflake") : 0;
    double days = a->k.days_per_month, awake = a->k.compute_awake_hours;
    double gb = cost_stated_stored_gb_(an), cr_before = 0, cr_after = 0;
    struct buf b;
    buf_init(&b);
    buf_fmt_(&b, "Warehouses named (Snowflake %s edition, $%g a credit):", ed, credit->usd);
    for (size_t i = 0; i < n; i++) {
        double h = wh[i].hours > 0 ? wh[i].hours : a->k.warehouse_active_hours;
        double smaller = fmax(1, wh[i].credits / 2), h2 = fmin(h, awake);
        cr_before += wh[i].credits * h * days;
        cr_after += smaller * h2 * days;
        buf_fmt_(&b, "%s %g credits/h x %g h a day%s -> %g credits/h x %g h", i ? ";" : "",
                 wh[i].credits, h, wh[i].hours > 0 ? "" : " (assumed)", smaller, h2);
        cost_line_(an, NULL,
                   arena_printf_(&an->ar,
                                 "%s, warehouse %zu one size smaller (%g credits/h), "
                                 "auto-suspended, %g h a day",
                                 credit->service, i + 1, smaller, h2),
                   "warehouse_compute", "warehouse_h", credit, smaller * h2 * days,
                   smaller * h2 * days, smaller * h2 * days);
    }
    if (gb > 0) cost_line_(an, NULL, store->service, "storage", "estate_gb", store, gb, gb, gb);
    double storage = gb * store->usd;
    double computed = cr_before * credit->usd + storage;
    buf_fmt_(&b,
             ". Credits a month: %s before, %s after (%g days; a warehouse that ran all day "
             "suspends after 60 s and runs about %g h a day, assumed), storage ",
             fmt_num_arena_(an, round(cr_before)), fmt_num_arena_(an, round(cr_after)), days,
             awake);
    fmt_usd_(&b, storage);
    buf_puts(&b, " unchanged. The named warehouses and storage come to ");
    fmt_usd_(&b, computed);
    if (bill > 0) {
        buf_puts(&b, " of the stated bill of ");
        fmt_usd_(&b, bill);
        buf_puts(&b, " (the rest, other warehouses, idle and cloud-services credits, is assumed "
                     "to shrink as the named warehouses' credits do)");
    }
    /* The rest (other warehouses, idle and cloud-services credits) shrinks as the named
     * warehouses' credits do: assumed, and said. */
    double other = bill > computed ? (bill - computed) * cr_after / cr_before : 0;
    if (other > 0)
        rest_of_bill(an, other,
                     "Rest of today's bill (other warehouses, cloud services), "
                     "reduced as the named warehouses are");
    finish(an, bill > 0 ? bill : computed, cr_after * credit->usd + storage + other, &b);
    buf_fini(&b);
    an->cost.estate_gb = gb;
    return 1;
}

/* ---- Redshift: the nodes the request names, sized to the load after the scans are cut ---- */

static int
redshift(struct analysis *an, double bill)
{
    struct costing *c = &an->cost;
    const double h = an->a->k.month_hours, cut = an->a->k.compute_scan_cut;
    double before = 0, after = 0;
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "Redshift nodes named:");
    int any = 0;
    for (size_t i = 0; i < c->n_line; i++) {
        struct line *l = &c->line[i];
        if (strcmp(l->model, "existing_node_h") != 0 ||
            strncmp(l->price->id, "aws_redshift_", 13) != 0)
            continue;
        double nodes = round(l->qty / h), smaller = fmax(2, ceil(nodes * (1 - cut)));
        if (smaller >= nodes) continue;
        before += l->monthly;
        buf_fmt_(&b, "%s %g x %s -> %g", any ? ";" : "", nodes, l->price->service, smaller);
        l->service = arena_printf_(&an->ar,
                                   "%s x %g (resized from %g: the cluster sized to the "
                                   "load after the scans are cut)",
                                   l->price->service, smaller, nodes);
        l->qty = smaller * h;
        l->monthly = l->month1 = l->steady = cost_cents_(cost_tiered_(l->price, l->qty, 0));
        l->high = cost_cents_(cost_tiered_(l->price, l->qty, 1));
        after += l->monthly;
        any = 1;
    }
    if (!any) {
        buf_fini(&b);
        return 0;
    }
    buf_fmt_(&b,
             " (the nodes needed fall with the bytes scanned, cut by %.0f%% by sort keys, "
             "materialized views and incremental models, assumed; at least 2 nodes; "
             "concurrency scaling, a free hour a day per cluster, takes the dashboard peaks)",
             cut * 100);
    double other = bill > before ? bill - before : 0;
    if (other > 0)
        rest_of_bill(an, other,
                     "Rest of today's bill (managed storage, concurrency scaling, "
                     "Spectrum), kept as it is");
    if (bill > 0) {
        buf_puts(&b, "; the rest of the stated bill of ");
        fmt_usd_(&b, bill);
        buf_puts(&b, " is kept as it is");
    }
    finish(an, bill > 0 ? bill : before, after + other, &b);
    buf_fini(&b);
    return 0; /* the decisions keep their own lines */
}

int
cost_compute_(struct analysis *an)
{
    if (an->p.kind != KIND_COST_REDUCTION || !an->p.compute_bill) return 0;
    double bill = stated_bill(an);
    if (chosen(an, "warehouse_compute", "bq_") || chosen(an, "warehouse", "bigquery"))
        return bigquery(an, bill);
    if (chosen(an, "warehouse_compute", "sf_") || chosen(an, "warehouse", "snowflake"))
        return snowflake(an, bill);
    if (chosen(an, "warehouse_compute", "rs_") || chosen(an, "warehouse", "aws_redshift"))
        return redshift(an, bill);
    return 0;
}

void
cost_compute_bill_(struct analysis *an)
{
    struct costing *c = &an->cost;
    if (an->p.kind != KIND_COST_REDUCTION || !an->p.compute_bill || c->estate_working) return;
    double bill = stated_bill(an);
    if (bill <= 0 || !c->priced) return;
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "Today: the stated bill of ");
    fmt_usd_(&b, bill);
    buf_puts(&b, "; proposed: every line priced here (what already runs at its list price, the "
                 "changes on the same capacity)");
    finish(an, bill, c->monthly, &b);
    buf_fini(&b);
}

/* The dashboard readers the request counts ("~900 tableau users", "300 viewers"), or 0. */
double
cost_stated_viewers_(const struct analysis *an)
{
    const char *t = an->p.ctx_lc;
    double best = 0;
    if (t == NULL) return 0;
    for (const char *s = t; *s; s++) {
        if (*s < '0' || *s > '9' ||
            (s > t && ((s[-1] >= '0' && s[-1] <= '9') || s[-1] == '.' || s[-1] == ',')))
            continue;
        double v = amount_of_one(s);
        const char *e = s;
        while ((*e >= '0' && *e <= '9') || *e == '.' || *e == ',') e++;
        if (*e == 'k') e++;
        while (*e == ' ') e++;
        /* one product or BI word may sit between: "900 tableau users" */
        const char *w = e;
        while (*w >= 'a' && *w <= 'z') w++;
        int direct = strncmp(e, "users", 5) == 0 || strncmp(e, "viewers", 7) == 0 ||
                     strncmp(e, "report readers", 14) == 0;
        int one_word = *w == ' ' &&
                       (strncmp(w + 1, "users", 5) == 0 || strncmp(w + 1, "viewers", 7) == 0);
        if ((direct || one_word) && v >= 1 && v < 1e6) best = fmax(best, v);
    }
    return best;
}
