/* state/store.c - the keys and commands of what the daemon keeps in Redis besides project
 * versions; see store.h for the keys. Each function builds one command vector and hands it to
 * state.c, which owns the connection.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_int.h"
#include "xalloc.h"

#define RECENT_KEY "pw:recent"
#define KEY_MAX 320

/* Hash field names, in the order of the enums of store.h. */
static const char *const latest_fields[STORE_LATEST_COUNT] = {"report_id", "project_id",
                                                              "event_id",  "version",
                                                              "markdown",  "json",
                                                              "dot",       "audio_status",
                                                              "codec",     "audio"};
static const char *const audio_fields[STORE_AUDIO_COUNT] = {"audio",       "codec",       "voice",
                                                            "sample_rate", "duration_ms", "text"};

/* A command vector under construction: lengths follow the strings unless given. */
struct cmd {
    const char *argv[2 + 2 * STORE_LATEST_COUNT];
    size_t len[2 + 2 * STORE_LATEST_COUNT];
    int argc;
};

static void
arg(struct cmd *c, const char *v, size_t len)
{
    if (c->argc == (int)PW_ARRAY_LEN(c->argv)) return;
    c->argv[c->argc] = v;
    c->len[c->argc++] = len;
}

static void
arg_s(struct cmd *c, const char *v)
{
    arg(c, v, strlen(v));
}

/* Starts a command: its verb and its key. */
static void
begin(struct cmd *c, const char *verb, const char *key)
{
    c->argc = 0;
    arg_s(c, verb);
    arg_s(c, key);
}

static void
write_cmd(struct state *s, struct cmd *c)
{
    state_write(s, c->argc, c->argv, c->len);
}

static void
expire(struct state *s, const char *key, unsigned ttl_s)
{
    char ttl[16];
    snprintf(ttl, sizeof(ttl), "%u", ttl_s);
    struct cmd c;
    begin(&c, "EXPIRE", key);
    arg_s(&c, ttl);
    write_cmd(s, &c);
}

static void
set_ex(struct state *s, const char *key, const char *value, size_t len, unsigned ttl_s)
{
    char ttl[16];
    snprintf(ttl, sizeof(ttl), "%u", ttl_s);
    struct cmd c;
    begin(&c, "SET", key);
    arg(&c, value, len);
    arg_s(&c, "EX");
    arg_s(&c, ttl);
    write_cmd(s, &c);
}

/* ---- request status records ---------------------------------------------------------------- */

void
store_request_put(struct state *s, const char *event_id, const char *json, size_t len,
                  unsigned ttl_s)
{
    char key[KEY_MAX];
    snprintf(key, sizeof(key), "pw:request:%s", event_id);
    set_ex(s, key, json, len, ttl_s);
    struct cmd c;
    begin(&c, "LREM", RECENT_KEY); /* a replayed request is listed once */
    arg_s(&c, "0");
    arg_s(&c, event_id);
    write_cmd(s, &c);
    begin(&c, "LPUSH", RECENT_KEY);
    arg_s(&c, event_id);
    write_cmd(s, &c);
}

void
store_recent_trim(struct state *s)
{
    char last[16];
    snprintf(last, sizeof(last), "%d", STORE_RECENT_MAX - 1);
    struct cmd c;
    begin(&c, "LTRIM", RECENT_KEY);
    arg_s(&c, "0");
    arg_s(&c, last);
    write_cmd(s, &c);
}

int
store_recent(struct state *s, size_t max, state_values_cb *cb, void *arg_)
{
    char last[24];
    snprintf(last, sizeof(last), "%zu", max ? max - 1 : 0);
    struct cmd c;
    begin(&c, "LRANGE", RECENT_KEY);
    arg_s(&c, "0");
    arg_s(&c, last);
    return state_command(s, c.argc, c.argv, c.len, cb, arg_);
}

/* A multi-key read in cluster mode, where request records sit in different slots: one GET per
 * key, the answer given when the last one is back. Owns copies of the values. */
struct gather {
    size_t n, pending;
    char **values;
    size_t *lens;
    char error[256];
    state_values_cb *cb;
    void *arg;
};

struct gather_part {
    struct gather *g;
    size_t index;
};

static void
gather_done(struct gather *g)
{
    if (g->error[0]) g->cb(NULL, NULL, 0, g->error, g->arg);
    else
        g->cb((const char *const *)g->values, g->lens, g->n, NULL, g->arg);
    for (size_t i = 0; i < g->n; i++) free(g->values[i]);
    free(g->values);
    free(g->lens);
    free(g);
}

static void
on_gather_part(const char *const *values, const size_t *lens, size_t n, const char *error,
               void *arg)
{
    struct gather_part *part = arg;
    struct gather *g = part->g;
    if (error && !g->error[0]) snprintf(g->error, sizeof(g->error), "%s", error);
    else if (!error && n == 1 && values[0]) {
        g->values[part->index] = xmalloc(lens[0] + 1);
        memcpy(g->values[part->index], values[0], lens[0]);
        g->values[part->index][lens[0]] = '\0';
        g->lens[part->index] = lens[0];
    }
    free(part);
    if (--g->pending == 0) gather_done(g);
}

