"""tests/integration/test_acl.py - pipewrightd under Kafka ACLs: least privilege, refusals.

A Kafka 3.9 broker is started for this module alone (one KRaft node, broker and controller):
its only client listener is SASL_SSL with SCRAM-SHA-512, and it authorizes with KRaft's
StandardAuthorizer, allow.everyone.if.no.acl.found=false and the admin user as super user.
The ACLs of docs/security.md are given to the daemon's principal 'pipewright' with kafka-acls
(kafka.admin.AclCommand, as bin/kafka-acls.sh runs it); a second principal, 'stranger', has
none. The tests show that the daemon answers a request with exactly those ACLs, that the
daemon run as 'stranger' stops with an authorization error instead of running or looping,
what it does without its group ACL (waits, not ready, joins once it is added) and without
Write on its reports topic (dead-letters the request once), and that 'pipewright' is refused
on every topic and group the ACLs do not name.
"""

import re
import time

import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

import pwtest
import secure
from conftest import TOPIC_SUFFIXES, http_status

END_TO_END_TIMEOUT_S = 300
# The daemon without ACLs must have stopped within this (start-up gives up after 30 s).
REFUSED_WITHIN_S = 60
# ... and in few lines: start, Redis, librdkafka's two lines of the refusal, START_FAILED, stop.
STRANGER_MAX_LOG_LINES = 12
# How long the daemon in a group without ACL is watched.
NO_GROUP_WATCH_S = 15
# ... and how long it may take to join once its group ACL is added.
JOIN_AFTER_GRANT_S = 90
# How long the daemon without Write on its reports topic is watched after its dead letter.
NO_WRITE_WATCH_S = 10


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    secure.need("openssl")
    folder = str(tmp_path_factory.mktemp("pki"))
    ca = secure.make_ca(folder, "ca")
    return {"ca": ca[0], "broker": secure.make_server_cert(folder, "broker", ca, "IP:127.0.0.1")}


@pytest.fixture(scope="module")
def acl_kafka(pki, tmp_path_factory):
    secure.need("java")
    broker = secure.SaslKafka(str(tmp_path_factory.mktemp("acl-kafka")), authorizer=True,
                              more_users=("stranger",))
    _, _, p12, p12_password = pki["broker"]
    try:
        broker.start(secure.kafka_libs(), pki["ca"], p12, p12_password)
    except RuntimeError as e:
        broker.stop()
        pytest.fail(str(e), pytrace=False)
    yield broker
    broker.stop()


def acl_commands(user, prefix, group, txn_id, outputs=("reports", "audio", "dlq")):
    """The kafka-acls arguments of docs/security.md for the daemon's principal (with Write on
    the 'outputs' topics only)."""
    who = ["--add", "--allow-principal", "User:" + user]
    topics = []
    for s in outputs:
        topics += ["--topic", "%s.%s" % (prefix, s)]
    return [
        who + ["--operation", "Read", "--operation", "Describe",
               "--topic", prefix + ".requirements"],
        who + ["--operation", "Read", "--group", group],
        who + ["--operation", "Write", "--operation", "Describe"] + topics,
        who + ["--operation", "Write", "--operation", "Describe", "--transactional-id", txn_id],
    ]


def grant(broker, prefix, **acl_options):
    """The four topics (and one more the daemon has no business with) under a fresh prefix,
    created by the admin, and the daemon principal's ACLs on them; returns the names."""
    names = {s: "%s.%s" % (prefix, s) for s in TOPIC_SUFFIXES}
    names["other"] = prefix + ".other"
    admin = AdminClient(broker.client_config())
    futures = admin.create_topics([NewTopic(n, num_partitions=2, replication_factor=1)
                                   for n in names.values()], request_timeout=30)
    for f in futures.values():
        f.result(timeout=60)
    names["prefix"] = prefix
    names["group"] = pwtest.unique("pwacl-group")
    names["txn_id"] = pwtest.unique("pwacl-instance")
    for args in acl_commands(broker.user, prefix, names["group"], names["txn_id"],
                             **acl_options):
        broker.kafka_acls(*args)
    return names


@pytest.fixture(scope="module")
def granted(acl_kafka):
    names = grant(acl_kafka, pwtest.unique("pwacl"))
    names["acls"] = acl_kafka.kafka_acls("--list", "--principal", "User:" + acl_kafka.user)
    return names


def client(broker, user, **over):
    password = broker.password if user == broker.user else broker.more_users[user]
    return broker.client_config(**{"sasl.username": user, "sasl.password": password, **over})


