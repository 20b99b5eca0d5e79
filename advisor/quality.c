/* advisor/quality.c - data quality rules per source and stage, and the pipeline's SLOs.
 *
 * Owns the quality plan: for each source, checks at landing (freshness, volume, schema) and at
 * staging (nulls, uniqueness, ranges, personal data), then checks at the marts and the SLOs the
 * alerts watch. Thresholds follow the profile (freshness target, expected daily records, the
 * availability target), so the rules are concrete numbers, not advice. Bounded: at most 8 sources
 * get their own rules; the rest share them. Pure, deterministic.
 */
#include "advisor_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void
rule(struct analysis *an, const char *stage, const char *subject, const char *check,
     const char *severity, const char *text)
{
    if (an->n_q == ADVISOR_MAX_RULES) return;
    struct qrule *q = &an->q[an->n_q++];
    q->stage = stage;
    q->subject = subject;
    q->check = check;
    q->severity = severity;
    q->rule = text;
}

static const char *
duration(struct analysis *an, double s)
{
    struct buf b;
    buf_init(&b);
    if (s < 120) buf_fmt_(&b, "%g s", s);
    else if (s < 7200)
        buf_fmt_(&b, "%g min", round(s / 6) / 10);
    else if (s < 172800)
        buf_fmt_(&b, "%g h", round(s / 360) / 10);
    else
        buf_fmt_(&b, "%g days", round(s / 8640) / 10);
    const char *r = arena_strdup_(&an->ar, b.data);
    buf_fini(&b);
    return r;
}

/* Cutting the bill of an existing estate changes no feed: the checks are on the rewrite, the
 * storage classes and the restores. */
static void
cost_reduction_rules(struct analysis *an)
{
    rule(an, "compaction", "rewritten partitions", "equivalence", "error",
         "row counts and column sums per partition identical before and after compaction; the "
         "old files deleted only after the check passes");
    rule(an, "tiering", "storage classes", "placement", "warn",
         "a weekly inventory shows every object in the class its age band's rule names; "
         "objects below the minimum billable size kept out of archive classes");
    rule(an, "tiering", "archive classes", "restore", "error",
         "a monthly test restore from each archive class completes within its documented time "
         "and reads back identical");
    rule(an, "slo", "hot window", "availability", "error",
         arena_printf_(&an->ar,
                       "the hot window's data readable by its engines %g %% "
                       "of the month, as before the change",
                       an->p.availability));
}

/* The landing and staging checks of a source of binary objects (video, images): checked as
 * files, not parsed as records. 'rec' is the expected count per day. */
static void
object_rules(struct analysis *an, const struct src *s, const char *fresh, const char *late,
             const char *rec)
{
    rule(an, "landing", s->name, "freshness", "error",
         arena_printf_(&an->ar, "newest object no older than %s (alert), %s (page)", fresh, late));
    rule(an, "landing", s->name, "volume", "warn",
         arena_printf_(&an->ar,
                       "objects per day within 50 %% of the 7-day median "
                       "(expected about %s)",
                       rec));
    rule(an, "landing", s->name, "completeness", "error",
         "checksum computed at the source matches the stored object; every object has "
         "its metadata record (id, checksum, size, format)");
    rule(an, "staging", s->name, "uniqueness", "error",
         "one object per asset id and version; re-uploads de-duplicated by checksum");
    rule(an, "staging", s->name, "ranges", "warn",
         "object size within the range expected for its format; zero-byte or truncated "
         "files quarantined");
}

