/* advisor/request.c - what kind of work a request asks for and what the team rules out.
 *
 * Reads the request's title, description and existing stack (the profile's ctx_lc) against the
 * cue words of hints.tsv: 'request' rows vote for a kind of work (migration, cost reduction, CDC
 * with deletes, a new consumer on an existing pipeline; greenfield when nothing votes), and
 * 'constraint' rows set operating constraints ("no servers", "no on-call", "don't want to run
 * kafka ourselves"). The extractor's avoid[] notes add the tools the text rules out. A team of
 * one or two people with no engineering skill (hints.tsv 'engineering' rows) runs no servers.
 * A region the request names sets the region Terraform deploys to; else regulations that pin
 * one (GDPR, ITAR) do. Pure,
 * deterministic.
 */
#include "advisor_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const constraint_names[CONSTRAINT_COUNT] = {"no_servers", "no_oncall",
                                                               "no_self_kafka"};

const char *
constraint_name_(enum constraint c)
{
    return (unsigned)c < CONSTRAINT_COUNT ? constraint_names[c] : "";
}

static int
constraint_parse(const char *s)
{
    for (int c = 0; c < CONSTRAINT_COUNT; c++)
        if (strcmp(s, constraint_names[c]) == 0) return c;
    return -1;
}

static int
kind_parse(const char *s)
{
    for (int k = 0; k < KIND_COUNT; k++)
        if (strcmp(s, kind_name_((enum request_kind)k)) == 0) return k;
    return -1;
}

int
design_hint_ok_(const char *kind, const char *value)
{
    if (strcmp(kind, "request") == 0) return kind_parse(value) > 0;
    if (strcmp(kind, "constraint") == 0) return constraint_parse(value) >= 0;
    if (strcmp(kind, "engineering") == 0) return strcmp(value, "true") == 0;
    if (strcmp(kind, "region") == 0) return value[0] != '\0' && strchr(value, ' ') == NULL;
    if (strcmp(kind, "design") == 0) return strtod(value, NULL) > 0;
    if (strcmp(kind, "avoid") == 0) return strcmp(value, "tool") == 0;
    if (strcmp(kind, "question") == 0) return value[0] != '\0';
    if (strcmp(kind, "availability") == 0) return strtod(value, NULL) > 0;
    if (strcmp(kind, "bill") == 0)
        return strcmp(value, "compute") == 0 || strcmp(value, "storage") == 0;
    return 0;
}

/* The first three characters of a word (fewer at the end of the text), hashed. */
static unsigned
pair_of(const char *s)
{
    unsigned h = (unsigned char)s[0];
    if (s[1]) h = h * 31u + (unsigned char)s[1], h = h * 31u + (unsigned char)s[2];
    return h & 4095u;
}

/* isalnum() in the C locale, without the call. */
static int
alnum(unsigned char c)
{
    return (unsigned)((c | 32) - 'a') < 26u || (unsigned)(c - '0') < 10u;
}

void
wordmap_build_(struct wordmap *m, const char *text)
{
    memset(m->bit, 0, sizeof(m->bit));
    m->text = text;
    wordmap_add_(m, text);
}

void
wordmap_add_(struct wordmap *m, const char *text)
{
    int prev = 0;
    for (const char *c = text; *c; c++) {
        int cur = alnum((unsigned char)*c);
        if (cur && !prev) {
            unsigned k = pair_of(c);
            m->bit[k >> 3] |= (unsigned char)(1u << (k & 7));
        }
        prev = cur;
    }
}

/* 'tok' may occur in the map's text (tokens of three or more characters that start with a
 * letter or digit; anything else is always "may"). */
static int
map_may(const struct wordmap *m, const char *tok)
{
    if (!isalnum((unsigned char)tok[0]) || !tok[1] || !tok[2]) return 1;
    unsigned k = pair_of(tok);
    return (m->bit[k >> 3] >> (k & 7)) & 1u;
}

int
map_has_(const struct wordmap *m, const char *tok)
{
    return map_may(m, tok) && has_token_(m->text, tok);
}

static int
map_has_cb(const void *m, const char *tok)
{
    return map_has_(m, tok);
}

