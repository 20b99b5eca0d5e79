/* advisor/render_plan.c - the last three sections (cost, risks, next steps) and the appendix.
 *
 * Also the pieces the summary and the audio share with them: the cost headline, the questions
 * before committing and the skills the team lacks for the chosen tools.
 */
#include "render_int.h"

/* Next Steps shows the first steps in priority order; the rest are in the appendix. */
#define STEPS_SHOWN 6

#include <math.h>
#include <string.h>
#include <strings.h>

/* ---- shared pieces -------------------------------------------------------------------------- */

/* Appends to 'out' the sentence of 'st' that starts at 's'; returns where the next one starts.
 * A sentence ends at ". " before a capital letter or a digit, so "$1.5" does not end it. */
static const char *
sentence(const char *s, const char **end)
{
    const char *e = s;
    while (*e && !(e[0] == '.' && e[1] == ' ' &&
                   ((e[2] >= 'A' && e[2] <= 'Z') || (e[2] >= '0' && e[2] <= '9'))))
        e++;
    *end = e + (*e == '.');
    return *e ? e + 2 : e;
}

/* The summary's verdict: the statement's sentences about the budget (its first sentence when
 * none is), at most two; the whole statement is in Cost Analysis. */
static void
put_verdict(struct buf *b, const char *st)
{
    if (st == NULL) return;
    size_t said = 0;
    const char *end;
    for (const char *s = st, *next; *s && said < 2; s = next) {
        next = sentence(s, &end);
        const char *bud = strstr(s, "budget");
        if (bud && bud < end) {
            buf_puts(b, said++ ? " " : "");
            buf_append(b, s, (size_t)(end - s));
        }
    }
    if (said == 0) {
        sentence(st, &end);
        buf_append(b, st, (size_t)(end - st));
    }
}

/* "$L to $H a month (central $M at month 12)", of what the request adds. */
static void
put_range(struct analysis *an, struct buf *b, double low, double high, double central)
{
    fmt_usd_(b, low);
    if (high > low * 1.005) {
        buf_puts(b, " to ");
        fmt_usd_(b, high);
    }
    buf_puts(b, " a month (");
    fmt_usd_(b, central);
    buf_puts(b, " at month ");
    put_grouped_(b, an->a->k.planning_month);
    buf_puts(b, ")");
}

void
cost_headline_(struct analysis *an, struct buf *b, int figure)
{
    const struct costing *c = &an->cost;
    if (c->priced && figure) {
        if (c->existing_monthly > 0) {
            buf_puts(b, "new spend ");
            put_range(an, b, c->incr_low, c->incr_high, c->incr_monthly);
            buf_puts(b, ", on top of ");
            fmt_usd_(b, c->existing_monthly);
            buf_puts(b, " a month for what already runs (shown apart)");
        } else {
            put_range(an, b, c->monthly_low, c->monthly_high, c->monthly);
        }
        if (c->estate_before > 0 && c->estate_saving > 0) {
            buf_puts(b, ", against ");
            fmt_usd_(b, c->estate_before);
            buf_puts(b, " at the same month if nothing changes");
        }
        if (c->n_unpriced)
            buf_fmt_(b, ", plus %zu service%s not in the price book", c->n_unpriced,
                     c->n_unpriced == 1 ? "" : "s");
        buf_puts(b, ". ");
    }
    if (figure) put_verdict(b, c->statement);
    else
        buf_puts(b, c->statement ? c->statement : "");
}

size_t
questions_(const struct analysis *an, const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < an->n_question && n < cap; i++) out[n++] = an->question[i];
    for (size_t i = 0; i < an->p.ex.n_questions && n < cap; i++) {
        const char *q = an->p.ex.questions[i];
        int dup = 0;
        for (size_t j = 0; j < n && !dup; j++) dup = strcmp(out[j], q) == 0;
        if (!dup && q && *q) out[n++] = q;
    }
    return n;
}

