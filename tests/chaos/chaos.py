#!/usr/bin/env python3
"""tests/chaos/chaos.py - exactly once under faults, load and hostile input.

Runs pipewrightd against a real Kafka 3.9 broker and Redis (deploy/services, on private ports and
a private state folder by default so that nobody else's broker is ever killed) and checks the
service contract from the outside: every requirement event gets exactly one report, every
hostile message ends in the dead-letter topic with a reason, and the daemon survives.

Scenarios (any subset, in the order given; default: all):
  fault        N events while the broker, Redis and the daemon are SIGKILLed and restarted
  fault-audio  the same with the spoken summary on, fewer events, one kill of each kind
  hot          most events on five projects, fast, the daemon SIGKILLed mid-transaction three
               times: a replayed batch holds many versions of one project
  hostile      M malformed or hostile messages mixed into valid traffic; RSS sampled
  outages      Redis stopped 60 s, the broker paused (SIGSTOP) 20, 45 and 120 s
  two-daemons  two daemons in one group, one SIGKILLed mid-stream and not restarted
  overload     twice the measured sustainable rate for a while; /healthz latency, RSS, drain
  cluster      three brokers, a six-node Redis Cluster, three daemons: a broker, a Redis master
               and a daemon killed, a slot range resharded (tests/chaos/cluster.py); runs on
               its own deploy/cluster: brokers on --cluster-kafka-port..+2 (controllers
               +10..+12), Redis nodes on --cluster-redis-port..+5, state in --state/cluster

Everything is judged by independent clients (confluent-kafka, fastavro, read_committed), never
by the daemon's own account; the daemon's /metrics and logs are read only to say whether a fault
hit an open transaction. Randomness (fault moments, projects, hostile kinds) comes from one
seeded RNG whose seed is printed. Prints one table row per scenario and writes results.json
into the run folder; exits 1 on any missing report, duplicate, lost hostile message or crash.
"""

import argparse
import collections
import json
import logging
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
import uuid
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, HERE)

import pwtest  # noqa: E402  (the shared independent wire clients)
import cluster  # noqa: E402  (the cluster scenario, tests/chaos/cluster.py)
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import (AdminClient, AlterConfigOpType,  # noqa: E402
                                   ConfigEntry, ConfigResource)

SUFFIXES = ("requirements", "reports", "audio", "dlq")
KNOWN_REASONS = set(pwtest.DLQ_REASONS) | {"processing"}
BIG_MESSAGE_BYTES = 16 * 1024 * 1024


# The harness's own Kafka clients log to the run folder (set up in main): a killed broker makes
# them complain every second, which would bury the harness's own lines.
KAFKA_LOG = logging.getLogger("chaos.kafka")
KAFKA_LOG.addHandler(logging.NullHandler())
KAFKA_LOG.propagate = False


def kconf(conf):
    conf["logger"] = KAFKA_LOG
    return conf


def now():
    return time.monotonic()


def say(*args):
    print("chaos: " + " ".join(str(a) for a in args), file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5.0):
    """Returns (status, body, seconds) or (None, error text, seconds)."""
    t0 = now()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace"), now() - t0
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace"), now() - t0
    except (urllib.error.URLError, OSError) as e:
        return None, str(e), now() - t0


# ---- services --------------------------------------------------------------------------------

class Services:
    """The broker and Redis of deploy/services, under their own state folder and ports.

    Faults act on the pids deploy/services wrote, after checking their command lines the way the
    script does, so nothing else on the machine is ever signalled."""

    def __init__(self, state, kafka_port, redis_port):
        self.state = state
        self.kafka_port = kafka_port
        self.redis_port = redis_port
        self.env = dict(os.environ, PIPEWRIGHT_STATE=state, KAFKA_PORT=str(kafka_port),
                        REDIS_PORT=str(redis_port))
        self.started = set()
        self.bootstrap = "127.0.0.1:%d" % kafka_port
        self.redis_url = "redis://127.0.0.1:%d" % redis_port

    def _run(self, *args):
        p = subprocess.run([os.path.join(REPO, "deploy", "services")] + list(args),
                           env=self.env, capture_output=True, text=True, timeout=400)
        if p.returncode != 0 and args[0] == "up":
            raise RuntimeError("deploy/services %s failed:\n%s" % (" ".join(args),
                                                                   p.stderr[-3000:]))
        return p

    def up(self, *names, record=False):
        """Starts what is not running; 'record' remembers what this call started, so that only
        services the harness brought up are stopped at the end."""
        for attempt in range(3):
            try:
                p = self._run("up", *names)
                break
            except RuntimeError as e:
                # Redis replaying a large AOF can take longer than deploy/services waits.
                if attempt == 2:
                    raise
                say("%s; trying again" % str(e).splitlines()[0])
        for line in p.stdout.splitlines():
            if record and line.startswith("STARTED=") and line[8:]:
                self.started.update(line[8:].split(","))

    def flush_redis(self):
        """Empties the private Redis, so that one scenario's keys (reports are kept there for
        the read API) do not slow the next scenario's Redis restarts."""
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(self.redis_port), "FLUSHALL"],
                       capture_output=True, timeout=120, check=True)

    def down(self, *names):
        self._run("down", *names)

    def pid(self, name):
        if name == "kafka":
            pidfile = os.path.join(self.state, "kafka", "kafka.pid")
            match = os.path.join(self.state, "kafka", "server.properties")
        else:
            pidfile = os.path.join(self.state, "redis", "redis.pid")
            match = "127.0.0.1:%d" % self.redis_port
        try:
            with open(pidfile) as f:
                pid = int(f.read().strip())
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except (OSError, ValueError):
            return None
        return pid if match in cmdline else None

    def signal(self, name, sig):
        pid = self.pid(name)
        if pid is None:
            raise RuntimeError("%s is not running (no live pid file)" % name)
        os.kill(pid, sig)
        if sig == signal.SIGKILL:
            deadline = now() + 30
            while os.path.exists("/proc/%d" % pid) and now() < deadline:
                try:
                    with open("/proc/%d/stat" % pid) as f:
                        if f.read().split(") ")[-1].startswith("Z"):
                            break
                except OSError:
                    break
                time.sleep(0.05)
        return pid


# ---- the daemon ------------------------------------------------------------------------------

class Daemon:
    """One pipewrightd instance (stable --instance-id, so a restart fences its predecessor)."""

    def __init__(self, args, run_dir, name, prefix, group, services, extra=()):
        self.binary = os.path.join(args.build, "pipewrightd")
        self.run_dir = run_dir
        self.name = name
        self.prefix = prefix
        self.group = group
        self.services = services
        self.workers = args.workers
        self.extra = list(extra)
        self.instance_id = "%s-%s" % (group, name)
        self.http = "127.0.0.1:%d" % free_port()
        self.proc = None
        self.logs = []
        self.starts = 0
        self.expected_exit = False

    def start(self):
        self.starts += 1
        log = os.path.join(self.run_dir, "%s.%d.log" % (self.name, self.starts))
        self.logs.append(log)
        argv = [self.binary, "--brokers", self.services.bootstrap, "--redis",
                self.services.redis_url, "--http", self.http, "--group", self.group,
                "--topic-prefix", self.prefix, "--instance-id", self.instance_id,
                "--workers", str(self.workers), "--log-level", "info"] + self.extra
        with open(log, "wb") as f:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f,
                                         stderr=subprocess.STDOUT)
        self.expected_exit = False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        self.expected_exit = True
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout=30):
        """SIGTERM; returns the exit status (None when it had to be killed)."""
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.expected_exit = True
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def url(self, path):
        return "http://%s%s" % (self.http, path)

    def ready(self, timeout=2.0):
        return http_get(self.url("/readyz"), timeout)[0] == 200

    def wait_ready(self, timeout):
        """Seconds until /readyz answered 200, or None."""
        t0 = now()
        while now() - t0 < timeout:
            if not self.alive():
                return None
            if self.ready():
                return now() - t0
            time.sleep(0.2)
        return None

    def metrics(self, timeout=2.0):
        status, body, _ = http_get(self.url("/metrics"), timeout)
        if status != 200:
            return None
        out = {}
        for line in body.splitlines():
            m = re.match(r"^([a-z_]+)(\{[^}]*\})?\s+([-0-9.e+]+)$", line)
            if m:
                out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
        return out

    def rss_kb(self):
        if not self.alive():
            return None
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None

    def log_mark(self):
        log = self.logs[-1]
        try:
            return (len(self.logs) - 1, os.path.getsize(log))
        except OSError:
            return (len(self.logs) - 1, 0)

    def log_lines_since(self, mark, pattern):
        """Lines matching 'pattern' written since 'mark', across restarts."""
        idx, pos = mark
        out = []
        rx = re.compile(pattern)
        for i in range(idx, len(self.logs)):
            try:
                with open(self.logs[i], "rb") as f:
                    if i == idx:
                        f.seek(pos)
                    for raw in f:
                        line = raw.decode("utf-8", "replace")
                        if rx.search(line):
                            out.append(line.rstrip())
            except OSError:
                pass
        return out

    def log_tail(self, lines=30):
        return pwtail(self.logs[-1], lines) if self.logs else "(no log)"


