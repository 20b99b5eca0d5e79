/* advisor/extract.c - free text to requirement fields: the entry point and the scalar fields.
 *
 * Owns the reading of freshness, retention, budget, cloud, existing stack, compliance, consumers,
 * skills and availability from tokens (extract_lex.c), and the notes that say which words each
 * value came from; data feeds are read by extract_feeds.c, the team's size by extract_team.c.
 * Prefers an unknown to a guess: a number needs its unit and a cue word in its clause ("within",
 * "keep", "budget"), and a cue next to a denial ("no", "not") is ignored. Freshness is what the
 * consumers need: a vague "real-time" after a wish word gives way to a consumer's stated cadence,
 * and the note says so. Never overwrites a known field. The description is read first; the title
 * only fills what the description left unknown. Deciding facts left unknown become questions
 * (ask_missing). Pure: no I/O, no globals, no clock; deterministic.
 */
#include "extract.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract_int.h"
#include "bounds.h"
#include "xalloc.h"

static void
note_value(struct extract_result *out, const char *field, const struct tokens *t, size_t a,
           size_t b, const char *why)
{
    extract_note_add_(out, field, t, a, b, 0, 0, why);
}

/* ---- helpers ------------------------------------------------------------------------------- */

struct ctx {
    const struct extract_lexicon *lex;
    const struct tokens *t;
    struct requirement *req;
    struct extract_result *out;
    /* lists that were empty before extraction, so the text may fill them */
    int fill_consumers, fill_compliance, fill_stack, fill_skills;
    int inventory;            /* the description was read for what a migration moves */
    unsigned char *ruled_out; /* per token: a term a denial rules out (extract_avoid_) */
};

static const struct lex_entry *
match(const struct ctx *c, size_t i, enum lex_cat cat, size_t *end)
{
    return extract_match_(c->lex, c->t, i, cat, end);
}

/* Tokens [*a, *b) of the clause (or sentence) of token 'i'. */
static void
clause_of(const struct tokens *t, size_t i, int sentence, size_t *a, size_t *b)
{
    *a = sentence ? t->v[i].sent_a : t->v[i].clause_a;
    *b = sentence ? t->v[i].sent_b : t->v[i].clause_b;
}

int
extract_denied_(const struct extract_lexicon *lex, const struct tokens *t, size_t i, size_t n)
{
    for (size_t j = i, k = 0; j-- > 0 && k < n; k++) {
        if (t->v[j].clause != t->v[i].clause) break;
        if (extract_match_(lex, t, j, LEX_NEGATION, NULL)) return 1;
    }
    return 0;
}

/* A denial ("no", "not", "don't") among the 'n' tokens before 'i' in its clause. */
static int
denied(const struct ctx *c, size_t i, size_t n)
{
    return extract_denied_(c->lex, c->t, i, n);
}

/* A phrase of 'cat' in the clause (or sentence) of token 'i'. */
static int
in_clause(const struct ctx *c, size_t i, enum lex_cat cat)
{
    return extract_in_clause_(c->t, i, cat);
}

static int
in_sentence(const struct ctx *c, size_t i, enum lex_cat cat)
{
    return extract_in_sentence_(c->t, i, cat);
}

/* A duration at number token 'i': "5 minutes", "2-minute", "24h". Returns seconds (the lower end
 * of a range when 'low'), 0 when none; '*end' after it. */
static double
duration_at(const struct ctx *c, size_t i, int low, size_t *end)
{
    const struct tok *k = &c->t->v[i];
    if (k->type != TOK_NUM || (k->numf & (NUMF_MONEY | NUMF_PERCENT)) || k->num <= 0) return 0;
    size_t j = i + 1;
    if (extract_is_sym_(c->t, j, '-') && (c->t->v[j].flags & TOKF_GLUED)) j++;
    const struct lex_entry *e = match(c, j, LEX_TIME, end);
    if (e == NULL) return 0;
    return (low ? k->num_lo : k->num) * e->value;
}

static void
list_add(struct strlist *l, const char *s)
{
    if (l->n >= PW_MAX_LIST_ITEMS) return;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0) return;
    strlist_push(l, s);
}

