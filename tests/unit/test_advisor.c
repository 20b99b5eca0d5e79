/* tests/unit/test_advisor.c - the advisor engine against hand-computed cases.
 *
 * Sizing and cost figures below are worked by hand from the constants and prices in
 * advisor/data (the working is in each case's comment), so a change to the arithmetic or to a
 * data file that moves a figure fails here. Also: processing-mode thresholds, determinism (same
 * input, same bytes), well-formed JSON with the contract's keys, budgets, history, token matching.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "advisor.h"
#include "advisor_int.h"
#include "bounds.h"
#include "check.h"
#include "requirement.h"
#include "xalloc.h"

static struct advisor *adv;

static void
setup(void)
{
    if (adv) return;
    char err[256];
    adv = advisor_new(err, sizeof(err));
    if (adv == NULL) fprintf(stderr, "advisor_new: %s\n", err);
}

/* A requirement with one source; NAN leaves a field unknown. */
static void
one_source(struct requirement *r, const char *cloud, enum source_kind kind, double gb_day,
           double peak, double bytes, double freshness)
{
    requirement_init(r);
    r->event_id = xstrdup("e-1");
    r->project_id = xstrdup("proj-1");
    r->title = xstrdup("unit test");
    r->cloud = cloud ? xstrdup(cloud) : NULL;
    r->n_sources = 1;
    r->sources = xcalloc(1, sizeof(*r->sources));
    r->sources[0].name = xstrdup("src");
    r->sources[0].kind = kind;
    r->sources[0].volume_gb_per_day = gb_day;
    r->sources[0].peak_events_per_sec = peak;
    r->sources[0].avg_record_bytes = bytes;
    r->sources[0].contains_pii = 0;
    r->freshness_seconds = freshness;
}

static const struct line *
line_by_price(const struct analysis *an, const char *price_id, const char *model)
{
    for (size_t i = 0; i < an->cost.n_line; i++)
        if (strcmp(an->cost.line[i].price->id, price_id) == 0 &&
            strcmp(an->cost.line[i].model, model) == 0)
            return &an->cost.line[i];
    return NULL;
}

static void
test_load(void)
{
    setup();
    CHECK(adv != NULL);
    if (!adv) return;
    CHECK(adv->n_tech > 50);
    CHECK(adv->n_price > 30);
    CHECK(strcmp(adv->pricebook_date, "undated") != 0);
    CHECK(price_find_(adv, "aws_s3_standard") != NULL);
    CHECK_NEAR(price_find_(adv, "aws_s3_standard")->usd, 0.023, 1e-12);
}

static void
test_kafka_sizing_small(void)
{
    setup();
    if (!adv) return;
    /* On premises, events only: self-managed Kafka is the one ingestion row that fits.
     * 25,000 ev/s x 500 B = 12.5 MB/s peak; 350 GB/day = 4.0509 MB/s average.
     * partitions = max(12.5/10, 12.5/5, 25000/10000) x 2 = 5 -> multiple of 6 -> 6.
     * brokers: 12.5e6/1048576 = 11.92 MiB/s / 6 = 1.99 -> 2 -> at least 3 -> 3 (m5_large).
     * disk = 4.0509 x 86400 x 3 days x RF 3 x 2 / 1000 = 6,300 GB. */
    struct requirement r;
    one_source(&r, "on_prem", SOURCE_EVENTS, 350, 25000, 500, 30);
    struct analysis an;
    CHECK(analysis_run_(adv, &r, &an, NULL, 0) == 0);
    CHECK(an.mode == MODE_STREAMING);
    CHECK(an.sz.has_kafka && an.sz.kafka_self);
    CHECK(an.sz.partitions == 6);
    CHECK(an.sz.brokers == 3);
    CHECK_STR(an.sz.broker_type, "m5_large");
    CHECK(an.sz.rf == 3);
    CHECK_NEAR(an.sz.broker_disk_gb, 6300, 0.01);
    /* Stream compute, stateless: max(12.5/5, 25000/10000) = 2.5 x 1.3 = 3.25 -> 4 vCPU. */
    CHECK_NEAR(an.sz.stream_vcpu, 4, 1e-9);
    CHECK(an.cost.priced == 0);
    analysis_fini_(&an);
    requirement_fini(&r);
}

static void
test_kafka_sizing_large(void)
{
    setup();
    if (!adv) return;
    /* 100,000 ev/s x 1,000 B = 100 MB/s = 95.37 MiB/s.
     * partitions = max(10, 20, 10) x 2 = 40 -> 42.
     * m5_large: 95.37/6 = 15.9 -> 16 -> 18 > 6; m5_xlarge: /11 = 8.67 -> 9 > 6;
     * m5_2xlarge: /19 = 5.02 -> 6 -> 6 brokers. */
    struct requirement r;
    one_source(&r, "on_prem", SOURCE_EVENTS, 2000, 100000, 1000, 5);
    struct analysis an;
    CHECK(analysis_run_(adv, &r, &an, NULL, 0) == 0);
    CHECK(an.sz.partitions == 42);
    CHECK(an.sz.brokers == 6);
    CHECK_STR(an.sz.broker_type, "m5_2xlarge");
    analysis_fini_(&an);
    requirement_fini(&r);
}

