/* daemon/api.c - the read API over HTTP: requests, reports, audio, and the page for people.
 *
 *   GET /v1/requests                        recent requests (newest first), JSON
 *   GET /v1/requests/{event_id}             one request's status and timings, JSON
 *   GET /v1/projects/{project_id}/reports/latest   JSON, or Markdown with Accept: text/markdown
 *   GET /v1/reports/{report_id}             JSON, or Markdown with Accept: text/markdown (the
 *                                           project's latest report; a superseded one is 404)
 *   GET /v1/reports/{report_id}/audio       the summary, audio/ogg (or audio/wav)
 *   GET /v1/reports/{report_id}/diagram     the data-flow diagram, Graphviz DOT
 *   GET /v1/reports/{report_id}/diagram.svg the diagram rendered as SVG (web.c)
 *   GET /v1/projects/{project_id}/versions  the kept requirement versions and what changed
 *   GET /                                   a small page: recent requests, a report, its audio
 *
 * Everything is read from Redis (state/store.h), so any daemon of the group answers for all of
 * them. Redis keeps one full report per project (its latest), so memory grows with projects,
 * not with requests; a report id only names the project of its report.
 * Ids are checked before any lookup ([A-Za-z0-9._:@-], 1-128 bytes). With a token configured,
 * every route here needs "Authorization: Bearer TOKEN". With tenancy on, a tenant's token sees
 * only the projects named "TENANT:..." and anything else answers 404, as if it did not exist. Answers are asynchronous: the request
 * waits for Redis, and if the client goes away first the answer is dropped, never sent to a
 * freed request. Thread: the loop thread.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "buf.h"
#include "embedded.h"
#include "state.h"
#include "store.h"
#include "web.h"
#include "xalloc.h"

enum route {
    ROUTE_RECENT = 0,
    ROUTE_REQUEST,
    ROUTE_PROJECT_LATEST,
    ROUTE_REPORT,
    ROUTE_AUDIO,
    ROUTE_DIAGRAM,
    ROUTE_DIAGRAM_SVG,
    ROUTE_VERSIONS,
};

/* An HTTP request waiting for Redis. */
struct pending {
    struct daemon *d;
    struct evhttp_request *req; /* NULL once the client has gone */
    enum route route;
    int want_markdown;
    const char *tenant; /* the caller's tenant, or NULL for access to every project */
    char id[160];       /* the report id asked for (report routes) */
    const enum store_latest_field *fields; /* what to read from the project's latest report */
    size_t n_fields;
};

/* 1 when the project of 'project_id' (of 'len' bytes) is visible to 'p'. */
static int
visible(const struct pending *p, const char *project_id, size_t len)
{
    if (p->tenant == NULL) return 1;
    size_t tl = strlen(p->tenant);
    return project_id && len > tl && memcmp(project_id, p->tenant, tl) == 0 &&
           project_id[tl] == ':';
}

/* 1 when the request record (JSON) belongs to a project visible to 'p'. */
static int
record_visible(const struct pending *p, const char *json, size_t len)
{
    if (p->tenant == NULL) return 1;
    json_t *root = json_loadb(json, len, 0, NULL);
    const char *project = json_string_value(json_object_get(root, "project_id"));
    int ok = project && visible(p, project, strlen(project));
    json_decref(root);
    return ok;
}

void
api_reply_json_error(struct evhttp_request *req, int code, const char *reason, const char *msg)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add_printf(b, "{\"error\":\"%s\",\"status\":%d}\n", msg, code);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
    evhttp_send_reply(req, code, reason, b);
    evbuffer_free(b);
}

static void
send_body(struct evhttp_request *req, const char *type, const void *data, size_t len)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, data, len);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", type);
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_send_reply(req, 200, "OK", b);
    evbuffer_free(b);
}

static int
id_valid(const char *s, size_t len)
{
    if (len == 0 || len > 128) return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '@' || c == '-'))
            return 0;
    }
    return 1;
}

static void
on_client_gone(struct evhttp_connection *evcon, void *arg)
{
    struct pending *p = arg;
    (void)evcon;
    p->req = NULL;
}

/* Detaches 'p' from its connection; returns the request to answer, or NULL if it is gone. */
static struct evhttp_request *
pending_take(struct pending *p)
{
    struct evhttp_request *req = p->req;
    if (req) evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL, NULL);
    return req;
}

