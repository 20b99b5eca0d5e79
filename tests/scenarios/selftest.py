#!/usr/bin/env python3
"""tests/scenarios/selftest.py - the scorer's keys pass a right report and fail a wrong one.

  python3 tests/scenarios/selftest.py

Scores tests/scenarios/m02.json (the warehouse scans request) against two hand-written reports
served by a stand-in advisor: a right one (existing Kinesis and provisioned Redshift kept, no
Flink, 30-second target, incremental cost range within the budget, the request kind, the appendix
after the seven sections) must meet every expectation; a wrong one, written with the faults the
issue lists (Redshift Serverless and Flink chosen, "nobody's touched flink" read as a skill,
1-second freshness, things not priced, no range, no kind, a long report) must fail each of the
keys named below. Exits 0 when both hold. Python 3 standard library only.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, "m02.json")
FILLER = " ".join(["word"] * 2600)

FAKE_ADVISOR = """#!/usr/bin/env python3
import json, os, sys
rep = json.load(open(os.environ["SELFTEST_REPORT"]))
fmt = sys.argv[sys.argv.index("--format") + 1] if "--format" in sys.argv else "json"
sys.stdout.write(rep["markdown"] if fmt == "markdown" else json.dumps(rep["json"]) + "\\n")
"""


def pv(value, source="extracted"):
    return {"value": value, "source": source}


def report(right):
    dec = [{"area": "processing_mode", "choice": "streaming"},
           {"area": "ingestion", "choice": "Amazon Kinesis Data Streams (existing, 8 shards)"}]
    if right:
        dec += [{"area": "stream_processing",
                 "choice": "Redshift streaming ingestion (materialized view over Kinesis)"},
                {"area": "warehouse", "choice": "Amazon Redshift provisioned ra3.4xlarge x4"},
                {"area": "serving", "choice": "AWS Lambda dock alerts through Amazon SNS"}]
    else:
        dec += [{"area": "stream_processing", "choice": "Amazon Managed Service for Apache Flink"},
                {"area": "warehouse", "choice": "Amazon Redshift Serverless"}]
    cost = {"monthly_usd": 480 if right else 1261, "budget_usd": 6000, "within_budget": True}
    if right:
        cost.update({"monthly_usd_low": 300, "monthly_usd_high": 750, "not_priced": []})
    else:
        cost["not_priced"] = ["Amazon QuickSight dashboards (not in the price book)"]
    prof = {"cloud": pv("aws"), "freshness_seconds": pv(30 if right else 1),
            "budget_usd_per_month": pv(6000), "retention_days": pv(730), "team_size": pv(3),
            "team_skills": pv(["Java", "SQL"] if right else ["Java", "SQL", "Flink"]),
            "existing_stack": pv(["Amazon Kinesis", "Amazon Redshift"]),
            "totals": {"volume_gb_per_day": 86.4, "peak_events_per_sec": 8000}}
    summary = "Keep the Kinesis streams and the provisioned Redshift ra3.4xlarge x4." if right \
        else FILLER[:2000]
    js = {"profile": prof, "assumptions": [{"field": "avg_events_per_sec", "value": 2500}],
          "decisions": dec, "cost": cost,
          "compliance_controls": [{"control": "2-year retention through S3 lifecycle"},
                                  {"control": "encryption at rest with KMS"},
                                  {"control": "least-privilege IAM for the consumers"}],
          "sections": {"executive_summary": summary},
          "iac": {"terraform": "provider \"aws\" {}\n"}}
    if right:
        js["request_kind"] = "add_consumer"
        md = ("# Warehouse scans\n\n## Executive Summary\n\n" + summary + "\n\n"
              "## Architecture Overview\n\nRedshift streaming ingestion reads the stream.\n\n"
              "## Appendix A: Terraform\n\n" + FILLER + "\n")
    else:
        md = "# Warehouse scans\n\n## Executive Summary\n\n" + summary + "\n\n" + FILLER + "\n"
    return {"json": js, "markdown": md}


# every key of m02's check that the wrong report must fail (assumptions, any_of, controls and
# the rest of profile hold in both)
WRONG_FAILS = ("none_of", "request_kind", "profile.freshness_seconds", "profile.skills_exclude",
               "cost_range_usd", "cost_high_within_budget", "all_priced", "mentions",
               "max_summary_words", "max_body_words")


def score(fake, rep):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(rep, f)
        path = f.name
    try:
        env = dict(os.environ, SELFTEST_REPORT=path)
        p = subprocess.run([sys.executable, os.path.join(HERE, "score.py"), fake, SCENARIO,
                            "-v"], capture_output=True, text=True, env=env, timeout=120)
    finally:
        os.unlink(path)
    return p.returncode, p.stdout


def main():
    with tempfile.TemporaryDirectory() as d:
        fake = os.path.join(d, "advisor")
        with open(fake, "w") as f:
            f.write(FAKE_ADVISOR)
        os.chmod(fake, 0o755)
        ok = True
        rc, out = score(fake, report(True))
        if rc != 0:
            print("selftest: the right report does not meet every expectation:\n" + out)
            ok = False
        rc, out = score(fake, report(False))
        for key in WRONG_FAILS:
            for form in ("structured", "text"):
                if f"[{form}] {key}" not in out:
                    print(f"selftest: the wrong report passes {key} in the {form} form")
                    ok = False
    print("selftest: " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