static void
test_kinesis_and_eventhubs_units(void)
{
    setup();
    if (!adv) return;
    /* Kinesis: shards = max(peak MB/s / 1, records/s / 1000) = max(2.5, 5) -> 5. */
    struct requirement r;
    one_source(&r, "aws", SOURCE_IOT, 50, 5000, 500, 10);
    struct analysis an;
    CHECK(analysis_run_(adv, &r, &an, NULL, 0) == 0);
    int found = 0;
    for (size_t i = 0; i < an.sz.n_unit; i++)
        if (strcmp(an.sz.unit[i].unit_name, "shards") == 0) {
            found = 1;
            CHECK(an.sz.unit[i].units == 5);
        }
    CHECK(found);
    analysis_fini_(&an);
    requirement_fini(&r);
    /* Event Hubs: TUs = max(7 MB/s / 1, 3,500 / 1,000) -> 7; partitions
     * max(0.7, 1.4, 0.35) x 2 = 2.8 -> 6. */
    one_source(&r, "azure", SOURCE_EVENTS, 172.8, 3500, 2000, 30);
    CHECK(analysis_run_(adv, &r, &an, NULL, 0) == 0);
    CHECK(an.sz.has_kafka && !an.sz.kafka_self);
    CHECK(an.sz.partitions == 6);
    const struct line *tu = line_by_price(&an, "azure_eh_standard_tu", "tu_h");
    CHECK(tu != NULL);
    if (tu) CHECK_NEAR(tu->monthly, 7 * 730 * 0.03, 0.005);
    analysis_fini_(&an);
    requirement_fini(&r);
}

static void
test_cost_model_batch(void)
{
    setup();
    if (!adv) return;
    /* AWS, 60 GB/day of logs, daily, 730 days, $250 budget, 2 people (SQL, Python).
     * Lake: 60/5 = 12 GB/day; month 12 = 360 days -> 4,320 GB: 30 days hot = 360 GB x 0.023
     * = 8.28; 3,960 GB x 0.0125 = 49.50. Landing: 60/4 x 7 days = 105 GB x 0.023 = 2.415 ->
     * 2.42 (rounded to cents). Athena transform: 15 GB/day x 30 / 1000 = 0.45 TB x $5 = 2.25.
     * Athena queries: 12 x 30 x 4 / 1000 = 1.44 TB x $5 = 7.20. Total 69.65. */
    struct requirement r;
    one_source(&r, "aws", SOURCE_LOGS, 60, NAN, 400, 86400);
    r.retention_days = 730;
    r.budget_usd_per_month = 250;
    r.team_size = 2;
    strlist_push(&r.team_skills, "Python");
    strlist_push(&r.team_skills, "SQL");
    strlist_push(&r.consumers, "bi");
    struct analysis an;
    CHECK(analysis_run_(adv, &r, &an, NULL, 0) == 0);
    CHECK(an.mode == MODE_BATCH);
    const struct line *hot = line_by_price(&an, "aws_s3_standard", "lake_hot_gb");
    const struct line *cool = line_by_price(&an, "aws_s3_ia", "lake_cool_gb");
    const struct line *land = line_by_price(&an, "aws_s3_standard", "landing_gb");
    const struct line *tr = line_by_price(&an, "aws_athena_tb", "batch_scan_tb");
    const struct line *q = line_by_price(&an, "aws_athena_tb", "scan_tb");
    CHECK(hot && cool && land && tr && q);
    if (hot && cool && land && tr && q) {
        CHECK_NEAR(hot->qty, 360, 1e-6);
        CHECK_NEAR(hot->monthly, 8.28, 1e-9);
        CHECK_NEAR(cool->qty, 3960, 1e-6);
        CHECK_NEAR(cool->monthly, 49.5, 1e-9);
        CHECK_NEAR(land->monthly, 2.42, 1e-9);
        CHECK_NEAR(tr->monthly, 2.25, 1e-9);
        CHECK_NEAR(q->monthly, 7.2, 1e-9);
    }
    double sum = 0;
    for (size_t i = 0; i < an.cost.n_line; i++) sum += an.cost.line[i].monthly;
    CHECK_NEAR(an.cost.monthly, sum, 0.005);
    CHECK_NEAR(an.cost.monthly, 69.65, 0.005);
    CHECK(an.cost.within == 1);
    /* Month 1: 12 x 30 = 360 GB, all hot: no cool line cost. */
    if (cool) CHECK_NEAR(cool->month1, 0, 1e-9);
    /* The design stays small: no cluster engine for 60 GB/day. */
    const struct decision *t = decision_find_(&an, "transformation");
    CHECK(t && strstr(t->choice, "Athena") != NULL);
    analysis_fini_(&an);
    requirement_fini(&r);
}

