/* tests/unit/test_cli.c - the pure parts of the Kafka-facing subcommands.
 *
 * The cli/ objects are not part of the library every test links, so this file compiles
 * cli/kafka.c and cli/watch.c into itself; that also reaches watch.c's static helpers (audio
 * reassembly, digest check, atomic writes) without widening their visibility. No broker is
 * needed: librdkafka configurations are built and inspected locally, files go to a mkdtemp()
 * folder that is removed at the end.
 */
#include "../../cli/kafka.c"
#include "../../cli/assembly.c"
#include "../../cli/watch.c"
#include "../../cli/registry_opts.c"

#include <dirent.h>

#include "check.h"

static void
test_parse_long(void)
{
    long v = 7;

    CHECK(cli_parse_long("42", 1, 100, &v) == 0 && v == 42);
    CHECK(cli_parse_long("-3", -5, 5, &v) == 0 && v == -3);
    v = 7;
    CHECK(cli_parse_long("", 0, 10, &v) == -1 && v == 7);
    CHECK(cli_parse_long(NULL, 0, 10, &v) == -1);
    CHECK(cli_parse_long("12x", 0, 100, &v) == -1 && v == 7);
    CHECK(cli_parse_long("101", 0, 100, &v) == -1);
    CHECK(cli_parse_long("0", 1, 100, &v) == -1);
    CHECK(cli_parse_long("99999999999999999999999", 0, 100, &v) == -1);
    CHECK(cli_parse_long(" 5", 0, 10, &v) == 0 && v == 5); /* strtol skips leading blanks */
}

static void
test_topic_names(void)
{
    char out[CLI_KAFKA_TOPIC_MAX + 1], longp[300];

    CHECK(cli_kafka_topic_valid("pipewright.requirements"));
    CHECK(cli_kafka_topic_valid("a-b_c.D9"));
    CHECK(!cli_kafka_topic_valid(""));
    CHECK(!cli_kafka_topic_valid("."));
    CHECK(!cli_kafka_topic_valid(".."));
    CHECK(!cli_kafka_topic_valid("has space"));
    CHECK(!cli_kafka_topic_valid("slash/topic"));
    CHECK(cli_kafka_topic_name("pipewright", "audio", out, sizeof(out)) == 0);
    CHECK_STR(out, "pipewright.audio");
    CHECK(cli_kafka_topic_name("bad prefix", "audio", out, sizeof(out)) == -1);
    CHECK(cli_kafka_topic_name("p", "reports", out, 5) == -1); /* does not fit */
    memset(longp, 'x', 245);
    longp[245] = '\0';
    CHECK(cli_kafka_topic_name(longp, "dlq", out, sizeof(out)) == 0);    /* 249 characters */
    CHECK(cli_kafka_topic_name(longp, "audio", out, sizeof(out)) == -1); /* 251 */
}

