/* advisor/risk.c - select the risks, controls and next steps that apply, and fill their texts.
 *
 * Owns the small condition language of risks.tsv, controls.tsv and steps.tsv ('when' column:
 * comma = and, | = or, ! = not; atoms such as streaming, pii, ha, reg:gdpr, kind:logs) and the
 * {field} filling shared by every text the report takes from data (the Terraform templates'
 * too: their {tf_*} fields and tech:/unit: atoms name catalog rows, see iac.c). Rows are kept in
 * file order, except risks, which are ranked by likelihood x impact (stable, so equal ranks keep
 * file order). An unknown atom is false, never an error at run time. Pure, deterministic.
 */
#include "advisor_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int
source_assumed(const struct analysis *an)
{
    if (an->p.o_freshness == ORIGIN_ASSUMED) return 1;
    for (size_t i = 0; i < an->p.n_src; i++)
        if (an->p.src[i].o_volume == ORIGIN_ASSUMED) return 1;
    return 0;
}

/* The atoms without a prefix, in the order of atom_plain()'s switch. */
enum plain_atom {
    A_ALWAYS,
    A_BATCH,
    A_MICRO,
    A_STREAMING,
    A_NON_BATCH,
    A_PII,
    A_KAFKA,
    A_EXACTLY_ONCE,
    A_STATEFUL,
    A_HA,
    A_SMALL_TEAM,
    A_OVER_BUDGET,
    A_BUDGET_UNKNOWN,
    A_LARGE,
    A_SMALL,
    A_LONG_RETENTION,
    A_ASSUMED,
    A_SKILLS_GAP,
    A_ON_PREM,
    A_FILES,
    A_CDC,
    A_EVENT_STREAM,
    A_MULTI_REGION,
    A_REUSED,
    A_LEAN_OVER,
    A_AVOIDED,
    A_REUSED_INGESTION,
    A_KAFKA_TIERED,
    A_TIERED,
    A_KAFKA_SELF,
    A_REGION_PINNED,
    A_STANDBY_KNOWN,
    A_PLAIN_COUNT
};

/* The atoms atom() knows; a data file naming another is refused at load time. */
static const char *const known_atoms[A_PLAIN_COUNT] = {"always",
                                                       "batch",
                                                       "micro_batch",
                                                       "streaming",
                                                       "non_batch",
                                                       "pii",
                                                       "kafka",
                                                       "exactly_once",
                                                       "stateful",
                                                       "ha",
                                                       "small_team",
                                                       "over_budget",
                                                       "budget_unknown",
                                                       "large",
                                                       "small",
                                                       "long_retention",
                                                       "assumed",
                                                       "skills_gap",
                                                       "on_prem",
                                                       "files",
                                                       "cdc",
                                                       "event_stream",
                                                       "multi_region",
                                                       "reused",
                                                       "lean_over",
                                                       "avoided",
                                                       "reused_ingestion",
                                                       "kafka_tiered",
                                                       "tiered",
                                                       "kafka_self",
                                                       "region_pinned",
                                                       "standby_known"};

static int
reused_ingestion(const struct analysis *an)
{
    int any = 0;
    for (size_t i = 0; i < an->n_dec; i++) {
        if (strcmp(an->dec[i].area, "ingestion") != 0) continue;
        if (!an->dec[i].reused) return 0;
        any = 1;
    }
    return any;
}

/* The retention the brokers hold outgrows what the smallest cluster's disks can carry (MSK's
 * per-broker storage limit, limits.tsv): older segments belong in tiered storage. */
static int
kafka_tiered(const struct analysis *an)
{
    const struct sizing *sz = &an->sz;
    double min_brokers = an->a->k.kafka_min_brokers > 1 ? an->a->k.kafka_min_brokers : 1;
    double per_broker_gb = an->a->lim.msk_broker_storage_max_gib * 1.073741824;
    return sz->has_kafka && per_broker_gb > 0 && sz->broker_disk_gb / min_brokers > per_broker_gb;
}