def pwtail(path, lines):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no log)"


class RssSampler(threading.Thread):
    """Samples VmRSS of the daemons every 'period' seconds; keeps the peak and the last value."""

    def __init__(self, daemons, period=0.25):
        super().__init__(daemon=True)
        self.daemons = daemons
        self.period = period
        self.peak_kb = 0
        self.samples = []
        self.halt = threading.Event()

    def run(self):
        t0 = now()
        while not self.halt.is_set():
            for d in self.daemons:
                kb = d.rss_kb()
                if kb:
                    self.peak_kb = max(self.peak_kb, kb)
                    self.samples.append((now() - t0, kb))
            self.halt.wait(self.period)


LAG = "pipewright_event_loop_lag_seconds"


class LagSampler(threading.Thread):
    """Reads each daemon's event-loop lag histogram every 'period' seconds. A daemon restarted
    after a kill starts a new histogram: the last reading of each process is banked, so the
    figures cover every process of the run (up to the last second before each kill)."""

    def __init__(self, daemons, period=1.0):
        super().__init__(daemon=True)
        self.daemons = daemons
        self.period = period
        self.last = {}
        self.banked = collections.Counter()
        self.max_s = 0.0
        self.halt = threading.Event()

    def read(self, d):
        m = d.metrics(timeout=1.0) if d.alive() else None
        if not m:
            return
        hist = {k: v for k, v in m.items() if k.startswith(LAG + "_bucket")}
        prev = self.last.get(id(d))
        if prev and hist.get(LAG + '_bucket{le="+Inf"}', 0) < prev.get(
                LAG + '_bucket{le="+Inf"}', 0):
            self.banked.update(prev)
        self.last[id(d)] = hist
        self.max_s = max(self.max_s, m.get("pipewright_event_loop_lag_max_seconds", 0.0))

    def run(self):
        while not self.halt.is_set():
            for d in self.daemons:
                self.read(d)
            self.halt.wait(self.period)

    def summary(self):
        """(p99 upper bucket bound in ms, max in ms, observations) over every process."""
        total = collections.Counter(self.banked)
        for hist in self.last.values():
            total.update(hist)
        cum = sorted((float(k.split('le="')[1].rstrip('"}').replace("+Inf", "inf")), v)
                     for k, v in total.items())
        n = cum[-1][1] if cum else 0
        p99 = next((le for le, c in cum if c >= 0.99 * n), None) if n else None
        return (None if p99 is None else p99 * 1000, self.max_s * 1000, int(n))

    def note(self):
        p99, mx, n = self.summary()
        return "event loop lag p99 <= %s ms, max %.1f ms (%d probes)" % (
            "?" if p99 is None else "%g" % p99, mx, n)


# ---- messages --------------------------------------------------------------------------------

class Events:
    """Valid requirement events: realistic records from the advisor scenarios, ~200 projects,
    unique event ids, the three wire formats in turn."""

    def __init__(self, rng, run_id, projects, audio, formats=("json", "avro", "confluent")):
        self.rng = rng
        self.run_id = run_id
        self.projects = projects
        self.audio = audio
        self.formats = formats
        self.schema = pwtest.Schema("requirement")
        self.scenarios = pwtest.load_scenarios()
        self.revisions = collections.Counter()

    def record(self, seq):
        project = "%s-p%03d" % (self.run_id, self.rng.randrange(self.projects))
        event_id = "%s-e%07d" % (self.run_id, seq)
        scenario = self.scenarios[zlib.crc32(project.encode()) % len(self.scenarios)]
        rev = self.revisions[project]
        self.revisions[project] += 1
        rec = pwtest.requirement_from_scenario(scenario, event_id, project, rev % 6, False)
        rec["audio"] = {"enabled": bool(self.audio), "voice": None, "rate_wpm": None,
                        "codec": None}
        return rec

    def message(self, seq):
        rec = self.record(seq)
        fmt = self.formats[seq % len(self.formats)]
        if fmt == "json":
            body = {k: v for k, v in rec.items() if v is not None}
            body["audio"] = {"enabled": bool(self.audio)}
            value = json.dumps(body).encode("utf-8")
        else:
            value = pwtest.encode_requirement(self.schema, rec, fmt, schema_id=1 + seq % 5)
        return rec["project_id"].encode(), value, rec["event_id"]


class Feeder(threading.Thread):
    """Produces messages at 'rate' per second (0: as fast as the producer takes them) with an
    idempotent producer; records each delivery's partition and offset by tag."""

    def __init__(self, bootstrap, topic, make, count, rate, start_seq=0):
        super().__init__(daemon=True)
        self.topic = topic
        self.make = make
        self.count = count
        self.rate = rate
        self.start_seq = start_seq
        self.produced = 0
        self.delivered = {}
        self.failed = {}
        self.lock = threading.Lock()
        self.finished_at = None
        self.halt = threading.Event()
        self.producer = Producer(kconf({
            "bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
            "linger.ms": 10, "message.timeout.ms": 900000,
            "message.max.bytes": BIG_MESSAGE_BYTES + 65536,
            "queue.buffering.max.messages": 200000,
            "queue.buffering.max.kbytes": 1024 * 1024,
        }))

    def _on_delivery(self, tag):
        def cb(err, msg):
            with self.lock:
                if err is not None:
                    self.failed[tag] = str(err)
                else:
                    self.delivered[tag] = (msg.partition(), msg.offset())
        return cb

    def run(self):
        t0 = now()
        for i in range(self.count):
            if self.halt.is_set():
                break
            key, value, tag = self.make(self.start_seq + i)
            if self.rate > 0:
                ahead = t0 + i / self.rate - now()
                if ahead > 0:
                    time.sleep(ahead)
            while True:
                try:
                    self.producer.produce(self.topic, key=key, value=value,
                                          on_delivery=self._on_delivery(tag))
                    break
                except BufferError:
                    self.producer.poll(0.1)
            self.produced += 1
            self.producer.poll(0)
        self.producer.flush(900)
        self.finished_at = now()

    def stop(self):
        self.halt.set()


# ---- reading the outputs ---------------------------------------------------------------------

def topic_partitions(client, topic):
    md = client.list_topics(topic, timeout=30)
    t = md.topics.get(topic)
    if t is None or t.error is not None:
        raise RuntimeError("topic %s not found" % topic)
    return [TopicPartition(topic, p) for p in sorted(t.partitions)]


def high_watermarks(bootstrap, topic):
    c = Consumer(kconf({"bootstrap.servers": bootstrap,
                        "group.id": "chaos-meta-" + uuid.uuid4().hex,
                        "isolation.level": "read_uncommitted", "enable.auto.commit": False}))
    try:
        out = {}
        for tp in topic_partitions(c, topic):
            out[tp.partition] = c.get_watermark_offsets(tp, timeout=30, cached=False)[1]
        return out
    finally:
        c.close()


def group_lag(bootstrap, group, topic):
    """Messages of 'topic' the group has not committed yet (transactional offsets, stable)."""
    hw = high_watermarks(bootstrap, topic)
    c = Consumer(kconf({"bootstrap.servers": bootstrap, "group.id": group,
                        "enable.auto.commit": False, "isolation.level": "read_committed"}))
    try:
        tps = [TopicPartition(topic, p) for p in hw]
        committed = c.committed(tps, timeout=30)
        lag = 0
        for tp in committed:
            off = tp.offset if tp.offset >= 0 else 0
            lag += max(0, hw[tp.partition] - off)
        return lag
    finally:
        c.close()


STALL_S = [90]  # seconds without progress after which draining is given up (--stall)


def wait_drained(bootstrap, group, topic, timeout, daemons=()):
    """Waits until the group has committed every input message; returns (seconds, lag), or
    (None, lag) after 'timeout' seconds or STALL_S seconds without the lag shrinking."""
    t0 = now()
    last_print = 0
    lag = None
    best, best_at = None, now()
    while now() - t0 < timeout:
        if lag is not None and (best is None or lag < best):
            best, best_at = lag, now()
        if now() - best_at > STALL_S[0]:
            say("no progress for %d s (lag %s): giving up the drain" % (STALL_S[0], lag))
            return None, lag
        try:
            lag = group_lag(bootstrap, group, topic)
        except Exception as e:  # a broker still restarting answers with errors for a while
            say("lag query failed: %s" % e)
            lag = None
        if lag == 0:
            return now() - t0, 0
        if now() - last_print > 15:
            say("waiting for the group to drain: lag %s after %.0f s" % (lag, now() - t0))
            last_print = now()
        for d in daemons:
            if not d.alive() and not d.expected_exit:
                say("daemon %s is not running while draining" % d.name)
        time.sleep(1)
    return None, lag


