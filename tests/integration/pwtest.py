"""tests/integration/pwtest.py - independent clients for pipewright's wire contract.

Everything here is written from the contract alone (schemas/*.avsc and the service contract),
never from pipewright's C code: requirement messages are built with fastavro and json, outputs
are read with confluent-kafka (read_committed) and decoded with fastavro after checking the
single-object header, and audio is checked with opus-tools. The fixtures in conftest.py and the
tests use these helpers; nothing here starts processes or asserts.
"""

import hashlib
import io
import json
import os
import re
import shlex
import struct
import subprocess
import tempfile
import time
import uuid

import fastavro
from confluent_kafka import Consumer, KafkaError, TopicPartition
from fastavro.schema import fingerprint, to_parsing_canonical_form

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The binaries under test; PIPEWRIGHT_BUILD points elsewhere (e.g. build/asan).
BUILD = os.path.abspath(os.environ.get("PIPEWRIGHT_BUILD", os.path.join(REPO, "build")))
SCENARIOS = os.environ.get("PIPEWRIGHT_SCENARIOS", os.path.join(REPO, "tests", "scenarios"))
# A program the daemon is started under (e.g. "valgrind --error-exitcode=99 ..."), split like a
# shell would; empty for none.
DAEMON_WRAPPER = shlex.split(os.environ.get("PIPEWRIGHT_DAEMON_WRAPPER", ""))


def _slowdown():
    """How many times slower than the plain build the daemon under test runs: PWIT_SLOWDOWN when
    set, else 20 under valgrind, 3 for the ASan+UBSan build (a folder named asan), else 1."""
    if os.environ.get("PWIT_SLOWDOWN"):
        return max(1.0, float(os.environ["PWIT_SLOWDOWN"]))
    if DAEMON_WRAPPER and os.path.basename(DAEMON_WRAPPER[0]) == "valgrind":
        return 20.0
    if os.path.basename(BUILD) == "asan":
        return 3.0
    return 1.0


# Waits on the daemon's own pace (start, stop) are multiplied by this; limits the daemon itself
# promises (an idle timeout, a latency bound) are not, since a slower build must still keep them.
SLOWDOWN = _slowdown()

SECTIONS = (
    "executive_summary",
    "architecture_overview",
    "implementation_details",
    "performance_considerations",
    "cost_analysis",
    "risk_assessment",
    "next_steps",
)
DLQ_REASONS = {
    "empty", "too_large", "bad_magic", "unknown_schema", "truncated", "malformed", "limit",
    "encoding", "invalid",
}
SINGLE_OBJECT_MAGIC = b"\xc3\x01"


class Schema:
    """One .avsc from the repository, parsed, with its CRC-64-AVRO fingerprint."""

    def __init__(self, name):
        with open(os.path.join(REPO, "schemas", name + ".avsc"), encoding="utf-8") as f:
            raw = json.load(f)
        self.name = name
        self.parsed = fastavro.parse_schema(raw)
        canonical = to_parsing_canonical_form(raw)
        # fastavro gives the fingerprint as hex of its little-endian bytes, the order the
        # single-object encoding puts on the wire.
        self.fingerprint = bytes.fromhex(fingerprint(canonical, "CRC-64-AVRO"))
        self.header = SINGLE_OBJECT_MAGIC + self.fingerprint

    def datum(self, record):
        out = io.BytesIO()
        fastavro.schemaless_writer(out, self.parsed, record)
        return out.getvalue()

    def single_object(self, record):
        return self.header + self.datum(record)

    def confluent(self, record, schema_id):
        return b"\x00" + struct.pack(">I", schema_id) + self.datum(record)

    def decode_single_object(self, value):
        """Returns the record; raises ValueError when the header is not this schema's."""
        if len(value) < 10 or value[:2] != SINGLE_OBJECT_MAGIC:
            raise ValueError("%s: no single-object magic C3 01" % self.name)
        if value[2:10] != self.fingerprint:
            raise ValueError("%s: fingerprint %s, want %s" % (
                self.name, value[2:10].hex(), self.fingerprint.hex()))
        buf = io.BytesIO(value[10:])
        record = fastavro.schemaless_reader(buf, self.parsed)
        if buf.read(1):
            raise ValueError("%s: trailing bytes after the datum" % self.name)
        return record


_REQ_FIELDS = (
    "sources", "freshness_seconds", "retention_days", "consumers", "cloud",
    "budget_usd_per_month", "compliance", "existing_stack", "team_size", "team_skills",
    "availability_target",
)