static int
atom_plain(const struct analysis *an, enum plain_atom a)
{
    const struct profile *p = &an->p;
    const struct knobs *k = &an->a->k;
    switch (a) {
    case A_ALWAYS:
        return 1;
    case A_BATCH:
        return an->mode == MODE_BATCH;
    case A_MICRO:
        return an->mode == MODE_MICRO_BATCH;
    case A_STREAMING:
        return an->mode == MODE_STREAMING;
    case A_NON_BATCH:
        return an->mode != MODE_BATCH;
    case A_PII:
        return p->has_pii;
    case A_KAFKA:
        return an->sz.has_kafka;
    case A_EXACTLY_ONCE:
        return (p->needs >> NEED_EXACTLY_ONCE) & 1;
    case A_STATEFUL:
        return (p->needs >> NEED_STATEFUL) & 1;
    case A_HA:
        return p->availability >= k->ha_availability;
    case A_SMALL_TEAM:
        return p->team_size <= k->team_small;
    case A_OVER_BUDGET:
        return an->cost.within == 0;
    case A_BUDGET_UNKNOWN:
        return !p->has_budget && p->cloud != CLOUD_ON_PREM;
    case A_LARGE:
        return p->total.gb_day >= k->large_volume_gb;
    case A_SMALL:
        return p->total.gb_day < k->small_volume_gb;
    case A_LONG_RETENTION:
        return p->retention_days >= k->long_retention_days;
    case A_ASSUMED:
        return source_assumed(an);
    case A_SKILLS_GAP:
        return an->skills_gap;
    case A_ON_PREM:
        return p->cloud == CLOUD_ON_PREM;
    case A_FILES:
        return (p->kinds >> SOURCE_FILES) & 1;
    case A_CDC:
        return ((p->kinds >> SOURCE_CDC) & 1) ||
               (((p->kinds >> SOURCE_DATABASE) & 1) && an->mode != MODE_BATCH);
    case A_EVENT_STREAM:
        return an->mode != MODE_BATCH &&
               (p->kinds & ((1u << SOURCE_EVENTS) | (1u << SOURCE_CLICKSTREAM) |
                            (1u << SOURCE_IOT) | (1u << SOURCE_LOGS)));
    case A_MULTI_REGION:
        return decision_find_(an, "availability") != NULL;
    case A_REUSED:
        for (size_t i = 0; i < an->n_dec; i++)
            if (an->dec[i].reused) return 1;
        return 0;
    case A_LEAN_OVER:
        return an->over_after_lean;
    case A_AVOIDED:
        return p->avoid_lc[0] != '\0';
    case A_REUSED_INGESTION:
        return reused_ingestion(an);
    case A_KAFKA_TIERED:
        return kafka_tiered(an);
    case A_TIERED:
        return p->retention_days > an->a->k.hot_days; /* kept beyond the hot window */
    case A_KAFKA_SELF:
        return an->sz.kafka_self;
    case A_REGION_PINNED:
        return region_(an) != NULL;
    case A_STANDBY_KNOWN:
        return standby_region_(an) != NULL;
    default:
        return 0;
    }
}

static int
atom_prefixed(const struct analysis *an, const char *w)
{
    const struct profile *p = &an->p;
    if (strncmp(w, "request:", 8) == 0) return strcmp(w + 8, kind_name_(p->kind)) == 0;
    if (strncmp(w, "reg:", 4) == 0) {
        char key[64];
        size_t n = strlen(w + 4);
        key[0] = ',';
        memcpy(key + 1, w + 4, n); /* w is shorter than key: atom() bounds it */
        key[n + 1] = ',';
        key[n + 2] = '\0';
        return strstr(p->regs, key) != NULL;
    }
    if (strncmp(w, "constraint:", 11) == 0)
        for (int x = 0; x < CONSTRAINT_COUNT; x++)
            if (strcmp(w + 11, constraint_name_((enum constraint)x)) == 0)
                return (p->constraints >> x) & 1u;
    if (strncmp(w, "need:", 5) == 0) {
        for (int x = 0; x < NEED_COUNT; x++)
            if (strcmp(w + 5, need_name_((enum need)x)) == 0) return (p->needs >> x) & 1;
        return 0;
    }
    if (strncmp(w, "kind:", 5) == 0) {
        enum source_kind kd = source_kind_parse(w + 5);
        return kd != SOURCE_UNKNOWN && ((p->kinds >> kd) & 1);
    }
    if (strncmp(w, "cloud:", 6) == 0) return strcmp(w + 6, cloud_name_(p->cloud)) == 0;
    if (strncmp(w, "stack:", 6) == 0) return p->ctx_map && map_has_(p->ctx_map, w + 6);
    if (strncmp(w, "bill:", 5) == 0)
        return strcmp(w + 5, "compute") == 0 ? p->compute_bill : !p->compute_bill;
    if (strncmp(w, "tech:", 5) == 0) return tech_chosen_(an, w + 5);
    if (strncmp(w, "unit:", 5) == 0) return stream_unit_(an, w + 5) != NULL;
    return 0;
}

