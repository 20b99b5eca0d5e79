"""tests/integration/secure.py - processes and raw clients for the HTTP and security tests.

What the shared fixtures in conftest.py do not give: a pipewrightd started with any options
(a bearer token, -X Kafka properties, a Redis URL with a password) that is allowed to fail; a
raw HTTP/1.1 client that sends exactly the bytes a test wants; a certificate authority and
broker certificates made with openssl; a second Kafka 3.9 broker whose only client listener is
SASL_SSL with SCRAM-SHA-512 users, optionally with KRaft's StandardAuthorizer and kafka-acls run
against it; a Redis whose default user is off and whose one ACL user has
a password. Every process started here is stopped by its own pid, never by name. Nothing here
asserts; the tests do.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time

from conftest import (TOPIC_SUFFIXES, Daemon, create_topics, free_port, http_status,
                      publish)

import pwtest

KAFKA_START_TIMEOUT_S = 150
DAEMON_STOP_TIMEOUT_S = 20
ANSWER_TIMEOUT_S = 240


def tool(name, *candidates):
    """The path of an installed tool, or None (tests skip with the name when it is missing)."""
    for c in (name,) + candidates:
        path = shutil.which(c) or (c if os.path.isabs(c) and os.access(c, os.X_OK) else None)
        if path:
            return path
    return None


def need(name):
    """Skips the calling test when the tool 'name' is not installed."""
    if tool(name) is None:
        import pytest

        pytest.skip("%s is not installed" % name)


def stop_process(proc, timeout=DAEMON_STOP_TIMEOUT_S):
    """SIGTERM, then SIGKILL after 'timeout'; returns the exit code (None if killed)."""
    if proc.poll() is not None:
        return proc.returncode
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


# ---- pipewrightd -------------------------------------------------------------------------------

def daemon_binary():
    return os.path.join(pwtest.BUILD, "pipewrightd")


def start_daemon(tmp_path, args, name="pipewrightd", env=None):
    """Starts pipewrightd with --http on a free loopback port plus 'args'; does not wait."""
    http = "127.0.0.1:%d" % free_port()
    log_path = str(tmp_path / (name + ".log"))
    argv = [daemon_binary(), "--http", http, "--log-level", "info"] + list(args)
    full_env = dict(os.environ)
    full_env.update(env or {})
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=full_env)
    d = Daemon(proc, http, log_path, None, None)
    d.argv = argv
    return d


def wait_ready(d, timeout=60):
    """Waits for /readyz 200; returns None when ready, else why not (with the log's tail)."""
    deadline = time.monotonic() + timeout
    while http_status(d.url("/readyz"), timeout=2) != 200:
        if not d.alive():
            return "exited with %s before /readyz; its log:\n%s" % (d.proc.returncode,
                                                                    d.log_tail())
        if time.monotonic() > deadline:
            return "not ready within %d s; its log:\n%s" % (timeout, d.log_tail())
        time.sleep(0.3)
    return None


def read_log(d):
    with open(d.log_path, encoding="utf-8", errors="replace") as f:
        return f.read()


def wait_log(d, pattern, timeout):
    """Waits until a log line matches 'pattern' (regex) or the daemon exits; returns the match
    or None."""
    rx = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while True:
        m = rx.search(read_log(d))
        if m or not d.alive() or time.monotonic() > deadline:
            return m
        time.sleep(0.3)


class Api:
    """A daemon with a bearer token, its topics and the requests it has answered."""

    def __init__(self, daemon, token, topics):
        self.d = daemon
        self.addr = daemon.http
        self.token = token
        self.topics = topics
        self.auth = {"Authorization": "Bearer " + token}
        self.spoken = None   # (event_id, project_id, report_id) of a request with audio
        self.silent = None   # the same for one with audio disabled

    def get(self, path, headers=None, method="GET"):
        h = dict(self.auth)
        h.update(headers or {})
        return get(self.addr, path, h, method)

    def json(self, path, headers=None):
        r = self.get(path, headers)
        if r.status != 200:
            raise AssertionError("GET %s: %r" % (path, r))
        return json.loads(r.body)


def requirement(scenario_index, audio_enabled, prefix="pwhttp"):
    """A requirement from one of the advisor scenarios, with or without its spoken summary."""
    scenario = pwtest.load_scenarios()[scenario_index]
    rec = pwtest.requirement_from_scenario(scenario, pwtest.unique(prefix + "-event"),
                                           pwtest.unique(prefix + "-project"), 0,
                                           text_form=False)
    if not audio_enabled:
        rec["audio"] = {"enabled": False, "voice": None, "rate_wpm": None, "codec": None}
    return rec


def wait_answered(api, event_id, want_audio, timeout=ANSWER_TIMEOUT_S):
    """Polls /v1/requests/{id} until answered (and its audio ready when wanted); returns the
    request's status record or raises RuntimeError."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        r = api.get("/v1/requests/" + event_id)
        if r.status == 200:
            last = json.loads(r.body)
            done = last.get("status") == "answered" and last.get("report_id")
            if done and (not want_audio or last.get("audio_status") == "ready"):
                return last
        if not api.d.alive():
            raise RuntimeError("the daemon exited; its log:\n%s" % api.d.log_tail())
        time.sleep(0.5)
    raise RuntimeError("%s not answered within %d s (last %s); log:\n%s" % (
        event_id, timeout, last, api.d.log_tail()))


@contextlib.contextmanager
def api_daemon(admin, producer, tmp, prefix):
    """A daemon on fresh topics of the shared broker and Redis, with a bearer token read from
    a file, that has answered two requests (api.spoken, api.silent). On exit it is stopped and
    must exit 0 without the token in its log."""
    topic_prefix = pwtest.unique(prefix)
    topics = create_topics(admin, topic_prefix)
    token = pwtest.unique("tok")
    token_file = tmp / "token"
    token_file.write_text(token + "\n")
    d = start_daemon(tmp, [
        "--brokers", os.environ["KAFKA_BOOTSTRAP"], "--redis", os.environ["REDIS_URL"],
        "--group", pwtest.unique(prefix + "-group"), "--topic-prefix",
        topic_prefix, "--workers", "2",
        "--http-token-file", str(token_file)])
    try:
        why = wait_ready(d)
        if why:
            raise RuntimeError(why)
        a = Api(d, token, topics)
        for attr, index, audio in (("spoken", 0, True), ("silent", 1, False)):
            rec = requirement(index, audio, prefix)
            publish(producer, topics["requirements"], rec["project_id"].encode(),
                    pwtest.requirement_json(rec))
            status = wait_answered(a, rec["event_id"], audio)
            setattr(a, attr, (rec["event_id"], rec["project_id"], status["report_id"]))
        yield a
    finally:
        rc = stop_process(d.proc)
        admin.delete_topics([topics[s] for s in TOPIC_SUFFIXES], request_timeout=30)
    if rc != 0:
        raise AssertionError("rc %s after SIGTERM; log:\n%s" % (rc, d.log_tail()))
    if token in read_log(d):
        raise AssertionError("the bearer token is in the daemon's log")


# ---- raw HTTP ------------------------------------------------------------------------------

class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return "<HTTP %s %s %r %r>" % (self.status, self.reason, self.headers, self.body[:200])


def _read_response(sock, head_only=False):
    """Reads one HTTP/1.1 response (Content-Length or close-delimited); None if the server
    closed the connection without one."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            if not data:
                return None
            raise ConnectionError("connection closed inside the response head: %r" % data)
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("iso-8859-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1])
    reason = parts[2] if len(parts) > 2 else ""
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if head_only:
        return Response(status, reason, headers, b"")
    if "content-length" in headers:
        want = int(headers["content-length"])
        while len(body) < want:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while not body.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            out, rest = out + rest[:size], rest[size + 2:]
        body = out
    else:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return Response(status, reason, headers, body)


def raw(addr, request_bytes, timeout=10, head_only=False):
    """Sends 'request_bytes' as they are on a new connection; returns the Response, or None
    when the server closed the connection without answering."""
    host, port = addr.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(request_bytes)
        try:
            return _read_response(s, head_only)
        except ConnectionResetError:
            return None


def get(addr, path, headers=None, method="GET", timeout=10):
    """One request with 'path' sent byte for byte (no quoting), Connection: close."""
    if isinstance(path, str):
        path = path.encode("latin-1")
    lines = [method.encode() + b" " + path + b" HTTP/1.1", b"Host: " + addr.encode(),
             b"Connection: close"]
    for k, v in (headers or {}).items():
        lines.append(("%s: %s" % (k, v)).encode("latin-1"))
    return raw(addr, b"\r\n".join(lines) + b"\r\n\r\n", timeout, head_only=(method == "HEAD"))


# ---- certificates --------------------------------------------------------------------------

def _openssl(*args, cwd):
    r = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True, text=True,
                       timeout=60)
    if r.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (" ".join(args), r.stderr.strip()[-600:]))


