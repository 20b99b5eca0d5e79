/* advisor/iac.c - Terraform for the chosen platform and a Graphviz DOT picture of the data flow.
 *
 * Owns the writing of the infrastructure-as-code starting point from the templates in
 * advisor/data/iac_*.tf (loaded and checked by iac_template.c): encryption keys, the lake with
 * its lifecycle tiers and retention, the stream sized by size.c, and the catalog or warehouse
 * where the provider has a resource for it. The templates say what is written and when; this file
 * fills their {tf_*} fields with the design's figures and writes the HCL the way `terraform fmt`
 * leaves it: two-space indent by block depth, '=' aligned across each run of single-line
 * attributes, one blank line between top-level blocks. It refuses to invent what it cannot know
 * (network ids, secrets): the templates leave those to variables. Pure.
 */
#include "render_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define HCL_MAX_PENDING 24

/* A run of single-line attributes waiting for their '=' to be aligned. */
struct hcl {
    struct buf *out;
    int indent;
    const char *key[HCL_MAX_PENDING], *val[HCL_MAX_PENDING]; /* template or arena text */
    size_t key_len[HCL_MAX_PENDING], val_len[HCL_MAX_PENDING];
    size_t n;
};

static void
pad(struct hcl *h)
{
    static const char spaces[] = "                                ";
    size_t n = (size_t)h->indent * 2;
    buf_append(h->out, spaces, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1);
}

static void
flush(struct hcl *h)
{
    size_t w = 0;
    for (size_t i = 0; i < h->n; i++)
        if (h->key_len[i] > w) w = h->key_len[i];
    static const char spaces[] = "                                                            ";
    for (size_t i = 0; i < h->n; i++) {
        pad(h);
        size_t k = h->key_len[i];
        buf_append(h->out, h->key[i], k);
        buf_append(h->out, spaces, w - k < sizeof(spaces) - 1 ? w - k : sizeof(spaces) - 1);
        buf_puts(h->out, " = ");
        buf_append(h->out, h->val[i], h->val_len[i]);
        buf_putc(h->out, '\n');
    }
    h->n = 0;
}

static void
attr(struct hcl *h, const char *key, size_t key_len, const char *val, size_t val_len)
{
    if (h->n == HCL_MAX_PENDING) flush(h);
    h->key[h->n] = key;
    h->key_len[h->n] = key_len;
    h->val[h->n] = val;
    h->val_len[h->n++] = val_len;
}

/* A line written as it is at the current depth: a comment, "features {}". */
static void
line_as_is(struct hcl *h, const char *s, size_t n)
{
    flush(h);
    pad(h);
    buf_append(h->out, s, n);
    buf_putc(h->out, '\n');
}

/* Writes one template line 's' (its indent removed, fields filled): a blank line (dropped
 * between top-level blocks, which get one anyway), "}" closing a block, "... {" opening one,
 * "key = value", or anything else as it is. */
static void
hcl_line(struct hcl *h, const char *s, size_t n)
{
    if (n == 0) {
        if (h->indent == 0) return;
        flush(h);
        buf_putc(h->out, '\n');
    } else if (n == 1 && s[0] == '}') {
        flush(h);
        h->indent--;
        pad(h);
        buf_puts(h->out, "}\n");
        if (h->indent == 0) buf_putc(h->out, '\n');
    } else if (s[n - 1] == '{') {
        line_as_is(h, s, n);
        h->indent++;
    } else {
        const char *eq = s[0] == '#' ? NULL : memchr(s, '=', n);
        if (eq == NULL) {
            line_as_is(h, s, n);
            return;
        }
        size_t k = strcspn(s, " =");
        const char *v = eq + 1;
        while (v < s + n && *v == ' ') v++;
        attr(h, s, k, v, (size_t)(s + n - v));
    }
}

/* The project's name as Terraform names resources: lower case, '-' between words, 3 to 40
 * characters starting with a letter ("pw-" before it otherwise). */
