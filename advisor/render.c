/* advisor/render.c - write the analysis as the report: Markdown, JSON and the spoken summary.
 *
 * Owns the report's shape (docs/report-contract.md): the seven sections of the brief in Markdown,
 * the structured JSON with every decision, figure and source, and an audio script written for the
 * ear (recommendation first, short sentences, a few rounded numbers, cost, the top risk). It adds
 * no judgement of its own: every sentence states something an earlier stage decided or computed.
 * Output is deterministic: fixed order, numbers formatted the same way on every run.
 */
#include "advisor_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonw.h"
#include "xalloc.h"

/* ---- numbers ------------------------------------------------------------------------------- */

/* Formats 'v' rounded to 'dec' decimals (0-3, trailing zeros dropped), optionally with thousands
 * separators, into 's' (48 bytes). Returns the length, or 0 when out of range (use printf).
 * Rendering writes hundreds of numbers, and printf's float path dominated its cost. */
static size_t
fixed_str(char *s, double v, int dec, int grouped)
{
    static const double scales[] = {1, 10, 100, 1000};
    double scale = scales[dec];
    double r = round(v * scale);
    if (!(fabs(r) < 9e15)) return 0;
    long long n = (long long)r;
    size_t o = 0;
    if (n < 0) {
        s[o++] = '-';
        n = -n;
    }
    long long whole = n / (long long)scale, frac = n % (long long)scale;
    char digits[24];
    int len = 0;
    do {
        digits[len++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole);
    for (int i = len - 1; i >= 0; i--) {
        s[o++] = digits[i];
        if (grouped && i > 0 && i % 3 == 0) s[o++] = ',';
    }
    if (frac) {
        char f[4];
        for (int i = dec - 1; i >= 0; i--) {
            f[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        int keep = dec;
        while (keep > 0 && f[keep - 1] == '0') keep--;
        s[o++] = '.';
        for (int i = 0; i < keep; i++) s[o++] = f[i];
    }
    s[o] = '\0';
    return o;
}

static void
put_grouped(struct buf *out, double v)
{
    char s[48];
    size_t n = fixed_str(s, v, 0, 1);
    if (n) buf_append(out, s, n);
    else buf_fmt_(out, "%.0f", v);
}

static void
put_fixed(struct buf *out, double v, int dec, int grouped)
{
    char s[48];
    size_t n = fixed_str(s, v, dec, grouped);
    if (n) buf_append(out, s, n);
    else buf_fmt_(out, "%.*f", dec, v);
}

void
fmt_num_(struct buf *out, double v)
{
    double a = fabs(v);
    if (a >= 100 || a == floor(a)) put_grouped(out, v);
    else if (a >= 10) put_fixed(out, v, 1, 0);
    else if (a >= 1) put_fixed(out, v, 2, 0);
    else if (a >= 0.01) put_fixed(out, v, 3, 0);
    else buf_fmt_(out, "%.3g", v);
}

const char *
fmt_num_arena_(struct analysis *an, double v)
{
    struct buf b;
    buf_init(&b);
    fmt_num_(&b, v);
    const char *s = arena_strdup_(&an->ar, b.data);
    buf_fini(&b);
    return s;
}

void
fmt_usd_(struct buf *out, double v)
{
    if (!isfinite(v)) {
        buf_puts(out, "an unknown amount");
        return;
    }
    buf_putc(out, '$');
    if (fabs(v) >= 100) {
        put_grouped(out, round(v));
    } else {
        /* Always two decimals for cents: $12.50. */
        long long c = (long long)round(fabs(v) * 100);
        char s[24];
        snprintf(s, sizeof(s), "%s%lld.%02lld", v < 0 ? "-" : "", c / 100, c % 100);
        buf_puts(out, s);
    }
}

const char *
short_name_(struct analysis *an, const char *name)
{
    size_t n = strcspn(name, "(;:");
    while (n && name[n - 1] == ' ') n--;
    char *s = arena_alloc_(&an->ar, n + 1);
    memcpy(s, name, n);
    s[n] = '\0';
    return s;
}

/* Money as people say it: "about 1,900 dollars", "about 12 thousand dollars". */
static void
spoken_usd(struct buf *out, double v)
{
    if (v < 10) {
        buf_puts(out, "under 10 dollars");
    } else if (v < 1000) {
        buf_puts(out, "about ");
        put_grouped(out, round(v / 10) * 10);
        buf_puts(out, " dollars");
    } else if (v < 10000) {
        buf_puts(out, "about ");
        put_grouped(out, round(v / 100) * 100);
        buf_puts(out, " dollars");
    } else if (v < 1e6) {
        buf_fmt_(out, "about %.0f thousand dollars", round(v / 1000));
    } else {
        buf_fmt_(out, "about %.1f million dollars", round(v / 1e5) / 10);
    }
}

static void
spoken_duration(struct buf *out, double s)
{
    if (s < 1) buf_puts(out, "under a second");
    else if (s < 120) buf_fmt_(out, "%.0f seconds", s);
    else if (s < 7200) buf_fmt_(out, "%.0f minutes", round(s / 60));
    else if (s < 172800) buf_fmt_(out, "%.0f hours", round(s / 3600));
    else buf_fmt_(out, "%.0f days", round(s / 86400));
}

/* ---- fingerprint ---------------------------------------------------------------------------- */

static void
fnv(uint64_t *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        *h ^= p[i];
        *h *= 1099511628211ull;
    }
}

static void
fnv_str(uint64_t *h, const char *s)
{
    if (s) fnv(h, s, strlen(s) + 1);
    else fnv(h, "\xff", 1);
}

static void
fnv_num(uint64_t *h, double v)
{
    /* The exact bits of the value (one NaN, one zero), so equal inputs hash alike. */
    if (isnan(v)) v = NAN;
    if (v == 0) v = 0;
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    fnv(h, &bits, sizeof(bits));
}

static void
fnv_list(uint64_t *h, const struct strlist *l)
{
    fnv_num(h, (double)l->n);
    for (size_t i = 0; i < l->n; i++) fnv_str(h, l->v[i]);
}

/* A hash of the normalised requirement: everything but ids, timestamps and audio options. */
static void
fingerprint(const struct analysis *an, char out[17])
{
    const struct requirement *r = &an->p.req;
    uint64_t h = 14695981039346656037ull;
    fnv_str(&h, ADVISOR_ENGINE_VERSION);
    fnv_str(&h, r->title);
    fnv_str(&h, r->description);
    fnv_num(&h, (double)r->n_sources);
    for (size_t i = 0; i < r->n_sources; i++) {
        const struct req_source *s = &r->sources[i];
        fnv_str(&h, s->name);
        fnv_num(&h, s->kind);
        fnv_num(&h, s->volume_gb_per_day);
        fnv_num(&h, s->peak_events_per_sec);
        fnv_num(&h, s->avg_record_bytes);
        fnv_num(&h, s->contains_pii);
    }
    fnv_num(&h, r->freshness_seconds);
    fnv_num(&h, r->retention_days);
    fnv_list(&h, &r->consumers);
    fnv_str(&h, r->cloud);
    fnv_num(&h, r->budget_usd_per_month);
    fnv_list(&h, &r->compliance);
    fnv_list(&h, &r->existing_stack);
    fnv_num(&h, r->team_size);
    fnv_list(&h, &r->team_skills);
    fnv_num(&h, r->availability_target);
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* ---- JSON ----------------------------------------------------------------------------------- */

/* Bytes a JSON string may carry as they are: printable ASCII but '"' and '\\'. */
static const unsigned char json_plain[256] = {
    ['\x20'] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['('] = 1,
    [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1, ['.'] = 1, ['/'] = 1, ['0'] = 1,
    ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
    ['9'] = 1, [':'] = 1, [';'] = 1, ['<'] = 1, ['='] = 1, ['>'] = 1, ['?'] = 1, ['@'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1, ['['] = 1, [']'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['a'] = 1,
    ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1,
    ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1,
    ['z'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1};

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
 * other than '"' and '\\'. Eight bytes at a time: a word holds no byte that needs escaping when
 * none is below 0x20, none is 0x22, 0x5C or 0x7F and none has the high bit (the usual bit tricks
 * for "has a zero byte" and "has a byte less than n"). */
static size_t
plain_run(const unsigned char *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    size_t i = 0;
    while (i + 8 <= n) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\'), del = x ^ (ones * 0x7f);
        uint64_t bad = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((bs - ones) & ~bs) |
                       ((del - ones) & ~del) | x;
        if (bad & high) break;
        i += 8;
    }
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
        else if (c == '\\') buf_append(out, "\\\\", 2);
        else if (c == '\n') buf_append(out, "\\n", 2);
        else if (c == '\t') buf_append(out, "\\t", 2);
        else if (c == '\r') buf_append(out, "\\r", 2);
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
        (n = fixed_str(s, v, 3, 0)) > 0) {
        jsonw_raw(w, s, n);
        return;
    }
    jsonw_num(w, v);
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
    jsonw_key(w, key);
    jsonw_obj_begin(w);
    kjnum(w, "value", v);
    kstr(w, "source", origin_name_(o));
    jsonw_obj_end(w);
}

static void
klist(struct jsonw *w, const char *key, const struct strlist *l, enum origin o)
{
    jsonw_key(w, key);
    jsonw_obj_begin(w);
    jsonw_key(w, "value");
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
    jsonw_key(w, "profile");
    jsonw_obj_begin(w);
    kstr(w, "title", p->title);
    jsonw_key(w, "cloud");
    jsonw_obj_begin(w);
    kstr(w, "value", cloud_name_(p->cloud));
    kstr(w, "source", origin_name_(p->o_cloud));
    jsonw_obj_end(w);
    kval(w, "freshness_seconds", p->freshness_s, p->o_freshness);
    kval(w, "retention_days", p->retention_days, p->o_retention);
    jsonw_key(w, "budget_usd_per_month");
    jsonw_obj_begin(w);
    jsonw_key(w, "value");
    if (p->has_budget) jnum(w, p->budget);
    else jsonw_null(w);
    kstr(w, "source", p->has_budget ? origin_name_(p->o_budget) : "unknown");
    jsonw_obj_end(w);
    kval(w, "team_size", p->team_size, p->o_team);
    kval(w, "availability_target", p->availability, p->o_availability);
    klist(w, "consumers", &p->req.consumers, p->o_consumers);
    klist(w, "compliance", &p->req.compliance, p->o_compliance);
    klist(w, "existing_stack", &p->req.existing_stack, p->o_stack);
    klist(w, "team_skills", &p->req.team_skills, p->o_skills);
    jsonw_key(w, "needs");
    jsonw_arr_begin(w);
    for (int n = 0; n < NEED_COUNT; n++)
        if ((p->needs >> n) & 1) jsonw_str(w, need_name_((enum need)n));
    jsonw_arr_end(w);
    jsonw_kbool(w, "contains_pii", p->has_pii);
    jsonw_key(w, "sources");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < p->n_src; i++) {
        const struct src *s = &p->src[i];
        jsonw_obj_begin(w);
        kstr(w, "name", s->name);
        jsonw_key(w, "kind");
        jsonw_obj_begin(w);
        kstr(w, "value", source_kind_name(s->kind));
        kstr(w, "source", origin_name_(s->o_kind));
        jsonw_obj_end(w);
        kval(w, "volume_gb_per_day", r2(s->gb_day), s->o_volume);
        kval(w, "peak_events_per_sec", r2(s->peak_ev_s), s->o_peak);
        kval(w, "avg_record_bytes", s->record_bytes, s->o_bytes);
        jsonw_key(w, "contains_pii");
        jsonw_obj_begin(w);
        jsonw_key(w, "value");
        if (s->pii < 0) jsonw_null(w);
        else jsonw_bool(w, s->pii);
        kstr(w, "source", s->pii < 0 ? "unknown" : origin_name_(s->o_pii));
        jsonw_obj_end(w);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    jsonw_key(w, "totals");
    jsonw_obj_begin(w);
    kjnum(w, "volume_gb_per_day", r2(p->total.gb_day));
    kjnum(w, "avg_mb_per_sec", r2(p->total.avg_mb_s));
    kjnum(w, "peak_mb_per_sec", r2(p->total.peak_mb_s));
    kjnum(w, "peak_events_per_sec", r2(p->total.peak_ev_s));
    kjnum(w, "lake_gb_per_day", r2(p->total.lake_gb_day));
    jsonw_obj_end(w);
    jsonw_key(w, "extracted");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < p->ex.n_notes; i++) {
        jsonw_obj_begin(w);
        kstr(w, "field", p->ex.notes[i].field);
        kstr(w, "evidence", p->ex.notes[i].evidence);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    jsonw_obj_end(w);
}

static void
json_decisions(struct jsonw *w, const struct analysis *an)
{
    jsonw_key(w, "decisions");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        jsonw_obj_begin(w);
        kstr(w, "area", d->area);
        if (d->subject) kstr(w, "for", d->subject);
        kstr(w, "choice", d->choice);
        kjnum(w, "score", round(d->score));
        if (d->t) {
            jsonw_key(w, "criteria");
            jsonw_obj_begin(w);
            for (int c = 0; c < CRIT_COUNT; c++) kjnum(w, crit_name_((enum crit)c), d->crit[c]);
            jsonw_obj_end(w);
            jsonw_kbool(w, "reuses_existing", d->reused);
        }
        jsonw_key(w, "alternatives");
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

static void
json_sizing(struct jsonw *w, const struct analysis *an)
{
    const struct sizing *sz = &an->sz;
    jsonw_key(w, "sizing");
    jsonw_obj_begin(w);
    if (sz->has_kafka) {
        jsonw_key(w, "kafka");
        jsonw_obj_begin(w);
        kstr(w, "via", sz->kafka_via);
        jsonw_kint(w, "partitions", sz->partitions);
        kstr(w, "partitions_working", sz->partitions_working);
        if (sz->kafka_self) {
            jsonw_kint(w, "brokers", sz->brokers);
            kstr(w, "broker_type", sz->broker_type);
            kstr(w, "brokers_working", sz->brokers_working);
            jsonw_kint(w, "replication_factor", sz->rf);
            jsonw_kint(w, "min_insync_replicas", sz->min_insync);
            kjnum(w, "retention_days", an->a->k.kafka_retention_days);
            kjnum(w, "broker_storage_gb", round(sz->broker_disk_gb));
            kstr(w, "storage_working", sz->disk_working);
        } else {
            kstr(w, "brokers_and_replication", "managed by the service");
        }
        jsonw_obj_end(w);
    }
    jsonw_key(w, "streams");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < sz->n_unit; i++) {
        const struct stream_unit *u = &sz->unit[i];
        jsonw_obj_begin(w);
        kstr(w, "service", u->d->choice);
        kjnum(w, "peak_mb_per_sec", r2(u->f.peak_mb_s));
        kjnum(w, "peak_events_per_sec", r2(u->f.peak_ev_s));
        jsonw_kint(w, "units", u->units);
        kstr(w, "unit", u->unit_name);
        kstr(w, "working", u->working);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    if (sz->has_stream) {
        jsonw_key(w, "stream_processing");
        jsonw_obj_begin(w);
        kjnum(w, "vcpu", sz->stream_vcpu);
        jsonw_kbool(w, "stateful", sz->stateful);
        kstr(w, "working", sz->stream_working);
        jsonw_obj_end(w);
    }
    jsonw_key(w, "batch");
    jsonw_obj_begin(w);
    kjnum(w, "vcpu_hours_per_month", round(sz->batch_vcpu_h));
    kstr(w, "working", sz->batch_working);
    jsonw_obj_end(w);
    jsonw_key(w, "storage");
    jsonw_obj_begin(w);
    kjnum(w, "total_tb", r2(sz->total_tb));
    kjnum(w, "lake_gb_per_day", r2(an->p.total.lake_gb_day));
    kjnum(w, "month1_gb", round(sz->month1_gb));
    kjnum(w, "planning_month_gb", round(sz->plan_gb));
    kjnum(w, "steady_state_gb", round(sz->steady_gb));
    kjnum(w, "landing_gb", round(sz->landing_gb));
    kstr(w, "working", sz->storage_working);
    jsonw_obj_end(w);
    jsonw_key(w, "warehouse");
    jsonw_obj_begin(w);
    kjnum(w, "tb_scanned_per_month", r2(sz->scan_tb));
    kjnum(w, "transform_tb_scanned_per_month", r2(sz->batch_scan_tb));
    jsonw_obj_end(w);
    jsonw_key(w, "network");
    jsonw_obj_begin(w);
    kjnum(w, "avg_gbit_per_sec", r2(sz->net_avg_gbit));
    kjnum(w, "peak_gbit_per_sec", r2(sz->net_peak_gbit));
    jsonw_obj_end(w);
    if (an->p.cloud == CLOUD_ON_PREM) {
        jsonw_key(w, "capacity");
        jsonw_obj_begin(w);
        kjnum(w, "hot_raw_tb_90_days", r2(sz->raw_capacity_tb));
        kjnum(w, "tape_cartridges_per_year", ceil(sz->tape_per_year));
        kjnum(w, "ten_year_tb", r2(an->p.total.lake_gb_day * 3650 / 1000.0));
        jsonw_obj_end(w);
    }
    jsonw_obj_end(w);
}

static void
json_cost(struct jsonw *w, const struct analysis *an)
{
    const struct costing *c = &an->cost;
    jsonw_key(w, "cost");
    jsonw_obj_begin(w);
    jsonw_key(w, "monthly_usd");
    if (c->priced) jnum(w, c->monthly);
    else jsonw_null(w);
    kjnum(w, "month1_usd", c->month1);
    kjnum(w, "steady_state_usd", c->steady);
    kstr(w, "basis",
               c->priced ? "list prices, on demand, at the planning month (storage grows monthly)"
                         : "capacity: no cloud bill applies");
    kjnum(w, "planning_month", an->a->k.planning_month);
    jsonw_key(w, "line_items");
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
        kstr(w, "price_id", l->price->id);
        kstr(w, "source", l->price->source);
        kstr(w, "date", l->price->date);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    jsonw_key(w, "not_priced");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < c->n_unpriced; i++) jsonw_str(w, c->unpriced[i]);
    jsonw_arr_end(w);
    jsonw_key(w, "budget_usd");
    if (an->p.has_budget) jnum(w, an->p.budget);
    else jsonw_null(w);
    jsonw_key(w, "within_budget");
    if (c->within < 0) jsonw_null(w);
    else jsonw_bool(w, c->within);
    kstr(w, "budget_statement", c->statement);
    jsonw_key(w, "levers");
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
    kstr(w, "pricebook_date", an->a->pricebook_date);
    jsonw_obj_end(w);
}

static void
json_texts(struct jsonw *w, struct analysis *an)
{
    jsonw_key(w, "risks");
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
    jsonw_key(w, "quality_rules");
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
    jsonw_key(w, "compliance_controls");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < an->n_control; i++) {
        jsonw_obj_begin(w);
        kstr(w, "control", expand_str_(an, an->control[i]->text));
        kstr(w, "basis", an->control[i]->source);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    jsonw_key(w, "next_steps");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < an->n_step; i++) {
        jsonw_obj_begin(w);
        jsonw_kint(w, "priority", (long long)i + 1);
        kstr(w, "step", expand_str_(an, an->step[i]->text));
        kstr(w, "effort", an->step[i]->effort);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
}

/* ---- Markdown ------------------------------------------------------------------------------- */

static const char *
mode_words(enum mode m)
{
    return m == MODE_STREAMING ? "streaming" : m == MODE_MICRO_BATCH ? "micro-batch" : "batch";
}

static const char *
choice_or(const struct analysis *an, const char *area, const char *dflt)
{
    const struct decision *d = decision_find_(an, area);
    return d ? d->choice : dflt;
}

/* Appends 's' as one Markdown table cell: '|' escaped, newlines as spaces. */
static void
md_cell(struct buf *b, const char *s)
{
    if (s == NULL) return;
    for (;;) {
        size_t n = strcspn(s, "|\n");
        buf_append(b, s, n);
        s += n;
        if (*s == '\0') return;
        buf_puts(b, *s == '|' ? "\\|" : " ");
        s++;
    }
}

static void
sec_summary(struct analysis *an, const struct analysis *prev, struct buf *b)
{
    const struct profile *p = &an->p;
    const struct costing *c = &an->cost;
    buf_fmt_(b, "**Recommendation:** a %s design %s%s. ", mode_words(an->mode),
               an->p.cloud == CLOUD_ON_PREM ? "" : "on ", cloud_info_(an)->name);
    buf_puts(b, "Data enters through ");
    size_t n = 0;
    for (size_t i = 0; i < an->n_dec; i++) {
        if (strcmp(an->dec[i].area, "ingestion") != 0) continue;
        buf_fmt_(b, "%s%s", n++ ? " and " : "", an->dec[i].choice);
    }
    const struct decision *sp = decision_find_(an, "stream_processing");
    if (sp) buf_fmt_(b, ", is processed continuously by %s", sp->choice);
    if (an->p.binary_share >= 0.5)
        /* binary objects are kept as they are; only their metadata becomes tables */
        buf_fmt_(b, ", lands in %s (objects as they are, their metadata in %s tables), is "
                      "modelled with %s and is queried through %s.\n\n",
                   choice_or(an, "storage", "object storage"),
                   choice_or(an, "table_format", "open"),
                   choice_or(an, "transformation", "SQL"), choice_or(an, "warehouse", "SQL"));
    else
        buf_fmt_(b, ", lands in %s as %s tables, is modelled with %s and is queried through "
                      "%s.\n\n",
                   choice_or(an, "storage", "object storage"),
                   choice_or(an, "table_format", "open"),
                   choice_or(an, "transformation", "SQL"), choice_or(an, "warehouse", "SQL"));
    struct buf t;
    buf_init(&t);
    buf_puts(b, "- **Workload:** ");
    fmt_num_(b, p->total.gb_day);
    buf_fmt_(b, " GB/day from %zu source%s (peak ", p->n_src, p->n_src == 1 ? "" : "s");
    fmt_num_(b, p->total.peak_mb_s);
    buf_puts(b, " MB/s, ");
    fmt_num_(b, p->total.peak_ev_s);
    buf_puts(b, " events/s); freshness target ");
    expand_(an, "{freshness}", b);
    buf_puts(b, "; retention ");
    expand_(an, "{retention}", b);
    buf_puts(b, ".\n");
    buf_puts(b, "- **Cost:** ");
    if (c->priced) {
        fmt_usd_(b, c->monthly);
        buf_fmt_(b, " a month at month %.0f (month 1 ", an->a->k.planning_month);
        fmt_usd_(b, c->month1);
        buf_puts(b, ", steady state ");
        fmt_usd_(b, c->steady);
        buf_puts(b, "). ");
    }
    buf_puts(b, c->statement);
    buf_putc(b, '\n');
    if (an->n_risk) {
        buf_puts(b, "- **Top risks:** ");
        for (size_t i = 0; i < an->n_risk && i < 3; i++) {
            buf_puts(b, i ? "; " : "");
            expand_(an, an->risk[i]->text, b);
        }
        buf_puts(b, ".\n");
    }
    buf_puts(b, "- **Why this design:** ");
    n = 0;
    static const char *const key_areas[] = {"stream_processing", "transformation", "storage",
                                            "warehouse"};
    for (size_t i = 0; i < PW_ARRAY_LEN(key_areas); i++) {
        const struct decision *d = decision_find_(an, key_areas[i]);
        if (d == NULL || d->t == NULL) continue;
        buf_fmt_(b, "%s%s: %s", n++ ? "; " : "", short_name_(an, d->choice), d->t->why);
    }
    buf_puts(b, ".\n");
    buf_fini(&t);
    if (p->n_assumption) {
        buf_puts(b, "\n**Assumptions** (each changes the answer if wrong):\n\n");
        for (size_t i = 0; i < p->n_assumption; i++)
            buf_fmt_(b, "- `%s` = %s: %s.\n", p->assumption[i].field, p->assumption[i].value,
                       p->assumption[i].effect);
    }
    if (p->ex.n_notes) {
        buf_puts(b, "\n**Read from the description:**\n\n");
        for (size_t i = 0; i < p->ex.n_notes && i < 24; i++)
            buf_fmt_(b, "- `%s` from \"%s\"\n", p->ex.notes[i].field, p->ex.notes[i].evidence);
    }
    if (prev) {
        buf_puts(b, "\n");
        history_markdown_(an, prev, b);
    }
}

static void
sec_architecture(struct analysis *an, struct buf *b)
{
    buf_puts(b, "Data flows left to right:\n\n");
    size_t step = 1;
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (strcmp(d->area, "ingestion") == 0)
            buf_fmt_(b, "%zu. **Ingest** %s with %s.\n", step++, d->subject, d->choice);
    }
    const struct decision *sp = decision_find_(an, "stream_processing");
    if (sp) buf_fmt_(b, "%zu. **Process the stream** with %s.\n", step++, sp->choice);
    if (an->p.binary_share >= 0.5)
        buf_fmt_(b, "%zu. **Store** in %s; objects keep their original format and their "
                      "metadata goes into %s tables.\n", step++,
                   choice_or(an, "storage", "object storage"),
                   choice_or(an, "table_format", "open"));
    else
        buf_fmt_(b, "%zu. **Store** in %s, as %s tables in %s files.\n", step++,
                   choice_or(an, "storage", "object storage"),
                   choice_or(an, "table_format", "open"),
                   short_name_(an, choice_or(an, "file_format", "columnar")));
    buf_fmt_(b, "%zu. **Transform** with %s, orchestrated by %s.\n", step++,
               choice_or(an, "transformation", "SQL"),
               choice_or(an, "orchestration", "a scheduler"));
    buf_fmt_(b, "%zu. **Query** through %s.\n", step++, choice_or(an, "warehouse", "SQL"));
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (strcmp(d->area, "serving") == 0)
            buf_fmt_(b, "%zu. **Serve** (%s) with %s.\n", step++, d->subject, d->choice);
    }
    buf_fmt_(b, "%zu. **Govern** with %s; check quality with %s.\n\n", step,
               choice_or(an, "governance", "a catalog"), choice_or(an, "data_quality", "checks"));
    buf_puts(b, "| Area | Choice | Score | Why |\n|---|---|---|---|\n");
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        buf_puts(b, "| ");
        md_cell(b, d->area);
        if (d->subject) {
            buf_puts(b, " (");
            md_cell(b, d->subject);
            buf_puts(b, ")");
        }
        buf_puts(b, " | ");
        md_cell(b, d->choice);
        buf_puts(b, " | ");
        put_grouped(b, d->score);
        buf_puts(b, " | ");
        md_cell(b, d->t ? d->t->why : d->rationale);
        buf_puts(b, " |\n");
    }
    buf_puts(b, "\n**Alternatives weighed** (scores out of 100 on latency, scale, cost, "
                "operations, skills and lock-in, weighted for this request):\n\n");
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (d->n_alt == 0) continue;
        buf_puts(b, "- *");
        buf_puts(b, d->area);
        buf_puts(b, "*: ");
        for (size_t j = 0; j < d->n_alt; j++) {
            if (j) buf_puts(b, "; ");
            buf_puts(b, d->alt[j].name);
            buf_puts(b, " (");
            buf_puts(b, d->alt[j].why_not);
            buf_puts(b, ")");
        }
        buf_puts(b, ".\n");
    }
    buf_puts(b, "\nData-flow diagram (Graphviz DOT):\n\n```dot\n");
    buf_puts(b, an->dot);
    buf_puts(b, "```\n");
}

static void
sec_implementation(struct analysis *an, struct buf *b)
{
    const struct profile *p = &an->p;
    const struct knobs *k = &an->a->k;
    buf_puts(b, "**Pipeline stages and DAG** (each task idempotent: it overwrites its own "
                "partition, so a retry or backfill is safe):\n\n");
    buf_fmt_(b, "1. `land`: raw data into the landing zone, kept %.0f days, compressed.\n",
               fmin(k->landing_days, p->retention_days));
    buf_puts(b, "2. `validate`: landing checks (freshness, volume, schema); failures go to a "
                "quarantine prefix and alert.\n");
    buf_fmt_(b, "3. `stage`: typed, de-duplicated %s tables (nulls, uniqueness, ranges "
                  "checked).\n",
               choice_or(an, "table_format", "lake"));
    buf_fmt_(b, "4. `model`: %s.\n", choice_or(an, "data_model", "marts"));
    buf_puts(b, "5. `publish`: marts and serving tables swapped in atomically after their "
                "checks pass.\n\n");
    buf_fmt_(b, "**Data model:** %s. **Partitioning:** %s.\n\n",
               choice_or(an, "data_model", "dimensional"),
               choice_or(an, "partitioning", "by date"));
    buf_puts(b, "**Schema evolution:** additive changes only (new optional fields with defaults) "
                "are backward compatible and deploy freely; renames and type changes go through "
                "a new field or version and a dual-write period; the registry or contract check "
                "in CI blocks incompatible changes.\n\n");
    buf_puts(b, "**Retention and archival:** ");
    if (an->sz.landing_gb > 0)
        buf_fmt_(b, "landing files for %.0f days; ", fmin(k->landing_days, p->retention_days));
    else
        buf_puts(b, "objects land once, in the store that keeps them; ");
    /* an archive moves to a cold class (restores take hours), a lake to its cool tier */
    buf_fmt_(b, "%s hot for %.0f days, then the %s",
               (p->needs >> NEED_ARCHIVE) & 1 ? "objects" : "lake data",
               fmin(k->hot_days, p->retention_days),
               (p->needs >> NEED_ARCHIVE) & 1 ? "archive tier (restores take hours)"
                                              : "cool tier");
    buf_puts(b, "; everything expires after ");
    expand_(an, "{retention}", b);
    buf_puts(b, " through lifecycle rules and table snapshot expiry.\n\n");
    buf_puts(b, "**Data quality rules:**\n\n| Stage | Subject | Check | Rule | Severity |\n"
                "|---|---|---|---|---|\n");
    for (size_t i = 0; i < an->n_q; i++) {
        const struct qrule *q = &an->q[i];
        buf_puts(b, "| ");
        buf_puts(b, q->stage);
        buf_puts(b, " | ");
        md_cell(b, q->subject);
        buf_puts(b, " | ");
        buf_puts(b, q->check);
        buf_puts(b, " | ");
        md_cell(b, q->rule);
        buf_puts(b, " | ");
        buf_puts(b, q->severity);
        buf_puts(b, " |\n");
    }
    buf_puts(b, "\n**Governance and compliance controls:**\n\n");
    for (size_t i = 0; i < an->n_control; i++) {
        buf_puts(b, "- ");
        expand_(an, an->control[i]->text, b);
        buf_puts(b, " (");
        buf_puts(b, an->control[i]->source);
        buf_puts(b, ")\n");
    }
    buf_puts(b, "\n**Testing strategy:** unit tests for every transformation on small fixture "
                "tables; contract tests on each source's schema in CI; an end-to-end run on a "
                "sample day in a staging environment before each release; a replay test that "
                "re-runs yesterday and compares outputs byte for byte (idempotence).\n\n");
    buf_fmt_(b, "**Infrastructure as Code** (Terraform for %s; `terraform fmt` leaves it "
                  "unchanged):\n\n```hcl\n",
               cloud_info_(an)->name);
    buf_puts(b, an->terraform);
    buf_puts(b, "```\n");
}

static void
sec_performance(struct analysis *an, struct buf *b)
{
    const struct sizing *sz = &an->sz;
    const struct profile *p = &an->p;
    buf_puts(b, "**Throughput:** ");
    fmt_num_(b, p->total.gb_day);
    buf_puts(b, " GB/day x 1,000 / 86,400 s = ");
    fmt_num_(b, p->total.avg_mb_s);
    buf_puts(b, " MB/s on average; peak ");
    fmt_num_(b, p->total.peak_mb_s);
    buf_puts(b, " MB/s and ");
    fmt_num_(b, p->total.peak_ev_s);
    buf_puts(b, " events/s (sources without a stated peak are taken at 3x their average).\n\n");
    if (sz->has_kafka) {
        buf_fmt_(b, "**Kafka (%s):** partitions = %s.", sz->kafka_via, sz->partitions_working);
        if (sz->kafka_self)
            buf_fmt_(b, " Brokers: %s. Broker storage: %s. Replication factor %ld with "
                          "min.insync.replicas %ld and acks=all.",
                       sz->brokers_working, sz->disk_working, sz->rf, sz->min_insync);
        buf_puts(b, "\n\n");
    }
    for (size_t i = 0; i < sz->n_unit; i++)
        if (!(sz->has_kafka && strcmp(sz->unit[i].d->t->family, "kafka") == 0 && sz->kafka_self))
            buf_fmt_(b, "**%s:** %s.\n\n", sz->unit[i].d->choice, sz->unit[i].working);
    if (sz->has_stream)
        buf_fmt_(b, "**Stream processing:** %s.\n\n", sz->stream_working);
    buf_fmt_(b, "**Batch compute:** %s (sizing.md: 10-40 GB of raw input per vCPU-hour).\n\n",
               sz->batch_working);
    buf_fmt_(b, "**Storage:** %s. Total at steady state: ", sz->storage_working);
    fmt_num_(b, sz->total_tb);
    buf_puts(b, " TB.\n\n");
    buf_puts(b, "**Queries:** about ");
    fmt_num_(b, sz->scan_tb);
    buf_puts(b, " TB scanned a month by dashboards and ad-hoc queries (each day's columnar data "
                "read about four times); partition pruning and clustering cut this further.\n\n");
    if (p->cloud == CLOUD_ON_PREM) {
        buf_puts(b, "**Capacity:** network ");
        fmt_num_(b, sz->net_avg_gbit);
        buf_puts(b, " Gbit/s average and ");
        fmt_num_(b, sz->net_peak_gbit);
        buf_puts(b, " Gbit/s at peak; hot tier for 90 days needs ");
        fmt_num_(b, sz->raw_capacity_tb);
        buf_puts(b, " TB raw with 4+2 erasure coding; ");
        fmt_num_(b, ceil(sz->tape_per_year));
        buf_puts(b, " LTO-9 cartridges a year for two tape copies.\n\n");
    }
    buf_puts(b, "**Optimisations:** columnar files of 256-512 MB with compaction; partition by "
                "date and cluster by the common filter keys; incremental models instead of full "
                "rebuilds; autoscaling consumers on lag; caching of the hottest aggregates.\n\n");
    buf_puts(b, "**Scalability:** every stage scales horizontally: more partitions or shards "
                "and consumers for the stream, more workers for the jobs, storage without limit; "
                "re-run the sizing above when volume doubles.\n");
}

static void
sec_cost(struct analysis *an, struct buf *b)
{
    const struct costing *c = &an->cost;
    if (c->n_line) {
        buf_fmt_(b, "Monthly run rate at month %.0f, list prices (price book dated %s):\n\n",
                   an->a->k.planning_month, an->a->pricebook_date);
        buf_puts(b, "| Service | Quantity | Unit | Unit price | Monthly |\n"
                    "|---|---|---|---|---|\n");
        for (size_t i = 0; i < c->n_line; i++) {
            const struct line *l = &c->line[i];
            buf_puts(b, "| ");
            md_cell(b, l->service);
            buf_puts(b, " | ");
            fmt_num_(b, l->qty);
            buf_fmt_(b, " | %s | $%g | ", l->price->unit, l->price->usd);
            fmt_usd_(b, l->monthly);
            buf_puts(b, " |\n");
        }
        buf_puts(b, "| **Total** | | | | **");
        fmt_usd_(b, c->monthly);
        buf_puts(b, "** |\n\nMonth 1: ");
        fmt_usd_(b, c->month1);
        buf_puts(b, "; steady state at full retention: ");
        fmt_usd_(b, c->steady);
        buf_puts(b, ".\n\n");
    }
    buf_puts(b, c->statement);
    buf_puts(b, "\n\n");
    if (an->p.cloud == CLOUD_ON_PREM) {
        const struct sizing *sz = &an->sz;
        buf_puts(b, "| Capacity | Figure |\n|---|---|\n| Hot tier, 90 days, raw with 4+2 erasure "
                    "coding | ");
        fmt_num_(b, sz->raw_capacity_tb);
        buf_puts(b, " TB |\n| Growth of the lake per year | ");
        fmt_num_(b, an->p.total.lake_gb_day * 365 / 1000.0);
        buf_puts(b, " TB |\n| Lake at full retention | ");
        fmt_num_(b, sz->steady_gb / 1000.0);
        buf_puts(b, " TB |\n| Tape cartridges a year (LTO-9, two copies) | ");
        fmt_num_(b, ceil(sz->tape_per_year));
        buf_puts(b, " |\n| Network, average and peak | ");
        fmt_num_(b, sz->net_avg_gbit);
        buf_puts(b, " and ");
        fmt_num_(b, sz->net_peak_gbit);
        buf_puts(b, " Gbit/s |\n| Batch compute | ");
        fmt_num_(b, sz->batch_vcpu_h);
        buf_puts(b, " vCPU-hours a month |\n\nCompare the lake at full retention with the object "
                    "store's usable capacity: what does not fit belongs on tape.\n\n");
    }
    if (c->n_unpriced) {
        buf_puts(b, "Not priced (no list price in the price book; add them before committing "
                    "to the budget):\n\n");
        for (size_t i = 0; i < c->n_unpriced; i++) buf_fmt_(b, "- %s\n", c->unpriced[i]);
        buf_puts(b, "\n");
    }
    if (c->n_lever) {
        buf_puts(b, "**Cost levers:**\n\n| Lever | Saves a month | How |\n|---|---|---|\n");
        for (size_t i = 0; i < c->n_lever; i++) {
            buf_fmt_(b, "| %s | ", c->lever[i].name);
            fmt_usd_(b, c->lever[i].savings);
            buf_puts(b, " | ");
            md_cell(b, c->lever[i].detail);
            buf_puts(b, " |\n");
        }
        buf_puts(b, "\n");
    }
    if (c->priced) {
        buf_puts(b, "Prices are public on-demand list prices of one region per cloud; each line "
                    "in the JSON report names its source and date.\n");
    }
}

static void
sec_risks(struct analysis *an, struct buf *b)
{
    buf_puts(b, "| Risk | Likelihood | Impact | Mitigation | Signal to monitor |\n"
                "|---|---|---|---|---|\n");
    for (size_t i = 0; i < an->n_risk; i++) {
        const struct textrule *r = an->risk[i];
        buf_puts(b, "| ");
        md_cell(b, expand_str_(an, r->text));
        buf_puts(b, " | ");
        buf_puts(b, r->likelihood);
        buf_puts(b, " | ");
        buf_puts(b, r->impact);
        buf_puts(b, " | ");
        md_cell(b, expand_str_(an, r->mitigation));
        buf_puts(b, " | ");
        md_cell(b, expand_str_(an, r->signal));
        buf_puts(b, " |\n");
    }
    buf_puts(b, "\n**Monitoring:** the SLO rules in Implementation Details drive alerts; every "
                "pipeline logs one line per run with rows in, rows out, rejects and duration, "
                "and lineage is recorded in ");
    buf_puts(b, choice_or(an, "governance", "the catalog"));
    buf_puts(b, ".\n");
}

static void
sec_steps(struct analysis *an, struct buf *b)
{
    for (size_t i = 0; i < an->n_step; i++) {
        buf_fmt_(b, "%zu. ", i + 1);
        expand_(an, an->step[i]->text, b);
        buf_fmt_(b, " (%s)\n", an->step[i]->effort);
    }
}

/* ---- audio ---------------------------------------------------------------------------------- */

/* The audio script is heard once, at speaking pace, by someone who cannot look back: the
 * recommendation comes first, each sentence carries one fact, product names lose their details,
 * and only a handful of rounded numbers remain (freshness, cost, budget or capacity). Measured by
 * tests/speech/listen (docs/speech.md): sentences of this kind are what a recogniser, and a
 * person, hears best. The text keeps digits and symbols; speech_normalise() says them. */

/* Words after which a long catalog name only adds configuration: "Cloud Run workers on a Pub/Sub
 * push subscription". */
static const char *const ear_links[] = {" with ", " over ", " on ", " into ", " via ", " using ",
                                        " uploading ", " delivering ", " writing ", " pulling ",
                                        " from ", " in "};

/* Length of the part of 's' worth saying: up to the first bracket or clause mark, then, when that
 * is more than 'keep_words' words, up to the first linking word that follows at least one word
 * ("Apache Spark on Amazon EMR" is short enough to say whole). */
static size_t
ear_len(const char *s, const char *marks, size_t keep_words)
{
    size_t n = strcspn(s, marks);
    size_t words = 1;
    for (size_t i = 0; i < n; i++) words += s[i] == ' ';
    for (size_t i = 0; words > keep_words && i < PW_ARRAY_LEN(ear_links); i++) {
        const char *hit = strstr(s, ear_links[i]);
        if (hit && hit > s && (size_t)(hit - s) < n) n = (size_t)(hit - s);
    }
    while (n && s[n - 1] == ' ') n--;
    return n;
}

/* Appends 's[0..n)' with its first letter lower-cased, unless the first word is a name with
 * more capitals ("GDPR", "ClickHouse"). */
static void
put_lower_first(struct buf *b, const char *s, size_t n)
{
    size_t w = 1;
    while (w < n && s[w] >= 'a' && s[w] <= 'z') w++;
    int more_capitals = w < n && s[w] >= 'A' && s[w] <= 'Z';
    if (n >= 2 && s[0] >= 'A' && s[0] <= 'Z' && w > 1 && !more_capitals) {
        buf_putc(b, (char)(s[0] - 'A' + 'a'));
        s++;
        n--;
    }
    buf_append(b, s, n);
}

/* Appends 's[0..n)' without its parenthesised asides ("(see the assumptions)"): said aloud, a
 * bracket is only a pause, and the aside breaks the sentence in two. */
static void
put_unbracketed(struct buf *b, const char *s, size_t n)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '(') {
            depth++;
            while (b->len && b->data[b->len - 1] == ' ') b->data[--b->len] = '\0';
        } else if (s[i] == ')' && depth) {
            depth--;
        } else if (!depth) {
            buf_putc(b, s[i]);
        }
    }
}

