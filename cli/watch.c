/* cli/watch.c - `pipewright watch`: wait for one event's report and audio and save them.
 *
 * Reads the reports and audio topics with a plain assigned consumer (no group, no commits, so
 * any number of watchers can run without disturbing anyone), read_committed so aborted
 * transactions never show, starting a few minutes back in time (or where told). Report events
 * and audio chunks of the requested event id are decoded with schemas/'s decoders; chunks are
 * reassembled by index and the whole artifact's SHA-256 checked (cli/assembly.c) before anything
 * is written.
 * Everything taken from the wire is bounded before it is stored: at most 1024 chunks and 64 MB
 * per artifact, at most 4 distinct artifacts, and a chunk that contradicts its siblings (count,
 * size, codec, digest) spoils its artifact instead of the output. Files are written to a
 * temporary name, synced and renamed, so a reader never sees half a file. Single-threaded.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "assembly.h"
#include "kafka.h"
#include "bounds.h"
#include "registry_opts.h"
#include "wire.h"
#include "xalloc.h"

#define DEFAULT_TIMEOUT_S 120
#define DEFAULT_LOOKBACK_MS (5 * 60 * 1000LL)
#define POLL_MS 250
#define MAX_EPOCH_MS 253402300799999L /* 9999-12-31T23:59:59.999Z; long is 64-bit on LP64 */

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* Creates 'dir' and its missing parents (mode 0755). Returns 0 or -1 with errno set. */
static int
mkdir_parents(const char *dir)
{
    char path[4096];
    size_t len = strlen(dir);

    if (len == 0 || len >= sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0') continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0755) == -1 && errno != EEXIST) return -1;
        path[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) == -1) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* Writes 'len' bytes to 'dir'/'name' through a temporary file in the same folder, fsync and
 * rename, so the final name only ever holds a whole file. The path goes to 'path'. Returns 0,
 * or -1 after printing why. */
static int
write_atomic(const char *dir, const char *name, const void *data, size_t len, char *path,
             size_t path_size)
{
    char tmp[4096];
    const unsigned char *p = data;
    size_t done = 0;
    int fd;

    if ((size_t)snprintf(path, path_size, "%s/%s", dir, name) >= path_size ||
        (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >= sizeof(tmp)) {
        fprintf(stderr, "pipewright: watch: path too long under %s\n", dir);
        return -1;
    }
    fd = mkstemp(tmp);
    if (fd == -1) {
        fprintf(stderr, "pipewright: watch: cannot create a file in %s: %s\n", dir,
                strerror(errno));
        return -1;
    }
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n == -1 && errno == EINTR) continue;
        if (n == -1) goto fail;
        done += (size_t)n;
    }
    if (fchmod(fd, 0644) == -1 || fsync(fd) == -1) goto fail;
    if (close(fd) == -1) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) == -1) goto fail;
    return 0;

fail:
    fprintf(stderr, "pipewright: watch: cannot write %s: %s\n", path, strerror(errno));
    if (fd != -1) close(fd);
    unlink(tmp);
    return -1;
}