int
map_has_any_(const struct wordmap *m, const char *list)
{
    return any_token_(list, map_has_cb, m);
}

/* The words around the first occurrence of 'tok' in 'hay', cut at word boundaries. */
static const char *
phrase_around(struct analysis *an, const char *hay, const char *tok)
{
    const char *m = strstr(hay, tok);
    if (m == NULL) return tok;
    const char *b = m, *e = m + strlen(tok);
    for (int w = 0; b > hay && w < 3; b--)
        if (b[-1] == ';' || b[-1] == '.' || b[-1] == '\n' || (b[-1] == ' ' && ++w == 3)) break;
    for (int w = 0; *e && w < 4; e++)
        if (*e == ';' || *e == '.' || *e == ',' || *e == '\n' || (*e == ' ' && ++w == 4)) break;
    while (*b == ' ') b++;
    size_t n = (size_t)(e - b);
    return arena_strndup_(&an->ar, b, n);
}

/* 1 when the words just before 'at' deny it ("without a migration", "not a cost cut", "no
 * CDC"): within the same clause, a few words back. */
static int
denied_at(const char *hay, const char *at)
{
    static const char *const deny[] = {"without ", "not ", "no ", "n't ", "never ", "instead of "};
    const char *b = at;
    for (int words = 0; b > hay && words < 4; b--) {
        char c = b[-1];
        if (c == '.' || c == ';' || c == ',' || c == '\n') break;
        if (c == ' ') words++;
    }
    for (size_t i = 0; i < PW_ARRAY_LEN(deny); i++) {
        size_t n = strlen(deny[i]);
        for (const char *q = b; q + n <= at; q++)
            if (memcmp(q, deny[i], n) == 0 && (q == hay || !isalnum((unsigned char)q[-1])))
                return 1;
    }
    return 0;
}

/* 1 when 'tok' occurs in the request at the start of a word and some occurrence is not denied. */
static int
cue_stands(const struct profile *p, const struct wordmap *map, const char *tok)
{
    if (!map_has_(map, tok)) return 0;
    size_t n = strlen(tok);
    for (const char *q = strstr(p->ctx_lc, tok); q; q = strstr(q + n, tok)) {
        if (q != p->ctx_lc && isalnum((unsigned char)q[-1])) continue;
        if (!denied_at(p->ctx_lc, q)) return 1;
    }
    return 0;
}

static void
kind_build(struct analysis *an, const struct wordmap *map)
{
    struct profile *p = &an->p;
    int votes[KIND_COUNT] = {0};
    const char *first[KIND_COUNT] = {0};
    for (size_t i = 0; i < an->a->n_hint; i++) {
        const struct hint *h = &an->a->hint[i];
        if (h->kind[0] != 'r' || strcmp(h->kind, "request") != 0 || !cue_stands(p, map, h->token))
            continue;
        int k = kind_parse(h->value);
        if (k <= 0) continue;
        votes[k]++;
        if (first[k] == NULL) first[k] = h->token;
    }
    int best = KIND_GREENFIELD;
    for (int k = 1; k < KIND_COUNT; k++)
        if (votes[k] > votes[best]) best = k;
    p->kind = (enum request_kind)best;
    p->kind_evidence = best ? phrase_around(an, p->ctx_lc, first[best]) : NULL;
}

static void
add_constraint(struct analysis *an, int c, const char *evidence)
{
    struct profile *p = &an->p;
    if (c < 0 || (p->constraints >> c) & 1u) return;
    p->constraints |= 1u << c;
    if (p->constraint_evidence && strstr(p->constraint_evidence, evidence)) return;
    p->constraint_evidence = p->constraint_evidence
                                 ? arena_printf_(&an->ar, "%s; \"%s\"", p->constraint_evidence,
                                                 evidence)
                                 : arena_printf_(&an->ar, "\"%s\"", evidence);
}

/* A cue of 'constraint' in 'text', or NULL. */
static const char *
constraint_cue(const struct analysis *an, const char *text, int constraint)
{
    for (size_t i = 0; i < an->a->n_hint; i++) {
        const struct hint *h = &an->a->hint[i];
        if (h->kind[0] != 'c' || strcmp(h->kind, "constraint") != 0) continue;
        if (has_token_(text, h->token) && constraint_parse(h->value) == constraint) return h->token;
    }
    return NULL;
}

