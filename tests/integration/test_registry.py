"""tests/integration/test_registry.py - pipewrightd with a real schema registry.

The registry is Apicurio Registry through its Confluent-compatible API (the registry_url
fixture); the daemon is started with --schema-registry-url. Only independent clients look at
the wire: confluent-kafka's SchemaRegistryClient lists subjects, its AvroSerializer writes
requirements with other versions of requirement.avsc (edited here as JSON: an older one without
fields the current schema has with defaults, a newer one with extra fields), and its
AvroDeserializer reads the daemon's Confluent-framed reports and audio. An incompatible writer
schema must end in the DLQ with the reason "incompatible", an id the registry does not hold
with "unknown_schema".

A registry that stops answering while the daemon runs is an outage, not bad input. The registry
is shared with other tests and keeps running; the outage is made by a TCP proxy of this file
between the daemon and the registry, whose listener and connections are closed (so the daemon
is refused) and later reopened on the same port.
"""

import copy
import json
import os
import socket
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

import pwtest
from conftest import free_port, publish, start_daemon, stop_daemon

ONE_EVENT_TIMEOUT_S = 300


def current_text():
    with open(os.path.join(pwtest.REPO, "schemas", "requirement.avsc"), encoding="utf-8") as f:
        return f.read()


def current_schema():
    return json.loads(current_text())


def field(schema, name):
    return next(f for f in schema["fields"] if f["name"] == name)


def source_record(schema):
    return field(schema, "sources")["type"][1]["items"]


def older_schema():
    """An earlier version: no cloud, no audio, and Source without contains_pii (all three have
    defaults in the current schema)."""
    s = copy.deepcopy(current_schema())
    s["fields"] = [f for f in s["fields"] if f["name"] not in ("cloud", "audio")]
    src = source_record(s)
    src["fields"] = [f for f in src["fields"] if f["name"] != "contains_pii"]
    return s


def newer_schema():
    """A later version: a top-level enum and a map behind a union, a field inside Source, and a
    SourceKind symbol this build does not know (its enum default, unknown, takes it)."""
    s = copy.deepcopy(current_schema())
    s["fields"].append({"name": "priority", "type": {"type": "enum", "name": "Priority",
                                                     "symbols": ["low", "high"]},
                        "default": "low"})
    s["fields"].append({"name": "labels", "type": ["null", {"type": "map", "values": "string"}],
                        "default": None})
    src = source_record(s)
    src["fields"].append({"name": "owner", "type": "string", "default": ""})
    kind = next(f for f in src["fields"] if f["name"] == "kind")
    kind["type"][1]["symbols"].append("stream")
    return s


def incompatible_schema():
    """freshness_seconds as a string: this build reads a double there."""
    s = copy.deepcopy(current_schema())
    field(s, "freshness_seconds")["type"] = ["null", "string"]
    return s


def serializer(client, schema, subject=None, schema_id=None):
    """An AvroSerializer for 'schema' (a dict, or the text as it is) that registers it, or
    frames 'schema_id' when given."""
    conf = {"auto.register.schemas": True}
    if schema_id is not None:
        conf = {"auto.register.schemas": False, "use.schema.id": schema_id}
    if subject is not None:
        conf["subject.name.strategy"] = lambda ctx, record_name: subject
    text = schema if isinstance(schema, str) else json.dumps(schema)
    return AvroSerializer(client, text, conf=conf)


def framed_id(value):
    assert value[:1] == b"\x00", "not Confluent-framed: first bytes %r" % value[:8]
    return struct.unpack(">I", value[1:5])[0]


@pytest.fixture
def registry_daemon(bootstrap, redis_url, topics, tmp_path, registry_url, monkeypatch):
    """pipewrightd on the test's topics with the registry configured."""
    extra = os.environ.get("PWIT_DAEMON_ARGS", "")
    monkeypatch.setenv("PWIT_DAEMON_ARGS", "%s --schema-registry-url %s" % (extra, registry_url))
    d = start_daemon(bootstrap, redis_url, topics, pwtest.unique("pwit-group"),
                     str(tmp_path / "pipewrightd.log"))
    yield d
    stop_daemon(d)


