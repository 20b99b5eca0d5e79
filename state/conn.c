/* state/conn.c - one Redis server or a Redis Cluster's masters: connections, the probe that
 * learns the mode and the slot map, readiness; see conn.h.
 *
 * A node's connection is a small state machine: DOWN -> (connect) -> CONNECTING -> (AUTH,
 * SELECT, SCRIPT LOAD, PING answered) -> READY; any I/O or protocol error, or a command timeout,
 * drops it back to DOWN and arms its reconnect timer (100 ms doubling to 5 s) while the node is
 * wanted. A context is never reused after a failure: hiredis frees it after its disconnect
 * callback, so our pointer is cleared first.
 */
#include "conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/adapters/libevent.h>
#include <hiredis/hiredis.h>

#include "log.h"
#include "xalloc.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define REFRESH_MIN_MS 100
#define REFRESH_MAX_MS 500

static void node_connect(struct node *n);
static void schedule_refresh(struct state *s, unsigned delay_ms);

static void
set_ready(struct state *s, int ready)
{
    if (s->ready == ready) return;
    s->ready = ready;
    if (s->on_ready) s->on_ready(ready, s->on_ready_arg);
}

/* Ready: single mode, the server's connection; cluster mode, every slot's master's. */
static void
check_ready(struct state *s)
{
    if (s->mode == CONN_MODE_SINGLE) {
        set_ready(s, s->n_nodes > 0 && s->nodes[0]->ready);
        return;
    }
    if (s->mode != CONN_MODE_CLUSTER) {
        set_ready(s, 0);
        return;
    }
    int ok[CONN_NODES_MAX];
    for (size_t i = 0; i < s->n_nodes; i++) ok[i] = s->nodes[i]->ready;
    for (unsigned slot = 0; slot < SLOT_COUNT; slot++) {
        unsigned idx = s->slots[slot];
        if (idx == 0 || !ok[idx - 1]) {
            set_ready(s, 0);
            return;
        }
    }
    set_ready(s, 1);
}

static void
schedule_reconnect(struct node *n)
{
    struct state *s = n->s;
    if (s->stopping || !n->wanted || event_pending(n->reconnect_ev, EV_TIMEOUT, NULL)) return;
    struct timeval tv = {n->backoff_ms / 1000, (n->backoff_ms % 1000) * 1000};
    event_add(n->reconnect_ev, &tv);
    n->backoff_ms = n->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : n->backoff_ms * 2;
}

/* After a node's connection is gone: readiness, its reconnection, and in cluster mode a new
 * look at the map (the node may have failed over). */
static void
node_lost(struct node *n, const char *why)
{
    struct state *s = n->s;
    n->ready = 0;
    s->reconnects++;
    log_warn("state", "REDIS_DOWN", "host=%s port=%d reason=\"%s\"", n->host, n->port, why);
    if (s->stopping) return;
    check_ready(s);
    schedule_reconnect(n);
    if (s->mode == CONN_MODE_CLUSTER) schedule_refresh(s, REFRESH_MIN_MS);
}

void
conn_drop(struct node *n, const char *why)
{
    redisAsyncContext *ac = n->ac;
    if (ac == NULL) return;
    n->ac = NULL;
    node_lost(n, why);
    redisAsyncFree(ac);
}

static void
node_on_disconnect(const redisAsyncContext *c, int status)
{
    struct node *n = c->data;
    if (n->ac != c) return;
    n->ac = NULL; /* hiredis frees 'c' when we return */
    node_lost(n, status == REDIS_OK ? "closed" : c->errstr);
}

static void
node_on_connect(const redisAsyncContext *c, int status)
{
    struct node *n = c->data;
    if (status == REDIS_OK || n->ac != c) return;
    log_warn("state", "REDIS_CONNECT_FAILED", "host=%s port=%d reason=\"%s\"", n->host, n->port,
             c->errstr);
    n->ac = NULL; /* freed by hiredis after this callback */
    schedule_reconnect(n);
    if (n->s->mode == CONN_MODE_CLUSTER && n->wanted) schedule_refresh(n->s, REFRESH_MIN_MS);
}