struct watch_opts {
    struct cli_kafka kafka;
    const char *event_id;
    const char *out_dir;
    const char *prefix;
    long timeout_s;
    int from_beginning;
    long long since_ms;           /* -1: now minus DEFAULT_LOOKBACK_MS */
    struct cli_registry registry; /* --registry: resolve foreign writer schema ids */
};

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: pipewright watch --brokers HOST:PORT --event ID --out DIR [options]\n"
            "\n"
            "Wait for the report and the spoken summary of one requirement event, then\n"
            "write DIR/report.md, DIR/report.json and DIR/summary.ogg (DIR/summary.wav\n"
            "when the audio is WAV), each atomically, and print their paths on stdout.\n"
            "\n"
            "It reads <prefix>.reports and <prefix>.audio with\n"
            "isolation.level=read_committed, as a plain consumer of all partitions: it\n"
            "joins no consumer group and commits no offsets. Audio chunks are joined by\n"
            "chunk_index and checked against the announced size and SHA-256; an artifact\n"
            "of more than %d chunks or %lld bytes is refused. When the report says\n"
            "audio_status \"disabled\" or \"failed\", no audio is awaited.\n"
            "\n"
            "Events may be single-object encoded (the default) or Confluent-framed (a\n"
            "service with a schema registry). Without --registry a Confluent-framed event\n"
            "is read with this build's schema whatever its id; with --registry, an id\n"
            "whose schema differs is fetched and resolved into this build's schema.\n"
            "\n"
            "  -b, --brokers LIST    Kafka bootstrap servers (default: $PIPEWRIGHT_BROKERS)\n"
            "  -e, --event ID        the event id printed by `pipewright publish`\n"
            "  -o, --out DIR         output folder, created when missing\n"
            "      --timeout S       give up after S seconds, 1..86400 (default %d)\n"
            "      --from-beginning  read the topics from their first offsets\n"
            "      --since-ms T      read from the first message at or after epoch-ms T\n"
            "                        (default: 5 minutes before now; from the beginning\n"
            "                        on librdkafka's mock cluster, which cannot do this)\n"
            "      --topic-prefix P  topic name prefix (default \"%s\")\n" CLI_REGISTRY_HELP
            "  -X, --property K=V    any librdkafka property, e.g.\n"
            "                        -X security.protocol=SSL; repeatable, applied last\n"
            "  -h, --help            this text\n"
            "\n"
            "Exit status: 0 the report and its audio were written (or the report alone,\n"
            "when its audio is disabled or failed), 64 usage error, 69 the topics could\n"
            "not be read, 73 the output could not be written, 75 timed out or\n"
            "interrupted (the message says what is missing).\n",
            MAX_CHUNKS, MAX_ARTIFACT_BYTES, DEFAULT_TIMEOUT_S, CLI_KAFKA_DEFAULT_PREFIX);
}

/* The options of `pipewright watch`. */
enum { OPT_TIMEOUT = 256, OPT_FROM_BEGINNING, OPT_SINCE, OPT_PREFIX };
static const struct option opts[] = {
    {"brokers", required_argument, NULL, 'b'},
    {"event", required_argument, NULL, 'e'},
    {"out", required_argument, NULL, 'o'},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"from-beginning", no_argument, NULL, OPT_FROM_BEGINNING},
    {"since-ms", required_argument, NULL, OPT_SINCE},
    {"topic-prefix", required_argument, NULL, OPT_PREFIX},
    {"property", required_argument, NULL, 'X'},
    CLI_REGISTRY_LONG_OPTIONS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int
