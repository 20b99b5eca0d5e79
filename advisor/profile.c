/* advisor/profile.c - normalise a requirement into the figures every later stage uses.
 *
 * Owns the working copy of the requirement: the free-text extractor fills what is unknown (the
 * structured fields always win), hints.tsv turns words into needs, and every value still missing
 * gets an explicit default from constants.tsv, recorded as an assumption with its effect. Each
 * value keeps its origin (given, extracted, assumed, derived) for the report's profile. The kind
 * of work, the team's constraints and a pinned region come last (advisor/request.c). Refuses
 * nothing: an empty requirement yields a profile made of assumptions. Pure, deterministic.
 */
#include "advisor_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

void
assume_(struct analysis *an, const char *field, const char *value, const char *effect)
{
    struct profile *p = &an->p;
    if (p->n_assumption == ADVISOR_MAX_ASSUMPTIONS) return;
    struct assumption *x = &p->assumption[p->n_assumption++];
    x->field = field;
    x->value = value;
    x->effect = effect;
}

void
question_(struct analysis *an, const char *text)
{
    if (text == NULL || an->n_question == ADVISOR_MAX_QUESTIONS) return;
    for (size_t i = 0; i < an->n_question; i++)
        if (strcmp(an->question[i], text) == 0) return;
    an->question[an->n_question++] = text;
}

/* The one place where the free-text extractor (advisor/extract.c) is wired in. */
static void
fill_from_text(struct analysis *an)
{
    struct profile *p = &an->p;
    extract_requirement_lex(an->a->lex, p->req.title, p->req.description, &p->req, &p->ex);
    /* Text can state anything ("10^30 events a second"); sizing works within physical bounds. */
    requirement_clamp(&p->req);
}

static char *
lower_join(struct arena *ar, const struct strlist *l, const char *extra1, const char *extra2)
{
    size_t n = 3;
    for (size_t i = 0; i < l->n; i++) n += strlen(l->v[i]) + 2;
    if (extra1) n += strlen(extra1) + 2;
    if (extra2) n += strlen(extra2) + 2;
    char *s = arena_alloc_(ar, n);
    size_t o = 0;
    for (size_t i = 0; i < l->n; i++) {
        for (const char *c = l->v[i]; *c; c++) s[o++] = (char)tolower((unsigned char)*c);
        s[o++] = ';';
        s[o++] = ' ';
    }
    const char *extra[2] = {extra1, extra2};
    for (int e = 0; e < 2; e++) {
        if (!extra[e]) continue;
        for (const char *c = extra[e]; *c; c++) s[o++] = (char)tolower((unsigned char)*c);
        s[o++] = ';';
        s[o++] = ' ';
    }
    s[o] = '\0';
    return s;
}

static enum cloud
cloud_from_string(const char *s)
{
    if (s == NULL) return CLOUD_COUNT;
    if (strcasecmp(s, "aws") == 0 || strcasecmp(s, "amazon") == 0) return CLOUD_AWS;
    if (strcasecmp(s, "gcp") == 0 || strcasecmp(s, "google") == 0) return CLOUD_GCP;
    if (strcasecmp(s, "azure") == 0) return CLOUD_AZURE;
    if (strcasecmp(s, "on_prem") == 0 || strcasecmp(s, "on-prem") == 0 ||
        strcasecmp(s, "onprem") == 0)
        return CLOUD_ON_PREM;
    if (strcasecmp(s, "any") == 0) return CLOUD_ANY;
    return CLOUD_COUNT;
}

