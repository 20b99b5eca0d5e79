"""tests/integration/test_redis_cluster.py - pipewrightd on a six-node Redis Cluster.

The daemon is given ONE node of the cluster (--redis redis://127.0.0.1:PORT), learns the rest
itself, and must answer every event exactly once:
  - while all masters are up;
  - after the master it was given as its seed is killed with SIGKILL (`deploy/cluster kill`):
    its replica is promoted after the cluster's node timeout, and the events published right
    after the kill must all be answered, once (the time from the kill to the first and to the
    last of those answers is printed, as docs/reliability.md quotes it);
  - while a range of slots is moved to another master (`redis-cli --cluster reshard`), which
    the daemon sees as MOVED and ASK replies.
The cluster: when REDIS_URL names a node of a Redis Cluster made by deploy/cluster (with the
same REDIS_PORT and PIPEWRIGHT_STATE), that one; otherwise this module starts its own with
deploy/cluster, on PWIT_REDIS_CLUSTER_PORT .. +5 (default: REDIS_URL's port + 1 .. + 6) and in
a temporary state folder, and stops it at the end.
"""

import json
import os
import random
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

import pwtest
from conftest import http_status, start_daemon, stop_daemon

NODES = 6
PROJECTS = 8
EVENTS_PER_ROUND = 16
ANSWER_TIMEOUT_S = 600
FAILOVER_TIMEOUT_S = 60
RESHARD_SLOTS = 2000
with open(os.path.join(pwtest.REPO, "schemas", "requirement.avsc"), encoding="utf-8") as _f:
    _AUDIO = next(f for f in json.load(_f)["fields"] if f["name"] == "audio")
AUDIO_OFF = {f["name"]: None for f in _AUDIO["type"][1]["fields"]}
AUDIO_OFF["enabled"] = False


def _cluster_script(port, state, *args, timeout=180):
    env = dict(os.environ, REDIS_PORT=str(port), PIPEWRIGHT_STATE=state)
    p = subprocess.run([os.path.join(pwtest.REPO, "deploy", "cluster")] + list(args), env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        pytest.fail("deploy/cluster %s exited %d:\n%s" % (" ".join(args), p.returncode,
                                                          p.stderr[-3000:]), pytrace=False)
    return p.stdout


def cli(port, *args, timeout=30):
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port)] + list(args),
                          capture_output=True, text=True, timeout=timeout).stdout


def is_cluster_node(port):
    return "cluster_enabled:1" in cli(port, "info", "cluster")


class Cluster:
    def __init__(self, base, state):
        self.base = base
        self.state = state

    def url(self, i=0):
        return "redis://127.0.0.1:%d" % (self.base + i)

    def nodes(self, via=None):
        """[(port, id, role, slot ranges)] as a live node sees them."""
        for i in ([via] if via is not None else range(NODES)):
            out = cli(self.base + i, "cluster", "nodes")
            if out.strip():
                break
        rows = []
        for line in out.splitlines():
            f = line.split()
            if len(f) < 8:
                continue
            port = int(f[1].split("@")[0].rsplit(":", 1)[1])
            role = "master" if "master" in f[2] and "fail" not in f[2] else \
                "failed" if "fail" in f[2] else "replica"
            rows.append((port, f[0], role, f[8:]))
        return rows

    def masters(self, via=None):
        return [r for r in self.nodes(via) if r[2] == "master" and r[3]]

    def healthy(self):
        """Every node answers and says cluster_state:ok, three masters serve slots, and every
        replica has synced with its master (one that never did refuses to take over: "Disconnected
        from master for longer than allowed")."""
        for i in range(NODES):
            if "cluster_state:ok" not in cli(self.base + i, "cluster", "info"):
                return False
            info = cli(self.base + i, "info", "replication")
            if "role:slave" in info and "master_link_status:up" not in info:
                return False
        return len(self.masters(0)) == 3

    def up(self):
        _cluster_script(self.base, self.state, "up", "redis")
        deadline = time.monotonic() + FAILOVER_TIMEOUT_S
        while not self.healthy():
            if time.monotonic() > deadline:
                pytest.fail("the Redis Cluster is not healthy after `up`:\n%s"
                            % cli(self.base, "cluster", "nodes"), pytrace=False)
            time.sleep(0.5)

    def kill(self, port):
        _cluster_script(self.base, self.state, "kill", "redis-%d" % (port - self.base))


