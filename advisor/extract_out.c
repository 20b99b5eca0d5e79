/* advisor/extract_out.c - the feeds read from a text, finished and written out.
 *
 * Derives what the stated figures imply (a volume from a count or an average rate and the record
 * size, a peak rate from a peak in bytes), with the sum in the note; ties personal-data words to
 * feeds; adds feeds named but never measured; drops a total stated before its parts; and writes
 * the feeds into the requirement with one note per value. The reading of
 * measures and their grouping into feeds is extract_feeds.c's. Pure: no I/O, no globals.
 */
#include "extract_feeds_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "xalloc.h"

/* A list separator between named feeds: '+', ',', '&', "and", "plus". */
static int
list_sep(const struct tokens *t, size_t i)
{
    return extract_is_sym_(t, i, '+') || extract_is_sym_(t, i, ',') || extract_is_sym_(t, i, '&') ||
           extract_is_word_(t, i, "and") || extract_is_word_(t, i, "plus");
}

/* Adds the feed of kind phrase 'k' named after feed verb 'i', unless a measured feed already
 * covers its words or has the same kind and name. */
static int
kin(enum source_kind a, enum source_kind b)
{
    return a == b || (a == SOURCE_CDC && b == SOURCE_DATABASE) ||
           (a == SOURCE_DATABASE && b == SOURCE_CDC);
}

static void
add_unmeasured(struct reader *r, size_t i, struct found k, size_t item_a, size_t item_b, int plus)
{
    const struct tokens *t = r->t;
    for (size_t fi = 0; fi < r->n_f; fi++) {
        const struct feed *f = &r->f[fi];
        if (f->dropped) continue;
        int same_kind = kin(f->kind, source_kind_parse(k.e->label));
        /* "our postgres product db (~3 GB/day)": the item names the measured feed */
        if (same_kind && f->name_b > f->name_a && f->name_a >= item_a && f->name_a < item_b) return;
        /* a measured feed's words cover a phrase of its own kind ("zendesk + our postgres db
         * (~3 GB/day)": the database is measured, zendesk is not) */
        if (k.a >= f->ctx_a && k.a < f->ctx_b && !plus &&
            (same_kind || f->kind == SOURCE_UNKNOWN || k.a >= f->name_b))
            return; /* "5 GB/day of orders from Postgres": where the orders come from */
        if (same_kind && f->name_b > f->name_a && extract_feed_names_(t, f, k.a, k.b)) return;
    }
    if (r->n_f >= PW_MAX_LIST_ITEMS) return;
    struct feed *f = extract_feed_add_(r, t->v[i].sent, i, k.b);
    f->kind = source_kind_parse(k.e->label);
    f->kind_ev = (struct span){k.a, k.b, 0, 0};
    size_t na = extract_name_start_(r, k.a), nb = k.b;
    if (na < i + 1 && k.a >= i + 1) na = k.a; /* "pull zendesk": not "pull_zendesk" */
    extract_name_from_(t, na, nb, f->name, sizeof(f->name));
    if (f->name[0] == '\0') snprintf(f->name, sizeof(f->name), "%s", k.e->label);
    f->name_a = na;
    f->name_b = nb;
    f->name_ev = (struct span){na, nb, 0, 0};
}

/* "We also pull accounts from Salesforce and invoices from our Postgres database", "want to add
 * zendesk + stripe": feeds named after a feed verb, one per item of a list, but never measured.
 * They become sources with no figures (the engine assumes a volume and says so). An item that
 * reaches a number is a measured feed and ends the list. Returns the index to go on from. */
