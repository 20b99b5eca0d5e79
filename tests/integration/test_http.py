"""tests/integration/test_http.py - pipewrightd's HTTP face over a real socket.

One daemon for the module, on its own topics, with a bearer token read from a file. Two
requirements are answered first (one spoken, one with audio disabled), so every read endpoint
has something to return. Requests are written byte for byte (secure.get and secure.raw), so bad
targets (NUL, CR LF, percent-encoded separators, over-long ids), unserved methods, oversized
headers and bodies reach the daemon exactly as a hostile client would send them. Latency of
/healthz is measured while 500 connections are held open and while requests flow, and
/metrics is checked with promtool in both states.
"""

import json
import socket
import xml.etree.ElementTree as ElementTree
import statistics
import subprocess
import threading
import time

import pytest

import pwtest
import secure
from secure import requirement

ANSWER_TIMEOUT_S = secure.ANSWER_TIMEOUT_S
IDLE_TIMEOUT_S = 10          # daemon/http.c: evhttp_set_timeout
HEADERS_LIMIT = 8 * 1024     # daemon/http.c: evhttp_set_max_headers_size
BODY_LIMIT = 64 * 1024       # daemon/http.c: evhttp_set_max_body_size
CONNECTIONS = 500
# /healthz must answer within this while the daemon is loaded (connections, requests).
HEALTHZ_BOUND_S = 0.25
FLOW_REQUESTS = 60


@pytest.fixture(scope="module")
def api(admin, producer_module, tmp_path_factory):
    with secure.api_daemon(admin, producer_module, tmp_path_factory.mktemp("http"),
                           "pwhttp") as a:
        yield a


@pytest.fixture(scope="module")
def producer_module(bootstrap):
    from confluent_kafka import Producer

    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    yield p
    p.flush(30)


def healthz_latency(addr):
    t0 = time.monotonic()
    r = secure.get(addr, "/healthz", timeout=10)
    took = time.monotonic() - t0
    assert r is not None and r.status == 200, r
    return took


def summary(samples):
    s = sorted(samples)
    return "n=%d median %.1f ms, p95 %.1f ms, max %.1f ms" % (
        len(s), statistics.median(s) * 1e3, s[int(0.95 * (len(s) - 1))] * 1e3, s[-1] * 1e3)


# ---- open endpoints, tokens -----------------------------------------------------------------

def test_health_readiness_and_metrics_need_no_token(api):
    for path, ctype in (("/healthz", "application/json"), ("/readyz", "application/json"),
                        ("/metrics", "text/plain")):
        r = secure.get(api.addr, path)
        assert r.status == 200, (path, r)
        assert r.header("content-type").startswith(ctype), (path, r.headers)
    assert json.loads(secure.get(api.addr, "/healthz").body) == {"status": "ok"}
    ready = json.loads(secure.get(api.addr, "/readyz").body)
    assert ready["ready"] is True and ready["redis"] is True, ready
    head = secure.get(api.addr, "/healthz", method="HEAD")
    assert head.status == 200 and head.body == b"", head


def test_v1_without_the_right_token_is_401_with_a_json_error(api):
    eid, pid, rid = api.spoken
    paths = ["/v1/requests", "/v1/requests/" + eid, "/v1/projects/%s/reports/latest" % pid,
             "/v1/reports/" + rid, "/v1/reports/%s/audio" % rid,
             "/v1/reports/%s/diagram" % rid, "/v1/requests/no-such-event",
             "/v1/reports/%s/diagram.svg" % rid, "/v1/projects/%s/versions" % pid]
    wrong = [None, "", "Bearer", "Bearer ", "Bearer " + api.token + "x",
             "Bearer " + api.token[:-1], "Bearer " + api.token.upper(), "Basic " + api.token,
             "Bearer  " + api.token, api.token, "Bearer " + api.token + " extra"]
    for path in paths:
        for value in wrong:
            headers = {} if value is None else {"Authorization": value}
            r = secure.get(api.addr, path, headers)
            assert r.status == 401, (path, value, r)
            assert r.header("content-type") == "application/json", r.headers
            assert "error" in json.loads(r.body), r.body
            assert r.header("www-authenticate") == "Bearer", r.headers
            assert eid.encode() not in r.body and rid.encode() not in r.body
        assert api.get(path).status in (200, 404), path
    assert api.get("/v1/requests").status == 200


