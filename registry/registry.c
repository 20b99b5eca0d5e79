/* registry/registry.c - the schema registry client: two REST calls, a bounded cache.
 *
 * Owns one libcurl easy handle (reused, so a keep-alive connection and TLS session survive
 * between calls) and the id -> schema cache. Refuses redirects, protocols other than HTTP(S),
 * bodies over REGISTRY_MAX_RESPONSE_BYTES, and answers that are not the JSON the API documents.
 * Messages name the URL with its user information masked, never the password. Blocking; one
 * thread per 'struct registry'. libcurl's global initialisation runs once per process.
 */
#include "registry.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "clock.h"
#include "log.h"
#include "xalloc.h"

#define CONTENT_TYPE "application/vnd.schemaregistry.v1+json"
/* The registry's own error message is quoted up to this many bytes. */
#define MESSAGE_MAX 200

struct cached {
    int32_t id;
    char *schema;
};

struct registry {
    CURL *curl;
    struct curl_slist *headers;
    char *base;  /* without a trailing slash */
    char *shown; /* 'base' with user information masked */
    char *user;
    char *password;
    long timeout_ms;
    struct cached cache[REGISTRY_CACHE_MAX];
    size_t n_cached, next_cached;
    int unanswered;        /* the last request got no HTTP answer (refused, timed out) */
    long long retry_at_ms; /* monotonic; fetches before it fail at once */
    char last_error[256];  /* why the last fetch failed, repeated while waiting */
};

struct body {
    struct buf b;
    int over;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_OK;

static void
curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The URL with any user information before the host replaced by four stars. */
static char *
mask_url(const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *host = scheme ? scheme + 3 : url;
    const char *at = strchr(host, '@'), *slash = strchr(host, '/');
    struct buf b;
    buf_init(&b);
    if (at != NULL && (slash == NULL || at < slash))
        buf_printf(&b, "%.*s****%s", (int)(host - url), url, at);
    else
        buf_puts(&b, url);
    return buf_detach(&b);
}

struct registry *
registry_new(const struct registry_config *cfg, char *err, size_t err_size)
{
    const char *url = cfg->url != NULL ? cfg->url : "";
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        char *shown = mask_url(url);
        snprintf(err, err_size, "schema registry URL '%s' is not http:// or https://", shown);
        free(shown);
        return NULL;
    }
    if (strpbrk(url, "?# \t\r\n") != NULL) {
        snprintf(err, err_size, "schema registry URL has a query, fragment or space");
        return NULL;
    }
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK) {
        snprintf(err, err_size, "libcurl: %s", curl_easy_strerror(curl_init_rc));
        return NULL;
    }
    struct registry *r = xcalloc(1, sizeof(*r));
    r->curl = curl_easy_init();
    if (r->curl == NULL) {
        snprintf(err, err_size, "libcurl: cannot create a handle");
        free(r);
        return NULL;
    }
    size_t len = strlen(url);
    while (len > 0 && url[len - 1] == '/') len--;
    r->base = xstrndup(url, len);
    r->shown = mask_url(r->base);
    r->user = cfg->user != NULL && cfg->user[0] ? xstrdup(cfg->user) : NULL;
    r->password = xstrdup(cfg->password != NULL ? cfg->password : "");
    r->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 5000;
    r->headers = curl_slist_append(NULL, "Content-Type: " CONTENT_TYPE);
    r->headers = curl_slist_append(r->headers, "Accept: " CONTENT_TYPE ", application/json");
    return r;
}

void
registry_free(struct registry *r)
{
    if (r == NULL) return;
    for (size_t i = 0; i < r->n_cached; i++) free(r->cache[i].schema);
    curl_slist_free_all(r->headers);
    curl_easy_cleanup(r->curl);
    free(r->base);
    free(r->shown);
    free(r->user);
    if (r->password != NULL) {
        /* The secret does not outlive the client in freed heap memory. */
        memset(r->password, 0, strlen(r->password));
        free(r->password);
    }
    free(r);
}

const char *
registry_url(const struct registry *r)
{
    return r->shown;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct body *body = arg;
    size_t n = size * nmemb;
    if (body->b.len + n > REGISTRY_MAX_RESPONSE_BYTES) {
        body->over = 1;
        return 0; /* libcurl stops with CURLE_WRITE_ERROR */
    }
    buf_append(&body->b, data, n);
    return n;
}

