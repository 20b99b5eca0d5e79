/* speech/normalise.c - rewrite report text so that a synthesiser says it the way a person would.
 *
 * One left-to-right pass over UTF-8 text. At each word start the lexicon (speech/data/lexicon.tsv,
 * embedded; words.c) is tried first, longest entry wins; then numbers are read with what follows
 * them (multipliers k/M/B, units, percent, ordinals, ranges, rates such as "/day", money with '$',
 * dates, clock times), then words (acronyms spelled letter by letter, CamelCase split). Symbols
 * become words or pauses. Nothing a synthesiser could read as markup or as a command gets
 * through: control characters and terminal escapes are dropped, '<' '>' '&' become words,
 * '[' ']' '{' '}' '\' '`' become word breaks (espeak-ng SSML and phoneme input), and a second
 * apostrophe inside a word breaks the word (espeak-ng 1.51 overflows a buffer on 70 repetitions
 * of "s'"). The output is bounded by PW_MAX_SPEECH_CHARS and cut at a sentence end.
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
#include "speech_int.h"
#include "xalloc.h"

#define MAX_INT_DIGITS 15 /* larger integers are read digit by digit */

struct unit {
    const char *key; /* case-sensitive, as written after a number */
    const char *one; /* said after exactly 1 */
    const char *many;
};

/* Units said after a number. Longest key first among those sharing a prefix is not needed:
 * match_unit() picks the longest match. */
static const struct unit units[] = {
    {"PB", "petabyte", "petabytes"},        {"TB", "terabyte", "terabytes"},
    {"GB", "gigabyte", "gigabytes"},        {"MB", "megabyte", "megabytes"},
    {"KB", "kilobyte", "kilobytes"},        {"kB", "kilobyte", "kilobytes"},
    {"PiB", "pebibyte", "pebibytes"},       {"TiB", "tebibyte", "tebibytes"},
    {"GiB", "gibibyte", "gibibytes"},       {"MiB", "mebibyte", "mebibytes"},
    {"KiB", "kibibyte", "kibibytes"},       {"Gbps", "gigabit a second", "gigabits a second"},
    {"Mbps", "megabit a second", "megabits a second"},
    {"ms", "millisecond", "milliseconds"},  {"\xc2\xb5s", "microsecond", "microseconds"},
    {"ns", "nanosecond", "nanoseconds"},    {"s", "second", "seconds"},
    {"sec", "second", "seconds"},           {"secs", "second", "seconds"},
    {"min", "minute", "minutes"},           {"mins", "minute", "minutes"},
    {"h", "hour", "hours"},                 {"hr", "hour", "hours"},
    {"hrs", "hour", "hours"},               {"wk", "week", "weeks"},
    {"wks", "week", "weeks"},               {"mo", "month", "months"},
    {"yr", "year", "years"},                {"yrs", "year", "years"},
    {"rps", "request a second", "requests a second"},
    {"qps", "query a second", "queries a second"},
    {"eps", "event a second", "events a second"},
    {"tps", "transaction a second", "transactions a second"},
    {"x", "times", "times"},                {"GHz", "gigahertz", "gigahertz"},
    {"am", "A M", "A M"},                   {"pm", "P M", "P M"},
};

/* What may follow '/' to make a rate: said "a second", "an hour". */
static const struct unit rate_units[] = {
    {"s", "a second", NULL},   {"sec", "a second", NULL},  {"second", "a second", NULL},
    {"min", "a minute", NULL}, {"minute", "a minute", NULL}, {"h", "an hour", NULL},
    {"hr", "an hour", NULL},   {"hour", "an hour", NULL},  {"d", "a day", NULL},
    {"day", "a day", NULL},    {"wk", "a week", NULL},     {"week", "a week", NULL},
    {"mo", "a month", NULL},   {"month", "a month", NULL}, {"yr", "a year", NULL},
    {"year", "a year", NULL},
};

static const char *const months[] = {"January", "February", "March",     "April",
                                     "May",     "June",     "July",      "August",
                                     "September", "October", "November", "December"};