static size_t
unmeasured_list(struct reader *r, size_t i, size_t vend, int plus)
{
    const struct tokens *t = r->t;
    size_t p = vend, last = i;
    for (int items = 0; items < 8 && p < t->n && t->v[p].sent == t->v[i].sent; items++) {
        size_t q = p;
        while (q < t->n && q < p + 6 && t->v[q].sent == t->v[i].sent && !list_sep(t, q) &&
               t->v[q].type != TOK_NUM && !extract_is_sym_(t, q, '('))
            q++;
        if (q < t->n && t->v[q].type == TOK_NUM) break; /* a measured feed */
        struct found k = extract_find_kind_(r, p, q, 99, 0);
        if (k.e == NULL) break;
        add_unmeasured(r, i, k, p, q, plus);
        last = k.b - 1;
        if (q >= t->n || !list_sep(t, q)) break;
        plus = plus || extract_is_sym_(t, q, '+'); /* "Postgres CDC + Segment": two feeds */
        p = q + 1;
    }
    return last;
}

void
extract_feed_unmeasured_(struct reader *r)
{
    const struct tokens *t = r->t;
    for (size_t i = 0; i < t->n; i++) {
        size_t vend = i + 1;
        /* "~300 GB/day from Postgres CDC + Segment": a '+' in a sentence with a feed */
        int plus = extract_is_sym_(t, i, '+') && r->n_f > 0 &&
                   r->f[r->n_f - 1].sent == t->v[i].sent;
        if (!plus && !extract_match_(r->lex, t, i, LEX_FEEDVERB, &vend)) continue;
        i = unmeasured_list(r, i, vend, plus);
    }
}

/* A total stated before its parts ("90,000 events/sec (75k GPS pings, 15k rider events)"). */
void
extract_feed_drop_totals_(struct reader *r)
{
    static const enum dim dims[] = {DIM_PEAK, DIM_VOLUME, DIM_DAILY};
    for (size_t d = 0; d < PW_ARRAY_LEN(dims); d++) {
        for (size_t i = 0; i < r->n_f; i++) {
            struct feed *f = &r->f[i];
            if (f->dropped || !f->has[dims[d]]) continue;
            double sum = 0;
            int parts = 0;
            for (size_t j = i + 1; j < r->n_f && r->f[j].sent == f->sent; j++) {
                if (!r->f[j].has[dims[d]]) continue;
                sum += r->f[j].val[dims[d]];
                parts++;
            }
            if (parts >= 2 && fabs(sum - f->val[dims[d]]) <= 0.05 * f->val[dims[d]]) f->dropped = 1;
        }
    }
}

/* The words of 's' as written, at most 'cap' - 1 bytes. */
void
extract_span_text_(const struct tokens *t, const struct span *s, char *out, size_t cap)
{
    if (s->b <= s->a || s->b > t->n) {
        if (cap) out[0] = '\0';
        return;
    }
    size_t len = t->v[s->b - 1].end - t->v[s->a].off;
    const char *p = t->text + t->v[s->a].off;
    if (len > 90) { /* cut at a space, not inside "10 seconds" */
        len = 90;
        while (len > 40 && p[len] != ' ') len--;
    }
    snprintf(out, cap, "%.*s", (int)len, p);
}

/* Volume from a daily count or an average rate and the record size; the peak from a peak in
 * bytes and the record size. The note's 'why' states the sum. */
/* "2 shifts, ~16 h/day": the hours a day the senders work, in the sentence of token 'i'; 24
 * when the sentence says none. */
static double
active_hours(const struct extract_lexicon *lex, const struct tokens *t, size_t i)
{
    for (size_t j = t->v[i].sent_a; j + 1 < t->v[i].sent_b; j++) {
        size_t end, pend;
        double sec;
        const struct lex_entry *u;
        if (t->v[j].type != TOK_NUM || t->v[j].num <= 0 || t->v[j].num >= 24 ||
            (u = extract_match_(lex, t, j + 1, LEX_TIME, &end)) == NULL || u->value != 3600)
            continue;
        if (extract_period_(lex, t, end, &sec, &pend) && sec == 86400) return t->v[j].num;
    }
    return 24;
}