/* The registry's "message" from an error body, printable and cut; "" when there is none. */
static void
error_message(const struct buf *body, char *out, size_t out_size)
{
    out[0] = '\0';
    json_t *j = body->len ? json_loadb(body->data, body->len, 0, NULL) : NULL;
    const char *msg = json_string_value(json_object_get(j, "message"));
    if (msg != NULL) {
        size_t n = 0;
        for (const char *p = msg; *p && n + 1 < out_size && n < MESSAGE_MAX; p++)
            out[n++] = (unsigned char)*p < 0x20 ? ' ' : *p;
        out[n] = '\0';
    }
    json_decref(j);
}

/* Performs one request; on HTTP 2xx returns 0 with the parsed JSON body in '*json'. Other
 * outcomes return the HTTP status (>= 300) or -1, with 'err' set. */
static long
request(struct registry *r, const char *method, const char *path, const char *payload,
        json_t **json, char *err, size_t err_size)
{
    struct body body = {.over = 0};
    char curl_err[CURL_ERROR_SIZE] = "";
    char *url = NULL;
    long status = -1;
    buf_init(&body.b);
    *json = NULL;
    if (asprintf(&url, "%s/%s", r->base, path) < 0) url = NULL;
    if (url == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    CURL *c = r->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, r->timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->timeout_ms);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, r->headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    if (r->user != NULL) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, r->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, r->password);
    }
    if (payload != NULL) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
    }
    CURLcode rc = curl_easy_perform(c);
    long http = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
    /* The handle must not keep pointers to this frame (body, error buffer) or the password
     * past the call; its connections stay cached. */
    curl_easy_reset(c);
    /* The handle keeps the URL; the masked form is what messages show. */
    char *shown = mask_url(url);
    r->unanswered = rc != CURLE_OK && !body.over;
    if (body.over) {
        snprintf(err, err_size, "schema registry %s %s: response over %d bytes", method, shown,
                 REGISTRY_MAX_RESPONSE_BYTES);
    } else if (rc != CURLE_OK) {
        snprintf(err, err_size, "schema registry %s %s: %s", method, shown,
                 curl_err[0] ? curl_err : curl_easy_strerror(rc));
    } else if (http < 200 || http >= 300) {
        char msg[MESSAGE_MAX + 1];
        error_message(&body.b, msg, sizeof(msg));
        snprintf(err, err_size, "schema registry %s %s: HTTP %ld%s%s", method, shown, http,
                 msg[0] ? ": " : "", msg);
        status = http;
    } else {
        json_error_t jerr;
        *json = json_loadb(body.b.data ? body.b.data : "", body.b.len, 0, &jerr);
        if (*json == NULL)
            snprintf(err, err_size,
                     "schema registry %s %s: HTTP %ld with a body that is not "
                     "JSON (%s)",
                     method, shown, http, jerr.text);
        else
            status = 0;
    }
    free(shown);
    free(url);
    buf_fini(&body.b);
    return status;
}

static char *
escape(struct registry *r, const char *s)
{
    char *e = curl_easy_escape(r->curl, s, 0);
    char *copy = xstrdup(e != NULL ? e : "");
    curl_free(e);
    return copy;
}

int
registry_schema_register(struct registry *r, const char *subject, const char *schema, int32_t *id,
                         char *err, size_t err_size)
{
    json_t *req = json_pack("{s:s}", "schema", schema);
    char *payload = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (payload == NULL) {
        snprintf(err, err_size, "subject %s: the schema text is not valid UTF-8", subject);
        return -1;
    }
    char *esc = escape(r, subject), *path = NULL;
    if (asprintf(&path, "subjects/%s/versions", esc) < 0) path = NULL;
    free(esc);
    json_t *resp = NULL;
    long st = path != NULL ? request(r, "POST", path, payload, &resp, err, err_size) : -1;
    free(path);
    free(payload);
    if (st != 0) return -1;
    json_t *jid = json_object_get(resp, "id");
    int rc = 0;
    if (!json_is_integer(jid) || json_integer_value(jid) < 0 ||
        json_integer_value(jid) > INT32_MAX) {
        snprintf(err, err_size, "schema registry %s: subject %s: the answer has no id", r->shown,
                 subject);
        rc = -1;
    } else {
        *id = (int32_t)json_integer_value(jid);
    }
    json_decref(resp);
    return rc;
}