/* Regulation names in a canonical short form, so "PCI-DSS", "PCI DSS" and "pci" agree. */
static const struct {
    const char *token, *name;
} regulations[] = {
    {"gdpr", "gdpr"},           {"hipaa", "hipaa"},
    {"pci", "pcidss"},          {"sox", "sox"},
    {"sarbanes", "sox"},        {"soc 2", "soc2"},
    {"soc2", "soc2"},           {"ccpa", "ccpa"},
    {"cpra", "ccpa"},           {"aml", "aml"},
    {"anti-money", "aml"},      {"iso 27001", "iso27001"},
    {"iso27001", "iso27001"},   {"ferpa", "ferpa"},
    {"glba", "glba"},           {"coppa", "coppa"},
    {"residency", "residency"}, {"sovereignty", "residency"},
    {"itar", "itar"},           {"export control", "itar"},
    {"export-control", "itar"}, {"nis2", "nis2"},
    {"nis 2", "nis2"},          {"62443", "iec62443"},
    {"bait", "bait"},           {"bafin", "bait"},
    {"vait", "bait"},           {"solvency", "solvency2"},
    {"psd2", "psd2"},           {"psd 2", "psd2"},
    {"dora", "dora"},
};

static void
regs_build(struct analysis *an)
{
    struct profile *p = &an->p;
    struct buf b;
    buf_init(&b);
    buf_putc(&b, ',');
    const char *text = lower_join(&an->ar, &p->req.compliance, NULL, NULL);
    for (size_t i = 0; i < PW_ARRAY_LEN(regulations); i++) {
        if (!has_token_(text, regulations[i].token)) continue;
        char key[32];
        snprintf(key, sizeof(key), ",%s,", regulations[i].name);
        if (strstr(b.data, key)) continue;
        buf_puts(&b, regulations[i].name);
        buf_putc(&b, ',');
    }
    p->regs = arena_strdup_(&an->ar, b.data);
    buf_fini(&b);
}

static double
known_or(double v, double dflt)
{
    return req_known(v) ? v : dflt;
}

static enum origin
origin_of(int given, int known_now)
{
    if (given) return ORIGIN_GIVEN;
    return known_now ? ORIGIN_EXTRACTED : ORIGIN_ASSUMED;
}

static enum source_kind
kind_from_hints(const struct advisor *a, const char *text)
{
    for (size_t i = 0; i < a->n_hint; i++)
        if (strcmp(a->hint[i].kind, "source") == 0 && has_token_(text, a->hint[i].token))
            return source_kind_parse(a->hint[i].value);
    return SOURCE_UNKNOWN;
}

/* A feed that arrives as Parquet or ORC files is already compressed columnar data: the lake
 * keeps it at its size ("1.2 PB of historical parquet", a source named "events_parquet"). */
static int
already_columnar(const struct profile *p, const struct src *s)
{
    if (s->name && (strstr(s->name, "parquet") || strstr(s->name, "_orc"))) return 1;
    return p->n_src == 1 && map_has_any_(p->ctx_map, "parquet,orc files,iceberg tables");
}

/* Nothing says where the data comes from: one source of a plausible kind, assumed. */
static void
assumed_source(struct analysis *an)
{
    struct profile *p = &an->p;
    const struct knobs *k = &an->a->k;
    struct src *s = &p->src[p->n_src++];
    memset(s, 0, sizeof(*s));
    s->name = "primary_source";
    s->kind = kind_from_hints(an->a, p->ctx_lc); /* once per request: plain scan */
    if (s->kind == SOURCE_UNKNOWN)
        s->kind = p->freshness_s < k->freshness_batch_s ? SOURCE_EVENTS : SOURCE_DATABASE;
    s->o_name = s->o_kind = ORIGIN_ASSUMED;
    s->gb_day = k->default_volume_gb;
    s->o_volume = ORIGIN_ASSUMED;
    s->record_bytes = k->default_record_bytes;
    s->o_bytes = ORIGIN_ASSUMED;
    s->pii = -1;
    s->o_pii = ORIGIN_ASSUMED;
    s->peak_mb_s = s->gb_day * 1000.0 / 86400.0 * k->peak_to_avg;
    s->peak_ev_s = s->peak_mb_s * 1e6 / s->record_bytes;
    s->o_peak = ORIGIN_DERIVED;
    s->compression = k->columnar_compression;
    assume_(an, "sources",
            arena_printf_(&an->ar, "one %s source of %g GB/day", source_kind_name(s->kind),
                          k->default_volume_gb),
            "sizing and cost scale with this volume; measure it and re-run");
}

