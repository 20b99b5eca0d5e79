/* advisor/extract_lex.c - the extractor's tokeniser.
 *
 * Owns the turning of a text into tokens with numbers assembled ("120,000", "~20", "150k",
 * "1.2M", "two dozen", "half a", "2-3", "$30k", "99.9%"). Matching happens once per token, so the
 * field readers only look results up. Refuses nothing in the text (any bytes are tokens). The
 * lexicon it matches against is extract_lexicon.c's. Pure: no I/O, no globals.
 */
#include "extract_int.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "embedded.h"
#include "xalloc.h"

/* ---- tokens -------------------------------------------------------------------------------- */

/* Single-word lookup, for the number assembler which runs before phrase matching. */
static const struct lex_entry *
lookup1(const struct extract_lexicon *lex, const char *w, size_t len, enum lex_cat cat)
{
    size_t h = extract_hash_word_(w, len) & (lex->n_buckets - 1);
    for (size_t i = lex->buckets[h]; i != SIZE_MAX; i = lex->entries[i].next) {
        const struct lex_entry *e = &lex->entries[i];
        if (e->cat == cat && e->n_words == 1 && lex->word_lens[e->word0] == len &&
            memcmp(lex->words[e->word0], w, len) == 0)
            return e;
    }
    return NULL;
}

const struct lex_entry *
extract_lookup_(const struct extract_lexicon *lex, const char *word, enum lex_cat cat)
{
    return lookup1(lex, word, strlen(word), cat);
}

/* Maps the few non-ASCII characters that carry meaning to one ASCII symbol; 0 for the rest. */
static char
special_utf8(const unsigned char *s, size_t left, size_t *n)
{
    static const struct {
        const char *seq;
        char sym;
    } map[] = {
        {"\xe2\x80\x93", '-'}, {"\xe2\x80\x94", ','}, {"\xc3\x97", 'x'},      {"\xe2\x89\x88", '~'},
        {"\xe2\x82\xac", 'E'}, {"\xc2\xa3", 'L'},     {"\xe2\x80\x99", '\''}, {"\xe2\x89\xa4", '<'},
    };
    for (size_t i = 0; i < PW_ARRAY_LEN(map); i++) {
        size_t l = strlen(map[i].seq);
        if (l <= left && memcmp(s, map[i].seq, l) == 0) {
            *n = l;
            return map[i].sym;
        }
    }
    return 0;
}

/* A token before numbers are assembled: small, since every byte of text may make one. */
struct rtok {
    enum tok_type type;
    unsigned flags;
    size_t off, end;
    const char *w;
    size_t wlen;
    double num;
    uint64_t cats1; /* categories of one-word lexicon entries equal to the word */
    uint32_t hash;
    char sym;
};

static inline void
push_raw(struct rtok **v, size_t *n, size_t *cap, const struct rtok *k)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        *v = xrealloc(*v, *cap * sizeof(**v));
    }
    (*v)[(*n)++] = *k;
}

/* A number of digits at s[i], with thousands separators and a decimal point, into 'k';
 * returns the index after it. */
static inline size_t
scan_number(const unsigned char *s, size_t len, size_t i, struct rtok *k)
{
    char digits[64];
    size_t nd = 0, j = i;
    int dot = 0;
    while (j < len && nd < sizeof(digits) - 1) {
        if (isdigit(s[j])) {
            digits[nd++] = (char)s[j++];
        } else if (s[j] == ',' && !dot && j + 3 < len && isdigit(s[j + 1]) && isdigit(s[j + 2]) &&
                   isdigit(s[j + 3]) && (j + 4 >= len || !isdigit(s[j + 4]))) {
            j++; /* a thousands separator: exactly three digits follow */
        } else if (s[j] == '.' && !dot && j + 1 < len && isdigit(s[j + 1])) {
            dot = 1;
            digits[nd++] = (char)s[j++];
        } else {
            break;
        }
    }
    while (j < len && isdigit(s[j])) j++; /* absurdly long: the rest is dropped */
    digits[nd] = '\0';
    k->type = TOK_NUM;
    k->num = extract_parse_digits_(digits, nd);
    k->end = j;
    return j;
}