static void
put_list(struct buf *b, const struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (i) buf_puts(b, ", ");
        md_cell_(b, l->v[i]);
    }
}

/* The areas where the team writes or runs code with the tool, so a skill it lacks shows. */
static int
skilled_area(const char *area)
{
    return strcmp(area, "ingestion") == 0 || strcmp(area, "stream_processing") == 0 ||
           strcmp(area, "transformation") == 0 || strcmp(area, "orchestration") == 0;
}

size_t
skills_gaps_(struct analysis *an, const char **out, size_t cap)
{
    const struct profile *p = &an->p;
    size_t n = 0;
    if (!p->skills_lc || !p->skills_lc[0]) return 0;
    for (size_t i = 0; i < an->n_dec && n < cap; i++) {
        const struct decision *d = &an->dec[i];
        if (d->t == NULL || d->reused || !d->t->skills || strcmp(d->t->skills, "-") == 0 ||
            !skilled_area(d->area))
            continue;
        if (has_any_token_(p->skills_lc, d->t->skills)) continue;
        const char *name = short_name_(an, d->choice);
        int dup = 0;
        for (size_t j = 0; j < n && !dup; j++) dup = strncmp(out[j], name, strlen(name)) == 0;
        if (!dup) out[n++] = arena_printf_(&an->ar, "%s (needs %s)", name, d->t->skills);
    }
    return n;
}

/* ---- Cost Analysis -------------------------------------------------------------------------- */

/* The rows of the lines that already run (existing 1) or that the request adds (existing 0);
 * returns their month-12 sum. Estimates are marked. */
static double
cost_rows(const struct costing *c, struct buf *b, int existing)
{
    double sum = 0;
    for (size_t i = 0; i < c->n_line; i++) {
        const struct line *l = &c->line[i];
        if (l->existing != existing) continue;
        buf_puts(b, "| ");
        md_cell_(b, l->service);
        buf_puts(b, l->estimate ? " (estimate)" : "");
        buf_puts(b, " | ");
        fmt_num_(b, l->qty);
        cat_(b, " ", l->price->unit, " x $", NULL);
        put_price_(b, l->price->usd);
        buf_puts(b, " | ");
        fmt_usd_(b, l->monthly);
        buf_puts(b, " |\n");
        sum += l->monthly;
    }
    return sum;
}

static void
cost_table(struct analysis *an, struct buf *b)
{
    const struct costing *c = &an->cost;
    buf_puts(b, "| Service | Quantity x list price | Month ");
    put_grouped_(b, an->a->k.planning_month);
    buf_puts(b, " |\n|---|---|---|\n");
    double added = cost_rows(c, b, 0);
    buf_puts(b, c->existing_monthly > 0 ? "| **New spend** | | **" : "| **Total** | | **");
    fmt_usd_(b, added);
    buf_puts(b, "** |\n\n");
    if (c->existing_monthly <= 0) return;
    buf_puts(b, "Already running, kept as it is (not part of the new spend):\n\n"
                "| Service | Quantity x list price | Month ");
    put_grouped_(b, an->a->k.planning_month);
    buf_puts(b, " |\n|---|---|---|\n");
    cost_rows(c, b, 1);
    buf_puts(b, "\n");
}

static void
cost_capacity(struct analysis *an, struct buf *b)
{
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
    buf_puts(b, " |\n| Batch compute | ");
    fmt_num_(b, sz->batch_vcpu_h);
    buf_puts(b, " vCPU-hours a month |\n\nWhat does not fit the object store's usable capacity "
                "at full retention belongs on tape.\n\n");
}

