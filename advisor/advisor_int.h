/* advisor/advisor_int.h - shared types of the advisor's stages (internal to advisor/).
 *
 * The engine runs in stages, one file each: knowledge.c loads the data files into
 * 'struct advisor'; profile.c normalises the requirement (extraction, defaults, assumptions);
 * decide.c picks the processing mode and scores the catalog per area; size.c and cost.c do the
 * arithmetic; risk.c and quality.c select risks, steps, controls and quality rules; iac.c writes
 * Terraform and DOT; render.c writes Markdown, JSON and the audio script; history.c compares with
 * the previous version. Everything a run produces lives in one 'struct analysis' and its arena,
 * freed in one call. Pure: no I/O, no clock, no globals. Internal symbols end in '_'.
 */
#ifndef PW_ADVISOR_ADVISOR_INT_H
#define PW_ADVISOR_ADVISOR_INT_H

#include <stdarg.h>
#include <stddef.h>

#include "advisor.h"
#include "buf.h"
#include "extract.h"
#include "bounds.h"
#include "requirement.h"
#include "xalloc.h"

enum cloud { CLOUD_AWS = 0, CLOUD_GCP, CLOUD_AZURE, CLOUD_ON_PREM, CLOUD_ANY, CLOUD_COUNT };
enum mode { MODE_BATCH = 0, MODE_MICRO_BATCH, MODE_STREAMING, MODE_COUNT };
enum crit {
    CRIT_LATENCY = 0,
    CRIT_SCALE,
    CRIT_COST,
    CRIT_OPS,
    CRIT_SKILLS,
    CRIT_LOCKIN,
    CRIT_COUNT
};
enum origin { ORIGIN_GIVEN = 0, ORIGIN_EXTRACTED, ORIGIN_ASSUMED, ORIGIN_DERIVED };

/* What kind of work the request asks for; each gets the plan its kind needs. */
enum request_kind {
    KIND_GREENFIELD = 0, /* a new pipeline */
    KIND_MIGRATION,      /* move existing jobs or a warehouse to another platform */
    KIND_COST_REDUCTION, /* cut the bill of an existing estate (tiering, compaction) */
    KIND_CDC,            /* replicate database changes, with updates and deletes */
    KIND_ADD_CONSUMER,   /* a new consumer or output on an existing pipeline */
    KIND_COUNT
};

/* Operating constraints of the team, from the text or the team's size and skills. */
enum constraint {
    CONSTRAINT_NO_SERVERS = 0, /* nothing to patch or run: serverless or SaaS only */
    CONSTRAINT_NO_ONCALL,      /* nobody carries a pager */
    CONSTRAINT_NO_SELF_KAFKA,  /* no self-run Kafka cluster */
    CONSTRAINT_COUNT
};

/* What the request needs beyond moving data; set from consumers and from hints.tsv. */
enum need {
    NEED_BI = 0,
    NEED_SEARCH,
    NEED_ONLINE,
    NEED_OPERATIONAL,
    NEED_ML,
    NEED_EXACTLY_ONCE,
    NEED_STATEFUL,
    NEED_AUDIT,
    NEED_ARCHIVE, /* long retention of objects rarely read: cold storage classes win */
    NEED_COUNT
};

/* A data file split into cells: 'mem' owns the text, cells point into it. */
struct table {
    char *mem;
    const char **cell; /* rows x cols, row-major */
    size_t rows, cols;
};

struct tech {
    const char *id, *area, *name, *why;
    const char *requires; /* "-" or conditions, see catalog.tsv */
    const char *skills;   /* "-" or comma list */
    const char *stack;    /* "-" or comma list */
    const char *family;   /* "kafka", "kinesis", "pubsub", "inplace" or "-" */
    unsigned clouds;      /* 1 << enum cloud */
    unsigned modes;       /* 1 << enum mode */
    unsigned kinds;       /* 1 << enum source_kind; 0 for all */
    double min_gb, max_gb;
    int score[CRIT_COUNT]; /* 1-5; CRIT_SKILLS is computed per request */
    size_t *cost_rows;     /* its rows of costrules.tsv (indices into advisor.cost), in order */
    size_t n_cost_rows;
};

struct price {
    const char *id, *cloud, *service, *unit, *src, *source, *date;
    double usd;
    double usd_high;          /* the high end of the price's basis (= usd unless a range) */
    double from;              /* a volume tier "id.N": the rate from N units on, else 0 */
    const struct price *tier; /* the next volume tier of this price, or NULL */
};

