/* advisor/render_md.c - the first four sections of the report, in Markdown.
 *
 * Each section keeps what decides and what is particular to this request (its figures, its
 * choices, its tables and keys, its load plan); the long material (every alternative, the full
 * DAG, every quality rule, Terraform, DOT) is in the appendix (render_plan.c). A sentence that
 * would be true of every report is not written.
 */
#include "render_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *
mode_words_(enum mode m)
{
    return m == MODE_STREAMING ? "streaming" : m == MODE_MICRO_BATCH ? "micro-batch" : "batch";
}

const char *
kind_words_(enum request_kind k)
{
    static const char *const words[KIND_COUNT] = {"new pipeline", "migration", "cost reduction",
                                                  "change-data-capture pipeline",
                                                  "new consumer on an existing pipeline"};
    return (unsigned)k < KIND_COUNT ? words[k] : words[0];
}

const char *
choice_or_(const struct analysis *an, const char *area, const char *dflt)
{
    const struct decision *d = decision_find_(an, area);
    return d ? d->choice : dflt;
}

/* Appends 's' as one Markdown table cell: '|' escaped, newlines as spaces. */
void
md_cell_(struct buf *b, const char *s)
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

/* ---- Executive Summary ---------------------------------------------------------------------- */

/* A cost reduction builds no pipeline: the recommendation is what changes in the estate. */
static void
summary_cut(struct analysis *an, struct buf *b)
{
    static const char *const areas[] = {"storage", "warehouse_compute", "transformation"};
    buf_fmt_(b,
             "**Recommendation:** cut the bill of the existing estate on %s, with no new "
             "pipeline: ",
             cloud_info_(an)->name);
    size_t n = 0;
    for (size_t a = 0; a < PW_ARRAY_LEN(areas); a++) {
        const struct decision *d = decision_find_(an, areas[a]);
        if (d && d->t) cat_(b, n++ ? "; " : "", short_name_(an, d->choice), NULL);
    }
    cat_(b, n ? ". " : "", "Reads go through ",
         short_name_(an, choice_or_(an, "warehouse", "the same engines")), " as today.\n\n", NULL);
}

static void
summary_path(struct analysis *an, struct buf *b)
{
    if (an->p.kind == KIND_COST_REDUCTION) {
        summary_cut(an, b);
        return;
    }
    /* a target of a day or more is met by one run a day: say so */
    int daily = an->mode == MODE_BATCH && an->p.freshness_s >= 86400 && an->p.freshness_s < 172800;
    buf_fmt_(b, "**Recommendation:** a %s%s design %s%s", daily ? "daily " : "",
             mode_words_(an->mode), an->p.cloud == CLOUD_ON_PREM ? "" : "on ",
             cloud_info_(an)->name);
    if (an->p.kind != KIND_GREENFIELD) buf_fmt_(b, " for this %s", kind_words_(an->p.kind));
    buf_puts(b, ". Data enters through ");
    size_t n = 0;
    for (size_t i = 0; i < an->n_dec; i++) {
        if (strcmp(an->dec[i].area, "ingestion") != 0) continue;
        cat_(b, n++ ? " and " : "", short_name_(an, an->dec[i].choice), NULL);
    }
    const struct decision *sp = decision_find_(an, "stream_processing");
    if (sp && strncmp(sp->choice, "No ", 3) == 0) /* "No stream processor: ..." */
        cat_(b, ", with no", short_name_(an, sp->choice) + 2, NULL);
    else if (sp)
        cat_(b, ", is processed continuously by ", short_name_(an, sp->choice), NULL);
    cat_(b, ", lands in ", short_name_(an, choice_or_(an, "storage", "object storage")), NULL);
    if (an->p.binary_share >= 0.5)
        cat_(b, " (objects as they are, their metadata in ",
             short_name_(an, choice_or_(an, "table_format", "open")), " tables)", NULL);
    else if (decision_find_(an, "table_format"))
        cat_(b, " as ", short_name_(an, choice_or_(an, "table_format", "open")), " tables", NULL);
    cat_(b, ", is modelled with ", short_name_(an, choice_or_(an, "transformation", "SQL")),
         " and is queried through ", short_name_(an, choice_or_(an, "warehouse", "SQL")), ".\n\n",
         NULL);
}

/* A note decides the design when it sets volume, peak, freshness, budget or availability; the
 * rest (names, kinds, record sizes, and what the summary says otherwise) is in the appendix. */
