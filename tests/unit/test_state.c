/* tests/unit/test_state.c - the Redis state against a real redis-server started by the test.
 *
 * Starts `redis-server` on a free loopback port in a temporary directory (append-only file on,
 * as in production), then drives state/ on a libevent loop: a new event merges and records,
 * the same partition/offset again is a replay with the same answer, the same event id at another
 * offset is a duplicate, fields accumulate across versions, a stalled server times out and the
 * connection comes back by itself, and a restarted server is reconnected to.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <event2/event.h>

#include "check.h"
#include "state.h"
#include "state_int.h"
#include "store.h"

static int redis_port;
static pid_t redis_pid;
static char redis_dir[] = "/tmp/pw-test-state-XXXXXX";

static void
redis_start(void)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", redis_port);
    redis_pid = fork();
    if (redis_pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1", "--dir",
               redis_dir, "--appendonly", "yes", "--save", "", "--enable-debug-command", "local",
               (char *)NULL);
        _exit(127);
    }
    /* wait until it answers */
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "redis-cli -p %d ping >/dev/null 2>&1", redis_port);
    for (int i = 0; i < 100 && system(cmd) != 0; i++) usleep(50000);
}

static void
redis_stop(void)
{
    kill(redis_pid, SIGKILL);
    waitpid(redis_pid, NULL, 0);
}

struct waiter {
    struct event_base *base;
    int done;
    int ok;
    int retriable;
    enum state_apply_status status;
    long version;
    char merged[4096];
    char previous[4096];
    char error[256];
};

static void
on_apply(const struct state_apply_result *res, const char *error, int retriable, void *arg)
{
    struct waiter *w = arg;
    w->done = 1;
    w->ok = res != NULL;
    w->retriable = retriable;
    if (res) {
        w->status = res->status;
        w->version = res->version;
        snprintf(w->merged, sizeof(w->merged), "%s", res->merged_json ? res->merged_json : "");
        snprintf(w->previous, sizeof(w->previous), "%s",
                 res->previous_json ? res->previous_json : "");
    } else {
        snprintf(w->error, sizeof(w->error), "%s", error);
    }
    event_base_loopbreak(w->base);
}

static int ready_now;
static void
on_ready(int ready, void *arg)
{
    ready_now = ready;
    event_base_loopbreak(arg);
}

/* Runs the loop until 'cond' holds or 'seconds' pass. */
#define RUN_UNTIL(base, cond, seconds)                                                             \
    do {                                                                                           \
        for (int i_ = 0; i_ < (seconds)*20 && !(cond); i_++) {                                     \
            struct timeval tv_ = {0, 50000};                                                       \
            event_base_loopexit(base, &tv_);                                                       \
            event_base_dispatch(base);                                                             \
        }                                                                                          \
    } while (0)

static struct waiter
apply(struct event_base *base, struct state *s, const char *project, const char *event,
      int partition, long offset, const char *json)
{
    struct waiter w = {.base = base};
    if (state_event_apply(s, project, event, partition, offset, json, on_apply, &w) != 0) {
        snprintf(w.error, sizeof(w.error), "not sent");
        return w;
    }
    RUN_UNTIL(base, w.done, 5);
    return w;
}

static struct state *
connect_state(struct event_base *base, unsigned timeout_ms)
{
    char url[64], errstr[256];
    snprintf(url, sizeof(url), "redis://127.0.0.1:%d", redis_port);
    struct state_config cfg = {url, timeout_ms, 60};
    ready_now = 0;
    struct state *s = state_new(base, &cfg, on_ready, base, errstr, sizeof(errstr));
    CHECK(s != NULL);
    RUN_UNTIL(base, ready_now, 5);
    CHECK(state_ready(s));
    return s;
}