static void
test_over_budget(void)
{
    setup();
    if (!adv) return;
    struct requirement r;
    one_source(&r, "gcp", SOURCE_EVENTS, 800, 90000, 300, 5);
    r.budget_usd_per_month = 100;
    struct analysis an;
    CHECK(analysis_run_(adv, &r, &an, NULL, 0) == 0);
    CHECK(an.cost.within == 0);
    CHECK(an.cost.n_lever > 0);
    CHECK(strstr(an.cost.statement, "cannot be met") != NULL);
    int flagged = 0;
    for (size_t i = 0; i < an.n_risk; i++)
        flagged |= strstr(an.risk[i]->when, "over_budget") != NULL;
    CHECK(flagged);
    /* Still over after the lean re-decision: said as an assumption, not only "raise it". */
    CHECK(an.lean && an.over_after_lean);
    int said = 0;
    for (size_t i = 0; i < an.p.n_assumption; i++)
        said |= strcmp(an.p.assumption[i].field, "budget") == 0;
    CHECK(said);
    analysis_fini_(&an);
    requirement_fini(&r);
}

static enum mode
mode_for(double freshness)
{
    struct requirement r;
    one_source(&r, "aws", SOURCE_EVENTS, 10, 100, 1000, freshness);
    struct analysis an;
    analysis_run_(adv, &r, &an, NULL, 0);
    enum mode m = an.mode;
    analysis_fini_(&an);
    requirement_fini(&r);
    return m;
}

static void
test_mode_thresholds(void)
{
    setup();
    if (!adv) return;
    CHECK(mode_for(86400) == MODE_BATCH);
    CHECK(mode_for(3600) == MODE_BATCH);
    CHECK(mode_for(3599) == MODE_MICRO_BATCH);
    CHECK(mode_for(60) == MODE_MICRO_BATCH);
    CHECK(mode_for(59) == MODE_STREAMING);
    CHECK(mode_for(0.5) == MODE_STREAMING);
    /* Unknown freshness: assumed daily, and said so. */
    struct requirement r;
    one_source(&r, "aws", SOURCE_EVENTS, 10, 100, 1000, NAN);
    struct analysis an;
    analysis_run_(adv, &r, &an, NULL, 0);
    CHECK(an.mode == MODE_BATCH);
    int said = 0;
    for (size_t i = 0; i < an.p.n_assumption; i++)
        said |= strcmp(an.p.assumption[i].field, "freshness_seconds") == 0;
    CHECK(said);
    analysis_fini_(&an);
    requirement_fini(&r);
}

static void
test_determinism_and_json(void)
{
    setup();
    if (!adv) return;
    struct requirement r;
    one_source(&r, "azure", SOURCE_CDC, 40, NAN, 800, 600);
    strlist_push(&r.compliance, "GDPR");
    strlist_push(&r.compliance, "SOX");
    r.budget_usd_per_month = 12000;
    struct report a, b;
    char err[128];
    CHECK(advisor_run(adv, &r, NULL, &a, err, sizeof(err)) == 0);
    CHECK(advisor_run(adv, &r, NULL, &b, err, sizeof(err)) == 0);
    CHECK_STR(a.json, b.json);
    CHECK_STR(a.markdown, b.markdown);
    CHECK_STR(a.audio_script, b.audio_script);
    CHECK_STR(a.report_id, b.report_id);
    json_error_t je;
    json_t *root = json_loads(a.json, 0, &je);
    CHECK(root != NULL);
    static const char *const keys[] = {
        "report_id", "engine_version", "fingerprint", "profile", "assumptions", "decisions",
        "sizing", "cost", "risks", "quality_rules", "compliance_controls", "next_steps", "iac",
        "diagram", "sections", "audio_script"};
    for (size_t i = 0; root && i < PW_ARRAY_LEN(keys); i++) CHECK(json_object_get(root, keys[i]));
    if (root) {
        json_t *d0 = json_array_get(json_object_get(root, "decisions"), 0);
        CHECK_STR(json_string_value(json_object_get(d0, "area")), "processing_mode");
        CHECK_STR(json_string_value(json_object_get(d0, "choice")), "micro_batch");
        json_t *sec = json_object_get(root, "sections");
        CHECK(json_object_size(sec) == SECTION_COUNT);
        for (int s = 0; s < SECTION_COUNT; s++)
            CHECK(json_object_get(sec, report_section_name((enum report_section)s)));
        CHECK(json_is_number(json_object_get(json_object_get(root, "cost"), "monthly_usd")));
        const char *ctl = json_dumps(json_object_get(root, "compliance_controls"), 0);
        CHECK(ctl && strstr(ctl, "Reconciliation") && strstr(ctl, "erasure"));
        free((void *)ctl);
        json_decref(root);
    }
    for (int s = 0; s < SECTION_COUNT; s++) {
        char h[64];
        snprintf(h, sizeof(h), "## %s\n", report_section_title((enum report_section)s));
        CHECK(strstr(a.markdown, h) != NULL);
    }
    /* The spoken summary fits 30-60 s at about 150 words a minute. */
    size_t words = 0;
    for (const char *p = a.audio_script; *p; p++)
        words += (p == a.audio_script || p[-1] == ' ') && *p != ' ';
    CHECK(words >= 60 && words <= 160);
    report_fini(&a);
    report_fini(&b);
    requirement_fini(&r);
}