def make_ca(folder, name):
    """A self-signed CA; returns (cert path, key path)."""
    os.makedirs(folder, exist_ok=True)
    key, crt = name + ".key", name + ".crt"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-sha256",
             "-subj", "/CN=%s test CA" % name, "-keyout", key, "-out", crt,
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)
    return os.path.join(folder, crt), os.path.join(folder, key)


def make_server_cert(folder, name, ca, san):
    """A server certificate for 'san' (e.g. "IP:127.0.0.1") signed by 'ca'; also a PKCS#12
    keystore for Java. Returns (cert, key, p12 path, p12 password)."""
    ca_crt, ca_key = ca
    key, csr, crt, p12 = name + ".key", name + ".csr", name + ".crt", name + ".p12"
    password = pwtest.unique("ks")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=%s" % name, "-keyout", key,
             "-out", csr, cwd=folder)
    ext = os.path.join(folder, name + ".ext")
    with open(ext, "w", encoding="ascii") as f:
        f.write("subjectAltName=%s\nextendedKeyUsage=serverAuth\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n" % san)
    _openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
             "-days", "2", "-sha256", "-extfile", ext, "-out", crt, cwd=folder)
    _openssl("pkcs12", "-export", "-in", crt, "-inkey", key, "-certfile", ca_crt,
             "-name", name, "-out", p12, "-passout", "pass:" + password, cwd=folder)
    return (os.path.join(folder, crt), os.path.join(folder, key), os.path.join(folder, p12),
            password)