/* The landing and staging checks of source 's' of records, 'rec' per day expected. */
static void
record_rules(struct analysis *an, const struct src *s, const char *fresh, const char *late,
             const char *rec)
{
    rule(an, "landing", s->name, "freshness", "error",
         arena_printf_(&an->ar, "newest record no older than %s (alert), %s (page)", fresh, late));
    rule(an, "landing", s->name, "volume", "warn",
         arena_printf_(&an->ar,
                       "records per day within 50 %% of the 7-day median (expected about %s)",
                       rec));
    rule(an, "landing", s->name, "schema", "error",
         "matches the registered schema or contract; unknown fields quarantined, type "
         "changes rejected");
    int table = s->kind == SOURCE_DATABASE || s->kind == SOURCE_CDC || s->kind == SOURCE_SAAS ||
                s->kind == SOURCE_API;
    rule(an, "staging", s->name, "nulls", "error",
         table ? "primary key and last-modified timestamp never null; other columns below "
                 "their agreed null rate"
               : "business key and event timestamp never null; other columns below their "
                 "agreed null rate");
    rule(an, "staging", s->name, "uniqueness", "error",
         s->kind == SOURCE_DATABASE || s->kind == SOURCE_CDC
             ? "primary key unique per snapshot; change events unique per key and log position"
             : "event id unique within the de-duplication window; duplicates under 0.1 %");
    rule(an, "staging", s->name, "ranges", "warn",
         table ? "row counts and control sums (amounts, balances) per table per day match "
                 "the source; numeric measures within agreed bounds; enumerations within "
                 "their accepted values"
               : "event time within [arrival - 7 days, arrival + 5 min]; numeric measures "
                 "within agreed bounds; enumerations within their accepted values");
    if (s->pii == 1)
        rule(an, "staging", s->name, "personal_data", "error",
             "no raw identifiers (e-mail, phone, card number, IP address patterns) in "
             "curated columns");
}

void
quality_(struct analysis *an)
{
    const struct profile *p = &an->p;
    if (p->kind == KIND_COST_REDUCTION) {
        cost_reduction_rules(an);
        return;
    }
    const char *fresh = duration(an, p->freshness_s);
    const char *late = duration(an, p->freshness_s * 2);
    size_t n = p->n_src < 8 ? p->n_src : 8;
    for (size_t i = 0; i < n; i++) {
        const struct src *s = &p->src[i];
        double records = s->gb_day * 1e9 / s->record_bytes;
        struct buf b;
        buf_init(&b);
        fmt_num_(&b, round(records));
        const char *rec = arena_strdup_(&an->ar, b.data);
        buf_fini(&b);
        if (s->compression == 1.0) object_rules(an, s, fresh, late, rec);
        else
            record_rules(an, s, fresh, late, rec);
    }
    if (p->n_src > n)
        rule(an, "landing", "other sources", "all", "warn",
             "the same landing and staging checks as above");
    if (p->kind == KIND_MIGRATION)
        rule(an, "parallel_run", "every migrated table", "reconciliation", "error",
             "row counts and control sums per table per day equal between the old and the new "
             "targets for two business cycles; cutover only when every difference is explained");
    if ((p->needs >> NEED_AUDIT) & 1)
        rule(an, "marts", "all marts", "reconciliation", "error",
             "row counts and control totals (amounts, balances) match the source for every load; "
             "differences block publication");
    const struct decision *model = decision_find_(an, "data_model");
    const char *model_id = model && model->t ? model->t->id : "";
    if (strcmp(model_id, "dimensional") == 0 || strcmp(model_id, "data_vault") == 0)
        rule(an, "marts", "all marts", "referential", "warn",
             "every fact's dimension keys resolve; unknown members mapped to an explicit -1 row");
    else if (strcmp(model_id, "cdc_merge") == 0)
        rule(an, "marts", "current-state tables", "replica", "error",
             "one row per primary key; row counts and a checksum per table match the source at "
             "each reconciliation point; deleted keys absent from current state, present in "
             "history");

    rule(an, "slo", "pipeline", "freshness", "error",
         arena_printf_(&an->ar,
                       "99 %% of days (or windows) have data within %s of its event "
                       "time; alert at 80 %% of the error budget",
                       fresh));
    unsigned tables = (1u << SOURCE_DATABASE) | (1u << SOURCE_CDC) | (1u << SOURCE_SAAS);
    if ((p->kinds & tables) && !(p->kinds & ~tables))
        rule(an, "slo", "pipeline", "completeness", "error",
             "every table's row count matches the source at each load; a difference holds the "
             "marts and alerts");
    else
        rule(an, "slo", "pipeline", "completeness", "error",
             "99.9 % of source records reach the curated layer; dead-lettered records reviewed "
             "daily");
    rule(an, "slo", "pipeline", "availability", "error",
         arena_printf_(&an->ar, "serving layer available %g %% of the month", p->availability));
    if (an->mode != MODE_BATCH)
        rule(an, "slo", "stream", "lag", "error",
             arena_printf_(&an->ar, "consumer lag below %s at the 95th percentile", fresh));
}