void
extract_feed_derive_(const struct extract_lexicon *lex, const struct tokens *t, struct feed *f)
{
    char n1[32], n2[32], n3[32], ev[96];
    if (f->has[DIM_PEAKB] && f->has[DIM_SIZE] && !f->has[DIM_PEAK] && f->val[DIM_SIZE] > 0) {
        f->has[DIM_PEAK] = 1;
        f->val[DIM_PEAK] = f->val[DIM_PEAKB] / f->val[DIM_SIZE];
        f->ev[DIM_PEAK] = (struct span){f->ev[DIM_PEAKB].a, f->ev[DIM_PEAKB].b, f->ev[DIM_SIZE].a,
                                        f->ev[DIM_SIZE].b};
        extract_fmt_num_(n1, sizeof(n1), f->val[DIM_PEAKB], 0);
        extract_fmt_num_(n2, sizeof(n2), f->val[DIM_SIZE], 0);
        extract_fmt_num_(n3, sizeof(n3), f->val[DIM_PEAK], 0);
        snprintf(f->sum, sizeof(f->sum), "peak bytes / record size: %s B/s / %s B = %s events/s",
                 n1, n2, n3);
        f->why[DIM_PEAK] = f->sum;
    }
    /* "40k meters, each every 5 s": senders on a fixed interval send at a steady rate */
    if (f->has[DIM_AVG] && !f->has[DIM_PEAK] && f->why[DIM_AVG] &&
        (strcmp(f->why[DIM_AVG], EXTRACT_WHY_EVERY) == 0 ||
         strcmp(f->why[DIM_AVG], EXTRACT_WHY_TIMES) == 0)) {
        f->has[DIM_PEAK] = 1;
        f->val[DIM_PEAK] = f->val[DIM_AVG];
        f->ev[DIM_PEAK] = f->ev[DIM_AVG];
        f->why[DIM_PEAK] = "senders on a fixed interval send at a steady rate: the peak is the "
                           "average";
    }
    if (f->has[DIM_VOLUME] || !f->has[DIM_SIZE]) return;
    const struct span *s = &f->ev[DIM_SIZE];
    enum dim d = f->has[DIM_DAILY] ? DIM_DAILY : f->has[DIM_AVG] ? DIM_AVG : DIM_COUNT;
    if (d == DIM_COUNT) return;
    double hours = d == DIM_AVG ? active_hours(lex, t, f->ev[d].a) : 24;
    double per_day = d == DIM_DAILY ? f->val[d] : f->val[d] * 3600 * hours;
    f->has[DIM_VOLUME] = 1;
    f->val[DIM_VOLUME] = per_day * f->val[DIM_SIZE] / 1e9;
    f->ev[DIM_VOLUME] = (struct span){f->ev[d].a, f->ev[d].b, s->a, s->b};
    extract_span_text_(t, &f->ev[d], ev, sizeof(ev));
    extract_fmt_num_(n1, sizeof(n1), f->val[d], f->val[d] < 10 ? 2 : 0);
    extract_fmt_num_(n2, sizeof(n2), f->val[DIM_SIZE], 0);
    double v = f->val[DIM_VOLUME];
    extract_fmt_num_(n3, sizeof(n3), v, v < 0.1 ? 4 : v < 10 ? 2 : 1);
    const char *how = f->why[d] ? f->why[d] : "as stated";
    if (d == DIM_DAILY && f->why[d])
        snprintf(f->sum, sizeof(f->sum),
                 "daily count x record size: %s a day (%s: %s) x %s B = %s GB/day", n1, how, ev, n2,
                 n3);
    else if (d == DIM_DAILY)
        snprintf(f->sum, sizeof(f->sum),
                 "daily count x record size: %s a day (%s) x %s B = %s GB/day", n1, ev, n2, n3);
    else if (hours < 24)
        snprintf(f->sum, sizeof(f->sum),
                 "average rate x record size x the active hours: %s events/s (%s: %s) x %s B x "
                 "%g h x 3,600 s = %s GB/day",
                 n1, how, ev, n2, hours, n3);
    else
        snprintf(f->sum, sizeof(f->sum),
                 "average rate x record size x 86,400 s: %s events/s (%s: %s) x %s B x 86,400 s "
                 "= %s GB/day",
                 n1, how, ev, n2, n3);
    f->why[DIM_VOLUME] = f->sum;
}

