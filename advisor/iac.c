/* advisor/iac.c - Terraform for the chosen platform and a Graphviz DOT picture of the data flow.
 *
 * Owns the infrastructure-as-code starting point: encryption keys, the lake with its lifecycle
 * tiers and retention, the stream sized by size.c, and the catalog or warehouse where the provider
 * has a resource for it. The HCL is written the way `terraform fmt` leaves it: two-space indent,
 * '=' aligned across each run of single-line attributes, one blank line between top-level blocks.
 * It refuses to invent what it cannot know (network ids, secrets): those are variables. Pure.
 */
#include "render_int.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define HCL_MAX_PENDING 24

struct hcl {
    struct buf *out;
    int indent;
    const char *key[HCL_MAX_PENDING];
    const char *val[HCL_MAX_PENDING]; /* literals or arena strings: they outlive the flush */
    size_t n;
    struct arena *ar;
};

static void
pad(struct hcl *h)
{
    static const char spaces[] = "                                ";
    size_t n = (size_t)h->indent * 2;
    buf_append(h->out, spaces, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1);
}

static void
flush(struct hcl *h)
{
    size_t w = 0;
    for (size_t i = 0; i < h->n; i++)
        if (strlen(h->key[i]) > w) w = strlen(h->key[i]);
    static const char spaces[] = "                                                            ";
    for (size_t i = 0; i < h->n; i++) {
        pad(h);
        size_t k = strlen(h->key[i]);
        buf_append(h->out, h->key[i], k);
        buf_append(h->out, spaces, w - k < sizeof(spaces) - 1 ? w - k : sizeof(spaces) - 1);
        buf_puts(h->out, " = ");
        buf_puts(h->out, h->val[i]);
        buf_putc(h->out, '\n');
    }
    h->n = 0;
}

/* 'value' is HCL as written (quote strings yourself with qs()). */
static void
attr(struct hcl *h, const char *key, const char *value)
{
    if (h->n == HCL_MAX_PENDING) flush(h);
    h->key[h->n] = key;
    h->val[h->n++] = value;
}