def load_scenarios():
    """The project's advisor scenarios (title, text, structured: tests/scenarios/q*.json, or
    p*.json in a PIPEWRIGHT_SCENARIOS folder), sorted by id."""
    names = sorted(n for n in os.listdir(SCENARIOS) if re.match(r"[pq]\d+\.json$", n))
    if not names:
        raise FileNotFoundError("no scenarios in %s (set PIPEWRIGHT_SCENARIOS)" % SCENARIOS)
    out = []
    for n in names:
        with open(os.path.join(SCENARIOS, n), encoding="utf-8") as f:
            out.append(json.load(f))
    return out


def empty_requirement(event_id, project_id):
    rec = {"event_id": event_id, "project_id": project_id, "submitted_at": None, "title": None,
           "description": None, "audio": None}
    for k in _REQ_FIELDS:
        rec[k] = None
    return rec


def requirement_from_scenario(scenario, event_id, project_id, revision, text_form):
    """A realistic requirement: the scenario's structured block scaled for 'revision', or its
    free text alone when 'text_form' (how a person would publish it). Volumes and budget grow by
    a quarter per revision, over ten steps, with a jitter of under 10 % that differs for every
    revision number, so distinct revisions never carry identical figures."""
    rec = empty_requirement(event_id, project_id)
    rec["submitted_at"] = int(time.time() * 1000)
    rec["title"] = "%s (revision %d)" % (scenario["title"], revision + 1)
    if text_form:
        rec["description"] = "%s (Revision %d of this request.)" % (scenario["text"], revision + 1)
        return rec
    st = scenario["structured"]
    growth = (1.0 + 0.25 * (revision % 10)) * (1.0 + (revision % 997) / 10000.0)
    rec["description"] = ""
    for k in _REQ_FIELDS:
        rec[k] = st.get(k)
    rec["sources"] = []
    for s in st.get("sources") or []:
        src = dict(s)
        for k in ("volume_gb_per_day", "peak_events_per_sec"):
            if src.get(k) is not None:
                src[k] = float(src[k]) * growth
        for k in ("avg_record_bytes",):
            if src.get(k) is not None:
                src[k] = float(src[k])
        rec["sources"].append(src)
    for k in ("freshness_seconds", "retention_days", "budget_usd_per_month", "team_size",
              "availability_target"):
        if rec[k] is not None:
            rec[k] = float(rec[k])
    if rec["budget_usd_per_month"] is not None:
        rec["budget_usd_per_month"] *= growth
    return rec


def requirement_json(rec):
    """The JSON wire form: the record's known fields as a plain JSON object."""
    return json.dumps({k: v for k, v in rec.items() if v is not None}).encode("utf-8")


def encode_requirement(schema, rec, fmt, schema_id=7):
    if fmt == "avro":
        return schema.single_object(rec)
    if fmt == "confluent":
        return schema.confluent(rec, schema_id)
    if fmt == "json":
        return requirement_json(rec)
    raise ValueError(fmt)


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def headers_dict(msg):
    out = {}
    for k, v in msg.headers() or []:
        out[k] = v.decode("utf-8", "replace") if isinstance(v, bytes) else v
    return out


