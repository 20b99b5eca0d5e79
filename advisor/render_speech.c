/* advisor/render_speech.c - the audio script: the report said in under a minute.
 */
#include "render_int.h"

#include <math.h>
#include <string.h>
#include <strings.h>

/* ---- audio ---------------------------------------------------------------------------------- */

/* The audio script is heard once, at speaking pace, by someone who cannot look back: the
 * recommendation comes first, each sentence carries one fact, product names lose their details,
 * and only a handful of rounded numbers remain (freshness, cost, budget or capacity). Measured by
 * tests/speech/listen (docs/speech.md): sentences of this kind are what a recogniser, and a
 * person, hears best. The text keeps digits and symbols; speech_normalise() says them. */

/* Words after which a long catalog name only adds configuration: "Cloud Run workers on a Pub/Sub
 * push subscription". */
static const char *const ear_links[] = {" with ", " over ", " on ", " into ", " via ", " using ",
                                        " uploading ", " delivering ", " writing ", " pulling ",
                                        " from ", " in "};

/* Length of the part of 's' worth saying: up to the first bracket or clause mark, then, when that
 * is more than 'keep_words' words, up to the first linking word that follows at least one word
 * ("Apache Spark on Amazon EMR" is short enough to say whole). */
static size_t
ear_len(const char *s, const char *marks, size_t keep_words)
{
    size_t n = strcspn(s, marks);
    size_t words = 1;
    for (size_t i = 0; i < n; i++) words += s[i] == ' ';
    for (size_t i = 0; words > keep_words && i < PW_ARRAY_LEN(ear_links); i++) {
        const char *hit = strstr(s, ear_links[i]);
        if (hit && hit > s && (size_t)(hit - s) < n) n = (size_t)(hit - s);
    }
    while (n && s[n - 1] == ' ') n--;
    return n;
}

/* Appends 's[0..n)' with its first letter lower-cased, unless the first word is a name with
 * more capitals ("GDPR", "ClickHouse"). */
static void
put_lower_first(struct buf *b, const char *s, size_t n)
{
    size_t w = 1;
    while (w < n && s[w] >= 'a' && s[w] <= 'z') w++;
    int more_capitals = w < n && s[w] >= 'A' && s[w] <= 'Z';
    if (n >= 2 && s[0] >= 'A' && s[0] <= 'Z' && w > 1 && !more_capitals) {
        buf_putc(b, (char)(s[0] - 'A' + 'a'));
        s++;
        n--;
    }
    buf_append(b, s, n);
}

/* Appends 's[0..n)' without its parenthesised asides ("(see the assumptions)"): said aloud, a
 * bracket is only a pause, and the aside breaks the sentence in two. */
static void
put_unbracketed(struct buf *b, const char *s, size_t n)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '(') {
            depth++;
            while (b->len && b->data[b->len - 1] == ' ') b->data[--b->len] = '\0';
        } else if (s[i] == ')' && depth) {
            depth--;
        } else if (!depth) {
            buf_putc(b, s[i]);
        }
    }
}

/* The product, said short: "Azure Data Factory with a self-hosted integration runtime" is
 * "Azure Data Factory", "Amazon S3 data lake" is "Amazon S3", "Azure Data Lake Storage Gen2" is
 * "Azure Data Lake Storage". */
static void
put_ear_name(struct buf *b, const char *name)
{
    static const char *const generic[] = {" data lake", " cluster", " Gen2"};
    size_t n = ear_len(name, "(;:,", 6);
    if (n == 0) n = strlen(name);
    for (size_t i = 0; i < PW_ARRAY_LEN(generic); i++) {
        size_t g = strlen(generic[i]);
        if (n > g && strncmp(name + n - g, generic[i], g) == 0) n -= g;
    }
    buf_append(b, name, n);
}

/* Money the user gave: said as written when it is a round figure, else about two figures. */
static void
put_ear_budget(struct buf *b, double v)
{
    double p = 1;
    while (v / p >= 100) p *= 10;
    if (v >= 10 && round(v / p) * p == v) {
        put_grouped_(b, v);
        buf_puts(b, " dollars");
    } else {
        spoken_usd_(b, v);
    }
}

