"""tests/integration/test_cloudevents.py - pipewrightd as a CloudEvents producer and consumer.

The official CloudEvents Python SDK (`cloudevents` on PyPI) is the independent party: it
builds requirement events in both content modes of its Kafka binding (to_structured and
to_binary; JSON data, Avro data, and Avro carried as data_base64), and it reads back every
report, audio chunk and dead letter the daemon writes with its binary-mode reader
(cloudevents.core.bindings.kafka.from_binary, which validates the attributes, and the 1.x API's
cloudevents.v1.kafka.from_binary). The ids must be the documented derivations, the source the
daemon's consumer group, the subject the project, the time a UTC RFC 3339 instant of the run,
and the data the Avro message itself. Two broken envelopes go to the DLQ with a detail that
says what is wrong, and the daemon keeps answering.
"""

import datetime
import time

import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from cloudevents.v1 import kafka as ce_kafka_v1

import pwtest
from conftest import publish

ANSWER_TIMEOUT_S = 300
REQUIREMENT_TYPE = "io.pipewright.requirement.v1"
TYPES = {"reports": "io.pipewright.report.v1", "audio": "io.pipewright.audio.v1",
         "dlq": "io.pipewright.deadletter.v1"}


def requirement(event_id, project, audio):
    """A small structured requirement (the first scenario); audio only where it is checked."""
    rec = pwtest.requirement_from_scenario(pwtest.load_scenarios()[0], event_id, project, 0,
                                           text_form=False)
    rec["audio"] = None if audio else {"enabled": False, "voice": None, "rate_wpm": None,
                                       "codec": None}
    return rec


def produce(producer, topic, msg):
    """Sends an SDK KafkaMessage as it is: key, value and headers."""
    result = {}

    def on_delivery(err, m):
        result["err"] = err

    producer.produce(topic, key=msg.key, value=msg.value, headers=list(msg.headers.items()),
                     on_delivery=on_delivery)
    producer.flush(30)
    assert result.get("err") is None, result


def read_binary(m):
    """The SDK's binary-mode reading of one consumed message (validated by its CloudEvent)."""
    headers = {k: v for k, v in m.headers() or []}
    return ce_kafka.from_binary(ce_kafka.KafkaMessage(headers=headers, key=m.key(),
                                                      value=m.value()), JSONFormat())