/* Adds 'label' to the list 'l' with a note "<name>[i]". */
static void
list_note(struct ctx *c, struct strlist *l, const char *name, const char *label, size_t a, size_t b)
{
    size_t before = l->n;
    list_add(l, label);
    if (l->n == before) return;
    char field[64];
    extract_field_(field, sizeof(field), name, before, "");
    note_value(c->out, field, c->t, a, b, NULL);
}

/* ---- freshness ----------------------------------------------------------------------------- */

#define QUANTIFIES_VAGUE_S                                                                         \
    60.0 /* a stated target of a minute or less says what "real-time" means */

/* One kind of freshness candidate: the strictest value seen and its words. */
struct fresh_pick {
    double v;
    size_t a, b;
    const char *why;
};

static void
fresh_offer(struct fresh_pick *p, double v, size_t a, size_t b, const char *why)
{
    if (v < p->v) *p = (struct fresh_pick){v, a, b, why};
}

/* A wish word ("wants", "would like") before token 'i' in its sentence, no contrast between. */
static int
wished(const struct ctx *c, size_t i)
{
    for (size_t j = i, k = 0; j-- > c->t->v[i].sent_a && k < 6; k++) {
        if (match(c, j, LEX_CONTRAST, NULL)) break;
        if (match(c, j, LEX_WISH, NULL)) return 1;
    }
    /* "real-time would be nice" */
    for (size_t j = i + 1, k = 0; j < c->t->v[i].clause_b && k < 5; j++, k++)
        if (match(c, j, LEX_WISH, NULL)) return 1;
    return 0;
}

/* "by 7am", "by 06:00": a daily deadline at 'i'; the index after it, or 0. */
static size_t
deadline_at(const struct ctx *c, size_t i)
{
    const struct tokens *t = c->t;
    if ((!extract_is_word_(t, i, "by") && !extract_is_word_(t, i, "before")) || i + 1 >= t->n ||
        t->v[i + 1].type != TOK_NUM || t->v[i + 1].num > 24)
        return 0;
    if (extract_is_sym_(t, i + 2, ':') && i + 3 < t->n && t->v[i + 3].type == TOK_NUM) return i + 4;
    if (extract_is_word_(t, i + 2, "am") || extract_is_word_(t, i + 2, "pm")) return i + 3;
    return 0;
}

/* Token 'j' joins two things said in one clause ("within 15 min + full history"). */
static int
joiner(const struct tokens *t, size_t j)
{
    return extract_is_sym_(t, j, '+') || extract_is_sym_(t, j, '&') ||
           extract_is_word_(t, j, "and") || extract_is_word_(t, j, "plus");
}

/* A phrase of 'cat' in the part of its clause that speaks of the duration at tokens [i, end):
 * up to four words either side, not past a joiner. */
static int
near_duration(const struct ctx *c, size_t i, size_t end, enum lex_cat cat)
{
    if (!in_clause(c, i, cat)) return 0;
    const struct tokens *t = c->t;
    for (size_t j = i, k = 0; j-- > t->v[i].clause_a && k < 4 && !joiner(t, j); k++)
        if (match(c, j, cat, NULL)) return 1;
    for (size_t j = i, k = 0; j < t->v[i].clause_b && k < end - i + 4; j++, k++) {
        if (j >= end && joiner(t, j)) break;
        if (match(c, j, cat, NULL)) return 1;
    }
    return 0;
}

/* A phrase of 'cat' in the clause of token 'i' at its bracket depth: "queries from Looker (~40
 * dashboards refreshed every 15 min)" says nothing about the queries inside the brackets. */
static int
level_has(const struct ctx *c, size_t i, enum lex_cat cat)
{
    const struct tokens *t = c->t;
    for (size_t j = t->v[i].clause_a; j < t->v[i].clause_b; j++)
        if (t->v[j].depth == t->v[i].depth && match(c, j, cat, NULL)) return 1;
    return 0;
}

/* A stated duration target at number token 'i' ("under 30s", "within 5 minutes of arrival",
 * "every 15 minutes" for an output). Returns seconds or 0; its words in '*a', '*b'. */
