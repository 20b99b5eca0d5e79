/* advisor/extract_feeds.c - data feeds and their volumes from free text.
 *
 * Reads measures ("2 TB/day", "120,000 stories a day", "up to 40 items a second", "~20 KB each",
 * "about 1,000 on average", "a third of that on average") and groups them into feeds: a measure
 * joins the feed just before it in the same sentence when that feed lacks its dimension and the
 * measure names no other feed; otherwise it starts a feed named and typed from the words around
 * it. A total followed by its breakdown is dropped in favour of the parts. Volumes come only from
 * stated units: a daily count without a record size gives no volume, and a peak rate is never
 * stretched over a day. Pure: no I/O, no globals.
 */
#include "extract_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "xalloc.h"

#include "extract_feeds_int.h"


static struct measure *
add_measure(struct reader *r, enum dim dim, double value, size_t a, size_t b)
{
    if (r->n_m == r->cap_m) {
        r->cap_m = r->cap_m ? 2 * r->cap_m : 16;
        r->m = xrealloc(r->m, r->cap_m * sizeof(*r->m));
    }
    struct measure *m = &r->m[r->n_m++];
    memset(m, 0, sizeof(*m));
    m->dim = dim;
    m->value = value;
    m->a = a;
    m->b = b;
    m->sent = r->t->v[a].sent;
    m->depth = r->t->v[a].depth;
    return m;
}

static int
is_content_word(const struct reader *r, size_t i)
{
    const struct tok *k = &r->t->v[i];
    return k->type == TOK_WORD && !extract_match_(r->lex, r->t, i, LEX_STOP, NULL) &&
           !extract_match_(r->lex, r->t, i, LEX_TIME, NULL) &&
           !extract_match_(r->lex, r->t, i, LEX_SIZE, NULL) &&
           !extract_match_(r->lex, r->t, i, LEX_PERIOD, NULL);
}

/* Peak or average words within the clause around tokens [a, b). Returns DIM_PEAK, DIM_AVG, or
 * DIM_COUNT when neither. */
static enum dim
rate_cue(const struct reader *r, size_t a, size_t b)
{
    const struct tokens *t = r->t;
    int clause_a = t->v[a].clause, clause_b = t->v[b - 1].clause;
    for (size_t i = a, n = 0; i-- > 0 && n < 3; n++) {
        if (t->v[i].clause != clause_a) break;
        if (extract_match_(r->lex, t, i, LEX_AVERAGE, NULL)) return DIM_AVG;
        if (extract_match_(r->lex, t, i, LEX_PEAK, NULL)) return DIM_PEAK;
    }
    for (size_t i = b, n = 0; i < t->n && n < 7; i++, n++) {
        if (t->v[i].clause != clause_b || t->v[i].type == TOK_NUM || extract_is_sym_(t, i, '('))
            break;
        if (extract_match_(r->lex, t, i, LEX_AVERAGE, NULL)) return DIM_AVG;
        if (extract_match_(r->lex, t, i, LEX_PEAK, NULL)) return DIM_PEAK;
    }
    return DIM_COUNT;
}

/* A count noun phrase at 'j' ("GPS pings", "stories and updates", "article edits"): up to three
 * content words then a count noun. Returns the index after it, or j when there is none. */
static size_t
count_phrase(const struct reader *r, size_t j, const struct lex_entry **noun, int *modified)
{
    const struct tokens *t = r->t;
    size_t end;
    *modified = 0;
    for (size_t k = j, words = 0; k < t->n && words <= 3; k++) {
        const struct lex_entry *e = extract_match_(r->lex, t, k, LEX_COUNT, &end);
        if (e) {
            size_t end2;
            const struct lex_entry *e2;
            /* "article edits": the last noun of a run is the thing counted */
            while ((e2 = extract_match_(r->lex, t, end, LEX_COUNT, &end2)) != NULL)
                e = e2, k = end, end = end2;
            *noun = e;
            *modified = k > j;
            if (extract_is_word_(t, end, "and") &&
                extract_match_(r->lex, t, end + 1, LEX_COUNT, &end2))
                end = end2;
            return end;
        }
        if (extract_is_sym_(t, k, '-') && (t->v[k].flags & TOKF_GLUED)) continue;
        if (!is_content_word(r, k)) break;
        words++;
    }
    return j;
}

/* Is token 'i' a multiplication sign ("x", "×", "times")? */
static int
is_times(const struct tokens *t, size_t i)
{
    return extract_is_sym_(t, i, 'x') || extract_is_word_(t, i, "x") ||
           extract_is_word_(t, i, "times");
}

/* Record-size words around a size at [i, k): "each", "per record", "a record", "/event",
 * "<count> of ~300 bytes", "record size of". */