static void
test_new_replay_duplicate(void)
{
    struct event_base *base = event_base_new();
    struct state *s = connect_state(base, 2000);

    struct waiter w = apply(base, s, "p1", "e1", 0, 10, "{\"event_id\":\"e1\",\"title\":\"A\"}");
    CHECK(w.ok && w.status == STATE_APPLY_NEW && w.version == 1);
    CHECK(strstr(w.merged, "\"title\":\"A\"") != NULL);
    CHECK(w.previous[0] == '\0');

    w = apply(base, s, "p1", "e1", 0, 10, "{\"event_id\":\"e1\",\"title\":\"A\"}");
    CHECK(w.ok && w.status == STATE_APPLY_REPLAY && w.version == 1);
    CHECK(strstr(w.merged, "\"title\":\"A\"") != NULL);

    w = apply(base, s, "p1", "e1", 2, 99, "{\"event_id\":\"e1\",\"title\":\"A\"}");
    CHECK(w.ok && w.status == STATE_APPLY_DUPLICATE && w.version == 1);

    /* a second event keeps the title, adds a budget, and knows the previous version */
    w = apply(base, s, "p1", "e2", 0, 11, "{\"event_id\":\"e2\",\"budget_usd_per_month\":5000}");
    CHECK(w.ok && w.status == STATE_APPLY_NEW && w.version == 2);
    CHECK(strstr(w.merged, "\"title\":\"A\"") != NULL);
    CHECK(strstr(w.merged, "5000") != NULL);
    CHECK(strstr(w.previous, "\"title\":\"A\"") != NULL && strstr(w.previous, "5000") == NULL);

    /* replay of version 2 still answers with version 1 as its previous */
    w = apply(base, s, "p1", "e2", 0, 11, "{\"event_id\":\"e2\",\"budget_usd_per_month\":5000}");
    CHECK(w.ok && w.status == STATE_APPLY_REPLAY && w.version == 2);
    CHECK(strstr(w.previous, "\"title\":\"A\"") != NULL);

    /* another project is independent */
    w = apply(base, s, "p2", "e1", 1, 5, "{\"event_id\":\"e1\"}");
    CHECK(w.ok && w.status == STATE_APPLY_NEW && w.version == 1);

    state_free(s);
    event_base_free(base);
}

/* An aborted batch of a busy project: thirty of its events were applied, then the batch is
 * replayed from its first message. Every replay answers with its own merged requirement and the
 * one before it, although the project hash keeps only the last eight versions. */
static void
test_hot_project_replay(void)
{
    struct event_base *base = event_base_new();
    struct state *s = connect_state(base, 2000);
    enum { N = 30 };
    char event[16], json[96], want[32];
    for (int i = 1; i <= N; i++) {
        snprintf(event, sizeof(event), "h%d", i);
        snprintf(json, sizeof(json), "{\"event_id\":\"%s\",\"retention_days\":%d}", event, i);
        struct waiter w = apply(base, s, "hot", event, 3, 100 + i, json);
        CHECK(w.ok && w.status == STATE_APPLY_NEW && w.version == i);
    }
    for (int i = 1; i <= N; i++) {
        snprintf(event, sizeof(event), "h%d", i);
        snprintf(json, sizeof(json), "{\"event_id\":\"%s\",\"retention_days\":%d}", event, i);
        struct waiter w = apply(base, s, "hot", event, 3, 100 + i, json);
        CHECK(w.ok && w.status == STATE_APPLY_REPLAY && w.version == i);
        snprintf(want, sizeof(want), "\"retention_days\":%d", i);
        CHECK(strstr(w.merged, want) != NULL);
        snprintf(want, sizeof(want), "\"retention_days\":%d", i - 1);
        CHECK(i == 1 ? w.previous[0] == '\0' : strstr(w.previous, want) != NULL);
    }
    state_free(s);
    event_base_free(base);
}