static int
deciding_note(const struct extract_note *n)
{
    /* cloud, retention and compliance are said elsewhere in the summary and the controls */
    static const char *const keys[] = {"volume", "peak", "freshness", "budget", "availability"};
    for (size_t i = 0; i < PW_ARRAY_LEN(keys); i++)
        if (strstr(n->field, keys[i])) return 1;
    return 0;
}

/* A note whose reason is a wish the design does not follow: said as push-back. */
static int
wish_note(const struct extract_note *n)
{
    return n->why && strstr(n->why, "wish") != NULL;
}

static void
summary_read(struct analysis *an, struct buf *b)
{
    const struct extract_result *ex = &an->p.ex;
    size_t pushed = 0;
    for (size_t i = 0; i < ex->n_notes && pushed < 3; i++) {
        const struct extract_note *n = &ex->notes[i];
        if (!wish_note(n)) continue;
        buf_puts(b, pushed++ ? "; " : "- **Where we push back:** ");
        cat_(b, n->why, " (\"", n->evidence, "\")", NULL);
    }
    if (pushed) buf_puts(b, ".\n");
    size_t shown = 0;
    for (size_t i = 0; i < ex->n_notes && shown < 8; i++) {
        const struct extract_note *n = &ex->notes[i];
        int why = n->why && n->why[0];
        if (wish_note(n) || (!why && !deciding_note(n))) continue;
        buf_puts(b, shown++ ? "; " : "- **Read from the description:** ");
        cat_(b, "`", n->field, "` from \"", n->evidence, "\"", NULL);
        if (why) cat_(b, " (", n->why, ")", NULL);
    }
    if (shown) buf_puts(b, ".\n");
    for (size_t i = 0; i < ex->n_avoid && i < 4; i++)
        buf_fmt_(b, "%s`%s`, from \"%s\"%s", i ? "; " : "- **Ruled out by the requester:** ",
                 ex->avoid[i].field, ex->avoid[i].evidence,
                 i + 1 == ex->n_avoid || i == 3 ? ".\n" : "");
}

/* Assumptions about the request's own fields (not the engine's planning figures, such as the
 * compression ratio, which are in the appendix); the same assumption about several sources is
 * said once: `sources[0,2].peak_events_per_sec` = 3 x the daily average. */
static void
summary_assumed(struct analysis *an, struct buf *b)
{
    const struct profile *p = &an->p;
    static const char *const own[] = {"sources[",   "freshness",    "retention",     "budget",
                                      "team",       "availability", "cloud",         "contains_pii",
                                      "compliance", "consumers",    "existing_stack"};
    size_t shown = 0;
    for (size_t i = 0; i < p->n_assumption && shown < 8; i++) {
        const struct assumption *x = &p->assumption[i];
        int mine = 0;
        for (size_t k = 0; k < PW_ARRAY_LEN(own) && !mine; k++)
            mine = strncmp(x->field, own[k], strlen(own[k])) == 0;
        const char *tail = strchr(x->field, ']');
        int first = 1;
        for (size_t j = 0; tail && j < i && first; j++) {
            const char *t2 = strchr(p->assumption[j].field, ']');
            first = !(t2 && strcmp(t2, tail) == 0 && strcmp(p->assumption[j].value, x->value) == 0);
        }
        if (!mine || !first) continue;
        buf_puts(b, shown++ ? "; `" : "- **Assumed (confirm; each changes the answer):** `");
        if (tail) {
            buf_puts(b, "sources[");
            size_t m = 0;
            for (size_t j = i; j < p->n_assumption; j++) {
                const char *t2 = strchr(p->assumption[j].field, ']');
                const char *o = strchr(p->assumption[j].field, '[');
                if (!t2 || !o || strcmp(t2, tail) || strcmp(p->assumption[j].value, x->value))
                    continue;
                buf_fmt_(b, "%s%.*s", m++ ? "," : "", (int)(t2 - o - 1), o + 1);
            }
            buf_puts(b, tail);
        } else {
            buf_puts(b, x->field);
        }
        cat_(b, "` = ", x->value, NULL);
    }
    if (shown) buf_puts(b, ".\n");
}

