"""tests/integration/test_page.py - the daemon's page (GET /) in headless Chromium.

The daemon asks for a bearer token, so the page meets a 401 first and prompts for it; the test
answers the prompt as a person would. Then it waits for the recent requests, listed by their
titles with project, status, age and timings, clicks the spoken one with a real mouse event,
and expects the rendered report (all seven sections), an audio player whose Ogg Opus source
the browser has decoded far enough to know its length, the diagram as SVG (Graphviz's nodes,
one per node of the report's DOT) and the cost chart (one bar per service of the report's cost
lines, and the budget line). A third project answered twice shows its versions with what
changed; the project filter lists only its requests; a deep link (#report=ID) opens a report
on a fresh page, and one to a report that is not there shows an error. The report without
audio must show no player. Screenshots go to build/; with PIPEWRIGHT_DOCS_SCREENSHOTS=1 the
list, the report and the error are also written to docs/page-{list,report,error}.png, the
ones the README shows. Console errors, uncaught exceptions and Content-Security-Policy
refusals fail the test.
"""

import base64
import json
import os
import shutil

import pytest

import cdp
import pwtest
import secure
from conftest import publish

BUILD_SCREENSHOTS = pwtest.BUILD
DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")
PAGE_TIMEOUT_S = 30


@pytest.fixture(scope="module")
def producer_module(bootstrap):
    from confluent_kafka import Producer

    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    yield p
    p.flush(30)


@pytest.fixture(scope="module")
def api(admin, producer_module, tmp_path_factory):
    if cdp.chromium_path() is None:
        pytest.skip("chromium is not installed (Debian package chromium)")
    with secure.api_daemon(admin, producer_module, tmp_path_factory.mktemp("page"),
                           "pwpage") as a:
        yield a


@pytest.fixture(scope="module")
def versioned(api, producer_module):
    """A third project, answered twice without audio: its second version scales the budget and
    the sources' volumes. Returns the two request records, oldest first."""
    scenario = pwtest.load_scenarios()[2]
    project = pwtest.unique("pwpage-project")
    records = []
    for revision in (0, 1):
        rec = pwtest.requirement_from_scenario(scenario, pwtest.unique("pwpage-event"), project,
                                               revision, text_form=False)
        rec["audio"] = {"enabled": False, "voice": None, "rate_wpm": None, "codec": None}
        publish(producer_module, api.topics["requirements"], project.encode(),
                pwtest.requirement_json(rec))
        records.append(secure.wait_answered(api, rec["event_id"], False))
    return records


@pytest.fixture
def browser(tmp_path):
    b = cdp.Browser(str(tmp_path))
    b.call("Page.enable")
    b.call("Runtime.enable")
    b.call("Log.enable")
    yield b
    b.stop()


def problems(events):
    """Console errors, exceptions and log errors, except the browser's own favicon request
    and the 401 that makes the page ask for its token."""
    out = []
    for e in events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.exceptionThrown":
            out.append("exception: %s" % p["exceptionDetails"].get("text"))
        elif m == "Runtime.consoleAPICalled" and p.get("type") == "error":
            out.append("console.error: %s" % [a.get("value") for a in p.get("args", [])])
        elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
            url, text = p["entry"].get("url", ""), p["entry"].get("text", "")
            # The first /v1/ call meets the token check: that 401 is what makes the page ask.
            expected_401 = "/v1/" in url and "status of 401" in text
            if not url.endswith("/favicon.ico") and not expected_401:
                out.append("log: %s %s" % (text, url))
    return out


def open_page(api, browser):
    browser.prompt_text = api.token
    browser.call("Page.navigate", url="http://%s/" % api.addr)
    spoken = api.spoken[0]
    found = browser.wait_for("!!document.querySelector('button[data-event=%s]')"
                             % json.dumps(spoken), PAGE_TIMEOUT_S)
    assert found, "the request %s is not listed; page text:\n%s\nproblems: %s" % (
        spoken, browser.evaluate("document.body.innerText"), problems(browser.events))