static void
node_on_ping(redisAsyncContext *c, void *r, void *privdata)
{
    struct node *n = privdata;
    redisReply *reply = r;
    if (reply == NULL || n->ac != c) return;
    if (reply->type == REDIS_REPLY_ERROR) {
        /* Not ready yet (LOADING after a restart) or refused (a wrong password): either way
         * start again after the backoff, so a server that becomes usable is found without help.
         * The error says why; a refusal is repeated at most every few seconds. */
        log_error("state", "REDIS_REFUSED", "host=%s port=%d reason=\"%s\"", n->host, n->port,
                  reply->str);
        conn_drop(n, "not ready");
        return;
    }
    n->backoff_ms = BACKOFF_MIN_MS;
    n->ready = 1;
    log_info("state", "REDIS_READY", "host=%s port=%d", n->host, n->port);
    check_ready(n->s);
}

static void
node_on_setup(redisAsyncContext *c, void *r, void *privdata)
{
    struct node *n = privdata;
    redisReply *reply = r;
    if (reply && reply->type == REDIS_REPLY_ERROR && n->ac == c)
        log_error("state", "REDIS_SETUP_FAILED", "host=%s port=%d reason=\"%s\"", n->host, n->port,
                  reply->str);
}

/* The answer to AUTH: a refusal is said with the server's words (WRONGPASS ...). */
static void
on_auth(redisAsyncContext *c, void *r, void *privdata)
{
    redisReply *reply = r;
    (void)privdata;
    if (reply && reply->type == REDIS_REPLY_ERROR)
        log_error("state", "REDIS_SETUP_FAILED", "host=%s port=%d reason=\"%s\"",
                  c->c.tcp.host ? c->c.tcp.host : "", c->c.tcp.port, reply->str);
}

/* A new context to host:port on the loop, or NULL (logged). */
static redisAsyncContext *
open_context(struct state *s, const char *host, int port, void *data)
{
    redisAsyncContext *ac = redisAsyncConnect(host, port);
    if (ac == NULL) return NULL;
    if (ac->err) {
        log_warn("state", "REDIS_CONNECT_FAILED", "host=%s port=%d reason=\"%s\"", host, port,
                 ac->errstr);
        redisAsyncFree(ac);
        return NULL;
    }
    ac->data = data;
    if (redisLibeventAttach(ac, s->base) != REDIS_OK) {
        redisAsyncFree(ac);
        return NULL;
    }
    /* Commands queue until the socket connects; a refused connection fails them with NULL. */
    if (s->password[0]) {
        if (s->user[0]) redisAsyncCommand(ac, on_auth, NULL, "AUTH %s %s", s->user, s->password);
        else
            redisAsyncCommand(ac, on_auth, NULL, "AUTH %s", s->password);
    }
    return ac;
}

static void
node_connect(struct node *n)
{
    struct state *s = n->s;
    if (n->ac || s->stopping) return;
    redisAsyncContext *ac = open_context(s, n->host, n->port, n);
    if (ac == NULL) {
        schedule_reconnect(n);
        return;
    }
    redisAsyncSetConnectCallback(ac, node_on_connect);
    redisAsyncSetDisconnectCallback(ac, node_on_disconnect);
    n->ac = ac;
    if (s->db && s->mode == CONN_MODE_SINGLE)
        redisAsyncCommand(ac, node_on_setup, n, "SELECT %d", s->db);
    /* The script cache is per server and lost on restart: load it on every connection. */
    redisAsyncCommand(ac, node_on_setup, n, "SCRIPT LOAD %s", state_apply_script);
    redisAsyncCommand(ac, node_on_ping, n, "PING");
}

static void
node_on_reconnect_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct node *n = arg;
    if (n->wanted) node_connect(n);
}

/* The node at host:port, added when unknown (without connecting); NULL when the table is
 * full. */
static struct node *
node_find_or_add(struct state *s, const char *host, int port)
{
    for (size_t i = 0; i < s->n_nodes; i++)
        if (s->nodes[i]->port == port && strcmp(s->nodes[i]->host, host) == 0) return s->nodes[i];
    if (strlen(host) >= SLOT_HOST_MAX) return NULL;
    size_t at = s->n_nodes;
    if (at == CONN_NODES_MAX) {
        /* Nodes come and go (new addresses after restarts): reuse the entry of one that serves
         * no slot and has no connection, so nothing (no command, no slot) refers to it. */
        for (at = 0; at < s->n_nodes; at++) {
            struct node *old = s->nodes[at];
            if (!old->wanted && old->ac == NULL &&
                !event_pending(old->reconnect_ev, EV_TIMEOUT, NULL))
                break;
        }
        if (at == s->n_nodes) {
            log_error("state", "REDIS_TOO_MANY_NODES", "host=%s port=%d max=%d", host, port,
                      CONN_NODES_MAX);
            return NULL;
        }
        event_free(s->nodes[at]->reconnect_ev);
        free(s->nodes[at]);
    }
    struct node *n = xcalloc(1, sizeof(*n));
    n->s = s;
    snprintf(n->host, sizeof(n->host), "%s", host);
    n->port = port;
    n->backoff_ms = BACKOFF_MIN_MS;
    n->reconnect_ev = evtimer_new(s->base, node_on_reconnect_timer, n);
    s->nodes[at] = n;
    if (at == s->n_nodes) s->n_nodes++;
    return n;
}