# ---- a SASL_SSL Kafka broker ---------------------------------------------------------------

def kafka_libs():
    """The Kafka 3.9 jar folder deploy/kafka-fetch keeps (fetching it when needed)."""
    r = subprocess.run([os.path.join(pwtest.REPO, "deploy", "kafka-fetch")],
                       capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError("deploy/kafka-fetch: %s" % r.stderr.strip()[-600:])
    return r.stdout.strip()


SASL_BROKER_PROPERTIES = """\
# A single-node KRaft broker whose only client listener is SASL_SSL with SCRAM-SHA-512.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners=SASL_SSL://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=SASL_SSL://127.0.0.1:{port}
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=\
org.apache.kafka.common.security.scram.ScramLoginModule required \
username="{admin_user}" password="{admin_password}";
ssl.keystore.type=PKCS12
ssl.keystore.location={keystore}
ssl.keystore.password={keystore_password}
ssl.key.password={keystore_password}
ssl.truststore.type=PEM
ssl.truststore.location={ca}
ssl.client.auth=none
log.dirs={data}
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
"""

# Added to SASL_BROKER_PROPERTIES for a broker that authorizes: KRaft's own authorizer, no
# access where no ACL says so, and two super users: the admin user of the tests and the
# controller listener's principal (PLAINTEXT on loopback, so ANONYMOUS), which the broker
# needs to register with the controller in this one-node combined set-up.
AUTHORIZER_PROPERTIES = """\
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:{admin_user};User:ANONYMOUS
"""


class SaslKafka:
    """A broker on 127.0.0.1:port (SASL_SSL, SCRAM-SHA-512) with users 'admin' and 'pipewright'
    (and 'more_users'); with 'authorizer', KRaft's StandardAuthorizer refuses what no ACL allows
    to anyone but 'admin'.

    The SCRAM credentials are written into the KRaft metadata when the storage is formatted
    (kafka-storage format --add-scram), so the broker knows them before it first starts."""

    def __init__(self, folder, authorizer=False, more_users=()):
        self.folder = folder
        self.port = free_port()
        self.controller_port = free_port()
        self.admin_user, self.admin_password = "admin", pwtest.unique("admin-pw")
        self.user, self.password = "pipewright", pwtest.unique("kafka-pw")
        self.authorizer = authorizer
        # Further SCRAM users: name -> password.
        self.more_users = {u: pwtest.unique(u + "-pw") for u in more_users}
        self.proc = None
        self.log_path = os.path.join(folder, "kafka.log")

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.port

    def start(self, libs, ca, keystore, keystore_password):
        os.makedirs(os.path.join(self.folder, "data"), exist_ok=True)
        self.ca = ca
        props = os.path.join(self.folder, "server.properties")
        with open(props, "w", encoding="utf-8") as f:
            f.write(SASL_BROKER_PROPERTIES.format(
                controller_port=self.controller_port, port=self.port,
                admin_user=self.admin_user, admin_password=self.admin_password,
                keystore=keystore, keystore_password=keystore_password, ca=ca,
                data=os.path.join(self.folder, "data")))
            if self.authorizer:
                f.write(AUTHORIZER_PROPERTIES.format(admin_user=self.admin_user))
        log4j = os.path.join(self.folder, "log4j.properties")
        shutil.copy(os.path.join(pwtest.REPO, "deploy", "kafka", "log4j.properties"), log4j)
        java = [tool("java") or "java", "-Xms64m", "-Xmx384m", "-Djava.awt.headless=true",
                "-Dlog4j.configuration=file:" + log4j, "-Dkafka.logs.dir=" + self.folder,
                "-cp", os.path.join(libs, "*")]
        cluster = subprocess.run(java + ["kafka.tools.StorageTool", "random-uuid"],
                                 capture_output=True, text=True, timeout=120)
        if cluster.returncode != 0:
            raise RuntimeError("kafka-storage random-uuid: %s" % cluster.stderr[-600:])
        users = dict(self.more_users)
        users.update({self.admin_user: self.admin_password, self.user: self.password})
        scram = []
        for name, password in sorted(users.items()):
            scram += ["--add-scram", "SCRAM-SHA-512=[name=%s,password=%s]" % (name, password)]
        fmt = subprocess.run(
            java + ["kafka.tools.StorageTool", "format", "-t", cluster.stdout.strip(),
                    "-c", props] + scram,
            capture_output=True, text=True, timeout=120)
        if fmt.returncode != 0:
            raise RuntimeError("kafka-storage format: %s %s" % (fmt.stdout[-300:],
                                                                fmt.stderr[-600:]))
        self.java = java
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(java + ["kafka.Kafka", props],
                                         stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT)
        self.wait()

    def client_config(self, **over):
        conf = {"bootstrap.servers": self.bootstrap, "security.protocol": "SASL_SSL",
                "sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": self.admin_user,
                "sasl.password": self.admin_password, "ssl.ca.location": self.ca}
        conf.update(over)
        return conf

    def kafka_acls(self, *args):
        """Runs kafka-acls (kafka.admin.AclCommand, what bin/kafka-acls.sh runs) as the admin
        user over SASL_SSL; returns its standard output or raises RuntimeError."""
        config = os.path.join(self.folder, "admin-client.properties")
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
                    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
                    "required username=\"%s\" password=\"%s\";\n"
                    "ssl.truststore.type=PEM\nssl.truststore.location=%s\n" % (
                        self.admin_user, self.admin_password, self.ca))
        r = subprocess.run(self.java + ["kafka.admin.AclCommand", "--bootstrap-server",
                                        self.bootstrap, "--command-config", config] + list(args),
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError("kafka-acls %s: %s %s" % (" ".join(args), r.stdout[-600:],
                                                        r.stderr[-600:]))
        return r.stdout

    def wait(self):
        from confluent_kafka.admin import AdminClient

        deadline = time.monotonic() + KAFKA_START_TIMEOUT_S
        admin = None
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("the SASL_SSL broker exited (%s); its log:\n%s" % (
                    self.proc.returncode, self.log_tail()))
            try:
                if admin is None:
                    # A client made before the port listens only logs refused connections.
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    admin = AdminClient(self.client_config())
                md = admin.list_topics(timeout=5)
                if md.brokers:
                    return
            except Exception:  # noqa: BLE001 - not up yet; the deadline decides
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the SASL_SSL broker did not answer within %d s; its log:\n%s"
                                   % (KAFKA_START_TIMEOUT_S, self.log_tail()))
            time.sleep(1)

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc, timeout=40)


