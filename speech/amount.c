/* speech/amount.c - numbers read with what follows them, for the normaliser (normalise.c).
 *
 * At a digit, one recogniser after the other is tried, the first that reads the text wins:
 * a date ("2026-11-27"), a version ("2.0.2"), a clock time ("14:05"), an ordinal ("22nd"),
 * digits glued to a name ("B2B"); otherwise the number is said with its multiplier ("150k",
 * "$3B"), as money when a currency sign came first, with its unit or percent, a rate ("/day")
 * and a range ("2-3") after it.
 *
 * Pure: no I/O, no globals that change; any thread may call it.
 */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "normalise_int.h"
#include "xalloc.h"

#define MAX_INT_DIGITS 15 /* larger integers are read digit by digit */

/* Units said after a number. Longest key first among those sharing a prefix is not needed:
 * match_unit() picks the longest match. */
static const struct unit units[] = {
    {"PB", "petabyte", "petabytes"},
    {"TB", "terabyte", "terabytes"},
    {"GB", "gigabyte", "gigabytes"},
    {"MB", "megabyte", "megabytes"},
    {"KB", "kilobyte", "kilobytes"},
    {"kB", "kilobyte", "kilobytes"},
    {"PiB", "pebibyte", "pebibytes"},
    {"TiB", "tebibyte", "tebibytes"},
    {"GiB", "gibibyte", "gibibytes"},
    {"MiB", "mebibyte", "mebibytes"},
    {"KiB", "kibibyte", "kibibytes"},
    {"Gbps", "gigabit a second", "gigabits a second"},
    {"Mbps", "megabit a second", "megabits a second"},
    {"ms", "millisecond", "milliseconds"},
    {"\xc2\xb5s", "microsecond", "microseconds"},
    {"ns", "nanosecond", "nanoseconds"},
    {"s", "second", "seconds"},
    {"sec", "second", "seconds"},
    {"secs", "second", "seconds"},
    {"min", "minute", "minutes"},
    {"mins", "minute", "minutes"},
    {"h", "hour", "hours"},
    {"hr", "hour", "hours"},
    {"hrs", "hour", "hours"},
    {"wk", "week", "weeks"},
    {"wks", "week", "weeks"},
    {"mo", "month", "months"},
    {"yr", "year", "years"},
    {"yrs", "year", "years"},
    {"rps", "request a second", "requests a second"},
    {"qps", "query a second", "queries a second"},
    {"eps", "event a second", "events a second"},
    {"tps", "transaction a second", "transactions a second"},
    {"x", "times", "times"},
    {"GHz", "gigahertz", "gigahertz"},
    {"am", "A M", "A M"},
    {"pm", "P M", "P M"},
};

/* What may follow '/' to make a rate: said "a second", "an hour". */
static const struct unit rate_units[] = {
    {"s", "a second", NULL},   {"sec", "a second", NULL},    {"second", "a second", NULL},
    {"min", "a minute", NULL}, {"minute", "a minute", NULL}, {"h", "an hour", NULL},
    {"hr", "an hour", NULL},   {"hour", "an hour", NULL},    {"d", "a day", NULL},
    {"day", "a day", NULL},    {"wk", "a week", NULL},       {"week", "a week", NULL},
    {"mo", "a month", NULL},   {"month", "a month", NULL},   {"yr", "a year", NULL},
    {"year", "a year", NULL},
};

static const char *const months[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};

