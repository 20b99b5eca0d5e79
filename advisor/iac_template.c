/* advisor/iac_template.c - load and check the Terraform templates (advisor/data/iac_*.tf).
 *
 * Owns the template language iac.c writes from: HCL lines, '%#' notes, '%if COND' .. '%else' ..
 * '%end' parts (COND in the condition language of risks.tsv, with tech:<catalog id> and
 * unit:<catalog id>), and {field}s filled by expand_() ({tf_*} are iac.c's). Refuses, with
 * file:line, a condition or field it does not know, a catalog id the catalog lacks, an unknown
 * directive, and '%if' parts or blocks left open; so a template that loads names only what
 * exists. Pure: the templates are read from the embedded data, once, when the advisor loads.
 */
#include "advisor_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "xalloc.h"

/* One per enum cloud up to Azure; on premises and any other platform share the last. */
static const char *const template_path[ADVISOR_IAC_TEMPLATES] = {"advisor/data/iac_aws.tf",
                                                                 "advisor/data/iac_gcp.tf",
                                                                 "advisor/data/iac_azure.tf",
                                                                 "advisor/data/iac_s3.tf"};

size_t
iac_template_of_(enum cloud c)
{
    switch (c) {
    case CLOUD_AWS:
        return 0;
    case CLOUD_GCP:
        return 1;
    case CLOUD_AZURE:
        return 2;
    default:
        return 3;
    }
}