parse_args(int argc, char **argv, struct watch_opts *o)
{
    char errstr[256];
    long since;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "b:e:o:X:h", opts, NULL)) != -1) {
        if (cli_registry_option(&o->registry, c, optarg)) continue;
        switch (c) {
        case 'b':
            o->kafka.brokers = optarg;
            break;
        case 'e':
            o->event_id = optarg;
            break;
        case 'o':
            o->out_dir = optarg;
            break;
        case OPT_PREFIX:
            o->prefix = optarg;
            break;
        case OPT_FROM_BEGINNING:
            o->from_beginning = 1;
            break;
        case OPT_TIMEOUT:
            if (cli_parse_long(optarg, 1, 86400, &o->timeout_s) != 0) {
                fprintf(stderr, "pipewright: watch: --timeout wants 1..86400 seconds\n");
                return CLI_EX_USAGE;
            }
            break;
        case OPT_SINCE:
            if (cli_parse_long(optarg, 0, MAX_EPOCH_MS, &since) != 0) {
                fprintf(stderr, "pipewright: watch: --since-ms wants epoch milliseconds\n");
                return CLI_EX_USAGE;
            }
            o->since_ms = since;
            break;
        case 'X':
            if (cli_kafka_prop_add(&o->kafka, optarg, errstr, sizeof(errstr)) != 0) {
                fprintf(stderr, "pipewright: watch: %s\n", errstr);
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
    if (optind < argc) {
        fprintf(stderr, "pipewright: watch: unexpected argument '%s'\n", argv[optind]);
        return CLI_EX_USAGE;
    }
    if (o->kafka.brokers == NULL || o->event_id == NULL || o->out_dir == NULL) {
        fprintf(stderr, "pipewright: watch: --brokers, --event and --out are required\n");
        return CLI_EX_USAGE;
    }
    if (o->event_id[0] == '\0' || strlen(o->event_id) > PW_MAX_ID_BYTES) {
        fprintf(stderr, "pipewright: watch: an event id has 1..%d bytes\n", PW_MAX_ID_BYTES);
        return CLI_EX_USAGE;
    }
    if (o->from_beginning && o->since_ms >= 0) {
        fprintf(stderr, "pipewright: watch: --from-beginning and --since-ms exclude each other\n");
        return CLI_EX_USAGE;
    }
    return CLI_EX_OK;
}

/* Appends every partition of 'topic' to 'parts' with its start offset. Waits (until
 * 'deadline_ms') for the topic to exist, since a watcher may start before the service has
 * written anything. Returns 0 or an exit status after printing why. */
static int
add_partitions(struct watch_opts *o, rd_kafka_t *rk, const char *topic, long long deadline_ms,
               rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_partition_list_t *times = NULL;
    int64_t *high = NULL;
    rd_kafka_resp_err_t why = RD_KAFKA_RESP_ERR__TIMED_OUT;
    int rc = CLI_EX_OK, cnt;

    for (;;) {
        long long left = deadline_ms - cli_now_ms();
        rd_kafka_resp_err_t err;

        if (interrupted || left <= 0) {
            if (why == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
                fprintf(stderr,
                        "pipewright: watch: topic %s does not exist at %s (pipewright "
                        "topics create)\n",
                        topic, o->kafka.brokers);
            else
                fprintf(stderr, "pipewright: watch: topic %s not readable at %s: %s%s%s\n", topic,
                        o->kafka.brokers, rd_kafka_err2str(why),
                        o->kafka.last_error[0] != '\0' ? "; last error: " : "",
                        o->kafka.last_error);
            rc = interrupted ? CLI_EX_TEMPFAIL : CLI_EX_UNAVAILABLE;
            goto out;
        }
        err = rd_kafka_metadata(rk, 0, rkt, &md, (int)(left < 5000 ? left : 5000));
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 &&
            md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topics[0].partition_cnt > 0)
            break;
        why = err != RD_KAFKA_RESP_ERR_NO_ERROR ? err
              : md->topic_cnt == 1              ? md->topics[0].err
                                                : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
        if (md != NULL) rd_kafka_metadata_destroy(md);
        md = NULL;
        usleep(500 * 1000);
    }

    cnt = md->topics[0].partition_cnt;
    if (o->from_beginning) {
        for (int i = 0; i < cnt; i++)
            rd_kafka_topic_partition_list_add(parts, topic, md->topics[0].partitions[i].id)
                ->offset = RD_KAFKA_OFFSET_BEGINNING;
        goto out;
    }
    /* The high watermarks are read *before* the time lookup: a partition with nothing at or
     * after 'since' then starts where the log ended at that moment, so a message written
     * between the two calls is still read. */
    high = xcalloc((size_t)cnt, sizeof(*high));
    times = rd_kafka_topic_partition_list_new(cnt);
    for (int i = 0; i < cnt; i++) {
        int32_t id = md->topics[0].partitions[i].id;
        int64_t low = 0;
        if (rd_kafka_query_watermark_offsets(rk, topic, id, &low, &high[i], 10000) !=
            RD_KAFKA_RESP_ERR_NO_ERROR)
            high[i] = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_topic_partition_list_add(times, topic, id)->offset = o->since_ms;
    }
    if (rd_kafka_offsets_for_times(rk, times, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        /* Reading from the start is slower but never misses the event. */
        for (int i = 0; i < cnt; i++) times->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    for (int i = 0; i < cnt; i++) {
        rd_kafka_topic_partition_t *t = &times->elems[i];
        int64_t start = t->offset;
        if (t->err != RD_KAFKA_RESP_ERR_NO_ERROR) start = RD_KAFKA_OFFSET_BEGINNING;
        else if (start < 0 && start != RD_KAFKA_OFFSET_BEGINNING)
            start = high[i];
        rd_kafka_topic_partition_list_add(parts, topic, t->partition)->offset = start;
    }
out:
    free(high);
    if (times != NULL) rd_kafka_topic_partition_list_destroy(times);
    if (md != NULL) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    return rc;
}

/* Returns 1 when the message carries a pw.event_id header naming another event, so it can be
 * skipped without decoding; 0 when it names ours or has none. */
static int
header_says_other(const rd_kafka_message_t *rkm, const char *event_id)
{
    rd_kafka_headers_t *hdrs = NULL;
    const void *val = NULL;
    size_t len = 0;

    if (rd_kafka_message_headers(rkm, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return 0;
    if (rd_kafka_header_get_last(hdrs, "pw.event_id", &val, &len) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        val == NULL)
        return 0;
    return len != strlen(event_id) || memcmp(val, event_id, len) != 0;
}

struct watch_state {
    struct report_event_owned report;
    int have_report;
    int audio_not_coming; /* the report says disabled or failed */
    struct assembly audio;
    rd_kafka_resp_err_t last_err; /* the last consumer error printed, to print each once */
};

static int
save_report(const struct watch_opts *o, const struct report_event *rep)
{
    char path[4096];
    const char *md = rep->markdown != NULL ? rep->markdown : "";
    const char *json = rep->report_json != NULL ? rep->report_json : "";

    if (write_atomic(o->out_dir, "report.md", md, strlen(md), path, sizeof(path)) != 0) return -1;
    printf("%s\n", path);
    if (write_atomic(o->out_dir, "report.json", json, strlen(json), path, sizeof(path)) != 0)
        return -1;
    printf("%s\n", path);
    fflush(stdout);
    return 0;
}

static int
save_audio(const struct watch_opts *o, const struct assembly *as)
{
    char path[4096];
    const char *name = strcmp(as->whole_codec, "wav") == 0 ? "summary.wav" : "summary.ogg";

    if (write_atomic(o->out_dir, name, as->whole, as->whole_len, path, sizeof(path)) != 0)
        return -1;
    printf("%s\n", path);
    fflush(stdout);
    return 0;
}

/* Handles one consumed message. Returns 1 when everything awaited has been written, 0 to go
 * on, or an exit status (> 1) on a failure to write. */
static int
handle_message(const struct watch_opts *o, struct wire *w, const char *reports_topic,
               const rd_kafka_message_t *rkm, struct watch_state *s)
{
    const char *topic = rd_kafka_topic_name(rkm->rkt);
    char detail[256];
    enum wire_status st;

    if (rkm->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (rkm->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && rkm->err != s->last_err) {
            fprintf(stderr, "pipewright: watch: %s\n", rd_kafka_message_errstr(rkm));
            s->last_err = rkm->err;
        }
        return 0;
    }
    if (rkm->payload == NULL || header_says_other(rkm, o->event_id)) return 0;

    if (strcmp(topic, reports_topic) == 0) {
        struct report_event_owned rep;
        if (s->have_report) return 0;
        st = wire_report_decode(w, rkm->payload, rkm->len, &rep, detail, sizeof(detail));
        if (st != WIRE_OK) {
            fprintf(stderr, "pipewright: watch: skipping %s [%d] offset %lld: %s: %s\n", topic,
                    (int)rkm->partition, (long long)rkm->offset, wire_status_str(st), detail);
            return 0;
        }
        if (rep.ev.event_id == NULL || strcmp(rep.ev.event_id, o->event_id) != 0) {
            report_event_owned_fini(&rep);
            return 0;
        }
        s->report = rep;
        s->have_report = 1;
        if (save_report(o, &s->report.ev) != 0) return CLI_EX_CANTCREAT;
        const char *as = s->report.ev.audio_status != NULL ? s->report.ev.audio_status : "";
        if (strcmp(as, "disabled") == 0 || strcmp(as, "failed") == 0) {
            fprintf(stderr,
                    "pipewright: watch: the report says audio_status=%s: no audio to "
                    "wait for\n",
                    as);
            s->audio_not_coming = 1;
            return 1;
        }
    } else {
        struct audio_event_owned aud;
        char why[256];
        int r;

        if (s->audio.whole != NULL) return 0;
        st = wire_audio_decode(w, rkm->payload, rkm->len, &aud, detail, sizeof(detail));
        if (st != WIRE_OK) {
            fprintf(stderr, "pipewright: watch: skipping %s [%d] offset %lld: %s: %s\n", topic,
                    (int)rkm->partition, (long long)rkm->offset, wire_status_str(st), detail);
            return 0;
        }
        if (aud.ev.event_id == NULL || strcmp(aud.ev.event_id, o->event_id) != 0) {
            audio_event_owned_fini(&aud);
            return 0;
        }
        r = assembly_add(&s->audio, &aud.ev, why, sizeof(why));
        audio_event_owned_fini(&aud);
        if (r < 0)
            fprintf(stderr, "pipewright: watch: refusing audio chunk at %s [%d] offset %lld: %s\n",
                    topic, (int)rkm->partition, (long long)rkm->offset, why);
    }
    if (s->have_report && s->audio.whole != NULL) {
        if (save_audio(o, &s->audio) != 0) return CLI_EX_CANTCREAT;
        return 1;
    }
    return 0;
}

/* Returns 1 when 'rk' talks to librdkafka's mock cluster, which names itself "mockCluster...".
 * Its ListOffsets in 2.0.2 answers every timestamp query with -1 (the log end), measured on
 * 2026-11-27 against a partition holding two messages, so a time-based start would skip the
 * very event being watched. Its topics live only as long as the process that embeds them, so
 * reading them whole is cheap. */
static int
is_mock_cluster(rd_kafka_t *rk)
{
    char *id = rd_kafka_clusterid(rk, 5000);
    int mock = id != NULL && strncmp(id, "mockCluster", 11) == 0;

    if (id != NULL) rd_kafka_mem_free(rk, id);
    return mock;
}

static int
watch_run(struct watch_opts *o, rd_kafka_t *rk, struct wire *w)
{
    char reports[CLI_KAFKA_TOPIC_MAX + 1], audio[CLI_KAFKA_TOPIC_MAX + 1];
    long long deadline = cli_now_ms() + o->timeout_s * 1000LL;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(16);
    struct watch_state s;
    rd_kafka_resp_err_t err;
    int rc;

    memset(&s, 0, sizeof(s));
    if (cli_kafka_topic_name(o->prefix, "reports", reports, sizeof(reports)) != 0 ||
        cli_kafka_topic_name(o->prefix, "audio", audio, sizeof(audio)) != 0) {
        fprintf(stderr, "pipewright: watch: '%s' is not a legal topic prefix\n", o->prefix);
        rc = CLI_EX_USAGE;
        goto out;
    }
    if (!o->from_beginning && is_mock_cluster(rk)) {
        fprintf(stderr, "pipewright: watch: librdkafka's mock cluster (pipewrightd --kafka "
                        "embedded) cannot look offsets up by time: reading from the beginning\n");
        o->from_beginning = 1;
    }
    rc = add_partitions(o, rk, reports, deadline, parts);
    if (rc == CLI_EX_OK) rc = add_partitions(o, rk, audio, deadline, parts);
    if (rc != CLI_EX_OK) goto out;
    err = rd_kafka_assign(rk, parts);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "pipewright: watch: cannot assign partitions: %s\n", rd_kafka_err2str(err));
        rc = CLI_EX_SOFTWARE;
        goto out;
    }

    rc = -1;
    while (rc < 0) {
        long long left = deadline - cli_now_ms();
        rd_kafka_message_t *rkm;
        int r;

        if (interrupted || left <= 0) break;
        rkm = rd_kafka_consumer_poll(rk, (int)(left < POLL_MS ? left : POLL_MS));
        if (rkm == NULL) continue;
        r = handle_message(o, w, reports, rkm, &s);
        rd_kafka_message_destroy(rkm);
        if (r == 1) rc = CLI_EX_OK;
        else if (r > 1)
            rc = r;
    }
    if (rc < 0) {
        char progress[128];
        assembly_progress(&s.audio, progress, sizeof(progress));
        fprintf(stderr, "pipewright: watch: %s after %lds waiting for event %s: %s, %s\n",
                interrupted ? "interrupted" : "timed out", o->timeout_s, o->event_id,
                s.have_report ? "report written" : "no report", progress);
        rc = CLI_EX_TEMPFAIL;
    }
out:
    if (s.have_report) report_event_owned_fini(&s.report);
    assembly_fini(&s.audio);
    rd_kafka_topic_partition_list_destroy(parts);
    return rc;
}

int
cli_watch_main(int argc, char **argv)
{
    char group[64], uuid[CLI_UUID_LEN + 1];
    /* librdkafka 2.0.2 refuses assign() without a group.id. A fresh, never-committed group
     * satisfies it without joining or disturbing any real group: assign() bypasses group
     * management, and nothing is ever committed under this name. */
    const struct cli_kafka_default defaults[] = {
        {"group.id", group},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"isolation.level", "read_committed"},
        {"auto.offset.reset", "earliest"},
        {"enable.partition.eof", "false"},
        {NULL, NULL},
    };
    struct watch_opts o;
    struct sigaction sa;
    char errstr[512];
    rd_kafka_conf_t *conf;
    rd_kafka_t *rk;
    struct wire *w;
    int rc;

    memset(&o, 0, sizeof(o));
    cli_kafka_init(&o.kafka);
    o.prefix = CLI_KAFKA_DEFAULT_PREFIX;
    o.timeout_s = DEFAULT_TIMEOUT_S;
    o.since_ms = -1;
    rc = parse_args(argc, argv, &o);
    if (rc != CLI_EX_OK) return rc < 0 ? CLI_EX_OK : rc;
    if (!o.from_beginning && o.since_ms < 0) o.since_ms = cli_now_ms() - DEFAULT_LOOKBACK_MS;
    if (cli_uuid4_new(uuid) != 0) {
        fprintf(stderr, "pipewright: watch: /dev/urandom: %s\n", strerror(errno));
        return CLI_EX_SOFTWARE;
    }
    snprintf(group, sizeof(group), "pipewright-watch-%s", uuid);
    if (mkdir_parents(o.out_dir) != 0) {
        fprintf(stderr, "pipewright: watch: cannot create %s: %s\n", o.out_dir, strerror(errno));
        return CLI_EX_CANTCREAT;
    }
    w = wire_new(errstr, sizeof(errstr));
    if (w == NULL) {
        fprintf(stderr, "pipewright: watch: %s\n", errstr);
        return CLI_EX_SOFTWARE;
    }
    if (o.registry.url != NULL) {
        struct registry *reg = cli_registry_open(&o.registry, "watch");
        struct wire_schema_source src;
        if (reg == NULL) {
            wire_free(w);
            return CLI_EX_USAGE;
        }
        registry_wire_source(reg, &src);
        wire_source_set(w, &src); /* the wire frees the registry */
    }
    conf = cli_kafka_conf_new(&o.kafka, "pipewright-watch", defaults, errstr, sizeof(errstr));
    if (conf == NULL) {
        fprintf(stderr, "pipewright: watch: %s\n", errstr);
        wire_free(w);
        return CLI_EX_USAGE;
    }
    rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        wire_free(w);
        fprintf(stderr, "pipewright: watch: %s\n", errstr);
        return CLI_EX_USAGE;
    }
    conf = NULL; /* now owned, and freed, by 'rk' */

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = watch_run(&o, rk, w);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    wire_free(w);
    return rc;
}
