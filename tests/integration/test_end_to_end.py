"""tests/integration/test_end_to_end.py - pipewrightd on a real Kafka 3.9 broker and Redis.

Only independent clients look at the wire: confluent-kafka publishes and reads (outputs with
isolation.level=read_committed), fastavro encodes and decodes against schemas/*.avsc, and
opus-tools judge the audio. Each test runs its own daemon on fresh topics (conftest.py).
Timeouts are generous: the machine has two cores and every event is spoken.
"""

import json
import os
import random
import subprocess
import time

import pytest

import pwtest
from conftest import http_status, publish

EVENTS = 200
PROJECTS = 20
FORMATS = ("avro", "confluent", "json")
END_TO_END_TIMEOUT_S = int(os.environ.get("PWIT_TIMEOUT_S", "1200"))
ONE_EVENT_TIMEOUT_S = 300


def decode_reports(outputs, report_schema, topic):
    """Decodes every report message read so far: [(message, record)]; raises on a bad one."""
    out = []
    for msg in outputs.messages[topic]:
        out.append((msg, report_schema.decode_single_object(msg.value())))
    return out


def report_problems(msg, rep, want_project):
    problems = []
    headers = pwtest.headers_dict(msg)
    if msg.key() != want_project.encode():
        problems.append("key %r, want %r" % (msg.key(), want_project))
    if rep["project_id"] != want_project:
        problems.append("project_id %r" % rep["project_id"])
    if headers.get("pw.event_id") != rep["event_id"]:
        problems.append("header pw.event_id %r" % headers.get("pw.event_id"))
    for s in pwtest.SECTIONS + ("markdown", "report_id", "engine_version"):
        if not rep[s].strip():
            problems.append("%s empty" % s)
    if rep["audio_status"] not in ("pending", "ready", "failed", "disabled"):
        problems.append("audio_status %r" % rep["audio_status"])
    if rep["version"] < 1:
        problems.append("version %d" % rep["version"])
    try:
        json.loads(rep["report_json"])
    except ValueError as e:
        problems.append("report_json is not JSON: %s" % e)
    return problems


def test_topics_create_is_idempotent(admin, bootstrap):
    cli = os.path.join(pwtest.BUILD, "pipewright")
    if not os.access(cli, os.X_OK):
        pytest.fail("%s not built (make all)" % cli, pytrace=False)
    prefix = pwtest.unique("pwit-cli")
    argv = [cli, "topics", "create", "--brokers", bootstrap, "--topic-prefix", prefix,
            "--partitions", "3", "--replication", "1"]
    for attempt in (1, 2):
        r = subprocess.run(argv, capture_output=True, text=True, timeout=90)
        assert r.returncode == 0, "attempt %d: rc %d\n%s%s" % (
            attempt, r.returncode, r.stdout, r.stderr)
    names = ["%s.%s" % (prefix, s) for s in ("requirements", "reports", "audio", "dlq")]
    md = admin.list_topics(timeout=10)
    for n in names:
        assert n in md.topics, "%s not created" % n
        assert len(md.topics[n].partitions) == 3, n
    admin.delete_topics(names, request_timeout=30)


def test_health_and_readiness(daemon):
    assert http_status(daemon.url("/healthz")) == 200
    assert http_status(daemon.url("/readyz")) == 200


