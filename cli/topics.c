/* cli/topics.c - `pipewright topics create|list`: pipewright's Kafka topics and their settings.
 *
 * Owns the one table of topic settings (retention, compression, message size) and creates the
 * four topics through librdkafka's admin API. Creation is idempotent: a topic that already
 * exists counts as success and is left as it is (its settings are not altered, so an operator's
 * later changes survive). `list` reads cluster metadata and prints the topics under the prefix.
 * Single-threaded; the admin result comes back on a temporary queue polled here.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "kafka.h"

#define DEFAULT_PARTITIONS 6
#define DEFAULT_TIMEOUT_S 30
#define MAX_REPLICATION_DEFAULT 3
#define MS_PER_DAY 86400000LL

/* One row per topic. Compression: reports are Markdown and JSON text, which zstd shrinks several
 * times over, and they are kept longest, so the broker stores them zstd-compressed whatever the
 * producer sent. Audio is Ogg Opus, already compressed: 'producer' keeps batches as sent, so the
 * broker never recompresses them. Requirements and the DLQ are small; 'producer' again. */
struct topic_spec {
    const char *suffix;
    int retention_days;
    const char *compression;       /* compression.type */
    const char *max_message_bytes; /* max.message.bytes, NULL for the broker's default */
};

static const struct topic_spec topic_specs[] = {
    {"requirements", 7, "producer", NULL},
    {"reports", 30, "zstd", NULL},
    {"audio", 7, "producer", "1048576"},
    {"dlq", 14, "producer", NULL},
};

struct topics_opts {
    struct cli_kafka kafka;
    const char *prefix;
    long partitions;
    long replication;    /* -1: min(3, brokers in the cluster) */
    long retention_days; /* -1: per topic, from topic_specs */
    long timeout_s;
};

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: pipewright topics create|list --brokers HOST:PORT [options]\n"
            "\n"
            "create  creates pipewright's four topics; a topic that exists already is\n"
            "        left as it is and counts as success. Settings (all with\n"
            "        cleanup.policy=delete):\n"
            "          <prefix>.requirements  retention 7 days, compression.type=producer\n"
            "          <prefix>.reports       retention 30 days, compression.type=zstd\n"
            "                                 (text compresses well and is kept longest)\n"
            "          <prefix>.audio         retention 7 days, compression.type=producer\n"
            "                                 (Ogg Opus is compressed already),\n"
            "                                 max.message.bytes=1048576 (larger artifacts\n"
            "                                 travel as several chunks)\n"
            "          <prefix>.dlq           retention 14 days, compression.type=producer\n"
            "        With a replication factor of 3 or more, min.insync.replicas=2.\n"
            "list    prints each topic under the prefix with its partition count and\n"
            "        replication factor.\n"
            "\n"
            "  -b, --brokers LIST      Kafka bootstrap servers\n"
            "                          (default: $PIPEWRIGHT_BROKERS)\n"
            "      --topic-prefix P    topic name prefix (default \"%s\")\n"
            "  -p, --partitions N      partitions per topic, 1..10000 (default %d); the\n"
            "                          requirements partitions bound how many daemons\n"
            "                          share the work\n"
            "  -r, --replication R     replication factor\n"
            "                          (default: min(%d, brokers in the cluster))\n"
            "      --retention-days D  one retention for all four topics, 1..36500\n"
            "                          (default: per topic, as above)\n"
            "      --timeout S         seconds to wait for the cluster, 1..3600\n"
            "                          (default %d)\n"
            "  -X, --property K=V      any librdkafka property (SASL, TLS...); repeatable\n"
            "  -h, --help              this text\n"
            "\n"
            "Exit status: 0 ok, 64 usage error, 69 the cluster was unreachable or\n"
            "refused a topic.\n",
            CLI_KAFKA_DEFAULT_PREFIX, DEFAULT_PARTITIONS, MAX_REPLICATION_DEFAULT,
            DEFAULT_TIMEOUT_S);
}