static int
is_record_size(const struct reader *r, size_t i, size_t k)
{
    const struct tokens *t = r->t;
    for (size_t m = k, n = 0; m < t->n && n < 4; m++, n++) {
        if (extract_is_word_(t, m, "each")) return 1;
        if ((extract_is_word_(t, m, "per") || extract_is_word_(t, m, "a") ||
             extract_is_word_(t, m, "an") || extract_is_sym_(t, m, '/')) &&
            extract_match_(r->lex, t, m + 1, LEX_COUNT, NULL))
            return 1;
        if (t->v[m].type != TOK_WORD) break;
    }
    /* "report every 5 s at 300 bytes", "x 1 KB", "40 million rows a day of ~1 KB" */
    if (i >= 1 && (extract_is_word_(t, i - 1, "at") || is_times(t, i - 1))) return 1;
    /* "payloads around 2 KB", "messages are ~600B", "events average 1 KB" */
    if (i >= 1 && extract_match_(r->lex, t, i - 1, LEX_COUNT, NULL)) return 1;
    if (i >= 2 && (extract_is_word_(t, i - 1, "are") || extract_is_word_(t, i - 1, "is") ||
                   extract_match_(r->lex, t, i - 1, LEX_AVERAGE, NULL)) &&
        extract_match_(r->lex, t, i - 2, LEX_COUNT, NULL))
        return 1;
    if (i >= 2 && (extract_is_word_(t, i - 1, "of") || extract_is_sym_(t, i - 1, '(')) &&
        r->n_m > 0 && r->m[r->n_m - 1].b == i - 1 && r->m[r->n_m - 1].dim != DIM_VOLUME)
        return 1; /* "... every 30 seconds (~1 KB)" */
    if (i >= 2 && extract_is_word_(t, i - 1, "of") &&
        (extract_match_(r->lex, t, i - 2, LEX_COUNT, NULL) ||
         extract_is_word_(t, i - 2, "size") || extract_is_word_(t, i - 2, "sizes")))
        return 1;
    for (size_t m = i, n = 0; m-- > 0 && n < 3; n++)
        if (extract_is_word_(t, m, "size") || extract_is_word_(t, m, "sized")) return 1;
    /* "each roughly 1.5 KB", "(avg 600 bytes)" */
    return i >= 1 && (extract_is_word_(t, i - 1, "each") ||
                      extract_match_(r->lex, t, i - 1, LEX_AVERAGE, NULL));
}

static size_t times_senders(struct reader *r, struct measure *m, size_t end);

/* The period of a size at number token 'i' named earlier in its sentence by a period word and a
 * volume noun ("daily change volume - honestly not sure, maybe 200-300 GB?"), with no other
 * number between them; 0 when there is none. */
static double
sentence_period(const struct reader *r, size_t i)
{
    const struct tokens *t = r->t;
    if (extract_in_clause_(t, i, LEX_STOREDCUE) || extract_in_clause_(t, i, LEX_INVENTORY))
        return 0; /* "...; the warehouse has 80 TB at rest" */
    for (size_t j = i; j-- > t->v[i].sent_a;) {
        if (t->v[j].type == TOK_NUM || extract_is_sym_(t, j, ';')) return 0;
        const struct lex_entry *pe = extract_match_(r->lex, t, j, LEX_PERIOD, NULL);
        if (!pe || pe->value < 3600) continue;
        for (size_t n = j + 1; n < i && n <= j + 2; n++)
            if (extract_match_(r->lex, t, n, LEX_VOLNOUN, NULL)) return pe->value;
    }
    return 0;
}

/* A measure that starts with a size ("2 TB/day", "~20 KB each", "peak ~50 MB/s") at number token
 * 'i', its unit 'unit' ending at 'end'. Returns the index after it. */
