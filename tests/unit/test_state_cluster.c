/* tests/unit/test_state_cluster.c - state/ on a real three-master Redis Cluster made by the test.
 *
 * Starts three `redis-server --cluster-enabled yes` on free loopback ports in a temporary
 * directory and joins them with `redis-cli --cluster create` (slots 0-5460, 5461-10922 and
 * 10923-16383, in port order). Given the first node only, state/ must find the cluster, apply
 * events of projects on every master, read request records spread over the slots, follow a MOVED
 * after a slot was moved behind its back, and an ASK while a slot is half migrated (the key
 * already on the importing node, new keys written there too), and refuse a seed that does not
 * answer until one does.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <event2/event.h>

#include "check.h"
#include "slot.h"
#include "state.h"
#include "state_int.h"
#include "store.h"

#define NODES 3

static int base_port;
static pid_t pids[NODES];
static char dir[] = "/tmp/pw-test-cluster-XXXXXX";
static char ids[NODES][64];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return system(cmd);
}

/* The first line a shell command prints, into 'out'. */
static void
sh_read(char *out, size_t size, const char *cmd)
{
    out[0] = '\0';
    FILE *f = popen(cmd, "r");
    if (f == NULL) return;
    if (fgets(out, (int)size, f) == NULL) out[0] = '\0';
    pclose(f);
    out[strcspn(out, "\r\n")] = '\0';
}

static void
cluster_start(void)
{
    for (int i = 0; i < NODES; i++) {
        char port[16], sub[128];
        snprintf(port, sizeof(port), "%d", base_port + i);
        snprintf(sub, sizeof(sub), "%s/%d", dir, i);
        sh("mkdir -p %s", sub);
        pids[i] = fork();
        if (pids[i] == 0) {
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, 1);
            execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1", "--dir",
                   sub, "--cluster-enabled", "yes", "--cluster-node-timeout", "5000",
                   "--appendonly", "no", "--save", "", (char *)NULL);
            _exit(127);
        }
    }
    for (int i = 0; i < NODES; i++)
        for (int t = 0; t < 100 && sh("redis-cli -p %d ping >/dev/null 2>&1", base_port + i); t++)
            usleep(50000);
    sh("redis-cli --cluster create 127.0.0.1:%d 127.0.0.1:%d 127.0.0.1:%d --cluster-replicas 0 "
       "--cluster-yes >/dev/null 2>&1",
       base_port, base_port + 1, base_port + 2);
    for (int i = 0; i < NODES; i++) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "redis-cli -p %d cluster myid", base_port + i);
        sh_read(ids[i], sizeof(ids[i]), cmd);
        for (int t = 0; t < 100; t++) {
            char state[64];
            snprintf(cmd, sizeof(cmd), "redis-cli -p %d cluster info | grep cluster_state",
                     base_port + i);
            sh_read(state, sizeof(state), cmd);
            if (strcmp(state, "cluster_state:ok") == 0) break;
            usleep(100000);
        }
    }
}

static void
cluster_stop(void)
{
    for (int i = 0; i < NODES; i++) {
        kill(pids[i], SIGKILL);
        waitpid(pids[i], NULL, 0);
    }
}

/* The node serving 'slot' as created (before any move). */
static int
owner(unsigned slot)
{
    return slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2;
}

#define RUN_UNTIL(base, cond, seconds)                                                             \
    do {                                                                                           \
        for (int i_ = 0; i_ < (seconds)*20 && !(cond); i_++) {                                     \
            struct timeval tv_ = {0, 50000};                                                       \
            event_base_loopexit(base, &tv_);                                                       \
            event_base_dispatch(base);                                                             \
        }                                                                                          \
    } while (0)

struct waiter {
    int done, ok;
    enum state_apply_status status;
    long version;
    char error[256];
};

static void
on_apply(const struct state_apply_result *res, const char *error, int retriable, void *arg)
{
    struct waiter *w = arg;
    (void)retriable;
    w->done = 1;
    w->ok = res != NULL;
    if (res) {
        w->status = res->status;
        w->version = res->version;
    } else {
        snprintf(w->error, sizeof(w->error), "%s", error);
    }
}

static struct waiter
apply(struct event_base *base, struct state *s, const char *project, const char *event, long offset)
{
    struct waiter w = {0};
    char json[128];
    snprintf(json, sizeof(json), "{\"event_id\":\"%s\",\"team_size\":%ld}", event, offset);
    if (state_event_apply(s, project, event, 0, offset, json, on_apply, &w) != 0) {
        snprintf(w.error, sizeof(w.error), "not sent");
        return w;
    }
    RUN_UNTIL(base, w.done, 5);
    return w;
}

struct values_waiter {
    int done;
    size_t n;
    char v[40][64];
    int nil[40];
    char error[256];
};

static void
on_values(const char *const *values, const size_t *lens, size_t n, const char *error, void *arg)
{
    struct values_waiter *w = arg;
    w->done = 1;
    w->n = n;
    if (values == NULL) snprintf(w->error, sizeof(w->error), "%s", error);
    for (size_t i = 0; i < n && i < 40; i++) {
        w->nil[i] = values[i] == NULL;
        if (values[i]) snprintf(w->v[i], sizeof(w->v[i]), "%.*s", (int)lens[i], values[i]);
    }
}

