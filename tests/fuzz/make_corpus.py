#!/usr/bin/env python3
"""tests/fuzz/make_corpus.py - seed corpora for the libFuzzer harnesses.

Usage: python3 tests/fuzz/make_corpus.py OUT_DIR   (run from the repository root)

Writes OUT_DIR/wire.dict (libFuzzer -dict: frame headers with the current fingerprints, varint
edges, JSON keys of the schema) and OUT_DIR/<harness>/seed-NNN files: valid messages in every
format, written with fastavro from our schemas (so the seeds do not depend on the code under
test), plus a few near misses that lead the fuzzer to the refusal paths (huge counts, bad enum
and union indexes, negative lengths). For fuzz_http: requests for every route of the daemon,
good and bad (methods, tokens, tenants, Accept, limits, pipelining), and OUT_DIR/fuzz_http.dict.
The fuzzer grows the corpus from there; seeds only have to reach deep code quickly.
"""
import base64
import io
import json
import os
import struct
import sys

import fastavro
import fastavro.schema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VECTORS = os.path.join(ROOT, "tests", "unit", "vectors")


def load(name):
    with open(os.path.join(ROOT, "schemas", name + ".avsc"), encoding="utf-8") as f:
        raw = json.load(f)
    canonical = fastavro.schema.to_parsing_canonical_form(raw)
    fp = bytes.fromhex(fastavro.schema.fingerprint(canonical, "CRC-64-AVRO"))
    return fastavro.parse_schema(raw), fp


def datum(schema, record):
    out = io.BytesIO()
    fastavro.schemaless_writer(out, schema, record)
    return out.getvalue()


def zigzag(v):
    z = (v << 1) ^ (v >> 63)
    z &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = z & 0x7F
        z >>= 7
        out.append(b | (0x80 if z else 0))
        if not z:
            return bytes(out)


def avro_str(s):
    b = s.encode()
    return zigzag(len(b)) + b


def requirement_seeds():
    schema, fp = load("requirement")
    records = []
    for name in sorted(os.listdir(VECTORS)):
        if name.endswith(".json"):
            with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
                records.append(json.load(f))
    avro, text = [], []
    for rec in records:
        body = datum(schema, rec)
        avro.append(b"\xc3\x01" + fp + body)
        avro.append(b"\x00" + struct.pack(">I", 7) + body)
        text.append(json.dumps(rec).encode())
    ids = avro_str("e1") + avro_str("p1")
    tail = b"\x00" * 11
    hostile = [
        b"\xc3\x01" + fp + zigzag(1 << 40) + b"abc",                  # length far past the end
        b"\xc3\x01" + fp + zigzag(-5),                                # negative length
        b"\xc3\x01" + fp + ids + b"\x00" * 3 + b"\x02" + zigzag(1 << 40) + tail,  # huge count
        b"\xc3\x01" + fp + ids + b"\x00" * 3 + b"\x02\x02\x00\x02" + zigzag(10)
        + b"\x00" * 5 + tail,                                         # enum index out of range
        b"\xc3\x01" + fp + ids + b"\x04" + b"\x00" * 14,              # union index 2
        b"\xc3\x01" + fp + ids + b"\xff" * 10 + b"\x01",              # 11-byte varint
        b"\xc3\x01" + fp + ids + b"\x00" * 15 + b"\x00",              # trailing byte
        b"\x00\x00\x00\x00\x01" + ids + b"\x00" * 3 + b"\x02" + zigzag(-2) + zigzag(12)
        + b"\x00" * 13 + tail,                                        # negative block count
        b"{\"event_id\":\"e\",\"project_id\":\"p\",\"x\":" + b"[" * 20 + b"]" * 20 + b"}",
        b"{\"event_id\":\"\\ud800\",\"project_id\":\"p\"}",
    ]
    return avro + text + hostile, text + hostile[-2:]


