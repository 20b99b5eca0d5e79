/* tests/unit/test_state_slot.c - Redis Cluster arithmetic of state/slot.c, without a network.
 *
 * CRC16-XMODEM against the cluster specification's check value, key slots against values a
 * Redis 7.0 server gives for CLUSTER KEYSLOT, the hash tag rules, which slot each of state/'s
 * commands goes to (the apply script's three keys share one), MOVED and ASK parsing, what is
 * done with each error reply, and CLUSTER SLOTS replies read by hiredis' own parser from RESP
 * bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "check.h"
#include "slot.h"

static unsigned
key_slot(const char *key)
{
    return slot_of_key(key, strlen(key));
}

static void
test_crc16(void)
{
    /* The specification's check value for CRC16-XMODEM */
    CHECK(slot_crc16("123456789", 9) == 0x31C3);
    CHECK(slot_crc16("", 0) == 0);
    CHECK(slot_crc16("A", 1) == 0x58E5);
}

static void
test_key_slot(void)
{
    /* CLUSTER KEYSLOT of redis-server 7.0 */
    CHECK(key_slot("foo") == 12182);
    CHECK(key_slot("bar") == 5061);
    CHECK(key_slot("somekey") == 11058);
    CHECK(key_slot("foo{hash_tag}") == 2515);
    CHECK(key_slot("bar{hash_tag}") == 2515);
    CHECK(key_slot("123456789") == (0x31C3 & 16383));
    /* hash tag rules: the first '{' and the first '}' after it, non-empty */
    CHECK(key_slot("{user1000}.following") == key_slot("{user1000}.followers"));
    CHECK(key_slot("{user1000}.following") == key_slot("user1000"));
    CHECK(key_slot("foo{}{bar}") == slot_crc16("foo{}{bar}", 10) % 16384); /* empty: whole key */
    CHECK(key_slot("foo{{bar}}zap") == key_slot("{bar"));                  /* the tag is "{bar" */
    CHECK(key_slot("foo{bar}{zap}") == key_slot("bar"));
    CHECK(key_slot("foo{bar") == slot_crc16("foo{bar", 7) % 16384); /* no '}': whole key */
    CHECK(key_slot("}foo{bar}") == key_slot("bar"));
    /* binary-safe: a NUL inside the tag counts */
    CHECK(slot_of_key("{a\0b}", 5) == slot_crc16("a\0b", 3) % 16384);
    for (unsigned i = 0; i < 1000; i++) {
        char k[32];
        snprintf(k, sizeof(k), "key:%u", i);
        CHECK(key_slot(k) < 16384);
    }
}

static int
cmd_slot(int argc, const char **argv)
{
    size_t lens[16];
    for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    return slot_of_command(argc, argv, lens);
}

static void
test_command_slot(void)
{
    /* state.c's apply: three keys of one project, then arguments that are not keys */
    const char *apply[] = {"EVALSHA",
                           "0123456789abcdef0123456789abcdef01234567",
                           "3",
                           "pw:{acme:shop}:project",
                           "pw:{acme:shop}:versions",
                           "pw:{acme:shop}:event:e-1",
                           "0",
                           "17",
                           "{}",
                           "604800",
                           "e-1"};
    CHECK(cmd_slot(11, apply) == (int)key_slot("acme:shop"));
    /* a project id with braces of its own still keeps its three keys together */
    const char *odd[] = {
        "EVALSHA", "x", "3", "pw:{a}b{c}:project", "pw:{a}b{c}:versions", "pw:{a}b{c}:event:{e}"};
    CHECK(cmd_slot(6, odd) == (int)key_slot("a"));
    const char *cross[] = {"MGET", "pw:request:e-1", "pw:request:e-2", "pw:request:e-3"};
    CHECK(cmd_slot(4, cross) == SLOT_CROSS);
    const char *together[] = {"MGET", "{x}1", "{x}2"};
    CHECK(cmd_slot(3, together) == (int)key_slot("x"));
    const char *get[] = {"GET", "pw:report:r-1"};
    CHECK(cmd_slot(2, get) == (int)key_slot("pw:report:r-1"));
    const char *hset[] = {"HSET", "pw:{p}:latest", "f", "v"};
    CHECK(cmd_slot(4, hset) == (int)key_slot("p"));
    const char *lpush[] = {"LPUSH", "pw:recent", "e-1"};
    CHECK(cmd_slot(3, lpush) == (int)key_slot("pw:recent"));
    const char *ping[] = {"PING"};
    CHECK(cmd_slot(1, ping) == SLOT_NONE);
    const char *script[] = {"script", "load", "return 1"};
    CHECK(cmd_slot(3, script) == SLOT_NONE);
    const char *nokeys[] = {"EVALSHA", "x", "0", "a"};
    CHECK(cmd_slot(4, nokeys) == SLOT_NONE);
    const char *badnum[] = {"EVAL", "x", "two", "a"};
    CHECK(cmd_slot(4, badnum) == SLOT_NONE);
    const char *toomany[] = {"EVAL", "x", "5", "{k}a", "{k}b"}; /* numkeys beyond argc */
    CHECK(cmd_slot(5, toomany) == (int)key_slot("k"));
}