def test_the_page_is_served_as_html(api):
    r = secure.get(api.addr, "/")
    assert r.status == 200, r
    assert r.header("content-type").startswith("text/html"), r.headers
    assert "default-src 'self'" in r.header("content-security-policy"), r.headers
    assert r.header("x-content-type-options") == "nosniff", r.headers
    assert b"<title>pipewright</title>" in r.body


# ---- read endpoints -------------------------------------------------------------------------

def test_requests_and_reports_as_json_and_markdown(api):
    eid, pid, rid = api.spoken
    recent = api.json("/v1/requests")
    assert isinstance(recent, list) and recent, recent
    ids = [x["event_id"] for x in recent]
    assert eid in ids and api.silent[0] in ids, ids[:10]
    one = api.json("/v1/requests/" + eid)
    assert one["event_id"] == eid and one["project_id"] == pid and one["report_id"] == rid

    for path in ("/v1/reports/" + rid, "/v1/projects/%s/reports/latest" % pid):
        as_json = api.get(path)
        assert as_json.status == 200 and as_json.header("content-type") == "application/json"
        rep = json.loads(as_json.body)
        text = json.dumps(rep)
        for section in pwtest.SECTIONS:
            assert section in text, (path, section)
        md = api.get(path, {"Accept": "text/markdown"})
        assert md.status == 200, md
        assert md.header("content-type").startswith("text/markdown"), md.headers
        body = md.body.decode("utf-8")
        assert body.lstrip().startswith("#"), body[:200]
        assert body.count("\n## ") >= 7, "fewer than seven sections:\n%s" % body[:600]
        # Accept lists both: Markdown is named, so Markdown it is.
        both = api.get(path, {"Accept": "application/json, text/markdown;q=0.9"})
        assert both.header("content-type").startswith("text/markdown"), both.headers


def test_audio_is_ogg_opus_and_the_diagram_is_dot(api):
    _, _, rid = api.spoken
    r = api.get("/v1/reports/%s/audio" % rid)
    assert r.status == 200, r
    assert r.header("content-type") == "audio/ogg", r.headers
    assert int(r.header("content-length")) == len(r.body)
    seconds = pwtest.opus_check(r.body)
    assert seconds > 1.0, seconds
    dot = api.get("/v1/reports/%s/diagram" % rid)
    assert dot.status == 200, dot
    assert dot.header("content-type").startswith("text/vnd.graphviz"), dot.headers
    assert b"digraph" in dot.body and dot.body.rstrip().endswith(b"}"), dot.body[:200]


SVG = "{http://www.w3.org/2000/svg}"


def test_the_diagram_as_svg_rendered_by_graphviz_with_the_pages_csp(api):
    _, _, rid = api.spoken
    r = api.get("/v1/reports/%s/diagram.svg" % rid)
    assert r.status == 200, r
    assert r.header("content-type") == "image/svg+xml", r.headers
    assert r.header("x-content-type-options") == "nosniff", r.headers
    page = secure.get(api.addr, "/")
    assert r.header("content-security-policy") == page.header("content-security-policy"), (
        r.headers, page.headers)
    root = ElementTree.fromstring(r.body)
    assert root.tag == SVG + "svg", root.tag
    assert b"<script" not in r.body and b"<image" not in r.body and b"href" not in r.body
    nodes = [g for g in root.iter(SVG + "g") if g.get("class") == "node"]
    edges = [g for g in root.iter(SVG + "g") if g.get("class") == "edge"]
    dot = api.get("/v1/reports/%s/diagram" % rid).body.decode("utf-8")
    assert len(nodes) == sum(1 for line in dot.splitlines() if "[label=" in line), dot
    assert len(edges) == dot.count("->"), dot
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "storage" in texts, texts
    render_ms = float(r.header("server-timing").split("dur=")[1])
    print("diagram.svg: %d bytes, %d nodes, rendered in %.2f ms" % (len(r.body), len(nodes),
                                                                    render_ms))
    assert render_ms < 50, r.header("server-timing")
    assert api.get("/v1/reports/no-such-report/diagram.svg").status == 404