/* Fields of a project's latest report: its id first, to tell a superseded report from the
 * current one, and the owner's project id last, for the tenancy check. */
static const enum store_latest_field report_fields[] = {STORE_LATEST_REPORT_ID, STORE_LATEST_JSON,
                                                        STORE_LATEST_MARKDOWN,
                                                        STORE_LATEST_PROJECT_ID};
static const enum store_latest_field audio_fields[] = {STORE_LATEST_REPORT_ID, STORE_LATEST_AUDIO,
                                                       STORE_LATEST_CODEC, STORE_LATEST_PROJECT_ID};
static const enum store_latest_field diagram_fields[] = {STORE_LATEST_REPORT_ID, STORE_LATEST_DOT,
                                                         STORE_LATEST_PROJECT_ID};

/* The Redis answers of each route; the report routes take two reads (the project of the report
 * id, then its latest report). */
static void on_recent_ids(const char *const *values, const size_t *lens, size_t n,
                          const char *error, void *arg);
static void on_recent_records(const char *const *values, const size_t *lens, size_t n,
                              const char *error, void *arg);
static void on_request_record(const char *const *values, const size_t *lens, size_t n,
                              const char *error, void *arg);
static void on_report_project(const char *const *values, const size_t *lens, size_t n,
                              const char *error, void *arg);
static void on_latest(const char *const *values, const size_t *lens, size_t n, const char *error,
                      void *arg);
static void on_versions(const char *const *values, const size_t *lens, size_t n, const char *error,
                        void *arg);

/* Answers 503 when a read could not be sent (Redis is not connected). */
static void
sent_or_503(struct pending *p, int rc)
{
    if (rc == 0) return;
    struct evhttp_request *req = pending_take(p);
    if (req) api_reply_json_error(req, 503, "Service Unavailable", "state store unavailable");
    free(p);
}

/* Whether Redis's answer can be used: 0 (and 'p' freed) when the client left meanwhile, or when
 * Redis failed (then answered 503). */
static int
answerable(struct pending *p, const char *const *values, const char *error)
{
    if (p->req == NULL) { /* the client left while Redis answered */
        free(p);
        return 0;
    }
    if (values == NULL) {
        struct evhttp_request *req = pending_take(p);
        api_reply_json_error(req, 503, "Service Unavailable",
                             error && strstr(error, "timed out") ? "state store timed out"
                                                                 : "state store unavailable");
        free(p);
        return 0;
    }
    return 1;
}

static void
not_found(struct pending *p)
{
    struct evhttp_request *req = pending_take(p);
    api_reply_json_error(req, 404, "Not Found", "not found");
    free(p);
}

/* GET /v1/requests, first read: the recent event ids; their records are fetched in one read. */
static void
on_recent_ids(const char *const *values, const size_t *lens, size_t n, const char *error, void *arg)
{
    struct pending *p = arg;
    if (!answerable(p, values, error)) return;
    if (n == 0) {
        struct evhttp_request *req = pending_take(p);
        send_body(req, "application/json", "[]\n", 3);
        free(p);
        return;
    }
    const char *ids[STORE_RECENT_MAX];
    size_t idlens[STORE_RECENT_MAX], k = 0;
    for (size_t i = 0; i < n && k < STORE_RECENT_MAX; i++) {
        if (values[i] == NULL || !id_valid(values[i], lens[i])) continue;
        ids[k] = values[i];
        idlens[k++] = lens[i];
    }
    sent_or_503(p, k ? store_requests_get(p->d->state, ids, idlens, k, on_recent_records, p) : -1);
}

/* GET /v1/requests, second read: the records, as one JSON array. */
static void
on_recent_records(const char *const *values, const size_t *lens, size_t n, const char *error,
                  void *arg)
{
    struct pending *p = arg;
    if (!answerable(p, values, error)) return;
    struct evhttp_request *req = pending_take(p);
    struct buf out;
    buf_init(&out);
    buf_putc(&out, '[');
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        if (values[i] == NULL || !record_visible(p, values[i], lens[i])) continue;
        if (!first) buf_putc(&out, ',');
        buf_append(&out, values[i], lens[i]);
        first = 0;
    }
    buf_puts(&out, "]\n");
    send_body(req, "application/json", out.data, out.len);
    buf_fini(&out);
    free(p);
}

