/* advisor/extract_group.c - measures into feeds: naming a feed and telling feeds apart.
 *
 * Groups the measures extract_feeds.c read: a measure joins the feed just before it in the same
 * sentence when that feed lacks its dimension and the measure names no other feed; otherwise it
 * starts a feed named and typed from the words around it (the count noun, "of <words>", then the
 * words before, then after). A rate that could belong to more than one feed is left out and
 * remembered for a question. Pure: no I/O, no globals.
 */
#include "extract_int.h"

#include <stdio.h>
#include <string.h>

#include "xalloc.h"

#include "extract_feeds_int.h"


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
            extract_content_word_(r, s - 2)) {
            s -= 2;
            continue;
        }
        if (s == a && extract_content_word_(r, s - 1) &&
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
    if (m->flags & MF_GEOMEAN) why = "a range of sizes: the geometric mean of its ends";
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
            feed_set(f, DIM_AVG, f->val[DIM_PEAK] * m->value, m->a, m->b, "a fraction of the peak");
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

/* The kind of feed measure 'm' names, from its count noun, its "of <words>" or the words since
 * 'boundary'; '*strong' says whether it names a feed of its own, '*k' the kind phrase found. */
static enum source_kind
measure_kind(const struct reader *r, const struct measure *m, size_t boundary, int *strong,
             struct found *k)
{
    *strong = (m->flags & MF_STRONG) || m->of_b > m->of_a;
    enum source_kind mk = m->kind;
    *k = (struct found){NULL, 0, 0};
    if (m->of_b > m->of_a) *k = extract_find_kind_(r, m->of_a, m->of_b + 1, 99, 0);
    if (k->e == NULL) *k = extract_find_kind_(r, boundary, m->a, m->depth, 1);
    if (k->e && k->e->value >= 2) *strong = 1;
    if (mk == SOURCE_UNKNOWN && k->e) mk = source_kind_parse(k->e->label);
    return mk;
}

/* "The clickstream peaks at 80k events/sec." about the clickstream named before: the one feed
 * of kind 'mk' still without the measure's dimension, or NULL. */
static struct feed *
only_feed_of(struct reader *r, const struct measure *m, enum source_kind mk)
{
    if (mk == SOURCE_UNKNOWN) return NULL;
    struct feed *same = NULL;
    int n_kind = 0;
    for (size_t fi = 0; fi < r->n_f; fi++)
        if (!r->f[fi].dropped && r->f[fi].kind == mk) n_kind++, same = &r->f[fi];
    if (n_kind != 1 || same->has[m->dim]) return NULL;
    return same;
}

/* The first token of sentence 'sent' at or before token 'i'. */
static size_t
sentence_start(const struct tokens *t, size_t i, int sent)
{
    while (i > 0 && t->v[i - 1].sent == sent) i--;
    return i;
}

/* Groups the measures into feeds (see the comment atop the file). */
void
extract_feed_group_(struct reader *r)
{
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
            boundary = sentence_start(r->t, m->a, sent);
        }
        if (m->dim == DIM_PEAKB) {
            cur = join_peak_bytes(r, m, cur, pending, boundary);
            pending = NULL;
            continue;
        }
        if (m->dim == DIM_SIZE) {
            if (cur && !cur->has[DIM_SIZE]) apply(cur, m);
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
        int strong;
        struct found k;
        enum source_kind mk = measure_kind(r, m, boundary, &strong, &k);
        int other = cur && strong &&
                    ((mk != SOURCE_UNKNOWN && cur->kind != SOURCE_UNKNOWN && mk != cur->kind) ||
                     ((m->flags & MF_STRONG) && (cur->has[DIM_PEAK] || cur->has[DIM_DAILY])));
        struct feed *same = cur == NULL ? only_feed_of(r, m, mk) : NULL;
        /* "..., plus a broker portal (events ~100/s)": a cue and a named thing before it */
        if (cur && k.e && another(r, m)) other = 1;
        if (cur && !cur->has[m->dim] && !other) {
            apply(cur, m);
            if (m->b > cur->ctx_b) cur->ctx_b = m->b;
        } else if (same) {
            cur = same;
            apply(cur, m);
        } else if (cur == NULL && !strong && m->sent > 0 && r->n_f == 1 && !r->f[0].has[m->dim] &&
                   !another(r, m)) {
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