/* Kind and personal data of source 'i' ('rs' as extracted, 'gs' as given or NULL), with what is
 * assumed when unknown. */
static void
source_kind_pii(struct analysis *an, struct src *s, size_t i, const struct req_source *rs,
                const struct req_source *gs)
{
    const struct knobs *k = &an->a->k;
    s->kind = rs->kind;
    s->o_kind = origin_of(gs && gs->kind != SOURCE_UNKNOWN, rs->kind != SOURCE_UNKNOWN);
    if (s->kind == SOURCE_UNKNOWN) {
        /* Only the source's own name is evidence of its kind: the rest of the request
         * talks about every source at once. */
        s->kind = kind_from_hints(an->a, lower_join(&an->ar, &(struct strlist){0}, s->name, NULL));
        if (s->kind == SOURCE_UNKNOWN)
            s->kind = an->p.freshness_s < k->freshness_batch_s ? SOURCE_EVENTS : SOURCE_DATABASE;
        s->o_kind = ORIGIN_ASSUMED;
        assume_(an, arena_printf_(&an->ar, "sources[%zu].kind", i), source_kind_name(s->kind),
                "chooses the ingestion tool for this source");
    }
    s->pii = rs->contains_pii;
    s->o_pii = origin_of(gs && gs->contains_pii >= 0, rs->contains_pii >= 0);
    if (s->pii < 0 && (s->kind == SOURCE_CLICKSTREAM || s->kind == SOURCE_LOGS)) {
        /* Clickstreams and access logs carry device ids and IP addresses, which are
         * personal data under GDPR (CJEU C-582/14 Breyer, 2016). */
        s->pii = 1;
        s->o_pii = ORIGIN_ASSUMED;
        assume_(an, arena_printf_(&an->ar, "sources[%zu].contains_pii", i), "true",
                "clickstreams and logs carry device ids and IP addresses: they are "
                "pseudonymised and minimised");
    }
}

/* Record size, daily volume and peak of source 'i': each given, derived from the others, or
 * assumed (and said so). */
static void
source_figures(struct analysis *an, struct src *s, size_t i, const struct req_source *rs,
               const struct req_source *gs)
{
    const struct knobs *k = &an->a->k;
    s->record_bytes = rs->avg_record_bytes;
    s->o_bytes = origin_of(gs && req_known(gs->avg_record_bytes), req_known(rs->avg_record_bytes));
    if (!req_known(s->record_bytes) || s->record_bytes <= 0) {
        s->record_bytes = k->default_record_bytes;
        s->o_bytes = ORIGIN_ASSUMED;
    }
    s->gb_day = rs->volume_gb_per_day;
    s->o_volume = origin_of(gs && req_known(gs->volume_gb_per_day),
                            req_known(rs->volume_gb_per_day));
    s->peak_ev_s = rs->peak_events_per_sec;
    s->o_peak = origin_of(gs && req_known(gs->peak_events_per_sec),
                          req_known(rs->peak_events_per_sec));
    int has_peak = req_known(s->peak_ev_s) && s->peak_ev_s >= 0;
    if (!req_known(s->gb_day) || s->gb_day < 0) {
        if (has_peak) {
            /* Average = peak / peak_to_avg (sizing.md section 1, used in reverse). */
            s->gb_day = s->peak_ev_s / k->peak_to_avg * s->record_bytes * 86400.0 / 1e9;
            s->o_volume = ORIGIN_DERIVED;
        } else {
            s->gb_day = s->kind == SOURCE_SAAS ? k->default_saas_volume_gb : k->default_volume_gb;
            s->o_volume = ORIGIN_ASSUMED;
            assume_(an, arena_printf_(&an->ar, "sources[%zu].volume_gb_per_day", i),
                    arena_printf_(&an->ar, "%g GB/day", s->gb_day),
                    "sizing and cost scale with this volume");
        }
    }
    double avg_mb_s = s->gb_day * 1000.0 / 86400.0;
    if (has_peak) {
        s->peak_mb_s = s->peak_ev_s * s->record_bytes / 1e6;
        if (s->peak_mb_s < avg_mb_s) s->peak_mb_s = avg_mb_s;
    } else {
        s->peak_mb_s = avg_mb_s * k->peak_to_avg;
        s->peak_ev_s = s->peak_mb_s * 1e6 / s->record_bytes;
        s->o_peak = ORIGIN_DERIVED;
        /* A daily batch is sized by the day's volume: its peak rate decides nothing. */
        if (an->p.freshness_s < k->freshness_batch_s)
            assume_(an, arena_printf_(&an->ar, "sources[%zu].peak_events_per_sec", i),
                    arena_printf_(&an->ar, "%g x the daily average", k->peak_to_avg),
                    "stream capacity and compute are sized for this peak");
    }
}

