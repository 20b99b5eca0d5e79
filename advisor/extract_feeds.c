/* advisor/extract_feeds.c - data feeds and their volumes from free text.
 *
 * Reads measures ("2 TB/day", "120,000 stories a day", "up to 40 items a second", "~20 KB each",
 * "about 1,000 on average", "a third of that on average"), has extract_group.c group them into
 * feeds, and writes the feeds (extract_out.c). A total followed by its breakdown is dropped in
 * favour of the parts. Volumes come only from stated units: a daily count without a record size
 * gives no volume, and a peak rate is never stretched over a day. Pure: no I/O, no globals.
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

/* A word that can name a feed: not a stop word, a time, a size or a period. */
int
extract_content_word_(const struct reader *r, size_t i)
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
        if (!extract_content_word_(r, k)) break;
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
    if (i >= 2 &&
        (extract_is_word_(t, i - 1, "are") || extract_is_word_(t, i - 1, "is") ||
         extract_match_(r->lex, t, i - 1, LEX_AVERAGE, NULL)) &&
        extract_match_(r->lex, t, i - 2, LEX_COUNT, NULL))
        return 1;
    if (i >= 2 && (extract_is_word_(t, i - 1, "of") || extract_is_sym_(t, i - 1, '(')) &&
        r->n_m > 0 && r->m[r->n_m - 1].b == i - 1 && r->m[r->n_m - 1].dim != DIM_VOLUME)
        return 1; /* "... every 30 seconds (~1 KB)" */
    if (i >= 2 && extract_is_word_(t, i - 1, "of") &&
        (extract_match_(r->lex, t, i - 2, LEX_COUNT, NULL) || extract_is_word_(t, i - 2, "size") ||
         extract_is_word_(t, i - 2, "sizes")))
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
    if (extract_period_(r->lex, t, k, &sec, &end) && sec <= 1 && rate_cue(r, i, end) == DIM_PEAK) {
        add_measure(r, DIM_PEAKB, hi / sec, i, end)->flags = flags;
        return end;
    }
    if (extract_period_(r->lex, t, k, &sec, &end)) {
        struct measure *m = add_measure(r, DIM_VOLUME, hi / sec * 86400 / 1e9, i, end);
        m->flags = flags;
        times_senders(r, m, end);             /* "200 servers, each writes ~5 GB/day" */
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
            if (!extract_content_word_(r, k2)) break;
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
            if (!extract_content_word_(r, j)) break;
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
        n_at = senders_before(r, i),
        after = end + 1; /* "220 machines, one sample per second each" */
    } else {
        size_t p = end;
        if (extract_is_word_(t, p, "from") || extract_is_word_(t, p, "for") ||
            extract_is_word_(t, p, "across"))
            p++;
        if (extract_is_word_(t, p, "each") && extract_is_word_(t, p + 1, "of") && p + 2 < t->n &&
            t->v[p + 2].type == TOK_NUM) {
            n_at = p + 2;
            after = p + 3;
            while (after < t->n && after < p + 5 && extract_content_word_(r, after)) after++;
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

/* "4,000 authorisations per second", "2 million bookings a day": a noun the lexicon does not
 * know after number token 'i', counted per unit of time; sets [*plain_a, *plain_b) to the noun
 * and returns the token after it (i + 1 if none). A small daily count ("12 reports a day") is
 * not a feed. */
static size_t
plain_count(const struct reader *r, size_t i, size_t *plain_a, size_t *plain_b)
{
    const struct tokens *t = r->t;
    size_t w = i + 1;
    while (w < t->n && w < i + 3 && extract_content_word_(r, w)) w++;
    double per = 0;
    size_t pe;
    if (w > i + 1 &&
        (extract_match_(r->lex, t, w, LEX_RATEUNIT, NULL) ||
         (extract_period_(r->lex, t, w, &per, &pe) && (per <= 1 || t->v[i].num >= 1000)))) {
        *plain_a = i + 1;
        *plain_b = w;
        return w;
    }
    if (w == i + 1 && extract_period_(r->lex, t, w, &per, &pe) && per <= 1)
        *plain_a = *plain_b = w; /* "at up to 4,000 per second": a rate with no noun */
    return i + 1;
}

/* Peak or average, by the words around the rate 'm' read at number token 'i'; a range's
 * middle or upper end. */
static void
rate_shape(const struct reader *r, struct measure *m, size_t i, size_t end)
{
    const struct tok *num = &r->t->v[i];
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
    if (ce == i + 1 && !ru) ce = plain_count(r, i, &plain_a, &plain_b);
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
        rate_shape(r, m, i, end);
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

size_t
extract_sources_(const struct extract_lexicon *lex, struct tokens *t, struct requirement *req,
                 struct extract_result *out)
{
    struct reader r;
    memset(&r, 0, sizeof(r));
    r.lex = lex;
    r.t = t;
    for (size_t i = 0; i < t->n;) {
        if (t->v[i].type == TOK_NUM) i = read_measure(&r, i);
        else if (t->v[i].type == TOK_WORD)
            i = read_fraction(&r, i);
        else
            i++;
    }
    for (size_t i = 0; i < r.n_m; i++)
        for (size_t j = r.m[i].a; j < r.m[i].b && j < t->n; j++) t->v[j].used = 1;
    extract_feed_group_(&r);
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
        snprintf(q, sizeof(q),
                 "Is the \"%s\" a peak of a feed already named or a source of its own?", ev);
        extract_question_(out, q);
    }
    free(r.m);
    free(r.f);
    return written;
}