static char *
lower_dup(struct analysis *an, const char *s)
{
    char *d = arena_strdup_(&an->ar, s ? s : "");
    for (char *c = d; *c; c++) *c = (char)tolower((unsigned char)*c);
    return d;
}

static void avoid_from_text(struct analysis *an, const struct wordmap *map, struct buf *b);

/* The extractor's avoid[] notes: "servers" and "on-call" are constraints, Kafka the team does
 * not want to run itself is NO_SELF_KAFKA (a managed service is fine), the rest are tools. */
static void
avoid_build(struct analysis *an, const struct wordmap *map)
{
    struct profile *p = &an->p;
    struct buf b;
    buf_init(&b);
    buf_putc(&b, ',');
    for (size_t i = 0; i < p->ex.n_avoid; i++) {
        const struct extract_note *x = &p->ex.avoid[i];
        if (x->field == NULL || x->field[0] == '\0' || strlen(x->field) > 40) continue;
        const char *ev = lower_dup(an, x->evidence ? x->evidence : x->field);
        if (strcmp(x->field, "servers") == 0) {
            add_constraint(an, CONSTRAINT_NO_SERVERS, ev);
            continue;
        }
        if (strcmp(x->field, "on-call") == 0 || strcmp(x->field, "oncall") == 0) {
            add_constraint(an, CONSTRAINT_NO_ONCALL, ev);
            continue;
        }
        if (strcmp(x->field, "kafka") == 0 && ((p->constraints >> CONSTRAINT_NO_SELF_KAFKA) & 1u ||
                                               constraint_cue(an, ev, CONSTRAINT_NO_SELF_KAFKA))) {
            add_constraint(an, CONSTRAINT_NO_SELF_KAFKA, ev);
            continue;
        }
        char key[48];
        snprintf(key, sizeof(key), ",%s,", x->field);
        if (strstr(b.data, key)) continue;
        buf_puts(&b, key + 1);
    }
    avoid_from_text(an, map, &b);
    p->avoid_lc = b.len > 1 ? lower_dup(an, b.data) : "";
    buf_fini(&b);
}

/* 'w' (length 'n') is one of the catalog's stack or skill words: a technology, not "data". */
static int
catalog_word(const struct advisor *a, const char *w, size_t n)
{
    for (size_t i = 0; i < a->n_tech; i++) {
        const char *lists[2] = {a->tech[i].stack, a->tech[i].skills};
        for (int l = 0; l < 2; l++)
            for (const char *s = lists[l]; *s;) {
                size_t m = strcspn(s, ",|");
                if (m == n && strncmp(s, w, n) == 0) return 1;
                s += m;
                if (*s) s++;
            }
    }
    return 0;
}

/* Tools the text rules out by a cue ("nobody's touched flink", "no python"): the word after the
 * cue, when it names something (letters, three or more). */
static void
avoid_from_text(struct analysis *an, const struct wordmap *map, struct buf *b)
{
    const char *text = an->p.ctx_lc;
    for (size_t i = 0; i < an->a->n_hint; i++) {
        const struct hint *h = &an->a->hint[i];
        if (h->kind[0] != 'a' || strcmp(h->kind, "avoid") != 0) continue;
        if (!map_may(map, h->token)) continue;
        size_t n = strlen(h->token);
        for (const char *m = strstr(text, h->token); m; m = strstr(m + 1, h->token)) {
            if (m != text && isalnum((unsigned char)m[-1])) continue;
            const char *w = m + n;
            while (*w == ' ') w++;
            size_t len = 0;
            while (isalpha((unsigned char)w[len]) || w[len] == '-') len++;
            if (len < 3 || len > 30) continue;
            char key[40];
            snprintf(key, sizeof(key), ",%.*s,", (int)len, w);
            if (strstr(b->data, key)) continue;
            /* Words that are constraints, not tools, are read by the constraint rows. */
            if (strcmp(key, ",servers,") == 0 || strcmp(key, ",server,") == 0 ||
                strcmp(key, ",on-call,") == 0)
                continue;
            if (strcmp(key, ",kafka,") == 0 && constraint_cue(an, m, CONSTRAINT_NO_SELF_KAFKA))
                continue;
            if (!catalog_word(an->a, key + 1, len)) continue;
            buf_puts(b, key + 1);
        }
    }
}

