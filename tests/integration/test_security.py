"""tests/integration/test_security.py - pipewrightd with secrets: SASL_SSL Kafka, Redis ACL user.

A second Kafka 3.9 broker is started for this module alone: its only client listener is
SASL_SSL (SCRAM-SHA-512 users written at storage format, a CA and broker certificate made here
with openssl, the certificate naming IP 127.0.0.1 only). A Redis with the default user off and
one password-protected ACL user limited to the pw:* keys stands beside it. The tests show the
daemon working end to end with the right secrets, and what it does with a wrong Kafka password,
a wrong CA, a wrong host name and a wrong Redis password; after every run its log is searched
for each secret, and --print-config is checked to mask them wherever they came from.
"""

import json
import os
import subprocess
import time

import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

import pwtest
import secure
from conftest import TOPIC_SUFFIXES, http_status

# A wrong Kafka secret ends the daemon at start-up; it must not take longer than this.
KAFKA_FAIL_WITHIN_S = 90
# A wrong Redis password leaves the daemon up but not ready; how long the test watches it.
REDIS_WATCH_S = 12
# SIGTERM must end the daemon within this, also while it is still starting.
SIGTERM_WITHIN_S = 10
END_TO_END_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    secure.need("openssl")
    folder = str(tmp_path_factory.mktemp("pki"))
    ca = secure.make_ca(folder, "ca")
    other_ca = secure.make_ca(folder, "other-ca")
    broker = secure.make_server_cert(folder, "broker", ca, "IP:127.0.0.1")
    return {"ca": ca[0], "other_ca": other_ca[0], "broker": broker}


@pytest.fixture(scope="module")
def sasl_kafka(pki, tmp_path_factory):
    secure.need("java")
    broker = secure.SaslKafka(str(tmp_path_factory.mktemp("sasl-kafka")))
    _, _, p12, p12_password = pki["broker"]
    try:
        broker.start(secure.kafka_libs(), pki["ca"], p12, p12_password)
    except RuntimeError as e:
        broker.stop()
        pytest.fail(str(e), pytrace=False)
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
def acl_redis(tmp_path_factory):
    secure.need("redis-server")
    r = secure.AclRedis(str(tmp_path_factory.mktemp("acl-redis")))
    try:
        r.start()
    except RuntimeError as e:
        r.stop()
        pytest.fail(str(e), pytrace=False)
    yield r
    r.stop()


@pytest.fixture(scope="module")
def sasl_topics(sasl_kafka):
    """The four topics on the SASL_SSL broker, created through SASL_SSL by the admin user."""
    admin = AdminClient(sasl_kafka.client_config())
    prefix = pwtest.unique("pwsec")
    names = {s: "%s.%s" % (prefix, s) for s in TOPIC_SUFFIXES}
    futures = admin.create_topics([NewTopic(n, num_partitions=2, replication_factor=1)
                                   for n in names.values()], request_timeout=30)
    for f in futures.values():
        f.result(timeout=60)
    names["prefix"] = prefix
    return names


def kafka_args(broker, ca, password=None, bootstrap=None):
    return ["--brokers", bootstrap or broker.bootstrap,
            "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512",
            "-X", "sasl.username=" + broker.user,
            "-X", "sasl.password=" + (password or broker.password),
            "-X", "ssl.ca.location=" + ca]


def secrets_in(text, secrets):
    return sorted(s for s in secrets if s and s in text)


def all_secrets(sasl_kafka, acl_redis, *more):
    return [sasl_kafka.password, sasl_kafka.admin_password, acl_redis.password] + list(more)


