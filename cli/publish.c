/* cli/publish.c - `pipewright publish`: put one requirement event on the requirements topic.
 *
 * Builds the event from a JSON requirement file or from a free-text description, fills in what
 * the sender may leave out (event id as a UUID v4, project id, submission time), validates it
 * with the same parser the daemon uses on JSON input, encodes it in the chosen wire format and
 * produces it with an idempotent producer, key = project id. It waits for the broker's delivery
 * report within --timeout and prints the event id only once the broker has the message, so a
 * script can hand that id straight to `pipewright watch`. Single-threaded; librdkafka's threads
 * only touch what kafka.c's callbacks touch.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "buf.h"
#include "kafka.h"
#include "bounds.h"
#include "registry_opts.h"
#include "requirement.h"
#include "wire.h"
#include "xalloc.h"

#define DEFAULT_TIMEOUT_S 30
#define DEFAULT_PROJECT "default"
#define DEFAULT_SCHEMA_ID 1

struct publish_opts {
    struct cli_kafka kafka;
    const char *file;     /* --file, "-" for stdin */
    const char *text;     /* --text */
    const char *title;    /* --title, with --text */
    const char *project;  /* --project */
    const char *event_id; /* --event-id */
    const char *topic;    /* --topic, overrides the prefix */
    const char *prefix;   /* --topic-prefix */
    enum wire_format format;
    int format_given; /* --format was on the command line */
    long schema_id;   /* --schema-id, Confluent framing only */
    int schema_id_given;
    struct cli_registry registry; /* --registry: the id comes from registering the schema */
    long timeout_s;
};

/* What the delivery report said; written by dr_cb from rd_kafka_flush() on this thread. */
struct delivery {
    int done;
    rd_kafka_resp_err_t err;
    int32_t partition;
    int64_t offset;
};

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: pipewright publish --brokers HOST:PORT (--file FILE | --text TEXT)\n"
            "                          [options]\n"
            "\n"
            "Publish one requirement event to <prefix>.requirements (key = project id)\n"
            "and print its event id on stdout once the broker has acknowledged it.\n"
            "\n"
            "  -b, --brokers LIST    Kafka bootstrap servers (default: $PIPEWRIGHT_BROKERS)\n"
            "  -f, --file FILE       a JSON requirement object ('-' reads stdin), fields as\n"
            "                        in `pipewright schema requirement`; at most %d\n"
            "                        bytes\n"
            "  -t, --text TEXT       a free-text requirement: the event carries only a\n"
            "                        description\n"
            "      --title TITLE     a one-line title, with --text\n"
            "  -p, --project ID      project id; overrides the file's (default: the file's,\n"
            "                        else \"%s\")\n"
            "  -e, --event-id ID     event id; overrides the file's (default: the file's,\n"
            "                        else a new UUID v4). Publishing an id again is a\n"
            "                        redelivery: the service writes no second report.\n"
            "      --format FMT      avro (Avro single-object encoding, the default),\n"
            "                        confluent (magic 0, 4-byte schema id, Avro datum)\n"
            "                        or json\n"
            "      --schema-id N     schema id written in the Confluent frame (default %d)\n"
            "                        when no --registry is given\n" CLI_REGISTRY_HELP
            "                        With --registry, the requirement schema is registered\n"
            "                        under the subject <topic>-value (or found there) and\n"
            "                        its id framed: --format confluent is implied.\n"
            "      --topic TOPIC     produce to TOPIC instead of <prefix>.requirements\n"
            "      --topic-prefix P  topic name prefix (default \"%s\")\n"
            "      --timeout S       seconds to wait for the broker's acknowledgement,\n"
            "                        1..3600 (default %d)\n"
            "  -X, --property K=V    any librdkafka property, e.g.\n"
            "                        -X security.protocol=SASL_SSL; repeatable, applied\n"
            "                        last. Set here before them: enable.idempotence=true,\n"
            "                        linger.ms=0, message.timeout.ms=<timeout>\n"
            "  -h, --help            this text\n"
            "\n"
            "submitted_at is set to the current time when the requirement has none.\n"
            "\n"
            "Exit status: 0 published, 64 usage error, 65 invalid requirement,\n"
            "66 unreadable file, 69 the broker did not acknowledge the event (unreachable,\n"
            "unknown topic, refused) or the registry refused or did not answer, 70 internal\n"
            "error.\n",
            PW_MAX_MESSAGE_BYTES, DEFAULT_PROJECT, DEFAULT_SCHEMA_ID, CLI_KAFKA_DEFAULT_PREFIX,
            DEFAULT_TIMEOUT_S);
}

