"""tests/integration/test_registry_server.py - the local schema registry acts as a Confluent one.

Proves, with Confluent's own Python client (confluent_kafka.schema_registry) and nothing of
pipewright's C code, that the registry deploy/services starts answers the Confluent REST API the
way pipewright's producers and consumers rely on: schemas/requirement.avsc registers under
"pipewright.requirements-value" and reads back by id, a second registration of the same schema
keeps its id, and with the subject at BACKWARD an added field with a default is accepted while
one without a default is refused, by the compatibility check and by registration. The registry's
own default level is NONE (Apicurio Registry applies no rule until one is set), so the test sets
BACKWARD on the subject first.

The registry may be shared with other tests of the same session, so compatibility is checked
against the version this test registered, not against whatever is latest, and no schema this
test would have to remove is ever added.
"""

import copy
import json
import os

import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

import pwtest

SUBJECT = "pipewright.requirements-value"
PROBE_FIELD = "registry_probe_note"


def requirement_text():
    with open(os.path.join(pwtest.REPO, "schemas", "requirement.avsc"), encoding="utf-8") as f:
        return f.read()


def with_field(schema_text, field):
    """The schema with 'field' appended to the record's fields."""
    doc = json.loads(schema_text)
    assert all(f["name"] != field["name"] for f in doc["fields"]), field["name"]
    evolved = copy.deepcopy(doc)
    evolved["fields"].append(field)
    return json.dumps(evolved)


@pytest.fixture(scope="module")
def client(registry_url):
    return SchemaRegistryClient({"url": registry_url})


@pytest.fixture(scope="module")
def registered(client):
    """(id, version) of schemas/requirement.avsc under SUBJECT."""
    schema = Schema(requirement_text(), "AVRO")
    schema_id = client.register_schema(SUBJECT, schema)
    found = client.lookup_schema(SUBJECT, schema)
    return schema_id, found.version


def test_register_and_read_back_by_id(registry_url, client, registered):
    schema_id, version = registered
    assert isinstance(schema_id, int) and schema_id > 0
    assert isinstance(version, int) and version >= 1
    assert SUBJECT in client.get_subjects()
    assert version in client.get_versions(SUBJECT)

    # A fresh client has nothing cached: the schema really comes back from the server.
    fresh = SchemaRegistryClient({"url": registry_url})
    back = fresh.get_schema(schema_id)
    assert back.schema_type in (None, "AVRO")
    assert json.loads(back.schema_str) == json.loads(requirement_text())

    by_version = fresh.get_version(SUBJECT, version)
    assert by_version.schema_id == schema_id
    assert json.loads(by_version.schema.schema_str) == json.loads(requirement_text())


def test_same_schema_keeps_its_id(registry_url, registered):
    schema_id, version = registered
    fresh = SchemaRegistryClient({"url": registry_url})
    assert fresh.register_schema(SUBJECT, Schema(requirement_text(), "AVRO")) == schema_id
    assert version in fresh.get_versions(SUBJECT)


def test_unknown_id_is_not_found(registry_url):
    fresh = SchemaRegistryClient({"url": registry_url})
    with pytest.raises(SchemaRegistryError) as e:
        fresh.get_schema(2_000_000_000)
    assert e.value.http_status_code == 404


def test_backward_compatibility(client, registered):
    _, version = registered
    # The client hands back the server's JSON answer, {"compatibility": LEVEL} in Confluent's API.
    assert client.set_compatibility(SUBJECT, "BACKWARD") == {"compatibility": "BACKWARD"}
    assert client.get_compatibility(SUBJECT) == "BACKWARD"

    with_default = with_field(requirement_text(), {
        "name": PROBE_FIELD, "type": ["null", "string"], "default": None})
    without_default = with_field(requirement_text(), {"name": PROBE_FIELD, "type": "string"})

    # A reader on the new schema can read old data only when the new field has a default.
    assert client.test_compatibility(SUBJECT, Schema(with_default, "AVRO"), version=version)
    assert not client.test_compatibility(SUBJECT, Schema(without_default, "AVRO"),
                                         version=version)

    # Registration enforces the same rule: 409 Conflict, and no version is added.
    before = client.get_versions(SUBJECT)
    with pytest.raises(SchemaRegistryError) as e:
        client.register_schema(SUBJECT, Schema(without_default, "AVRO"))
    assert e.value.http_status_code == 409
    assert client.get_versions(SUBJECT) == before
