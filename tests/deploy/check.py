#!/usr/bin/env python3
"""tests/deploy/check.py - structural checks of the deployment files that no linter covers.

Each subcommand checks one artifact against what the daemon and the contract need, and exits
non-zero with one line per failure:
  chart FILE [NAME]        manifests rendered by `helm template`: security context, probes,
                           selectors, config keys known to the daemon, no secret in a ConfigMap
  render-script FILE       runs the init container's render-config.sh from the rendered
                           ConfigMap against fake secret files, and the daemon's parser on the
                           result when a pipewrightd binary is given with PIPEWRIGHTD
  conf-example FILE        deploy/pipewrightd.conf.example names every option with its real
                           default (and the daemon agrees, when PIPEWRIGHTD is set)
  compose FILE             deploy/compose.yaml: services, ordering, KRaft, AOF, hardening
  values-schema FILE       the chart's values.schema.json allows each daemon option the chart
                           does not set itself, with the daemon's own bounds, and no other
  dockerfile FILE          deploy/Dockerfile: stages, user, entrypoint, and Debian packages that
                           cover the libraries the build links (pkg-config) and the binary needs
                           (ldd, when PIPEWRIGHTD is set)
Option names and defaults come from daemon/config.c, the daemon's own table.
"""
import os
import re
import shlex
import stat
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAILURES = []


def fail(msg):
    FAILURES.append(msg)


def expect(cond, msg):
    if not cond:
        fail(msg)
    return cond


def daemon_options():
    """{name: default} from the option table in daemon/config.c."""
    with open(os.path.join(ROOT, "daemon", "config.c"), encoding="utf-8") as f:
        src = f.read()
    table = src[src.index("rows[] = {"):]
    table = table[:table.index("};")]
    opts = {}
    for m in re.finditer(r'\b(?:STR|INT|BOOL)\((\w+),\s*"([^"]*)"', table):
        opts[m.group(1)] = m.group(2)
    for m in re.finditer(r'\{"(\w+)",\s*OPT_\w+,\s*offsetof\([^)]*\),\s*"([^"]*)"', table):
        opts[m.group(1)] = m.group(2)
    if len(opts) < 10:
        sys.exit("check.py: could not read the option table of daemon/config.c")
    return opts


def daemon_int_bounds():
    """{name: (min, max)} of the integer options in daemon/config.c."""
    with open(os.path.join(ROOT, "daemon", "config.c"), encoding="utf-8") as f:
        src = f.read()
    return {m.group(1): (int(m.group(2)), int(m.group(3))) for m in
            re.finditer(r'\bINT\((\w+),\s*"[^"]*",\s*(-?\d+),\s*(-?\d+)', src)}


# Options the chart sets from its own values (kafka, redis, http), or that only apply to the
# embedded mock cluster; values.schema.json must refuse them under config.
CHART_SET = {"kafka", "brokers", "bootstrap_file", "embedded_partitions", "redis", "http",
             "http_token", "http_token_file", "http_tenants_file", "group", "topic_prefix",
             "instance_id"}
# Secrets never go into the ConfigMap: the chart takes them as files (the *_file options).
SECRET_OPTS = {"schema_registry_password"}


def conf_lines(text):
    """(key, value) pairs of a pipewrightd configuration file, as the daemon reads them."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if "=" not in s:
            fail("configuration line without '=': %r" % s)
            continue
        k, v = s.split("=", 1)
        out.append((k.strip(), v.strip()))
    return out


def pipewrightd():
    exe = os.environ.get("PIPEWRIGHTD", "")
    return exe if exe and os.access(exe, os.X_OK) else None


def print_config(exe, conf_path, env=None):
    """The daemon's effective configuration for a file, as {key: value}."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("PIPEWRIGHT_")}
    e.update(env or {})
    p = subprocess.run([exe, "--config", conf_path, "--print-config"], capture_output=True,
                       text=True, env=e, timeout=30)
    if p.returncode != 0:
        fail("pipewrightd --print-config on %s exited %d: %s" % (conf_path, p.returncode,
                                                                 p.stderr.strip()))
        return {}
    return dict(conf_lines(p.stdout))


# ---- chart -------------------------------------------------------------------------------------

