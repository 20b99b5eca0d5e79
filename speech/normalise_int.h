/* speech/normalise_int.h - what the normaliser's two files share (normalise.c: the pass over
 * the text, words and symbols; amount.c: numbers with what follows them). Internal to speech/;
 * internal symbols carry a trailing underscore.
 */
#ifndef PW_SPEECH_NORMALISE_INT_H
#define PW_SPEECH_NORMALISE_INT_H

#include <stddef.h>
#include <string.h>

#include "speech_int.h"

struct buf;

/* The pass over one text. */
struct pass {
    const char *s;
    size_t n;
    size_t i;
    struct buf *o;
    const struct speech_lexicon_ *lx;
    int quantity; /* the last thing said was an amount: a following '/' reads "per" */
    int round;    /* "~" or "about" came just before: round the next amount of money */
};

struct unit {
    const char *key; /* case-sensitive, as written after a number */
    const char *one; /* said after exactly 1 */
    const char *many;
};

/* ---- character classes (ASCII only: the C locale is not assumed) ----------------------------- */

static inline int
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static inline int
is_upper(int c)
{
    return c >= 'A' && c <= 'Z';
}

static inline int
is_lower(int c)
{
    return c >= 'a' && c <= 'z';
}

static inline int
is_alpha(int c)
{
    return is_upper(c) || is_lower(c);
}

static inline int
is_alnum(int c)
{
    return is_alpha(c) || is_digit(c);
}

static inline void
word(struct buf *o, const char *w)
{
    speech_word_(o, w, strlen(w));
}

/* ---- amount.c -------------------------------------------------------------------------------- */

/* The unit written at s[i] (the longest that ends at a word boundary), with its length in
 * '*len', or NULL. */
const struct unit *speech_unit_at_(const char *s, size_t n, size_t i, size_t *len);
/* After a quantity: "/day" -> "a day", "/GB" -> "per gigabyte". Returns 1 when consumed. */
int speech_rate_suffix_(struct pass *st);
/* A number at s[i], with what follows it; money when 'currency_one' is not NULL. */
void speech_amount_(struct pass *st, const char *currency_one, const char *currency_many);

#endif
