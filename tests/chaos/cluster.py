"""tests/chaos/cluster.py - the `cluster` chaos scenario: pipewright scaled out, under faults.

Three Kafka brokers and a six-node Redis Cluster (deploy/cluster, on the harness's private
ports and state folder), topics with replication factor 3 and min.insync.replicas 2
(`pipewright topics create` on a three-broker cluster), three daemons in one group, each with
its own --instance-id and --http port and the cluster's first Redis node as its only seed. N
events over many projects are fed at a fixed rate while, one after the other:

  broker    one broker (seeded choice) SIGKILLed, restarted 3 s later (deploy/cluster up kafka)
  redis     one Redis master SIGKILLed; its replica takes over; the old master is restarted
            and rejoins as a replica
  reshard   `redis-cli --cluster reshard --cluster-slots S --cluster-yes` from one master to
            another, under load
  daemon    one daemon SIGKILLed, restarted 3 s later with the same --instance-id (which fences
            its predecessor's open transaction; not restarting it would leave that transaction
            open for the 3-minute transaction timeout, see the two-daemons scenario)

Each fault waits until the previous one has recovered. A reader follows the reports topic
read_committed while the run goes on and notes when each event's report became visible, so
every event has a latency (report visible - event sent). Per fault: recovery time = from the
fault until the last report that took longer than --late seconds (0 when none did), and the
answer rate in the 10 s before, from the fault to the recovery, and in the 10 s after (each
fault waits for 10 calm seconds after the previous one, so the windows do not overlap). The
verdict is the harness's own: all reports read again from the beginning, read_committed,
compared with the delivered events (0 missing, 0 duplicated, nothing dead-lettered, as every
event is valid), every daemon alive until its SIGTERM and exiting 0; the event loop's lag
histogram is read from each daemon's /metrics every second.
"""

import os
import random
import re
import subprocess
import threading
import time

from confluent_kafka import Consumer, KafkaError, TopicPartition
from confluent_kafka.admin import AdminClient

WINDOW_S = 10.0
FAULTS = ("broker", "redis", "reshard", "daemon")


def now():
    return time.monotonic()


class ClusterServices:
    """deploy/cluster with the harness's ports and state folder (the Services interface the
    daemons and Ctx use: bootstrap, redis_url, signal)."""

    def __init__(self, state, kafka_port, redis_port):
        self.state = state
        self.kafka_port = kafka_port
        self.redis_port = redis_port
        self.env = dict(os.environ, PIPEWRIGHT_STATE=state, KAFKA_PORT=str(kafka_port),
                        REDIS_PORT=str(redis_port))
        self.script = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))), "deploy", "cluster")
        self.bootstrap = ",".join("127.0.0.1:%d" % (kafka_port + i) for i in range(3))
        self.redis_url = "redis://127.0.0.1:%d" % redis_port
        self.was_up = False

    def run(self, *args, timeout=400):
        p = subprocess.run([self.script] + list(args), env=self.env, capture_output=True,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise RuntimeError("deploy/cluster %s exited %d:\n%s" % (
                " ".join(args), p.returncode, p.stderr[-3000:]))
        return p

    def up(self, *names):
        self.run("up", *names)

    def signal(self, name, sig):
        raise RuntimeError("%s: the cluster's nodes are signalled by deploy/cluster" % name)

    def cli(self, port, *args, timeout=30):
        return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port)] + list(args),
                              capture_output=True, text=True, timeout=timeout).stdout

    def nodes(self, via=None):
        """[(id, port, role, flags, slot count)] from CLUSTER NODES of a live node."""
        ports = [via] if via else [self.redis_port + i for i in range(6)]
        for port in ports:
            out = self.cli(port, "cluster", "nodes")
            if not out.strip():
                continue
            rows = []
            for line in out.splitlines():
                f = line.split()
                nport = int(f[1].split("@")[0].rsplit(":", 1)[1])
                slots = 0
                for r in f[8:]:
                    if r.startswith("["):
                        continue
                    lo, _, hi = r.partition("-")
                    slots += int(hi or lo) - int(lo) + 1
                role = "master" if "master" in f[2] else "replica"
                rows.append((f[0], nport, role, f[2], slots))
            return rows
        raise RuntimeError("no Redis node answers CLUSTER NODES")

    def masters(self, via=None):
        return [r for r in self.nodes(via) if r[2] == "master" and "fail" not in r[3]
                and r[4] > 0]

    def flush(self):
        for _, port, _, _, _ in self.masters():
            self.cli(port, "flushall", timeout=120)

    def ok(self):
        return all("cluster_state:ok" in self.cli(self.redis_port + i, "cluster", "info")
                   for i in range(6))