static void
test_timeout_and_reconnect(void)
{
    struct event_base *base = event_base_new();
    struct state *s = connect_state(base, 300);
    char cmd[128];
    /* Stall the server for 1.5 s: the command times out, the connection is dropped and then
     * re-established without help. */
    snprintf(cmd, sizeof(cmd), "redis-cli -p %d debug sleep 1.5 >/dev/null 2>&1 &", redis_port);
    CHECK(system(cmd) == 0);
    usleep(200000);
    struct waiter w = apply(base, s, "p3", "e1", 0, 1, "{\"event_id\":\"e1\"}");
    CHECK(!w.ok && w.retriable && strstr(w.error, "timed out") != NULL);
    CHECK(!state_ready(s));
    RUN_UNTIL(base, state_ready(s), 10);
    CHECK(state_ready(s));
    CHECK(state_reconnects(s) >= 1);

    /* kill the server: not ready; restart it (AOF keeps the data): ready again, data there */
    redis_stop();
    RUN_UNTIL(base, !state_ready(s), 5);
    CHECK(!state_ready(s));
    CHECK(state_event_apply(s, "p3", "e2", 0, 2, "{}", on_apply, NULL) == -1);
    redis_start();
    RUN_UNTIL(base, state_ready(s), 15);
    CHECK(state_ready(s));
    w = apply(base, s, "p1", "e1", 0, 10, "{\"event_id\":\"e1\"}");
    CHECK(w.ok && w.status == STATE_APPLY_REPLAY);
    state_free(s);
    event_base_free(base);
}

struct values_waiter {
    struct event_base *base;
    int done;
    size_t n;
    char v[4][64];
    int nil[4];
    char error[128];
};

static void
on_values(const char *const *values, const size_t *lens, size_t n, const char *error, void *arg)
{
    struct values_waiter *w = arg;
    w->done = 1;
    w->n = n;
    if (values == NULL) snprintf(w->error, sizeof(w->error), "%s", error);
    for (size_t i = 0; i < n && i < 4; i++) {
        w->nil[i] = values[i] == NULL;
        if (values[i]) snprintf(w->v[i], sizeof(w->v[i]), "%.*s", (int)lens[i], values[i]);
    }
    event_base_loopbreak(w->base);
}

static void
test_command_and_write(void)
{
    struct event_base *base = event_base_new();
    struct state *s = connect_state(base, 2000);
    const char *set[] = {"SET", "pw:test:k", "bin\0ary"};
    size_t setlen[] = {3, 9, 7};
    CHECK(state_write(s, 3, set, setlen) == 0);
    const char *hset[] = {"HSET", "pw:test:h", "a", "1", "b", "two"};
    size_t hsetlen[] = {4, 9, 1, 1, 1, 3};
    CHECK(state_write(s, 6, hset, hsetlen) == 0);

    struct values_waiter w = {.base = base};
    const char *get[] = {"GET", "pw:test:k"};
    size_t getlen[] = {3, 9};
    CHECK(state_command(s, 2, get, getlen, on_values, &w) == 0);
    RUN_UNTIL(base, w.done, 5);
    CHECK(w.n == 1 && memcmp(w.v[0], "bin", 3) == 0);

    struct values_waiter h = {.base = base};
    const char *hmget[] = {"HMGET", "pw:test:h", "a", "missing", "b"};
    size_t hmgetlen[] = {5, 9, 1, 7, 1};
    CHECK(state_command(s, 5, hmget, hmgetlen, on_values, &h) == 0);
    RUN_UNTIL(base, h.done, 5);
    CHECK(h.n == 3 && strcmp(h.v[0], "1") == 0 && h.nil[1] && strcmp(h.v[2], "two") == 0);

    struct values_waiter e = {.base = base};
    const char *bad[] = {"NOSUCHCOMMAND"};
    size_t badlen[] = {13};
    CHECK(state_command(s, 1, bad, badlen, on_values, &e) == 0);
    RUN_UNTIL(base, e.done, 5);
    CHECK(e.n == 0 && strstr(e.error, "redis error") != NULL);
    CHECK(state_write_errors(s) == 0);
    state_free(s);
    event_base_free(base);
}

