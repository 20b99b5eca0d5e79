/* advisor/extract_lexicon.c - the extractor's lexicon: advisor/data/extract_*.tsv and fx.tsv.
 *
 * Owns the parsing of the data files into a hash of phrases keyed by their first word (one
 * lower-case word list, one blob of words and labels). Refuses a malformed data file with
 * file:line. Pure: no I/O, no globals; the lexicon is immutable after extract_lexicon_new().
 */
#include "extract_int.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "embedded.h"
#include "xalloc.h"

static const char *const data_files[] = {
    "advisor/data/extract_units.tsv",
    "advisor/data/extract_sources.tsv",
    "advisor/data/extract_products.tsv",
    "advisor/data/extract_cues.tsv",
    "advisor/data/fx.tsv",
};

/* Column 1 of the data files, in enum lex_cat order. */
static const char *const cat_names[LEX_CAT_COUNT] = {
    "numword",    "mult",         "size",      "time",          "period",       "rateunit",
    "approx",     "fraction",     "currency",  "othercurrency", "count",        "emitter",
    "kind",       "pii",          "nopii",     "cloud",         "cloudhint",    "product",
    "compliance", "consumer",     "skill",     "person",        "team",         "notteam",
    "fresh",      "freshtrigger", "freshdata", "freshoutput",   "serving",      "freshblock",
    "retain",     "retainblock",  "budget",    "stackpos",      "stackneg",     "negation",
    "avail",      "peak",         "average",   "stop",          "feedverb",     "avoidterm",
    "avoidafter", "negblock",     "contrast",  "wish",          "edition",      "movefrom",
    "moveverb",   "bill",         "fx",        "usplace",       "complianceus", "storedcue",
    "another",    "cloudleft",    "inventory", "estimate",      "volnoun",
};

/* A phrase word or label is kept as an offset into the blob until the blob stops growing. */
struct build {
    struct buf blob;
    size_t *word_off;
    size_t *word_len;
    size_t n_words, cap_words;
    size_t *label_off;
    struct lex_entry *entries;
    size_t n_entries, cap_entries;
    int last_cat;
};

static size_t
blob_add(struct build *b, const char *s, size_t len)
{
    size_t off = b->blob.len;
    buf_append(&b->blob, s, len);
    buf_putc(&b->blob, '\0');
    return off;
}

static int
parse_line(struct build *b, char *line, const char *file, int lineno, char *errstr,
           size_t errstr_size)
{
    char *field[4] = {NULL, NULL, NULL, NULL};
    int n = 0;
    for (char *p = line; n < 4;) {
        field[n++] = p;
        char *tab = strchr(p, '\t');
        if (tab == NULL) break;
        *tab = '\0';
        p = tab + 1;
    }
    /* rows come grouped by category: try the last one first */
    int cat = -1;
    if (strcmp(field[0], cat_names[b->last_cat]) == 0) cat = b->last_cat;
    for (int c = 0; c < LEX_CAT_COUNT && cat < 0; c++)
        if (strcmp(field[0], cat_names[c]) == 0) cat = c;
    if (cat >= 0) b->last_cat = cat;
    if (cat < 0 || n < 2 || field[1][0] == '\0') {
        snprintf(errstr, errstr_size, "%s:%d: unknown category or empty phrase", file, lineno);
        return -1;
    }
    double value = 1;
    if (n >= 3 && field[2][0] != '\0' && strcmp(field[2], "-") != 0) {
        char *endp;
        size_t nd = strspn(field[2], "0123456789.");
        if (field[2][nd] == '\0' && nd <= 15 && strchr(field[2], '.') == strrchr(field[2], '.'))
            value = extract_parse_digits_(field[2], nd), endp = field[2] + nd;
        else
            value = strtod(field[2], &endp);
        if (*endp != '\0' || !isfinite(value)) {
            snprintf(errstr, errstr_size, "%s:%d: bad value '%s'", file, lineno, field[2]);
            return -1;
        }
    }
    if (b->n_entries == b->cap_entries) {
        b->cap_entries = b->cap_entries ? 2 * b->cap_entries : 256;
        b->entries = xrealloc(b->entries, b->cap_entries * sizeof(*b->entries));
        b->label_off = xrealloc(b->label_off, b->cap_entries * sizeof(*b->label_off));
    }
    struct lex_entry *e = &b->entries[b->n_entries];
    memset(e, 0, sizeof(*e));
    e->cat = (enum lex_cat)cat;
    e->value = value;
    e->word0 = b->n_words;
    e->next = b->n_entries; /* original order, for a stable sort */
    const char *label = (n >= 4 && strcmp(field[3], "-") != 0) ? field[3] : "";
    b->label_off[b->n_entries] = blob_add(b, label, strlen(label));
    for (char *p = field[1]; *p;) {
        while (*p == ' ' || *p == '-' || *p == '/') p++;
        char *q = p;
        while (*q && *q != ' ' && *q != '-' && *q != '/') {
            *q = (char)tolower((unsigned char)*q);
            q++;
        }
        if (q == p) break;
        if (b->n_words == b->cap_words) {
            b->cap_words = b->cap_words ? 2 * b->cap_words : 512;
            b->word_off = xrealloc(b->word_off, b->cap_words * sizeof(*b->word_off));
            b->word_len = xrealloc(b->word_len, b->cap_words * sizeof(*b->word_len));
        }
        b->word_off[b->n_words] = blob_add(b, p, (size_t)(q - p));
        b->word_len[b->n_words++] = (size_t)(q - p);
        e->n_words++;
        p = q;
    }
    if (e->n_words == 0) {
        snprintf(errstr, errstr_size, "%s:%d: empty phrase", file, lineno);
        return -1;
    }
    b->n_entries++;
    return 0;
}

