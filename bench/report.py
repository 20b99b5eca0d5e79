#!/usr/bin/env python3
"""bench/report.py - turn bench/run's raw logfmt lines into the one table of `make bench`.

  report.py --results results.txt [--baselines DIR] [--json OUT.json]
  report.py --rss rss-NAME.txt --tag NAME

--results prints the table: each measure, the reference it is judged against (a ceiling measured
in the same run), their ratio, the issue's target and whether this run meets it, plus the
baseline (bench/baselines/*.json, the newest file) for comparison. --json writes the measures as
a flat object (the format of a baseline). --rss summarises RSS samples ("seconds rss_kb hwm_kb"
lines) into one logfmt line: peak, steady (median of the second half) and the growth between the
medians of the first and last quarters. Reads files only; no network.
"""
import argparse
import json
import os
import statistics
import sys


def parse(path):
    rows = []
    with open(path) as f:
        for line in f:
            row = {}
            for tok in line.split():
                if "=" in tok:
                    k, v = tok.split("=", 1)
                    row[k] = v
            if "bench" in row:
                rows.append(row)
    return rows


def num(row, key, default=None):
    try:
        return float(row[key])
    except (KeyError, TypeError, ValueError):
        return default


def rss(path, tag):
    samples = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and all(p.isdigit() for p in parts):
                samples.append(tuple(int(p) for p in parts))
    if not samples:
        print(f"bench=rss tag={tag} samples=0")
        return
    rs = [s[1] / 1024 for s in samples]
    n = len(rs)
    half = rs[n // 2:]
    q1 = rs[: max(1, n // 4)]
    q4 = rs[n - max(1, n // 4):]
    peak = max(s[2] for s in samples) / 1024
    m1, m4 = statistics.median(q1), statistics.median(q4)
    print(f"bench=rss tag={tag} samples={n} seconds={samples[-1][0]} peak_mb={peak:.1f} "
          f"steady_mb={statistics.median(half):.1f} first_quarter_mb={m1:.1f} "
          f"last_quarter_mb={m4:.1f} growth_mb={m4 - m1:.1f}")


def find(rows, **want):
    for r in rows:
        if all(r.get(k) == v for k, v in want.items()):
            return r
    return None


def measures(rows):
    """The flat measures of one run, keyed by stable names."""
    m = {}
    adv = find(rows, bench="advisor")
    if adv:
        m["advisor_reports_per_cpu_s"] = num(adv, "reports_per_cpu_s")
        m["advisor_reports_per_wall_s"] = num(adv, "reports_per_s")
        m["advisor_report_kb"] = num(adv, "report_kb")
    cg = find(rows, bench="callgrind")
    if cg:
        m["advisor_instructions_per_report"] = num(cg, "instructions_per_report")
    for voice, key in (("espeak-ng:en-us", "espeak"), ("flite:rms", "flite")):
        r = find(rows, bench="speech", mode="render", voice=voice)
        c = find(rows, bench="speech", mode="ceiling", voice=voice)
        if r:
            m[f"speech_{key}_audio_s_per_cpu_s"] = num(r, "audio_s_per_cpu_s")
            m[f"speech_{key}_bytes_per_audio_s"] = num(r, "bytes_per_audio_s")
        same = find(rows, bench="speech", mode="ceiling_same", voice=voice)
        if same:
            m[f"speech_{key}_ceiling_same_audio_s_per_cpu_s"] = num(same, "audio_s_per_cpu_s")
        if c:
            m[f"speech_{key}_ceiling_audio_s_per_cpu_s"] = num(c, "audio_s_per_cpu_s")
            m[f"speech_{key}_ceiling_bytes_per_audio_s"] = num(c, "bytes_per_audio_s")
            m[f"speech_{key}_synth_alone_audio_s_per_cpu_s"] = num(c, "synth_audio_s_per_cpu_s")
            m[f"speech_{key}_opus_alone_audio_s_per_cpu_s"] = num(c, "encode_audio_s_per_cpu_s")
    for tag in ("rate100", "rate1000", "saturation", "audio_saturation", "shell", "soak"):
        r = find(rows, bench="e2e", tag=tag)
        if not r:
            continue
        for k in ("events_per_s", "p50_ms", "p99_ms", "max_ms", "answered", "missing",
                  "duplicates", "daemon_cpu_ms_per_event", "broker_cpu_ms_per_event",
                  "redis_cpu_ms_per_event", "report_bytes", "audio_s_per_report", "load"):
            m[f"e2e_{tag}_{k}"] = num(r, k)
    for tag in ("report_sized", "requirement_sized"):
        r = find(rows, bench="ceiling", tag=tag)
        if r:
            m[f"kafka_ceiling_{tag}_per_s"] = num(r, "messages_per_s")
            m[f"kafka_ceiling_{tag}_bytes"] = num(r, "size")
    for tag in ("off", "audio", "soak"):
        r = find(rows, bench="metrics", tag=tag)
        if r:
            for k in ("commits", "aborts", "audio_cache_hits", "audio_cache_misses"):
                m[f"daemon_{tag}_{k}"] = num(r, k)
    for tag in ("off", "soak"):
        r = find(rows, bench="rss", tag=tag)
        if r:
            for k in ("peak_mb", "steady_mb", "growth_mb", "samples", "seconds"):
                m[f"rss_{tag}_{k}"] = num(r, k)
    meta = find(rows, bench="meta")
    if meta:
        m["cores"] = num(meta, "cores")
    return {k: v for k, v in m.items() if v is not None}


def fmt(v, unit=""):
    if v is None:
        return "-"
    if abs(v) >= 100:
        s = f"{v:,.0f}"
    elif abs(v) >= 10:
        s = f"{v:.1f}"
    else:
        s = f"{v:.2f}"
    return s + unit


def table(m, base):
    lines = []
    cores = m.get("cores", 2)

    def row(name, value, ref=None, target=None, ok=None, unit="", key=None, ref_unit=""):
        ratio = value / ref if value is not None and ref else None
        verdict = "-" if ok is None else ("met" if ok else "MISSED")
        b = base.get(key) if key else None
        lines.append((name, fmt(value, unit), fmt(ref, ref_unit), fmt(ratio) if ratio else "-",
                      target or "-", verdict, fmt(b, unit)))

    a = m.get("advisor_reports_per_cpu_s")
    row("advisor reports/s, one core (CPU time)", a, target=">= 20,000",
        ok=None if a is None else a >= 20000, key="advisor_reports_per_cpu_s")
    row("advisor reports/s, one core (wall clock)", m.get("advisor_reports_per_wall_s"),
        key="advisor_reports_per_wall_s")
    row("advisor instructions/report (callgrind)", m.get("advisor_instructions_per_report"),
        key="advisor_instructions_per_report")
    for key, label in (("espeak", "espeak-ng:en-us"), ("flite", "flite:rms")):
        v = m.get(f"speech_{key}_audio_s_per_cpu_s")
        c = m.get(f"speech_{key}_ceiling_audio_s_per_cpu_s")
        row(f"speech {label}: audio s per CPU s vs libraries direct", v, c,
            key=f"speech_{key}_audio_s_per_cpu_s")
        row(f"speech {label}: ... vs libraries with the daemon's Opus settings", v,
            m.get(f"speech_{key}_ceiling_same_audio_s_per_cpu_s"))
        row(f"speech {label}: bytes per audio s (ceiling: opus defaults)",
            m.get(f"speech_{key}_bytes_per_audio_s"),
            m.get(f"speech_{key}_ceiling_bytes_per_audio_s"),
            key=f"speech_{key}_bytes_per_audio_s")
    sat = m.get("e2e_saturation_events_per_s")
    ceil = m.get("kafka_ceiling_report_sized_per_s")
    ok = None if sat is None else sat >= 10000 and (ceil is None or sat >= ceil / 2)
    row("e2e audio off: events/s at saturation vs Kafka ceiling", sat, ceil,
        ">= 10,000 and >= 0.5", ok, key="e2e_saturation_events_per_s")
    row("Kafka ceiling, requirement-sized messages/s",
        m.get("kafka_ceiling_requirement_sized_per_s"), key="kafka_ceiling_requirement_sized_per_s")
    row("e2e audio off: p50 ms at 100/s (below capacity)", m.get("e2e_rate100_p50_ms"),
        key="e2e_rate100_p50_ms")
    row("e2e audio off: p99 ms at 100/s (below capacity)", m.get("e2e_rate100_p99_ms"),
        key="e2e_rate100_p99_ms")
    r1 = m.get("e2e_rate1000_events_per_s")
    row("e2e audio off: achieved events/s at 1,000/s offered", r1, 1000,
        key="e2e_rate1000_events_per_s")
    p99 = m.get("e2e_rate1000_p99_ms")
    row("e2e audio off: p50 ms at 1,000/s", m.get("e2e_rate1000_p50_ms"), key="e2e_rate1000_p50_ms")
    row("e2e audio off: p99 ms at 1,000/s", p99, target="< 25 ms",
        ok=None if p99 is None else p99 < 25, key="e2e_rate1000_p99_ms")
    row("e2e audio off: p50 / p99 ms at saturation", m.get("e2e_saturation_p50_ms"),
        key="e2e_saturation_p50_ms")
    row("", m.get("e2e_saturation_p99_ms"), key="e2e_saturation_p99_ms")
    total = sum(m.get(f"e2e_saturation_{w}_cpu_ms_per_event") or 0
                for w in ("daemon", "broker", "redis"))
    row(f"derived: events/s if {cores:.0f} idle cores ran only these three (saturation)",
        1000 * cores / total if total else None)
    for who in ("daemon", "broker", "redis"):
        row(f"e2e audio off: {who} CPU ms per event (saturation)",
            m.get(f"e2e_saturation_{who}_cpu_ms_per_event"),
            key=f"e2e_saturation_{who}_cpu_ms_per_event")
    au = m.get("e2e_audio_saturation_events_per_s")
    aus = m.get("e2e_audio_saturation_audio_s_per_report")
    sc = m.get("speech_espeak_ceiling_audio_s_per_cpu_s")
    speech_ceiling = cores * sc / aus if sc and aus else None
    row("e2e audio on: reports with audio/s vs speech ceiling (all cores)", au, speech_ceiling,
        ">= 0.9", None if au is None or speech_ceiling is None else au >= 0.9 * speech_ceiling,
        key="e2e_audio_saturation_events_per_s")
    cpu_ms = m.get("e2e_audio_saturation_daemon_cpu_ms_per_event")
    per_cpu = aus / (cpu_ms / 1000) if aus and cpu_ms else None
    row("e2e audio on: audio s per CPU s, daemon + workers, vs ceiling", per_cpu, sc, ">= 0.9",
        None if per_cpu is None or not sc else per_cpu >= 0.9 * sc)
    row("e2e audio on: p50 / p99 ms", m.get("e2e_audio_saturation_p50_ms"),
        key="e2e_audio_saturation_p50_ms")
    row("", m.get("e2e_audio_saturation_p99_ms"), key="e2e_audio_saturation_p99_ms")
    sh = m.get("e2e_shell_events_per_s")
    row("e2e audio on vs the shell pipeline (reports/s)", au, sh, ">= 3",
        None if au is None or not sh else au >= 3 * sh, key="e2e_shell_events_per_s")
    row("shell pipeline: p50 ms", m.get("e2e_shell_p50_ms"), key="e2e_shell_p50_ms")
    for tag, label in (("off", "audio-off runs"), ("soak", "over the soak (1,000/s offered)")):
        st = m.get(f"rss_{tag}_steady_mb")
        row(f"daemon RSS MB {label}: steady", st, target="< 64 MB",
            ok=None if st is None else st < 64, key=f"rss_{tag}_steady_mb")
        row(f"daemon RSS MB {label}: peak", m.get(f"rss_{tag}_peak_mb"), key=f"rss_{tag}_peak_mb")
    g = m.get("rss_soak_growth_mb")
    n = m.get("e2e_soak_answered")
    row(f"daemon RSS growth MB over the soak ({fmt(n)} events)", g, target="flat (< 4 MB)",
        ok=None if g is None else g < 4, key="rss_soak_growth_mb")
    runs = ("rate100", "rate1000", "saturation", "soak", "audio_saturation")
    dups = sum(m.get(f"e2e_{t}_duplicates", 0) for t in runs)
    miss = sum(m.get(f"e2e_{t}_missing", 0) for t in runs)
    row("daemon runs: duplicate reports / unanswered events", dups, miss)
    aborts = sum(m.get(f"daemon_{t}_aborts", 0) for t in ("off", "audio", "soak"))
    commits = sum(m.get(f"daemon_{t}_commits", 0) for t in ("off", "audio", "soak"))
    row("daemon runs: aborted / committed transactions", aborts, commits)
    row("e2e audio on: audio cache hits / misses (must be 0 / all)",
        m.get("daemon_audio_audio_cache_hits"), m.get("daemon_audio_audio_cache_misses"))

    head = ("measure", "value", "reference", "ratio", "target", "verdict", "baseline")
    widths = [max(len(str(r[i])) for r in lines + [head]) for i in range(len(head))]
    out = []
    for i, r in enumerate([head] + lines):
        cells = [str(c).ljust(widths[j]) if j == 0 else str(c).rjust(widths[j])
                 for j, c in enumerate(r)]
        out.append("| " + " | ".join(cells) + " |")
        if i == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def newest_baseline(directory):
    if not directory or not os.path.isdir(directory):
        return {}
    files = sorted(f for f in os.listdir(directory) if f.endswith(".json"))
    if not files:
        return {}
    with open(os.path.join(directory, files[-1])) as f:
        return json.load(f).get("measures", {})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results")
    ap.add_argument("--baselines")
    ap.add_argument("--json")
    ap.add_argument("--rss")
    ap.add_argument("--tag", default="-")
    args = ap.parse_args()
    if args.rss:
        rss(args.rss, args.tag)
        return 0
    if not args.results:
        ap.error("--results or --rss")
    rows = parse(args.results)
    m = measures(rows)
    meta = find(rows, bench="meta") or {}
    end = find(rows, bench="meta_end") or {}
    print(f"pipewright benchmarks {meta.get('date', '?')} commit {meta.get('commit', '?')} "
          f"(build {meta.get('build', '?')}, {'quick' if meta.get('quick') == '1' else 'full'} "
          f"run, {meta.get('cores', '?')} cores, load average {meta.get('load_before', '?')} "
          f"before and {end.get('load_after', '?')} after)")
    print(table(m, newest_baseline(args.baselines)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": meta.get("date"), "commit": meta.get("commit"),
                       "build": meta.get("build"), "quick": meta.get("quick"), "measures": m},
                      f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