/* ---- character classes (ASCII only: the C locale is not assumed) ----------------------------- */

static int
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int
is_upper(int c)
{
    return c >= 'A' && c <= 'Z';
}

static int
is_lower(int c)
{
    return c >= 'a' && c <= 'z';
}

static int
is_alpha(int c)
{
    return is_upper(c) || is_lower(c);
}

static int
is_alnum(int c)
{
    return is_alpha(c) || is_digit(c);
}

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
word(struct buf *o, const char *w)
{
    speech_word_(o, w, strlen(w));
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

/* ---- numbers --------------------------------------------------------------------------------- */

struct number {
    uint64_t ip;      /* integer part */
    int ip_ok;        /* ip fits in MAX_INT_DIGITS digits */
    const char *idig; /* integer digits as written (may hold commas) */
    size_t idig_len;
    const char *frac; /* digits after the point */
    size_t frac_len;
    size_t end;       /* offset just past the number */
};

/* Reads a number at s[i] (a digit): "2500", "2,500", "99.9". Commas count as thousands
 * separators only in groups of three. */
static void
read_number(const char *s, size_t n, size_t i, struct number *num)
{
    size_t j = i;
    memset(num, 0, sizeof(*num));
    num->idig = s + i;
    while (j < n && is_digit((unsigned char)s[j])) j++;
    if (j - i <= 3) {
        while (j + 3 < n && s[j] == ',' && is_digit((unsigned char)s[j + 1]) &&
               is_digit((unsigned char)s[j + 2]) && is_digit((unsigned char)s[j + 3]) &&
               (j + 4 >= n || !is_digit((unsigned char)s[j + 4])))
            j += 4;
    }
    num->idig_len = j - i;
    size_t digits = 0;
    uint64_t v = 0;
    for (size_t k = i; k < j; k++) {
        if (!is_digit((unsigned char)s[k])) continue;
        if (!(digits == 0 && s[k] == '0')) digits++; /* leading zeros do not count */
        if (digits <= MAX_INT_DIGITS) v = v * 10 + (uint64_t)(s[k] - '0');
    }
    num->ip = v;
    num->ip_ok = digits <= MAX_INT_DIGITS;
    if (j + 1 < n && s[j] == '.' && is_digit((unsigned char)s[j + 1])) {
        num->frac = s + j + 1;
        j++;
        while (j < n && is_digit((unsigned char)s[j])) j++;
        num->frac_len = (size_t)(s + j - num->frac);
    }
    num->end = j;
}

static void
say_number(struct buf *o, const struct number *num)
{
    if (num->ip_ok) {
        speech_say_int_(o, num->ip);
    } else {
        speech_say_digits_(o, num->idig, num->idig_len);
    }
    if (num->frac_len) {
        word(o, "point");
        speech_say_digits_(o, num->frac, num->frac_len);
    }
}

static int
is_one(const struct number *num)
{
    return num->ip_ok && num->ip == 1 && num->frac_len == 0;
}

/* Returns the length of 'key' if it starts s[i..n) and ends at a boundary (not a letter or
 * digit), else 0. */
static size_t
starts_word(const char *s, size_t n, size_t i, const char *key)
{
    size_t kl = strlen(key);
    if (i + kl > n || memcmp(s + i, key, kl) != 0) return 0;
    if (i + kl < n && is_alnum((unsigned char)s[i + kl])) return 0;
    return kl;
}

static const struct unit *
match_unit(const struct unit *tab, size_t count, const char *s, size_t n, size_t i, size_t *len)
{
    const struct unit *best = NULL;
    size_t best_len = 0;
    for (size_t k = 0; k < count; k++) {
        size_t l = starts_word(s, n, i, tab[k].key);
        if (l > best_len) {
            best = &tab[k];
            best_len = l;
        }
    }
    *len = best_len;
    return best;
}

/* ---- the pass -------------------------------------------------------------------------------- */

struct state {
    const char *s;
    size_t n;
    size_t i;
    struct buf *o;
    const struct speech_lexicon_ *lx;
    int quantity; /* the last thing said was an amount: a following '/' reads "per" */
    int round;    /* "~" or "about" came just before: round the next amount of money */
};

/* After a quantity: "/day" -> "a day", "/GB" -> "per gigabyte". Returns 1 when consumed. */
static int
rate_suffix(struct state *st)
{
    const char *s = st->s;
    size_t n = st->n, i = st->i, len;
    if (i >= n || s[i] != '/') return 0;
    const struct unit *u = match_unit(rate_units, PW_ARRAY_LEN(rate_units), s, n, i + 1, &len);
    if (u) {
        word(st->o, u->one);
        st->i = i + 1 + len;
        return 1;
    }
    u = match_unit(units, PW_ARRAY_LEN(units), s, n, i + 1, &len);
    if (u) {
        word(st->o, "per");
        word(st->o, u->one);
        st->i = i + 1 + len;
        return 1;
    }
    return 0;
}

/* Rounds to two significant figures: 18,400 -> 18,000. */
static uint64_t
round2(uint64_t v)
{
    uint64_t p = 1;
    while (v / p >= 100) p *= 10;
    return (v + p / 2) / p * p;
}

/* "2026-11-27" -> "November twenty seventh, two thousand twenty six". Returns 1 if read. */
static int
date(struct state *st)
{
    const char *s = st->s + st->i;
    size_t left = st->n - st->i;
    if (left < 10) return 0;
    for (int k = 0; k < 10; k++) {
        int want_dash = (k == 4 || k == 7);
        if (want_dash ? s[k] != '-' : !is_digit((unsigned char)s[k])) return 0;
    }
    if (left > 10 && is_alnum((unsigned char)s[10])) return 0;
    unsigned y = (unsigned)((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
                            (s[3] - '0'));
    unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    if (m < 1 || m > 12 || d < 1 || d > 31) return 0;
    word(st->o, months[m - 1]);
    speech_say_ordinal_(st->o, d);
    buf_putc(st->o, ',');
    speech_say_int_(st->o, y);
    st->i += 10;
    return 1;
}

/* A number at s[i]; 'money' when a currency sign came first ("dollars" etc.). */
static void
amount(struct state *st, const char *currency_one, const char *currency_many)
{
    const char *s = st->s;
    size_t n = st->n;
    struct number num;
    struct buf *o = st->o;

    if (currency_one == NULL && date(st)) {
        st->quantity = 0;
        return;
    }
    read_number(s, n, st->i, &num);
    size_t j = num.end;

    /* version numbers: "2.0.2" -> "two point zero point two" */
    if (num.frac_len && j + 1 < n && s[j] == '.' && is_digit((unsigned char)s[j + 1])) {
        say_number(o, &num);
        while (j + 1 < n && s[j] == '.' && is_digit((unsigned char)s[j + 1])) {
            size_t k = j + 1;
            while (k < n && is_digit((unsigned char)s[k])) k++;
            word(o, "point");
            speech_say_digits_(o, s + j + 1, k - j - 1);
            j = k;
        }
        st->i = j;
        st->quantity = 0;
        return;
    }

    /* clock times: "14:05" -> "fourteen oh five" */
    if (currency_one == NULL && num.frac_len == 0 && num.ip_ok && num.ip < 24 && j + 2 < n &&
        s[j] == ':' && is_digit((unsigned char)s[j + 1]) && is_digit((unsigned char)s[j + 2]) &&
        (j + 3 >= n || !is_digit((unsigned char)s[j + 3]))) {
        unsigned mm = (unsigned)((s[j + 1] - '0') * 10 + (s[j + 2] - '0'));
        if (mm < 60) {
            speech_say_int_(o, num.ip);
            if (mm == 0) {
                word(o, num.ip <= 12 ? "o'clock" : "hundred");
            } else {
                if (mm < 10) word(o, "oh");
                speech_say_int_(o, mm);
            }
            st->i = j + 3;
            st->quantity = 1;
            return;
        }
    }

    /* ordinals: "1st", "22nd" */
    if (currency_one == NULL && num.frac_len == 0 && num.ip_ok) {
        static const char *const sfx[] = {"st", "nd", "rd", "th"};
        for (size_t k = 0; k < PW_ARRAY_LEN(sfx); k++) {
            if (starts_word(s, n, j, sfx[k])) {
                speech_say_ordinal_(o, num.ip);
                st->i = j + 2;
                st->quantity = 0;
                return;
            }
        }
    }

    /* digits glued to a letter are part of a name ("B2B", "H2O"): no multiplier, no unit */
    if (currency_one == NULL && st->i > 0 && is_alpha((unsigned char)s[st->i - 1])) {
        say_number(o, &num);
        st->i = j;
        st->quantity = 0;
        return;
    }

    /* multipliers: "150k", "1.2M", "$3B", "2bn" */
    const char *mult = NULL;
    uint64_t mult_v = 1;
    size_t ml = 0, ul = 0;
    const struct unit *u = match_unit(units, PW_ARRAY_LEN(units), s, n, j, &ul);
    if (u == NULL) {
        if ((ml = starts_word(s, n, j, "k")) || (ml = starts_word(s, n, j, "K"))) {
            mult = "thousand";
            mult_v = 1000;
        } else if ((ml = starts_word(s, n, j, "M")) || (ml = starts_word(s, n, j, "m"))) {
            if (s[j] == 'M' || currency_one) {
                mult = "million";
                mult_v = 1000000;
            } else {
                ml = 0;
            }
        } else if ((ml = starts_word(s, n, j, "B")) || (ml = starts_word(s, n, j, "bn"))) {
            mult = "billion";
            mult_v = 1000000000;
        }
        if (mult) j += ml;
    }

    int rounded = st->round && currency_one != NULL;
    st->round = 0;
    if (mult_v == 1000 && num.ip_ok && num.frac_len <= 3) {
        /* "2.5k" is said as the whole number, "two thousand five hundred" */
        uint64_t frac = 0;
        for (size_t k = 0; k < 3; k++)
            frac = frac * 10 + (k < num.frac_len ? (uint64_t)(num.frac[k] - '0') : 0);
        num.ip = num.ip * 1000 + frac;
        num.frac_len = 0;
        mult = NULL;
        mult_v = 1;
    }
    if (rounded && num.ip_ok) {
        num.frac_len = 0;
        if (mult == NULL) num.ip = round2(num.ip);
    }

    int cents = currency_one && mult == NULL && num.frac_len == 2;
    if (cents && num.ip == 0 && num.ip_ok) {
        unsigned c = (unsigned)((num.frac[0] - '0') * 10 + (num.frac[1] - '0'));
        speech_say_int_(o, c);
        word(o, c == 1 ? "cent" : "cents");
    } else if (cents) {
        speech_say_int_(o, num.ip);
        word(o, num.ip == 1 ? currency_one : currency_many);
        unsigned c = (unsigned)((num.frac[0] - '0') * 10 + (num.frac[1] - '0'));
        if (c) {
            word(o, "and");
            speech_say_int_(o, c);
            word(o, c == 1 ? "cent" : "cents");
        }
    } else {
        say_number(o, &num);
        if (mult) word(o, mult);
        if (currency_one) word(o, (is_one(&num) && !mult) ? currency_one : currency_many);
    }
    st->i = j;
    st->quantity = 1;

    /* what follows the number */
    size_t sp = (j < n && s[j] == ' ') ? 1 : 0;
    if (currency_one == NULL && !mult && j + sp < n && s[j + sp] == '%') {
        word(o, "percent");
        st->i = j + sp + 1;
    } else if (currency_one == NULL && !mult) {
        u = match_unit(units, PW_ARRAY_LEN(units), s, n, j + sp, &ul);
        /* a single letter after a space is a unit only for seconds and hours ("5 s", "2 h") */
        if (u && sp && ul == 1 && u->key[0] != 's' && u->key[0] != 'h') u = NULL;
        if (u) {
            word(o, is_one(&num) ? u->one : u->many);
            st->i = j + sp + ul;
        }
    } else if (mult) {
        u = match_unit(units, PW_ARRAY_LEN(units), s, n, j + sp, &ul);
        if (u && !(sp && ul == 1)) {
            word(o, u->many);
            st->i = j + sp + ul;
        }
    }
    rate_suffix(st);

    /* ranges: "2-3", "2–3"; ratios: "3:1" */
    j = st->i;
    if (j + 1 < n && (s[j] == '-' || s[j] == ':') &&
        (is_digit((unsigned char)s[j + 1]) || (s[j] == '-' && s[j + 1] == '$'))) {
        word(o, "to");
        st->i = j + 1;
    } else if (j + 3 < n && memcmp(s + j, "\xe2\x80\x93", 3) == 0 &&
               (is_digit((unsigned char)s[j + 3]) || s[j + 3] == '$')) {
        word(o, "to");
        st->i = j + 3;
    }
}

/* A run of letters at s[i]: acronyms spelled, CamelCase split, apostrophes bounded. */
static void
letters(struct state *st)
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
    const struct unit *u = match_unit(units, PW_ARRAY_LEN(units), s, n, i, &ul);
    if (u && ul == len && u->key[ul - 1] == 'B') {
        size_t w = o->len;
        while (w > 0 && o->data[w - 1] == ' ') w--;
        int one = (w >= 3 && memcmp(o->data + w - 3, "per", 3) == 0) ||
                  (w >= 2 && memcmp(o->data + w - 2, " a", 2) == 0);
        word(o, one ? u->one : u->many);
        st->i = j;
        st->quantity = 0;
        st->round = 0;
        rate_suffix(st);
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
    rate_suffix(st);
}

static int
word_start(const struct state *st)
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
non_ascii(struct state *st, uint32_t cp, size_t len)
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
            amount(st, cp == 0x20ac ? "euro" : "pound", cp == 0x20ac ? "euros" : "pounds");
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

static void
ascii_symbol(struct state *st)
{
    const char *s = st->s;
    size_t n = st->n, i = st->i;
    struct buf *o = st->o;
    char c = s[i];
    char next = i + 1 < n ? s[i + 1] : '\0';
    char prev = i > 0 ? s[i - 1] : '\0';
    st->i = i + 1;
    switch (c) {
    case '\n':
        if (last_char(o) == '\n' && o->len >= 2 && o->data[o->len - 2] == '\n') return;
        trim_space(o);
        if (o->len && last_char(o) != '\n') punct(o, '.');
        if (o->len) buf_putc(o, '\n');
        st->quantity = 0;
        return;
    case ' ':
    case '\t':
    case '\r':
        space(o);
        return;
    case '.':
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
        if (is_digit((unsigned char)next) && !is_alnum((unsigned char)prev)) {
            word(o, "minus");
        } else if (next == '>') {
            word(o, "to");
            st->i++;
        } else if ((prev == ' ' || prev == '\0' || prev == '\n') &&
                   (next == ' ' || next == '\0')) {
            punct(o, ',');
        } else {
            space(o);
        }
        return;
    case '/':
        if (rate_suffix(st)) return;
        if (is_alnum((unsigned char)prev) && is_alnum((unsigned char)next)) {
            /* "$5/user" is a rate; "p50/p99" and "read/write" are alternatives */
            size_t k = st->i;
            int digits = 0;
            for (; k < n && is_alnum((unsigned char)s[k]); k++)
                digits |= is_digit((unsigned char)s[k]);
            word(o, st->quantity && !digits ? "per" : "or");
        } else {
            space(o);
        }
        return;
    case '~':
        word(o, "about");
        st->round = 1;
        return;
    case '&':
        word(o, "and");
        return;
    case '+':
        word(o, "plus");
        return;
    case '=':
        word(o, "equals");
        return;
    case '@':
        word(o, "at");
        return;
    case '%':
        word(o, "percent");
        return;
    case '<':
        if (next == '=') {
            word(o, "at most");
            st->i++;
        } else {
            word(o, "less than");
        }
        return;
    case '>':
        if (next == '=') {
            word(o, "at least");
            st->i++;
        } else {
            word(o, "more than");
        }
        return;
    case '#':
        if (is_digit((unsigned char)next)) word(o, "number");
        else space(o);
        return;
    case '$':
        word(o, "dollars");
        return;
    case '\'':
        space(o);
        return;
    default:
        /* '"' '*' '_' '`' '[' ']' '{' '}' '\' '^': markup, quotes and emphasis; a word break */
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

void
speech_normalise(const char *text, struct buf *out)
{
    struct speech_lexicon_ *lx = xmalloc(sizeof(*lx));
    struct buf o;
    struct state st;
    speech_lexicon_load_(lx);
    buf_init(&o);
    buf_reserve(&o, 256);
    memset(&st, 0, sizeof(st));
    st.s = text ? text : "";
    st.n = strlen(st.s);
    st.o = &o;
    st.lx = lx;

    /* Stop reading once the output is past the bound: the rest would be cut anyway. */
    while (st.i < st.n && o.len <= PW_MAX_SPEECH_CHARS) {
        unsigned char c = (unsigned char)st.s[st.i];
        if (c == 0x1b && st.i + 1 < st.n && st.s[st.i + 1] == '[') {
            /* a terminal escape sequence (CSI): parameters up to a final byte 0x40..0x7e */
            st.i += 2;
            while (st.i < st.n && ((unsigned char)st.s[st.i] < 0x40 ||
                                   (unsigned char)st.s[st.i] > 0x7e))
                st.i++;
            if (st.i < st.n) st.i++;
            continue;
        }
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
            st.i++; /* control characters: espeak-ng reads 0x01 as an embedded command */
            continue;
        }
        if (c == 0x7f) {
            st.i++;
            continue;
        }
        if (is_alnum(c) && word_start(&st)) {
            const struct speech_lex_entry_ *e =
                speech_lexicon_match_(lx, st.s + st.i, st.n - st.i);
            if (e) {
                word_n(&o, e->spoken, e->spoken_len);
                st.i += e->key_len;
                /* a possessive stays on the name: "Kafka's" */
                if (st.i + 1 < st.n && st.s[st.i] == '\'' && st.s[st.i + 1] == 's' &&
                    (st.i + 2 >= st.n || !is_alnum((unsigned char)st.s[st.i + 2]))) {
                    buf_puts(&o, "'s");
                    st.i += 2;
                }
                st.quantity = 0;
                rate_suffix(&st);
                continue;
            }
        }
        if (is_digit(c)) {
            amount(&st, NULL, NULL);
        } else if (c == '$' && st.i + 1 < st.n && is_digit((unsigned char)st.s[st.i + 1])) {
            st.i++;
            amount(&st, "dollar", "dollars");
        } else if (is_alpha(c)) {
            if (!word_start(&st) && is_digit((unsigned char)st.s[st.i - 1])) space(&o);
            letters(&st);
        } else if (c >= 0x80) {
            uint32_t cp;
            size_t len = utf8_decode((const unsigned char *)st.s, st.n, st.i, &cp);
            if (len == 0) {
                st.i++; /* not UTF-8: drop the byte */
                continue;
            }
            non_ascii(&st, cp, len);
        } else {
            ascii_symbol(&st);
        }
        /* "about $18,400" asks for a round figure like "~$18,400" does */
        if (is_alpha(c) && o.len >= 5) {
            static const char *const approx[] = {"about", "around", "roughly", "approximately",
                                                 "nearly"};
            for (size_t k = 0; k < PW_ARRAY_LEN(approx); k++) {
                size_t al = strlen(approx[k]);
                if (o.len >= al && strcmp(o.data + o.len - al, approx[k]) == 0 &&
                    (o.len == al || o.data[o.len - al - 1] == ' ')) {
                    st.round = 1;
                }
            }
        }
    }
    trim_space(&o);
    size_t keep = cut_point(o.data, o.len, PW_MAX_SPEECH_CHARS);
    while (keep && (o.data[keep - 1] == ' ' || o.data[keep - 1] == '\n')) keep--;
    buf_append(out, o.data, keep);
    buf_fini(&o);
    free(lx);
}
