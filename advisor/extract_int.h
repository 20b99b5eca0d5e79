/* advisor/extract_int.h - internals shared by the extractor's files (advisor/extract*.c only).
 *
 * The extractor reads text in two steps. extract_lexicon.c owns the lexicon (the extract_*.tsv
 * word lists, parsed once) and extract_lex.c turns a text into tokens: words in lower case,
 * numbers already assembled from digits, separators, spelled words, multipliers and ranges
 * ("120,000", "150k", "two dozen", "2-3"), and punctuation; each token knows its sentence, clause
 * and bracket depth and the lexicon phrases that start at it. extract_feeds.c reads volumes and
 * data feeds from the tokens (extract_group.c groups them into feeds, extract_out.c derives and
 * writes them), extract_money.c the budget, extract_team.c the team's size, extract_scope.c what
 * a denial rules out and how a product in use is named, extract.c every other field.
 * Pure: no I/O, no globals; a lexicon is immutable once built and may be shared by threads.
 */
#ifndef PW_ADVISOR_EXTRACT_INT_H
#define PW_ADVISOR_EXTRACT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "extract.h"
#include "requirement.h"

/* Categories of the lexicon (column 1 of the data files). */
enum lex_cat {
    LEX_NUMWORD = 0,
    LEX_MULT,
    LEX_SIZE,
    LEX_TIME,
    LEX_PERIOD,
    LEX_RATEUNIT,
    LEX_APPROX,
    LEX_FRACTION,
    LEX_CURRENCY,
    LEX_OTHERCURRENCY,
    LEX_COUNT,
    LEX_EMITTER,
    LEX_KIND,
    LEX_PII,
    LEX_NOPII,
    LEX_CLOUD,
    LEX_CLOUDHINT,
    LEX_PRODUCT,
    LEX_COMPLIANCE,
    LEX_CONSUMER,
    LEX_SKILL,
    LEX_PERSON,
    LEX_TEAM,
    LEX_NOTTEAM,
    LEX_FRESH,
    LEX_FRESHTRIGGER,
    LEX_FRESHDATA,
    LEX_FRESHOUTPUT,
    LEX_SERVING,
    LEX_FRESHBLOCK,
    LEX_RETAIN,
    LEX_RETAINBLOCK,
    LEX_BUDGET,
    LEX_STACKPOS,
    LEX_STACKNEG,
    LEX_NEGATION,
    LEX_AVAIL,
    LEX_PEAK,
    LEX_AVERAGE,
    LEX_STOP,
    LEX_FEEDVERB,
    LEX_AVOIDTERM,    /* a thing a team can rule out that is no product: "servers", "on call" */
    LEX_AVOIDAFTER,   /* after a product: it was given up ("but dropped it") */
    LEX_NEGBLOCK,     /* between a denial and a term: the denial is about something else */
    LEX_CONTRAST,     /* "but", "though": a denial before it does not reach after it */
    LEX_WISH,         /* "wants", "would like": a vague target after it is a wish */
    LEX_EDITION,      /* words after a product that say which edition or size runs */
    LEX_MOVEFROM,     /* "off", "migrate from": products after it are the system being replaced */
    LEX_MOVEVERB,     /* "move", "migrate": products after it, before a MOVEFROM word, too */
    LEX_BILL,         /* "bill", "we pay": an amount after it is a current cost, not a budget */
    LEX_FX,           /* a currency with its USD rate (advisor/data/fx.tsv) */
    LEX_USPLACE,      /* words that place the data in the United States */
    LEX_COMPLIANCEUS, /* descriptions of a US regime that need a US place in the text */
    LEX_STOREDCUE,    /* "total", "historical", "we have": a size with no period is data at rest */
    LEX_ANOTHER,      /* "also", "another": a measure after it is a feed of its own */
    LEX_CLOUDLEFT,    /* "we left", "no longer on": a cloud after it is one they moved away from */
    LEX_INVENTORY, /* things a migration moves ("scripts", "tables"), sizes at rest ("compressed") */
    LEX_ESTIMATE,  /* a volume assumed for a feed kind no figure is given for (GB/day) */
    LEX_VOLNOUN,   /* "volume", "changes" after a period word: "daily change volume ... 200 GB" */
    LEX_CAT_COUNT
};

struct lex_entry {
    enum lex_cat cat;
    size_t word0; /* index of its first word in the lexicon's word table */
    size_t n_words;
    double value;      /* column 3 */
    const char *label; /* column 4, "" for "-" */
    size_t next;       /* next entry of the same hash chain, or SIZE_MAX */
};