/* The project's title, said short: before a colon unless that part is a single word
 * ("Informal: podcast download counts" is "podcast download counts"), without the cloud or the
 * figures that follow a linking word, at most eight words. */
static void
put_ear_title(struct buf *b, const char *title)
{
    const char *t = title;
    size_t colon = strcspn(t, ":");
    if (t[colon] == ':' && memchr(t, ' ', colon) == NULL) t += colon + 1;
    while (*t == ' ') t++;
    size_t n = ear_len(t, ":;,(", 0);
    size_t words = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == ' ' && ++words == 8) {
            n = i;
            break;
        }
    }
    if (n == 0) {
        buf_puts(b, "this project");
        return;
    }
    if (strncasecmp(t, "the ", 4) != 0 && strncasecmp(t, "a ", 2) != 0 &&
        strncasecmp(t, "an ", 3) != 0)
        buf_puts(b, "the ");
    put_lower_first(b, t, n);
}

/* A source's name as words: "wire_agency_feeds" is "wire agency feeds", at most six words. */
static void
put_ear_source(struct buf *b, const char *name)
{
    size_t words = 0;
    for (const char *q = name; *q; q++) {
        char ch = (*q == '_' || *q == '-') ? ' ' : *q;
        if (ch == ' ' && ++words == 6) break;
        buf_putc(b, ch);
    }
}

/* Words that cannot end a spoken clause: a cut after them leaves the sentence hanging. */
static int
weak_word(const char *w, size_t n)
{
    static const char *const weak[] = {"a", "an", "the", "and", "or", "with", "of", "to", "as",
                                       "by", "for", "in", "on", "at", "from", "per", "no"};
    for (size_t i = 0; i < PW_ARRAY_LEN(weak); i++)
        if (strlen(weak[i]) == n && strncasecmp(w, weak[i], n) == 0) return 1;
    return 0;
}

/* The first clause of a catalog entry's reason, what the listener should remember about the
 * choice: up to a semicolon, colon or bracket, or the first comma after five words, at most
 * ten words, never ending on a word like "the". */
static void
put_ear_reason(struct buf *b, const char *why)
{
    size_t n = strcspn(why, ";:(");
    size_t words = 0;
    for (size_t i = 0; i < n; i++) {
        if (why[i] == ',' && words >= 4) {
            n = i;
            break;
        }
        if (why[i] == ' ' && ++words == 10) {
            n = i;
            break;
        }
    }
    for (;;) {
        while (n && (why[n - 1] == ' ' || why[n - 1] == ',')) n--;
        size_t start = n;
        while (start && why[start - 1] != ' ') start--;
        if (start == 0 || !weak_word(why + start, n - start)) break;
        n = start;
    }
    put_lower_first(b, why, n);
}

