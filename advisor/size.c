/* advisor/size.c - turn the profile and the chosen technologies into capacity figures.
 *
 * Owns the arithmetic of sizing.md as carried into constants.tsv: Kafka partitions
 * (max(peak/produce, peak/consume, events/parallelism) x headroom, rounded to a multiple),
 * brokers (peak MiB/s over the per-broker rate, rounded to a multiple of 3, stepping up the
 * broker size), broker disk (average x retention x replication x headroom), Kinesis shards and
 * Event Hubs throughput units (the largest of the write-bytes, write-records and shared-read
 * limits of limits.tsv, x shard_headroom), stream vCPUs (x 1.3 headroom), batch vCPU-hours, lake
 * storage after compression at month 1, the planning month and steady state (one hot window: the
 * request's "last N days hot" or the constant), and the serving stores. Published limits are
 * checked: a figure above one changes the design (more brokers, more partitions) or leaves a
 * note in sz.limit_note for the report and the risks. Each figure keeps the working that produced
 * it, for the report. Pure, deterministic.
 */
#include "advisor_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 'v' as the report writes numbers (1,234 or 2.5), in the arena. */
static double
round_up_multiple(double v, double m)
{
    return ceil(v / m - 1e-9) * m;
}

static double
max3(double a, double b, double c)
{
    double m = a > b ? a : b;
    return m > c ? m : c;
}

static void
limit_note(struct analysis *an, const char *note)
{
    struct sizing *sz = &an->sz;
    if (sz->n_limit_note < PW_ARRAY_LEN(sz->limit_note)) sz->limit_note[sz->n_limit_note++] = note;
}

/* Per-broker storage and partition limits (limits.tsv): more brokers when a broker would hold
 * more than MSK allows. */
static void
kafka_limits(struct analysis *an)
{
    const struct limits *lim = &an->a->lim;
    struct sizing *sz = &an->sz;
    double per_broker_gib = sz->broker_disk_gb * 1e9 / 1073741824.0 / (double)sz->brokers;
    double replicas = (double)(sz->partitions * sz->rf);
    double need = fmax(ceil(per_broker_gib * (double)sz->brokers / lim->msk_broker_storage_max_gib -
                            1e-9),
                       ceil(replicas / lim->msk_partitions_per_broker - 1e-9));
    need = round_up_multiple(need, an->a->k.kafka_broker_multiple);
    if (need <= (double)sz->brokers) return;
    limit_note(an, arena_printf_(&an->ar,
                                 "%ld brokers would hold %s GiB each (MSK maximum %g GiB) and %.0f "
                                 "partition replicas (about %g per broker recommended): %.0f "
                                 "brokers instead",
                                 sz->brokers, fmt_num_arena_(an, per_broker_gib),
                                 lim->msk_broker_storage_max_gib, replicas,
                                 lim->msk_partitions_per_broker, need));
    sz->brokers = (long)need;
    sz->brokers_working = arena_printf_(&an->ar,
                                        "%s; raised to %ld brokers by the per-broker "
                                        "storage and partition limits",
                                        sz->brokers_working, sz->brokers);
}

/* Brokers of a self-run Kafka cluster (or a managed one we size): count, type and disk. */
static void
size_brokers(struct analysis *an, const struct flow *f)
{
    const struct knobs *k = &an->a->k;
    struct sizing *sz = &an->sz;
    sz->kafka_self = 1;
    sz->rf = (long)k->kafka_replication_factor;
    sz->min_insync = (long)k->kafka_min_insync;
    double peak_mib = f->peak_mb_s * 1e6 / 1048576.0;
    const struct advisor *a = an->a;
    double n = 0;
    size_t t;
    for (t = 0; t < a->n_broker_types; t++) {
        n = ceil(peak_mib / a->broker_mibps[t] - 1e-9);
        if (n < k->kafka_min_brokers) n = k->kafka_min_brokers;
        n = round_up_multiple(n, k->kafka_broker_multiple);
        if (n <= k->kafka_max_brokers_per_type) break;
    }
    if (t == a->n_broker_types) t--;
    sz->brokers = (long)n;
    sz->broker_type = a->broker_type[t];
    sz->broker_mibps = a->broker_mibps[t];
    sz->brokers_working = arena_printf_(
        &an->ar,
        "peak %.2f MiB/s / %g MiB/s per %s broker (AWS msk_sizing.py model, RF %ld, fan-out 1) "
        "-> at least %g, rounded up to a multiple of %g -> %ld brokers",
        peak_mib, sz->broker_mibps, sz->broker_type, sz->rf, k->kafka_min_brokers,
        k->kafka_broker_multiple, sz->brokers);
    sz->broker_disk_gb = f->avg_mb_s * 86400.0 * k->kafka_retention_days * (double)sz->rf *
                         k->kafka_disk_headroom / 1000.0;
    sz->disk_working = arena_printf_(
        &an->ar, "%.2f MB/s x 86,400 s x %g days x RF %ld x %g headroom / 1,000 = %s GB",
        f->avg_mb_s, k->kafka_retention_days, sz->rf, k->kafka_disk_headroom,
        fmt_num_arena_(an, sz->broker_disk_gb));
    sz->cross_az_gb = f->gb_day * k->days_per_month * 2.0 / 3.0;
    kafka_limits(an);
}

