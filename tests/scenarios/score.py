#!/usr/bin/env python3
"""tests/scenarios/score.py - score the advisor's reports against scenario files.

  score.py BIN FILE... [-v] [--shared-only] [--per-file]

Each FILE is one scenario (id, title, text, structured, expect, check; see README.md beside this
file). Every scenario runs in two forms: the structured form (the `structured` fields and the
title, an empty description) and the text form (the title and description = text). BIN is run
as `BIN advise REQUEST --format json` (and `--format markdown` when a key needs the Markdown). A
form whose run fails (non-zero exit, no JSON) fails every expectation of that form, counted as one
per key of `check`.

The shared keys (processing_mode, any_of, none_of, cost_usd, controls, kafka_partitions,
budget_feasible, assumptions) keep the meaning of the shared scenario README; the extension keys
(request_kind, profile, mentions, not_mentions, questions, cost_range_usd,
cost_high_within_budget, all_priced, iac_mentions, iac_not_mentions, max_summary_words,
max_body_words) are described in README.md. --shared-only ignores the extension keys, so that
the score can be set against the shared scorer's. Prints each unmet expectation with -v and
ends with `met M/N`; exits 0 only when every expectation is met. Python 3 standard library only.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

PROCESSING_AREAS = ("stream_processing", "transformation", "batch_processing")
SHARED_KEYS = ("processing_mode", "any_of", "none_of", "cost_usd", "controls",
               "kafka_partitions", "budget_feasible", "assumptions")
EXTENSION_KEYS = ("request_kind", "profile", "mentions", "not_mentions", "questions",
                  "cost_range_usd", "cost_high_within_budget", "all_priced", "iac_mentions",
                  "iac_not_mentions", "max_summary_words", "max_body_words")
MARKDOWN_KEYS = ("mentions", "not_mentions", "max_body_words")
REQUIREMENT_FIELDS = ("sources", "freshness_seconds", "retention_days", "consumers", "cloud",
                      "budget_usd_per_month", "compliance", "existing_stack", "team_size",
                      "team_skills", "availability_target")
WORD = re.compile(r"\S*[A-Za-z0-9]\S*")
APPENDIX = re.compile(r"^#{1,3}\s*appendix", re.I)


# ---- requests and runs ----------------------------------------------------------------------

def requests_of(scn):
    """The two requests of a scenario: [(form, request), ...]."""
    sid = str(scn.get("id", "scenario"))
    structured = {"event_id": f"{sid}-structured", "project_id": f"score-{sid}",
                  "title": scn.get("title", ""), "description": ""}
    for k in REQUIREMENT_FIELDS:
        if k in scn.get("structured", {}):
            structured[k] = scn["structured"][k]
    text = {"event_id": f"{sid}-text", "project_id": f"score-{sid}",
            "title": scn.get("title", ""), "description": scn.get("text", "")}
    return [("structured", structured), ("text", text)]


def run_advisor(binary, request, fmt):
    """(output, error): the advisor's stdout for one request, or None and why not."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(request, f)
        path = f.name
    try:
        p = subprocess.run([binary, "advise", path, "--format", fmt], capture_output=True,
                           timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"cannot run: {e}"
    finally:
        os.unlink(path)
    if p.returncode != 0:
        return None, f"exit {p.returncode}: {p.stderr.decode(errors='replace').strip()[:200]}"
    return p.stdout.decode(errors="replace"), None


def report_of(binary, request, markdown):
    """(json_report, markdown_or_None, error)."""
    out, err = run_advisor(binary, request, "json")
    if err:
        return None, None, err
    try:
        rep = json.loads(out)
    except ValueError as e:
        return None, None, f"output is not one JSON report: {e}"
    if not isinstance(rep, dict):
        return None, None, "output is not a JSON object"
    md = None
    if markdown:
        md, err = run_advisor(binary, request, "markdown")
        if err:
            return None, None, "markdown: " + err
    return rep, md, None


# ---- helpers --------------------------------------------------------------------------------

def lower_json(value):
    return json.dumps(value).lower()


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def group_of(item):
    """A token list from either one token or a list of alternative tokens."""
    return [item] if isinstance(item, str) else list(item)


def words(text):
    return len(WORD.findall(text or ""))


def markdown_body(md):
    """The seven sections: the Markdown up to the first appendix heading, if any."""
    out = []
    for line in (md or "").splitlines():
        if APPENDIX.match(line.strip()):
            break
        out.append(line)
    return "\n".join(out)


def value_of(field):
    """A profile value: {value, source} objects give their value, plain values themselves."""
    if isinstance(field, dict) and "value" in field:
        return field["value"]
    return field


def decisions(rep):
    d = rep.get("decisions")
    return [x for x in d if isinstance(x, dict)] if isinstance(d, list) else []


def same_area(wanted, area):
    if wanted == "*":
        return True
    if wanted in PROCESSING_AREAS:
        return area in PROCESSING_AREAS
    return area == wanted


def in_band(x, lo, hi):
    return is_number(x) and lo / 1.5 <= x <= hi * 1.5


# ---- the shared keys ------------------------------------------------------------------------

def shared_expectations(check, rep):
    """[(name, met, detail)] for the shared keys (the shared README's rules)."""
    out = []
    decs = decisions(rep)
    if "processing_mode" in check:
        modes = [d.get("choice") for d in decs if d.get("area") == "processing_mode"]
        got = modes[0] if modes else None
        out.append(("processing_mode", got in check["processing_mode"], f"got {got!r}"))
    for area, tokens in check.get("any_of", {}).items():
        choices = [lower_json(d.get("choice")) for d in decs if same_area(area, d.get("area"))]
        ok = any(t.lower() in c for c in choices for t in tokens)
        out.append((f"any_of[{area}]", ok, f"choices {choices} lack all of {tokens}"))
    if "none_of" in check:
        hits = sorted({t for d in decs for t in check["none_of"]
                       if t.lower() in lower_json(d.get("choice"))})
        out.append(("none_of", not hits, f"choices contain {hits}"))
    cost = rep.get("cost") if isinstance(rep.get("cost"), dict) else {}
    if "cost_usd" in check:
        lo, hi = check["cost_usd"]
        got = cost.get("monthly_usd")
        out.append(("cost_usd", in_band(got, lo, hi),
                    f"monthly_usd {got} outside [{lo / 1.5:.0f}, {hi * 1.5:.0f}]"))
    controls = lower_json(rep.get("compliance_controls", []))
    for group in check.get("controls", []):
        ok = any(t.lower() in controls for t in group)
        out.append((f"controls{group}", ok, "no control mentions any of them"))
    if check.get("kafka_partitions"):
        kafka = (rep.get("sizing") or {}).get("kafka") if isinstance(rep.get("sizing"), dict) \
            else None
        parts = kafka.get("partitions") if isinstance(kafka, dict) else None
        if parts is not None:
            lo, hi = check["kafka_partitions"]
            ok = is_number(parts) and lo <= parts <= hi
            out.append(("kafka_partitions", ok, f"partitions {parts} outside [{lo}, {hi}]"))
    if "budget_feasible" in check:
        got = cost.get("within_budget")
        out.append(("budget_feasible", got is check["budget_feasible"],
                    f"within_budget {got}"))
    if check.get("assumptions"):
        a = rep.get("assumptions")
        out.append(("assumptions", isinstance(a, list) and len(a) > 0, "no assumptions"))
    return out


def failed_count(check, keys):
    """How many expectations a form whose run failed counts: one per check key present."""
    return sum(1 for k in keys if check.get(k) is not None)


# ---- the extension keys ---------------------------------------------------------------------

def profile_expectations(want, rep):
    prof = rep.get("profile") if isinstance(rep.get("profile"), dict) else {}
    totals = prof.get("totals") if isinstance(prof.get("totals"), dict) else {}
    out = []
    for key, spec in want.items():
        if key in ("freshness_seconds", "budget_usd_per_month", "team_size", "retention_days",
                   "availability_target"):
            got = value_of(prof.get(key))
            if spec is None:
                out.append((f"profile.{key}", got is None, f"got {got}, want none"))
                continue
            ok = is_number(got) and spec[0] <= got <= spec[1]
            out.append((f"profile.{key}", ok, f"got {got}, want [{spec[0]}, {spec[1]}]"))
        elif key in ("volume_gb_per_day", "peak_events_per_sec", "peak_mb_per_sec"):
            got = totals.get(key)
            ok = is_number(got) and spec[0] <= got <= spec[1]
            out.append((f"profile.totals.{key}", ok, f"got {got}, want [{spec[0]}, {spec[1]}]"))
        elif key == "cloud":
            got = value_of(prof.get("cloud"))
            out.append(("profile.cloud", got in group_of(spec), f"got {got!r}"))
        elif key in ("compliance", "existing_stack", "team_skills"):
            got = lower_json(value_of(prof.get(key)) or [])
            for group in spec:
                ok = any(t.lower() in got for t in group_of(group))
                out.append((f"profile.{key}{group_of(group)}", ok, f"got {got}"))
        elif key == "sources":
            src = prof.get("sources")
            n = len(src) if isinstance(src, list) else 0
            out.append(("profile.sources", spec[0] <= n <= spec[1],
                        f"{n} sources, want [{spec[0]}, {spec[1]}]"))
        elif key == "skills_exclude":
            got = lower_json(value_of(prof.get("team_skills")) or [])
            hits = [t for t in spec if t.lower() in got]
            out.append(("profile.skills_exclude", not hits, f"team_skills {got} has {hits}"))
        else:
            out.append((f"profile.{key}", False, "unknown profile key in the scenario"))
    return out


def cost_expectations(check, rep):
    cost = rep.get("cost") if isinstance(rep.get("cost"), dict) else {}
    low, high = cost.get("monthly_usd_low"), cost.get("monthly_usd_high")
    out = []
    if "cost_range_usd" in check:
        lo, hi = check["cost_range_usd"]
        # The low end is month 1 at list price: a growing estate starts below a band written
        # for the run rate, so only the high end must lie in it; the low end must not be above
        # it, nor zero.
        ok = in_band(high, lo, hi) and is_number(low) and 0 < low <= high
        out.append(("cost_range_usd", ok,
                    f"low {low} / high {high}, want 0 < low <= high and high in "
                    f"[{lo / 1.5:.0f}, {hi * 1.5:.0f}]"))
    if "cost_high_within_budget" in check:
        budget = cost.get("budget_usd")
        ok = is_number(high) and is_number(budget) and \
            (high <= budget) is check["cost_high_within_budget"]
        out.append(("cost_high_within_budget", ok, f"high {high}, budget {budget}"))
    if check.get("all_priced"):
        np = cost.get("not_priced")
        ok = np is None or (isinstance(np, list) and not np)
        out.append(("all_priced", ok, f"not_priced {lower_json(np)[:200]}"))
    return out


def text_expectations(check, rep, md):
    body = markdown_body(md).lower()
    out = []
    for item in check.get("mentions", []):
        group = group_of(item)
        ok = any(t.lower() in body for t in group)
        out.append((f"mentions{group}", ok, "not in the report's seven sections"))
    if "not_mentions" in check:
        hits = [t for t in check["not_mentions"] if t.lower() in body]
        out.append(("not_mentions", not hits, f"the report says {hits}"))
    if "max_body_words" in check:
        n = words(markdown_body(md))
        out.append(("max_body_words", n <= check["max_body_words"], f"{n} words"))
    return out


def extension_expectations(check, rep, md):
    out = []
    if "request_kind" in check:
        got = value_of(rep.get("request_kind"))
        if got is None and isinstance(rep.get("profile"), dict):
            got = value_of(rep["profile"].get("request_kind"))
        out.append(("request_kind", got in group_of(check["request_kind"]), f"got {got!r}"))
    if "profile" in check:
        out += profile_expectations(check["profile"], rep)
    out += cost_expectations(check, rep)
    if "questions" in check:
        q = rep.get("questions")
        has = isinstance(q, list) and len(q) > 0
        out.append(("questions", has is bool(check["questions"]), f"questions {q!r}"[:200]))
    iac = rep.get("iac") if isinstance(rep.get("iac"), dict) else {}
    hcl = str(iac.get("terraform") or "").lower()
    for group in check.get("iac_mentions", []):
        ok = any(t.lower() in hcl for t in group_of(group))
        out.append((f"iac_mentions{group_of(group)}", ok, "not in the Terraform"))
    if "iac_not_mentions" in check:
        hits = [t for t in check["iac_not_mentions"] if t.lower() in hcl]
        out.append(("iac_not_mentions", not hits, f"the Terraform has {hits}"))
    if "max_summary_words" in check:
        secs = rep.get("sections") if isinstance(rep.get("sections"), dict) else {}
        n = words(secs.get("executive_summary", ""))
        out.append(("max_summary_words", n <= check["max_summary_words"], f"{n} words"))
    out += text_expectations(check, rep, md)
    return out


# ---- main -----------------------------------------------------------------------------------

def score_file(binary, path, shared_only, verbose):
    """(met, total) over both forms of one scenario file."""
    with open(path) as f:
        scn = json.load(f)
    check = scn.get("check", {})
    unknown = [k for k in check if k not in SHARED_KEYS + EXTENSION_KEYS]
    if unknown:
        print(f"{path}: unknown check keys {unknown}", file=sys.stderr)
    need_md = not shared_only and any(k in check for k in MARKDOWN_KEYS)
    met = total = 0
    for form, req in requests_of(scn):
        rep, md, err = report_of(binary, req, need_md)
        if err:
            n = failed_count(check, SHARED_KEYS if shared_only else SHARED_KEYS + EXTENSION_KEYS)
            total += n
            if verbose:
                print(f"FAIL {scn.get('id')} [{form}] all {n} expectations: {err}")
            continue
        exps = shared_expectations(check, rep)
        if not shared_only:
            exps += extension_expectations(check, rep, md)
        for name, ok, detail in exps:
            total += 1
            met += bool(ok)
            if verbose and not ok:
                print(f"FAIL {scn.get('id')} [{form}] {name}: {detail}")
    return met, total


def main(argv):
    verbose = "-v" in argv
    shared_only = "--shared-only" in argv
    per_file = "--per-file" in argv
    args = [a for a in argv if not a.startswith("-")]
    if len(args) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary, files = args[0], args[1:]
    met = total = 0
    for path in files:
        m, t = score_file(binary, path, shared_only, verbose)
        if per_file:
            print(f"{os.path.basename(path)}: met {m}/{t}")
        met += m
        total += t
    print(f"met {met}/{total}")
    return 0 if met == total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