class AnswerWatch(threading.Thread):
    """Follows the reports topic read_committed; keeps when each event id's report was first
    seen. The harness's verdict does not rely on it (read_all reads everything again)."""

    def __init__(self, h, bootstrap, topic, partitions):
        super().__init__(daemon=True)
        self.seen = {}
        self.halt = threading.Event()
        self.c = Consumer(h.kconf({"bootstrap.servers": bootstrap,
                                   "group.id": "chaos-watch-%d" % os.getpid(),
                                   "isolation.level": "read_committed",
                                   "enable.auto.commit": False}))
        self.c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])

    def run(self):
        while not self.halt.is_set():
            for msg in self.c.consume(500, 0.2):
                if msg.error():
                    if msg.error().code() != KafkaError._PARTITION_EOF:
                        time.sleep(0.1)
                    continue
                t = now()
                for k, v in msg.headers() or []:
                    if k == "pw.event_id":
                        self.seen.setdefault(v.decode("utf-8", "replace"), t)
        self.c.close()


class Timeline:
    """Send times (from the feeder's maker) and answer times (from AnswerWatch)."""

    def __init__(self, make):
        self.sent = {}
        self.inner = make

    def make(self, seq):
        key, value, tag = self.inner(seq)
        self.sent[tag] = now()
        return key, value, tag

    def oldest_unanswered(self, seen, t):
        """Age of the oldest event sent before t and not answered (0 when none)."""
        ages = [t - s for e, s in list(self.sent.items()) if e not in seen]
        return max(ages or [0.0])

    def answers_between(self, seen, t0, t1):
        return sum(1 for e, a in list(seen.items()) if t0 <= a < t1 and e in self.sent)

    def rate(self, seen, t0, t1):
        return None if t1 <= t0 else self.answers_between(seen, t0, t1) / (t1 - t0)

    def worst_after(self, seen, t0, t1, late):
        """(recovered at, slowest latency) for answers seen in [t0, t1)."""
        rec, worst = t0, 0.0
        for e, a in list(seen.items()):
            s = self.sent.get(e)
            if s is None or not t0 <= a < t1:
                continue
            worst = max(worst, a - s)
            if a - s > late:
                rec = max(rec, a)
        return rec, worst


# ---- faults ----------------------------------------------------------------------------------

def fault_broker(cs, ctx, daemons, rng, log):
    victim = rng.randrange(3)
    cs.run("kill", "kafka-%d" % victim)
    time.sleep(3)
    t = now()
    cs.up("kafka")
    log["what"] = "broker %d SIGKILLed, restarted 3 s later" % victim
    log["broker_back_s"] = round(now() - t + 3, 1)


def fault_redis(cs, ctx, daemons, rng, log):
    masters = cs.masters()
    _, port, _, _, _ = masters[rng.randrange(len(masters))]
    victim = port - cs.redis_port
    t = now()
    cs.run("kill", "redis-%d" % victim)
    survivor = cs.redis_port + (victim + 1) % 6
    promoted = None
    while now() - t < 60:
        try:
            rows = cs.nodes(survivor)
        except (RuntimeError, ValueError, IndexError):
            rows = []
        if rows and not any(r[1] == port and r[4] > 0 and "fail" not in r[3] for r in rows) \
                and sum(r[4] for r in rows if r[2] == "master" and "fail" not in r[3]) == 16384:
            promoted = now() - t
            break
        time.sleep(0.1)
    log["what"] = "Redis master %d (port %d) SIGKILLed, restarted after the promotion" % (
        victim, port)
    log["promoted_s"] = None if promoted is None else round(promoted, 1)
    cs.up("redis")
    log["rejoined_s"] = round(now() - t, 1)


def fault_reshard(cs, ctx, daemons, rng, log):
    masters = cs.masters()
    src = max(masters, key=lambda r: r[4])
    dst = rng.choice([m for m in masters if m[0] != src[0]])
    slots = min(ctx.args.reshard_slots, src[4])
    t = now()
    p = subprocess.run(["redis-cli", "--cluster", "reshard", "127.0.0.1:%d" % src[1],
                        "--cluster-from", src[0], "--cluster-to", dst[0], "--cluster-slots",
                        str(slots), "--cluster-yes"], capture_output=True, text=True,
                       timeout=600, stdin=subprocess.DEVNULL)
    moved = len(re.findall(r"^Moving slot", p.stdout, re.M))
    log["what"] = "%d slots resharded from port %d to port %d" % (slots, src[1], dst[1])
    log["reshard_s"] = round(now() - t, 1)
    log["slots_moved"] = moved
    if p.returncode != 0:
        raise RuntimeError("redis-cli --cluster reshard exited %d:\n%s" % (
            p.returncode, (p.stdout + p.stderr)[-2000:]))