def load_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def matches(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def check_security(where, sc, pod_level):
    expect(sc.get("runAsNonRoot") is True, "%s: runAsNonRoot is not true" % where)
    expect(isinstance(sc.get("runAsUser"), int) and sc.get("runAsUser") > 0,
           "%s: runAsUser is not a non-zero uid" % where)
    expect((sc.get("seccompProfile") or {}).get("type") == "RuntimeDefault",
           "%s: seccompProfile is not RuntimeDefault" % where)
    if not pod_level:
        expect(sc.get("readOnlyRootFilesystem") is True,
               "%s: readOnlyRootFilesystem is not true" % where)
        expect(sc.get("allowPrivilegeEscalation") is False,
               "%s: allowPrivilegeEscalation is not false" % where)
        expect((sc.get("capabilities") or {}).get("drop") == ["ALL"],
               "%s: capabilities do not drop ALL" % where)


def check_chart(path, name):
    docs = load_docs(path)
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    opts = daemon_options()
    expect("Secret" not in by_kind, "%s: the chart renders a Secret" % name)

    workloads = by_kind.get("StatefulSet", []) + by_kind.get("Deployment", [])
    if not expect(len(workloads) == 1, "%s: %d workloads, want 1" % (name, len(workloads))):
        return
    wl = workloads[0]
    spec = wl["spec"]
    pod = spec["template"]["spec"]
    pod_labels = spec["template"]["metadata"]["labels"]
    expect(matches(spec["selector"]["matchLabels"], pod_labels),
           "%s: workload selector does not match its pod labels" % name)
    check_security("%s: pod" % name, pod.get("securityContext") or {}, True)
    expect(pod.get("automountServiceAccountToken") is False,
           "%s: service account token mounted" % name)
    expect(pod.get("enableServiceLinks") is False,
           "%s: service links on (they add *_PORT variables to the environment)" % name)
    grace = pod.get("terminationGracePeriodSeconds", 30)
    expect(grace >= 25, "%s: terminationGracePeriodSeconds %s is under the 20 s drain plus "
           "margin" % (name, grace))
    containers = pod.get("containers", []) + pod.get("initContainers", [])
    for c in containers:
        where = "%s: container %s" % (name, c["name"])
        check_security(where, c.get("securityContext") or {}, False)
        res = c.get("resources") or {}
        for part in ("requests", "limits"):
            for r in ("cpu", "memory"):
                expect(r in (res.get(part) or {}), "%s: no %s.%s" % (where, part, r))
    main = [c for c in pod["containers"] if c["name"] == "pipewrightd"]
    if not expect(len(main) == 1, "%s: no pipewrightd container" % name):
        return
    main = main[0]
    ports = {p["name"]: p["containerPort"] for p in main.get("ports", [])}
    expect("http" in ports, "%s: no container port named http" % name)
    args = main.get("args", [])
    expect("--config" in args, "%s: daemon started without --config" % name)
    if "--http" in args:
        addr = args[args.index("--http") + 1]
        expect(addr == "0.0.0.0:%s" % ports.get("http"),
               "%s: --http %s does not listen on the http port on all interfaces" % (name, addr))
    env = {e["name"]: e for e in main.get("env", [])}
    inst = env.get("PIPEWRIGHT_INSTANCE_ID", {})
    expect(((inst.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath") ==
           "metadata.name", "%s: instance id is not the pod name" % name)
    for e in main.get("env", []):
        expect("value" not in e or not re.search(r"password|secret", e["name"], re.I),
               "%s: env %s carries a literal secret" % (name, e["name"]))
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        if probe in main:
            get = main[probe].get("httpGet", {})
            expect(get.get("path") == path and get.get("port") in ("http", ports.get("http")),
                   "%s: %s is not GET %s on the http port" % (name, probe, path))
    mounted = {m["name"] for m in main.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for m in mounted:
        expect(m in volumes, "%s: mount of unknown volume %s" % (name, m))
    expect("secrets" not in mounted, "%s: the daemon mounts the raw Secrets" % name)

    # The configuration file: only options the daemon knows, never a secret.
    cms = by_kind.get("ConfigMap", [])
    if expect(len(cms) == 1, "%s: %d ConfigMaps, want 1" % (name, len(cms))):
        cm = cms[0]
        conf = cm["data"].get("pipewrightd.conf", "")
        keys = set()
        for k, v in conf_lines(conf):
            keys.add(k)
            expect(k.startswith("kafka.") or k in opts,
                   "%s: pipewrightd.conf sets %s, which the daemon does not know" % (name, k))
            expect(not re.search(r"password|secret|sasl\.oauthbearer\.config|ssl\.key\.pem", k),
                   "%s: pipewrightd.conf holds the secret %s" % (name, k))
            if k == "redis":
                expect("@" not in v, "%s: the Redis URL in the ConfigMap has credentials" % name)
        for k in ("brokers", "group", "topic_prefix"):
            expect(k in keys, "%s: pipewrightd.conf lacks %s" % (name, k))
        expect("render-config.sh" in cm["data"], "%s: no render-config.sh" % name)
        expect(main.get("volumeMounts") and volumes.get("rendered", {}).get("emptyDir", {})
               .get("medium") == "Memory", "%s: the rendered file is not in memory" % name)
        cm_name = cm["metadata"]["name"]
        expect(any((v.get("configMap") or {}).get("name") == cm_name for v in volumes.values()),
               "%s: the ConfigMap is not mounted" % name)

    services = by_kind.get("Service", [])
    plain = [s for s in services if s["spec"].get("clusterIP") != "None"]
    if expect(len(plain) == 1, "%s: %d non-headless Services, want 1" % (name, len(plain))):
        svc = plain[0]
        expect(matches(svc["spec"]["selector"], pod_labels),
               "%s: Service selector does not match the pods" % name)
        expect(any(p.get("name") == "http" and p.get("targetPort") in ("http", ports.get("http"))
                   for p in svc["spec"]["ports"]), "%s: Service has no http port" % name)
    if wl["kind"] == "StatefulSet":
        headless = [s for s in services if s["metadata"]["name"] == spec.get("serviceName")]
        expect(len(headless) == 1 and headless[0]["spec"].get("clusterIP") == "None",
               "%s: StatefulSet serviceName is not a headless Service" % name)

    for pdb in by_kind.get("PodDisruptionBudget", []):
        expect(matches(pdb["spec"]["selector"]["matchLabels"], pod_labels),
               "%s: PodDisruptionBudget selects other pods" % name)
        expect(("minAvailable" in pdb["spec"]) != ("maxUnavailable" in pdb["spec"]),
               "%s: PodDisruptionBudget needs exactly one of minAvailable, maxUnavailable" % name)
    for hpa in by_kind.get("HorizontalPodAutoscaler", []):
        ref = hpa["spec"]["scaleTargetRef"]
        expect(ref["kind"] == wl["kind"] and ref["name"] == wl["metadata"]["name"],
               "%s: HorizontalPodAutoscaler targets %s/%s" % (name, ref["kind"], ref["name"]))
        expect("replicas" not in spec, "%s: replicas set while autoscaled" % name)
    for sm in by_kind.get("ServiceMonitor", []):
        expect(sm["apiVersion"] == "monitoring.coreos.com/v1",
               "%s: ServiceMonitor apiVersion %s" % (name, sm["apiVersion"]))
        sel = sm["spec"]["selector"]["matchLabels"]
        targets = [s for s in plain if matches(sel, s["metadata"]["labels"])]
        expect(len(targets) == 1, "%s: ServiceMonitor selects %d Services" % (name, len(targets)))
        for ep in sm["spec"]["endpoints"]:
            expect(ep.get("port") == "http" and ep.get("path") == "/metrics",
                   "%s: ServiceMonitor endpoint is not http /metrics" % name)
    for sa in by_kind.get("ServiceAccount", []):
        expect(sa["metadata"]["name"] == pod.get("serviceAccountName"),
               "%s: pods do not use the ServiceAccount %s" % (name, sa["metadata"]["name"]))


# ---- render-config.sh ----------------------------------------------------------------------------

def run_render(script, conf, secrets):
    """Runs the script in a scratch folder; returns (exit status, output file text, mode)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.conf")
        dst = os.path.join(tmp, "out.conf")
        sdir = os.path.join(tmp, "secrets")
        os.mkdir(sdir)
        with open(src, "w", encoding="utf-8") as f:
            f.write(conf)
        os.chmod(src, 0o444)  # as a ConfigMap volume presents it
        for k, v in secrets.items():
            with open(os.path.join(sdir, k), "w", encoding="utf-8") as f:
                f.write(v)
        path = os.path.join(tmp, "render-config.sh")
        with open(path, "w", encoding="utf-8") as f:
            f.write(script)
        env = dict(os.environ, SRC=src, DST=dst, SECRETS=sdir)
        p = subprocess.run(["/bin/sh", path], env=env, capture_output=True, text=True,
                           timeout=30)
        if p.returncode != 0 or not os.path.exists(dst):
            return p.returncode, p.stderr, None
        with open(dst, encoding="utf-8") as f:
            text = f.read()
        mode = stat.S_IMODE(os.stat(dst).st_mode)
        if pipewrightd():
            # The daemon reads the rendered file as the pod would; the files it names itself
            # (token, tenants) are mounted Secrets in the pod, here scratch files.
            probe_text = text
            for key, content in (("http_token_file", "t0ken-0123456789abcdef\n"),
                                 ("http_tenants_file", "acme 0123456789abcdef0123\n")):
                scratch = os.path.join(tmp, key)
                with open(scratch, "w", encoding="utf-8") as f:
                    f.write(content)
                probe_text = re.sub(r"(?m)^%s = .*$" % key, "%s = %s" % (key, scratch),
                                    probe_text)
            probe = os.path.join(tmp, "probe.conf")
            with open(probe, "w", encoding="utf-8") as f:
                f.write(probe_text)
            got = print_config(pipewrightd(), probe)
            for k, v in conf_lines(text):
                if k.startswith("kafka.") or k not in got or k.endswith("_file"):
                    continue
                if k == "redis":
                    # The daemon masks from the first ':' after the scheme to the last '@'.
                    want = v
                    if "@" in v:
                        head, _, host = v.rpartition("@")
                        want = head[:head.index(":", len("redis://"))] + ":****@" + host
                    expect(got[k] == want, "daemon reads redis as %r, want %r" % (got[k], want))
                elif v not in ("true", "false"):
                    expect(got[k] == v, "daemon reads %s as %r, file says %r" % (k, got[k], v))
            for k, v in conf_lines(text):
                if k == "kafka.sasl.password":
                    expect(got.get(k) == "****", "daemon prints the SASL password unmasked")
        return 0, text, mode


def check_render(path):
    cms = [d for d in load_docs(path) if d["kind"] == "ConfigMap"]
    if not expect(len(cms) == 1, "render: %d ConfigMaps, want 1" % len(cms)):
        return
    data = cms[0]["data"]
    script, conf = data["render-config.sh"], data["pipewrightd.conf"]
    wants_sasl = "kafka-sasl-password" in script
    wants_redis_pw = "redis-password" in script
    wants_redis_url = "redis-url" in script
    secrets = {}
    if wants_sasl:
        secrets["kafka-sasl-password"] = "s@sl pass:word\n"
    if wants_redis_pw:
        secrets["redis-password"] = "r3dis:p@ss\n"
    if wants_redis_url:
        secrets["redis-url"] = "redis://app:url-pass@redis.example:6379/1\n"
    rc, text, mode = run_render(script, conf, secrets)
    if not expect(rc == 0, "render: script failed: %s" % text):
        return
    expect(mode == 0o600, "render: output mode %o, want 600" % (mode or 0))
    lines = conf_lines(text)
    keys = [k for k, _ in lines]
    expect(text.startswith(conf), "render: output does not start with the ConfigMap's file")
    if wants_sasl:
        expect(("kafka.sasl.password", "s@sl pass:word") in lines,
               "render: SASL password line missing or altered")
    if wants_redis_pw:
        expect(any(k == "redis" and v.startswith("redis://") and ":r3dis:p@ss@" in v
                   for k, v in lines), "render: Redis URL with password missing")
    if wants_redis_url:
        expect(("redis", "redis://app:url-pass@redis.example:6379/1") in lines,
               "render: Redis URL from the Secret missing")
    expect(keys.count("redis") == 1, "render: %d redis lines, want 1" % keys.count("redis"))
    for k in secrets:
        bad = dict(secrets)
        bad[k] = "line one\nline two\n"
        rc, err, _ = run_render(script, conf, bad)
        expect(rc != 0 and "several lines" in err,
               "render: a multi-line %s was accepted" % k)
        missing = dict(secrets)
        del missing[k]
        rc, err, _ = run_render(script, conf, missing)
        expect(rc != 0 and "missing" in err, "render: a missing %s was accepted" % k)


# ---- conf example ---------------------------------------------------------------------------------

def check_conf_example(path):
    opts = daemon_options()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    shown = {}
    for line in text.splitlines():
        m = re.match(r"^#([a-z][a-z0-9_.]*) =(?: (.*))?$", line)
        if m and not m.group(1).startswith("kafka."):
            shown[m.group(1)] = (m.group(2) or "").strip()
    for k, default in opts.items():
        if expect(k in shown, "conf example: option %s is not documented" % k):
            v = shown[k]
            norm = {"false": "0", "true": "1"}.get(v, v)
            expect(norm == default, "conf example: %s shown as %r, default is %r" %
                   (k, v, default))
    for k in shown:
        expect(k in opts, "conf example: %s is not a daemon option" % k)
    exe = pipewrightd()
    if exe:
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write(re.sub(r"(?m)^#([a-z][a-z0-9_.]* =)", r"\1", text))
            tmp = f.name
        try:
            got = print_config(exe, tmp)
            for k, v in shown.items():
                v = {"false": "0", "true": "1"}.get(v, v)
                expect(got.get(k, "") == v or (k == "redis" and got.get(k)),
                       "conf example: daemon reads %s as %r, example says %r" %
                       (k, got.get(k), v))
        finally:
            os.unlink(tmp)


# ---- values.schema.json ---------------------------------------------------------------------------

def check_values_schema(path):
    import json
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    cfg = schema["properties"]["config"]
    expect(cfg.get("additionalProperties") is False, "values schema: config is open")
    props = cfg["properties"]
    opts = daemon_options()
    bounds = daemon_int_bounds()
    for k in opts:
        if k in CHART_SET:
            expect(k not in props, "values schema: config.%s is set by the chart" % k)
        elif k in SECRET_OPTS:
            expect(k not in props, "values schema: config.%s is a secret, not a setting" % k)
        else:
            expect(k in props, "values schema: daemon option %s missing under config" % k)
    for k, p in props.items():
        expect(k in opts, "values schema: config.%s is no daemon option" % k)
        if k in bounds:
            lo, hi = bounds[k]
            expect(p.get("type") == "integer" and p.get("minimum") == lo and
                   p.get("maximum") == hi, "values schema: config.%s bounds %s..%s, daemon "
                   "has %d..%d" % (k, p.get("minimum"), p.get("maximum"), lo, hi))
    with open(os.path.join(os.path.dirname(path), "values.yaml"), encoding="utf-8") as f:
        values = yaml.safe_load(f)
    for k in values:
        expect(k in schema["properties"], "values schema: values.yaml key %s not in schema" % k)
    for k, v in values.get("config", {}).items():
        if k in bounds:
            lo, hi = bounds[k]
            expect(lo <= v <= hi, "values.yaml: config.%s = %s outside %d..%d" % (k, v, lo, hi))


# ---- compose ---------------------------------------------------------------------------------------

def seconds(s):
    m = re.fullmatch(r"(\d+)(ms|s|m)?", str(s))
    if not m:
        return -1
    n = int(m.group(1))
    return {"ms": n / 1000, "m": n * 60}.get(m.group(2), n)


def check_compose(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    svc = doc.get("services", {})
    for name in ("kafka", "redis", "topics", "pipewrightd"):
        expect(name in svc, "compose: no service %s" % name)
    if FAILURES:
        return
    for name, s in svc.items():
        for dep in (s.get("depends_on") or {}):
            expect(dep in svc, "compose: %s depends on unknown %s" % (name, dep))
    kafka = svc["kafka"]
    expect(re.fullmatch(r"(\$\{\w+:-)?apache/kafka:3\.9\.\d+\}?", kafka["image"]),
           "compose: Kafka image %s is not apache/kafka:3.9.x" % kafka["image"])
    kenv = kafka.get("environment", {})
    expect("controller" in kenv.get("KAFKA_PROCESS_ROLES", ""), "compose: Kafka is not KRaft")
    cid = kenv.get("CLUSTER_ID", "")
    expect(re.fullmatch(r"[A-Za-z0-9_-]{22}", cid), "compose: CLUSTER_ID %r is not 16 bytes of "
           "URL-safe base64" % cid)
    expect(kenv.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR") == "1",
           "compose: a single broker needs transaction state replication factor 1")
    expect("healthcheck" in kafka, "compose: Kafka has no healthcheck")
    redis = svc["redis"]
    image = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", redis["image"])
    expect(re.match(r"(.*/)?redis:7(\.|-|$)", image), "compose: Redis image %s is not 7.x" % image)
    cmd = redis.get("command", [])
    expect("--appendonly" in cmd and cmd[cmd.index("--appendonly") + 1] == "yes",
           "compose: Redis without appendonly yes")
    topics = svc["topics"]
    expect(topics.get("entrypoint", [""])[0].endswith("pipewright") and
           topics.get("command", [])[:2] == ["topics", "create"],
           "compose: topics does not run `pipewright topics create`")
    expect(topics.get("depends_on", {}).get("kafka", {}).get("condition") == "service_healthy",
           "compose: topics does not wait for a healthy Kafka")
    build = topics.get("build") or svc["pipewrightd"].get("build")
    if expect(build, "compose: no service builds the image"):
        ctx = os.path.normpath(os.path.join(os.path.dirname(path), build["context"]))
        expect(os.path.isfile(os.path.join(ctx, build["dockerfile"])),
               "compose: %s not found in context %s" % (build["dockerfile"], ctx))
        expect(os.path.isfile(os.path.join(ctx, "Makefile")),
               "compose: build context %s is not the repository root" % ctx)
    d = svc["pipewrightd"]
    expect(d.get("image") == topics.get("image"), "compose: daemon and topics use other images")
    deps = d.get("depends_on", {})
    expect(deps.get("topics", {}).get("condition") == "service_completed_successfully",
           "compose: daemon does not wait for the topics")
    expect(deps.get("redis", {}).get("condition") == "service_healthy",
           "compose: daemon does not wait for Redis")
    args = d.get("command", [])
    for flag in ("--brokers", "--redis", "--instance-id", "--workers"):
        expect(flag in args, "compose: daemon started without %s" % flag)
    if "--redis" in args:
        expect(args[args.index("--redis") + 1].startswith("redis://redis:"),
               "compose: daemon's Redis URL is not the redis service")
    opts = daemon_options()
    for flag in [x for x in args if x.startswith("--")]:
        expect(flag[2:].replace("-", "_") in opts, "compose: daemon has no option %s" % flag)
    exe = pipewrightd()
    if exe:
        cli = os.path.join(os.path.dirname(exe), "pipewright")
        p = subprocess.run([cli, "topics", "--help"], capture_output=True, text=True)
        for flag in [x for x in topics.get("command", []) if x.startswith("--")]:
            expect(re.search(r"(^|\s|,)%s\b" % re.escape(flag), p.stdout),
                   "compose: `pipewright topics` has no option %s" % flag)
    expect(d.get("read_only") is True, "compose: daemon root file system is writable")
    expect(d.get("cap_drop") == ["ALL"], "compose: daemon keeps capabilities")
    expect(seconds(d.get("stop_grace_period", "10s")) >= 25,
           "compose: stop_grace_period under the 20 s drain plus margin")
    expect(any(str(p).endswith(":8080") for p in d.get("ports", [])),
           "compose: daemon's HTTP port is not published")


# ---- Dockerfile ------------------------------------------------------------------------------------

def dockerfile_instructions(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        word, _, rest = s.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def apt_packages(run):
    m = re.search(r"apt-get install ([^&;|]*)", run)
    if not m:
        return set()
    return {w for w in m.group(1).split() if not w.startswith("-")}


def dpkg_owner(path):
    p = subprocess.run(["dpkg", "-S", os.path.realpath(path)], capture_output=True, text=True)
    if p.returncode != 0:
        p = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
    if p.returncode != 0:
        return None
    return p.stdout.split(":", 1)[0].strip()


def depends_closure(pkgs):
    p = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                        "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances",
                        "--no-pre-depends"] + sorted(pkgs), capture_output=True, text=True)
    names = set(pkgs)
    for line in p.stdout.splitlines():
        s = line.strip()
        if s.startswith("Depends:"):
            names.add(s.split()[1].strip("<>").split(":")[0])
        elif s and not s.startswith(("|", "Depends", "PreDepends")):
            names.add(s.strip("<>").split(":")[0])
    return names


def check_dockerfile(path):
    ins = dockerfile_instructions(path)
    froms = [(i, r) for i, (w, r) in enumerate(ins) if w == "FROM"]
    args = {}
    for w, r in ins[:froms[0][0]] if froms else []:
        if w == "ARG" and "=" in r:
            k, v = r.split("=", 1)
            args[k] = v
    if not expect(len(froms) == 2, "Dockerfile: %d stages, want 2" % len(froms)):
        return
    for _, r in froms:
        image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), ""), r.split()[0])
        expect(image == "debian:bookworm-slim", "Dockerfile: stage on %s" % image)
    build = ins[froms[0][0]:froms[1][0]]
    runtime = ins[froms[1][0]:]
    expect(not any(w == "HEALTHCHECK" for w, _ in ins), "Dockerfile: has a HEALTHCHECK")
    users = [r for w, r in runtime if w == "USER"]
    expect(users and re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1]),
           "Dockerfile: runtime user is not a numeric non-root uid")
    expect(any(w == "EXPOSE" and "8080" in r.split() for w, r in runtime),
           "Dockerfile: port 8080 not exposed")
    ep = [r for w, r in runtime if w == "ENTRYPOINT"]
    if expect(ep, "Dockerfile: no ENTRYPOINT"):
        try:
            argv = yaml.safe_load(ep[-1])
        except yaml.YAMLError:
            argv = None
        expect(isinstance(argv, list) and argv[0].endswith("/pipewrightd") and
               "--http" in argv and argv[argv.index("--http") + 1] == "0.0.0.0:8080",
               "Dockerfile: ENTRYPOINT is not the exec form of pipewrightd --http 0.0.0.0:8080")
    expect(any(w == "COPY" and "--from=build" in r and "pipewrightd" in r for w, r in runtime),
           "Dockerfile: runtime stage does not copy the binaries from the build stage")
    expect(any(w == "RUN" and "make" in r.split() for w, r in build),
           "Dockerfile: build stage does not run make")
    build_pkgs = set().union(*[apt_packages(r) for w, r in build if w == "RUN"])
    run_pkgs = set().union(*[apt_packages(r) for w, r in runtime if w == "RUN"])
    expect(not any(p.endswith("-dev") or p in ("build-essential", "gcc") for p in run_pkgs),
           "Dockerfile: runtime stage installs build packages")

    # Every pkg-config module the Makefile links comes from a package the build stage installs.
    with open(os.path.join(ROOT, "Makefile"), encoding="utf-8") as f:
        mk = f.read()
    m = re.search(r"^PKGS\s*:?=((?:.*\\\n)*.*)$", mk, re.M)
    if expect(m, "Makefile: no PKGS line"):
        build_closure = depends_closure(build_pkgs)
        for mod in m.group(1).replace("\\\n", " ").split():
            p = subprocess.run(["pkg-config", "--path", mod], capture_output=True, text=True)
            if not expect(p.returncode == 0, "pkg-config does not know %s here" % mod):
                continue
            owner = dpkg_owner(p.stdout.strip())
            expect(owner in build_closure, "Dockerfile: build stage lacks %s (for %s)" %
                   (owner, mod))
        flite = re.search(r"^FLITE_LIBS\s*:?=((?:.*\\\n)*.*)$", mk, re.M)
        if flite:
            for lib in re.findall(r"-l(flite\w*)", flite.group(1)):
                so = "/usr/lib/x86_64-linux-gnu/lib%s.so" % lib
                owner = dpkg_owner(so) if os.path.exists(so) else None
                expect(owner in build_closure, "Dockerfile: build stage lacks %s (for -l%s)" %
                       (owner, lib))

    # Every shared library the built daemon loads comes with the runtime packages.
    exe = pipewrightd()
    if exe:
        closure = depends_closure(run_pkgs)
        p = subprocess.run(["ldd", exe], capture_output=True, text=True)
        for line in p.stdout.splitlines():
            m = re.match(r"\s*(\S+) => (/\S+)", line)
            if not m:
                continue
            owner = dpkg_owner(m.group(2))
            if owner is None:
                fail("Dockerfile: %s (%s) belongs to no Debian package" % (m.group(1),
                                                                        m.group(2)))
                continue
            expect(owner in closure, "Dockerfile: runtime stage lacks %s (for %s)" %
                   (owner, m.group(1)))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    what, path = sys.argv[1], sys.argv[2]
    if what == "chart":
        check_chart(path, sys.argv[3] if len(sys.argv) > 3 else os.path.basename(path))
    elif what == "render-script":
        check_render(path)
    elif what == "conf-example":
        check_conf_example(path)
    elif what == "compose":
        check_compose(path)
    elif what == "values-schema":
        check_values_schema(path)
    elif what == "dockerfile":
        check_dockerfile(path)
    else:
        sys.exit("check.py: unknown check %s" % what)
    for f in FAILURES:
        print("FAIL %s" % f)
    if FAILURES:
        sys.exit(1)
    print("ok %s %s" % (what, " ".join(shlex.quote(a) for a in sys.argv[2:])))


if __name__ == "__main__":
    main()