def test_a_projects_versions_say_what_changed(api):
    _, pid, _ = api.spoken
    versions = api.json("/v1/projects/%s/versions" % pid)
    assert [v["version"] for v in versions] == [1], versions
    assert versions[0]["changed"] == [] and versions[0]["event_id"] == api.spoken[0], versions
    assert versions[0]["title"].startswith(pwtest.load_scenarios()[0]["title"]), versions
    missing = api.get("/v1/projects/no-such-project/versions")
    assert missing.status == 404 and json.loads(missing.body)["error"], missing


def test_a_report_without_audio_has_no_audio_endpoint(api):
    eid, _, rid = api.silent
    status = api.json("/v1/requests/" + eid)
    assert status["audio_status"] in ("disabled", "none", "skipped"), status
    r = api.get("/v1/reports/%s/audio" % rid)
    assert r.status == 404, r
    assert api.get("/v1/reports/" + rid).status == 200


# ---- hostile targets ------------------------------------------------------------------------

BAD_TARGETS = {
    "unknown path": b"/nope",
    "unknown v1 path": b"/v1/nope",
    "empty id": b"/v1/requests/",
    "id of 129 bytes": b"/v1/requests/" + b"a" * 129,
    "id of 128 bytes, unknown": b"/v1/requests/" + b"a" * 128,
    "id of 4000 bytes": b"/v1/reports/" + b"b" * 4000,
    "slash inside an id": b"/v1/requests/a/b",
    "percent-encoded slash": b"/v1/requests/a%2Fb",
    "percent-encoded traversal": b"/v1/reports/..%2F..%2Fetc%2Fpasswd",
    "dot-dot traversal": b"/v1/../../etc/passwd",
    "percent-encoded NUL": b"/v1/requests/a%00b",
    "percent-encoded CR LF": b"/v1/requests/a%0d%0aX-Injected:%201",
    "glob pattern": b"/v1/requests/*",
    "redis hash tag": b"/v1/projects/%7Bx%7D/reports/latest",
    "space in id": b"/v1/requests/a%20b",
    "quote in id": b"/v1/requests/a%22b",
    "non-ASCII id": b"/v1/requests/%C3%A9t%C3%A9",
    "raw non-ASCII id": b"/v1/requests/\xc3\xa9t\xc3\xa9",
    "unknown report subresource": b"/v1/reports/r1/secrets",
    "unknown project subresource": b"/v1/projects/p1/reports/first",
    "query on an id": b"/v1/requests/x?key=pw:*",
}


@pytest.mark.parametrize("name", sorted(BAD_TARGETS))
def test_bad_targets_are_refused(api, name):
    target = BAD_TARGETS[name]
    r = api.get(target)
    assert r is not None, "connection closed without an answer for %r" % target
    assert r.status in (400, 404), (name, r)
    if r.status == 404:
        assert r.header("content-type") == "application/json", r.headers
        json.loads(r.body)
    assert "x-injected" not in r.headers, r.headers
    assert api.d.alive()


@pytest.mark.parametrize("name,line", [
    ("raw NUL in the path", b"GET /v1/requests/a\x00b HTTP/1.1\r\n"),
    ("raw CR in the path", b"GET /v1/requests/a\rX-Injected: 1 HTTP/1.1\r\n"),
    ("raw LF in the path", b"GET /v1/requests/a\nX-Injected: 1 HTTP/1.1\r\n"),
    ("no version", b"GET /healthz\r\n"),
    ("garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n"),
])
def test_broken_request_lines_get_400_or_a_close(api, name, line):
    req = line + b"Host: x\r\nAuthorization: Bearer " + api.token.encode() + b"\r\n\r\n"
    r = secure.raw(api.addr, req, timeout=IDLE_TIMEOUT_S + 5)
    if r is not None:
        assert r.status == 400, (name, r)
        assert "x-injected" not in r.headers
    assert healthz_latency(api.addr) < HEALTHZ_BOUND_S


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("path", ["/healthz", "/v1/requests", "/"])
def test_methods_not_served_are_405(api, method, path):
    r = api.get(path, {"Content-Length": "0"}, method=method)
    assert r.status == 405, (method, path, r)
    allow = r.header("allow") or ""
    assert "GET" in allow, "405 without an Allow header naming GET: %r" % r.headers