void
sec_cost_(struct analysis *an, struct buf *b)
{
    const struct costing *c = &an->cost;
    if (c->n_line) cost_table(an, b);
    if (c->priced) {
        buf_puts(b, "Month 1: ");
        fmt_usd_(b, c->month1);
        buf_puts(b, "; steady state at full retention: ");
        fmt_usd_(b, c->steady);
        buf_puts(b, ". ");
    }
    cost_headline_(an, b, 0);
    buf_puts(b, "\n\n");
    if (an->p.cloud == CLOUD_ON_PREM) cost_capacity(an, b);
    for (size_t i = 0; i < c->n_unpriced; i++)
        cat_(b, i ? "; " : "**Not priced yet:** ", c->unpriced[i], NULL);
    if (c->n_unpriced) buf_puts(b, ".\n\n");
    /* the three levers that save most, largest first; all of them are in the JSON */
    size_t order[8], nl = c->n_lever < 8 ? c->n_lever : 8;
    for (size_t i = 0; i < nl; i++) order[i] = i;
    for (size_t i = 1; i < nl; i++)
        for (size_t j = i; j > 0 && c->lever[order[j]].savings > c->lever[order[j - 1]].savings;
             j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (size_t k = 0; k < nl && k < 3; k++) {
        size_t i = order[k];
        const char *d = c->lever[i].detail;
        cat_(b, "- **", c->lever[i].name, "** saves ", NULL);
        fmt_usd_(b, c->lever[i].savings);
        size_t n = strcspn(d, ";(");
        while (n && d[n - 1] == ' ') n--;
        buf_puts(b, " a month: ");
        buf_append(b, d, n);
        buf_puts(b, ".\n");
    }
}

/* ---- Risk Assessment ------------------------------------------------------------------------ */

/* A rule that holds for nearly every request: "always", or only negations ("!request:cdc"):
 * what it says belongs to every report, so it goes to the appendix. */
int
generic_rule_(const char *when)
{
    if (when == NULL || strcmp(when, "always") == 0) return 1;
    for (const char *w = when; *w;) {
        if (*w != '!') return 0;
        w += strcspn(w, ",|");
        if (*w) w++;
    }
    return 1;
}

/* 's' with its first letter lower-cased unless its first word is an acronym ("GDPR"). */
static void
put_lower(struct buf *b, const char *s)
{
    if (s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z')) {
        buf_putc(b, (char)(s[0] - 'A' + 'a'));
        s++;
    }
    buf_puts(b, s);
}

static void
risk_item(struct analysis *an, const struct textrule *r, struct buf *b)
{
    buf_puts(b, "- **");
    expand_(an, r->text, b);
    cat_(b, "** (", r->likelihood, " likelihood, ", r->impact, " impact): ", NULL);
    put_lower(b, expand_str_(an, r->mitigation));
    buf_puts(b, ".\n");
}

static void
risk_row(struct analysis *an, const struct textrule *r, struct buf *b, int signal)
{
    buf_puts(b, "| ");
    md_cell_(b, expand_str_(an, r->text));
    cat_(b, " | ", r->likelihood, " | ", r->impact, " | ", NULL);
    md_cell_(b, expand_str_(an, r->mitigation));
    if (signal) {
        buf_puts(b, " | ");
        md_cell_(b, expand_str_(an, r->signal));
    }
    buf_puts(b, " |\n");
}

void
sec_risks_(struct analysis *an, struct buf *b)
{
    size_t shown = 0;
    /* the three that rank highest; the rest are in the appendix's table */
    for (size_t i = 0; i < an->n_risk && shown < 3; i++) {
        /* a risk of every pipeline is in the appendix, not here */
        if (generic_rule_(an->risk[i]->when)) continue;
        shown++;
        risk_item(an, an->risk[i], b);
    }
    if (shown) buf_puts(b, "\n");
    const char *gap[8];
    size_t ng = skills_gaps_(an, gap, PW_ARRAY_LEN(gap));
    if (ng) {
        buf_puts(b, "**Skills gaps** (the team lists ");
        put_list(b, &an->p.req.team_skills);
        buf_puts(b, "): ");
        for (size_t i = 0; i < ng; i++) cat_(b, i ? "; " : "", gap[i], NULL);
        buf_puts(b, ". Budget training or a partner for the first months, or pick the runner-up "
                    "the team knows.\n\n");
    } else if (an->p.skills_lc && an->p.skills_lc[0]) {
        buf_puts(b, "**Skills:** every tool the team builds with matches a skill it lists (");
        put_list(b, &an->p.req.team_skills);
        buf_puts(b, ").\n\n");
    }
    const struct extract_result *ex = &an->p.ex;
    for (size_t i = 0; i < ex->n_avoid; i++)
        for (size_t j = 0; j < an->n_dec; j++)
            if (an->dec[j].t && strcasestr(an->dec[j].choice, ex->avoid[i].field)) {
                buf_fmt_(b,
                         "**Against a stated wish:** %s uses %s, which the request rules out "
                         "(\"%s\"); confirm before committing.\n\n",
                         an->dec[j].area, ex->avoid[i].field, ex->avoid[i].evidence);
                break;
            }
    if (shown + ng == 0)
        buf_puts(b, "No risk particular to this request beyond those every "
                    "pipeline carries (appendix).\n");
}

/* ---- Next Steps ----------------------------------------------------------------------------- */

void
sec_steps_(struct analysis *an, struct buf *b)
{
    const char *q[ADVISOR_MAX_QUESTIONS * 2];
    size_t nq = questions_(an, q, PW_ARRAY_LEN(q));
    if (nq) {
        buf_puts(b, "**Questions before committing:**\n\n");
        for (size_t i = 0; i < nq; i++) cat_(b, "- ", q[i], "\n", NULL);
        buf_puts(b, "\n");
    }
    if (an->p.kind != KIND_GREENFIELD)
        buf_fmt_(b, "**Plan for this %s:**\n\n", kind_words_(an->p.kind));
    size_t n = an->n_step < STEPS_SHOWN ? an->n_step : STEPS_SHOWN;
    for (size_t i = 0; i < n; i++) {
        buf_fmt_(b, "%zu. ", i + 1);
        expand_(an, an->step[i]->text, b);
        cat_(b, " (", an->step[i]->effort, ")\n", NULL);
    }
    if (an->n_step > n)
        buf_fmt_(b, "\nThen %zu more step%s (appendix).\n", an->n_step - n,
                 an->n_step - n == 1 ? "" : "s");
}

/* The steps after the first STEPS_SHOWN, in the appendix. */
static void
app_steps(struct analysis *an, struct buf *b)
{
    if (an->n_step <= STEPS_SHOWN) return;
    buf_puts(b, "### Later steps\n\n");
    for (size_t i = STEPS_SHOWN; i < an->n_step; i++) {
        buf_fmt_(b, "%zu. ", i + 1);
        expand_(an, an->step[i]->text, b);
        cat_(b, " (", an->step[i]->effort, ")\n", NULL);
    }
    buf_putc(b, '\n');
}

/* ---- Appendix ------------------------------------------------------------------------------- */

static void
app_read(struct analysis *an, struct buf *b)
{
    const struct profile *p = &an->p;
    if (p->ex.n_notes) {
        buf_puts(b, "### Read from the description\n\n");
        for (size_t i = 0; i < p->ex.n_notes; i++) {
            const struct extract_note *n = &p->ex.notes[i];
            cat_(b, "- `", n->field, "` from \"", n->evidence, "\"", NULL);
            if (n->why && n->why[0]) cat_(b, " (", n->why, ")", NULL);
            buf_putc(b, '\n');
        }
        buf_putc(b, '\n');
    }
    if (p->n_assumption) {
        buf_puts(b, "### Assumptions and what each changes\n\n");
        for (size_t i = 0; i < p->n_assumption; i++)
            cat_(b, "- `", p->assumption[i].field, "` = ", p->assumption[i].value, ": ",
                 p->assumption[i].effect, ".\n", NULL);
        buf_putc(b, '\n');
    }
}

static void
app_alternatives(struct analysis *an, struct buf *b)
{
    buf_puts(b, "### Alternatives weighed\n\nScores out of 100 on latency, scale, cost, "
                "operations, skills and lock-in, weighted for this request.\n\n");
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (d->n_alt == 0) continue;
        cat_(b, "- *", d->area, "* (", short_name_(an, d->choice), ", ", NULL);
        put_grouped_(b, round(d->score));
        buf_puts(b, "): ");
        for (size_t j = 0; j < d->n_alt; j++) {
            cat_(b, j ? "; " : "", d->alt[j].name, ", ", NULL);
            put_grouped_(b, round(d->alt[j].score));
            cat_(b, " (", d->alt[j].why_not, ")", NULL);
        }
        buf_puts(b, ".\n");
    }
    buf_putc(b, '\n');
}

