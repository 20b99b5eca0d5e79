/* advisor/extract_money.c - the budget from free text, in US dollars a month.
 *
 * Reads "$12k/mo", "budget 12k/mo all in", "~6k/mo incremental", "maybe $8k/month on top of
 * Fabric", "under 10k/mo", "EUR 15,000 a month", "15k€/month", "£4k a month", "€200k a year".
 * An amount is a budget only in a sentence with a budget word; an amount right after a word of
 * the current bill ("storage bill ~$28k/mo") is today's cost, noted apart, not the budget.
 * Euros and pounds are converted at the dated reference rate of advisor/data/fx.tsv and the note
 * says the sum; a currency with no rate there, or an amount with no period, becomes a question.
 * Pure: no I/O, no globals.
 */
#include "extract_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SECONDS_PER_MONTH 2628000.0 /* 365/12 days, as in extract_units.tsv */

struct money {
    double usd_per_unit; /* 1 for dollars, the fx rate otherwise, 0 when unknown */
    const char *code;    /* "EUR 2026-09-28" label, NULL for dollars */
    int other;           /* a currency with no rate */
    size_t a, end;       /* the words of the amount with its currency */
};

/* The currency around number token 'i'. Returns 1 when the amount is money. */
static int
currency_at(const struct extract_lexicon *lex, const struct tokens *t, size_t i, struct money *m)
{
    const struct tok *k = &t->v[i];
    size_t e;
    const struct lex_entry *fx = NULL;
    memset(m, 0, sizeof(*m));
    m->a = i, m->end = i + 1, m->usd_per_unit = 1;
    char sym = 0;
    if (i > 0 && (extract_is_sym_(t, i - 1, 'E') || extract_is_sym_(t, i - 1, 'L')))
        sym = t->v[i - 1].sym, m->a = i - 1;
    else if (extract_is_sym_(t, i + 1, 'E') || extract_is_sym_(t, i + 1, 'L'))
        sym = t->v[i + 1].sym, m->end = i + 2;
    if (sym) { /* the euro and pound signs, read as their codes */
        fx = extract_lookup_(lex, sym == 'E' ? "eur" : "gbp", LEX_FX);
    } else if (i > 0 && (fx = extract_match_(lex, t, i - 1, LEX_FX, &e)) != NULL && e == i) {
        m->a = i - 1;
    } else if ((fx = extract_match_(lex, t, i + 1, LEX_FX, &e)) != NULL) {
        m->end = e;
    }
    if (fx) {
        m->usd_per_unit = fx->value, m->code = fx->label;
        return 1;
    }
    if (i > 0 && extract_match_(lex, t, i - 1, LEX_OTHERCURRENCY, &e) && e == i) {
        m->other = 1, m->a = i - 1;
        return 1;
    }
    if (extract_match_(lex, t, i + 1, LEX_OTHERCURRENCY, &e)) {
        m->other = 1, m->end = e;
        return 1;
    }
    if (extract_match_(lex, t, i + 1, LEX_CURRENCY, &e)) {
        m->end = e;
        return 1;
    }
    return (k->numf & NUMF_MONEY) != 0;
}

/* A word of the current bill in the few words before 'i' in its clause, with no budget word
 * between. */
static int
billed(const struct extract_lexicon *lex, const struct tokens *t, size_t i, size_t pend)
{
    size_t e;
    for (size_t j = i, k = 0; j-- > t->v[i].clause_a && k < 5; k++) {
        if (extract_match_(lex, t, j, LEX_BILL, NULL)) return 1;
        /* "budget is $10k/month right now": a word naming the budget (value 2) decides */
        const struct lex_entry *b = extract_match_(lex, t, j, LEX_BUDGET, NULL);
        if (b && b->value >= 2) return 0;
        /* "currently spend": the budget word inside a bill phrase is the bill's */
        if (b && !(j > 0 && extract_match_(lex, t, j - 1, LEX_BILL, &e) && e > j)) break;
    }
    /* "we spend $40k/month today" */
    for (size_t j = pend, k = 0; j < t->v[i].clause_b && k < 4; j++, k++)
        if (extract_match_(lex, t, j, LEX_BILL, NULL)) return 1;
    return 0;
}

static void
question(struct extract_result *out, const char *text)
{
    extract_question_(out, text);
}

