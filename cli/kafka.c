/* cli/kafka.c - librdkafka set-up shared by the Kafka-facing subcommands.
 *
 * Builds client configurations (defaults first, -X last, so the operator always wins), routes
 * librdkafka's logs to stderr at warning and above, and keeps the latest client error where the
 * command can quote it when it gives up. It refuses malformed -X arguments and illegal topic
 * names up front, so a typo fails before any connection is made. No globals; the callbacks run on
 * librdkafka's threads and touch only stderr and the 'struct cli_kafka' opaque.
 */
#include "kafka.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

void
cli_kafka_init(struct cli_kafka *k)
{
    const char *env = getenv("PIPEWRIGHT_BROKERS");

    memset(k, 0, sizeof(*k));
    if (env != NULL && env[0] != '\0') k->brokers = env;
}

int
cli_kafka_prop_add(struct cli_kafka *k, const char *kv, char *errstr, size_t errstr_size)
{
    const char *eq = strchr(kv, '=');

    if (eq == NULL || eq == kv) {
        snprintf(errstr, errstr_size, "-X wants key=value, got '%s'", kv);
        return -1;
    }
    if (k->n_props == CLI_KAFKA_MAX_PROPS) {
        snprintf(errstr, errstr_size, "more than %d -X options", CLI_KAFKA_MAX_PROPS);
        return -1;
    }
    k->props[k->n_props++] = kv;
    return 0;
}

/* librdkafka levels are syslog's: 0 emerg ... 4 warning ... 7 debug. Below warning the lines are
 * connection chatter that would drown the one line the user needs, unless the user asked for
 * them with -X debug=... Called on librdkafka's threads, so it only reads the opaque's flag (set
 * before the handle exists) and writes one line to stderr. */
static void
log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    const struct cli_kafka *k = rk != NULL ? rd_kafka_opaque(rk) : NULL;

    if (level <= 4 || (k != NULL && k->debug))
        fprintf(stderr, "pipewright: kafka %s: %s\n", fac, buf);
}

/* Served from rd_kafka_poll()/flush()/consumer_poll() on the command's thread. Fatal errors are
 * the ones a command cannot recover from (e.g. an idempotent producer fenced), so they are
 * printed at once; the rest are kept for the final message. */
static void
error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    struct cli_kafka *k = opaque;

    (void)rk;
    snprintf(k->last_error, sizeof(k->last_error), "%s: %s",
             rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
    if (err == RD_KAFKA_RESP_ERR__FATAL) fprintf(stderr, "pipewright: kafka fatal: %s\n", reason);
}

static int
conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, char *errstr,
         size_t errstr_size)
{
    char why[256];

    if (rd_kafka_conf_set(conf, name, value, why, sizeof(why)) == RD_KAFKA_CONF_OK) return 0;
    snprintf(errstr, errstr_size, "kafka property %s: %s", name, why);
    return -1;
}

rd_kafka_conf_t *
cli_kafka_conf_new(struct cli_kafka *k, const char *client_id,
                   const struct cli_kafka_default *defaults, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();

    k->last_error[0] = '\0';
    k->debug = 0;
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_conf_set_opaque(conf, k);
    if (k->brokers != NULL &&
        conf_set(conf, "bootstrap.servers", k->brokers, errstr, errstr_size) != 0)
        goto fail;
    if (conf_set(conf, "client.id", client_id, errstr, errstr_size) != 0) goto fail;
    for (size_t i = 0; defaults != NULL && defaults[i].name != NULL; i++)
        if (conf_set(conf, defaults[i].name, defaults[i].value, errstr, errstr_size) != 0)
            goto fail;
    for (size_t i = 0; i < k->n_props; i++) {
        const char *kv = k->props[i];
        const char *eq = strchr(kv, '=');
        char name[256];
        size_t name_len = (size_t)(eq - kv);

        if (name_len >= sizeof(name)) {
            snprintf(errstr, errstr_size, "-X property name too long: %.40s...", kv);
            goto fail;
        }
        memcpy(name, kv, name_len);
        name[name_len] = '\0';
        if (strcmp(name, "debug") == 0) k->debug = eq[1] != '\0';
        if (conf_set(conf, name, eq + 1, errstr, errstr_size) != 0) goto fail;
    }
    return conf;

fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

int
cli_kafka_topic_valid(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > CLI_KAFKA_TOPIC_MAX) return 0;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int
cli_kafka_topic_name(const char *prefix, const char *suffix, char *out, size_t out_size)
{
    size_t plen = strlen(prefix), slen = strlen(suffix);

    if (plen + 1 + slen >= out_size) return -1;
    memcpy(out, prefix, plen);
    out[plen] = '.';
    memcpy(out + plen + 1, suffix, slen + 1);
    return cli_kafka_topic_valid(out) ? 0 : -1;
}

int
cli_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0') return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) return -1;
    *out = v;
    return 0;
}

void
cli_uuid4_format(const unsigned char bytes[16], char out[CLI_UUID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    size_t o = 0;

    memcpy(b, bytes, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 (RFC 9562 section 5.4) */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10xx */
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0f];
    }
    out[o] = '\0';
}

int
cli_uuid4_new(char out[CLI_UUID_LEN + 1])
{
    unsigned char b[16];
    size_t got = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    if (fd == -1) return -1;
    while (got < sizeof(b)) {
        ssize_t n = read(fd, b + got, sizeof(b) - got);
        if (n == -1 && errno == EINTR) continue;
        if (n <= 0) {
            int saved = n == 0 ? EIO : errno;
            close(fd);
            errno = saved;
            return -1;
        }
        got += (size_t)n;
    }
    close(fd);
    cli_uuid4_format(b, out);
    return 0;
}

long long
cli_now_ms(void)
{
    return (long long)clock_wall_ms();
}