def resolve_seeds():
    """Writer schemas and datums for fuzz_resolve: two bytes of schema length, schema, datum.

    Writers as a newer or older producer would have them (our schema itself, a field added,
    fields dropped that we can default, fields reordered, an int where we read a long), each
    with datums fastavro writes from that writer, plus schema texts that must be refused."""
    with open(os.path.join(ROOT, "schemas", "requirement.avsc"), encoding="utf-8") as f:
        ours = json.load(f)
    records = []
    for name in sorted(os.listdir(VECTORS)):
        if name.endswith(".json"):
            with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
                records.append(json.load(f))
    added = dict(ours, fields=ours["fields"] + [
        {"name": "priority", "type": ["null", "string"], "default": None},
        {"name": "tags", "type": {"type": "map", "values": "long"}, "default": {}}])
    dropped = dict(ours, fields=[f for f in ours["fields"]
                                 if "default" not in f or f["name"] in ("title", "sources")])
    reordered = dict(ours, fields=list(reversed(ours["fields"])))
    narrow = {"type": "record", "name": "Requirement", "namespace": "old.ns", "fields": [
        {"name": "event_id", "type": "string"}, {"name": "project_id", "type": "string"},
        {"name": "submitted_at", "type": "int"}]}
    seeds = []
    for writer in (ours, added, dropped, reordered, narrow):
        text = json.dumps(writer).encode()
        parsed = fastavro.parse_schema(writer)
        for rec in records:
            rec = dict(rec, priority="high", tags={"a": 1})
            if writer is narrow:
                rec = {"event_id": rec["event_id"], "project_id": rec["project_id"],
                       "submitted_at": 7}
            seeds.append(struct.pack(">H", len(text)) + text + datum(parsed, rec))
    for text in (b"{", b"\"string\"", b"[" * 200 + b"]" * 200,
                 b'{"type":"fixed","name":"F","size":1000000000}',
                 b'{"type":"record","name":"R","fields":[{"name":"a","type":"R"}]}'):
        seeds.append(struct.pack(">H", len(text)) + text + b"\x02a\x02b")
    return seeds


def resolve_dictionary():
    """Words of Avro schema JSON, added to the wire's for fuzz_resolve."""
    toks = ['"type":', '"record"', '"fields":', '"name":', '"namespace":', '"default":',
            '"aliases":', '"symbols":', '"items":', '"values":', '"size":', '"enum"', '"array"',
            '"map"', '"fixed"', '"null"', '"boolean"', '"int"', '"long"', '"float"',
            '"double"', '"bytes"', '"string"', '"logicalType":', '"timestamp-millis"']
    return "".join('schema%d="%s"\n' % (i, "".join("\\x%02x" % c for c in t.encode()))
                   for i, t in enumerate(toks))


def report_seeds():
    schema, fp = load("report")
    base = {
        "event_id": "evt-1", "project_id": "proj-1", "report_id": "rep-1", "version": 1,
        "engine_version": "1", "created_at": 1767225600000,
        "executive_summary": "Use batch.", "architecture_overview": "S3 -> Spark -> Iceberg",
        "implementation_details": "", "performance_considerations": "12 partitions",
        "cost_analysis": "$1,200/month", "risk_assessment": "GDPR \u26a0",
        "next_steps": "1. Start", "markdown": "# Report", "report_json": "{}",
        "audio_status": "pending",
    }
    empty = {k: (0 if isinstance(v, int) else "") for k, v in base.items()}
    return [b"\xc3\x01" + fp + datum(schema, r) for r in (base, empty)]


def audio_seeds():
    schema, fp = load("audio")
    base = {
        "event_id": "evt-1", "project_id": "proj-1", "report_id": "rep-1", "codec": "opus",
        "voice": "espeak:en-us", "sample_rate": 22050, "duration_ms": 4200,
        "text": "Use a batch pipeline.", "sha256": "0" * 64, "chunk_index": 0,
        "chunk_count": 1, "total_bytes": 64, "data": b"OggS\x00\x02" + bytes(range(58)),
    }
    empty = dict(base, data=b"", text="", chunk_count=3, chunk_index=2)
    return [b"\xc3\x01" + fp + datum(schema, r) for r in (base, empty)]


# fuzz_http.c's authorisation set-ups, picked by an input's first byte (bit 0: the operator's
# token, bit 1: the tenants' tokens), and the tokens it configures.
HTTP_TOKENS = {"operator": "op-secret-token", "acme": "acme-token", "globex": "globex-token"}


def http_request(method, target, headers=(), body=b"", version="HTTP/1.1"):
    head = "%s %s %s\r\nHost: 127.0.0.1\r\n" % (method, target, version)
    head += "".join("%s: %s\r\n" % h for h in headers)
    if body:
        head += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
    return head.encode() + b"\r\n" + body