def read_all(bootstrap, topic, handle, timeout=300, isolation="read_committed"):
    """Reads 'topic' from the beginning, read_committed, until every partition's end-of-
    partition event has reached the read_uncommitted high watermark, i.e. no transaction is
    left open and everything committed has been seen. Calls handle(msg) for each message."""
    hw = high_watermarks(bootstrap, topic)
    c = Consumer(kconf({"bootstrap.servers": bootstrap,
                        "group.id": "chaos-reader-" + uuid.uuid4().hex,
                        "isolation.level": isolation, "enable.auto.commit": False,
                        "enable.partition.eof": True, "auto.offset.reset": "earliest",
                        "fetch.message.max.bytes": BIG_MESSAGE_BYTES + 65536,
                        "receive.message.max.bytes": 4 * BIG_MESSAGE_BYTES}))
    try:
        c.assign([TopicPartition(topic, p, 0) for p in hw])
        eof = {p: (0 if hw[p] == 0 else -1) for p in hw}
        t0 = now()
        n = 0
        while any(eof[p] < hw[p] for p in hw):
            if now() - t0 > timeout:
                raise RuntimeError("reading %s: partitions %s not at their end after %d s "
                                   "(a transaction left open?)" % (
                                       topic, [p for p in hw if eof[p] < hw[p]], timeout))
            for msg in c.consume(1000, 0.5):
                if msg.error():
                    if msg.error().code() == KafkaError._PARTITION_EOF:
                        eof[msg.partition()] = msg.offset()
                        continue
                    raise RuntimeError("reading %s: %s" % (topic, msg.error()))
                handle(msg)
                n += 1
        return n
    finally:
        c.close()


class Tally:
    """Reports (and audio) per event id, from the output topics."""

    def __init__(self):
        self.report_schema = pwtest.Schema("report")
        self.audio_schema = pwtest.Schema("audio")
        self.reports = collections.Counter()
        self.audio_status = collections.Counter()
        self.report_ids = {}
        self.bad = []
        self.audio_chunks = collections.defaultdict(list)
        self.report_bytes = 0

    def on_report(self, msg):
        try:
            rec = self.report_schema.decode_single_object(msg.value())
        except Exception as e:
            self.bad.append("report at %d/%d: %s" % (msg.partition(), msg.offset(), e))
            return
        hdr = pwtest.headers_dict(msg)
        if hdr.get("pw.event_id") != rec["event_id"]:
            self.bad.append("report %s: header pw.event_id %r" % (rec["event_id"],
                                                                  hdr.get("pw.event_id")))
        if (msg.key() or b"").decode("utf-8", "replace") != rec["project_id"]:
            self.bad.append("report %s: key %r, project %r" % (rec["event_id"], msg.key(),
                                                               rec["project_id"]))
        self.reports[rec["event_id"]] += 1
        self.audio_status[rec["audio_status"]] += 1
        self.report_ids[rec["event_id"]] = (rec["report_id"], rec["audio_status"])
        self.report_bytes += len(msg.value())

    def on_audio(self, msg):
        try:
            rec = self.audio_schema.decode_single_object(msg.value())
        except Exception as e:
            self.bad.append("audio at %d/%d: %s" % (msg.partition(), msg.offset(), e))
            return
        self.audio_chunks[rec["report_id"]].append(rec)

    def audio_problems(self):
        """Per report with audio 'ready': one whole artifact, each chunk exactly once."""
        problems = []
        dup_chunks = 0
        for event_id, (report_id, status) in self.report_ids.items():
            chunks = self.audio_chunks.get(report_id, [])
            if status != "ready":
                if chunks and status == "disabled":
                    problems.append("%s: audio disabled but %d chunks" % (event_id, len(chunks)))
                continue
            seen = collections.Counter(c["chunk_index"] for c in chunks)
            dup_chunks += sum(n - 1 for n in seen.values() if n > 1)
            unique = {c["chunk_index"]: c for c in chunks}
            try:
                pwtest.reassemble_audio(list(unique.values()))
            except (ValueError, IndexError) as e:
                problems.append("%s: %s" % (event_id, e))
        return problems, dup_chunks


def verify(ctx, topics, expected_ids, want_audio=False):
    """Reads reports (and audio, DLQ) and compares them with the expected event ids."""
    tally = Tally()
    read_all(ctx.bootstrap, topics["reports"], tally.on_report)
    if want_audio:
        read_all(ctx.bootstrap, topics["audio"], tally.on_audio)
    dlq = []
    read_all(ctx.bootstrap, topics["dlq"], dlq.append)
    expected = set(expected_ids)
    missing = [e for e in expected if tally.reports[e] == 0]
    dups = sum(n - 1 for n in tally.reports.values() if n > 1)
    unexpected = [e for e in tally.reports if e not in expected]
    return tally, missing, dups, unexpected, dlq


# ---- faults ----------------------------------------------------------------------------------

class FaultLog:
    def __init__(self):
        self.rows = []

    def add(self, **row):
        self.rows.append(row)
        say("fault: " + " ".join("%s=%s" % (k, v) for k, v in row.items()))


def before_fault(daemon):
    """The daemon's transaction counters and in-flight gauge just before a fault."""
    m = daemon.metrics(timeout=1.0) or {}
    return {
        "in_flight": int(m.get("pipewright_in_flight", -1)),
        "commits": int(m.get('pipewright_transactions_total{result="commit"}', -1)),
        "aborts": int(m.get('pipewright_transactions_total{result="abort"}', -1)),
        "requests": int(sum(v for k, v in m.items()
                            if k.startswith("pipewright_requests_total{"))),
    }


def sample_open(daemon, gap=0.15):
    """Two metric samples 'gap' apart. A batch is open when requests are in flight, or when
    requests were answered since the last commit (answered grew while commits did not)."""
    m1 = before_fault(daemon)
    time.sleep(gap)
    m2 = before_fault(daemon)
    m2["open"] = m2["in_flight"] > 0 or (m2["requests"] > m1["requests"] and
                                         m2["commits"] == m1["commits"])
    return m2


def wait_progress(daemon, commits_before, timeout):
    """Seconds until the daemon commits a transaction after 'commits_before', or None."""
    t0 = now()
    while now() - t0 < timeout:
        m = daemon.metrics(timeout=1.0)
        if m and m.get('pipewright_transactions_total{result="commit"}', 0) > commits_before:
            return now() - t0
        time.sleep(0.2)
    return None


def inject(ctx, kind, daemon, feeder, rng, faults, t_start):
    """SIGKILLs 'kind' (broker, redis or daemon), restarts it and waits for the daemon to be
    ready and committing again. Records what the fault hit."""
    pre = sample_open(daemon)
    mark = daemon.log_mark()
    t_fault = now()
    produced = feeder.produced if feeder else None
    if kind == "daemon":
        daemon.kill()
        time.sleep(rng.uniform(0.0, 1.0))
        daemon.start()
    elif kind == "broker":
        ctx.services.signal("kafka", signal.SIGKILL)
        time.sleep(rng.uniform(1.0, 5.0))
        ctx.services.up("kafka")
    elif kind == "redis":
        ctx.services.signal("redis", signal.SIGKILL)
        time.sleep(rng.uniform(1.0, 3.0))
        ctx.services.up("redis")
    ready = daemon.wait_ready(ctx.args.recovery_timeout)
    ready_at = now()
    restarted = False
    if ready is None:
        # Acting as a supervisor would: the failure is recorded, then the daemon is replaced
        # so that the remaining faults are still exercised.
        say("daemon not ready %d s after the %s fault; log tail:\n%s" % (
            ctx.args.recovery_timeout, kind, daemon.log_tail(15)))
        if daemon.alive():
            daemon.kill()
        start_ready(daemon, ctx.args.recovery_timeout)
        restarted = True
    progress_at = None
    if ready is not None and feeder is not None and feeder.is_alive():
        m = daemon.metrics() or {}
        if wait_progress(daemon, m.get('pipewright_transactions_total{result="commit"}', 0),
                         120) is not None:
            progress_at = now()
    aborts_logged = daemon.log_lines_since(mark, r"BATCH_ABORT|TXN_ABORT|REWIND_FAILED")
    post = before_fault(daemon) if kind != "daemon" else {}
    hit_open = (pre["open"] or bool(aborts_logged) or
                (kind != "daemon" and post.get("aborts", -1) > pre["aborts"] >= 0))
    faults.add(kind=kind, at_s=round(t_fault - t_start, 1),
               produced=produced, in_flight=pre["in_flight"],
               commits_before=pre["commits"], aborts_logged=len(aborts_logged),
               txn_open=hit_open,
               ready_s=None if ready is None else round(ready_at - t_fault, 1),
               first_commit_s=None if progress_at is None else round(progress_at - t_fault, 1),
               restarted_by_harness=restarted)
    return ready is not None


# ---- topics ----------------------------------------------------------------------------------

