/* advisor/render_json.c - the structured report (docs/report-contract.md).
 *
 * Keys come in a fixed order and numbers are written the same way on every run. The long texts
 * (sections, Terraform, DOT) go through a table-driven escaper that writes the same bytes as
 * jsonw's own, faster.
 */
#include "render_int.h"

#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdint.h>
#include <string.h>

#include "jsonw.h"

/* ---- JSON ----------------------------------------------------------------------------------- */

/* Bytes a JSON string may carry as they are: printable ASCII but '"' and '\\'. */
static const unsigned char json_plain[256] = {
    ['\x20'] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['('] = 1,
    [')'] = 1,    ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1, ['.'] = 1, ['/'] = 1,  ['0'] = 1,
    ['1'] = 1,    ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,  ['8'] = 1,
    ['9'] = 1,    [':'] = 1, [';'] = 1, ['<'] = 1, ['='] = 1, ['>'] = 1, ['?'] = 1,  ['@'] = 1,
    ['A'] = 1,    ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,  ['H'] = 1,
    ['I'] = 1,    ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1,  ['P'] = 1,
    ['Q'] = 1,    ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1,  ['X'] = 1,
    ['Y'] = 1,    ['Z'] = 1, ['['] = 1, [']'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1,  ['a'] = 1,
    ['b'] = 1,    ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,  ['i'] = 1,
    ['j'] = 1,    ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,  ['q'] = 1,
    ['r'] = 1,    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,  ['y'] = 1,
    ['z'] = 1,    ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1};

/* jsonw_key() for the report's own keys (plain ASCII literals): the same bytes without
 * escaping them, using the writer's documented comma state. */
static void
fkey(struct jsonw *w, const char *key)
{
    if (w->after_key) {
        jsonw_key(w, key);
        return;
    }
    size_t n = strlen(key);
    struct buf *o = w->out;
    buf_reserve(o, n + 4);
    char *d = o->data + o->len;
    if (w->need_comma[w->depth]) *d++ = ',';
    w->need_comma[w->depth] = 1;
    *d++ = '"';
    memcpy(d, key, n);
    d += n;
    *d++ = '"';
    *d++ = ':';
    o->len = (size_t)(d - o->data);
    o->data[o->len] = '\0';
    w->after_key = 1;
}

/* Length of the run of bytes at 'p' (at most 'n') that JSON copies unescaped: printable ASCII
 * other than '"' and '\\'. Sixteen bytes at a time with SSE2 (every x86-64 has it): a signed
 * compare with 0x20 catches the control bytes and, being negative, every byte with the high
 * bit; three equality compares catch '"', '\\' and 0x7F. Elsewhere eight bytes at a time with
 * the usual bit tricks for "has a zero byte" and "has a byte less than n". */
static size_t
plain_run(const unsigned char *p, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\'), del = _mm_set1_epi8(0x7f);
    while (i + 16 <= n) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(x, space), _mm_cmpeq_epi8(x, quote)),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, bslash), _mm_cmpeq_epi8(x, del)));
        int mask = _mm_movemask_epi8(bad);
        if (mask) return i + (size_t)__builtin_ctz((unsigned)mask);
        i += 16;
    }
#else
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    while (i + 8 <= n) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\'), dl = x ^ (ones * 0x7f);
        uint64_t bad = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((bs - ones) & ~bs) |
                       ((dl - ones) & ~dl) | x;
        if (bad & high) break;
        i += 8;
    }
#endif
    while (i < n && json_plain[p[i]]) i++;
    return i;
}

/* jsonw_kstr() with a table-driven fast path for the long ASCII texts of the report (sections,
 * Terraform, DOT); anything else (non-ASCII) goes through jsonw's own escaping, so the bytes are
 * the same either way. */