def test_end_to_end_with_the_right_secrets(sasl_kafka, acl_redis, sasl_topics, pki, tmp_path,
                                           requirement_schema, report_schema, audio_schema):
    d = secure.start_daemon(
        tmp_path,
        kafka_args(sasl_kafka, pki["ca"]) +
        ["--redis", acl_redis.url(), "--group", pwtest.unique("pwsec-group"),
         "--topic-prefix", sasl_topics["prefix"], "--workers", "1", "--log-level", "debug"])
    try:
        why = secure.wait_ready(d, timeout=90)
        assert why is None, why

        producer = Producer(sasl_kafka.client_config(**{
            "sasl.username": sasl_kafka.user, "sasl.password": sasl_kafka.password,
            "acks": "all", "enable.idempotence": True}))
        project = pwtest.unique("pwsec-project")
        events = []
        for i, fmt in enumerate(("avro", "json")):
            eid = pwtest.unique("pwsec-event")
            rec = pwtest.requirement_from_scenario(pwtest.load_scenarios()[i], eid, project, i,
                                                   text_form=False)
            producer.produce(sasl_topics["requirements"], key=project.encode(),
                             value=pwtest.encode_requirement(requirement_schema, rec, fmt))
            events.append(eid)
        assert producer.flush(30) == 0, "requirements not delivered over SASL_SSL"

        consumer = Consumer(sasl_kafka.client_config(**{
            "sasl.username": sasl_kafka.user, "sasl.password": sasl_kafka.password,
            "group.id": pwtest.unique("pwsec-reader"), "enable.auto.commit": False,
            "isolation.level": "read_committed", "auto.offset.reset": "earliest"}))
        parts = [TopicPartition(sasl_topics[s], p, 0)
                 for s in ("reports", "audio", "dlq") for p in (0, 1)]
        consumer.assign(parts)
        reports, audio, dlq = {}, {}, []
        deadline = time.monotonic() + END_TO_END_TIMEOUT_S

        def complete(eid):
            chunks = audio.get(eid, [])
            return chunks and len(chunks) == chunks[0]["chunk_count"]

        while time.monotonic() < deadline and not (
                all(e in reports for e in events) and all(complete(e) for e in events)):
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                assert msg.error().code() == KafkaError._PARTITION_EOF, msg.error()
                continue
            if msg.topic() == sasl_topics["reports"]:
                rep = report_schema.decode_single_object(msg.value())
                reports[rep["event_id"]] = rep
            elif msg.topic() == sasl_topics["audio"]:
                ev = audio_schema.decode_single_object(msg.value())
                audio.setdefault(ev["event_id"], []).append(ev)
            else:
                dlq.append(pwtest.headers_dict(msg))
        consumer.close()
        assert not dlq, "dead letters over SASL_SSL: %s" % dlq
        assert sorted(reports) == sorted(events), "reports for %s of %s; daemon log:\n%s" % (
            sorted(reports), events, d.log_tail())
        for eid in events:
            assert reports[eid]["project_id"] == project
            assert complete(eid), "audio of %s incomplete" % eid
            data, _ = pwtest.reassemble_audio(audio[eid])
            assert pwtest.opus_check(data) > 1.0

        # Every key the daemon wrote is a pw: key (the ACL user may touch no other), and it
        # was never refused a command.
        log = secure.read_log(d)
        assert "NOPERM" not in log, [l for l in log.splitlines() if "NOPERM" in l][:5]
        status = json.loads(urlopen_text(d.url("/v1/requests/" + events[0])))
        assert status["status"] == "answered", status
    finally:
        rc = secure.stop_process(d.proc)
    log = secure.read_log(d)
    assert rc == 0, "rc %s after SIGTERM; log:\n%s" % (rc, d.log_tail())
    leaked = secrets_in(log, all_secrets(sasl_kafka, acl_redis))
    assert not leaked, "secrets in the debug log: %s" % leaked


def urlopen_text(url):
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


# Each wrong Kafka setting, and what librdkafka's log line (passed through by the daemon) must
# say about it.
WRONG_KAFKA = {
    "wrong_password": ("SASL authentication error: Authentication failed", {"password":
                                                                           "not-the-password"}),
    "wrong_ca": ("certificate verify failed", {"ca": "other"}),
    "wrong_host_name": ("certificate verify failed", {"host": "localhost"}),
}