static void
test_props_and_conf(void)
{
    struct cli_kafka k;
    const struct cli_kafka_default defaults[] = {
        {"linger.ms", "7"},
        {"client.rack", "from-default"},
        {NULL, NULL},
    };
    char errstr[256], val[64];
    size_t val_len = sizeof(val);
    rd_kafka_conf_t *conf;

    cli_kafka_init(&k);
    k.brokers = "127.0.0.1:1";
    CHECK(cli_kafka_prop_add(&k, "novalue", errstr, sizeof(errstr)) == -1);
    CHECK(strstr(errstr, "key=value") != NULL);
    CHECK(cli_kafka_prop_add(&k, "=x", errstr, sizeof(errstr)) == -1);
    CHECK(cli_kafka_prop_add(&k, "client.rack=from-x", errstr, sizeof(errstr)) == 0);
    CHECK(cli_kafka_prop_add(&k, "sasl.password=a=b", errstr, sizeof(errstr)) == 0);
    conf = cli_kafka_conf_new(&k, "test", defaults, errstr, sizeof(errstr));
    CHECK(conf != NULL);
    if (conf != NULL) {
        /* -X comes after the command's defaults, so the operator wins. */
        CHECK(rd_kafka_conf_get(conf, "client.rack", val, &val_len) == RD_KAFKA_CONF_OK);
        CHECK_STR(val, "from-x");
        val_len = sizeof(val);
        CHECK(rd_kafka_conf_get(conf, "linger.ms", val, &val_len) == RD_KAFKA_CONF_OK);
        CHECK_STR(val, "7");
        val_len = sizeof(val);
        CHECK(rd_kafka_conf_get(conf, "bootstrap.servers", val, &val_len) == RD_KAFKA_CONF_OK);
        CHECK_STR(val, "127.0.0.1:1");
        CHECK(k.debug == 0);
        rd_kafka_conf_destroy(conf);
    }

    cli_kafka_init(&k);
    CHECK(cli_kafka_prop_add(&k, "no.such.property=1", errstr, sizeof(errstr)) == 0);
    CHECK(cli_kafka_conf_new(&k, "test", NULL, errstr, sizeof(errstr)) == NULL);
    CHECK(strstr(errstr, "no.such.property") != NULL);

    cli_kafka_init(&k);
    CHECK(cli_kafka_prop_add(&k, "debug=broker", errstr, sizeof(errstr)) == 0);
    conf = cli_kafka_conf_new(&k, "test", NULL, errstr, sizeof(errstr));
    CHECK(conf != NULL && k.debug == 1);
    if (conf != NULL) rd_kafka_conf_destroy(conf);

    cli_kafka_init(&k);
    for (int i = 0; i < CLI_KAFKA_MAX_PROPS; i++)
        CHECK(cli_kafka_prop_add(&k, "linger.ms=1", errstr, sizeof(errstr)) == 0);
    CHECK(cli_kafka_prop_add(&k, "linger.ms=1", errstr, sizeof(errstr)) == -1);
}

