#!/usr/bin/env python3
"""examples/python/advise.py - ask pipewright for a report from Python, and keep its audio.

    python3 advise.py OUT.ogg ["requirement in free text"]

Publishes one requirement event (schemas/requirement.avsc) to PREFIX.requirements with
confluent-kafka's AvroSerializer (Confluent wire format, the schema registered in the registry),
then reads PREFIX.reports and PREFIX.audio with isolation.level=read_committed and the
AvroDeserializer until the report whose pw.event_id header is this event's id has arrived,
prints its executive summary, joins the audio chunks of the same event by chunk_index, checks
their SHA-256 and writes them to OUT.

Environment: KAFKA_BOOTSTRAP (127.0.0.1:19092), SCHEMA_REGISTRY_URL (the Confluent-compatible
URL, http://127.0.0.1:18081/apis/ccompat/v7), PIPEWRIGHT_TOPIC_PREFIX (pipewright),
PIPEWRIGHT_SCHEMAS (the folder holding requirement.avsc, ../../schemas), PIPEWRIGHT_TIMEOUT_S
(120). Exits 0 on success, 1 on a timeout or a bad artifact.
"""

import hashlib
import os
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

DEFAULT_TEXT = ("2 TB/day of clickstream from 40 apps, dashboards fresher than 5 minutes, "
                "GDPR, AWS, $25k a month")


def env(name, default):
    return os.environ.get(name) or default


def header(msg, name):
    for k, v in msg.headers() or []:
        if k == name:
            return v.decode("utf-8")
    return None


def publish(bootstrap, registry, topic, requirement):
    with open(os.path.join(env("PIPEWRIGHT_SCHEMAS", "../../schemas"), "requirement.avsc"),
              encoding="utf-8") as f:
        serialize = AvroSerializer(registry, f.read())
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    value = serialize(requirement, SerializationContext(topic, MessageField.VALUE))
    producer.produce(topic, key=requirement["project_id"], value=value,
                     headers={"pw.event_id": requirement["event_id"]})
    if producer.flush(30) != 0:
        raise SystemExit("the requirement was not delivered")


def save(chunks, out):
    """Joins the chunks in index order, checks the artifact's SHA-256, writes it to OUT."""
    first = chunks[0]
    data = b"".join(chunks[i]["data"] for i in range(first["chunk_count"]))
    if hashlib.sha256(data).hexdigest() != first["sha256"]:
        print("audio: SHA-256 differs from %s" % first["sha256"], file=sys.stderr)
        return False
    with open(out, "wb") as f:
        f.write(data)
    print("audio: %s, %d ms, %d bytes in %d chunk(s) -> %s" % (
        first["codec"], first["duration_ms"], len(data), len(chunks), out), file=sys.stderr)
    return True


def await_answer(bootstrap, registry, prefix, event_id, out, deadline):
    """Reads both output topics from the start (a group of its own, so nothing is missed
    however fast the daemon answers) until the report and its whole audio are in."""
    deserialize = AvroDeserializer(registry)
    consumer = Consumer({"bootstrap.servers": bootstrap,
                         "group.id": "pipewright-example-%s" % uuid.uuid4(),
                         "auto.offset.reset": "earliest",
                         "isolation.level": "read_committed",
                         "enable.auto.commit": False})
    reports = prefix + ".reports"
    consumer.subscribe([reports, prefix + ".audio"])
    report, chunks = None, {}
    try:
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error() or header(msg, "pw.event_id") != event_id:
                continue
            value = deserialize(msg.value(), SerializationContext(msg.topic(), MessageField.VALUE))
            if msg.topic() == reports:
                report = value
                print(report["executive_summary"], flush=True)
            else:
                chunks[value["chunk_index"]] = value
            if report is not None and report["audio_status"] not in ("pending", "ready"):
                print("audio %s: none to save" % report["audio_status"], file=sys.stderr)
                return True
            if report is not None and chunks and len(chunks) == chunks[min(chunks)]["chunk_count"]:
                return save(chunks, out)
    finally:
        consumer.close()
    return False


def main():
    if len(sys.argv) < 2:
        print('usage: advise.py OUT.ogg ["requirement text"]', file=sys.stderr)
        return 64
    bootstrap = env("KAFKA_BOOTSTRAP", "127.0.0.1:19092")
    prefix = env("PIPEWRIGHT_TOPIC_PREFIX", "pipewright")
    registry = SchemaRegistryClient(
        {"url": env("SCHEMA_REGISTRY_URL", "http://127.0.0.1:18081/apis/ccompat/v7")})
    event_id = str(uuid.uuid4())
    publish(bootstrap, registry, prefix + ".requirements", {
        "event_id": event_id,
        "project_id": "example-python",
        "submitted_at": int(time.time() * 1000),
        "title": "Asked from Python",
        "description": sys.argv[2] if len(sys.argv) > 2 else DEFAULT_TEXT,
    })
    print("published event %s" % event_id, file=sys.stderr)
    deadline = time.monotonic() + float(env("PIPEWRIGHT_TIMEOUT_S", "120"))
    if not await_answer(bootstrap, registry, prefix, event_id, sys.argv[1], deadline):
        print("no complete answer for %s in time" % event_id, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