static double
fresh_duration(const struct ctx *c, size_t i, size_t *a, size_t *b, const char **why)
{
    const struct tokens *t = c->t;
    size_t ca, cb, end;
    clause_of(t, i, 0, &ca, &cb);
    double sec = duration_at(c, i, 1, &end);
    if (sec <= 0 || sec > 172800 || t->v[i].used) return 0;
    size_t trig = i;
    int trigger = 0, every = 0;
    for (size_t j = i, k = 0; j-- > ca && k < 3; k++) {
        if (match(c, j, LEX_FRESHTRIGGER, NULL) || extract_is_sym_(t, j, '<'))
            trigger = 1, trig = j; /* "within 5 minutes", "< 5 min" */
        if (extract_is_word_(t, j, "every") && j + 1 == i) every = 1, trig = j;
    }
    int data = 0;
    for (size_t j = i >= ca + 3 ? i - 3 : ca; j < cb && j < end + 3; j++)
        if (match(c, j, LEX_FRESHDATA, NULL)) data = 1;
    /* "queries return within 2 s" is serving latency, not freshness */
    if (level_has(c, i, LEX_SERVING) || near_duration(c, i, end, LEX_FRESHBLOCK)) return 0;
    if (every && !in_clause(c, i, LEX_FRESHOUTPUT) && !data) return 0;
    if (!trigger && !every && !data) return 0;
    *a = trig, *b = end;
    *why = every ? "the cadence of the output" : NULL;
    if (t->v[i].numf & NUMF_RANGE) *why = "the stricter end of the range";
    return sec;
}

/* Freshness comes from what the consumers need: a stated figure, a cadence of an output, a
 * daily deadline. A vague "real-time" counts when nothing states more, gives way to a figure
 * of a minute or less, and after a wish word is a wish that a consumer's stated need overrules
 * (the note says so, for the report to push back). */
static void
read_freshness(struct ctx *c)
{
    const struct tokens *t = c->t;
    struct fresh_pick need = {INFINITY, 0, 0, NULL}, vague = need, wish = need, deadline = need;
    size_t skip = 0;
    for (size_t i = 0; i < t->n; i++) {
        size_t end, a, b;
        const char *why;
        const struct lex_entry *e = i >= skip ? match(c, i, LEX_FRESH, &end) : NULL;
        if (e && !denied(c, i, 5)) { /* "doesn't need to be real-time" */
            skip = end;              /* "near-real-time" holds "real-time" */
            int cadence = strcmp(e->label, "cadence") == 0;
            /* "2 GB daily" is a volume's period, not a cadence */
            int after_amount = i > 0 &&
                               (t->v[i - 1].type == TOK_NUM || match(c, i - 1, LEX_SIZE, NULL) ||
                                match(c, i - 1, LEX_COUNT, NULL));
            /* "downstream: Iceberg tables for Athena, hourly.": a cadence on its own, said of
             * the output the sentence names */
            int alone = t->v[i].clause_b - t->v[i].clause_a <= 2;
            if ((!cadence || in_clause(c, i, LEX_FRESHOUTPUT) ||
                 (alone && in_sentence(c, i, LEX_FRESHOUTPUT))) &&
                !after_amount) {
                size_t e2 = end; /* "a daily dashboard": the output in the words */
                if (cadence && !match(c, end, LEX_FRESHOUTPUT, &e2)) e2 = end;
                if (strcmp(e->label, "vague") != 0)
                    fresh_offer(&need, e->value, i, e2,
                                cadence ? "the cadence of the output" : NULL);
                else
                    fresh_offer(wished(c, i) ? &wish : &vague, e->value, i, end, NULL);
            }
        }
        if ((end = deadline_at(c, i)) > 0) {
            fresh_offer(&need, 86400, i, end, "a daily deadline");
            fresh_offer(&deadline, 86400, i, end, NULL);
        }
        double sec = fresh_duration(c, i, &a, &b, &why);
        if (sec > 0) fresh_offer(&need, sec, a, b, why);
    }
    if (req_known(c->req->freshness_seconds)) return;
    struct fresh_pick pick = need;
    /* "near real-time (< 5 min)": a figure in the vague word's own clause says what it means */
    int same = !isinf(vague.v) && !isinf(need.v) && t->v[vague.a].clause == t->v[need.a].clause;
    if (vague.v < pick.v && pick.v > QUANTIFIES_VAGUE_S && !same) pick = vague;
    if (!isinf(pick.v) && wish.v < pick.v && pick.v > QUANTIFIES_VAGUE_S) {
        char why[2 * 200 + 96], ev[200], wev[200];
        snprintf(ev, sizeof(ev), "%.*s", (int)(t->v[pick.b - 1].end - t->v[pick.a].off),
                 t->text + t->v[pick.a].off);
        snprintf(wev, sizeof(wev), "%.*s", (int)(t->v[wish.b - 1].end - t->v[wish.a].off),
                 t->text + t->v[wish.a].off);
        snprintf(why, sizeof(why), "the wish '%s' is not what the consumer needs ('%s')", wev, ev);
        c->req->freshness_seconds = pick.v;
        extract_note_add_(c->out, "freshness_seconds", t, pick.a, pick.b, wish.a, wish.b, why);
        return;
    }
    if (isinf(pick.v) && !isinf(wish.v)) { /* a wish is all there is: taken, and asked */
        pick = wish;
        extract_question_(c->out, "Which consumer needs the data that fresh, and what does it "
                                  "do with it within that time?");
    }
    if (isinf(pick.v)) return;
    c->req->freshness_seconds = pick.v;
    if (pick.v == deadline.v && pick.a != deadline.a) { /* "nightly ... ready by 6am" */
        extract_note_add_(c->out, "freshness_seconds", t, pick.a, pick.b, deadline.a, deadline.b,
                          "a daily batch that must finish by the deadline");
        return;
    }
    note_value(c->out, "freshness_seconds", t, pick.a, pick.b, pick.why);
}

