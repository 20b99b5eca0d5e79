/* daemon/records.c - what the HTTP API reads, written to Redis as requests are answered.
 *
 * Two kinds of records, both idempotent writes outside the Kafka transaction:
 *  - request records (pw:request:{event_id}, JSON, request_ttl_s, and the recent list
 *    pw:recent), kept per batch and written only once the batch has committed, so the API
 *    never calls a request answered that a consumer could not read;
 *  - each project's latest report with its audio (pw:{P}:latest, report_ttl_s) and the name of
 *    the project of each report id (pw:report:{id}). One full report per project, so memory
 *    follows the number of projects, not of requests. Written before the commit: a replay
 *    rewrites the same report, so an aborted batch leaves nothing wrong behind.
 * Thread: the loop thread.
 */
#include "records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisor.h"
#include "buf.h"
#include "clock.h"
#include "jsonw.h"
#include "speech.h"
#include "state.h"
#include "xalloc.h"

void
records_clear(struct daemon *d)
{
    for (int i = 0; i < d->n_done; i++) {
        free(d->done[i].event_id);
        free(d->done[i].project_id);
        free(d->done[i].report_id);
    }
    d->n_done = 0;
}

void
records_add(struct daemon *d, const char *event_id, const char *project_id,
            const char *report_id, long version, enum outcome outcome, const char *audio_status,
            int64_t consumed_at_ms)
{
    if (d->n_done == d->cap_done) {
        d->cap_done = d->cap_done ? d->cap_done * 2 : 64;
        d->done = xrealloc(d->done, (size_t)d->cap_done * sizeof(*d->done));
    }
    struct done_record *r = &d->done[d->n_done++];
    memset(r, 0, sizeof(*r));
    r->event_id = xstrdup(event_id);
    r->project_id = xstrdup(project_id);
    r->report_id = xstrdup(report_id);
    r->outcome = outcome;
    r->version = version;
    snprintf(r->audio_status, sizeof(r->audio_status), "%s", audio_status ? audio_status : "");
    r->consumed_at_ms = consumed_at_ms;
    r->answered_at_ms = clock_wall_ms();
}

static const char *const outcome_status[OUTCOME_COUNT] = {"answered", "duplicate", "dead_letter",
                                                          "failed"};

void
records_write(struct daemon *d)
{
    struct buf json;
    char ttl[16];
    snprintf(ttl, sizeof(ttl), "%d", d->cfg->request_ttl_s);
    buf_init(&json);
    for (int i = 0; i < d->n_done; i++) {
        const struct done_record *r = &d->done[i];
        struct jsonw w;
        if (r->outcome == OUTCOME_DUPLICATE) continue; /* the original's record stands */
        buf_reset(&json);
        jsonw_init(&w, &json);
        jsonw_obj_begin(&w);
        jsonw_kstr(&w, "event_id", r->event_id);
        jsonw_kstr(&w, "project_id", r->project_id);
        jsonw_kstr(&w, "status", outcome_status[r->outcome]);
        if (r->report_id) {
            jsonw_kstr(&w, "report_id", r->report_id);
            jsonw_kint(&w, "version", r->version);
            jsonw_kstr(&w, "audio_status", r->audio_status);
        }
        jsonw_kint(&w, "consumed_at_ms", r->consumed_at_ms);
        jsonw_kint(&w, "answered_at_ms", r->answered_at_ms);
        jsonw_kint(&w, "committed_at_ms", clock_wall_ms());
        jsonw_kint(&w, "processing_ms", r->answered_at_ms - r->consumed_at_ms);
        jsonw_obj_end(&w);
        char key[256];
        snprintf(key, sizeof(key), "pw:request:%s", r->event_id);
        const char *set[] = {"SET", key, json.data, "EX", ttl};
        size_t setlen[] = {3, strlen(key), json.len, 2, strlen(ttl)};
        state_write(d->state, 5, set, setlen);
        const char *rem[] = {"LREM", "pw:recent", "0", r->event_id};
        size_t remlen[] = {4, 9, 1, strlen(r->event_id)};
        state_write(d->state, 4, rem, remlen); /* a replayed request is listed once */
        const char *push[] = {"LPUSH", "pw:recent", r->event_id};
        size_t pushlen[] = {5, 9, strlen(r->event_id)};
        state_write(d->state, 3, push, pushlen);
    }
    if (d->n_done) {
        const char *trim[] = {"LTRIM", "pw:recent", "0", "199"};
        size_t trimlen[] = {5, 9, 1, 3};
        state_write(d->state, 4, trim, trimlen);
    }
    buf_fini(&json);
}

void
records_store_report(struct daemon *d, const struct requirement *req, const struct report *rep,
                     const struct speech_result *res, const char *audio_status)
{
    char latest[256], index[300], version[24], latest_ttl[16], index_ttl[16];
    snprintf(latest, sizeof(latest), "pw:{%s}:latest", req->project_id);
    snprintf(index, sizeof(index), "pw:report:%s", rep->report_id);
    snprintf(version, sizeof(version), "%ld", rep->version);
    snprintf(latest_ttl, sizeof(latest_ttl), "%d", d->cfg->report_ttl_s);
    snprintf(index_ttl, sizeof(index_ttl), "%d", d->cfg->request_ttl_s);
    const char *codec = res ? speech_codec_name(res->codec) : "";
    const char *hset[] = {"HSET",    latest,        "report_id", rep->report_id,
                          "project_id", req->project_id, "event_id", req->event_id,
                          "version", version, "markdown", rep->markdown,
                          "json", rep->json, "dot", rep->dot ? rep->dot : "",
                          "audio_status", audio_status, "codec", codec,
                          "audio", res ? (const char *)res->audio : ""};
    size_t hsetlen[PW_ARRAY_LEN(hset)];
    for (size_t i = 0; i < PW_ARRAY_LEN(hset); i++) hsetlen[i] = strlen(hset[i]);
    hsetlen[PW_ARRAY_LEN(hset) - 1] = res ? res->audio_len : 0;
    state_write(d->state, (int)PW_ARRAY_LEN(hset), hset, hsetlen);
    const char *expire[] = {"EXPIRE", latest, latest_ttl};
    size_t expirelen[] = {6, strlen(latest), strlen(latest_ttl)};
    state_write(d->state, 3, expire, expirelen);
    const char *set[] = {"SET", index, req->project_id, "EX", index_ttl};
    size_t setlen[] = {3, strlen(index), strlen(req->project_id), 2, strlen(index_ttl)};
    state_write(d->state, 5, set, setlen);
}