def daemon_args(broker, ca, user, names, redis_url):
    password = broker.password if user == broker.user else broker.more_users[user]
    return ["--brokers", broker.bootstrap,
            "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512",
            "-X", "sasl.username=" + user, "-X", "sasl.password=" + password,
            "-X", "ssl.ca.location=" + ca,
            "--redis", redis_url, "--group", names["group"],
            "--instance-id", names["txn_id"], "--topic-prefix", names["prefix"],
            "--workers", "1"]


def test_the_acls_are_exactly_those_of_the_docs(acl_kafka, granted):
    """kafka-acls --list shows the eleven grants on six resources and nothing else for the
    principal."""
    found = set()
    for block in re.findall(r"ResourcePattern\(resourceType=(\w+), name=([^,]+), "
                            r"patternType=(\w+)\)`:\s*\n((?:\s*\(principal=[^\n]*\n?)*)",
                            granted["acls"]):
        rtype, name, pattern, lines = block
        for op, perm in re.findall(r"operation=(\w+), permissionType=(\w+)", lines):
            found.add((rtype, name, pattern, op, perm))
    p = granted["prefix"]
    want = {("TOPIC", p + ".requirements", "LITERAL", "READ", "ALLOW"),
            ("TOPIC", p + ".requirements", "LITERAL", "DESCRIBE", "ALLOW"),
            ("GROUP", granted["group"], "LITERAL", "READ", "ALLOW"),
            ("TRANSACTIONAL_ID", granted["txn_id"], "LITERAL", "WRITE", "ALLOW"),
            ("TRANSACTIONAL_ID", granted["txn_id"], "LITERAL", "DESCRIBE", "ALLOW")}
    for s in ("reports", "audio", "dlq"):
        want |= {("TOPIC", "%s.%s" % (p, s), "LITERAL", op, "ALLOW")
                 for op in ("WRITE", "DESCRIBE")}
    assert found == want, "kafka-acls --list:\n%s" % granted["acls"]


def test_daemon_answers_with_exactly_its_acls(acl_kafka, granted, pki, tmp_path, redis_url,
                                              report_schema, audio_schema):
    d = secure.start_daemon(tmp_path, daemon_args(acl_kafka, pki["ca"], acl_kafka.user,
                                                  granted, redis_url))
    try:
        why = secure.wait_ready(d, timeout=90)
        assert why is None, why
        producer = Producer(acl_kafka.client_config(**{"acks": "all"}))
        project = pwtest.unique("pwacl-project")
        eid = pwtest.unique("pwacl-event")
        rec = pwtest.requirement_from_scenario(pwtest.load_scenarios()[0], eid, project, 0,
                                               text_form=False)
        producer.produce(granted["requirements"], key=project.encode(),
                         value=pwtest.requirement_json(rec))
        assert producer.flush(30) == 0, "requirement not delivered"
        reports, audio, dlq = read_outputs(acl_kafka, granted, eid, report_schema,
                                           audio_schema)
        log = secure.read_log(d)
    finally:
        rc = secure.stop_process(d.proc)
    assert not dlq, "dead letters: %s" % dlq
    assert [r["event_id"] for r in reports] == [eid], "reports %s; daemon log:\n%s" % (
        reports, d.log_tail())
    assert reports[0]["project_id"] == project
    assert audio and len(audio) == audio[0]["chunk_count"], "audio incomplete: %d chunks" % (
        len(audio))
    data, _ = pwtest.reassemble_audio(audio)
    assert pwtest.opus_check(data) > 1.0
    refused = [line for line in log.splitlines() if "uthoriz" in line]
    assert not refused, "authorization errors with the ACLs of the docs:\n%s" % "\n".join(
        refused[:10])
    assert rc == 0, "rc %s after SIGTERM; log:\n%s" % (rc, d.log_tail())


def read_outputs(broker, names, eid, report_schema, audio_schema, until=None):
    """Reads reports, audio and dead letters as the admin with read_committed until the
    report and all audio chunks of 'eid' are there ('until(reports, audio, dlq)' if given)
    or the time is up."""
    consumer = Consumer(broker.client_config(**{
        "group.id": pwtest.unique("pwacl-reader"), "enable.auto.commit": False,
        "isolation.level": "read_committed", "auto.offset.reset": "earliest"}))
    consumer.assign([TopicPartition(names[s], p, 0)
                     for s in ("reports", "audio", "dlq") for p in (0, 1)])
    reports, audio, dlq = [], [], []
    deadline = time.monotonic() + END_TO_END_TIMEOUT_S
    try:
        done = until or (lambda r, a, _: r and a and len(a) == a[0]["chunk_count"])
        while time.monotonic() < deadline and not done(reports, audio, dlq):
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                assert msg.error().code() == KafkaError._PARTITION_EOF, msg.error()
            elif msg.topic() == names["reports"]:
                reports.append(report_schema.decode_single_object(msg.value()))
            elif msg.topic() == names["audio"]:
                audio.append(audio_schema.decode_single_object(msg.value()))
            else:
                dlq.append(pwtest.headers_dict(msg))
    finally:
        consumer.close()
    return reports, [a for a in audio if a["event_id"] == eid], dlq


