/* common/requirement.c - the requirement record: init, free, copy, kind names. Pure. */
#include "requirement.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounds.h"
#include "xalloc.h"

static const char *const kind_names[SOURCE_KIND_COUNT] = {
    "unknown", "database", "cdc", "api", "saas", "files", "events", "logs", "iot", "clickstream",
};

const char *
source_kind_name(enum source_kind kind)
{
    return (unsigned)kind < SOURCE_KIND_COUNT ? kind_names[kind] : "unknown";
}

enum source_kind
source_kind_parse(const char *s)
{
    if (s == NULL) return SOURCE_UNKNOWN;
    for (int i = 1; i < SOURCE_KIND_COUNT; i++)
        if (strcasecmp(s, kind_names[i]) == 0) return (enum source_kind)i;
    return SOURCE_UNKNOWN;
}

void
strlist_push(struct strlist *l, const char *s)
{
    l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = xstrdup(s);
}

void
strlist_fini(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void
strlist_copy(struct strlist *dst, const struct strlist *src)
{
    dst->v = NULL;
    dst->n = 0;
    for (size_t i = 0; i < src->n; i++) strlist_push(dst, src->v[i]);
}

void
requirement_init(struct requirement *req)
{
    memset(req, 0, sizeof(*req));
    req->freshness_seconds = NAN;
    req->retention_days = NAN;
    req->budget_usd_per_month = NAN;
    req->team_size = NAN;
    req->availability_target = NAN;
    req->audio.enabled = -1;
    req->audio.rate_wpm = NAN;
}

void
requirement_fini(struct requirement *req)
{
    free(req->event_id);
    free(req->project_id);
    free(req->title);
    free(req->description);
    for (size_t i = 0; i < req->n_sources; i++) free(req->sources[i].name);
    free(req->sources);
    strlist_fini(&req->consumers);
    free(req->cloud);
    strlist_fini(&req->compliance);
    strlist_fini(&req->existing_stack);
    strlist_fini(&req->team_skills);
    free(req->audio.voice);
    free(req->audio.codec);
    requirement_init(req);
}

void
requirement_copy(struct requirement *dst, const struct requirement *src)
{
    *dst = *src;
    dst->event_id = xstrdup(src->event_id);
    dst->project_id = xstrdup(src->project_id);
    dst->title = xstrdup(src->title);
    dst->description = xstrdup(src->description);
    dst->sources = src->n_sources ? xcalloc(src->n_sources, sizeof(*dst->sources)) : NULL;
    for (size_t i = 0; i < src->n_sources; i++) {
        dst->sources[i] = src->sources[i];
        dst->sources[i].name = xstrdup(src->sources[i].name);
    }
    strlist_copy(&dst->consumers, &src->consumers);
    dst->cloud = xstrdup(src->cloud);
    strlist_copy(&dst->compliance, &src->compliance);
    strlist_copy(&dst->existing_stack, &src->existing_stack);
    strlist_copy(&dst->team_skills, &src->team_skills);
    dst->audio.voice = xstrdup(src->audio.voice);
    dst->audio.codec = xstrdup(src->audio.codec);
}

static int
clamp(double *v, double max)
{
    if (isnan(*v) || *v <= max) return 0;
    *v = max;
    return 1;
}

int
requirement_clamp(struct requirement *req)
{
    int n = 0;
    for (size_t i = 0; i < req->n_sources; i++) {
        n += clamp(&req->sources[i].volume_gb_per_day, PW_MAX_GB_PER_DAY);
        n += clamp(&req->sources[i].peak_events_per_sec, PW_MAX_EVENTS_PER_SEC);
        n += clamp(&req->sources[i].avg_record_bytes, PW_MAX_RECORD_BYTES);
    }
    n += clamp(&req->freshness_seconds, PW_MAX_SECONDS);
    n += clamp(&req->retention_days, PW_MAX_DAYS);
    n += clamp(&req->budget_usd_per_month, PW_MAX_USD_PER_MONTH);
    n += clamp(&req->team_size, PW_MAX_TEAM_SIZE);
    return n;
}
