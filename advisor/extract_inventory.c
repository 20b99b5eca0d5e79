/* advisor/extract_inventory.c - what a migration moves, as the text counts it.
 *
 * Reads counts of the things a move carries ("~2,500 BTEQ scripts, ~300 informatica workflows",
 * "~1,400 hive queries, ~200 spark jobs in scala", "600 SSIS packages", "~600 tables") and the
 * data at rest ("80 TB compressed", "~370 TB of actual data") into notes "inventory[N]" whose
 * evidence is the phrase, so the report can list what the migration moves. The nouns and the
 * words that make a size data at rest are advisor/data/extract_cues.tsv 'inventory' rows.
 * Pure: no I/O, no globals.
 */
#include "extract_int.h"

#include <math.h>
#include <string.h>

#define MAX_INVENTORY 16
#define INVENTORY_WHY "what the migration moves"

/* The end of "N [word [word]] <item>" at number token 'i' ("2,500 BTEQ scripts"), or 0. */
static size_t
item_at(const struct extract_lexicon *lex, const struct tokens *t, size_t i)
{
    const struct tok *k = &t->v[i];
    if (k->num < 2 || k->num != floor(k->num)) return 0;
    for (size_t j = i + 1, n = 0; j < t->n && n < 3 && t->v[j].clause == k->clause; j++, n++) {
        size_t end;
        const struct lex_entry *e = extract_match_(lex, t, j, LEX_INVENTORY, &end);
        if (e && strcmp(e->label, "item") == 0) {
            /* "~200 spark jobs in scala": the language they are written in */
            if (extract_is_word_(t, end, "in") && end + 1 < t->n &&
                t->v[end + 1].type == TOK_WORD && t->v[end + 1].clause == k->clause &&
                extract_match_(lex, t, end + 1, LEX_SKILL, NULL))
                end += 2;
            return end;
        }
        if (t->v[j].type != TOK_WORD || extract_match_(lex, t, j, LEX_STOP, NULL) ||
            extract_match_(lex, t, j, LEX_PERSON, NULL))
            return 0;
    }
    return 0;
}

/* The end of "N <size> <at rest>" at number token 'i' ("80 TB compressed"), or 0: a size with
 * no period after it. */
static size_t
stored_at(const struct extract_lexicon *lex, const struct tokens *t, size_t i)
{
    size_t u, end;
    if (!extract_match_(lex, t, i + 1, LEX_SIZE, &u)) return 0;
    const struct lex_entry *e = extract_match_(lex, t, u, LEX_INVENTORY, &end);
    if (e == NULL || strcmp(e->label, "stored") != 0) return 0;
    double sec;
    size_t pend;
    if (extract_is_sym_(t, u, '/') || extract_period_(lex, t, end, &sec, &pend)) return 0;
    return end;
}

void
extract_inventory_(const struct extract_lexicon *lex, const struct tokens *t,
                   struct extract_result *out)
{
    size_t n = 0;
    for (size_t i = 0; i < out->n_notes; i++)
        if (strncmp(out->notes[i].field, "inventory[", 10) == 0) n++;
    for (size_t i = 0; i < t->n && n < MAX_INVENTORY; i++) {
        const struct tok *k = &t->v[i];
        if (k->type != TOK_NUM || (k->numf & (NUMF_MONEY | NUMF_PERCENT)) || k->num <= 0) continue;
        size_t end = item_at(lex, t, i);
        if (end == 0) end = stored_at(lex, t, i);
        if (end == 0) continue;
        char field[32];
        extract_field_(field, sizeof(field), "inventory", n++, "");
        extract_note_add_(out, field, t, i, end, 0, 0, INVENTORY_WHY);
        i = end - 1;
    }
}
