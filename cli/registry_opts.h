/* cli/registry_opts.h - the schema registry options that schema, publish and watch share.
 *
 * --registry URL names a Confluent-compatible registry; basic authentication takes
 * --registry-user (or $PIPEWRIGHT_SCHEMA_REGISTRY_USER) and a password that is never a command
 * line argument, where other users could read it: --registry-password-file FILE or
 * $PIPEWRIGHT_SCHEMA_REGISTRY_PASSWORD. Single-threaded, like every subcommand.
 */
#ifndef PW_CLI_REGISTRY_OPTS_H
#define PW_CLI_REGISTRY_OPTS_H

#include <getopt.h>

#include "registry.h"

/* One registry request waits at most this long. */
#define CLI_REGISTRY_TIMEOUT_MS 10000

/* getopt_long values of the shared options, clear of every subcommand's own. */
enum { CLI_OPT_REGISTRY = 400, CLI_OPT_REGISTRY_USER, CLI_OPT_REGISTRY_PASSWORD_FILE };

#define CLI_REGISTRY_LONG_OPTIONS                                                                  \
    {"registry", required_argument, NULL, CLI_OPT_REGISTRY},                                       \
        {"registry-user", required_argument, NULL, CLI_OPT_REGISTRY_USER},                         \
    {                                                                                              \
        "registry-password-file", required_argument, NULL, CLI_OPT_REGISTRY_PASSWORD_FILE          \
    }

/* The --help lines of the shared options. */
#define CLI_REGISTRY_HELP                                                                          \
    "      --registry URL    schema registry (Confluent REST API), e.g.\n"                         \
    "                        http://HOST:8081 or .../apis/ccompat/v7\n"                            \
    "      --registry-user U basic-auth user (default: $PIPEWRIGHT_SCHEMA_REGISTRY_USER)\n"        \
    "      --registry-password-file F  basic-auth password from F (default:\n"                     \
    "                        $PIPEWRIGHT_SCHEMA_REGISTRY_PASSWORD)\n"

struct cli_registry {
    const char *url;
    const char *user;
    const char *password_file;
};

/* Takes option 'opt' when it is one of the shared ones: returns 1 when taken, 0 when not. */
int cli_registry_option(struct cli_registry *r, int opt, const char *arg);

/* Opens the client for 'r' (url set), reading the password. Returns NULL after printing why,
 * prefixed with 'cmd'. */
struct registry *cli_registry_open(const struct cli_registry *r, const char *cmd);

#endif
