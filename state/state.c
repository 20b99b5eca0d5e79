/* state/state.c - the state's commands: the apply script, raw commands and writes, each with
 * a timeout, sent to the node conn.c routes them to, following MOVED and ASK.
 *
 * A command is formatted once and kept until answered, so that a redirection can send it again:
 * MOVED (the slot has a new master: conn.c updates the map) and ASK (the slot is being migrated:
 * ASKING, then the command, to the node named) are followed at most MAX_REDIRECTS times, within
 * the command's one timeout. A timeout drops the node's connection: a late reply would belong to
 * nobody.
 * Thread: loop only.
 */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "conn.h"
#include "log.h"
#include "slot.h"
#include "state_int.h"
#include "xalloc.h"

#define MAX_REDIRECTS 5

/* Applies one event; see state.h for the keys. A field that the new event leaves out (or sets to
 * null) keeps its merged value, so a project's requirement accumulates over its events. The event
 * record keeps the merged requirement it produced and the one before, so a replay finds its own
 * answer however many later versions of a busy project were applied in between (an aborted
 * batch may hold hundreds of one project's events). The project hash keeps the last eight
 * versions for reading; merging needs only the newest. */
const char state_apply_script[] =
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

/* One command in flight: hiredis calls on_reply() exactly once per sending (with NULL on
 * teardown); the timer may fire first, and then the reply, when it comes, only frees the record.
 * 'finish' turns the raw reply into the caller's callback. */
struct command {
    struct state *s;
    struct node *node; /* where it was sent last */
    struct event *timer;
    char *wire; /* the formatted command (hiredis' allocation), for a redirection */
    size_t wire_len;
    int redirects;
    void (*finish)(struct command *cmd, const redisReply *reply, const char *error, int retriable);
    state_apply_cb *apply_cb;
    state_values_cb *values_cb;
    void *arg;
    int answered; /* the user callback has run */
};
/* One URL's parts. */
struct url {
    char user[128];
    char password[256];
    char host[SLOT_HOST_MAX];
    int port;
    int db;
};

/* Parses redis://[user:password@]host[:port][/db] of 'len' bytes into 'u'. */
static int
parse_url(struct url *u, const char *url, size_t len, char *errstr, size_t errstr_size)
{
    memset(u, 0, sizeof(*u));
    if (len < 8 || strncmp(url, "redis://", 8) != 0) {
        snprintf(errstr, errstr_size, "redis url must start with redis:// (got '%.*s')",
                 (int)(len < 64 ? len : 64), url);
        return -1;
    }
    const char *p = url + 8, *end = url + len;
    const char *at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@') at = q;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        size_t ulen = colon ? (size_t)(colon - p) : 0;
        const char *pw = colon ? colon + 1 : p;
        size_t plen = (size_t)(at - pw);
        if (ulen >= sizeof(u->user) || plen >= sizeof(u->password)) {
            snprintf(errstr, errstr_size, "redis url: user or password too long");
            return -1;
        }
        memcpy(u->user, p, ulen);
        memcpy(u->password, pw, plen);
        p = at + 1;
    }
    size_t hlen = 0;
    while (p + hlen < end && p[hlen] != ':' && p[hlen] != '/') hlen++;
    if (hlen == 0 || hlen >= sizeof(u->host)) {
        snprintf(errstr, errstr_size, "redis url: missing or too long host");
        return -1;
    }
    memcpy(u->host, p, hlen);
    p += hlen;
    u->port = 6379;
    char num[16];
    if (p < end && *p == ':') {
        size_t n = 0;
        while (p + 1 + n < end && p[1 + n] != '/' && n < sizeof(num) - 1) n++;
        memcpy(num, p + 1, n);
        num[n] = '\0';
        char *e;
        long port = strtol(num, &e, 10);
        if (n == 0 || *e || port <= 0 || port > 65535) {
            snprintf(errstr, errstr_size, "redis url: bad port");
            return -1;
        }
        u->port = (int)port;
        p += 1 + n;
    }
    if (p < end && *p == '/' && p + 1 < end) {
        size_t n = (size_t)(end - p - 1);
        char *e;
        if (n >= sizeof(num)) n = sizeof(num) - 1;
        memcpy(num, p + 1, n);
        num[n] = '\0';
        long db = strtol(num, &e, 10);
        if (*e || p + 1 + n != end || db < 0 || db > 1000000) {
            snprintf(errstr, errstr_size, "redis url: bad database number");
            return -1;
        }
        u->db = (int)db;
    } else if (p < end && !(*p == '/' && p + 1 == end)) {
        snprintf(errstr, errstr_size, "redis url: unexpected '%.*s'", (int)(end - p), p);
        return -1;
    }
    return 0;
}

