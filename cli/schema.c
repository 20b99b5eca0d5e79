/* cli/schema.c - `pipewright schema`: print the Avro schemas compiled into the binary, or
 * register them with a schema registry.
 *
 * Shows exactly the contract this build speaks: the .avsc text of the requirement, report and
 * audio records, and the CRC-64-AVRO fingerprints of their Parsing Canonical Form that the
 * single-object encoding carries. `schema register` puts the three schemas in a registry under
 * the subjects pipewrightd uses (TopicNameStrategy: "<topic>-value"), which is what it does
 * itself at start; the registry's answer (an id, or why it refused) is printed. No Kafka.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kafka.h"
#include "registry_opts.h"
#include "wire.h"
#include "xalloc.h"

static const char *const schema_names[] = {"requirement", "report", "audio"};

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: pipewright schema [requirement|report|audio] [--fingerprint]\n"
            "       pipewright schema register --registry URL [--topic-prefix P]\n"
            "\n"
            "Print the Avro schemas this build reads and writes, or register them.\n"
            "\n"
            "  NAME              requirement (the input), report or audio (the outputs);\n"
            "                    prints that schema's .avsc text\n"
            "  --fingerprint     print instead the CRC-64-AVRO fingerprint of the\n"
            "                    schema's Parsing Canonical Form: 16 hex digits of the\n"
            "                    64-bit value (on the wire its 8 bytes follow C3 01,\n"
            "                    least significant first)\n"
            "  -h, --help        this text\n"
            "\n"
            "Without a NAME, prints one line per schema: its name and fingerprint.\n"
            "\n"
            "register: registers requirement, report and audio under the subjects\n"
            "<prefix>.requirements-value, <prefix>.reports-value and <prefix>.audio-value\n"
            "(what pipewrightd does at start with schema_registry_url set) and prints\n"
            "one line per schema: subject and id. Registering a schema the subject holds\n"
            "already returns its id; one the subject's compatibility rule refuses fails.\n"
            "\n" CLI_REGISTRY_HELP "      --topic-prefix P  topic name prefix (default \"%s\")\n"
            "\n"
            "Exit status: 0 ok, 64 usage error, 69 the registry could not be reached or\n"
            "refused a schema, 70 a schema is missing from the build.\n",
            CLI_KAFKA_DEFAULT_PREFIX);
}

static int
print_fingerprint(const char *name, int with_name)
{
    uint64_t fp = wire_schema_fingerprint(name);

    if (fp == 0) {
        fprintf(stderr, "pipewright: schema: no fingerprint for '%s' in this build\n", name);
        return CLI_EX_SOFTWARE;
    }
    if (with_name) printf("%-12s %016" PRIx64 "\n", name, fp);
    else
        printf("%016" PRIx64 "\n", fp);
    return CLI_EX_OK;
}

static int
register_all(int argc, char **argv)
{
    enum { OPT_PREFIX = 256 };
    static const struct option opts[] = {
        CLI_REGISTRY_LONG_OPTIONS,
        {"topic-prefix", required_argument, NULL, OPT_PREFIX},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const kinds[] = {"requirements", "reports", "audio"};
    struct cli_registry ro = {NULL, NULL, NULL};
    const char *prefix = CLI_KAFKA_DEFAULT_PREFIX;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (cli_registry_option(&ro, c, optarg)) continue;
        switch (c) {
        case OPT_PREFIX:
            prefix = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_EX_OK;
        default:
            usage(stderr);
            return CLI_EX_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pipewright: schema register: unexpected argument '%s'\n", argv[optind]);
        return CLI_EX_USAGE;
    }
    if (ro.url == NULL) {
        fprintf(stderr, "pipewright: schema register: --registry is required\n");
        return CLI_EX_USAGE;
    }
    struct registry *reg = cli_registry_open(&ro, "schema register");
    if (reg == NULL) return CLI_EX_USAGE;
    int rc = CLI_EX_OK;
    for (size_t i = 0; i < PW_ARRAY_LEN(schema_names) && rc == CLI_EX_OK; i++) {
        char topic[CLI_KAFKA_TOPIC_MAX + 1], subject[CLI_KAFKA_TOPIC_MAX + 8], err[512];
        const char *text = wire_schema_text(schema_names[i]);
        int32_t id;
        if (cli_kafka_topic_name(prefix, kinds[i], topic, sizeof(topic)) != 0) {
            fprintf(stderr, "pipewright: schema register: '%s' is not a legal topic prefix\n",
                    prefix);
            rc = CLI_EX_USAGE;
        } else if (text == NULL) {
            fprintf(stderr, "pipewright: schema register: '%s' is missing from this build\n",
                    schema_names[i]);
            rc = CLI_EX_SOFTWARE;
        } else {
            snprintf(subject, sizeof(subject), "%s-value", topic);
            if (registry_schema_register(reg, subject, text, &id, err, sizeof(err)) != 0) {
                fprintf(stderr, "pipewright: schema register: %s: %s\n", schema_names[i], err);
                rc = CLI_EX_UNAVAILABLE;
            } else {
                printf("%s %ld\n", subject, (long)id);
            }
        }
    }
    registry_free(reg);
    return rc;
}

int
cli_schema_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"fingerprint", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int fingerprint = 0;
    int c;

    if (argc > 1 && strcmp(argv[1], "register") == 0) return register_all(argc - 1, argv + 1);
    optind = 1;
    while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            fingerprint = 1;
            break;
        case 'h':
            usage(stdout);
            return CLI_EX_OK;
        default:
            usage(stderr);
            return CLI_EX_USAGE;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "pipewright: schema: one schema name at most\n");
        return CLI_EX_USAGE;
    }
    if (optind == argc) {
        int rc = CLI_EX_OK;
        for (size_t i = 0; i < sizeof(schema_names) / sizeof(schema_names[0]); i++)
            if (print_fingerprint(schema_names[i], 1) != CLI_EX_OK) rc = CLI_EX_SOFTWARE;
        return rc;
    }

    const char *name = argv[optind];
    int known = 0;
    for (size_t i = 0; i < sizeof(schema_names) / sizeof(schema_names[0]); i++)
        if (strcmp(name, schema_names[i]) == 0) known = 1;
    if (!known) {
        fprintf(stderr, "pipewright: schema: unknown schema '%s' (requirement, report, audio)\n",
                name);
        return CLI_EX_USAGE;
    }
    if (fingerprint) return print_fingerprint(name, 0);

    const char *text = wire_schema_text(name);
    if (text == NULL) {
        fprintf(stderr, "pipewright: schema: '%s' is missing from this build\n", name);
        return CLI_EX_SOFTWARE;
    }
    fputs(text, stdout);
    if (text[0] != '\0' && text[strlen(text) - 1] != '\n') putchar('\n');
    return CLI_EX_OK;
}