/* GET /v1/requests/{event_id} */
static void
on_request_record(const char *const *values, const size_t *lens, size_t n, const char *error,
                  void *arg)
{
    struct pending *p = arg;
    if (!answerable(p, values, error)) return;
    if (n < 1 || values[0] == NULL || !record_visible(p, values[0], lens[0])) {
        not_found(p);
        return;
    }
    struct evhttp_request *req = pending_take(p);
    send_body(req, "application/json", values[0], lens[0]);
    free(p);
}

/* The report routes, first read: the report id names the project; its latest report holds the
 * content. */
static void
on_report_project(const char *const *values, const size_t *lens, size_t n, const char *error,
                  void *arg)
{
    struct pending *p = arg;
    if (!answerable(p, values, error)) return;
    if (n < 1 || values[0] == NULL || lens[0] > 128) {
        not_found(p);
        return;
    }
    sent_or_503(p, store_latest_get(p->d->state, values[0], lens[0], p->fields, p->n_fields,
                                    on_latest, p));
}

/* A project's latest report, or the part of it a report route asks for (p->fields). */
static void
on_latest(const char *const *values, const size_t *lens, size_t n, const char *error, void *arg)
{
    struct pending *p = arg;
    if (!answerable(p, values, error)) return;
    if (n != p->n_fields || values[0] == NULL || values[1] == NULL || lens[1] == 0 ||
        !visible(p, values[n - 1], lens[n - 1])) {
        not_found(p);
        return;
    }
    struct evhttp_request *req = pending_take(p);
    if (p->route != ROUTE_PROJECT_LATEST &&
        (lens[0] != strlen(p->id) || memcmp(values[0], p->id, lens[0]) != 0))
        api_reply_json_error(req, 404, "Not Found",
                             "report superseded: the project's latest report is at "
                             "/v1/projects/{project_id}/reports/latest");
    else if (p->route == ROUTE_AUDIO)
        send_body(req, values[2] && !strcmp(values[2], "wav") ? "audio/wav" : "audio/ogg",
                  values[1], lens[1]);
    else if (p->route == ROUTE_DIAGRAM)
        send_body(req, "text/vnd.graphviz; charset=utf-8", values[1], lens[1]);
    else if (p->route == ROUTE_DIAGRAM_SVG)
        web_reply_diagram(req, values[1], lens[1]);
    else if (p->want_markdown && values[2])
        send_body(req, "text/markdown; charset=utf-8", values[2], lens[2]);
    else
        send_body(req, "application/json", values[1], lens[1]);
    free(p);
}

/* GET /v1/projects/{project_id}/versions: the kept versions, answered by web.c. */
static void
on_versions(const char *const *values, const size_t *lens, size_t n, const char *error, void *arg)
{
    struct pending *p = arg;
    if (!answerable(p, values, error)) return;
    struct evhttp_request *req = pending_take(p);
    web_reply_versions(req, values, lens, n);
    free(p);
}

/* Constant-time comparison, so a wrong token's timing says nothing about the right one. */
static int
token_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < la; i++) diff |= (unsigned char)(a[i] ^ b[lb ? i % lb : 0]);
    return diff == 0;
}

/* Checks the bearer token. Returns 0 when refused; otherwise 1 with '*tenant' set to the
 * caller's tenant, or NULL for the operator's token (or when no token is configured). */
static int
authorised(struct daemon *d, struct evhttp_request *req, const char **tenant)
{
    const struct config *cfg = d->cfg;
    *tenant = NULL;
    if (cfg->http_token[0] == '\0' && cfg->n_tenants == 0) return 1;
    const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) return 0;
    if (cfg->http_token[0] && token_equal(h + 7, cfg->http_token)) return 1;
    for (int i = 0; i < cfg->n_tenants; i++) {
        if (token_equal(h + 7, cfg->tenant_tokens[i])) {
            *tenant = cfg->tenant_names[i];
            return 1;
        }
    }
    return 0;
}

static int
wants_markdown(struct evhttp_request *req)
{
    const char *accept = evhttp_find_header(evhttp_request_get_input_headers(req), "Accept");
    return accept && strstr(accept, "text/markdown") != NULL;
}

/* Splits 'path' after 'prefix' into one id segment and what follows it. */
static int
segment(const char *path, const char *prefix, char *id, size_t id_size, const char **rest)
{
    size_t pl = strlen(prefix);
    if (strncmp(path, prefix, pl) != 0) return 0;
    const char *s = path + pl, *e = strchr(s, '/');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    if (!id_valid(s, len) || len >= id_size) return -1;
    memcpy(id, s, len);
    id[len] = '\0';
    *rest = e ? e : "";
    return 1;
}

