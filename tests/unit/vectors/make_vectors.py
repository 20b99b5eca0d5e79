#!/usr/bin/env python3
"""tests/unit/vectors/make_vectors.py - requirement messages written by another Avro library.

Writes each record below with fastavro (schemaless_writer and schemas/requirement.avsc), framed
as Avro single-object encoding (C3 01 + CRC-64-AVRO fingerprint, little-endian) or Confluent
framing (00 + big-endian schema id), to NAME.bin, and the same record in our JSON form to
NAME.json. tests/unit/test_wire.c decodes both and requires equal records, so the C decoder is
checked against bytes it did not produce. Run from the repository root:
    python3 tests/unit/vectors/make_vectors.py
"""
import io
import json
import os
import struct

import fastavro
import fastavro.schema

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))

FULL = {
    "event_id": "evt-0001",
    "project_id": "newsroom-gcp",
    "submitted_at": 1767225600123,
    "title": "Newsroom content pipeline on GCP",
    "description": "Three wire agencies push about 120,000 stories a day; "
                   "searchable within 2 minutes.",
    "sources": [
        {"name": "wire_agency_feeds", "kind": "files", "volume_gb_per_day": 2.4,
         "peak_events_per_sec": 40.0, "avg_record_bytes": 20000.0, "contains_pii": False},
        {"name": "pageviews", "kind": "clickstream", "volume_gb_per_day": 40.0,
         "peak_events_per_sec": None, "avg_record_bytes": 800.0, "contains_pii": True},
        {"name": None, "kind": None, "volume_gb_per_day": None, "peak_events_per_sec": None,
         "avg_record_bytes": None, "contains_pii": None},
    ],
    "freshness_seconds": 120.0,
    "retention_days": 3650.0,
    "consumers": ["operational", "bi"],
    "cloud": "gcp",
    "budget_usd_per_month": 6000.0,
    "compliance": ["GDPR"],
    "existing_stack": ["Google Cloud", "BigQuery (analytics export)"],
    "team_size": 3.0,
    "team_skills": ["Python", "TypeScript"],
    "availability_target": 99.9,
    "audio": {"enabled": False, "voice": "espeak:en-us", "rate_wpm": 165.5, "codec": "wav"},
}

MINIMAL = {
    "event_id": "e",
    "project_id": "p",
}

UNICODE = {
    "event_id": "évt-ü-2",
    "project_id": "überwachung",
    "title": "Datenüberwachung \u2603 数据管道 \U0001F680",
    "sources": [{"name": "iot-Ströme", "kind": "iot", "volume_gb_per_day": 0.0,
                 "peak_events_per_sec": 1e6, "avg_record_bytes": 0.125, "contains_pii": None},
                {"name": "legacy", "kind": "unknown", "volume_gb_per_day": None,
                 "peak_events_per_sec": None, "avg_record_bytes": None, "contains_pii": None}],
    "consumers": [],
    "audio": {"enabled": True, "voice": None, "rate_wpm": None, "codec": None},
}

CONFLUENT = dict(FULL, event_id="evt-confluent-42", description=None, sources=None)

VECTORS = [
    ("full", FULL, "single"),
    ("minimal", MINIMAL, "single"),
    ("unicode", UNICODE, "single"),
    ("confluent", CONFLUENT, "confluent"),
]


def main():
    with open(os.path.join(ROOT, "schemas", "requirement.avsc"), encoding="utf-8") as f:
        raw = json.load(f)
    parsed = fastavro.parse_schema(raw)
    canonical = fastavro.schema.to_parsing_canonical_form(raw)
    fingerprint = bytes.fromhex(fastavro.schema.fingerprint(canonical, "CRC-64-AVRO"))
    for name, record, framing in VECTORS:
        body = io.BytesIO()
        fastavro.schemaless_writer(body, parsed, record)
        if framing == "single":
            head = b"\xc3\x01" + fingerprint
        else:
            head = b"\x00" + struct.pack(">I", 42)
        with open(os.path.join(HERE, name + ".bin"), "wb") as f:
            f.write(head + body.getvalue())
        with open(os.path.join(HERE, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
