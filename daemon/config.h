/* daemon/config.h - pipewrightd's configuration: one table drives parsing, --help and
 * --print-config.
 *
 * Precedence: defaults < config file (--config FILE, "key = value" lines) < PIPEWRIGHT_* environment
 * variables < command-line flags. Keys starting with "kafka." (file) or given with -X (flags)
 * pass through to librdkafka, so SASL and TLS are configuration, not code. Every invalid key or
 * value is reported, together, before the daemon starts.
 */
#ifndef PW_DAEMON_CONFIG_H
#define PW_DAEMON_CONFIG_H

#include <stdio.h>

struct config {
    char *kafka_mode;               /* "external" or "embedded" (librdkafka's mock cluster) */
    char *schema_registry_url;      /* Confluent-compatible registry; empty for none */
    char *schema_registry_user;     /* basic auth (e.g. a Confluent Cloud API key) */
    char *schema_registry_password; /* secret: prefer the file or the environment */
    char *schema_registry_password_file;
    int schema_registry_timeout_ms; /* connect and total, per registry request */
    char *brokers;                  /* bootstrap.servers */
    char *bootstrap_file;           /* embedded mode: write the bootstrap address here */
    char *redis_url;
    char *http_addr;         /* ADDR:PORT, empty to disable */
    char *http_token;        /* bearer token for /v1 and the page; empty for none (secret) */
    char *http_token_file;   /* read http_token from this file instead */
    char *http_tenants_file; /* "TENANT TOKEN" lines: tokens that see only TENANT:* projects */
    char **tenant_names;     /* parsed from http_tenants_file, 'n_tenants' of each */
    char **tenant_tokens;
    int n_tenants;
    char *group;         /* consumer group id */
    char *topic_prefix;  /* topics are <prefix>.requirements, .reports, .audio, .dlq */
    char *instance_id;   /* stable per instance; the transactional.id derives from it */
    char *default_voice; /* ENGINE:VOICE */
    char *log_level;
    int log_json;
    int workers;             /* speech worker processes; 0 = one per core */
    int batch_max;           /* requests per transaction at most */
    int commit_interval_ms;  /* a transaction stays open at most this long while filling */
    int max_in_flight;       /* requests being processed at once (backpressure) */
    int audio_chunk_bytes;   /* audio bytes per message */
    int speech_timeout_ms;   /* a synthesis running longer kills its worker */
    char *speech_worker_exe; /* what each speech worker executes; /proc/self/exe by default */
    int redis_timeout_ms;    /* per Redis command */
    int startup_timeout_ms;  /* Kafka transactions must be ready within this at start */
    int request_ttl_s;       /* request records and report-id names in Redis */
    int report_ttl_s;        /* a project's latest report in Redis */
    int event_ttl_s;         /* how long an event id is remembered (the deduplication window) */
    int embedded_partitions; /* embedded mode: partitions per topic */
    char **kafka_props;      /* "key=value" passed to librdkafka, in order */
    int n_kafka_props;
};

enum config_parse_result { CONFIG_OK = 0, CONFIG_EXIT_OK, CONFIG_ERROR };

/* Fills 'cfg' from defaults, file, environment and 'argv'. CONFIG_EXIT_OK means --help or
 * --print-config was served; CONFIG_ERROR means every problem was printed on stderr. */
enum config_parse_result config_parse(struct config *cfg, int argc, char **argv);
void config_fini(struct config *cfg);
/* Prints the effective configuration with secrets masked. */
void config_print(const struct config *cfg, FILE *f);

#endif