def test_cloudevents_in_both_modes_and_out(daemon, topics, producer, outputs,
                                           requirement_schema):
    run = pwtest.unique("ce")
    project = "%s-project" % run
    fmt = JSONFormat()
    source = "/tests/integration/%s" % run
    key = lambda _event: project  # noqa: E731  the project id is the key, as for any request
    t0 = time.time()

    # 1. Structured mode, JSON data without an event id: the CloudEvent id stands in.
    ce_id_structured = "%s-structured" % run
    rec = requirement("ignored", project, audio=False)
    data = {k: v for k, v in rec.items() if v is not None and k != "event_id"}
    ev = CloudEvent({"type": REQUIREMENT_TYPE, "source": source, "id": ce_id_structured,
                     "subject": project, "datacontenttype": "application/json"}, data)
    msg = ce_kafka.to_structured(ev, fmt, key_mapper=key)
    assert msg.headers["content-type"].startswith(b"application/cloudevents+json")
    produce(producer, topics["requirements"], msg)

    # 2. Binary mode, JSON data with its own event id (which wins), audio spoken.
    rec_binary = requirement("%s-binary" % run, project, audio=True)
    data = {k: v for k, v in rec_binary.items() if v is not None}
    ev = CloudEvent({"type": REQUIREMENT_TYPE, "source": source, "id": "%s-ce-id" % run,
                     "datacontenttype": "application/json"}, data)
    msg = ce_kafka.to_binary(ev, fmt, key_mapper=key)
    assert msg.headers["ce_specversion"] == b"1.0"
    assert msg.headers["content-type"] == b"application/json"
    produce(producer, topics["requirements"], msg)

    # 3. Binary mode, Avro single-object data with an empty event id.
    ce_id_avro = "%s-avro" % run
    rec_avro = requirement("", project, audio=False)
    ev = CloudEvent({"type": REQUIREMENT_TYPE, "source": source, "id": ce_id_avro,
                     "datacontenttype": "application/avro"},
                    requirement_schema.single_object(rec_avro))
    produce(producer, topics["requirements"], ce_kafka.to_binary(ev, fmt, key_mapper=key))

    # 4. Structured mode, the same Avro bytes: the SDK writes them as data_base64.
    ce_id_b64 = "%s-base64" % run
    ev = CloudEvent({"type": REQUIREMENT_TYPE, "source": source, "id": ce_id_b64,
                     "datacontenttype": "application/avro"},
                    requirement_schema.single_object(rec_avro))
    msg = ce_kafka.to_structured(ev, fmt, key_mapper=key)
    assert b'"data_base64"' in msg.value
    produce(producer, topics["requirements"], msg)

    # 5. Broken envelopes: a binary one of another specversion, a structured one without id.
    bad_binary_key = ("%s-bad-binary" % run).encode()
    producer.produce(topics["requirements"], key=bad_binary_key,
                     value=pwtest.requirement_json(requirement("%s-b" % run, project, False)),
                     headers=[("ce_specversion", b"0.3"), ("ce_id", b"x"),
                              ("ce_source", b"/s"), ("ce_type", b"t")])
    bad_structured_key = ("%s-bad-structured" % run).encode()
    producer.produce(topics["requirements"], key=bad_structured_key,
                     value=b'{"specversion":"1.0","source":"/s","type":"t","data":{}}',
                     headers=[("content-type", b"application/cloudevents+json")])
    producer.flush(30)
    bad_keys = {bad_binary_key, bad_structured_key}

    event_ids = {ce_id_structured, rec_binary["event_id"], ce_id_avro, ce_id_b64}

    def reported():
        return {pwtest.headers_dict(m).get("pw.event_id")
                for m in outputs.messages[topics["reports"]]}

    def audio_complete():
        chunks = [m for m in outputs.messages[topics["audio"]]
                  if pwtest.headers_dict(m).get("pw.event_id") == rec_binary["event_id"]]
        if not chunks:
            return False
        first = pwtest.Schema("audio").decode_single_object(chunks[0].value())
        return len(chunks) >= first["chunk_count"]

    def done():
        dlq = {m.key() for m in outputs.messages[topics["dlq"]]}
        return event_ids <= reported() and bad_keys <= dlq and audio_complete()

    ok = outputs.wait_for(done, ANSWER_TIMEOUT_S)
    outputs.poll(2.0)
    assert ok, "reports for %s, dead letters and audio not all there in %d s; log:\n%s" % (
        sorted(event_ids - reported()), ANSWER_TIMEOUT_S, daemon.log_tail())
    assert reported() == event_ids, "unexpected reports: %s" % sorted(reported() - event_ids)
    t1 = time.time()

    problems = []
    seen_ids = set()
    want_source = "/pipewrightd/%s" % daemon.group
    for suffix in ("reports", "audio", "dlq"):
        for i, m in enumerate(outputs.messages[topics[suffix]]):
            where = "%s[%d]" % (suffix, i)
            try:
                ev = read_binary(m)
            except Exception as e:  # the SDK's refusal is the finding
                problems.append("%s: the SDK refuses it: %r" % (where, e))
                continue
            a = ev.get_attributes()
            headers = pwtest.headers_dict(m)
            if ev.get_specversion() != "1.0" or ev.get_type() != TYPES[suffix]:
                problems.append("%s: specversion %r type %r" % (
                    where, ev.get_specversion(), ev.get_type()))
            if ev.get_source() != want_source:
                problems.append("%s: source %r, want %r" % (where, ev.get_source(), want_source))
            when = ev.get_time()
            if when is None or when.utcoffset() != datetime.timedelta(0) or not (
                    t0 - 5 <= when.timestamp() <= t1 + 5) or not headers["ce_time"].endswith("Z"):
                problems.append("%s: time %r (%s)" % (where, headers.get("ce_time"), when))
            data = ev.get_data()  # the SDK gives text when the bytes happen to be UTF-8
            if (data.encode() if isinstance(data, str) else data) != m.value():
                problems.append("%s: the SDK's data is not the message value" % where)
            if ev.get_id() in seen_ids:
                problems.append("%s: id %r given twice" % (where, ev.get_id()))
            seen_ids.add(ev.get_id())
            if suffix == "dlq":
                if ev.get_datacontenttype() != "application/octet-stream":
                    problems.append("%s: datacontenttype %r" % (where, ev.get_datacontenttype()))
                want_id = "%s/%s/%s/deadletter" % (headers["pw.source.topic"],
                                                   headers["pw.source.partition"],
                                                   headers["pw.source.offset"])
                if ev.get_id() != want_id or a.get("subject") != m.key().decode():
                    problems.append("%s: id %r subject %r" % (where, ev.get_id(),
                                                              a.get("subject")))
                continue
            body = pwtest.Schema("report" if suffix == "reports" else "audio") \
                .decode_single_object(ev.get_data())
            kind = "report" if suffix == "reports" else "audio/%d" % body["chunk_index"]
            want_id = "%s/%s" % (body["event_id"], kind)
            if ev.get_id() != want_id or headers.get("pw.event_id") != body["event_id"]:
                problems.append("%s: id %r, want %r" % (where, ev.get_id(), want_id))
            if a.get("subject") != project or ev.get_datacontenttype() != "application/avro":
                problems.append("%s: subject %r datacontenttype %r" % (
                    where, a.get("subject"), ev.get_datacontenttype()))
            print("  %-10s %s" % (where, ev.get_id()))
    assert not problems, "\n".join(problems)

    # The 1.x API of the SDK reads the same headers.
    m = outputs.messages[topics["reports"]][0]
    old = ce_kafka_v1.from_binary(
        ce_kafka_v1.KafkaMessage(headers={k: v for k, v in m.headers()}, key=m.key(),
                                 value=m.value()), data_unmarshaller=lambda b: b)
    assert old["specversion"] == "1.0" and old["type"] == TYPES["reports"]
    assert old["id"] == "%s/report" % pwtest.headers_dict(m)["pw.event_id"]

    # The broken envelopes: dead letters that say what was wrong.
    details = {m.key(): pwtest.headers_dict(m) for m in outputs.messages[topics["dlq"]]}
    got = details[bad_binary_key]
    print("  %s: %s" % (got["pw.error.reason"], got["pw.error.detail"]))
    assert got["pw.error.reason"] == "invalid"
    assert got["pw.error.detail"] == ('CloudEvent (binary): ce_specversion "0.3" is not '
                                      'supported (1.0 only)')
    got = details[bad_structured_key]
    print("  %s: %s" % (got["pw.error.reason"], got["pw.error.detail"]))
    assert got["pw.error.reason"] == "invalid"
    assert got["pw.error.detail"].startswith("CloudEvent (structured): id is missing")
    assert daemon.alive()


