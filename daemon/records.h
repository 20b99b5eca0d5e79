/* daemon/records.h - request records and latest reports for the HTTP API (see records.c). */
#ifndef PW_DAEMON_RECORDS_H
#define PW_DAEMON_RECORDS_H

#include <stdint.h>

#include "daemon.h"

struct report;
struct requirement;
struct speech_result;

/* The longest title a request record keeps, in bytes. */
#define RECORDS_TITLE_MAX 120

/* Remembers how a request of the open batch ended ('report_id' NULL unless answered). 'title'
 * (may be NULL) names the request for people: its title, or else its description; it is kept
 * with spaces folded and cut to RECORDS_TITLE_MAX bytes at a word. */
void records_add(struct daemon *d, const char *event_id, const char *project_id, const char *title,
                 const char *report_id, long version, enum outcome outcome,
                 const char *audio_status, int64_t consumed_at_ms);
/* Writes the committed batch's records to Redis, then records_clear() forgets them. */
void records_write(struct daemon *d);
void records_clear(struct daemon *d);
/* Keeps 'rep' (and the audio in 'res', may be NULL) as its project's latest report. */
void records_store_report(struct daemon *d, const struct requirement *req, const struct report *rep,
                          const struct speech_result *res, const char *audio_status);

#endif