def create_topics(ctx, prefix, partitions, big=False, replication=1):
    """replication None: the CLI's default (3 and min.insync.replicas 2 on three brokers)."""
    names = {s: "%s.%s" % (prefix, s) for s in SUFFIXES}
    cli = os.path.join(ctx.args.build, "pipewright")
    argv = [cli, "topics", "create", "--brokers", ctx.bootstrap, "--topic-prefix", prefix,
            "--partitions", str(partitions)]
    if replication is not None:
        argv += ["--replication", str(replication)]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("pipewright topics create failed (%d): %s" % (p.returncode,
                                                                         p.stderr[-2000:]))
    if big:
        # Room for the 10 MB hostile messages on the input topic and their copies in the DLQ;
        # without it the broker refuses them (MSG_SIZE_TOO_LARGE) before the daemon sees them.
        admin = AdminClient(kconf({"bootstrap.servers": ctx.bootstrap}))
        res = [ConfigResource(ConfigResource.Type.TOPIC, names[s], incremental_configs=[
            ConfigEntry("max.message.bytes", str(BIG_MESSAGE_BYTES + 65536),
                        incremental_operation=AlterConfigOpType.SET)])
            for s in ("requirements", "dlq")]
        for fut in admin.incremental_alter_configs(res).values():
            fut.result(timeout=60)
    return names


class Ctx:
    def __init__(self, args, services, run_dir, rng):
        self.args = args
        self.services = services
        self.run_dir = run_dir
        self.rng = rng
        self.bootstrap = services.bootstrap
        self.daemons = []

    def names(self, scenario):
        tag = "%s-%s" % (scenario, uuid.uuid4().hex[:8])
        return "chaos-" + tag, "chaos-group-" + tag

    def daemon(self, name, prefix, group, extra=()):
        d = Daemon(self.args, self.run_dir, name, prefix, group, self.services, extra)
        self.daemons.append(d)
        return d

    def cleanup(self):
        """After an interrupted scenario: no daemon left running, no broker left stopped."""
        for d in self.daemons:
            if d.alive():
                d.kill()
        try:
            self.services.signal("kafka", signal.SIGCONT)
        except RuntimeError:
            pass


def row(scenario, events, missing, dups, dlq, faults, seconds, ok, notes):
    return {"scenario": scenario, "events": events, "missing": missing, "duplicates": dups,
            "dead_lettered": dlq, "faults": faults, "seconds": round(seconds, 1), "ok": ok,
            "notes": notes}


def start_ready(d, timeout=90):
    d.start()
    if d.wait_ready(timeout) is None:
        raise RuntimeError("daemon %s not ready within %d s; log:\n%s" % (d.name, timeout,
                                                                           d.log_tail()))


def finish(d, notes):
    """Stops a daemon with SIGTERM; a non-zero exit is a finding."""
    if not d.alive():
        if d.proc is not None and not d.expected_exit:
            notes.append("%s died (rc %s)" % (d.name, d.proc.returncode))
            return False
        return True
    m = d.metrics() or {}
    if m:
        notes.append("%s: %d transactions committed, %d aborted (this process)" % (
            d.name, m.get('pipewright_transactions_total{result="commit"}', 0),
            m.get('pipewright_transactions_total{result="abort"}', 0)))
    rc = d.stop()
    if rc != 0:
        notes.append("%s exit %s after SIGTERM" % (d.name, rc))
        return False
    return True


# ---- scenario 1: kills during a run ----------------------------------------------------------

def scenario_fault(ctx, audio=False):
    a = ctx.args
    if audio:
        return run_faults(ctx, "fault-audio", a.audio_events, a.audio_rate,
                          {"broker": 1, "redis": 1, "daemon": 1}, a.projects, True)
    return run_faults(ctx, "fault", a.events, a.rate, {
        "broker": a.broker_kills, "redis": a.redis_kills, "daemon": a.daemon_kills}, a.projects)


def scenario_hot(ctx):
    """Most events on a handful of projects, fast enough that one batch holds many versions of
    one project, and the daemon killed mid-transaction: every replayed event must find its own
    merged requirement although later versions of its project were applied meanwhile."""
    a = ctx.args
    # Transactions that collect for 2 s hold hundreds of events, dozens of each project.
    return run_faults(ctx, "hot", a.hot_events, a.hot_rate, {"daemon": a.hot_kills},
                      a.hot_projects, extra=("--commit-interval-ms", "2000"))


def run_faults(ctx, name, n, rate, kills, projects, audio=False, extra=()):
    a = ctx.args
    prefix, group = ctx.names(name)
    topics = create_topics(ctx, prefix, a.partitions)
    d = ctx.daemon(name, prefix, group, extra)
    start_ready(d)
    rng = ctx.rng
    plan = [k for k, c in kills.items() for _ in range(c)]
    rng.shuffle(plan)
    fractions = sorted(rng.uniform(0.05, 0.9) for _ in plan)
    say("%s: %d events at %s/s, faults %s at %s of production" % (
        name, n, rate, plan, [round(f, 2) for f in fractions]))
    events = Events(random.Random(rng.random()), prefix, projects, audio)
    feeder = Feeder(ctx.bootstrap, topics["requirements"], events.message, n, rate)
    sampler = RssSampler([d])
    looplag = LagSampler([d])
    faults = FaultLog()
    t0 = now()
    feeder.start()
    sampler.start()
    looplag.start()
    notes = []
    crashes = 0
    unrecovered = 0
    for kind, frac in zip(plan, fractions):
        while feeder.produced < frac * n and feeder.is_alive():
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.0))
        if not d.alive():
            crashes += 1
            notes.append("daemon died on its own (rc %s)" % d.proc.returncode)
            say("daemon died on its own; log tail:\n" + d.log_tail())
            start_ready(d)
        if not inject(ctx, kind, d, feeder, rng, faults, t0):
            unrecovered += 1
            notes.append("no recovery within %d s after the %s kill (daemon restarted)" % (
                a.recovery_timeout, kind))
    feeder.join()
    drained, lag = wait_drained(ctx.bootstrap, group, topics["requirements"], a.drain_timeout,
                                [d])
    elapsed = now() - t0
    if drained is None:
        notes.append("not drained: lag %s" % lag)
    looplag.halt.set()
    looplag.read(d)
    ok = finish(d, notes)
    sampler.halt.set()
    tally, missing, dups, unexpected, dlq = verify(ctx, topics, feeder.delivered, audio)
    if feeder.failed:
        notes.append("%d not delivered to Kafka" % len(feeder.failed))
    if unexpected:
        notes.append("%d reports for unknown events" % len(unexpected))
    if tally.bad:
        notes.append("%d bad output messages, e.g. %s" % (len(tally.bad), tally.bad[0]))
    if audio:
        problems, dup_chunks = tally.audio_problems()
        notes.append("audio %s" % dict(tally.audio_status))
        if problems:
            notes.append("%d audio problems, e.g. %s" % (len(problems), problems[0]))
        if dup_chunks:
            notes.append("%d duplicate audio chunks" % dup_chunks)
        ok = ok and not problems and not dup_chunks
    # Report messages written in transactions that were then aborted: seen read_uncommitted,
    # never read_committed. Evidence that faults hit transactions with answers in them.
    everything = collections.Counter()
    read_all(ctx.bootstrap, topics["reports"], lambda m: everything.update([m.partition()]),
             isolation="read_uncommitted")
    aborted_reports = sum(everything.values()) - sum(tally.reports.values())
    notes.append("%d report messages in aborted transactions" % aborted_reports)
    hits = sum(1 for f in faults.rows if f["txn_open"])
    notes.append("%d of %d faults hit an open transaction" % (hits, len(faults.rows)))
    notes.append("RSS peak %.1f MiB" % (sampler.peak_kb / 1024.0))
    notes.append(looplag.note())
    ok = (ok and not missing and dups == 0 and not dlq and not unexpected and not tally.bad and
          crashes == 0 and unrecovered == 0 and drained is not None)
    if missing:
        say("%s: missing, e.g. %s" % (name, sorted(missing)[:10]))
    r = row(name, len(feeder.delivered), len(missing), dups, len(dlq), len(faults.rows), elapsed,
            ok, notes)
    r["fault_log"] = faults.rows
    r["aborted_reports"] = aborted_reports
    r["drain_s"] = None if drained is None else round(drained, 1)
    r["rss_peak_kb"] = sampler.peak_kb
    return r


# ---- scenario 2: hostile input ---------------------------------------------------------------

def zigzag(v):
    v = (v << 1) ^ (v >> 63)
    out = bytearray()
    v &= (1 << 64) - 1
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def avro_str(b):
    return zigzag(len(b)) + b


N_TAIL_NULLS = 11  # freshness_seconds .. audio, each a union index 0 (null)


def manual_datum(event_id, project_id, sources=b"\x00", submitted=b"\x00", title=b"\x00"):
    """A requirement datum written field by field, so single bytes can be made wrong."""
    return (avro_str(event_id) + avro_str(project_id) + submitted + title + b"\x00" + sources +
            b"\x00" * N_TAIL_NULLS)