static void
kstr(struct jsonw *w, const char *key, const char *s)
{
    if (s == NULL) {
        jsonw_kstr(w, key, NULL);
        return;
    }
    size_t len = strlen(s);
    struct buf *out = w->out;
    size_t mark = out->len;
    struct jsonw saved = *w;
    fkey(w, key);
    jsonw_raw(w, "\"", 1);
    buf_reserve(out, len + len / 8 + 2);
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t run = i + plain_run(p + i, len - i);
        buf_append(out, p + i, run - i);
        i = run;
        if (i == len) break;
        unsigned char c = p[i];
        if (c == '"') buf_append(out, "\\\"", 2);
        else if (c == '\\')
            buf_append(out, "\\\\", 2);
        else if (c == '\n')
            buf_append(out, "\\n", 2);
        else if (c == '\t')
            buf_append(out, "\\t", 2);
        else if (c == '\r')
            buf_append(out, "\\r", 2);
        else {
            /* Control or non-ASCII: let jsonw write the whole string its own way. */
            out->len = mark;
            out->data[mark] = '\0';
            *w = saved;
            jsonw_kstr(w, key, s);
            return;
        }
        i++;
    }
    buf_putc(out, '"');
}

/* A JSON number without printf where it can (integers and values with at most 3 decimals);
 * the same text jsonw_num() would write. */
static void
jnum(struct jsonw *w, double v)
{
    char s[48];
    size_t n;
    if (isfinite(v) && fabs(v) < 1e15 && round(v * 1000) == v * 1000 &&
        (n = fixed_str_(s, v, 3, 0)) > 0) {
        jsonw_raw(w, s, n);
        return;
    }
    jsonw_num(w, v);
}

static void
kint(struct jsonw *w, const char *key, long long v)
{
    fkey(w, key);
    jnum(w, (double)v);
}

static void
kbool(struct jsonw *w, const char *key, int v)
{
    fkey(w, key);
    jsonw_bool(w, v);
}

static void
kjnum(struct jsonw *w, const char *key, double v)
{
    fkey(w, key);
    jnum(w, v);
}

static void
kval(struct jsonw *w, const char *key, double v, enum origin o)
{
    fkey(w, key);
    jsonw_obj_begin(w);
    kjnum(w, "value", v);
    kstr(w, "source", origin_name_(o));
    jsonw_obj_end(w);
}

static void
klist(struct jsonw *w, const char *key, const struct strlist *l, enum origin o)
{
    fkey(w, key);
    jsonw_obj_begin(w);
    fkey(w, "value");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < l->n; i++) jsonw_str(w, l->v[i]);
    jsonw_arr_end(w);
    kstr(w, "source", origin_name_(o));
    jsonw_obj_end(w);
}

static double
r2(double v)
{
    return round(v * 100.0) / 100.0;
}