/* The product, said short: "Azure Data Factory with a self-hosted integration runtime" is
 * "Azure Data Factory", "Amazon S3 data lake" is "Amazon S3", "Azure Data Lake Storage Gen2" is
 * "Azure Data Lake Storage". */
static void
put_ear_name(struct buf *b, const char *name)
{
    static const char *const generic[] = {" data lake", " cluster", " Gen2"};
    size_t n = ear_len(name, "(;:,", 6);
    if (n == 0) n = strlen(name);
    for (size_t i = 0; i < PW_ARRAY_LEN(generic); i++) {
        size_t g = strlen(generic[i]);
        if (n > g && strncmp(name + n - g, generic[i], g) == 0) n -= g;
    }
    buf_append(b, name, n);
}

/* An amount of data in the unit people use for it, two figures at most: "2,900 terabytes" is
 * "2.9 petabytes". */
static void
put_ear_bytes(struct buf *b, double gb)
{
    static const char *const unit[] = {"megabytes", "gigabytes", "terabytes", "petabytes"};
    int u = 1;
    if (gb < 1) {
        gb *= 1000;
        u = 0;
    }
    while (u < 3 && gb >= 1000) {
        gb /= 1000;
        u++;
    }
    double scale = gb >= 10 ? 1 : 10;
    if (gb >= 100) scale = 0.1;
    put_fixed(b, round(gb * scale) / scale, 1, 0);
    buf_putc(b, ' ');
    buf_puts(b, unit[u]);
}