static int
engineering_skills(const struct analysis *an)
{
    for (size_t i = 0; i < an->a->n_hint; i++) {
        const struct hint *h = &an->a->hint[i];
        if (strcmp(h->kind, "engineering") == 0 && has_token_(an->p.skills_lc, h->token)) return 1;
    }
    return 0;
}

static void
constraints_build(struct analysis *an, const struct wordmap *map)
{
    struct profile *p = &an->p;
    for (size_t i = 0; i < an->a->n_hint; i++) {
        const struct hint *h = &an->a->hint[i];
        if (h->kind[0] != 'c' || strcmp(h->kind, "constraint") != 0) continue;
        int c = map_has_(map, h->token) ? constraint_parse(h->value) : -1;
        if (c >= 0 && !((p->constraints >> c) & 1u))
            add_constraint(an, c, phrase_around(an, p->ctx_lc, h->token));
    }
    avoid_build(an, map);
    /* One or two people with no engineering skill cannot patch and run servers. */
    if (p->o_team != ORIGIN_ASSUMED && p->team_size <= 2 && p->skills_lc[0] &&
        !engineering_skills(an)) {
        const char *why = arena_printf_(&an->ar, "a team of %g without engineering skills",
                                        p->team_size);
        add_constraint(an, CONSTRAINT_NO_SERVERS, why);
        add_constraint(an, CONSTRAINT_NO_ONCALL, why);
    }
    if (p->constraints & (1u << CONSTRAINT_NO_SERVERS))
        p->constraints |= 1u << CONSTRAINT_NO_SELF_KAFKA;
}

/* The first region of clouds.tsv's "eu-central-1 or eu-west-1" ("West Europe or ..."). */
static const char *
first_region(struct analysis *an, const char *list)
{
    const char * or = strstr(list, " or ");
    size_t n = or ? (size_t)(or -list) : strcspn(list, ",;");
    return arena_strndup_(&an->ar, list, n);
}

/* Offset of the first whole-word 'phrase' in 'text' ("eu-west-1" not in "eu-west-10"), or
 * SIZE_MAX. */
static size_t
phrase_at(const char *text, const char *phrase)
{
    size_t n = strlen(phrase);
    for (const char *q = strstr(text, phrase); q; q = strstr(q + 1, phrase)) {
        int before = q > text && (isalnum((unsigned char)q[-1]) || q[-1] == '-');
        int after = isalnum((unsigned char)q[n]) ||
                    (q[n] == '-' && isalnum((unsigned char)q[n + 1]));
        if (!before && !after) return (size_t)(q - text);
    }
    return SIZE_MAX;
}

/* The first region of the platform's cloud the request names ("eu-west-1 and eu-central-1",
 * "azure west europe", "GovCloud"): hints.tsv rows "region named:<cloud>:<phrase>". */
static int
region_named(struct analysis *an)
{
    struct profile *p = &an->p;
    if (p->ctx_lc == NULL) return 0;
    char prefix[32];
    int np = snprintf(prefix, sizeof(prefix), "named:%s:", cloud_name_(p->cloud));
    size_t best = SIZE_MAX;
    const struct hint *pick = NULL;
    for (size_t i = 0; i < an->a->n_hint; i++) {
        const struct hint *h = &an->a->hint[i];
        if (h->kind[0] != 'r' || strcmp(h->kind, "region") != 0 ||
            strncmp(h->token, prefix, (size_t)np) != 0)
            continue;
        size_t at = phrase_at(p->ctx_lc, h->token + np);
        if (at < best) best = at, pick = h;
    }
    if (pick == NULL) return 0;
    p->region = pick->value;
    p->region_why = arena_printf_(&an->ar, "named in the request (\"%s\")", pick->token + np);
    return 1;
}

