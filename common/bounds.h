/* common/bounds.h - bounds on everything that comes from outside.
 *
 * Every decoder checks these *before* it allocates, so that a hostile message costs at most a
 * bounded amount of memory and time. They are deliberately generous for real requirements
 * (a requirement is a few KB) and tight against abuse.
 */
#ifndef PW_COMMON_BOUNDS_H
#define PW_COMMON_BOUNDS_H

#define PW_MAX_MESSAGE_BYTES (1024 * 1024) /* a whole requirement message on the wire */
#define PW_MAX_ID_BYTES 128                /* event_id, project_id */
#define PW_MAX_NAME_BYTES 256              /* title, source names, list items */
#define PW_MAX_TEXT_BYTES (64 * 1024)      /* description */
#define PW_MAX_LIST_ITEMS 64               /* sources, consumers, compliance, stack, skills */
#define PW_MAX_JSON_DEPTH 16               /* nesting of a JSON requirement */
#define PW_MAX_SPEECH_CHARS 4000           /* text handed to a synthesiser */

/* Largest values a requirement may state: far beyond any real platform (an exabyte a day, ten
 * billion events a second), small enough that sizing arithmetic stays exact in a long. The
 * decoders refuse larger values; the engine clamps values read from free text to them. */
#define PW_MAX_GB_PER_DAY 1e9 /* 1 EB/day */
#define PW_MAX_EVENTS_PER_SEC 1e10
#define PW_MAX_RECORD_BYTES 1e13 /* 10 TB: a "record" may be a whole file or video */
#define PW_MAX_SECONDS 3.2e9     /* about a century */
#define PW_MAX_DAYS 36500.0      /* a century */
#define PW_MAX_USD_PER_MONTH 1e12
#define PW_MAX_TEAM_SIZE 1e6

#endif