@pytest.fixture(scope="module")
def redis_cluster(tmp_path_factory):
    given = urllib.parse.urlparse(os.environ.get("REDIS_URL", "redis://127.0.0.1:16379"))
    if given.port and is_cluster_node(given.port):
        cluster = Cluster(given.port, os.environ.get("PIPEWRIGHT_STATE",
                                                      "/tmp/pipewright-services"))
        cluster.up()
        yield cluster
        return
    base = int(os.environ.get("PWIT_REDIS_CLUSTER_PORT", (given.port or 16379) + 1))
    cluster = Cluster(base, str(tmp_path_factory.mktemp("redis-cluster")))
    cluster.up()
    yield cluster
    _cluster_script(base, cluster.state, "down", "redis")


@pytest.fixture
def cluster_daemon(bootstrap, redis_cluster, topics, tmp_path):
    d = start_daemon(bootstrap, redis_cluster.url(0), topics, pwtest.unique("pwit-group"),
                     str(tmp_path / "pipewrightd.log"))
    yield d
    if d.alive():
        stop_daemon(d)


class Stream:
    """Publishes rounds of events over PROJECTS projects and checks the answers."""

    def __init__(self, producer, topics, outputs, requirement_schema, report_schema):
        self.producer = producer
        self.topics = topics
        self.outputs = outputs
        self.schema = requirement_schema
        self.report_schema = report_schema
        self.run = pwtest.unique("rc")
        self.scenarios = pwtest.load_scenarios()
        self.expected = set()
        self.per_project = {}
        self.base = random.randint(10, 400)
        self.sent = 0

    def publish(self, n):
        ids = set()
        for _ in range(n):
            i = self.sent
            self.sent += 1
            project = "%s-p%d" % (self.run, i % PROJECTS)
            rec = pwtest.requirement_from_scenario(self.scenarios[i % len(self.scenarios)],
                                                   "%s-e%03d" % (self.run, i), project,
                                                   self.base + i, text_form=False)
            # No spoken summary: the time measured is the state's, not the synthesiser's.
            rec["audio"] = dict(AUDIO_OFF)
            self.producer.produce(self.topics["requirements"], key=project.encode(),
                                  value=pwtest.encode_requirement(self.schema, rec, "avro"))
            ids.add(rec["event_id"])
            self.per_project[project] = self.per_project.get(project, 0) + 1
        assert self.producer.flush(60) == 0
        self.expected |= ids
        return ids

    def report_ids(self):
        return [self.report_schema.decode_single_object(m.value())["event_id"]
                for m in self.outputs.messages[self.topics["reports"]]]

    def wait_answered(self, ids, timeout=ANSWER_TIMEOUT_S):
        """Waits until every id in 'ids' has a report; returns when (time.monotonic()) the
        first and the last of them were seen, or fails."""
        first = None
        deadline = time.monotonic() + timeout
        while True:
            seen = set(self.report_ids()) & ids
            if seen and first is None:
                first = time.monotonic()
            if seen == ids:
                return first, time.monotonic()
            if time.monotonic() > deadline:
                pytest.fail("%d of %d events unanswered after %d s, e.g. %s"
                            % (len(ids - seen), len(ids), timeout, sorted(ids - seen)[:3]),
                            pytrace=False)
            self.outputs.poll(0.5)

    def check_exactly_once(self, daemon, cluster):
        self.outputs.poll(5.0)
        ids = self.report_ids()
        dups = sorted(e for e in set(ids) if ids.count(e) > 1)
        assert not dups, "events answered twice: %s" % dups[:5]
        assert set(ids) == self.expected, "unexpected reports: %s" % \
            sorted(set(ids) - self.expected)[:5]
        # The recent requests' records, spread over the slots, read back through the API.
        with urllib.request.urlopen(daemon.url("/v1/requests"), timeout=10) as r:
            recent = json.load(r)
        assert isinstance(recent, list) and recent, recent
        assert all(isinstance(x, dict) and x.get("event_id") for x in recent), recent[:3]
        assert {x["event_id"] for x in recent} & self.expected, recent[:3]
        # Each project's version counts its events: the state went to the cluster, once each.
        for project, n in sorted(self.per_project.items()):
            out = subprocess.run(["redis-cli", "-c", "-h", "127.0.0.1", "-p",
                                  str(cluster.masters()[0][0]), "HGET",
                                  "pw:{%s}:project" % project, "version"],
                                 capture_output=True, text=True, timeout=30).stdout.strip()
            assert out == str(n), "project %s: version %r after %d events; log:\n%s" % (
                project, out, n, daemon.log_tail())


def _log(daemon):
    with open(daemon.log_path, encoding="utf-8", errors="replace") as f:
        return f.read()