void
audio_script_(struct analysis *an, struct buf *b)
{
    const struct profile *p = &an->p;
    const struct costing *c = &an->cost;

    /* The recommendation first, with the freshness that decided the mode. */
    static const char *const mode_said[MODE_COUNT] = {"batch processing", "micro-batches",
                                                      "streaming"};
    buf_puts(b, "For ");
    put_ear_title(b, p->title);
    buf_fmt_(b, ", we recommend %s %s%s, fresh %s", mode_said[an->mode],
               an->p.cloud == CLOUD_ON_PREM ? "" : "on ", cloud_info_(an)->name,
               p->freshness_s < 1 ? "in " : "within ");
    spoken_duration_(b, p->freshness_s);
    buf_puts(b, ". ");

    /* Then the path of the data, one step a sentence, in the listener's own names: what a
     * source is called says which design this is. */
    const struct decision *ing = decision_find_(an, "ingestion");
    size_t nsrc = p->n_src < 3 ? p->n_src : 3;
    buf_puts(b, "The data comes in");
    for (size_t i = 0; i < nsrc; i++) {
        buf_puts(b, i == 0 ? " from the " : i + 1 < nsrc || p->n_src > 3 ? ", the " : " and the ");
        put_ear_source(b, p->src[i].name);
    }
    if (p->n_src > 3) buf_puts(b, " and more");
    if (ing) {
        buf_puts(b, nsrc ? ", through " : " through ");
        put_ear_name(b, ing->choice);
        if (ing->t && ing->t->why && *ing->t->why) {
            buf_puts(b, ": ");
            put_ear_reason(b, ing->t->why);
        }
    }
    buf_puts(b, ". ");
    const struct decision *sp = decision_find_(an, "stream_processing");
    const struct decision *tr = decision_find_(an, "transformation");
    const struct decision *work = sp ? sp : tr;
    if (work) {
        buf_puts(b, sp ? "It is processed in " : "It is transformed in ");
        put_ear_name(b, work->choice);
        if (work->t && work->t->why && *work->t->why) {
            buf_puts(b, ": ");
            put_ear_reason(b, work->t->why);
        }
        buf_puts(b, ". ");
    }
    buf_puts(b, "It is kept in ");
    put_ear_name(b, choice_or_(an, "storage", "object storage"));
    const struct decision *wh = decision_find_(an, "warehouse");
    if (wh) {
        buf_puts(b, " and queried in ");
        put_ear_name(b, wh->choice);
        if (wh->t && wh->t->why && *wh->t->why) {
            buf_puts(b, ": ");
            put_ear_reason(b, wh->t->why);
        }
    }
    buf_puts(b, ". ");

    /* The money, rounded the way people say it; the estimate is for the twelfth month. */
    if (c->priced) {
        size_t at = b->len;
        spoken_usd_(b, c->monthly);
        if (b->data[at] >= 'a' && b->data[at] <= 'z') b->data[at] = (char)(b->data[at] - 32);
        buf_puts(b, " a month");
        if (c->within == 1) {
            buf_puts(b, ", within your budget. ");
        } else if (c->within == 0) {
            buf_puts(b, ", over your budget of ");
            put_ear_budget(b, p->budget);
            buf_puts(b, c->best_case <= p->budget ? ". The savings levers close the gap. "
                                                  : ". Even the savings levers do not close "
                                                    "the gap. ");
        } else {
            buf_puts(b, ". ");
        }
    } else if (p->cloud == CLOUD_ON_PREM) {
        buf_puts(b, "It runs on your own hardware, so there is no cloud bill. ");
        if (p->retention_days >= 1 && an->sz.steady_gb > 0) {
            /* Growth a year is what a hardware plan buys; the total at full retention is
             * mostly tape and is in the report. */
            buf_puts(b, "Plan for about ");
            put_bytes_(b, an->sz.steady_gb / p->retention_days * 365, 1);
            buf_puts(b, " of new data a year. ");
        }
    }

    /* The one risk to remember and its remedy. */
    if (an->n_risk) {
        const char *risk = expand_str_(an, an->risk[0]->text);
        const char *mit = expand_str_(an, an->risk[0]->mitigation);
        /* The risk's first clause names it; the rest is in the report. */
        size_t rn = strcspn(risk, ",;(");
        const char *and = strstr(risk, " and ");
        size_t words = 0;
        for (const char *q = risk; and && q < and; q++) words += *q == ' ';
        if (and && words >= 3 && (size_t)(and - risk) < rn) rn = (size_t)(and - risk);
        buf_puts(b, "Watch out: ");
        put_unbracketed(b, risk, rn);
        while (b->len && b->data[b->len - 1] == ' ') b->data[--b->len] = '\0';
        buf_puts(b, ". ");
        buf_append(b, mit, strcspn(mit, ",;("));
        buf_puts(b, ". ");
    }
    /* A step every plan starts with ("always" in steps.tsv: the landing zone) tells this
     * listener nothing; a first step particular to this project (confirm the assumed figures)
     * is said. */
    if (an->n_step && strcmp(an->step[0]->when, "always") != 0) {
        const char *st = expand_str_(an, an->step[0]->text);
        buf_puts(b, "First, ");
        put_lower_first(b, st, strcspn(st, ":;,("));
        buf_puts(b, ".");
    }

    /* The recommendation again, in one breath: a listener who missed a name gets it twice. */
    buf_fmt_(b, "Again: %s %s%s", mode_said[an->mode],
               an->p.cloud == CLOUD_ON_PREM ? "" : "on ", cloud_info_(an)->name);
    if (work) {
        buf_puts(b, ", with ");
        put_ear_name(b, work->choice);
    }
    if (wh) {
        buf_puts(b, work ? " and " : ", with ");
        put_ear_name(b, wh->choice);
    }
    buf_puts(b, ".");
}