static void
test_history(void)
{
    setup();
    if (!adv) return;
    struct requirement prev, cur;
    one_source(&prev, "aws", SOURCE_EVENTS, 100, 2000, 1000, 86400);
    one_source(&cur, "aws", SOURCE_EVENTS, 100, 2000, 1000, 20);
    struct advisor_context ctx = {.version = 2, .previous = &prev};
    struct report rep;
    CHECK(advisor_run(adv, &cur, &ctx, &rep, NULL, 0) == 0);
    CHECK(strstr(rep.report_id, "-v2-") != NULL);
    json_error_t je;
    json_t *root = json_loads(rep.json, 0, &je);
    json_t *ch = root ? json_object_get(root, "changes_since_previous") : NULL;
    CHECK(ch != NULL);
    if (ch) {
        const char *s = json_dumps(ch, JSON_COMPACT);
        CHECK(s && strstr(s, "freshness_seconds") && strstr(s, "\"before\":\"batch\"") &&
              strstr(s, "\"after\":\"streaming\""));
        free((void *)s);
    }
    json_decref(root);
    CHECK(strstr(rep.markdown, "What changed since the previous version") != NULL);
    report_fini(&rep);
    requirement_fini(&prev);
    requirement_fini(&cur);
}

static void
test_empty_requirement(void)
{
    setup();
    if (!adv) return;
    struct requirement r;
    requirement_init(&r);
    struct report rep;
    CHECK(advisor_run(adv, &r, NULL, &rep, NULL, 0) == 0);
    json_error_t je;
    json_t *root = json_loads(rep.json, 0, &je);
    CHECK(root && json_array_size(json_object_get(root, "assumptions")) >= 4);
    json_decref(root);
    report_fini(&rep);
    /* Every figure is finite even when everything is assumed. */
    struct analysis an;
    CHECK(analysis_run_(adv, &r, &an, NULL, 0) == 0);
    CHECK(an.cost.n_line > 0);
    for (size_t i = 0; i < an.cost.n_line; i++)
        CHECK(isfinite(an.cost.line[i].qty) && isfinite(an.cost.line[i].monthly));
    CHECK(isfinite(an.cost.monthly) && an.cost.monthly > 0);
    CHECK(isfinite(an.p.total.lake_gb_day) && an.p.total.lake_gb_day > 0);
    analysis_fini_(&an);
    requirement_fini(&r);
    CHECK(advisor_run(adv, NULL, NULL, &rep, NULL, 0) == -1);
}

static void
test_terraform_shape(void)
{
    setup();
    if (!adv) return;
    static const char *const clouds[] = {"aws", "gcp", "azure", "on_prem"};
    for (size_t c = 0; c < PW_ARRAY_LEN(clouds); c++) {
        struct requirement r;
        one_source(&r, clouds[c], SOURCE_EVENTS, 300, 20000, 500, 10);
        struct analysis an;
        analysis_run_(adv, &r, &an, NULL, 0);
        const char *tf = an.terraform;
        long depth = 0;
        int tabs = 0, trailing = 0, misaligned = 0;
        /* In each run of single-line attributes at one depth, '=' sits in one column. */
        int run_col = -1, run_indent = -1;
        for (const char *l = tf; *l;) {
            const char *e = strchr(l, '\n');
            size_t n = e ? (size_t)(e - l) : strlen(l);
            for (size_t i = 0; i < n; i++) {
                depth += l[i] == '{';
                depth -= l[i] == '}';
                tabs |= l[i] == '\t';
            }
            trailing |= n > 0 && l[n - 1] == ' ';
            const char *eq = memchr(l, '=', n);
            int indent = (int)strspn(l, " ");
            int single = eq && eq > l && eq[-1] == ' ' && l[n - 1] != '{' && l[indent] != '#';
            if (single) {
                int col = (int)(eq - l);
                if (run_indent == indent && run_col >= 0 && col != run_col) misaligned = 1;
                run_col = col;
                run_indent = indent;
            } else {
                run_col = run_indent = -1;
            }
            l += n + (e ? 1 : 0);
        }
        CHECK(depth == 0);
        CHECK(!tabs && !trailing && !misaligned);
        CHECK(strlen(tf) > 200 && tf[strlen(tf) - 1] == '\n' && tf[strlen(tf) - 2] != '\n');
        analysis_fini_(&an);
        requirement_fini(&r);
    }
}

