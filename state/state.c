/* state/state.c - Redis through hiredis async on the loop, with timeouts and reconnection.
 *
 * The connection is a small state machine: DOWN -> (connect) -> CONNECTING -> (AUTH, SELECT,
 * PING answered) -> READY; any I/O error, protocol error or command timeout drops it back to
 * DOWN and arms the reconnect timer (100 ms doubling to 5 s). A context is never reused after a
 * failure: hiredis frees it after its disconnect callback, so our pointer is cleared first.
 * Thread: loop only.
 */
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <hiredis/adapters/libevent.h>

#include "log.h"
#include "state_int.h"
#include "xalloc.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

/* Applies one event; see state.h for the keys. A field that the new event leaves out (or sets to
 * null) keeps its merged value, so a project's requirement accumulates over its events. The event
 * record keeps the merged requirement it produced and the one before, so a replay finds its own
 * answer however many later versions of a busy project were applied in between (an aborted
 * batch may hold hundreds of one project's events). The project hash keeps the last eight
 * versions for reading; merging needs only the newest. */
static const char apply_script[] =
    "local ev = redis.call('HMGET', KEYS[3], 'partition', 'offset', 'version', 'merged',\n"
    "                      'previous')\n"
    "if ev[1] then\n"
    "  local v = tonumber(ev[3])\n"
    "  if ev[1] == ARGV[1] and ev[2] == ARGV[2] then\n"
    "    local mj = ev[4] or redis.call('HGET', KEYS[2], tostring(v))\n"
    "    local prev = ev[5] or redis.call('HGET', KEYS[2], tostring(v - 1))\n"
    "    return {'replay', v, mj, prev}\n"
    "  end\n"
    "  return {'duplicate', v}\n"
    "end\n"
    "local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')\n"
    "local prev = redis.call('HGET', KEYS[2], tostring(v))\n"
    "local merged = prev and cjson.decode(prev) or {}\n"
    "for k, val in pairs(cjson.decode(ARGV[3])) do\n"
    "  if val ~= cjson.null then merged[k] = val end\n"
    "end\n"
    "local mj = cjson.encode(merged)\n"
    "v = v + 1\n"
    "redis.call('HSET', KEYS[1], 'version', v, 'event_id', ARGV[5])\n"
    "redis.call('HSET', KEYS[2], tostring(v), mj)\n"
    "redis.call('HDEL', KEYS[2], tostring(v - 8))\n"
    "redis.call('HSET', KEYS[3], 'partition', ARGV[1], 'offset', ARGV[2], 'version', v,\n"
    "           'merged', mj)\n"
    "if prev then redis.call('HSET', KEYS[3], 'previous', prev) end\n"
    "redis.call('EXPIRE', KEYS[3], ARGV[4])\n"
    "return {'new', v, mj, prev}\n";

struct state {
    struct event_base *base;
    redisAsyncContext *ac;       /* NULL while down; owned by hiredis once attached */
    struct event *reconnect_ev;  /* fires the next connection attempt */
    unsigned backoff_ms;
    int ready;
    int stopping;
    unsigned long reconnects;
    unsigned long write_errors;  /* fire-and-forget writes that failed */
    char script_sha[41];         /* SHA-1 of apply_script: EVALSHA sends 40 bytes, not 1 KB */
    char host[256];
    int port;
    char user[128];
    char password[256];
    int db;
    unsigned timeout_ms;
    unsigned event_ttl_s;
    state_ready_cb *on_ready;
    void *on_ready_arg;
};

/* One command in flight: hiredis calls on_reply() exactly once (with NULL on teardown); the
 * timer may fire first, and then the reply, when it comes, only frees the record. 'finish'
 * turns the raw reply into the caller's callback. */
struct command {
    struct state *s;
    struct event *timer;
    void (*finish)(struct command *cmd, const redisReply *reply, const char *error,
                   int retriable);
    state_apply_cb *apply_cb;
    state_values_cb *values_cb;
    void *arg;
    int answered;     /* the user callback has run */
};

