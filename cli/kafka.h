/* cli/kafka.h - librdkafka set-up shared by the Kafka-facing subcommands.
 *
 * Owns what publish, watch and topics have in common: the -X passthrough of librdkafka
 * properties (so SASL and TLS are plain configuration), the routing of librdkafka's own logs to
 * stderr at warning and above, topic naming under a prefix, option-value parsing and UUID v4
 * event ids. It holds no client handle and no global state; every function runs on the caller's
 * thread, and the log and error callbacks it installs only write to stderr or to the
 * 'struct cli_kafka' passed as the handle's opaque.
 */
#ifndef PW_CLI_KAFKA_H
#define PW_CLI_KAFKA_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

#define CLI_KAFKA_MAX_PROPS 64 /* -X options per command line */
#define CLI_KAFKA_DEFAULT_PREFIX "pipewright"
#define CLI_KAFKA_TOPIC_MAX 249 /* Kafka's limit on a topic name */
#define CLI_UUID_LEN 36         /* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" */

/* The connection settings of one command. Strings are borrowed (usually from argv). */
struct cli_kafka {
    const char *brokers;                    /* bootstrap.servers, NULL until set */
    const char *props[CLI_KAFKA_MAX_PROPS]; /* "key=value" from -X, in command-line order */
    size_t n_props;
    char last_error[512]; /* the latest error reported by librdkafka, or "" */
    int debug;            /* -X debug=... given: show every librdkafka log */
};

/* A librdkafka property the command sets before the -X ones, so that -X can override it. */
struct cli_kafka_default {
    const char *name;
    const char *value;
};

/* Empties 'k'; 'brokers' starts as $PIPEWRIGHT_BROKERS when that is set and not empty. */
void cli_kafka_init(struct cli_kafka *k);

/* Records one -X argument 'kv' (borrowed; must outlive 'k'). Returns 0, or -1 with the reason in
 * 'errstr' when it is not "key=value" with a non-empty key, or when there are too many. */
int cli_kafka_prop_add(struct cli_kafka *k, const char *kv, char *errstr, size_t errstr_size);

/* Returns a new configuration for a client of 'k': bootstrap.servers, client.id 'client_id',
 * librdkafka logs at warning and above to stderr (all of them when -X sets 'debug'), errors
 * recorded in 'k->last_error' (the handle's opaque is 'k', which must outlive the handle), then
 * the 'defaults' (an array ending with a {NULL, NULL} row; may be NULL), then the -X properties
 * in order. Returns NULL with the reason in 'errstr' when librdkafka refuses a property. The
 * caller owns the result until rd_kafka_new() succeeds. */
rd_kafka_conf_t *cli_kafka_conf_new(struct cli_kafka *k, const char *client_id,
                                    const struct cli_kafka_default *defaults, char *errstr,
                                    size_t errstr_size);

/* Returns 1 when 'name' is a legal Kafka topic name: 1 to 249 characters from [A-Za-z0-9._-],
 * and not "." or "..". */
int cli_kafka_topic_valid(const char *name);

/* Writes "<prefix>.<suffix>" into 'out'. Returns 0, or -1 when the result would not fit in
 * 'out_size' or is not a legal topic name. */
int cli_kafka_topic_name(const char *prefix, const char *suffix, char *out, size_t out_size);

/* Parses the whole of 's' as a decimal integer within ['min', 'max'] into '*out'. Returns 0, or
 * -1 (and leaves '*out' alone) on anything else, including an empty string or trailing text. */
int cli_parse_long(const char *s, long min, long max, long *out);

/* Formats 16 random 'bytes' as a version-4, variant-1 UUID: 36 lower-case characters and a NUL
 * in 'out'. Pure. */
void cli_uuid4_format(const unsigned char bytes[16], char out[CLI_UUID_LEN + 1]);

/* Writes a fresh UUID v4 from /dev/urandom into 'out'. Returns 0, or -1 with errno set. */
int cli_uuid4_new(char out[CLI_UUID_LEN + 1]);

/* Returns the current time in milliseconds since the epoch (CLOCK_REALTIME). */
long long cli_now_ms(void);

#endif