class Hostile:
    """Hostile message makers: each returns (value, reasons the contract allows for it)."""

    def __init__(self, rng, events, big_count, skip=()):
        self.rng = rng
        self.events = events
        self.schema = events.schema
        self.report = pwtest.Schema("report")
        self.big_left = big_count
        self.skip = set(skip)
        self.kinds = [
            ("truncated_avro", self.truncated_avro), ("truncated_confluent", self.truncated_cf),
            ("bad_fingerprint", self.bad_fingerprint),
            ("report_fingerprint", self.report_fingerprint), ("bad_magic", self.bad_magic),
            ("huge_length", self.huge_length), ("negative_length", self.negative_length),
            ("enum_out_of_range", self.enum_range), ("union_out_of_range", self.union_range),
            ("trailing_bytes", self.trailing), ("deep_json", self.deep_json),
            ("deep_json_objects", self.deep_objects), ("invalid_utf8_json", self.utf8_json),
            ("invalid_utf8_avro", self.utf8_avro), ("nul_in_string", self.nul_string),
            ("json_missing_id", self.missing_id), ("json_wrong_type", self.wrong_type),
            ("json_negative", self.negative), ("json_syntax", self.syntax),
            ("json_duplicate_key", self.dup_key), ("json_not_object", self.not_object),
            ("long_id", self.long_id), ("long_list", self.long_list), ("empty", self.empty),
            ("whitespace", self.whitespace), ("random_bytes", self.random_bytes),
            ("confluent_garbage", self.confluent_garbage), ("big_json", self.big_json),
        ]
        self.kinds = [k for k in self.kinds if k[0] not in skip]

    def ids(self, i):
        return ("hostile-%s-%07d" % (self.events.run_id, i)).encode(), b"hostile-project"

    def valid_avro(self, i):
        rec = self.events.record(10_000_000 + i)
        rec["event_id"] = self.ids(i)[0].decode()
        return self.schema.single_object(rec)

    def truncated_avro(self, i):
        v = self.valid_avro(i)
        return v[:self.rng.randrange(10, len(v))], {"truncated"}

    def truncated_cf(self, i):
        v = b"\x00\x00\x00\x00\x07" + self.valid_avro(i)[10:]
        return v[:self.rng.randrange(5, len(v))], {"truncated"}

    def bad_fingerprint(self, i):
        return b"\xc3\x01" + self.rng.randbytes(8) + self.valid_avro(i)[10:], {"unknown_schema"}

    def report_fingerprint(self, i):
        return self.report.header + self.valid_avro(i)[10:], {"unknown_schema"}

    def bad_magic(self, i):
        return b"\xc3\x02" + self.valid_avro(i)[2:], {"bad_magic"}

    def huge_length(self, i):
        return (self.schema.header + zigzag(self.rng.choice([1 << 31, 1 << 40, (1 << 62)])) +
                b"x" * 16, {"limit", "truncated", "malformed"})

    def negative_length(self, i):
        return self.schema.header + zigzag(-self.rng.randrange(1, 1 << 40)) + b"x" * 16, {
            "malformed"}

    def enum_range(self, i):
        eid, pid = self.ids(i)
        source = (b"\x00" + b"\x02" + zigzag(self.rng.randrange(10, 1000)) + b"\x00" * 4)
        sources = b"\x02" + zigzag(1) + source + b"\x00"
        return self.schema.header + manual_datum(eid, pid, sources=sources), {"malformed"}

    def union_range(self, i):
        eid, pid = self.ids(i)
        return self.schema.header + manual_datum(eid, pid, submitted=zigzag(7)), {"malformed"}

    def trailing(self, i):
        return self.valid_avro(i) + b"\x00\x01\x02", {"malformed"}

    def deep_json(self, i):
        depth = self.rng.choice([17, 100, 10_000, 200_000])
        eid = self.ids(i)[0].decode()
        return ('{"event_id":"%s","project_id":"p","consumers":%s%s}' % (
            eid, "[" * depth, "]" * depth)).encode(), {"limit", "invalid"}

    def deep_objects(self, i):
        depth = self.rng.choice([17, 1000, 100_000])
        return ('{"event_id":"x%d","project_id":"p","audio":' % i + '{"a":' * depth + "1" +
                "}" * depth + "}").encode(), {"limit", "invalid"}

    def utf8_json(self, i):
        bad = self.rng.choice([b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82"])
        return (b'{"event_id":"' + self.ids(i)[0] + bad + b'","project_id":"p"}'), {"encoding"}

    def utf8_avro(self, i):
        eid, pid = self.ids(i)
        bad = self.rng.choice([b"\xff", b"\xc0\x80", b"\xed\xb0\x80", b"\xf8\x88\x80\x80\x80"])
        return self.schema.header + manual_datum(eid + bad, pid), {"encoding"}

    def nul_string(self, i):
        if i % 2:
            return (b'{"event_id":"' + self.ids(i)[0] + b'","project_id":"p",'
                    b'"title":"a\\u0000b"}'), {"encoding"}
        eid, pid = self.ids(i)
        return self.schema.header + manual_datum(eid, pid, title=b"\x02" + avro_str(b"a\0b")), {
            "encoding"}

    def missing_id(self, i):
        return b'{"project_id":"p","title":"no id"}', {"invalid"}

    def wrong_type(self, i):
        return (b'{"event_id":"' + self.ids(i)[0] + b'","project_id":"p","team_size":"many"}',
                {"invalid"})

    def negative(self, i):
        return (b'{"event_id":"' + self.ids(i)[0] +
                b'","project_id":"p","budget_usd_per_month":-5}', {"invalid"})

    def syntax(self, i):
        return b'{"event_id":"' + self.ids(i)[0] + b'","project_id":', {"malformed", "truncated"}

    def dup_key(self, i):
        return (b'{"event_id":"' + self.ids(i)[0] + b'","project_id":"p","project_id":"q"}',
                {"malformed"})

    def not_object(self, i):
        return b'["event_id","project_id"]', {"bad_magic", "malformed"}

    def long_id(self, i):
        return ('{"event_id":"%s","project_id":"p"}' % ("e" * 129)).encode(), {"invalid",
                                                                                 "limit"}

    def long_list(self, i):
        items = ",".join('"c%d"' % k for k in range(65))
        return ('{"event_id":"%s","project_id":"p","consumers":[%s]}' % (
            self.ids(i)[0].decode(), items)).encode(), {"limit"}

    def empty(self, i):
        return b"", {"empty"}

    def whitespace(self, i):
        return b" \n\t ", {"empty"}

    def random_bytes(self, i):
        return self.rng.randbytes(self.rng.randrange(1, 4096)), set(pwtest.DLQ_REASONS)

    def confluent_garbage(self, i):
        return b"\x00" + self.rng.randbytes(4 + self.rng.randrange(0, 200)), set(
            pwtest.DLQ_REASONS)

    def big_json(self, i):
        # Just over the 1 MiB input bound: the daemon's size check, not the broker's.
        return ('{"event_id":"%s","project_id":"p","description":"%s"}' % (
            self.ids(i)[0].decode(), "x" * (1100 * 1024))).encode(), {"too_large"}

    def huge_10mb(self, i):
        return ('{"event_id":"%s","project_id":"p","description":"%s"}' % (
            self.ids(i)[0].decode(), "y" * (10 * 1024 * 1024))).encode(), {"too_large"}

    def make(self, i):
        if self.big_left > 0 and i % 997 == 500 and "huge_10mb" not in self.skip:
            self.big_left -= 1
            kind, fn = "huge_10mb", self.huge_10mb
        else:
            kind, fn = self.kinds[self.rng.randrange(len(self.kinds))]
            # The 1.1 MB ones are costly: keep them to about one in a hundred.
            if kind == "big_json" and self.rng.random() > 0.1:
                kind, fn = "empty", self.empty
        value, reasons = fn(i)
        return kind, value, reasons


def scenario_hostile(ctx):
    a = ctx.args
    prefix, group = ctx.names("hostile")
    topics = create_topics(ctx, prefix, a.partitions, big=a.big_count > 0)
    d = ctx.daemon("hostile", prefix, group)
    start_ready(d)
    rng = random.Random(ctx.rng.random())
    events = Events(random.Random(rng.random()), prefix, a.projects, False)
    hostile = Hostile(rng, events, a.big_count, a.skip_kinds)
    total = a.hostile + a.valid
    # A fixed interleaving: each slot is hostile with probability hostile/total.
    slots = [True] * a.hostile + [False] * a.valid
    rng.shuffle(slots)
    kinds = {}
    allowed = {}

    def make(seq):
        if slots[seq]:
            kind, value, reasons = hostile.make(seq)
            tag = "h%d" % seq
            kinds[tag] = kind
            allowed[tag] = reasons
            return ("hostile-key-%d" % seq).encode(), value, tag
        return events.message(seq)

    feeder = Feeder(ctx.bootstrap, topics["requirements"], make, total, a.hostile_rate)
    sampler = RssSampler([d], period=0.1)
    t0 = now()
    sampler.start()
    feeder.start()
    notes = []
    while feeder.is_alive():
        feeder.join(1)
        if not d.alive():
            feeder.stop()
            feeder.join()
            break
    drained, lag = (None, None)
    if d.alive():
        drained, lag = wait_drained(ctx.bootstrap, group, topics["requirements"],
                                    a.drain_timeout, [d])
    elapsed = now() - t0
    alive = d.alive()
    if not alive:
        notes.append("daemon died (rc %s)" % d.proc.returncode)
        say("hostile: daemon died; log tail:\n" + d.log_tail(60))
    if drained is None:
        notes.append("not drained: lag %s" % lag)
    sampler.halt.set()
    rss_after = d.rss_kb()
    ok = finish(d, notes)
    valid_ids = [t for t in feeder.delivered if not t.startswith("h")]
    hostile_at = {v: t for t, v in feeder.delivered.items() if t.startswith("h")}
    tally, missing, dups, unexpected, dlq = verify(ctx, topics, valid_ids)
    found = set()
    wrong_reason = collections.Counter()
    no_reason = 0
    bad_copy = 0
    by_kind = collections.Counter()
    for msg in dlq:
        h = pwtest.headers_dict(msg)
        reason = h.get("pw.error.reason")
        try:
            where = (int(h.get("pw.source.partition")), int(h.get("pw.source.offset")))
        except (TypeError, ValueError):
            where = None
        tag = hostile_at.get(where)
        if reason not in KNOWN_REASONS:
            no_reason += 1
        if tag is None:
            continue
        found.add(tag)
        by_kind[(kinds[tag], reason)] += 1
        if reason not in allowed[tag]:
            wrong_reason[(kinds[tag], reason)] += 1
        if msg.key() != ("hostile-key-%s" % tag[1:]).encode():
            bad_copy += 1
    lost = [t for t in hostile_at.values() if t not in found]
    lost_kinds = collections.Counter(kinds[t] for t in lost)
    answered_hostile = [e for e in unexpected if e.startswith("hostile-")]
    refused_broker = collections.Counter(kinds[t] for t in feeder.failed if t in kinds)
    notes.append("hostile %d delivered, %d in DLQ" % (len(hostile_at), len(found)))
    if refused_broker:
        notes.append("broker refused %s" % dict(refused_broker))
    if lost:
        notes.append("hostile not dead-lettered: %s" % dict(lost_kinds))
    if wrong_reason:
        notes.append("unexpected reasons: %s" % dict(wrong_reason))
    if no_reason:
        notes.append("%d DLQ messages without a known reason" % no_reason)
    if bad_copy:
        notes.append("%d DLQ messages without the original key" % bad_copy)
    if answered_hostile:
        notes.append("%d hostile messages answered" % len(answered_hostile))
    notes.append("RSS peak %.1f MiB, after %.1f MiB" % (sampler.peak_kb / 1024.0,
                                                       (rss_after or 0) / 1024.0))
    dlq_extra = len(dlq) - len(found)
    if dlq_extra:
        notes.append("%d valid messages dead-lettered" % dlq_extra)
    ok = (ok and alive and not missing and dups == 0 and not lost and not no_reason and
          not answered_hostile and dlq_extra == 0 and drained is not None and not bad_copy)
    r = row("hostile", len(feeder.delivered), len(missing), dups, len(dlq), len(hostile_at),
            elapsed, ok, notes)
    r["rss_peak_kb"] = sampler.peak_kb
    r["reasons_by_kind"] = {"%s:%s" % k: v for k, v in sorted(by_kind.items())}
    r["wrong_reason"] = {"%s:%s" % k: v for k, v in sorted(wrong_reason.items())}
    return r


# ---- scenario 3: outages ---------------------------------------------------------------------

class ReadyProbe(threading.Thread):
    """Polls /readyz every 0.5 s; keeps (time, status) pairs."""

    def __init__(self, daemon):
        super().__init__(daemon=True)
        self.d = daemon
        self.samples = []
        self.latency = []
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            t = now()
            status, _, secs = http_get(self.d.url("/readyz"), 2.0)
            self.samples.append((t, status))
            self.latency.append((t, secs))
            self.halt.wait(0.5)

    def between(self, t0, t1):
        return [s for t, s in self.samples if t0 <= t < t1]

    def slowest_between(self, t0, t1):
        return max([x for t, x in self.latency if t0 <= t < t1] or [0])

    def first_ready_after(self, t):
        for ts, s in self.samples:
            if ts >= t and s == 200:
                return ts - t
        return None


def scenario_outages(ctx):
    a = ctx.args
    prefix, group = ctx.names("outages")
    topics = create_topics(ctx, prefix, a.partitions)
    d = ctx.daemon("outages", prefix, group)
    start_ready(d)
    plan = [("redis", a.redis_outage)] + [("broker", s) for s in a.broker_outages]
    total_s = sum(s for _, s in plan) + 40 * len(plan) + 20
    n = int(total_s * a.outage_rate)
    events = Events(random.Random(ctx.rng.random()), prefix, a.projects, False)
    feeder = Feeder(ctx.bootstrap, topics["requirements"], events.message, n, a.outage_rate)
    probe = ReadyProbe(d)
    t0 = now()
    feeder.start()
    probe.start()
    notes = []
    outages = []
    time.sleep(10)
    for kind, seconds in plan:
        mark = d.log_mark()
        pre = before_fault(d)
        t_out = now()
        if kind == "redis":
            ctx.services.down("redis")
            how = "deploy/services down redis (SIGTERM), up after %d s" % seconds
        elif a.broker_outage_mode == "kill":
            ctx.services.signal("kafka", signal.SIGKILL)
            how = "SIGKILL, deploy/services up after %d s" % seconds
        else:
            ctx.services.signal("kafka", signal.SIGSTOP)
            how = "SIGSTOP, SIGCONT after %d s" % seconds
        time.sleep(seconds)
        t_back = now()
        if kind == "redis":
            ctx.services.up("redis")
        elif a.broker_outage_mode == "kill":
            ctx.services.up("kafka")
        else:
            ctx.services.signal("kafka", signal.SIGCONT)
        t_restored = now()
        ready_wait = d.wait_ready(a.recovery_timeout)
        restarted = False
        if ready_wait is None and d.alive():
            say("outage %s %ds: not ready %d s after the restore; log tail:\n%s" % (
                kind, seconds, a.recovery_timeout, d.log_tail(15)))
            notes.append("%s %ds: no recovery within %d s (daemon restarted)" % (
                kind, seconds, a.recovery_timeout))
            d.kill()
            start_ready(d, a.recovery_timeout)
            restarted = True
        commit_s = wait_progress(d, before_fault(d)["commits"], 120)
        time.sleep(2)
        during = probe.between(t_out + 5, t_back)
        not_ready = sum(1 for s in during if s != 200)
        no_answer = sum(1 for s in during if s is None)
        aborts = d.log_lines_since(mark, r"BATCH_ABORT|TXN_ABORT|REWIND_FAILED|DEAD_LETTER")
        out = {"kind": kind, "seconds": seconds, "how": how,
               "readyz_not_200_during": "%d/%d" % (not_ready, len(during)),
               "readyz_unanswered_2s_during": no_answer,
               "readyz_slowest_s": round(probe.slowest_between(t_out, t_back + 5), 2),
               "ready_after_restore_s": None if ready_wait is None else round(
                   probe.first_ready_after(t_restored) or 0, 1),
               "first_commit_after_restore_s": None if commit_s is None else round(
                   now() - 2 - t_restored, 1),
               "alive": d.alive(), "in_flight_before": pre["in_flight"],
               "restarted_by_harness": restarted,
               "abort_or_dlq_lines": len(aborts)}
        outages.append(out)
        say("outage: " + json.dumps(out))
        if not d.alive():
            notes.append("daemon died in the %s outage (rc %s)" % (kind, d.proc.returncode))
            say("daemon log tail:\n" + d.log_tail(60))
            start_ready(d)
        time.sleep(10)
    feeder.join()
    drained, lag = wait_drained(ctx.bootstrap, group, topics["requirements"], a.drain_timeout,
                                [d])
    elapsed = now() - t0
    probe.halt.set()
    if drained is None:
        notes.append("not drained: lag %s" % lag)
    ok = finish(d, notes)
    tally, missing, dups, unexpected, dlq = verify(ctx, topics, feeder.delivered)
    for o in outages:
        notes.append("%s %ds: readyz!=200 %s (%d unanswered in 2 s, slowest %ss), ready %ss "
                     "after" % (o["kind"], o["seconds"], o["readyz_not_200_during"],
                                o["readyz_unanswered_2s_during"], o["readyz_slowest_s"],
                                o["ready_after_restore_s"]))
    redis_out = outages[0]
    redis_flagged = int(redis_out["readyz_not_200_during"].split("/")[0]) > 0
    if not redis_flagged:
        notes.append("readyz stayed 200 while Redis was down")
    ok = (ok and not missing and dups == 0 and not dlq and not unexpected and
          drained is not None and redis_flagged and
          all(o["ready_after_restore_s"] is not None and not o["restarted_by_harness"]
              for o in outages))
    r = row("outages", len(feeder.delivered), len(missing), dups, len(dlq), len(outages),
            elapsed, ok, notes)
    r["outages"] = outages
    return r


# ---- scenario 4: two daemons -----------------------------------------------------------------

def scenario_two(ctx):
    a = ctx.args
    prefix, group = ctx.names("two")
    topics = create_topics(ctx, prefix, a.partitions)
    da = ctx.daemon("two-a", prefix, group)
    db = ctx.daemon("two-b", prefix, group)
    start_ready(da)
    start_ready(db)
    n = a.two_events
    events = Events(random.Random(ctx.rng.random()), prefix, a.projects, False)
    feeder = Feeder(ctx.bootstrap, topics["requirements"], events.message, n, a.two_rate)
    sampler = RssSampler([da, db])
    t0 = now()
    feeder.start()
    sampler.start()
    frac = ctx.rng.uniform(0.3, 0.6)
    while feeder.produced < frac * n and feeder.is_alive():
        time.sleep(0.05)
    pre = before_fault(da)
    mark_b = db.log_mark()
    t_kill = now()
    da.kill()
    say("two-daemons: killed %s at %.1f s (%d produced, in_flight %d)" % (
        da.name, t_kill - t0, feeder.produced, pre["in_flight"]))
    # Takeover: b's log shows it was assigned every partition (eager rebalance) after the kill.
    takeover = None
    while now() - t_kill < 120:
        if db.log_lines_since(mark_b, r"ASSIGNED partitions=%d\b" % a.partitions):
            takeover = now() - t_kill
            break
        time.sleep(0.2)
    feeder.join()
    drained, lag = wait_drained(ctx.bootstrap, group, topics["requirements"], a.drain_timeout,
                                [db])
    elapsed = now() - t0
    notes = ["a killed at %.0f%% with %d in flight" % (frac * 100, pre["in_flight"])]
    if drained is None:
        notes.append("not drained: lag %s" % lag)
    sampler.halt.set()
    ok = finish(db, notes)
    # The killed instance's last transaction stays open until the broker times it out
    # (transaction.timeout.ms 60 s); read_all waits for that.
    tally, missing, dups, unexpected, dlq = verify(ctx, topics, feeder.delivered)
    notes.append("b assigned all %d partitions %ss after the kill" % (
        a.partitions, None if takeover is None else round(takeover, 1)))
    if takeover is None:
        ok = False
    ok = ok and not missing and dups == 0 and not dlq and not unexpected and drained is not None
    r = row("two-daemons", len(feeder.delivered), len(missing), dups, len(dlq), 1, elapsed, ok,
            notes)
    r["drain_s"] = None if drained is None else round(drained, 1)
    return r


# ---- scenario 5: overload --------------------------------------------------------------------

class HealthProbe(threading.Thread):
    def __init__(self, daemon, hz=20):
        super().__init__(daemon=True)
        self.d = daemon
        self.period = 1.0 / hz
        self.latencies = []
        self.failures = 0
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            status, _, secs = http_get(self.d.url("/healthz"), 5.0)
            if status == 200:
                self.latencies.append(secs)
            else:
                self.failures += 1
            self.halt.wait(self.period)


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def scenario_overload(ctx):
    a = ctx.args
    prefix, group = ctx.names("overload")
    topics = create_topics(ctx, prefix, a.partitions)
    events = Events(random.Random(ctx.rng.random()), prefix, a.projects, False)
    # 1. The sustainable rate: a backlog published first, then drained by a fresh daemon.
    pre = Feeder(ctx.bootstrap, topics["requirements"], events.message, a.calibrate_events, 0)
    pre.start()
    pre.join()
    d = ctx.daemon("overload", prefix, group)
    t_cal = now()
    start_ready(d)
    cal_s, _ = wait_drained(ctx.bootstrap, group, topics["requirements"], a.drain_timeout, [d])
    if cal_s is None:
        raise RuntimeError("overload: the calibration backlog did not drain")
    cal_total = now() - t_cal
    sustainable = a.calibrate_events / cal_total
    offered = 2 * sustainable
    n = int(offered * a.overload_seconds)
    say("overload: sustainable %.0f ev/s (%d in %.1f s); offering %.0f ev/s for %d s (%d)" % (
        sustainable, a.calibrate_events, cal_total, offered, a.overload_seconds, n))
    # 2. Twice that for overload_seconds, /healthz probed at 20 Hz, RSS sampled.
    feeder = Feeder(ctx.bootstrap, topics["requirements"], events.message, n, offered,
                    start_seq=a.calibrate_events)
    probe = HealthProbe(d)
    sampler = RssSampler([d])
    t0 = now()
    feeder.start()
    probe.start()
    sampler.start()
    feeder.join()
    t_offer = now() - t0
    lag_end = group_lag(ctx.bootstrap, group, topics["requirements"])
    drained, lag = wait_drained(ctx.bootstrap, group, topics["requirements"], a.drain_timeout,
                                [d])
    probe.halt.set()
    sampler.halt.set()
    elapsed = now() - t0
    notes = []
    if drained is None:
        notes.append("not drained: lag %s" % lag)
    ok = finish(d, notes)
    expected = list(pre.delivered) + list(feeder.delivered)
    tally, missing, dups, unexpected, dlq = verify(ctx, topics, expected)
    lat = probe.latencies
    achieved = len(feeder.delivered) / t_offer if t_offer else 0
    drain_rate = lag_end / drained if drained else None
    notes += ["sustainable %.0f/s, offered %.0f/s (achieved %.0f/s) for %.0f s" % (
        sustainable, offered, achieved, t_offer),
        "lag %d at the end of the offer, drained in %ss (%s/s)" % (
            lag_end, None if drained is None else round(drained, 1),
            None if drain_rate is None else round(drain_rate)),
        "healthz p50 %.1f ms p99 %.1f ms max %.1f ms, %d failed of %d" % (
            1000 * (pct(lat, 50) or 0), 1000 * (pct(lat, 99) or 0), 1000 * max(lat or [0]),
            probe.failures, probe.failures + len(lat)),
        "RSS peak %.1f MiB" % (sampler.peak_kb / 1024.0),
        "report %.1f KiB on average" % (tally.report_bytes / 1024.0 / max(1, sum(
            tally.reports.values()))),
    ]
    ok = (ok and not missing and dups == 0 and not dlq and not unexpected and
          drained is not None and probe.failures == 0)
    r = row("overload", len(expected), len(missing), dups, len(dlq), 0, elapsed, ok, notes)
    r.update({"sustainable_per_s": round(sustainable, 1), "offered_per_s": round(offered, 1),
              "healthz_ms": {"p50": round(1000 * (pct(lat, 50) or 0), 2),
                             "p99": round(1000 * (pct(lat, 99) or 0), 2),
                             "max": round(1000 * max(lat or [0]), 2)},
              "rss_peak_kb": sampler.peak_kb, "lag_end_of_offer": lag_end,
              "drain_s": None if drained is None else round(drained, 1)})
    return r


# ---- main ------------------------------------------------------------------------------------

SCENARIOS = {
    "fault": lambda ctx: scenario_fault(ctx, False),
    "fault-audio": lambda ctx: scenario_fault(ctx, True),
    "hot": scenario_hot,
    "hostile": scenario_hostile,
    "outages": scenario_outages,
    "two-daemons": scenario_two,
    "overload": scenario_overload,
    "cluster": lambda ctx: cluster.scenario_cluster(ctx, sys.modules[__name__]),
}
SMALL = ("fault", "hot", "hostile")


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="tests/chaos/chaos.py",
        description="Exactly once under faults, load and hostile input (see the module text).")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                   help="any of %s (default: all; with --small: %s)" % (
                       ", ".join(SCENARIOS), ", ".join(SMALL)))
    p.add_argument("--small", action="store_true",
                   help="the make-test profile: 2,000 events, one kill of each kind, no long "
                        "outages; the cluster scenario at 2,000 events adds about 3 minutes")
    p.add_argument("--seed", type=int, default=None, help="RNG seed (default: random, printed)")
    p.add_argument("--events", type=int, default=20000, help="fault run: events (20000)")
    p.add_argument("--rate", type=float, default=150.0, help="fault run: events/s (150)")
    p.add_argument("--projects", type=int, default=200, help="distinct project ids (200)")
    p.add_argument("--broker-kills", type=int, default=3)
    p.add_argument("--redis-kills", type=int, default=2)
    p.add_argument("--daemon-kills", type=int, default=3)
    p.add_argument("--hot-events", type=int, default=5000, help="hot: events (5000)")
    p.add_argument("--hot-rate", type=float, default=300.0, help="hot: events/s (300)")
    p.add_argument("--hot-projects", type=int, default=5, help="hot: distinct projects (5)")
    p.add_argument("--hot-kills", type=int, default=3, help="hot: daemon SIGKILLs (3)")
    p.add_argument("--audio-events", type=int, default=300, help="fault-audio: events (300)")
    p.add_argument("--audio-rate", type=float, default=5.0, help="fault-audio: events/s (5)")
    p.add_argument("--hostile", type=int, default=10000, help="hostile messages (10000)")
    p.add_argument("--valid", type=int, default=10000, help="valid messages among them (10000)")
    p.add_argument("--hostile-rate", type=float, default=500.0, help="hostile run: msgs/s")
    p.add_argument("--big-count", type=int, default=10,
                   help="10 MB messages in the hostile run (10); the topics are raised to "
                        "16 MiB for them")
    p.add_argument("--skip-kinds", default="",
                   help="hostile kinds to leave out, comma-separated (e.g. big_json,huge_10mb)")
    p.add_argument("--redis-outage", type=int, default=60, help="seconds Redis is down (60)")
    p.add_argument("--broker-outages", default="20,45,120",
                   help="seconds the broker is down, comma-separated (20,45,120)")
    p.add_argument("--broker-outage-mode", choices=("stop", "kill"), default="stop",
                   help="stop: SIGSTOP/SIGCONT (a hung broker); kill: SIGKILL and restart")
    p.add_argument("--outage-rate", type=float, default=50.0, help="outages: events/s (50)")
    p.add_argument("--two-events", type=int, default=10000)
    p.add_argument("--two-rate", type=float, default=200.0)
    p.add_argument("--calibrate-events", type=int, default=10000,
                   help="overload: backlog used to measure the sustainable rate (10000)")
    p.add_argument("--overload-seconds", type=int, default=180)
    p.add_argument("--cluster-events", type=int, default=20000, help="cluster: events (20000)")
    p.add_argument("--cluster-rate", type=float, default=100.0, help="cluster: events/s (100)")
    p.add_argument("--reshard-slots", type=int, default=1000,
                   help="cluster: slots moved by the reshard (1000)")
    p.add_argument("--late", type=float, default=5.0,
                   help="cluster: an answer later than this many seconds counts as not yet "
                        "recovered (5)")
    p.add_argument("--partitions", type=int, default=6)
    p.add_argument("--workers", type=int, default=1, help="daemon speech workers (1)")
    p.add_argument("--drain-timeout", type=int, default=900)
    p.add_argument("--stall", type=int, default=90,
                   help="give a drain up after this many seconds without progress (90)")
    p.add_argument("--recovery-timeout", type=int, default=180,
                   help="seconds a daemon has to be ready again after a fault (180)")
    p.add_argument("--build", default=os.environ.get("PIPEWRIGHT_BUILD",
                                                     os.path.join(REPO, "build")))
    p.add_argument("--state", default=os.environ.get("CHAOS_STATE", "/tmp/pipewright-chaos"),
                   help="deploy/services state folder for the chaos broker and Redis")
    p.add_argument("--kafka-port", type=int, default=int(os.environ.get("CHAOS_KAFKA_PORT",
                                                                         39092)))
    p.add_argument("--redis-port", type=int, default=int(os.environ.get("CHAOS_REDIS_PORT",
                                                                         39379)))
    p.add_argument("--cluster-kafka-port", type=int,
                   default=int(os.environ.get("CHAOS_CLUSTER_KAFKA_PORT", 0)) or None,
                   help="cluster: first broker's port (default: --kafka-port + 100)")
    p.add_argument("--cluster-redis-port", type=int,
                   default=int(os.environ.get("CHAOS_CLUSTER_REDIS_PORT", 0)) or None,
                   help="cluster: first Redis node's port (default: --redis-port + 100)")
    p.add_argument("--keep-services", action="store_true",
                   help="leave the broker and Redis running afterwards")
    p.add_argument("--out", default=None, help="run folder (default build/chaos/RUN)")
    args = p.parse_args(argv)
    if args.small:
        args.events = min(args.events, 2000)
        args.rate = 30.0
        args.broker_kills = args.redis_kills = args.daemon_kills = 1
        args.audio_events, args.audio_rate = 30, 2.0
        args.hot_events, args.hot_rate, args.hot_kills = 1000, 200.0, 2
        args.hostile, args.valid, args.hostile_rate, args.big_count = 1000, 1000, 400.0, 1
        args.two_events, args.two_rate = 2000, 100.0
        args.redis_outage, args.broker_outages = 10, "10"
        args.calibrate_events, args.overload_seconds = 2000, 30
        args.drain_timeout, args.recovery_timeout = 240, 60
        args.stall = min(args.stall, 45)
        args.cluster_events = min(args.cluster_events, 2000)
        args.cluster_rate, args.reshard_slots = 20.0, 500
        if not args.scenarios:
            args.scenarios = list(SMALL)
    if not args.scenarios:
        args.scenarios = list(SCENARIOS)
    for s in args.scenarios:
        if s not in SCENARIOS:
            p.error("unknown scenario %r" % s)
    STALL_S[0] = args.stall
    args.cluster_kafka_port = args.cluster_kafka_port or args.kafka_port + 100
    args.cluster_redis_port = args.cluster_redis_port or args.redis_port + 100
    args.skip_kinds = [k for k in args.skip_kinds.split(",") if k]
    args.broker_outages = [int(x) for x in str(args.broker_outages).split(",") if x]
    return args


