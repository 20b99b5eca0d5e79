/* advisor/extract_scope.c - what a denial reaches, and how a product in use is named.
 *
 * Owns two readings the field readers of extract.c rely on. First, the scope of a denial: "no
 * Python", "nobody's touched flink", "we don't know Spark", "don't want to run kafka ourselves",
 * "no servers", "no one on call", "we tried Airflow but dropped it" rule a tool or a way of
 * working out; such terms never become skills or stack, and each goes to the result's avoid
 * list with its words. A denial reaches forward through its clause until a contrast word
 * ("Python but not Scala" keeps Python) or a word that turns it elsewhere ("not sure whether").
 * Second, the name of a product already in use keeps the edition and size written after it
 * ("Redshift provisioned (ra3.4xlarge x4)", "Fabric F64 capacity"), and a product the text moves
 * away from ("off the on-prem SQL Server box") is named as the source being replaced.
 * Pure: no I/O, no globals.
 */
#include "extract_int.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define DENIAL_REACH 6 /* words from a denial to the term it denies */

static const struct lex_entry *
at(const struct extract_lexicon *lex, const struct tokens *t, size_t i, enum lex_cat cat,
   size_t *end)
{
    return extract_match_(lex, t, i, cat, end);
}

/* The denial before token 'i' in its clause that reaches it, or SIZE_MAX. */
static size_t
denial_before(const struct extract_lexicon *lex, const struct tokens *t, size_t i)
{
    for (size_t j = i, k = 0; j-- > t->v[i].clause_a && k < DENIAL_REACH; k++) {
        if (at(lex, t, j, LEX_CONTRAST, NULL) || at(lex, t, j, LEX_NEGBLOCK, NULL)) return SIZE_MAX;
        size_t end;
        /* "no-code", "no-brainer": a compound, not a denial */
        if (at(lex, t, j, LEX_NEGATION, &end) && end <= i &&
            !(extract_is_sym_(t, end, '-') && (t->v[end].flags & TOKF_GLUED)))
            return j;
    }
    return SIZE_MAX;
}

/* "... but dropped it" after the term, in its sentence: the index after those words, or 0. */
static size_t
given_up_after(const struct extract_lexicon *lex, const struct tokens *t, size_t end)
{
    for (size_t j = end, k = 0; j < t->v[end - 1].sent_b && k < 6; j++, k++) {
        size_t e;
        if (at(lex, t, j, LEX_AVOIDAFTER, &e)) return e;
        if (at(lex, t, j, LEX_PRODUCT, NULL) || at(lex, t, j, LEX_SKILL, NULL)) return 0;
    }
    return 0;
}

/* The avoid token of a skill or product label: lower case, the vendor's prefix dropped
 * ("Apache Kafka" -> "kafka", "Amazon MSK" -> "msk"). */