# ---- size limits and timeouts -----------------------------------------------------------------

def test_headers_over_8_kib_are_refused(api):
    fits = api.get("/healthz", {"X-Pad": "a" * (HEADERS_LIMIT - 1024)})
    assert fits.status == 200, fits
    for pad in (HEADERS_LIMIT + 1, 64 * 1024, 1024 * 1024):
        try:
            r = api.get("/v1/requests", {"X-Pad": "a" * pad})
        except (ConnectionError, BrokenPipeError):
            r = None
        assert r is None or r.status in (400, 413, 431), (pad, r)
    many = {"X-Pad-%d" % i: "b" * 100 for i in range(200)}
    r = api.get("/healthz", many)
    assert r is None or r.status in (400, 413, 431), r
    assert healthz_latency(api.addr) < HEALTHZ_BOUND_S


def test_bodies_over_64_kib_are_refused(api):
    small = (b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
             b"Content-Length: 10\r\n\r\n0123456789")
    r = secure.raw(api.addr, small)
    assert r.status == 200, r
    for size in (BODY_LIMIT + 1, 4 * BODY_LIMIT):
        req = (b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
               b"Content-Length: %d\r\n\r\n" % size) + b"x" * size
        try:
            r = secure.raw(api.addr, req)
        except (ConnectionError, BrokenPipeError):
            r = None
        assert r is None or r.status == 413, (size, r)
    # A length announced but never sent must not hold the daemon: it is closed on the timeout.
    huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n"
    try:
        r = secure.raw(api.addr, huge, timeout=IDLE_TIMEOUT_S + 10)
    except (ConnectionError, BrokenPipeError):
        r = None
    assert r is None or r.status == 413, r
    assert healthz_latency(api.addr) < HEALTHZ_BOUND_S


def closed_after(sock, limit):
    """Seconds until the peer closes 'sock' (reading and dropping anything sent), or None."""
    t0 = time.monotonic()
    sock.settimeout(1)
    while time.monotonic() - t0 < limit:
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - t0
        except socket.timeout:
            continue
        except ConnectionResetError:
            return time.monotonic() - t0
    return None


