/* advisor/history.c - what changed since the project's previous version, and why.
 *
 * Owns the comparison of two analyses of the same project: the inputs that changed (the profile
 * figures the decisions depend on), the decisions that flipped (same area and subject, another
 * choice; areas that appeared or disappeared) and the cost delta. The previous analysis is a
 * deterministic re-run of the engine on the previous requirement, so it is exactly what that
 * version's report said. Pure, deterministic.
 */
#include "advisor_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"

struct change {
    const char *field;
    char before[96], after[96];
};

static int
differs(double a, double b)
{
    return fabs(a - b) > 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

static size_t
input_changes(const struct analysis *an, const struct analysis *prev, struct change *c, size_t max)
{
    const struct profile *p = &an->p, *q = &prev->p;
    size_t n = 0;
#define NUM_CHANGE(name, a, b)                                                                     \
    if (n < max && differs((a), (b))) {                                                            \
        c[n].field = name;                                                                         \
        snprintf(c[n].before, sizeof(c[n].before), "%g", (b));                                     \
        snprintf(c[n].after, sizeof(c[n].after), "%g", (a));                                       \
        n++;                                                                                       \
    }
    NUM_CHANGE("freshness_seconds", p->freshness_s, q->freshness_s);
    NUM_CHANGE("retention_days", p->retention_days, q->retention_days);
    NUM_CHANGE("budget_usd_per_month", p->budget, q->budget);
    NUM_CHANGE("volume_gb_per_day", round(p->total.gb_day * 100) / 100,
               round(q->total.gb_day * 100) / 100);
    NUM_CHANGE("peak_events_per_sec", round(p->total.peak_ev_s), round(q->total.peak_ev_s));
    NUM_CHANGE("sources", (double)p->n_src, (double)q->n_src);
    NUM_CHANGE("team_size", p->team_size, q->team_size);
    NUM_CHANGE("availability_target", p->availability, q->availability);
#undef NUM_CHANGE
    if (n < max && p->cloud != q->cloud) {
        c[n].field = "cloud";
        snprintf(c[n].before, sizeof(c[n].before), "%s", cloud_name_(q->cloud));
        snprintf(c[n].after, sizeof(c[n].after), "%s", cloud_name_(p->cloud));
        n++;
    }
    if (n < max && strcmp(p->regs, q->regs) != 0) {
        c[n].field = "compliance";
        snprintf(c[n].before, sizeof(c[n].before), "%s", q->regs[1] ? q->regs : "none");
        snprintf(c[n].after, sizeof(c[n].after), "%s", p->regs[1] ? p->regs : "none");
        n++;
    }
    if (n < max && p->needs != q->needs) {
        c[n].field = "needs";
        size_t o = 0, o2 = 0;
        for (int x = 0; x < NEED_COUNT; x++) {
            if ((q->needs >> x) & 1 && o < sizeof(c[n].before) - 16)
                o += (size_t)snprintf(c[n].before + o, sizeof(c[n].before) - o, "%s%s",
                                      o ? "," : "", need_name_((enum need)x));
            if ((p->needs >> x) & 1 && o2 < sizeof(c[n].after) - 16)
                o2 += (size_t)snprintf(c[n].after + o2, sizeof(c[n].after) - o2, "%s%s",
                                       o2 ? "," : "", need_name_((enum need)x));
        }
        n++;
    }
    return n;
}

static int
same_slot(const struct decision *a, const struct decision *b)
{
    if (strcmp(a->area, b->area) != 0) return 0;
    if (a->subject == NULL || b->subject == NULL) return a->subject == b->subject;
    return strcmp(a->subject, b->subject) == 0;
}

static const struct decision *
find_slot(const struct analysis *an, const struct decision *d)
{
    for (size_t i = 0; i < an->n_dec; i++)
        if (same_slot(&an->dec[i], d)) return &an->dec[i];
    return NULL;
}

void
history_markdown_(const struct analysis *an, const struct analysis *prev, struct buf *out)
{
    struct change c[16];
    size_t n = input_changes(an, prev, c, PW_ARRAY_LEN(c));
    buf_puts(out, "**What changed since the previous version:**\n\n");
    if (n == 0) buf_puts(out, "- Inputs: none of the figures the design depends on changed.\n");
    for (size_t i = 0; i < n; i++)
        buf_fmt_(out, "- Input `%s`: %s -> %s.\n", c[i].field, c[i].before, c[i].after);
    size_t flips = 0;
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        const struct decision *e = find_slot(prev, d);
        if (e == NULL) {
            buf_fmt_(out, "- Decision `%s` added: %s.\n", d->area, d->choice);
            flips++;
        } else if (strcmp(e->choice, d->choice) != 0) {
            buf_fmt_(out, "- Decision `%s`%s%s%s flipped: %s -> %s.\n", d->area,
                     d->subject ? " (" : "", d->subject ? d->subject : "", d->subject ? ")" : "",
                     e->choice, d->choice);
            flips++;
        }
    }
    for (size_t i = 0; i < prev->n_dec; i++)
        if (find_slot(an, &prev->dec[i]) == NULL) {
            buf_fmt_(out, "- Decision `%s` dropped: %s.\n", prev->dec[i].area, prev->dec[i].choice);
            flips++;
        }
    if (flips == 0) buf_puts(out, "- Decisions: unchanged.\n");
    double delta = an->cost.monthly - prev->cost.monthly;
    buf_puts(out, "- Cost: ");
    fmt_usd_(out, prev->cost.monthly);
    buf_puts(out, " -> ");
    fmt_usd_(out, an->cost.monthly);
    buf_puts(out, " a month (");
    buf_puts(out, delta >= 0 ? "+" : "-");
    fmt_usd_(out, fabs(delta));
    buf_puts(out, ").\n");
}

void
history_json_(const struct analysis *an, const struct analysis *prev, void *wp)
{
    struct jsonw *w = wp;
    struct change c[16];
    size_t n = input_changes(an, prev, c, PW_ARRAY_LEN(c));
    jsonw_key(w, "changes_since_previous");
    jsonw_obj_begin(w);
    jsonw_key(w, "inputs");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        jsonw_obj_begin(w);
        jsonw_kstr(w, "field", c[i].field);
        jsonw_kstr(w, "before", c[i].before);
        jsonw_kstr(w, "after", c[i].after);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    jsonw_key(w, "decisions");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        const struct decision *e = find_slot(prev, d);
        if (e && strcmp(e->choice, d->choice) == 0) continue;
        jsonw_obj_begin(w);
        jsonw_kstr(w, "area", d->area);
        if (d->subject) jsonw_kstr(w, "for", d->subject);
        jsonw_kstr(w, "before", e ? e->choice : NULL);
        jsonw_kstr(w, "after", d->choice);
        jsonw_obj_end(w);
    }
    for (size_t i = 0; i < prev->n_dec; i++) {
        if (find_slot(an, &prev->dec[i])) continue;
        jsonw_obj_begin(w);
        jsonw_kstr(w, "area", prev->dec[i].area);
        jsonw_kstr(w, "before", prev->dec[i].choice);
        jsonw_kstr(w, "after", NULL);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    jsonw_knum(w, "previous_monthly_usd", prev->cost.monthly);
    jsonw_knum(w, "monthly_usd_delta", round((an->cost.monthly - prev->cost.monthly) * 100) / 100);
    jsonw_obj_end(w);
}
