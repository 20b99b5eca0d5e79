/* advisor/render.c - write the analysis as the report: Markdown, JSON and the spoken summary.
 *
 * Owns the report's shape (docs/report-contract.md): the seven sections of the brief in Markdown,
 * read in about five minutes (what decides, about this request only), then an appendix with the
 * long material (full tables, the DAG, Terraform, DOT); the structured JSON with every decision,
 * figure and source; and an audio script written for the ear. It adds no judgement of its own:
 * every sentence states something an earlier stage decided or computed. Output is deterministic:
 * fixed order, numbers formatted the same way on every run. The writers are split by output:
 * render_md.c, render_plan.c, render_json.c, render_speech.c, render_num.c.
 */
#include "render_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"


/* ---- fingerprint ---------------------------------------------------------------------------- */

static void
fnv(uint64_t *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        *h ^= p[i];
        *h *= 1099511628211ull;
    }
}

static void
fnv_str(uint64_t *h, const char *s)
{
    if (s) fnv(h, s, strlen(s) + 1);
    else
        fnv(h, "\xff", 1);
}

static void
fnv_num(uint64_t *h, double v)
{
    /* The exact bits of the value (one NaN, one zero), so equal inputs hash alike. */
    if (isnan(v)) v = NAN;
    if (v == 0) v = 0;
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    fnv(h, &bits, sizeof(bits));
}

static void
fnv_list(uint64_t *h, const struct strlist *l)
{
    fnv_num(h, (double)l->n);
    for (size_t i = 0; i < l->n; i++) fnv_str(h, l->v[i]);
}

/* A hash of the normalised requirement: everything but ids, timestamps and audio options. */
static void
fingerprint(const struct analysis *an, char out[17])
{
    const struct requirement *r = &an->p.req;
    uint64_t h = 14695981039346656037ull;
    fnv_str(&h, ADVISOR_ENGINE_VERSION);
    fnv_str(&h, r->title);
    fnv_str(&h, r->description);
    fnv_num(&h, (double)r->n_sources);
    for (size_t i = 0; i < r->n_sources; i++) {
        const struct req_source *s = &r->sources[i];
        fnv_str(&h, s->name);
        fnv_num(&h, s->kind);
        fnv_num(&h, s->volume_gb_per_day);
        fnv_num(&h, s->peak_events_per_sec);
        fnv_num(&h, s->avg_record_bytes);
        fnv_num(&h, s->contains_pii);
    }
    fnv_num(&h, r->freshness_seconds);
    fnv_num(&h, r->retention_days);
    fnv_list(&h, &r->consumers);
    fnv_str(&h, r->cloud);
    fnv_num(&h, r->budget_usd_per_month);
    fnv_list(&h, &r->compliance);
    fnv_list(&h, &r->existing_stack);
    fnv_num(&h, r->team_size);
    fnv_list(&h, &r->team_skills);
    fnv_num(&h, r->availability_target);
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* ---- the report ----------------------------------------------------------------------------- */

void
render_(const struct analysis *an_c, const struct analysis *prev, long version, struct report *rep)
{
    /* Rendering only adds expanded strings to the arena; the analysis is otherwise unchanged. */
    struct analysis *an = (struct analysis *)an_c;
    char fp[17];
    fingerprint(an, fp);
    const char *project = an->p.req.project_id ? an->p.req.project_id : "adhoc";
    rep->fingerprint = xstrdup(fp);
    rep->version = version;
    struct buf id;
    buf_init(&id);
    buf_fmt_(&id, "%s-v%ld-%.8s", project, version, fp);
    rep->report_id = buf_detach(&id);

    struct buf sec;
    buf_init(&sec);
    for (int s = 0; s < SECTION_COUNT; s++) {
        buf_reset(&sec);
        switch (s) {
        case SECTION_EXECUTIVE_SUMMARY:
            sec_summary_(an, prev, &sec);
            break;
        case SECTION_ARCHITECTURE_OVERVIEW:
            sec_architecture_(an, &sec);
            break;
        case SECTION_IMPLEMENTATION_DETAILS:
            sec_implementation_(an, &sec);
            break;
        case SECTION_PERFORMANCE_CONSIDERATIONS:
            sec_performance_(an, &sec);
            break;
        case SECTION_COST_ANALYSIS:
            sec_cost_(an, &sec);
            break;
        case SECTION_RISK_ASSESSMENT:
            sec_risks_(an, &sec);
            break;
        default:
            sec_steps_(an, &sec);
            break;
        }
        /* one newline at the end, so the next heading follows one blank line */
        while (sec.len >= 2 && sec.data[sec.len - 1] == '\n' && sec.data[sec.len - 2] == '\n')
            sec.data[--sec.len] = '\0';
        rep->sections[s] = xstrdup(sec.data ? sec.data : "");
    }
    buf_fini(&sec);

    struct buf md;
    buf_init(&md);
    /* one allocation, as a rule: the sections, the appendix (about 16 KB) and its code blocks,
     * and the headings */
    size_t want = 16384 + strlen(an->terraform) + strlen(an->dot) + 1024;
    for (int s = 0; s < SECTION_COUNT; s++) want += strlen(rep->sections[s]);
    buf_reserve(&md, want);
    buf_fmt_(&md, "# %s\n\n*Report %s, engine %s, price book %s.*\n",
             an->p.title && an->p.title[0] ? an->p.title : "Data platform request", rep->report_id,
             ADVISOR_ENGINE_VERSION, an->a->pricebook_date);
    for (int s = 0; s < SECTION_COUNT; s++) {
        buf_puts(&md, "\n## ");
        buf_puts(&md, report_section_title((enum report_section)s));
        buf_puts(&md, "\n\n");
        buf_puts(&md, rep->sections[s]);
    }
    buf_puts(&md, "\n## Appendix\n\n");
    appendix_(an, &md);
    appendix_code_(an, &md);
    rep->markdown = buf_detach(&md);

    struct buf au;
    buf_init(&au);
    audio_script_(an, &au);
    rep->audio_script = buf_detach(&au);
    rep->dot = xstrdup(an->dot);

    struct buf out;
    buf_init(&out);
    render_json_(an, prev, rep, fp, &out);
    rep->json = buf_detach(&out);
}
