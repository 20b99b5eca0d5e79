/* state/slot.h - Redis Cluster arithmetic without the network: key slots, redirections, the
 * slot map a node reports.
 *
 * A Redis Cluster splits the key space in 16384 slots, slot = CRC16(key) mod 16384 with the
 * CRC16-XMODEM of the cluster specification (polynomial 0x1021, initial value 0), where only
 * the hash tag is hashed when the key has one: the bytes between the first '{' and the first '}'
 * after it, if there is at least one byte between them. A command whose keys fall in different
 * slots is refused (CROSSSLOT); a node that does not serve a key's slot answers
 * "MOVED <slot> <host>:<port>" (the slot lives there now) or "ASK <slot> <host>:<port>" (it is
 * being migrated: ask there once, after ASKING).
 * Pure functions, any thread.
 */
#ifndef PW_STATE_SLOT_H
#define PW_STATE_SLOT_H

#include <stddef.h>

#include <hiredis/hiredis.h>

#define SLOT_COUNT 16384
#define SLOT_HOST_MAX 256
#define SLOT_NONE (-1)  /* the command has no key: any node may answer */
#define SLOT_CROSS (-2) /* the command's keys are in different slots */

/* CRC16-XMODEM of 'len' bytes. */
unsigned slot_crc16(const void *buf, size_t len);
/* The slot of a key, after its hash tag rule. */
unsigned slot_of_key(const char *key, size_t len);
/* The slot a command goes to: a slot, SLOT_NONE or SLOT_CROSS. Knows the key positions of the
 * commands state/ sends (EVALSHA/EVAL/FCALL keys after numkeys, MGET/DEL/EXISTS all arguments,
 * every other command with arguments its first); keyless commands (PING, INFO, SCRIPT, ...)
 * give SLOT_NONE. */
int slot_of_command(int argc, const char *const *argv, const size_t *lens);

enum slot_redirect_kind { SLOT_REDIRECT_NONE = 0, SLOT_REDIRECT_MOVED, SLOT_REDIRECT_ASK };

struct slot_redirect {
    enum slot_redirect_kind kind;
    unsigned slot;
    char host[SLOT_HOST_MAX]; /* empty: the host of the node that answered */
    int port;
};

/* Parses an error reply. Returns its kind: SLOT_REDIRECT_NONE for any other error, and also for
 * a MOVED or ASK that is malformed (bad slot, port or a host too long). */
enum slot_redirect_kind slot_parse_redirect(const char *err, size_t len, struct slot_redirect *out);

/* What to do with an error reply in cluster mode. */
enum slot_action {
    SLOT_ACTION_FAIL = 0, /* the command itself was refused: tell the caller, not retriable */
    SLOT_ACTION_MOVED,    /* send it again to the node named, which serves the slot now */
    SLOT_ACTION_ASK,      /* send ASKING and it again to the node named, this once */
    SLOT_ACTION_RETRY,    /* the cluster is changing (CLUSTERDOWN, TRYAGAIN, LOADING,
                              MASTERDOWN, or too many redirections): tell the caller it may
                              retry, and learn the map again */
};

/* Decides for error 'err' of a command already redirected 'redirects' times, allowing at most
 * 'max_redirects'; fills 'rd' for MOVED and ASK. */
enum slot_action slot_decide(const char *err, size_t len, int redirects, int max_redirects,
                             struct slot_redirect *rd);

/* One master's slot range, from CLUSTER SLOTS. */
struct slot_range {
    unsigned first, last;
    char host[SLOT_HOST_MAX]; /* empty when the node did not know it ("" or "?") */
    int port;
};

/* A node's view of the cluster: the masters' ranges and every address it named (masters and
 * replicas), to ask again later. Owned arrays, slot_map_fini() frees them. */
struct slot_map {
    struct slot_range *ranges;
    size_t n_ranges;
    struct slot_range *nodes; /* first/last unused */
    size_t n_nodes;
};

/* Parses a CLUSTER SLOTS reply into 'map'. Returns 0, or -1 with 'map' empty when it is not a
 * well-formed one (a range out of bounds or reversed, a missing master, a bad port). */
int slot_map_parse(const redisReply *reply, struct slot_map *map);
void slot_map_fini(struct slot_map *map);
/* How many slots the map assigns (16384 when it covers the key space; overlaps count once). */
size_t slot_map_covered(const struct slot_map *map);

#endif