void
sec_summary_(struct analysis *an, const struct analysis *prev, struct buf *b)
{
    const struct profile *p = &an->p;
    summary_path(an, b);
    if (p->kind != KIND_GREENFIELD && p->kind_evidence)
        buf_fmt_(b, "- **Request:** a %s, from \"%s\"; Next Steps gives its plan.\n",
                 kind_words_(p->kind), p->kind_evidence);
    buf_puts(b, "- **Workload:** ");
    if (an->cost.estate_gb > 0) {
        /* an estate to cut: what is stored and how fast it grows, not a stream's peaks */
        fmt_num_(b, an->cost.estate_gb / 1000.0);
        buf_puts(b, " TB stored, growing ");
        fmt_num_(b, p->total.gb_day);
        buf_puts(b, " GB/day");
    } else {
        fmt_num_(b, p->total.gb_day);
        buf_fmt_(b, " GB/day from %zu source%s (peak ", p->n_src, p->n_src == 1 ? "" : "s");
        fmt_num_(b, p->total.peak_mb_s);
        buf_puts(b, " MB/s, ");
        fmt_num_(b, p->total.peak_ev_s);
        buf_puts(b, " events/s)");
    }
    buf_puts(b, "; freshness ");
    expand_(an, "{freshness}", b);
    buf_puts(b, "; retention ");
    put_days_(b, an->p.retention_days);
    buf_puts(b, ".\n- **Cost:** ");
    cost_headline_(an, b, 1);
    buf_putc(b, '\n');
    if (an->n_risk) {
        buf_puts(b, "- **Main risk:** ");
        expand_(an, an->risk[0]->text, b);
        buf_puts(b, ".\n");
    }
    buf_puts(b, "- **Why:** ");
    size_t n = 0;
    static const char *const key_areas[] = {"stream_processing", "transformation", "warehouse"};
    for (size_t i = 0; i < PW_ARRAY_LEN(key_areas) && n < 1; i++) {
        const struct decision *d = decision_find_(an, key_areas[i]);
        if (d == NULL || d->t == NULL) continue;
        /* the models and jobs a design adds are new even on a platform that runs today */
        int job = strcmp(d->area, "warehouse") != 0;
        buf_fmt_(b, "%s%s: %s%s", n++ ? "; " : "", short_name_(an, d->choice), d->t->why,
                 !d->reused ? ""
                 : job      ? " (on what already runs here)"
                            : " (already runs here)");
    }
    buf_puts(b, n ? ".\n" : "the choices follow the table in Architecture Overview.\n");
    summary_read(an, b);
    summary_assumed(an, b);
    const char *q[ADVISOR_MAX_QUESTIONS * 2];
    size_t nq = questions_(an, q, PW_ARRAY_LEN(q));
    if (nq)
        buf_fmt_(b, "- **Before committing:** %zu question%s in Next Steps, first: %s\n", nq,
                 nq == 1 ? "" : "s", q[0]);
    if (prev) {
        buf_puts(b, "\n");
        history_markdown_(an, prev, b);
    }
}

/* ---- Architecture Overview ------------------------------------------------------------------ */

/* The data's path on one line, in the products' short names. */
static void
arch_flow(struct analysis *an, struct buf *b)
{
    buf_puts(b, "**Flow:** ");
    size_t n = 0;
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (strcmp(d->area, "ingestion") != 0) continue;
        buf_fmt_(b, "%s%s via %s", n++ ? "; " : "", d->subject, short_name_(an, d->choice));
    }
    const struct decision *sp = decision_find_(an, "stream_processing");
    if (sp && strncmp(sp->choice, "No ", 3) != 0) /* "No stream processor": nothing between */
        buf_fmt_(b, " -> %s", short_name_(an, sp->choice));
    buf_fmt_(b, " -> %s", short_name_(an, choice_or_(an, "storage", "object storage")));
    if (decision_find_(an, "table_format")) {
        buf_fmt_(b, " (%s", short_name_(an, choice_or_(an, "table_format", "open tables")));
        if (an->p.binary_share >= 0.5) buf_puts(b, " metadata; objects kept as they are");
        buf_putc(b, ')');
    }
    buf_fmt_(b, " -> %s -> %s", short_name_(an, choice_or_(an, "transformation", "SQL")),
             short_name_(an, choice_or_(an, "warehouse", "SQL")));
    for (size_t i = 0; i < an->n_dec; i++)
        if (strcmp(an->dec[i].area, "serving") == 0)
            buf_fmt_(b, " -> %s (%s)", short_name_(an, an->dec[i].choice), an->dec[i].subject);
    buf_fmt_(b, "; scheduled by %s.\n\n",
             short_name_(an, choice_or_(an, "orchestration", "a scheduler")));
}