# ---- a Redis with an ACL user --------------------------------------------------------------

class AclRedis:
    """redis-server on a free loopback port: the default user is off, so nothing answers
    without AUTH; user 'pipewright' has a password and may use the pw:* keys only."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.user, self.password = "pipewright", pwtest.unique("redis-pw")
        self.proc = None

    def url(self, password=None):
        return "redis://%s:%s@127.0.0.1:%d" % (self.user, password or self.password, self.port)

    def start(self):
        os.makedirs(self.folder, exist_ok=True)
        acl = os.path.join(self.folder, "users.acl")
        with open(acl, "w", encoding="utf-8") as f:
            f.write("user default off nopass nocommands\n")
            f.write("user %s on >%s ~pw:* &* +@all -@dangerous +info\n" % (self.user,
                                                                         self.password))
        self.proc = subprocess.Popen(
            [tool("redis-server") or "redis-server", "--bind", "127.0.0.1",
             "--port", str(self.port), "--dir", self.folder, "--save", "",
             "--appendonly", "no", "--aclfile", acl, "--logfile",
             os.path.join(self.folder, "redis.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"AUTH %s %s\r\nPING\r\n" % (self.user.encode(),
                                                          self.password.encode()))
                    data = b""
                    while data.count(b"\r\n") < 2:
                        chunk = s.recv(100)
                        if not chunk:
                            break
                        data += chunk
                    if data == b"+OK\r\n+PONG\r\n":
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the ACL Redis did not start (rc %s)" % self.proc.poll())
            time.sleep(0.2)

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc, timeout=15)