static void connect_now(struct state *s);

static void
set_ready(struct state *s, int ready)
{
    if (s->ready == ready) return;
    s->ready = ready;
    if (s->on_ready) s->on_ready(ready, s->on_ready_arg);
}

static void
schedule_reconnect(struct state *s)
{
    if (s->stopping || event_pending(s->reconnect_ev, EV_TIMEOUT, NULL)) return;
    struct timeval tv = {s->backoff_ms / 1000, (s->backoff_ms % 1000) * 1000};
    event_add(s->reconnect_ev, &tv);
    s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
}

/* Drops the connection (hard: pending callbacks run with NULL) and plans the next attempt. */
static void
drop(struct state *s, const char *why)
{
    redisAsyncContext *ac = s->ac;
    if (ac == NULL) return;
    s->ac = NULL;
    s->reconnects++;
    set_ready(s, 0);
    log_warn("state", "REDIS_DOWN", "host=%s port=%d reason=\"%s\"", s->host, s->port, why);
    redisAsyncFree(ac);
    schedule_reconnect(s);
}

static void
on_disconnect(const redisAsyncContext *c, int status)
{
    struct state *s = c->data;
    if (s->ac == c) {
        /* hiredis frees 'c' when we return: forget it now */
        s->ac = NULL;
        s->reconnects++;
        set_ready(s, 0);
        log_warn("state", "REDIS_DOWN", "host=%s port=%d reason=\"%s\"", s->host, s->port,
                 status == REDIS_OK ? "closed" : c->errstr);
    }
    schedule_reconnect(s);
}

static void
on_connect(const redisAsyncContext *c, int status)
{
    struct state *s = c->data;
    if (status != REDIS_OK && s->ac == c) {
        log_warn("state", "REDIS_CONNECT_FAILED", "host=%s port=%d reason=\"%s\"", s->host,
                 s->port, c->errstr);
        s->ac = NULL; /* freed by hiredis after this callback */
        schedule_reconnect(s);
    }
}

static void
on_ping(redisAsyncContext *c, void *r, void *privdata)
{
    struct state *s = privdata;
    redisReply *reply = r;
    if (reply == NULL || s->ac != c) return;
    if (reply->type == REDIS_REPLY_ERROR) {
        /* Not ready yet (LOADING after a restart) or refused (a wrong password): either way
         * start again after the backoff, so a server that becomes usable is found without help.
         * The error says why; a refusal is repeated at most every few seconds. */
        log_error("state", "REDIS_REFUSED", "host=%s port=%d reason=\"%s\"", s->host, s->port,
                  reply->str);
        drop(s, "not ready");
        return;
    }
    s->backoff_ms = BACKOFF_MIN_MS;
    log_info("state", "REDIS_READY", "host=%s port=%d", s->host, s->port);
    set_ready(s, 1);
}

static void
on_setup_reply(redisAsyncContext *c, void *r, void *privdata)
{
    struct state *s = privdata;
    redisReply *reply = r;
    if (reply && reply->type == REDIS_REPLY_ERROR && s->ac == c)
        log_error("state", "REDIS_SETUP_FAILED", "reason=\"%s\"", reply->str);
}

static void
connect_now(struct state *s)
{
    redisAsyncContext *ac = redisAsyncConnect(s->host, s->port);
    if (ac == NULL) {
        schedule_reconnect(s);
        return;
    }
    if (ac->err) {
        log_warn("state", "REDIS_CONNECT_FAILED", "host=%s port=%d reason=\"%s\"", s->host,
                 s->port, ac->errstr);
        redisAsyncFree(ac);
        schedule_reconnect(s);
        return;
    }
    ac->data = s;
    if (redisLibeventAttach(ac, s->base) != REDIS_OK) {
        redisAsyncFree(ac);
        schedule_reconnect(s);
        return;
    }
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    s->ac = ac;
    /* Commands queue until the socket connects; a refused connection fails them with NULL. */
    if (s->password[0]) {
        if (s->user[0])
            redisAsyncCommand(ac, on_setup_reply, s, "AUTH %s %s", s->user, s->password);
        else
            redisAsyncCommand(ac, on_setup_reply, s, "AUTH %s", s->password);
    }
    if (s->db) redisAsyncCommand(ac, on_setup_reply, s, "SELECT %d", s->db);
    /* The script cache is per server and lost on restart: load it on every connection. */
    redisAsyncCommand(ac, on_setup_reply, s, "SCRIPT LOAD %s", apply_script);
    redisAsyncCommand(ac, on_ping, s, "PING");
}