/* Buy (managed) against build (run it yourselves), where the runner-up differs from the choice
 * on that point: the operations score apart by two or more. */
static void
arch_build_buy(struct analysis *an, struct buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (d->t == NULL || d->n_alt == 0 || d->alt[0].t == NULL) continue;
        double mine = d->crit[CRIT_OPS], theirs = d->alt[0].t->score[CRIT_OPS];
        if (fabs(mine - theirs) < 2) continue;
        buf_puts(b, n++ ? "; " : "**Build or buy:** ");
        buf_fmt_(b, "%s: %s %s (operations %.0f/5) over %s %s (%.0f/5)", d->area,
                 mine > theirs ? "buy" : "run", short_name_(an, d->choice), mine,
                 mine > theirs ? "running" : "buying", short_name_(an, d->alt[0].name), theirs);
    }
    if (n)
        buf_fmt_(b, ", for a team of %.0f%s.\n\n", an->p.team_size,
                 (an->p.constraints >> CONSTRAINT_NO_SERVERS) & 1 ? " that wants no servers" : "");
}

/* The areas whose choice a reader weighs; the others (formats, quality tooling, catalog, model,
 * partitioning) go on one line, their reasons in the appendix. */
int
weighed_area_(const char *area)
{
    static const char *const minor[] = {"table_format", "file_format", "data_quality",
                                        "governance",   "data_model",  "partitioning"};
    for (size_t i = 0; i < PW_ARRAY_LEN(minor); i++)
        if (strcmp(area, minor[i]) == 0) return 0;
    return 1;
}

/* A runner-up's reason, short: "scores 86 against 100: weaker on operations (3/5 against 5/5);
 * the chosen option already runs here" is "weaker on operations (3/5 against 5/5)" (the scores
 * are in the appendix, and the table marks what runs today). */
static void
put_why_not(struct analysis *an, struct buf *b, const char *w)
{
    if (w == NULL) return;
    if (strncmp(w, "scores ", 7) == 0) {
        const char *c = strstr(w, ": ");
        if (c) w = c + 2;
        else {
            md_cell_(b, w);
            return;
        }
    }
    /* the table marks what runs today: the reuse clause would say it twice */
    const char *runs = strstr(w, "; the chosen option already runs here");
    if (runs == NULL) runs = strstr(w, "; the chosen one is in the team's stack");
    if (runs == NULL && strncmp(w, "the chosen one is in the team's stack", 37) == 0) runs = w;
    if (runs == w) {
        buf_puts(b, "the chosen one already runs here");
        return;
    }
    md_cell_(b, runs ? arena_printf_(&an->ar, "%.*s", (int)(runs - w), w) : w);
}

/* An existing-stack item in the request's own words when the text said more ("snowflake
 * (enterprise edition, aws us-west-2)" for "Snowflake"): edition and size are what runs. */
static const char *
stack_words(const struct profile *p, size_t i)
{
    const char *item = p->req.existing_stack.v[i];
    char field[40];
    snprintf(field, sizeof(field), "existing_stack[%zu]", i);
    for (size_t j = 0; j < p->ex.n_notes; j++) {
        const struct extract_note *x = &p->ex.notes[j];
        if (strcmp(x->field, field) == 0 && x->evidence && strlen(x->evidence) > strlen(item) &&
            strcasestr(x->evidence, item))
            return x->evidence;
    }
    return item;
}

/* What already runs, as the request names it (edition and size kept), what a migration moves
 * (the reader's inventory notes), and the region with its reason. */
static void
arch_estate(struct analysis *an, struct buf *b)
{
    const struct profile *p = &an->p;
    const struct strlist *st = &p->req.existing_stack;
    for (size_t i = 0; i < st->n; i++) {
        buf_puts(b, i ? "; " : "**Already runs here:** ");
        md_cell_(b, stack_words(p, i));
    }
    if (st->n) buf_puts(b, ".\n\n");
    size_t n = 0;
    for (size_t i = 0; i < p->ex.n_notes; i++) {
        const struct extract_note *x = &p->ex.notes[i];
        if (strncmp(x->field, "inventory[", 10) != 0 || x->evidence == NULL) continue;
        buf_puts(b, n++ ? ", " : "**What moves:** ");
        md_cell_(b, x->evidence);
    }
    if (n) buf_puts(b, ".\n\n");
    const char *r = region_(an);
    if (r == NULL) return;
    buf_fmt_(b, "**Region:** %s%s", r,
             strstr(r, "gov") ? " (a US government cloud region, GovCloud)" : "");
    if (p->region_why) buf_fmt_(b, ": %s", p->region_why);
    buf_puts(b, ".\n\n");
}