static int
atom(const struct analysis *an, const char *s, size_t n)
{
    char w[64];
    if (n == 0 || n >= sizeof(w)) return 0;
    if (s[0] == '!') return !atom(an, s + 1, n - 1);
    memcpy(w, s, n);
    w[n] = '\0';
    if (memchr(w, ':', n)) return atom_prefixed(an, w);
    for (int i = 0; i < A_PLAIN_COUNT; i++)
        if (known_atoms[i][0] == w[0] && strcmp(known_atoms[i], w) == 0)
            return atom_plain(an, (enum plain_atom)i);
    return 0;
}


int
cond_check_(const char *expr)
{
    const char *s = expr;
    while (*s) {
        size_t n = strcspn(s, ",|");
        char w[64];
        if (n == 0 || n >= sizeof(w)) return -1;
        memcpy(w, s, n);
        w[n] = '\0';
        const char *a = w[0] == '!' ? w + 1 : w;
        int ok = strncmp(a, "reg:", 4) == 0 || strncmp(a, "kind:", 5) == 0 ||
                 strncmp(a, "cloud:", 6) == 0 || strncmp(a, "stack:", 6) == 0 ||
                 strcmp(a, "bill:compute") == 0 || strncmp(a, "tech:", 5) == 0 ||
                 strncmp(a, "unit:", 5) == 0;
        if (strncmp(a, "need:", 5) == 0)
            for (int x = 0; x < NEED_COUNT; x++) ok |= strcmp(a + 5, need_name_((enum need)x)) == 0;
        if (strncmp(a, "kind:", 5) == 0) ok = source_kind_parse(a + 5) != SOURCE_UNKNOWN;
        if (strncmp(a, "request:", 8) == 0)
            for (int x = 0; x < KIND_COUNT; x++)
                ok |= strcmp(a + 8, kind_name_((enum request_kind)x)) == 0;
        if (strncmp(a, "constraint:", 11) == 0)
            for (int x = 0; x < CONSTRAINT_COUNT; x++)
                ok |= strcmp(a + 11, constraint_name_((enum constraint)x)) == 0;
        for (size_t i = 0; i < A_PLAIN_COUNT; i++) ok |= strcmp(a, known_atoms[i]) == 0;
        if (!ok) return -1;
        s += n;
        if (*s) s++;
    }
    return 0;
}

int
cond_eval_(const struct analysis *an, const char *expr)
{
    const char *s = expr;
    while (*s) {
        size_t n = strcspn(s, ",");
        /* One term: alternatives separated by '|'. */
        int any = 0;
        const char *t = s, *end = s + n;
        while (t < end) {
            size_t m = strcspn(t, "|,");
            if (t + m > end) m = (size_t)(end - t);
            any |= atom(an, t, m);
            t += m;
            if (t < end) t++;
        }
        if (!any) return 0;
        s += n;
        if (*s) s++;
    }
    return 1;
}

static void
put_duration(struct buf *out, double s)
{
    if (s < 120) buf_fmt_(out, "%g s", s);
    else if (s < 7200)
        buf_fmt_(out, "%g min", round(s / 6) / 10);
    else if (s < 172800)
        buf_fmt_(out, "%g h", round(s / 360) / 10);
    else
        buf_fmt_(out, "%g days", round(s / 8640) / 10);
}

static const char *
choice_of(const struct analysis *an, const char *area)
{
    const struct decision *d = decision_find_(an, area);
    return d ? d->choice : NULL;
}