/* Reads project 'id's kept versions for 'p' (web.c answers). Returns 1. */
static int
read_versions(struct pending *p, const char *id)
{
    p->route = ROUTE_VERSIONS;
    evhttp_connection_set_closecb(evhttp_request_get_connection(p->req), on_client_gone, p);
    sent_or_503(p, store_versions_get(p->d->state, id, strlen(id), on_versions, p));
    return 1;
}

/* GET / and /index.html: the page, under its Content-Security-Policy. Returns 0 when the page
 * is not compiled in. */
static int
send_page(struct evhttp_request *req)
{
    size_t len;
    const char *page = embedded_file("daemon/web/index.html", &len);
    if (page == NULL) return 0;
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Security-Policy", web_csp);
    send_body(req, "text/html; charset=utf-8", page, len);
    return 1;
}

int
api_route(struct daemon *d, struct evhttp_request *req, const char *path)
{
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) return send_page(req);
    if (strncmp(path, "/v1/", 4) != 0) return 0;
    const char *tenant;
    if (!authorised(d, req, &tenant)) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate", "Bearer");
        api_reply_json_error(req, 401, "Unauthorized", "missing or wrong bearer token");
        return 1;
    }
    char id[160];
    const char *rest;
    struct pending *p = xcalloc(1, sizeof(*p));
    p->d = d;
    p->req = req;
    p->want_markdown = wants_markdown(req);
    p->tenant = tenant;
    int r;
    if (strcmp(path, "/v1/requests") == 0) {
        p->route = ROUTE_RECENT;
        evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_client_gone, p);
        sent_or_503(p, store_recent(d->state, 50, on_recent_ids, p));
        return 1;
    }
    if ((r = segment(path, "/v1/requests/", id, sizeof(id), &rest)) != 0) {
        if (r < 0 || *rest) goto bad_id;
        p->route = ROUTE_REQUEST;
        const char *ids[] = {id};
        size_t idlens[] = {strlen(id)};
        evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_client_gone, p);
        sent_or_503(p, store_requests_get(d->state, ids, idlens, 1, on_request_record, p));
        return 1;
    }
    if ((r = segment(path, "/v1/projects/", id, sizeof(id), &rest)) != 0) {
        if (r == 1 && strcmp(rest, "/versions") == 0 && visible(p, id, strlen(id)))
            return read_versions(p, id);
        if (r < 0 || strcmp(rest, "/reports/latest") != 0 || !visible(p, id, strlen(id)))
            goto bad_id;
        p->route = ROUTE_PROJECT_LATEST;
        p->fields = report_fields;
        p->n_fields = PW_ARRAY_LEN(report_fields);
        evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_client_gone, p);
        sent_or_503(p, store_latest_get(d->state, id, strlen(id), p->fields, p->n_fields, on_latest,
                                        p));
        return 1;
    }
    if ((r = segment(path, "/v1/reports/", id, sizeof(id), &rest)) != 0) {
        if (r < 0) goto bad_id;
        snprintf(p->id, sizeof(p->id), "%s", id);
        if (*rest == '\0') {
            p->route = ROUTE_REPORT;
            p->fields = report_fields, p->n_fields = PW_ARRAY_LEN(report_fields);
        } else if (!strcmp(rest, "/audio")) {
            p->route = ROUTE_AUDIO;
            p->fields = audio_fields, p->n_fields = PW_ARRAY_LEN(audio_fields);
        } else if (!strcmp(rest, "/diagram") || !strcmp(rest, "/diagram.svg")) {
            p->route = rest[8] ? ROUTE_DIAGRAM_SVG : ROUTE_DIAGRAM;
            p->fields = diagram_fields, p->n_fields = PW_ARRAY_LEN(diagram_fields);
        } else {
            goto bad_id;
        }
        evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_client_gone, p);
        sent_or_503(p, store_report_project(d->state, id, on_report_project, p));
        return 1;
    }
    free(p);
    return 0;
bad_id:
    free(p);
    api_reply_json_error(req, 404, "Not Found",
                         "no such resource (ids are 1-128 of A-Z a-z 0-9 . _ : @ -)");
    return 1;
}