/* Reads all of 'path' ("-" for stdin) into 'out', refusing more than PW_MAX_MESSAGE_BYTES so a
 * wrong path (a disk image, /dev/zero) cannot exhaust memory. Returns 0 or -1 with a message. */
static int
read_file_bounded(const char *path, struct buf *out)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char chunk[16384];
    size_t n;

    if (fp == NULL) {
        fprintf(stderr, "pipewright: publish: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        if (out->len + n > PW_MAX_MESSAGE_BYTES) {
            fprintf(stderr, "pipewright: publish: %s is larger than %d bytes\n", path,
                    PW_MAX_MESSAGE_BYTES);
            if (fp != stdin) fclose(fp);
            return -1;
        }
        buf_append(out, chunk, n);
    }
    if (ferror(fp)) {
        fprintf(stderr, "pipewright: publish: cannot read %s: %s\n", path, strerror(errno));
        if (fp != stdin) fclose(fp);
        return -1;
    }
    if (fp != stdin) fclose(fp);
    return 0;
}

/* Returns the JSON object to publish (a new reference), built from --file or --text, or NULL
 * after printing why; '*rc' receives the exit status for that failure. */
static json_t *
load_object(const struct publish_opts *o, int *rc)
{
    json_error_t jerr;
    json_t *obj;
    struct buf text;

    if (o->text != NULL) {
        obj = json_object();
        if (o->title != NULL) json_object_set_new(obj, "title", json_string(o->title));
        json_object_set_new(obj, "description", json_string(o->text));
        return obj;
    }
    buf_init(&text);
    if (read_file_bounded(o->file, &text) != 0) {
        buf_fini(&text);
        *rc = CLI_EX_NOINPUT;
        return NULL;
    }
    obj = json_loadb(text.data != NULL ? text.data : "", text.len, JSON_REJECT_DUPLICATES, &jerr);
    buf_fini(&text);
    if (obj == NULL) {
        fprintf(stderr, "pipewright: publish: %s: line %d: %s\n", o->file, jerr.line, jerr.text);
        *rc = CLI_EX_DATAERR;
        return NULL;
    }
    if (!json_is_object(obj)) {
        fprintf(stderr, "pipewright: publish: %s: a requirement is a JSON object\n", o->file);
        json_decref(obj);
        *rc = CLI_EX_DATAERR;
        return NULL;
    }
    return obj;
}

/* Fills the fields a sender may leave out. The command line wins over the file. */
static int
complete_object(const struct publish_opts *o, json_t *obj)
{
    json_t *v;

    if (o->event_id != NULL) {
        json_object_set_new(obj, "event_id", json_string(o->event_id));
    } else if (!json_is_string(json_object_get(obj, "event_id"))) {
        char id[CLI_UUID_LEN + 1];
        if (cli_uuid4_new(id) != 0) {
            fprintf(stderr, "pipewright: publish: /dev/urandom: %s\n", strerror(errno));
            return -1;
        }
        json_object_set_new(obj, "event_id", json_string(id));
    }
    if (o->project != NULL) json_object_set_new(obj, "project_id", json_string(o->project));
    else if (json_object_get(obj, "project_id") == NULL ||
             json_is_null(json_object_get(obj, "project_id")))
        json_object_set_new(obj, "project_id", json_string(DEFAULT_PROJECT));
    v = json_object_get(obj, "submitted_at");
    if (v == NULL || json_is_null(v))
        json_object_set_new(obj, "submitted_at", json_integer((json_int_t)cli_now_ms()));
    return 0;
}

static void
dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    struct delivery *d = rkm->_private;

    (void)rk;
    (void)opaque;
    d->done = 1;
    d->err = rkm->err;
    d->partition = rkm->partition;
    d->offset = rkm->offset;
}