static void
on_reconnect_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    connect_now(arg);
}

/* Parses redis://[user:password@]host[:port][/db] into 's'. */
static int
parse_url(struct state *s, const char *url, char *errstr, size_t errstr_size)
{
    const char *p = url;
    if (strncmp(p, "redis://", 8) != 0) {
        snprintf(errstr, errstr_size, "redis url must start with redis:// (got '%.64s')", url);
        return -1;
    }
    p += 8;
    const char *at = strrchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        size_t ulen = colon ? (size_t)(colon - p) : 0;
        const char *pw = colon ? colon + 1 : p;
        size_t plen = (size_t)(at - pw);
        if (ulen >= sizeof(s->user) || plen >= sizeof(s->password)) {
            snprintf(errstr, errstr_size, "redis url: user or password too long");
            return -1;
        }
        memcpy(s->user, p, ulen);
        s->user[ulen] = '\0';
        memcpy(s->password, pw, plen);
        s->password[plen] = '\0';
        p = at + 1;
    }
    size_t hlen = strcspn(p, ":/");
    if (hlen == 0 || hlen >= sizeof(s->host)) {
        snprintf(errstr, errstr_size, "redis url: missing or too long host");
        return -1;
    }
    memcpy(s->host, p, hlen);
    s->host[hlen] = '\0';
    p += hlen;
    s->port = 6379;
    if (*p == ':') {
        char *end;
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port <= 0 || port > 65535) {
            snprintf(errstr, errstr_size, "redis url: bad port");
            return -1;
        }
        s->port = (int)port;
        p = end;
    }
    if (*p == '/' && p[1]) {
        char *end;
        long db = strtol(p + 1, &end, 10);
        if (*end || db < 0 || db > 1000000) {
            snprintf(errstr, errstr_size, "redis url: bad database number");
            return -1;
        }
        s->db = (int)db;
    }
    return 0;
}

struct state *
state_new(struct event_base *base, const struct state_config *cfg, state_ready_cb *on_ready,
          void *arg, char *errstr, size_t errstr_size)
{
    struct state *s = xcalloc(1, sizeof(*s));
    if (parse_url(s, cfg->url, errstr, errstr_size) != 0) {
        free(s);
        return NULL;
    }
    s->base = base;
    s->timeout_ms = cfg->command_timeout_ms ? cfg->command_timeout_ms : 2000;
    s->event_ttl_s = cfg->event_ttl_s ? cfg->event_ttl_s : 7 * 86400;
    s->backoff_ms = BACKOFF_MIN_MS;
    s->on_ready = on_ready;
    s->on_ready_arg = arg;
    s->reconnect_ev = evtimer_new(base, on_reconnect_timer, s);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_Digest(apply_script, strlen(apply_script), md, &mdlen, EVP_sha1(), NULL);
    for (unsigned i = 0; i < mdlen && i < 20; i++) snprintf(s->script_sha + 2 * i, 3, "%02x", md[i]);
    connect_now(s);
    return s;
}

void
state_free(struct state *s)
{
    if (s == NULL) return;
    s->stopping = 1;
    if (s->ac) {
        redisAsyncContext *ac = s->ac;
        s->ac = NULL;
        redisAsyncFree(ac);
    }
    event_free(s->reconnect_ev);
    free(s);
}

int
state_ready(const struct state *s)
{
    return s->ready;
}