def test_idle_and_slow_connections_are_closed_after_the_timeout(api):
    host, port = api.addr.rsplit(":", 1)
    silent = socket.create_connection((host, int(port)))
    partial = socket.create_connection((host, int(port)))
    partial.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    kept = socket.create_connection((host, int(port)))
    kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    results = {}

    def watch(name, s):
        results[name] = closed_after(s, IDLE_TIMEOUT_S * 3)

    threads = [threading.Thread(target=watch, args=(n, s))
               for n, s in (("silent", silent), ("partial", partial), ("kept-alive", kept))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in (silent, partial, kept):
        s.close()
    print("closed after: %s" % {k: None if v is None else round(v, 1)
                                for k, v in results.items()})
    for name, took in results.items():
        assert took is not None, "%s connection still open after %d s" % (
            name, IDLE_TIMEOUT_S * 3)
        assert IDLE_TIMEOUT_S - 1.5 <= took <= IDLE_TIMEOUT_S + 3, (name, took)


def test_healthz_stays_fast_with_1000_connections_open(api):
    host, port = api.addr.rsplit(":", 1)
    baseline = [healthz_latency(api.addr) for _ in range(30)]
    idle, slow = [], []
    try:
        for _ in range(CONNECTIONS):
            idle.append(socket.create_connection((host, int(port)), timeout=10))
        held = [healthz_latency(api.addr) for _ in range(30)]
        # As many again that each sent half a request head and stopped (a slow client).
        for _ in range(CONNECTIONS):
            s = socket.create_connection((host, int(port)), timeout=10)
            s.sendall(b"GET /v1/requests HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(s)
        held_slow = [healthz_latency(api.addr) for _ in range(30)]

        # Every held connection asks at once; each must be answered.
        for s in idle:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        during = []
        stop = threading.Event()

        def probe():
            while not stop.is_set():
                during.append(healthz_latency(api.addr))

        t = threading.Thread(target=probe)
        t.start()
        t0 = time.monotonic()
        answered = 0
        for s in idle:
            r = secure._read_response(s)
            answered += r is not None and r.status == 200
        burst = time.monotonic() - t0
        stop.set()
        t.join()
    finally:
        for s in idle + slow:
            s.close()
    after = [healthz_latency(api.addr) for _ in range(30)]
    print("/healthz baseline %s" % summary(baseline))
    print("/healthz with %d idle connections %s" % (CONNECTIONS, summary(held)))
    print("/healthz with %d more halfway through their head %s" % (CONNECTIONS,
                                                                   summary(held_slow)))
    print("%d concurrent /healthz answered in %.3f s; probe meanwhile %s" % (
        answered, burst, summary(during or [0.0])))
    print("/healthz after %s" % summary(after))
    assert answered == CONNECTIONS, "%d of %d answered" % (answered, CONNECTIONS)
    assert max(held) < HEALTHZ_BOUND_S, summary(held)
    assert max(held_slow) < HEALTHZ_BOUND_S, summary(held_slow)
    assert max(during or [0.0]) < HEALTHZ_BOUND_S * 4, summary(during)
    assert max(after) < HEALTHZ_BOUND_S, summary(after)
    assert api.d.alive()


# ---- metrics --------------------------------------------------------------------------------

def promtool_check(text):
    promtool = secure.tool("promtool")
    r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=30)
    return r.returncode, (r.stdout + r.stderr).strip()


def metric_value(text, sample):
    """The value of the sample named exactly 'sample' (name plus labels), or None."""
    for line in text.splitlines():
        if line.rsplit(" ", 1)[0] == sample:
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_pass_promtool_idle_and_while_requests_flow(api, producer_module):
    if secure.tool("promtool") is None:
        pytest.skip("promtool is not installed (Debian package prometheus)")
    idle = secure.get(api.addr, "/metrics")
    rc, out = promtool_check(idle.body.decode("utf-8"))
    assert rc == 0, "promtool on idle /metrics: %s\n%s" % (out, idle.body.decode()[:2000])
    before = metric_value(idle.body.decode(), 'pipewright_requests_total{outcome="answered"}')

    # A sampler takes /metrics and /healthz every 20 ms while the requests are published and
    # answered; promtool then judges every distinct sample.
    samples, health, stop = [], [], threading.Event()

    def sampler():
        while not stop.is_set():
            health.append(healthz_latency(api.addr))
            samples.append(secure.get(api.addr, "/metrics").body.decode("utf-8"))
            time.sleep(0.02)

    t = threading.Thread(target=sampler)
    t.start()
    events = []
    try:
        for i in range(FLOW_REQUESTS):
            rec = requirement(i % len(pwtest.load_scenarios()), audio_enabled=False)
            events.append(rec["event_id"])
            api_publish(producer_module, api.topics["requirements"], rec)
        producer_module.flush(30)
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        pending = list(events)
        while pending and time.monotonic() < deadline:
            r = api.get("/v1/requests/" + pending[0])
            if r.status == 200 and json.loads(r.body)["status"] == "answered":
                pending.pop(0)
            else:
                time.sleep(0.2)
    finally:
        stop.set()
        t.join()
    assert not pending, "%d requests not answered within %d s" % (len(pending),
                                                                 ANSWER_TIMEOUT_S)
    distinct = list(dict.fromkeys(samples))
    for body in distinct:
        rc, out = promtool_check(body)
        assert rc == 0, "promtool while requests flow: %s\n%s" % (out, body[:2000])
    in_flight = max(metric_value(b, "pipewright_in_flight") or 0 for b in samples)
    final = secure.get(api.addr, "/metrics").body.decode("utf-8")
    answered = metric_value(final, 'pipewright_requests_total{outcome="answered"}')
    assert answered is not None and answered - before >= FLOW_REQUESTS, (before, answered)
    print("promtool accepted %d distinct /metrics samples (of %d) while %d requests flowed "
          "(in flight at most %d); /healthz %s" % (len(distinct), len(samples), FLOW_REQUESTS,
                                                   in_flight, summary(health)))
    assert max(health) < HEALTHZ_BOUND_S, summary(health)


def api_publish(producer, topic, rec):
    """Produces without waiting for each delivery, so the requests arrive as a burst."""
    producer.produce(topic, key=rec["project_id"].encode(), value=pwtest.requirement_json(rec))
    producer.poll(0)