static size_t
read_size_measure(struct reader *r, size_t i, const struct lex_entry *unit, size_t end)
{
    const struct tokens *t = r->t;
    const struct tok *num = &t->v[i];
    size_t k;
    double sec;
    double hi = num->num * unit->value, lo = num->num_lo * unit->value;
    unsigned flags = (num->numf & NUMF_RANGE) ? MF_RANGE : 0;
    k = end;
    const struct lex_entry *unit2;
    size_t end2;
    if ((extract_is_word_(t, k, "to") || extract_is_sym_(t, k, '-')) && k + 1 < t->n &&
        t->v[k + 1].type == TOK_NUM &&
        (unit2 = extract_match_(r->lex, t, k + 2, LEX_SIZE, &end2)) &&
        t->v[k + 1].num * unit2->value > hi) {
        lo = hi; /* "100 MB to 50 GB each" */
        hi = t->v[k + 1].num * unit2->value;
        flags |= MF_RANGE;
        k = end2;
    }
    if (extract_period_(r->lex, t, k, &sec, &end) && sec <= 1 &&
        rate_cue(r, i, end) == DIM_PEAK) {
        add_measure(r, DIM_PEAKB, hi / sec, i, end)->flags = flags;
        return end;
    }
    if (extract_period_(r->lex, t, k, &sec, &end)) {
        struct measure *m = add_measure(r, DIM_VOLUME, hi / sec * 86400 / 1e9, i, end);
        m->flags = flags;
        times_senders(r, m, end); /* "200 servers, each writes ~5 GB/day" */
        if (extract_is_word_(t, end, "of")) { /* "60 GB/day of log lines" */
            size_t p = end + 1;
            while (p < t->n && p < end + 7 && t->v[p].type == TOK_WORD) p++;
            m->of_a = end + 1;
            m->of_b = p;
        }
        return end;
    }
    if (extract_is_word_(t, k, "of")) {
        for (size_t p = k + 1; p < t->n && p <= k + 6; p++) {
            if (extract_period_(r->lex, t, p, &sec, &end)) {
                struct measure *m = add_measure(r, DIM_VOLUME, hi / sec * 86400 / 1e9, i, end);
                m->flags = flags;
                m->of_a = k + 1;
                m->of_b = p;
                return end;
            }
            if (t->v[p].type != TOK_WORD &&
                !(extract_is_sym_(t, p, '-') && (t->v[p].flags & TOKF_GLUED)))
                break;
        }
    }
    /* "daily ingest ~3 TB from kafka": the period before the size */
    for (size_t j = i, n = 0; j-- > t->v[i].clause_a && n < 3; n++) {
        const struct lex_entry *pe = extract_match_(r->lex, t, j, LEX_PERIOD, NULL);
        if (pe && pe->value >= 3600) {
            struct measure *m = add_measure(r, DIM_VOLUME, hi / pe->value * 86400 / 1e9, j, k);
            m->flags = flags;
            return k;
        }
        if (!extract_match_(r->lex, t, j, LEX_FEEDVERB, NULL) && !extract_is_word_(t, j, "of"))
            break; /* "a daily dashboard over 2 TB" is no volume */
    }
    double per = sentence_period(r, i);
    if (per > 0 && !is_record_size(r, i, k)) { /* "daily change volume - maybe 200-300 GB?" */
        add_measure(r, DIM_VOLUME, hi / per * 86400 / 1e9, i, k)->flags = flags;
        return k;
    }
    if (is_record_size(r, i, k) || extract_match_(r->lex, t, k, LEX_COUNT, NULL)) {
        double v = hi;
        if (flags & MF_RANGE) v = sqrt(hi * (lo > 0 ? lo : hi));
        struct measure *m = add_measure(r, DIM_SIZE, v, i, k);
        m->flags = (flags & MF_RANGE) ? MF_GEOMEAN : 0;
        return k;
    }
    /* a size with no rate: a capacity or a file, not a feed's volume; with a word of data
     * at rest ("2 TB total", "1.2 PB of historical parquet") the size of what exists */
    if (r->stored_b == 0 && (extract_in_clause_(t, i, LEX_STOREDCUE) ||
                             extract_match_(r->lex, t, k + 1, LEX_STOREDCUE, NULL)))
        r->stored_a = i, r->stored_b = k, r->stored_bytes = hi;
    return k;
}

/* "100k USD per year", "15k EUR a month", "15k€": money, not a count. */
static int
is_money(const struct reader *r, size_t i)
{
    const struct tokens *t = r->t;
    return extract_match_(r->lex, t, i + 1, LEX_CURRENCY, NULL) ||
           extract_match_(r->lex, t, i + 1, LEX_FX, NULL) ||
           extract_match_(r->lex, t, i + 1, LEX_OTHERCURRENCY, NULL) ||
           extract_is_sym_(t, i + 1, 'E') || extract_is_sym_(t, i + 1, 'L') ||
           (i > 0 && (extract_is_sym_(t, i - 1, 'E') || extract_is_sym_(t, i - 1, 'L') ||
                      extract_match_(r->lex, t, i - 1, LEX_FX, NULL)));
}

/* The clause of token 'p' says "each" ("each sending ...", "one scan every 4 s each"). */
static int
clause_says_each(const struct tokens *t, size_t p)
{
    size_t j = t->v[p].clause_a;
    while (j < t->v[p].clause_b && !extract_is_word_(t, j, "each")) j++;
    return j < t->v[p].clause_b;
}

/* "50,000 trucks report GPS telemetry every 30 seconds": senders and their cadence, an average
 * rate, at number token 'i'. Returns the index after it, or 0 when there is none. */
static size_t
read_senders(struct reader *r, size_t i)
{
    const struct tokens *t = r->t;
    const struct tok *num = &t->v[i];
    size_t end;
    for (size_t k2 = i + 1, words = 0; k2 < t->n && words <= 3; k2++, words++) {
        const struct lex_entry *em = extract_match_(r->lex, t, k2, LEX_EMITTER, &end);
        if (em == NULL) {
            if (!is_content_word(r, k2)) break;
            continue;
        }
        /* "2,000 kiosks, each sending a heartbeat every 30 seconds": past a comma when "each"
         * opens the next clause */
        for (size_t p = end; p < t->n && p < end + 12 && t->v[p].sent == t->v[i].sent; p++) {
            if (t->v[p].clause != t->v[i].clause && !clause_says_each(t, p)) break;
            if (!extract_is_word_(t, p, "every")) continue;
            size_t q = p + 1, tend;
            double count = 1;
            if (q < t->n && t->v[q].type == TOK_NUM) count = t->v[q].num, q++;
            const struct lex_entry *tu = extract_match_(r->lex, t, q, LEX_TIME, &tend);
            if (tu == NULL || count <= 0 || num->num != floor(num->num)) break;
            struct measure *m = add_measure(r, DIM_AVG, num->num / (count * tu->value), i, tend);
            m->flags |= MF_STRONG | MF_EVERY;
            m->name_a = k2;
            m->name_b = end;
            m->kind = source_kind_parse(em->label);
            return end; /* the words up to the cadence ("a 1.2 KB batch") are read too */
        }
        break;
    }
    return 0;
}

