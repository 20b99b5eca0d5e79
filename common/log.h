/* common/log.h - one logfmt line per event on stderr.
 *
 *   2026-11-27T18:35:39.123Z info consumer ASSIGNED partitions=3
 *
 * 'module' is the folder that logs, 'event' a greppable UPPER word (DECODE_FAILED, TXN_ABORT);
 * the rest is key=value pairs written by the caller. Ids (project_id, event_id,
 * topic/partition/offset) go in lines; payloads and secrets never do. The level is checked
 * before anything is formatted. Thread-safe: one write(2) per line.
 */
#ifndef PW_COMMON_LOG_H
#define PW_COMMON_LOG_H

enum log_level { LOG_LEVEL_DEBUG = 0, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

extern enum log_level log_min_level; /* lines below it are not formatted */
extern int log_json;                 /* 1: one JSON object per line instead of logfmt */

/* Parses "debug", "info", "warn" or "error"; returns -1 on anything else. */
int log_level_parse(const char *s);

void log_write(enum log_level level, const char *module, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define PW_LOG_(lvl, module, event, ...)                                                           \
    do {                                                                                           \
        if ((lvl) >= log_min_level) log_write((lvl), (module), (event), __VA_ARGS__);              \
    } while (0)
#define log_debug(module, event, ...) PW_LOG_(LOG_LEVEL_DEBUG, module, event, __VA_ARGS__)
#define log_info(module, event, ...) PW_LOG_(LOG_LEVEL_INFO, module, event, __VA_ARGS__)
#define log_warn(module, event, ...) PW_LOG_(LOG_LEVEL_WARN, module, event, __VA_ARGS__)
#define log_error(module, event, ...) PW_LOG_(LOG_LEVEL_ERROR, module, event, __VA_ARGS__)

#endif