static int
cmp_entries(const void *pa, const void *pb)
{
    const struct lex_entry *a = pa, *b = pb;
    if (a->n_words != b->n_words) return a->n_words > b->n_words ? -1 : 1;
    return a->next < b->next ? -1 : (a->next > b->next);
}

struct extract_lexicon *
extract_lexicon_new(char *errstr, size_t errstr_size)
{
    struct build b;
    memset(&b, 0, sizeof(b));
    buf_init(&b.blob);
    for (size_t f = 0; f < PW_ARRAY_LEN(data_files); f++) {
        size_t len;
        const char *data = embedded_file(data_files[f], &len);
        if (data == NULL) {
            snprintf(errstr, errstr_size, "%s: not embedded", data_files[f]);
            goto fail;
        }
        char *copy = xstrndup(data, len);
        int lineno = 0;
        char *save = NULL;
        for (char *line = copy;; line = save) {
            char *nl = strchr(line, '\n');
            save = nl ? nl + 1 : NULL;
            if (nl) *nl = '\0';
            lineno++;
            size_t l = strlen(line);
            if (l && line[l - 1] == '\r') line[--l] = '\0';
            if (l && line[0] != '#' &&
                parse_line(&b, line, data_files[f], lineno, errstr, errstr_size) < 0) {
                free(copy);
                goto fail;
            }
            if (save == NULL) break;
        }
        free(copy);
    }
    /* Longest phrases first in every chain, so the first hit per category is the longest. */
    size_t *label_by_orig = xmalloc((b.n_entries + 1) * sizeof(*label_by_orig));
    memcpy(label_by_orig, b.label_off, b.n_entries * sizeof(*label_by_orig));
    qsort(b.entries, b.n_entries, sizeof(*b.entries), cmp_entries);

    struct extract_lexicon *lex = xcalloc(1, sizeof(*lex));
    lex->n_entries = b.n_entries;
    lex->entries = b.entries;
    lex->n_words = b.n_words;
    lex->blob = buf_detach(&b.blob);
    lex->words = xmalloc((b.n_words + 1) * sizeof(*lex->words));
    lex->word_lens = b.word_len;
    for (size_t i = 0; i < b.n_words; i++) lex->words[i] = lex->blob + b.word_off[i];
    lex->n_buckets = 64;
    while (lex->n_buckets < 2 * b.n_entries) lex->n_buckets *= 2;
    lex->buckets = xmalloc(lex->n_buckets * sizeof(*lex->buckets));
    for (size_t i = 0; i < lex->n_buckets; i++) lex->buckets[i] = SIZE_MAX;
    size_t *tail = xmalloc(lex->n_buckets * sizeof(*tail));
    for (size_t i = 0; i < lex->n_entries; i++) {
        struct lex_entry *e = &lex->entries[i];
        e->label = lex->blob + label_by_orig[e->next];
        e->next = SIZE_MAX;
        size_t h = extract_hash_word_(lex->words[e->word0], lex->word_lens[e->word0]) &
                   (lex->n_buckets - 1);
        if (lex->buckets[h] == SIZE_MAX) lex->buckets[h] = i;
        else
            lex->entries[tail[h]].next = i;
        tail[h] = i;
    }
    free(tail);
    free(label_by_orig);
    free(b.word_off);
    free(b.label_off);
    return lex;

fail:
    buf_fini(&b.blob);
    free(b.word_off);
    free(b.word_len);
    free(b.label_off);
    free(b.entries);
    return NULL;
}

void
extract_lexicon_free(struct extract_lexicon *lex)
{
    if (lex == NULL) return;
    free(lex->entries);
    free(lex->words);
    free(lex->word_lens);
    free(lex->blob);
    free(lex->buckets);
    free(lex);
}