/* Produces 'value' with 'key' to 'topic' and waits for its delivery report. Returns an exit
 * status; on failure the message names the topic, the brokers and the last client error. */
static int
produce(struct publish_opts *o, const char *topic, const char *key, const char *event_id,
        const struct buf *value)
{
    char timeout_ms[32], errstr[512];
    struct cli_kafka_default defaults[] = {
        {"enable.idempotence", "true"},
        {"linger.ms", "0"},
        {"message.timeout.ms", timeout_ms},
        {NULL, NULL},
    };
    struct delivery d = {0, RD_KAFKA_RESP_ERR_NO_ERROR, -1, -1};
    rd_kafka_conf_t *conf;
    rd_kafka_t *rk;
    rd_kafka_resp_err_t err;
    int rc = CLI_EX_OK;

    snprintf(timeout_ms, sizeof(timeout_ms), "%ld", o->timeout_s * 1000);
    conf = cli_kafka_conf_new(&o->kafka, "pipewright-publish", defaults, errstr, sizeof(errstr));
    if (conf == NULL) {
        fprintf(stderr, "pipewright: publish: %s\n", errstr);
        return CLI_EX_USAGE;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        fprintf(stderr, "pipewright: publish: %s\n", errstr);
        return CLI_EX_USAGE;
    }
    conf = NULL; /* now owned, and freed, by 'rk' */

    err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                            RD_KAFKA_V_VALUE(value->data, value->len),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_HEADER("pw.event_id", event_id, (ssize_t)strlen(event_id)),
                            RD_KAFKA_V_OPAQUE(&d), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "pipewright: publish: cannot queue the event for %s: %s\n", topic,
                rd_kafka_err2str(err));
        rc = err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ? CLI_EX_DATAERR : CLI_EX_SOFTWARE;
        goto out;
    }
    /* message.timeout.ms bounds the delivery itself; the margin lets the report come back. */
    rd_kafka_flush(rk, (int)(o->timeout_s * 1000 + 5000));
    if (!d.done) {
        fprintf(stderr, "pipewright: publish: no delivery report from %s within %lds\n",
                o->kafka.brokers, o->timeout_s);
        rc = CLI_EX_UNAVAILABLE;
    } else if (d.err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT || d.err == RD_KAFKA_RESP_ERR__TRANSPORT ||
               d.err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        fprintf(stderr, "pipewright: publish: event %s not acknowledged by %s within %lds%s%s\n",
                event_id, o->kafka.brokers, o->timeout_s,
                o->kafka.last_error[0] != '\0' ? "; last error: " : " (is the topic there?)",
                o->kafka.last_error);
        rc = CLI_EX_UNAVAILABLE;
    } else if (d.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "pipewright: publish: %s refused event %s: %s%s\n", topic, event_id,
                rd_kafka_err2str(d.err),
                d.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                        d.err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC
                    ? " (create it with `pipewright topics create`)"
                    : "");
        rc = CLI_EX_UNAVAILABLE;
    }
out:
    rd_kafka_destroy(rk);
    return rc;
}

/* Registers (or finds) the requirement schema under "<topic>-value"; 0 with its id. */
static int
registered_id(const struct publish_opts *o, const char *topic, long *id)
{
    char subject[CLI_KAFKA_TOPIC_MAX + 8], err[512];
    int32_t got;
    struct registry *reg = cli_registry_open(&o->registry, "publish");
    if (reg == NULL) return -1;
    snprintf(subject, sizeof(subject), "%s-value", topic);
    int rc = registry_schema_register(reg, subject, wire_schema_text("requirement"), &got, err,
                                      sizeof(err));
    if (rc != 0) fprintf(stderr, "pipewright: publish: %s\n", err);
    else
        *id = got;
    registry_free(reg);
    return rc;
}