/* ---- retention ----------------------------------------------------------------------------- */

static void
read_retention(struct ctx *c)
{
    const struct tokens *t = c->t;
    double best = 0;
    size_t best_a = 0, best_b = 0;
    for (size_t i = 0; i < t->n; i++) {
        size_t end, sa, sb;
        double sec = duration_at(c, i, 0, &end);
        if (sec < 86400) continue;
        clause_of(t, i, 1, &sa, &sb);
        size_t from = i;
        int cue = 0;
        for (size_t j = i, k = 0; j-- > sa && k < 10; k++) {
            if (match(c, j, LEX_FRESHTRIGGER, NULL) && k < 2) break; /* "within 30 days" */
            if (match(c, j, LEX_RETAIN, NULL)) {
                cue = 1, from = j;
                break;
            }
        }
        size_t after = end;
        if (extract_is_word_(t, after, "of") && after + 1 < sb &&
            t->v[after + 1].type == TOK_WORD && !match(c, after + 1, LEX_RETAINBLOCK, NULL)) {
            cue = 1; /* "18 months of history", "2 years of the counts" */
            after += 2;
            if (match(c, after - 1, LEX_STOP, NULL) && after < sb && t->v[after].type == TOK_WORD)
                after++;
        } else if (match(c, after, LEX_RETAIN, &after)) {
            cue = 1; /* "10-year retention" */
        }
        if (!cue || denied(c, from, 2)) continue;
        double days = round(sec / 86400);
        if (days > best) {
            best = days;
            best_a = from, best_b = after;
        }
    }
    if (best <= 0 || req_known(c->req->retention_days)) return;
    c->req->retention_days = best;
    note_value(c->out, "retention_days", t, best_a, best_b, NULL);
}

/* ---- cloud and existing stack -------------------------------------------------------------- */

/* A product named right after token 'i' ("on-prem SQL Server", "on-prem Oracle box"). */
static int
names_product(const struct ctx *c, size_t i)
{
    return match(c, i, LEX_PRODUCT, NULL) ||
           (i + 1 < c->t->n && c->t->v[i].type == TOK_WORD && match(c, i + 1, LEX_PRODUCT, NULL));
}

