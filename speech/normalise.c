/* speech/normalise.c - rewrite report text so that a synthesiser says it the way a person would.
 *
 * One left-to-right pass over UTF-8 text. At each word start the lexicon (speech/data/lexicon.tsv,
 * embedded; words.c) is tried first, longest entry wins; then numbers are read with what follows
 * them (amount.c: multipliers k/M/B, units, percent, ordinals, ranges, rates such as "/day", money
 * with '$', dates, clock times), then words (acronyms spelled letter by letter, CamelCase split).
 * Symbols become words or pauses. Nothing a synthesiser could read as markup or as a command gets
 * through: control characters and terminal escapes are dropped, '<' '>' '&' become words, '[' ']'
 * '{' '}' '\' '`' become word breaks (espeak-ng SSML and phoneme input), and a second apostrophe
 * inside a word breaks the word (espeak-ng 1.51 overflows a buffer on 70 repetitions of "s'"). The
 * output is bounded by PW_MAX_SPEECH_CHARS and cut at a sentence end.
 *
 * Pure: no I/O, no globals, no locale; the lexicon is parsed from the embedded bytes per call
 * (a few microseconds), so any thread may call it.
 */
#include "speech.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "buf.h"
#include "normalise_int.h"
#include "speech_int.h"
#include "xalloc.h"

/* ---- writing words --------------------------------------------------------------------------- */

static char
last_char(const struct buf *o)
{
    return o->len ? o->data[o->len - 1] : '\0';
}

static void
trim_space(struct buf *o)
{
    while (o->len && o->data[o->len - 1] == ' ') o->data[--o->len] = '\0';
}

static void
word_n(struct buf *o, const char *w, size_t n)
{
    speech_word_(o, w, n);
}

static void
space(struct buf *o)
{
    char c = last_char(o);
    if (c != '\0' && c != ' ' && c != '\n') buf_putc(o, ' ');
}

/* Appends a punctuation mark that ends a clause; repeated marks collapse into the first. */
static void
punct(struct buf *o, char p)
{
    trim_space(o);
    char c = last_char(o);
    if (c == '\0' || c == '\n') return;
    if (c == ',' && p != ',') {
        o->data[o->len - 1] = p; /* "(2 GB/day)." ends a sentence, not a clause */
        return;
    }
    if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?') return;
    buf_putc(o, p);
}

/* ---- the pass -------------------------------------------------------------------------------- */

/* A run of letters at s[i]: acronyms spelled, CamelCase split, apostrophes bounded. */
static void
letters(struct pass *st)
{
    const char *s = st->s;
    size_t n = st->n, i = st->i, j = i;
    struct buf *o = st->o;
    while (j < n && is_alpha((unsigned char)s[j])) j++;
    size_t len = j - i;
    size_t upper = 0;
    for (size_t k = i; k < j; k++) upper += is_upper((unsigned char)s[k]) != 0;

    /* a size unit without a number: "per TB" is "per terabyte", "tens of GB" is "tens of
     * gigabytes" (spelt letters would be "T B") */
    size_t ul = 0;
    const struct unit *u = speech_unit_at_(s, n, i, &ul);
    if (u && ul == len && u->key[ul - 1] == 'B') {
        size_t w = o->len;
        while (w > 0 && o->data[w - 1] == ' ') w--;
        int one = (w >= 3 && memcmp(o->data + w - 3, "per", 3) == 0) ||
                  (w >= 2 && memcmp(o->data + w - 2, " a", 2) == 0);
        word(o, one ? u->one : u->many);
        st->i = j;
        st->quantity = 0;
        st->round = 0;
        speech_rate_suffix_(st);
        return;
    }

    int plural = len >= 3 && upper == len - 1 && s[j - 1] == 's';
    if ((upper == len && len >= 2 && len <= 5) || (plural && len <= 6)) {
        /* an acronym, spelt as one word: "GDPR" -> "G-D-P-R"; a plural "s" stays on the last
         * letter: "I-Ps". Letters apart ("A W S") are said as separate words, each with its own
         * stress and pause, and a listener hears "a double S"; joined they are one word. */
        space(o);
        for (size_t k = i; k < j - (size_t)plural; k++) {
            if (k > i) buf_putc(o, '-');
            buf_putc(o, s[k]);
        }
        if (plural) buf_putc(o, 's');
    } else if (upper == len && len > 5) {
        /* shouting: say it as a word */
        space(o);
        for (size_t k = i; k < j; k++) buf_putc(o, (char)(s[k] - 'A' + 'a'));
    } else {
        /* CamelCase product names read better as separate words: "ClickStream" */
        space(o);
        for (size_t k = i; k < j; k++) {
            if (k > i && is_upper((unsigned char)s[k]) && is_lower((unsigned char)s[k - 1]))
                buf_putc(o, ' ');
            buf_putc(o, s[k]);
        }
    }
    /* one apostrophe inside a word ("team's", "don't"); a second one breaks the word */
    if (j + 1 < n && (s[j] == '\'') && is_alpha((unsigned char)s[j + 1])) {
        buf_putc(o, '\'');
        j++;
        while (j < n && is_alpha((unsigned char)s[j])) buf_putc(o, s[j++]);
        while (j < n && s[j] == '\'') j++;
        space(o);
    }
    st->i = j;
    st->quantity = 0;
    st->round = 0;
    speech_rate_suffix_(st);
}

