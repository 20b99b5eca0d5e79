/* state/state.h - the daemon's state in Redis: idempotency and per-project history.
 *
 * hiredis async connections on the daemon's libevent loop: one to a single Redis server, or one
 * per master of a Redis Cluster (found from any node: state/conn.h says how the mode is detected
 * and the slot map learnt; each command goes to the master of its key's slot, following MOVED
 * and ASK). hiredis 0.14 has neither reconnection nor command timeouts nor cluster support, so
 * this module adds them: every command has a timer, a command that times out fails and drops its
 * connection (its reply can no longer be trusted to arrive), and a dropped connection is
 * re-established with exponential backoff. While a connection that is needed is down (for a
 * cluster: until every slot has a master answering again) state_ready() is false and commands
 * fail at once.
 *
 * Redis is not inside the Kafka transaction, so every change is one server-side script that is
 * idempotent under replay: an event is recorded with the partition and offset it came from, so
 * the same message seen again after an aborted transaction is a *replay* (answer again, change
 * nothing) while the same event id at another offset is a *duplicate* (answer nothing).
 * Keys share the hash tag {project_id}, so one project's keys sit in one cluster slot and the
 * apply script, which touches all three, is never refused as CROSSSLOT:
 *   pw:{P}:project          hash: version, event_id of the latest version
 *   pw:{P}:versions         hash: version -> merged requirement JSON (the last eight)
 *   pw:{P}:event:{E}        hash: partition, offset, version, merged, previous (the merged
 *                           requirement this event produced and the one before it; expires
 *                           after event_ttl_s)
 *
 * Thread: the loop thread only. Callbacks run on the loop; what they receive is borrowed for the
 * duration of the call.
 */
#ifndef PW_STATE_STATE_H
#define PW_STATE_STATE_H

#include <stddef.h>
#include <stdint.h>

struct event_base;

struct state_config {
    const char *url;             /* redis://[user:password@]host:port[/db], or a comma list of
                                    such seeds (same user, password, database) */
    unsigned command_timeout_ms; /* 0 for 2000 */
    unsigned event_ttl_s;        /* how long an event id is remembered; 0 for 7 days */
};

enum state_apply_status {
    STATE_APPLY_NEW = 0,   /* first time: merged and recorded as a new project version */
    STATE_APPLY_REPLAY,    /* the same partition/offset again: the recorded result, unchanged */
    STATE_APPLY_DUPLICATE, /* the event id was already applied from another message */
};

struct state_apply_result {
    enum state_apply_status status;
    long version;              /* project version this event produced */
    const char *merged_json;   /* merged requirement at 'version' (NULL for a duplicate, and for
                                  a replay of an event recorded before the event record kept
                                  it, whose version has since been trimmed) */
    const char *previous_json; /* merged requirement at 'version - 1', or NULL */
};

/* 'res' is NULL on failure, and then 'error' says why and 'retriable' is 1 when the connection
 * failed (the connection is being re-established: try again once ready) or 0 when Redis refused
 * the command itself. Both are borrowed for the call. */
typedef void state_apply_cb(const struct state_apply_result *res, const char *error, int retriable,
                            void *arg);
typedef void state_ready_cb(int ready, void *arg);

struct state;

/* Parses the URL and starts connecting. Returns NULL with 'errstr' on a bad URL. */
struct state *state_new(struct event_base *base, const struct state_config *cfg,
                        state_ready_cb *on_ready, void *arg, char *errstr, size_t errstr_size);
/* Drops the connection; pending callbacks run with an error first. */
void state_free(struct state *s);

/* 1 once connected and answering, 0 while (re)connecting. */
int state_ready(const struct state *s);
/* Connections lost since start. */
unsigned long state_reconnects(const struct state *s);

/* Applies one requirement event (its JSON from requirement_json_write()) to its project.
 * Returns 0 when the command was sent, -1 when Redis is not connected ('cb' is not called). */
int state_event_apply(struct state *s, const char *project_id, const char *event_id,
                      int32_t partition, int64_t offset, const char *req_json, state_apply_cb *cb,
                      void *arg);

/* A reply as strings: 'values[i]' (of 'lens[i]' bytes) is NULL for nil; integers come as text.
 * 'values' is NULL on failure, with 'error'. Everything is borrowed for the call. */
typedef void state_values_cb(const char *const *values, const size_t *lens, size_t n,
                             const char *error, void *arg);

/* Fire-and-forget writes (state/store.h) that failed since start. */
unsigned long state_write_errors(const struct state *s);

#endif