/* Money the user gave: said as written when it is a round figure, else about two figures. */
static void
put_ear_budget(struct buf *b, double v)
{
    double p = 1;
    while (v / p >= 100) p *= 10;
    if (v >= 10 && round(v / p) * p == v) {
        put_grouped(b, v);
        buf_puts(b, " dollars");
    } else {
        spoken_usd(b, v);
    }
}

/* The project's title, said short: before a colon unless that part is a single word
 * ("Informal: podcast download counts" is "podcast download counts"), without the cloud or the
 * figures that follow a linking word, at most eight words. */
static void
put_ear_title(struct buf *b, const char *title)
{
    const char *t = title;
    size_t colon = strcspn(t, ":");
    if (t[colon] == ':' && memchr(t, ' ', colon) == NULL) t += colon + 1;
    while (*t == ' ') t++;
    size_t n = ear_len(t, ":;,(", 0);
    size_t words = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == ' ' && ++words == 8) {
            n = i;
            break;
        }
    }
    if (n == 0) {
        buf_puts(b, "this project");
        return;
    }
    if (strncasecmp(t, "the ", 4) != 0 && strncasecmp(t, "a ", 2) != 0 &&
        strncasecmp(t, "an ", 3) != 0)
        buf_puts(b, "the ");
    put_lower_first(b, t, n);
}