static void
attrf(struct hcl *h, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
attrf(struct hcl *h, const char *key, const char *fmt, ...)
{
    char v[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    attr(h, key, arena_strdup_(h->ar, v));
}

static void
open_block(struct hcl *h, const char *header)
{
    flush(h);
    pad(h);
    buf_fmt_(h->out, "%s {\n", header);
    h->indent++;
}

static void
close_block(struct hcl *h)
{
    flush(h);
    h->indent--;
    pad(h);
    buf_puts(h->out, "}\n");
    if (h->indent == 0) buf_putc(h->out, '\n');
}

static void
blank(struct hcl *h)
{
    flush(h);
    buf_putc(h->out, '\n');
}

static void
comment(struct hcl *h, const char *text)
{
    flush(h);
    pad(h);
    buf_fmt_(h->out, "# %s\n", text);
}

static void
variable(struct hcl *h, const char *name, const char *type, const char *dflt, int sensitive)
{
    char header[96];
    snprintf(header, sizeof(header), "variable \"%s\"", name);
    open_block(h, header);
    attr(h, "type", type);
    if (dflt) attr(h, "default", dflt);
    if (sensitive) attr(h, "sensitive", "true");
    close_block(h);
}

static const char *
slug(struct analysis *an)
{
    const char *id = an->p.req.project_id ? an->p.req.project_id : "pipewright";
    char s[41];
    size_t n = 0;
    for (const char *c = id; *c && n < sizeof(s) - 1; c++) {
        unsigned char ch = (unsigned char)tolower((unsigned char)*c);
        if (isalnum(ch)) s[n++] = (char)ch;
        else if (n && s[n - 1] != '-') s[n++] = '-';
    }
    while (n && s[n - 1] == '-') n--;
    s[n] = '\0';
    if (n < 3 || !isalpha((unsigned char)s[0])) return arena_printf_(&an->ar, "pw-%s", s);
    return arena_strdup_(&an->ar, s);
}

/* Words of a request that place its data in the EU (lower-case): each starts with "eu", so one
 * pass over the text finds them; "in the eu" is "eu" as a word after "in the ". */
static const char *const eu_words[] = {"eu region", "eu-based", "eu only", "eu data",
                                       "eu residency", "europe", "eu-central", "eu-west",
                                       "eu-north", "eu-south", "eu customers", "eu users"};

static int
says_eu(const char *text)
{
    for (const char *h = strstr(text, "eu"); h; h = strstr(h + 2, "eu")) {
        if (h > text && isalnum((unsigned char)h[-1])) continue;
        if (!isalpha((unsigned char)h[2]) && h - text >= 7 && strncmp(h - 7, "in the ", 7) == 0)
            return 1;
        for (size_t i = 0; i < sizeof(eu_words) / sizeof(eu_words[0]); i++)
            if (strncmp(h, eu_words[i], strlen(eu_words[i])) == 0) return 1;
    }
    return 0;
}

/* The first region a clouds.tsv cell names ("eu-central-1 or eu-west-1"), in Terraform's
 * spelling: lower case, no spaces ("West Europe" is "westeurope"). */
static const char *
first_region(struct analysis *an, const char *cell)
{
    char s[48];
    size_t n = 0;
    const char *end = strstr(cell, " or ");
    size_t len = end ? (size_t)(end - cell) : strlen(cell);
    for (size_t i = 0; i < len && n < sizeof(s) - 1; i++)
        if (cell[i] != ' ') s[n++] = (char)tolower((unsigned char)cell[i]);
    s[n] = '\0';
    return arena_strdup_(&an->ar, s);
}

/* The region the data must stay in: the EU region of the platform when GDPR applies or the
 * request places its data in the EU; NULL when nothing constrains it. The one place that
 * decides, so the Terraform, the controls and the report agree. */
const char *
region_(const struct analysis *an_c)
{
    struct analysis *an = (struct analysis *)an_c;
    const struct profile *p = &an->p;
    if (p->cloud == CLOUD_ON_PREM || p->cloud == CLOUD_ANY) return NULL;
    if (p->region) return p->region; /* named in the request or pinned by ITAR/GDPR */
    int eu = (p->regs && strstr(p->regs, ",gdpr,") != NULL) || (p->ctx_lc && says_eu(p->ctx_lc));
    if (!eu) return NULL;
    const char *cell = an->a->cloud[p->cloud].region_eu;
    return cell && *cell ? first_region(an, cell) : NULL;
}

static const char *
region_default(struct analysis *an, const char *dflt)
{
    const char *r = region_(an);
    return arena_printf_(&an->ar, "\"%s\"", r ? r : dflt);
}

static int
chosen(const struct analysis *an, const char *tech_id)
{
    for (size_t i = 0; i < an->n_dec; i++)
        if (an->dec[i].t && strcmp(an->dec[i].t->id, tech_id) == 0) return 1;
    return 0;
}

static const struct stream_unit *
unit_for(const struct analysis *an, const char *tech_id)
{
    for (size_t i = 0; i < an->sz.n_unit; i++)
        if (strcmp(an->sz.unit[i].d->t->id, tech_id) == 0) return &an->sz.unit[i];
    return NULL;
}

static void
providers(struct hcl *h, const char *name, const char *source, const char *version)
{
    open_block(h, "terraform");
    attr(h, "required_version", "\">= 1.5\"");
    open_block(h, "required_providers");
    char line[64];
    snprintf(line, sizeof(line), "%s =", name);
    open_block(h, line);
    attrf(h, "source", "\"%s\"", source);
    attrf(h, "version", "\"%s\"", version);
    close_block(h);
    close_block(h);
    close_block(h);
}

static long
days(double d)
{
    return (long)ceil(d - 1e-9);
}

static void
aws(struct analysis *an, struct hcl *h)
{
    const struct knobs *k = &an->a->k;
    providers(h, "aws", "hashicorp/aws", "~> 5.0");
    open_block(h, "provider \"aws\"");
    attr(h, "region", "var.region");
    close_block(h);
    variable(h, "region", "string", region_default(an, "us-east-1"), 0);
    variable(h, "project", "string", arena_printf_(h->ar, "\"%s\"", slug(an)), 0);
    open_block(h, "resource \"aws_kms_key\" \"lake\"");
    attr(h, "description", "\"Encrypts the lake and the stream\"");
    attr(h, "enable_key_rotation", "true");
    attr(h, "deletion_window_in_days", "30");
    close_block(h);
    open_block(h, "resource \"aws_s3_bucket\" \"lake\"");
    attr(h, "bucket", "\"${var.project}-lake\"");
    close_block(h);
    open_block(h, "resource \"aws_s3_bucket_public_access_block\" \"lake\"");
    attr(h, "bucket", "aws_s3_bucket.lake.id");
    attr(h, "block_public_acls", "true");
    attr(h, "block_public_policy", "true");
    attr(h, "ignore_public_acls", "true");
    attr(h, "restrict_public_buckets", "true");
    close_block(h);
    open_block(h, "resource \"aws_s3_bucket_versioning\" \"lake\"");
    attr(h, "bucket", "aws_s3_bucket.lake.id");
    open_block(h, "versioning_configuration");
    attr(h, "status", "\"Enabled\"");
    close_block(h);
    close_block(h);
    open_block(h, "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"lake\"");
    attr(h, "bucket", "aws_s3_bucket.lake.id");
    open_block(h, "rule");
    open_block(h, "apply_server_side_encryption_by_default");
    attr(h, "sse_algorithm", "\"aws:kms\"");
    attr(h, "kms_master_key_id", "aws_kms_key.lake.arn");
    close_block(h);
    attr(h, "bucket_key_enabled", "true");
    close_block(h);
    close_block(h);
    open_block(h, "resource \"aws_s3_bucket_lifecycle_configuration\" \"lake\"");
    attr(h, "bucket", "aws_s3_bucket.lake.id");
    blank(h);
    open_block(h, "rule");
    attr(h, "id", "\"landing\"");
    attr(h, "status", "\"Enabled\"");
    open_block(h, "filter");
    attr(h, "prefix", "\"landing/\"");
    close_block(h);
    open_block(h, "expiration");
    attrf(h, "days", "%ld", days(fmin(k->landing_days, an->p.retention_days)));
    close_block(h);
    close_block(h);
    blank(h);
    open_block(h, "rule");
    attr(h, "id", "\"lake\"");
    attr(h, "status", "\"Enabled\"");
    open_block(h, "filter");
    attr(h, "prefix", "\"lake/\"");
    close_block(h);
    if (an->p.retention_days > k->hot_days) {
        open_block(h, "transition");
        attrf(h, "days", "%ld", days(k->hot_days));
        attr(h, "storage_class", "\"STANDARD_IA\"");
        close_block(h);
    }
    open_block(h, "expiration");
    attrf(h, "days", "%ld", days(an->p.retention_days));
    close_block(h);
    close_block(h);
    close_block(h);
    open_block(h, "resource \"aws_glue_catalog_database\" \"lake\"");
    attr(h, "name", "replace(\"${var.project}_lake\", \"-\", \"_\")");
    close_block(h);
    if (chosen(an, "aws_athena") || chosen(an, "aws_athena_sql")) {
        open_block(h, "resource \"aws_athena_workgroup\" \"analytics\"");
        attr(h, "name", "\"${var.project}-analytics\"");
        blank(h);
        open_block(h, "configuration");
        attr(h, "enforce_workgroup_configuration", "true");
        attr(h, "bytes_scanned_cutoff_per_query", "1099511627776");
        open_block(h, "result_configuration");
        attr(h, "output_location", "\"s3://${aws_s3_bucket.lake.bucket}/athena-results/\"");
        open_block(h, "encryption_configuration");
        attr(h, "encryption_option", "\"SSE_KMS\"");
        attr(h, "kms_key_arn", "aws_kms_key.lake.arn");
        close_block(h);
        close_block(h);
        close_block(h);
        close_block(h);
    }
    const struct stream_unit *u = unit_for(an, "aws_kinesis");
    if (u) {
        open_block(h, "resource \"aws_kinesis_stream\" \"events\"");
        attr(h, "name", "\"${var.project}-events\"");
        attrf(h, "shard_count", "%ld", u->units);
        attr(h, "retention_period", "24");
        attr(h, "encryption_type", "\"KMS\"");
        attr(h, "kms_key_id", "aws_kms_key.lake.arn");
        blank(h);
        open_block(h, "stream_mode_details");
        attr(h, "stream_mode", "\"PROVISIONED\"");
        close_block(h);
        close_block(h);
    }
    if (chosen(an, "aws_msk") && an->sz.kafka_self) {
        variable(h, "subnet_ids", "list(string)", NULL, 0);
        variable(h, "security_group_ids", "list(string)", NULL, 0);
        char note[160];
        snprintf(note, sizeof(note),
                 "Topics: %ld partitions, replication factor %ld, min.insync.replicas %ld "
                 "(created by the topic tooling).",
                 an->sz.partitions, an->sz.rf, an->sz.min_insync);
        comment(h, note);
        open_block(h, "resource \"aws_msk_cluster\" \"events\"");
        attr(h, "cluster_name", "\"${var.project}-events\"");
        attr(h, "kafka_version", "\"3.6.0\"");
        attrf(h, "number_of_broker_nodes", "%ld", an->sz.brokers);
        blank(h);
        open_block(h, "broker_node_group_info");
        char type[64];
        snprintf(type, sizeof(type), "\"kafka.%s\"", an->sz.broker_type);
        for (char *c = type; *c; c++)
            if (*c == '_') *c = '.';
        attr(h, "instance_type", arena_strdup_(h->ar, type));
        attr(h, "client_subnets", "var.subnet_ids");
        attr(h, "security_groups", "var.security_group_ids");
        blank(h);
        open_block(h, "storage_info");
        open_block(h, "ebs_storage_info");
        attrf(h, "volume_size", "%ld",
              days(an->sz.broker_disk_gb / (double)(an->sz.brokers ? an->sz.brokers : 1)));
        close_block(h);
        close_block(h);
        close_block(h);
        blank(h);
        open_block(h, "encryption_info");
        attr(h, "encryption_at_rest_kms_key_arn", "aws_kms_key.lake.arn");
        blank(h);
        open_block(h, "encryption_in_transit");
        attr(h, "client_broker", "\"TLS\"");
        attr(h, "in_cluster", "true");
        close_block(h);
        close_block(h);
        close_block(h);
    }
}

static void
gcp(struct analysis *an, struct hcl *h)
{
    const struct knobs *k = &an->a->k;
    providers(h, "google", "hashicorp/google", "~> 6.0");
    open_block(h, "provider \"google\"");
    attr(h, "project", "var.gcp_project");
    attr(h, "region", "var.region");
    close_block(h);
    variable(h, "gcp_project", "string", NULL, 0);
    variable(h, "region", "string", region_default(an, "us-central1"), 0);
    variable(h, "project", "string", arena_printf_(h->ar, "\"%s\"", slug(an)), 0);
    open_block(h, "resource \"google_kms_key_ring\" \"lake\"");
    attr(h, "name", "\"${var.project}-lake\"");
    attr(h, "location", "var.region");
    close_block(h);
    open_block(h, "resource \"google_kms_crypto_key\" \"lake\"");
    attr(h, "name", "\"lake\"");
    attr(h, "key_ring", "google_kms_key_ring.lake.id");
    attr(h, "rotation_period", "\"7776000s\"");
    close_block(h);
    open_block(h, "resource \"google_storage_bucket\" \"lake\"");
    attr(h, "name", "\"${var.project}-lake\"");
    attr(h, "location", "var.region");
    attr(h, "uniform_bucket_level_access", "true");
    attr(h, "public_access_prevention", "\"enforced\"");
    blank(h);
    open_block(h, "encryption");
    attr(h, "default_kms_key_name", "google_kms_crypto_key.lake.id");
    close_block(h);
    if (an->p.retention_days > k->hot_days) {
        blank(h);
        open_block(h, "lifecycle_rule");
        open_block(h, "condition");
        attrf(h, "age", "%ld", days(k->hot_days));
        close_block(h);
        open_block(h, "action");
        attr(h, "type", "\"SetStorageClass\"");
        attr(h, "storage_class", "\"NEARLINE\"");
        close_block(h);
        close_block(h);
    }
    blank(h);
    open_block(h, "lifecycle_rule");
    open_block(h, "condition");
    attrf(h, "age", "%ld", days(an->p.retention_days));
    close_block(h);
    open_block(h, "action");
    attr(h, "type", "\"Delete\"");
    close_block(h);
    close_block(h);
    close_block(h);
    if (chosen(an, "gcp_pubsub")) {
        open_block(h, "resource \"google_pubsub_topic\" \"events\"");
        attr(h, "name", "\"${var.project}-events\"");
        attr(h, "kms_key_name", "google_kms_crypto_key.lake.id");
        attr(h, "message_retention_duration", "\"86400s\"");
        close_block(h);
        open_block(h, "resource \"google_pubsub_subscription\" \"processing\"");
        attr(h, "name", "\"${var.project}-processing\"");
        attr(h, "topic", "google_pubsub_topic.events.id");
        attr(h, "ack_deadline_seconds", "60");
        attr(h, "enable_exactly_once_delivery",
             (an->p.needs >> NEED_EXACTLY_ONCE) & 1 ? "true" : "false");
        close_block(h);
    }
    if (chosen(an, "gcp_bigquery") || chosen(an, "gcp_bq_dbt")) {
        open_block(h, "resource \"google_bigquery_dataset\" \"analytics\"");
        attr(h, "dataset_id", "\"analytics\"");
        attr(h, "location", "var.region");
        attrf(h, "default_partition_expiration_ms", "%.0f", an->p.retention_days * 86400000.0);
        blank(h);
        open_block(h, "default_encryption_configuration");
        attr(h, "kms_key_name", "google_kms_crypto_key.lake.id");
        close_block(h);
        close_block(h);
    }
}

static void
azure(struct analysis *an, struct hcl *h)
{
    const struct knobs *k = &an->a->k;
    providers(h, "azurerm", "hashicorp/azurerm", "~> 4.0");
    open_block(h, "provider \"azurerm\"");
    flush(h);
    pad(h);
    buf_puts(h->out, "features {}\n");
    close_block(h);
    variable(h, "location", "string", region_default(an, "eastus"), 0);
    variable(h, "project", "string", arena_printf_(h->ar, "\"%s\"", slug(an)), 0);
    open_block(h, "resource \"azurerm_resource_group\" \"data\"");
    attr(h, "name", "\"${var.project}-data\"");
    attr(h, "location", "var.location");
    close_block(h);
    open_block(h, "resource \"azurerm_storage_account\" \"lake\"");
    attr(h, "name", "substr(replace(\"${var.project}lake\", \"-\", \"\"), 0, 24)");
    attr(h, "resource_group_name", "azurerm_resource_group.data.name");
    attr(h, "location", "azurerm_resource_group.data.location");
    attr(h, "account_tier", "\"Standard\"");
    attr(h, "account_replication_type", "\"ZRS\"");
    attr(h, "account_kind", "\"StorageV2\"");
    attr(h, "is_hns_enabled", "true");
    attr(h, "min_tls_version", "\"TLS1_2\"");
    attr(h, "allow_nested_items_to_be_public", "false");
    close_block(h);
    open_block(h, "resource \"azurerm_storage_data_lake_gen2_filesystem\" \"lake\"");
    attr(h, "name", "\"lake\"");
    attr(h, "storage_account_id", "azurerm_storage_account.lake.id");
    close_block(h);
    open_block(h, "resource \"azurerm_storage_management_policy\" \"lake\"");
    attr(h, "storage_account_id", "azurerm_storage_account.lake.id");
    blank(h);
    open_block(h, "rule");
    attr(h, "name", "\"tiering\"");
    attr(h, "enabled", "true");
    open_block(h, "filters");
    attr(h, "blob_types", "[\"blockBlob\"]");
    close_block(h);
    open_block(h, "actions");
    open_block(h, "base_blob");
    if (an->p.retention_days > k->hot_days)
        attrf(h, "tier_to_cool_after_days_since_modification_greater_than", "%ld",
              days(k->hot_days));
    attrf(h, "delete_after_days_since_modification_greater_than", "%ld",
          days(an->p.retention_days));
    close_block(h);
    close_block(h);
    close_block(h);
    close_block(h);
    const struct stream_unit *u = unit_for(an, "az_eventhubs");
    if (u == NULL) u = unit_for(an, "az_debezium");
    if (u == NULL) u = unit_for(an, "az_eh_capture");
    if (u) {
        open_block(h, "resource \"azurerm_eventhub_namespace\" \"events\"");
        attr(h, "name", "\"${var.project}-events\"");
        attr(h, "location", "azurerm_resource_group.data.location");
        attr(h, "resource_group_name", "azurerm_resource_group.data.name");
        attr(h, "sku", "\"Standard\"");
        attrf(h, "capacity", "%ld", u->units < 20 ? u->units : 20);
        attr(h, "minimum_tls_version", "\"1.2\"");
        close_block(h);
        open_block(h, "resource \"azurerm_eventhub\" \"events\"");
        attr(h, "name", "\"events\"");
        attr(h, "namespace_id", "azurerm_eventhub_namespace.events.id");
        attrf(h, "partition_count", "%ld", an->sz.partitions ? an->sz.partitions : 4);
        attrf(h, "message_retention", "%ld", days(k->kafka_retention_days));
        close_block(h);
    }
    if (chosen(an, "az_adf_shir") || chosen(an, "az_adf_orch") || chosen(an, "az_adf_saas") ||
        chosen(an, "az_adf_files")) {
        open_block(h, "resource \"azurerm_data_factory\" \"pipelines\"");
        attr(h, "name", "\"${var.project}-adf\"");
        attr(h, "location", "azurerm_resource_group.data.location");
        attr(h, "resource_group_name", "azurerm_resource_group.data.name");
        blank(h);
        open_block(h, "identity");
        attr(h, "type", "\"SystemAssigned\"");
        close_block(h);
        close_block(h);
    }
}

static void
s3_compatible(struct analysis *an, struct hcl *h)
{
    providers(h, "minio", "aminueza/minio", "~> 3.0");
    open_block(h, "provider \"minio\"");
    attr(h, "minio_server", "var.s3_endpoint");
    attr(h, "minio_user", "var.s3_access_key");
    attr(h, "minio_password", "var.s3_secret_key");
    attr(h, "minio_ssl", "true");
    close_block(h);
    variable(h, "s3_endpoint", "string", NULL, 0);
    variable(h, "s3_access_key", "string", NULL, 1);
    variable(h, "s3_secret_key", "string", NULL, 1);
    variable(h, "project", "string", arena_printf_(h->ar, "\"%s\"", slug(an)), 0);
    open_block(h, "resource \"minio_s3_bucket\" \"lake\"");
    attr(h, "bucket", "\"${var.project}-lake\"");
    attr(h, "acl", "\"private\"");
    close_block(h);
    open_block(h, "resource \"minio_s3_bucket_versioning\" \"lake\"");
    attr(h, "bucket", "minio_s3_bucket.lake.bucket");
    blank(h);
    open_block(h, "versioning_configuration");
    attr(h, "status", "\"Enabled\"");
    close_block(h);
    close_block(h);
    open_block(h, "resource \"minio_ilm_policy\" \"lake\"");
    attr(h, "bucket", "minio_s3_bucket.lake.bucket");
    blank(h);
    open_block(h, "rule");
    attr(h, "id", "\"retention\"");
    attrf(h, "expiration", "\"%ldd\"", days(an->p.retention_days));
    close_block(h);
    close_block(h);
}

static void
dot_escape(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') buf_putc(b, '\\');
        buf_putc(b, *s);
    }
}

static void
dot_node(struct buf *b, const char *id, const char *label, const char *sub, const char *shape)
{
    buf_fmt_(b, "  %s [label=\"", id);
    dot_escape(b, label);
    if (sub) {
        buf_puts(b, "\\n");
        dot_escape(b, sub);
    }
    buf_fmt_(b, "\"%s%s];\n", shape ? ", shape=" : "", shape ? shape : "");
}

static void
diagram(struct analysis *an)
{
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "digraph pipeline {\n  rankdir=LR;\n"
                 "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n");
    const struct profile *p = &an->p;
    size_t n = p->n_src < 12 ? p->n_src : 12;
    for (size_t i = 0; i < n; i++) {
        char id[16], sub[96];
        snprintf(id, sizeof(id), "src%zu", i);
        struct buf g;
        buf_init(&g);
        fmt_num_(&g, p->src[i].gb_day);
        snprintf(sub, sizeof(sub), "%s, %s GB/day", source_kind_name(p->src[i].kind), g.data);
        buf_fini(&g);
        dot_node(&b, id, p->src[i].name, sub, "cylinder");
    }
    const struct decision *sp = decision_find_(an, "stream_processing");
    const struct decision *tr = decision_find_(an, "transformation");
    const struct decision *st = decision_find_(an, "storage");
    const struct decision *wh = decision_find_(an, "warehouse");
    const struct decision *orch = decision_find_(an, "orchestration");
    size_t ing = 0;
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (strcmp(d->area, "ingestion") != 0) continue;
        char id[16];
        snprintf(id, sizeof(id), "ing%zu", ing++);
        dot_node(&b, id, d->choice, NULL, NULL);
        for (size_t s = 0; s < n; s++)
            if (d->src_mask & (1ull << s)) buf_fmt_(&b, "  src%zu -> %s;\n", s, id);
        if (sp && strcmp(d->t->family, "inplace") != 0) buf_fmt_(&b, "  %s -> proc;\n", id);
        else buf_fmt_(&b, "  %s -> lake;\n", id);
    }
    if (sp) {
        dot_node(&b, "proc", sp->choice, "stream processing", NULL);
        buf_puts(&b, "  proc -> lake;\n");
    }
    if (st) dot_node(&b, "lake", st->choice, "storage", "folder");
    if (tr) {
        dot_node(&b, "transform", tr->choice, "transformation", NULL);
        buf_puts(&b, "  lake -> transform;\n");
    }
    if (wh) {
        dot_node(&b, "warehouse", wh->choice, "warehouse", NULL);
        buf_puts(&b, tr ? "  transform -> warehouse;\n" : "  lake -> warehouse;\n");
    }
    size_t sv = 0;
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (strcmp(d->area, "serving") != 0) continue;
        char id[16];
        snprintf(id, sizeof(id), "serve%zu", sv++);
        dot_node(&b, id, d->choice, d->subject, "component");
        int online = d->subject && (strstr(d->subject, "online") || strstr(d->subject, "search") ||
                                    strstr(d->subject, "operational"));
        if (online && sp) buf_fmt_(&b, "  proc -> %s;\n", id);
        else buf_fmt_(&b, "  %s -> %s;\n", wh ? "warehouse" : "lake", id);
    }
    if (orch && tr) {
        dot_node(&b, "orch", orch->choice, "orchestration", "note");
        buf_puts(&b, "  orch -> transform [style=dashed];\n");
    }
    buf_puts(&b, "}\n");
    an->dot = arena_strdup_(&an->ar, b.data);
    buf_fini(&b);
}

void
iac_(struct analysis *an)
{
    struct buf b;
    buf_init(&b);
    struct hcl h = {.out = &b, .ar = &an->ar};
    switch (an->p.cloud) {
    case CLOUD_AWS: aws(an, &h); break;
    case CLOUD_GCP: gcp(an, &h); break;
    case CLOUD_AZURE: azure(an, &h); break;
    default: s3_compatible(an, &h); break;
    }
    /* One trailing newline, as terraform fmt leaves a file. */
    while (b.len >= 2 && b.data[b.len - 1] == '\n' && b.data[b.len - 2] == '\n')
        b.data[--b.len] = '\0';
    an->terraform = arena_strdup_(&an->ar, b.data ? b.data : "");
    buf_fini(&b);
    diagram(an);
}