/* Parses a comma-separated list of URLs: the seeds; user, password and database come from the
 * first URL and the others must not name different ones. */
static int
parse_urls(struct state *s, const char *list, char *errstr, size_t errstr_size)
{
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        struct url u;
        if (s->n_seeds == CONN_SEEDS_MAX) {
            snprintf(errstr, errstr_size, "redis: more than %d urls", CONN_SEEDS_MAX);
            return -1;
        }
        if (parse_url(&u, p, len, errstr, errstr_size) != 0) return -1;
        if (s->n_seeds == 0) {
            memcpy(s->user, u.user, sizeof(s->user));
            memcpy(s->password, u.password, sizeof(s->password));
            s->db = u.db;
        } else if ((u.password[0] &&
                    (strcmp(u.user, s->user) || strcmp(u.password, s->password))) ||
                   (u.db && u.db != s->db)) {
            snprintf(errstr, errstr_size,
                     "redis urls: every seed must use the first one's "
                     "user, password and database");
            return -1;
        }
        memcpy(s->seeds[s->n_seeds].host, u.host, sizeof(u.host));
        s->seeds[s->n_seeds++].port = u.port;
        if (p[len] == '\0') return 0;
        p += len + 1;
    }
}

struct state *
state_new(struct event_base *base, const struct state_config *cfg, state_ready_cb *on_ready,
          void *arg, char *errstr, size_t errstr_size)
{
    struct state *s = xcalloc(1, sizeof(*s));
    if (parse_urls(s, cfg->url, errstr, errstr_size) != 0) {
        explicit_bzero(s->password, sizeof(s->password));
        free(s);
        return NULL;
    }
    s->base = base;
    s->timeout_ms = cfg->command_timeout_ms ? cfg->command_timeout_ms : 2000;
    s->event_ttl_s = cfg->event_ttl_s ? cfg->event_ttl_s : 7 * 86400;
    s->on_ready = on_ready;
    s->on_ready_arg = arg;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_Digest(state_apply_script, strlen(state_apply_script), md, &mdlen, EVP_sha1(), NULL);
    for (unsigned i = 0; i < mdlen && i < 20; i++)
        snprintf(s->script_sha + 2 * i, 3, "%02x", md[i]);
    conn_start(s);
    return s;
}