/* The note's 'why' for a converted amount or a yearly figure. */
static void
money_why(char *why, size_t cap, const struct tok *k, const struct money *m, double sec)
{
    char amount[48], rate[32];
    why[0] = '\0';
    if (m->code) {
        extract_fmt_num_(amount, sizeof(amount), k->num, 2);
        extract_fmt_num_(rate, sizeof(rate), m->usd_per_unit, 4);
        const char *date = strchr(m->code, ' ');
        snprintf(why, cap, "%.3s %s at %s USD per %.3s, ECB reference rate of %s", m->code, amount,
                 rate, m->code, date ? date + 1 : "?");
    } else if (k->numf & NUMF_RANGE) {
        snprintf(why, cap, "upper end of the range");
    }
    size_t n = strlen(why);
    if (fabs(sec - 12 * SECONDS_PER_MONTH) < 1) {
        snprintf(why + n, cap - n, "%sa yearly amount / 12", n ? "; " : "");
    } else if (fabs(sec - SECONDS_PER_MONTH) > 1) {
        char per[64];
        extract_fmt_num_(per, sizeof(per), sec / 86400, 1);
        snprintf(why + n, cap - n, "%san amount per %s days x 365/12 days a month", n ? "; " : "",
                 per);
    }
    n = strlen(why);
    if (m->code) {
        extract_fmt_num_(amount, sizeof(amount), k->num * m->usd_per_unit * SECONDS_PER_MONTH / sec,
                         0);
        snprintf(why + n, cap - n, " = USD %s a month", amount);
    }
}

/* One reading of the budget. With 'loose', an amount per month in a sentence with no word of
 * budget or bill ("~$2k/mo for this.") counts: it has no other role. Returns 1 when set. */
static int
budget_pass(const struct extract_lexicon *lex, const struct tokens *t, struct requirement *req,
            struct extract_result *out, int loose, int *asked)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct tok *k = &t->v[i];
        if (k->type != TOK_NUM || (k->numf & NUMF_PERCENT) || k->num <= 0) continue;
        int cued = extract_in_sentence_(t, i, LEX_BUDGET);
        if (loose ? cued || extract_in_sentence_(t, i, LEX_BILL)
                  : !cued && !extract_in_sentence_(t, i, LEX_BILL))
            continue;
        struct money m;
        int money = currency_at(lex, t, i, &m);
        size_t sa = k->sent_a, end = m.end, pend;
        if (!money && loose) continue;
        if (!money) {
            /* "budget of 1.2M a year": a bare amount right after the budget word */
            for (size_t j = i, n = 0; j-- > sa && n < 5; n++)
                if (extract_match_(lex, t, j, LEX_BUDGET, NULL)) money = 1;
            if (!money || extract_match_(lex, t, end, LEX_SIZE, NULL) ||
                extract_match_(lex, t, end, LEX_TIME, NULL))
                continue;
        }
        double sec = 0;
        if (!extract_period_(lex, t, end, &sec, &pend)) {
            /* "a monthly budget of $5,000" */
            for (size_t j = i, n = 0; j-- > sa && n < 4 && sec == 0; n++)
                if (extract_match_(lex, t, j, LEX_PERIOD, NULL))
                    sec = extract_match_(lex, t, j, LEX_PERIOD, NULL)->value;
            pend = end;
        }
        if (billed(lex, t, i, pend)) {
            if (sec >= 86400)
                extract_note_add_(out, "current_cost_usd_per_month", t, m.a, pend, 0, 0,
                                  "what is paid today, not the budget");
            continue;
        }
        if (!cued && !loose) continue;
        if (sec == 0) { /* a project total or a monthly figure? ask */
            if (!loose && !(*asked)++ && (k->numf & NUMF_MONEY || m.code || m.other))
                question(out, "Is the budget per month, per year, or for the whole project?");
            continue;
        }
        /* "up to 4,000 per second" is a rate, not money: budgets run per day or longer */
        if (sec < 86400) continue;
        if (m.other) {
            question(out, "What is the monthly budget in US dollars?");
            return 1;
        }
        char why[240];
        money_why(why, sizeof(why), k, &m, sec);
        if (loose) {
            size_t n = strlen(why);
            snprintf(why + n, sizeof(why) - n,
                     "%san amount per period with no other role, "
                     "taken as the budget",
                     n ? "; " : "");
        }
        req->budget_usd_per_month = k->num * m.usd_per_unit * SECONDS_PER_MONTH / sec;
        extract_note_add_(out, "budget_usd_per_month", t, m.a, pend, 0, 0, why[0] ? why : NULL);
        return 1;
    }
    return 0;
}

void
extract_budget_(const struct extract_lexicon *lex, const struct tokens *t, struct requirement *req,
                struct extract_result *out)
{
    if (req_known(req->budget_usd_per_month)) return;
    int asked = 0;
    if (!budget_pass(lex, t, req, out, 0, &asked)) budget_pass(lex, t, req, out, 1, &asked);
}