static struct values_waiter
command(struct event_base *base, struct state *s, int argc, const char **argv)
{
    struct values_waiter w = {0};
    size_t lens[8];
    for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    if (state_command(s, argc, argv, lens, on_values, &w) != 0)
        snprintf(w.error, sizeof(w.error), "not sent");
    else
        RUN_UNTIL(base, w.done, 5);
    return w;
}

static struct state *
connect_state(struct event_base *base, const char *url)
{
    char errstr[256];
    struct state_config cfg = {url, 2000, 60};
    struct state *s = state_new(base, &cfg, NULL, NULL, errstr, sizeof(errstr));
    CHECK(s != NULL);
    if (s) RUN_UNTIL(base, state_ready(s), 10);
    return s;
}

/* A project id whose keys live on node 'node' (as created). */
static void
project_on(char *out, size_t size, int node, int nth)
{
    for (int i = 0;; i++) {
        snprintf(out, size, "proj-%d-%d", nth, i);
        if (owner(slot_of_key(out, strlen(out))) == node) return;
    }
}

static void
test_seed_and_apply(void)
{
    struct event_base *base = event_base_new();
    char url[64];
    snprintf(url, sizeof(url), "redis://127.0.0.1:%d", base_port);
    struct state *s = connect_state(base, url);
    CHECK(state_ready(s));
    CHECK(state_cluster_mode(s));
    /* projects on every master: new, then replay, then duplicate */
    for (int node = 0; node < NODES; node++) {
        char project[32];
        project_on(project, sizeof(project), node, 1);
        struct waiter w = apply(base, s, project, "e1", 10);
        CHECK(w.ok && w.status == STATE_APPLY_NEW && w.version == 1);
        w = apply(base, s, project, "e2", 11);
        CHECK(w.ok && w.status == STATE_APPLY_NEW && w.version == 2);
        w = apply(base, s, project, "e1", 10);
        CHECK(w.ok && w.status == STATE_APPLY_REPLAY && w.version == 1);
        w = apply(base, s, project, "e1", 99);
        CHECK(w.ok && w.status == STATE_APPLY_DUPLICATE);
        /* the project's keys are on its master, where redis-cli finds them without -c */
        CHECK(sh("test \"$(redis-cli -p %d hget 'pw:{%s}:project' version)\" = 2", base_port + node,
                 project) == 0);
    }
    CHECK(state_redirects(s) == 0);
    state_free(s);
    event_base_free(base);
}

/* Request records are spread over the slots: read together, they come back in order. */
static void
test_requests_across_slots(void)
{
    struct event_base *base = event_base_new();
    char url[96];
    snprintf(url, sizeof(url), "redis://127.0.0.1:%d,redis://127.0.0.1:%d", base_port + 2,
             base_port);
    struct state *s = connect_state(base, url);
    CHECK(state_cluster_mode(s));
    enum { N = 30 };
    char idbuf[N][16];
    const char *idv[N];
    size_t lens[N];
    int on[NODES] = {0};
    for (int i = 0; i < N; i++) {
        snprintf(idbuf[i], sizeof(idbuf[i]), "req-%d", i);
        idv[i] = idbuf[i];
        lens[i] = strlen(idbuf[i]);
        char key[32], json[32];
        snprintf(key, sizeof(key), "pw:request:%s", idbuf[i]);
        on[owner(slot_of_key(key, strlen(key)))]++;
        if (i % 5 == 4) continue; /* some never written: nil */
        snprintf(json, sizeof(json), "{\"n\":%d}", i);
        store_request_put(s, idbuf[i], json, strlen(json), 60);
    }
    CHECK(on[0] && on[1] && on[2]);
    RUN_UNTIL(base, 0, 1);
    struct values_waiter w = {0};
    CHECK(store_requests_get(s, idv, lens, N, on_values, &w) == 0);
    RUN_UNTIL(base, w.done, 5);
    CHECK(w.n == N && w.error[0] == '\0');
    for (int i = 0; i < N && (size_t)i < w.n; i++) {
        char want[32];
        snprintf(want, sizeof(want), "{\"n\":%d}", i);
        CHECK(i % 5 == 4 ? w.nil[i] : strcmp(w.v[i], want) == 0);
    }
    CHECK(state_write_errors(s) == 0);
    state_free(s);
    event_base_free(base);
}

/* Moves 'slot' from node 'from' to node 'to', keys and all, as a resharding does. */
static void
move_slot(unsigned slot, int from, int to, int finish)
{
    sh("redis-cli -p %d cluster setslot %u importing %s >/dev/null", base_port + to, slot,
       ids[from]);
    sh("redis-cli -p %d cluster setslot %u migrating %s >/dev/null", base_port + from, slot,
       ids[to]);
    sh("for k in $(redis-cli -p %d --raw cluster getkeysinslot %u 100); do "
       "redis-cli -p %d migrate 127.0.0.1 %d \"$k\" 0 5000 >/dev/null; done",
       base_port + from, slot, base_port + from, base_port + to);
    if (!finish) return;
    for (int i = 0; i < NODES; i++)
        sh("redis-cli -p %d cluster setslot %u node %s >/dev/null", base_port + i, slot, ids[to]);
}