static void
test_uuid(void)
{
    unsigned char zero[16] = {0}, ones[16];
    char a[CLI_UUID_LEN + 1], b[CLI_UUID_LEN + 1];

    cli_uuid4_format(zero, a);
    CHECK_STR(a, "00000000-0000-4000-8000-000000000000");
    memset(ones, 0xff, sizeof(ones));
    cli_uuid4_format(ones, a);
    CHECK_STR(a, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    CHECK(cli_uuid4_new(a) == 0 && cli_uuid4_new(b) == 0);
    CHECK(strlen(a) == CLI_UUID_LEN && a[14] == '4' && strchr("89ab", a[19]) != NULL);
    CHECK(strcmp(a, b) != 0);
}

static void
test_sha256(void)
{
    char hex[65], norm[65];

    CHECK(sha256_hex((const unsigned char *)"abc", 3, hex) == 0);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex_normalise("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
                               norm) == 0);
    CHECK_STR(norm, hex);
    CHECK(sha256_hex_normalise("ba78", norm) == -1);
    CHECK(sha256_hex_normalise("zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                               norm) == -1);
    CHECK(sha256_hex_normalise("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0",
                               norm) == -1);
}

/* An artifact of 'len' bytes split into chunks of 'per' bytes; 'ev' is filled for chunk 'i'. */
struct fixture {
    unsigned char data[1000];
    size_t len, per;
    char sha[65];
    struct audio_event ev;
};

static void
fixture_init(struct fixture *f, size_t len, size_t per)
{
    PW_ASSERT(len <= sizeof(f->data));
    for (size_t i = 0; i < len; i++) f->data[i] = (unsigned char)(i * 7 + 3);
    f->len = len;
    f->per = per;
    PW_ASSERT(sha256_hex(f->data, len, f->sha) == 0);
    memset(&f->ev, 0, sizeof(f->ev));
    f->ev.event_id = "e";
    f->ev.codec = "opus";
    f->ev.sha256 = f->sha;
    f->ev.chunk_count = (int32_t)((len + per - 1) / per);
    f->ev.total_bytes = (int64_t)len;
}

static const struct audio_event *
chunk(struct fixture *f, int32_t i)
{
    size_t off = f->per * (size_t)i;

    f->ev.chunk_index = i;
    f->ev.data = f->data + off;
    f->ev.data_len = f->len - off < f->per ? f->len - off : f->per;
    return &f->ev;
}

static void
test_assembly_complete(void)
{
    struct assembly as;
    struct fixture f;
    char why[256], progress[128];

    /* Out of order, with a redelivered chunk in the middle. */
    memset(&as, 0, sizeof(as));
    fixture_init(&f, 1000, 300);
    CHECK(f.ev.chunk_count == 4);
    assembly_progress(&as, progress, sizeof(progress));
    CHECK_STR(progress, "no audio");
    CHECK(assembly_add(&as, chunk(&f, 3), why, sizeof(why)) == 0);
    CHECK(assembly_add(&as, chunk(&f, 1), why, sizeof(why)) == 0);
    CHECK(assembly_add(&as, chunk(&f, 1), why, sizeof(why)) == 0);
    assembly_progress(&as, progress, sizeof(progress));
    CHECK_STR(progress, "audio 2 of 4 chunks");
    CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == 0);
    CHECK(assembly_add(&as, chunk(&f, 2), why, sizeof(why)) == 1);
    CHECK(as.whole != NULL && as.whole_len == 1000);
    CHECK(as.whole != NULL && memcmp(as.whole, f.data, 1000) == 0);
    CHECK_STR(as.whole_codec, "opus");
    assembly_progress(&as, progress, sizeof(progress));
    CHECK_STR(progress, "audio complete");
    assembly_fini(&as);

    /* A single-chunk WAV, digest announced in upper case. */
    memset(&as, 0, sizeof(as));
    fixture_init(&f, 10, 10);
    for (size_t i = 0; i < 64; i++)
        if (f.sha[i] >= 'a' && f.sha[i] <= 'f') f.sha[i] = (char)(f.sha[i] - 'a' + 'A');
    f.ev.codec = "wav";
    CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == 1);
    CHECK_STR(as.whole_codec, "wav");
    assembly_fini(&as);
}

