"""tests/integration/test_restart.py - a daemon killed mid-stream answers every event exactly once.

The daemon is killed with SIGKILL (no drain, an open transaction and Redis writes possibly ahead
of Kafka) a few seconds into a stream of events, while answers are in flight; a new daemon in the
same consumer group (so with the same transactional.id, which fences the dead one's
transaction) takes over. A read_committed reader must then see exactly one report and one
complete audio artifact per event id: none lost, none twice.
"""

import random
import signal
import subprocess
import time

import pwtest
from conftest import http_status

EVENTS = 30
PROJECTS = 6
KILL_AFTER_S = 5.0
TIMEOUT_S = 600


def forget_cached_audio(redis_url):
    """Deletes the audio cache (pw:audio:*): earlier tests of the session spoke the same
    scripts, and a cache hit answers in milliseconds, so everything could be answered before the
    kill. Only the cache goes; every other key stays."""
    keys = subprocess.run(["redis-cli", "-u", redis_url, "--scan", "--pattern", "pw:audio:*"],
                          capture_output=True, text=True, timeout=60, check=True).stdout.split()
    for i in range(0, len(keys), 500):
        subprocess.run(["redis-cli", "-u", redis_url, "DEL"] + keys[i:i + 500],
                       capture_output=True, timeout=60, check=True)


def test_sigkill_mid_stream_loses_and_repeats_nothing(daemon_launcher, topics, producer,
                                                      outputs, requirement_schema,
                                                      report_schema, audio_schema, redis_url):
    forget_cached_audio(redis_url)
    scenarios = pwtest.load_scenarios()
    run = pwtest.unique("restart")
    first = daemon_launcher()
    expected = set()
    # Figures new to this run, so no cached report or audio answers faster than a real one.
    base = random.randint(10, 400)
    for i in range(EVENTS):
        project = "%s-project-%d" % (run, i % PROJECTS)
        rec = pwtest.requirement_from_scenario(scenarios[(i + 2) % len(scenarios)],
                                               "%s-event-%02d" % (run, i), project,
                                               base + i // PROJECTS, text_form=False)
        producer.produce(topics["requirements"], key=project.encode(),
                         value=pwtest.encode_requirement(requirement_schema, rec,
                                                         ("avro", "json", "confluent")[i % 3]))
        expected.add(rec["event_id"])
    assert producer.flush(60) == 0
    t0 = time.monotonic()

    def report_ids():
        return [report_schema.decode_single_object(m.value())["event_id"]
                for m in outputs.messages[topics["reports"]]]

    # Transactions may carry many answers at once, so visible reports say little about what is
    # in flight; a kill a few seconds in lands while the first answers are being made.
    outputs.poll(KILL_AFTER_S)
    before = len(set(report_ids()))
    assert before < EVENTS, "all %d events were answered before the kill: nothing was in " \
        "flight, so this run proves nothing" % EVENTS
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()
    t_kill = time.monotonic() - t0

    second = daemon_launcher()
    t_ready = time.monotonic() - t0
    done = outputs.wait_for(lambda: expected <= set(report_ids()), TIMEOUT_S)
    outputs.poll(10.0)
    t_done = time.monotonic() - t0

    ids = report_ids()
    audio = {}
    for m in outputs.messages[topics["audio"]]:
        ev = audio_schema.decode_single_object(m.value())
        audio.setdefault(ev["event_id"], []).append(ev)
    print("\nrestart: %d/%d reports before SIGKILL at %.1f s, successor ready at %.1f s, "
          "%d reports (%d distinct) and %d audio artifacts by %.1f s" % (
              before, EVENTS, t_kill, t_ready, len(ids), len(set(ids)), len(audio), t_done))
    missing = sorted(expected - set(ids))
    assert done and not missing, "%d events never answered, e.g. %s; log:\n%s" % (
        len(missing), missing[:5], second.log_tail())
    dups = sorted(e for e in set(ids) if ids.count(e) > 1)
    assert not dups, "events answered twice: %s" % dups[:5]
    assert set(ids) == expected
    problems = []
    for eid in sorted(expected):
        chunks = audio.get(eid, [])
        try:
            if not chunks:
                raise ValueError("no audio")
            if len(chunks) != chunks[0]["chunk_count"]:
                raise ValueError("%d chunks for chunk_count %d" % (
                    len(chunks), chunks[0]["chunk_count"]))
            pwtest.reassemble_audio(chunks)
        except ValueError as e:
            problems.append("%s: %s" % (eid, e))
    assert not problems, "\n".join(problems[:10])
    assert http_status(second.url("/healthz")) == 200
