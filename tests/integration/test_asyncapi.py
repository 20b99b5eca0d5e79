"""tests/integration/test_asyncapi.py - schemas/asyncapi.yaml against what pipewrightd does.

The document is read with PyYAML and held against the daemon: its defaults against
`pipewrightd --help`, and its channels against the messages a running daemon writes for one
requirement (the document's own example, with a traceparent) and one malformed message, read
with isolation.level=read_committed. Every topic written must be a declared channel's address,
keys must be what the channel declares, every header name must be declared for the channel's
message, the declared required headers must be there, and header values must fit the declared
enums and patterns; the report and audio values must decode with the .avsc the document names.
So the document cannot drift from the code unnoticed. (tests/asyncapi/validate checks that the
document is valid AsyncAPI.)
"""

import json
import os
import re
import subprocess
import time

import pytest
import yaml

import pwtest
from conftest import TOPIC_SUFFIXES, publish

DOC_PATH = os.path.join(pwtest.REPO, "schemas", "asyncapi.yaml")
ANSWER_TIMEOUT_S = 300
TRACEPARENT = "00-%s-%s-01" % ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")


@pytest.fixture(scope="module")
def doc():
    with open(DOC_PATH, encoding="utf-8") as f:
        return yaml.safe_load(f)


def resolve(doc, node):
    """Follows local $refs ('#/a/b'); returns the node itself otherwise."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return node
        node = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


class Contract:
    """What the document declares for one channel's messages."""

    def __init__(self, doc, channel_id, prefix):
        ch = doc["channels"][channel_id]
        params = {k: resolve(doc, v) for k, v in (ch.get("parameters") or {}).items()}
        self.address_template = ch["address"]
        self.address = ch["address"]
        for name in params:
            self.address = self.address.replace("{%s}" % name, prefix)
        self.messages = {mid: resolve(doc, m) for mid, m in ch["messages"].items()}

    def header_schema(self, doc, mid):
        h = resolve(doc, self.messages[mid].get("headers") or {})
        props = {k: resolve(doc, v) for k, v in (h.get("properties") or {}).items()}
        return props, set(h.get("required") or [])

    def key_schema(self, doc, mid):
        return resolve(doc, ((self.messages[mid].get("bindings") or {}).get("kafka") or {})
                       .get("key"))

    def avsc(self, mid):
        """The schema name of the message's Avro payload ('report' for './report.avsc'), or
        None when the payload is not an Avro schema by reference."""
        payload = self.messages[mid].get("payload") or {}
        fmt = payload.get("schemaFormat", "")
        ref = (payload.get("schema") or {}).get("$ref", "")
        m = re.fullmatch(r"\./(\w+)\.avsc", ref)
        if fmt.startswith("application/vnd.apache.avro") and m:
            return m.group(1)
        return None


def help_defaults():
    """{option: default} from `pipewrightd --help`."""
    binary = os.path.join(pwtest.BUILD, "pipewrightd")
    if not os.access(binary, os.X_OK):
        pytest.fail("%s not built (make all)" % binary, pytrace=False)
    text = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30).stdout
    return dict(re.findall(r"^\s+--([\w-]+)\s.*\(default: ([^)]*)\)\s*$", text, re.MULTILINE))


def test_asyncapi_declares_the_daemons_defaults(doc):
    assert str(doc["asyncapi"]).startswith("3."), doc["asyncapi"]
    defaults = help_defaults()
    assert sorted(doc["channels"]) == sorted(TOPIC_SUFFIXES)
    for suffix in TOPIC_SUFFIXES:
        c = Contract(doc, suffix, defaults["topic-prefix"])
        assert c.address_template == "{prefix}.%s" % suffix
        prefix = resolve(doc, doc["channels"][suffix]["parameters"]["prefix"])
        assert prefix["default"] == defaults["topic-prefix"] == "pipewright"
    server = doc["servers"]["kafka"]
    assert server["protocol"] == "kafka"
    assert server["variables"]["bootstrap"]["default"] == defaults["brokers"]
    ops = {(op["action"], resolve(doc, op["channel"])["address"]) for op in
           doc["operations"].values()}
    assert ops == {("receive", "{prefix}.requirements"), ("send", "{prefix}.reports"),
                   ("send", "{prefix}.audio"), ("send", "{prefix}.dlq")}
    receive = [op for op in doc["operations"].values() if op["action"] == "receive"][0]
    assert receive["bindings"]["kafka"]["groupId"]["default"] == defaults["group"]
    # The transaction rule is stated where a reader looks: the description and each output.
    assert "isolation.level=read_committed" in doc["info"]["description"]
    for suffix in ("reports", "audio", "dlq"):
        assert "read_committed" in doc["channels"][suffix]["description"], suffix


def header_problems(where, msg, props, required):
    problems = []
    headers = pwtest.headers_dict(msg)
    names = [k for k, _ in msg.headers() or []]
    for name in names:
        if name not in props:
            problems.append("%s: header %r is not declared" % (where, name))
    for name in sorted(required - set(names)):
        problems.append("%s: declared required header %r missing" % (where, name))
    for name, value in headers.items():
        schema = props.get(name) or {}
        if "enum" in schema and value not in schema["enum"]:
            problems.append("%s: header %s=%r not in the declared enum" % (where, name, value))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append("%s: header %s=%r does not match %s" % (
                where, name, value, schema["pattern"]))
    return problems