/* A word at text[i], lower-cased into t->lower at '*lo', with the categories of the one-word
 * lexicon entries equal to it, into 'k'; returns the index after it. */
static inline size_t
scan_word(struct tokens *t, const struct extract_lexicon *lex, size_t i, size_t *lo, struct rtok *k)
{
    const unsigned char *s = (const unsigned char *)t->text;
    size_t len = t->len, j = i;
    k->type = TOK_WORD;
    k->flags |= isupper(s[i]) ? TOKF_CAP : 0;
    k->w = t->lower + *lo;
    while (j < len) {
        if (s[j] < 0x80 && isalnum(s[j])) { /* the common case first */
            t->lower[(*lo)++] = (char)(s[j] >= 'A' && s[j] <= 'Z' ? s[j] + 32 : s[j]);
            j++;
            continue;
        }
        size_t nb2 = 0;
        char sp = s[j] >= 0x80 ? special_utf8(s + j, len - j, &nb2) : 0;
        if (s[j] >= 0x80 && sp == 0) {
            t->lower[(*lo)++] = (char)(s[j] >= 'A' && s[j] <= 'Z' ? s[j] + 32 : s[j]);
            j++;
        } else if (s[j] == '#' && j == i + 1) { /* "C#", "F#" */
            t->lower[(*lo)++] = '#';
            j++;
        } else if ((s[j] == '\'' || sp == '\'') && j + (sp ? nb2 : 1) < len &&
                   isalpha(s[j + (sp ? nb2 : 1)])) {
            t->lower[(*lo)++] = '\'';
            j += sp ? nb2 : 1;
        } else {
            break;
        }
    }
    k->wlen = (size_t)(t->lower + *lo - k->w);
    t->lower[(*lo)++] = '\0';
    k->hash = extract_hash_word_(k->w, k->wlen);
    for (size_t ei = lex->buckets[k->hash & (lex->n_buckets - 1)]; ei != SIZE_MAX;
         ei = lex->entries[ei].next) {
        const struct lex_entry *e = &lex->entries[ei];
        if (e->n_words == 1 && lex->word_lens[e->word0] == k->wlen &&
            memcmp(lex->words[e->word0], k->w, k->wlen) == 0)
            k->cats1 |= (uint64_t)1 << e->cat;
    }
    k->end = j;
    return j;
}

/* First pass: words, plain numbers and symbols. Words are lower-cased into 'lower'. */
static void
scan_raw(struct tokens *t, const struct extract_lexicon *lex, struct rtok **raw, size_t *n_raw)
{
    const unsigned char *s = (const unsigned char *)t->text;
    size_t len = t->len, cap = len / 4 + 16, lo = 0;
    int space = 1;
    *raw = xmalloc(cap * sizeof(**raw));
    *n_raw = 0;
    for (size_t i = 0; i < len;) {
        struct rtok k;
        memset(&k, 0, sizeof(k));
        k.off = i;
        k.flags = space ? 0 : TOKF_GLUED;
        size_t nb = 0;
        char special = s[i] >= 0x80 ? special_utf8(s + i, len - i, &nb) : 0;
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\f' || s[i] == '\v') {
            i++;
            space = 1;
            continue;
        }
        space = 0;
        if (isdigit(s[i]) || isalpha(s[i]) || (s[i] >= 0x80 && special == 0)) {
            i = isdigit(s[i]) ? scan_number(s, len, i, &k) : scan_word(t, lex, i, &lo, &k);
            push_raw(raw, n_raw, &cap, &k);
            continue;
        }
        k.type = TOK_SYM;
        k.sym = special ? special : (char)s[i];
        if (k.sym == '[') k.sym = '(';
        if (k.sym == ']') k.sym = ')';
        k.end = i + (special ? nb : 1);
        push_raw(raw, n_raw, &cap, &k);
        i = k.end;
    }
}