static void
sources_build(struct analysis *an, const struct requirement *given)
{
    struct profile *p = &an->p;
    const struct knobs *k = &an->a->k;
    struct requirement *r = &p->req;
    if (r->n_sources == 0) assumed_source(an);
    for (size_t i = 0; i < r->n_sources && p->n_src < ADVISOR_MAX_SOURCES; i++) {
        const struct req_source *rs = &r->sources[i];
        const struct req_source *gs = i < given->n_sources ? &given->sources[i] : NULL;
        struct src *s = &p->src[p->n_src++];
        memset(s, 0, sizeof(*s));
        s->name = rs->name ? arena_strdup_(&an->ar, rs->name)
                           : arena_printf_(&an->ar, "source_%zu", i + 1);
        s->o_name = rs->name ? origin_of(gs && gs->name, 1) : ORIGIN_ASSUMED;
        source_kind_pii(an, s, i, rs, gs);
        source_figures(an, s, i, rs, gs);
        s->compression = s->record_bytes >= k->binary_object_bytes ? 1.0 : k->columnar_compression;
        s->columnar = already_columnar(p, s);
    }
    memset(&p->total, 0, sizeof(p->total));
    for (size_t i = 0; i < p->n_src; i++) {
        struct src *s = &p->src[i];
        p->kinds |= 1u << s->kind;
        if (s->pii == 1) p->has_pii = 1;
    }
    flow_of_(an, ~0ull, &p->total);
}

void
flow_of_(const struct analysis *an, unsigned long long mask, struct flow *f)
{
    const struct profile *p = &an->p;
    memset(f, 0, sizeof(*f));
    for (size_t i = 0; i < p->n_src; i++) {
        if (!(mask & (1ull << i))) continue;
        const struct src *s = &p->src[i];
        f->gb_day += s->gb_day;
        f->peak_mb_s += s->peak_mb_s;
        f->peak_ev_s += s->peak_ev_s;
        f->avg_ev_s += s->gb_day * 1e9 / s->record_bytes / 86400.0;
        f->lake_gb_day += s->columnar ? s->gb_day : s->gb_day / s->compression;
        /* Binary objects land once, in the store that keeps them; only records keep a
         * compressed raw copy beside their columnar form. */
        if (s->compression > 1.0 && !s->columnar)
            f->landing_gb_day += s->gb_day / an->a->k.landing_compression;
    }
    f->avg_mb_s = f->gb_day * 1000.0 / 86400.0;
}