static void
json_profile(struct jsonw *w, const struct analysis *an)
{
    const struct profile *p = &an->p;
    fkey(w, "profile");
    jsonw_obj_begin(w);
    kstr(w, "title", p->title);
    fkey(w, "cloud");
    jsonw_obj_begin(w);
    kstr(w, "value", cloud_name_(p->cloud));
    kstr(w, "source", origin_name_(p->o_cloud));
    jsonw_obj_end(w);
    kval(w, "freshness_seconds", p->freshness_s, p->o_freshness);
    kval(w, "retention_days", p->retention_days, p->o_retention);
    fkey(w, "budget_usd_per_month");
    jsonw_obj_begin(w);
    fkey(w, "value");
    if (p->has_budget) jnum(w, p->budget);
    else
        jsonw_null(w);
    kstr(w, "source", p->has_budget ? origin_name_(p->o_budget) : "unknown");
    jsonw_obj_end(w);
    kval(w, "team_size", p->team_size, p->o_team);
    kval(w, "availability_target", p->availability, p->o_availability);
    klist(w, "consumers", &p->req.consumers, p->o_consumers);
    klist(w, "compliance", &p->req.compliance, p->o_compliance);
    klist(w, "existing_stack", &p->req.existing_stack, p->o_stack);
    klist(w, "team_skills", &p->req.team_skills, p->o_skills);
    fkey(w, "needs");
    jsonw_arr_begin(w);
    for (int n = 0; n < NEED_COUNT; n++)
        if ((p->needs >> n) & 1) jsonw_str(w, need_name_((enum need)n));
    jsonw_arr_end(w);
    kbool(w, "contains_pii", p->has_pii);
    fkey(w, "sources");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < p->n_src; i++) {
        const struct src *s = &p->src[i];
        jsonw_obj_begin(w);
        kstr(w, "name", s->name);
        fkey(w, "kind");
        jsonw_obj_begin(w);
        kstr(w, "value", source_kind_name(s->kind));
        kstr(w, "source", origin_name_(s->o_kind));
        jsonw_obj_end(w);
        kval(w, "volume_gb_per_day", r2(s->gb_day), s->o_volume);
        kval(w, "peak_events_per_sec", r2(s->peak_ev_s), s->o_peak);
        kval(w, "avg_record_bytes", s->record_bytes, s->o_bytes);
        fkey(w, "contains_pii");
        jsonw_obj_begin(w);
        fkey(w, "value");
        if (s->pii < 0) jsonw_null(w);
        else
            jsonw_bool(w, s->pii);
        kstr(w, "source", s->pii < 0 ? "unknown" : origin_name_(s->o_pii));
        jsonw_obj_end(w);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    fkey(w, "totals");
    jsonw_obj_begin(w);
    kjnum(w, "volume_gb_per_day", r2(p->total.gb_day));
    kjnum(w, "avg_mb_per_sec", r2(p->total.avg_mb_s));
    kjnum(w, "peak_mb_per_sec", r2(p->total.peak_mb_s));
    kjnum(w, "peak_events_per_sec", r2(p->total.peak_ev_s));
    kjnum(w, "lake_gb_per_day", r2(p->total.lake_gb_day));
    jsonw_obj_end(w);
    fkey(w, "extracted");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < p->ex.n_notes; i++) {
        jsonw_obj_begin(w);
        kstr(w, "field", p->ex.notes[i].field);
        kstr(w, "evidence", p->ex.notes[i].evidence);
        if (p->ex.notes[i].why) kstr(w, "why", p->ex.notes[i].why);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    jsonw_obj_end(w);
}

static void
json_decisions(struct jsonw *w, const struct analysis *an)
{
    fkey(w, "decisions");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        jsonw_obj_begin(w);
        kstr(w, "area", d->area);
        if (d->subject) kstr(w, "for", d->subject);
        kstr(w, "choice", d->choice);
        kjnum(w, "score", round(d->score));
        if (d->t) {
            fkey(w, "criteria");
            jsonw_obj_begin(w);
            for (int c = 0; c < CRIT_COUNT; c++) kjnum(w, crit_name_((enum crit)c), d->crit[c]);
            jsonw_obj_end(w);
            kbool(w, "reuses_existing", d->reused);
        }
        fkey(w, "alternatives");
        jsonw_arr_begin(w);
        for (size_t j = 0; j < d->n_alt; j++) {
            jsonw_obj_begin(w);
            kstr(w, "name", d->alt[j].name);
            kjnum(w, "score", round(d->alt[j].score));
            kstr(w, "why_not", d->alt[j].why_not);
            jsonw_obj_end(w);
        }
        jsonw_arr_end(w);
        kstr(w, "rationale", d->rationale);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
}

/* The Kafka cluster of the sizing: partitions, and brokers when sized here. */
static void
json_kafka(struct jsonw *w, const struct analysis *an)
{
    const struct sizing *sz = &an->sz;
    fkey(w, "kafka");
    jsonw_obj_begin(w);
    kstr(w, "via", sz->kafka_via);
    kint(w, "partitions", sz->partitions);
    kstr(w, "partitions_working", sz->partitions_working);
    if (sz->kafka_self) {
        kint(w, "brokers", sz->brokers);
        kstr(w, "broker_type", sz->broker_type);
        kstr(w, "brokers_working", sz->brokers_working);
        kint(w, "replication_factor", sz->rf);
        kint(w, "min_insync_replicas", sz->min_insync);
        kjnum(w, "retention_days", an->a->k.kafka_retention_days);
        kjnum(w, "broker_storage_gb", round(sz->broker_disk_gb));
        kstr(w, "storage_working", sz->disk_working);
    } else {
        kstr(w, "brokers_and_replication", "managed by the service");
    }
    jsonw_obj_end(w);
}