def test_master_failover(cluster_daemon, redis_cluster, topics, producer, outputs,
                         requirement_schema, report_schema):
    d = cluster_daemon
    cluster = redis_cluster
    assert "mode=cluster" in _log(d), d.log_tail()
    s = Stream(producer, topics, outputs, requirement_schema, report_schema)
    first_round = s.publish(EVENTS_PER_ROUND)
    s.wait_answered(first_round)

    # The seed itself when it is a master (the harder case: the daemon must ask the others),
    # else any master.
    masters = cluster.masters()
    victim = next((m for m in masters if m[0] == cluster.base), masters[0])
    t_kill = time.monotonic()
    cluster.kill(victim[0])
    second_round = s.publish(EVENTS_PER_ROUND)
    saw_not_ready = False
    failover_s = None
    while failover_s is None or http_status(d.url("/readyz")) != 200:
        if http_status(d.url("/readyz")) == 503:
            saw_not_ready = True
        if failover_s is None:
            alive = [m for m in cluster.masters((victim[0] - cluster.base + 1) % NODES)
                     if m[0] != victim[0]]
            if len(alive) == 3:
                failover_s = time.monotonic() - t_kill
        if time.monotonic() - t_kill > FAILOVER_TIMEOUT_S:
            pytest.fail("no failover within %d s (masters %s); daemon log:\n%s" % (
                FAILOVER_TIMEOUT_S, cluster.masters(1), d.log_tail()), pytrace=False)
        time.sleep(0.2)
    ready_s = time.monotonic() - t_kill
    t_first, t_last = s.wait_answered(second_round)
    print("\nredis cluster: killed master 127.0.0.1:%d; replica promoted after %.1f s, daemon "
          "ready again after %.1f s; of the %d events published right after the kill the first "
          "was answered %.1f s and the last %.1f s after it (503 seen meanwhile: %s)"
          % (victim[0], failover_s, ready_s, EVENTS_PER_ROUND, t_first - t_kill,
             t_last - t_kill, saw_not_ready))
    assert d.alive(), d.log_tail()
    assert saw_not_ready, "/readyz never said 503 while a master was missing"
    s.check_exactly_once(d, cluster)
    # The killed node comes back as a replica; the cluster is whole again for the next test.
    cluster.up()


def test_reshard_under_load(cluster_daemon, redis_cluster, topics, producer, outputs,
                            requirement_schema, report_schema, tmp_path):
    d = cluster_daemon
    cluster = redis_cluster
    s = Stream(producer, topics, outputs, requirement_schema, report_schema)
    s.wait_answered(s.publish(4))
    masters = cluster.masters()
    src, dst = masters[0], masters[1]
    # Events keep coming while the slots move: commands meet MOVED and ASK. redis-cli says a
    # line per slot: into a file, never a pipe nobody reads until the end.
    reshard_log = open(tmp_path / "reshard.log", "w+")
    reshard = subprocess.Popen(["redis-cli", "--cluster", "reshard",
                                "127.0.0.1:%d" % cluster.base, "--cluster-from", src[1],
                                "--cluster-to", dst[1], "--cluster-slots", str(RESHARD_SLOTS),
                                "--cluster-yes"],
                               stdout=reshard_log, stderr=subprocess.STDOUT, text=True)
    during = set()
    t0 = time.monotonic()
    while reshard.poll() is None and time.monotonic() - t0 < 300:
        during |= s.publish(2)
        s.outputs.poll(0.05)
    rc = reshard.wait(timeout=60)
    t_moved = time.monotonic() - t0
    reshard_log.seek(0)
    out = reshard_log.read()
    reshard_log.close()
    assert rc == 0, out[-3000:]
    after = s.publish(EVENTS_PER_ROUND)
    s.wait_answered(during | after)
    assert d.alive(), d.log_tail()
    s.check_exactly_once(d, cluster)
    served = [m for m in cluster.masters() if m[1] == dst[1]]
    assert served, "the destination master is gone"
    maps = [line for line in _log(d).splitlines() if "REDIS_CLUSTER_MAP" in line]
    redirects = int(maps[-1].rsplit("redirects=", 1)[1].split()[0])
    print("\nredis cluster: moved %d slots from %d to %d in %.1f s while %d events were "
          "published; the daemon followed %d MOVED/ASK replies" % (
              RESHARD_SLOTS, src[0], dst[0], t_moved, len(during), redirects))
    assert redirects > 0, "no MOVED or ASK followed during the reshard: it proved nothing"