/* The cloud at token 'i' is one the text leaves or rules out: "we left AWS", "no longer on
 * AWS", "please don't suggest anything AWS" (a denial up to four words before, with nothing
 * between that turns it to something else). */
static int
cloud_ruled_out(const struct ctx *c, size_t i)
{
    const struct tokens *t = c->t;
    for (size_t j = i, k = 0; j-- > t->v[i].clause_a && k < 4; k++) {
        if (match(c, j, LEX_CONTRAST, NULL) || match(c, j, LEX_NEGBLOCK, NULL)) return 0;
        if (match(c, j, LEX_CLOUDLEFT, NULL) || match(c, j, LEX_NEGATION, NULL)) return 1;
    }
    return 0;
}

static void
read_cloud(struct ctx *c)
{
    const struct tokens *t = c->t;
    if (c->req->cloud != NULL) return;
    const char *pub = NULL, *other = NULL, *hint = NULL, *target = NULL;
    size_t pub_i = 0, pub_end = 0, other_i = 0, other_end = 0, hint_i = 0, hint_end = 0;
    size_t target_i = 0, target_end = 0, out_end = 0, src_i = 0, src_end = 0;
    int n_pub = 0, hint_conflict = 0, src_onprem = 0, hint_gov = 0;
    for (size_t i = 0; i < t->n; i++) {
        size_t end;
        const struct lex_entry *e = match(c, i, LEX_CLOUD, &end);
        if (e && !denied(c, i, 2)) {
            int is_pub = strcmp(e->label, "on_prem") != 0 && strcmp(e->label, "any") != 0;
            /* "AWS or Azure" after a denial: both ruled out */
            int listed = out_end > 0 && i == out_end + 1 &&
                         (joiner(t, out_end) || extract_is_word_(t, out_end, "or") ||
                          extract_is_word_(t, out_end, "nor"));
            /* "no cloud experience" speaks of skills, not of where it runs */
            int skill = !is_pub && end < t->n &&
                        (extract_is_word_(t, end, "experience") ||
                         extract_is_word_(t, end, "skills") ||
                         extract_is_word_(t, end, "knowledge") ||
                         extract_is_word_(t, end, "expertise"));
            if (skill || (is_pub && (listed || cloud_ruled_out(c, i)))) {
                out_end = end, i = end - 1;
                continue;
            }
            if (is_pub) {
                if (pub == NULL || strcmp(pub, e->label) != 0) n_pub++;
                if (pub == NULL) pub = e->label, pub_i = i, pub_end = end;
                if (i > 0 &&
                    (extract_is_word_(t, i - 1, "to") || extract_is_word_(t, i - 1, "onto")))
                    target = e->label, target_i = i, target_end = end;
            } else if (strcmp(e->label, "on_prem") == 0 && names_product(c, end)) {
                if (!src_onprem) src_onprem = 1, src_i = i, src_end = end;
            } else if (other == NULL || strcmp(e->label, "on_prem") == 0) {
                other = e->label, other_i = i, other_end = end;
            }
            i = end - 1;
            continue;
        }
        e = match(c, i, LEX_CLOUDHINT, &end);
        /* a product only weighed ("considering BigQuery") says nothing of where they run */
        int weighed = 0;
        for (size_t j = t->v[i].sent_a; e && j < i && !weighed; j++)
            weighed = match(c, j, LEX_STACKNEG, NULL) != NULL;
        if (e && (e->value != 2 || (t->v[i].flags & TOKF_CAP)) && !denied(c, i, 2) && !weighed) {
            if (hint && strcmp(hint, e->label) != 0) hint_conflict = 1;
            if (hint == NULL) hint = e->label, hint_i = i, hint_end = end, hint_gov = e->value == 3;
        }
    }
    const char *why = NULL;
    size_t a, b;
    if (n_pub == 1) {
        a = pub_i, b = pub_end;
    } else if (n_pub > 1 && target) {
        pub = target, a = target_i, b = target_end;
        why = "several clouds named: the one moved to";
    } else if (n_pub == 0 && other) {
        pub = other, a = other_i, b = other_end;
    } else if (n_pub == 0 && hint && !hint_conflict) {
        pub = hint, a = hint_i, b = hint_end;
        why = hint_gov ? "a US government cloud: AWS GovCloud (US), the most used; Azure "
                         "Government is the other"
                       : "a product that runs on this cloud only";
    } else if (n_pub == 0 && src_onprem) { /* "our on-prem SQL Server" and nothing else */
        pub = "on_prem", a = src_i, b = src_end;
        why = "only a source is said to run on premises";
    } else {
        return;
    }
    c->req->cloud = xstrdup(pub);
    note_value(c->out, "cloud", t, a, b, why);
}