static void
put_slug(const struct analysis *an, struct buf *out)
{
    const char *id = an->p.req.project_id ? an->p.req.project_id : "pipewright";
    char s[41];
    size_t n = 0;
    for (const char *c = id; *c && n < sizeof(s) - 1; c++) {
        unsigned char ch = (unsigned char)tolower((unsigned char)*c);
        if (isalnum(ch)) s[n++] = (char)ch;
        else if (n && s[n - 1] != '-')
            s[n++] = '-';
    }
    while (n && s[n - 1] == '-') n--;
    s[n] = '\0';
    if (n < 3 || !isalpha((unsigned char)s[0])) buf_puts(out, "pw-");
    buf_puts(out, s);
}

/* Words of a request that place its data in the EU (lower-case): each starts with "eu", so one
 * pass over the text finds them; "in the eu" is "eu" as a word after "in the ". */
static const char *const eu_words[] = {"eu region",    "eu-based", "eu only",      "eu data",
                                       "eu residency", "europe",   "eu-central",   "eu-west",
                                       "eu-north",     "eu-south", "eu customers", "eu users"};

static int
says_eu(const char *text)
{
    for (const char *h = strstr(text, "eu"); h; h = strstr(h + 2, "eu")) {
        if (h > text && isalnum((unsigned char)h[-1])) continue;
        if (!isalpha((unsigned char)h[2]) && h - text >= 7 && strncmp(h - 7, "in the ", 7) == 0)
            return 1;
        for (size_t i = 0; i < sizeof(eu_words) / sizeof(eu_words[0]); i++)
            if (strncmp(h, eu_words[i], strlen(eu_words[i])) == 0) return 1;
    }
    return 0;
}

/* The first region a clouds.tsv cell names ("eu-central-1 or eu-west-1"), in Terraform's
 * spelling: lower case, no spaces ("West Europe" is "westeurope"). */
static const char *
first_region(struct analysis *an, const char *cell)
{
    char s[48];
    size_t n = 0;
    const char *end = strstr(cell, " or ");
    size_t len = end ? (size_t)(end - cell) : strlen(cell);
    for (size_t i = 0; i < len && n < sizeof(s) - 1; i++)
        if (cell[i] != ' ') s[n++] = (char)tolower((unsigned char)cell[i]);
    s[n] = '\0';
    return arena_strdup_(&an->ar, s);
}

/* The region the data must stay in: the EU region of the platform when GDPR applies or the
 * request places its data in the EU; NULL when nothing constrains it. The one place that
 * decides, so the Terraform, the controls and the report agree. */
const char *
region_(const struct analysis *an_c)
{
    struct analysis *an = (struct analysis *)an_c;
    const struct profile *p = &an->p;
    if (p->cloud == CLOUD_ON_PREM || p->cloud == CLOUD_ANY) return NULL;
    if (p->region && p->region[0]) return p->region; /* named, or pinned by a regulation */
    int eu = (p->regs && strstr(p->regs, ",gdpr,") != NULL) || (p->ctx_lc && says_eu(p->ctx_lc));
    if (!eu) return NULL;
    const char *cell = an->a->cloud[p->cloud].region_eu;
    return cell && *cell ? first_region(an, cell) : NULL;
}

const char *
standby_region_(const struct analysis *an_c)
{
    struct analysis *an = (struct analysis *)an_c;
    if (decision_find_(an, "availability") == NULL) return NULL;
    const char *primary = region_(an), *cell = an->a->cloud[an->p.cloud].region_eu;
    const char *other = NULL;
    int listed = 0;
    for (const char *s = cell; s && *s && primary;) {
        const char *r = first_region(an, s);
        if (strcmp(r, primary) == 0) listed = 1;
        else if (other == NULL)
            other = r;
        const char *next = strstr(s, " or ");
        s = next ? next + 4 : NULL;
    }
    return listed ? other : NULL;
}

int
tech_chosen_(const struct analysis *an, const char *tech_id)
{
    for (size_t i = 0; i < an->n_dec; i++)
        if (an->dec[i].t && strcmp(an->dec[i].t->id, tech_id) == 0) return 1;
    return 0;
}