struct node *
conn_node(struct state *s, const char *host, int port)
{
    struct node *n = node_find_or_add(s, host, port);
    if (n && n->ac == NULL && !event_pending(n->reconnect_ev, EV_TIMEOUT, NULL)) node_connect(n);
    return n;
}

struct node *
conn_route(struct state *s, int slot)
{
    if (s->mode == CONN_MODE_SINGLE) return s->n_nodes && s->nodes[0]->ac ? s->nodes[0] : NULL;
    if (s->mode != CONN_MODE_CLUSTER) return NULL;
    if (slot >= 0 && slot < SLOT_COUNT) {
        unsigned idx = s->slots[slot];
        return idx && s->nodes[idx - 1]->ac ? s->nodes[idx - 1] : NULL;
    }
    for (size_t i = 0; i < s->n_nodes; i++)
        if (s->nodes[i]->wanted && s->nodes[i]->ready) return s->nodes[i];
    return NULL;
}

void
conn_moved(struct state *s, unsigned slot, struct node *n)
{
    size_t idx = 0;
    while (idx < s->n_nodes && s->nodes[idx] != n) idx++;
    if (idx == s->n_nodes || slot >= SLOT_COUNT) return;
    s->slots[slot] = (uint8_t)(idx + 1);
    n->wanted = 1;
    /* One moved slot usually means a resharding moved a range: learn it all at once. */
    schedule_refresh(s, 0);
    check_ready(s);
}

void
conn_trouble(struct state *s, const char *why)
{
    if (s->mode != CONN_MODE_CLUSTER || s->stopping) return;
    if (s->ready) log_warn("state", "REDIS_CLUSTER_TROUBLE", "reason=\"%s\"", why);
    set_ready(s, 0);
    schedule_refresh(s, REFRESH_MIN_MS);
}

/* ---- the probe: mode and slot map ------------------------------------------------------ */

/* Replaces the slot map with 'map' (as told by the probed node). */
static void
apply_map(struct state *s, const struct slot_map *map)
{
    uint8_t slots[SLOT_COUNT];
    memset(slots, 0, sizeof(slots));
    for (size_t i = 0; i < map->n_nodes; i++) /* remembered: a replica may be a master later */
        node_find_or_add(s, map->nodes[i].host[0] ? map->nodes[i].host : s->probe_host,
                         map->nodes[i].port);
    for (size_t i = 0; i < s->n_nodes; i++) s->nodes[i]->wanted = 0;
    for (size_t i = 0; i < map->n_ranges; i++) {
        const struct slot_range *r = &map->ranges[i];
        struct node *n = node_find_or_add(s, r->host[0] ? r->host : s->probe_host, r->port);
        if (n == NULL) continue;
        size_t idx = 0;
        while (s->nodes[idx] != n) idx++;
        n->wanted = 1;
        for (unsigned slot = r->first; slot <= r->last; slot++) slots[slot] = (uint8_t)(idx + 1);
    }
    int changed = memcmp(s->slots, slots, sizeof(slots)) != 0;
    memcpy(s->slots, slots, sizeof(slots));
    s->refreshes++;
    size_t masters = 0;
    for (size_t i = 0; i < s->n_nodes; i++) {
        struct node *n = s->nodes[i];
        if (!n->wanted) continue;
        masters++;
        if (n->ac == NULL && !event_pending(n->reconnect_ev, EV_TIMEOUT, NULL)) node_connect(n);
    }
    /* Said when it changes; while not ready the map is asked for every half second */
    PW_LOG_(changed ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG, "state", "REDIS_CLUSTER_MAP",
            "from=%s:%d masters=%zu slots_served=%zu redirects=%lu", s->probe_host, s->probe_port,
            masters, slot_map_covered(map), s->redirects);
    check_ready(s);
}

