/* advisor/size.c - turn the profile and the chosen technologies into capacity figures.
 *
 * Owns the arithmetic of sizing.md as carried into constants.tsv: Kafka partitions
 * (max(peak/produce, peak/consume, events/parallelism) x headroom, rounded to a multiple),
 * brokers (peak MiB/s over the per-broker rate, rounded to a multiple of 3, stepping up the
 * broker size), broker disk (average x retention x replication x headroom), Kinesis shards and
 * Event Hubs throughput units, stream vCPUs (x 1.3 headroom), batch vCPU-hours, lake storage after
 * compression at month 1, the planning month and steady state, and the serving stores. Each
 * figure keeps the working that produced it, for the report. Pure, deterministic.
 */
#include "advisor_int.h"

#include <math.h>
#include <stdio.h>
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
    /* A managed hub caps partitions per hub (Event Hubs Standard: 32). */
    int managed = strcmp(d->t->id, "az_eventhubs") == 0 || strcmp(d->t->id, "az_debezium") == 0;
    if (managed && parts > k->eventhubs_max_partitions) parts = k->eventhubs_max_partitions;
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
            double tus = ceil(fmax(f.peak_mb_s / k->eventhubs_tu_mbps,
                                   f.peak_ev_s / k->eventhubs_tu_events) - 1e-9);
            u->units = tus < 1 ? 1 : (long)tus;
            u->unit_name = "throughput units";
            u->working = arena_printf_(&an->ar,
                                       "max(peak %.2f MB/s / %g MB/s, %.0f events/s / %g) -> "
                                       "%ld throughput units",
                                       f.peak_mb_s, k->eventhubs_tu_mbps, f.peak_ev_s,
                                       k->eventhubs_tu_events, u->units);
            sz->n_unit++;
        } else if (strcmp(fam, "kafka") == 0) {
            if (!sz->has_kafka) size_kafka(an, d, &f);
            double tus = ceil(fmax(f.peak_mb_s / k->eventhubs_tu_mbps,
                                   f.peak_ev_s / k->eventhubs_tu_events) - 1e-9);
            if (tus < 1) tus = 1;
            u->units = sz->kafka_self ? sz->partitions : (long)tus;
            u->unit_name = sz->kafka_self ? "partitions" : "throughput units";
            u->working =
                sz->kafka_self
                    ? sz->partitions_working
                    : arena_printf_(&an->ar,
                                    "max(peak %.2f MB/s / %g MB/s, %.0f events/s / %g) -> %ld "
                                    "throughput units; %ld partitions",
                                    f.peak_mb_s, k->eventhubs_tu_mbps, f.peak_ev_s,
                                    k->eventhubs_tu_events, u->units, sz->partitions);
            sz->n_unit++;
        } else if (strcmp(fam, "kinesis") == 0) {
            double shards = ceil(fmax(f.peak_mb_s / k->kinesis_shard_mbps,
                                      f.peak_ev_s / k->kinesis_shard_records) - 1e-9);
            if (shards < 1) shards = 1;
            u->units = (long)shards;
            u->unit_name = "shards";
            u->working = arena_printf_(&an->ar,
                                       "max(peak %.2f MB/s / %g MB/s, %.0f records/s / %g) -> "
                                       "%ld shards",
                                       f.peak_mb_s, k->kinesis_shard_mbps, f.peak_ev_s,
                                       k->kinesis_shard_records, u->units);
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
                                      k->batch_gb_per_vcpu_hour, fmt_num_arena_(an, sz->batch_vcpu_h));
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
    sz->hot_replica_gb = an->p.total.lake_gb_day * fmin(k->hot_days, an->p.retention_days);
}

/* Columnar lake GB held after 'month' months, and the part of it in the hot tier. */
static void
lake_at(const struct analysis *an, double month, double *total, double *hot)
{
    const struct knobs *k = &an->a->k;
    double days = fmin(month * k->days_per_month, an->p.retention_days);
    *total = an->p.total.lake_gb_day * days;
    *hot = an->p.total.lake_gb_day * fmin(days, k->hot_days);
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
    sz->storage_working = arena_printf_(
        &an->ar,
        "%s GB/day raw / %sx compression = %s GB/day in the lake; month 1 %s GB, month %g %s GB "
        "(%s GB hot for %g days, %s GB in the cool tier), steady state at %s days of retention "
        "%s TB; landing zone %s GB (%g days)",
        fmt_num_arena_(an, t->gb_day), fmt_num_arena_(an, ratio), fmt_num_arena_(an, t->lake_gb_day), fmt_num_arena_(an, sz->month1_gb),
        k->planning_month, fmt_num_arena_(an, sz->plan_gb), fmt_num_arena_(an, sz->lake_hot_gb), k->hot_days,
        fmt_num_arena_(an, sz->lake_cool_gb), fmt_num_arena_(an, an->p.retention_days), fmt_num_arena_(an, sz->steady_gb / 1000.0),
        fmt_num_arena_(an, sz->landing_gb), k->landing_days);
    sz->net_avg_gbit = t->avg_mb_s * 8.0 / 1000.0;
    sz->net_peak_gbit = t->peak_mb_s * 8.0 / 1000.0;
    sz->raw_capacity_tb = t->lake_gb_day * fmin(90.0, an->p.retention_days) / 1000.0 *
                          k->erasure_overhead;
    sz->tape_per_year = t->lake_gb_day * 365.0 / 1000.0 / k->tape_cartridge_tb * k->tape_copies;
}

void
size_(struct analysis *an)
{
    memset(&an->sz, 0, sizeof(an->sz));
    size_streams(an);
    size_compute(an);
    size_storage(an);
}
