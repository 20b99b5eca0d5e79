/* daemon/config.c - the configuration table and its parser. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

enum opt_type { OPT_STR = 0, OPT_INT, OPT_BOOL };

struct option_row {
    const char *name; /* flag --name, file key name, env PIPEWRIGHT_NAME */
    enum opt_type type;
    size_t offset; /* into struct config */
    const char *def;
    long min, max; /* bounds for OPT_INT */
    const char *help;
};

#define STR(f, d, h)                                                                               \
    {                                                                                              \
#f, OPT_STR, offsetof(struct config, f), d, 0, 0, h                                        \
    }
#define INT(f, d, lo, hi, h)                                                                       \
    {                                                                                              \
#f, OPT_INT, offsetof(struct config, f), d, lo, hi, h                                      \
    }
#define BOOL(f, d, h)                                                                              \
    {                                                                                              \
#f, OPT_BOOL, offsetof(struct config, f), d, 0, 1, h                                       \
    }

static const struct option_row rows[] = {
    {"kafka", OPT_STR, offsetof(struct config, kafka_mode), "external", 0, 0,
     "external: connect to --brokers; embedded: run librdkafka's mock cluster in the process"},
    STR(brokers, "127.0.0.1:9092", "Kafka bootstrap servers, HOST:PORT[,HOST:PORT...]"),
    STR(bootstrap_file, "", "embedded mode: write the mock cluster's bootstrap address here"),
    {"redis", OPT_STR, offsetof(struct config, redis_url), "redis://127.0.0.1:6379", 0, 0,
     "Redis URL, redis://[user:password@]host:port[/db]; for a Redis Cluster (detected) one"
     " node is enough, or a comma list of seeds, URL,URL..."},
    {"http", OPT_STR, offsetof(struct config, http_addr), "127.0.0.1:8080", 0, 0,
     "HTTP listen address for /healthz, /readyz and /metrics; empty to disable"},
    STR(http_token, "",
        "bearer token required by /v1/* (the page asks for it; secret: prefer the file)"),
    STR(http_token_file, "", "read the bearer token from this file (e.g. a mounted secret)"),
    STR(http_tenants_file, "",
        "tenancy: lines 'TENANT TOKEN'; such a token sees only projects named TENANT:..."),
    STR(schema_registry_url, "",
        "schema registry (Confluent API): register the schemas at start, write reports and audio"
        " Confluent-framed, resolve foreign writer schemas; empty: single-object encoding"),
    STR(schema_registry_user, "", "schema registry basic-auth user (e.g. an API key)"),
    STR(schema_registry_password, "",
        "schema registry basic-auth password (secret: prefer the file or"
        " PIPEWRIGHT_SCHEMA_REGISTRY_PASSWORD)"),
    STR(schema_registry_password_file, "", "read the schema registry password from this file"),
    INT(schema_registry_timeout_ms, "5000", 100, 60000,
        "connect and total timeout of one registry request (a schema-id miss blocks intake"
        " this long at most)"),
    STR(group, "pipewright", "Kafka consumer group id"),
    STR(topic_prefix, "pipewright",
        "topics are PREFIX.requirements, PREFIX.reports, PREFIX.audio and PREFIX.dlq"),
    STR(instance_id, "", "stable name of this instance (transactional.id); default GROUP-HOSTNAME"),
    STR(default_voice, "espeak-ng:en-us", "voice for requests that name none, ENGINE:VOICE"),
    STR(log_level, "info", "debug, info, warn or error"),
    BOOL(log_json, "0", "log one JSON object per line instead of logfmt"),
    INT(workers, "0", 0, 64, "speech worker processes; 0 for one per core"),
    INT(batch_max, "500", 1, 100000, "requests answered per Kafka transaction at most"),
    INT(commit_interval_ms, "200", 10, 60000, "how long a transaction collects requests"),
    INT(max_in_flight, "16", 1, 100000,
        "requests processed at once before intake pauses (each open transaction waits for all"
        " of its requests' audio: keep it near 8 per speech worker)"),
    INT(audio_chunk_bytes, "524288", 1024, 900000, "audio bytes per audio message"),
    INT(speech_timeout_ms, "30000", 100, 600000, "a synthesis running longer is killed"),
    STR(speech_worker_exe, "/proc/self/exe",
        "program run as each speech worker (with --speech-worker): this daemon's own binary;"
        " name its path where /proc/self/exe is another program, as under valgrind"),
    INT(redis_timeout_ms, "2000", 10, 600000, "timeout of one Redis command"),
    INT(request_ttl_s, "86400", 60, 31536000,
        "seconds Redis keeps a request's status record (about 0.5 KB each)"),
    INT(report_ttl_s, "2592000", 60, 31536000,
        "seconds Redis keeps a project's latest report and audio (one per project)"),
    INT(event_ttl_s, "604800", 60, 31536000,
        "seconds an event id is remembered: a redelivery within it is answered never"),
    INT(startup_timeout_ms, "30000", 1000, 600000,
        "give up (exit 1, saying why) when Kafka is not usable within this at start"),
    INT(embedded_partitions, "3", 1, 1000, "embedded mode: partitions of each topic"),
};