@pytest.mark.parametrize("mode", ["structured", "binary"])
def test_cloudevent_redelivered_under_a_new_id_is_a_duplicate(daemon, topics, producer,
                                                               outputs, mode):
    """The data's event id decides duplicates, whatever CloudEvent id a relay gives it."""
    run = pwtest.unique("ce-dup")
    project = "%s-project" % run
    rec = requirement("%s-event" % run, project, audio=False)
    data = {k: v for k, v in rec.items() if v is not None}
    convert = ce_kafka.to_structured if mode == "structured" else ce_kafka.to_binary
    for i in range(2):
        ev = CloudEvent({"type": REQUIREMENT_TYPE, "source": "/relay/%d" % i,
                         "datacontenttype": "application/json"}, data)  # a fresh UUID id each
        produce(producer, topics["requirements"],
                convert(ev, JSONFormat(), key_mapper=lambda _e: project))
    # A marker after both: once it is answered, both copies have been read.
    marker = requirement("%s-marker" % run, project, audio=False)
    publish(producer, topics["requirements"], project.encode(), pwtest.requirement_json(marker))

    def reports():
        return [pwtest.headers_dict(m).get("pw.event_id")
                for m in outputs.messages[topics["reports"]]]

    ok = outputs.wait_for(lambda: marker["event_id"] in reports(), ANSWER_TIMEOUT_S)
    outputs.poll(2.0)
    assert ok, daemon.log_tail()
    assert sorted(reports()) == sorted([rec["event_id"], marker["event_id"]]), reports()
    assert not outputs.messages[topics["dlq"]]