/* The senders ("~220 machines over MTConnect") up to ten tokens before 'i', or SIZE_MAX. */
static size_t
senders_before(const struct reader *r, size_t i)
{
    const struct tokens *t = r->t;
    for (size_t j = i, k = 0; j-- > t->v[i].sent_a && k < 10; k++) {
        if (t->v[j].type != TOK_NUM) continue;
        for (size_t q = j + 1; q < i && q <= j + 2; q++)
            if (extract_match_(r->lex, t, q, LEX_EMITTER, NULL)) return j;
    }
    return SIZE_MAX;
}

/* "5,000 stores x 2,000 transactions a day", "300 msgs/min from each of 50 machines": a rate
 * per sender times the senders. Scales 'm' and widens its span; returns the index after it. */
static size_t
times_senders(struct reader *r, struct measure *m, size_t end)
{
    const struct tokens *t = r->t;
    size_t i = m->a, n_at = SIZE_MAX, after = end;
    size_t each = SIZE_MAX;
    for (size_t j = i, k = 0; j-- > t->v[i].sent_a && k < 5; k++)
        if (extract_is_word_(t, j, "each")) each = j;
    if (each != SIZE_MAX && each >= 2) {
        /* "200 servers, each writes ~5 GB/day": a count and its noun just before "each" */
        size_t j = each;
        if (extract_is_sym_(t, j - 1, ',')) j--;
        for (size_t k = 0; j-- > t->v[i].sent_a && k < 3; k++) {
            if (t->v[j].type == TOK_NUM) {
                n_at = j + 1 < each && t->v[j + 1].type == TOK_WORD ? j : SIZE_MAX;
                break;
            }
            if (!is_content_word(r, j)) break;
        }
    } else if (i >= 2 && is_times(t, i - 1)) {
        for (size_t j = i - 1, k = 0; j-- > t->v[i].sent_a && k < 3; k++) {
            if (t->v[j].type == TOK_NUM) {
                n_at = j;
                break;
            }
            if (t->v[j].type != TOK_WORD) break;
        }
    } else if (extract_is_word_(t, end, "each")) {
        n_at = senders_before(r, i), after = end + 1; /* "220 machines, one sample per second each" */
    } else {
        size_t p = end;
        if (extract_is_word_(t, p, "from") || extract_is_word_(t, p, "for") ||
            extract_is_word_(t, p, "across"))
            p++;
        if (extract_is_word_(t, p, "each") && extract_is_word_(t, p + 1, "of") &&
            p + 2 < t->n && t->v[p + 2].type == TOK_NUM) {
            n_at = p + 2;
            after = p + 3;
            while (after < t->n && after < p + 5 && is_content_word(r, after)) after++;
        }
    }
    if (n_at == SIZE_MAX) return end;
    const struct tok *n = &t->v[n_at];
    if (n->numf & (NUMF_MONEY | NUMF_PERCENT | NUMF_RANGE) || n->num < 1 || n->num > 1e9 ||
        n->num != floor(n->num))
        return end;
    m->value *= n->num;
    m->flags |= MF_TIMES;
    /* "one sample per second each": a sender's own cadence is its steady rate */
    if (m->dim == DIM_PEAK && (m->flags & MF_UNSPEC)) m->dim = DIM_AVG, m->flags &= ~MF_UNSPEC;
    if (n_at < m->a) m->a = n_at;
    m->b = after;
    return after;
}