/* Index of the first token of the sentence of 'i' that opens talk of the team, or SIZE_MAX. */
static size_t
team_start(const struct ctx *c, size_t i)
{
    size_t sa, sb;
    clause_of(c->t, i, 1, &sa, &sb);
    for (size_t j = sa; j < sb; j++) {
        const struct lex_entry *e = match(c, j, LEX_TEAM, NULL);
        if ((e && strcmp(e->label, "-") != 0 && e->label[0] != '\0') ||
            match(c, j, LEX_PERSON, NULL))
            return j;
        /* "team 4 (c#, sql)": a head count right after the word */
        if (e && j + 1 < sb && c->t->v[j + 1].type == TOK_NUM) return j;
    }
    return SIZE_MAX;
}

static void
read_stack(struct ctx *c)
{
    const struct tokens *t = c->t;
    if (!c->fill_stack) return;
    int sent = -1, state = 0, later_pos = 0, any_neg = 0;
    size_t team = SIZE_MAX;
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].sent != sent) {
            size_t sa, sb;
            sent = t->v[i].sent;
            clause_of(t, i, 1, &sa, &sb);
            state = 0;
            later_pos = in_sentence(c, i, LEX_STACKPOS);
            any_neg = in_sentence(c, i, LEX_STACKNEG);
            team = team_start(c, i);
        }
        size_t end;
        const struct lex_entry *pos = match(c, i, LEX_STACKPOS, NULL);
        const struct lex_entry *neg = match(c, i, LEX_STACKNEG, NULL);
        if (neg && neg->value < 3) /* value 3 looks back at the product before it only */
            state = -1;
        else if (pos && (pos->value >= 2 || state == 0))
            state = 1; /* "already" overrides an earlier "want"; "our" does not */
        const struct lex_entry *e = match(c, i, LEX_PRODUCT, &end);
        if (e == NULL || i >= team || c->ruled_out[i] || denied(c, i, 3)) continue;
        if (e->value >= 2 && !(t->v[i].flags & TOKF_CAP)) continue;
        /* "S3" on premises is an S3-compatible store, not Amazon S3 */
        const struct lex_entry *home = match(c, i, LEX_CLOUDHINT, NULL);
        if (home && c->req->cloud && strcmp(c->req->cloud, "any") != 0 &&
            strcmp(c->req->cloud, home->label) != 0)
            continue;
        /* "Airflow (Composer)": the product in brackets names the form that runs */
        size_t e2;
        if (extract_is_sym_(t, end, '(') && match(c, end + 1, LEX_PRODUCT, &e2) &&
            extract_is_sym_(t, e2, ')'))
            continue;
        /* "Datastream would be fine": weighed, not in use */
        if (match(c, end, LEX_STACKNEG, NULL) && match(c, end, LEX_STACKNEG, NULL)->value >= 3)
            continue;
        if (match(c, end + 1, LEX_STACKNEG, NULL) &&
            match(c, end + 1, LEX_STACKNEG, NULL)->value >= 3)
            continue;
        char name[160];
        size_t name_end = extract_stack_name_(c->lex, t, i, end, e->label, name, sizeof(name));
        int source = strstr(name, "source") != NULL;
        /* the same product named again ("ClickHouse" after "ClickHouse self-managed"): the
         * first naming stays, a plain first naming takes the fuller one */
        size_t ll = strlen(e->label), k = 0;
        while (
            k < c->req->existing_stack.n &&
            !(strncmp(c->req->existing_stack.v[k], e->label, ll) == 0 &&
              (c->req->existing_stack.v[k][ll] == '\0' || c->req->existing_stack.v[k][ll] == ' ')))
            k++;
        if (k < c->req->existing_stack.n) {
            char **have = &c->req->existing_stack.v[k];
            if ((*have)[ll] == '\0' && name[ll] != '\0') {
                free(*have);
                *have = xstrdup(name);
            }
            i = end - 1;
            continue;
        }
        /* in use: after a word saying so, or in a sentence that says so and weighs nothing;
         * a system the text moves away from is named as the source whatever the words */
        /* "~900 tableau users", "our 40 looker dashboards": people already use it */
        int in_use = state >= 0 &&
                     (extract_is_word_(t, end, "users") || extract_is_word_(t, end, "seats") ||
                      extract_is_word_(t, end, "licences") ||
                      extract_is_word_(t, end, "licenses") || extract_is_word_(t, end, "viewers"));
        if (state == 1 || (state == 0 && later_pos && !any_neg) || source || in_use)
            list_note(c, &c->req->existing_stack, "existing_stack", name, i, name_end);
        i = end - 1;
    }
}

