/* advisor/knowledge.c - load the advisor's data files into an immutable 'struct advisor'.
 *
 * Owns the parsing of the advisor/data tables (compiled into the binary): tab-separated, '#'
 * comment lines, blank lines ignored, a header row that must name exactly the expected columns.
 * Every cross-reference is checked here (cost rows name known technologies and prices, every
 * named constant exists, levers name known kinds, areas, models, constants and fields), so a data
 * mistake fails advisor_new() with a line number instead of producing a quietly wrong report;
 * the Terraform templates are checked by iac_template.c. Refuses nothing at run time: after
 * advisor_new() the data is read-only.
 * Pure apart from allocation; runs once per process.
 */
#include "advisor_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "xalloc.h"

static int
fail(char *errstr, size_t errstr_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (errstr && errstr_size) vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
    return -1;
}

/* Splits the embedded file 'path' into 't'; the header must equal 'cols' (tab-separated). */
static int
table_load(struct table *t, const char *path, const char *cols, char *errstr, size_t errstr_size)
{
    size_t len;
    const char *data = embedded_file(path, &len);
    if (data == NULL) return fail(errstr, errstr_size, "%s: not compiled in", path);
    memset(t, 0, sizeof(*t));
    t->mem = xstrndup(data, len);
    size_t ncols = 1;
    for (const char *c = cols; *c; c++) ncols += *c == '\t';
    t->cols = ncols;
    size_t cap = 16;
    t->cell = xmalloc(cap * ncols * sizeof(*t->cell));
    int header = 1;
    size_t lineno = 0;
    char *line = t->mem;
    while (line && *line) {
        char *next = strchr(line, '\n');
        if (next) *next++ = '\0';
        lineno++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r') line[--l] = '\0';
        if (l == 0 || line[0] == '#') {
            line = next;
            continue;
        }
        if (header) {
            if (strcmp(line, cols) != 0)
                return fail(errstr, errstr_size, "%s:%zu: header is not '%s'", path, lineno, cols);
            header = 0;
            line = next;
            continue;
        }
        if (t->rows == cap) {
            cap *= 2;
            t->cell = xrealloc(t->cell, cap * ncols * sizeof(*t->cell));
        }
        const char **row = t->cell + t->rows * ncols;
        size_t n = 0;
        char *f = line;
        for (;;) {
            char *tab = strchr(f, '\t');
            if (n == ncols)
                return fail(errstr, errstr_size, "%s:%zu: more than %zu fields", path, lineno,
                            ncols);
            row[n++] = f;
            if (tab == NULL) break;
            *tab = '\0';
            f = tab + 1;
        }
        if (n != ncols)
            return fail(errstr, errstr_size, "%s:%zu: %zu fields, want %zu", path, lineno, n,
                        ncols);
        for (size_t i = 0; i < n; i++)
            if (row[i][0] == '\0')
                return fail(errstr, errstr_size, "%s:%zu: field %zu is empty (use '-')", path,
                            lineno, i + 1);
        t->rows++;
        line = next;
    }
    if (header) return fail(errstr, errstr_size, "%s: no header", path);
    return 0;
}

static void
table_fini(struct table *t)
{
    free(t->mem);
    free(t->cell);
    memset(t, 0, sizeof(*t));
}

static const char *
cell(const struct table *t, size_t row, size_t col)
{
    return t->cell[row * t->cols + col];
}

/* Parses a number cell; returns -1 when it is not entirely a number. */
static int
number(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return (end == s || *end != '\0') ? -1 : 0;
}

