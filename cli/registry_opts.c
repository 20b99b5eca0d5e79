/* cli/registry_opts.c - parsing of the shared registry options and opening the client. */
#include "registry_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cli_registry_option(struct cli_registry *r, int opt, const char *arg)
{
    switch (opt) {
    case CLI_OPT_REGISTRY:
        r->url = arg;
        return 1;
    case CLI_OPT_REGISTRY_USER:
        r->user = arg;
        return 1;
    case CLI_OPT_REGISTRY_PASSWORD_FILE:
        r->password_file = arg;
        return 1;
    default:
        return 0;
    }
}

/* The first line of 'path', without its line end, into 'out'. */
static int
read_secret(const char *path, char *out, size_t out_size)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) return -1;
    int ok = fgets(out, (int)out_size, f) != NULL;
    fclose(f);
    if (!ok) return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

struct registry *
cli_registry_open(const struct cli_registry *r, const char *cmd)
{
    char password[512] = "", err[512];
    const char *user = r->user != NULL ? r->user : getenv("PIPEWRIGHT_SCHEMA_REGISTRY_USER");
    const char *env = getenv("PIPEWRIGHT_SCHEMA_REGISTRY_PASSWORD");
    if (r->password_file != NULL) {
        if (read_secret(r->password_file, password, sizeof(password)) != 0) {
            fprintf(stderr, "pipewright: %s: --registry-password-file %s: %s\n", cmd,
                    r->password_file, errno ? strerror(errno) : "empty");
            return NULL;
        }
    } else if (env != NULL) {
        snprintf(password, sizeof(password), "%s", env);
    }
    struct registry_config cfg = {r->url, user, password, CLI_REGISTRY_TIMEOUT_MS};
    struct registry *reg = registry_new(&cfg, err, sizeof(err));
    memset(password, 0, sizeof(password));
    if (reg == NULL) fprintf(stderr, "pipewright: %s: %s\n", cmd, err);
    return reg;
}