static void
test_assembly_refusals(void)
{
    struct assembly as;
    struct fixture f;
    char why[256];

    memset(&as, 0, sizeof(as));
    fixture_init(&f, 100, 50);
    f.ev.codec = "mp3";
    CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == -1);
    f.ev.codec = "opus";
    f.ev.chunk_count = 0;
    CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == -1);
    f.ev.chunk_count = MAX_CHUNKS + 1;
    CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == -1);
    CHECK(strstr(why, "chunk_count") != NULL);
    f.ev.chunk_count = 2;
    CHECK(assembly_add(&as, chunk(&f, 2), why, sizeof(why)) == -1);
    f.ev.chunk_index = -1;
    CHECK(assembly_add(&as, &f.ev, why, sizeof(why)) == -1);
    f.ev.total_bytes = MAX_ARTIFACT_BYTES + 1;
    CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == -1);
    CHECK(strstr(why, "total_bytes") != NULL);
    f.ev.total_bytes = 0;
    CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == -1);
    f.ev.total_bytes = 10; /* a 50-byte chunk in a 10-byte artifact */
    CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == -1);
    f.ev.total_bytes = 100;
    f.ev.sha256 = "not-a-digest";
    CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == -1);
    CHECK(as.n == 0); /* nothing refused so far was stored */
    assembly_fini(&as);

    /* Siblings that disagree on chunk_count spoil the artifact. */
    memset(&as, 0, sizeof(as));
    fixture_init(&f, 100, 50);
    CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == 0);
    f.ev.chunk_count = 3;
    CHECK(assembly_add(&as, chunk(&f, 1), why, sizeof(why)) == -1);
    f.ev.chunk_count = 2;
    CHECK(assembly_add(&as, chunk(&f, 1), why, sizeof(why)) == -1); /* spoiled for good */
    CHECK(as.whole == NULL);
    assembly_fini(&as);

    /* Two different chunks claiming the same index. */
    memset(&as, 0, sizeof(as));
    fixture_init(&f, 100, 50);
    CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == 0);
    chunk(&f, 0);
    f.ev.data = f.data + 1;
    CHECK(assembly_add(&as, &f.ev, why, sizeof(why)) == -1);
    CHECK(strstr(why, "two different chunks") != NULL);
    assembly_fini(&as);

    /* All chunks present, but the digest does not match. */
    memset(&as, 0, sizeof(as));
    fixture_init(&f, 100, 50);
    f.sha[0] = f.sha[0] == '0' ? '1' : '0';
    CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == 0);
    CHECK(assembly_add(&as, chunk(&f, 1), why, sizeof(why)) == -1);
    CHECK(strstr(why, "SHA-256") != NULL);
    CHECK(as.whole == NULL);
    assembly_fini(&as);

    /* All chunks present, but they add up to less than total_bytes. */
    memset(&as, 0, sizeof(as));
    fixture_init(&f, 100, 50);
    f.ev.total_bytes = 120;
    CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == 0);
    CHECK(assembly_add(&as, chunk(&f, 1), why, sizeof(why)) == -1);
    CHECK(strstr(why, "total_bytes says 120") != NULL);
    assembly_fini(&as);

    /* At most MAX_ARTIFACTS distinct digests per event. */
    memset(&as, 0, sizeof(as));
    fixture_init(&f, 100, 50);
    for (int i = 0; i <= MAX_ARTIFACTS; i++) {
        f.sha[63] = "0123456789"[i];
        CHECK(assembly_add(&as, chunk(&f, 0), why, sizeof(why)) == (i < MAX_ARTIFACTS ? 0 : -1));
    }
    CHECK(as.n == MAX_ARTIFACTS);
    assembly_fini(&as);
}

static void
test_write_atomic(void)
{
    char tmpl[] = "/tmp/pw-test-cli-XXXXXX", sub[256], path[512], got[16] = {0};
    char *dir = mkdtemp(tmpl);
    FILE *fp;
    DIR *d;
    struct dirent *de;
    int entries = 0;

    CHECK(dir != NULL);
    if (dir == NULL) return;
    snprintf(sub, sizeof(sub), "%s/a/b", dir);
    CHECK(mkdir_parents(sub) == 0);
    CHECK(mkdir_parents(sub) == 0); /* existing is fine */
    CHECK(write_atomic(sub, "report.md", "hello", 5, path, sizeof(path)) == 0);
    CHECK(write_atomic(sub, "report.md", "world!", 6, path, sizeof(path)) == 0);
    fp = fopen(path, "rb");
    CHECK(fp != NULL);
    if (fp != NULL) {
        CHECK(fread(got, 1, sizeof(got) - 1, fp) == 6);
        fclose(fp);
    }
    CHECK_STR(got, "world!");
    d = opendir(sub);
    while (d != NULL && (de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) entries++;
    if (d != NULL) closedir(d);
    CHECK(entries == 1); /* no temporary file left behind */
    CHECK(write_atomic("/nonexistent-dir-for-test", "x", "y", 1, path, sizeof(path)) == -1);
    snprintf(path, sizeof(path), "%s/report.md", sub);
    CHECK(mkdir_parents(path) == -1); /* a file is in the way */

    unlink(path);
    rmdir(sub);
    snprintf(sub, sizeof(sub), "%s/a", dir);
    rmdir(sub);
    rmdir(dir);
}

static const struct check_case cases[] = {
    {"parse_long", test_parse_long},
    {"topic_names", test_topic_names},
    {"props_and_conf", test_props_and_conf},
    {"uuid", test_uuid},
    {"sha256", test_sha256},
    {"assembly_complete", test_assembly_complete},
    {"assembly_refusals", test_assembly_refusals},
    {"write_atomic", test_write_atomic},
};

CHECK_MAIN(cases)
