/* advisor/cost_estate.c - what the request says about money and what already runs.
 *
 * The budget's scope (incremental, "on top of" what runs, or all in) from the words near the
 * budget; the Snowflake edition the requirement implies; capacity the request names as running
 * ("Redshift ra3.4xlarge x4") priced as existing; for a cost-reduction request, the current
 * estate (the stored volume at its class's tiered rates) against a tiered plan (hot window,
 * a cold class for data read a few times a year, an archive class past the audit window, with
 * retrieval, transition and compaction charges); for a migration, the months both platforms run.
 * Cue words and price ids are in costcues.tsv. Pure, deterministic.
 */
#include "cost_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *
cost_cue_(const struct advisor *a, const char *kind, const char *token)
{
    for (size_t i = 0; i < a->n_costcue; i++)
        if (strcmp(a->costcue[i].kind, kind) == 0 && strcmp(a->costcue[i].token, token) == 0)
            return a->costcue[i].value;
    return NULL;
}

/* Copies up to 'n' characters of 's' from 'from' (clamped) into 'win'. */
double
cost_number_at_(const char *s, const char **end)
{
    char num[32];
    size_t n = 0;
    const char *e = s;
    for (; ((*e >= '0' && *e <= '9') || *e == '.' || *e == ',') && n < sizeof(num) - 1; e++)
        if (*e != ',') num[n++] = *e;
    num[n] = '\0';
    while (*e == ' ') e++;
    *end = e;
    return strtod(num, NULL);
}

static void
window(const char *s, const char *from, size_t n, char *win, size_t size)
{
    if (from < s) from = s;
    size_t len = strnlen(from, n);
    if (len >= size) len = size - 1;
    memcpy(win, from, len);
    win[len] = '\0';
}

/* Blanks the phrases that use a scope word in another sense ("incremental loads"). */
static void
blank_phrases(const struct advisor *a, char *win)
{
    for (size_t i = 0; i < a->n_costcue; i++) {
        const struct hint *h = &a->costcue[i];
        if (strcmp(h->kind, "budget_scope_not") != 0) continue;
        size_t n = strlen(h->token);
        for (char *p = strstr(win, h->token); p; p = strstr(p + n, h->token)) memset(p, ' ', n);
    }
}

void
cost_budget_scope_(struct analysis *an)
{
    const char *t = an->p.ctx_lc;
    if (t == NULL) return;
    static const char *const anchors[] = {"budget", "/mo", "per month", "a month"};
    for (size_t a = 0; a < PW_ARRAY_LEN(anchors); a++)
        for (const char *p = strstr(t, anchors[a]); p; p = strstr(p + 1, anchors[a])) {
            char win[96];
            window(t, p - 24, 80, win, sizeof(win));
            blank_phrases(an->a, win);
            for (size_t i = 0; i < an->a->n_costcue; i++) {
                const struct hint *h = &an->a->costcue[i];
                if (strcmp(h->kind, "budget_scope") != 0 || !has_token_(win, h->token)) continue;
                an->cost.budget_scope = strcmp(h->value, "incremental") == 0 ? 1 : 2;
                an->cost.budget_scope_evidence = arena_strdup_(&an->ar, win);
                return;
            }
        }
}

void
cost_snowflake_edition_(struct analysis *an)
{
    int uses = 0;
    for (size_t i = 0; i < an->n_dec; i++)
        uses |= an->dec[i].t && (strncmp(an->dec[i].t->id, "snowflake", 9) == 0 ||
                                 strncmp(an->dec[i].t->id, "sf_", 3) == 0);
    if (!uses) return;
    struct costing *c = &an->cost;
    c->snowflake_edition = "Standard";
    c->snowflake_edition_why = "no requirement needs a higher edition";
    int rank = 0;
    for (size_t i = 0; i < an->a->n_costcue; i++) {
        const struct hint *h = &an->a->costcue[i];
        if (strcmp(h->kind, "snowflake_edition") != 0) continue;
        /* An edition the request names ("Enterprise edition") is what runs; it wins. */
        int named = strstr(h->token, "edition") != NULL || strcmp(h->token, h->value) == 0 ||
                    strcasecmp(h->token, h->value) == 0 || strncmp(h->token, "snowflake ", 10) == 0;
        int r = named ? 3 : strcmp(h->value, "Business Critical") == 0 ? 2 : 1;
        if (r <= rank) continue;
        if (!has_token_(an->p.ctx_lc, h->token) && !has_token_(an->p.regs, h->token)) continue;
        rank = r;
        c->snowflake_edition = h->value;
        c->snowflake_edition_why = arena_printf_(&an->ar,
                                                 named ? "the request names the %s edition"
                                                       : "the request names '%s', which needs it",
                                                 named ? h->value : h->token);
    }
}