static void
size_kafka(struct analysis *an, const struct decision *d, const struct flow *f)
{
    const struct knobs *k = &an->a->k;
    struct sizing *sz = &an->sz;
    sz->has_kafka = 1;
    sz->kafka_via = d->choice;
    sz->kafka_flow = *f;
    double by_produce = f->peak_mb_s / k->kafka_partition_produce_mbps;
    double by_consume = f->peak_mb_s / k->kafka_partition_consume_mbps;
    double by_events = f->peak_ev_s / k->kafka_events_per_partition;
    double raw = max3(by_produce, by_consume, by_events) * k->kafka_partition_headroom;
    double parts = round_up_multiple(ceil(raw - 1e-9), k->kafka_partition_multiple);
    if (parts < k->kafka_partition_min) parts = k->kafka_partition_min;
    /* A managed hub caps partitions per hub (Event Hubs Standard: 32, limits.tsv). */
    int managed = strcmp(d->t->id, "az_eventhubs") == 0 || strcmp(d->t->id, "az_debezium") == 0;
    const struct limits *lim = &an->a->lim;
    if (managed && parts > lim->eventhubs_partitions_standard) {
        limit_note(an, arena_printf_(&an->ar,
                                     "%.0f partitions wanted, above the %g a Standard event hub "
                                     "allows: capped at %g; beyond that the hub needs Premium "
                                     "(%g partitions) or Dedicated",
                                     parts, lim->eventhubs_partitions_standard,
                                     lim->eventhubs_partitions_standard,
                                     lim->eventhubs_partitions_premium));
        parts = lim->eventhubs_partitions_standard;
    }
    long kept = d->reused ? existing_partitions_(an) : 0;
    if (kept > 0) {
        /* The topic runs already: its partitions stay (repartitioning reorders keys); a
         * shortfall is said, not silently fixed. */
        sz->partitions = kept;
        sz->partitions_working = arena_printf_(
            &an->ar,
            "the existing topic's %ld partitions are kept; this flow needs %.0f (max(peak "
            "%.2f MB/s / %g MB/s produce, %.0f events/s / %g) x %g)%s",
            kept, parts, f->peak_mb_s, k->kafka_partition_produce_mbps, f->peak_ev_s,
            k->kafka_events_per_partition, k->kafka_partition_headroom,
            parts > (double)kept ? ": too few, add partitions on a new topic and migrate consumers"
                                 : "");
        if (!managed) size_brokers(an, f);
        return;
    }
    sz->partitions = (long)parts;
    sz->partitions_working = arena_printf_(
        &an->ar,
        "max(peak %.2f MB/s / %g MB/s produce, %.2f / %g MB/s consume, %.0f events/s / %g) x %g "
        "= %.2f, rounded up to a multiple of %g, at least %g -> %ld",
        f->peak_mb_s, k->kafka_partition_produce_mbps, f->peak_mb_s,
        k->kafka_partition_consume_mbps, f->peak_ev_s, k->kafka_events_per_partition,
        k->kafka_partition_headroom, raw, k->kafka_partition_multiple, k->kafka_partition_min,
        sz->partitions);
    if (managed) return;
    size_brokers(an, f);
}

/* Readers of a stream: the lake writer, plus the stream processor when there is one. */
static double
stream_readers(const struct analysis *an)
{
    return decision_find_(an, "stream_processing") ? 2 : 1;
}

/* Shards or throughput units for 'f': the largest of the write-bytes, write-records and
 * shared-read limits (limits.tsv), times the headroom, with the arithmetic in 'working'. */