static void
json_sizing(struct jsonw *w, const struct analysis *an)
{
    const struct sizing *sz = &an->sz;
    fkey(w, "sizing");
    jsonw_obj_begin(w);
    if (sz->has_kafka) json_kafka(w, an);
    fkey(w, "streams");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < sz->n_unit; i++) {
        const struct stream_unit *u = &sz->unit[i];
        jsonw_obj_begin(w);
        kstr(w, "service", u->d->choice);
        kjnum(w, "peak_mb_per_sec", r2(u->f.peak_mb_s));
        kjnum(w, "peak_events_per_sec", r2(u->f.peak_ev_s));
        kint(w, "units", u->units);
        kstr(w, "unit", u->unit_name);
        kstr(w, "working", u->working);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    if (sz->has_stream) {
        fkey(w, "stream_processing");
        jsonw_obj_begin(w);
        kjnum(w, "vcpu", sz->stream_vcpu);
        kbool(w, "stateful", sz->stateful);
        kstr(w, "working", sz->stream_working);
        jsonw_obj_end(w);
    }
    fkey(w, "batch");
    jsonw_obj_begin(w);
    kjnum(w, "vcpu_hours_per_month", round(sz->batch_vcpu_h));
    kstr(w, "working", sz->batch_working);
    jsonw_obj_end(w);
    fkey(w, "storage");
    jsonw_obj_begin(w);
    kjnum(w, "total_tb", r2(sz->total_tb));
    kjnum(w, "lake_gb_per_day", r2(an->p.total.lake_gb_day));
    kjnum(w, "month1_gb", round(sz->month1_gb));
    kjnum(w, "planning_month_gb", round(sz->plan_gb));
    kjnum(w, "steady_state_gb", round(sz->steady_gb));
    kjnum(w, "landing_gb", round(sz->landing_gb));
    kstr(w, "working", sz->storage_working);
    jsonw_obj_end(w);
    fkey(w, "warehouse");
    jsonw_obj_begin(w);
    kjnum(w, "tb_scanned_per_month", r2(sz->scan_tb));
    kjnum(w, "transform_tb_scanned_per_month", r2(sz->batch_scan_tb));
    jsonw_obj_end(w);
    fkey(w, "network");
    jsonw_obj_begin(w);
    kjnum(w, "avg_gbit_per_sec", r2(sz->net_avg_gbit));
    kjnum(w, "peak_gbit_per_sec", r2(sz->net_peak_gbit));
    jsonw_obj_end(w);
    if (an->p.cloud == CLOUD_ON_PREM) {
        fkey(w, "capacity");
        jsonw_obj_begin(w);
        kjnum(w, "hot_raw_tb_90_days", r2(sz->raw_capacity_tb));
        kjnum(w, "tape_cartridges_per_year", ceil(sz->tape_per_year));
        kjnum(w, "ten_year_tb", r2(an->p.total.lake_gb_day * 3650 / 1000.0));
        jsonw_obj_end(w);
    }
    jsonw_obj_end(w);
}

static void
json_cost_range(struct jsonw *w, const struct costing *c)
{
    if (!c->priced) return;
    kjnum(w, "monthly_usd_low", c->incr_low);
    kjnum(w, "monthly_usd_high", c->incr_high);
    kjnum(w, "existing_monthly_usd", c->existing_monthly);
    kjnum(w, "total_monthly_usd", c->total_monthly);
    kjnum(w, "total_monthly_usd_high", c->total_high);
    fkey(w, "budget_scope");
    if (c->budget_scope == 1) jsonw_str(w, "incremental");
    else if (c->budget_scope == 2)
        jsonw_str(w, "all_in");
    else
        jsonw_null(w);
    kjnum(w, "budget_share_high_pct", c->budget_pct_high);
    kjnum(w, "estimate_lines", (double)c->n_estimate);
    if (c->snowflake_edition) {
        kstr(w, "snowflake_edition", c->snowflake_edition);
        kstr(w, "snowflake_edition_why", c->snowflake_edition_why);
    }
    fkey(w, "included");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < c->n_included; i++) jsonw_str(w, c->included[i]);
    jsonw_arr_end(w);
}