struct number {
    uint64_t ip;      /* integer part */
    int ip_ok;        /* ip fits in MAX_INT_DIGITS digits */
    const char *idig; /* integer digits as written (may hold commas) */
    size_t idig_len;
    const char *frac; /* digits after the point */
    size_t frac_len;
    size_t end; /* offset just past the number */
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

const struct unit *
speech_unit_at_(const char *s, size_t n, size_t i, size_t *len)
{
    return match_unit(units, PW_ARRAY_LEN(units), s, n, i, len);
}

int
speech_rate_suffix_(struct pass *st)
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
date(struct pass *st)
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

/* ---- the recognisers: each returns 1 when it read the number at s[i] (ending at num->end) -- */

/* Version numbers: "2.0.2" -> "two point zero point two". */
static int
version_number(struct pass *st, const struct number *num)
{
    const char *s = st->s;
    size_t n = st->n, j = num->end;
    if (!(num->frac_len && j + 1 < n && s[j] == '.' && is_digit((unsigned char)s[j + 1]))) return 0;
    say_number(st->o, num);
    while (j + 1 < n && s[j] == '.' && is_digit((unsigned char)s[j + 1])) {
        size_t k = j + 1;
        while (k < n && is_digit((unsigned char)s[k])) k++;
        word(st->o, "point");
        speech_say_digits_(st->o, s + j + 1, k - j - 1);
        j = k;
    }
    st->i = j;
    st->quantity = 0;
    return 1;
}

/* Clock times: "14:05" -> "fourteen oh five". */
static int
clock_time(struct pass *st, const struct number *num)
{
    const char *s = st->s;
    size_t n = st->n, j = num->end;
    struct buf *o = st->o;
    if (!(num->frac_len == 0 && num->ip_ok && num->ip < 24 && j + 2 < n && s[j] == ':' &&
          is_digit((unsigned char)s[j + 1]) && is_digit((unsigned char)s[j + 2]) &&
          (j + 3 >= n || !is_digit((unsigned char)s[j + 3]))))
        return 0;
    unsigned mm = (unsigned)((s[j + 1] - '0') * 10 + (s[j + 2] - '0'));
    if (mm >= 60) return 0;
    speech_say_int_(o, num->ip);
    if (mm == 0) {
        word(o, num->ip <= 12 ? "o'clock" : "hundred");
    } else {
        if (mm < 10) word(o, "oh");
        speech_say_int_(o, mm);
    }
    st->i = j + 3;
    st->quantity = 1;
    return 1;
}

/* Ordinals: "1st", "22nd". */
static int
ordinal(struct pass *st, const struct number *num)
{
    static const char *const sfx[] = {"st", "nd", "rd", "th"};
    if (!(num->frac_len == 0 && num->ip_ok)) return 0;
    for (size_t k = 0; k < PW_ARRAY_LEN(sfx); k++) {
        if (starts_word(st->s, st->n, num->end, sfx[k])) {
            speech_say_ordinal_(st->o, num->ip);
            st->i = num->end + 2;
            st->quantity = 0;
            return 1;
        }
    }
    return 0;
}

/* Digits glued to a letter are part of a name ("B2B", "H2O"): no multiplier, no unit. */
static int
name_digits(struct pass *st, const struct number *num)
{
    if (!(st->i > 0 && is_alpha((unsigned char)st->s[st->i - 1]))) return 0;
    say_number(st->o, num);
    st->i = num->end;
    st->quantity = 0;
    return 1;
}

/* ---- a plain number or an amount of money ---------------------------------------------------- */

/* Multipliers after s[*j]: "150k", "1.2M", "$3B", "2bn" ("m" only for money). Returns the word
 * ("thousand", ...) with its value in '*value' and moves '*j' past it, or NULL (and 1) when
 * there is none, or when a unit is written there. */
static const char *
multiplier(const struct pass *st, size_t *j, int money, uint64_t *value)
{
    const char *s = st->s;
    size_t n = st->n, ml = 0, ul = 0;
    const char *mult = NULL;
    *value = 1;
    if (match_unit(units, PW_ARRAY_LEN(units), s, n, *j, &ul)) return NULL;
    if ((ml = starts_word(s, n, *j, "k")) || (ml = starts_word(s, n, *j, "K"))) {
        mult = "thousand";
        *value = 1000;
    } else if ((ml = starts_word(s, n, *j, "M")) || (ml = starts_word(s, n, *j, "m"))) {
        if (s[*j] == 'M' || money) {
            mult = "million";
            *value = 1000000;
        }
    } else if ((ml = starts_word(s, n, *j, "B")) || (ml = starts_word(s, n, *j, "bn"))) {
        mult = "billion";
        *value = 1000000000;
    }
    if (mult) *j += ml;
    return mult;
}

/* "2.5k" is said as the whole number, "two thousand five hundred": folds a thousand into
 * 'num'. Returns 1 when it did. */
static int
fold_thousand(struct number *num)
{
    if (!(num->ip_ok && num->frac_len <= 3)) return 0;
    uint64_t frac = 0;
    for (size_t k = 0; k < 3; k++)
        frac = frac * 10 + (k < num->frac_len ? (uint64_t)(num->frac[k] - '0') : 0);
    num->ip = num->ip * 1000 + frac;
    num->frac_len = 0;
    return 1;
}

/* Says 'num' (with 'mult') as money: "12 dollars and 50 cents", "50 cents", "3 million
 * dollars"; or as a plain number when 'currency_one' is NULL. */
static void
say_amount(struct buf *o, const struct number *num, const char *mult, const char *currency_one,
           const char *currency_many)
{
    int cents = currency_one && mult == NULL && num->frac_len == 2;
    if (cents && num->ip == 0 && num->ip_ok) {
        unsigned c = (unsigned)((num->frac[0] - '0') * 10 + (num->frac[1] - '0'));
        speech_say_int_(o, c);
        word(o, c == 1 ? "cent" : "cents");
    } else if (cents) {
        speech_say_int_(o, num->ip);
        word(o, num->ip == 1 ? currency_one : currency_many);
        unsigned c = (unsigned)((num->frac[0] - '0') * 10 + (num->frac[1] - '0'));
        if (c) {
            word(o, "and");
            speech_say_int_(o, c);
            word(o, c == 1 ? "cent" : "cents");
        }
    } else {
        say_number(o, num);
        if (mult) word(o, mult);
        if (currency_one) word(o, (is_one(num) && !mult) ? currency_one : currency_many);
    }
}

/* What follows a number said at st->i: percent or a unit ("5 GB", "2 h"); after a multiplier,
 * a unit unless it is a single letter after a space. */
static void
unit_after(struct pass *st, const struct number *num, const char *mult, int money)
{
    const char *s = st->s;
    size_t n = st->n, j = st->i, ul = 0;
    struct buf *o = st->o;
    size_t sp = (j < n && s[j] == ' ') ? 1 : 0;
    const struct unit *u;
    if (!money && !mult && j + sp < n && s[j + sp] == '%') {
        word(o, "percent");
        st->i = j + sp + 1;
    } else if (!money && !mult) {
        u = match_unit(units, PW_ARRAY_LEN(units), s, n, j + sp, &ul);
        /* a single letter after a space is a unit only for seconds and hours ("5 s", "2 h") */
        if (u && sp && ul == 1 && u->key[0] != 's' && u->key[0] != 'h') u = NULL;
        if (u) {
            word(o, is_one(num) ? u->one : u->many);
            st->i = j + sp + ul;
        }
    } else if (mult) {
        u = match_unit(units, PW_ARRAY_LEN(units), s, n, j + sp, &ul);
        if (u && !(sp && ul == 1)) {
            word(o, u->many);
            st->i = j + sp + ul;
        }
    }
}

/* Ranges: "2-3", "2–3"; ratios: "3:1". */
static void
range_after(struct pass *st)
{
    const char *s = st->s;
    size_t n = st->n, j = st->i;
    if (j + 1 < n && (s[j] == '-' || s[j] == ':') &&
        (is_digit((unsigned char)s[j + 1]) || (s[j] == '-' && s[j + 1] == '$'))) {
        word(st->o, "to");
        st->i = j + 1;
    } else if (j + 3 < n && memcmp(s + j, "\xe2\x80\x93", 3) == 0 &&
               (is_digit((unsigned char)s[j + 3]) || s[j + 3] == '$')) {
        word(st->o, "to");
        st->i = j + 3;
    }
}

void
speech_amount_(struct pass *st, const char *currency_one, const char *currency_many)
{
    struct number num;
    int money = currency_one != NULL;
    if (!money && date(st)) {
        st->quantity = 0;
        return;
    }
    read_number(st->s, st->n, st->i, &num);
    if (version_number(st, &num)) return;
    if (!money && (clock_time(st, &num) || ordinal(st, &num) || name_digits(st, &num))) return;

    size_t j = num.end;
    uint64_t mult_v;
    const char *mult = multiplier(st, &j, money, &mult_v);
    int rounded = st->round && money;
    st->round = 0;
    if (mult_v == 1000 && fold_thousand(&num)) mult = NULL;
    if (rounded && num.ip_ok) {
        num.frac_len = 0;
        if (mult == NULL) num.ip = round2(num.ip);
    }
    say_amount(st->o, &num, mult, currency_one, currency_many);
    st->i = j;
    st->quantity = 1;
    unit_after(st, &num, mult, money);
    speech_rate_suffix_(st);
    range_after(st);
}