@pytest.mark.parametrize("case", sorted(WRONG_KAFKA))
def test_wrong_kafka_secret_fails_start_up_clearly(case, sasl_kafka, acl_redis, sasl_topics,
                                                   pki, tmp_path):
    want, change = WRONG_KAFKA[case]
    password = change.get("password")
    ca = pki["other_ca"] if change.get("ca") else pki["ca"]
    bootstrap = ("%s:%d" % (change["host"], sasl_kafka.port)) if "host" in change else None
    t0 = time.monotonic()
    d = secure.start_daemon(
        tmp_path, kafka_args(sasl_kafka, ca, password, bootstrap) +
        ["--redis", acl_redis.url(), "--group", pwtest.unique("pwsec-group"),
         "--topic-prefix", sasl_topics["prefix"], "--workers", "1"])
    ready_seen = False
    try:
        while d.alive() and time.monotonic() - t0 < KAFKA_FAIL_WITHIN_S:
            if http_status(d.url("/readyz"), timeout=1) == 200:
                ready_seen = True
            time.sleep(0.5)
        took = time.monotonic() - t0
        alive = d.alive()
    finally:
        secure.stop_process(d.proc)
    log = secure.read_log(d)
    print("%s: exit %s after %.1f s; last line: %s" % (
        case, d.proc.returncode, took, log.strip().splitlines()[-1] if log.strip() else "-"))
    assert not ready_seen, "/readyz answered 200 with a %s" % case
    assert not alive, "still running %d s after start with a %s; log:\n%s" % (
        KAFKA_FAIL_WITHIN_S, case, d.log_tail())
    assert d.proc.returncode == 1, "exit %s, want 1; log:\n%s" % (d.proc.returncode,
                                                                  d.log_tail())
    assert want in log, "no line saying %r; log:\n%s" % (want, d.log_tail())
    assert "START_FAILED" in log, d.log_tail()
    leaked = secrets_in(log, all_secrets(sasl_kafka, acl_redis, password))
    assert not leaked, "secrets in the log: %s" % leaked


def test_sigterm_while_start_up_waits_for_kafka_stops_promptly(sasl_kafka, acl_redis,
                                                               sasl_topics, pki, tmp_path):
    """An orchestrator that gives up on a daemon stuck with a wrong password sends SIGTERM;
    the daemon must not make it wait for its own start-up timeout."""
    d = secure.start_daemon(
        tmp_path, kafka_args(sasl_kafka, pki["ca"], "not-the-password") +
        ["--redis", acl_redis.url(), "--group", pwtest.unique("pwsec-group"),
         "--topic-prefix", sasl_topics["prefix"], "--workers", "1"])
    try:
        assert secure.wait_log(d, "SASL authentication error", 20), d.log_tail()
        assert d.alive(), d.log_tail()
        t0 = time.monotonic()
        rc = secure.stop_process(d.proc, timeout=SIGTERM_WITHIN_S * 4)
        took = time.monotonic() - t0
    finally:
        secure.stop_process(d.proc)
    print("exit %s %.1f s after SIGTERM" % (rc, took))
    assert took <= SIGTERM_WITHIN_S, "exit %s only %.1f s after SIGTERM; log:\n%s" % (
        rc, took, d.log_tail())
    assert rc in (0, 1), rc