static enum slot_redirect_kind
redirect(const char *err, struct slot_redirect *rd)
{
    return slot_parse_redirect(err, strlen(err), rd);
}

static void
test_redirect_parse(void)
{
    struct slot_redirect rd;
    CHECK(redirect("MOVED 3999 127.0.0.1:6381", &rd) == SLOT_REDIRECT_MOVED);
    CHECK(rd.slot == 3999 && rd.port == 6381);
    CHECK_STR(rd.host, "127.0.0.1");
    CHECK(redirect("ASK 0 redis-2.example:7000", &rd) == SLOT_REDIRECT_ASK);
    CHECK(rd.slot == 0 && rd.port == 7000);
    CHECK_STR(rd.host, "redis-2.example");
    CHECK(redirect("MOVED 16383 :6380", &rd) == SLOT_REDIRECT_MOVED); /* endpoint unknown */
    CHECK(rd.slot == 16383 && rd.port == 6380 && rd.host[0] == '\0');
    CHECK(redirect("MOVED 12 ::1:7001", &rd) == SLOT_REDIRECT_MOVED); /* IPv6 */
    CHECK_STR(rd.host, "::1");
    CHECK(rd.port == 7001);
    /* malformed or other errors */
    const char *bad[] = {"MOVED 16384 h:1",
                         "MOVED 1 h:0",
                         "MOVED 1 h:65536",
                         "MOVED x h:1",
                         "MOVED 1 h",
                         "MOVED 1 h:12x",
                         "MOVED  1 h:1",
                         "MOVED 1 h:",
                         "MOVED",
                         "MOVEDX 1 h:1",
                         "ask 1 h:1",
                         "ERR MOVED 1 h:1",
                         "CLUSTERDOWN The cluster is down",
                         "",
                         "ASK 99999999999999999999 h:1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(redirect(bad[i], &rd) == SLOT_REDIRECT_NONE);
        CHECK(rd.kind == SLOT_REDIRECT_NONE);
    }
    char longhost[400] = "MOVED 1 ";
    memset(longhost + 8, 'h', 300);
    strcpy(longhost + 308, ":1");
    CHECK(redirect(longhost, &rd) == SLOT_REDIRECT_NONE);
    /* not NUL-terminated at 'len': only the given bytes count */
    CHECK(slot_parse_redirect("MOVED 1 h:12345", 13, &rd) == SLOT_REDIRECT_MOVED && rd.port == 123);
}

static enum slot_action
decide(const char *err, int redirects)
{
    struct slot_redirect rd;
    return slot_decide(err, strlen(err), redirects, 5, &rd);
}

static void
test_decide(void)
{
    CHECK(decide("MOVED 1 127.0.0.1:7000", 0) == SLOT_ACTION_MOVED);
    CHECK(decide("MOVED 1 127.0.0.1:7000", 4) == SLOT_ACTION_MOVED);
    CHECK(decide("MOVED 1 127.0.0.1:7000", 5) == SLOT_ACTION_RETRY); /* bounded */
    CHECK(decide("ASK 1 127.0.0.1:7000", 0) == SLOT_ACTION_ASK);
    CHECK(decide("ASK 1 127.0.0.1:7000", 5) == SLOT_ACTION_RETRY);
    CHECK(decide("CLUSTERDOWN The cluster is down", 0) == SLOT_ACTION_RETRY);
    CHECK(decide("CLUSTERDOWN Hash slot not served", 0) == SLOT_ACTION_RETRY);
    CHECK(decide("TRYAGAIN Multiple keys request during rehashing of slot", 0) ==
          SLOT_ACTION_RETRY);
    CHECK(decide("LOADING Redis is loading the dataset in memory", 0) == SLOT_ACTION_RETRY);
    CHECK(decide("MASTERDOWN Link with MASTER is down", 0) == SLOT_ACTION_RETRY);
    CHECK(decide("CROSSSLOT Keys in request don't hash to the same slot", 0) == SLOT_ACTION_FAIL);
    CHECK(decide("NOSCRIPT No matching script", 0) == SLOT_ACTION_FAIL);
    CHECK(decide("WRONGTYPE Operation against a key holding the wrong kind of value", 0) ==
          SLOT_ACTION_FAIL);
    CHECK(decide("ERR unknown command", 0) == SLOT_ACTION_FAIL);
    CHECK(decide("TRYAGAINX", 0) == SLOT_ACTION_FAIL);
    CHECK(decide("MOVED 1 bad", 0) == SLOT_ACTION_FAIL);
}