def test_two_hundred_events_in_three_formats(daemon, topics, producer, outputs,
                                             requirement_schema, report_schema, audio_schema):
    scenarios = pwtest.load_scenarios()
    run = pwtest.unique("e2e")
    # Figures new to this run: a Redis kept from an earlier run must not answer from its caches.
    base = random.randint(10, 100000)
    expected = {}
    per_format = {f: 0 for f in FORMATS}
    for i in range(EVENTS):
        p = i % PROJECTS
        project = "%s-project-%02d" % (run, p)
        event_id = "%s-event-%03d" % (run, i)
        fmt = FORMATS[(i + i // PROJECTS) % 3]
        rec = pwtest.requirement_from_scenario(scenarios[p % len(scenarios)], event_id,
                                               project, base + i // PROJECTS,
                                               text_form=(i % 7 == 3))
        value = pwtest.encode_requirement(requirement_schema, rec, fmt, schema_id=100 + p)
        producer.produce(topics["requirements"], key=project.encode(), value=value)
        producer.poll(0)
        expected[event_id] = project
        per_format[fmt] += 1
    assert producer.flush(60) == 0, "requirement events not all delivered"
    t0 = time.monotonic()
    print("\npublished %d events across %d projects: %s" % (EVENTS, PROJECTS, per_format))

    reports = {}
    report_dups = []
    audio_chunks = {}
    seen_report_msgs = 0
    seen_audio_msgs = 0
    t_reports = t_audio = None

    def audio_complete(eid):
        chunks = audio_chunks.get(eid, [])
        return bool(chunks) and len(chunks) >= chunks[0]["chunk_count"]

    def progress():
        nonlocal seen_report_msgs, seen_audio_msgs, t_reports, t_audio
        msgs = outputs.messages[topics["reports"]]
        for msg in msgs[seen_report_msgs:]:
            rep = report_schema.decode_single_object(msg.value())
            if rep["event_id"] in reports:
                report_dups.append(rep["event_id"])
            reports[rep["event_id"]] = (msg, rep)
        seen_report_msgs = len(msgs)
        msgs = outputs.messages[topics["audio"]]
        for msg in msgs[seen_audio_msgs:]:
            ev = audio_schema.decode_single_object(msg.value())
            ev["_key"] = msg.key()
            audio_chunks.setdefault(ev["event_id"], []).append(ev)
        seen_audio_msgs = len(msgs)
        done_r = sum(1 for e in expected if e in reports)
        done_a = sum(1 for e in expected if audio_complete(e))
        if done_r == EVENTS and t_reports is None:
            t_reports = time.monotonic() - t0
        if done_a == EVENTS and t_audio is None:
            t_audio = time.monotonic() - t0
        return done_r == EVENTS and done_a == EVENTS

    last_print = 0.0
    deadline = t0 + END_TO_END_TIMEOUT_S
    while not progress():
        assert daemon.alive(), "pipewrightd died; its log:\n%s" % daemon.log_tail()
        if time.monotonic() >= deadline:
            break
        if time.monotonic() - last_print > 30:
            last_print = time.monotonic()
            print("  %4.0f s: %d reports, %d audio artifacts complete" % (
                time.monotonic() - t0, sum(1 for e in expected if e in reports),
                sum(1 for e in expected if audio_complete(e))))
        outputs.poll(1.0)
    # A short grace period catches duplicates written after the last expected output.
    outputs.poll(5.0)
    progress()
    elapsed = time.monotonic() - t0

    missing_reports = sorted(set(expected) - set(reports))
    missing_audio = sorted(e for e in expected if not audio_complete(e))
    print("reports: %d/%d (%d duplicates) in %s s; audio: %d/%d in %s s; total wait %.1f s" % (
        EVENTS - len(missing_reports), EVENTS, len(report_dups),
        "%.1f" % t_reports if t_reports else "-", EVENTS - len(missing_audio), EVENTS,
        "%.1f" % t_audio if t_audio else "-", elapsed))
    assert not missing_reports, "%d events without a report after %d s, e.g. %s; log:\n%s" % (
        len(missing_reports), END_TO_END_TIMEOUT_S, missing_reports[:5], daemon.log_tail())
    assert not report_dups, "duplicate reports for %s" % sorted(set(report_dups))[:5]
    assert set(reports) == set(expected), "reports for unknown event ids: %s" % (
        sorted(set(reports) - set(expected))[:5])
    assert len(outputs.messages[topics["reports"]]) == EVENTS

    bad = []
    for eid, (msg, rep) in reports.items():
        problems = report_problems(msg, rep, expected[eid])
        if problems:
            bad.append("%s: %s" % (eid, "; ".join(problems)))
    assert not bad, "%d bad reports:\n%s" % (len(bad), "\n".join(bad[:10]))

    assert not missing_audio, "%d events without a complete audio artifact, e.g. %s" % (
        len(missing_audio), missing_audio[:5])
    assert set(audio_chunks) == set(expected), "audio for unknown event ids: %s" % (
        sorted(set(audio_chunks) - set(expected))[:5])

    bad = []
    durations = []
    total_bytes = 0
    for eid, chunks in sorted(audio_chunks.items()):
        try:
            if len(chunks) != chunks[0]["chunk_count"]:
                raise ValueError("%d chunks, chunk_count %d (a second artifact?)" % (
                    len(chunks), chunks[0]["chunk_count"]))
            if any(c["_key"] != expected[eid].encode() for c in chunks):
                raise ValueError("key is not the project id")
            data, first = pwtest.reassemble_audio(chunks)
            if first["codec"] != "opus":
                raise ValueError("codec %r" % first["codec"])
            if first["report_id"] != reports[eid][1]["report_id"]:
                raise ValueError("report_id differs from the report's")
            seconds = pwtest.opus_check(data)
            lo, hi = pwtest.spoken_duration_bounds(first["text"])
            if not lo <= seconds <= hi:
                raise ValueError("%.1f s of audio for %d words: outside %.1f-%.1f s" % (
                    seconds, len(first["text"].split()), lo, hi))
            if abs(first["duration_ms"] / 1000.0 - seconds) > max(1.0, 0.1 * seconds):
                raise ValueError("duration_ms %d, the stream plays %.2f s" % (
                    first["duration_ms"], seconds))
            durations.append(seconds)
            total_bytes += len(data)
        except ValueError as e:
            bad.append("%s: %s" % (eid, e))
    if durations:
        print("audio: %d valid Ogg Opus artifacts, %.1f-%.1f s (mean %.1f s), %d bytes total" % (
            len(durations), min(durations), max(durations), sum(durations) / len(durations),
            total_bytes))
    assert not bad, "%d bad audio artifacts:\n%s" % (len(bad), "\n".join(bad[:10]))
    assert http_status(daemon.url("/healthz")) == 200


def _zigzag(n):
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _avro_string(raw):
    return _zigzag(len(raw)) + raw


def _avro_requirement(event_id, project_id, sources=b"\x00"):
    """A hand-written requirement datum: ids, nulls, the given 'sources' union bytes, nulls."""
    nulls_before, nulls_after = 3, 11  # submitted_at, title, description; freshness..audio
    return (_avro_string(event_id) + _avro_string(project_id) + b"\x00" * nulls_before +
            sources + b"\x00" * nulls_after)


def _one_source(kind_index):
    # union branch 1 (array), one item: name null, kind (branch 1, enum index), four nulls.
    item = b"\x00" + _zigzag(1) + _zigzag(kind_index) + b"\x00" * 4
    return _zigzag(1) + _zigzag(1) + item + _zigzag(0)


def malformed_messages(schema, run):
    """Twenty messages the daemon must refuse: (name, value, acceptable DLQ reasons)."""
    eid, pid = ("%s-bad" % run).encode(), ("%s-bad-project" % run).encode()
    good = pwtest.empty_requirement(eid.decode(), pid.decode())
    good["title"] = "Clickstream to a warehouse"
    datum = schema.datum(good)
    hand = _avro_requirement(eid, pid, _one_source(1))
    # The hand-written encoding must be valid, or the enum case below proves nothing.
    assert schema.decode_single_object(schema.header + hand)["sources"][0]["kind"] == "cdc"
    base_json = {"event_id": eid.decode(), "project_id": pid.decode(), "title": "Orders"}
    return [
        ("empty", b"", {"empty"}),
        ("truncated_avro", schema.header + datum[:len(datum) // 2], {"truncated"}),
        ("wrong_fingerprint", b"\xc3\x01" + b"\x11" * 8 + datum, {"unknown_schema"}),
        ("bad_magic", b"\x07\x01not a requirement", {"bad_magic"}),
        ("bad_json", b'{"event_id": "e1", "project_id": ', {"malformed"}),
        ("json_without_event_id", json.dumps({"project_id": "p1", "title": "t"}).encode(),
         {"invalid"}),
        ("json_not_an_object", b"[1, 2, 3]", {"bad_magic", "malformed", "invalid"}),
        ("json_invalid_utf8", b'{"event_id": "e\xff\xfe1", "project_id": "p1"}',
         {"encoding", "malformed"}),
        ("avro_invalid_utf8", schema.header + _avro_requirement(b"e\xc3\x28x", pid),
         {"encoding"}),
        ("huge_length_prefix", schema.header + _zigzag(1 << 40) + b"abc",
         {"truncated", "limit", "malformed"}),
        ("negative_length", schema.header + _zigzag(-5) + b"abcdef",
         {"malformed", "invalid", "limit"}),
        ("enum_index_out_of_range", schema.header + _avro_requirement(eid, pid, _one_source(42)),
         {"malformed"}),
        ("union_index_out_of_range", schema.header + _avro_string(eid) + _avro_string(pid) +
         _zigzag(5) + b"\x00" * 16, {"malformed"}),
        ("trailing_bytes", schema.header + datum + b"\x00\x01\x02", {"malformed"}),
        ("event_id_too_long", schema.single_object(dict(good, event_id="e" * 300)),
         {"limit", "invalid"}),
        ("title_too_long", json.dumps(dict(base_json, title="T" * 5000)).encode(),
         {"limit", "invalid"}),
        ("json_too_deep", ('{"event_id": "e2", "project_id": "p2", "consumers": %s%s}' % (
            "[" * 100, "]" * 100)).encode(), {"limit", "malformed", "invalid"}),
        ("confluent_too_short", b"\x00\x00\x00", {"truncated"}),
        ("too_large", json.dumps(dict(base_json, description="x" * (1100 * 1024))).encode(),
         {"too_large"}),
        ("availability_out_of_range", json.dumps(dict(base_json, availability_target=150.0))
         .encode(), {"invalid"}),
    ]


def test_malformed_messages_go_to_the_dlq(daemon, topics, producer, outputs,
                                         requirement_schema, report_schema):
    run = pwtest.unique("dlq")
    bad = malformed_messages(requirement_schema, run)
    assert len(bad) == 20
    sent = {}
    t0 = time.monotonic()
    for i, (name, value, reasons) in enumerate(bad):
        key = ("%s-%02d-%s" % (run, i, name)).encode()
        part, off = publish(producer, topics["requirements"], key, value)
        sent[key] = (name, value, reasons, part, off)
    # A valid event after them: the daemon must still be consuming.
    project = "%s-project" % run
    rec = pwtest.requirement_from_scenario(pwtest.load_scenarios()[0], "%s-good" % run,
                                           project, 0, text_form=False)
    publish(producer, topics["requirements"], project.encode(),
            pwtest.encode_requirement(requirement_schema, rec, "json"))

    def dlq_keys():
        return {m.key() for m in outputs.messages[topics["dlq"]]}

    def report_ids():
        return [report_schema.decode_single_object(m.value())["event_id"]
                for m in outputs.messages[topics["reports"]]]

    ok = outputs.wait_for(lambda: set(sent) <= dlq_keys() and rec["event_id"] in report_ids(),
                          ONE_EVENT_TIMEOUT_S)
    outputs.poll(5.0)
    print("\nDLQ: %d/%d refused messages in %.1f s" % (
        len(set(sent) & dlq_keys()), len(sent), time.monotonic() - t0))
    assert daemon.alive(), "pipewrightd died; its log:\n%s" % daemon.log_tail()
    assert http_status(daemon.url("/healthz")) == 200
    missing = sorted(sent[k][0] for k in set(sent) - dlq_keys())
    problems = ["%s: not in the DLQ after %d s" % (n, ONE_EVENT_TIMEOUT_S) for n in missing]
    count = {}
    for m in outputs.messages[topics["dlq"]]:
        count[m.key()] = count.get(m.key(), 0) + 1
        if m.key() not in sent:
            problems.append("unexpected DLQ message with key %r" % m.key())
            continue
        name, value, reasons, part, off = sent[m.key()]
        h = pwtest.headers_dict(m)
        reason = h.get("pw.error.reason")
        print("  %-26s -> %-14s %s" % (name, reason, h.get("pw.error.detail", "")[:60]))
        if reason not in pwtest.DLQ_REASONS:
            problems.append("%s: reason %r is not a contract reason" % (name, reason))
        elif reason not in reasons:
            problems.append("%s: reason %r, want one of %s" % (name, reason, sorted(reasons)))
        if not h.get("pw.error.detail"):
            problems.append("%s: no pw.error.detail" % name)
        if h.get("pw.source.topic") != topics["requirements"]:
            problems.append("%s: pw.source.topic %r" % (name, h.get("pw.source.topic")))
        if h.get("pw.source.partition") != str(part) or h.get("pw.source.offset") != str(off):
            problems.append("%s: source %s/%s, published to %d/%d" % (
                name, h.get("pw.source.partition"), h.get("pw.source.offset"), part, off))
        # An over-limit message may be kept whole or cut short; anything else is kept whole.
        kept = m.value() or b""
        if kept != value and not (name == "too_large" and value.startswith(kept)):
            problems.append("%s: value not the original bytes (%d vs %d bytes)" % (
                name, len(m.value() or b""), len(value)))
    problems += ["%s: %d DLQ messages" % (sent[k][0], n) for k, n in count.items()
                 if k in sent and n != 1]
    if rec["event_id"] not in report_ids():
        problems.append("the valid event published after them got no report")
    assert ok and not problems, "%s\nlog:\n%s" % ("\n".join(problems), daemon.log_tail(12))
    assert report_ids() == [rec["event_id"]], "refused messages produced reports: %s" % (
        report_ids())


def test_redelivered_event_gives_no_second_report(daemon, topics, producer, outputs,
                                                  requirement_schema, report_schema):
    run = pwtest.unique("redeliver")
    project = "%s-project" % run
    scenarios = pwtest.load_scenarios()
    first = pwtest.requirement_from_scenario(scenarios[1], "%s-first" % run, project, 0, False)
    value = pwtest.encode_requirement(requirement_schema, first, "avro")

    def reports_for(eid):
        return [r for r in (report_schema.decode_single_object(m.value())
                            for m in outputs.messages[topics["reports"]])
                if r["event_id"] == eid]

    t0 = time.monotonic()
    publish(producer, topics["requirements"], project.encode(), value)
    assert outputs.wait_for(lambda: reports_for(first["event_id"]), ONE_EVENT_TIMEOUT_S), (
        "no report for the first event within %d s; log:\n%s" % (
            ONE_EVENT_TIMEOUT_S, daemon.log_tail()))
    t_first = time.monotonic() - t0

    # The same event again: byte for byte, then the same id in another wire format.
    publish(producer, topics["requirements"], project.encode(), value)
    publish(producer, topics["requirements"], project.encode(),
            pwtest.encode_requirement(requirement_schema, first, "json"))
    # A new event on the same key (so the same partition, consumed after the redeliveries).
    second = pwtest.requirement_from_scenario(scenarios[1], "%s-second" % run, project, 1,
                                              False)
    publish(producer, topics["requirements"], project.encode(),
            pwtest.encode_requirement(requirement_schema, second, "confluent"))
    assert outputs.wait_for(lambda: reports_for(second["event_id"]), ONE_EVENT_TIMEOUT_S), (
        "no report for the event after the redeliveries; log:\n%s" % daemon.log_tail())
    outputs.poll(10.0)
    firsts = reports_for(first["event_id"])
    seconds = reports_for(second["event_id"])
    print("\nredelivery: first report after %.1f s; reports for the redelivered id: %d, "
          "for the next event: %d (versions %s then %s)" % (
              t_first, len(firsts), len(seconds), [r["version"] for r in firsts],
              [r["version"] for r in seconds]))
    assert len(firsts) == 1, "%d reports for one event id" % len(firsts)
    assert len(seconds) == 1
    assert seconds[0]["version"] == firsts[0]["version"] + 1, (
        "the redelivery was merged as a new project version")
    assert daemon.alive()
