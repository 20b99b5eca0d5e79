/* state/store.h - what the daemon keeps in Redis besides project versions (state.h), by meaning.
 *
 * Together with state.c this is the only code that names a Redis key or command. Callers say
 * what they store or want ("the latest report's markdown and project id"); the keys, the
 * commands and the order of the fields stay here. Keys:
 *   pw:request:{E}      string: the request's status record (JSON), request_ttl_s
 *   pw:recent           list: the newest event ids first, at most STORE_RECENT_MAX
 *   pw:{P}:latest       hash: the project's latest report, its audio (enum store_latest_field)
 *   pw:report:{R}       string: the project id of report R, request_ttl_s
 *   pw:audio:{H}        hash: a synthesised artifact by the SHA-256 of what was spoken
 *                       (enum store_audio_field), 7 days
 * Every command names one key, except the read of several request records: one MGET on a
 * single server, one GET per key in a Redis Cluster (the records are spread over the slots on
 * purpose; tagging them together would put every request on one master).
 * Writes are fire-and-forget and idempotent (state_write); reads answer through a
 * state_values_cb with the values in the order asked for.
 * Thread: the loop thread only.
 */
#ifndef PW_STATE_STORE_H
#define PW_STATE_STORE_H

#include <stddef.h>

#include "state.h"

#define STORE_RECENT_MAX 200
#define STORE_AUDIO_TTL_S 604800

/* ---- request status records ---------------------------------------------------------------- */

/* Records event 'event_id's status and puts it first in the recent list (once, even when a
 * replay records it again). */
void store_request_put(struct state *s, const char *event_id, const char *json, size_t len,
                       unsigned ttl_s);
/* Cuts the recent list to STORE_RECENT_MAX; call after a batch of store_request_put(). */
void store_recent_trim(struct state *s);
/* Reads the newest 'max' event ids of the recent list. Returns 0 when sent, -1 when Redis is not
 * connected ('cb' is not called). */
int store_recent(struct state *s, size_t max, state_values_cb *cb, void *arg);
/* Reads the status records of 'n' event ids (nil for an expired one), in order. */
int store_requests_get(struct state *s, const char *const *ids, const size_t *lens, size_t n,
                       state_values_cb *cb, void *arg);

/* ---- each project's latest report -------------------------------------------------------- */

enum store_latest_field {
    STORE_LATEST_REPORT_ID = 0,
    STORE_LATEST_PROJECT_ID,
    STORE_LATEST_EVENT_ID,
    STORE_LATEST_VERSION,
    STORE_LATEST_MARKDOWN,
    STORE_LATEST_JSON,
    STORE_LATEST_DOT,
    STORE_LATEST_AUDIO_STATUS,
    STORE_LATEST_CODEC,
    STORE_LATEST_AUDIO,
    STORE_LATEST_COUNT
};

/* Replaces project 'project_id's latest report with 'values' (STORE_LATEST_COUNT of them, in
 * enum order, binary-safe with 'lens'), kept 'ttl_s', and indexes its report id for
 * 'index_ttl_s'. */
void store_latest_put(struct state *s, const char *project_id, const char *const *values,
                      const size_t *lens, unsigned ttl_s, unsigned index_ttl_s);
/* Reads 'n' fields of a project's latest report, in the order of 'fields'. */
int store_latest_get(struct state *s, const char *project_id, size_t project_len,
                     const enum store_latest_field *fields, size_t n, state_values_cb *cb,
                     void *arg);
/* Reads the project id of report 'report_id' (nil when unknown or expired). */
int store_report_project(struct state *s, const char *report_id, state_values_cb *cb, void *arg);

/* ---- project versions (kept by state.c) -------------------------------------------------- */

/* Reads the project's kept requirement versions (state.h: pw:{P}:versions) as pairs of values:
 * version number, merged requirement JSON; none for an unknown project. Read-only. */
int store_versions_get(struct state *s, const char *project_id, size_t project_len,
                       state_values_cb *cb, void *arg);

/* ---- the audio cache ---------------------------------------------------------------------- */

enum store_audio_field {
    STORE_AUDIO_AUDIO = 0,
    STORE_AUDIO_CODEC,
    STORE_AUDIO_VOICE,
    STORE_AUDIO_SAMPLE_RATE,
    STORE_AUDIO_DURATION_MS,
    STORE_AUDIO_TEXT,
    STORE_AUDIO_COUNT
};

/* Reads every field of the artifact whose content hash is 'hash_hex', in enum order. */
int store_audio_get(struct state *s, const char *hash_hex, state_values_cb *cb, void *arg);
/* Keeps an artifact (STORE_AUDIO_COUNT values in enum order) for STORE_AUDIO_TTL_S. */
void store_audio_put(struct state *s, const char *hash_hex, const char *const *values,
                     const size_t *lens);

#endif
