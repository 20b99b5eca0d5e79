/* state/slot.c - key slots, MOVED/ASK parsing and CLUSTER SLOTS parsing; see slot.h. */
#include "slot.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

unsigned
slot_crc16(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    unsigned crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (unsigned)p[i] << 8;
        for (int bit = 0; bit < 8; bit++) crc = (crc & 0x8000u) ? (crc << 1) ^ 0x1021u : crc << 1;
        crc &= 0xffffu;
    }
    return crc;
}

unsigned
slot_of_key(const char *key, size_t len)
{
    const char *open = memchr(key, '{', len);
    if (open) {
        size_t after = len - (size_t)(open - key) - 1;
        const char *close = memchr(open + 1, '}', after);
        if (close && close > open + 1) {
            key = open + 1;
            len = (size_t)(close - key);
        }
    }
    return slot_crc16(key, len) & (SLOT_COUNT - 1);
}

static int
verb_is(const char *verb, size_t len, const char *name)
{
    return len == strlen(name) && strncasecmp(verb, name, len) == 0;
}

/* The common slot of argv[from..to) stepping by 'step', or SLOT_CROSS. */
static int
common_slot(const char *const *argv, const size_t *lens, int from, int to, int step)
{
    int slot = SLOT_NONE;
    for (int i = from; i < to; i += step) {
        int k = (int)slot_of_key(argv[i], lens[i]);
        if (slot != SLOT_NONE && k != slot) return SLOT_CROSS;
        slot = k;
    }
    return slot;
}

int
slot_of_command(int argc, const char *const *argv, const size_t *lens)
{
    if (argc < 2) return SLOT_NONE;
    const char *v = argv[0];
    size_t vl = lens[0];
    static const char *const keyless[] = {"PING", "INFO",   "SCRIPT", "CLUSTER", "ASKING",
                                          "AUTH", "SELECT", "HELLO",  "ECHO",    "FUNCTION"};
    for (size_t i = 0; i < sizeof(keyless) / sizeof(keyless[0]); i++)
        if (verb_is(v, vl, keyless[i])) return SLOT_NONE;
    if (verb_is(v, vl, "EVALSHA") || verb_is(v, vl, "EVAL") || verb_is(v, vl, "FCALL")) {
        if (argc < 3 || lens[2] == 0 || lens[2] > 9) return SLOT_NONE;
        char num[10];
        memcpy(num, argv[2], lens[2]);
        num[lens[2]] = '\0';
        char *end;
        long n = strtol(num, &end, 10);
        if (*end || n <= 0) return SLOT_NONE;
        if (n > argc - 3) n = argc - 3;
        return common_slot(argv, lens, 3, 3 + (int)n, 1);
    }
    if (verb_is(v, vl, "MGET") || verb_is(v, vl, "DEL") || verb_is(v, vl, "EXISTS") ||
        verb_is(v, vl, "UNLINK"))
        return common_slot(argv, lens, 1, argc, 1);
    if (verb_is(v, vl, "MSET")) return common_slot(argv, lens, 1, argc, 2);
    return (int)slot_of_key(argv[1], lens[1]);
}

/* Reads a decimal number of at most 'max' from p[0..len); returns the count of digits, 0 when
 * none or too large. */
static size_t
read_number(const char *p, size_t len, unsigned long max, unsigned long *out)
{
    size_t i = 0;
    unsigned long v = 0;
    while (i < len && p[i] >= '0' && p[i] <= '9') {
        v = v * 10 + (unsigned long)(p[i] - '0');
        if (v > max) return 0;
        i++;
    }
    *out = v;
    return i;
}

enum slot_redirect_kind
slot_parse_redirect(const char *err, size_t len, struct slot_redirect *out)
{
    memset(out, 0, sizeof(*out));
    enum slot_redirect_kind kind;
    size_t skip;
    if (len > 6 && memcmp(err, "MOVED ", 6) == 0) {
        kind = SLOT_REDIRECT_MOVED;
        skip = 6;
    } else if (len > 4 && memcmp(err, "ASK ", 4) == 0) {
        kind = SLOT_REDIRECT_ASK;
        skip = 4;
    } else {
        return SLOT_REDIRECT_NONE;
    }
    err += skip;
    len -= skip;
    unsigned long slot, port = 0;
    size_t n = read_number(err, len, SLOT_COUNT - 1, &slot);
    if (n == 0 || n >= len || err[n] != ' ') return SLOT_REDIRECT_NONE;
    err += n + 1;
    len -= n + 1;
    /* host:port, where the host may hold colons (IPv6): the port follows the last one */
    const char *colon = NULL;
    for (size_t i = 0; i < len; i++)
        if (err[i] == ':') colon = err + i;
    if (colon == NULL) return SLOT_REDIRECT_NONE;
    size_t hlen = (size_t)(colon - err), plen = len - hlen - 1;
    if (hlen >= SLOT_HOST_MAX || read_number(colon + 1, plen, 65535, &port) != plen || plen == 0 ||
        port == 0)
        return SLOT_REDIRECT_NONE;
    memcpy(out->host, err, hlen);
    out->host[hlen] = '\0';
    out->port = (int)port;
    out->slot = (unsigned)slot;
    out->kind = kind;
    return kind;
}