static void
cache_put(struct registry *r, int32_t id, const char *schema)
{
    struct cached *slot;
    if (r->n_cached < REGISTRY_CACHE_MAX) {
        slot = &r->cache[r->n_cached++];
    } else {
        slot = &r->cache[r->next_cached];
        r->next_cached = (r->next_cached + 1) % REGISTRY_CACHE_MAX;
        free(slot->schema);
    }
    slot->id = id;
    slot->schema = xstrdup(schema);
}

int
registry_schema_fetch(struct registry *r, int32_t id, struct buf *schema, char *err,
                      size_t err_size)
{
    for (size_t i = 0; i < r->n_cached; i++)
        if (r->cache[i].id == id) {
            buf_puts(schema, r->cache[i].schema);
            return 0;
        }
    long long now = clock_monotonic_ms();
    if (now < r->retry_at_ms) {
        snprintf(err, err_size, "%s (asking again in %lld ms)", r->last_error,
                 r->retry_at_ms - now);
        return -1;
    }
    char path[48];
    snprintf(path, sizeof(path), "schemas/ids/%ld", (long)id);
    json_t *resp = NULL;
    long st = request(r, "GET", path, NULL, &resp, err, err_size);
    if (st == 404) return 1;
    if (r->unanswered || st >= 500) {
        /* Unreachable, slow or failing: wait before the next attempt. */
        r->retry_at_ms = clock_monotonic_ms() + REGISTRY_RETRY_AFTER_MS;
        snprintf(r->last_error, sizeof(r->last_error), "%s", err);
    }
    if (st != 0) return -1;
    int rc = 0;
    const char *text = json_string_value(json_object_get(resp, "schema"));
    const char *type = json_string_value(json_object_get(resp, "schemaType"));
    if (text == NULL) {
        snprintf(err, err_size, "schema registry %s: schema id %ld: the answer has no schema",
                 r->shown, (long)id);
        rc = -1;
    } else if (type != NULL && strcmp(type, "AVRO") != 0) {
        snprintf(err, err_size, "schema registry %s: schema id %ld is %.16s, not Avro", r->shown,
                 (long)id, type);
        rc = -1;
    } else {
        cache_put(r, id, text);
        buf_puts(schema, text);
    }
    json_decref(resp);
    return rc;
}

static int
source_fetch(void *ctx, int32_t id, struct buf *schema, char *err, size_t err_size)
{
    return registry_schema_fetch(ctx, id, schema, err, err_size);
}

static void
source_release(void *ctx)
{
    registry_free(ctx);
}

void
registry_wire_source(struct registry *r, struct wire_schema_source *src)
{
    src->fetch = source_fetch;
    src->release = source_release;
    src->ctx = r;
}

int
registry_wire_setup(struct wire *w, const struct registry_config *cfg,
                    const char *topic_requirements, const char *topic_reports,
                    const char *topic_audio, char *err, size_t err_size)
{
    const char *const names[3] = {"requirement", "report", "audio"};
    const char *const topics[3] = {topic_requirements, topic_reports, topic_audio};
    int32_t ids[3];
    struct registry *r = registry_new(cfg, err, err_size);
    if (r == NULL) return -1;
    for (int i = 0; i < 3; i++) {
        char subject[300], why[512];
        const char *text = wire_schema_text(names[i]);
        snprintf(subject, sizeof(subject), "%s-value", topics[i]);
        if (text == NULL ||
            registry_schema_register(r, subject, text, &ids[i], why, sizeof(why)) != 0) {
            snprintf(err, err_size, "registering %s.avsc as subject %s: %s", names[i], subject,
                     text == NULL ? "not compiled in" : why);
            registry_free(r);
            return -1;
        }
    }
    log_info("registry", "SCHEMAS_REGISTERED",
             "url=\"%s\" requirement_id=%ld report_id=%ld audio_id=%ld", r->shown, (long)ids[0],
             (long)ids[1], (long)ids[2]);
    wire_ids_set(w, ids[0], ids[1], ids[2]);
    struct wire_schema_source src;
    registry_wire_source(r, &src);
    wire_source_set(w, &src);
    return 0;
}
