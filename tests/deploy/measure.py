#!/usr/bin/env python3
"""tests/deploy/measure.py - the figures behind the chart's resource requests and limits.

Runs one pipewrightd with the chart's defaults (2 speech workers, max_in_flight 16) against a Kafka and a Redis,
publishes N requirement events with the CLI, waits until all are answered, then stops the
daemon with SIGTERM. Samples every 50 ms the resident memory (VmRSS) and CPU time of the daemon
and all its descendants (the speech workers), and prints:
  idle RSS once ready, peak RSS of the process tree and of the daemon alone, CPU seconds spent
  per answered request, wall time per request, time from SIGTERM to exit and the exit status.

  deploy/with-services tests/deploy/measure.py [--events N] [--workers N] [--backlog]
With --backlog the events are published before the daemon starts, so it meets a full topic and
works at max_in_flight: the worst case for memory, and its throughput when CPU-bound.
uses KAFKA_BOOTSTRAP and REDIS_URL from the environment (deploy/with-services exports them).
Topics get a unique prefix, so the run never touches anyone else's.
"""
import argparse
import json
import os
import re
import signal
import shutil
import socket
import subprocess
import tempfile
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def children(pid):
    out = []
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        return out
    for k in kids:
        out.append(k)
        out.extend(children(k))
    return out


def rss_and_cpu(pid):
    """(RSS bytes, CPU seconds) of one process, or (0, 0) once it is gone."""
    try:
        with open("/proc/%d/statm" % pid) as f:
            rss = int(f.read().split()[1]) * PAGE
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / TICKS
        return rss, cpu
    except (OSError, IndexError, ValueError):
        return 0, 0.0


class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_tree = 0
        self.peak_daemon = 0
        self.last_tree = 0
        self.cpu = {}
        self.stop = False

    def run(self):
        while not self.stop:
            tree = [self.pid] + children(self.pid)
            total = 0
            for p in tree:
                rss, cpu = rss_and_cpu(p)
                total += rss
                if p == self.pid:
                    self.peak_daemon = max(self.peak_daemon, rss)
                if cpu:
                    self.cpu[p] = cpu
            self.last_tree = total
            self.peak_tree = max(self.peak_tree, total)
            time.sleep(0.05)


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""
    except OSError:
        return 0, ""


def answered(metrics):
    m = re.search(r'^pipewright_requests_total\{outcome="answered"\} (\d+)', metrics, re.M)
    return int(m.group(1)) if m else 0


def publish(cli, brokers, prefix, events):
    with open(os.path.join(ROOT, "deploy", "sample-requirement.json")) as f:
        base = json.load(f)
    for i in range(events):
        # Different figures give different reports and spoken texts, so every request pays
        # for its synthesis (the daemon caches audio by text and voice).
        # The spoken text starts with the title's words before its colon, so a title unique
        # per run and request defeats the cache, which lives in Redis and outlives a run.
        salt = int(prefix[len("pwmeasure"):]) % 997
        req = dict(base, event_id="%s-%04d" % (prefix, i), project_id="measure-%d" % i,
                   title="Run %d request %d: %s" % (salt, i, base["title"]),
                   budget_usd_per_month=5000 + 750 * i + salt, retention_days=30 + 11 * i,
                   freshness_seconds=60 + 45 * i)
        req["sources"] = [dict(base["sources"][0], volume_gb_per_day=50 + 97 * i,
                               peak_events_per_sec=1000 + 2500 * i)]
        subprocess.run([cli, "publish", "--brokers", brokers, "--topic-prefix", prefix,
                        "--file", "-"], input=json.dumps(req), text=True, check=True,
                       stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=40)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--backlog", action="store_true")
    ap.add_argument("--max-in-flight", type=int, default=16)
    a = ap.parse_args()
    brokers = os.environ.get("KAFKA_BOOTSTRAP")
    redis = os.environ.get("REDIS_URL")
    if not brokers or not redis:
        sys.exit("measure: KAFKA_BOOTSTRAP and REDIS_URL must be set (run it under "
                 "deploy/with-services)")
    prefix = "pwmeasure%d" % os.getpid()
    # Copies, so that a rebuild of the build folder during the run changes nothing.
    bindir = tempfile.mkdtemp(prefix=prefix)
    daemon = shutil.copy2(os.path.join(a.build, "pipewrightd"), bindir)
    cli = shutil.copy2(os.path.join(a.build, "pipewright"), bindir)
    subprocess.run([cli, "topics", "create", "--brokers", brokers, "--topic-prefix", prefix,
                    "--partitions", "2", "--replication", "1"], check=True,
                   stdout=subprocess.DEVNULL)
    if a.backlog:
        publish(cli, brokers, prefix, a.events)
    http = "127.0.0.1:%d" % free_port()
    log = open(os.path.join("/tmp", prefix + ".log"), "w")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPEWRIGHT_")}
    proc = subprocess.Popen([daemon, "--brokers", brokers, "--redis", redis, "--http", http,
                             "--group", prefix, "--topic-prefix", prefix,
                             "--instance-id", prefix + "-0", "--workers", str(a.workers),
                             "--max-in-flight", str(a.max_in_flight)],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
    started = time.time()
    sampler = Sampler(proc.pid)
    sampler.start()
    try:
        deadline = time.time() + 120
        while http_get("http://%s/readyz" % http)[0] != 200:
            if proc.poll() is not None or time.time() > deadline:
                sys.exit("measure: daemon not ready (log in %s)" % log.name)
            time.sleep(0.2)
        if a.backlog:
            # The work starts with the daemon: count from its start, with no idle baseline.
            idle, cpu_idle, t0 = 0, 0.0, started
        else:
            time.sleep(1.0)
            idle = sampler.last_tree
            cpu_idle = sum(sampler.cpu.values())
            t0 = time.time()
            publish(cli, brokers, prefix, a.events)
        deadline = time.time() + a.timeout
        done = 0
        while done < a.events:
            if proc.poll() is not None or time.time() > deadline:
                sys.exit("measure: %d of %d answered (log in %s)" % (done, a.events, log.name))
            done = answered(http_get("http://%s/metrics" % http)[1])
            time.sleep(0.2)
        wall = time.time() - t0
        final = http_get("http://%s/metrics" % http)[1]
        cpu_busy = sum(sampler.cpu.values()) - cpu_idle
        t1 = time.time()
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=60)
        stop_s = time.time() - t1
    finally:
        sampler.stop = True
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(bindir, ignore_errors=True)
    mib = 1024 * 1024
    print("events answered:            %d (workers %d, max_in_flight %d)" %
          (a.events, a.workers, a.max_in_flight))
    if not a.backlog:
        print("RSS idle, process tree:     %.1f MiB" % (idle / mib))
    print("RSS peak, process tree:     %.1f MiB" % (sampler.peak_tree / mib))
    print("RSS peak, daemon alone:     %.1f MiB" % (sampler.peak_daemon / mib))
    print("CPU per request:            %.3f s" % (cpu_busy / a.events))
    print("wall per request:           %.3f s (%s to last answer)" %
          (wall / a.events, "start" if a.backlog else "first publish"))
    for line in final.splitlines():
        if line.startswith(("pipewright_audio_cache_total", "pipewright_audio_failed_total",
                            "pipewright_requests_total", "pipewright_transactions_total")):
            print("metric %s" % line)
    print("SIGTERM to exit:            %.2f s, exit status %d" % (stop_s, rc))
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