@pytest.fixture
def client(registry_url):
    return SchemaRegistryClient({"url": registry_url})


def report_of(outputs, topic, deserializer, event_id):
    for msg in outputs.messages[topic]:
        rec = deserializer(msg.value(), SerializationContext(topic, MessageField.VALUE))
        if rec["event_id"] == event_id:
            return msg, rec
    return None, None


def test_daemon_registers_and_writes_confluent_framing(registry_daemon, topics, client,
                                                       producer, outputs):
    subjects = client.get_subjects()
    ids = {}
    for kind, name in (("requirements", "requirement"), ("reports", "report"),
                       ("audio", "audio")):
        subject = "%s-value" % topics[kind]
        assert subject in subjects, "%s not registered: %s" % (subject, subjects)
        registered = client.get_latest_version(subject)
        ids[kind] = registered.schema_id
        with open(os.path.join(pwtest.REPO, "schemas", name + ".avsc"), encoding="utf-8") as f:
            mine = json.load(f)
        assert json.loads(registered.schema.schema_str)["name"] == mine["name"]

    # A requirement framed with the id the daemon registered (the registry may give a new id
    # to the same schema in other formatting, so the id is named rather than registered).
    ser = serializer(client, current_text(), schema_id=ids["requirements"])
    run = pwtest.unique("reg")
    rec = pwtest.empty_requirement(run + "-e1", run + "-p1")
    rec.update({"title": "Registry framing", "cloud": "aws", "freshness_seconds": 30.0,
                "description": "Clickstream of 5 GB a day into a warehouse for BI."})
    value = ser(rec, SerializationContext(topics["requirements"], MessageField.VALUE))
    assert framed_id(value) == ids["requirements"]
    publish(producer, topics["requirements"], rec["project_id"].encode(), value)

    deser = AvroDeserializer(client)
    ok = outputs.wait_for(lambda: report_of(outputs, topics["reports"], deser,
                                            rec["event_id"])[0] is not None, ONE_EVENT_TIMEOUT_S)
    assert ok, "no report for %s; daemon log:\n%s" % (rec["event_id"],
                                                      registry_daemon.log_tail())
    msg, rep = report_of(outputs, topics["reports"], deser, rec["event_id"])
    assert framed_id(msg.value()) == ids["reports"]
    assert rep["project_id"] == rec["project_id"]
    profile = json.loads(rep["report_json"])["profile"]
    assert profile["cloud"]["value"] == "aws" and profile["cloud"]["source"] == "given"

    # Audio chunks too, Confluent-framed with the audio schema's id.
    assert rep["audio_status"] in ("pending", "ready"), rep["audio_status"]

    def audio_done():
        chunks = [deser(m.value(), SerializationContext(topics["audio"], MessageField.VALUE))
                  for m in outputs.messages[topics["audio"]]]
        mine = [c for c in chunks if c["event_id"] == rec["event_id"]]
        return mine and len(mine) >= mine[0]["chunk_count"]

    assert outputs.wait_for(audio_done, ONE_EVENT_TIMEOUT_S), "audio incomplete"
    for m in outputs.messages[topics["audio"]]:
        assert framed_id(m.value()) == ids["audio"]
    chunks = [deser(m.value(), SerializationContext(topics["audio"], MessageField.VALUE))
              for m in outputs.messages[topics["audio"]]]
    data, first = pwtest.reassemble_audio(
        [c for c in chunks if c["event_id"] == rec["event_id"]])
    assert first["codec"] == "opus"
    assert pwtest.opus_check(data) > 1.0