/* Does the sentence of tokens [a, b) name feed 'f' (a word of its name, by a 4-letter stem)? */
int
extract_feed_names_(const struct tokens *t, const struct feed *f, size_t a, size_t b)
{
    for (size_t i = f->name_a; i < f->name_b; i++) {
        const struct tok *nw = &t->v[i];
        if (nw->type != TOK_WORD || nw->wlen < 3) continue;
        size_t stem = nw->wlen < 5 ? nw->wlen : 5;
        if (nw->wlen >= 5 && nw->w[nw->wlen - 1] == 's') stem = nw->wlen - 1 < 5 ? 4 : 5;
        for (size_t j = a; j < b; j++) {
            if (j >= f->name_a && j < f->name_b) continue;
            const struct tok *w = &t->v[j];
            if (w->type == TOK_WORD && w->wlen >= stem && memcmp(w->w, nw->w, stem) == 0) return 1;
        }
    }
    return 0;
}

/* "no personal data": the PII words after a denial are the NOPII phrase's, not a hint. */
static int
denied_pii(const struct reader *r, size_t p)
{
    return p > 0 && (extract_match_(r->lex, r->t, p - 1, LEX_NEGATION, NULL) ||
                     extract_match_(r->lex, r->t, p - 1, LEX_NOPII, NULL));
}

void
extract_feed_pii_(struct reader *r, struct extract_result *out)
{
    const struct tokens *t = r->t;
    size_t live = 0;
    for (size_t i = 0; i < r->n_f; i++) live += !r->f[i].dropped;
    /* in a feed's own words */
    for (size_t i = 0; i < r->n_f; i++) {
        struct feed *f = &r->f[i];
        size_t at, end;
        for (size_t p = f->ctx_a; p < f->ctx_b; p++) {
            if (extract_match_(r->lex, t, p, LEX_PII, &end) && !denied_pii(r, p)) {
                f->pii = 1;
                f->pii_ev = (struct span){p, end, 0, 0};
                break;
            }
        }
        if (f->pii < 0 && extract_find_(r->lex, t, f->ctx_a, f->ctx_b, LEX_NOPII, &at)) {
            f->pii = 0;
            f->pii_ev = (struct span){at, at + 1, 0, 0};
        }
    }
    /* in sentences of their own: "MSISDN and IMSI are personal data", "events carry emails" */
    for (size_t i = 0; i < t->n;) {
        size_t s = i, e = i;
        while (e < t->n && t->v[e].sent == t->v[s].sent) e++;
        i = e;
        for (int want = 1; want >= 0; want--) {
            size_t at = s, end = 0;
            int found = 0;
            for (; at < e && !found; at++)
                found = extract_match_(r->lex, t, at, want ? LEX_PII : LEX_NOPII, NULL) &&
                        !(want && denied_pii(r, at));
            if (!found) continue;
            at--;
            if (want) out->pii_mentioned = 1;
            extract_match_(r->lex, t, at, want ? LEX_PII : LEX_NOPII, &end);
            /* "there's PII (emails, phone numbers)" naming no feed: every feed not said
             * otherwise is treated as holding it until shown not to */
            int named = 0, unknown = 0;
            for (size_t fi = 0; fi < r->n_f && !unknown; fi++)
                unknown = !r->f[fi].dropped && r->f[fi].pii < 0;
            for (size_t fi = 0; want && unknown && live > 1 && fi < r->n_f && !named; fi++)
                named = !r->f[fi].dropped && extract_feed_names_(t, &r->f[fi], s, e);
            for (size_t fi = 0; fi < r->n_f; fi++) {
                struct feed *f = &r->f[fi];
                if (f->dropped || f->pii >= 0) continue;
                if (live == 1 || extract_feed_names_(t, f, s, e) || (want && !named)) {
                    f->pii = want;
                    f->pii_ev = (struct span){at, end, 0, 0};
                }
            }
        }
    }
}

static void
note_span(struct extract_result *out, const struct tokens *t, const char *field,
          const struct span *s, const char *why)
{
    extract_note_add_(out, field, t, s->a, s->b, s->a2, s->b2, why);
}