/* The plan's own figures: a cost reduction's before and after, a migration's parallel run, a
 * lean design's saving. */
static void
json_cost_plans(struct jsonw *w, const struct costing *c)
{
    if (c->estate_working) {
        fkey(w, "estate");
        jsonw_obj_begin(w);
        kjnum(w, "stored_gb", c->estate_gb);
        kjnum(w, "before_usd", c->estate_before);
        kjnum(w, "after_usd", c->estate_after);
        kjnum(w, "saving_usd", c->estate_saving);
        kjnum(w, "one_time_usd", c->estate_one_time);
        kstr(w, "working", c->estate_working);
        jsonw_obj_end(w);
    }
    if (c->parallel_run_usd > 0) {
        fkey(w, "parallel_run");
        jsonw_obj_begin(w);
        kjnum(w, "months", c->parallel_run_months);
        kjnum(w, "usd", c->parallel_run_usd);
        jsonw_obj_end(w);
    }
    if (c->lean_full_high > 0) {
        fkey(w, "lean");
        jsonw_obj_begin(w);
        kjnum(w, "full_high_usd", c->lean_full_high);
        kjnum(w, "saving_usd", c->lean_saving);
        jsonw_obj_end(w);
    }
}

static void
json_cost(struct jsonw *w, const struct analysis *an)
{
    const struct costing *c = &an->cost;
    fkey(w, "cost");
    jsonw_obj_begin(w);
    /* monthly_usd and its range are what the request adds; what already runs is apart */
    fkey(w, "monthly_usd");
    if (c->priced) jnum(w, c->incr_monthly);
    else
        jsonw_null(w);
    json_cost_range(w, c);
    kjnum(w, "month1_usd", c->month1);
    kjnum(w, "steady_state_usd", c->steady);
    kstr(w, "basis",
         c->priced ? "list prices, on demand, at the planning month (storage grows monthly)"
                   : "capacity: no cloud bill applies");
    kjnum(w, "planning_month", an->a->k.planning_month);
    fkey(w, "line_items");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < c->n_line; i++) {
        const struct line *l = &c->line[i];
        jsonw_obj_begin(w);
        kstr(w, "service", l->service);
        kstr(w, "area", l->area);
        kjnum(w, "quantity", r2(l->qty));
        kstr(w, "unit", l->price->unit);
        kjnum(w, "unit_price", l->price->usd);
        kjnum(w, "monthly", l->monthly);
        kjnum(w, "monthly_high", l->high);
        fkey(w, "existing");
        jsonw_bool(w, l->existing);
        fkey(w, "estimate");
        jsonw_bool(w, l->estimate);
        kstr(w, "price_id", l->price->id);
        kstr(w, "source", l->price->source);
        kstr(w, "date", l->price->date);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    fkey(w, "not_priced");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < c->n_unpriced; i++) jsonw_str(w, c->unpriced[i]);
    jsonw_arr_end(w);
    fkey(w, "budget_usd");
    if (an->p.has_budget) jnum(w, an->p.budget);
    else
        jsonw_null(w);
    fkey(w, "within_budget");
    if (c->within < 0) jsonw_null(w);
    else
        jsonw_bool(w, c->within);
    kstr(w, "budget_statement", c->statement);
    fkey(w, "levers");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < c->n_lever; i++) {
        jsonw_obj_begin(w);
        kstr(w, "lever", c->lever[i].name);
        kjnum(w, "savings_usd", c->lever[i].savings);
        kstr(w, "detail", c->lever[i].detail);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    kjnum(w, "best_case_usd", c->best_case);
    json_cost_plans(w, c);
    kstr(w, "pricebook_date", an->a->pricebook_date);
    jsonw_obj_end(w);
}