static rd_kafka_t *
client_new(struct topics_opts *o)
{
    char errstr[512];
    rd_kafka_conf_t *conf = cli_kafka_conf_new(&o->kafka, "pipewright-topics", NULL, errstr,
                                               sizeof(errstr));
    rd_kafka_t *rk;

    if (conf == NULL) {
        fprintf(stderr, "pipewright: topics: %s\n", errstr);
        return NULL;
    }
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        fprintf(stderr, "pipewright: topics: %s\n", errstr);
    }
    return rk;
}

static const struct rd_kafka_metadata *
metadata_get(struct topics_opts *o, rd_kafka_t *rk)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, (int)(o->timeout_s * 1000));

    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "pipewright: topics: no metadata from %s within %lds: %s%s%s\n",
                o->kafka.brokers, o->timeout_s, rd_kafka_err2str(err),
                o->kafka.last_error[0] != '\0' ? "; last error: " : "", o->kafka.last_error);
        return NULL;
    }
    return md;
}

static const rd_kafka_metadata_topic_t *
metadata_topic(const struct rd_kafka_metadata *md, const char *name)
{
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, name) == 0 &&
            md->topics[i].err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            return &md->topics[i];
    return NULL;
}

static int
replication_of(const rd_kafka_metadata_topic_t *t)
{
    return t->partition_cnt > 0 ? t->partitions[0].replica_cnt : 0;
}

/* Builds the admin request for one row; returns NULL after printing why. */
static rd_kafka_NewTopic_t *
new_topic(const struct topics_opts *o, const struct topic_spec *spec, const char *name,
          int replication)
{
    char errstr[256], retention[32];
    long days = o->retention_days > 0 ? o->retention_days : spec->retention_days;
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(name, (int)o->partitions, replication, errstr,
                                                    sizeof(errstr));

    if (nt == NULL) {
        fprintf(stderr, "pipewright: topics: %s: %s\n", name, errstr);
        return NULL;
    }
    snprintf(retention, sizeof(retention), "%lld", (long long)days * MS_PER_DAY);
    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "delete");
    rd_kafka_NewTopic_set_config(nt, "retention.ms", retention);
    rd_kafka_NewTopic_set_config(nt, "compression.type", spec->compression);
    if (spec->max_message_bytes != NULL)
        rd_kafka_NewTopic_set_config(nt, "max.message.bytes", spec->max_message_bytes);
    /* With acks=all, two in-sync copies survive one broker loss without refusing writes. */
    if (replication >= 3) rd_kafka_NewTopic_set_config(nt, "min.insync.replicas", "2");
    return nt;
}

/* Says what became of each topic in the CreateTopics result 'ev'. Returns CLI_EX_OK, or the
 * exit status of the first failure. */
static int
print_results(const struct topics_opts *o, const struct rd_kafka_metadata *md, rd_kafka_event_t *ev,
              int replication)
{
    int rc = CLI_EX_OK;
    size_t cnt = 0;
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    const rd_kafka_topic_result_t **trs = res != NULL
                                              ? rd_kafka_CreateTopics_result_topics(res, &cnt)
                                              : NULL;
    if (trs == NULL) {
        fprintf(stderr, "pipewright: topics: unexpected admin result\n");
        return CLI_EX_SOFTWARE;
    }
    for (size_t i = 0; i < cnt; i++) {
        const char *name = rd_kafka_topic_result_name(trs[i]);
        rd_kafka_resp_err_t err = rd_kafka_topic_result_error(trs[i]);
        const rd_kafka_metadata_topic_t *t = metadata_topic(md, name);

        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            printf("%s created partitions=%ld replication=%d\n", name, o->partitions, replication);
        } else if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            if (t != NULL)
                printf("%s exists partitions=%d replication=%d\n", name, t->partition_cnt,
                       replication_of(t));
            else
                printf("%s exists\n", name);
        } else {
            const char *why = rd_kafka_topic_result_error_string(trs[i]);
            fprintf(stderr, "pipewright: topics: cannot create %s: %s\n", name,
                    why != NULL ? why : rd_kafka_err2str(err));
            rc = CLI_EX_UNAVAILABLE;
        }
    }
    return rc;
}