/* What the options say together, once parsed. Returns CLI_EX_OK or CLI_EX_USAGE. */
static int
check_args(int argc, char **argv, struct publish_opts *o)
{
    if (optind < argc) {
        fprintf(stderr, "pipewright: publish: unexpected argument '%s'\n", argv[optind]);
        return CLI_EX_USAGE;
    }
    if (o->kafka.brokers == NULL) {
        fprintf(stderr, "pipewright: publish: --brokers is required\n");
        return CLI_EX_USAGE;
    }
    if ((o->file == NULL) == (o->text == NULL)) {
        fprintf(stderr, "pipewright: publish: give exactly one of --file and --text\n");
        return CLI_EX_USAGE;
    }
    if (o->title != NULL && o->text == NULL) {
        fprintf(stderr, "pipewright: publish: --title goes with --text (a file has its own)\n");
        return CLI_EX_USAGE;
    }
    if (o->registry.url != NULL) {
        if (o->format_given && o->format != WIRE_FORMAT_CONFLUENT) {
            fprintf(stderr, "pipewright: publish: --registry writes --format confluent\n");
            return CLI_EX_USAGE;
        }
        if (o->schema_id_given) {
            fprintf(stderr, "pipewright: publish: --schema-id and --registry exclude each "
                            "other (the registry gives the id)\n");
            return CLI_EX_USAGE;
        }
        o->format = WIRE_FORMAT_CONFLUENT;
    }
    if (o->topic != NULL && !cli_kafka_topic_valid(o->topic)) {
        fprintf(stderr, "pipewright: publish: '%s' is not a legal topic name\n", o->topic);
        return CLI_EX_USAGE;
    }
    return CLI_EX_OK;
}

/* The options of `pipewright publish`. */
enum { OPT_TITLE = 256, OPT_FORMAT, OPT_SCHEMA_ID, OPT_TOPIC, OPT_PREFIX, OPT_TIMEOUT };
static const struct option opts[] = {
    {"brokers", required_argument, NULL, 'b'},
    {"file", required_argument, NULL, 'f'},
    {"text", required_argument, NULL, 't'},
    {"title", required_argument, NULL, OPT_TITLE},
    {"project", required_argument, NULL, 'p'},
    {"event-id", required_argument, NULL, 'e'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"schema-id", required_argument, NULL, OPT_SCHEMA_ID},
    {"topic", required_argument, NULL, OPT_TOPIC},
    {"topic-prefix", required_argument, NULL, OPT_PREFIX},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"property", required_argument, NULL, 'X'},
    CLI_REGISTRY_LONG_OPTIONS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int
parse_args(int argc, char **argv, struct publish_opts *o)
{
    char errstr[256];
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "b:f:t:p:e:X:h", opts, NULL)) != -1) {
        if (cli_registry_option(&o->registry, c, optarg)) continue;
        switch (c) {
        case 'b':
            o->kafka.brokers = optarg;
            break;
        case 'f':
            o->file = optarg;
            break;
        case 't':
            o->text = optarg;
            break;
        case OPT_TITLE:
            o->title = optarg;
            break;
        case 'p':
            o->project = optarg;
            break;
        case 'e':
            o->event_id = optarg;
            break;
        case OPT_TOPIC:
            o->topic = optarg;
            break;
        case OPT_PREFIX:
            o->prefix = optarg;
            break;
        case OPT_FORMAT:
            o->format = wire_format_parse(optarg);
            o->format_given = 1;
            if (o->format == WIRE_FORMAT_UNKNOWN) {
                fprintf(stderr, "pipewright: publish: --format is avro, confluent or json\n");
                return CLI_EX_USAGE;
            }
            break;
        case OPT_SCHEMA_ID:
            if (cli_parse_long(optarg, 0, INT32_MAX, &o->schema_id) != 0) {
                fprintf(stderr, "pipewright: publish: --schema-id wants 0..%d\n", INT32_MAX);
                return CLI_EX_USAGE;
            }
            o->schema_id_given = 1;
            break;
        case OPT_TIMEOUT:
            if (cli_parse_long(optarg, 1, 3600, &o->timeout_s) != 0) {
                fprintf(stderr, "pipewright: publish: --timeout wants 1..3600 seconds\n");
                return CLI_EX_USAGE;
            }
            break;
        case 'X':
            if (cli_kafka_prop_add(&o->kafka, optarg, errstr, sizeof(errstr)) != 0) {
                fprintf(stderr, "pipewright: publish: %s\n", errstr);
                return CLI_EX_USAGE;
            }
            break;
        case 'h':
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return CLI_EX_USAGE;
        }
    }
    return check_args(argc, argv, o);
}