static inline int
raw_is(const struct rtok *r, size_t n, size_t i, const char *w)
{
    if (i >= n || r[i].type != TOK_WORD) return 0;
    size_t k = 0;
    while (w[k] && k < r[i].wlen && w[k] == r[i].w[k]) k++;
    return k == r[i].wlen && w[k] == '\0';
}

static inline int
raw_sym(const struct rtok *r, size_t n, size_t i, char c)
{
    return i < n && r[i].type == TOK_SYM && r[i].sym == c;
}

static const struct lex_entry *
raw_lookup(const struct extract_lexicon *lex, const struct rtok *r, size_t n, size_t i,
           enum lex_cat cat)
{
    if (i >= n || r[i].type != TOK_WORD || !(r[i].cats1 & ((uint64_t)1 << cat))) return NULL;
    return lookup1(lex, r[i].w, r[i].wlen, cat);
}

/* Reads spelled numbers at raw[i]: "forty", "twenty-five", "two hundred and fifty", "a dozen",
 * "a couple", "a single", "half a". Returns the index after the number, or i when there is none. */
static size_t
spelled(const struct extract_lexicon *lex, const struct rtok *r, size_t n, size_t i, double *out)
{
    size_t j = i;
    if (raw_is(r, n, j, "half") && (raw_is(r, n, j + 1, "a") || raw_is(r, n, j + 1, "an")) &&
        (raw_lookup(lex, r, n, j + 2, LEX_SIZE) || raw_lookup(lex, r, n, j + 2, LEX_TIME) ||
         raw_lookup(lex, r, n, j + 2, LEX_MULT))) {
        *out = 0.5;
        return j + 2;
    }
    int article = raw_is(r, n, j, "a") || raw_is(r, n, j, "an");
    if (article) {
        const struct lex_entry *e = raw_lookup(lex, r, n, j + 1, LEX_NUMWORD);
        if (e == NULL || strcmp(e->label, "unit") == 0 || strcmp(e->label, "half") == 0) return i;
        j++;
    }
    double total = 0, cur = 0;
    int any = 0;
    for (;;) {
        const struct lex_entry *e = raw_lookup(lex, r, n, j, LEX_NUMWORD);
        if (e == NULL || strcmp(e->label, "half") == 0) break;
        if (strcmp(e->label, "article") == 0 && !article) break;
        if (strcmp(e->label, "scale") == 0) {
            if (cur == 0) cur = 1;
            if (e->value >= 1000) {
                total += cur * e->value;
                cur = 0;
            } else {
                cur *= e->value;
            }
        } else if (strcmp(e->label, "dozen") == 0) {
            cur = (cur == 0 ? 1 : cur) * e->value;
        } else {
            cur += e->value;
        }
        any = 1;
        j++;
        /* "twenty-five", "two hundred and fifty" */
        if ((raw_sym(r, n, j, '-') || raw_is(r, n, j, "and")) &&
            raw_lookup(lex, r, n, j + 1, LEX_NUMWORD) &&
            strcmp(raw_lookup(lex, r, n, j + 1, LEX_NUMWORD)->label, "unit") == 0)
            j++;
    }
    if (!any) return i;
    *out = total + cur;
    return j;
}

/* Multiplier after digits at raw[j] ("k", "M", "million"); returns its value or 0. */
static double
multiplier(const struct extract_lexicon *lex, const struct rtok *r, size_t n, size_t j, int *cond)
{
    const struct lex_entry *e = raw_lookup(lex, r, n, j, LEX_MULT);
    if (e == NULL) return 0;
    *cond = strcmp(e->label, "cond") == 0 && !(r[j].flags & TOKF_CAP && r[j].w[0] == 'm');
    return e->value;
}

/* "~", "$", "usd", "about" before a number at raw[j]: sets their flags in '*numf' and returns
 * the index after them. */