def fault_daemon(cs, ctx, daemons, rng, log):
    d = daemons[rng.randrange(len(daemons))]
    d.kill()
    time.sleep(3)
    t = now()
    d.start()
    ready = d.wait_ready(ctx.args.recovery_timeout)
    log["what"] = "daemon %s SIGKILLed, restarted 3 s later (same instance id)" % d.name
    log["ready_s"] = None if ready is None else round(now() - t + 3, 1)


FAULT_FN = {"broker": fault_broker, "redis": fault_redis, "reshard": fault_reshard,
            "daemon": fault_daemon}


# ---- the scenario ----------------------------------------------------------------------------

def wait_calm(tl, watch, late, hold, timeout):
    """Until no sent event has been older than 'late' seconds unanswered for 'hold' seconds in
    a row (or timeout): the previous fault's "after" window is then at least that long."""
    t0 = now()
    calm_since = None
    while now() - t0 < timeout:
        if tl.oldest_unanswered(watch.seen, now()) <= late:
            calm_since = calm_since or now()
            if now() - calm_since >= hold:
                return True
        else:
            calm_since = None
        time.sleep(0.5)
    return False


def inject_all(ctx, cs, daemons, feeder, tl, watch, n):
    a = ctx.args
    rng = ctx.rng
    out = []
    for i, kind in enumerate(FAULTS):
        frac = 0.1 + 0.2 * i
        while feeder.produced < frac * n and feeder.is_alive():
            time.sleep(0.1)
        calm = wait_calm(tl, watch, a.late, WINDOW_S if i else 0, 180)
        log = {"kind": kind, "under_load": feeder.is_alive(), "calm_before": calm,
               "produced": feeder.produced}
        t = now()
        log["t"] = t
        try:
            FAULT_FN[kind](cs, ctx, daemons, rng, log)
        except Exception as e:  # recorded as a failure; the remaining faults still run
            log["error"] = str(e)
        log["injected_s"] = round(now() - t, 1)
        ctx.say_fault(log)
        out.append(log)
    return out


def measure(faults, tl, seen, late, t_start, t_end):
    """Recovery, rates and the slowest answer per fault."""
    for i, f in enumerate(faults):
        t = f["t"]
        t_next = faults[i + 1]["t"] if i + 1 < len(faults) else t_end
        rec, worst = tl.worst_after(seen, t, t_next, late)
        f["recovery_s"] = round(rec - t, 1)
        f["slowest_answer_s"] = round(worst, 1)
        f["rate_before"] = round(tl.rate(seen, max(t_start, t - WINDOW_S), t) or 0, 1)
        f["rate_during"] = None if rec <= t else round(tl.rate(seen, t, rec), 1)
        end = min(t_next, rec + WINDOW_S)
        f["rate_after"] = None if end - rec < 0.5 * WINDOW_S else round(
            tl.rate(seen, rec, end), 1)
        f["at_s"] = round(t - t_start, 1)


def drop_topics(h, bootstrap, topics):
    """The cluster's data outlives the run (deploy/cluster up reuses it): the scenario's topics
    are deleted once counted, so that runs do not pile up partitions for the brokers to load."""
    admin = AdminClient(h.kconf({"bootstrap.servers": bootstrap}))
    for name, fut in admin.delete_topics(list(topics.values())).items():
        try:
            fut.result(timeout=60)
        except Exception as e:  # a leftover topic costs disk, not correctness
            h.say("could not delete %s: %s" % (name, e))


def scenario_cluster(ctx, h):
    a = ctx.args
    cs = ClusterServices(a.state, a.cluster_kafka_port, a.cluster_redis_port)
    ctx.cluster = cs
    t = now()
    cs.up()
    h.say("cluster up in %.1f s: %s %s" % (now() - t, cs.bootstrap, cs.redis_url))
    cs.flush()
    cctx = h.Ctx(a, cs, ctx.run_dir, ctx.rng)
    cctx.say_fault = lambda log: h.say("fault: " + " ".join(
        "%s=%s" % (k, v) for k, v in log.items() if k != "t"))
    try:
        return run(cctx, cs, h)
    finally:
        cctx.cleanup()


