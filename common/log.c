/* common/log.c - one logfmt (or JSON) line per event on stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum log_level log_min_level = LOG_LEVEL_INFO;
int log_json = 0;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int
log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0) return i;
    return -1;
}

/* Appends 's' to 'out' as a JSON string body (without quotes), truncating at the buffer end. */
static size_t
json_escape_into(char *out, size_t cap, size_t at, const char *s)
{
    for (; *s && at + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[at++] = '\\';
            out[at++] = (char)c;
        } else if (c < 0x20) {
            at += (size_t)snprintf(out + at, cap - at, "\\u%04x", c);
        } else {
            out[at++] = (char)c;
        }
    }
    return at;
}

void
log_write(enum log_level level, const char *module, const char *event, const char *fmt, ...)
{
    char line[2048], msg[1536];
    struct timeval tv;
    struct tm tm;
    va_list ap;

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    size_t n;
    if (log_json) {
        n = (size_t)snprintf(line, sizeof(line),
                             "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\",\"level\":\"%s\","
                             "\"module\":\"%s\",\"event\":\"%s\",\"msg\":\"",
                             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                             tm.tm_sec, (int)(tv.tv_usec / 1000), level_names[level], module,
                             event);
        if (n >= sizeof(line)) n = sizeof(line) - 1;
        n = json_escape_into(line, sizeof(line) - 3, n, msg);
        line[n++] = '"';
        line[n++] = '}';
    } else {
        n = (size_t)snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %s %s %s %s",
                             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                             tm.tm_sec, (int)(tv.tv_usec / 1000), level_names[level], module, event,
                             msg);
        if (n >= sizeof(line) - 1) n = sizeof(line) - 2;
    }
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w;
}
