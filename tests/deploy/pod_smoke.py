#!/usr/bin/env python3
"""tests/deploy/pod_smoke.py - the chart's pod, reproduced on this machine without Kubernetes.

Renders the chart against a real Kafka and a private Redis with a password, then runs what the
pod runs, under the same constraints: a read-only root file system, user 10001 with no
capabilities and no_new_privs, a private /tmp, nothing else writable.
  1. the init container's render-config.sh, reading the ConfigMap's files and the Redis
     password from a secret file, writing into the memory volume;
  2. pipewrightd with only the rendered file, its instance id from the environment as the
     downward API gives it, and the same arguments as the chart's container.
It then checks /healthz and /readyz, publishes one requirement with the CLI, waits for its
answer in /metrics, sends SIGTERM and expects exit status 0 within the grace period.

  deploy/with-services tests/deploy/pod_smoke.py
needs KAFKA_BOOTSTRAP (deploy/with-services exports it), bwrap (Debian: bubblewrap), root (to
switch to user 10001), helm from deploy/install-tools, and build/pipewrightd and
build/pipewright.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UID = 10001


def die(msg):
    sys.exit("pod_smoke: FAIL: %s" % msg)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""
    except OSError:
        return 0, ""


def descendants(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        return []
    out = []
    for k in kids:
        out += [k] + descendants(k)
    return out


def daemon_pid(sandbox_pid, exe):
    """The daemon inside the sandbox: the signal goes to it, as the kubelet's would (bwrap
    itself does not pass signals on)."""
    for pid in descendants(sandbox_pid):
        try:
            if os.readlink("/proc/%d/exe" % pid) != exe:
                continue
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                if b"--speech-worker" in f.read():
                    continue
        except OSError:
            continue
        return pid
    die("no daemon process under the sandbox")


def sandbox(writable, argv, env):
    """argv as the pod's user: read-only root, private /tmp, only 'writable' bound read-write."""
    cmd = ["bwrap", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
           "--perms", "1777", "--tmpfs", "/tmp", "--unshare-pid", "--die-with-parent"]
    for w in writable:
        cmd += ["--bind", w, w]
    cmd += ["--", "setpriv", "--reuid", str(UID), "--regid", str(UID), "--clear-groups",
            "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "env", "-i"]
    cmd += ["%s=%s" % kv for kv in env.items()] + argv
    return cmd


def main():
    brokers = os.environ.get("KAFKA_BOOTSTRAP")
    if not brokers:
        die("KAFKA_BOOTSTRAP is not set (run under deploy/with-services)")
    if os.geteuid() != 0:
        die("must run as root to switch to user %d" % UID)
    for tool in ("bwrap", "setpriv", "redis-server"):
        if not shutil.which(tool):
            die("%s not found" % tool)
    env_lines = subprocess.run([os.path.join(ROOT, "deploy", "install-tools"), "--print-env"],
                               check=True, capture_output=True, text=True).stdout
    helm = dict(l.split("=", 1) for l in env_lines.splitlines())["HELM"]

    # Not under /tmp: the sandbox gets a private /tmp, as the pod does.
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    work = tempfile.mkdtemp(prefix="pod-smoke-", dir=os.path.join(ROOT, "build"))
    os.chmod(work, 0o755)
    # Copies, so that a rebuild of build/ during the run changes nothing under our feet.
    bindir = os.path.join(work, "bin")
    os.mkdir(bindir)
    os.chmod(bindir, 0o755)
    daemon = shutil.copy2(os.path.join(ROOT, "build", "pipewrightd"), bindir)
    cli = shutil.copy2(os.path.join(ROOT, "build", "pipewright"), bindir)
    redis_proc = proc = None
    try:
        # A private Redis that demands a password, as the production one would.
        password = "s3cret:with@signs"
        redis_port = free_port()
        redis_dir = os.path.join(work, "redis")
        os.mkdir(redis_dir)
        redis_proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port",
                                       str(redis_port), "--requirepass", password,
                                       "--dir", redis_dir, "--save", "", "--appendonly", "no"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        prefix = "pwpod%d" % os.getpid()
        subprocess.run([cli, "topics", "create", "--brokers", brokers, "--topic-prefix", prefix,
                        "--partitions", "1", "--replication", "1"], check=True,
                       stdout=subprocess.DEVNULL)

        rendered = subprocess.run(
            [helm, "template", "pw", os.path.join(ROOT, "helm", "pipewright"),
             "--set", "kafka.brokers=" + brokers, "--set", "kafka.topicPrefix=" + prefix,
             "--set", "kafka.group=" + prefix, "--set", "redis.host=127.0.0.1",
             "--set", "redis.port=%d" % redis_port,
             "--set", "redis.password.existingSecret=pipewright-redis"],
            check=True, capture_output=True, text=True).stdout
        docs = [d for d in yaml.safe_load_all(rendered) if d]
        cm = [d for d in docs if d["kind"] == "ConfigMap"][0]["data"]
        sts = [d for d in docs if d["kind"] == "StatefulSet"][0]["spec"]["template"]["spec"]
        container = [c for c in sts["containers"] if c["name"] == "pipewrightd"][0]
        init = [c for c in sts["initContainers"] if c["name"] == "render-config"][0]

        # The volumes: ConfigMap (read-only), the Secret (0440, group 10001), the memory volume.
        config_dir = os.path.join(work, "etc-pipewright")
        secrets_dir = os.path.join(work, "secrets")
        run_dir = os.path.join(work, "run-pipewright")
        for d in (config_dir, secrets_dir, run_dir):
            os.mkdir(d)
        os.chmod(config_dir, 0o755)
        os.chmod(secrets_dir, 0o755)
        for name, text in cm.items():
            with open(os.path.join(config_dir, name), "w") as f:
                f.write(text)
            os.chmod(os.path.join(config_dir, name), 0o444)  # the volume's defaultMode
        secret = os.path.join(secrets_dir, "redis-password")
        with open(secret, "w") as f:
            f.write(password + "\n")
        os.chown(secret, 0, UID)
        os.chmod(secret, 0o440)
        os.chown(run_dir, UID, UID)

        # 1. The init container.
        script = init["command"][-1].replace("/etc/pipewright", config_dir)
        env = {"SRC": os.path.join(config_dir, "pipewrightd.conf"),
               "DST": os.path.join(run_dir, "pipewrightd.conf"), "SECRETS": secrets_dir}
        p = subprocess.run(sandbox([run_dir], ["/bin/sh", script], env), capture_output=True,
                           text=True, timeout=30)
        if p.returncode != 0:
            die("render-config.sh exited %d: %s" % (p.returncode, p.stderr))
        conf = os.path.join(run_dir, "pipewrightd.conf")
        st = os.stat(conf)
        if st.st_uid != UID or st.st_mode & 0o777 != 0o600:
            die("rendered file is uid %d mode %o, want %d and 600" % (st.st_uid, st.st_mode,
                                                                      UID))
        print("ok init container rendered %s (mode 600, uid %d)" % (conf, UID))

        # 2. The daemon, with the container's arguments but its HTTP port on loopback.
        args = list(container["args"])
        args[args.index("--config") + 1] = conf
        port = free_port()
        args[args.index("--http") + 1] = "127.0.0.1:%d" % port
        env = {"PIPEWRIGHT_INSTANCE_ID": "pw-pipewright-0"}
        log = open(os.path.join(work, "pipewrightd.log"), "w")
        proc = subprocess.Popen(sandbox([], [daemon] + args, env), stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL)
        base = "http://127.0.0.1:%d" % port
        deadline = time.time() + 90
        while http_get(base + "/readyz")[0] != 200:
            if proc.poll() is not None or time.time() > deadline:
                log.flush()
                die("not ready; log:\n" + open(log.name).read()[-3000:])
            time.sleep(0.3)
        if http_get(base + "/healthz")[0] != 200:
            die("/healthz is not 200")
        print("ok daemon ready as uid %d on a read-only root, Redis with its password" % UID)

        with open(os.path.join(ROOT, "deploy", "sample-requirement.json")) as f:
            req = json.load(f)
        req["event_id"] = prefix + "-1"
        subprocess.run([cli, "publish", "--brokers", brokers, "--topic-prefix", prefix,
                        "--file", "-"], input=json.dumps(req), text=True, check=True,
                       stdout=subprocess.DEVNULL)
        deadline = time.time() + 120
        while 'pipewright_requests_total{outcome="answered"} 1' not in http_get(
                base + "/metrics")[1]:
            if proc.poll() is not None or time.time() > deadline:
                die("no answer; log:\n" + open(log.name).read()[-3000:])
            time.sleep(0.3)
        metrics = http_get(base + "/metrics")[1]
        if "pipewright_audio_failed_total 0" not in metrics:
            die("the answer went out without audio")
        print("ok one requirement answered, with audio")

        grace = sts.get("terminationGracePeriodSeconds", 30)
        t0 = time.time()
        os.kill(daemon_pid(proc.pid, daemon), signal.SIGTERM)
        rc = proc.wait(timeout=grace)
        if rc != 0:
            die("exit status %d after SIGTERM" % rc)
        print("ok SIGTERM: exit 0 after %.2f s (grace %d s)" % (time.time() - t0, grace))
        print("pod_smoke: 4 passed, 0 failed")
    finally:
        for p in (proc, redis_proc):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