struct costrule {
    const char *tech, *model, *price, *label;
    double param;
};

struct constant {
    const char *name, *unit, *source;
    double value;
};

/* A row of controls.tsv, risks.tsv or steps.tsv: when it applies, and its texts. */
struct textrule {
    const char *when;
    const char *text;       /* control, risk or step */
    const char *source;     /* controls: basis */
    const char *likelihood; /* risks */
    const char *impact;     /* risks */
    const char *mitigation; /* risks */
    const char *signal;     /* risks */
    const char *effort;     /* steps */
};

struct hint {
    const char *kind, *token, *value;
};

struct cloudinfo {
    const char *name, *kms, *iam, *audit, *region_eu, *provider;
};

/* Named constants the stages read directly; each must be a row of constants.tsv. Left as
 * written: clang-format would take the list for one long call chain. */
/* clang-format off */
#define ADVISOR_KNOBS(X)                                                                           \
    X(month_hours) X(days_per_month) X(peak_to_avg) X(kafka_partition_produce_mbps)                \
    X(kafka_partition_consume_mbps) X(kafka_events_per_partition) X(kafka_partition_headroom)     \
    X(kafka_partition_multiple) X(kafka_partition_min) X(kafka_replication_factor)                \
    X(kafka_min_insync) X(kafka_retention_days) X(kafka_disk_headroom) X(kafka_broker_multiple)   \
    X(kafka_min_brokers) X(kafka_max_brokers_per_type) X(kinesis_shard_mbps)                      \
    X(kinesis_shard_records) X(eventhubs_tu_mbps) X(eventhubs_tu_events)                          \
    X(eventhubs_max_partitions) X(stream_mbps_per_vcpu) X(stream_events_per_vcpu)                 \
    X(stateful_mbps_per_vcpu) X(stateful_events_per_vcpu) X(stream_headroom) X(stream_min_vcpu)   \
    X(stream_min_workers) X(stream_driver_nodes) X(batch_gb_per_vcpu_hour)                        \
    X(columnar_compression) X(landing_compression) X(landing_days) X(binary_object_bytes)         \
    X(hot_days) X(planning_month) X(scan_reads_per_month) X(warehouse_active_hours)               \
    X(adf_tables_per_source) X(online_ops_per_shard) X(online_min_nodes) X(search_nodes)          \
    X(search_replicas) X(freshness_batch_s) X(freshness_stream_s) X(small_volume_gb)              \
    X(large_volume_gb) X(default_freshness_s) X(default_retention_days) X(default_record_bytes)   \
    X(default_volume_gb) X(default_saas_volume_gb) X(default_team_size) X(default_availability)   \
    X(spot_discount)                                                                              \
    X(commit_discount) X(scan_pruning) X(budget_tight_usd) X(team_small) X(team_medium)           \
    X(ha_availability) X(long_retention_days) X(reuse_bonus) X(native_bonus) X(tape_cartridge_tb) \
    X(erasure_overhead) X(tape_copies) X(shard_headroom) X(bi_viewers) X(lake_objects_mb)    \
    X(audit_reads_per_year) X(compaction_gb_per_vcpu_hour) X(parallel_run_months)                \
    X(compute_awake_hours) X(compute_scan_cut) X(bq_active_share) X(bq_slot_h_per_tib)            \
    X(bq_baseline_step) X(warehouse_min_hours) X(warehouse_unit_vcpu) X(reader_minutes)          \
    X(warehouse_size_tb) X(warehouse_resume_minutes) X(dms_micro_max_gb)                          \
    X(eventhubs_namespace_tu)
/* clang-format on */

struct knobs {
#define KNOB_FIELD_(n) double n;
    ADVISOR_KNOBS(KNOB_FIELD_)
#undef KNOB_FIELD_
};

/* Published quotas and per-unit limits sizing must respect; each a row of limits.tsv. Left as
 * written, like ADVISOR_KNOBS. */