static const char *
usage_text(void)
{
    return "usage: pipewrightd [--config FILE] [--OPTION VALUE]... [-X kafka.property=value]...\n\n"
           "Consume requirement events from Kafka, keep project state in Redis, and answer each\n"
           "with an architecture report and a spoken summary on the output topics, exactly once.\n\n"
           "Options (file key, flag --key or --key=value, environment PIPEWRIGHT_KEY):\n";
}

static void
print_help(FILE *f)
{
    fputs(usage_text(), f);
    for (size_t i = 0; i < PW_ARRAY_LEN(rows); i++) {
        char flag[64];
        snprintf(flag, sizeof(flag), "--%s", rows[i].name);
        for (char *p = flag + 2; *p; p++)
            if (*p == '_') *p = '-';
        fprintf(f, "  %-24s %s (default: %s)\n", flag, rows[i].help,
                rows[i].def[0] ? rows[i].def : "none");
    }
    fprintf(f, "  %-24s %s\n", "--config FILE",
            "read key = value lines; kafka.* keys go to librdkafka");
    fprintf(f, "  %-24s %s\n", "-X PROP=VALUE",
            "set a librdkafka property (e.g. security.protocol)");
    fprintf(f, "  %-24s %s\n", "--print-config", "print the effective configuration and exit");
    fprintf(f, "  %-24s %s\n", "--help", "print this help and exit");
    fprintf(f, "\nExit status: 0 after a graceful stop (SIGTERM, SIGINT), 1 on a fatal error,\n"
               "78 on a configuration error.\n");
}

/* Normalises a flag or env name to a row name ("commit-interval-ms" -> "commit_interval_ms"). */
static const struct option_row *
find_row(const char *name, size_t len)
{
    char key[64];
    if (len >= sizeof(key)) return NULL;
    for (size_t i = 0; i < len; i++) key[i] = name[i] == '-' ? '_' : (char)tolower(name[i]);
    key[len] = '\0';
    for (size_t i = 0; i < PW_ARRAY_LEN(rows); i++)
        if (strcmp(rows[i].name, key) == 0) return &rows[i];
    return NULL;
}

static int
set_value(struct config *cfg, const struct option_row *row, const char *value, const char *where)
{
    char *field = (char *)cfg + row->offset;
    if (row->type == OPT_STR) {
        char **s = (char **)field;
        free(*s);
        *s = xstrdup(value);
        return 0;
    }
    int *ip = (int *)field;
    if (row->type == OPT_BOOL) {
        if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes")) *ip = 1;
        else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no"))
            *ip = 0;
        else {
            fprintf(stderr, "pipewrightd: %s: %s must be true or false, not '%s'\n", where,
                    row->name, value);
            return -1;
        }
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < row->min || v > row->max) {
        fprintf(stderr, "pipewrightd: %s: %s must be an integer in [%ld, %ld], not '%s'\n", where,
                row->name, row->min, row->max, value);
        return -1;
    }
    *ip = (int)v;
    return 0;
}

static void
add_kafka_prop(struct config *cfg, const char *kv)
{
    cfg->kafka_props = xrealloc(cfg->kafka_props,
                                (size_t)(cfg->n_kafka_props + 1) * sizeof(char *));
    cfg->kafka_props[cfg->n_kafka_props++] = xstrdup(kv);
}

static char *
trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

static int
load_file(struct config *cfg, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "pipewrightd: config file %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int errors = 0, lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#') continue;
        char *eq = strchr(s, '=');
        char where[600];
        snprintf(where, sizeof(where), "%s:%d", path, lineno);
        if (eq == NULL) {
            fprintf(stderr, "pipewrightd: %s: expected 'key = value'\n", where);
            errors++;
            continue;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        if (strncmp(key, "kafka.", 6) == 0) {
            char kv[4200];
            snprintf(kv, sizeof(kv), "%s=%s", key + 6, value);
            add_kafka_prop(cfg, kv);
            continue;
        }
        const struct option_row *row = find_row(key, strlen(key));
        if (row == NULL) {
            fprintf(stderr, "pipewrightd: %s: unknown key '%s'\n", where, key);
            errors++;
        } else if (set_value(cfg, row, value, where) != 0) {
            errors++;
        }
    }
    fclose(f);
    return errors ? -1 : 0;
}

