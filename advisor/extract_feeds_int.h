/* advisor/extract_feeds_int.h - the feed reader's types, shared by extract_feeds.c (reading
 * measures), extract_group.c (grouping them into feeds) and extract_out.c (deriving and writing
 * feeds). */
#ifndef PW_ADVISOR_EXTRACT_FEEDS_INT_H
#define PW_ADVISOR_EXTRACT_FEEDS_INT_H

#include "extract_int.h"

#define EXTRACT_WHY_EVERY "senders / interval"
#define EXTRACT_WHY_TIMES "the rate of one sender x the senders"

enum dim {
    DIM_VOLUME = 0, /* GB per day */
    DIM_PEAK,       /* events per second at peak */
    DIM_AVG,        /* events per second on average */
    DIM_DAILY,      /* events per day */
    DIM_SIZE,       /* bytes per record */
    DIM_PEAKB,      /* bytes per second at peak ("peak ~50 MB/s"): a shape of a feed, not one */
    DIM_COUNT
};

enum measure_flag {
    MF_RANGE = 1,    /* the value is the upper end of a range */
    MF_UNSPEC = 2,   /* a rate with no word saying peak or average */
    MF_INHERIT = 4,  /* a count or number whose unit is the rate before it in the sentence */
    MF_FRACTION = 8, /* "a third of that on average": 'value' is the fraction */
    MF_GEOMEAN = 16, /* a record size range, taken as its geometric mean */
    MF_STRONG = 32,  /* its count noun phrase tells feeds apart ("GPS pings") */
    MF_EVERY = 64,   /* a number of senders and their cadence */
    MF_MIDDLE = 128, /* an average rate given as a range: the middle of it */
    MF_TIMES = 256,  /* a rate per sender times the number of senders */
};

struct measure {
    enum dim dim;
    unsigned flags;
    double value;
    size_t a, b;           /* token span */
    size_t name_a, name_b; /* the count noun phrase, empty when none */
    size_t of_a, of_b;     /* "of <words>" after a volume, empty when none */
    enum source_kind kind; /* implied by the count noun */
    int sent, depth;
};

struct span {
    size_t a, b, a2, b2;
};

struct feed {
    char name[64];
    enum source_kind kind;
    struct span name_ev, kind_ev;
    int has[DIM_COUNT];
    double val[DIM_COUNT];
    struct span ev[DIM_COUNT];
    const char *why[DIM_COUNT];
    char sum[320];         /* the arithmetic of a derived volume or peak */
    size_t name_a, name_b; /* tokens of the name, for tying later sentences to the feed */
    int pii;               /* 1, 0, -1 */
    struct span pii_ev;
    int sent;
    size_t ctx_a, ctx_b;
    int dropped;
};

struct reader {
    const struct extract_lexicon *lex;
    const struct tokens *t;
    struct measure *m;
    size_t n_m, cap_m;
    struct feed *f;
    size_t n_f, cap_f;
    size_t ambig_a, ambig_b;   /* a rate no feed could be told for ("peak or second source?") */
    size_t stored_a, stored_b; /* "1.2 PB of historical parquet": data at rest, not a volume */
    double stored_bytes;
};

struct found {
    const struct lex_entry *e;
    size_t a, b;
};

/* The best KIND phrase in tokens [a, b) not deeper in brackets than 'depth' (extract_group.c). */
struct found extract_find_kind_(const struct reader *r, size_t a, size_t b, int depth, int last);
/* The start of a feed's name found by its kind word at 'a' (one content word before it). */
size_t extract_name_start_(const struct reader *r, size_t a);
/* Writes a feed name from tokens [a, b): lower-case words joined by '_'. */
void extract_name_from_(const struct tokens *t, size_t a, size_t b, char *out, size_t cap);
/* A word that can name a feed: not a stop word, a time, a size or a period (extract_feeds.c). */
int extract_content_word_(const struct reader *r, size_t i);
/* Groups the measures read into feeds (extract_group.c). */
void extract_feed_group_(struct reader *r);
/* Feeds named after a feed verb (or '+') but never measured, as sources with no figures. */
void extract_feed_unmeasured_(struct reader *r);
/* Drops a total stated before its parts ("90,000 events/sec (75k GPS pings, 15k rider events)"). */
void extract_feed_drop_totals_(struct reader *r);
/* The words of 's' as written, at most 'cap' - 1 bytes. */
void extract_span_text_(const struct tokens *t, const struct span *s, char *out, size_t cap);
/* Volume and peak implied by the figures of 'f', with the sum in its 'why'. */
void extract_feed_derive_(const struct extract_lexicon *lex, const struct tokens *t,
                          struct feed *f);
/* Does the sentence of tokens [a, b) name feed 'f' (a word of its name, by a 4-letter stem)? */
int extract_feed_names_(const struct tokens *t, const struct feed *f, size_t a, size_t b);
/* Appends an empty feed (no PII known) of sentence 'sent' over tokens [ctx_a, ctx_b). */
struct feed *extract_feed_add_(struct reader *r, int sent, size_t ctx_a, size_t ctx_b);
/* Ties personal-data words to the feeds; sets out->pii_mentioned. */
void extract_feed_pii_(struct reader *r, struct extract_result *out);
/* Writes the feeds not dropped into 'req' with their notes; returns how many. */
size_t extract_feed_write_(struct reader *r, struct requirement *req, struct extract_result *out);

#endif