void
sec_architecture_(struct analysis *an, struct buf *b)
{
    arch_flow(an, b);
    arch_estate(an, b);
    buf_puts(b, "| Area | Choice | Why | Best alternative, why not |\n|---|---|---|---|\n");
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (!weighed_area_(d->area)) continue;
        buf_puts(b, "| ");
        md_cell_(b, d->area);
        if (d->subject) {
            buf_puts(b, " (");
            md_cell_(b, d->subject);
            buf_puts(b, ")");
        }
        buf_puts(b, " | ");
        md_cell_(b, short_name_(an, d->choice));
        /* the models and jobs a design adds are new even on a platform that runs today */
        int job = strcmp(d->area, "transformation") == 0 ||
                  strcmp(d->area, "stream_processing") == 0 ||
                  strcmp(d->area, "batch_processing") == 0;
        buf_puts(b, !d->reused ? " | " : job ? " (on what runs today) | " : " (runs today) | ");
        /* the reason's first clause; the rest is in the JSON */
        const char *why = d->t ? d->t->why : d->rationale;
        size_t n = strcspn(why, ";");
        const char *stop = strstr(why, ". ");
        if (stop && (size_t)(stop - why) < n) n = (size_t)(stop - why);
        buf_append(b, why, n);
        buf_puts(b, " | ");
        if (d->n_alt) {
            md_cell_(b, short_name_(an, d->alt[0].name));
            buf_puts(b, ": ");
            put_why_not(an, b, d->alt[0].why_not);
        } else {
            buf_puts(b, "-");
        }
        buf_puts(b, " |\n");
    }
    buf_puts(b, "\n");
    arch_build_buy(an, b);
}

/* ---- Implementation Details ----------------------------------------------------------------- */

/* A table name from a source name: "Orders DB (Postgres)" is "orders_db_postgres". */
static const char *
table_name(struct analysis *an, const char *name)
{
    char s[40];
    size_t n = 0;
    for (const char *c = name ? name : "source"; *c && n < sizeof(s) - 1; c++) {
        char ch = *c >= 'A' && *c <= 'Z' ? (char)(*c - 'A' + 'a') : *c;
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) s[n++] = ch;
        else if (n && s[n - 1] != '_')
            s[n++] = '_';
    }
    while (n && s[n - 1] == '_') n--;
    s[n] = '\0';
    return arena_strdup_(&an->ar, n ? s : "source");
}

/* The partition grain the daily columnar volume of one table calls for, as decide.c does for the
 * whole lake: hourly above the large-volume threshold, monthly below 1 GB a day. */
static const char *
grain(const struct analysis *an, double lake_gb_day)
{
    return lake_gb_day >= an->a->k.large_volume_gb ? "hourly"
           : lake_gb_day < 1                       ? "monthly"
                                                   : "daily";
}

static void
impl_tables(struct analysis *an, struct buf *b)
{
    const struct profile *p = &an->p;
    size_t n = p->n_src < 6 ? p->n_src : 6;
    for (size_t i = 0; i < n; i++) {
        const struct src *s = &p->src[i];
        const char *t = table_name(an, s->name);
        double day = s->compression > 0 ? s->gb_day / s->compression : s->gb_day;
        int db = s->kind == SOURCE_DATABASE || s->kind == SOURCE_CDC;
        buf_puts(b, i ? "- " : "**Main tables:**\n\n- ");
        if (s->compression == 1.0)
            buf_fmt_(b,
                     "`%s_objects`: key object id + version, partitioned by upload date (%s), "
                     "clustered by format",
                     t, grain(an, day));
        else if (db)
            buf_fmt_(b,
                     "`%s` (current state, MERGE on the source primary key%s) and "
                     "`%s_history` (append-only, key + log position, partitioned by change "
                     "date, %s)",
                     t, an->p.kind == KIND_CDC ? ", hard deletes applied" : "", t, grain(an, day));
        else
            buf_fmt_(b, "`%s`: key %s, partitioned by event date (%s), clustered by %s", t,
                     s->kind == SOURCE_FILES ? "file name + row number"
                                             : "event id (de-duplicated)",
                     grain(an, day),
                     s->kind == SOURCE_IOT    ? "device id"
                     : s->kind == SOURCE_LOGS ? "host and status"
                                              : "entity id");
        buf_puts(b, "; a day is ");
        put_bytes_(b, day, 0);
        buf_puts(b, " in columnar form.\n");
    }
    if (p->n_src > n) buf_fmt_(b, "- %zu more sources keyed the same way.\n", p->n_src - n);
    buf_fmt_(b,
             "- Marts: %s, facts partitioned by date (%s), clustered by the dashboards' filter "
             "keys.\n\n",
             short_name_(an, choice_or_(an, "data_model", "a dimensional model")),
             grain(an, p->total.lake_gb_day));
}

