"""Measure the shape of the advisor's reports over scenario files.

Usage: python3 tests/report_shape.py PIPEWRIGHT SCENARIO.json... [--show N] [--jsonl OUT]

Each scenario runs in both forms (structured fields, and the text alone), as the scorer runs it.
Prints, over all reports:
  - the median and largest word count of the seven sections together (appendix excluded) and of
    the executive summary alone;
  - the share of Markdown lines that recur word for word in at least half of the reports
    (boilerplate: a sentence true of every report), and the most common such lines with --show;
  - for the audio script: its word counts, and the share of its sentences whose first four words
    open a sentence in at least half of the scripts (a formula every script repeats).
--jsonl OUT writes the requests, one per line, for timing `pipewright advise - --jsonl`.
"""
import collections, json, re, statistics, subprocess, sys

SECTIONS = ("executive_summary", "architecture_overview", "implementation_details",
            "performance_considerations", "cost_analysis", "risk_assessment", "next_steps")


def requests(paths):
    for path in paths:
        sc = json.load(open(path))
        if "structured" not in sc:  # a bare requirement
            yield path, sc
            continue
        req = dict(sc["structured"])
        req.update(title=sc["title"], description="")
        yield sc["id"] + "/structured", req
        yield sc["id"] + "/text", {"title": sc["title"], "description": sc["text"]}


def advise(pw, reqs):
    lines = "".join(json.dumps(dict(r, event_id="e-%d" % i, project_id="shape"), sort_keys=True) + "\n"
                    for i, r in enumerate(reqs))
    p = subprocess.run([pw, "advise", "-", "--jsonl"], input=lines.encode(), capture_output=True,
                       check=True, timeout=600)
    return [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]


def words(s):
    return len(s.split())


def main():
    args = [a for a in sys.argv[1:]]
    show = 0
    jsonl = None
    if "--show" in args:
        i = args.index("--show")
        show = int(args[i + 1])
        del args[i:i + 2]
    if "--jsonl" in args:
        i = args.index("--jsonl")
        jsonl = args[i + 1]
        del args[i:i + 2]
    pw, paths = args[0], args[1:]
    named = list(requests(paths))
    if jsonl:
        with open(jsonl, "w") as f:
            for i, (_, r) in enumerate(named):
                f.write(json.dumps(dict(r, event_id="e-%d" % i, project_id="shape")) + "\n")
    reps = advise(pw, [r for _, r in named])
    seven, summary, audio = [], [], []
    line_sets, sent_sets = [], []
    for (name, _), rep in zip(named, reps):
        secs = rep["sections"]
        seven.append(sum(words(secs[s]) for s in SECTIONS))
        summary.append(words(secs["executive_summary"]))
        body = "\n".join(secs[s] for s in SECTIONS)
        line_sets.append([l.strip() for l in body.splitlines() if l.strip()])
        a = rep.get("audio_script", "")
        audio.append(words(a))
        # a sentence by its first four words: "The main risk: ...", "We recommend batch ..."
        sent_sets.append(set(" ".join(t.split()[:4])
                             for t in re.split(r"(?<=[.!?])\s+(?=[A-Z])", a) if t.strip()))
    n = len(reps)
    seen = collections.Counter()
    for ls in line_sets:
        seen.update(set(ls))
    total = sum(len(ls) for ls in line_sets)
    common = sum(1 for ls in line_sets for l in ls if seen[l] * 2 >= n)
    sseen = collections.Counter()
    for ss in sent_sets:
        sseen.update(ss)
    stotal = sum(len(ss) for ss in sent_sets)
    scommon = sum(1 for ss in sent_sets for s in ss if sseen[s] * 2 >= n)
    print("reports %d" % n)
    print("seven sections words: median %d, max %d, min %d" %
          (statistics.median(seven), max(seven), min(seven)))
    print("executive summary words: median %d, max %d" % (statistics.median(summary), max(summary)))
    print("lines recurring in >= half of the reports: %d of %d (%.1f %%)" %
          (common, total, 100.0 * common / max(total, 1)))
    # the same without table headers, separators and bare labels: only sentences and rows
    def structural(l):
        return re.fullmatch(r"[|: -]+", l) is not None or l in HEADERS or re.fullmatch(r"\*\*[^*]+\*\*:?", l)
    HEADERS = set()
    for ls in line_sets:
        for a, b in zip(ls, ls[1:]):
            if re.fullmatch(r"\|[-|]+\|", b):
                HEADERS.add(a)
    t2 = sum(1 for ls in line_sets for l in ls if not structural(l))
    c2 = sum(1 for ls in line_sets for l in ls if not structural(l) and seen[l] * 2 >= n)
    print("  of them sentences or table rows (headers and labels left out): %d of %d (%.1f %%)" %
          (c2, t2, 100.0 * c2 / max(t2, 1)))
    print("audio words: median %d, min %d, max %d; sentences opening alike in >= half: %.1f %%" %
          (statistics.median(audio), min(audio), max(audio), 100.0 * scommon / max(stotal, 1)))
    for l, c in seen.most_common(show):
        if c * 2 >= n:
            print("  %3d  %s" % (c, l[:150]))


if __name__ == "__main__":
    main()