/* clang-format off */
#define ADVISOR_LIMITS(X)                                                                          \
    X(kinesis_shard_in_mbps) X(kinesis_shard_in_records) X(kinesis_shard_out_mbps)               \
    X(kinesis_shards_per_account) X(eventhubs_tu_in_mbps) X(eventhubs_tu_in_events)              \
    X(eventhubs_tu_out_mbps) X(eventhubs_max_tu_standard) X(eventhubs_partitions_standard)       \
    X(eventhubs_partitions_premium) X(eventhubs_max_pu_premium) X(msk_broker_storage_max_gib)    \
    X(msk_brokers_per_cluster) X(msk_partitions_per_broker) X(msk_serverless_partition_mbps)     \
    X(msk_serverless_cluster_mbps) X(pubsub_message_mb) X(pubsub_ordering_key_mbps)              \
    X(bigquery_ondemand_slots) X(bigquery_write_api_mbps) X(redshift_serverless_base_rpu)        \
    X(lambda_concurrency) X(s3_lifecycle_min_kb) X(eventhubs_pu_planning_mbps)
/* clang-format on */

struct limits {
#define LIMIT_FIELD_(n) double n;
    ADVISOR_LIMITS(LIMIT_FIELD_)
#undef LIMIT_FIELD_
};

/* A row of levers.tsv: how a lever's saving is worked out and said. */
enum lever_kind { LEVER_SHARE = 0, LEVER_TIERING, LEVER_SCHEDULER, LEVER_RETENTION };
#define LEVER_MAX_MODELS 4
struct lever_rule {
    const char *id, *text;
    enum lever_kind kind;
    const char *area;                    /* the lines of this catalog area only, or NULL */
    const char *model[LEVER_MAX_MODELS]; /* their costrules.tsv models, or "always_on" */
    size_t n_model;
    double rate;      /* share: the part of the lines saved (a constants.tsv value) */
    double threshold; /* tiering: archive minimum days; scheduler: budget share; retention: days */
};

/* A line of a Terraform template (advisor/data/iac_*.tf; see iac_template.c). */
enum iac_op { IAC_TEXT = 0, IAC_IF, IAC_ELSE, IAC_END };
struct iac_line {
    enum iac_op op;
    int fields;       /* IAC_TEXT: it has {fields} to fill */
    const char *text; /* IAC_TEXT: the line without its indent; IAC_IF: the condition */
    size_t len;       /* of an IAC_TEXT line */
};
struct iac_template {
    char *mem; /* the template's text, split into lines */
    struct iac_line *line;
    size_t n;
};
#define ADVISOR_IAC_TEMPLATES 4 /* AWS, Google Cloud, Azure, S3-compatible (on premises) */
#define IAC_MAX_DEPTH 8         /* '%if' nesting */

#define ADVISOR_MAX_BROKER_TYPES 8
#define ADVISOR_MAX_AREAS 32

/* The catalog rows of one area, in file order (ties go to the first). */
struct area_list {
    const char *area;
    size_t *idx;
    size_t n;
};

struct advisor {
    struct table t_catalog, t_price, t_cost, t_const, t_controls, t_risks, t_steps, t_hints,
        t_clouds;
    struct tech *tech;
    size_t n_tech;
    struct price *price;
    size_t n_price;
    const struct price **price_by_id; /* the same rows sorted by id, for price_find_() */
    struct costrule *cost;
    size_t n_cost;
    struct constant *konst;
    size_t n_const;
    struct textrule *control, *risk, *step;
    size_t n_control, n_risk, n_step;
    struct hint *hint;
    size_t n_hint;
    struct cloudinfo cloud[CLOUD_COUNT];
    struct knobs k;
    const char *pricebook_date; /* the latest dated row of the price book */
    const char *broker_type[ADVISOR_MAX_BROKER_TYPES];
    double broker_mibps[ADVISOR_MAX_BROKER_TYPES];
    size_t n_broker_types;
    struct area_list areas[ADVISOR_MAX_AREAS];
    size_t n_areas;
    struct extract_lexicon *lex; /* the free-text extractor's word lists */
    struct table t_limits, t_costcues;
    struct limits lim;    /* limits.tsv */
    struct hint *costcue; /* costcues.tsv: budget scope and existing-capacity words */
    size_t n_costcue;
    struct iac_template iac[ADVISOR_IAC_TEMPLATES]; /* by iac_template_of_() */
    struct table t_levers;
    struct lever_rule *lever; /* levers.tsv, in file order */
    size_t n_lever;
};

/* ---- arena: every string a run makes, freed at once ---------------------------------------- */