def test_daemon_without_acls_stops_with_an_authorization_error(acl_kafka, granted, pki,
                                                              tmp_path, redis_url):
    """The same daemon, topics, group and instance id, run as a principal with no ACL."""
    t0 = time.monotonic()
    d = secure.start_daemon(tmp_path, daemon_args(acl_kafka, pki["ca"], "stranger", granted,
                                                  redis_url))
    ready_seen = False
    try:
        while d.alive() and time.monotonic() - t0 < REFUSED_WITHIN_S:
            ready_seen = ready_seen or http_status(d.url("/readyz"), timeout=1) == 200
            time.sleep(0.5)
        took = time.monotonic() - t0
        alive = d.alive()
    finally:
        secure.stop_process(d.proc)
    log = secure.read_log(d)
    lines = log.strip().splitlines()
    print("stranger: exit %s after %.1f s, %d log lines; last: %s" % (
        d.proc.returncode, took, len(lines), lines[-1] if lines else "-"))
    assert not ready_seen, "/readyz answered 200 for a principal without ACLs"
    assert not alive, "still running %d s after start without ACLs; log:\n%s" % (
        REFUSED_WITHIN_S, d.log_tail())
    assert d.proc.returncode == 1, "exit %s; log:\n%s" % (d.proc.returncode, d.log_tail())
    failed = [line for line in lines if "START_FAILED" in line]
    assert len(failed) == 1, "want one START_FAILED line; log:\n%s" % d.log_tail()
    assert "Transactional Id authorization failed" in failed[0], failed[0]
    # The line names what was refused and to whom, so that the operator knows which ACL to add.
    assert "transactional id %s, sasl.username stranger:" % granted["txn_id"] in failed[0], (
        failed[0])
    # One refusal, one stop: no retry loop filling the log.
    assert len(lines) <= STRANGER_MAX_LOG_LINES, d.log_tail()


def delivery_error(broker, topic):
    """Produces one message as the daemon's principal; returns the delivery error or None."""
    errors = []
    t0 = time.monotonic()
    p = Producer(client(broker, broker.user, **{"acks": "all", "message.timeout.ms": 20000}))
    p.produce(topic, b"x", on_delivery=lambda err, msg: errors.append(err))
    p.flush(30)
    assert errors, "no delivery report for %s" % topic
    print("produce to %s: %s after %.1f s" % (topic, errors[0], time.monotonic() - t0))
    return errors[0]


def fetch_error(broker, topic, group, subscribe=False):
    """Reads 'topic' as the daemon's principal in 'group'; returns the first error or None."""
    c = Consumer(client(broker, broker.user, **{
        "group.id": group, "enable.auto.commit": False, "auto.offset.reset": "earliest",
        "enable.partition.eof": True}))
    try:
        if subscribe:
            c.subscribe([topic])
        else:
            c.assign([TopicPartition(topic, 0, 0)])
        t0 = time.monotonic()
        while time.monotonic() < t0 + 30:
            msg = c.poll(0.5)
            if msg is not None and msg.error():
                print("read %s in %s: %s after %.1f s" % (topic, group, msg.error(),
                                                         time.monotonic() - t0))
                return msg.error()
        return None
    finally:
        c.close()


def test_daemon_principal_is_refused_everywhere_else(acl_kafka, granted):
    refused = KafkaError.TOPIC_AUTHORIZATION_FAILED
    # Allowed: the control case, so that the refusals below are about the ACLs.
    assert delivery_error(acl_kafka, granted["reports"]) is None
    eof = fetch_error(acl_kafka, granted["requirements"], granted["group"])
    assert eof is not None and eof.code() == KafkaError._PARTITION_EOF, eof
    # Writing where it may only read, reading where it may only write, and another topic.
    for topic in (granted["requirements"], granted["other"]):
        err = delivery_error(acl_kafka, topic)
        assert err is not None and err.code() == refused, (topic, err)
    err = fetch_error(acl_kafka, granted["reports"], granted["group"])
    assert err is not None and err.code() == refused, err
    # A topic it may not even describe: hidden from its metadata, refused to its subscription.
    md = AdminClient(client(acl_kafka, acl_kafka.user)).list_topics(timeout=20)
    assert sorted(md.topics) == sorted(granted[s] for s in TOPIC_SUFFIXES), sorted(md.topics)
    err = fetch_error(acl_kafka, granted["other"], granted["group"], subscribe=True)
    assert err is not None and err.code() == refused, err
    # Its own input topic in a group that is not its own.
    err = fetch_error(acl_kafka, granted["requirements"], pwtest.unique("pwacl-other-group"),
                      subscribe=True)
    assert err is not None and err.code() == KafkaError.GROUP_AUTHORIZATION_FAILED, err