def test_asyncapi_matches_what_the_daemon_writes(doc, daemon, topics, producer, outputs):
    prefix = topics["prefix"]
    contracts = {s: Contract(doc, s, prefix) for s in TOPIC_SUFFIXES}
    for s in TOPIC_SUFFIXES:
        assert contracts[s].address == topics[s], "channel %s: %s" % (s, contracts[s].address)

    # The document's own Avro requirement example, with fresh ids (Redis remembers event ids).
    req_contract = contracts["requirements"]
    example = req_contract.messages["requirementAvro"]["examples"][0]
    run = pwtest.unique("asyncapi")
    project = "%s-project" % run
    rec = pwtest.empty_requirement("%s-event" % run, project)
    rec.update({k: v for k, v in example["payload"].items() if k not in rec or v is not None})
    rec.update({"event_id": "%s-event" % run, "project_id": project})
    req_schema_name = req_contract.avsc("requirementAvro")
    assert req_schema_name == "requirement"
    value = pwtest.Schema(req_schema_name).single_object(rec)
    assert set(example["headers"]) == {"traceparent"}
    producer.produce(topics["requirements"], key=project.encode(), value=value,
                     headers=[("traceparent", TRACEPARENT)])
    assert producer.flush(30) == 0

    # The document's dead-letter example value: a JSON requirement cut short.
    dlq_example = contracts["dlq"].messages["deadLetter"]["examples"][0]
    bad_key = ("%s-bad" % run).encode()
    bad_value = dlq_example["payload"].encode()
    bad_part, bad_off = publish(producer, topics["requirements"], bad_key, bad_value)

    def audio_done():
        chunks = [m for m in outputs.messages[topics["audio"]]
                  if pwtest.headers_dict(m).get("pw.event_id") == rec["event_id"]]
        if not chunks:
            return False
        first = pwtest.Schema("audio").decode_single_object(chunks[0].value())
        return len(chunks) >= first["chunk_count"]

    def done():
        return (any(m.key() == bad_key for m in outputs.messages[topics["dlq"]]) and
                any(pwtest.headers_dict(m).get("pw.event_id") == rec["event_id"]
                    for m in outputs.messages[topics["reports"]]) and audio_done())

    t0 = time.monotonic()
    ok = outputs.wait_for(done, ANSWER_TIMEOUT_S)
    outputs.poll(3.0)
    assert ok, "no report, complete audio and dead letter within %d s; daemon log:\n%s" % (
        ANSWER_TIMEOUT_S, daemon.log_tail())
    print("\nanswered in %.1f s: %s" % (time.monotonic() - t0, ", ".join(
        "%s %d" % (s, len(outputs.messages[topics[s]])) for s in ("reports", "audio", "dlq"))))

    problems = []
    for suffix in ("reports", "audio", "dlq"):
        c = contracts[suffix]
        (mid,) = c.messages  # one message per output channel
        props, required = c.header_schema(doc, mid)
        key_schema = c.key_schema(doc, mid)
        schema_name = c.avsc(mid)
        want_schema = {"reports": "report", "audio": "audio"}.get(suffix)
        if schema_name != want_schema:
            problems.append("%s: payload schema %r, want ./%s.avsc" % (
                suffix, schema_name, want_schema))
        msgs = outputs.messages[topics[suffix]]
        if not msgs:
            problems.append("%s: nothing written" % suffix)
        for i, m in enumerate(msgs):
            where = "%s[%d]" % (suffix, i)
            if m.topic() != c.address:
                problems.append("%s: topic %s, declared %s" % (where, m.topic(), c.address))
            if key_schema is None or key_schema.get("type") != "string":
                problems.append("%s: no string key declared" % where)
            problems += header_problems(where, m, props, required)
            headers = pwtest.headers_dict(m)
            print("  %-9s key=%-40s headers=%s" % (where, m.key().decode(), sorted(headers)))
            if suffix == "dlq":
                print("            %s: %s" % (headers.get("pw.error.reason"),
                                              headers.get("pw.error.detail")))
                if m.key() != bad_key or m.value() != bad_value:
                    problems.append("%s: key %r, value %r: not the original" % (
                        where, m.key(), m.value()[:60]))
                want = {"pw.source.topic": topics["requirements"],
                        "pw.source.partition": str(bad_part),
                        "pw.source.offset": str(bad_off)}
                for k, v in want.items():
                    if headers.get(k) != v:
                        problems.append("%s: %s=%r, want %r" % (where, k, headers.get(k), v))
                continue
            if m.key() != project.encode():
                problems.append("%s: key %r, want the project id %r" % (where, m.key(), project))
            try:
                body = pwtest.Schema(want_schema).decode_single_object(m.value())
            except ValueError as e:
                problems.append("%s: %s" % (where, e))
                continue
            if headers.get("pw.event_id") != body["event_id"] or body["event_id"] != rec[
                    "event_id"]:
                problems.append("%s: pw.event_id %r, event_id %r" % (
                    where, headers.get("pw.event_id"), body["event_id"]))
            # The document says traceparent is propagated to reports and audio: it must be.
            if "traceparent" not in props or headers.get("traceparent") != TRACEPARENT:
                problems.append("%s: traceparent %r (declared: %s)" % (
                    where, headers.get("traceparent"), "traceparent" in props))
    assert not problems, "asyncapi.yaml and the daemon disagree:\n" + "\n".join(problems)
    # The dead-letter example's reason is the one the daemon gives for its payload.
    got = pwtest.headers_dict(outputs.messages[topics["dlq"]][0])
    assert got["pw.error.reason"] == dlq_example["headers"]["pw.error.reason"], json.dumps(got)
