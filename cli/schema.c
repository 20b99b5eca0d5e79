/* cli/schema.c - `pipewright schema`: print the Avro schemas compiled into the binary.
 *
 * Shows exactly the contract this build speaks: the .avsc text of the requirement, report and
 * audio records, and the CRC-64-AVRO fingerprints of their Parsing Canonical Form that the
 * single-object encoding carries. It reads only what schemas/ exposes; no Kafka, no files.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"

static const char *const schema_names[] = {"requirement", "report", "audio"};

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: pipewright schema [requirement|report|audio] [--fingerprint]\n"
            "\n"
            "Print the Avro schemas this build reads and writes.\n"
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
            "Exit status: 0 ok, 64 usage error, 70 a schema is missing from the build.\n");
}

static int
print_fingerprint(const char *name, int with_name)
{
    uint64_t fp = wire_schema_fingerprint(name);

    if (fp == 0) {
        fprintf(stderr, "pipewright: schema: no fingerprint for '%s' in this build\n", name);
        return CLI_EX_SOFTWARE;
    }
    if (with_name)
        printf("%-12s %016" PRIx64 "\n", name, fp);
    else
        printf("%016" PRIx64 "\n", fp);
    return CLI_EX_OK;
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