/* ---- compliance, consumers ----------------------------------------------------------------- */

/* Token 'i' is a word written in capitals only ("EAR"). */
static int
all_caps(const struct tokens *t, size_t i)
{
    if (t->v[i].type != TOK_WORD) return 0;
    for (size_t p = t->v[i].off; p < t->v[i].end; p++)
        if (t->text[p] >= 'a' && t->text[p] <= 'z') return 0;
    return 1;
}

static void
read_labels(struct ctx *c, enum lex_cat cat, struct strlist *l, const char *name)
{
    const struct tokens *t = c->t;
    for (size_t i = 0; i < t->n; i++) {
        size_t end;
        const struct lex_entry *e = match(c, i, cat, &end);
        if (e == NULL) continue;
        if (e->value >= 2 && !all_caps(t, i)) continue; /* "EAR", not "ear" or "Ear" */
        /* "GDPR does not apply", "no dashboards" */
        int deny = denied(c, i, 2);
        for (size_t j = end; j < end + 3 && j < t->n && t->v[j].clause == t->v[i].clause; j++) {
            if (t->v[j].type == TOK_SYM) break; /* "(critical infrastructure, NIS2) - no cloud" */
            if (match(c, j, LEX_NEGATION, NULL)) deny = 1;
        }
        if (!deny) list_note(c, l, name, e->label, i, end);
        i = end - 1;
    }
}

/* ---- team, skills, availability ------------------------------------------------------------ */

static void
read_skills(struct ctx *c)
{
    const struct tokens *t = c->t;
    if (!c->fill_skills) return;
    int sent = -1;
    size_t team = SIZE_MAX;
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].sent != sent) {
            sent = t->v[i].sent;
            team = team_start(c, i);
        }
        size_t end;
        const struct lex_entry *e = match(c, i, LEX_SKILL, &end);
        if (e == NULL || i < team || c->ruled_out[i]) continue;
        if (e->value >= 2 && !(t->v[i].flags & TOKF_CAP)) continue;
        list_note(c, &c->req->team_skills, "team_skills", e->label, i, end);
        i = end - 1;
    }
}

static void
read_availability(struct ctx *c)
{
    const struct tokens *t = c->t;
    if (req_known(c->req->availability_target)) return;
    for (size_t i = 0; i < t->n; i++) {
        const struct tok *k = &t->v[i];
        if (k->type != TOK_NUM) continue;
        size_t sa, sb;
        clause_of(t, i, 1, &sa, &sb);
        double v = NAN;
        size_t end = i + 1;
        if ((k->numf & NUMF_PERCENT) && k->num >= 90 && k->num < 100 &&
            in_sentence(c, i, LEX_AVAIL))
            v = k->num;
        else if (extract_is_word_(t, i + 1, "nines") && k->num >= 2 && k->num <= 6 &&
                 k->num == floor(k->num))
            v = 100 - pow(10, 2 - k->num), end = i + 2; /* "three nines" */
        if (isnan(v)) continue;
        c->req->availability_target = v;
        note_value(c->out, "availability_target", t, i, end, NULL);
        return;
    }
}

