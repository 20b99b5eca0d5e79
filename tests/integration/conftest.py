"""tests/integration/conftest.py - fixtures: the services, fresh topics, a running pipewrightd.

The broker and Redis come from the environment (KAFKA_BOOTSTRAP, REDIS_URL), as
deploy/with-services exports them. The schema registry, which only some tests need, comes from
SCHEMA_REGISTRY_URL when that is set, and otherwise from `deploy/services up registry`, run the
first time a test asks for it and undone at the end of the session when it started the registry.
Each test gets its own topic prefix, consumer group and HTTP
port, so tests never see each other's messages; the daemon is started as a subprocess, must
answer /readyz within 60 s, and must exit 0 within 20 s of SIGTERM at the end of the test.
"""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from confluent_kafka.admin import AdminClient, NewTopic

import pwtest

TOPIC_SUFFIXES = ("requirements", "reports", "audio", "dlq")
READY_TIMEOUT_S = 60
STOP_TIMEOUT_S = 20
# The first `deploy/services up registry` on a machine builds the registry with Maven.
REGISTRY_UP_TIMEOUT_S = 900


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail("%s is not set: run the suite through tests/integration/run or "
                    "deploy/with-services" % name, pytrace=False)
    return value


@pytest.fixture(scope="session")
def bootstrap():
    return _env("KAFKA_BOOTSTRAP")


@pytest.fixture(scope="session")
def redis_url():
    return _env("REDIS_URL")


def _services(*args, timeout):
    """Runs deploy/services with ARGS; returns its KEY=VALUE lines on stdout as a dict, or fails
    the test with its stderr."""
    argv = [os.path.join(pwtest.REPO, "deploy", "services")] + list(args)
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail("%s did not finish within %d s" % (" ".join(argv), timeout), pytrace=False)
    if p.returncode != 0:
        pytest.fail("%s exited %d:\n%s" % (" ".join(argv), p.returncode, p.stderr[-3000:]),
                    pytrace=False)
    return dict(line.split("=", 1) for line in p.stdout.splitlines() if "=" in line)


@pytest.fixture(scope="session")
def registry_url():
    """The base URL a Confluent schema-registry client takes (http://HOST:PORT/apis/ccompat/v7).

    SCHEMA_REGISTRY_URL when set; otherwise the registry of deploy/services (REGISTRY_PORT and
    PIPEWRIGHT_STATE apply), started if it is not running and then stopped after the session,
    but only when this session started it."""
    url = os.environ.get("SCHEMA_REGISTRY_URL")
    if url:
        yield url.rstrip("/")
        return
    values = _services("up", "registry", timeout=REGISTRY_UP_TIMEOUT_S)
    url = values.get("SCHEMA_REGISTRY_URL")
    if not url:
        pytest.fail("deploy/services up registry printed no SCHEMA_REGISTRY_URL", pytrace=False)
    started = "registry" in values.get("STARTED", "").split(",")
    yield url
    if started:
        _services("down", "registry", timeout=60)


@pytest.fixture(scope="session")
def admin(bootstrap):
    return AdminClient({"bootstrap.servers": bootstrap})


@pytest.fixture(scope="session")
def requirement_schema():
    return pwtest.Schema("requirement")


@pytest.fixture(scope="session")
def report_schema():
    return pwtest.Schema("report")


@pytest.fixture(scope="session")
def audio_schema():
    return pwtest.Schema("audio")


def create_topics(admin, prefix, partitions=3):
    """Creates PREFIX.requirements, .reports, .audio and .dlq; returns {suffix: name}."""
    names = {s: "%s.%s" % (prefix, s) for s in TOPIC_SUFFIXES}
    new = []
    for s, name in names.items():
        config = {}
        if s in ("requirements", "dlq"):
            # Room for a message just over the daemon's 1 MiB input limit, so the too_large
            # path is reached by the daemon rather than refused by the broker, and the dead
            # letter can keep it.
            config["max.message.bytes"] = str(2 * 1024 * 1024)
        new.append(NewTopic(name, num_partitions=partitions, replication_factor=1,
                            config=config))
    for name, fut in admin.create_topics(new, request_timeout=30).items():
        fut.result(timeout=60)
    deadline = time.monotonic() + 30
    while True:
        md = admin.list_topics(timeout=10)
        if all(n in md.topics and md.topics[n].error is None and
               len(md.topics[n].partitions) == partitions for n in names.values()):
            return names
        if time.monotonic() > deadline:
            pytest.fail("topics %s not visible in metadata after 30 s" % sorted(names.values()))
        time.sleep(0.5)