/* The schedule the freshness target implies. */
static void
put_schedule(struct analysis *an, struct buf *b)
{
    double f = an->p.freshness_s;
    if (f >= 86400) buf_puts(b, "nightly");
    else {
        buf_puts(b, "every ");
        spoken_duration_(b, f >= 7200 ? floor(f / 3600) * 3600 : f / 2 < 60 ? 60 : f / 2);
    }
}

/* The smallest power-of-two pool of vCPUs, 4 to 256, that does 'vcpu_h' within two days. */
static double
pool_for(double vcpu_h)
{
    double vcpu = 4;
    while (vcpu < 256 && vcpu_h / vcpu > 48) vcpu *= 2;
    return vcpu;
}

/* The initial load. Databases: a consistent snapshot, then changes from its log position; its
 * size is the database's, which the request may not state, so the rate per TB is given. Events
 * and files: a year of history (or the retention, if shorter) at today's volume, in bulk into
 * the lake rather than through the stream, at the batch throughput sizing uses. */
static void
impl_backfill(struct analysis *an, struct buf *b)
{
    const struct profile *p = &an->p;
    const struct knobs *k = &an->a->k;
    double ev_gb = 0;
    size_t ndb = 0;
    for (size_t i = 0; i < p->n_src; i++) {
        int db = p->src[i].kind == SOURCE_DATABASE || p->src[i].kind == SOURCE_CDC;
        ndb += db;
        if (!db) ev_gb += p->src[i].gb_day;
    }
    const char *orch = short_name_(an, choice_or_(an, "orchestration", "the scheduler"));
    if (an->mode == MODE_STREAMING) {
        cat_(b, "**Load plan:** the stream lands continuously; ", orch,
             " runs the models, each run overwriting its own partition.", NULL);
    } else {
        buf_puts(b, "**Load plan:** runs ");
        put_schedule(an, b);
        cat_(b, ", orchestrated by ", orch, ", each overwriting its own partition.", NULL);
    }
    if (p->compute_bill) {
        /* a compute bill: the tables stay, rewritten once with a layout that prunes */
        buf_puts(b, " No new load: each large table is rewritten once with date partitions and "
                    "clustering (CREATE TABLE AS SELECT, largest first, checked by row counts), "
                    "and the models switch to incremental runs; each TB rewritten is ");
        put_grouped_(b, 1000 / k->batch_gb_per_vcpu_hour);
        buf_puts(b, " vCPU-hours.");
        ndb = 0;
        ev_gb = 0;
    } else if (p->kind == KIND_COST_REDUCTION) {
        /* nothing new to load: what exists is rewritten where it is */
        buf_puts(b, " No new load: the existing data is compacted in place into larger columnar "
                    "files, one prefix at a time, oldest first, and lifecycle rules move it to "
                    "colder tiers; each PB rewritten is ");
        put_grouped_(b, 1e6 / k->batch_gb_per_vcpu_hour);
        buf_puts(b, " vCPU-hours.");
        ndb = 0;
        ev_gb = 0;
    }
    if (ndb) {
        double per_tb = 1000 / k->batch_gb_per_vcpu_hour;
        buf_fmt_(b,
                 " Initial load: a consistent snapshot of the %s, then changes from the "
                 "snapshot's log position%s; each TB of snapshot is ",
                 ndb == 1 ? "database" : "databases",
                 p->kind == KIND_CDC ? ", deletes applied as MERGE deletes and kept as flagged "
                                       "rows in the history"
                                     : "");
        put_grouped_(b, per_tb);
        buf_puts(b, " vCPU-hours, about ");
        put_hours_(b, per_tb / 16);
        buf_puts(b, " on 16 vCPUs.");
    }
    if (ev_gb > 0) {
        double days = fmin(p->retention_days, 365);
        double gb = ev_gb * days, vcpu_h = gb / k->batch_gb_per_vcpu_hour, vcpu = pool_for(vcpu_h);
        buf_fmt_(b, " Backfill: %s of history at today's rate is ",
                 p->retention_days > 365 ? "a year" : "the retention period");
        put_bytes_(b, gb, 0);
        buf_puts(b, " raw, ");
        put_grouped_(b, vcpu_h);
        buf_puts(b, " vCPU-hours, about ");
        put_hours_(b, vcpu_h / vcpu);
        buf_puts(b, " on ");
        put_grouped_(b, vcpu);
        buf_puts(b, an->mode == MODE_BATCH ? " vCPUs, oldest month first."
                                           : " vCPUs, oldest month first, in bulk rather than "
                                             "through the stream.");
    }
    buf_puts(b, " (");
    fmt_num_(b, k->batch_gb_per_vcpu_hour);
    buf_puts(b, " GB per vCPU-hour, docs/knowledge/sizing.md section 4.)\n\n");
}