/* A source's name as words: "wire_agency_feeds" is "wire agency feeds", at most six words. */
static void
put_ear_source(struct buf *b, const char *name)
{
    size_t words = 0;
    for (const char *q = name; *q; q++) {
        char ch = (*q == '_' || *q == '-') ? ' ' : *q;
        if (ch == ' ' && ++words == 6) break;
        buf_putc(b, ch);
    }
}

/* Words that cannot end a spoken clause: a cut after them leaves the sentence hanging. */
static int
weak_word(const char *w, size_t n)
{
    static const char *const weak[] = {"a", "an", "the", "and", "or", "with", "of", "to", "as",
                                       "by", "for", "in", "on", "at", "from", "per", "no"};
    for (size_t i = 0; i < PW_ARRAY_LEN(weak); i++)
        if (strlen(weak[i]) == n && strncasecmp(w, weak[i], n) == 0) return 1;
    return 0;
}

/* The first clause of a catalog entry's reason, what the listener should remember about the
 * choice: up to a semicolon, colon or bracket, or the first comma after five words, at most
 * ten words, never ending on a word like "the". */
static void
put_ear_reason(struct buf *b, const char *why)
{
    size_t n = strcspn(why, ";:(");
    size_t words = 0;
    for (size_t i = 0; i < n; i++) {
        if (why[i] == ',' && words >= 4) {
            n = i;
            break;
        }
        if (why[i] == ' ' && ++words == 10) {
            n = i;
            break;
        }
    }
    for (;;) {
        while (n && (why[n - 1] == ' ' || why[n - 1] == ',')) n--;
        size_t start = n;
        while (start && why[start - 1] != ' ') start--;
        if (start == 0 || !weak_word(why + start, n - start)) break;
        n = start;
    }
    put_lower_first(b, why, n);
}

