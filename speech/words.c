/* speech/words.c - the words of numbers, and the lexicon of names, for speech_normalise().
 *
 * Cardinals in US style without "and" or hyphens ("two thousand five hundred", "ninety nine"),
 * ordinals derived from them, digit-by-digit reading, and the lexicon parsed from the embedded
 * speech/data/lexicon.tsv into a caller-owned table (entries point into the embedded bytes, so
 * nothing is copied). Pure: no I/O, no globals.
 */
#include "speech_int.h"

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "embedded.h"
#include "xalloc.h"

static const char *const small[] = {
    "zero",     "one",     "two",     "three",     "four",     "five",     "six",
    "seven",    "eight",   "nine",    "ten",       "eleven",   "twelve",   "thirteen",
    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
};
static const char *const tens[] = {"",      "",      "twenty",  "thirty", "forty",
                                   "fifty", "sixty", "seventy", "eighty", "ninety"};

static int
is_alnum(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void
speech_word_(struct buf *o, const char *w, size_t n)
{
    char c = o->len ? o->data[o->len - 1] : '\0';
    if (c != '\0' && c != ' ' && c != '\n') buf_putc(o, ' ');
    buf_append(o, w, n);
}

static void
word(struct buf *o, const char *w)
{
    speech_word_(o, w, strlen(w));
}

static void
say_below_1000(struct buf *o, unsigned v)
{
    if (v >= 100) {
        word(o, small[v / 100]);
        word(o, "hundred");
        v %= 100;
        if (v == 0) return;
    }
    if (v < 20) {
        word(o, small[v]);
    } else {
        word(o, tens[v / 10]);
        if (v % 10) word(o, small[v % 10]);
    }
}

void
speech_say_int_(struct buf *o, uint64_t v)
{
    static const char *const scale[] = {"", "thousand", "million", "billion", "trillion"};
    if (v == 0) {
        word(o, "zero");
        return;
    }
    unsigned groups[5];
    int ng = 0;
    while (v && ng < 5) {
        groups[ng++] = (unsigned)(v % 1000);
        v /= 1000;
    }
    for (int g = ng - 1; g >= 0; g--) {
        if (groups[g] == 0) continue;
        say_below_1000(o, groups[g]);
        if (g) word(o, scale[g]);
    }
}

void
speech_say_digits_(struct buf *o, const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (d[i] >= '0' && d[i] <= '9') word(o, small[d[i] - '0']);
}

static void
make_ordinal(struct buf *o, size_t from)
{
    static const struct {
        const char *card, *ord;
    } irregular[] = {{"one", "first"},     {"two", "second"},   {"three", "third"},
                     {"five", "fifth"},    {"eight", "eighth"}, {"nine", "ninth"},
                     {"twelve", "twelfth"}};
    size_t start = o->len;
    while (start > from && o->data[start - 1] != ' ') start--;
    const char *w = o->data + start;
    size_t wl = o->len - start;
    for (size_t i = 0; i < PW_ARRAY_LEN(irregular); i++) {
        if (strlen(irregular[i].card) == wl && memcmp(w, irregular[i].card, wl) == 0) {
            o->len = start;
            buf_puts(o, irregular[i].ord);
            return;
        }
    }
    if (wl && w[wl - 1] == 'y') {
        o->len--;
        buf_puts(o, "ieth");
    } else {
        buf_puts(o, "th");
    }
}

void
speech_say_ordinal_(struct buf *o, uint64_t v)
{
    size_t from = o->len;
    speech_say_int_(o, v);
    make_ordinal(o, from);
}

/* ---- lexicon --------------------------------------------------------------------------------- */

void
speech_lexicon_load_(struct speech_lexicon_ *lx)
{
    size_t len = 0;
    const char *p = embedded_file("speech/data/lexicon.tsv", &len);
    lx->n = 0;
    if (p == NULL) return;
    const char *end = p + len;
    while (p < end && lx->n < SPEECH_MAX_LEXICON_) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL) eol = end;
        const char *tab = memchr(p, '\t', (size_t)(eol - p));
        if (*p != '#' && tab != NULL && tab > p && eol > tab + 1) {
            struct speech_lex_entry_ *e = &lx->e[lx->n++];
            e->key = p;
            e->key_len = (size_t)(tab - p);
            e->spoken = tab + 1;
            e->spoken_len = (size_t)(eol - tab - 1);
            if (e->spoken_len && e->spoken[e->spoken_len - 1] == '\r') e->spoken_len--;
        }
        p = eol + 1;
    }
}

const struct speech_lex_entry_ *
speech_lexicon_match_(const struct speech_lexicon_ *lx, const char *s, size_t n)
{
    const struct speech_lex_entry_ *best = NULL;
    for (size_t i = 0; i < lx->n; i++) {
        const struct speech_lex_entry_ *e = &lx->e[i];
        if (e->key_len > n || (best && e->key_len <= best->key_len)) continue;
        if (strncasecmp(s, e->key, e->key_len) != 0) continue;
        if (e->key_len < n && is_alnum((unsigned char)s[e->key_len])) continue;
        best = e;
    }
    return best;
}