static void
needs_build(struct analysis *an)
{
    struct profile *p = &an->p;
    const struct strlist *c = &p->req.consumers;
    for (size_t i = 0; i < c->n; i++) {
        const char *v = c->v[i];
        if (strcasecmp(v, "bi") == 0) p->needs |= 1u << NEED_BI;
        else if (strcasecmp(v, "ml") == 0 || strcasecmp(v, "data_science") == 0)
            p->needs |= 1u << NEED_ML;
        else if (strcasecmp(v, "operational") == 0 || strcasecmp(v, "reverse_etl") == 0)
            p->needs |= 1u << NEED_OPERATIONAL;
        else if (strcasecmp(v, "api") == 0 && p->freshness_s < an->a->k.freshness_batch_s)
            p->needs |= 1u << NEED_ONLINE;
        else if (strcasecmp(v, "api") == 0)
            p->needs |= 1u << NEED_BI;
        else
            for (int n = 0; n < NEED_COUNT; n++) /* a consumer named as a need: "online" */
                if (strcasecmp(v, need_name_((enum need)n)) == 0) p->needs |= 1u << n;
    }
    /* Consumer names ("online_feature_store", "reverse_etl_crm") are read with the same
     * need words as the description, underscores read as spaces. */
    char *text = lower_join(&an->ar, c, p->req.title, p->req.description);
    for (char *x = text; *x; x++)
        if (*x == '_') *x = ' ';
    /* The same title and description as ctx_lc, plus the consumers' names. */
    struct wordmap map = *p->ctx_map;
    map.text = text;
    wordmap_add_(&map, lower_join(&an->ar, c, NULL, NULL));
    for (size_t i = 0; i < an->a->n_hint; i++) {
        const struct hint *h = &an->a->hint[i];
        if (h->kind[0] != 'n' || strcmp(h->kind, "need") != 0 || !map_has_(&map, h->token))
            continue;
        for (int n = 0; n < NEED_COUNT; n++)
            if (strcmp(h->value, need_name_((enum need)n)) == 0) p->needs |= 1u << n;
    }
    if (strstr(p->regs, ",sox,") || strstr(p->regs, ",aml,")) p->needs |= 1u << NEED_AUDIT;
    if (p->needs & (1u << NEED_EXACTLY_ONCE)) p->needs |= 1u << NEED_STATEFUL;
    if (p->needs == 0 || (p->needs & ((1u << NEED_BI) | (1u << NEED_SEARCH) | (1u << NEED_ONLINE) |
                                      (1u << NEED_OPERATIONAL) | (1u << NEED_ML))) == 0) {
        p->needs |= 1u << NEED_BI;
        assume_(an, "consumers", "bi",
                "results are served to analysts through a warehouse and dashboards");
    }
}

static void
cloud_build(struct analysis *an, const struct requirement *given)
{
    struct profile *p = &an->p;
    p->cloud = cloud_from_string(p->req.cloud);
    p->o_cloud = origin_of(cloud_from_string(given->cloud) != CLOUD_COUNT, 1);
    if (p->cloud != CLOUD_COUNT) return;
    /* No cloud known: count the words of each platform in the request. */
    int votes[CLOUD_COUNT] = {0};
    for (size_t i = 0; i < an->a->n_hint; i++) {
        const struct hint *h = &an->a->hint[i];
        if (strcmp(h->kind, "cloud") == 0 && map_has_(p->ctx_map, h->token))
            votes[cloud_from_string(h->value)]++;
    }
    int best = CLOUD_ANY;
    for (int c = 0; c < CLOUD_ANY; c++)
        if (votes[c] > (best == CLOUD_ANY ? 0 : votes[best])) best = c;
    p->cloud = (enum cloud)best;
    if (best != CLOUD_ANY) {
        p->o_cloud = ORIGIN_EXTRACTED;
    } else {
        p->o_cloud = ORIGIN_ASSUMED;
        assume_(an, "cloud", "any",
                "portable open-source choices; costs use AWS us-east-1 list prices as a reference");
    }
}

/* Words that reveal personal data in a request whose sources do not say. */
static void
pii_from_text(struct analysis *an)
{
    struct profile *p = &an->p;
    int unknown = 0;
    for (size_t i = 0; i < p->n_src; i++) unknown |= p->src[i].pii < 0;
    if (!unknown) return;
    const char *text = lower_join(&an->ar, &(struct strlist){0}, p->req.title, p->req.description);
    struct wordmap map = *p->ctx_map; /* ctx_lc holds the same title and description */
    map.text = text;
    for (size_t i = 0; i < an->a->n_hint; i++) {
        const struct hint *h = &an->a->hint[i];
        if (h->kind[0] != 'p' || strcmp(h->kind, "pii") != 0 || !map_has_(&map, h->token)) continue;
        p->has_pii = 1;
        assume_(an, "contains_pii", "true",
                arena_printf_(&an->ar,
                              "the request mentions \"%s\": pseudonymisation and "
                              "masking controls apply",
                              h->token));
        return;
    }
}