static void
avoid_token(const char *label, char *out, size_t cap)
{
    static const char *const prefixes[] = {"apache ", "amazon ", "aws ",      "google cloud ",
                                           "google ", "azure ",  "microsoft "};
    size_t n = 0;
    for (const char *p = label; *p && n + 1 < cap; p++)
        out[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    out[n] = '\0';
    char *paren = strchr(out, '(');
    if (paren) {
        while (paren > out && paren[-1] == ' ') paren--;
        *paren = '\0';
    }
    for (size_t i = 0; i < PW_ARRAY_LEN(prefixes); i++) {
        size_t l = strlen(prefixes[i]);
        if (strncmp(out, prefixes[i], l) == 0 && out[l]) {
            memmove(out, out + l, strlen(out + l) + 1);
            break;
        }
    }
}

static void
avoid_add(struct extract_result *out, const char *token, const struct tokens *t, size_t a, size_t b)
{
    for (size_t i = 0; i < out->n_avoid; i++)
        if (strcmp(out->avoid[i].field, token) == 0) return;
    /* the note helper writes to 'notes': borrow it, then move the note over */
    extract_note_add_(out, token, t, a, b, 0, 0, NULL);
    struct extract_note n = out->notes[--out->n_notes];
    if (out->n_avoid == out->cap_avoid) {
        out->cap_avoid = out->cap_avoid ? 2 * out->cap_avoid : 8;
        out->avoid = xrealloc(out->avoid, out->cap_avoid * sizeof(*out->avoid));
    }
    out->avoid[out->n_avoid++] = n;
}

unsigned char *
extract_avoid_(const struct extract_lexicon *lex, const struct tokens *t,
               struct extract_result *out)
{
    unsigned char *mask = xcalloc(t->n + 1, 1);
    const uint64_t terms = ((uint64_t)1 << LEX_SKILL) | ((uint64_t)1 << LEX_PRODUCT) |
                           ((uint64_t)1 << LEX_AVOIDTERM);
    const uint64_t cues = ((uint64_t)1 << LEX_NEGATION) | ((uint64_t)1 << LEX_AVOIDAFTER);
    for (size_t i = 0; i < t->n; i++) {
        const struct tok *k = &t->v[i];
        if (!(k->cats & terms) || !(k->sent_cats & cues)) continue;
        size_t end = i + 1, e2;
        const struct lex_entry *e = NULL;
        static const enum lex_cat order[] = {LEX_AVOIDTERM, LEX_SKILL, LEX_PRODUCT};
        for (size_t c = 0; c < PW_ARRAY_LEN(order) && e == NULL; c++) {
            e = at(lex, t, i, order[c], &e2);
            if (e && e->value >= 2 && !(k->flags & TOKF_CAP)) e = NULL;
            if (e) end = e2;
        }
        if (e == NULL) continue;
        size_t from = denial_before(lex, t, i), to = end;
        if (from == SIZE_MAX) {
            size_t after = given_up_after(lex, t, end);
            if (after == 0) continue;
            from = i, to = after;
        }
        char token[64];
        avoid_token(e->label, token, sizeof(token));
        avoid_add(out, token, t, from, to);
        memset(mask + i, 1, end - i);
        i = end - 1;
    }
    return mask;
}

/* ---- the name of a product in use ---------------------------------------------------------- */

/* A word that mixes letters and digits ("F64", "ra3", "P1"): a size or SKU. */
static int
sku_like(const struct tokens *t, size_t i)
{
    const struct tok *k = &t->v[i];
    if (k->type != TOK_WORD || k->wlen < 2 || k->wlen > 12) return 0;
    int digit = 0, alpha = 0;
    for (size_t j = 0; j < k->wlen; j++) {
        char c = k->w[j];
        digit |= c >= '0' && c <= '9';
        alpha |= c >= 'a' && c <= 'z';
    }
    return digit && alpha;
}

/* Appends the text of tokens [a, b) as written. */
static void
append_text(char *out, size_t cap, const struct tokens *t, size_t a, size_t b)
{
    size_t n = strlen(out);
    if (a >= b) return;
    for (const char *s = t->text + t->v[a].off, *e = t->text + t->v[b - 1].end;
         s < e && n + 1 < cap; s++)
        out[n++] = (*s == '\n' || *s == '\t') ? ' ' : *s;
    out[n] = '\0';
}

static void
append_str(char *out, size_t cap, const char *s)
{
    size_t n = strlen(out);
    while (*s && n + 1 < cap) out[n++] = *s++;
    out[n] = '\0';
}

/* Is the product at [i, end) one the text moves away from? Sets '*onprem' when the sentence
 * places it on premises. */
static int
moved_from(const struct extract_lexicon *lex, const struct tokens *t, size_t i, int *onprem)
{
    const struct tok *k = &t->v[i];
    if (!((k->sent_cats >> LEX_MOVEFROM) & 1)) return 0;
    size_t sa = k->sent_a, sb = k->sent_b, from = SIZE_MAX, verb = SIZE_MAX;
    for (size_t j = sa; j < sb; j++) {
        if (from == SIZE_MAX && at(lex, t, j, LEX_MOVEFROM, NULL)) from = j;
        if (verb == SIZE_MAX && at(lex, t, j, LEX_MOVEVERB, NULL)) verb = j;
    }
    int src = 0;
    if (from < i) {
        src = 1; /* after "off" / "migrate from", up to "to <where>" */
        for (size_t j = from; j < i; j++)
            if (extract_is_word_(t, j, "to") || extract_is_word_(t, j, "into") ||
                extract_is_word_(t, j, "onto"))
                src = 0;
    } else if (verb < i && from != SIZE_MAX && i - verb <= 6) {
        src = 1; /* "move our SSIS jobs off the ..." */
    }
    *onprem = 0;
    for (size_t j = sa; src && j < sb; j++) {
        const struct lex_entry *e = at(lex, t, j, LEX_CLOUD, NULL);
        if (e && strcmp(e->label, "on_prem") == 0) *onprem = 1;
    }
    return src;
}

size_t
extract_stack_name_(const struct extract_lexicon *lex, const struct tokens *t, size_t i, size_t end,
                    const char *label, char *out, size_t cap)
{
    out[0] = '\0';
    append_str(out, cap, label);
    /* the edition and size words right after it */
    size_t j = end, sku_a = SIZE_MAX, words_a = end, e;
    const struct lex_entry *ed;
    while (j < t->n && j < end + 4 && t->v[j].sent == t->v[i].sent) {
        if ((ed = at(lex, t, j, LEX_EDITION, &e)) != NULL && ed->value >= 1) {
            j = e;
        } else if (sku_like(t, j)) {
            if (sku_a == SIZE_MAX) sku_a = j;
            j++;
        } else {
            break;
        }
    }
    size_t b = j;
    /* "self-managed ClickHouse", "provisioned Redshift": edition words just before it */
    for (size_t p = i >= 3 ? i - 3 : 0; p < i && b == words_a; p++) {
        if ((ed = at(lex, t, p, LEX_EDITION, &e)) != NULL && ed->value >= 1 && e == i &&
            t->v[p].sent == t->v[i].sent && !at(lex, t, p, LEX_CLOUD, NULL)) {
            /* "a 4-node ClickHouse cluster": a count glued to it is a size */
            int sized = p >= 2 && extract_is_sym_(t, p - 1, '-') && t->v[p - 2].type == TOK_NUM &&
                        (t->v[p].flags & TOKF_GLUED);
            append_str(out, cap, sized ? " (" : " ");
            append_text(out, cap, t, sized ? p - 2 : p, i);
            if (sized) append_str(out, cap, ")");
            break;
        }
    }
    if (b > words_a && sku_a == SIZE_MAX) {
        append_str(out, cap, " ");
        append_text(out, cap, t, words_a, b);
    } else if (b > words_a) {
        append_str(out, cap, " (");
        append_text(out, cap, t, words_a, b);
        append_str(out, cap, ")");
    }
    /* "(ra3.4xlarge x4)": a bracket of sizes right after, or after a filler word ("Snowflake
     * account (Enterprise edition)"); not after a host ("ClickHouse on EC2 (3 shards)") */
    if ((ed = at(lex, t, b, LEX_EDITION, &e)) != NULL && ed->value < 1 &&
        extract_is_sym_(t, e, '('))
        b = e;
    int hosted = i > 0 && (extract_is_word_(t, i - 1, "on") || extract_is_word_(t, i - 1, "in"));
    if (extract_is_sym_(t, b, '(') && !hosted) {
        size_t c = b + 1;
        int size = 0, product = 0;
        while (c < t->n && c < b + 10 && !extract_is_sym_(t, c, ')')) {
            size |= sku_like(t, c) || at(lex, t, c, LEX_EDITION, NULL) != NULL;
            product |= at(lex, t, c, LEX_PRODUCT, NULL) != NULL;
            c++;
        }
        if (size && !product && extract_is_sym_(t, c, ')')) {
            append_str(out, cap, " ");
            append_text(out, cap, t, b, c + 1);
            b = c + 1;
        }
    }
    int onprem = 0;
    if (moved_from(lex, t, i, &onprem))
        append_str(out, cap, onprem ? " (on premises, source)" : " (source, being replaced)");
    return b;
}