static int
topics_create(struct topics_opts *o, rd_kafka_t *rk)
{
    enum { N = sizeof(topic_specs) / sizeof(topic_specs[0]) };
    char names[N][CLI_KAFKA_TOPIC_MAX + 1];
    rd_kafka_NewTopic_t *nts[N] = {NULL};
    const struct rd_kafka_metadata *md = metadata_get(o, rk);
    rd_kafka_AdminOptions_t *ao = NULL;
    rd_kafka_queue_t *q = NULL;
    rd_kafka_event_t *ev = NULL;
    int replication, rc = CLI_EX_OK;
    char errstr[256];

    if (md == NULL) return CLI_EX_UNAVAILABLE;
    replication = (int)o->replication;
    if (replication < 0)
        replication = md->broker_cnt < MAX_REPLICATION_DEFAULT ? md->broker_cnt
                                                               : MAX_REPLICATION_DEFAULT;
    if (replication < 1) replication = 1;
    for (size_t i = 0; i < N; i++) {
        if (cli_kafka_topic_name(o->prefix, topic_specs[i].suffix, names[i], sizeof(names[i])) !=
            0) {
            fprintf(stderr, "pipewright: topics: '%s' is not a legal topic prefix\n", o->prefix);
            rc = CLI_EX_USAGE;
            goto out;
        }
        nts[i] = new_topic(o, &topic_specs[i], names[i], replication);
        if (nts[i] == NULL) {
            rc = CLI_EX_USAGE;
            goto out;
        }
    }

    ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    if (rd_kafka_AdminOptions_set_operation_timeout(ao, (int)(o->timeout_s * 1000), errstr,
                                                    sizeof(errstr)) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_AdminOptions_set_request_timeout(ao, (int)(o->timeout_s * 1000), errstr,
                                                  sizeof(errstr)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "pipewright: topics: %s\n", errstr);
        rc = CLI_EX_SOFTWARE;
        goto out;
    }
    q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, nts, N, ao, q);
    /* The request timeout bounds the call; the margin lets the result event come back. */
    ev = rd_kafka_queue_poll(q, (int)(o->timeout_s * 1000 + 5000));
    if (ev == NULL) {
        fprintf(stderr, "pipewright: topics: no answer from %s within %lds\n", o->kafka.brokers,
                o->timeout_s);
        rc = CLI_EX_UNAVAILABLE;
        goto out;
    }
    if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "pipewright: topics: create failed: %s\n", rd_kafka_event_error_string(ev));
        rc = CLI_EX_UNAVAILABLE;
        goto out;
    }

    rc = print_results(o, md, ev, replication);
out:
    if (ev != NULL) rd_kafka_event_destroy(ev);
    if (q != NULL) rd_kafka_queue_destroy(q);
    if (ao != NULL) rd_kafka_AdminOptions_destroy(ao);
    for (size_t i = 0; i < N; i++)
        if (nts[i] != NULL) rd_kafka_NewTopic_destroy(nts[i]);
    rd_kafka_metadata_destroy(md);
    return rc;
}

static int
cmp_topic(const void *a, const void *b)
{
    const rd_kafka_metadata_topic_t *const *x = a, *const *y = b;
    return strcmp((*x)->topic, (*y)->topic);
}