static int
word_start(const struct pass *st)
{
    return st->i == 0 || !is_alnum((unsigned char)st->s[st->i - 1]);
}

/* Decodes one UTF-8 sequence at s[i]; returns its length and the code point in '*cp', or 0 when
 * the bytes are not valid UTF-8 (overlong forms and surrogates included). */
static size_t
utf8_decode(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    unsigned char c = s[i];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        len = 2, v = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, v = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > n) return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xc0) != 0x80) return 0;
        v = (v << 6) | (s[i + k] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return len;
}

/* Non-ASCII characters: typographic symbols become words or pauses; letters pass; the rest
 * (emoji, private use, invisible formatting) goes. */
static void
non_ascii(struct pass *st, uint32_t cp, size_t len)
{
    struct buf *o = st->o;
    const char *s = st->s;
    size_t n = st->n, i = st->i;
    st->i += len;
    switch (cp) {
    case 0x00a0: /* no-break space */
    case 0x2009:
    case 0x202f:
        space(o);
        return;
    case 0x2018: /* curly apostrophe inside a word */
    case 0x2019:
        if (i > 0 && is_alpha((unsigned char)s[i - 1]) && i + len < n &&
            is_alpha((unsigned char)s[i + len]) && last_char(o) != ' ') {
            buf_putc(o, '\'');
            size_t j = i + len;
            while (j < n && is_alpha((unsigned char)s[j])) buf_putc(o, s[j++]);
            st->i = j;
        }
        space(o);
        return;
    case 0x2013: /* en dash, em dash: a pause */
    case 0x2014:
        punct(o, ',');
        return;
    case 0x2026: /* ellipsis */
        punct(o, '.');
        return;
    case 0x2022: /* bullet */
    case 0x00b7:
        punct(o, ',');
        return;
    case 0x00d7:
        word(o, "times");
        return;
    case 0x2192:
        word(o, "to");
        return;
    case 0x2264:
        word(o, "at most");
        return;
    case 0x2265:
        word(o, "at least");
        return;
    case 0x2248:
        word(o, "about");
        st->round = 1;
        return;
    case 0x00b0:
        word(o, "degrees");
        return;
    case 0x20ac:
    case 0x00a3:
        if (st->i < n && is_digit((unsigned char)s[st->i])) {
            speech_amount_(st, cp == 0x20ac ? "euro" : "pound", cp == 0x20ac ? "euros" : "pounds");
        } else {
            word(o, cp == 0x20ac ? "euros" : "pounds");
        }
        return;
    default:
        break;
    }
    /* Latin, Greek, Cyrillic letters and the like pass; symbols, emoji, format characters,
     * private use and specials do not. */
    if ((cp >= 0x00c0 && cp < 0x2000 && cp != 0x00d7 && cp != 0x00f7) ||
        (cp >= 0x3040 && cp < 0xe000) || (cp >= 0xf900 && cp < 0xfe00)) {
        if (last_char(o) != ' ' && i > 0 && !is_alpha((unsigned char)s[i - 1]) &&
            (unsigned char)s[i - 1] < 0x80)
            space(o);
        buf_append(o, s + i, len);
        return;
    }
    space(o);
}

/* A line break ends a sentence; blank lines collapse into one. */
static void
newline(struct pass *st)
{
    struct buf *o = st->o;
    if (last_char(o) == '\n' && o->len >= 2 && o->data[o->len - 2] == '\n') return;
    trim_space(o);
    if (o->len && last_char(o) != '\n') punct(o, '.');
    if (o->len) buf_putc(o, '\n');
    st->quantity = 0;
}