/* Reads the measure starting at number token 'i'; returns the index after it (i + 1 if none). */
static size_t
read_measure(struct reader *r, size_t i)
{
    const struct tokens *t = r->t;
    const struct tok *num = &t->v[i];
    size_t end;
    double sec;
    if (num->numf & (NUMF_MONEY | NUMF_PERCENT) || num->num <= 0 || is_money(r, i)) return i + 1;
    const struct lex_entry *unit = extract_match_(r->lex, t, i + 1, LEX_SIZE, &end);
    if (unit) return read_size_measure(r, i, unit, end);
    const struct lex_entry *noun = NULL;
    int modified = 0;
    size_t ce = count_phrase(r, i + 1, &noun, &modified);
    const struct lex_entry *ru = extract_match_(r->lex, t, i + 1, LEX_RATEUNIT, &end);
    size_t plain_a = 0, plain_b = 0;
    if (ce == i + 1 && !ru) {
        /* "4,000 authorisations per second", "2 million bookings a day": a noun the lexicon
         * does not know, counted per unit of time. A small daily count ("12 reports a day")
         * is not a feed. */
        size_t w = i + 1;
        while (w < t->n && w < i + 3 && is_content_word(r, w)) w++;
        double per = 0;
        size_t pe;
        if (w > i + 1 && (extract_match_(r->lex, t, w, LEX_RATEUNIT, NULL) ||
                          (extract_period_(r->lex, t, w, &per, &pe) &&
                           (per <= 1 || num->num >= 1000)))) {
            plain_a = i + 1;
            plain_b = w;
            ce = w;
        } else if (w == i + 1 && extract_period_(r->lex, t, w, &per, &pe) && per <= 1) {
            plain_a = plain_b = w; /* "at up to 4,000 per second": a rate with no noun */
        }
    }
    /* "one message per turbine per second": how a sender frames its data, not a feed's rate */
    if (ce > i + 1 && !ru && extract_is_word_(t, ce, "per") && ce + 1 < t->n &&
        t->v[ce + 1].type == TOK_WORD && !extract_match_(r->lex, t, ce + 1, LEX_TIME, NULL) &&
        extract_period_(r->lex, t, ce + 2, &sec, &end))
        return end;
    if (ce > i + 1 || ru || plain_b > 0) {
        struct measure *m;
        if (ru) {
            m = add_measure(r, DIM_PEAK, num->num, i, end);
            ce = end;
        } else if (extract_period_(r->lex, t, ce, &sec, &end) ||
                   ((ru = extract_match_(r->lex, t, ce, LEX_RATEUNIT, &end)) && (sec = 1))) {
            if (sec < 0.5) return end; /* per millisecond: not a feed rate anyone writes */
            m = sec <= 1 ? add_measure(r, DIM_PEAK, num->num / sec, i, end)
                         : add_measure(r, DIM_DAILY, num->num * 86400 / sec, i, end);
        } else {
            m = add_measure(r, DIM_PEAK, num->num, i, ce);
            m->flags |= MF_INHERIT;
            end = ce;
        }
        if (m->dim == DIM_PEAK && !(m->flags & MF_INHERIT)) {
            enum dim cue = rate_cue(r, i, end);
            if (cue == DIM_AVG) m->dim = DIM_AVG;
            if (cue == DIM_COUNT) m->flags |= MF_UNSPEC;
        }
        if (m->dim == DIM_AVG && (num->numf & NUMF_RANGE) && num->num > 0) {
            m->value *= (num->num + num->num_lo) / (2 * num->num); /* "normally 2-3k/s" */
            m->flags |= MF_MIDDLE;
        }
        if (num->numf & NUMF_RANGE) m->flags |= MF_RANGE;
        end = times_senders(r, m, end);
        if (noun) {
            m->name_a = i + 1;
            m->name_b = ce;
            m->kind = source_kind_parse(noun->label);
            if (modified || noun->value > 0) m->flags |= MF_STRONG;
        } else if (plain_b > plain_a) {
            m->name_a = plain_a;
            m->name_b = plain_b;
        }
        return end;
    }
    size_t senders = read_senders(r, i);
    if (senders) return senders;
    /* "about 1,000 on average", "averaging 800": a rate whose unit came just before */
    if (extract_match_(r->lex, t, i + 1, LEX_AVERAGE, &end) ||
        (i > 0 && extract_match_(r->lex, t, i - 1, LEX_AVERAGE, NULL) && (end = i + 1))) {
        struct measure *m = add_measure(r, DIM_AVG, num->num, i, end);
        m->flags |= MF_INHERIT;
        return end;
    }
    return i + 1;
}

/* "a third of that on average": a fraction of the peak just stated. */
static size_t
read_fraction(struct reader *r, size_t i)
{
    const struct tokens *t = r->t;
    size_t end, end2;
    const struct lex_entry *e = extract_match_(r->lex, t, i, LEX_FRACTION, &end);
    if (e == NULL || !extract_is_word_(t, end, "of")) return i + 1;
    size_t p = end + 1;
    if (extract_is_word_(t, p, "the")) p++;
    if (!extract_is_word_(t, p, "that") && !extract_is_word_(t, p, "this") &&
        !extract_is_word_(t, p, "it") && !extract_is_word_(t, p, "peak"))
        return i + 1;
    for (size_t q = p + 1; q < t->n && q <= p + 3; q++) {
        if (extract_match_(r->lex, t, q, LEX_AVERAGE, &end2)) {
            struct measure *m = add_measure(r, DIM_AVG, e->value, i, end2);
            m->flags |= MF_FRACTION;
            return end2;
        }
    }
    return i + 1;
}

/* Writes a feed name from tokens [a, b): lower-case words joined by '_'. */
void
extract_name_from_(const struct tokens *t, size_t a, size_t b, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = a; i < b; i++) {
        const struct tok *k = &t->v[i];
        const char *s = k->type == TOK_WORD ? k->w : t->text + k->off;
        size_t len = k->type == TOK_WORD ? k->wlen : k->end - k->off;
        if (k->type == TOK_SYM) continue;
        if (n && n + 1 < cap) out[n++] = '_';
        for (size_t j = 0; j < len && n + 1 < cap; j++) {
            char c = s[j];
            if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out[n++] = c;
        }
    }
    while (n && out[n - 1] == '_') n--;
    out[n] = '\0';
}