const struct stream_unit *
stream_unit_(const struct analysis *an, const char *tech_id)
{
    for (size_t i = 0; i < an->sz.n_unit; i++)
        if (strcmp(an->sz.unit[i].d->t->id, tech_id) == 0) return &an->sz.unit[i];
    return NULL;
}

/* The stream unit of the first of 'ids' ("a|b|c", 'n' bytes) that has one, or NULL. */
static const struct stream_unit *
first_unit(const struct analysis *an, const char *ids, size_t n)
{
    char id[64];
    for (const char *s = ids, *end = ids + n; s < end;) {
        size_t m = strcspn(s, "|");
        if (s + m > end) m = (size_t)(end - s);
        if (m < sizeof(id)) {
            memcpy(id, s, m);
            id[m] = '\0';
            const struct stream_unit *u = stream_unit_(an, id);
            if (u) return u;
        }
        s += m + 1;
    }
    return NULL;
}

static long
days(double d)
{
    return (long)ceil(d - 1e-9);
}

/* The Terraform fields; "tf_units:" and "tf_namespace_tu:" take catalog ids ("a|b"). */
static const char *const tf_fields[] = {
    "tf_project",         "tf_region",           "tf_standby_region",
    "tf_landing_days",    "tf_hot_days",         "tf_retention_days",
    "tf_retention_ms",    "tf_partitions",       "tf_kafka_retention_days",
    "tf_brokers",         "tf_replication",      "tf_min_insync",
    "tf_broker_instance", "tf_broker_volume_gb", "tf_units:",
    "tf_namespace_tu:"};
enum tf_field {
    TF_PROJECT,
    TF_REGION,
    TF_STANDBY_REGION,
    TF_LANDING_DAYS,
    TF_HOT_DAYS,
    TF_RETENTION_DAYS,
    TF_RETENTION_MS,
    TF_PARTITIONS,
    TF_KAFKA_RETENTION_DAYS,
    TF_BROKERS,
    TF_REPLICATION,
    TF_MIN_INSYNC,
    TF_BROKER_INSTANCE,
    TF_BROKER_VOLUME_GB,
    TF_UNITS,
    TF_NAMESPACE_TU,
    TF_COUNT
};

/* Which Terraform field 'key' ('n' bytes) is, TF_COUNT if none; '*arg' is its catalog ids. */
static enum tf_field
tf_field_of(const char *key, size_t n, const char **arg, size_t *arg_len)
{
    if (n < 3 || strncmp(key, "tf_", 3) != 0) return TF_COUNT;
    for (int f = 0; f < TF_COUNT; f++) {
        size_t l = strlen(tf_fields[f]);
        int takes_ids = tf_fields[f][l - 1] == ':';
        if (takes_ids ? n > l && strncmp(key, tf_fields[f], l) == 0
                      : n == l && strncmp(key, tf_fields[f], l) == 0) {
            *arg = key + l;
            *arg_len = n - l;
            return (enum tf_field)f;
        }
    }
    return TF_COUNT;
}

int
iac_field_known_(const struct advisor *a, const char *key, size_t n, char *bad, size_t bad_size)
{
    const char *ids;
    size_t len;
    if (tf_field_of(key, n, &ids, &len) == TF_COUNT) return 0;
    for (const char *s = ids, *end = ids + len; s < end;) {
        size_t m = strcspn(s, "|");
        if (s + m > end) m = (size_t)(end - s);
        char id[64];
        snprintf(id, sizeof(id), "%.*s", (int)m, s);
        if (m == 0 || m >= sizeof(id) || tech_find_(a, id) == NULL) {
            snprintf(bad, bad_size, "%.*s", (int)m, s);
            return -1;
        }
        s += m + 1;
    }
    return 1;
}

/* The MSK instance type of the sized broker ("kafka.m5.large"). */
static void
put_broker_instance(const struct analysis *an, struct buf *out)
{
    buf_puts(out, "kafka.");
    for (const char *c = an->sz.broker_type ? an->sz.broker_type : ""; *c; c++)
        buf_putc(out, *c == '_' ? '.' : *c);
}