static int bad(char *err, size_t err_size, const char *path, size_t lineno, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
bad(char *err, size_t err_size, const char *path, size_t lineno, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (err && err_size) snprintf(err, err_size, "%s:%zu: %s", path, lineno, what);
    return -1;
}

/* Every tech:<id> and unit:<id> atom of 'expr' names a catalog row; else the first that does
 * not, in 'id'. */
static int
cond_ids_known(const struct advisor *a, const char *expr, char *id, size_t id_size)
{
    for (const char *s = expr; *s;) {
        size_t n = strcspn(s, ",|");
        const char *w = s[0] == '!' ? s + 1 : s;
        size_t wn = n - (size_t)(w - s);
        if (wn > 5 && (strncmp(w, "tech:", 5) == 0 || strncmp(w, "unit:", 5) == 0)) {
            snprintf(id, id_size, "%.*s", (int)(wn - 5), w + 5);
            if (wn - 5 >= id_size || tech_find_(a, id) == NULL) return 0;
        }
        s += n;
        if (*s) s++;
    }
    return 1;
}

/* Checks the {fields} of text line 's' (a '{' after '$' is Terraform's own, and "{}" or a block's
 * '{' is HCL); returns 1 when it has any, 0 when none, -1 (with 'err') when one is unknown. */
static int
line_fields(const struct advisor *a, const char *s, const char *path, size_t lineno, char *err,
            size_t err_size)
{
    int any = 0;
    for (const char *o = strchr(s, '{'); o; o = strchr(o + 1, '{')) {
        if (o > s && o[-1] == '$') continue;
        size_t n = strspn(o + 1, "abcdefghijklmnopqrstuvwxyz0123456789_:|");
        if (n == 0 || o[1 + n] != '}') continue;
        char id[64];
        int known = expand_known_(a, o + 1, n, id, sizeof(id));
        if (known == 0)
            return bad(err, err_size, path, lineno, "unknown field {%.*s}", (int)n, o + 1);
        if (known < 0)
            return bad(err, err_size, path, lineno, "unknown catalog id '%s' in {%.*s}", id, (int)n,
                       o + 1);
        any = 1;
    }
    return any;
}

/* The parse of one template: '%if' depth, and the block depth at each open '%if'. */
struct parse {
    size_t depth, blocks, blocks_at[IAC_MAX_DEPTH + 1];
    int has_else[IAC_MAX_DEPTH + 1];
};

/* A '%' line at 'lineno' into 'l'; 0, or -1 with 'err'. */
static int
directive(const struct advisor *a, struct parse *ps, char *s, struct iac_line *l, const char *path,
          size_t lineno, char *err, size_t err_size)
{
    char id[64];
    if (strncmp(s, "%if ", 4) == 0) {
        l->op = IAC_IF;
        l->text = s + 4;
        if (cond_check_(l->text) != 0)
            return bad(err, err_size, path, lineno, "unknown condition '%s'", l->text);
        if (!cond_ids_known(a, l->text, id, sizeof(id)))
            return bad(err, err_size, path, lineno, "unknown catalog id '%s'", id);
        if (ps->depth == IAC_MAX_DEPTH)
            return bad(err, err_size, path, lineno, "%%if nested deeper than %d", IAC_MAX_DEPTH);
        ps->depth++;
        ps->blocks_at[ps->depth] = ps->blocks;
        ps->has_else[ps->depth] = 0;
        return 0;
    }
    int is_else = strcmp(s, "%else") == 0;
    if (!is_else && strcmp(s, "%end") != 0)
        return bad(err, err_size, path, lineno, "unknown directive '%s'", s);
    if (ps->depth == 0 || (is_else && ps->has_else[ps->depth]))
        return bad(err, err_size, path, lineno, "'%s' without its %%if", s);
    if (ps->blocks != ps->blocks_at[ps->depth])
        return bad(err, err_size, path, lineno, "a block opened in this %%if part is not closed");
    l->op = is_else ? IAC_ELSE : IAC_END;
    if (is_else) ps->has_else[ps->depth] = 1;
    else
        ps->depth--;
    return 0;
}

/* An HCL line at 'lineno' into 'l' (its indent dropped); 0, or -1 with 'err'. */
static int
text_line(const struct advisor *a, struct parse *ps, char *s, struct iac_line *l, const char *path,
          size_t lineno, char *err, size_t err_size)
{
    while (*s == ' ') s++;
    l->op = IAC_TEXT;
    l->text = s;
    l->len = strlen(s);
    int f = line_fields(a, s, path, lineno, err, err_size);
    if (f < 0) return -1;
    l->fields = f;
    if (l->len && s[l->len - 1] == '{') ps->blocks++;
    if (strcmp(s, "}") == 0) {
        if (ps->blocks == ps->blocks_at[ps->depth])
            return bad(err, err_size, path, lineno, "'}' closes no block");
        ps->blocks--;
    }
    return 0;
}

int
iac_template_parse_(const struct advisor *a, struct iac_template *tp, const char *path,
                    const char *text, size_t len, char *err, size_t err_size)
{
    memset(tp, 0, sizeof(*tp));
    tp->mem = xstrndup(text, len);
    size_t cap = 0, lineno = 0;
    struct parse ps = {0};
    for (char *s = tp->mem, *next; s && *s; s = next) {
        next = strchr(s, '\n');
        if (next) *next++ = '\0';
        lineno++;
        size_t n = strlen(s);
        while (n && (s[n - 1] == '\r' || s[n - 1] == ' ')) s[--n] = '\0';
        if (strncmp(s, "%#", 2) == 0) continue;
        if (tp->n == cap) {
            cap = cap ? 2 * cap : 64;
            tp->line = xrealloc(tp->line, cap * sizeof(*tp->line));
        }
        struct iac_line *l = &tp->line[tp->n++];
        memset(l, 0, sizeof(*l));
        int rc = s[0] == '%' ? directive(a, &ps, s, l, path, lineno, err, err_size)
                             : text_line(a, &ps, s, l, path, lineno, err, err_size);
        if (rc) return -1;
    }
    if (ps.depth) return bad(err, err_size, path, lineno, "%%if without its %%end");
    if (ps.blocks) return bad(err, err_size, path, lineno, "a block is not closed");
    return 0;
}

void
iac_template_fini_(struct iac_template *tp)
{
    free(tp->mem);
    free(tp->line);
    memset(tp, 0, sizeof(*tp));
}

int
iac_templates_load_(struct advisor *a, char *err, size_t err_size)
{
    for (size_t i = 0; i < ADVISOR_IAC_TEMPLATES; i++) {
        size_t len;
        const char *data = embedded_file(template_path[i], &len);
        if (data == NULL) {
            snprintf(err, err_size, "%s: not compiled in", template_path[i]);
            return -1;
        }
        if (iac_template_parse_(a, &a->iac[i], template_path[i], data, len, err, err_size))
            return -1;
    }
    return 0;
}