/* Ends the probe in progress (from one of its callbacks or its timer) and plans the next one
 * while the state is not ready. */
static void
probe_end(struct state *s, int ok, const char *why)
{
    redisAsyncContext *ac = s->probe;
    s->probe = NULL;
    evtimer_del(s->probe_timer);
    if (ac) redisAsyncFree(ac); /* inside its callback: freed when the callback returns */
    if (!ok)
        log_warn("state", "REDIS_PROBE_FAILED", "host=%s port=%d reason=\"%s\"", s->probe_host,
                 s->probe_port, why);
    if (ok && s->ready) {
        s->refresh_backoff_ms = REFRESH_MIN_MS;
        return;
    }
    if (s->mode == CONN_MODE_SINGLE) return;
    schedule_refresh(s, s->refresh_backoff_ms);
    /* A cluster missing a master is asked often (a replica takes over within seconds); seeds
     * that never answered (down, or refusing the password) as rarely as a lost server. */
    unsigned max = s->mode == CONN_MODE_CLUSTER ? REFRESH_MAX_MS : BACKOFF_MAX_MS;
    s->refresh_backoff_ms = s->refresh_backoff_ms * 2 > max ? max : s->refresh_backoff_ms * 2;
}

static void
probe_on_info(redisAsyncContext *c, void *r, void *privdata)
{
    struct state *s = privdata;
    redisReply *reply = r;
    if (reply == NULL || s->probe != c) return;
    if (reply->type == REDIS_REPLY_ERROR) {
        /* NOAUTH, NOPERM, ...: CLUSTER SLOTS decides, a single server is not assumed */
        log_warn("state", "REDIS_INFO_REFUSED", "host=%s port=%d reason=\"%s\"", s->probe_host,
                 s->probe_port, reply->str);
        s->probe_cluster = -1;
        return;
    }
    s->probe_cluster = reply->type == REDIS_REPLY_STRING && reply->str &&
                       strstr(reply->str, "cluster_enabled:1") != NULL;
}

static void
probe_single(struct state *s)
{
    struct node *n = node_find_or_add(s, s->probe_host, s->probe_port);
    if (n == NULL) return;
    s->mode = CONN_MODE_SINGLE;
    n->wanted = 1;
    log_info("state", "REDIS_MODE", "mode=single host=%s port=%d", n->host, n->port);
    node_connect(n);
}

static void
probe_on_slots(redisAsyncContext *c, void *r, void *privdata)
{
    struct state *s = privdata;
    redisReply *reply = r;
    if (s->probe != c) return;
    if (reply == NULL) {
        probe_end(s, 0, "connection lost");
        return;
    }
    if (s->probe_cluster == -1 && reply->type == REDIS_REPLY_ARRAY) s->probe_cluster = 1;
    if (s->probe_cluster == -1 && reply->type == REDIS_REPLY_ERROR &&
        (strstr(reply->str, "cluster support disabled") || strncmp(reply->str, "NOPERM", 6) == 0)) {
        /* A single server, or a user allowed neither INFO nor CLUSTER: one server assumed, as
         * before clusters were known */
        log_warn("state", "REDIS_MODE_ASSUMED", "mode=single reason=\"%s\"", reply->str);
        s->probe_cluster = 0;
    }
    if (s->probe_cluster == -1) {
        /* Refused (a wrong password, LOADING): said as loudly as a refused connection */
        log_error("state", "REDIS_REFUSED", "host=%s port=%d reason=\"%s\"", s->probe_host,
                  s->probe_port, reply->type == REDIS_REPLY_ERROR ? reply->str : "INFO refused");
        probe_end(s, 0, "refused");
        return;
    }
    if (!s->probe_cluster) {
        if (s->mode == CONN_MODE_UNKNOWN) probe_single(s);
        probe_end(s, s->mode == CONN_MODE_SINGLE, "not a cluster node any more");
        return;
    }
    struct slot_map map;
    if (slot_map_parse(reply, &map) != 0 || map.n_ranges == 0) {
        probe_end(s, 0, reply->type == REDIS_REPLY_ERROR ? reply->str : "bad CLUSTER SLOTS");
        return;
    }
    if (s->mode == CONN_MODE_UNKNOWN) {
        s->mode = CONN_MODE_CLUSTER;
        log_info("state", "REDIS_MODE", "mode=cluster seed=%s:%d", s->probe_host, s->probe_port);
        if (s->db)
            log_warn("state", "REDIS_CLUSTER_DB",
                     "db=%d reason=\"a cluster has only "
                     "database 0: the URL's database is ignored\"",
                     s->db);
    }
    apply_map(s, &map);
    slot_map_fini(&map);
    probe_end(s, 1, NULL);
}