def test_older_and_newer_writers_are_resolved(registry_daemon, topics, client, producer,
                                              outputs, tmp_path, bootstrap, registry_url):
    run = pwtest.unique("evo")
    ctx = SerializationContext(topics["requirements"], MessageField.VALUE)
    daemon_id = client.get_latest_version("%s-value" % topics["requirements"]).schema_id

    old = pwtest.empty_requirement(run + "-old", run + "-p-old")
    del old["cloud"], old["audio"]
    old.update({"title": "Written with an older schema", "freshness_seconds": 3600.0,
                "sources": [{"name": "orders", "kind": "database", "volume_gb_per_day": 20.0,
                             "peak_events_per_sec": None, "avg_record_bytes": None}]})
    old_value = serializer(client, older_schema())(old, ctx)

    new = pwtest.empty_requirement(run + "-new", run + "-p-new")
    new.update({"title": "Written with a newer schema", "cloud": "gcp", "priority": "high",
                "labels": {"team": "data"}, "freshness_seconds": 60.0,
                "audio": {"enabled": False, "voice": None, "rate_wpm": None, "codec": None},
                "sources": [{"name": "sensors", "kind": "stream", "volume_gb_per_day": 50.0,
                             "peak_events_per_sec": None, "avg_record_bytes": None,
                             "contains_pii": False, "owner": "iot team"}]})
    new_value = serializer(client, newer_schema())(new, ctx)
    # Three distinct ids: the datums really are written with other versions.
    assert len({framed_id(old_value), framed_id(new_value), daemon_id}) == 3
    publish(producer, topics["requirements"], old["project_id"].encode(), old_value)
    publish(producer, topics["requirements"], new["project_id"].encode(), new_value)

    deser = AvroDeserializer(client)

    def both():
        return all(report_of(outputs, topics["reports"], deser, r["event_id"])[0] is not None
                   for r in (old, new))
    assert outputs.wait_for(both, ONE_EVENT_TIMEOUT_S), (
        "reports missing; DLQ: %s; daemon log:\n%s" % (
            [pwtest.headers_dict(m) for m in outputs.messages[topics["dlq"]]],
            registry_daemon.log_tail()))

    _, rep = report_of(outputs, topics["reports"], deser, old["event_id"])
    profile = json.loads(rep["report_json"])["profile"]
    assert profile["title"] == old["title"]
    assert profile["freshness_seconds"]["value"] == 3600.0
    # The older writer has no cloud: the reader's default (null, unknown) was filled in.
    assert profile["cloud"]["source"] != "given", profile["cloud"]
    assert profile["sources"][0]["name"] == "orders"
    assert profile["sources"][0]["kind"] == {"value": "database", "source": "given"}
    assert profile["sources"][0]["contains_pii"]["source"] != "given"
    assert rep["audio_status"] != "disabled"  # audio (absent) took its default: enabled

    _, rep = report_of(outputs, topics["reports"], deser, new["event_id"])
    profile = json.loads(rep["report_json"])["profile"]
    assert profile["cloud"]["value"] == "gcp" and profile["cloud"]["source"] == "given"
    assert profile["freshness_seconds"]["value"] == 60.0
    assert profile["title"] == new["title"]
    assert profile["sources"][0]["name"] == "sensors"
    assert profile["sources"][0]["volume_gb_per_day"]["value"] == 50.0
    # A kind this build does not know reads as the enum default, unknown, never as given.
    assert profile["sources"][0]["kind"]["source"] != "given"
    assert rep["audio_status"] == "disabled"

    # `pipewright watch --registry` reads the Confluent-framed report of the newer event.
    out = tmp_path / "watch"
    r = subprocess.run([os.path.join(pwtest.BUILD, "pipewright"), "watch", "--brokers",
                        bootstrap, "--event", new["event_id"], "--out", str(out),
                        "--topic-prefix", topics["prefix"], "--from-beginning", "--timeout",
                        "60", "--registry", registry_url],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, "watch rc %d: %s" % (r.returncode, r.stderr)
    with open(out / "report.json", encoding="utf-8") as f:
        assert json.load(f)["event_id"] == new["event_id"]


def test_incompatible_writer_and_unknown_id_go_to_the_dlq(registry_daemon, topics, client,
                                                          producer, outputs):
    run = pwtest.unique("bad")
    ctx = SerializationContext(topics["requirements"], MessageField.VALUE)
    rec = pwtest.empty_requirement(run + "-e", run + "-p")
    rec["freshness_seconds"] = "one minute"
    # Another subject: the topic's subject may refuse this schema by its compatibility rule.
    value = serializer(client, incompatible_schema(), subject=run + "-value")(rec, ctx)
    publish(producer, topics["requirements"], b"incompatible", value)
    unknown = b"\x00" + struct.pack(">I", 2 ** 31 - 7) + b"\x02e\x02p"
    publish(producer, topics["requirements"], b"unknown", unknown)

    def dlq():
        return {m.key(): pwtest.headers_dict(m) for m in outputs.messages[topics["dlq"]]}
    assert outputs.wait_for(lambda: {b"incompatible", b"unknown"} <= set(dlq()),
                            ONE_EVENT_TIMEOUT_S), "DLQ holds %s" % dlq()
    h = dlq()
    assert h[b"incompatible"]["pw.error.reason"] == "incompatible", h[b"incompatible"]
    assert "freshness_seconds" in h[b"incompatible"]["pw.error.detail"]
    assert h[b"unknown"]["pw.error.reason"] == "unknown_schema", h[b"unknown"]
    assert outputs.messages[topics["reports"]] == []


def run_daemon_to_exit(bootstrap, redis_url, topics, extra):
    """Runs pipewrightd expecting it to give up at start; returns (exit status, its output)."""
    argv = [os.path.join(pwtest.BUILD, "pipewrightd"), "--brokers", bootstrap, "--redis",
            redis_url, "--http", "", "--group", pwtest.unique("pwit-group"), "--topic-prefix",
            topics["prefix"]] + extra
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=60)
    return r.returncode, r.stdout + r.stderr