@pytest.fixture
def topics(admin, request):
    """Fresh, uniquely named topics for one test; deleted afterwards."""
    prefix = pwtest.unique("pwit-" + request.node.name.replace("_", "-")[:20])
    names = create_topics(admin, prefix)
    names["prefix"] = prefix
    yield names
    admin.delete_topics([names[s] for s in TOPIC_SUFFIXES], request_timeout=30)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return None


def tail(path, lines=40):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no log)"


class Daemon:
    def __init__(self, proc, http, log_path, topics, group):
        self.proc = proc
        self.http = http
        self.log_path = log_path
        self.topics = topics
        self.group = group

    def url(self, path):
        return "http://%s%s" % (self.http, path)

    def alive(self):
        return self.proc.poll() is None

    def log_tail(self, lines=40):
        return tail(self.log_path, lines)


def start_daemon(bootstrap, redis_url, topics, group, log_path):
    """Starts build/pipewrightd on 'topics' in consumer group 'group' (whose name also makes
    its transactional.id) and waits for /readyz; fails the test with its log otherwise."""
    binary = os.path.join(pwtest.BUILD, "pipewrightd")
    if not os.access(binary, os.X_OK):
        pytest.fail("%s not built (make all)" % binary, pytrace=False)
    http = "127.0.0.1:%d" % free_port()
    argv = [binary, "--brokers", bootstrap, "--redis", redis_url, "--http", http,
            "--group", group, "--topic-prefix", topics["prefix"], "--workers", "2",
            "--log-level", "info"]
    # Extra daemon options for an investigation (e.g. PWIT_DAEMON_ARGS="--batch-max 10").
    argv += os.environ.get("PWIT_DAEMON_ARGS", "").split()
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT)
    d = Daemon(proc, http, log_path, topics, group)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while http_status(d.url("/readyz"), timeout=2) != 200:
        if not d.alive():
            pytest.fail("pipewrightd exited with %s before /readyz; its log:\n%s"
                        % (proc.returncode, d.log_tail()), pytrace=False)
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail("pipewrightd not ready within %d s (%s); its log:\n%s"
                        % (READY_TIMEOUT_S, " ".join(argv), d.log_tail()), pytrace=False)
        time.sleep(0.5)
    return d


def stop_daemon(d):
    """SIGTERM; the daemon must have been alive until now and must exit 0 within 20 s."""
    if not d.alive():
        pytest.fail("pipewrightd died during the test (rc %s); its log:\n%s"
                    % (d.proc.returncode, d.log_tail()), pytrace=False)
    d.proc.send_signal(signal.SIGTERM)
    try:
        rc = d.proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        d.proc.kill()
        d.proc.wait()
        pytest.fail("pipewrightd did not exit within %d s of SIGTERM; its log:\n%s"
                    % (STOP_TIMEOUT_S, d.log_tail()), pytrace=False)
    assert rc == 0, "pipewrightd exited %d after SIGTERM; its log:\n%s" % (rc, d.log_tail())


@pytest.fixture
def daemon(bootstrap, redis_url, topics, tmp_path):
    """pipewrightd on the test's topics, ready; stopped with SIGTERM afterwards."""
    d = start_daemon(bootstrap, redis_url, topics, pwtest.unique("pwit-group"),
                     str(tmp_path / "pipewrightd.log"))
    yield d
    stop_daemon(d)


@pytest.fixture
def daemon_launcher(bootstrap, redis_url, topics, tmp_path):
    """Starts daemons on the test's topics, all in one consumer group (so a restart takes over
    the same transactional.id); every one still running at the end must stop cleanly."""
    group = pwtest.unique("pwit-group")
    started = []

    def launch():
        d = start_daemon(bootstrap, redis_url, topics, group,
                         str(tmp_path / ("pipewrightd-%d.log" % len(started))))
        started.append(d)
        return d

    yield launch
    for d in started:
        if d.alive():
            stop_daemon(d)


@pytest.fixture
def producer(bootstrap):
    from confluent_kafka import Producer

    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                  "message.max.bytes": 4 * 1024 * 1024, "linger.ms": 5})
    yield p
    p.flush(30)


def publish(producer, topic, key, value):
    """Produces one message and waits for its delivery; returns (partition, offset)."""
    result = {}

    def on_delivery(err, msg):
        result["err"] = err
        result["msg"] = msg

    producer.produce(topic, key=key, value=value, on_delivery=on_delivery)
    producer.flush(30)
    if result.get("err") is not None or "msg" not in result:
        raise RuntimeError("delivery to %s failed: %s" % (topic, result.get("err")))
    return result["msg"].partition(), result["msg"].offset()


@pytest.fixture
def outputs(bootstrap, topics):
    out = pwtest.Outputs(bootstrap, [topics["reports"], topics["audio"], topics["dlq"]])
    yield out
    out.close()