/* ---- entry points -------------------------------------------------------------------------- */

static void
read_text(struct ctx *c, const char *text, int title)
{
    if (text == NULL) return;
    size_t len = strnlen(text, PW_MAX_TEXT_BYTES);
    struct tokens t;
    extract_tokens_init_(&t, c->lex, text, len);
    c->t = &t;
    c->ruled_out = extract_avoid_(c->lex, &t, c->out);
    /* the title sums up the description: its volumes would count the same feed twice */
    if (!title || c->req->n_sources == 0) extract_sources_(c->lex, &t, c->req, c->out);
    read_freshness(c);
    read_retention(c);
    extract_budget_(c->lex, &t, c->req, c->out);
    read_cloud(c);
    read_stack(c);
    if (c->fill_compliance) read_labels(c, LEX_COMPLIANCE, &c->req->compliance, "compliance");
    /* "patient records" are HIPAA's only where the text places the data in the US */
    if (c->fill_compliance && t.n > 0 && extract_find_(c->lex, &t, 0, t.n, LEX_USPLACE, NULL))
        read_labels(c, LEX_COMPLIANCEUS, &c->req->compliance, "compliance");
    if (c->fill_consumers) read_labels(c, LEX_CONSUMER, &c->req->consumers, "consumers");
    extract_team_(c->lex, c->t, c->req, c->out);
    read_skills(c);
    read_availability(c);
    if (!title || !c->inventory) extract_inventory_(c->lex, &t, c->out);
    c->inventory = 1;
    c->t = NULL;
    free(c->ruled_out);
    c->ruled_out = NULL;
    extract_tokens_fini_(&t);
}

/* The deciding facts a text left unknown, as questions. */
static void
ask_missing(struct ctx *c, int text)
{
    const struct requirement *r = c->req;
    if (!text) return;
    int sized = 0;
    for (size_t i = 0; i < r->n_sources; i++)
        sized |= req_known(r->sources[i].volume_gb_per_day) ||
                 (req_known(r->sources[i].peak_events_per_sec) &&
                  req_known(r->sources[i].avg_record_bytes));
    if (!sized)
        extract_question_(c->out,
                          "About how much data arrives a day, or how many events at what size?");
}

void
extract_requirement_lex(const struct extract_lexicon *lex, const char *title,
                        const char *description, struct requirement *req,
                        struct extract_result *out)
{
    PW_ASSERT(lex != NULL && req != NULL && out != NULL);
    struct ctx c;
    memset(&c, 0, sizeof(c));
    c.lex = lex;
    c.req = req;
    c.out = out;
    c.fill_consumers = req->consumers.n == 0;
    c.fill_compliance = req->compliance.n == 0;
    c.fill_stack = req->existing_stack.n == 0;
    c.fill_skills = req->team_skills.n == 0;
    read_text(&c, description, 0);
    read_text(&c, title, 1);
    ask_missing(&c, (description && description[0]) || (title && title[0]));
}

void
extract_requirement(const char *title, const char *description, struct requirement *req,
                    struct extract_result *out)
{
    char err[256];
    struct extract_lexicon *lex = extract_lexicon_new(err, sizeof(err));
    if (lex == NULL) pw_assert_fail(err, __FILE__, __LINE__);
    extract_requirement_lex(lex, title, description, req, out);
    extract_lexicon_free(lex);
}

void
extract_result_fini(struct extract_result *out)
{
    for (size_t i = 0; i < out->n_notes; i++) {
        free(out->notes[i].field);
        free(out->notes[i].evidence);
        free(out->notes[i].why);
    }
    free(out->notes);
    for (size_t i = 0; i < out->n_avoid; i++) {
        free(out->avoid[i].field);
        free(out->avoid[i].evidence);
        free(out->avoid[i].why);
    }
    free(out->avoid);
    for (size_t i = 0; i < out->n_questions; i++) free(out->questions[i]);
    free(out->questions);
    memset(out, 0, sizeof(*out));
}