struct extract_lexicon {
    struct lex_entry *entries;
    size_t n_entries;
    const char **words; /* lower-case words, NUL-terminated, pointing into 'blob' */
    size_t *word_lens;
    size_t n_words;
    char *blob;       /* every word and label of the lexicon */
    size_t *buckets;  /* heads of the hash chains, keyed by first word; SIZE_MAX when empty */
    size_t n_buckets; /* a power of two */
};

enum tok_type { TOK_WORD = 0, TOK_NUM, TOK_SYM };

#define TOKF_CAP 1u   /* the word starts with a capital letter in the text */
#define TOKF_GLUED 2u /* no space between this token and the one before */

#define NUMF_APPROX 1u  /* "about", "~", "roughly" */
#define NUMF_RANGE 2u   /* "2-3", "between 2 and 3": 'num' is the upper end, 'num_lo' the lower */
#define NUMF_MONEY 4u   /* "$" before it */
#define NUMF_PERCENT 8u /* "%" or "percent" after it */
#define NUMF_SPELLED 16u

struct tok {
    enum tok_type type;
    unsigned flags;
    unsigned numf;   /* NUMF_* for TOK_NUM */
    size_t off, end; /* byte span in the text, the number's prefix and suffix included */
    const char *w;   /* TOK_WORD: lower-case word (not NUL-terminated) */
    size_t wlen;
    char sym;                  /* TOK_SYM: the character ('-' for dashes, ',' for em dashes) */
    double num, num_lo;        /* TOK_NUM */
    double mult;               /* TOK_NUM: the multiplier applied (1 when none) */
    int depth;                 /* bracket depth */
    int sent, clause;          /* sentence and clause (split at , ; :) indexes */
    size_t sent_a, sent_b;     /* token span of its sentence */
    size_t clause_a, clause_b; /* token span of its clause */
    size_t m_first, m_n;       /* the lexicon phrases starting here, in the token list's 'm' */
    uint64_t cats;             /* bit per category of those phrases: most lookups miss, cheaply */
    uint64_t sent_cats, clause_cats; /* the same for its whole sentence and clause */
    uint32_t hash;                   /* TOK_WORD: hash of 'w' */
    int used;                        /* part of a volume or rate the feed reader took */
};

struct tok_match {
    enum lex_cat cat;
    size_t entry;
    size_t end; /* token index after the phrase */
};

struct tokens {
    const char *text; /* borrowed */
    size_t len;
    char *lower; /* owned lower-case copy of 'text' */
    struct tok *v;
    size_t n;
    struct tok_match *m;
    size_t n_m;
    int n_sent;
};

/* Splits 'text' ('len' bytes, borrowed for the life of 't') into tokens. */
void extract_tokens_init_(struct tokens *t, const struct extract_lexicon *lex, const char *text,
                          size_t len);
void extract_tokens_fini_(struct tokens *t);

/* Returns the longest phrase of 'cat' starting at token 'i' (and the index after it in '*end'
 * when not NULL), or NULL. Inline: most lookups miss and the mask says so at once. */
static inline const struct lex_entry *
extract_match_(const struct extract_lexicon *lex, const struct tokens *t, size_t i,
               enum lex_cat cat, size_t *end)
{
    if (i >= t->n || !(t->v[i].cats & ((uint64_t)1 << cat))) return NULL;
    const struct tok *k = &t->v[i];
    for (size_t m = k->m_first; m < k->m_first + k->m_n; m++) {
        if (t->m[m].cat != cat) continue;
        if (end) *end = t->m[m].end;
        return &lex->entries[t->m[m].entry];
    }
    return NULL;
}

/* Returns 1 when token 'i' is the word 'w' (lower case). */
static inline int
extract_is_word_(const struct tokens *t, size_t i, const char *w)
{
    if (i >= t->n || t->v[i].type != TOK_WORD) return 0;
    size_t n = 0;
    while (w[n] && n < t->v[i].wlen && w[n] == t->v[i].w[n]) n++;
    return n == t->v[i].wlen && w[n] == '\0';
}

/* Returns 1 when token 'i' is the punctuation 'c'. */
static inline int
extract_is_sym_(const struct tokens *t, size_t i, char c)
{
    return i < t->n && t->v[i].type == TOK_SYM && t->v[i].sym == c;
}

/* Reads "per day", "/day", "a day", "daily", "/24h" at token 'i': seconds per period in
 * '*seconds', the index after it in '*end'. Returns 1, or 0 when there is none. */
int extract_period_(const struct extract_lexicon *lex, const struct tokens *t, size_t i,
                    double *seconds, size_t *end);
