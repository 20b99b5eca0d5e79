/* advisor/scope.c - the decisions about the request as a whole, not about one technology.
 *
 * The kind of work (a "scope" row with the words that decided it), a second region when the
 * availability target is above what one region promises (hints.tsv design row), the push-back
 * when a wish was overruled by what the consumers need (the extractor's note says so), and the
 * team's constraints and pinned region as assumptions the report prints. Pure, deterministic.
 */
#include "advisor_int.h"

#include <stdlib.h>
#include <string.h>

/* When the extractor overruled a wish ("the CEO wants real-time") by what the consumers need,
 * the mode's rationale says so plainly. */
const char *
wish_pushback_(struct analysis *an)
{
    const struct extract_result *ex = &an->p.ex;
    for (size_t i = 0; i < ex->n_notes; i++) {
        const struct extract_note *x = &ex->notes[i];
        if (x->field == NULL || x->why == NULL || strcmp(x->field, "freshness_seconds") != 0)
            continue;
        if (strstr(x->why, "wish") == NULL) continue;
        return arena_printf_(&an->ar,
                             " Push-back: %s (\"%s\"). The design is sized for what the "
                             "consumers need; faster delivery would cost more and buy nothing "
                             "they use.",
                             x->why, x->evidence ? x->evidence : "");
    }
    return "";
}

static struct decision *
fixed_decision(struct analysis *an, const char *area, const char *choice, const char *why)
{
    if (an->n_dec == ADVISOR_MAX_DECISIONS) return NULL;
    struct decision *d = &an->dec[an->n_dec++];
    memset(d, 0, sizeof(*d));
    d->area = area;
    d->choice = choice;
    d->score = 100;
    d->rationale = why;
    return d;
}

/* What kind of work this is, with the words that said so; greenfield needs no row. */
void
decide_scope_(struct analysis *an)
{
    const struct profile *p = &an->p;
    static const char *const plan[KIND_COUNT] = {
        NULL,
        "Migration: inventory and classify the existing jobs, convert each type on the target "
        "platform (reusing what is already paid for), run old and new in parallel with "
        "reconciliation, then cut over on a date with a rollback",
        "Cost reduction of the existing estate: tier storage by age and access, compact small "
        "files, delete what no rule requires, and compare the bill before and after; no new "
        "ingestion pipeline",
        "Change data capture with updates and deletes: an initial snapshot, then the log-based "
        "change stream MERGEd into current-state tables with a change history; deletes as "
        "tombstones, ordered per key",
        "A new consumer on an existing pipeline: reuse what lands today and add only the new "
        "path (model, serving and its backfill)",
    };
    if (p->kind == KIND_GREENFIELD || p->kind >= KIND_COUNT) return;
    fixed_decision(an, "scope", plan[p->kind],
                   arena_printf_(&an->ar,
                                 "The request reads as %s work (\"%s\"); the plan and "
                                 "next steps follow that kind of work.",
                                 kind_name_(p->kind), p->kind_evidence ? p->kind_evidence : ""));
}

static double
design_threshold(const struct advisor *a, const char *name, double dflt)
{
    for (size_t i = 0; i < a->n_hint; i++)
        if (a->hint[i].kind[0] == 'd' && strcmp(a->hint[i].kind, "design") == 0 &&
            strcmp(a->hint[i].token, name) == 0)
            return strtod(a->hint[i].value, NULL);
    return dflt;
}

/* A target above what one region promises gets a second region, priced, or is said unmet. */
void
decide_availability_(struct analysis *an)
{
    const struct profile *p = &an->p;
    double t = design_threshold(an->a, "multi_region_availability", 99.99);
    if (p->availability < t || p->cloud == CLOUD_ANY) return;
    const char *where = p->region ? " in the same jurisdiction as the primary" : "";
    int active = map_has_any_(p->ctx_map, "active-active,active active,multi-active");
    fixed_decision(
        an, "availability",
        arena_printf_(&an->ar,
                      "Multi-region%s%s (replicated object "
                      "storage and stream, the same Terraform applied there), failover "
                      "rehearsed every quarter against written recovery objectives (RPO: "
                      "the data a failover may lose; RTO: the time to recover); an RPO "
                      "of zero needs each write committed in both regions before it is "
                      "acknowledged, which asynchronous replication cannot give",
                      active ? " active-active: both regions take traffic"
                             : ": a warm standby region",
                      where),
        arena_printf_(&an->ar,
                      "A %g %% target allows about %.0f minutes of downtime a year, "
                      "within written RPO and RTO objectives; one "
                      "region's managed services promise about 99.9-99.95 %%, so a "
                      "second region is part of the design and of its cost.",
                      p->availability, (100.0 - p->availability) / 100.0 * 525600.0));
}

void
note_constraints_(struct analysis *an)
{
    const struct profile *p = &an->p;
    if (p->constraints & (1u << CONSTRAINT_NO_SERVERS))
        assume_(an, "constraints", "no servers",
                arena_printf_(&an->ar,
                              "only managed, serverless or SaaS services are chosen "
                              "(%s)",
                              p->constraint_evidence));
    else if (p->constraints & (1u << CONSTRAINT_NO_SELF_KAFKA))
        assume_(an, "constraints", "no self-run Kafka",
                arena_printf_(&an->ar, "a managed stream service or none at all (%s)",
                              p->constraint_evidence));
    if (p->constraints & (1u << CONSTRAINT_NO_ONCALL))
        assume_(an, "constraints", "no on-call",
                "operations weigh more; nothing in the design should page at night");
    if (p->region) assume_(an, "region", p->region, p->region_why);
}

/* Questions before committing that the kind of work or the design raises (hints.tsv question
 * rows: the token is a condition as in steps.tsv, the value the question). */
void
design_questions_(struct analysis *an)
{
    for (size_t i = 0; i < an->a->n_hint; i++) {
        const struct hint *h = &an->a->hint[i];
        if (h->kind[0] == 'q' && strcmp(h->kind, "question") == 0 && cond_eval_(an, h->token))
            question_(an, h->value);
    }
}
