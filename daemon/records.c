/* daemon/records.c - what the HTTP API reads, written to Redis as requests are answered.
 *
 * Two kinds of records (state/store.h keeps them), both idempotent writes outside the Kafka
 * transaction:
 *  - request status records (request_ttl_s) and the recent list, kept per batch and written
 *    only once the batch has committed, so the API never calls a request answered that a
 *    consumer could not read; each carries a short title, so the page lists what people
 *    wrote rather than ids;
 *  - each project's latest report with its audio (report_ttl_s) and the project of each report
 *    id. One full report per project, so memory
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
#include "store.h"
#include "xalloc.h"

void
records_clear(struct daemon *d)
{
    for (int i = 0; i < d->n_done; i++) {
        free(d->done[i].event_id);
        free(d->done[i].project_id);
        free(d->done[i].report_id);
        free(d->done[i].title);
    }
    d->n_done = 0;
}

/* 'text' with runs of white space folded to one space, cut to RECORDS_TITLE_MAX bytes at a
 * word (or at a character when one word is longer) with an ellipsis; NULL when empty. */
static char *
short_title(const char *text)
{
    if (text == NULL) return NULL;
    struct buf b;
    buf_init(&b);
    int space = 0;
    for (const char *s = text; *s; s++) {
        int ws = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v';
        if (ws) {
            space = b.len > 0;
            continue;
        }
        if (space) buf_putc(&b, ' ');
        space = 0;
        buf_putc(&b, *s);
        if (b.len > RECORDS_TITLE_MAX) break;
    }
    if (b.len > RECORDS_TITLE_MAX) {
        size_t cut = RECORDS_TITLE_MAX - 3; /* room for the ellipsis */
        while (cut > 0 && ((unsigned char)b.data[cut] & 0xC0) == 0x80) cut--;
        size_t word = cut;
        while (word > 0 && b.data[word] != ' ') word--;
        if (word > RECORDS_TITLE_MAX / 2) cut = word;
        b.len = cut;
        buf_puts(&b, "\xE2\x80\xA6");
    }
    if (b.len == 0) {
        buf_fini(&b);
        return NULL;
    }
    return buf_detach(&b);
}

void
records_add(struct daemon *d, const char *event_id, const char *project_id, const char *title,
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
    r->title = short_title(title);
    r->outcome = outcome;
    r->version = version;
    snprintf(r->audio_status, sizeof(r->audio_status), "%s", audio_status ? audio_status : "");
    r->consumed_at_ms = consumed_at_ms;
    r->answered_at_ms = clock_wall_ms();
}

const char *
outcome_name(enum outcome o)
{
    static const char *const names[OUTCOME_COUNT] = {"answered", "duplicate", "dead_letter",
                                                     "failed"};
    return (unsigned)o < OUTCOME_COUNT ? names[o] : "unknown";
}

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
        if (r->title) jsonw_kstr(&w, "title", r->title);
        jsonw_kstr(&w, "status", outcome_name(r->outcome));
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
        store_request_put(d->state, r->event_id, json.data, json.len,
                          (unsigned)d->cfg->request_ttl_s);
    }
    if (d->n_done) store_recent_trim(d->state);
    buf_fini(&json);
}

void
records_store_report(struct daemon *d, const struct requirement *req, const struct report *rep,
                     const struct speech_result *res, const char *audio_status)
{
    char version[24];
    snprintf(version, sizeof(version), "%ld", rep->version);
    const char *values[STORE_LATEST_COUNT] = {
        [STORE_LATEST_REPORT_ID] = rep->report_id,
        [STORE_LATEST_PROJECT_ID] = req->project_id,
        [STORE_LATEST_EVENT_ID] = req->event_id,
        [STORE_LATEST_VERSION] = version,
        [STORE_LATEST_MARKDOWN] = rep->markdown,
        [STORE_LATEST_JSON] = rep->json,
        [STORE_LATEST_DOT] = rep->dot,
        [STORE_LATEST_AUDIO_STATUS] = audio_status,
        [STORE_LATEST_CODEC] = res ? speech_codec_name(res->codec) : "",
        [STORE_LATEST_AUDIO] = res ? (const char *)res->audio : "",
    };
    size_t lens[STORE_LATEST_COUNT];
    for (int f = 0; f < STORE_LATEST_COUNT; f++) lens[f] = values[f] ? strlen(values[f]) : 0;
    lens[STORE_LATEST_AUDIO] = res ? res->audio_len : 0;
    store_latest_put(d->state, req->project_id, values, lens, (unsigned)d->cfg->report_ttl_s,
                     (unsigned)d->cfg->request_ttl_s);
}
