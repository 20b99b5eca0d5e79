/* advisor/render_speech.c - the audio script: the report said in under a minute.
 *
 * Built from this request's own facts, one a sentence: what was asked (volume, freshness, the
 * kind of work), what we recommend and the one reason that decided it, what already runs, the
 * money against the budget, the main risk and its remedy, the first question to answer and the
 * skills the team lacks. Sentences are only said when they carry something; numbers are said
 * whole (a clause is never cut inside "3,650"), with units plural where they should be.
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
static const char *const ear_links[] = {" with ",    " over ",    " on ",        " into ",
                                        " via ",     " using ",   " uploading ", " delivering ",
                                        " writing ", " pulling ", " from ",      " in "};

/* Length of the first clause of 's': up to one of 'marks', but a comma inside a number
 * ("3,650") does not end it. */
static size_t
clause_len(const char *s, const char *marks)
{
    size_t n = 0;
    for (;;) {
        n += strcspn(s + n, marks);
        if (s[n] == ',' && n > 0 && s[n - 1] >= '0' && s[n - 1] <= '9' && s[n + 1] >= '0' &&
            s[n + 1] <= '9') {
            n++;
            continue;
        }
        return n;
    }
}

/* Length of the part of 's' worth saying: up to the first bracket or clause mark, then, when that
 * is more than 'keep_words' words, up to the first linking word that follows at least one word
 * ("Apache Spark on Amazon EMR" is short enough to say whole). */