static void
test_tokens(void)
{
    CHECK(!has_token_("keep the archive", "hive"));
    CHECK(has_token_("apache hive metastore", "hive"));
    CHECK(!has_token_("mysql", "sql"));
    CHECK(has_token_("t-sql, ssis", "sql"));
    CHECK(!has_token_("google cloud", "go"));
    CHECK(has_token_("go, sql", "go"));
    CHECK(has_token_("we aggregate hourly", "aggregat"));
    CHECK(has_any_token_("uses amazon s3", "gcs,s3"));
    CHECK(!has_any_token_("anything", "-"));
    /* The data files' condition language: a typo is refused at load, not ignored at run time. */
    CHECK(cond_check_("pii,kind:logs|kind:clickstream") == 0);
    CHECK(cond_check_("reg:aml,reg:gdpr") == 0);
    CHECK(cond_check_("!batch,need:search") == 0);
    CHECK(cond_check_("piii") == -1);
    CHECK(cond_check_("kind:telegrams") == -1);
    CHECK(cond_check_("need:everything") == -1);
}

static void
test_data_driven_catalog(void)
{
    setup();
    if (!adv) return;
    /* Every catalog area the engine asks for has rows for every platform. */
    static const char *const areas[] = {"transformation", "storage", "table_format",
                                        "file_format", "warehouse", "orchestration",
                                        "data_quality", "governance"};
    for (size_t a = 0; a < PW_ARRAY_LEN(areas); a++)
        for (int c = 0; c < CLOUD_COUNT; c++) {
            int rows = 0;
            for (size_t i = 0; i < adv->n_tech; i++)
                rows += strcmp(adv->tech[i].area, areas[a]) == 0 &&
                        (adv->tech[i].clouds & (1u << c));
            if (rows == 0) fprintf(stderr, "no %s row for %s\n", areas[a], cloud_name_(c));
            CHECK(rows > 0);
        }
}

static const char *
chosen(const struct analysis *an, const char *area)
{
    const struct decision *d = decision_find_(an, area);
    return d && d->t ? d->t->id : "";
}

/* 3 TB/day of video kept 10 years: cold storage classes, no conversion, no Spark. Month 12
 * holds 3,000 x 360 = 1,080,000 GB: 90,000 GB in Standard (30 days) and 990,000 GB in Deep
 * Archive at $0.00099 = $980.10; objects land once, so no landing-zone copy. */
static void
test_archive(void)
{
    setup();
    if (!adv) return;
    struct requirement r;
    one_source(&r, "aws", SOURCE_FILES, 3000, NAN, 1e10, 86400);
    r.retention_days = 3650;
    r.budget_usd_per_month = 25000;
    struct analysis an;
    CHECK(analysis_run_(adv, &r, &an, NULL, 0) == 0);
    CHECK((an.p.needs >> NEED_ARCHIVE) & 1);
    CHECK(strcmp(chosen(&an, "storage"), "aws_s3_archive") == 0);
    CHECK(strcmp(chosen(&an, "file_format"), "objects_as_is") == 0);
    CHECK(strcmp(chosen(&an, "transformation"), "aws_glue_spark") != 0);
    CHECK(strcmp(chosen(&an, "transformation"), "aws_emr_spark") != 0);
    const struct line *deep = line_by_price(&an, "aws_s3_deep_archive", "lake_cool_gb");
    CHECK(deep != NULL);
    if (deep) CHECK_NEAR(deep->monthly, 980.1, 0.5);
    CHECK_NEAR(an.sz.landing_gb, 0, 1e-9);
    CHECK(an.cost.within == 1);
    analysis_fini_(&an);
    requirement_fini(&r);

    /* One year of the same files is not an archive: the lake and its cool tier. */
    one_source(&r, "aws", SOURCE_FILES, 3000, NAN, 1e10, 86400);
    r.retention_days = 365;
    CHECK(analysis_run_(adv, &r, &an, NULL, 0) == 0);
    CHECK(!((an.p.needs >> NEED_ARCHIVE) & 1));
    CHECK(strcmp(chosen(&an, "storage"), "aws_s3_lake") == 0);
    analysis_fini_(&an);
    requirement_fini(&r);
}

/* Consumer names carry needs: an online feature store, a sync back into the CRM. */
static void
test_consumer_needs(void)
{
    setup();
    if (!adv) return;
    struct requirement r;
    one_source(&r, "aws", SOURCE_EVENTS, 100, 4000, 1500, 0.15);
    strlist_push(&r.consumers, "online_feature_store");
    struct analysis an;
    CHECK(analysis_run_(adv, &r, &an, NULL, 0) == 0);
    CHECK((an.p.needs >> NEED_ONLINE) & 1);
    CHECK((an.p.needs >> NEED_ML) & 1);
    CHECK(strcmp(chosen(&an, "serving"), "aws_elasticache") == 0);
    analysis_fini_(&an);
    requirement_fini(&r);

    one_source(&r, "aws", SOURCE_DATABASE, 5, NAN, 500, 21600);
    strlist_push(&r.consumers, "reverse_etl_crm");
    strlist_push(&r.existing_stack, "Salesforce");
    CHECK(analysis_run_(adv, &r, &an, NULL, 0) == 0);
    CHECK((an.p.needs >> NEED_OPERATIONAL) & 1);
    int synced = 0;
    for (size_t i = 0; i < an.n_dec; i++)
        synced |= an.dec[i].t && strcmp(an.dec[i].t->id, "reverse_etl") == 0;
    CHECK(synced);
    analysis_fini_(&an);
    requirement_fini(&r);
}