/* Sends one GET per key; -1 when not one could be sent ('cb' is not called). */
static int
gather_get(struct state *s, const char *const *keys, const size_t *klens, size_t n,
           state_values_cb *cb, void *arg_)
{
    struct gather *g = xcalloc(1, sizeof(*g));
    g->n = n;
    g->values = xcalloc(n, sizeof(*g->values));
    g->lens = xcalloc(n, sizeof(*g->lens));
    g->cb = cb;
    g->arg = arg_;
    g->pending = 1; /* held until every GET is sent */
    size_t sent = 0;
    for (size_t i = 0; i < n; i++) {
        struct gather_part *part = xmalloc(sizeof(*part));
        *part = (struct gather_part){g, i};
        const char *argv[2] = {"GET", keys[i]};
        size_t argvlen[2] = {3, klens[i]};
        g->pending++;
        if (state_command(s, 2, argv, argvlen, on_gather_part, part) != 0) {
            g->pending--;
            free(part);
            if (!g->error[0]) snprintf(g->error, sizeof(g->error), "redis unavailable");
        } else {
            sent++;
        }
    }
    if (sent == 0) {
        free(g->values);
        free(g->lens);
        free(g);
        return -1;
    }
    if (--g->pending == 0) gather_done(g);
    return 0;
}

int
store_requests_get(struct state *s, const char *const *ids, const size_t *lens, size_t n,
                   state_values_cb *cb, void *arg_)
{
    if (n == 0) return -1;
    const char **argv = xmalloc((n + 1) * sizeof(*argv));
    size_t *argvlen = xmalloc((n + 1) * sizeof(*argvlen));
    char *keys = xmalloc(n * KEY_MAX);
    argv[0] = "MGET";
    argvlen[0] = 4;
    for (size_t i = 0; i < n; i++) {
        char *k = keys + i * KEY_MAX;
        int len = snprintf(k, KEY_MAX, "pw:request:%.*s", (int)(lens[i] < 256 ? lens[i] : 256),
                           ids[i]);
        argv[1 + i] = k;
        argvlen[1 + i] = (size_t)len;
    }
    /* One MGET on a single server; in a cluster the records are spread over the slots. */
    int rc = state_cluster_mode(s) ? gather_get(s, argv + 1, argvlen + 1, n, cb, arg_)
                                   : state_command(s, (int)(n + 1), argv, argvlen, cb, arg_);
    free(keys);
    free(argvlen);
    free(argv);
    return rc;
}

/* ---- each project's latest report -------------------------------------------------------- */

static void
latest_key(char *key, size_t size, const char *project_id, size_t len)
{
    snprintf(key, size, "pw:{%.*s}:latest", (int)(len < 256 ? len : 256), project_id);
}

void
store_latest_put(struct state *s, const char *project_id, const char *const *values,
                 const size_t *lens, unsigned ttl_s, unsigned index_ttl_s)
{
    char key[KEY_MAX], index[KEY_MAX];
    latest_key(key, sizeof(key), project_id, strlen(project_id));
    struct cmd c;
    begin(&c, "HSET", key);
    for (int f = 0; f < STORE_LATEST_COUNT; f++) {
        arg_s(&c, latest_fields[f]);
        arg(&c, values[f] ? values[f] : "", values[f] ? lens[f] : 0);
    }
    write_cmd(s, &c);
    expire(s, key, ttl_s);
    const char *report_id = values[STORE_LATEST_REPORT_ID];
    snprintf(index, sizeof(index), "pw:report:%s", report_id ? report_id : "");
    set_ex(s, index, project_id, strlen(project_id), index_ttl_s);
}

int
store_latest_get(struct state *s, const char *project_id, size_t project_len,
                 const enum store_latest_field *fields, size_t n, state_values_cb *cb, void *arg_)
{
    char key[KEY_MAX];
    latest_key(key, sizeof(key), project_id, project_len);
    struct cmd c;
    begin(&c, "HMGET", key);
    for (size_t i = 0; i < n && i < STORE_LATEST_COUNT; i++)
        if ((unsigned)fields[i] < STORE_LATEST_COUNT) arg_s(&c, latest_fields[fields[i]]);
    return state_command(s, c.argc, c.argv, c.len, cb, arg_);
}

int
store_report_project(struct state *s, const char *report_id, state_values_cb *cb, void *arg_)
{
    char key[KEY_MAX];
    snprintf(key, sizeof(key), "pw:report:%s", report_id);
    struct cmd c;
    begin(&c, "GET", key);
    return state_command(s, c.argc, c.argv, c.len, cb, arg_);
}

/* ---- project versions (kept by state.c) -------------------------------------------------- */

int
store_versions_get(struct state *s, const char *project_id, size_t project_len, state_values_cb *cb,
                   void *arg_)
{
    char key[KEY_MAX];
    snprintf(key, sizeof(key), "pw:{%.*s}:versions", (int)(project_len < 256 ? project_len : 256),
             project_id);
    struct cmd c;
    begin(&c, "HGETALL", key);
    return state_command(s, c.argc, c.argv, c.len, cb, arg_);
}

/* ---- the audio cache ---------------------------------------------------------------------- */

int
store_audio_get(struct state *s, const char *hash_hex, state_values_cb *cb, void *arg_)
{
    char key[KEY_MAX];
    snprintf(key, sizeof(key), "pw:audio:%s", hash_hex);
    struct cmd c;
    begin(&c, "HMGET", key);
    for (int f = 0; f < STORE_AUDIO_COUNT; f++) arg_s(&c, audio_fields[f]);
    return state_command(s, c.argc, c.argv, c.len, cb, arg_);
}

void
store_audio_put(struct state *s, const char *hash_hex, const char *const *values,
                const size_t *lens)
{
    char key[KEY_MAX];
    snprintf(key, sizeof(key), "pw:audio:%s", hash_hex);
    struct cmd c;
    begin(&c, "HSET", key);
    for (int f = 0; f < STORE_AUDIO_COUNT; f++) {
        arg_s(&c, audio_fields[f]);
        arg(&c, values[f] ? values[f] : "", values[f] ? lens[f] : 0);
    }
    write_cmd(s, &c);
    expire(s, key, STORE_AUDIO_TTL_S);
}