/* The node count written next to a node type: "x4", "x 4", "4 x", "4x", "4 nodes". */
static long
node_count(const char *text, const char *at, size_t toklen)
{
    const char *s = at + toklen;
    while (*s == ' ') s++;
    if (*s == 'x' || *s == '*') {
        s++;
        while (*s == ' ') s++;
        if (*s >= '0' && *s <= '9') return strtol(s, NULL, 10);
    }
    if (*s >= '0' && *s <= '9') {
        char *end;
        long n = strtol(s, &end, 10);
        while (*end == ' ') end++;
        if (strncmp(end, "node", 4) == 0) return n;
    }
    const char *b = at;
    while (b > text && b[-1] == ' ') b--;
    if (b > text && (b[-1] == 'x' || b[-1] == '*')) b--;
    while (b > text && b[-1] == ' ') b--;
    const char *e = b;
    while (b > text && b[-1] >= '0' && b[-1] <= '9') b--;
    if (b < e && e - b < 4) return strtol(b, NULL, 10);
    return 0;
}

static const char *
upper(struct analysis *an, const char *s)
{
    char *u = arena_strdup_(&an->ar, s);
    for (char *c = u; *c; c++)
        if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 'a' + 'A');
    return u;
}

/* "price_id" or "price_id*N": the price of one named node and the units it holds. */
static const struct price *
node_price(const struct analysis *an, const char *value, double *per_node)
{
    char id[64];
    size_t n = strcspn(value, "*");
    *per_node = 1;
    if (n >= sizeof(id)) return NULL;
    memcpy(id, value, n);
    id[n] = '\0';
    *per_node = value[n] == '*' ? strtod(value + n + 1, NULL) : 1;
    return price_find_(an->a, id);
}

/* Kafka brokers the request names ("3x kafka.m5.large"): the MSK broker price of that type,
 * priced as existing capacity like named warehouse nodes. */
static void
existing_brokers(struct analysis *an, const char *t)
{
    static const char prefix[] = "kafka.";
    for (const char *at = strstr(t, prefix); at; at = strstr(at + 1, prefix)) {
        if (at > t && (isalnum((unsigned char)at[-1]) || at[-1] == '.')) continue;
        const char *s = at + sizeof(prefix) - 1;
        char id[64] = "aws_msk_";
        size_t n = strlen(id), len = 0;
        while ((isalnum((unsigned char)s[len]) || s[len] == '.') && n < sizeof(id) - 1) {
            id[n++] = s[len] == '.' ? '_' : s[len];
            len++;
        }
        while (len > 0 && s[len - 1] == '.') len--, n--;
        id[n] = '\0';
        const struct price *pr = price_find_(an->a, id);
        if (len == 0 || pr == NULL || strcmp(pr->unit, "broker-h") != 0) continue;
        int dup = 0;
        for (size_t i = 0; i < an->cost.n_line; i++)
            dup |= an->cost.line[i].price == pr &&
                   strcmp(an->cost.line[i].model, "existing_node_h") == 0;
        if (dup) continue;
        size_t toklen = (size_t)(s + len - at);
        long count = node_count(t, at, toklen);
        int stated = count > 0 && count < 1000;
        if (!stated) count = 1;
        const char *label = arena_printf_(&an->ar, "%s x %ld, already running (%s)", pr->service,
                                          count,
                                          stated ? "count from the request"
                                                 : "count not stated: one broker assumed");
        double qty = (double)count * an->a->k.month_hours;
        struct line *l = cost_line_(an, NULL, label, "ingestion", "existing_node_h", pr, qty, qty,
                                    qty);
        if (l) l->existing = 1;
    }
}

void
cost_existing_nodes_(struct analysis *an)
{
    const char *t = an->p.ctx_lc;
    if (t == NULL) return;
    const double h = an->a->k.month_hours;
    for (size_t i = 0; i < an->a->n_costcue; i++) {
        const struct hint *cue = &an->a->costcue[i];
        if (strcmp(cue->kind, "existing_node") != 0 || !has_token_(t, cue->token)) continue;
        const char *at = strstr(t, cue->token);
        double per_node = 1;
        const struct price *pr = node_price(an, cue->value, &per_node);
        if (pr == NULL) continue;
        long n = node_count(t, at, strlen(cue->token));
        int stated = n > 0 && n < 1000;
        if (!stated) n = 1;
        const char *label = per_node > 1
                                ? arena_printf_(&an->ar, "%s: %s, already running (%g x %s)",
                                                short_name_(an, pr->service), upper(an, cue->token),
                                                per_node, pr->unit)
                                : arena_printf_(&an->ar, "%s x %ld, already running (%s)",
                                                pr->service, n,
                                                stated ? "count from the request"
                                                       : "count not stated: one node assumed");
        double qty = (double)n * per_node * h;
        struct line *l = cost_line_(an, NULL, label, "warehouse", "existing_node_h", pr, qty, qty,
                                    qty);
        if (l) l->existing = 1;
    }
    existing_brokers(an, t);
}

