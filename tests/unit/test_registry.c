/* tests/unit/test_registry.c - the registry client's HTTP behaviour and bounds.
 *
 * The client talks to a scripted HTTP/1.1 responder on a loopback port, started in a thread of
 * this test: it answers each connection with the next canned response and keeps the request it
 * saw, so the test checks what was sent (path, headers, body) and how each answer is taken:
 * ids, 404, 409 with the registry's message, bodies over the cap, a silent server, the cache,
 * and that no message carries the password. The registry's real API is exercised against a
 * real registry by tests/integration/test_registry.py. Run under ASan+UBSan with SANITIZE=1.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "registry.h"
#include "xalloc.h"

#define MAX_RESPONSES 8

struct responder {
    int fd;
    int port;
    const char *responses[MAX_RESPONSES]; /* NULL: accept, read, answer nothing for 2 s */
    size_t big_body;                      /* >0: the response is a 200 with this many bytes */
    int n;
    int served;
    char requests[MAX_RESPONSES][4096];
    pthread_t thread;
};

static void
read_request(int c, char *out, size_t out_size)
{
    size_t len = 0;
    out[0] = '\0';
    while (len + 1 < out_size) {
        ssize_t k = recv(c, out + len, out_size - 1 - len, 0);
        if (k <= 0) break;
        len += (size_t)k;
        out[len] = '\0';
        char *end = strstr(out, "\r\n\r\n");
        if (end == NULL) continue;
        const char *cl = strcasestr(out, "Content-Length:");
        size_t want = (size_t)(end + 4 - out) + (cl ? strtoul(cl + 15, NULL, 10) : 0);
        if (len >= want) break;
    }
}

static void
send_all(int c, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t k = send(c, data, len, MSG_NOSIGNAL);
        if (k <= 0) return;
        data += k;
        len -= (size_t)k;
    }
}

static void *
serve(void *arg)
{
    struct responder *r = arg;
    for (int i = 0; i < r->n; i++) {
        int c = accept(r->fd, NULL, NULL);
        if (c < 0) break;
        read_request(c, r->requests[i], sizeof(r->requests[i]));
        r->served++;
        if (r->big_body > 0) {
            char head[128];
            int n = snprintf(head, sizeof(head),
                             "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                             r->big_body);
            send_all(c, head, (size_t)n);
            char *body = xmalloc(r->big_body);
            memset(body, 'x', r->big_body);
            send_all(c, body, r->big_body);
            free(body);
        } else if (r->responses[i] == NULL) {
            struct timespec ts = {2, 0};
            nanosleep(&ts, NULL);
        } else {
            send_all(c, r->responses[i], strlen(r->responses[i]));
        }
        close(c);
    }
    return NULL;
}

static void
responder_start(struct responder *r)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    bind(r->fd, (struct sockaddr *)&a, sizeof(a));
    listen(r->fd, 8);
    getsockname(r->fd, (struct sockaddr *)&a, &alen);
    r->port = ntohs(a.sin_port);
    pthread_create(&r->thread, NULL, serve, r);
}

static void
responder_stop(struct responder *r)
{
    shutdown(r->fd, SHUT_RDWR);
    pthread_join(r->thread, NULL);
    close(r->fd);
}

/* A whole HTTP/1.1 response with 'body'. */
static void
response(char *out, size_t out_size, const char *status, const char *body)
{
    snprintf(out, out_size,
             "HTTP/1.1 %s\r\nContent-Type: application/vnd.schemaregistry.v1+json"
             "\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
             status, strlen(body), body);
}

static struct registry *
client(int port, long timeout_ms)
{
    char url[128], err[512] = "";
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/apis/ccompat/v7/", port);
    struct registry_config cfg = {url, "key", "s3cret-pw", timeout_ms};
    struct registry *reg = registry_new(&cfg, err, sizeof(err));
    if (reg == NULL) fprintf(stderr, "registry_new: %s\n", err);
    return reg;
}

static void
test_url_checks(void)
{
    char err[256];
    struct registry_config cfg = {"ftp://h/x", NULL, NULL, 1000};
    CHECK(registry_new(&cfg, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "not http") != NULL);
    cfg.url = "http://h/x?debug=1";
    CHECK(registry_new(&cfg, err, sizeof(err)) == NULL);
    cfg.url = "https://user:hunter2@registry.example/x//";
    struct registry *r = registry_new(&cfg, err, sizeof(err));
    CHECK(r != NULL);
    if (r != NULL) CHECK_STR(registry_url(r), "https://****@registry.example/x");
    registry_free(r);
}