static long
stream_units(struct analysis *an, const struct decision *d, const struct flow *f, int eventhubs,
             const char *unit, const char **working)
{
    const struct limits *lim = &an->a->lim;
    double in_mb = eventhubs ? lim->eventhubs_tu_in_mbps : lim->kinesis_shard_in_mbps;
    double in_rec = eventhubs ? lim->eventhubs_tu_in_events : lim->kinesis_shard_in_records;
    double out_mb = eventhubs ? lim->eventhubs_tu_out_mbps : lim->kinesis_shard_out_mbps;
    double readers = stream_readers(an);
    double by_mb = f->peak_mb_s / in_mb, by_rec = f->peak_ev_s / in_rec;
    double by_out = f->peak_mb_s * readers / out_mb;
    double need = fmax(fmax(by_mb, by_rec), by_out);
    double headroom = an->a->k.shard_headroom;
    double units = ceil(need * headroom - 1e-9);
    if (units < 1) units = 1;
    an->sz.shards_needed += need;
    *working = arena_printf_(
        &an->ar,
        "%s: max(peak %s MB/s / %g MB/s in = %s; %s records/s at peak / %s per unit = %s; %.0f "
        "reader%s x %s MB/s / %g MB/s out = %s) = %s, x %g headroom -> %.0f %s",
        d->choice, fmt_num_arena_(an, f->peak_mb_s), in_mb, fmt_num_arena_(an, by_mb),
        fmt_num_arena_(an, f->peak_ev_s), fmt_num_arena_(an, in_rec), fmt_num_arena_(an, by_rec),
        readers, readers > 1 ? "s" : "", fmt_num_arena_(an, f->peak_mb_s), out_mb,
        fmt_num_arena_(an, by_out), fmt_num_arena_(an, need), headroom, units, unit);
    return (long)units;
}

/* Throughput units beyond the partition count add nothing; beyond the Standard tier's
 * partitions or TUs the hub needs Premium. */
static void
eventhubs_limits(struct analysis *an, struct stream_unit *u, double partitions)
{
    const struct limits *lim = &an->a->lim;
    double tus = (double)u->units;
    if (tus > lim->eventhubs_partitions_standard || tus > lim->eventhubs_max_tu_standard) {
        /* The next tier: Premium processing units, up to 100 partitions per hub. */
        double mb = (double)tus / an->a->k.shard_headroom * lim->eventhubs_tu_in_mbps;
        double pus = ceil(mb / lim->eventhubs_pu_planning_mbps * an->a->k.shard_headroom - 1e-9);
        an->sz.eventhubs_premium = 1;
        u->units = (long)fmax(1, pus);
        u->unit_name = "processing units";
        if (partitions > 0) an->sz.partitions = (long)fmin(tus, lim->eventhubs_partitions_premium);
        u->working = arena_printf_(&an->ar,
                                   "%s; beyond Event Hubs Standard (%g partitions per hub, %g TUs "
                                   "per namespace), so Premium: %s MB/s / %g MB/s per PU "
                                   "(planning estimate) x %g headroom -> %ld processing units",
                                   u->working, lim->eventhubs_partitions_standard,
                                   lim->eventhubs_max_tu_standard, fmt_num_arena_(an, mb),
                                   lim->eventhubs_pu_planning_mbps, an->a->k.shard_headroom,
                                   u->units);
        limit_note(an, arena_printf_(&an->ar,
                                     "%.0f throughput units exceed Event Hubs Standard (%g "
                                     "partitions per hub, %g TUs per namespace): sized as Premium "
                                     "with %ld processing units%s",
                                     tus, lim->eventhubs_partitions_standard,
                                     lim->eventhubs_max_tu_standard, u->units,
                                     (double)u->units > lim->eventhubs_max_pu_premium
                                         ? ", above Premium's 16 per namespace: Dedicated"
                                         : ""));
        return;
    }
    if (partitions > 0 && tus > partitions) {
        an->sz.partitions = (long)tus;
        u->working = arena_printf_(&an->ar,
                                   "%s; partitions raised to %.0f, since a TU beyond "
                                   "the partition count adds no throughput",
                                   u->working, tus);
    }
}