def test_start_fails_fast_when_the_registry_refuses_or_is_away(topics, client, registry_url,
                                                               bootstrap, redis_url):
    # The subject already holds a version without project_id and checks BACKWARD: our schema,
    # whose project_id has no default, cannot read that version's data, so it is refused.
    subject = "%s-value" % topics["requirements"]
    older = current_schema()
    older["fields"] = [f for f in older["fields"] if f["name"] != "project_id"]
    client.register_schema(subject, Schema(json.dumps(older), "AVRO"))
    client.set_compatibility(subject, "BACKWARD")
    rc, out = run_daemon_to_exit(bootstrap, redis_url, topics,
                                 ["--schema-registry-url", registry_url])
    assert rc == 1, out
    assert "START_FAILED" in out and "HTTP 409" in out and subject in out, out

    # Nobody listening: refused at once, the URL named, the password never.
    secret = "pw-" + pwtest.unique("never-logged")
    rc, out = run_daemon_to_exit(bootstrap, redis_url, topics, [
        "--schema-registry-url", "http://127.0.0.1:%d/apis/ccompat/v7" % free_port(),
        "--schema-registry-user", "key", "--schema-registry-password", secret,
        "--schema-registry-timeout-ms", "1000"])
    assert rc == 1 and "START_FAILED" in out and "127.0.0.1" in out, out
    assert secret not in out