void
expand_(const struct analysis *an, const char *text, struct buf *out)
{
    const struct profile *p = &an->p;
    const struct cloudinfo *ci = cloud_info_(an);
    const char *s = text;
    while (*s) {
        const char *open = strchr(s, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (open == NULL || close == NULL) {
            buf_puts(out, s);
            return;
        }
        buf_append(out, s, (size_t)(open - s));
        size_t n = (size_t)(close - open - 1);
        const char *key = open + 1;
        const char *v = NULL;
#define KEY_IS(k) (n == sizeof(k) - 1 && strncmp(key, k, n) == 0)
        if (KEY_IS("retention")) {
            fmt_num_(out, p->retention_days);
            buf_puts(out, " days");
            if (p->retention_days >= 365)
                buf_fmt_(out, " (%g years)", round(p->retention_days / 365.0 * 10) / 10);
        } else if (KEY_IS("availability")) {
            buf_fmt_(out, "%g %%", p->availability);
        } else if (KEY_IS("freshness")) {
            put_duration(out, p->freshness_s);
        } else if (KEY_IS("kms")) {
            v = ci->kms;
        } else if (KEY_IS("iam")) {
            v = ci->iam;
        } else if (KEY_IS("audit")) {
            v = ci->audit;
        } else if (KEY_IS("region_eu")) {
            v = p->region && strstr(p->regs, ",gdpr,") ? p->region : ci->region_eu;
        } else if (KEY_IS("region")) {
            if (p->region) v = p->region;
            else
                buf_fmt_(out, "the US regions of %s", ci->name);
        } else if (KEY_IS("cloud_name")) {
            v = ci->name;
        } else if (KEY_IS("ingestion")) {
            v = choice_of(an, "ingestion");
        } else if (KEY_IS("processing")) {
            v = choice_of(an, "stream_processing");
            if (v == NULL) v = choice_of(an, "transformation");
        } else if (KEY_IS("transformation") || KEY_IS("storage") || KEY_IS("warehouse") ||
                   KEY_IS("orchestration") || KEY_IS("governance") || KEY_IS("table_format")) {
            char area[32];
            memcpy(area, key, n);
            area[n] = '\0';
            v = choice_of(an, area);
        } else if (KEY_IS("quality")) {
            v = choice_of(an, "data_quality");
        } else if (!iac_field_(an, key, n, out)) {
            buf_append(out, open, n + 2);
        }
#undef KEY_IS
        /* Technology names read better without their parenthesised details here. */
        if (v) buf_append(out, v, strcspn(v, "(:;"));
        while (v && out->len && out->data[out->len - 1] == ' ') out->data[--out->len] = '\0';
        s = close + 1;
    }
}

/* The fields expand_() fills itself, before the Terraform ones (iac_field_()). */
static const char *const text_fields[] = {"retention",  "availability", "freshness",
                                          "kms",        "iam",          "audit",
                                          "region_eu",  "region",       "cloud_name",
                                          "ingestion",  "processing",   "transformation",
                                          "storage",    "warehouse",    "orchestration",
                                          "governance", "table_format", "quality"};

int
expand_known_(const struct advisor *a, const char *key, size_t n, char *bad, size_t bad_size)
{
    for (size_t i = 0; i < sizeof(text_fields) / sizeof(text_fields[0]); i++)
        if (strlen(text_fields[i]) == n && strncmp(text_fields[i], key, n) == 0) return 1;
    return iac_field_known_(a, key, n, bad, bad_size);
}

const char *
expand_str_(struct analysis *an, const char *text)
{
    if (strchr(text, '{') == NULL) return text;
    struct buf b;
    buf_init(&b);
    expand_(an, text, &b);
    const char *s = arena_strdup_(&an->ar, b.data ? b.data : "");
    buf_fini(&b);
    return s;
}

static int
level(const char *s)
{
    return strcmp(s, "high") == 0 ? 3 : strcmp(s, "medium") == 0 ? 2 : 1;
}

void
risks_(struct analysis *an)
{
    const struct advisor *a = an->a;
    for (size_t i = 0; i < a->n_risk && an->n_risk < ADVISOR_MAX_PICKS; i++)
        if (cond_eval_(an, a->risk[i].when)) an->risk[an->n_risk++] = &a->risk[i];
    /* Insertion sort by likelihood x impact, descending; stable. */
    for (size_t i = 1; i < an->n_risk; i++) {
        const struct textrule *x = an->risk[i];
        int rx = level(x->likelihood) * level(x->impact);
        size_t j = i;
        while (j > 0 && level(an->risk[j - 1]->likelihood) * level(an->risk[j - 1]->impact) < rx) {
            an->risk[j] = an->risk[j - 1];
            j--;
        }
        an->risk[j] = x;
    }
    for (size_t i = 0; i < a->n_control && an->n_control < ADVISOR_MAX_PICKS; i++)
        if (cond_eval_(an, a->control[i].when)) an->control[an->n_control++] = &a->control[i];
    for (size_t i = 0; i < a->n_step && an->n_step < ADVISOR_MAX_PICKS; i++)
        if (cond_eval_(an, a->step[i].when)) an->step[an->n_step++] = &a->step[i];
}
