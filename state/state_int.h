/* state/state_int.h - raw commands, for state/ only (store.c and the unit tests).
 *
 * Code outside state/ says what it stores through state.h and store.h; only state/ names a key
 * or a Redis command.
 */
#ifndef PW_STATE_STATE_INT_H
#define PW_STATE_STATE_INT_H

#include <stddef.h>

#include "state.h"

/* Sends any command (argv with lengths, binary-safe) and hands its reply to 'cb'. Returns 0 when
 * sent, -1 when Redis is not connected ('cb' is not called). */
int state_command(struct state *s, int argc, const char **argv, const size_t *argvlen,
                  state_values_cb *cb, void *arg);
/* Sends an idempotent write whose answer nobody waits for; failures are logged and counted.
 * Returns 0 when sent, -1 when Redis is not connected. */
int state_write(struct state *s, int argc, const char **argv, const size_t *argvlen);

/* 1 when the server is a Redis Cluster (known after the first probe), 0 otherwise: a command
 * whose keys span slots must then be split. */
int state_cluster_mode(const struct state *s);
/* MOVED and ASK replies followed since start. */
unsigned long state_redirects(const struct state *s);

#endif