/* What the HTTP API reads back is what the daemon stored, field by field, through store.h. */
static void
test_store_round_trip(void)
{
    struct event_base *base = event_base_new();
    struct state *s = connect_state(base, 2000);
    store_request_put(s, "r1", "{\"a\":1}", 7, 60);
    store_request_put(s, "r2", "{\"a\":2}", 7, 60);
    store_request_put(s, "r1", "{\"a\":3}", 7, 60); /* a replay: listed once, newest first */
    store_recent_trim(s);
    struct values_waiter w = {.base = base};
    CHECK(store_recent(s, 10, on_values, &w) == 0);
    RUN_UNTIL(base, w.done, 5);
    CHECK(w.n == 2 && strcmp(w.v[0], "r1") == 0 && strcmp(w.v[1], "r2") == 0);

    const char *ids[] = {"r1", "gone", "r2"};
    size_t idlens[] = {2, 4, 2};
    struct values_waiter r = {.base = base};
    CHECK(store_requests_get(s, ids, idlens, 3, on_values, &r) == 0);
    RUN_UNTIL(base, r.done, 5);
    CHECK(r.n == 3 && strcmp(r.v[0], "{\"a\":3}") == 0 && r.nil[1] &&
          strcmp(r.v[2], "{\"a\":2}") == 0);

    const char *latest[STORE_LATEST_COUNT] = {[STORE_LATEST_REPORT_ID] = "p1-v2-ab",
                                              [STORE_LATEST_PROJECT_ID] = "p1",
                                              [STORE_LATEST_MARKDOWN] = "# md",
                                              [STORE_LATEST_AUDIO] = "O\0gg"};
    size_t lens[STORE_LATEST_COUNT] = {8, 2, 0, 0, 4, 0, 0, 0, 0, 4};
    store_latest_put(s, "p1", latest, lens, 60, 60);
    struct values_waiter pj = {.base = base};
    CHECK(store_report_project(s, "p1-v2-ab", on_values, &pj) == 0);
    RUN_UNTIL(base, pj.done, 5);
    CHECK(pj.n == 1 && strcmp(pj.v[0], "p1") == 0);
    const enum store_latest_field f[] = {STORE_LATEST_REPORT_ID, STORE_LATEST_MARKDOWN,
                                         STORE_LATEST_AUDIO, STORE_LATEST_PROJECT_ID};
    struct values_waiter l = {.base = base};
    CHECK(store_latest_get(s, "p1", 2, f, 4, on_values, &l) == 0);
    RUN_UNTIL(base, l.done, 5);
    CHECK(l.n == 4 && strcmp(l.v[0], "p1-v2-ab") == 0 && strcmp(l.v[1], "# md") == 0 &&
          memcmp(l.v[2], "O", 1) == 0 && strcmp(l.v[3], "p1") == 0);

    const char *audio[STORE_AUDIO_COUNT] = {"OggS",  "opus", "espeak-ng:en-us",
                                            "48000", "1500", "hello"};
    size_t alens[STORE_AUDIO_COUNT] = {4, 4, 15, 5, 4, 5};
    store_audio_put(s, "abc123", audio, alens);
    struct values_waiter a = {.base = base};
    CHECK(store_audio_get(s, "abc123", on_values, &a) == 0);
    RUN_UNTIL(base, a.done, 5);
    CHECK(a.n == STORE_AUDIO_COUNT && strcmp(a.v[0], "OggS") == 0 && strcmp(a.v[1], "opus") == 0);
    CHECK(state_write_errors(s) == 0);
    state_free(s);
    event_base_free(base);
}

static void
test_script_flush(void)
{
    struct event_base *base = event_base_new();
    struct state *s = connect_state(base, 2000);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "redis-cli -p %d script flush >/dev/null 2>&1", redis_port);
    CHECK(system(cmd) == 0);
    struct waiter w = apply(base, s, "p9", "e1", 0, 1, "{\"event_id\":\"e1\"}");
    CHECK(!w.ok && w.retriable);
    RUN_UNTIL(base, state_ready(s), 10);
    w = apply(base, s, "p9", "e1", 0, 1, "{\"event_id\":\"e1\"}");
    CHECK(w.ok && w.status == STATE_APPLY_NEW);
    state_free(s);
    event_base_free(base);
}