def run(ctx, cs, h):
    a = ctx.args
    prefix, group = ctx.names("cluster")
    topics = h.create_topics(ctx, prefix, a.partitions, replication=None)
    daemons = [ctx.daemon("cluster-%d" % i, prefix, group) for i in range(3)]
    for d in daemons:
        h.start_ready(d)
    n = a.cluster_events
    events = h.Events(random.Random(ctx.rng.random()), prefix, a.projects, False)
    tl = Timeline(events.message)
    watch = AnswerWatch(h, cs.bootstrap, topics["reports"], a.partitions)
    feeder = h.Feeder(cs.bootstrap, topics["requirements"], tl.make, n, a.cluster_rate)
    lags = [h.LagSampler([d]) for d in daemons]
    h.say("cluster: %d events at %s/s, %d projects, faults %s" % (n, a.cluster_rate, a.projects,
                                                                   " ".join(FAULTS)))
    watch.start()
    for s in lags:
        s.start()
    t0 = now()
    feeder.start()
    faults = inject_all(ctx, cs, daemons, feeder, tl, watch, n)
    feeder.join()
    t_fed = now()
    drained, lag = h.wait_drained(cs.bootstrap, group, topics["requirements"], a.drain_timeout,
                                  daemons)
    deadline = now() + 60
    while now() < deadline and any(e not in watch.seen for e in feeder.delivered):
        time.sleep(0.5)
    t_end = now()
    watch.halt.set()
    for s in lags:
        s.halt.set()
        s.read(s.daemons[0])
    notes = []
    crashed = [d.name for d in daemons if not d.alive() and not d.expected_exit]
    if crashed:
        notes.append("died on their own: %s" % crashed)
        for d in daemons:
            if d.name in crashed:
                h.say("%s log tail:\n%s" % (d.name, d.log_tail(40)))
    ok = all([h.finish(d, notes) for d in daemons])
    tally, missing, dups, unexpected, dlq = h.verify(ctx, topics, feeder.delivered)
    measure(faults, tl, watch.seen, a.late, t0, t_end)
    drop_topics(h, cs.bootstrap, topics)
    return report(h, a, n, feeder, faults, lags, daemons, tally, missing, dups, unexpected, dlq,
                  drained, lag, notes, ok and not crashed, t0, t_fed, t_end)


def report(h, a, n, feeder, faults, lags, daemons, tally, missing, dups, unexpected, dlq,
           drained, lag, notes, ok, t0, t_fed, t_end):
    if drained is None:
        notes.append("not drained: lag %s" % lag)
    if feeder.failed:
        notes.append("%d not delivered to Kafka" % len(feeder.failed))
    if unexpected:
        notes.append("%d reports for unknown events" % len(unexpected))
    if tally.bad:
        notes.append("%d bad output messages, e.g. %s" % (len(tally.bad), tally.bad[0]))
    errors = [f for f in faults if "error" in f]
    for f in faults:
        notes.append("%s at %ss%s: %s; recovered %ss (slowest answer %ss), answers/s "
                     "%s before, %s during, %s after" % (
                         f["kind"], f["at_s"], "" if f["under_load"] else " (feed over)",
                         f.get("error") or f["what"], f["recovery_s"], f["slowest_answer_s"],
                         f["rate_before"], f["rate_during"], f["rate_after"]))
    notes.append("fed %d in %.0f s (%.0f/s); drained %ss after the feed" % (
        len(feeder.delivered), t_fed - t0, len(feeder.delivered) / max(1e-9, t_fed - t0),
        None if drained is None else round(drained, 1)))
    looplag = {}
    for d, s in zip(daemons, lags):
        p99, mx, probes = s.summary()
        looplag[d.name] = {"p99_ms": p99, "max_ms": round(mx, 1), "probes": probes}
        notes.append("%s %s" % (d.name, s.note()))
    if missing:
        h.say("cluster: missing, e.g. %s" % sorted(missing)[:10])
    ok = (ok and not missing and dups == 0 and not dlq and not unexpected and not tally.bad
          and drained is not None and not errors and not feeder.failed
          and all(f["under_load"] for f in faults))
    r = h.row("cluster", len(feeder.delivered), len(missing), dups, len(dlq), len(faults),
              t_end - t0, ok, notes)
    r["fault_log"] = [{k: v for k, v in f.items() if k != "t"} for f in faults]
    r["loop_lag"] = looplag
    r["drain_s"] = None if drained is None else round(drained, 1)
    return r