static int
topics_list(struct topics_opts *o, rd_kafka_t *rk)
{
    const struct rd_kafka_metadata *md = metadata_get(o, rk);
    const rd_kafka_metadata_topic_t **found;
    size_t prefix_len = strlen(o->prefix), n = 0;

    if (md == NULL) return CLI_EX_UNAVAILABLE;
    found = calloc((size_t)md->topic_cnt + 1, sizeof(*found));
    if (found == NULL) {
        rd_kafka_metadata_destroy(md);
        fprintf(stderr, "pipewright: topics: out of memory\n");
        return CLI_EX_SOFTWARE;
    }
    for (int i = 0; i < md->topic_cnt; i++) {
        const char *name = md->topics[i].topic;
        if (strncmp(name, o->prefix, prefix_len) == 0 && name[prefix_len] == '.' &&
            md->topics[i].err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            found[n++] = &md->topics[i];
    }
    qsort(found, n, sizeof(*found), cmp_topic);
    for (size_t i = 0; i < n; i++)
        printf("%s partitions=%d replication=%d\n", found[i]->topic, found[i]->partition_cnt,
               replication_of(found[i]));
    for (size_t i = 0; i < sizeof(topic_specs) / sizeof(topic_specs[0]); i++) {
        char name[CLI_KAFKA_TOPIC_MAX + 1];
        if (cli_kafka_topic_name(o->prefix, topic_specs[i].suffix, name, sizeof(name)) == 0 &&
            metadata_topic(md, name) == NULL)
            fprintf(stderr, "pipewright: topics: %s does not exist (pipewright topics create)\n",
                    name);
    }
    free(found);
    rd_kafka_metadata_destroy(md);
    return CLI_EX_OK;
}

/* Returns CLI_EX_OK, -1 after --help, or CLI_EX_USAGE having said why. */
static int
parse_args(int argc, char **argv, struct topics_opts *o)
{
    enum { OPT_PREFIX = 256, OPT_RETENTION, OPT_TIMEOUT };
    static const struct option opts[] = {
        {"brokers", required_argument, NULL, 'b'},
        {"topic-prefix", required_argument, NULL, OPT_PREFIX},
        {"partitions", required_argument, NULL, 'p'},
        {"replication", required_argument, NULL, 'r'},
        {"retention-days", required_argument, NULL, OPT_RETENTION},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"property", required_argument, NULL, 'X'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char errstr[256];
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "b:p:r:X:h", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            o->kafka.brokers = optarg;
            break;
        case OPT_PREFIX:
            o->prefix = optarg;
            break;
        case 'p':
            if (cli_parse_long(optarg, 1, 10000, &o->partitions) != 0) {
                fprintf(stderr, "pipewright: topics: --partitions wants 1..10000\n");
                return CLI_EX_USAGE;
            }
            break;
        case 'r':
            if (cli_parse_long(optarg, 1, 32767, &o->replication) != 0) {
                fprintf(stderr, "pipewright: topics: --replication wants 1..32767\n");
                return CLI_EX_USAGE;
            }
            break;
        case OPT_RETENTION:
            if (cli_parse_long(optarg, 1, 36500, &o->retention_days) != 0) {
                fprintf(stderr, "pipewright: topics: --retention-days wants 1..36500\n");
                return CLI_EX_USAGE;
            }
            break;
        case OPT_TIMEOUT:
            if (cli_parse_long(optarg, 1, 3600, &o->timeout_s) != 0) {
                fprintf(stderr, "pipewright: topics: --timeout wants 1..3600 seconds\n");
                return CLI_EX_USAGE;
            }
            break;
        case 'X':
            if (cli_kafka_prop_add(&o->kafka, optarg, errstr, sizeof(errstr)) != 0) {
                fprintf(stderr, "pipewright: topics: %s\n", errstr);
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
    return CLI_EX_OK;
}

int
cli_topics_main(int argc, char **argv)
{
    struct topics_opts o;
    const char *action = NULL;
    rd_kafka_t *rk;
    int rc;

    memset(&o, 0, sizeof(o));
    cli_kafka_init(&o.kafka);
    o.prefix = CLI_KAFKA_DEFAULT_PREFIX;
    o.partitions = DEFAULT_PARTITIONS;
    o.replication = -1;
    o.retention_days = -1;
    o.timeout_s = DEFAULT_TIMEOUT_S;
    rc = parse_args(argc, argv, &o);
    if (rc != CLI_EX_OK) return rc < 0 ? CLI_EX_OK : rc;
    if (optind < argc) action = argv[optind++];
    if (action == NULL || (strcmp(action, "create") != 0 && strcmp(action, "list") != 0) ||
        optind < argc) {
        fprintf(stderr, "pipewright: topics: say 'create' or 'list' (see --help)\n");
        return CLI_EX_USAGE;
    }
    if (o.kafka.brokers == NULL) {
        fprintf(stderr, "pipewright: topics: --brokers is required\n");
        return CLI_EX_USAGE;
    }
    rk = client_new(&o);
    if (rk == NULL) return CLI_EX_USAGE;
    rc = strcmp(action, "create") == 0 ? topics_create(&o, rk) : topics_list(&o, rk);
    rd_kafka_destroy(rk);
    return rc;
}