def test_cli_publish_frames_the_registered_id(registry_daemon, topics, client, outputs,
                                              bootstrap, registry_url):
    r = subprocess.run([os.path.join(pwtest.BUILD, "pipewright"), "publish", "--brokers",
                        bootstrap, "--topic-prefix", topics["prefix"], "--registry",
                        registry_url, "--project", pwtest.unique("cli"), "--text",
                        "Nightly batch of 2 GB of CSV files into a warehouse for BI on AWS."],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    event_id = r.stdout.strip()
    subject_id = client.get_latest_version("%s-value" % topics["requirements"]).schema_id
    inputs = pwtest.Outputs(bootstrap, [topics["requirements"]])
    try:
        assert inputs.wait_for(lambda: inputs.messages[topics["requirements"]], 60)
        assert framed_id(inputs.messages[topics["requirements"]][0].value()) == subject_id
    finally:
        inputs.close()
    deser = AvroDeserializer(client)
    assert outputs.wait_for(lambda: report_of(outputs, topics["reports"], deser,
                                              event_id)[0] is not None, ONE_EVENT_TIMEOUT_S)


class RegistryProxy:
    """A TCP relay on 127.0.0.1 (an ephemeral port, kept across outages) to the registry.

    down() closes the listener and every relayed connection, so a client is refused at once,
    as by a registry that stopped; up() listens again on the same port. 'accepted' counts the
    connections relayed since the start."""

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.target = (parts.hostname, parts.port or 80)
        self.path = parts.path
        self.port = None
        self.accepted = 0
        self.lock = threading.Lock()
        self.conns = []
        self.listener = None
        self.stop = None
        self.thread = None

    def url(self):
        return "http://127.0.0.1:%d%s" % (self.port, self.path)

    def up(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", self.port or 0))
        except OSError as e:
            s.close()
            pytest.fail("proxy cannot listen again on port %d: %s" % (self.port, e),
                        pytrace=False)
        s.listen(16)
        s.settimeout(0.2)
        self.port = s.getsockname()[1]
        self.listener = s
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, args=(s, self.stop), daemon=True)
        self.thread.start()

    def down(self):
        if self.listener is None:
            return
        self.stop.set()
        self.thread.join(5)
        self.listener.close()
        self.listener = None
        with self.lock:
            conns, self.conns = self.conns, []
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def serve(self, listener, stop):
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            with self.lock:
                if stop.is_set():
                    client.close()
                    upstream.close()
                    return
                self.accepted += 1
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    @staticmethod
    def pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def readiness(daemon):
    """(status, decoded body) of /readyz; (None, None) when the daemon does not answer."""
    try:
        with urllib.request.urlopen(daemon.url("/readyz"), timeout=3) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
    except (urllib.error.URLError, OSError):
        return None, None


def log_count(daemon, word):
    with open(daemon.log_path, encoding="utf-8", errors="replace") as f:
        return sum(1 for line in f if word in line)


@pytest.fixture
def registry_proxy(registry_url):
    proxy = RegistryProxy(registry_url)
    proxy.up()
    yield proxy
    proxy.down()


OUTAGE_S = 8
READY_503_WITHIN_S = 10
ANSWER_AFTER_OUTAGE_S = 90


def test_registry_outage_pauses_and_rewinds_instead_of_dead_lettering(
        registry_proxy, bootstrap, redis_url, topics, client, producer, outputs, tmp_path,
        monkeypatch):
    extra = os.environ.get("PWIT_DAEMON_ARGS", "")
    monkeypatch.setenv("PWIT_DAEMON_ARGS",
                       "%s --schema-registry-url %s" % (extra, registry_proxy.url()))
    d = start_daemon(bootstrap, redis_url, topics, pwtest.unique("pwit-group"),
                     str(tmp_path / "pipewrightd.log"))
    try:
        outage_case(d, registry_proxy, topics, client, producer, outputs)
    finally:
        stop_daemon(d)


def outage_case(d, proxy, topics, client, producer, outputs):
    assert proxy.accepted > 0, "the daemon registered its schemas without passing the proxy"

    # A version of the requirement schema the daemon has not seen, put straight into the real
    # registry: one more optional field, which the subject's BACKWARD rule admits.
    subject = "%s-value" % topics["requirements"]
    daemon_id = client.get_latest_version(subject).schema_id
    client.set_compatibility(subject, "BACKWARD")
    newer = current_schema()
    newer["fields"].append({"name": "ticket", "type": ["null", "string"], "default": None})
    new_id = client.register_schema(subject, Schema(json.dumps(newer), "AVRO"))
    assert new_id != daemon_id, "the registry gave the newer version the daemon's id"

    run = pwtest.unique("outage")
    rec = pwtest.empty_requirement(run + "-e", run + "-p")
    rec.update({"title": "Asked while the registry was away", "ticket": "OPS-12",
                "cloud": "azure", "freshness_seconds": 900.0,
                "description": "Hourly batch of 40 GB of logs into a lake for analysts."})
    ctx = SerializationContext(topics["requirements"], MessageField.VALUE)
    value = serializer(client, newer, schema_id=new_id)(rec, ctx)
    assert framed_id(value) == new_id

    proxy.down()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", proxy.port), timeout=2).close()
    accepted_before = proxy.accepted
    t0 = time.monotonic()
    publish(producer, topics["requirements"], rec["project_id"].encode(), value)

    # Not ready, for the registry's sake alone: Redis and the broker stay reachable.
    status, body = readiness(d)
    while status != 503 and time.monotonic() - t0 < READY_503_WITHIN_S:
        time.sleep(0.2)
        status, body = readiness(d)
    assert status == 503, "/readyz answered %s (%s) %.1f s into the outage; log:\n%s" % (
        status, body, time.monotonic() - t0, d.log_tail())
    assert body["redis"] and body["kafka_group_joined"] and body["kafka_reachable"], body
    t_503 = time.monotonic() - t0

    # The outage lasts past one pause of intake, so the message is read again while the
    # registry still refuses: it must neither be answered nor dead-lettered meanwhile.
    outputs.poll(max(2.0, OUTAGE_S - (time.monotonic() - t0)))
    assert d.alive(), "pipewrightd died in the outage; log:\n%s" % d.log_tail()
    assert outputs.messages[topics["dlq"]] == [], "dead-lettered in the outage: %s" % (
        [pwtest.headers_dict(m) for m in outputs.messages[topics["dlq"]]])
    assert outputs.messages[topics["reports"]] == [], "answered without the writer schema"
    unavailable = log_count(d, "REGISTRY_UNAVAILABLE")
    assert unavailable >= 1, "no REGISTRY_UNAVAILABLE in the log:\n%s" % d.log_tail()
    assert proxy.accepted == accepted_before

    proxy.up()
    t_up = time.monotonic() - t0
    deser = AvroDeserializer(client)

    def answered():
        return report_of(outputs, topics["reports"], deser, rec["event_id"])[0] is not None
    ok = outputs.wait_for(answered, ANSWER_AFTER_OUTAGE_S)
    t_report = time.monotonic() - t0
    assert ok, "no report %d s after the registry came back; DLQ %s; log:\n%s" % (
        ANSWER_AFTER_OUTAGE_S, [pwtest.headers_dict(m) for m in outputs.messages[topics["dlq"]]],
        d.log_tail())
    # Time for a second answer, were the request answered twice.
    outputs.poll(3.0)
    answers = [rep for rep in (deser(m.value(), SerializationContext(topics["reports"],
                                                                    MessageField.VALUE))
                               for m in outputs.messages[topics["reports"]])
               if rep["event_id"] == rec["event_id"]]
    assert len(answers) == 1, "%d reports for %s" % (len(answers), rec["event_id"])
    assert len(outputs.messages[topics["reports"]]) == 1
    assert outputs.messages[topics["dlq"]] == [], [
        pwtest.headers_dict(m) for m in outputs.messages[topics["dlq"]]]
    profile = json.loads(answers[0]["report_json"])["profile"]
    assert profile["title"] == rec["title"]
    assert profile["cloud"]["value"] == "azure" and profile["cloud"]["source"] == "given"
    assert profile["freshness_seconds"]["value"] == 900.0
    # The writer schema came through the proxy once it was back.
    assert proxy.accepted > accepted_before

    assert d.alive(), "pipewrightd died after the outage; log:\n%s" % d.log_tail()
    deadline = time.monotonic() + 30
    while readiness(d)[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert readiness(d)[0] == 200, "not ready again after the outage: %s" % (readiness(d),)
    with open(d.log_path, encoding="utf-8", errors="replace") as f:
        lines = [line for line in f if "REGISTRY_UNAVAILABLE" in line]
    assert "127.0.0.1:%d" % proxy.port in lines[0], lines[0]
    print("\nregistry outage: 503 at %.1f s, %d REGISTRY_UNAVAILABLE in %d s down, back at "
          "%.1f s, report at %.1f s" % (t_503, len(lines), OUTAGE_S, t_up, t_report))