struct arena_block;
struct arena {
    struct arena_block *head;
    struct buf scratch; /* reused by arena_printf_(): formatting without a malloc per call */
};

void *arena_alloc_(struct arena *ar, size_t n);
char *arena_strdup_(struct arena *ar, const char *s);
/* The first 'n' bytes of 's', terminated, in the arena. */
char *arena_strndup_(struct arena *ar, const char *s, size_t n);
char *arena_printf_(struct arena *ar, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* buf_printf() with the same bytes, faster for the report's "%s" and "%zu" sentences. */
void buf_fmt_(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vfmt_(struct buf *b, const char *fmt, va_list ap);
void arena_free_(struct arena *ar);

/* ---- the analysis of one requirement -------------------------------------------------------- */

/* A throughput view over some sources. */
struct flow {
    double gb_day;         /* raw GB per day */
    double avg_mb_s;       /* average MB/s */
    double peak_mb_s;      /* peak MB/s */
    double peak_ev_s;      /* peak events/s */
    double avg_ev_s;       /* average events/s */
    double lake_gb_day;    /* columnar GB per day after compression */
    double landing_gb_day; /* compressed raw GB per day */
};

struct src {
    const char *name;
    enum source_kind kind;
    double gb_day, peak_ev_s, record_bytes, peak_mb_s, compression;
    int pii; /* 1, 0, -1 */
    enum origin o_name, o_kind, o_volume, o_peak, o_bytes, o_pii;
    int columnar; /* arrives as columnar files (Parquet, ORC): stored as it is */
};

/* Which word starts occur in a text: rules most tokens out without scanning the text. */
struct wordmap {
    const char *text;
    unsigned char bit[512];
};

void wordmap_build_(struct wordmap *m, const char *text);
/* Adds the word starts of 'text' to 'm' (its text stays): a map of a text's parts. */
void wordmap_add_(struct wordmap *m, const char *text);
/* has_token_(m->text, tok), and has_any_token_(m->text, list), faster. */
int map_has_(const struct wordmap *m, const char *tok);
int map_has_any_(const struct wordmap *m, const char *list);

struct assumption {
    const char *field, *value, *effect;
};

#define ADVISOR_MAX_SOURCES PW_MAX_LIST_ITEMS
#define ADVISOR_MAX_ASSUMPTIONS 32

struct profile {
    struct requirement req;   /* working copy: given fields plus extracted ones */
    struct extract_result ex; /* what the extractor set, with its evidence */
    struct src src[ADVISOR_MAX_SOURCES];
    size_t n_src;
    enum cloud cloud;
    enum origin o_cloud, o_freshness, o_retention, o_budget, o_team, o_availability;
    enum origin o_consumers, o_compliance, o_stack, o_skills;
    double freshness_s, retention_days, budget, team_size, availability;
    int has_budget;
    unsigned needs;      /* 1 << enum need */
    double binary_share; /* part of the daily volume that is binary objects, 0-1 */
    int has_pii;
    unsigned kinds; /* 1 << enum source_kind present */
    struct flow total;
    const char *title;
    const char *ctx_lc;    /* lower-case stack, title and description: reuse evidence */
    const char *stack_lc;  /* lower-case existing stack */
    const char *skills_lc; /* lower-case team skills, or "" */
    const char *regs;      /* ",gdpr,sox," normalised regulation names */
    struct assumption assumption[ADVISOR_MAX_ASSUMPTIONS];
    size_t n_assumption;
    enum request_kind kind;    /* set by profile_build_() */
    const char *kind_evidence; /* the words that decided it, or NULL (greenfield by default) */
    unsigned constraints;      /* 1 << enum constraint */
    const char *avoid_lc;      /* ",kafka,flink," what the requester rules out, or "" */
    const char *constraint_evidence; /* the words behind 'constraints', or NULL */
    /* The region the design must run in ("eu-central-1", "us-gov-west-1") when a regulation or
     * residency rule pins it, else NULL (the platform's default region); Terraform uses it. */
    const char *region;
    const char *region_why;        /* "GDPR: EU residency", "ITAR: US persons, US regions only" */
    const struct wordmap *ctx_map; /* word starts of ctx_lc */
    /* A cost reduction whose bill is warehouse compute (queries, slots, credits, a warehouse kept
     * awake), not storage: hints.tsv "bill" rows tally the words; evidence is the first. */
    int compute_bill;
    const char *compute_evidence;
};

#define ADVISOR_MAX_ALTS 4

struct alt {
    const struct tech *t;
    const char *name;
    double score;
    const char *why_not;
};

struct decision {
    const char *area;
    const char *subject;  /* sources an ingestion decision covers, or NULL */
    const struct tech *t; /* NULL for decisions not from the catalog */
    const char *choice;
    double score;            /* 0-100 */
    int reused;              /* it already runs here */
    double crit[CRIT_COUNT]; /* the choice's scores, 1-5 */
    struct alt alt[ADVISOR_MAX_ALTS];
    size_t n_alt;
    const char *rationale;
    unsigned long long src_mask; /* ingestion: which sources (bit i = source i) */
};

#define ADVISOR_MAX_DECISIONS 40

struct stream_unit {
    const struct decision *d;
    struct flow f;
    long units; /* shards, TUs or partitions */
    const char *unit_name;
    const char *working;
};

struct sizing {
    int has_kafka, kafka_self; /* Kafka protocol used; brokers sized by us (not a service) */
    const char *kafka_via;
    struct flow kafka_flow;
    long partitions, brokers, rf, min_insync;
    const char *broker_type;
    double broker_mibps, broker_disk_gb, cross_az_gb;
    const char *partitions_working, *brokers_working, *disk_working;
    struct stream_unit unit[8];
    size_t n_unit;
    int has_stream;
    struct flow stream_flow;
    int stateful;
    double stream_vcpu;
    long stream_nodes;
    const char *stream_working;
    double batch_vcpu_h;
    const char *batch_working;
    double landing_gb, lake_hot_gb, lake_cool_gb, month1_gb, plan_gb, steady_gb, total_tb;
    const char *storage_working;
    double scan_tb, batch_scan_tb, runs_k;
    long online_nodes, search_nodes;
    double search_disk_gb, hot_replica_gb;
    double net_avg_gbit, net_peak_gbit, raw_capacity_tb, tape_per_year;
    double hot_days;            /* days in the hot tier: the request's "last N days hot" or the
                                    constant; every tier figure of the report uses this one */
    const char *hot_days_basis; /* the words that set it, or NULL for the planning default */
    double shards_needed;       /* Kinesis shards, TUs: the peak need before rounding */
    const char *limit_note[8];  /* limits.tsv checks: what was exceeded and what changed */
    size_t n_limit_note;
    int eventhubs_premium; /* the flow is beyond Event Hubs Standard: units are Premium PUs */
};

struct line {
    const char *service; /* label */
    const char *area;
    const char *model;
    const struct price *price;
    double qty, monthly, month1, steady;
    int existing;             /* it already runs here: shown apart, not in the incremental total */
    int estimate;             /* the price is an explicit estimate (pricebook.tsv src E) */
    double high;              /* steady state at the high end of the price's basis */
    const struct decision *d; /* the decision it prices, or NULL (existing capacity, estate) */
};

struct lever {
    const char *name, *detail;
    double savings;
};

#define ADVISOR_MAX_LINES 48

struct costing {
    struct line line[ADVISOR_MAX_LINES];
    size_t n_line;
    const char *unpriced[ADVISOR_MAX_DECISIONS];
    size_t n_unpriced;
    double monthly, month1, steady;
    int priced; /* some line has a price (false on premises) */
    struct lever lever[8];
    size_t n_lever;
    double best_case;
    int within; /* 1, 0, or -1 unknown; judged on the high end */
    const char *statement;
    /* The headline range over every line (monthly is its central figure): low = month 1 at list
     * price; high = steady state at full retention, peak-sized capacity, and the top of every
     * estimate's basis. The verdict compares incr_high when the budget is stated on top of what
     * already runs (budget_scope 1), else monthly_high. */
    double monthly_low, monthly_high;
    double total_monthly, total_high;         /* every line, existing included */
    double existing_monthly;                  /* lines of what already runs (existing = 1) */
    double incr_monthly, incr_low, incr_high; /* the same without what already runs */
    int budget_scope; /* 1 incremental ("on top of"), 2 all in, 0 not stated */
    const char *budget_scope_evidence;
    double budget_pct_high;        /* the judged high end as a share of the budget, in % */
    const char *snowflake_edition; /* "Standard", "Enterprise", "Business Critical" or NULL */
    const char *snowflake_edition_why;
    /* Cost reduction: the current estate and the proposed one, a month, at the planning month. */
    double estate_gb, estate_before, estate_after, estate_saving, estate_one_time;
    const char *estate_working;
    /* Migration: both platforms run during the parallel run (new platform months x cost). */
    double parallel_run_months, parallel_run_usd;
    /* Filled by cost_lean_(): what the lean re-decided design saves against the full one. */
    double lean_full_high, lean_saving;
    size_t n_estimate; /* lines priced from an explicit estimate */
    /* Chosen components with no line of their own, each with why ("Apache Iceberg: open format,
     * no licence", "Looker Studio: no licence fee"): priced, at zero or inside another line. */
    const char *included[ADVISOR_MAX_DECISIONS];
    size_t n_included;
};

struct qrule {
    const char *stage, *subject, *check, *rule, *severity;
};

#define ADVISOR_MAX_RULES 96
#define ADVISOR_MAX_QUESTIONS 12
#define ADVISOR_MAX_PICKS 48

struct analysis {
    const struct advisor *a;
    struct arena ar;
    struct profile p;
    enum mode mode;
    struct decision dec[ADVISOR_MAX_DECISIONS];
    size_t n_dec;
    struct sizing sz;
    struct costing cost;
    const struct textrule *risk[ADVISOR_MAX_PICKS];
    size_t n_risk;
    const struct textrule *control[ADVISOR_MAX_PICKS];
    size_t n_control;
    const struct textrule *step[ADVISOR_MAX_PICKS];
    size_t n_step;
    struct qrule q[ADVISOR_MAX_RULES];
    size_t n_q;
    int skills_gap;
    const char *terraform;
    const char *dot;
    /* "Questions before committing": deciding facts that are missing or ambiguous. */
    const char *question[ADVISOR_MAX_QUESTIONS];
    size_t n_question;
    /* Set by analysis_run_() when the first design's high end exceeds the budget: the decisions
     * are re-made preferring cheaper and serverless rows; size/cost may also trim (shorter hot
     * tier, fewer replicas). */
    int lean;
    int over_after_lean;             /* still above the budget after the lean pass */
    const struct decision *lean_ref; /* the first design's decisions, during the lean pass */
    size_t n_lean_ref;
};

/* ---- stages --------------------------------------------------------------------------------- */

const char *cloud_name_(enum cloud c);   /* "aws", ..., "any" */
const char *mode_name_(enum mode m);     /* "batch", "micro_batch", "streaming" */
const char *need_name_(enum need n);     /* "bi", "search", ... */
const char *origin_name_(enum origin o); /* "given", "extracted", "assumed", "derived" */
const char *crit_name_(enum crit c);     /* "latency", ... */

/* 'tok' occurs in 'hay' at the start of a word (short tokens as whole words). Both lower-case:
 * data tokens are written lower-case and the profile lower-cases the request's text. */
int has_token_(const char *hay, const char *tok);
/* Some comma-separated token of 'list' ("-" is none) occurs in 'hay'. */
int has_any_token_(const char *hay, const char *list);
/* 1 when 'has' holds for some comma- or bar-separated token of 'list' ("-" is none). */
int any_token_(const char *list, int (*has)(const void *ctx, const char *tok), const void *ctx);
const struct price *price_find_(const struct advisor *a, const char *id);
const struct area_list *area_find_(const struct advisor *a, const char *area);
const struct cloudinfo *cloud_info_(const struct analysis *an);

/* Runs every stage but rendering on 'req'. Returns 0 or -1 with 'errstr'. */
int analysis_run_(const struct advisor *a, const struct requirement *req, struct analysis *an,
                  char *errstr, size_t errstr_size);
void analysis_fini_(struct analysis *an);

void profile_build_(struct analysis *an, const struct requirement *req);
/* Sets p->kind, constraints, avoid_lc and region (advisor/request.c); run by profile_build_(). */
void request_build_(struct analysis *an);
/* The partition count the request states for a topic that already runs ("the orders topic has
 * 40 partitions"), or 0 (advisor/request.c). */
long existing_partitions_(const struct analysis *an);
void assume_(struct analysis *an, const char *field, const char *value, const char *effect);
/* Adds a question for the requester (kept in order, duplicates and overflow dropped). */
void question_(struct analysis *an, const char *text);
const char *kind_name_(enum request_kind k);     /* "greenfield", "migration", ... */
const char *constraint_name_(enum constraint c); /* "no_servers", "no_oncall", ... */
/* The design's own hints.tsv rows (request, constraint, engineering, region, design, avoid,
 * question) are well-formed. */
int design_hint_ok_(const char *kind, const char *value);
void decide_(struct analysis *an);
/* advisor/scope.c: decisions about the request as a whole. */
void decide_scope_(struct analysis *an);
void decide_availability_(struct analysis *an);
void note_constraints_(struct analysis *an);
const char *wish_pushback_(struct analysis *an);
void design_questions_(struct analysis *an);
const struct decision *decision_find_(const struct analysis *an, const char *area);
void size_(struct analysis *an);
void flow_of_(const struct analysis *an, unsigned long long mask, struct flow *f);
void cost_(struct analysis *an);
/* After decide_/size_/cost_ ran again with a lean preference: records what the lean design
 * saves against 'full' (the costing of the first design). */
void cost_lean_(struct analysis *an, const struct costing *full);
void risks_(struct analysis *an);
int cond_eval_(const struct analysis *an, const char *expr);
/* Returns 0 when every atom of 'expr' is one cond_eval_() knows, -1 otherwise. */
int cond_check_(const char *expr);
/* Appends 'text' to 'out' with its {fields} filled from the design. */
void expand_(const struct analysis *an, const char *text, struct buf *out);
const char *expand_str_(struct analysis *an, const char *text);
void quality_(struct analysis *an);
void iac_(struct analysis *an);
/* The catalog row 'id', or NULL (knowledge.c). */
const struct tech *tech_find_(const struct advisor *a, const char *id);
/* Is 'key' ('n' bytes) a field expand_() fills? 1 yes, 0 no, -1 a field whose catalog id is
 * unknown (written to 'bad'). */
int expand_known_(const struct advisor *a, const char *key, size_t n, char *bad, size_t bad_size);
/* advisor/iac.c: fills a Terraform field {tf_*} into 'out'; 0 when 'key' is none. */
int iac_field_(const struct analysis *an, const char *key, size_t n, struct buf *out);
/* As expand_known_(), for the Terraform fields only. */
int iac_field_known_(const struct advisor *a, const char *key, size_t n, char *bad,
                     size_t bad_size);
/* Did a decision choose catalog row 'tech_id'? */
int tech_chosen_(const struct analysis *an, const char *tech_id);
/* The stream sized in units (shards, TUs) for catalog row 'tech_id', or NULL. */
const struct stream_unit *stream_unit_(const struct analysis *an, const char *tech_id);
/* The EU (or other) region the request's data must stay in, or NULL; see iac.c. */
const char *region_(const struct analysis *an);
/* A multi-region design's standby region when the platform lists another EU region besides the
 * pinned one, else NULL (the Terraform then asks for it). */
const char *standby_region_(const struct analysis *an);
/* advisor/iac_template.c: the Terraform templates. */
size_t iac_template_of_(enum cloud c);
int iac_templates_load_(struct advisor *a, char *err, size_t err_size);
/* Parses 'text' (of 'path', for messages) into 'tp'; -1 with "path:line: why" in 'err'. The
 * caller frees 'tp' with iac_template_fini_() either way. */
int iac_template_parse_(const struct advisor *a, struct iac_template *tp, const char *path,
                        const char *text, size_t len, char *err, size_t err_size);
void iac_template_fini_(struct iac_template *tp);

/* Fills 'rep' from 'an'; 'prev' (may be NULL) is the previous version's analysis. */
void render_(const struct analysis *an, const struct analysis *prev, long version,
             struct report *rep);
void history_markdown_(const struct analysis *an, const struct analysis *prev, struct buf *out);
void history_json_(const struct analysis *an, const struct analysis *prev, void *jsonw);

/* Spoken and written number helpers. */
void fmt_num_(struct buf *out, double v); /* 1,234 or 1.5 or 0.023 */
/* The same text, kept in the analysis's arena (for format arguments). */
const char *fmt_num_arena_(struct analysis *an, double v);
void fmt_usd_(struct buf *out, double v);                       /* $1,234 or $12.50 */
const char *short_name_(struct analysis *an, const char *name); /* "Amazon Athena SQL" */

#endif
