/* advisor/extract_note.c - the extractor's notes, questions and number formatting.
 *
 * Every value the extractor sets is noted with the words it came from (runs of white space as
 * one space, at most MAX_EVIDENCE bytes each, never cut inside a UTF-8 sequence) and, when it was
 * worked out, why. Pure: no I/O, no globals.
 */
#include "extract_int.h"

#include <stdio.h>
#include <string.h>

#include "xalloc.h"

#define MAX_EVIDENCE 200

/* Appends the text of tokens [a, bnd) to 'out' (length '*len', at most MAX_EVIDENCE bytes),
 * runs of white space as one space. */
static void
evidence_append(char *out, size_t *len, const struct tokens *t, size_t a, size_t bnd)
{
    if (a >= bnd || bnd > t->n) return;
    const char *s = t->text + t->v[a].off, *e = t->text + t->v[bnd - 1].end;
    size_t n = *len;
    int space = 0;
    for (; s < e && n < MAX_EVIDENCE; s++) {
        char c = *s;
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = 1;
            continue;
        }
        if (space && n && n + 1 < MAX_EVIDENCE) out[n++] = ' ';
        space = 0;
        out[n++] = c;
    }
    /* never end inside a UTF-8 sequence */
    if (s < e) {
        while (n && ((unsigned char)out[n - 1] & 0xC0) == 0x80) n--;
        if (n && (unsigned char)out[n - 1] >= 0xC0) n--;
    }
    *len = n;
}

void
extract_note_add_(struct extract_result *out, const char *field, const struct tokens *t, size_t a,
                  size_t b, size_t a2, size_t b2, const char *why)
{
    char ev[2 * MAX_EVIDENCE + 8];
    size_t len = 0;
    evidence_append(ev, &len, t, a, b);
    if (a2 < b2) {
        if (len) memcpy(ev + len, " ... ", 5), len += 5;
        size_t more = 0;
        evidence_append(ev + len, &more, t, a2, b2);
        len += more;
    }
    ev[len] = '\0';
    if (out->n_notes == out->cap_notes) {
        out->cap_notes = out->cap_notes ? 2 * out->cap_notes : 32;
        out->notes = xrealloc(out->notes, out->cap_notes * sizeof(*out->notes));
    }
    struct extract_note *n = &out->notes[out->n_notes++];
    n->field = xstrdup(field);
    n->evidence = xstrndup(ev, len);
    n->why = xstrdup(why);
}

/* Writes 'v' with thousands separators and at most 'dec' decimals ("15,000", "1.1378"). */
void
extract_fmt_num_(char *out, size_t cap, double v, int dec)
{
    char raw[64];
    snprintf(raw, sizeof(raw), "%.*f", dec, v);
    char *dot = strchr(raw, '.');
    if (dot) { /* drop trailing zeros of the decimals */
        char *e = raw + strlen(raw);
        while (e > dot + 1 && e[-1] == '0') *--e = '\0';
        if (e == dot + 1) *dot = '\0';
    }
    size_t int_len = dot && *dot ? (size_t)(dot - raw) : strlen(raw), n = 0;
    for (size_t i = 0; raw[i] && n + 1 < cap; i++) {
        if (i > 0 && i < int_len && (int_len - i) % 3 == 0 && raw[0] != '-') out[n++] = ',';
        if (n + 1 < cap) out[n++] = raw[i];
    }
    out[n] = '\0';
}

void
extract_question_(struct extract_result *out, const char *text)
{
    for (size_t i = 0; i < out->n_questions; i++)
        if (strcmp(out->questions[i], text) == 0) return;
    if (out->n_questions == out->cap_questions) {
        out->cap_questions = out->cap_questions ? 2 * out->cap_questions : 4;
        out->questions = xrealloc(out->questions, out->cap_questions * sizeof(*out->questions));
    }
    out->questions[out->n_questions++] = xstrdup(text);
}

void
extract_field_(char *out, size_t cap, const char *prefix, size_t idx, const char *suffix)
{
    char digits[24];
    size_t nd = 0, n = 0;
    do {
        digits[nd++] = (char)('0' + idx % 10);
        idx /= 10;
    } while (idx && nd < sizeof(digits));
    for (const char *p = prefix; *p && n + 1 < cap; p++) out[n++] = *p;
    if (n + 1 < cap) out[n++] = '[';
    while (nd && n + 1 < cap) out[n++] = digits[--nd];
    if (n + 1 < cap) out[n++] = ']';
    for (const char *p = suffix; *p && n + 1 < cap; p++) out[n++] = *p;
    out[n] = '\0';
}