def http_seeds(requirement_texts):
    """Requests for every route the daemon serves, good and bad, under every set-up."""
    targets = ["/healthz", "/readyz", "/metrics", "/", "/index.html", "/v1/requests",
               "/v1/requests/evt-1", "/v1/projects/acme:p1/reports/latest",
               "/v1/projects/p1/reports/latest", "/v1/reports/rep-1", "/v1/reports/rep-1/audio",
               "/v1/reports/rep-1/diagram", "/v1/reports/rep-1/other", "/v1/requests/bad%20id",
               "/v1/reports/rep-1/diagram.svg", "/v1/projects/acme:p1/versions",
               "/v1/projects/p1/versions",
               "/v1/requests/" + "a" * 129, "/v1/projects//reports/latest", "/nope",
               "/healthz?x=1#f", "http://127.0.0.1/healthz", "/v1/requests/evt-1/../x",
               "/%00", "/v1/requests/\x7f"]
    auths = [(), (("Authorization", "Bearer " + HTTP_TOKENS["operator"]),),
             (("Authorization", "Bearer " + HTTP_TOKENS["acme"]),),
             (("Authorization", "bearer " + HTTP_TOKENS["globex"]),),
             (("Authorization", "Bearer wrong"),), (("Authorization", "Basic eDp5"),)]
    body = requirement_texts[0] if requirement_texts else b'{"event_id":"e","project_id":"p"}'
    reqs = []
    for i, t in enumerate(targets):
        reqs.append(http_request("GET", t, auths[i % len(auths)]))
    for a in auths:
        reqs.append(http_request("GET", "/v1/reports/rep-1", a + (("Accept", "text/markdown"),)))
        reqs.append(http_request("POST", "/v1/requirements", a, body))
    for m in ("HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"):
        reqs.append(http_request(m, "/healthz"))
    reqs += [
        http_request("GET", "/healthz", version="HTTP/1.0"),
        http_request("GET", "/metrics", (("Connection", "keep-alive"),), version="HTTP/1.0"),
        http_request("GET", "/healthz", (("X-Big", "x" * 9000),)),          # headers over 8 KiB
        http_request("POST", "/v1/requirements", (), b"{" + b" " * 70000 + b"}"),  # body > 64 KiB
        http_request("POST", "/v1/requirements", (("Transfer-Encoding", "chunked"),))
        + b"5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n",
        http_request("POST", "/v1/requirements", (("Expect", "100-continue"),), body),
        http_request("GET", "/healthz") + http_request("GET", "/readyz")
        + http_request("GET", "/metrics", (("Connection", "close"),)),     # pipelined
        b"GET /healthz\r\n\r\n",                                           # HTTP/0.9 form
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n",                            # never ends
        b"GET /healthz HTTP/1.1\r\n Folded: y\r\n\r\n",
        b"GET /v1/reports/r\r\nX: y HTTP/1.1\r\n\r\n",
        b"POST /v1/requirements HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        b"POST /v1/requirements HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        # evhttp answers in the version the request named, as sscanf read it
        b"GET /healthz HTTP/0.1\r\nHost: x\r\n\r\n", b"FET /+ HTTP/1.-11\n\xfd\n",
    ]
    return [bytes([mode]) + r for mode in range(4) for r in reqs]


def http_dictionary():
    """Tokens of HTTP and of the daemon's routes, for fuzz_http (libFuzzer -dict)."""
    toks = ["GET ", "HEAD ", "POST ", "OPTIONS ", " HTTP/1.1\r\n", " HTTP/1.0\r\n", "\r\n",
            "\r\n\r\n", "Host: ", "Authorization: Bearer ", "Accept: text/markdown",
            "Content-Length: ", "Transfer-Encoding: chunked", "Connection: close",
            "Connection: keep-alive", "Expect: 100-continue", "/healthz", "/readyz", "/metrics",
            "/index.html", "/v1/", "/v1/requests", "/v1/requests/", "/v1/projects/",
            "/reports/latest", "/v1/reports/", "/audio", "/diagram", "/diagram.svg", "/versions",
            "/v1/requirements",
            "acme:", "globex:", "%00", "%2F", "?", "#", "0\r\n\r\n"]
    toks += list(HTTP_TOKENS.values())
    lines = ["# http.dict - written by tests/fuzz/make_corpus.py"]
    for i, t in enumerate(toks):
        lines.append('http%d="%s"' % (i, "".join("\\x%02x" % c for c in t.encode())))
    return "\n".join(lines) + "\n"