static void
size_streams(struct analysis *an)
{
    const struct knobs *k = &an->a->k;
    struct sizing *sz = &an->sz;
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (d->t == NULL || strcmp(d->area, "ingestion") != 0) continue;
        struct flow f;
        flow_of_(an, d->src_mask, &f);
        if (strcmp(d->t->family, "inplace") != 0) {
            sz->stream_flow.gb_day += f.gb_day;
            sz->stream_flow.avg_mb_s += f.avg_mb_s;
            sz->stream_flow.peak_mb_s += f.peak_mb_s;
            sz->stream_flow.peak_ev_s += f.peak_ev_s;
            sz->stream_flow.avg_ev_s += f.avg_ev_s;
        }
        if (sz->n_unit == PW_ARRAY_LEN(sz->unit)) continue;
        struct stream_unit *u = &sz->unit[sz->n_unit];
        u->d = d;
        u->f = f;
        const char *fam = d->t->family;
        if (strcmp(fam, "eventhubs") == 0) {
            u->units = stream_units(an, d, &f, 1, "throughput units", &u->working);
            u->unit_name = "throughput units";
            eventhubs_limits(an, u, (double)u->units);
            sz->n_unit++;
        } else if (strcmp(fam, "kafka") == 0) {
            if (!sz->has_kafka) size_kafka(an, d, &f);
            if (sz->kafka_self) {
                u->units = sz->partitions;
                u->unit_name = "partitions";
                u->working = sz->partitions_working;
            } else {
                u->units = stream_units(an, d, &f, 1, "throughput units", &u->working);
                u->unit_name = "throughput units";
                eventhubs_limits(an, u, (double)sz->partitions);
            }
            sz->n_unit++;
        } else if (strcmp(fam, "kinesis") == 0) {
            u->units = stream_units(an, d, &f, 0, "shards", &u->working);
            u->unit_name = "shards";
            sz->n_unit++;
        } else if (strcmp(fam, "pubsub") == 0) {
            double tib = f.gb_day * k->days_per_month / 1099.511627776;
            u->units = (long)ceil(tib);
            u->unit_name = "TiB a month";
            u->working = arena_printf_(&an->ar,
                                       "%.2f GB/day x %g days / 1,099.5 GB per TiB = %.2f TiB "
                                       "a month; no partitions to size",
                                       f.gb_day, k->days_per_month, tib);
            sz->n_unit++;
        }
    }
}

static void
size_compute(struct analysis *an)
{
    const struct knobs *k = &an->a->k;
    struct sizing *sz = &an->sz;
    const struct decision *sp = decision_find_(an, "stream_processing");
    if (sp) {
        sz->has_stream = 1;
        sz->stateful = (an->p.needs >> NEED_STATEFUL) & 1;
        const struct flow *f = &sz->stream_flow;
        double per_mb = sz->stateful ? k->stateful_mbps_per_vcpu : k->stream_mbps_per_vcpu;
        double per_ev = sz->stateful ? k->stateful_events_per_vcpu : k->stream_events_per_vcpu;
        double raw = fmax(f->peak_mb_s / per_mb, f->peak_ev_s / per_ev);
        double vcpu = ceil(raw * k->stream_headroom - 1e-9);
        if (vcpu < k->stream_min_vcpu) vcpu = k->stream_min_vcpu;
        sz->stream_vcpu = vcpu;
        sz->stream_working = arena_printf_(
            &an->ar,
            "%s job: max(peak %.2f MB/s / %g MB/s per vCPU, %.0f events/s / %g per vCPU) = %.2f "
            "x %g headroom -> %.0f vCPU (at least %g)",
            sz->stateful ? "stateful" : "stateless", f->peak_mb_s, per_mb, f->peak_ev_s, per_ev,
            raw, k->stream_headroom, vcpu, k->stream_min_vcpu);
    }
    /* Batch jobs parse records; binary objects (video, images) are copied by path, not read. */
    double parsed_gb = 0, parsed_landing_gb = 0;
    for (size_t i = 0; i < an->p.n_src; i++)
        if (an->p.src[i].compression > 1.0) {
            parsed_gb += an->p.src[i].gb_day;
            parsed_landing_gb += an->p.src[i].gb_day / k->landing_compression;
        }
    sz->batch_vcpu_h = parsed_gb * k->days_per_month / k->batch_gb_per_vcpu_hour;
    sz->batch_working = arena_printf_(&an->ar,
                                      "%s GB/day of records x %g days / %g GB per vCPU-hour = "
                                      "%s vCPU-hours a month",
                                      fmt_num_arena_(an, parsed_gb), k->days_per_month,
                                      k->batch_gb_per_vcpu_hour,
                                      fmt_num_arena_(an, sz->batch_vcpu_h));
    sz->batch_scan_tb = parsed_landing_gb * k->days_per_month / 1000.0;
    /* Queries scan the columnar tables; binary objects (images, genomes) are read by path. */
    double columnar_gb = 0;
    for (size_t i = 0; i < an->p.n_src; i++)
        if (an->p.src[i].compression > 1.0)
            columnar_gb += an->p.src[i].gb_day / an->p.src[i].compression;
    sz->scan_tb = columnar_gb * k->days_per_month * k->scan_reads_per_month / 1000.0;
    size_t db_sources = 0;
    for (size_t i = 0; i < an->p.n_src; i++) db_sources++;
    sz->runs_k = (double)db_sources * k->adf_tables_per_source * k->days_per_month / 1000.0;
    double shards = ceil(an->p.total.peak_ev_s / k->online_ops_per_shard - 1e-9);
    if (shards < 1) shards = 1;
    sz->online_nodes = (long)(shards * k->online_min_nodes);
    sz->search_nodes = (long)k->search_nodes;
    double searchable = 0;
    for (size_t i = 0; i < an->p.n_src; i++) {
        enum source_kind kd = an->p.src[i].kind;
        if (kd != SOURCE_CLICKSTREAM && kd != SOURCE_IOT && kd != SOURCE_LOGS &&
            an->p.src[i].compression > 1.0)
            searchable += an->p.src[i].gb_day;
    }
    sz->search_disk_gb = searchable * fmin(365.0, an->p.retention_days) * k->search_replicas;
    sz->hot_replica_gb = an->p.total.lake_gb_day * fmin(sz->hot_days, an->p.retention_days);
}