/* Validates the requirement in 'obj' through the daemon's own JSON parser into 'req', and
 * encodes it into 'value' for 'topic'. Returns CLI_EX_OK or the exit status, having said why. */
static int
encode(struct publish_opts *o, json_t *obj, const char *topic, struct requirement *req,
       struct buf *value)
{
    char detail[256], errstr[256];
    struct wire *w = NULL;
    char *json = NULL;
    int rc = CLI_EX_OK;

    /* One validating path for both sources: the daemon's own JSON parser. */
    json = json_dumps(obj, JSON_COMPACT);
    if (json == NULL) {
        fprintf(stderr, "pipewright: publish: cannot serialise the requirement\n");
        rc = CLI_EX_SOFTWARE;
        goto out;
    }
    enum wire_status st = requirement_json_parse(json, strlen(json), req, detail, sizeof(detail));
    if (st != WIRE_OK) {
        fprintf(stderr, "pipewright: publish: invalid requirement (%s): %s\n", wire_status_str(st),
                detail);
        rc = CLI_EX_DATAERR;
        goto out;
    }
    w = wire_new(errstr, sizeof(errstr));
    if (w == NULL) {
        fprintf(stderr, "pipewright: publish: %s\n", errstr);
        rc = CLI_EX_SOFTWARE;
        goto out;
    }
    if (o->registry.url != NULL && registered_id(o, topic, &o->schema_id) != 0) {
        rc = CLI_EX_UNAVAILABLE;
        goto out;
    }
    if (wire_requirement_encode(w, req, o->format, (int32_t)o->schema_id, value) != 0) {
        fprintf(stderr, "pipewright: publish: cannot encode the requirement as %s\n",
                wire_format_name(o->format));
        rc = CLI_EX_SOFTWARE;
        goto out;
    }
    if (value->len > PW_MAX_MESSAGE_BYTES) {
        fprintf(stderr,
                "pipewright: publish: the encoded event is %zu bytes; the service "
                "refuses more than %d\n",
                value->len, PW_MAX_MESSAGE_BYTES);
        rc = CLI_EX_DATAERR;
        goto out;
    }
out:
    free(json);
    wire_free(w);
    return rc;
}

int
cli_publish_main(int argc, char **argv)
{
    struct publish_opts o;
    char topic[CLI_KAFKA_TOPIC_MAX + 1];
    struct requirement req;
    struct buf value;
    json_t *obj = NULL;
    int rc;

    memset(&o, 0, sizeof(o));
    cli_kafka_init(&o.kafka);
    o.prefix = CLI_KAFKA_DEFAULT_PREFIX;
    o.format = WIRE_FORMAT_AVRO;
    o.schema_id = DEFAULT_SCHEMA_ID;
    o.timeout_s = DEFAULT_TIMEOUT_S;
    rc = parse_args(argc, argv, &o);
    if (rc != CLI_EX_OK) return rc < 0 ? CLI_EX_OK : rc;
    if (o.topic != NULL) {
        snprintf(topic, sizeof(topic), "%s", o.topic);
    } else if (cli_kafka_topic_name(o.prefix, "requirements", topic, sizeof(topic)) != 0) {
        fprintf(stderr, "pipewright: publish: '%s' is not a legal topic prefix\n", o.prefix);
        return CLI_EX_USAGE;
    }

    requirement_init(&req);
    buf_init(&value);
    obj = load_object(&o, &rc);
    if (obj == NULL) goto out;
    if (complete_object(&o, obj) != 0) {
        rc = CLI_EX_SOFTWARE;
        goto out;
    }
    rc = encode(&o, obj, topic, &req, &value);
    if (rc != CLI_EX_OK) goto out;
    rc = produce(&o, topic, req.project_id, req.event_id, &value);
    if (rc == CLI_EX_OK) printf("%s\n", req.event_id);

out:
    json_decref(obj);
    buf_fini(&value);
    requirement_fini(&req);
    return rc;
}