/* The one-word entry of 'cat' for the lower-case 'word', or NULL. */
const struct lex_entry *extract_lookup_(const struct extract_lexicon *lex, const char *word,
                                        enum lex_cat cat);
/* Returns 1 when a phrase of 'cat' starts in tokens [a, b) of one sentence; its index in '*at'. */
int extract_find_(const struct extract_lexicon *lex, const struct tokens *t, size_t a, size_t b,
                  enum lex_cat cat, size_t *at);

/* Returns 1 when a phrase of 'cat' starts anywhere in the sentence (or clause) of token 'i'. */
static inline int
extract_in_sentence_(const struct tokens *t, size_t i, enum lex_cat cat)
{
    return i < t->n && (t->v[i].sent_cats & ((uint64_t)1 << cat)) != 0;
}
static inline int
extract_in_clause_(const struct tokens *t, size_t i, enum lex_cat cat)
{
    return i < t->n && (t->v[i].clause_cats & ((uint64_t)1 << cat)) != 0;
}

/* Appends a note: 'field', the text of tokens [a, b) (and of [a2, b2) when a2 < b2, joined by
 * " ... "), and 'why' (may be NULL). */
void extract_note_add_(struct extract_result *out, const char *field, const struct tokens *t,
                       size_t a, size_t b, size_t a2, size_t b2, const char *why);

/* Writes "<prefix>[<idx>]<suffix>" into 'out' (cheaper than snprintf, which showed in profiles). */
void extract_field_(char *out, size_t cap, const char *prefix, size_t idx, const char *suffix);

/* Reads the data feeds of 't' and, when 'req' has no sources, writes them there with notes.
 * Marks the tokens of every measure 'used'. Returns the number of feeds written. Also sets
 * out->pii_mentioned. */
size_t extract_sources_(const struct extract_lexicon *lex, struct tokens *t,
                        struct requirement *req, struct extract_result *out);

/* Writes 'v' with thousands separators and at most 'dec' decimals ("15,000", "1.1378"). */
void extract_fmt_num_(char *out, size_t cap, double v, int dec);
/* Appends a question for the requester to 'out' (a duplicate is dropped). */
void extract_question_(struct extract_result *out, const char *text);
/* Reads the budget of 't' into 'req' when unknown (see extract_money.c). */
void extract_budget_(const struct extract_lexicon *lex, const struct tokens *t,
                     struct requirement *req, struct extract_result *out);

/* Notes "inventory[N]": the counts of what a migration moves ("~2,500 BTEQ scripts", "600 SSIS
 * packages", "80 TB compressed"), each with its phrase (advisor/extract_inventory.c). */
void extract_inventory_(const struct extract_lexicon *lex, const struct tokens *t,
                        struct extract_result *out);

/* Reads the denials of 't' (see extract_scope.c): appends the terms they rule out to
 * out->avoid and returns a mask, one byte per token (and one more), set on each ruled-out
 * term's tokens. The caller frees it. */
unsigned char *extract_avoid_(const struct extract_lexicon *lex, const struct tokens *t,
                              struct extract_result *out);
/* Writes the name of the product at tokens [i, end) with catalog name 'label' as in use: its
 * edition and size words kept, "(on premises, source)" when the text moves away from it.
 * Returns the index after the words it took. */
size_t extract_stack_name_(const struct extract_lexicon *lex, const struct tokens *t, size_t i,
                           size_t end, const char *label, char *out, size_t cap);

/* A denial ("no", "not", "don't") among the 'n' tokens before 'i' in its clause (extract.c). */
int extract_denied_(const struct extract_lexicon *lex, const struct tokens *t, size_t i, size_t n);
/* Reads the team's size of 't' into 'req' when unknown, with its note (extract_team.c). */
void extract_team_(const struct extract_lexicon *lex, const struct tokens *t,
                   struct requirement *req, struct extract_result *out);

/* FNV-1a of a word: the lexicon's hash, shared by the loader and the tokeniser. */
static inline uint32_t
extract_hash_word_(const char *w, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h;
}

/* Digits with at most one '.': exact for up to 15 significant digits (mantissa / 10^k rounds
 * once), strtod beyond that. */
static inline double
extract_parse_digits_(const char *d, size_t n)
{
    static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    if (n > 15) return strtod(d, NULL);
    uint64_t mant = 0;
    size_t frac = 0;
    int dot = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] == '.') {
            dot = 1;
            continue;
        }
        mant = mant * 10 + (uint64_t)(d[i] - '0');
        frac += (size_t)dot;
    }
    return (double)mant / pow10[frac];
}

#endif