/* '.' at s[st->i - 1]: a sentence end, or "dot" inside a name. */
static void
full_stop(struct pass *st, char prev, char next)
{
    const char *s = st->s;
    size_t n = st->n, i = st->i - 1;
    struct buf *o = st->o;
    /* "assumptions.Again": a sentence end that lost its space, not a dotted name (those
     * go on in lower case or digits: "example.com", "v2.1") */
    if (is_lower((unsigned char)prev) && is_upper((unsigned char)next) && i + 2 < n &&
        is_lower((unsigned char)s[i + 2])) {
        punct(o, '.');
        st->quantity = 0;
        return;
    }
    if (is_alnum((unsigned char)prev) && is_alnum((unsigned char)next)) {
        word(o, "dot");
        return;
    }
    while (st->i < n && s[st->i] == '.') st->i++;
    punct(o, '.');
    st->quantity = 0;
}

/* '-': minus before a number, "to" in an arrow, a pause between spaces, else a word break. */
static void
dash(struct pass *st, char prev, char next)
{
    struct buf *o = st->o;
    if (is_digit((unsigned char)next) && !is_alnum((unsigned char)prev)) {
        word(o, "minus");
    } else if (next == '>') {
        word(o, "to");
        st->i++;
    } else if ((prev == ' ' || prev == '\0' || prev == '\n') && (next == ' ' || next == '\0')) {
        punct(o, ',');
    } else {
        space(o);
    }
}

/* '/': a rate after a quantity, "per" or "or" between words, else a word break. */
static void
slash(struct pass *st, char prev, char next)
{
    const char *s = st->s;
    size_t n = st->n;
    if (speech_rate_suffix_(st)) return;
    if (is_alnum((unsigned char)prev) && is_alnum((unsigned char)next)) {
        /* "$5/user" is a rate; "p50/p99" and "read/write" are alternatives */
        size_t k = st->i;
        int digits = 0;
        for (; k < n && is_alnum((unsigned char)s[k]); k++) digits |= is_digit((unsigned char)s[k]);
        word(st->o, st->quantity && !digits ? "per" : "or");
    } else {
        space(st->o);
    }
}

/* '<' or '>', and "<=", ">=". */
static void
comparison(struct pass *st, char c, char next)
{
    if (next == '=') {
        word(st->o, c == '<' ? "at most" : "at least");
        st->i++;
    } else {
        word(st->o, c == '<' ? "less than" : "more than");
    }
}

/* Symbols said as one word wherever they are. */
static const struct {
    char c;
    const char *said;
} symbol_words[] = {
    {'&', "and"}, {'+', "plus"}, {'=', "equals"}, {'@', "at"}, {'%', "percent"}, {'$', "dollars"},
};

static void
ascii_symbol(struct pass *st)
{
    const char *s = st->s;
    size_t n = st->n, i = st->i;
    struct buf *o = st->o;
    char c = s[i];
    char next = i + 1 < n ? s[i + 1] : '\0';
    char prev = i > 0 ? s[i - 1] : '\0';
    st->i = i + 1;
    for (size_t k = 0; k < PW_ARRAY_LEN(symbol_words); k++) {
        if (c == symbol_words[k].c) {
            word(o, symbol_words[k].said);
            return;
        }
    }
    switch (c) {
    case '\n':
        newline(st);
        return;
    case '.':
        full_stop(st, prev, next);
        return;
    case ',':
    case ';':
    case ':':
    case '!':
    case '?':
        punct(o, c);
        st->quantity = 0;
        return;
    case '(':
    case ')':
    case '|':
        punct(o, ',');
        return;
    case '-':
        dash(st, prev, next);
        return;
    case '/':
        slash(st, prev, next);
        return;
    case '~':
        word(o, "about");
        st->round = 1;
        return;
    case '<':
    case '>':
        comparison(st, c, next);
        return;
    case '#':
        if (is_digit((unsigned char)next)) word(o, "number");
        else
            space(o);
        return;
    default:
        /* ' ' '\t' '\r' '\'', and '"' '*' '_' '`' '[' ']' '{' '}' '\' '^': spacing, markup,
         * quotes and emphasis; a word break */
        space(o);
        return;
    }
}

/* Cuts 't' to at most 'max' bytes, preferring a sentence end, then a word break, and never
 * inside a UTF-8 sequence. A sentence ends at a newline, or at '.', '!' or '?' followed by a
 * space or a newline: a mark inside a word ("node.js") or a number never ends one. */
static size_t
cut_point(const char *t, size_t len, size_t max)
{
    if (len <= max) return len;
    for (size_t k = max; k > max / 2; k--) {
        char c = t[k - 1];
        if (c == '\n' || ((c == '.' || c == '!' || c == '?') && (t[k] == ' ' || t[k] == '\n')))
            return k;
    }
    for (size_t k = max; k > 0; k--)
        if (t[k] == ' ') return k;
    size_t k = max;
    while (k > 0 && ((unsigned char)t[k] & 0xc0) == 0x80) k--;
    return k;
}

