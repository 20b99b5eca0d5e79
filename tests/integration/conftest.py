"""tests/integration/conftest.py - fixtures: the services, fresh topics, a running pipewrightd.

The broker and Redis come from the environment (KAFKA_BOOTSTRAP, REDIS_URL), as
deploy/with-services exports them. The schema registry, which only some tests need, comes from
SCHEMA_REGISTRY_URL when that is set, and otherwise from `deploy/services up registry`, run the
first time a test asks for it and undone at the end of the session when it started the registry.
Each test gets its own topic prefix, consumer group and HTTP
port, so tests never see each other's messages; the daemon is started as a subprocess, must
answer /readyz within 60 s, and must exit 0 within 20 s of SIGTERM at the end of the test (both
times pwtest.SLOWDOWN for a sanitizer build or valgrind).

Memory errors fail the test during which they are reported, whichever process had them: every
process inherits ASAN_OPTIONS with a log_path in the session's report folder, so an
AddressSanitizer or LeakSanitizer report (daemon, speech worker, CLI) lands in a file there;
UndefinedBehaviorSanitizer, which writes to stderr whatever log_path says, is found in the *.log
files the daemons write under the session's temporary folder; with PIPEWRIGHT_DAEMON_WRAPPER
naming valgrind, each daemon's memcheck log is written to the report folder too. After every
test, after every module and at the end of the session, anything new there is an error.
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
READY_TIMEOUT_S = 60 * pwtest.SLOWDOWN
STOP_TIMEOUT_S = 20 * pwtest.SLOWDOWN
# At most this much of the reports goes into one failure message (the files stay for the rest).
REPORT_CHARS = 12000
# The first `deploy/services up registry` on a machine builds the registry with Maven.
REGISTRY_UP_TIMEOUT_S = 900


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail("%s is not set: run the suite through tests/integration/run or "
                    "deploy/with-services" % name, pytrace=False)
    return value


# ---- sanitizer and valgrind reports --------------------------------------------------------

def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


class ReportWatch:
    """The session's report folder (ASan/LSan log_path files, valgrind logs) and the daemon logs
    (pipewrightd*.log) under the session's temporary folder; collect() returns the reports not
    returned before."""

    def __init__(self, report_dir, log_root):
        self.report_dir = report_dir
        self.log_root = log_root
        self.seen = {}  # path -> how many of its reports were already returned

    def _new(self, path, reports):
        done = self.seen.get(path, 0)
        self.seen[path] = len(reports)
        return ["%s:\n%s" % (path, r) for r in reports[done:]]

    def collect(self):
        found = []
        for name in sorted(os.listdir(self.report_dir)):
            path = os.path.join(self.report_dir, name)
            if name.startswith("valgrind."):
                found += self._new(path, pwtest.valgrind_errors(_read(path)))
            else:
                text = _read(path)
                # A file there holds sanitizer output only; one without a recognised report
                # (cut short while being written) still counts, as itself.
                reports = pwtest.sanitizer_reports(text) or ([text[:4000]] if text else [])
                found += self._new(path, reports)
        for root, _dirs, files in os.walk(self.log_root):
            if os.path.abspath(root).startswith(os.path.abspath(self.report_dir)):
                continue
            for name in sorted(files):
                # The daemons' own logs only (conftest.py and secure.py name them so), not the
                # brokers' segment files or the browser's profile.
                if name.startswith("pipewrightd") and name.endswith(".log"):
                    path = os.path.join(root, name)
                    found += self._new(path, pwtest.sanitizer_reports(_read(path)))
        return found

    def fail_on_new(self, what):
        found = self.collect()
        if found:
            text = "\n\n".join(found)
            if len(text) > REPORT_CHARS:
                text = text[:REPORT_CHARS] + "\n... (more in %s)" % self.report_dir
            pytest.fail("%d memory error report(s) from processes %s:\n%s"
                        % (len(found), what, text), pytrace=False)


_watch = None


def _with_option(name, key, value):
    """Appends KEY=VALUE to the sanitizer option string in environment variable NAME unless it
    already sets KEY; returns the previous value (None when unset)."""
    old = os.environ.get(name)
    opts = [o for o in (old or "").split(":") if o]
    if not any(o.split("=", 1)[0] == key for o in opts):
        os.environ[name] = ":".join(opts + ["%s=%s" % (key, value)])
    return old


@pytest.fixture(scope="session", autouse=True)
def report_watch(tmp_path_factory):
    """Sends the ASan/LSan reports of every process started from now on into the session's
    report folder, and fails the session's last test on reports no earlier check claimed."""
    global _watch
    report_dir = str(tmp_path_factory.mktemp("memory-reports", numbered=False))
    old = _with_option("ASAN_OPTIONS", "log_path", os.path.join(report_dir, "asan"))
    _watch = ReportWatch(report_dir, str(tmp_path_factory.getbasetemp()))
    yield _watch
    if old is None:
        os.environ.pop("ASAN_OPTIONS", None)
    else:
        os.environ["ASAN_OPTIONS"] = old
    _watch.fail_on_new("still running until the end of the session")