static void
test_bad_url(void)
{
    char errstr[256];
    struct event_base *base = event_base_new();
    struct state_config cfg = {"http://x", 0, 0};
    CHECK(state_new(base, &cfg, NULL, NULL, errstr, sizeof(errstr)) == NULL);
    CHECK(strstr(errstr, "redis://") != NULL);
    cfg.url = "redis://h:99999";
    CHECK(state_new(base, &cfg, NULL, NULL, errstr, sizeof(errstr)) == NULL);
    cfg.url = "redis://a:1,ftp://b:2"; /* every seed is checked */
    CHECK(state_new(base, &cfg, NULL, NULL, errstr, sizeof(errstr)) == NULL);
    cfg.url = "redis://u:p@a:1,redis://v:q@b:2"; /* one login for every seed */
    CHECK(state_new(base, &cfg, NULL, NULL, errstr, sizeof(errstr)) == NULL);
    CHECK(strstr(errstr, "first one") != NULL);
    cfg.url = "redis://a:1x";
    CHECK(state_new(base, &cfg, NULL, NULL, errstr, sizeof(errstr)) == NULL);
    event_base_free(base);
}

/* A user allowed neither INFO nor CLUSTER still gets a single server, as before clusters; a
 * dead first seed is skipped for the next. */
static void
test_limited_user_and_seeds(void)
{
    char cmd[256], url[128], errstr[256];
    snprintf(cmd, sizeof(cmd),
             "redis-cli -p %d acl setuser limited on '>pw' '~*' '+@all' "
             "'-info' '-cluster' >/dev/null",
             redis_port);
    CHECK(system(cmd) == 0);
    struct event_base *base = event_base_new();
    snprintf(url, sizeof(url), "redis://127.0.0.1:%d,redis://limited:pw@127.0.0.1:%d",
             redis_port + 1, redis_port);
    struct state_config cfg = {url, 2000, 60};
    CHECK(state_new(base, &cfg, NULL, NULL, errstr, sizeof(errstr)) == NULL); /* two logins */
    snprintf(url, sizeof(url), "redis://limited:pw@127.0.0.1:%d,redis://127.0.0.1:%d",
             redis_port + 1, redis_port);
    struct state *s = state_new(base, &cfg, NULL, NULL, errstr, sizeof(errstr));
    CHECK(s != NULL);
    RUN_UNTIL(base, state_ready(s), 10);
    CHECK(state_ready(s) && !state_cluster_mode(s));
    struct waiter w = apply(base, s, "limited", "l1", 0, 1, "{\"event_id\":\"l1\"}");
    CHECK(w.ok && w.status == STATE_APPLY_NEW);
    state_free(s);
    event_base_free(base);
    snprintf(cmd, sizeof(cmd), "redis-cli -p %d acl deluser limited >/dev/null", redis_port);
    CHECK(system(cmd) == 0);
}

static const struct check_case cases[] = {
    {"bad_url", test_bad_url},
    {"limited_user_and_seeds", test_limited_user_and_seeds},
    {"new_replay_duplicate", test_new_replay_duplicate},
    {"hot_project_replay", test_hot_project_replay},
    {"command_and_write", test_command_and_write},
    {"store_round_trip", test_store_round_trip},
    {"script_flush", test_script_flush},
    {"timeout_and_reconnect", test_timeout_and_reconnect},
};

static int run_all(int argc, char **argv);

int
main(int argc, char **argv)
{
    if (mkdtemp(redis_dir) == NULL) return 1;
    redis_port = 20000 + (int)(getpid() % 20000);
    redis_start();
    int rc = run_all(argc, argv);
    redis_stop();
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", redis_dir);
    if (system(cmd) != 0) rc = 1;
    return rc;
}

#define main run_all
CHECK_MAIN(cases)