int
iac_field_(const struct analysis *an, const char *key, size_t n, struct buf *out)
{
    const struct knobs *k = &an->a->k;
    const struct sizing *sz = &an->sz;
    const char *ids = NULL, *s;
    size_t ids_len = 0;
    const struct stream_unit *u;
    switch (tf_field_of(key, n, &ids, &ids_len)) {
    case TF_PROJECT:
        put_slug(an, out);
        break;
    case TF_REGION:
        buf_puts(out, (s = region_(an)) ? s : "");
        break;
    case TF_STANDBY_REGION:
        buf_puts(out, (s = standby_region_(an)) ? s : "");
        break;
    case TF_LANDING_DAYS:
        buf_fmt_(out, "%ld", days(fmin(k->landing_days, an->p.retention_days)));
        break;
    case TF_HOT_DAYS:
        buf_fmt_(out, "%ld", days(k->hot_days));
        break;
    case TF_RETENTION_DAYS:
        buf_fmt_(out, "%ld", days(an->p.retention_days));
        break;
    case TF_RETENTION_MS:
        buf_fmt_(out, "%.0f", an->p.retention_days * 86400000.0);
        break;
    /* Event Hubs asks for a partition count even when the design sized none: 4, its default */
    case TF_PARTITIONS:
        buf_fmt_(out, "%ld", sz->partitions ? sz->partitions : 4);
        break;
    case TF_KAFKA_RETENTION_DAYS:
        buf_fmt_(out, "%ld", days(k->kafka_retention_days));
        break;
    case TF_BROKERS:
        buf_fmt_(out, "%ld", sz->brokers);
        break;
    case TF_REPLICATION:
        buf_fmt_(out, "%ld", sz->rf);
        break;
    case TF_MIN_INSYNC:
        buf_fmt_(out, "%ld", sz->min_insync);
        break;
    case TF_BROKER_INSTANCE:
        put_broker_instance(an, out);
        break;
    case TF_BROKER_VOLUME_GB:
        buf_fmt_(out, "%ld", days(sz->broker_disk_gb / (double)(sz->brokers ? sz->brokers : 1)));
        break;
    case TF_UNITS:
        if ((u = first_unit(an, ids, ids_len))) buf_fmt_(out, "%ld", u->units);
        break;
    case TF_NAMESPACE_TU:
        if ((u = first_unit(an, ids, ids_len)))
            buf_fmt_(out, "%ld", (long)fmin((double)u->units, k->eventhubs_namespace_tu));
        break;
    default:
        return 0;
    }
    return 1;
}

/* Writes template 'tp': its '%if' parts whose condition holds, fields filled. */
static void
write_template(struct analysis *an, struct hcl *h, const struct iac_template *tp)
{
    int on[IAC_MAX_DEPTH + 1], held[IAC_MAX_DEPTH + 1];
    size_t d = 0;
    on[0] = 1;
    struct buf line;
    buf_init(&line);
    for (size_t i = 0; i < tp->n; i++) {
        const struct iac_line *l = &tp->line[i];
        switch (l->op) {
        case IAC_IF:
            held[d + 1] = on[d] && cond_eval_(an, l->text);
            on[d + 1] = held[d + 1];
            d++;
            break;
        case IAC_ELSE:
            on[d] = on[d - 1] && !held[d];
            break;
        case IAC_END:
            d--;
            break;
        default:
            if (!on[d]) break;
            if (!l->fields) {
                hcl_line(h, l->text, l->len);
                break;
            }
            buf_reset(&line);
            expand_(an, l->text, &line);
            const char *filled = arena_strndup_(&an->ar, line.data ? line.data : "", line.len);
            hcl_line(h, filled, line.len);
            break;
        }
    }
    buf_fini(&line);
}

static void
dot_escape(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') buf_putc(b, '\\');
        buf_putc(b, *s);
    }
}