def cloudevent_seeds(wire, text):
    """fuzz_cloudevent: header lines "name=value", an empty line, the value; both modes."""
    binary = b"ce_specversion=1.0\nce_id=ce-1\nce_source=/fuzz\nce_type=t\n"
    seeds = []
    for value in wire[:4] + text[:2]:
        ct = b"content-type=application/json\n" if value[:1] == b"{" else \
            b"content-type=application/avro\n"
        seeds.append(binary + ct + b"\n" + value)
    for value in text[:2]:
        rec = json.loads(value)
        rec.pop("event_id", None)
        env = {"specversion": "1.0", "id": "ce-2", "source": "/fuzz", "type": "t",
               "time": "2026-12-08T01:36:46Z", "datacontenttype": "application/json",
               "data": rec}
        seeds.append(b"content-type=application/cloudevents+json\n\n" + json.dumps(env).encode())
    for value in wire[:2]:
        env = {"specversion": "1.0", "id": "ce-3", "source": "/fuzz", "type": "t",
               "datacontenttype": "application/avro",
               "data_base64": base64.b64encode(value).decode()}
        seeds.append(b"content-type=application/cloudevents+json\n\n" + json.dumps(env).encode())
    return seeds


def write(out_dir, harness, seeds):
    d = os.path.join(out_dir, harness)
    os.makedirs(d, exist_ok=True)
    for i, seed in enumerate(seeds):
        with open(os.path.join(d, "seed-%03d" % i), "wb") as f:
            f.write(seed)


def dictionary():
    def esc(b):
        return "".join("\\x%02x" % c for c in b)

    lines = ["# wire.dict - written by tests/fuzz/make_corpus.py from schemas/*.avsc"]
    for name in ("requirement", "report", "audio"):
        lines.append('so_%s="%s"' % (name, esc(b"\xc3\x01" + load(name)[1])))
    for i, tok in enumerate([b"\x00\x00\x00\x00\x01", b"\xff\xff\xff\xff\x0f",
                             b"\xff" * 9 + b"\x01", b"\x01", b"\x02", b"\xef\xbb\xbf",
                             struct.pack("<d", float("nan"))]):
        lines.append('bin%d="%s"' % (i, esc(tok)))
    with open(os.path.join(ROOT, "schemas", "requirement.avsc"), encoding="utf-8") as f:
        keys = [fld["name"] for fld in json.load(f)["fields"]]
    keys += ["name", "kind", "volume_gb_per_day", "peak_events_per_sec", "avg_record_bytes",
             "contains_pii", "enabled", "voice", "rate_wpm", "codec"]
    for k in keys:
        lines.append('key_%s="%s"' % (k, esc(json.dumps(k).encode() + b":")))
    for i, tok in enumerate(["null", "true", "false", "[]", "{}", "1e308", "-0", "\\u0000",
                             "\\ud800", "opus", "wav", "clickstream", "unknown"]):
        lines.append('tok%d="%s"' % (i, esc(tok.encode())))
    return "\n".join(lines) + "\n"


def scenario_texts():
    """The prose of every scenario we have: the extractor's natural diet."""
    texts = []
    for d in (os.path.join(ROOT, "..", "shared", "scenarios"),
              os.path.join(ROOT, "tests", "scenarios")):
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith(".json"):
                with open(os.path.join(d, name), encoding="utf-8") as f:
                    sc = json.load(f)
                if isinstance(sc, dict) and sc.get("text"):
                    texts.append(sc["text"].encode("utf-8"))
    return texts


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "fuzz", "corpus")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "wire.dict"), "w", encoding="ascii") as f:
        f.write(dictionary())
    wire, text = requirement_seeds()
    write(out_dir, "fuzz_wire_requirement", wire)
    write(out_dir, "fuzz_requirement_json", text)
    write(out_dir, "fuzz_cloudevent", cloudevent_seeds(wire, text))
    write(out_dir, "fuzz_wire_report", report_seeds())
    write(out_dir, "fuzz_wire_audio", audio_seeds())
    write(out_dir, "fuzz_advise", text)
    write(out_dir, "fuzz_extract", scenario_texts())
    write(out_dir, "fuzz_resolve", resolve_seeds())
    with open(os.path.join(out_dir, "fuzz_resolve.dict"), "w", encoding="ascii") as f:
        f.write(dictionary() + resolve_dictionary())
    write(out_dir, "fuzz_http", http_seeds(text))
    with open(os.path.join(out_dir, "fuzz_http.dict"), "w", encoding="ascii") as f:
        f.write(http_dictionary())


if __name__ == "__main__":
    main()