def test_daemon_in_a_group_without_acl_stays_not_ready(acl_kafka, granted, pki, tmp_path,
                                                      redis_url):
    """The daemon's principal with its transactional id and topics, but a group that no ACL
    names: the producer starts, the consumer is refused the group. The daemon says so once and
    stays up and not ready; once the ACL is added it joins and is ready, and it stops cleanly
    on SIGTERM."""
    names = dict(granted, group=pwtest.unique("pwacl-nogroup"))
    d = secure.start_daemon(tmp_path, daemon_args(acl_kafka, pki["ca"], acl_kafka.user, names,
                                                  redis_url))
    try:
        line = secure.wait_log(d, r"CONSUMER_ERROR[^\n]*", 60)
        assert line, "no CONSUMER_ERROR line; log:\n%s" % d.log_tail()
        assert "Group authorization failed" in line.group(0), line.group(0)
        statuses = set()
        t0 = time.monotonic()
        while time.monotonic() - t0 < NO_GROUP_WATCH_S:
            assert d.alive(), "exited; log:\n%s" % d.log_tail()
            statuses.add(http_status(d.url("/readyz"), timeout=2))
            time.sleep(0.5)
        assert statuses == {503}, statuses
        errors = [x for x in secure.read_log(d).splitlines() if "CONSUMER_ERROR" in x]
        # The missing ACL, added while the daemon runs: it joins without a restart.
        acl_kafka.kafka_acls("--add", "--allow-principal", "User:" + acl_kafka.user,
                             "--operation", "Read", "--group", names["group"])
        t0 = time.monotonic()
        why = secure.wait_ready(d, timeout=JOIN_AFTER_GRANT_S)
        print("group ACL added: ready after %.1f s" % (time.monotonic() - t0))
        assert why is None, why
    finally:
        rc = secure.stop_process(d.proc)
    print("group without ACL: %d CONSUMER_ERROR lines in %d s" % (len(errors), NO_GROUP_WATCH_S))
    assert len(errors) <= 3, "a refusal loop in the log:\n%s" % "\n".join(errors[:20])
    assert rc == 0, "rc %s after SIGTERM; log:\n%s" % (rc, d.log_tail())


def test_daemon_without_write_on_reports_dead_letters(acl_kafka, pki, tmp_path, redis_url,
                                                     report_schema, audio_schema):
    """Every ACL but Write on PREFIX.reports: the request cannot be answered; the daemon
    dead-letters it with the broker's reason once, instead of retrying it forever."""
    names = grant(acl_kafka, pwtest.unique("pwacl-nw"), outputs=("audio", "dlq"))
    d = secure.start_daemon(tmp_path, daemon_args(acl_kafka, pki["ca"], acl_kafka.user, names,
                                                  redis_url))
    try:
        why = secure.wait_ready(d, timeout=90)
        assert why is None, why
        producer = Producer(acl_kafka.client_config(**{"acks": "all"}))
        eid = pwtest.unique("pwacl-event")
        rec = secure.requirement(0, False, "pwacl")
        rec["event_id"] = eid
        producer.produce(names["requirements"], key=rec["project_id"].encode(),
                         value=pwtest.requirement_json(rec))
        assert producer.flush(30) == 0, "requirement not delivered"
        reports, _, dlq = read_outputs(acl_kafka, names, eid, report_schema, audio_schema,
                                       until=lambda r, a, dl: dl)
        time.sleep(NO_WRITE_WATCH_S)  # a retry loop would show in the log meanwhile
        assert d.alive(), d.log_tail()
        log = secure.read_log(d)
    finally:
        rc = secure.stop_process(d.proc)
    assert not reports, reports
    assert len(dlq) == 1, "dead letters %s; log:\n%s" % (dlq, d.log_tail())
    print("dead letter: %s: %s" % (dlq[0].get("pw.error.reason"), dlq[0].get("pw.error.detail")))
    assert "Topic authorization failed" in dlq[0].get("pw.error.detail", ""), dlq[0]
    assert names["reports"] in dlq[0].get("pw.error.detail", ""), dlq[0]
    aborts = [x for x in log.splitlines() if "daemon TXN_ABORT" in x]
    assert 1 <= len(aborts) <= 3, "aborts:\n%s" % "\n".join(aborts[:20])
    assert rc == 0, "rc %s after SIGTERM; log:\n%s" % (rc, d.log_tail())
