/* registry/registry.h - a client of a Confluent-compatible schema registry.
 *
 * Speaks the registry's REST API (Confluent Schema Registry, Confluent Cloud, Apicurio's ccompat
 * API) over HTTP or HTTPS with libcurl: registers a schema under a subject, fetches the schema
 * of an id. Optional basic authentication (user and password, e.g. a Confluent Cloud API key and
 * secret); the password is never printed, and a URL's user information is masked in every
 * message. Every request has a connect and a total timeout, and a response body over
 * REGISTRY_MAX_RESPONSE_BYTES is refused. Fetched schemas are cached by id, bounded in count;
 * registry ids are immutable, so an entry never expires. Calls block the calling thread for at
 * most the timeout. A 'struct registry' is used by one thread at a time.
 */
#ifndef PW_REGISTRY_REGISTRY_H
#define PW_REGISTRY_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "wire.h"

/* A response body larger than this is refused (a schema is at most AVSC_MAX_TEXT_BYTES). */
#define REGISTRY_MAX_RESPONSE_BYTES (1024 * 1024)
/* Schemas kept by id; the oldest is dropped when full. */
#define REGISTRY_CACHE_MAX 256
/* After a fetch the registry did not answer (or answered 5xx), fetches fail at once for this
 * long instead of each waiting for the timeout again: a burst of messages with new schema ids
 * during an outage then stalls the caller once per period, not once per message. */
#define REGISTRY_RETRY_AFTER_MS 5000

struct registry_config {
    const char *url;      /* base URL: http(s)://host[:port][/path], e.g. .../apis/ccompat/v7 */
    const char *user;     /* basic-auth user; NULL or "" for none */
    const char *password; /* basic-auth password (secret) */
    long timeout_ms;      /* whole request; connecting gets the same bound */
};

struct registry;

/* Checks the URL (http or https, no query) and prepares the client; contacts nothing yet.
 * Returns NULL with 'err' set. The strings are copied. */
struct registry *registry_new(const struct registry_config *cfg, char *err, size_t err_size);
void registry_free(struct registry *r);

/* The base URL with any user information masked, for messages. */
const char *registry_url(const struct registry *r);

/* Registers Avro schema text 'schema' under 'subject' (POST /subjects/{subject}/versions) and
 * returns its id in '*id'; registering a schema the subject already holds returns the existing
 * id. Returns 0, or -1 with 'err' naming the URL, the HTTP status and the registry's message
 * (409 is a schema the subject's compatibility rule refuses). */
int registry_schema_register(struct registry *r, const char *subject, const char *schema,
                             int32_t *id, char *err, size_t err_size);

/* Appends the schema text of 'id' to 'schema' (GET /schemas/ids/{id}), from the cache when it
 * was fetched before. Returns 0, 1 when the registry has no such id (HTTP 404), or -1 with 'err'
 * set for any other failure (unreachable, timeout, another status, a malformed answer, or
 * within REGISTRY_RETRY_AFTER_MS of an unanswered fetch). */
int registry_schema_fetch(struct registry *r, int32_t id, struct buf *schema, char *err,
                          size_t err_size);

/* Fills 'src' so that a wire fetches writer schemas through 'r'; the wire then owns 'r' and
 * frees it with itself. */
void registry_wire_source(struct registry *r, struct wire_schema_source *src);

/* What pipewrightd does at start with a registry configured: registers requirement.avsc,
 * report.avsc and audio.avsc under the TopicNameStrategy subjects "<topic>-value" of the three
 * topics, gives the ids to 'w' (so reports and audio are written Confluent-framed) and attaches
 * the registry as its schema source. Returns 0, or -1 with 'err' saying which schema and why. */
int registry_wire_setup(struct wire *w, const struct registry_config *cfg,
                        const char *topic_requirements, const char *topic_reports,
                        const char *topic_audio, char *err, size_t err_size);

#endif