def print_table(rows):
    cols = ("scenario", "events", "missing", "duplicates", "dead_lettered", "faults", "seconds",
            "ok")
    width = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print("  ".join(c.ljust(width[c]) for c in cols))
    for r in rows:
        print("  ".join(str(r[c]).ljust(width[c]) for c in cols))
    for r in rows:
        print("%s: %s" % (r["scenario"], "; ".join(r["notes"])))


def on_sigterm(signum, frame):
    raise KeyboardInterrupt("SIGTERM")


def main(argv):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, on_sigterm)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)
    rng = random.Random(seed)
    run_id = time.strftime("%Y%m%d-%H%M%S")
    run_dir = args.out or os.path.join(REPO, "build", "chaos", run_id)
    os.makedirs(run_dir, exist_ok=True)
    handler = logging.FileHandler(os.path.join(run_dir, "kafka-clients.log"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    KAFKA_LOG.addHandler(handler)
    KAFKA_LOG.setLevel(logging.INFO)
    # The binaries are copied into the run folder first: a rebuild of the tree during a long
    # run must not swap the daemon under test half-way (or catch it half-linked).
    snapshot = os.path.join(run_dir, "bin")
    os.makedirs(snapshot, exist_ok=True)
    for b in ("pipewrightd", "pipewright"):
        src = os.path.join(args.build, b)
        if not os.access(src, os.X_OK):
            say("%s is not built (make all)" % src)
            return 2
        shutil.copy2(src, os.path.join(snapshot, b))
        if subprocess.run([os.path.join(snapshot, b), "--help"], capture_output=True,
                          timeout=30).returncode != 0:
            say("%s --help fails (a build in progress?)" % src)
            return 2
    args.build = snapshot
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    built = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(os.path.getmtime(
        os.path.join(args.build, "pipewrightd"))))
    say("seed %d, scenarios %s, run folder %s, commit %s, pipewrightd built %s UTC" % (
        seed, " ".join(args.scenarios), run_dir, commit, built))
    services = Services(args.state, args.kafka_port, args.redis_port)
    single = [s for s in args.scenarios if s != "cluster"]
    if single:
        t0 = now()
        services.up(record=True)
        say("services ready in %.1f s: %s %s" % (now() - t0, services.bootstrap,
                                                 services.redis_url))
    ctx = Ctx(args, services, run_dir, rng)
    ctx.cluster = None
    rows = []
    try:
        for s in args.scenarios:
            say("== %s" % s)
            if s != "cluster":
                services.flush_redis()
            try:
                r = SCENARIOS[s](ctx)
            except Exception as e:  # one scenario's failure must not hide the others' figures
                say("%s failed: %s\n%s" % (s, e, traceback.format_exc()))
                r = row(s, 0, "-", "-", "-", "-", 0, False, ["error: %s" % e])
            rows.append(r)
            say("%s: %s" % (s, json.dumps({k: v for k, v in r.items() if k != "fault_log"})))
            # A scenario that killed a service may leave it down: bring both back.
            if s != "cluster":
                services.up()
    finally:
        ctx.cleanup()
        if not args.keep_services and services.started:
            services.down(*sorted(services.started))
        if not args.keep_services and ctx.cluster is not None:
            ctx.cluster.run("down")
    with open(os.path.join(run_dir, "results.json"), "w") as f:
        json.dump({"seed": seed, "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                   "commit": commit, "daemon_built": built,
                   "argv": argv, "rows": rows}, f, indent=2, default=str)
    print("seed %d; run folder %s" % (seed, run_dir))
    print_table(rows)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