const struct price *
cost_covered_(const struct analysis *an, const struct decision *d)
{
    if (!d->reused || d->t == NULL || strcmp(d->t->stack, "-") == 0) return NULL;
    for (size_t i = 0; i < an->cost.n_line; i++) {
        const struct line *l = &an->cost.line[i];
        if (strcmp(l->model, "existing_node_h") == 0 && has_any_token_(l->price->id, d->t->stack))
            return l->price;
    }
    return NULL;
}

/* The largest (or, with 'smallest', the smallest) stored volume the request states ("1.2 PB",
 * "800 TB"), not a rate, in GB; 0 when none. */
static double
stated_gb(const char *t, int smallest)
{
    double best = 0;
    for (const char *s = t; *s; s++) {
        if (!(*s >= '0' && *s <= '9') ||
            (s > t && (s[-1] == '.' || s[-1] == ',' || (s[-1] >= '0' && s[-1] <= '9'))))
            continue;
        const char *e;
        double v = cost_number_at_(s, &e);
        double unit = strncmp(e, "pb", 2) == 0 ? 1e6 : strncmp(e, "tb", 2) == 0 ? 1e3 : 0;
        if (unit == 0 || (e[2] >= 'a' && e[2] <= 'z')) continue;
        const char *r = e + 2;
        while (*r == ' ') r++;
        if (*r == '/' || strncmp(r, "per ", 4) == 0 || strncmp(r, "a day", 5) == 0 ||
            strncmp(r, "a month", 7) == 0 || strncmp(r, "daily", 5) == 0 ||
            strncmp(r, "each", 4) == 0 || strncmp(r, "every", 5) == 0)
            continue;
        /* "daily ingest ~3 TB", "a month: 2 TB": a rate written before the figure. */
        char before[24];
        window(t, s - 20, (size_t)(s - t < 20 ? s - t : 20), before, sizeof(before));
        if (strstr(before, "daily") || strstr(before, "a day") || strstr(before, "per day") ||
            strstr(before, "monthly") || strstr(before, "a month"))
            continue;
        if (v > 0 && (best == 0 || (smallest ? v * unit < best : v * unit > best))) best = v * unit;
    }
    return best;
}

static double
stated_stored_gb(const char *t)
{
    return stated_gb(t, 0);
}

double
cost_stated_stored_gb_(const struct analysis *an)
{
    return an->p.ctx_lc ? stated_stored_gb(an->p.ctx_lc) : 0;
}

double
cost_migrated_gb_(const struct analysis *an)
{
    if (an->p.kind != KIND_MIGRATION || an->p.ctx_lc == NULL) return 0;
    return stated_gb(an->p.ctx_lc, 1);
}

struct estate {
    const struct price *hot, *cold, *cold_read, *cold_tr, *archive, *archive_tr, *monitor, *compute;
    double stored, gb_day, cold_days;
};

/* GB in each class after 'month' months: hot window, cold up to a year, archive beyond. */
static void
estate_at(const struct analysis *an, const struct estate *e, double month, double gb[3])
{
    const struct knobs *k = &an->a->k;
    double total = e->stored + e->gb_day * k->days_per_month * month;
    double cap = fmax(e->stored, e->gb_day * an->p.retention_days);
    total = fmin(total, cap);
    gb[0] = fmin(total, e->gb_day * an->sz.hot_days);
    gb[1] = e->archive ? fmin(total - gb[0], e->gb_day * e->cold_days) : total - gb[0];
    gb[2] = total - gb[0] - gb[1];
}

static void
estate_line(struct analysis *an, const struct estate *e, int cls, const char *label,
            double steady_month)
{
    const struct price *pr = cls == 0 ? e->hot : cls == 1 ? e->cold : e->archive;
    double plan[3], m1[3], st[3];
    estate_at(an, e, an->a->k.planning_month, plan);
    estate_at(an, e, 1, m1);
    estate_at(an, e, steady_month, st);
    if (pr && plan[cls] + st[cls] > 0)
        cost_line_(an, NULL, label, "storage", "estate_gb", pr, plan[cls], m1[cls], st[cls]);
}