static void
audio_script(struct analysis *an, struct buf *b)
{
    const struct profile *p = &an->p;
    const struct costing *c = &an->cost;

    /* The recommendation first, with the freshness that decided the mode. */
    static const char *const mode_said[MODE_COUNT] = {"batch processing", "micro-batches",
                                                      "streaming"};
    buf_puts(b, "For ");
    put_ear_title(b, p->title);
    buf_fmt_(b, ", we recommend %s %s%s, fresh %s", mode_said[an->mode],
               an->p.cloud == CLOUD_ON_PREM ? "" : "on ", cloud_info_(an)->name,
               p->freshness_s < 1 ? "in " : "within ");
    spoken_duration(b, p->freshness_s);
    buf_puts(b, ". ");

    /* Then the path of the data, one step a sentence, in the listener's own names: what a
     * source is called says which design this is. */
    const struct decision *ing = decision_find_(an, "ingestion");
    size_t nsrc = p->n_src < 3 ? p->n_src : 3;
    buf_puts(b, "The data comes in");
    for (size_t i = 0; i < nsrc; i++) {
        buf_puts(b, i == 0 ? " from the " : i + 1 < nsrc || p->n_src > 3 ? ", the " : " and the ");
        put_ear_source(b, p->src[i].name);
    }
    if (p->n_src > 3) buf_puts(b, " and more");
    if (ing) {
        buf_puts(b, nsrc ? ", through " : " through ");
        put_ear_name(b, ing->choice);
        if (ing->t && ing->t->why && *ing->t->why) {
            buf_puts(b, ": ");
            put_ear_reason(b, ing->t->why);
        }
    }
    buf_puts(b, ". ");
    const struct decision *sp = decision_find_(an, "stream_processing");
    const struct decision *tr = decision_find_(an, "transformation");
    const struct decision *work = sp ? sp : tr;
    if (work) {
        buf_puts(b, sp ? "It is processed in " : "It is transformed in ");
        put_ear_name(b, work->choice);
        if (work->t && work->t->why && *work->t->why) {
            buf_puts(b, ": ");
            put_ear_reason(b, work->t->why);
        }
        buf_puts(b, ". ");
    }
    buf_puts(b, "It is kept in ");
    put_ear_name(b, choice_or(an, "storage", "object storage"));
    const struct decision *wh = decision_find_(an, "warehouse");
    if (wh) {
        buf_puts(b, " and queried in ");
        put_ear_name(b, wh->choice);
        if (wh->t && wh->t->why && *wh->t->why) {
            buf_puts(b, ": ");
            put_ear_reason(b, wh->t->why);
        }
    }
    buf_puts(b, ". ");

    /* The money, rounded the way people say it; the estimate is for the twelfth month. */
    if (c->priced) {
        size_t at = b->len;
        spoken_usd(b, c->monthly);
        if (b->data[at] >= 'a' && b->data[at] <= 'z') b->data[at] = (char)(b->data[at] - 32);
        buf_puts(b, " a month");
        if (c->within == 1) {
            buf_puts(b, ", within your budget. ");
        } else if (c->within == 0) {
            buf_puts(b, ", over your budget of ");
            put_ear_budget(b, p->budget);
            buf_puts(b, c->best_case <= p->budget ? ". The savings levers close the gap. "
                                                  : ". Even the savings levers do not close "
                                                    "the gap. ");
        } else {
            buf_puts(b, ". ");
        }
    } else if (p->cloud == CLOUD_ON_PREM) {
        buf_puts(b, "It runs on your own hardware, so there is no cloud bill. ");
        if (p->retention_days >= 1 && an->sz.steady_gb > 0) {
            /* Growth a year is what a hardware plan buys; the total at full retention is
             * mostly tape and is in the report. */
            buf_puts(b, "Plan for about ");
            put_ear_bytes(b, an->sz.steady_gb / p->retention_days * 365);
            buf_puts(b, " of new data a year. ");
        }
    }

    /* The one risk to remember and its remedy. */
    if (an->n_risk) {
        const char *risk = expand_str_(an, an->risk[0]->text);
        const char *mit = expand_str_(an, an->risk[0]->mitigation);
        /* The risk's first clause names it; the rest is in the report. */
        size_t rn = strcspn(risk, ",;(");
        const char *and = strstr(risk, " and ");
        size_t words = 0;
        for (const char *q = risk; and && q < and; q++) words += *q == ' ';
        if (and && words >= 3 && (size_t)(and - risk) < rn) rn = (size_t)(and - risk);
        buf_puts(b, "Watch out: ");
        put_unbracketed(b, risk, rn);
        while (b->len && b->data[b->len - 1] == ' ') b->data[--b->len] = '\0';
        buf_puts(b, ". ");
        buf_append(b, mit, strcspn(mit, ",;("));
        buf_puts(b, ". ");
    }
    /* A step every plan starts with ("always" in steps.tsv: the landing zone) tells this
     * listener nothing; a first step particular to this project (confirm the assumed figures)
     * is said. */
    if (an->n_step && strcmp(an->step[0]->when, "always") != 0) {
        const char *st = expand_str_(an, an->step[0]->text);
        buf_puts(b, "First, ");
        put_lower_first(b, st, strcspn(st, ":;,("));
        buf_puts(b, ".");
    }

    /* The recommendation again, in one breath: a listener who missed a name gets it twice. */
    buf_fmt_(b, "Again: %s %s%s", mode_said[an->mode],
               an->p.cloud == CLOUD_ON_PREM ? "" : "on ", cloud_info_(an)->name);
    if (work) {
        buf_puts(b, ", with ");
        put_ear_name(b, work->choice);
    }
    if (wh) {
        buf_puts(b, work ? " and " : ", with ");
        put_ear_name(b, wh->choice);
    }
    buf_puts(b, ".");
}