enum slot_action
slot_decide(const char *err, size_t len, int redirects, int max_redirects, struct slot_redirect *rd)
{
    static const char *const transient[] = {"CLUSTERDOWN", "TRYAGAIN", "LOADING", "MASTERDOWN"};
    enum slot_redirect_kind kind = slot_parse_redirect(err, len, rd);
    if (kind != SLOT_REDIRECT_NONE)
        return redirects >= max_redirects    ? SLOT_ACTION_RETRY
               : kind == SLOT_REDIRECT_MOVED ? SLOT_ACTION_MOVED
                                             : SLOT_ACTION_ASK;
    for (size_t i = 0; i < sizeof(transient) / sizeof(transient[0]); i++) {
        size_t n = strlen(transient[i]);
        if (len >= n && memcmp(err, transient[i], n) == 0 && (len == n || err[n] == ' '))
            return SLOT_ACTION_RETRY;
    }
    return SLOT_ACTION_FAIL;
}

/* Reads [host, port, ...] of CLUSTER SLOTS into 'r'. */
static int
parse_node(const redisReply *e, struct slot_range *r)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 2) return -1;
    const redisReply *h = e->element[0], *p = e->element[1];
    if (h->type != REDIS_REPLY_STRING || p->type != REDIS_REPLY_INTEGER || p->integer <= 0 ||
        p->integer > 65535 || h->len >= SLOT_HOST_MAX)
        return -1;
    /* "?" (Redis 7: endpoint unknown) means the same as "": the host that was asked */
    size_t hlen = h->len == 1 && h->str[0] == '?' ? 0 : h->len;
    memcpy(r->host, h->str, hlen);
    r->host[hlen] = '\0';
    r->port = (int)p->integer;
    return 0;
}

static void
add_node(struct slot_map *map, const struct slot_range *r, size_t *cap)
{
    for (size_t i = 0; i < map->n_nodes; i++)
        if (map->nodes[i].port == r->port && strcmp(map->nodes[i].host, r->host) == 0) return;
    if (map->n_nodes == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        map->nodes = xrealloc(map->nodes, *cap * sizeof(*map->nodes));
    }
    map->nodes[map->n_nodes++] = *r;
}

int
slot_map_parse(const redisReply *reply, struct slot_map *map)
{
    memset(map, 0, sizeof(*map));
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) return -1;
    size_t node_cap = 0;
    map->ranges = xcalloc(reply->elements ? reply->elements : 1, sizeof(*map->ranges));
    for (size_t i = 0; i < reply->elements; i++) {
        const redisReply *e = reply->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 3) goto bad;
        const redisReply *a = e->element[0], *b = e->element[1];
        if (a->type != REDIS_REPLY_INTEGER || b->type != REDIS_REPLY_INTEGER || a->integer < 0 ||
            b->integer >= SLOT_COUNT || a->integer > b->integer)
            goto bad;
        struct slot_range *r = &map->ranges[map->n_ranges];
        if (parse_node(e->element[2], r) != 0) goto bad;
        r->first = (unsigned)a->integer;
        r->last = (unsigned)b->integer;
        map->n_ranges++;
        add_node(map, r, &node_cap);
        for (size_t j = 3; j < e->elements; j++) {
            struct slot_range replica = {0};
            if (parse_node(e->element[j], &replica) == 0) add_node(map, &replica, &node_cap);
        }
    }
    return 0;
bad:
    slot_map_fini(map);
    return -1;
}

void
slot_map_fini(struct slot_map *map)
{
    free(map->ranges);
    free(map->nodes);
    memset(map, 0, sizeof(*map));
}

size_t
slot_map_covered(const struct slot_map *map)
{
    unsigned char *seen = xcalloc(SLOT_COUNT, 1);
    size_t n = 0;
    for (size_t i = 0; i < map->n_ranges; i++)
        for (unsigned s = map->ranges[i].first; s <= map->ranges[i].last; s++)
            if (!seen[s]) {
                seen[s] = 1;
                n++;
            }
    free(seen);
    return n;
}