static size_t
ear_len(const char *s, const char *marks, size_t keep_words)
{
    size_t n = clause_len(s, marks);
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
    int article = w == 1 && n >= 2 && s[0] == 'A' && s[1] == ' ';
    if (n >= 2 && s[0] >= 'A' && s[0] <= 'Z' && (article || (w > 1 && !more_capitals))) {
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
    /* A description, not a name ("Producers write directly...", "Existing ingestion kept"):
     * its first word is capitalised and its second is not; said mid-sentence in lower case. */
    size_t w = strcspn(name, " ");
    int described = w < n && name[w + 1] >= 'a' && name[w + 1] <= 'z' && name[0] >= 'A' &&
                    name[0] <= 'Z' && w > 1 && name[1] >= 'a' && name[1] <= 'z';
    if (described) {
        buf_putc(b, (char)(name[0] - 'A' + 'a'));
        buf_append(b, name + 1, n - 1);
    } else {
        buf_append(b, name, n);
    }
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

/* Words that cannot end a spoken clause: a cut after them leaves the sentence hanging. */
static int
weak_word(const char *w, size_t n)
{
    static const char *const weak[] = {"a",  "an",  "the", "and", "or", "with", "of",  "to", "as",
                                       "by", "for", "in",  "on",  "at", "from", "per", "no"};
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
        if (why[i] == ',' && why[i + 1] == ' ' && words >= 4) {
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


static void
put_trimmed(struct buf *b, const char *s, size_t n, int lower)
{
    while (n && s[n - 1] == ' ') n--;
    if (lower) put_lower_first(b, s, n);
    else
        put_unbracketed(b, s, n);
}

/* What was asked: "The warehouse scans: about 104 gigabytes a day from one source, needed
 * within 30 seconds." */
static void
say_request(struct analysis *an, struct buf *b)
{
    const struct profile *p = &an->p;
    static const char *const count[] = {"no source", "one source", "two sources", "three sources"};
    size_t at = b->len;
    if (p->title && p->title[0]) put_ear_title(b, p->title);
    else
        buf_puts(b, "your request");
    if (b->data[at] >= 'a' && b->data[at] <= 'z') b->data[at] = (char)(b->data[at] - 32);
    buf_puts(b, ": about ");
    put_bytes_(b, p->total.gb_day, 1);
    buf_puts(b, " a day from ");
    if (p->n_src < 4) buf_puts(b, count[p->n_src]);
    else
        buf_fmt_(b, "%zu sources", p->n_src);
    if (p->freshness_s >= 86400) buf_puts(b, ", needed once a day. ");
    else {
        buf_puts(b, ", needed within ");
        spoken_duration_(b, p->freshness_s);
        buf_puts(b, ". ");
    }
    if (p->kind != KIND_GREENFIELD) buf_fmt_(b, "This is a %s. ", kind_words_(p->kind));
}

/* What we recommend and the reason that decided the main engine. */
static void
say_design(struct analysis *an, struct buf *b, const struct decision *work,
           const struct decision *wh)
{
    static const char *const mode_said[MODE_COUNT] = {"batch processing", "micro-batches",
                                                      "streaming"};
    const struct decision *ing = decision_find_(an, "ingestion");
    buf_fmt_(b, "We recommend %s %s%s", mode_said[an->mode],
             an->p.cloud == CLOUD_ON_PREM ? "" : "on ", cloud_info_(an)->name);
    const char *sep = ", with the data ";
    if (ing) {
        buf_puts(b, sep);
        buf_puts(b, "brought in by ");
        put_ear_name(b, ing->choice);
        sep = ", ";
    }
    if (work) {
        buf_puts(b, wh ? sep : ing ? " and " : sep);
        buf_puts(b, work->area[0] == 's' ? "processed in " : "modelled in ");
        put_ear_name(b, work->choice);
        sep = ", ";
    }
    if (wh) {
        buf_puts(b, ing || work ? " and " : sep);
        buf_puts(b, "queried in ");
        put_ear_name(b, wh->choice);
    }
    buf_puts(b, ". ");
    if (work && work->t && work->t->why && *work->t->why) {
        put_ear_name(b, work->choice);
        buf_puts(b, work->reused ? " already runs here, and it fits: " : " was chosen for this: ");
        put_ear_reason(b, work->t->why);
        buf_puts(b, ". ");
    }
    size_t reused = 0;
    for (size_t i = 0; i < an->n_dec; i++)
        reused += an->dec[i].reused && an->dec[i].t && &an->dec[i] != work;
    if (reused)
        buf_fmt_(b, "%s%s of the chosen tools already run%s here and stay as they are. ",
                 reused == 1   ? "One"
                 : reused == 2 ? "Two"
                 : reused == 3 ? "Three"
                               : "Several",
                 work && work->reused ? " more" : "", reused == 1 ? "s" : "");
}

/* The money, rounded the way people say it, against the budget. */
static void
say_cost(struct analysis *an, struct buf *b)
{
    const struct profile *p = &an->p;
    const struct costing *c = &an->cost;
    if (c->priced) {
        buf_puts(b, "Expect ");
        spoken_usd_(b, c->monthly);
        buf_puts(b, " a month");
        if (c->within == 1) {
            buf_puts(b, ", inside your budget of ");
            put_ear_budget(b, p->budget);
            buf_puts(b, ". ");
        } else if (c->within == 0) {
            buf_puts(b, ", over your budget of ");
            put_ear_budget(b, p->budget);
            buf_puts(b, c->best_case <= p->budget
                            ? ". The savings in the report close the gap. "
                            : ". Because the budget cannot be met even with every saving, the "
                              "report says what a smaller design gives up. ");
        } else {
            buf_puts(b, ". ");
        }
    } else if (p->cloud == CLOUD_ON_PREM) {
        buf_puts(b, "It runs on your own hardware, so there is no cloud bill. ");
        if (p->retention_days >= 1 && an->sz.steady_gb > 0) {
            buf_puts(b, "Plan for about ");
            put_bytes_(b, an->sz.steady_gb / p->retention_days * 365, 1);
            buf_puts(b, " of new data a year. ");
        }
    }
}

static void
say_risk(struct analysis *an, struct buf *b)
{
    /* an over-budget risk was said with the money: the next one is news */
    size_t k = 0;
    while (k < an->n_risk && an->cost.within == 0 && strstr(an->risk[k]->when, "over_budget")) k++;
    if (k == an->n_risk) return;
    const char *risk = expand_str_(an, an->risk[k]->text);
    const char *mit = expand_str_(an, an->risk[k]->mitigation);
    size_t rn = clause_len(risk, ",;(");
    const char *and = strstr(risk, " and ");
    size_t words = 0;
    for (const char *q = risk; and&&q < and; q++) words += *q == ' ';
    if (and&&words >= 3 && (size_t)(and-risk) < rn) rn = (size_t)(and-risk);
    buf_puts(b, "The main risk: ");
    put_trimmed(b, risk, rn, 1);
    buf_puts(b, ". The remedy: ");
    put_trimmed(b, mit, clause_len(mit, ",;("), 1);
    buf_puts(b, ". ");
}

/* Words in the script so far (spaces, as the ear counts them). */
static size_t
words_in(const struct buf *b, const char *s)
{
    size_t w = 0;
    const char *p = s ? s : b->data;
    size_t n = s ? strlen(s) : b->len;
    for (size_t i = 0; i < n; i++) w += p[i] == ' ';
    return w;
}

/* At the default voice's 145 words a minute with its pauses, about 125 words is a minute: the
 * optional parts (the skills gap, the first question, the recap) are said only while they fit. */
#define SCRIPT_WORDS_MAX 125

void
audio_script_(struct analysis *an, struct buf *b)
{
    const struct decision *sp = decision_find_(an, "stream_processing");
    const struct decision *tr = decision_find_(an, "transformation");
    const struct decision *work = sp ? sp : tr;
    const struct decision *wh = decision_find_(an, "warehouse");
    say_request(an, b);
    say_design(an, b, work, wh);
    say_cost(an, b);
    say_risk(an, b);
    const char *gap[4];
    size_t ng = skills_gaps_(an, gap, PW_ARRAY_LEN(gap));
    if (ng && words_in(b, NULL) + 16 <= SCRIPT_WORDS_MAX) {
        buf_puts(b, "Your team has not listed the skills for ");
        put_ear_name(b, gap[0]);
        buf_puts(b, ", so plan training or a partner. ");
    }
    const char *q[ADVISOR_MAX_QUESTIONS * 2];
    size_t nq = questions_(an, q, PW_ARRAY_LEN(q));
    if (nq && words_in(b, NULL) + words_in(NULL, q[0]) + 12 <= SCRIPT_WORDS_MAX) {
        if (nq == 1) buf_puts(b, "Before committing, please answer one question. ");
        else
            buf_fmt_(b,
                     "Before committing, please answer %zu questions, starting with this "
                     "one. ",
                     nq);
        buf_puts(b, q[0]);
        if (b->len && b->data[b->len - 1] != '?' && b->data[b->len - 1] != '.') buf_putc(b, '.');
        buf_putc(b, ' ');
    } else if (!nq && an->n_step && !generic_rule_(an->step[0]->when)) {
        const char *st = expand_str_(an, an->step[0]->text);
        buf_puts(b, "The first step: ");
        put_trimmed(b, st, clause_len(st, ":;,("), 1);
        buf_puts(b, ". ");
    }
    /* The recommendation once more, in one breath, when the script leaves room for it. */
    if (words_in(b, NULL) > 100) {
        while (b->len && b->data[b->len - 1] == ' ') b->data[--b->len] = '\0';
        return;
    }
    buf_fmt_(b, "In short: %s on %s",
             an->mode == MODE_STREAMING     ? "streaming"
             : an->mode == MODE_MICRO_BATCH ? "micro-batches"
                                            : "batch",
             cloud_info_(an)->name);
    size_t at = b->len;
    if (work) {
        buf_puts(b, ", with ");
        put_ear_name(b, work->choice);
    }
    if (wh) {
        struct buf n;
        buf_init(&n);
        put_ear_name(&n, wh->choice);
        /* "Amazon Athena SQL and Amazon Athena" says one product twice */
        if (!work || strstr(b->data + at, n.data) == NULL) {
            buf_puts(b, work ? " and " : ", with ");
            buf_puts(b, n.data);
        }
        buf_fini(&n);
    }
    buf_puts(b, ".");
}