/* ---- the report ----------------------------------------------------------------------------- */

void
render_(const struct analysis *an_c, const struct analysis *prev, long version, struct report *rep)
{
    /* Rendering only adds expanded strings to the arena; the analysis is otherwise unchanged. */
    struct analysis *an = (struct analysis *)an_c;
    char fp[17];
    fingerprint(an, fp);
    const char *project = an->p.req.project_id ? an->p.req.project_id : "adhoc";
    rep->fingerprint = xstrdup(fp);
    rep->version = version;
    struct buf id;
    buf_init(&id);
    buf_fmt_(&id, "%s-v%ld-%.8s", project, version, fp);
    rep->report_id = buf_detach(&id);

    struct buf sec;
    buf_init(&sec);
    for (int s = 0; s < SECTION_COUNT; s++) {
        buf_reset(&sec);
        switch (s) {
        case SECTION_EXECUTIVE_SUMMARY: sec_summary(an, prev, &sec); break;
        case SECTION_ARCHITECTURE_OVERVIEW: sec_architecture(an, &sec); break;
        case SECTION_IMPLEMENTATION_DETAILS: sec_implementation(an, &sec); break;
        case SECTION_PERFORMANCE_CONSIDERATIONS: sec_performance(an, &sec); break;
        case SECTION_COST_ANALYSIS: sec_cost(an, &sec); break;
        case SECTION_RISK_ASSESSMENT: sec_risks(an, &sec); break;
        default: sec_steps(an, &sec); break;
        }
        rep->sections[s] = xstrdup(sec.data ? sec.data : "");
    }
    buf_fini(&sec);

    struct buf md;
    buf_init(&md);
    buf_fmt_(&md, "# %s\n\n*Report %s, engine %s, price book %s.*\n", an->p.title,
               rep->report_id, ADVISOR_ENGINE_VERSION, an->a->pricebook_date);
    for (int s = 0; s < SECTION_COUNT; s++) {
        buf_puts(&md, "\n## ");
        buf_puts(&md, report_section_title((enum report_section)s));
        buf_puts(&md, "\n\n");
        buf_puts(&md, rep->sections[s]);
    }
    rep->markdown = buf_detach(&md);

    struct buf au;
    buf_init(&au);
    audio_script(an, &au);
    rep->audio_script = buf_detach(&au);
    rep->dot = xstrdup(an->dot);

    struct buf out;
    buf_init(&out);
    buf_reserve(&out, 65536);
    struct jsonw w;
    jsonw_init(&w, &out);
    jsonw_obj_begin(&w);
    kstr(&w, "report_id", rep->report_id);
    kstr(&w, "engine_version", ADVISOR_ENGINE_VERSION);
    kstr(&w, "fingerprint", fp);
    jsonw_kint(&w, "version", version);
    kstr(&w, "project_id", an->p.req.project_id);
    kstr(&w, "event_id", an->p.req.event_id);
    json_profile(&w, an);
    jsonw_key(&w, "assumptions");
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
    jsonw_key(&w, "iac");
    jsonw_obj_begin(&w);
    kstr(&w, "tool", "terraform");
    kstr(&w, "provider", cloud_info_(an)->provider);
    kstr(&w, "terraform", an->terraform);
    jsonw_obj_end(&w);
    jsonw_key(&w, "diagram");
    jsonw_obj_begin(&w);
    kstr(&w, "dot", an->dot);
    jsonw_obj_end(&w);
    jsonw_key(&w, "sections");
    jsonw_obj_begin(&w);
    for (int s = 0; s < SECTION_COUNT; s++)
        kstr(&w, report_section_name((enum report_section)s), rep->sections[s]);
    jsonw_obj_end(&w);
    kstr(&w, "audio_script", rep->audio_script);
    jsonw_obj_end(&w);
    rep->json = buf_detach(&out);
}
