/* tests/fuzz/fuzz_http.c - any bytes as what a client sends to the daemon's HTTP port.
 *
 * The daemon's own request handling (routes in daemon/http.c, the read API, bearer tokens and
 * tenancy in daemon/api.c, the limits http_serve() sets) on libevent's evhttp, reached over a
 * loopback TCP connection exactly as a client reaches it: the input is sent, the sending side
 * shut, and the answer read until the server closes. No Kafka (no consumer or producer, as
 * before the daemon has joined its group) and no Redis (the state store points at a port that
 * refuses), so every route that needs them must answer an error. The first byte picks how
 * authorisation is set up (none, an operator token, tenants' tokens, both); the rest is sent.
 * Properties: no crash, leak or sanitizer report; the server closes every connection within
 * HANG_SECONDS of the client shutting its side (evhttp sees the end of input at once, so only a
 * connection left behind waits that long: its idle timeout, 10 s, would be the only thing to
 * close it); the answer starts with an HTTP status line; nothing only Redis holds (a report,
 * its audio or diagram) is served. One loop, server and state store serve every input, as in
 * the daemon. Single-threaded.
 *
 * fuzz-link: daemon
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>

#include "clock.h"
#include "config.h"
#include "daemon.h"
#include "log.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Below libFuzzer's -timeout (5 s in run), so a connection left open is named as such. */
#define HANG_SECONDS 4
/* Enough of the answers to check them; the rest is counted, not kept. */
#define KEEP_BYTES 65536

/* The tokens of make_corpus.py's HTTP_TOKENS, so that seeds get past authorisation. Writable
 * arrays because struct config holds them as char *. */
static char no_token[] = "", operator_token[] = "op-secret-token";
static char acme[] = "acme", acme_token[] = "acme-token";
static char globex[] = "globex", globex_token[] = "globex-token";
static char *tenant_names[] = {acme, globex};
static char *tenant_tokens[] = {acme_token, globex_token};

struct server {
    struct event_base *base;
    struct evhttp *http;
    struct config cfg;
    struct daemon d;
    struct sockaddr_in addr;
    int refusing_fd; /* bound, never listening: the Redis port that refuses */
};

/* One client connection: what is left to send, and what came back. */
struct client {
    int fd;
    struct event *ev;
    const uint8_t *out;
    size_t out_len, sent;
    char in[KEEP_BYTES + 1];
    size_t in_len, in_total;
    int shut, closed, hung;
};

static void
die(const char *what)
{
    fprintf(stderr, "fuzz_http: %s (%s)\n", what, strerror(errno));
    abort();
}

static void
on_redis_ready(int ready, void *arg)
{
    (void)ready;
    (void)arg;
}

static struct server *
server(void)
{
    static struct server *s;
    if (s != NULL) return s;
    s = calloc(1, sizeof(*s));
    if (s == NULL) die("calloc");
    /* The server writes to clients that may have gone, as the daemon does. */
    signal(SIGPIPE, SIG_IGN);
    /* The state store's refused connections are expected here; only errors are worth a line. */
    log_min_level = LOG_LEVEL_ERROR;
    s->base = event_base_new();
    if (s->base == NULL) die("event_base_new");

    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    s->refusing_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->refusing_fd < 0 || bind(s->refusing_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(s->refusing_fd, (struct sockaddr *)&a, &alen) != 0)
        die("refusing port");
    char url[64], errstr[256] = "";
    snprintf(url, sizeof(url), "redis://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    struct state_config stcfg = {url, 200, 0};

    s->d.cfg = &s->cfg;
    s->d.base = s->base;
    s->d.started_ms = clock_monotonic_ms();
    s->d.state = state_new(s->base, &stcfg, on_redis_ready, &s->d, errstr, sizeof(errstr));
    if (s->d.state == NULL) {
        fprintf(stderr, "fuzz_http: state_new: %s\n", errstr);
        abort();
    }

    s->http = evhttp_new(s->base);
    if (s->http == NULL) die("evhttp_new");
    http_serve(&s->d, s->http);
    struct evhttp_bound_socket *bound = evhttp_bind_socket_with_handle(s->http, "127.0.0.1", 0);
    if (bound == NULL) die("evhttp_bind_socket_with_handle");
    alen = sizeof(s->addr);
    if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&s->addr, &alen) != 0)
        die("getsockname");
    return s;
}

/* The authorisation set-up for one input, from its first byte. */
static void
configure(struct config *cfg, uint8_t pick)
{
    cfg->http_token = (pick & 1) ? operator_token : no_token;
    cfg->n_tenants = (pick & 2) ? 2 : 0;
    cfg->tenant_names = tenant_names;
    cfg->tenant_tokens = tenant_tokens;
}