/* Monthly charges that do not grow: audit reads of the cold class, lifecycle transitions. */
static void
estate_flows(struct analysis *an, const struct estate *e)
{
    const struct knobs *k = &an->a->k;
    double month_gb = e->gb_day * k->days_per_month;
    double read_gb = month_gb * k->audit_reads_per_year / 12.0;
    double objects_k = month_gb * 1000.0 / k->lake_objects_mb / 1000.0;
    if (e->cold_read)
        cost_line_(an, NULL,
                   arena_printf_(&an->ar, "%s (audits: one month of data, %g times a year)",
                                 e->cold_read->service, k->audit_reads_per_year),
                   "storage", "estate_read_gb", e->cold_read, read_gb, read_gb, read_gb);
    if (e->cold_tr)
        cost_line_(an, NULL, e->cold_tr->service, "storage", "estate_transition_k", e->cold_tr,
                   objects_k, objects_k, objects_k);
    if (e->archive_tr && e->archive)
        cost_line_(an, NULL, e->archive_tr->service, "storage", "estate_transition_k",
                   e->archive_tr, objects_k, 0, objects_k);
}

static const struct price *
estate_price(const struct analysis *an, const char *role)
{
    char kind[32];
    snprintf(kind, sizeof(kind), "estate_%s", cloud_name_(an->p.cloud));
    const char *id = cost_cue_(an->a, kind, role);
    return id ? price_find_(an->a, id) : NULL;
}

/* What a leaner tiering saves at the planning month: the infrequent class inside the hot window
 * after 30 days, and the archive class for the audit year when audits can wait for a restore. */
static void
estate_levers(struct analysis *an, const struct estate *e)
{
    const struct knobs *k = &an->a->k;
    const struct price *ia = price_find_(an->a, "aws_s3_ia");
    double plan[3];
    estate_at(an, e, k->planning_month, plan);
    if (ia && strcmp(e->hot->cloud, "aws") == 0 && an->sz.hot_days > 30) {
        double gb = e->gb_day * (an->sz.hot_days - 30);
        double hot30 = e->gb_day * 30;
        double save = cost_tiered_(e->hot, plan[0], 0) - cost_tiered_(e->hot, hot30, 0) -
                      gb * ia->usd - gb * k->scan_reads_per_month * 0.01;
        cost_lever_(&an->cost, "hot_window_infrequent", save,
                    arena_printf_(&an->ar,
                                  "keep the last 30 days in %s and days 30-%g in %s "
                                  "(its retrieval at $0.01 per GB read, about %g reads "
                                  "a month, is counted)",
                                  e->hot->service, an->sz.hot_days, ia->service,
                                  k->scan_reads_per_month));
    }
    if (e->archive && plan[1] > 0)
        cost_lever_(&an->cost, "archive_audit_year", plan[1] * (e->cold->usd - e->archive->usd),
                    arena_printf_(&an->ar,
                                  "keep only the hot window readable in place and move "
                                  "older data to %s; audits then restore what they read "
                                  "hours ahead",
                                  e->archive->service));
}

static void
estate_working(struct analysis *an, const struct estate *e, double after)
{
    const struct knobs *k = &an->a->k;
    struct costing *c = &an->cost;
    double plan[3];
    estate_at(an, e, k->planning_month, plan);
    double total = plan[0] + plan[1] + plan[2];
    double objects = e->stored * 1000.0 / k->lake_objects_mb;
    double vcpu_h = e->stored / k->compaction_gb_per_vcpu_hour;
    double compaction = e->compute ? vcpu_h / 4.0 * e->compute->usd : 0;
    double moved_k = (e->stored - fmin(e->stored, e->gb_day * an->sz.hot_days)) * 1000.0 /
                     k->lake_objects_mb / 1000.0;
    double transitions = e->cold_tr ? moved_k * e->cold_tr->usd : 0;
    c->estate_before = cost_cents_(cost_tiered_(e->hot, total, 0));
    c->estate_after = cost_cents_(after);
    c->estate_saving = cost_cents_(c->estate_before - c->estate_after);
    c->estate_one_time = cost_cents_(compaction + transitions);
    struct buf b;
    buf_init(&b);
    buf_fmt_(&b, "Today's estate: %s TB in %s at its tiered rates, ",
             fmt_num_arena_(an, e->stored / 1000), e->hot->service);
    fmt_usd_(&b, cost_tiered_(e->hot, e->stored, 0));
    buf_fmt_(&b, " a month now and ");
    fmt_usd_(&b, c->estate_before);
    buf_fmt_(&b, " at month %.0f with %s TB/day of growth; tiered (%g days hot, %s, %s) it costs ",
             k->planning_month, fmt_num_arena_(an, e->gb_day / 1000), an->sz.hot_days,
             e->cold->service, e->archive ? e->archive->service : "no archive class");
    fmt_usd_(&b, c->estate_after);
    buf_puts(&b, ", saving ");
    fmt_usd_(&b, c->estate_saving);
    buf_fmt_(&b,
             " a month. One-time: compaction of the current files (%s vCPU-hours at %g GB "
             "per vCPU-hour, ",
             fmt_num_arena_(an, vcpu_h), k->compaction_gb_per_vcpu_hour);
    fmt_usd_(&b, compaction);
    buf_fmt_(&b, ") and lifecycle transitions of %s million objects of about %g MB (",
             fmt_num_arena_(an, moved_k / 1000), k->lake_objects_mb);
    fmt_usd_(&b, transitions);
    buf_puts(&b, ").");
    if (e->monitor) {
        buf_fmt_(&b, " Intelligent-Tiering instead of fixed rules would add ");
        fmt_usd_(&b, objects / 1000 * e->monitor->usd);
        buf_fmt_(&b,
                 " a month of monitoring for %s million objects (objects under %g KB are "
                 "not tiered).",
                 fmt_num_arena_(an, objects / 1e6), an->a->lim.s3_lifecycle_min_kb);
    }
    c->estate_working = arena_strdup_(&an->ar, b.data);
    buf_fini(&b);
}