/* The best KIND phrase in tokens [a, b) not deeper in brackets than 'depth': highest priority,
 * then nearest to 'b' when 'last', else nearest to 'a'. */
struct found
extract_find_kind_(const struct reader *r, size_t a, size_t b, int depth, int last)
{
    struct found best = {NULL, 0, 0};
    int best_named = 0;
    size_t covered = a;
    for (size_t i = a; i < b && i < r->t->n; i++) {
        size_t end;
        if (r->t->v[i].depth > depth || i < covered) continue;
        const struct lex_entry *e = extract_match_(r->lex, r->t, i, LEX_KIND, &end);
        if (e == NULL) continue;
        /* value below 1: a product named like a common word ("Segment"), only capitalised */
        if (e->value < 1 && !(r->t->v[i].flags & TOKF_CAP)) continue;
        covered = end; /* "access logs": not "logs" again */
        /* "shopify orders": the product's records, not a stream of events */
        if (best.e && strcmp(best.e->label, "saas") == 0 &&
            (strcmp(e->label, "events") == 0 || strcmp(e->label, "logs") == 0))
            continue;
        /* with a word before it ("CDR files") it makes a better name than alone ("SFTP") */
        int named = extract_name_start_(r, i) < i;
        /* in a compound the last noun is the head: a business noun that reads as plain
         * events ("orders database", "transaction logs") gives way to it */
        if (best.e == NULL || e->value > best.e->value ||
            (e->value == best.e->value && i == best.b && strcmp(best.e->label, "events") == 0) ||
            (last && e->value == best.e->value && named >= best_named)) {
            best.e = e;
            best.a = i;
            best.b = end;
            best_named = named;
        }
    }
    return best;
}

/* The name of a feed found by its kind word: the word with one content word before it
 * ("billing database", "policy-admin database"). */
size_t
extract_name_start_(const struct reader *r, size_t a)
{
    const struct tokens *t = r->t;
    size_t s = a;
    while (s > 0 && t->v[s - 1].sent == t->v[a].sent) {
        if (extract_is_sym_(t, s - 1, '-') && (t->v[s - 1].flags & TOKF_GLUED) && s >= 2 &&
            is_content_word(r, s - 2)) {
            s -= 2;
            continue;
        }
        if (s == a && is_content_word(r, s - 1) &&
            !extract_match_(r->lex, t, s - 1, LEX_KIND, NULL)) {
            s--;
            continue;
        }
        break;
    }
    return s;
}

struct feed *
extract_feed_add_(struct reader *r, int sent, size_t ctx_a, size_t ctx_b)
{
    if (r->n_f == r->cap_f) {
        r->cap_f = r->cap_f ? 2 * r->cap_f : 8;
        r->f = xrealloc(r->f, r->cap_f * sizeof(*r->f));
    }
    struct feed *f = &r->f[r->n_f++];
    memset(f, 0, sizeof(*f));
    f->pii = -1;
    f->sent = sent;
    f->ctx_a = ctx_a;
    f->ctx_b = ctx_b;
    return f;
}

static struct feed *
new_feed(struct reader *r, const struct measure *m, size_t ctx_a)
{
    struct feed *f = extract_feed_add_(r, m->sent, ctx_a, m->b);
    const struct tokens *t = r->t;
    /* kind and name: the count noun, then "of <words>", then words before, then after */
    struct found of = {NULL, 0, 0}, pre, post = {NULL, 0, 0};
    if (m->of_b > m->of_a) of = extract_find_kind_(r, m->of_a, m->of_b + 1, 99, 0);
    pre = extract_find_kind_(r, ctx_a, m->a, m->depth, 1);
    size_t pe = m->b;
    while (pe < t->n && t->v[pe].clause == t->v[m->b - 1].clause && pe < m->b + 10) pe++;
    if (pe > m->b) post = extract_find_kind_(r, m->b, pe, 99, 0);
    f->ctx_b = pe;
    struct found kind = of.e ? of : pre.e ? pre : post;
    /* a distinctive noun ("GPS pings") tells the kind; a generic one ("events") only when the
     * words around say nothing ("Sensors send 150k events/sec" is IoT) */
    /* "shopify orders (~20k/day)": a SaaS product's records come through its API, whatever
     * the count noun says */
    int saas = kind.e && strcmp(kind.e->label, "saas") == 0;
    if (m->kind != SOURCE_UNKNOWN && !saas && ((m->flags & MF_STRONG) || kind.e == NULL)) {
        f->kind = m->kind;
        f->kind_ev = (struct span){m->name_a, m->name_b, 0, 0};
    } else if (kind.e) {
        f->kind = source_kind_parse(kind.e->label);
        f->kind_ev = (struct span){kind.a, kind.b, 0, 0};
    }
    size_t na = 0, nb = 0;
    if (m->name_b > m->name_a && (m->flags & MF_STRONG)) {
        na = m->name_a, nb = m->name_b;
    } else if (of.e) {
        na = extract_name_start_(r, of.a), nb = of.b;
    } else if (pre.e && pre.e->value >= 2) {
        na = extract_name_start_(r, pre.a), nb = pre.b;
    } else if (m->name_b > m->name_a) {
        na = m->name_a, nb = m->name_b;
    } else if (pre.e) {
        na = extract_name_start_(r, pre.a), nb = pre.b;
    } else if (post.e) {
        na = extract_name_start_(r, post.a), nb = post.b;
    }
    if (nb > na) extract_name_from_(t, na, nb, f->name, sizeof(f->name));
    if (f->name[0] == '\0') {
        snprintf(f->name, sizeof(f->name), "primary");
        na = nb = 0;
    }
    f->name_a = na;
    f->name_b = nb;
    f->name_ev = (struct span){na, nb, 0, 0};
    return f;
}