/* Free text may state absurd figures; the engine sizes within the physical bounds of
 * common/bounds.h instead of overflowing (the fuzzer found 1e26 events/s turned into a long). */
static void
test_absurd_text_is_clamped(void)
{
    setup();
    struct requirement r;
    requirement_init(&r);
    r.event_id = xstrdup("e-absurd");
    r.project_id = xstrdup("p-absurd");
    r.description = xstrdup("We ingest 100000000000000000000000000 events per second and "
                            "900000000000000000000 TB/day, kept for 99999999999 years, on AWS.");
    struct report rep;
    char err[256];
    CHECK(advisor_run(adv, &r, NULL, &rep, err, sizeof(err)) == 0);
    CHECK(rep.json != NULL && strstr(rep.json, "\"monthly_usd\"") != NULL);
    /* printf spells infinities and NaNs "inf" and "nan": none may reach the text */
    static const char *const bad[] = {" inf ", " inf,", "$inf", "-inf", " nan ", "$nan", "-nan",
                                      ":inf", ":nan", "inf%", "nan%"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(strstr(rep.json, bad[i]) == NULL && strstr(rep.markdown, bad[i]) == NULL);
    report_fini(&rep);
    requirement_fini(&r);

    requirement_init(&r);
    r.freshness_seconds = 1e300;
    r.n_sources = 1;
    r.sources = xcalloc(1, sizeof(*r.sources));
    r.sources[0].volume_gb_per_day = 1e300;
    r.sources[0].peak_events_per_sec = 5;
    r.sources[0].avg_record_bytes = NAN;
    CHECK(requirement_clamp(&r) == 2);
    CHECK(r.sources[0].volume_gb_per_day == PW_MAX_GB_PER_DAY && r.sources[0].peak_events_per_sec == 5);
    requirement_fini(&r);
}


/* ---- design: the kind of request, reuse, constraints, compliance ---------------------------- */

static void
run_titled(struct requirement *r, struct analysis *an, const char *title)
{
    free(r->title);
    r->title = xstrdup(title);
    CHECK(analysis_run_(adv, r, an, NULL, 0) == 0);
}

static const char *
tech_id(const struct analysis *an, const char *area)
{
    const struct decision *d = decision_find_(an, area);
    return d && d->t ? d->t->id : "";
}

static void
test_request_kinds(void)
{
    setup();
    if (!adv) return;
    static const struct {
        const char *title;
        enum request_kind kind;
    } cases[] = {
        {"Move our nightly SSIS jobs off the on-prem SQL Server to Azure", KIND_MIGRATION},
        {"Migrate off Teradata before the contract ends", KIND_MIGRATION},
        {"Cut the storage bill of our S3 archive: how should we tier and compact it", KIND_COST_REDUCTION},
        {"CDC from 450 tables with updates and hard deletes", KIND_CDC},
        {"We already land orders in the warehouse; now marketing wants a churn feed", KIND_ADD_CONSUMER},
        {"Clickstream analytics for a new mobile app", KIND_GREENFIELD},
    };
    for (size_t i = 0; i < PW_ARRAY_LEN(cases); i++) {
        struct requirement r;
        one_source(&r, "aws", SOURCE_DATABASE, 40, NAN, 500, 86400);
        struct analysis an;
        run_titled(&r, &an, cases[i].title);
        CHECK(an.p.kind == cases[i].kind);
        CHECK((an.p.kind_evidence != NULL) == (cases[i].kind != KIND_GREENFIELD));
        CHECK((decision_find_(&an, "scope") != NULL) == (cases[i].kind != KIND_GREENFIELD));
        if (cases[i].kind == KIND_COST_REDUCTION) {
            /* No new feed: the existing ingestion, tiering and compaction. */
            CHECK(strcmp(tech_id(&an, "ingestion"), "existing_ingest") == 0);
            CHECK(strcmp(tech_id(&an, "storage"), "aws_s3_tiering") == 0);
            CHECK(strcmp(tech_id(&an, "transformation"), "compaction") == 0);
        }
        if (cases[i].kind == KIND_CDC) CHECK(strcmp(tech_id(&an, "data_model"), "cdc_merge") == 0);
        int migration_steps = 0;
        for (size_t j = 0; j < an.n_step; j++)
            migration_steps += strncmp(an.step[j]->when, "request:migration", 17) == 0;
        CHECK((migration_steps > 0) == (cases[i].kind == KIND_MIGRATION));
        if (cases[i].kind != KIND_GREENFIELD) CHECK(an.n_question > 0);
        analysis_fini_(&an);
        requirement_fini(&r);
    }
}

static void
test_existing_platforms_kept(void)
{
    setup();
    if (!adv) return;
    struct requirement r;
    struct analysis an;
    /* Provisioned Redshift stays provisioned; Kinesis stays the ingestion. */
    one_source(&r, "aws", SOURCE_EVENTS, 86, 8000, 400, 30);
    strlist_push(&r.existing_stack, "Kinesis Data Streams");
    strlist_push(&r.existing_stack, "Amazon Redshift provisioned (ra3.4xlarge x4)");
    strlist_push(&r.team_skills, "java");
    strlist_push(&r.team_skills, "sql");
    run_titled(&r, &an, "Scan dashboard under 30 s; nobody's touched flink");
    CHECK(strcmp(tech_id(&an, "warehouse"), "aws_redshift_prov") == 0);
    CHECK(decision_find_(&an, "warehouse")->reused);
    CHECK(strcmp(tech_id(&an, "ingestion"), "aws_kinesis") == 0);
    CHECK(strcmp(an.p.avoid_lc, ",flink,") == 0);
    const struct decision *sp = decision_find_(&an, "stream_processing");
    CHECK(sp && strstr(sp->choice, "Flink") == NULL);
    /* Dashboards 30 s behind: the warehouse reads the existing stream itself. */
    CHECK(strcmp(tech_id(&an, "stream_processing"), "aws_redshift_streaming") == 0);
    for (size_t i = 0; i < an.n_dec; i++)
        CHECK(an.dec[i].choice == NULL || strstr(an.dec[i].choice, "Serverless") == NULL);
    analysis_fini_(&an);
    requirement_fini(&r);

    /* Fabric capacity already paid for: its Data Factory, Warehouse and Power BI. */
    one_source(&r, "azure", SOURCE_DATABASE, 40, NAN, 500, 86400);
    strlist_push(&r.existing_stack, "Microsoft Fabric F64 capacity");
    strlist_push(&r.team_skills, "t-sql");
    run_titled(&r, &an, "Nightly finance loads");
    CHECK(strcmp(tech_id(&an, "warehouse"), "az_fabric_wh") == 0);
    CHECK(strcmp(tech_id(&an, "ingestion"), "az_fabric_df") == 0);
    CHECK(strcmp(tech_id(&an, "orchestration"), "az_fabric_orch") == 0);
    CHECK(strcmp(tech_id(&an, "serving"), "az_powerbi") == 0);
    analysis_fini_(&an);
    requirement_fini(&r);

    /* Looker stays Looker, not Looker Studio. */
    one_source(&r, "gcp", SOURCE_CDC, 300, NAN, 600, 3600);
    strlist_push(&r.existing_stack, "BigQuery");
    strlist_push(&r.existing_stack, "Looker");
    run_titled(&r, &an, "Hourly growth dashboards");
    CHECK(strcmp(tech_id(&an, "serving"), "looker_reuse") == 0);
    CHECK(strcmp(tech_id(&an, "warehouse"), "gcp_bigquery") == 0);
    analysis_fini_(&an);
    requirement_fini(&r);
}

/* The design rows of hints.tsv are well-formed: question conditions parse. */
static void
test_design_hints(void)
{
    setup();
    if (!adv) return;
    size_t questions = 0;
    for (size_t i = 0; i < adv->n_hint; i++)
        if (strcmp(adv->hint[i].kind, "question") == 0) {
            questions++;
            CHECK(cond_check_(adv->hint[i].token) == 0);
        }
    CHECK(questions > 0);
}

static void
test_migration_target(void)
{
    setup();
    if (!adv) return;
    struct requirement r;
    struct analysis an;
    one_source(&r, "aws", SOURCE_DATABASE, 50, NAN, 500, 86400);
    run_titled(&r, &an, "Migrate off Redshift to Snowflake before the renewal");
    CHECK(an.p.kind == KIND_MIGRATION);
    CHECK(strstr(an.p.avoid_lc, ",redshift,") != NULL);
    const struct decision *w = decision_find_(&an, "warehouse");
    CHECK(w && strcmp(w->t->id, "snowflake") == 0 && !w->reused);
    for (size_t i = 0; i < an.n_dec; i++)
        CHECK(an.dec[i].choice == NULL || strstr(an.dec[i].choice, "Redshift") == NULL);
    analysis_fini_(&an);
    requirement_fini(&r);
}

/* A wish the extractor overruled is said plainly in the mode's rationale. */
static void
test_wish_pushback(void)
{
    setup();
    if (!adv) return;
    struct requirement r;
    struct analysis an;
    one_source(&r, "aws", SOURCE_DATABASE, 5, NAN, 500, 86400);
    run_titled(&r, &an, "Daily revenue dashboard");
    CHECK(strcmp(wish_pushback_(&an), "") == 0);
    extract_result_fini(&an.p.ex);
    an.p.ex.notes = xcalloc(1, sizeof(*an.p.ex.notes));
    an.p.ex.n_notes = an.p.ex.cap_notes = 1;
    an.p.ex.notes[0].field = xstrdup("freshness_seconds");
    an.p.ex.notes[0].evidence = xstrdup("the CEO wants real-time");
    an.p.ex.notes[0].why = xstrdup("the wish 'real-time' is not what the only consumer, a daily "
                                   "dashboard, needs");
    const char *push = wish_pushback_(&an);
    CHECK(strstr(push, "Push-back") != NULL && strstr(push, "the CEO wants real-time") != NULL);
    analysis_fini_(&an);
    requirement_fini(&r);
}

static void
test_constraints(void)
{
    setup();
    if (!adv) return;
    struct requirement r;
    struct analysis an;
    one_source(&r, NULL, SOURCE_SAAS, 0.3, NAN, 500, 86400);
    r.team_size = 1;
    strlist_push(&r.team_skills, "excel");
    run_titled(&r, &an, "Ad spend dashboard for one marketer");
    CHECK(an.p.constraints & (1u << CONSTRAINT_NO_SERVERS));
    for (size_t i = 0; i < an.n_dec; i++)
        CHECK(an.dec[i].t == NULL || strstr(an.dec[i].t->requires, "runs:servers") == NULL);
    analysis_fini_(&an);
    requirement_fini(&r);

    one_source(&r, "gcp", SOURCE_EVENTS, 50, NAN, 500, 30);
    run_titled(&r, &an, "Events into BigQuery; we don't want to run kafka ourselves");
    CHECK(an.p.constraints & (1u << CONSTRAINT_NO_SELF_KAFKA));
    CHECK(!(an.p.constraints & (1u << CONSTRAINT_NO_SERVERS)));
    CHECK(strstr(an.p.avoid_lc, "kafka") == NULL);
    analysis_fini_(&an);
    requirement_fini(&r);
}

static int
has_control(const struct analysis *an, const char *words)
{
    for (size_t i = 0; i < an->n_control; i++)
        if (strstr(an->control[i]->text, words)) return 1;
    return 0;
}

static void
test_compliance_design(void)
{
    setup();
    if (!adv) return;
    struct requirement r;
    struct analysis an;
    one_source(&r, "aws", SOURCE_IOT, 50, 5000, 200, 60);
    strlist_push(&r.compliance, "ITAR");
    r.availability_target = 99.99;
    run_titled(&r, &an, "Plant telemetry");
    CHECK(an.p.region && strcmp(an.p.region, "us-gov-west-1") == 0);
    CHECK(has_control(&an, "US persons"));
    CHECK(decision_find_(&an, "availability") != NULL);
    analysis_fini_(&an);
    requirement_fini(&r);

    /* Words alone ask for a second region when no figure is given. */
    one_source(&r, "aws", SOURCE_EVENTS, 200, 5000, 500, 10);
    run_titled(&r, &an, "Payments events that must survive a regional outage (multi-region)");
    CHECK(decision_find_(&an, "availability") != NULL);
    analysis_fini_(&an);
    requirement_fini(&r);

    one_source(&r, "gcp", SOURCE_CLICKSTREAM, 50, NAN, 500, 86400);
    strlist_push(&r.compliance, "GDPR");
    run_titled(&r, &an, "Web analytics");
    CHECK(an.p.region && strcmp(an.p.region, "europe-west1") == 0);
    CHECK(has_control(&an, "ad platforms"));
    CHECK(decision_find_(&an, "availability") == NULL);
    analysis_fini_(&an);
    requirement_fini(&r);

    one_source(&r, "azure", SOURCE_DATABASE, 40, NAN, 500, 86400);
    strlist_push(&r.compliance, "SOX");
    run_titled(&r, &an, "General ledger reporting");
    CHECK_NEAR(an.p.retention_days, 2555, 1e-9);
    CHECK(has_control(&an, "seven years"));
    analysis_fini_(&an);
    requirement_fini(&r);
}

static const struct check_case cases[] = {
    {"absurd_text_is_clamped", test_absurd_text_is_clamped},
    {"load", test_load},
    {"kafka_sizing_small", test_kafka_sizing_small},
    {"kafka_sizing_large", test_kafka_sizing_large},
    {"kinesis_and_eventhubs_units", test_kinesis_and_eventhubs_units},
    {"cost_model_batch", test_cost_model_batch},
    {"over_budget", test_over_budget},
    {"mode_thresholds", test_mode_thresholds},
    {"determinism_and_json", test_determinism_and_json},
    {"history", test_history},
    {"empty_requirement", test_empty_requirement},
    {"terraform_shape", test_terraform_shape},
    {"tokens", test_tokens},
    {"data_driven_catalog", test_data_driven_catalog},
    {"archive", test_archive},
    {"consumer_needs", test_consumer_needs},
    {"request_kinds", test_request_kinds},
    {"existing_platforms_kept", test_existing_platforms_kept},
    {"design_hints", test_design_hints},
    {"migration_target", test_migration_target},
    {"wish_pushback", test_wish_pushback},
    {"constraints", test_constraints},
    {"compliance_design", test_compliance_design},
};

CHECK_MAIN(cases)