static size_t
prefixes(const struct extract_lexicon *lex, const struct rtok *r, size_t n, size_t j,
         unsigned *numf)
{
    for (;;) {
        if (raw_sym(r, n, j, '~')) {
            *numf |= NUMF_APPROX;
            j++;
        } else if (raw_sym(r, n, j, '$') || raw_is(r, n, j, "usd")) {
            *numf |= NUMF_MONEY;
            j++;
        } else if (raw_lookup(lex, r, n, j, LEX_APPROX) && j + 1 < n &&
                   (r[j + 1].type == TOK_NUM || raw_sym(r, n, j + 1, '$') ||
                    raw_sym(r, n, j + 1, '~') || raw_lookup(lex, r, n, j + 1, LEX_NUMWORD))) {
            *numf |= NUMF_APPROX;
            j++;
        } else {
            return j;
        }
    }
}

/* Reads one number with everything around it that belongs to it, starting at raw[i]. */
static size_t
assemble(const struct extract_lexicon *lex, const struct rtok *r, size_t n, size_t i,
         struct tok *out)
{
    size_t j = i;
    unsigned numf = 0;
    /* most tokens start no number: say so before any lookup */
    const uint64_t starts = ((uint64_t)1 << LEX_NUMWORD) | ((uint64_t)1 << LEX_APPROX);
    if (r[i].type == TOK_SYM && r[i].sym != '~' && r[i].sym != '$') return i;
    if (r[i].type == TOK_WORD && !(r[i].cats1 & starts) && !raw_is(r, n, i, "usd") &&
        !((raw_is(r, n, i, "a") || raw_is(r, n, i, "an")) && i + 1 < n &&
          (r[i + 1].cats1 & starts)))
        return i;
    j = prefixes(lex, r, n, j, &numf);
    double v = 0, mult = 1;
    size_t k = j;
    if (k < n && r[k].type == TOK_NUM) {
        v = r[k].num;
        k++;
        int cond = 0;
        double m = multiplier(lex, r, n, k, &cond);
        /* a lower-case "5m" or "5b" is millions or billions only for money or counted things */
        if (m > 0 && (!cond || (numf & NUMF_MONEY) || raw_lookup(lex, r, n, k + 1, LEX_COUNT))) {
            mult = m;
            k++;
        }
    } else {
        size_t e = spelled(lex, r, n, k, &v);
        if (e == k) return i;
        numf |= NUMF_SPELLED;
        k = e;
        int cond = 0;
        double m = multiplier(lex, r, n, k, &cond);
        if (m > 0 && !cond && r[k].wlen > 1) {
            mult = m;
            k++;
        }
    }
    double lo = v * mult;
    double hi = lo;
    /* "2-3", "2 to 3", "between 2 and 3" (the second number is larger) */
    int between = i > 0 && raw_is(r, n, i - 1, "between");
    if ((raw_sym(r, n, k, '-') || raw_is(r, n, k, "to") || (between && raw_is(r, n, k, "and"))) &&
        k + 1 < n && r[k + 1].type == TOK_NUM) {
        double v2 = r[k + 1].num, m2 = 1;
        size_t k2 = k + 2;
        int cond = 0;
        double m = multiplier(lex, r, n, k2, &cond);
        if (m > 0 && !cond) {
            m2 = m;
            k2++;
        }
        if (m2 > 1 && mult == 1 && v < v2) mult = m2, lo = v * m2;
        if (v2 * m2 > lo) {
            hi = v2 * m2;
            numf |= NUMF_RANGE;
            k = k2;
        }
    }
    if (raw_sym(r, n, k, '%') || raw_is(r, n, k, "percent")) {
        numf |= NUMF_PERCENT;
        k++;
    } else if (raw_is(r, n, k, "per") && raw_is(r, n, k + 1, "cent")) {
        numf |= NUMF_PERCENT;
        k += 2;
    }
    memset(out, 0, sizeof(*out));
    out->type = TOK_NUM;
    out->flags = r[i].flags;
    out->numf = numf;
    out->off = r[i].off;
    out->end = r[k - 1].end;
    out->num = hi;
    out->num_lo = lo;
    out->mult = mult;
    return k;
}