class Outputs:
    """Reads the output topics from the beginning with isolation.level=read_committed.

    Partitions are assigned, not subscribed, so there is no group join to wait for; the
    collected messages are kept per topic in arrival order."""

    def __init__(self, bootstrap, topics):
        self.topics = list(topics)
        self.messages = {t: [] for t in self.topics}
        self.consumer = Consumer({
            "bootstrap.servers": bootstrap,
            "group.id": unique("pwit-reader"),
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "auto.offset.reset": "earliest",
            "fetch.message.max.bytes": 4 * 1024 * 1024,
        })
        md = self.consumer.list_topics(timeout=30)
        parts = []
        for t in self.topics:
            tmd = md.topics.get(t)
            if tmd is None or tmd.error is not None:
                raise RuntimeError("topic %s not found" % t)
            parts += [TopicPartition(t, p, 0) for p in tmd.partitions]
        self.consumer.assign(parts)

    def poll(self, seconds):
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            msg = self.consumer.poll(min(left, 0.5))
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() != KafkaError._PARTITION_EOF:
                    raise RuntimeError("consumer: %s" % msg.error())
                continue
            self.messages[msg.topic()].append(msg)

    def wait_for(self, predicate, timeout, step=1.0):
        """Polls until predicate() is true or 'timeout' seconds pass; returns predicate()."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                return False
            self.poll(step)
        return True

    def close(self):
        self.consumer.close()


def reassemble_audio(chunks):
    """Joins the decoded audio events of one artifact. Returns (bytes, first event) or raises
    ValueError describing what does not add up."""
    chunks = sorted(chunks, key=lambda c: c["chunk_index"])
    first = chunks[0]
    count = first["chunk_count"]
    if count < 1:
        raise ValueError("chunk_count %d" % count)
    if [c["chunk_index"] for c in chunks] != list(range(count)):
        raise ValueError("chunk indexes %s of %d" % ([c["chunk_index"] for c in chunks], count))
    for c in chunks:
        for k in ("chunk_count", "total_bytes", "sha256", "report_id", "text", "codec"):
            if c[k] != first[k]:
                raise ValueError("chunk %d disagrees on %s" % (c["chunk_index"], k))
    data = b"".join(c["data"] for c in chunks)
    if len(data) != first["total_bytes"]:
        raise ValueError("%d bytes, total_bytes says %d" % (len(data), first["total_bytes"]))
    digest = hashlib.sha256(data).hexdigest()
    if digest != first["sha256"]:
        raise ValueError("sha256 %s, event says %s" % (digest, first["sha256"]))
    return data, first


_PLAYBACK = re.compile(r"Playback length:\s*(\d+)m:([\d.]+)s")


def opus_check(data):
    """Checks 'data' is a valid Ogg Opus stream with opusinfo and opusdec; returns its length in
    seconds. Raises ValueError with the tools' words otherwise."""
    if data[:4] != b"OggS" or b"OpusHead" not in data[:100]:
        raise ValueError("not an Ogg Opus stream (first bytes %r)" % data[:16])
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "a.opus")
        with open(path, "wb") as f:
            f.write(data)
        info = subprocess.run(["opusinfo", path], capture_output=True, text=True, timeout=60)
        text = info.stdout + info.stderr
        if info.returncode != 0 or "WARNING" in text:
            raise ValueError("opusinfo rc=%d: %s" % (info.returncode, text.strip()[-400:]))
        m = _PLAYBACK.search(text)
        if not m:
            raise ValueError("opusinfo gave no playback length: %s" % text.strip()[-400:])
        wav = os.path.join(d, "a.wav")
        dec = subprocess.run(["opusdec", "--quiet", path, wav], capture_output=True, text=True,
                             timeout=120)
        if dec.returncode != 0 or os.path.getsize(wav) <= 44:
            raise ValueError("opusdec rc=%d: %s" % (dec.returncode, dec.stderr.strip()[-400:]))
        return int(m.group(1)) * 60 + float(m.group(2))


def spoken_duration_bounds(text, rate_wpm=None):
    """The playback length a text should take: at 150-180 words per minute (or the requested
    rate), with 20 % either way."""
    words = len(text.split())
    if rate_wpm:
        return words / rate_wpm * 60 * 0.8, words / rate_wpm * 60 * 1.2
    return words / 180.0 * 60 * 0.8, words / 150.0 * 60 * 1.2


# ---- sanitizer and valgrind reports ------------------------------------------------------------

# The first line of a report of AddressSanitizer, LeakSanitizer or UndefinedBehaviorSanitizer
# (whose reports are "FILE:LINE:COL: runtime error: ..." and ignore log_path in GCC's runtime).
_SANITIZER_LINE = re.compile(
    r"^.*(==\d+==ERROR: (AddressSanitizer|LeakSanitizer)|: runtime error: |"
    r"==\d+==ERROR: UndefinedBehaviorSanitizer).*$", re.MULTILINE)


def sanitizer_reports(text, context_lines=30):
    """The sanitizer reports in a process's output: for each report line, it and the lines after
    it (its stack). Empty when there is none."""
    out = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _SANITIZER_LINE.match(line):
            out.append("\n".join(lines[i:i + context_lines]))
    return out


_VG_PREFIX = re.compile(r"^==(\d+)== ?(.*)$")
_VG_SUMMARY = re.compile(r"ERROR SUMMARY: (\d+) errors")
# Leak records that --errors-for-leak-kinds=definite does not count as errors.
_VG_NOT_ERROR = re.compile(r"are (indirectly|possibly) lost|are still reachable")


def valgrind_errors(text):
    """The errors in a memcheck log: each record with a stack (an invalid access, a use of an
    uninitialised value, a definite leak, ...) as one string. A log cut short (a process killed)
    has no ERROR SUMMARY, so records are found by their shape; a summary counting errors that no
    record shows (e.g. with -q) adds the summary line itself."""
    records, block = [], []
    summary = None
    for line in text.splitlines() + ["==0== "]:
        m = _VG_PREFIX.match(line)
        if not m:
            continue
        body = m.group(2)
        sm = _VG_SUMMARY.search(body)
        if sm:
            summary = (int(sm.group(1)), body)
        if body.strip():
            block.append(line)
            continue
        if len(block) >= 2 and re.match(r"^\s+at 0x", _VG_PREFIX.match(block[1]).group(2)) \
                and not _VG_NOT_ERROR.search(block[0]):
            records.append("\n".join(block))
        block = []
    if summary and summary[0] > 0 and not records:
        records.append(summary[1])
    return records