static void
json_texts(struct jsonw *w, struct analysis *an)
{
    fkey(w, "risks");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < an->n_risk; i++) {
        const struct textrule *r = an->risk[i];
        jsonw_obj_begin(w);
        kstr(w, "risk", expand_str_(an, r->text));
        kstr(w, "likelihood", r->likelihood);
        kstr(w, "impact", r->impact);
        kstr(w, "mitigation", expand_str_(an, r->mitigation));
        kstr(w, "signal", expand_str_(an, r->signal));
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    fkey(w, "quality_rules");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < an->n_q; i++) {
        const struct qrule *q = &an->q[i];
        jsonw_obj_begin(w);
        kstr(w, "stage", q->stage);
        kstr(w, "subject", q->subject);
        kstr(w, "check", q->check);
        kstr(w, "rule", q->rule);
        kstr(w, "severity", q->severity);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    fkey(w, "compliance_controls");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < an->n_control; i++) {
        jsonw_obj_begin(w);
        kstr(w, "control", expand_str_(an, an->control[i]->text));
        kstr(w, "basis", an->control[i]->source);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    fkey(w, "next_steps");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < an->n_step; i++) {
        jsonw_obj_begin(w);
        kint(w, "priority", (long long)i + 1);
        kstr(w, "step", expand_str_(an, an->step[i]->text));
        kstr(w, "effort", an->step[i]->effort);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
}


/* Keys added after the first contract: the kind of request, the questions before committing
 * and the skills the team lacks. (The appendix's tables are here already, structured: the
 * decisions with every alternative, the quality rules, controls, risks and assumptions.) */
static void
json_extra(struct jsonw *w, struct analysis *an)
{
    fkey(w, "request_kind");
    jsonw_obj_begin(w);
    kstr(w, "value", kind_name_(an->p.kind));
    kstr(w, "evidence", an->p.kind_evidence);
    jsonw_obj_end(w);
    const char *q[ADVISOR_MAX_QUESTIONS * 2];
    size_t nq = questions_(an, q, PW_ARRAY_LEN(q));
    fkey(w, "questions");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < nq; i++) jsonw_str(w, q[i]);
    jsonw_arr_end(w);
    const char *gap[8];
    size_t ng = skills_gaps_(an, gap, PW_ARRAY_LEN(gap));
    fkey(w, "skills_gaps");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < ng; i++) jsonw_str(w, gap[i]);
    jsonw_arr_end(w);
}

/* The whole JSON report into 'out'. */
void
render_json_(struct analysis *an, const struct analysis *prev, const struct report *rep,
             const char *fp, struct buf *out)
{
    buf_reserve(out, 65536);
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_obj_begin(&w);
    kstr(&w, "report_id", rep->report_id);
    kstr(&w, "engine_version", ADVISOR_ENGINE_VERSION);
    kstr(&w, "fingerprint", fp);
    kint(&w, "version", rep->version);
    kstr(&w, "project_id", an->p.req.project_id);
    kstr(&w, "event_id", an->p.req.event_id);
    json_profile(&w, an);
    fkey(&w, "assumptions");
    jsonw_arr_begin(&w);
    for (size_t i = 0; i < an->p.n_assumption; i++) {
        jsonw_obj_begin(&w);
        kstr(&w, "field", an->p.assumption[i].field);
        kstr(&w, "value", an->p.assumption[i].value);
        kstr(&w, "effect", an->p.assumption[i].effect);
        jsonw_obj_end(&w);
    }
    jsonw_arr_end(&w);
    json_decisions(&w, an);
    json_sizing(&w, an);
    json_cost(&w, an);
    json_texts(&w, an);
    if (prev) history_json_(an, prev, &w);
    fkey(&w, "iac");
    jsonw_obj_begin(&w);
    kstr(&w, "tool", "terraform");
    kstr(&w, "provider", cloud_info_(an)->provider);
    kstr(&w, "region", region_(an));
    kstr(&w, "terraform", an->terraform);
    jsonw_obj_end(&w);
    fkey(&w, "diagram");
    jsonw_obj_begin(&w);
    kstr(&w, "dot", an->dot);
    jsonw_obj_end(&w);
    fkey(&w, "sections");
    jsonw_obj_begin(&w);
    for (int s = 0; s < SECTION_COUNT; s++)
        kstr(&w, report_section_name((enum report_section)s), rep->sections[s]);
    jsonw_obj_end(&w);
    kstr(&w, "audio_script", rep->audio_script);
    json_extra(&w, an);
    jsonw_obj_end(&w);
}