static void
add_matches(const struct extract_lexicon *lex, struct tokens *t, size_t i, size_t *cap)
{
    struct tok *k = &t->v[i];
    k->m_first = t->n_m;
    k->m_n = 0;
    if (k->type != TOK_WORD) return;
    uint64_t seen = 0;
    size_t h = k->hash & (lex->n_buckets - 1);
    for (size_t ei = lex->buckets[h]; ei != SIZE_MAX; ei = lex->entries[ei].next) {
        const struct lex_entry *e = &lex->entries[ei];
        if (seen & ((uint64_t)1 << e->cat)) continue;
        size_t p = i;
        size_t w = 0;
        for (; w < e->n_words; w++) {
            const char *ew = lex->words[e->word0 + w];
            size_t el = lex->word_lens[e->word0 + w];
            if (w > 0) {
                p++;
                /* "real-time", "pub/sub": a glued hyphen or slash between words is optional */
                if (p + 1 < t->n && t->v[p].type == TOK_SYM &&
                    (t->v[p].sym == '-' || t->v[p].sym == '/') && (t->v[p].flags & TOKF_GLUED) &&
                    (t->v[p + 1].flags & TOKF_GLUED))
                    p++;
            }
            if (p >= t->n) break;
            const struct tok *q = &t->v[p];
            if (q->type == TOK_WORD) {
                if (q->wlen != el || memcmp(q->w, ew, el) != 0) break;
            } else if (q->type == TOK_NUM && w > 0) {
                if (q->end - q->off != el || memcmp(t->text + q->off, ew, el) != 0) break;
            } else {
                break;
            }
        }
        if (w < e->n_words) continue;
        seen |= (uint64_t)1 << e->cat;
        if (t->n_m == *cap) {
            *cap = *cap ? 2 * *cap : 64;
            t->m = xrealloc(t->m, *cap * sizeof(*t->m));
        }
        t->m[t->n_m].cat = e->cat;
        t->m[t->n_m].entry = ei;
        t->m[t->n_m].end = p + 1;
        t->n_m++;
        k->m_n++;
        k->cats |= (uint64_t)1 << e->cat;
    }
}

/* A token that is one raw token as scanned: nothing assembled it with its neighbours. */
static void
tok_from_raw(struct tok *k, const struct rtok *q)
{
    memset(k, 0, sizeof(*k));
    k->type = q->type;
    k->flags = q->flags;
    k->off = q->off;
    k->end = q->end;
    k->w = q->w;
    k->wlen = q->wlen;
    k->sym = q->sym;
    k->num = k->num_lo = q->num;
    k->mult = 1;
    k->hash = q->hash;
}

