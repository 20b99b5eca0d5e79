/* daemon/versions.h - a project's kept requirement versions and what changed between them. */
#ifndef PW_DAEMON_VERSIONS_H
#define PW_DAEMON_VERSIONS_H

#include <stddef.h>

#include "buf.h"

/* Longest string value shown as it is in a change; longer ones are cut (at a character). */
#define VERSIONS_VALUE_MAX 160

/* Builds the JSON array of GET /v1/projects/{id}/versions from the project's kept versions,
 * given as 'n' values in pairs (version number, merged requirement JSON) in any order:
 *   [{"version": 3, "event_id": "...", "submitted_at": 1700000000000, "title": "...",
 *     "changed": [{"field": "budget_usd_per_month", "before": 25000, "after": 30000}, ...]},
 *    ...]
 * newest first. "changed" lists the requirement fields whose value differs from the version
 * before (the event id and submission time always do, and are not listed); it is null when the
 * version before is no longer kept. Values longer than a line are shortened: strings to
 * VERSIONS_VALUE_MAX bytes, lists and objects to their number of items. Pairs that do not
 * parse are skipped. Returns the number of versions written. */
size_t versions_json(const char *const *values, const size_t *lens, size_t n, struct buf *out);

#endif