static void
dot_node(struct buf *b, const char *id, const char *label, const char *sub, const char *shape)
{
    buf_fmt_(b, "  %s [label=\"", id);
    dot_escape(b, label);
    if (sub) {
        buf_puts(b, "\\n");
        dot_escape(b, sub);
    }
    buf_fmt_(b, "\"%s%s];\n", shape ? ", shape=" : "", shape ? shape : "");
}

static void
diagram(struct analysis *an)
{
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "digraph pipeline {\n  rankdir=LR;\n"
                 "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n");
    const struct profile *p = &an->p;
    size_t n = p->n_src < 12 ? p->n_src : 12;
    for (size_t i = 0; i < n; i++) {
        char id[16], sub[96];
        snprintf(id, sizeof(id), "src%zu", i);
        struct buf g;
        buf_init(&g);
        fmt_num_(&g, p->src[i].gb_day);
        snprintf(sub, sizeof(sub), "%s, %s GB/day", source_kind_name(p->src[i].kind), g.data);
        buf_fini(&g);
        dot_node(&b, id, p->src[i].name, sub, "cylinder");
    }
    const struct decision *sp = decision_find_(an, "stream_processing");
    const struct decision *tr = decision_find_(an, "transformation");
    const struct decision *st = decision_find_(an, "storage");
    const struct decision *wh = decision_find_(an, "warehouse");
    const struct decision *orch = decision_find_(an, "orchestration");
    size_t ing = 0;
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (strcmp(d->area, "ingestion") != 0) continue;
        char id[16];
        snprintf(id, sizeof(id), "ing%zu", ing++);
        dot_node(&b, id, d->choice, NULL, NULL);
        for (size_t s = 0; s < n; s++)
            if (d->src_mask & (1ull << s)) buf_fmt_(&b, "  src%zu -> %s;\n", s, id);
        if (sp && strcmp(d->t->family, "inplace") != 0) buf_fmt_(&b, "  %s -> proc;\n", id);
        else
            buf_fmt_(&b, "  %s -> lake;\n", id);
    }
    if (sp) {
        dot_node(&b, "proc", sp->choice, "stream processing", NULL);
        buf_puts(&b, "  proc -> lake;\n");
    }
    if (st) dot_node(&b, "lake", st->choice, "storage", "folder");
    if (tr) {
        dot_node(&b, "transform", tr->choice, "transformation", NULL);
        buf_puts(&b, "  lake -> transform;\n");
    }
    if (wh) {
        dot_node(&b, "warehouse", wh->choice, "warehouse", NULL);
        buf_puts(&b, tr ? "  transform -> warehouse;\n" : "  lake -> warehouse;\n");
    }
    size_t sv = 0;
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (strcmp(d->area, "serving") != 0) continue;
        char id[16];
        snprintf(id, sizeof(id), "serve%zu", sv++);
        dot_node(&b, id, d->choice, d->subject, "component");
        int online = d->subject && (strstr(d->subject, "online") || strstr(d->subject, "search") ||
                                    strstr(d->subject, "operational"));
        if (online && sp) buf_fmt_(&b, "  proc -> %s;\n", id);
        else
            buf_fmt_(&b, "  %s -> %s;\n", wh ? "warehouse" : "lake", id);
    }
    if (orch && tr) {
        dot_node(&b, "orch", orch->choice, "orchestration", "note");
        buf_puts(&b, "  orch -> transform [style=dashed];\n");
    }
    buf_puts(&b, "}\n");
    an->dot = arena_strdup_(&an->ar, b.data);
    buf_fini(&b);
}

void
iac_(struct analysis *an)
{
    struct buf b;
    buf_init(&b);
    struct hcl h = {.out = &b};
    write_template(an, &h, &an->a->iac[iac_template_of_(an->p.cloud)]);
    /* One trailing newline, as terraform fmt leaves a file. */
    while (b.len >= 2 && b.data[b.len - 1] == '\n' && b.data[b.len - 2] == '\n')
        b.data[--b.len] = '\0';
    an->terraform = arena_strdup_(&an->ar, b.data ? b.data : "");
    buf_fini(&b);
    diagram(an);
}