unsigned long
state_reconnects(const struct state *s)
{
    return s->reconnects;
}

static void
command_free(struct command *cmd)
{
    event_free(cmd->timer);
    free(cmd);
}

static void
on_command_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct command *cmd = arg;
    (void)fd;
    (void)what;
    cmd->answered = 1;
    cmd->finish(cmd, NULL, "redis command timed out", 1);
    /* The reply may never come, and a late one would belong to nobody: start afresh. The
     * teardown calls on_reply(NULL) for this command, which frees it. */
    drop(cmd->s, "command timeout");
}

static void
on_reply(redisAsyncContext *c, void *r, void *privdata)
{
    struct command *cmd = privdata;
    redisReply *reply = r;
    (void)c;
    if (cmd->answered) {
        command_free(cmd);
        return;
    }
    cmd->answered = 1;
    event_del(cmd->timer);
    if (reply == NULL) {
        cmd->finish(cmd, NULL, "redis connection lost", 1);
    } else if (reply->type == REDIS_REPLY_ERROR) {
        char why[256];
        snprintf(why, sizeof(why), "redis error: %.200s", reply->str);
        cmd->finish(cmd, NULL, why, 0);
    } else {
        cmd->finish(cmd, reply, NULL, 0);
    }
    command_free(cmd);
}

/* Sends one command with its timeout. Returns 0, or -1 when not connected. */
static int
send_command(struct state *s, int argc, const char **argv, const size_t *argvlen,
             struct command *cmd)
{
    if (s->ac == NULL || !s->ready) {
        free(cmd);
        return -1;
    }
    cmd->s = s;
    cmd->timer = evtimer_new(s->base, on_command_timeout, cmd);
    if (redisAsyncCommandArgv(s->ac, on_reply, cmd, argc, argv, argvlen) != REDIS_OK) {
        command_free(cmd);
        return -1;
    }
    struct timeval tv = {s->timeout_ms / 1000, (s->timeout_ms % 1000) * 1000};
    evtimer_add(cmd->timer, &tv);
    return 0;
}

static const char *
element_str(const redisReply *r)
{
    return r->type == REDIS_REPLY_STRING ? r->str : NULL;
}

static void
finish_apply(struct command *cmd, const redisReply *reply, const char *error, int retriable)
{
    if (reply == NULL && error && strstr(error, "NOSCRIPT")) {
        /* The server lost its script cache (SCRIPT FLUSH): a new connection loads it again. */
        cmd->apply_cb(NULL, error, 1, cmd->arg);
        drop(cmd->s, "script cache flushed");
        return;
    }
    if (reply == NULL) {
        cmd->apply_cb(NULL, error, retriable, cmd->arg);
        return;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 ||
        reply->element[0]->type != REDIS_REPLY_STRING ||
        reply->element[1]->type != REDIS_REPLY_INTEGER) {
        cmd->apply_cb(NULL, "redis: unexpected reply to the apply script", 0, cmd->arg);
        return;
    }
    struct state_apply_result res = {0};
    const char *status = reply->element[0]->str;
    res.version = (long)reply->element[1]->integer;
    if (strcmp(status, "duplicate") == 0) {
        res.status = STATE_APPLY_DUPLICATE;
    } else {
        res.status = strcmp(status, "new") == 0 ? STATE_APPLY_NEW : STATE_APPLY_REPLAY;
        if (reply->elements > 2) res.merged_json = element_str(reply->element[2]);
        if (reply->elements > 3) res.previous_json = element_str(reply->element[3]);
    }
    if (res.status == STATE_APPLY_NEW && res.merged_json == NULL)
        cmd->apply_cb(NULL, "redis: the apply script returned no merged requirement", 0,
                      cmd->arg);
    else
        cmd->apply_cb(&res, NULL, 0, cmd->arg);
}