static void
test_register_and_fetch(void)
{
    char reg_ok[256], fetch_ok[256], not_found[256], conflict[256];
    response(reg_ok, sizeof(reg_ok), "200 OK", "{\"id\":42}");
    response(fetch_ok, sizeof(fetch_ok), "200 OK", "{\"schema\":\"\\\"string\\\"\",\"x\":1}");
    response(not_found, sizeof(not_found), "404 Not Found",
             "{\"error_code\":40403,\"message\":\"Schema not found\"}");
    response(conflict, sizeof(conflict), "409 Conflict",
             "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}");
    struct responder rs = {.n = 4, .responses = {reg_ok, fetch_ok, not_found, conflict}};
    responder_start(&rs);
    struct registry *r = client(rs.port, 5000);
    char err[512] = "";
    int32_t id = -1;
    struct buf b;
    buf_init(&b);

    CHECK(registry_schema_register(r, "orders/v-value", "{\"type\":\"string\"}", &id, err,
                                   sizeof(err)) == 0);
    CHECK(id == 42);
    const char *req = rs.requests[0];
    static const char want_line[] = "POST /apis/ccompat/v7/subjects/orders%2Fv-value/versions ";
    CHECK(strncmp(req, want_line, strlen(want_line)) == 0);
    CHECK(strcasestr(req, "Content-Type: application/vnd.schemaregistry.v1+json") != NULL);
    /* Basic a2V5OnMzY3JldC1wdw== is base64 of "key:s3cret-pw". */
    CHECK(strstr(req, "Authorization: Basic a2V5OnMzY3JldC1wdw==") != NULL);
    CHECK(strstr(req, "{\"schema\":\"{\\\"type\\\":\\\"string\\\"}\"}") != NULL);

    CHECK(registry_schema_fetch(r, 7, &b, err, sizeof(err)) == 0);
    CHECK_STR(b.data, "\"string\"");
    static const char want_get[] = "GET /apis/ccompat/v7/schemas/ids/7 ";
    CHECK(strncmp(rs.requests[1], want_get, strlen(want_get)) == 0);
    buf_reset(&b);
    CHECK(registry_schema_fetch(r, 7, &b, err, sizeof(err)) == 0); /* from the cache */
    CHECK_STR(b.data, "\"string\"");
    CHECK(rs.served == 2);

    CHECK(registry_schema_fetch(r, 8, &b, err, sizeof(err)) == 1);
    CHECK(registry_schema_register(r, "s", "\"int\"", &id, err, sizeof(err)) == -1);
    CHECK(strstr(err, "HTTP 409: Schema being registered is incompatible") != NULL);
    CHECK(strstr(err, "127.0.0.1") != NULL && strstr(err, "s3cret") == NULL);
    registry_free(r);
    responder_stop(&rs);
    buf_fini(&b);
}

static void
test_bounds(void)
{
    char err[512] = "";
    struct buf b;
    buf_init(&b);

    /* A body over the cap is cut off, not stored. */
    struct responder big = {.n = 1, .big_body = 2 * REGISTRY_MAX_RESPONSE_BYTES};
    responder_start(&big);
    struct registry *r = client(big.port, 5000);
    CHECK(registry_schema_fetch(r, 1, &b, err, sizeof(err)) == -1);
    CHECK(strstr(err, "response over") != NULL);
    CHECK(b.len == 0);
    registry_free(r);
    responder_stop(&big);

    /* A server that never answers: the timeout holds. */
    struct responder silent = {.n = 1};
    responder_start(&silent);
    r = client(silent.port, 300);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(registry_schema_fetch(r, 1, &b, err, sizeof(err)) == -1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(s < 1.5);
    CHECK(strstr(err, "imeout") != NULL || strstr(err, "timed out") != NULL);
    /* Right after, another id fails at once with the same reason instead of waiting again. */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(registry_schema_fetch(r, 2, &b, err, sizeof(err)) == -1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(s < 0.1);
    CHECK(strstr(err, "asking again in") != NULL && strstr(err, "schemas/ids/1") != NULL);
    CHECK(silent.served == 1);
    registry_free(r);
    responder_stop(&silent);

    /* Nothing listening: refused, the URL named, the password not. */
    int port = silent.port;
    r = client(port, 1000);
    CHECK(registry_schema_fetch(r, 1, &b, err, sizeof(err)) == -1);
    CHECK(strstr(err, "schemas/ids/1") != NULL && strstr(err, "s3cret") == NULL);
    registry_free(r);

    /* A 200 that is not the documented JSON. */
    char junk[256], no_schema[256];
    response(junk, sizeof(junk), "200 OK", "hello");
    response(no_schema, sizeof(no_schema), "200 OK", "{\"id\":3}");
    struct responder odd = {.n = 2, .responses = {junk, no_schema}};
    responder_start(&odd);
    r = client(odd.port, 5000);
    CHECK(registry_schema_fetch(r, 1, &b, err, sizeof(err)) == -1);
    CHECK(strstr(err, "not JSON") != NULL);
    CHECK(registry_schema_fetch(r, 2, &b, err, sizeof(err)) == -1);
    CHECK(strstr(err, "no schema") != NULL);
    registry_free(r);
    responder_stop(&odd);
    buf_fini(&b);
}

static const struct check_case cases[] = {
    {"url_checks", test_url_checks},
    {"register_and_fetch", test_register_and_fetch},
    {"bounds", test_bounds},
};

CHECK_MAIN(cases)
