/* common/requirement.h - the requirement record in C (schemas/requirement.avsc).
 *
 * The decoders in schemas/ fill it, the advisor reads it, the daemon merges versions of it.
 * Unknown values are explicit: numbers are NAN (req_known() tells), strings NULL, flags -1,
 * lists empty. Every string and array is owned by the record and freed by requirement_fini().
 * Plain data: no I/O, no globals.
 */
#ifndef PW_COMMON_REQUIREMENT_H
#define PW_COMMON_REQUIREMENT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

enum source_kind {
    SOURCE_UNKNOWN = 0,
    SOURCE_DATABASE,
    SOURCE_CDC,
    SOURCE_API,
    SOURCE_SAAS,
    SOURCE_FILES,
    SOURCE_EVENTS,
    SOURCE_LOGS,
    SOURCE_IOT,
    SOURCE_CLICKSTREAM,
    SOURCE_KIND_COUNT
};

struct strlist {
    char **v; /* owned strings */
    size_t n;
};

struct req_source {
    char *name; /* NULL if unknown */
    enum source_kind kind;
    double volume_gb_per_day;   /* NAN if unknown */
    double peak_events_per_sec; /* NAN if unknown */
    double avg_record_bytes;    /* NAN if unknown */
    int contains_pii;           /* 1, 0, or -1 unknown */
};

struct req_audio {
    int enabled;     /* 1, 0, or -1 (default: enabled) */
    char *voice;     /* "ENGINE:VOICE" or NULL for the configured default */
    double rate_wpm; /* NAN for the default */
    char *codec;     /* "opus" | "wav" or NULL (opus) */
};

struct requirement {
    char *event_id;
    char *project_id;
    int64_t submitted_at_ms; /* epoch ms, 0 if unknown */
    char *title;
    char *description;          /* free text */
    struct req_source *sources; /* owned array of 'n_sources' */
    size_t n_sources;
    double freshness_seconds;    /* NAN if unknown */
    double retention_days;       /* NAN if unknown */
    struct strlist consumers;    /* bi | ml | operational | reverse_etl | api | data_science */
    char *cloud;                 /* aws | gcp | azure | on_prem | any, NULL if unknown */
    double budget_usd_per_month; /* NAN if unknown */
    struct strlist compliance;
    struct strlist existing_stack;
    double team_size; /* NAN if unknown */
    struct strlist team_skills;
    double availability_target; /* percent, e.g. 99.9; NAN if unknown */
    struct req_audio audio;
};

static inline int
req_known(double v)
{
    return !isnan(v);
}

/* Sets every field to unknown. */
void requirement_init(struct requirement *req);
/* Frees what 'req' owns and leaves it initialised. */
void requirement_fini(struct requirement *req);
/* Deep copy of 'src' into uninitialised 'dst'. */
void requirement_copy(struct requirement *dst, const struct requirement *src);

/* Returns "database", "cdc", ... ("unknown" for SOURCE_UNKNOWN). */
const char *source_kind_name(enum source_kind kind);
/* Parses a kind name (case-insensitive); returns SOURCE_UNKNOWN when not recognised. */
enum source_kind source_kind_parse(const char *s);

/* Lowers every known number of 'req' that exceeds its bound in common/bounds.h to that bound.
 * Returns how many were lowered. */
int requirement_clamp(struct requirement *req);

void strlist_push(struct strlist *l, const char *s);
void strlist_fini(struct strlist *l);

#endif