static int
cloud_parse(const char *s)
{
    static const char *const names[CLOUD_COUNT] = {"aws", "gcp", "azure", "on_prem", "any"};
    for (int i = 0; i < CLOUD_COUNT; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

/* Parses a comma list of names with 'parse' into a bitmask; "*" is every bit. */
static int
mask_parse(const char *s, int (*parse)(const char *), unsigned all, unsigned *mask)
{
    *mask = 0;
    if (strcmp(s, "*") == 0) {
        *mask = all;
        return 0;
    }
    char word[64];
    while (*s) {
        size_t n = strcspn(s, ",");
        if (n == 0 || n >= sizeof(word)) return -1;
        memcpy(word, s, n);
        word[n] = '\0';
        int v = parse(word);
        if (v < 0) return -1;
        *mask |= 1u << v;
        s += n;
        if (*s == ',') s++;
    }
    return 0;
}

static int
mode_parse(const char *s)
{
    for (int m = 0; m < MODE_COUNT; m++)
        if (strcmp(s, mode_name_((enum mode)m)) == 0) return m;
    return -1;
}

static int
kind_parse(const char *s)
{
    enum source_kind k = source_kind_parse(s);
    return k == SOURCE_UNKNOWN ? -1 : (int)k;
}

static int
load_catalog(struct advisor *a, char *errstr, size_t errstr_size)
{
    struct table *t = &a->t_catalog;
    if (table_load(t, "advisor/data/catalog.tsv",
                   "id\tarea\tclouds\tmodes\tmin_gb\tmax_gb\tkinds\trequires\tlat\tscale\tcost\tops"
                   "\tlockin\tskills\tstack\tfamily\tname\twhy",
                   errstr, errstr_size))
        return -1;
    a->n_tech = t->rows;
    a->tech = xcalloc(t->rows ? t->rows : 1, sizeof(*a->tech));
    for (size_t r = 0; r < t->rows; r++) {
        struct tech *x = &a->tech[r];
        x->id = cell(t, r, 0);
        x->area = cell(t, r, 1);
        if (mask_parse(cell(t, r, 2), cloud_parse, (1u << CLOUD_COUNT) - 1, &x->clouds) ||
            mask_parse(cell(t, r, 3), mode_parse, (1u << MODE_COUNT) - 1, &x->modes))
            return fail(errstr, errstr_size, "catalog.tsv: %s: bad clouds or modes", x->id);
        if (number(cell(t, r, 4), &x->min_gb) || number(cell(t, r, 5), &x->max_gb))
            return fail(errstr, errstr_size, "catalog.tsv: %s: bad volume range", x->id);
        if (strcmp(cell(t, r, 6), "*") == 0) x->kinds = 0;
        else if (mask_parse(cell(t, r, 6), kind_parse, 0, &x->kinds))
            return fail(errstr, errstr_size, "catalog.tsv: %s: bad kinds", x->id);
        x->requires = cell(t, r, 7);
        static const int col[] = {8, 9, 10, 11, -1, 12};
        for (int c = 0; c < CRIT_COUNT; c++) {
            double v = 3;
            if (col[c] >= 0 && (number(cell(t, r, (size_t)col[c]), &v) || v < 1 || v > 5))
                return fail(errstr, errstr_size, "catalog.tsv: %s: score not 1-5", x->id);
            x->score[c] = (int)v;
        }
        x->skills = cell(t, r, 13);
        x->stack = cell(t, r, 14);
        x->family = cell(t, r, 15);
        x->name = cell(t, r, 16);
        x->why = cell(t, r, 17);
        for (size_t q = 0; q < r; q++)
            if (strcmp(a->tech[q].id, x->id) == 0)
                return fail(errstr, errstr_size, "catalog.tsv: duplicate id %s", x->id);
        for (const char *c = x->stack; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                return fail(errstr, errstr_size, "catalog.tsv: %s: stack words are lower-case",
                            x->id);
        for (const char *c = x->skills; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                return fail(errstr, errstr_size, "catalog.tsv: %s: skills are lower-case", x->id);
    }
    /* Index the rows by area once, so a decision scans only its own area. */
    for (size_t r = 0; r < a->n_tech; r++) {
        size_t i;
        for (i = 0; i < a->n_areas; i++)
            if (strcmp(a->areas[i].area, a->tech[r].area) == 0) break;
        if (i == a->n_areas) {
            if (a->n_areas == ADVISOR_MAX_AREAS)
                return fail(errstr, errstr_size, "catalog.tsv: more than %d areas",
                            ADVISOR_MAX_AREAS);
            a->areas[i].area = a->tech[r].area;
            a->areas[i].idx = xcalloc(a->n_tech, sizeof(size_t));
            a->n_areas++;
        }
        a->areas[i].idx[a->areas[i].n++] = r;
    }
    return 0;
}

const struct area_list *
area_find_(const struct advisor *a, const char *area)
{
    for (size_t i = 0; i < a->n_areas; i++)
        if (strcmp(a->areas[i].area, area) == 0) return &a->areas[i];
    return NULL;
}

/* Links "id.N" rows (the rate from N units on) to the row "id", in file order. */
static int
link_tiers(struct advisor *a, struct price *p, char *errstr, size_t errstr_size)
{
    const char *dot = strrchr(p->id, '.');
    if (dot == NULL) return 0;
    if (number(dot + 1, &p->from) || p->from <= 0)
        return fail(errstr, errstr_size, "pricebook.tsv: %s: bad tier", p->id);
    size_t n = (size_t)(dot - p->id);
    for (size_t i = 0; i < a->n_price; i++) {
        struct price *b = &a->price[i];
        if (b == p || strlen(b->id) != n || strncmp(b->id, p->id, n) != 0) continue;
        while (b->tier) b = (struct price *)b->tier;
        if (b->from >= p->from)
            return fail(errstr, errstr_size, "pricebook.tsv: %s: tiers out of order", p->id);
        b->tier = p;
        return 0;
    }
    return fail(errstr, errstr_size, "pricebook.tsv: %s: tier of an unknown price", p->id);
}

static int
price_order(const void *x, const void *y)
{
    return strcmp((*(const struct price *const *)x)->id, (*(const struct price *const *)y)->id);
}

/* Sorts the rows by id for price_find_(), which the cost stage calls hundreds of times a
 * report; an id given twice is a data error. */
static int
index_prices(struct advisor *a, char *errstr, size_t errstr_size)
{
    a->price_by_id = xcalloc(a->n_price ? a->n_price : 1, sizeof(*a->price_by_id));
    for (size_t i = 0; i < a->n_price; i++) a->price_by_id[i] = &a->price[i];
    qsort(a->price_by_id, a->n_price, sizeof(*a->price_by_id), price_order);
    for (size_t i = 1; i < a->n_price; i++)
        if (strcmp(a->price_by_id[i - 1]->id, a->price_by_id[i]->id) == 0)
            return fail(errstr, errstr_size, "pricebook.tsv: %s: id given twice",
                        a->price_by_id[i]->id);
    return 0;
}

static int
load_prices(struct advisor *a, char *errstr, size_t errstr_size)
{
    struct table *t = &a->t_price;
    if (table_load(t, "advisor/data/pricebook.tsv",
                   "id\tcloud\tservice\tunit\tusd\thigh\tsrc\tsource\tdate", errstr, errstr_size))
        return -1;
    a->n_price = t->rows;
    a->price = xcalloc(t->rows ? t->rows : 1, sizeof(*a->price));
    a->pricebook_date = "undated";
    for (size_t r = 0; r < t->rows; r++) {
        struct price *p = &a->price[r];
        p->id = cell(t, r, 0);
        p->cloud = cell(t, r, 1);
        p->service = cell(t, r, 2);
        p->unit = cell(t, r, 3);
        p->src = cell(t, r, 6);
        p->source = cell(t, r, 7);
        p->date = cell(t, r, 8);
        if (number(cell(t, r, 4), &p->usd) || p->usd < 0)
            return fail(errstr, errstr_size, "pricebook.tsv: %s: bad price", p->id);
        p->usd_high = p->usd;
        if (strcmp(cell(t, r, 5), "-") != 0 &&
            (number(cell(t, r, 5), &p->usd_high) || p->usd_high < p->usd))
            return fail(errstr, errstr_size, "pricebook.tsv: %s: bad high price", p->id);
        if (strchr("VGTADE", p->src[0]) == NULL || p->src[0] == '\0' || p->src[1] != '\0')
            return fail(errstr, errstr_size, "pricebook.tsv: %s: src is one of V G T A D E", p->id);
        /* Dates are ISO prefixes (2024, 2024-07, 2024-07-01), so string order is date order. */
        if (strcmp(p->date, "undated") != 0 &&
            (strcmp(a->pricebook_date, "undated") == 0 || strcmp(p->date, a->pricebook_date) > 0))
            a->pricebook_date = p->date;
    }
    for (size_t r = 0; r < t->rows; r++)
        if (link_tiers(a, &a->price[r], errstr, errstr_size)) return -1;
    return index_prices(a, errstr, errstr_size);
}

/* limits.tsv: every ADVISOR_LIMITS name must have a row with a positive value. */
static int
load_limits(struct advisor *a, char *errstr, size_t errstr_size)
{
    struct table *t = &a->t_limits;
    if (table_load(t, "advisor/data/limits.tsv", "name\tvalue\tunit\tapplies\tsource\tdate", errstr,
                   errstr_size))
        return -1;
#define LIMIT_LOAD_(n)                                                                             \
    {                                                                                              \
        size_t r_;                                                                                 \
        for (r_ = 0; r_ < t->rows; r_++)                                                           \
            if (strcmp(cell(t, r_, 0), #n) == 0) break;                                            \
        if (r_ == t->rows || number(cell(t, r_, 1), &a->lim.n) || a->lim.n <= 0)                   \
            return fail(errstr, errstr_size, "limits.tsv: no positive row " #n);                   \
    }
    ADVISOR_LIMITS(LIMIT_LOAD_)
#undef LIMIT_LOAD_
    return 0;
}

/* costcues.tsv: words that set the budget's scope or name capacity already running. */
static int
load_costcues(struct advisor *a, char *errstr, size_t errstr_size)
{
    struct table *t = &a->t_costcues;
    if (table_load(t, "advisor/data/costcues.tsv", "kind\ttoken\tvalue", errstr, errstr_size))
        return -1;
    a->n_costcue = t->rows;
    a->costcue = xcalloc(t->rows ? t->rows : 1, sizeof(*a->costcue));
    for (size_t r = 0; r < t->rows; r++) {
        struct hint *h = &a->costcue[r];
        h->kind = cell(t, r, 0);
        h->token = cell(t, r, 1);
        h->value = cell(t, r, 2);
        for (const char *c = h->token; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                return fail(errstr, errstr_size, "costcues.tsv: %s: tokens are lower-case",
                            h->token);
        int ok = strcmp(h->kind, "budget_scope_not") == 0 ||
                 (strcmp(h->kind, "budget_scope") == 0 &&
                  (strcmp(h->value, "incremental") == 0 || strcmp(h->value, "all_in") == 0));
        if (strncmp(h->kind, "estate_", 7) == 0) ok = price_find_(a, h->value) != NULL;
        if (strcmp(h->kind, "existing_node") == 0) {
            char id[64];
            size_t n = strcspn(h->value, "*");
            ok = n < sizeof(id);
            if (ok) {
                memcpy(id, h->value, n);
                id[n] = '\0';
                ok = price_find_(a, id) != NULL;
            }
        }
        if (strcmp(h->kind, "snowflake_edition") == 0)
            ok = strcmp(h->value, "Standard") == 0 || strcmp(h->value, "Enterprise") == 0 ||
                 strcmp(h->value, "Business Critical") == 0;
        if (!ok) return fail(errstr, errstr_size, "costcues.tsv: bad row %s/%s", h->kind, h->token);
    }
    return 0;
}

const struct price *
price_find_(const struct advisor *a, const char *id)
{
    size_t lo = 0, hi = a->n_price;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(a->price_by_id[mid]->id, id);
        if (c == 0) return a->price_by_id[mid];
        if (c < 0) lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct tech *
tech_find_(const struct advisor *a, const char *id)
{
    for (size_t i = 0; i < a->n_tech; i++)
        if (strcmp(a->tech[i].id, id) == 0) return &a->tech[i];
    return NULL;
}

/* The quantity models of costrules.tsv (cost.c's quantity()). */
static const char *const models[] = {"none",           "landing_gb",    "lake_hot_gb",
                                     "lake_cool_gb",   "lever_archive", "stream_tib",
                                     "shard_h",        "tu_h",          "put_m",
                                     "events_m",       "broker_h",      "broker_storage_gb",
                                     "cross_az_gb",    "stream_vcpu_h", "stream_mem_gb_h",
                                     "stream_node_h",  "batch_vcpu_h",  "batch_scan_tb",
                                     "scan_tb",        "warehouse_h",   "warehouse_busy_h",
                                     "hours",          "month",         "runs_k",
                                     "online_node_h",  "search_node_h", "search_disk_gb",
                                     "hot_replica_gb", "gb_month",      "gib_month",
                                     "users",          "paid_team",     "viewers",
                                     "lake_total_gb"};

static int
load_costrules(struct advisor *a, char *errstr, size_t errstr_size)
{
    struct table *t = &a->t_cost;
    if (table_load(t, "advisor/data/costrules.tsv", "tech\tmodel\tprice\tparam\tlabel", errstr,
                   errstr_size))
        return -1;
    a->n_cost = t->rows;
    a->cost = xcalloc(t->rows ? t->rows : 1, sizeof(*a->cost));
    for (size_t r = 0; r < t->rows; r++) {
        struct costrule *c = &a->cost[r];
        c->tech = cell(t, r, 0);
        c->model = cell(t, r, 1);
        c->price = cell(t, r, 2);
        c->label = cell(t, r, 4);
        if (number(cell(t, r, 3), &c->param))
            return fail(errstr, errstr_size, "costrules.tsv: %s: bad param", c->tech);
        if (tech_find_(a, c->tech) == NULL)
            return fail(errstr, errstr_size, "costrules.tsv: unknown technology %s", c->tech);
        int known = 0;
        for (size_t m = 0; m < PW_ARRAY_LEN(models); m++) known |= strcmp(models[m], c->model) == 0;
        if (!known) return fail(errstr, errstr_size, "costrules.tsv: unknown model %s", c->model);
        if (strcmp(c->model, "none") != 0 && strchr(c->price, '{') == NULL &&
            price_find_(a, c->price) == NULL)
            return fail(errstr, errstr_size, "costrules.tsv: %s: unknown price %s", c->tech,
                        c->price);
        struct tech *x = (struct tech *)tech_find_(a, c->tech);
        x->cost_rows = xrealloc(x->cost_rows, (x->n_cost_rows + 1) * sizeof(*x->cost_rows));
        x->cost_rows[x->n_cost_rows++] = r;
    }
    return 0;
}

static int
load_constants(struct advisor *a, char *errstr, size_t errstr_size)
{
    struct table *t = &a->t_const;
    if (table_load(t, "advisor/data/constants.tsv", "name\tvalue\tunit\tsource", errstr,
                   errstr_size))
        return -1;
    a->n_const = t->rows;
    a->konst = xcalloc(t->rows ? t->rows : 1, sizeof(*a->konst));
    for (size_t r = 0; r < t->rows; r++) {
        struct constant *k = &a->konst[r];
        k->name = cell(t, r, 0);
        k->unit = cell(t, r, 2);
        k->source = cell(t, r, 3);
        if (number(cell(t, r, 1), &k->value))
            return fail(errstr, errstr_size, "constants.tsv: %s: bad value", k->name);
        static const char prefix[] = "kafka_broker_mibps.";
        if (strncmp(k->name, prefix, sizeof(prefix) - 1) == 0) {
            if (a->n_broker_types == ADVISOR_MAX_BROKER_TYPES || k->value <= 0)
                return fail(errstr, errstr_size, "constants.tsv: %s: too many or not > 0", k->name);
            a->broker_type[a->n_broker_types] = k->name + sizeof(prefix) - 1;
            a->broker_mibps[a->n_broker_types++] = k->value;
        }
    }
    if (a->n_broker_types == 0)
        return fail(errstr, errstr_size, "constants.tsv: no kafka_broker_mibps.* rows");
#define KNOB_LOAD_(n)                                                                              \
    {                                                                                              \
        size_t i_;                                                                                 \
        for (i_ = 0; i_ < a->n_const; i_++)                                                        \
            if (strcmp(a->konst[i_].name, #n) == 0) break;                                         \
        if (i_ == a->n_const) return fail(errstr, errstr_size, "constants.tsv: no row " #n);       \
        a->k.n = a->konst[i_].value;                                                               \
    }
    ADVISOR_KNOBS(KNOB_LOAD_)
#undef KNOB_LOAD_
    if (a->k.kafka_partition_multiple < 1 || a->k.kafka_broker_multiple < 1 ||
        a->k.columnar_compression <= 0 || a->k.landing_compression <= 0 ||
        a->k.batch_gb_per_vcpu_hour <= 0 || a->k.stream_mbps_per_vcpu <= 0 ||
        a->k.stateful_mbps_per_vcpu <= 0 || a->k.kinesis_shard_mbps <= 0 ||
        a->k.eventhubs_tu_mbps <= 0 || a->k.online_ops_per_shard <= 0)
        return fail(errstr, errstr_size, "constants.tsv: a divisor is not positive");
    return 0;
}

static int
load_textrules(struct table *t, const char *path, const char *cols, struct textrule **out,
               size_t *n, char *errstr, size_t errstr_size)
{
    if (table_load(t, path, cols, errstr, errstr_size)) return -1;
    *n = t->rows;
    *out = xcalloc(t->rows ? t->rows : 1, sizeof(**out));
    for (size_t r = 0; r < t->rows; r++) {
        struct textrule *x = &(*out)[r];
        x->when = cell(t, r, 0);
        if (cond_check_(x->when) != 0)
            return fail(errstr, errstr_size, "%s: row %zu: unknown condition in '%s'", path, r + 1,
                        x->when);
        if (t->cols == 3 && strcmp(path, "advisor/data/controls.tsv") == 0) {
            x->text = cell(t, r, 1);
            x->source = cell(t, r, 2);
        } else if (t->cols == 3) {
            x->text = cell(t, r, 1);
            x->effort = cell(t, r, 2);
        } else {
            x->likelihood = cell(t, r, 1);
            x->impact = cell(t, r, 2);
            x->text = cell(t, r, 3);
            x->mitigation = cell(t, r, 4);
            x->signal = cell(t, r, 5);
        }
    }
    return 0;
}

static int
load_clouds(struct advisor *a, char *errstr, size_t errstr_size)
{
    struct table *t = &a->t_clouds;
    if (table_load(t, "advisor/data/clouds.tsv",
                   "cloud\tname\tkms\tiam\taudit\tregion_eu\tterraform_provider", errstr,
                   errstr_size))
        return -1;
    unsigned seen = 0;
    for (size_t r = 0; r < t->rows; r++) {
        int c = cloud_parse(cell(t, r, 0));
        if (c < 0) return fail(errstr, errstr_size, "clouds.tsv: unknown cloud %s", cell(t, r, 0));
        struct cloudinfo *ci = &a->cloud[c];
        ci->name = cell(t, r, 1);
        ci->kms = cell(t, r, 2);
        ci->iam = cell(t, r, 3);
        ci->audit = cell(t, r, 4);
        ci->region_eu = cell(t, r, 5);
        ci->provider = cell(t, r, 6);
        seen |= 1u << c;
    }
    if (seen != (1u << CLOUD_COUNT) - 1)
        return fail(errstr, errstr_size, "clouds.tsv: a cloud is missing");
    return 0;
}

/* The {fields} each kind of lever's text may use (levers.tsv). */
static const char *const lever_fields[] = {[LEVER_SHARE] = ",pct,",
                                           [LEVER_TIERING] =
                                               ",after,cool,archive,cool_usd,archive_usd,",
                                           [LEVER_SCHEDULER] = ",orchestrator,",
                                           [LEVER_RETENTION] = ",retention,"};
static const char *const lever_kinds[] = {[LEVER_SHARE] = "share",
                                          [LEVER_TIERING] = "tiering",
                                          [LEVER_SCHEDULER] = "scheduler",
                                          [LEVER_RETENTION] = "retention"};

/* The 'lines' cell of a levers.tsv row: "[area:]model|model..."; 0, or -1 with 'errstr'. */
static int
lever_lines(struct advisor *a, struct lever_rule *l, char *lines, char *errstr, size_t errstr_size)
{
    if (strcmp(lines, "-") == 0) return 0;
    char *colon = strchr(lines, ':');
    if (colon) {
        *colon = '\0';
        l->area = lines;
        lines = colon + 1;
        if (area_find_(a, l->area) == NULL)
            return fail(errstr, errstr_size, "levers.tsv: %s: no catalog area %s", l->id, l->area);
    }
    for (char *m = lines, *next; m; m = next) {
        next = strchr(m, '|');
        if (next) *next++ = '\0';
        int known = strcmp(m, "always_on") == 0;
        for (size_t i = 0; i < PW_ARRAY_LEN(models); i++) known |= strcmp(models[i], m) == 0;
        if (!known || l->n_model == LEVER_MAX_MODELS)
            return fail(errstr, errstr_size, "levers.tsv: %s: unknown model %s", l->id, m);
        l->model[l->n_model++] = m;
    }
    return 0;
}

/* The rate and threshold cells of a levers.tsv row, and its kind's needs of them. */
static int
lever_numbers(struct advisor *a, struct lever_rule *l, const char *rate, const char *threshold,
              char *errstr, size_t errstr_size)
{
    size_t i = 0;
    while (i < a->n_const && strcmp(a->konst[i].name, rate) != 0) i++;
    if (strcmp(rate, "-") != 0 && i == a->n_const)
        return fail(errstr, errstr_size, "levers.tsv: %s: no constant %s", l->id, rate);
    if (i < a->n_const) l->rate = a->konst[i].value;
    if (strcmp(threshold, "-") != 0 && number(threshold, &l->threshold))
        return fail(errstr, errstr_size, "levers.tsv: %s: bad threshold", l->id);
    int needs_lines = l->kind == LEVER_SHARE || l->kind == LEVER_SCHEDULER;
    if ((l->kind == LEVER_SHARE) != (i < a->n_const) || needs_lines != (l->n_model > 0) ||
        (l->kind == LEVER_SCHEDULER && l->area == NULL) ||
        (l->kind != LEVER_SHARE && strcmp(threshold, "-") == 0))
        return fail(errstr, errstr_size,
                    "levers.tsv: %s: lines, rate or threshold do not fit "
                    "kind %s",
                    l->id, lever_kinds[l->kind]);
    return 0;
}

/* Every {field} of a lever's text is one its kind fills. */
static int
lever_text(const struct lever_rule *l, char *errstr, size_t errstr_size)
{
    for (const char *o = strchr(l->text, '{'); o; o = strchr(o + 1, '{')) {
        size_t n = strcspn(o + 1, "}");
        char key[32];
        if (o[1 + n] != '}' || n + 3 > sizeof(key))
            return fail(errstr, errstr_size, "levers.tsv: %s: unclosed field", l->id);
        snprintf(key, sizeof(key), ",%.*s,", (int)n, o + 1);
        if (strstr(lever_fields[l->kind], key) == NULL)
            return fail(errstr, errstr_size, "levers.tsv: %s: no field {%.*s} for kind %s", l->id,
                        (int)n, o + 1, lever_kinds[l->kind]);
    }
    return 0;
}

static int
load_levers(struct advisor *a, char *errstr, size_t errstr_size)
{
    struct table *t = &a->t_levers;
    if (table_load(t, "advisor/data/levers.tsv", "id\tkind\tlines\trate\tthreshold\ttext", errstr,
                   errstr_size))
        return -1;
    a->n_lever = t->rows;
    a->lever = xcalloc(t->rows ? t->rows : 1, sizeof(*a->lever));
    for (size_t r = 0; r < t->rows; r++) {
        struct lever_rule *l = &a->lever[r];
        l->id = cell(t, r, 0);
        l->text = cell(t, r, 5);
        size_t k = 0;
        while (k < PW_ARRAY_LEN(lever_kinds) && strcmp(lever_kinds[k], cell(t, r, 1)) != 0) k++;
        if (k == PW_ARRAY_LEN(lever_kinds))
            return fail(errstr, errstr_size, "levers.tsv: %s: unknown kind %s", l->id,
                        cell(t, r, 1));
        l->kind = (enum lever_kind)k;
        for (size_t i = 0; i < r; i++)
            if (strcmp(a->lever[i].id, l->id) == 0)
                return fail(errstr, errstr_size, "levers.tsv: %s: listed twice", l->id);
        if (lever_lines(a, l, (char *)cell(t, r, 2), errstr, errstr_size) ||
            lever_numbers(a, l, cell(t, r, 3), cell(t, r, 4), errstr, errstr_size) ||
            lever_text(l, errstr, errstr_size))
            return -1;
    }
    return 0;
}

static int
load_hints(struct advisor *a, char *errstr, size_t errstr_size)
{
    struct table *t = &a->t_hints;
    if (table_load(t, "advisor/data/hints.tsv", "kind\ttoken\tvalue", errstr, errstr_size))
        return -1;
    a->n_hint = t->rows;
    a->hint = xcalloc(t->rows ? t->rows : 1, sizeof(*a->hint));
    for (size_t r = 0; r < t->rows; r++) {
        struct hint *h = &a->hint[r];
        h->kind = cell(t, r, 0);
        h->token = cell(t, r, 1);
        h->value = cell(t, r, 2);
        for (const char *c = h->token; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                return fail(errstr, errstr_size, "hints.tsv: %s: tokens are lower-case", h->token);
        int ok = 0;
        if (strcmp(h->kind, "need") == 0) {
            for (int n = 0; n < NEED_COUNT; n++) ok |= strcmp(h->value, need_name_(n)) == 0;
        } else if (strcmp(h->kind, "cloud") == 0) {
            ok = cloud_parse(h->value) >= 0;
        } else if (strcmp(h->kind, "source") == 0) {
            ok = kind_parse(h->value) >= 0;
        } else if (strcmp(h->kind, "pii") == 0) {
            ok = strcmp(h->value, "true") == 0;
        } else {
            ok = design_hint_ok_(h->kind, h->value);
        }
        if (!ok) return fail(errstr, errstr_size, "hints.tsv: bad row %s/%s", h->kind, h->token);
    }
    return 0;
}

struct advisor *
advisor_new(char *errstr, size_t errstr_size)
{
    struct advisor *a = xcalloc(1, sizeof(*a));
    if (load_catalog(a, errstr, errstr_size) || load_prices(a, errstr, errstr_size) ||
        load_costrules(a, errstr, errstr_size) || load_constants(a, errstr, errstr_size) ||
        load_limits(a, errstr, errstr_size) || load_costcues(a, errstr, errstr_size) ||
        load_levers(a, errstr, errstr_size) ||
        load_textrules(&a->t_controls, "advisor/data/controls.tsv", "when\tcontrol\tsource",
                       &a->control, &a->n_control, errstr, errstr_size) ||
        load_textrules(&a->t_risks, "advisor/data/risks.tsv",
                       "when\tlikelihood\timpact\trisk\tmitigation\tsignal", &a->risk, &a->n_risk,
                       errstr, errstr_size) ||
        load_textrules(&a->t_steps, "advisor/data/steps.tsv", "when\tstep\teffort", &a->step,
                       &a->n_step, errstr, errstr_size) ||
        load_clouds(a, errstr, errstr_size) || load_hints(a, errstr, errstr_size) ||
        iac_templates_load_(a, errstr, errstr_size) ||
        (a->lex = extract_lexicon_new(errstr, errstr_size)) == NULL) {
        advisor_free(a);
        return NULL;
    }
    return a;
}

void
advisor_free(struct advisor *a)
{
    if (a == NULL) return;
    extract_lexicon_free(a->lex);
    for (size_t i = 0; i < ADVISOR_IAC_TEMPLATES; i++) iac_template_fini_(&a->iac[i]);
    for (size_t i = 0; i < a->n_areas; i++) free(a->areas[i].idx);
    for (size_t i = 0; i < a->n_tech; i++) free(a->tech[i].cost_rows);
    free(a->tech);
    free(a->price);
    free(a->price_by_id);
    free(a->cost);
    free(a->konst);
    free(a->control);
    free(a->risk);
    free(a->step);
    free(a->hint);
    free(a->costcue);
    free(a->lever);
    table_fini(&a->t_levers);
    table_fini(&a->t_limits);
    table_fini(&a->t_costcues);
    table_fini(&a->t_catalog);
    table_fini(&a->t_price);
    table_fini(&a->t_cost);
    table_fini(&a->t_const);
    table_fini(&a->t_controls);
    table_fini(&a->t_risks);
    table_fini(&a->t_steps);
    table_fini(&a->t_hints);
    table_fini(&a->t_clouds);
    free(a);
}