/* Columnar lake GB held after 'month' months, and the part of it in the hot tier. */
static void
lake_at(const struct analysis *an, double month, double *total, double *hot)
{
    const struct knobs *k = &an->a->k;
    double days = fmin(month * k->days_per_month, an->p.retention_days);
    *total = an->p.total.lake_gb_day * days;
    *hot = an->p.total.lake_gb_day * fmin(days, an->sz.hot_days);
}

/* "last 90 days hot", "hot for 60 days": the request's own hot window, or 0. */
static double
stated_hot_days(struct analysis *an)
{
    const char *t = an->p.ctx_lc;
    if (t == NULL) return 0;
    for (const char *p = strstr(t, "day"); p; p = strstr(p + 3, "day")) {
        const char *q = p;
        while (q > t && q[-1] == ' ') q--;
        const char *e = q;
        while (q > t && q[-1] >= '0' && q[-1] <= '9') q--;
        if (q == e || e - q > 4) continue;
        double n = strtod(q, NULL);
        if (n < 7 || n > 3650) continue;
        const char *lo = q - t > 30 ? q - 30 : t;
        size_t span = (size_t)(p - lo) + 30;
        char win[96];
        size_t len = strlen(lo);
        if (span > len) span = len;
        if (span >= sizeof(win)) span = sizeof(win) - 1;
        memcpy(win, lo, span);
        win[span] = '\0';
        if (has_token_(win, "hot")) {
            an->sz.hot_days_basis = arena_printf_(&an->ar, "%.*s", (int)span, lo);
            return n;
        }
    }
    return 0;
}