/* A reply read by hiredis from RESP bytes, as from a server. */
static redisReply *
read_reply(const char *resp)
{
    redisReader *r = redisReaderCreate();
    void *reply = NULL;
    CHECK(redisReaderFeed(r, resp, strlen(resp)) == REDIS_OK);
    CHECK(redisReaderGetReply(r, &reply) == REDIS_OK);
    redisReaderFree(r);
    CHECK(reply != NULL);
    return reply;
}

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void
test_slots_reply(void)
{
    /* three masters, two with a replica; the third's host unknown ("?") */
    const char *resp = "*3\r\n"
                       "*4\r\n:0\r\n:5460\r\n*3\r\n$9\r\n127.0.0.1\r\n:7000\r\n$40\r\n" ID_A "\r\n"
                       "*3\r\n$9\r\n127.0.0.1\r\n:7003\r\n$40\r\n" ID_B "\r\n"
                       "*4\r\n:5461\r\n:10922\r\n*3\r\n$9\r\n127.0.0.1\r\n:7001\r\n$40\r\n" ID_A
                       "\r\n"
                       "*3\r\n$9\r\n127.0.0.1\r\n:7004\r\n$40\r\n" ID_B "\r\n"
                       "*3\r\n:10923\r\n:16383\r\n*3\r\n$1\r\n?\r\n:7002\r\n$40\r\n" ID_A "\r\n";
    redisReply *reply = read_reply(resp);
    struct slot_map map;
    CHECK(slot_map_parse(reply, &map) == 0);
    CHECK(map.n_ranges == 3);
    CHECK(map.n_nodes == 5);
    if (map.n_ranges == 3) {
        CHECK(map.ranges[0].first == 0 && map.ranges[0].last == 5460 && map.ranges[0].port == 7000);
        CHECK_STR(map.ranges[1].host, "127.0.0.1");
        CHECK(map.ranges[2].first == 10923 && map.ranges[2].port == 7002);
        CHECK_STR(map.ranges[2].host, "");
    }
    CHECK(slot_map_covered(&map) == 16384);
    slot_map_fini(&map);
    freeReplyObject(reply);

    /* a cluster with a failed master's slots unserved: 5461 missing */
    reply = read_reply("*2\r\n*3\r\n:0\r\n:5460\r\n*2\r\n$1\r\nh\r\n:1\r\n"
                       "*3\r\n:10923\r\n:16383\r\n*2\r\n$1\r\nh\r\n:1\r\n");
    CHECK(slot_map_parse(reply, &map) == 0);
    CHECK(map.n_nodes == 1);
    CHECK(slot_map_covered(&map) == 5461 + 5461);
    slot_map_fini(&map);
    freeReplyObject(reply);

    const char *bad[] = {
        "-ERR This instance has cluster support disabled\r\n",
        ":1\r\n",
        "*1\r\n*3\r\n:10\r\n:5\r\n*2\r\n$1\r\nh\r\n:1\r\n",     /* reversed */
        "*1\r\n*3\r\n:0\r\n:16384\r\n*2\r\n$1\r\nh\r\n:1\r\n",  /* beyond the last slot */
        "*1\r\n*3\r\n:-1\r\n:5\r\n*2\r\n$1\r\nh\r\n:1\r\n",     /* negative */
        "*1\r\n*3\r\n:0\r\n:5\r\n*2\r\n$1\r\nh\r\n:0\r\n",      /* port 0 */
        "*1\r\n*3\r\n:0\r\n:5\r\n*2\r\n$1\r\nh\r\n:65536\r\n",  /* port too big */
        "*1\r\n*3\r\n:0\r\n:5\r\n*1\r\n$1\r\nh\r\n",            /* no port */
        "*1\r\n*2\r\n:0\r\n:5\r\n",                             /* no master */
        "*1\r\n*3\r\n$1\r\n0\r\n:5\r\n*2\r\n$1\r\nh\r\n:1\r\n", /* slot as a string */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        reply = read_reply(bad[i]);
        CHECK(slot_map_parse(reply, &map) == -1);
        CHECK(map.ranges == NULL && map.n_ranges == 0 && map.nodes == NULL);
        freeReplyObject(reply);
    }
    CHECK(slot_map_parse(NULL, &map) == -1);
    /* an empty map parses (a node that knows no slots yet) and covers nothing */
    reply = read_reply("*0\r\n");
    CHECK(slot_map_parse(reply, &map) == 0 && map.n_ranges == 0);
    CHECK(slot_map_covered(&map) == 0);
    slot_map_fini(&map);
    freeReplyObject(reply);
}

static const struct check_case cases[] = {
    {"crc16", test_crc16},
    {"key_slot", test_key_slot},
    {"command_slot", test_command_slot},
    {"redirect_parse", test_redirect_parse},
    {"decide", test_decide},
    {"slots_reply", test_slots_reply},
};

CHECK_MAIN(cases)