static int
load_tenants(struct config *cfg, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "pipewrightd: http_tenants_file %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int errors = 0, lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char *s = trim(line), *save = NULL;
        if (*s == '\0' || *s == '#') continue;
        char *name = strtok_r(s, " \t", &save), *token = strtok_r(NULL, " \t", &save);
        int bad = token == NULL || strtok_r(NULL, " \t", &save) != NULL || strlen(token) < 16;
        for (const char *c = name; !bad && *c; c++)
            bad = !((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_');
        if (bad) {
            fprintf(stderr,
                    "pipewrightd: %s:%d: expected 'TENANT TOKEN' (tenant of letters, digits,"
                    " - or _; token of 16 characters or more)\n",
                    path, lineno);
            errors++;
            continue;
        }
        cfg->tenant_names = xrealloc(cfg->tenant_names,
                                     (size_t)(cfg->n_tenants + 1) * sizeof(char *));
        cfg->tenant_tokens = xrealloc(cfg->tenant_tokens,
                                      (size_t)(cfg->n_tenants + 1) * sizeof(char *));
        cfg->tenant_names[cfg->n_tenants] = xstrdup(name);
        cfg->tenant_tokens[cfg->n_tenants++] = xstrdup(token);
    }
    fclose(f);
    return errors ? -1 : 0;
}

/* Replaces '*dst' with the first line of the file 'path' (trimmed), named 'option' in the
 * error, which says it cannot read '*what'. Returns 0 or -1. */
static int
read_secret(char **dst, const char *option, const char *path, const char *what)
{
    FILE *f = fopen(path, "r");
    char secret[512];
    int rc = 0;
    if (f == NULL || fgets(secret, sizeof(secret), f) == NULL) {
        fprintf(stderr, "pipewrightd: %s %s: cannot read a %s\n", option, path, what);
        rc = -1;
    } else {
        free(*dst);
        *dst = xstrdup(trim(secret));
    }
    if (f) fclose(f);
    return rc;
}

/* PIPEWRIGHT_<NAME> for every option. Returns the number of errors. */
static int
apply_env(struct config *cfg)
{
    int errors = 0;
    for (size_t i = 0; i < PW_ARRAY_LEN(rows); i++) {
        char env[80] = "PIPEWRIGHT_";
        size_t n = strlen(env);
        for (const char *p = rows[i].name; *p && n + 1 < sizeof(env); p++)
            env[n++] = (char)toupper((unsigned char)*p);
        env[n] = '\0';
        const char *v = getenv(env);
        if (v && *v && set_value(cfg, &rows[i], v, env) != 0) errors++;
    }
    return errors;
}

/* One option of the command line at argv[*i] (its value may be the next argument: *i moves
 * past it). Returns 0, or -1 after saying what is wrong. */
static int
apply_arg(struct config *cfg, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--print-config")) return 0;
    if (!strcmp(a, "--config")) {
        (*i)++;
        return 0;
    }
    if (!strncmp(a, "--config=", 9)) return 0;
    if (!strcmp(a, "-X")) {
        if (*i + 1 >= argc || strchr(argv[*i + 1], '=') == NULL) {
            fprintf(stderr, "pipewrightd: -X needs PROPERTY=VALUE\n");
            return -1;
        }
        add_kafka_prop(cfg, argv[++*i]);
        return 0;
    }
    if (strncmp(a, "--", 2) != 0) {
        fprintf(stderr, "pipewrightd: unexpected argument '%s'\n", a);
        return -1;
    }
    const char *name = a + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct option_row *row = find_row(name, len);
    if (row == NULL) {
        fprintf(stderr, "pipewrightd: unknown option '%.*s' (see --help)\n", (int)len + 2, a);
        return -1;
    }
    const char *value = eq ? eq + 1 : NULL;
    if (value == NULL) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "pipewrightd: option --%.*s needs a value\n", (int)len, name);
            return -1;
        }
        value = argv[++*i];
    }
    return set_value(cfg, row, value, "command line");
}

/* What the options say together: secrets read from their files, combinations checked. Returns
 * the number of errors. */
static int
finish(struct config *cfg)
{
    int errors = 0;
    if (strcmp(cfg->kafka_mode, "external") && strcmp(cfg->kafka_mode, "embedded")) {
        fprintf(stderr, "pipewrightd: kafka must be 'external' or 'embedded', not '%s'\n",
                cfg->kafka_mode);
        errors++;
    }
    if (cfg->http_token_file[0] &&
        read_secret(&cfg->http_token, "http_token_file", cfg->http_token_file, "token") != 0)
        errors++;
    if (cfg->schema_registry_password_file[0] &&
        read_secret(&cfg->schema_registry_password, "schema_registry_password_file",
                    cfg->schema_registry_password_file, "password") != 0)
        errors++;
    const char *reg = cfg->schema_registry_url;
    if (reg[0] && strncmp(reg, "http://", 7) && strncmp(reg, "https://", 8)) {
        fprintf(stderr, "pipewrightd: schema_registry_url must start with http:// or https://\n");
        errors++;
    }
    if (cfg->schema_registry_password[0] && !cfg->schema_registry_user[0]) {
        fprintf(stderr, "pipewrightd: schema_registry_password is set without"
                        " schema_registry_user\n");
        errors++;
    }
    if (cfg->http_tenants_file[0] && load_tenants(cfg, cfg->http_tenants_file) != 0) errors++;
    return errors;
}