/* Feeds that are all SaaS connectors with no figure ("shopify + meta ads + klaviyo") get the
 * volume extract_units.tsv 'estimate' assumes for them, said in the note. */
static void
estimate_saas(struct reader *r)
{
    const struct lex_entry *e = extract_lookup_(r->lex, "saas", LEX_ESTIMATE);
    if (e == NULL || r->n_f == 0) return;
    for (size_t i = 0; i < r->n_f; i++) {
        const struct feed *f = &r->f[i];
        if (f->dropped) continue;
        if (f->kind != SOURCE_SAAS || f->has[DIM_VOLUME] || f->has[DIM_PEAK] || f->has[DIM_AVG] ||
            f->has[DIM_DAILY] || f->has[DIM_PEAKB])
            return;
    }
    for (size_t i = 0; i < r->n_f; i++) {
        struct feed *f = &r->f[i];
        if (f->dropped) continue;
        f->has[DIM_VOLUME] = 1;
        f->val[DIM_VOLUME] = e->value;
        f->ev[DIM_VOLUME] = f->kind_ev;
        f->why[DIM_VOLUME] = "an estimate: a SaaS connector's daily sync of a small or mid-size "
                             "account, no figure given";
    }
}

size_t
extract_feed_write_(struct reader *r, struct requirement *req, struct extract_result *out)
{
    estimate_saas(r);
    static const char *const dim_field[DIM_COUNT] = {
        [DIM_VOLUME] = "volume_gb_per_day",
        [DIM_PEAK] = "peak_events_per_sec",
        [DIM_SIZE] = "avg_record_bytes",
        [DIM_PEAKB] = "peak_bytes_per_sec",
    };
    size_t written = 0;
    for (size_t i = 0; i < r->n_f && req->n_sources < PW_MAX_LIST_ITEMS; i++) {
        struct feed *f = &r->f[i];
        if (f->dropped) continue;
        /* the same name twice: number the later ones */
        char name[80];
        snprintf(name, sizeof(name), "%s", f->name);
        for (int n = 2; n < 100; n++) {
            size_t s = 0;
            while (s < req->n_sources && strcmp(req->sources[s].name, name) != 0) s++;
            if (s == req->n_sources) break;
            snprintf(name, sizeof(name), "%s_%d", f->name, n);
        }
        req->sources = xrealloc(req->sources, (req->n_sources + 1) * sizeof(*req->sources));
        struct req_source *src = &req->sources[req->n_sources];
        size_t idx = req->n_sources++;
        memset(src, 0, sizeof(*src));
        src->name = xstrdup(name);
        src->kind = f->kind;
        src->volume_gb_per_day = f->has[DIM_VOLUME] ? f->val[DIM_VOLUME] : NAN;
        src->peak_events_per_sec = f->has[DIM_PEAK] ? f->val[DIM_PEAK] : NAN;
        src->avg_record_bytes = f->has[DIM_SIZE] ? f->val[DIM_SIZE] : NAN;
        src->contains_pii = f->pii;
        char field[96];
        extract_field_(field, sizeof(field), "sources", idx, ".name");
        note_span(out, r->t, field, &f->name_ev,
                  f->name_b > f->name_a ? NULL : "no words name the feed");
        if (f->kind != SOURCE_UNKNOWN) {
            extract_field_(field, sizeof(field), "sources", idx, ".kind");
            note_span(out, r->t, field, &f->kind_ev, NULL);
        }
        for (int d = 0; d < DIM_COUNT; d++) {
            if (!f->has[d] || dim_field[d] == NULL) continue;
            char suffix[32] = ".";
            strncat(suffix, dim_field[d], sizeof(suffix) - 2);
            extract_field_(field, sizeof(field), "sources", idx, suffix);
            note_span(out, r->t, field, &f->ev[d], f->why[d]);
        }
        if (f->pii >= 0) {
            extract_field_(field, sizeof(field), "sources", idx, ".contains_pii");
            note_span(out, r->t, field, &f->pii_ev, NULL);
        }
        written++;
    }
    return written;
}
