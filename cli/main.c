/* cli/main.c - `pipewright`: dispatch to a subcommand.
 *
 * The table below is the whole command surface; `pipewright --help` prints it.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

struct subcommand {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *summary;
};

static const struct subcommand subcommands[] = {
    {"publish", cli_publish_main, "publish a requirement event to Kafka; prints its event id"},
    {"watch", cli_watch_main, "wait for a request's report and audio; write them to a folder"},
    {"advise", cli_advise_main, "run the advisor offline on a requirement file (no Kafka)"},
    {"speak", cli_speak_main, "synthesise text to Ogg Opus or WAV (no Kafka)"},
    {"topics", cli_topics_main, "create or list pipewright's Kafka topics"},
    {"schema", cli_schema_main, "print the Avro schemas and their fingerprints"},
};

static void
usage(FILE *f)
{
    fprintf(f, "usage: pipewright COMMAND [OPTIONS]\n\n"
               "Ask pipewright for a data-engineering architecture, through Kafka or offline.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
        fprintf(f, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(f, "\n'pipewright COMMAND --help' describes a command's options.\n");
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EX_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_EX_OK;
    }
    for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].main(argc - 1, argv + 1);
    fprintf(stderr, "pipewright: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EX_USAGE;
}