static void
feed_set(struct feed *f, enum dim d, double v, size_t a, size_t b, const char *why)
{
    f->has[d] = 1;
    f->val[d] = v;
    f->ev[d] = (struct span){a, b, 0, 0};
    f->why[d] = why;
}

static void
apply(struct feed *f, const struct measure *m)
{
    const char *why = NULL;
    if (m->flags & MF_GEOMEAN)
        why = "a range of sizes: the geometric mean of its ends";
    else if (m->flags & MF_MIDDLE)
        why = "middle of the range";
    else if (m->flags & MF_RANGE)
        why = "upper end of the range";
    else if (m->flags & MF_UNSPEC)
        why = "a stated rate, taken as the peak";
    if (m->flags & MF_EVERY) why = EXTRACT_WHY_EVERY;
    if (m->flags & MF_TIMES) why = EXTRACT_WHY_TIMES;
    feed_set(f, m->dim, m->value, m->a, m->b, why);
}

/* "There is also ...", "another 5k events/s": words before the measure in its sentence that
 * say it is a feed of its own. */
static int
another(const struct reader *r, const struct measure *m)
{
    for (size_t j = m->a, k = 0; j-- > r->t->v[m->a].sent_a && k < 12; k++)
        if (extract_match_(r->lex, r->t, j, LEX_ANOTHER, NULL)) return 1;
    return 0;
}

/* "a third of that on average": applies to every feed of its sentence with a peak. */
static void
apply_fraction(struct reader *r, const struct measure *m)
{
    for (size_t fi = 0; fi < r->n_f; fi++) {
        struct feed *f = &r->f[fi];
        if (f->sent == m->sent && f->has[DIM_PEAK] && !f->has[DIM_AVG])
            feed_set(f, DIM_AVG, f->val[DIM_PEAK] * m->value, m->a, m->b,
                     "a fraction of the peak");
    }
}

/* "peak ~50 MB/s": the peak of the feed at hand (the current one, else the last one named),
 * with a record size stated just before it. Returns the feed. */
static struct feed *
join_peak_bytes(struct reader *r, const struct measure *m, struct feed *cur,
                const struct measure *pending, size_t boundary)
{
    struct feed *f = cur ? cur : r->n_f ? &r->f[r->n_f - 1] : new_feed(r, m, boundary);
    if (!f->has[DIM_PEAKB]) apply(f, m);
    if (pending && !f->has[DIM_SIZE] && pending->sent == m->sent) apply(f, pending);
    return f;
}