enum config_parse_result
config_parse(struct config *cfg, int argc, char **argv)
{
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < PW_ARRAY_LEN(rows); i++)
        set_value(cfg, &rows[i], rows[i].def, "default");

    int errors = 0, print = 0;
    const char *file = NULL;
    /* First pass: --help, --print-config and --config, so the file applies before flags. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            print_help(stdout);
            return CONFIG_EXIT_OK;
        }
        if (!strcmp(argv[i], "--print-config")) print = 1;
        if (!strcmp(argv[i], "--config") && i + 1 < argc) file = argv[i + 1];
        if (!strncmp(argv[i], "--config=", 9)) file = argv[i] + 9;
    }
    if (file == NULL) file = getenv("PIPEWRIGHT_CONFIG");
    if (file && *file && load_file(cfg, file) != 0) errors++;
    errors += apply_env(cfg);
    for (int i = 1; i < argc; i++)
        if (apply_arg(cfg, argc, argv, &i) != 0) errors++;
    errors += finish(cfg);
    if (errors) return CONFIG_ERROR;
    if (print) {
        config_print(cfg, stdout);
        return CONFIG_EXIT_OK;
    }
    return CONFIG_OK;
}

/* Masks the password of a redis://user:password@host URL, or of each of a comma list. */
static void
print_masked_url(FILE *f, const char *url)
{
    const char *comma = strchr(url, ',');
    if (comma && strncmp(url, "redis://", 8) == 0) {
        char *first = xstrndup(url, (size_t)(comma - url));
        print_masked_url(f, first);
        free(first);
        fputc(',', f);
        print_masked_url(f, comma + 1);
        return;
    }
    const char *at = strrchr(url, '@');
    const char *scheme_end = strstr(url, "://");
    const char *colon = scheme_end ? strchr(scheme_end + 3, ':') : NULL;
    if (at && colon && colon < at) fprintf(f, "%.*s:****%s", (int)(colon - url), url, at);
    else
        fputs(url, f);
}

static int
is_secret_prop(const char *kv)
{
    return strstr(kv, "password") || strstr(kv, "secret") ||
           strstr(kv, "sasl.oauthbearer.config") || strstr(kv, "ssl.key.pem");
}

void
config_print(const struct config *cfg, FILE *f)
{
    for (size_t i = 0; i < PW_ARRAY_LEN(rows); i++) {
        const char *field = (const char *)cfg + rows[i].offset;
        fprintf(f, "%s = ", rows[i].name);
        if (rows[i].type == OPT_STR) {
            const char *s = *(char *const *)field;
            if (rows[i].offset == offsetof(struct config, redis_url) ||
                rows[i].offset == offsetof(struct config, schema_registry_url))
                print_masked_url(f, s);
            else if ((rows[i].offset == offsetof(struct config, http_token) ||
                      rows[i].offset == offsetof(struct config, schema_registry_password)) &&
                     s[0])
                fputs("****", f);
            else
                fputs(s, f);
        } else {
            fprintf(f, "%d", *(const int *)field);
        }
        fputc('\n', f);
    }
    for (int i = 0; i < cfg->n_kafka_props; i++) {
        const char *kv = cfg->kafka_props[i];
        const char *eq = strchr(kv, '=');
        if (is_secret_prop(kv) && eq) fprintf(f, "kafka.%.*s = ****\n", (int)(eq - kv), kv);
        else if (eq)
            fprintf(f, "kafka.%.*s = %s\n", (int)(eq - kv), kv, eq + 1);
    }
}

void
config_fini(struct config *cfg)
{
    for (size_t i = 0; i < PW_ARRAY_LEN(rows); i++)
        if (rows[i].type == OPT_STR) {
            char **s = (char **)((char *)cfg + rows[i].offset);
            free(*s);
            *s = NULL;
        }
    for (int i = 0; i < cfg->n_kafka_props; i++) free(cfg->kafka_props[i]);
    free(cfg->kafka_props);
    for (int i = 0; i < cfg->n_tenants; i++) {
        free(cfg->tenant_names[i]);
        free(cfg->tenant_tokens[i]);
    }
    free(cfg->tenant_names);
    free(cfg->tenant_tokens);
    cfg->tenant_names = cfg->tenant_tokens = NULL;
    cfg->n_tenants = 0;
    cfg->kafka_props = NULL;
    cfg->n_kafka_props = 0;
}