/* Drops what a synthesiser could read as a command at s[i]: terminal escape sequences, control
 * characters, DEL. Returns 1 when something was dropped. */
static int
skip_control(struct pass *st)
{
    unsigned char c = (unsigned char)st->s[st->i];
    if (c == 0x1b && st->i + 1 < st->n && st->s[st->i + 1] == '[') {
        /* a terminal escape sequence (CSI): parameters up to a final byte 0x40..0x7e */
        st->i += 2;
        while (st->i < st->n &&
               ((unsigned char)st->s[st->i] < 0x40 || (unsigned char)st->s[st->i] > 0x7e))
            st->i++;
        if (st->i < st->n) st->i++;
        return 1;
    }
    if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f) {
        st->i++; /* control characters: espeak-ng reads 0x01 as an embedded command */
        return 1;
    }
    return 0;
}

/* A lexicon entry at a word start: said as the lexicon says. Returns 1 when one matched. */
static int
lexicon_word(struct pass *st)
{
    const struct speech_lex_entry_ *e = speech_lexicon_match_(st->lx, st->s + st->i, st->n - st->i);
    if (e == NULL) return 0;
    word_n(st->o, e->spoken, e->spoken_len);
    st->i += e->key_len;
    /* a possessive stays on the name: "Kafka's" */
    if (st->i + 1 < st->n && st->s[st->i] == '\'' && st->s[st->i + 1] == 's' &&
        (st->i + 2 >= st->n || !is_alnum((unsigned char)st->s[st->i + 2]))) {
        buf_puts(st->o, "'s");
        st->i += 2;
    }
    st->quantity = 0;
    speech_rate_suffix_(st);
    return 1;
}

/* "about $18,400" asks for a round figure like "~$18,400" does. */
static void
note_approximation(struct pass *st)
{
    static const char *const approx[] = {"about", "around", "roughly", "approximately", "nearly"};
    const struct buf *o = st->o;
    if (o->len < 5) return;
    for (size_t k = 0; k < PW_ARRAY_LEN(approx); k++) {
        size_t al = strlen(approx[k]);
        if (o->len >= al && strcmp(o->data + o->len - al, approx[k]) == 0 &&
            (o->len == al || o->data[o->len - al - 1] == ' '))
            st->round = 1;
    }
}

/* One step of the pass at s[i]. */
static void
step(struct pass *st)
{
    unsigned char c = (unsigned char)st->s[st->i];
    if (skip_control(st)) return;
    if (is_alnum(c) && word_start(st) && lexicon_word(st)) return;
    if (is_digit(c)) {
        speech_amount_(st, NULL, NULL);
    } else if (c == '$' && st->i + 1 < st->n && is_digit((unsigned char)st->s[st->i + 1])) {
        st->i++;
        speech_amount_(st, "dollar", "dollars");
    } else if (is_alpha(c)) {
        if (!word_start(st) && is_digit((unsigned char)st->s[st->i - 1])) space(st->o);
        letters(st);
    } else if (c >= 0x80) {
        uint32_t cp;
        size_t len = utf8_decode((const unsigned char *)st->s, st->n, st->i, &cp);
        if (len == 0) {
            st->i++; /* not UTF-8: drop the byte */
            return;
        }
        non_ascii(st, cp, len);
    } else {
        ascii_symbol(st);
    }
    if (is_alpha(c)) note_approximation(st);
}

void
speech_normalise(const char *text, struct buf *out)
{
    struct speech_lexicon_ *lx = xmalloc(sizeof(*lx));
    struct buf o;
    struct pass st;
    speech_lexicon_load_(lx);
    buf_init(&o);
    buf_reserve(&o, 256);
    memset(&st, 0, sizeof(st));
    st.s = text ? text : "";
    st.n = strlen(st.s);
    st.o = &o;
    st.lx = lx;

    /* Stop reading once the output is past the bound: the rest would be cut anyway. */
    while (st.i < st.n && o.len <= PW_MAX_SPEECH_CHARS) step(&st);
    trim_space(&o);
    size_t keep = cut_point(o.data, o.len, PW_MAX_SPEECH_CHARS);
    while (keep && (o.data[keep - 1] == ' ' || o.data[keep - 1] == '\n')) keep--;
    buf_append(out, o.data, keep);
    buf_fini(&o);
    free(lx);
}