int
state_event_apply(struct state *s, const char *project_id, const char *event_id,
                  int32_t partition, int64_t offset, const char *req_json, state_apply_cb *cb,
                  void *arg)
{
    char k_project[256], k_versions[256], k_event[512], a_part[16], a_off[24], a_ttl[16];
    snprintf(k_project, sizeof(k_project), "pw:{%s}:project", project_id);
    snprintf(k_versions, sizeof(k_versions), "pw:{%s}:versions", project_id);
    snprintf(k_event, sizeof(k_event), "pw:{%s}:event:%s", project_id, event_id);
    snprintf(a_part, sizeof(a_part), "%d", (int)partition);
    snprintf(a_off, sizeof(a_off), "%lld", (long long)offset);
    snprintf(a_ttl, sizeof(a_ttl), "%u", s->event_ttl_s);

    const char *argv[] = {"EVALSHA", s->script_sha, "3",   k_project, k_versions, k_event,
                          a_part, a_off,        req_json, a_ttl,   event_id};
    size_t argvlen[PW_ARRAY_LEN(argv)];
    for (size_t i = 0; i < PW_ARRAY_LEN(argv); i++) argvlen[i] = strlen(argv[i]);
    struct command *cmd = xcalloc(1, sizeof(*cmd));
    cmd->finish = finish_apply;
    cmd->apply_cb = cb;
    cmd->arg = arg;
    return send_command(s, (int)PW_ARRAY_LEN(argv), argv, argvlen, cmd);
}

/* Flattens a reply into values: a string or integer is one value, nil is NULL, an array is its
 * elements (nested arrays are refused). */
static void
finish_values(struct command *cmd, const redisReply *reply, const char *error, int retriable)
{
    (void)retriable;
    if (reply == NULL) {
        cmd->values_cb(NULL, NULL, 0, error, cmd->arg);
        return;
    }
    enum { MAX_VALUES = 256 };
    const char *values[MAX_VALUES];
    size_t lens[MAX_VALUES], n = 0;
    char ints[MAX_VALUES][24];
    const redisReply *const *elems = &reply;
    size_t count = 1;
    if (reply->type == REDIS_REPLY_ARRAY) {
        elems = (const redisReply *const *)reply->element;
        count = reply->elements < MAX_VALUES ? reply->elements : MAX_VALUES;
    }
    for (size_t i = 0; i < count; i++, n++) {
        const redisReply *e = elems[i];
        if (e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS) {
            values[n] = e->str;
            lens[n] = e->len;
        } else if (e->type == REDIS_REPLY_INTEGER) {
            lens[n] = (size_t)snprintf(ints[n], sizeof(ints[n]), "%lld", e->integer);
            values[n] = ints[n];
        } else if (e->type == REDIS_REPLY_NIL) {
            values[n] = NULL;
            lens[n] = 0;
        } else {
            cmd->values_cb(NULL, NULL, 0, "redis: unexpected nested reply", cmd->arg);
            return;
        }
    }
    cmd->values_cb(values, lens, n, NULL, cmd->arg);
}

int
state_command(struct state *s, int argc, const char **argv, const size_t *argvlen,
              state_values_cb *cb, void *arg)
{
    struct command *cmd = xcalloc(1, sizeof(*cmd));
    cmd->finish = finish_values;
    cmd->values_cb = cb;
    cmd->arg = arg;
    return send_command(s, argc, argv, argvlen, cmd);
}

static void
finish_write(struct command *cmd, const redisReply *reply, const char *error, int retriable)
{
    (void)retriable;
    if (reply == NULL) {
        cmd->s->write_errors++;
        log_warn("state", "REDIS_WRITE_FAILED", "reason=\"%s\"", error);
    }
}

int
state_write(struct state *s, int argc, const char **argv, const size_t *argvlen)
{
    struct command *cmd = xcalloc(1, sizeof(*cmd));
    cmd->finish = finish_write;
    if (send_command(s, argc, argv, argvlen, cmd) != 0) {
        s->write_errors++;
        return -1;
    }
    return 0;
}

unsigned long
state_write_errors(const struct state *s)
{
    return s->write_errors;
}