/* An archive keeps objects for years and rarely reads them back: cold storage classes
 * (restores in hours) then beat the lake's cool tier by an order of magnitude. Words such as
 * "rarely restored" (hints.tsv) or a volume that is mostly binary objects say so, but only
 * with long retention; a short-lived store is never an archive. */
static void
archive_build(struct analysis *an)
{
    struct profile *p = &an->p;
    double binary = 0;
    for (size_t i = 0; i < p->n_src; i++)
        if (p->src[i].compression == 1.0) binary += p->src[i].gb_day;
    p->binary_share = p->total.gb_day > 0 ? binary / p->total.gb_day : 0;
    if (p->binary_share >= 0.5) p->needs |= 1u << NEED_ARCHIVE;
    if (p->retention_days < an->a->k.long_retention_days) p->needs &= ~(1u << NEED_ARCHIVE);
}

/* What a cost reduction's bill is for: the words of compute (queries, slots, credits, a warehouse
 * kept awake, dashboards, rebuilds) against those of storage (classes, tiers, archives, files),
 * counted over the stack, title and description (hints.tsv "bill" rows). */
static void
bill_build(struct analysis *an)
{
    struct profile *p = &an->p;
    if (p->kind != KIND_COST_REDUCTION || p->ctx_lc == NULL) return;
    int compute = 0, storage = 0;
    const char *first = NULL;
    for (size_t i = 0; i < an->a->n_hint; i++) {
        const struct hint *h = &an->a->hint[i];
        if (strcmp(h->kind, "bill") != 0 || !has_token_(p->ctx_lc, h->token)) continue;
        if (strcmp(h->value, "compute") == 0) {
            compute++;
            if (first == NULL) first = h->token;
        } else {
            storage++;
        }
    }
    p->compute_bill = compute > storage;
    p->compute_evidence = p->compute_bill ? first : NULL;
}

/* The scalar fields: each given, extracted or assumed (and said so). */
static void
scalars_build(struct analysis *an, const struct requirement *given)
{
    struct profile *p = &an->p;
    const struct knobs *k = &an->a->k;
    const struct requirement *r = &p->req;
    p->freshness_s = known_or(r->freshness_seconds, k->default_freshness_s);
    p->o_freshness = origin_of(req_known(given->freshness_seconds),
                               req_known(r->freshness_seconds));
    if (p->o_freshness == ORIGIN_ASSUMED)
        assume_(an, "freshness_seconds", arena_printf_(&an->ar, "%g", k->default_freshness_s),
                "data is needed by the next day, so a daily batch suffices");
    if (p->freshness_s < 0) p->freshness_s = 0;

    p->retention_days = known_or(r->retention_days, k->default_retention_days);
    p->o_retention = origin_of(req_known(given->retention_days), req_known(r->retention_days));
    if (p->o_retention == ORIGIN_ASSUMED)
        assume_(an, "retention_days", arena_printf_(&an->ar, "%g", k->default_retention_days),
                "storage is sized for one year of history");
    if (p->retention_days < 1) p->retention_days = 1;

    p->has_budget = req_known(r->budget_usd_per_month) && r->budget_usd_per_month > 0;
    p->budget = p->has_budget ? r->budget_usd_per_month : 0;
    p->o_budget = origin_of(req_known(given->budget_usd_per_month),
                            req_known(r->budget_usd_per_month));

    p->team_size = known_or(r->team_size, k->default_team_size);
    p->o_team = origin_of(req_known(given->team_size), req_known(r->team_size));
    if (p->o_team == ORIGIN_ASSUMED)
        assume_(an, "team_size", arena_printf_(&an->ar, "%g", k->default_team_size),
                "operational burden weighs as for a small team");

    p->availability = known_or(r->availability_target, k->default_availability);
    p->o_availability = origin_of(req_known(given->availability_target),
                                  req_known(r->availability_target));
    if (p->o_availability == ORIGIN_ASSUMED)
        assume_(an, "availability_target", arena_printf_(&an->ar, "%g", k->default_availability),
                "single-region managed services without a standby");

    p->o_consumers = origin_of(given->consumers.n > 0, r->consumers.n > 0);
    p->o_compliance = origin_of(given->compliance.n > 0, r->compliance.n > 0);
    p->o_stack = origin_of(given->existing_stack.n > 0, r->existing_stack.n > 0);
    p->o_skills = origin_of(given->team_skills.n > 0, r->team_skills.n > 0);
    if (r->team_skills.n == 0)
        assume_(an, "team_skills", "unknown",
                "no tool gains or loses for skills; managed services are preferred");
}