static void
impl_changes(struct analysis *an, struct buf *b)
{
    unsigned k = an->p.kinds;
    int db = (k >> SOURCE_DATABASE & 1) || (k >> SOURCE_CDC & 1);
    int ev = (k >> SOURCE_EVENTS & 1) || (k >> SOURCE_CLICKSTREAM & 1) || (k >> SOURCE_IOT & 1);
    buf_puts(b, "**Schema changes:** ");
    if (db)
        buf_puts(b, "a column added at the source appears as a nullable column; a dropped or "
                    "retyped column stops the table's load until the model is changed");
    if (db && ev) buf_puts(b, "; ");
    if (ev)
        buf_fmt_(b, "event producers add optional fields only%s",
                 an->sz.has_kafka ? ", enforced by the schema registry's compatibility mode"
                                  : ", checked against the contract at landing");
    if (!db && !ev) buf_puts(b, "files with unexpected columns go to quarantine at landing");
    buf_puts(b, ".\n\n");
}

static void
impl_quality(struct analysis *an, struct buf *b)
{
    size_t blocking = 0;
    for (size_t i = 0; i < an->n_q; i++) blocking += strcmp(an->q[i].severity, "error") == 0;
    buf_fmt_(b, "**Quality gates:** %zu checks, %zu of them blocking the publish (appendix).\n\n",
             an->n_q, blocking);
}

static void
impl_controls(struct analysis *an, struct buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < an->n_control; i++) {
        if (generic_rule_(an->control[i]->when)) continue;
        buf_puts(b, n++ ? "; " : "**Controls this request needs:** ");
        /* the control's name and its first basis; the full text is in the appendix */
        const char *t = expand_str_(an, an->control[i]->text);
        size_t len = strcspn(t, ";:(");
        while (len && t[len - 1] == ' ') len--;
        buf_append(b, t, len);
        /* the first basis: up to a ';' outside brackets */
        const char *basis = an->control[i]->source;
        size_t m = 0;
        for (int depth = 0; basis[m] && (basis[m] != ';' || depth > 0); m++)
            depth += (basis[m] == '(') - (basis[m] == ')');
        buf_puts(b, " (");
        buf_append(b, basis, m);
        buf_puts(b, ")");
    }
    if (n) buf_puts(b, ".\n\n");
}

static void
impl_testing(struct analysis *an, struct buf *b)
{
    buf_puts(b, "**Before go-live:** ");
    if (an->p.kind == KIND_MIGRATION)
        buf_puts(b, "run old and new side by side and compare every output table (row counts, "
                    "totals) until they agree for a full cycle, then cut over");
    else if (an->p.kind == KIND_CDC)
        buf_puts(b, "compare row counts and checksums per table between source and current-state "
                    "tables after the snapshot and daily after");
    else if (an->p.compute_bill)
        buf_puts(b, "change one group of dashboards and its models first and compare the bill and "
                    "load times before and after");
    else if (an->p.kind == KIND_COST_REDUCTION)
        buf_puts(b, "move one prefix first and compare the bill and query times before and after");
    else if (an->mode != MODE_BATCH) {
        buf_puts(b, "replay a recorded hour at twice the peak (");
        fmt_num_(b, 2 * an->p.total.peak_ev_s);
        buf_puts(b, " events/s) and check lag stays within the freshness target");
    } else {
        buf_puts(b, "load one day (");
        put_bytes_(b, an->p.total.gb_day, 0);
        buf_puts(b, ") end to end, then re-run it: each task must rewrite its partition with the "
                    "same result");
    }
    buf_puts(b, ".\n");
}