static void
probe_on_connect(const redisAsyncContext *c, int status)
{
    struct state *s = c->data;
    if (status == REDIS_OK || s->probe != c) return;
    s->probe = NULL; /* freed by hiredis after this callback */
    evtimer_del(s->probe_timer);
    probe_end(s, 0, c->errstr);
}

static void
probe_on_disconnect(const redisAsyncContext *c, int status)
{
    struct state *s = c->data;
    (void)status;
    if (s->probe != c) return;
    s->probe = NULL;
    probe_end(s, 0, "closed");
}

static void
probe_on_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    probe_end(arg, 0, "timed out");
}

static int
is_seed(const struct state *s, const struct node *n)
{
    for (size_t i = 0; i < s->n_seeds; i++)
        if (s->seeds[i].port == n->port && strcmp(s->seeds[i].host, n->host) == 0) return 1;
    return 0;
}

/* Asks the next seed or known node for the mode and the slot map. */
static void
probe_start(struct state *s)
{
    if (s->probe || s->stopping) return;
    size_t total = s->n_seeds + s->n_nodes, i = 0;
    for (size_t tries = 0; tries < total; tries++) {
        i = s->probe_next++ % total;
        if (i < s->n_seeds || !is_seed(s, s->nodes[i - s->n_seeds])) break;
    }
    const char *host = i < s->n_seeds ? s->seeds[i].host : s->nodes[i - s->n_seeds]->host;
    int port = i < s->n_seeds ? s->seeds[i].port : s->nodes[i - s->n_seeds]->port;
    snprintf(s->probe_host, sizeof(s->probe_host), "%s", host);
    s->probe_port = port;
    s->probe_cluster = 0;
    redisAsyncContext *ac = open_context(s, host, port, s);
    if (ac == NULL) {
        probe_end(s, 0, "cannot connect");
        return;
    }
    redisAsyncSetConnectCallback(ac, probe_on_connect);
    redisAsyncSetDisconnectCallback(ac, probe_on_disconnect);
    s->probe = ac;
    redisAsyncCommand(ac, probe_on_info, s, "INFO cluster");
    redisAsyncCommand(ac, probe_on_slots, s, "CLUSTER SLOTS");
    struct timeval tv = {s->timeout_ms / 1000, (s->timeout_ms % 1000) * 1000};
    evtimer_add(s->probe_timer, &tv);
}

static void
on_refresh_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    probe_start(arg);
}

static void
schedule_refresh(struct state *s, unsigned delay_ms)
{
    if (s->stopping || s->probe || event_pending(s->refresh_ev, EV_TIMEOUT, NULL)) return;
    struct timeval tv = {delay_ms / 1000, (delay_ms % 1000) * 1000};
    event_add(s->refresh_ev, &tv);
}

void
conn_start(struct state *s)
{
    s->refresh_ev = evtimer_new(s->base, on_refresh_timer, s);
    s->probe_timer = evtimer_new(s->base, probe_on_timeout, s);
    s->refresh_backoff_ms = REFRESH_MIN_MS;
    probe_start(s);
}

void
conn_stop(struct state *s)
{
    s->stopping = 1;
    if (s->probe) {
        redisAsyncContext *ac = s->probe;
        s->probe = NULL;
        redisAsyncFree(ac);
    }
    for (size_t i = 0; i < s->n_nodes; i++) {
        struct node *n = s->nodes[i];
        if (n->ac) {
            redisAsyncContext *ac = n->ac;
            n->ac = NULL;
            redisAsyncFree(ac);
        }
    }
    for (size_t i = 0; i < s->n_nodes; i++) {
        event_free(s->nodes[i]->reconnect_ev);
        free(s->nodes[i]);
    }
    s->n_nodes = 0;
    if (s->refresh_ev) event_free(s->refresh_ev);
    if (s->probe_timer) event_free(s->probe_timer);
}