void
extract_tokens_init_(struct tokens *t, const struct extract_lexicon *lex, const char *text,
                     size_t len)
{
    memset(t, 0, sizeof(*t));
    t->text = text;
    t->len = len;
    t->lower = xmalloc(2 * len + 1);
    struct rtok *raw;
    size_t n_raw;
    scan_raw(t, lex, &raw, &n_raw);
    t->v = xmalloc((n_raw + 1) * sizeof(*t->v));
    for (size_t i = 0; i < n_raw;) {
        struct tok *k = &t->v[t->n++];
        size_t next = assemble(lex, raw, n_raw, i, k);
        if (next == i) {
            tok_from_raw(k, &raw[i]);
            next = i + 1;
        }
        i = next;
    }
    free(raw);
    int sent = 0, clause = 0, depth = 0;
    for (size_t i = 0; i < t->n; i++) {
        struct tok *k = &t->v[i];
        k->sent = sent;
        k->clause = clause;
        if (k->type == TOK_SYM && k->sym == ')' && depth > 0) depth--;
        k->depth = depth;
        if (k->type != TOK_SYM) continue;
        if (k->sym == '(') depth++;
        /* "ra3.4xlarge", "node.js": a dot inside a word ends no sentence */
        int inner_dot = k->sym == '.' && i + 1 < t->n && (t->v[i + 1].flags & TOKF_GLUED) &&
                        t->v[i + 1].type != TOK_SYM && i > 0 && t->v[i - 1].type != TOK_SYM;
        if (strchr(".!?\n", k->sym) && !inner_dot) {
            sent++;
            clause++;
            depth = 0;
        } else if (strchr(",;:", k->sym)) {
            clause++;
        }
    }
    t->n_sent = sent + 1;
    for (size_t i = 0, s0 = 0, c0 = 0; i <= t->n; i++) {
        if (i == t->n || t->v[i].sent != t->v[s0].sent) {
            for (size_t j = s0; j < i; j++) t->v[j].sent_a = s0, t->v[j].sent_b = i;
            s0 = i;
        }
        if (i == t->n || t->v[i].clause != t->v[c0].clause) {
            for (size_t j = c0; j < i; j++) t->v[j].clause_a = c0, t->v[j].clause_b = i;
            c0 = i;
        }
    }
    size_t mcap = t->n / 2 + 8;
    t->m = xmalloc(mcap * sizeof(*t->m));
    for (size_t i = 0; i < t->n; i++) add_matches(lex, t, i, &mcap);
    for (size_t i = 0; i < t->n;) {
        uint64_t m = 0;
        size_t e = t->v[i].sent_b;
        for (size_t j = i; j < e; j++) m |= t->v[j].cats;
        for (size_t j = i; j < e; j++) t->v[j].sent_cats = m;
        i = e;
    }
    for (size_t i = 0; i < t->n;) {
        uint64_t m = 0;
        size_t e = t->v[i].clause_b;
        for (size_t j = i; j < e; j++) m |= t->v[j].cats;
        for (size_t j = i; j < e; j++) t->v[j].clause_cats = m;
        i = e;
    }
}

void
extract_tokens_fini_(struct tokens *t)
{
    free(t->lower);
    free(t->v);
    free(t->m);
    memset(t, 0, sizeof(*t));
}

int
extract_period_(const struct extract_lexicon *lex, const struct tokens *t, size_t i,
                double *seconds, size_t *end)
{
    if (i >= t->n) return 0;
    /* "once a second", "once per minute" */
    if (extract_is_word_(t, i, "once") && !extract_is_word_(t, i + 1, "once"))
        return extract_period_(lex, t, i + 1, seconds, end);
    const struct lex_entry *e = extract_match_(lex, t, i, LEX_PERIOD, end);
    if (e) {
        *seconds = e->value;
        return 1;
    }
    int slash = extract_is_sym_(t, i, '/');
    int per = extract_is_word_(t, i, "per");
    int article = extract_is_word_(t, i, "a") || extract_is_word_(t, i, "an") ||
                  extract_is_word_(t, i, "each") || extract_is_word_(t, i, "every");
    if (!slash && !per && !article) return 0;
    size_t j = i + 1;
    double count = 1;
    if ((slash || per) && j < t->n && t->v[j].type == TOK_NUM && !(t->v[j].numf & NUMF_RANGE)) {
        count = t->v[j].num; /* "per 24 hours", "/24h" */
        j++;
    }
    e = extract_match_(lex, t, j, LEX_TIME, end);
    if (e == NULL || count <= 0) return 0;
    if (article && t->v[j].wlen == 1) return 0; /* "a s", "a d": not a period */
    *seconds = e->value * count;
    return 1;
}

int
extract_find_(const struct extract_lexicon *lex, const struct tokens *t, size_t a, size_t b,
              enum lex_cat cat, size_t *at)
{
    for (size_t i = a; i < b && i < t->n; i++) {
        if (extract_match_(lex, t, i, cat, NULL)) {
            if (at) *at = i;
            return 1;
        }
    }
    return 0;
}