static void
on_client(evutil_socket_t fd, short what, void *arg)
{
    struct client *c = arg;
    if (what & EV_TIMEOUT) {
        c->hung = 1;
        return;
    }
    if ((what & EV_WRITE) && c->sent < c->out_len) {
        ssize_t n = send(fd, c->out + c->sent, c->out_len - c->sent, MSG_NOSIGNAL);
        if (n > 0) {
            c->sent += (size_t)n;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            /* The server closed while the rest was unsent (e.g. headers over the limit):
             * its answer may still be waiting to be read. */
            c->sent = c->out_len;
        }
    }
    if ((what & EV_WRITE) && c->sent == c->out_len && !c->shut) {
        shutdown(fd, SHUT_WR);
        c->shut = 1;
    }
    if (what & EV_READ) {
        char chunk[16384];
        ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
        if (n > 0) {
            size_t keep = (size_t)n;
            if (keep > KEEP_BYTES - c->in_len) keep = KEEP_BYTES - c->in_len;
            memcpy(c->in + c->in_len, chunk, keep);
            c->in_len += keep;
            c->in_total += (size_t)n;
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            c->closed = 1;
        }
    }
}

/* Content only Redis holds: without Redis no answer may carry it. */
static const char *const redis_only[] = {"\r\nContent-Type: audio/",
                                         "\r\nContent-Type: text/markdown",
                                         "\r\nContent-Type: text/vnd.graphviz",
                                         "\r\nContent-Type: image/svg+xml"};

/* "HTTP/M.N NNN ": evhttp answers in the version the request named, as its sscanf("%d.%d")
 * read it, so "HTTP/1.-11" comes back as it came in (libevent 2.1.12); only the prefix and the
 * status code are the server's own. */
static int
status_line_ok(const char *p, const char *end)
{
    if (end - p < 5 || memcmp(p, "HTTP/", 5) != 0) return 0;
    const char *sp = memchr(p, ' ', (size_t)(end - p));
    if (sp == NULL || end - sp < 5) return 0;
    return sp[1] >= '1' && sp[1] <= '5' && sp[2] >= '0' && sp[2] <= '9' && sp[3] >= '0' &&
           sp[3] <= '9' && sp[4] == ' ';
}

/* The first answer starts with a well-formed status line, and no answer serves what only Redis
 * could have given. */
static void
check_answers(const struct client *c)
{
    if (c->in_len == 0) return;
    if (!status_line_ok(c->in, c->in + c->in_len)) {
        fprintf(stderr, "property broken: not an HTTP status line: %.40s\n", c->in);
        abort();
    }
    for (size_t i = 0; i < sizeof(redis_only) / sizeof(redis_only[0]); i++) {
        if (memmem(c->in, c->in_len, redis_only[i], strlen(redis_only[i])) != NULL) {
            fprintf(stderr, "property broken: served without Redis: %s\n", redis_only[i] + 2);
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    struct server *s = server();
    configure(&s->cfg, data[0]);

    struct client *c = calloc(1, sizeof(*c));
    if (c == NULL) die("calloc");
    c->out = data + 1;
    c->out_len = size - 1;
    /* Non-blocking from the start: libFuzzer's timeout alarm would interrupt a blocking
     * connect. The first writable event says the connection is up. */
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) die("socket");
    if (connect(c->fd, (struct sockaddr *)&s->addr, sizeof(s->addr)) != 0 && errno != EINPROGRESS)
        die("connect");
    c->ev = event_new(s->base, c->fd, EV_READ | EV_WRITE | EV_PERSIST, on_client, c);
    struct timeval hang = {HANG_SECONDS, 0};
    event_add(c->ev, &hang);
    while (!c->closed && !c->hung) {
        /* Once everything is sent, only the answer matters: stop waking up for writability. */
        if (c->shut && (event_get_events(c->ev) & EV_WRITE)) {
            event_del(c->ev);
            event_assign(c->ev, s->base, c->fd, EV_READ | EV_PERSIST, on_client, c);
            event_add(c->ev, &hang);
        }
        event_base_loop(s->base, EVLOOP_ONCE);
    }
    if (c->hung) {
        fprintf(stderr, "property broken: the server kept a connection open %d s\n", HANG_SECONDS);
        abort();
    }
    check_answers(c);
    event_free(c->ev);
    close(c->fd);
    free(c);
    return 0;
}