/* The lifecycle transition price of the chosen storage decision (its gb_month rule), for a cloud
 * whose estate cues name none. */
static const struct price *
storage_transition(const struct analysis *an)
{
    const struct decision *d = decision_find_(an, "storage");
    if (d == NULL || d->t == NULL) return NULL;
    for (size_t r = 0; r < d->t->n_cost_rows; r++) {
        const struct costrule *cr = &an->a->cost[d->t->cost_rows[r]];
        if (strcmp(cr->model, "gb_month") == 0 && strchr(cr->price, '{') == NULL)
            return price_find_(an->a, cr->price);
    }
    return NULL;
}

int
cost_estate_(struct analysis *an)
{
    /* A bill of warehouse compute is priced as compute (cost_compute.c), not as storage. */
    if (an->p.kind != KIND_COST_REDUCTION || an->p.compute_bill) return 0;
    struct estate e = {0};
    e.stored = stated_stored_gb(an->p.ctx_lc ? an->p.ctx_lc : "");
    e.hot = estate_price(an, "hot");
    e.cold = estate_price(an, "cold");
    if (e.stored <= 0 || e.hot == NULL || e.cold == NULL) return 0;
    e.cold_read = estate_price(an, "cold_read");
    e.cold_tr = estate_price(an, "cold_transition");
    if (e.cold_tr == NULL) e.cold_tr = storage_transition(an);
    e.archive = estate_price(an, "archive");
    e.archive_tr = estate_price(an, "archive_transition");
    e.monitor = estate_price(an, "monitor");
    e.compute = estate_price(an, "compute");
    e.gb_day = an->p.total.gb_day;
    /* Audits read the last year in place; older data waits for a restore. */
    e.cold_days = fmax(0, 365.0 - an->sz.hot_days);
    an->cost.estate_gb = e.stored;
    const struct knobs *k = &an->a->k;
    double steady_month = fmax(k->planning_month, an->p.retention_days / k->days_per_month);
    size_t first = an->cost.n_line;
    estate_line(an, &e, 0,
                arena_printf_(&an->ar, "%s, last %g days (hot)", e.hot->service, an->sz.hot_days),
                steady_month);
    estate_line(an, &e, 1,
                arena_printf_(&an->ar,
                              "%s, %g days to one year (read in place for "
                              "audits)",
                              e.cold->service, an->sz.hot_days),
                steady_month);
    if (e.archive)
        estate_line(an, &e, 2,
                    arena_printf_(&an->ar,
                                  "%s, older than one year (restored for "
                                  "audits, hours ahead)",
                                  e.archive->service),
                    steady_month);
    estate_flows(an, &e);
    double after = 0;
    for (size_t i = first; i < an->cost.n_line; i++) after += an->cost.line[i].monthly;
    estate_working(an, &e, after);
    estate_levers(an, &e);
    return 1;
}

void
cost_parallel_run_(struct analysis *an)
{
    struct costing *c = &an->cost;
    if (an->p.kind != KIND_MIGRATION || !c->priced) return;
    c->parallel_run_months = an->a->k.parallel_run_months;
    c->parallel_run_usd = cost_cents_(c->incr_monthly * c->parallel_run_months);
}