/* Regulations about people apply: treat the data as personal unless told otherwise. */
static void
pii_by_regulation(struct analysis *an)
{
    struct profile *p = &an->p;
    if (!p->has_pii && p->regs[1] != '\0') {
        int unknown = 0;
        for (size_t i = 0; i < p->n_src; i++) unknown |= p->src[i].pii < 0;
        if (unknown && (strstr(p->regs, ",gdpr,") || strstr(p->regs, ",hipaa,") ||
                        strstr(p->regs, ",ccpa,") || strstr(p->regs, ",pcidss,") ||
                        strstr(p->regs, ",aml,") || strstr(p->regs, ",ferpa,") ||
                        strstr(p->regs, ",glba,") || strstr(p->regs, ",coppa,"))) {
            p->has_pii = 1;
            assume_(an, "contains_pii", "true",
                    "a named privacy regulation implies personal data: pseudonymisation and "
                    "masking controls apply");
        }
    }
}

/* The compression assumed for columnar files and binary objects, when any source has them. */
static void
compression_assumed(struct analysis *an)
{
    const struct profile *p = &an->p;
    const struct knobs *k = &an->a->k;
    int binary = 0, columnar = 0;
    for (size_t i = 0; i < p->n_src; i++) {
        binary |= p->src[i].compression == 1.0;
        columnar |= p->src[i].compression != 1.0;
    }
    if (columnar)
        assume_(an, "compression",
                arena_printf_(&an->ar, "%gx for columnar files", k->columnar_compression),
                "lake storage and scan cost; measured ratios range 3-8x");
    if (binary)
        assume_(an, "compression", "none for binary objects of 1 MB or more",
                "images, genomes and similar files are stored at their raw size");
}

void
profile_build_(struct analysis *an, const struct requirement *given)
{
    struct profile *p = &an->p;
    requirement_copy(&p->req, given);
    fill_from_text(an);
    struct requirement *r = &p->req;
    p->title = r->title ? arena_strdup_(&an->ar, r->title) : "Data platform request";
    p->stack_lc = lower_join(&an->ar, &r->existing_stack, NULL, NULL);
    p->skills_lc = lower_join(&an->ar, &r->team_skills, NULL, NULL);
    p->ctx_lc = lower_join(&an->ar, &r->existing_stack, r->title, r->description);
    struct wordmap *map = arena_alloc_(&an->ar, sizeof(*map));
    wordmap_build_(map, p->ctx_lc);
    p->ctx_map = map;
    p->avoid_lc = "";
    p->kind = KIND_GREENFIELD;

    scalars_build(an, given);
    cloud_build(an, given);
    regs_build(an);
    needs_build(an);
    sources_build(an, given);
    pii_by_regulation(an);
    if (!p->has_pii) pii_from_text(an);
    archive_build(an);
    compression_assumed(an);
    if (!p->has_budget && p->cloud != CLOUD_ON_PREM)
        assume_(an, "budget_usd_per_month", "none given",
                "the cost is estimated but not checked against a budget");
    request_build_(an);
    bill_build(an);
}