def shot(browser, name, full_page=False, until=None, docs=False):
    """A screenshot of the viewport, the whole page, or the page from its top to the bottom
    of the element 'until'; copied to docs/ when 'docs' and PIPEWRIGHT_DOCS_SCREENSHOTS=1."""
    os.makedirs(BUILD_SCREENSHOTS, exist_ok=True)
    path = os.path.join(BUILD_SCREENSHOTS, name)
    if until:
        box = browser.evaluate(
            "(() => { window.scrollTo(0, 0); const r = document.querySelector(%s)"
            ".getBoundingClientRect(); return [document.documentElement.clientWidth,"
            " r.bottom + window.scrollY + 16]; })()" % json.dumps(until))
        r = browser.call("Page.captureScreenshot", timeout=60, format="png",
                         captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": box[0], "height": min(box[1], 3000),
                               "scale": 1})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))
    else:
        browser.screenshot(path, full_page=full_page)
    assert os.path.getsize(path) > 10000, path
    if docs and os.environ.get("PIPEWRIGHT_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(path, os.path.join(DOCS, name))
    return path


def listed_text(browser, event_id):
    return browser.evaluate("document.querySelector('button[data-event=%s]').innerText"
                            % json.dumps(event_id))


def test_the_list_shows_titles_projects_status_age_and_timings(api, browser, versioned):
    open_page(api, browser)
    assert browser.wait_for("!!document.querySelector('button[data-event=%s]')"
                            % json.dumps(versioned[1]["event_id"]), PAGE_TIMEOUT_S)
    scenarios = pwtest.load_scenarios()
    for (eid, pid, _), index in ((api.spoken, 0), (api.silent, 1)):
        record = api.json("/v1/requests/" + eid)
        assert record["title"].startswith(scenarios[index]["title"]), record
        text = listed_text(browser, eid)
        assert scenarios[index]["title"] in text, text
        assert pid in text and "answered" in text and " ago" in text, text
        assert "answered in " in text, text
        assert eid not in text, "the event id is shown: %s" % text
    # every listed title is visible: not clipped to nothing, not hidden
    sizes = browser.evaluate("[...document.querySelectorAll('#requests .title')]"
                             ".map(e => [e.innerText.length, e.getBoundingClientRect().height])")
    assert sizes and all(n > 0 and h > 0 for n, h in sizes), sizes
    browser.pump(0.3)
    path = shot(browser, "page-list.png", docs=True)
    print("screenshot %s" % path)
    assert not problems(browser.events), problems(browser.events)


def test_page_lists_requests_and_shows_a_report_with_audio(api, browser):
    open_page(api, browser)
    prompts = [e for e in browser.events if e["method"] == "Page.javascriptDialogOpening"]
    assert prompts and prompts[0]["params"]["type"] == "prompt", prompts
    listed = browser.evaluate("[...document.querySelectorAll('#requests button')]"
                              ".map(b => b.dataset.event)")
    assert api.spoken[0] in listed and api.silent[0] in listed, listed[:10]

    browser.click("button[data-event=%s]" % json.dumps(api.spoken[0]))
    n = browser.wait_for("document.querySelectorAll('#report h2, #report h3').length >= 7 &&"
                         " document.querySelectorAll('#report h2, #report h3').length",
                         PAGE_TIMEOUT_S)
    assert n, "no rendered report; page text:\n%s\nproblems: %s" % (
        browser.evaluate("document.body.innerText")[:2000], problems(browser.events))
    text = browser.evaluate("document.getElementById('report').innerText").lower()
    for words in ("executive summary", "architecture", "implementation", "performance",
                  "cost", "risk", "next steps"):
        assert words in text, "%r not in the rendered report" % words
    # Markdown emphasis is rendered, not shown as asterisks; tables have header cells.
    assert "*" not in browser.evaluate(
        "[...document.querySelectorAll('#report p, #report li')].map(e => e.innerText)"
        ".join(' ')"), "asterisks left in the rendered report"
    assert browser.evaluate("document.querySelectorAll('#report table th').length") > 0
    duration = browser.wait_for(
        "(() => { const a = document.querySelector('#detail audio');"
        " return a && a.src.startsWith('blob:') && a.readyState >= 1 && isFinite(a.duration)"
        " && a.duration > 0 && a.duration; })()", PAGE_TIMEOUT_S)
    assert duration, "no playable audio; audio element: %s; problems: %s" % (
        browser.evaluate("(() => { const a = document.querySelector('#detail audio');"
                         " return a && [a.src, a.readyState, a.duration,"
                         " a.error && a.error.message]; })()"), problems(browser.events))
    played = browser.evaluate(
        "document.querySelector('#detail audio').play().then(() => 'playing', e => e.name)",
        await_promise=True)
    assert played == "playing", played
    assert browser.evaluate("document.getElementById('error').textContent") == ""
    check_diagram_and_chart(api, browser, api.spoken[2])
    title = api.json("/v1/reports/" + api.spoken[2])["profile"]["title"]
    assert browser.evaluate("document.getElementById('report-title').innerText") == title
    browser.evaluate("document.getElementById('diagram').scrollIntoView()")
    browser.pump(0.3)
    shot(browser, "page-report-diagram.png")
    # a wide diagram scrolls at its own size; the button fits it to the panel
    widths = "(() => { const d = document.getElementById('diagram');" \
             " return [d.querySelector('svg').getBoundingClientRect().width, d.clientWidth]; })()"
    before = browser.evaluate(widths)
    browser.click("button:has(+ #diagram)")
    after = browser.wait_for("(() => { const w = %s; return w[0] <= w[1] + 1 && w; })()" % widths,
                             PAGE_TIMEOUT_S)
    assert after and after[0] <= before[0], (before, after)
    browser.pump(0.5)
    shot(browser, "page-report-full.png", full_page=True)
    path = shot(browser, "page-report.png", until="#versions", docs=True)
    print("audio %.1f s in the browser; screenshot %s" % (duration, path))
    assert not problems(browser.events), problems(browser.events)


def check_diagram_and_chart(api, browser, report_id):
    """The diagram is Graphviz's SVG with one node per node of the report's DOT; the chart has
    one bar per service of the report's cost lines and the budget line when there is a
    budget."""
    dot = api.get("/v1/reports/%s/diagram" % report_id).body.decode("utf-8")
    want_nodes = sum(1 for line in dot.splitlines() if "[label=" in line)
    nodes = browser.wait_for("document.querySelectorAll('#diagram svg g.node').length",
                             PAGE_TIMEOUT_S)
    assert nodes == want_nodes and nodes >= 3, (nodes, want_nodes, browser.evaluate(
        "document.getElementById('diagram') && document.getElementById('diagram').innerText"))
    labels = browser.evaluate("[...document.querySelectorAll('#diagram svg g.node text')]"
                              ".map(t => t.textContent).join(' | ')")
    assert "storage" in labels, labels
    cost = api.json("/v1/reports/" + report_id)["cost"]
    services = {line["service"] for line in cost["line_items"]}
    bars = browser.evaluate("[...document.querySelectorAll('#cost-chart svg rect.bar')]"
                            ".map(r => r.dataset.service)")
    assert sorted(bars) == sorted(services), (bars, services)
    widths = browser.evaluate("[...document.querySelectorAll('#cost-chart svg rect.bar')]"
                              ".map(r => r.getBoundingClientRect().width)")
    assert all(w >= 1 for w in widths), widths
    budget = browser.evaluate("document.querySelectorAll('#cost-chart svg line.budget').length")
    assert budget == (1 if cost["budget_usd"] is not None else 0), (budget, cost["budget_usd"])
    if cost["budget_usd"] is not None:
        label = browser.evaluate("document.querySelector('#cost-chart .budget-label')"
                                 ".textContent")
        assert "budget $%s" % format(int(round(cost["budget_usd"])), ",") in label, label


def test_the_project_filter_lists_only_that_project(api, browser, versioned):
    open_page(api, browser)
    project = versioned[0]["project_id"]
    assert browser.wait_for("!!document.querySelector('button[data-event=%s]')"
                            % json.dumps(versioned[1]["event_id"]), PAGE_TIMEOUT_S)
    options = browser.evaluate("[...document.querySelectorAll('#project-filter option')]"
                               ".map(o => o.value)")
    assert project in options and api.spoken[1] in options, options
    browser.evaluate("(() => { const s = document.getElementById('project-filter');"
                     " s.value = %s; s.dispatchEvent(new Event('change')); })()"
                     % json.dumps(project))
    shown = browser.wait_for(
        "(() => { const b = [...document.querySelectorAll('#requests button')];"
        " return b.length && b.every(x => x.dataset.project === %s) && b.map(x => x.dataset.event); })()"
        % json.dumps(project), PAGE_TIMEOUT_S)
    assert sorted(shown or []) == sorted(r["event_id"] for r in versioned), shown
    assert "project=" in browser.evaluate("location.hash")
    # back to every project
    browser.evaluate("(() => { const s = document.getElementById('project-filter');"
                     " s.value = ''; s.dispatchEvent(new Event('change')); })()")
    assert browser.wait_for("!!document.querySelector('button[data-event=%s]')"
                            % json.dumps(api.spoken[0]), PAGE_TIMEOUT_S)
    assert not problems(browser.events), problems(browser.events)


def test_a_deep_link_opens_the_report_with_its_versions(api, browser, versioned):
    latest = versioned[1]
    browser.prompt_text = api.token
    browser.call("Page.navigate", url="http://%s/#report=%s" % (api.addr, latest["report_id"]))
    n = browser.wait_for("document.querySelectorAll('#report h2, #report h3').length >= 7 &&"
                         " document.querySelectorAll('#versions li[data-version]').length",
                         PAGE_TIMEOUT_S)
    assert n == 2, "versions listed: %s; page text:\n%s" % (
        n, browser.evaluate("document.body.innerText")[:2000])
    current = browser.evaluate("document.querySelector('#versions li.current').dataset.version")
    assert current == str(latest["version"]) == "2", current
    changes = browser.evaluate("document.querySelector('#versions li.current').innerText")
    assert "budget_usd_per_month" in changes and "sources" in changes, changes
    assert browser.evaluate("document.querySelector('#versions > li:not(.current)').innerText"
                            ).count("first version") == 1
    active = browser.evaluate("[...document.querySelectorAll('#requests button.active')]"
                              ".map(b => b.dataset.event)")
    assert active == [latest["event_id"]], active
    check_diagram_and_chart(api, browser, latest["report_id"])
    assert browser.evaluate("document.getElementById('error').textContent") == ""
    assert not problems(browser.events), problems(browser.events)


def test_a_deep_link_to_a_missing_report_shows_an_error(api, browser):
    browser.prompt_text = api.token
    browser.call("Page.navigate", url="http://%s/#report=no-such-report-v1-0000" % api.addr)
    shown = browser.wait_for("document.getElementById('error').textContent", PAGE_TIMEOUT_S)
    assert shown and "no-such-report-v1-0000" in shown and "not available" in shown, shown
    assert browser.evaluate("getComputedStyle(document.getElementById('error')).display")\
        != "none"
    # the list is still there to choose from
    assert browser.wait_for("!!document.querySelector('button[data-event=%s]')"
                            % json.dumps(api.spoken[0]), PAGE_TIMEOUT_S)
    assert not browser.evaluate("!!document.getElementById('report')")
    browser.pump(0.3)
    path = shot(browser, "page-error.png", docs=True)
    print("screenshot %s" % path)
    # the daemon's 404 for the report is the only error the browser logs
    left = [p for p in problems(browser.events) if "no-such-report" not in p]
    assert not left, left


def test_a_report_without_audio_shows_no_player(api, browser):
    open_page(api, browser)
    browser.click("button[data-event=%s]" % json.dumps(api.silent[0]))
    assert browser.wait_for("document.querySelectorAll('#report h2, #report h3').length >= 7",
                            PAGE_TIMEOUT_S), browser.evaluate("document.body.innerText")[:2000]
    browser.pump(0.5)
    assert not browser.evaluate("!!document.querySelector('#detail audio')")
    assert browser.evaluate("document.getElementById('error').textContent") == ""
    shot(browser, "page-report-silent.png")
    assert not problems(browser.events), problems(browser.events)


def test_a_cancelled_token_prompt_ends_in_a_message_not_a_loop(api, browser):
    browser.prompt_text = None
    browser.call("Page.navigate", url="http://%s/" % api.addr)
    shown = browser.wait_for("document.getElementById('error').textContent", PAGE_TIMEOUT_S)
    prompts = [e for e in browser.events if e["method"] == "Page.javascriptDialogOpening"]
    assert shown and "token" in shown.lower(), shown
    assert len(prompts) <= 2, "%d prompts for one cancelled token" % len(prompts)
    assert not browser.evaluate("!!document.querySelector('#requests button')")


def test_refresh_lists_a_request_answered_after_the_page_loaded(api, browser,
                                                                 producer_module):
    open_page(api, browser)
    rec = secure.requirement(3, False, "pwpage")
    publish(producer_module, api.topics["requirements"], rec["project_id"].encode(),
            pwtest.requirement_json(rec))
    secure.wait_answered(api, rec["event_id"], False)
    selector = "button[data-event=%s]" % json.dumps(rec["event_id"])
    assert not browser.evaluate("!!document.querySelector(%s)" % json.dumps(selector))
    browser.click("#refresh")
    assert browser.wait_for("!!document.querySelector(%s)" % json.dumps(selector),
                            PAGE_TIMEOUT_S), browser.evaluate("document.body.innerText")[:1000]
    assert rec["title"][:40] in listed_text(browser, rec["event_id"])
    assert not problems(browser.events), problems(browser.events)