void
sec_implementation_(struct analysis *an, struct buf *b)
{
    impl_tables(an, b);
    impl_backfill(an, b);
    impl_changes(an, b);
    /* the tiers and their days are in the storage working of Performance Considerations */
    if ((an->p.needs >> NEED_ARCHIVE) & 1)
        buf_puts(b, "**Restores:** objects in the archive tier take hours to read back; keep "
                    "what is read quarterly or more often in an instant-retrieval class.\n\n");
    impl_quality(an, b);
    impl_controls(an, b);
    impl_testing(an, b);
}

/* ---- Performance Considerations ------------------------------------------------------------- */

static void
perf_throughput(struct analysis *an, struct buf *b)
{
    const struct profile *p = &an->p;
    buf_puts(b, "**Throughput:** ");
    fmt_num_(b, p->total.gb_day);
    buf_puts(b, " GB/day x 1,000 / 86,400 s = ");
    fmt_num_(b, p->total.avg_mb_s);
    buf_puts(b, " MB/s on average; peak ");
    fmt_num_(b, p->total.peak_mb_s);
    buf_puts(b, " MB/s and ");
    fmt_num_(b, p->total.peak_ev_s);
    buf_puts(b, " events/s");
    size_t assumed = 0;
    for (size_t i = 0; i < p->n_src; i++) assumed += p->src[i].o_peak == ORIGIN_ASSUMED;
    if (assumed)
        buf_fmt_(b,
                 " (%zu source%s without a stated peak taken at %gx the average, "
                 "docs/knowledge/sizing.md section 1)",
                 assumed, assumed == 1 ? "" : "s", an->a->k.peak_to_avg);
    buf_puts(b, ".\n\n");
}

void
sec_performance_(struct analysis *an, struct buf *b)
{
    const struct sizing *sz = &an->sz;
    const struct profile *p = &an->p;
    perf_throughput(an, b);
    if (sz->has_kafka) {
        buf_fmt_(b, "**Kafka (%s):** partitions = %s.", sz->kafka_via, sz->partitions_working);
        if (sz->kafka_self)
            buf_fmt_(b,
                     " Brokers: %s. Broker storage: %s. Replication factor %ld, "
                     "min.insync.replicas %ld, acks=all.",
                     sz->brokers_working, sz->disk_working, sz->rf, sz->min_insync);
        buf_puts(b, "\n\n");
    }
    for (size_t i = 0; i < sz->n_unit; i++) {
        const struct stream_unit *u = &sz->unit[i];
        if (sz->has_kafka && strcmp(u->d->t->family, "kafka") == 0 && sz->kafka_self) continue;
        /* a working that already starts with the service's name is not labelled twice */
        size_t n = strlen(u->d->choice);
        const char *w = u->working;
        if (strncmp(w, u->d->choice, n) == 0 && w[n] == ':') w += n + 1 + (w[n + 1] == ' ');
        cat_(b, "**", u->d->choice, ":** ", w, ".\n\n", NULL);
    }
    if (sz->has_stream) buf_fmt_(b, "**Stream processing:** %s.\n\n", sz->stream_working);
    buf_fmt_(b, "**Batch compute:** %s (docs/knowledge/sizing.md section 4).\n\n",
             sz->batch_working);
    buf_fmt_(b, "**Storage:** %s. Total at steady state: ", sz->storage_working);
    fmt_num_(b, sz->total_tb);
    buf_puts(b, " TB.\n\n**Queries:** about ");
    fmt_num_(b, sz->scan_tb);
    cat_(b, " TB scanned a month; pruning by the ", grain(an, p->total.lake_gb_day),
         " partitions above is what keeps it there.\n\n", NULL);
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
    buf_puts(b, "**Re-size** above ");
    fmt_num_(b, 2 * p->total.gb_day);
    buf_puts(b, " GB/day or ");
    fmt_num_(b, 2 * p->total.peak_ev_s);
    buf_puts(b, " events/s at peak");
    if (sz->has_kafka)
        buf_fmt_(b, "; partitions can be added but not removed, so the %ld stay", sz->partitions);
    if (an->mode != MODE_BATCH) buf_puts(b, "; consumers scale on lag");
    buf_puts(b, ".\n");
}