void
state_free(struct state *s)
{
    if (s == NULL) return;
    conn_stop(s);
    explicit_bzero(s->password, sizeof(s->password));
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

int
state_cluster_mode(const struct state *s)
{
    return s->mode == CONN_MODE_CLUSTER;
}

unsigned long
state_redirects(const struct state *s)
{
    return s->redirects;
}

static void
command_free(struct command *cmd)
{
    event_free(cmd->timer);
    redisFreeCommand(cmd->wire);
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
    conn_drop(cmd->node, "command timeout");
}

static void on_reply(redisAsyncContext *c, void *r, void *privdata);

/* Follows a MOVED or ASK: sends the command again, to the node named. Returns 0 when sent. */
static int
redirect(struct command *cmd, enum slot_action action, const struct slot_redirect *rd)
{
    struct state *s = cmd->s;
    struct node *n = conn_node(s, rd->host[0] ? rd->host : cmd->node->host, rd->port);
    if (n == NULL || n->ac == NULL) return -1;
    log_debug("state", "REDIS_REDIRECT", "kind=%s slot=%u host=%s port=%d",
              action == SLOT_ACTION_MOVED ? "moved" : "ask", rd->slot, n->host, n->port);
    if (action == SLOT_ACTION_MOVED) conn_moved(s, rd->slot, n);
    else if (redisAsyncCommand(n->ac, NULL, NULL, "ASKING") != REDIS_OK)
        return -1;
    if (redisAsyncFormattedCommand(n->ac, on_reply, cmd, cmd->wire, cmd->wire_len) != REDIS_OK)
        return -1;
    cmd->node = n;
    cmd->redirects++;
    s->redirects++;
    return 0;
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
    struct state *s = cmd->s;
    int cluster = s->mode == CONN_MODE_CLUSTER;
    enum slot_action action = SLOT_ACTION_FAIL;
    struct slot_redirect rd;
    if (cluster && reply && reply->type == REDIS_REPLY_ERROR) {
        action = slot_decide(reply->str, reply->len, cmd->redirects, MAX_REDIRECTS, &rd);
        if ((action == SLOT_ACTION_MOVED || action == SLOT_ACTION_ASK) &&
            redirect(cmd, action, &rd) == 0)
            return;
    }
    cmd->answered = 1;
    event_del(cmd->timer);
    if (reply == NULL) {
        if (cluster) conn_trouble(s, "reply lost");
        cmd->finish(cmd, NULL, "redis connection lost", 1);
    } else if (reply->type == REDIS_REPLY_ERROR) {
        char why[256];
        if (cmd->redirects >= MAX_REDIRECTS || action == SLOT_ACTION_MOVED ||
            action == SLOT_ACTION_ASK)
            snprintf(why, sizeof(why), "redis cluster: redirection not followed after %d: %.160s",
                     cmd->redirects, reply->str);
        else
            snprintf(why, sizeof(why), "redis error: %.200s", reply->str);
        int retry = action != SLOT_ACTION_FAIL; /* a redirection that could not be followed too */
        if (retry) conn_trouble(s, why);
        cmd->finish(cmd, NULL, why, retry);
    } else {
        cmd->finish(cmd, reply, NULL, 0);
    }
    command_free(cmd);
}

/* Sends one command with its timeout to the node of its key's slot. Returns 0, or -1 when not
 * connected (or the keys span slots, which state/ never asks for). */
static int
send_command(struct state *s, int argc, const char **argv, const size_t *argvlen,
             struct command *cmd)
{
    int slot = slot_of_command(argc, argv, argvlen);
    struct node *n = s->ready ? conn_route(s, slot) : NULL;
    if (slot == SLOT_CROSS && s->mode == CONN_MODE_CLUSTER) {
        log_error("state", "REDIS_CROSSSLOT", "command=%.*s", (int)argvlen[0], argv[0]);
        n = NULL;
    }
    int len = n ? redisFormatCommandArgv(&cmd->wire, argc, argv, argvlen) : -1;
    if (len < 0) {
        free(cmd);
        if (s->ready && slot != SLOT_CROSS) conn_trouble(s, "no node for the slot");
        return -1;
    }
    cmd->wire_len = (size_t)len;
    cmd->s = s;
    cmd->node = n;
    cmd->timer = evtimer_new(s->base, on_command_timeout, cmd);
    if (redisAsyncFormattedCommand(n->ac, on_reply, cmd, cmd->wire, cmd->wire_len) != REDIS_OK) {
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
        conn_drop(cmd->node, "script cache flushed");
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
        cmd->apply_cb(NULL, "redis: the apply script returned no merged requirement", 0, cmd->arg);
    else
        cmd->apply_cb(&res, NULL, 0, cmd->arg);
}

int
state_event_apply(struct state *s, const char *project_id, const char *event_id, int32_t partition,
                  int64_t offset, const char *req_json, state_apply_cb *cb, void *arg)
{
    char k_project[256], k_versions[256], k_event[512], a_part[16], a_off[24], a_ttl[16];
    snprintf(k_project, sizeof(k_project), "pw:{%s}:project", project_id);
    snprintf(k_versions, sizeof(k_versions), "pw:{%s}:versions", project_id);
    snprintf(k_event, sizeof(k_event), "pw:{%s}:event:%s", project_id, event_id);
    snprintf(a_part, sizeof(a_part), "%d", (int)partition);
    snprintf(a_off, sizeof(a_off), "%lld", (long long)offset);
    snprintf(a_ttl, sizeof(a_ttl), "%u", s->event_ttl_s);

    const char *argv[] = {"EVALSHA", s->script_sha, "3",      k_project, k_versions, k_event,
                          a_part,    a_off,         req_json, a_ttl,     event_id};
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