static void
size_storage(struct analysis *an)
{
    const struct knobs *k = &an->a->k;
    struct sizing *sz = &an->sz;
    const struct flow *t = &an->p.total;
    double total, hot;
    sz->landing_gb = t->landing_gb_day * fmin(k->landing_days, an->p.retention_days);
    lake_at(an, 1, &total, &hot);
    sz->month1_gb = total;
    lake_at(an, k->planning_month, &total, &hot);
    sz->plan_gb = total;
    sz->lake_hot_gb = hot;
    sz->lake_cool_gb = total - hot;
    sz->steady_gb = t->lake_gb_day * an->p.retention_days;
    sz->total_tb = (sz->steady_gb + sz->landing_gb) / 1000.0;
    double ratio = t->lake_gb_day > 0 ? t->gb_day / t->lake_gb_day : 1;
    const char *in_lake = ratio > 1.0001
                              ? arena_printf_(&an->ar,
                                              "%s GB/day raw / %sx compression = %s GB/day",
                                              fmt_num_arena_(an, t->gb_day),
                                              fmt_num_arena_(an, ratio),
                                              fmt_num_arena_(an, t->lake_gb_day))
                              : arena_printf_(&an->ar,
                                              "%s GB/day (columnar or binary files, stored at "
                                              "their size)",
                                              fmt_num_arena_(an, t->gb_day));
    sz->storage_working = arena_printf_(
        &an->ar,
        "%s in the lake; month 1 %s GB, month %g %s GB "
        "(%s GB hot for %g days, %s GB in the cool tier), steady state at %s days of retention "
        "%s TB%s",
        in_lake, fmt_num_arena_(an, sz->month1_gb), k->planning_month,
        fmt_num_arena_(an, sz->plan_gb), fmt_num_arena_(an, sz->lake_hot_gb), sz->hot_days,
        fmt_num_arena_(an, sz->lake_cool_gb), fmt_num_arena_(an, an->p.retention_days),
        fmt_num_arena_(an, sz->steady_gb / 1000.0),
        sz->landing_gb > 0 ? arena_printf_(&an->ar, "; landing zone %s GB (%g days)",
                                           fmt_num_arena_(an, sz->landing_gb), k->landing_days)
                           : "");
    sz->net_avg_gbit = t->avg_mb_s * 8.0 / 1000.0;
    sz->net_peak_gbit = t->peak_mb_s * 8.0 / 1000.0;
    sz->raw_capacity_tb = t->lake_gb_day * fmin(90.0, an->p.retention_days) / 1000.0 *
                          k->erasure_overhead;
    sz->tape_per_year = t->lake_gb_day * 365.0 / 1000.0 / k->tape_cartridge_tb * k->tape_copies;
}

/* Per-service quotas of the chosen services (limits.tsv) that the design's figures could break. */
static void
check_limits(struct analysis *an)
{
    const struct limits *lim = &an->a->lim;
    const struct flow *t = &an->p.total;
    for (size_t i = 0; i < an->n_dec; i++) {
        const struct decision *d = &an->dec[i];
        if (d->t == NULL) continue;
        const char *id = d->t->id;
        if (strcmp(id, "aws_lambda_stream") == 0 || strcmp(id, "az_functions") == 0) {
            /* One invocation per event of about 0.2 s: concurrency = events/s x 0.2. */
            double conc = t->peak_ev_s * 0.2;
            if (conc > lim->lambda_concurrency)
                limit_note(an, arena_printf_(&an->ar,
                                             "%s: %s concurrent executions at peak (%s events/s x "
                                             "0.2 s) exceed the default quota of %g: batch the "
                                             "events or raise the quota",
                                             d->choice, fmt_num_arena_(an, conc),
                                             fmt_num_arena_(an, t->peak_ev_s),
                                             lim->lambda_concurrency));
        }
        if (strcmp(d->t->family, "pubsub") == 0)
            for (size_t s = 0; s < an->p.n_src; s++)
                if (an->p.src[s].record_bytes > lim->pubsub_message_mb * 1e6)
                    limit_note(an, arena_printf_(&an->ar,
                                                 "%s: records of %s bytes exceed Pub/Sub's %g MB "
                                                 "message limit: send the object path, not the "
                                                 "object",
                                                 an->p.src[s].name,
                                                 fmt_num_arena_(an, an->p.src[s].record_bytes),
                                                 lim->pubsub_message_mb));
        if ((strcmp(id, "gcp_bigquery") == 0 || strcmp(id, "gcp_bq_dbt") == 0) &&
            an->mode == MODE_STREAMING && t->peak_mb_s > lim->bigquery_write_api_mbps)
            limit_note(an, arena_printf_(&an->ar,
                                         "streaming %s MB/s at peak into BigQuery exceeds the "
                                         "Storage Write API's %g MB/s per project and region: "
                                         "use a multi-region dataset or write files",
                                         fmt_num_arena_(an, t->peak_mb_s),
                                         lim->bigquery_write_api_mbps));
    }
    for (size_t u = 0; u < an->sz.n_unit; u++)
        if (strcmp(an->sz.unit[u].unit_name, "shards") == 0 &&
            (double)an->sz.unit[u].units > lim->kinesis_shards_per_account)
            limit_note(an, arena_printf_(&an->ar,
                                         "%ld shards exceed the account's default quota of %g "
                                         "shards: request a raise before launch",
                                         an->sz.unit[u].units, lim->kinesis_shards_per_account));
}

void
size_(struct analysis *an)
{
    memset(&an->sz, 0, sizeof(an->sz));
    double stated = stated_hot_days(an);
    an->sz.hot_days = stated > 0 ? stated : an->a->k.hot_days;
    size_streams(an);
    size_compute(an);
    size_storage(an);
    check_limits(an);
}
