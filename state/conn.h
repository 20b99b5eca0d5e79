/* state/conn.h - the connections behind state.h, for state/ only: one Redis server, or the
 * masters of a Redis Cluster.
 *
 * Start-up asks the seeds (the --redis URLs, in turn) with a short "probe" connection:
 * INFO cluster and CLUSTER SLOTS. cluster_enabled:0 makes the first seed that answers the one
 * server (single mode, as before clusters: SELECT, everything on one connection);
 * cluster_enabled:1 makes the reply the slot map (cluster mode): one connection per master
 * ("node"), each command sent to the master of its key's slot. The mode, once known, stays.
 * In cluster mode the state is ready while every slot has a master whose connection is ready.
 * Losing a master's connection, a CLUSTERDOWN or TRYAGAIN, or a MOVED makes a new probe ask the
 * seeds and every node seen so far (replicas too, since one of them may be the new master) for
 * the map again, with backoff, until every slot is served again. A node's connection is
 * re-established with backoff while the map names it a master.
 * Thread: the loop only.
 */
#ifndef PW_STATE_CONN_H
#define PW_STATE_CONN_H

#include <stdint.h>

#include <event2/event.h>
#include <hiredis/async.h>

#include "slot.h"
#include "state.h"

#define CONN_SEEDS_MAX 16
#define CONN_NODES_MAX 64 /* nodes known at once (masters, replicas); < 255 for slots */

enum conn_mode { CONN_MODE_UNKNOWN = 0, CONN_MODE_SINGLE, CONN_MODE_CLUSTER };

struct node {
    struct state *s;
    char host[SLOT_HOST_MAX];
    int port;
    redisAsyncContext *ac; /* NULL while down; owned by hiredis once attached */
    struct event *reconnect_ev;
    unsigned backoff_ms;
    int ready;  /* connected, set up, answering */
    int wanted; /* keep connected: the single server, or a master of the map */
};

struct seed {
    char host[SLOT_HOST_MAX];
    int port;
};

struct state {
    struct event_base *base;
    enum conn_mode mode;
    struct seed seeds[CONN_SEEDS_MAX];
    size_t n_seeds;
    struct node *nodes[CONN_NODES_MAX];
    size_t n_nodes;
    uint8_t slots[SLOT_COUNT]; /* cluster mode: index of the slot's master in 'nodes' + 1 */
    redisAsyncContext *probe;  /* the connection asking for the map, NULL when none */
    struct event *probe_timer; /* the probe's deadline */
    struct event *refresh_ev;  /* the next probe */
    unsigned refresh_backoff_ms;
    size_t probe_next; /* round robin over the seeds, then the nodes */
    char probe_host[SLOT_HOST_MAX];
    int probe_port;
    int probe_cluster; /* INFO of the probed node: cluster_enabled 1 or 0; -1 refused */
    int ready;
    int stopping;
    unsigned long reconnects;   /* node connections lost */
    unsigned long write_errors; /* fire-and-forget writes that failed */
    unsigned long redirects;    /* MOVED and ASK followed */
    unsigned long refreshes;    /* slot maps applied */
    char script_sha[41];        /* SHA-1 of the apply script: EVALSHA sends 40 bytes, not 1 KB */
    char user[128];
    char password[256];
    int db;
    unsigned timeout_ms;
    unsigned event_ttl_s;
    state_ready_cb *on_ready;
    void *on_ready_arg;
};

/* The apply script (state.c), loaded on every connection. */
extern const char state_apply_script[];

/* Starts probing the seeds. */
void conn_start(struct state *s);
/* Closes every connection (pending callbacks run with NULL replies) and frees the nodes. */
void conn_stop(struct state *s);
/* The node a command for 'slot' (or SLOT_NONE) goes to: one with a connection (set up or still
 * connecting), or NULL when there is none. */
struct node *conn_route(struct state *s, int slot);
/* The node at host:port, added (and connected) when unknown; NULL when the table is full. */
struct node *conn_node(struct state *s, const char *host, int port);
/* A MOVED: 'slot' is served by 'n' from now on, and the rest of the map is checked. */
void conn_moved(struct state *s, unsigned slot, struct node *n);
/* Drops a node's connection (pending callbacks run with NULL) and plans the reconnection. */
void conn_drop(struct node *n, const char *why);
/* Cluster mode: something went wrong that a newer map may explain (CLUSTERDOWN, TRYAGAIN, a
 * lost reply): not ready until a probe finds every slot served again. No-op in single mode. */
void conn_trouble(struct state *s, const char *why);

#endif