/* The choices the Architecture Overview does not weigh in its table, with their reasons. */
static void
app_other_choices(struct analysis *an, struct buf *b)
{
    buf_puts(b, "### Other choices\n\n");
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (weighed_area_(d->area)) continue;
        cat_(b, "- *", d->area, "*: ", d->choice, ": ", d->t ? d->t->why : d->rationale, "\n",
             NULL);
    }
    buf_putc(b, '\n');
}

static void
app_dag(struct analysis *an, struct buf *b)
{
    const struct knobs *k = &an->a->k;
    buf_puts(b, "### Pipeline DAG\n\nEach task is idempotent: it overwrites its own partition, "
                "so a retry or backfill is safe.\n\n");
    buf_puts(b, "1. `land`: raw data into the landing zone, kept ");
    put_days_(b, fmin(k->landing_days, an->p.retention_days));
    buf_puts(b, ", compressed.\n");
    buf_puts(b, "2. `validate`: landing checks (freshness, volume, schema); failures go to a "
                "quarantine prefix and alert.\n");
    buf_fmt_(b, "3. `stage`: typed, de-duplicated %s tables.\n",
             choice_or_(an, "table_format", "lake"));
    buf_fmt_(b, "4. `model`: %s.\n", choice_or_(an, "data_model", "marts"));
    buf_puts(b, "5. `publish`: marts and serving tables swapped in atomically after their "
                "checks pass.\n\n");
}