static void
test_moved(void)
{
    struct event_base *base = event_base_new();
    char url[64], project[32];
    snprintf(url, sizeof(url), "redis://127.0.0.1:%d", base_port);
    struct state *s = connect_state(base, url);
    project_on(project, sizeof(project), 0, 2);
    struct waiter w = apply(base, s, project, "m1", 1);
    CHECK(w.ok && w.status == STATE_APPLY_NEW && w.version == 1);
    move_slot(slot_of_key(project, strlen(project)), 0, 1, 1);
    /* the state still thinks node 0: MOVED, followed, and the map learnt */
    w = apply(base, s, project, "m2", 2);
    CHECK(w.ok && w.status == STATE_APPLY_NEW && w.version == 2);
    unsigned long after_first = state_redirects(s);
    CHECK(after_first >= 1);
    w = apply(base, s, project, "m3", 3);
    CHECK(w.ok && w.status == STATE_APPLY_NEW && w.version == 3);
    CHECK(state_redirects(s) == after_first);
    CHECK(sh("test \"$(redis-cli -p %d hget 'pw:{%s}:project' version)\" = 3", base_port + 1,
             project) == 0);
    CHECK(state_ready(s));
    state_free(s);
    event_base_free(base);
}

static void
test_ask(void)
{
    struct event_base *base = event_base_new();
    char url[64], tag[32], key[64], fresh[64];
    snprintf(url, sizeof(url), "redis://127.0.0.1:%d", base_port);
    struct state *s = connect_state(base, url);
    project_on(tag, sizeof(tag), 2, 3);
    snprintf(key, sizeof(key), "pw:{%s}:ask", tag);
    snprintf(fresh, sizeof(fresh), "pw:{%s}:fresh", tag);
    const char *set[] = {"SET", key, "before"};
    struct values_waiter v = command(base, s, 3, set);
    CHECK(v.done && v.error[0] == '\0');
    /* half migrated: the key is on node 0 already, the slot still node 2's */
    unsigned slot = slot_of_key(tag, strlen(tag));
    move_slot(slot, 2, 0, 0);
    unsigned long before = state_redirects(s);
    const char *get[] = {"GET", key};
    v = command(base, s, 2, get);
    CHECK(v.done && v.n == 1 && strcmp(v.v[0], "before") == 0);
    CHECK(state_redirects(s) == before + 1);
    /* ASK changes no map: the next command is asked for again */
    v = command(base, s, 2, get);
    CHECK(v.done && v.n == 1 && strcmp(v.v[0], "before") == 0);
    CHECK(state_redirects(s) == before + 2);
    /* a new key of a migrating slot is written on the importing node */
    const char *set2[] = {"SET", fresh, "new"};
    v = command(base, s, 3, set2);
    CHECK(v.done && v.error[0] == '\0');
    for (int i = 0; i < NODES; i++)
        sh("redis-cli -p %d cluster setslot %u node %s >/dev/null", base_port + i, slot, ids[0]);
    CHECK(sh("test \"$(redis-cli -p %d get '%s')\" = new", base_port, fresh) == 0);
    v = command(base, s, 2, get);
    CHECK(v.done && v.n == 1 && strcmp(v.v[0], "before") == 0);
    CHECK(state_ready(s));
    state_free(s);
    event_base_free(base);
}

/* A seed that does not answer is skipped for the next one. */
static void
test_dead_seed(void)
{
    struct event_base *base = event_base_new();
    char url[96];
    snprintf(url, sizeof(url), "redis://127.0.0.1:%d,redis://127.0.0.1:%d", base_port + 3,
             base_port + 1);
    struct state *s = connect_state(base, url);
    CHECK(state_ready(s));
    CHECK(state_cluster_mode(s));
    char project[32];
    project_on(project, sizeof(project), 2, 4);
    struct waiter w = apply(base, s, project, "d1", 1);
    CHECK(w.ok && w.status == STATE_APPLY_NEW);
    state_free(s);
    event_base_free(base);
}

static const struct check_case cases[] = {
    {"seed_and_apply", test_seed_and_apply},
    {"requests_across_slots", test_requests_across_slots},
    {"moved", test_moved},
    {"ask", test_ask},
    {"dead_seed", test_dead_seed},
};

static int run_all(int argc, char **argv);

int
main(int argc, char **argv)
{
    if (mkdtemp(dir) == NULL) return 1;
    base_port = 21000 + (int)(getpid() % 18000);
    cluster_start();
    int rc = run_all(argc, argv);
    cluster_stop();
    if (sh("rm -rf %s", dir) != 0) rc = 1;
    return rc;
}

#define main run_all
CHECK_MAIN(cases)