/* Groups the measures into feeds (see the comment atop the file). */
static void
group(struct reader *r)
{
    const struct tokens *t = r->t;
    struct feed *cur = NULL;
    const struct measure *pending = NULL, *last_rate = NULL;
    int sent = -1;
    size_t boundary = 0;
    for (size_t i = 0; i < r->n_m; i++) {
        struct measure *m = &r->m[i];
        if (m->sent != sent) {
            sent = m->sent;
            cur = NULL;
            pending = NULL;
            last_rate = NULL;
            boundary = m->a;
            while (boundary > 0 && t->v[boundary - 1].sent == sent) boundary--;
        }
        if (m->dim == DIM_PEAKB) {
            cur = join_peak_bytes(r, m, cur, pending, boundary);
            pending = NULL;
            continue;
        }
        if (m->dim == DIM_SIZE) {
            if (cur && !cur->has[DIM_SIZE])
                apply(cur, m);
            else
                pending = m;
            continue;
        }
        if (m->flags & MF_FRACTION) {
            apply_fraction(r, m);
            boundary = m->b;
            continue;
        }
        if (m->flags & MF_INHERIT) {
            /* "75k GPS pings" inside the brackets after "90,000 events/sec", or "1,000 on
             * average" after "3,500 transactions/sec": only with a per-second rate before */
            if (last_rate == NULL || (m->dim == DIM_PEAK && m->depth <= last_rate->depth)) {
                boundary = m->b;
                continue;
            }
            if (m->dim == DIM_PEAK && (last_rate->flags & MF_UNSPEC)) m->flags |= MF_UNSPEC;
        }
        /* does the measure name a feed of its own, and which kind? */
        int strong = (m->flags & MF_STRONG) || m->of_b > m->of_a;
        enum source_kind mk = m->kind;
        struct found k = {NULL, 0, 0};
        if (m->of_b > m->of_a) k = extract_find_kind_(r, m->of_a, m->of_b + 1, 99, 0);
        if (k.e == NULL) k = extract_find_kind_(r, boundary, m->a, m->depth, 1);
        if (k.e && k.e->value >= 2) strong = 1;
        if (mk == SOURCE_UNKNOWN && k.e) mk = source_kind_parse(k.e->label);
        int other = cur && strong &&
                    ((mk != SOURCE_UNKNOWN && cur->kind != SOURCE_UNKNOWN && mk != cur->kind) ||
                     ((m->flags & MF_STRONG) && (cur->has[DIM_PEAK] || cur->has[DIM_DAILY])));
        struct feed *same = NULL;
        if (cur == NULL && mk != SOURCE_UNKNOWN) {
            /* "The clickstream peaks at 80k events/sec." about the clickstream named before */
            int n_kind = 0;
            for (size_t fi = 0; fi < r->n_f; fi++)
                if (!r->f[fi].dropped && r->f[fi].kind == mk) n_kind++, same = &r->f[fi];
            if (n_kind != 1 || same->has[m->dim]) same = NULL;
        }
        /* "..., plus a broker portal (events ~100/s)": a cue and a named thing before it */
        if (cur && k.e && another(r, m)) other = 1;
        if (cur && !cur->has[m->dim] && !other) {
            apply(cur, m);
            if (m->b > cur->ctx_b) cur->ctx_b = m->b;
        } else if (same) {
            cur = same;
            apply(cur, m);
        } else if (cur == NULL && !strong && m->sent > 0 && r->n_f == 1 &&
                   !r->f[0].has[m->dim] && !another(r, m)) {
            cur = &r->f[0]; /* "It peaks at 50k events/sec." about the one feed named before */
            apply(cur, m);
            /* a bare rate after a daily volume: the same feed's peak, or a feed of its own? */
            if ((m->flags & MF_UNSPEC) && cur->has[DIM_VOLUME] && r->ambig_b == 0)
                r->ambig_a = m->a, r->ambig_b = m->b;
        } else if (cur == NULL && !strong && r->n_f > 0 && !another(r, m)) {
            boundary = m->b; /* which feed it belongs to is unknown: leave it out */
            if (r->ambig_b == 0) r->ambig_a = m->a, r->ambig_b = m->b;
            continue;
        } else {
            cur = new_feed(r, m, boundary);
            apply(cur, m);
            if (pending && !cur->has[DIM_SIZE]) apply(cur, pending);
            pending = NULL;
        }
        if ((m->dim == DIM_PEAK || m->dim == DIM_AVG) && !(m->flags & MF_INHERIT)) last_rate = m;
        /* "20 GB/day of clickstream and 5 GB/day from Postgres": the "of" words belong to
         * this feed, so the next one does not look back at them */
        boundary = m->of_b > m->of_a && m->of_b + 1 > m->b ? m->of_b + 1 : m->b;
    }
}

size_t
extract_sources_(const struct extract_lexicon *lex, struct tokens *t,
                 struct requirement *req, struct extract_result *out)
{
    struct reader r;
    memset(&r, 0, sizeof(r));
    r.lex = lex;
    r.t = t;
    for (size_t i = 0; i < t->n;) {
        if (t->v[i].type == TOK_NUM)
            i = read_measure(&r, i);
        else if (t->v[i].type == TOK_WORD)
            i = read_fraction(&r, i);
        else
            i++;
    }
    for (size_t i = 0; i < r.n_m; i++)
        for (size_t j = r.m[i].a; j < r.m[i].b && j < t->n; j++) t->v[j].used = 1;
    group(&r);
    extract_feed_drop_totals_(&r);
    extract_feed_unmeasured_(&r);
    for (size_t i = 0; i < r.n_f; i++) extract_feed_derive_(lex, t, &r.f[i]);
    extract_feed_pii_(&r, out);
    size_t written = 0;
    if (req->n_sources == 0) written = extract_feed_write_(&r, req, out);
    if (r.stored_b > 0) {
        char why[96], gb[32];
        extract_fmt_num_(gb, sizeof(gb), r.stored_bytes / 1e9, 0);
        snprintf(why, sizeof(why), "data that exists today (%s GB), not a daily volume", gb);
        extract_note_add_(out, "existing_data_gb", t, r.stored_a, r.stored_b, 0, 0, why);
    }
    if (r.ambig_b > 0 && written > 0) {
        char q[160];
        struct span s = {r.ambig_a, r.ambig_b, 0, 0};
        char ev[64];
        extract_span_text_(t, &s, ev, sizeof(ev));
        snprintf(q, sizeof(q), "Is the \"%s\" a peak of a feed already named or a source of its own?",
                 ev);
        extract_question_(out, q);
    }
    free(r.m);
    free(r.f);
    return written;
}