static void
app_quality(struct analysis *an, struct buf *b)
{
    buf_puts(b, "### Data quality rules\n\n| Stage | Subject | Check | Rule | Severity |\n"
                "|---|---|---|---|---|\n");
    for (size_t i = 0; i < an->n_q; i++) {
        const struct qrule *q = &an->q[i];
        cat_(b, "| ", q->stage, " | ", NULL);
        md_cell_(b, q->subject);
        cat_(b, " | ", q->check, " | ", NULL);
        md_cell_(b, q->rule);
        cat_(b, " | ", q->severity, " |\n", NULL);
    }
    buf_puts(b, "\n### Governance and compliance controls\n\n");
    for (size_t i = 0; i < an->n_control; i++) {
        buf_puts(b, "- ");
        expand_(an, an->control[i]->text, b);
        cat_(b, " (", an->control[i]->source, ")\n", NULL);
    }
    buf_puts(b, "\n### Risks with their signals\n\n| Risk | Likelihood | Impact | Mitigation | "
                "Signal to monitor |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < an->n_risk; i++) risk_row(an, an->risk[i], b, 1);
    buf_putc(b, '\n');
}

void
appendix_(struct analysis *an, struct buf *b)
{
    app_read(an, b);
    app_steps(an, b);
    app_other_choices(an, b);
    app_alternatives(an, b);
    app_dag(an, b);
    app_quality(an, b);
}

void
appendix_code_(struct analysis *an, struct buf *b)
{
    const char *region = region_(an);
    buf_fmt_(b, "### Terraform\n\nFor %s%s%s; `terraform fmt` leaves it unchanged.\n\n```hcl\n",
             cloud_info_(an)->name, region ? ", region " : "", region ? region : "");
    buf_puts(b, an->terraform);
    buf_puts(b, "```\n\n### Data-flow diagram (Graphviz DOT)\n\n```dot\n");
    buf_puts(b, an->dot);
    buf_puts(b, "```\n");
}
