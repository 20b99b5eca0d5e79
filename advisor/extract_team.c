/* advisor/extract_team.c - the team's size from free text.
 *
 * Reads "team of 4", "the team is 5 people", "small team (3)", "Team: 5", "two data engineers
 * and one analyst" (every head count of the sentence), "it's just me". Prefers an unknown to a
 * guess: people the text counts as readers or as the company's size ("used by 40 analysts", "a
 * 12-person brand") are not the team, and a count over 50 needs a word of the team around it.
 * Never overwrites a known size. Pure: no I/O, no globals.
 */
#include "extract_int.h"

#include <math.h>
#include <string.h>

/* A head count at number token 'i' ("3 engineers", "two data engineers", "2 of us"): returns it
 * and the index after it in '*end', or 0. */
static double
head_count(const struct extract_lexicon *lex, const struct tokens *t, size_t i, size_t *end)
{
    const struct tok *k = &t->v[i];
    if (k->type != TOK_NUM || (k->numf & ~(NUMF_SPELLED | NUMF_APPROX)) || k->num < 1 ||
        k->num > 1000 || k->num != floor(k->num))
        return 0;
    size_t sa = k->sent_a, sb = k->sent_b, j = i + 1;
    int found = 0, cue = extract_in_sentence_(t, i, LEX_TEAM);
    if (extract_is_word_(t, j, "of") && extract_is_word_(t, j + 1, "us")) {
        found = 1, *end = j + 2; /* "2 of us" */
    } else {
        if (extract_is_word_(t, j, "of")) j++; /* "a couple of engineers" */
        for (size_t n = 0; j < sb && n <= 3; j++, n++) {
            if (extract_match_(lex, t, j, LEX_PERSON, end)) {
                found = 1;
                break;
            }
            if (t->v[j].type != TOK_WORD && !extract_is_sym_(t, j, '-')) break;
            if (extract_match_(lex, t, j, LEX_STOP, NULL)) break;
        }
    }
    if (!found) return 0;
    for (size_t p = i, n = 0; p-- > sa && n < 3; n++) {
        const struct lex_entry *e = extract_match_(lex, t, p, LEX_NOTTEAM, NULL);
        if (e && strcmp(e->label, "org") != 0) return 0; /* "used by 40 analysts" */
    }
    /* with no word of the team around, "40 analysts query it" are readers, not the team; "a
     * 12-person brand" is the company's size whatever is around */
    for (size_t p = *end, n = 0; p < sb && n < 3; p++, n++) {
        const struct lex_entry *e = extract_match_(lex, t, p, LEX_NOTTEAM, NULL);
        if (e && (!cue || strcmp(e->label, "org") == 0)) return 0;
    }
    if (!cue && k->num > 50) return 0;
    return k->num;
}

void
extract_team_(const struct extract_lexicon *lex, const struct tokens *t, struct requirement *req,
              struct extract_result *out)
{
    if (req_known(req->team_size)) return;
    /* "it's just me" says who does the work wherever a count of others stands */
    for (size_t i = 0; i < t->n; i++) {
        size_t end;
        const struct lex_entry *e = extract_match_(lex, t, i, LEX_TEAM, &end);
        if (e && strcmp(e->label, "size") == 0 && !extract_denied_(lex, t, i, 2)) {
            req->team_size = e->value;
            extract_note_add_(out, "team_size", t, i, end, 0, 0, NULL);
            return;
        }
    }
    for (size_t i = 0; i < t->n; i++) {
        size_t end, at = i;
        const struct lex_entry *e = extract_match_(lex, t, i, LEX_TEAM, &end);
        /* "team of 4", "the team is 5 people" */
        /* "small team (3)", "Team: 5": a bare number in brackets or after a colon */
        size_t num_at = end;
        if (e && end < t->n && (extract_is_sym_(t, end, '(') || extract_is_sym_(t, end, ':')))
            num_at = end + 1;
        int plain = e && end < t->n && t->v[end].type == TOK_NUM; /* "team 4 (c#, sql)" */
        int cued = e && (strcmp(e->label, "strong") == 0 || num_at > end || plain) &&
                   num_at < t->n && t->v[num_at].type == TOK_NUM &&
                   !(t->v[num_at].numf & ~NUMF_SPELLED) && t->v[num_at].num >= 1 &&
                   t->v[num_at].num <= 1000 && t->v[num_at].num == floor(t->v[num_at].num) &&
                   (num_at == end || !extract_is_sym_(t, end, '(') ||
                    extract_is_sym_(t, num_at + 1, ')'));
        if (cued) at = num_at;
        size_t n_end;
        double n = head_count(lex, t, at, &n_end);
        int bare = n <= 0 && cued; /* "Team: 5 (2 devs, 3 analysts)": the parts follow */
        if (bare) n = t->v[at].num, n_end = at + 1;
        if (n <= 0) continue;
        /* "Two data engineers and one analyst": every head count of the sentence */
        for (size_t j = n_end; !bare && j < t->v[at].sent_b; j++) {
            size_t e2;
            double more = head_count(lex, t, j, &e2);
            if (more > 0) n += more, n_end = e2, j = e2 - 1;
        }
        req->team_size = n;
        extract_note_add_(out, "team_size", t, i, n_end, 0, 0, NULL);
        return;
    }
}