static void
region_build(struct analysis *an)
{
    struct profile *p = &an->p;
    if (p->cloud == CLOUD_ON_PREM || p->cloud == CLOUD_ANY) return;
    if (region_named(an)) return; /* a region the design needs is the fallback */
    if (strstr(p->regs, ",itar,")) {
        char key[32];
        snprintf(key, sizeof(key), "itar:%s", cloud_name_(p->cloud));
        for (size_t i = 0; i < an->a->n_hint; i++) {
            const struct hint *h = &an->a->hint[i];
            if (strcmp(h->kind, "region") != 0 || strcmp(h->token, key) != 0) continue;
            p->region = h->value;
            p->region_why = "ITAR: export-controlled data stays in US regions operated by US "
                            "persons";
            return;
        }
    }
    if (strstr(p->regs, ",gdpr,")) {
        p->region = first_region(an, an->a->cloud[p->cloud].region_eu);
        p->region_why = "GDPR: personal data stored and processed in the EU";
    }
}

/* SOX: the financial records in scope are kept seven years (hints.tsv design row). */
static void
sox_retention(struct analysis *an)
{
    struct profile *p = &an->p;
    if (!strstr(p->regs, ",sox,")) return;
    double days = 0;
    for (size_t i = 0; i < an->a->n_hint; i++)
        if (strcmp(an->a->hint[i].kind, "design") == 0 &&
            strcmp(an->a->hint[i].token, "sox_retention_days") == 0)
            days = strtod(an->a->hint[i].value, NULL);
    if (days <= 0 || p->retention_days >= days) return;
    if (p->o_retention != ORIGIN_ASSUMED) {
        question_(an, arena_printf_(&an->ar,
                                    "SOX records are normally kept seven years: does the stated "
                                    "%g-day retention cover the financial tables in scope, or "
                                    "only the other data?",
                                    p->retention_days));
        return;
    }
    p->retention_days = days;
    for (size_t i = 0; i < p->n_assumption; i++) {
        struct assumption *x = &p->assumption[i];
        if (strcmp(x->field, "retention_days") != 0) continue;
        x->value = arena_printf_(&an->ar, "%g", days);
        x->effect = "SOX: the financial records in scope are kept seven years, so storage is "
                    "sized for seven years of history";
    }
}

/* "multi-region", "active-active": a target above one region's, even when no figure is given. */
static void
availability_words(struct analysis *an)
{
    struct profile *p = &an->p;
    if (p->o_availability == ORIGIN_GIVEN) return; /* a stated figure wins over words */
    for (size_t i = 0; i < an->a->n_hint; i++) {
        const struct hint *h = &an->a->hint[i];
        if (h->kind[0] != 'a' || strcmp(h->kind, "availability") != 0) continue;
        if (!map_has_(p->ctx_map, h->token)) continue;
        double v = strtod(h->value, NULL);
        if (v <= p->availability) continue;
        p->availability = v;
        p->o_availability = ORIGIN_DERIVED;
        for (size_t j = 0; j < p->n_assumption; j++)
            if (strcmp(p->assumption[j].field, "availability_target") == 0) {
                p->assumption[j].value = h->value;
                p->assumption[j].effect = arena_printf_(
                    &an->ar, "the request asks for \"%s\": a second region", h->token);
            }
        return;
    }
}

long
existing_partitions_(const struct analysis *an)
{
    const char *text = an->p.ctx_lc;
    for (const char *q = strstr(text, " partitions"); q; q = strstr(q + 11, " partitions")) {
        const char *d = q;
        while (d > text && isdigit((unsigned char)d[-1])) d--;
        if (d == q || (d > text && isalnum((unsigned char)d[-1]))) continue;
        long n = strtol(d, NULL, 10);
        /* "has 40 partitions", "(40 partitions)": a count of a topic that runs, not a plan */
        if (n > 0 && n <= 100000) return n;
    }
    return 0;
}

void
request_build_(struct analysis *an)
{
    sox_retention(an);
    availability_words(an);
    const struct wordmap *map = an->p.ctx_map;
    kind_build(an, map);
    constraints_build(an, map);
    region_build(an);
}