@pytest.fixture(scope="module", autouse=True)
def module_reports(report_watch):
    """Claims reports of processes a module-scoped fixture ran, when the module ends."""
    yield
    report_watch.fail_on_new("of this module's shared fixtures")


@pytest.fixture(autouse=True)
def per_test_reports(report_watch):
    """Set up before, and so torn down after, the test's own fixtures: a daemon they started
    has exited (and written its leak report) by the time this looks."""
    yield
    report_watch.fail_on_new("this test started (or that ran while it did)")


def daemon_argv(binary, args):
    """The command line of a daemon: 'binary' and 'args', run under PIPEWRIGHT_DAEMON_WRAPPER
    when set. Wrapped, the speech workers are named by path, because /proc/self/exe is then the
    wrapper's program (valgrind's tool); valgrind without --log-file writes to the report
    folder, one file per process."""
    if not pwtest.DAEMON_WRAPPER:
        return [binary] + list(args)
    wrapper = list(pwtest.DAEMON_WRAPPER)
    if os.path.basename(wrapper[0]) == "valgrind" and \
            not any(a.startswith("--log-file") for a in wrapper):
        if _watch is None:
            pytest.fail("the report folder is not set up (report_watch)", pytrace=False)
        wrapper.append("--log-file=%s" % os.path.join(_watch.report_dir, "valgrind.%p"))
    return wrapper + [binary] + list(args) + ["--speech-worker-exe", binary]


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
    args = ["--brokers", bootstrap, "--redis", redis_url, "--http", http,
            "--group", group, "--topic-prefix", topics["prefix"], "--workers", "2",
            "--log-level", "info"]
    # Extra daemon options for an investigation (e.g. PWIT_DAEMON_ARGS="--batch-max 10").
    args += os.environ.get("PWIT_DAEMON_ARGS", "").split()
    argv = daemon_argv(binary, args)
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
            pytest.fail("pipewrightd not ready within %.0f s (%s); its log:\n%s"
                        % (READY_TIMEOUT_S, " ".join(argv), d.log_tail()), pytrace=False)
        time.sleep(0.5)
    return d


def stop_daemon(d):
    """SIGTERM; the daemon must have been alive until now and must exit 0 within
    STOP_TIMEOUT_S."""
    if not d.alive():
        pytest.fail("pipewrightd died during the test (rc %s); its log:\n%s"
                    % (d.proc.returncode, d.log_tail()), pytrace=False)
    d.proc.send_signal(signal.SIGTERM)
    try:
        rc = d.proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        d.proc.kill()
        d.proc.wait()
        pytest.fail("pipewrightd did not exit within %.0f s of SIGTERM; its log:\n%s"
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