def test_wrong_redis_password_stays_not_ready(sasl_kafka, acl_redis, sasl_topics, pki,
                                              tmp_path):
    wrong = pwtest.unique("wrong-redis-pw")
    d = secure.start_daemon(
        tmp_path, kafka_args(sasl_kafka, pki["ca"]) +
        ["--redis", acl_redis.url(wrong), "--group", pwtest.unique("pwsec-group"),
         "--topic-prefix", sasl_topics["prefix"], "--workers", "1"])
    try:
        line = secure.wait_log(d, r"REDIS_REFUSED[^\n]*|REDIS_SETUP_FAILED[^\n]*", 60)
        assert line, "no log line about the refused Redis login; log:\n%s" % d.log_tail()
        assert "WRONGPASS" in secure.read_log(d), d.log_tail()
        statuses = set()
        body = None
        t0 = time.monotonic()
        while time.monotonic() - t0 < REDIS_WATCH_S:
            assert d.alive(), "exited with a wrong Redis password; log:\n%s" % d.log_tail()
            r = secure.get(d.http, "/readyz")
            statuses.add(r.status)
            body = json.loads(r.body)
            time.sleep(0.5)
        assert statuses == {503}, "readyz statuses %s" % statuses
        assert body["redis"] is False, body
        assert secure.get(d.http, "/healthz").status == 200
    finally:
        rc = secure.stop_process(d.proc)
    log = secure.read_log(d)
    assert rc == 0, "rc %s after SIGTERM; log:\n%s" % (rc, d.log_tail())
    leaked = secrets_in(log, all_secrets(sasl_kafka, acl_redis, wrong))
    assert not leaked, "secrets in the log: %s" % leaked


def test_print_config_masks_every_secret(tmp_path):
    binary = secure.daemon_binary()
    flag_secrets = {
        "redis": pwtest.unique("redis-flag-pw"), "token": pwtest.unique("token-flag"),
        "sasl": pwtest.unique("sasl-flag-pw"), "key": pwtest.unique("key-flag-pw"),
        "keystore": pwtest.unique("keystore-flag-pw"), "oauth": pwtest.unique("oauth-secret"),
    }
    argv = [binary, "--print-config", "--brokers", "127.0.0.1:1",
            "--redis", "redis://pw-user:%s@127.0.0.1:6379/2" % flag_secrets["redis"],
            "--http-token", flag_secrets["token"],
            "-X", "sasl.username=pw-user", "-X", "sasl.password=" + flag_secrets["sasl"],
            "-X", "ssl.key.password=" + flag_secrets["key"],
            "-X", "ssl.keystore.password=" + flag_secrets["keystore"],
            "-X", "sasl.oauthbearer.client.secret=" + flag_secrets["oauth"]]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert not secrets_in(out, flag_secrets.values()), out
    # What is not secret is still shown, so the masking is not blanket.
    assert "redis = redis://pw-user:****@127.0.0.1:6379/2" in out, out
    assert "kafka.sasl.username = pw-user" in out, out
    assert "kafka.sasl.password = ****" in out, out

    # The same secrets from a config file, a token file and the environment.
    file_secrets = {"sasl": pwtest.unique("sasl-file-pw"), "token": pwtest.unique("token-file"),
                    "env_redis": pwtest.unique("redis-env-pw"),
                    "env_token": pwtest.unique("token-env")}
    token_file = tmp_path / "token"
    token_file.write_text(file_secrets["token"] + "\n")
    conf = tmp_path / "pipewrightd.conf"
    conf.write_text("kafka.sasl.password = %s\nhttp_token_file = %s\n" % (
        file_secrets["sasl"], token_file))
    env = dict(os.environ, PIPEWRIGHT_REDIS="redis://:%s@127.0.0.1:6379" % (
        file_secrets["env_redis"]))
    r = subprocess.run([binary, "--print-config", "--config", str(conf)], capture_output=True,
                       text=True, timeout=30, env=env)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert not secrets_in(out, file_secrets.values()), out
    assert "http_token = ****" in out, out

    env = dict(os.environ, PIPEWRIGHT_HTTP_TOKEN=file_secrets["env_token"])
    r = subprocess.run([binary, "--print-config"], capture_output=True, text=True, timeout=30,
                       env=env)
    assert r.returncode == 0, r.stderr
    assert file_secrets["env_token"] not in r.stdout + r.stderr, r.stdout
