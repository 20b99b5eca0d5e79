"""tests/integration/test_page.py - the daemon's page (GET /) in headless Chromium.

The daemon asks for a bearer token, so the page meets a 401 first and prompts for it; the test
answers the prompt as a person would. Then it waits for the recent requests, clicks the spoken
one with a real mouse event, and expects the rendered report (all seven sections), an audio
player whose Ogg Opus source the browser has decoded far enough to know its length, and the
diagram. The report without audio must show no player. Screenshots go to build/ for a person
to look at; console errors, uncaught exceptions and Content-Security-Policy refusals fail the
test.
"""

import json
import os

import pytest

import cdp
import pwtest
import secure

BUILD_SCREENSHOTS = pwtest.BUILD
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
    assert browser.evaluate("!!document.getElementById('diagram')"), "no diagram shown"
    browser.pump(0.5)
    path = os.path.join(BUILD_SCREENSHOTS, "page-report.png")
    browser.screenshot(path, full_page=False)
    browser.screenshot(os.path.join(BUILD_SCREENSHOTS, "page-report-full.png"))
    print("audio %.1f s in the browser; screenshot %s" % (duration, path))
    assert os.path.getsize(path) > 10000
    assert not problems(browser.events), problems(browser.events)


def test_a_report_without_audio_shows_no_player(api, browser):
    open_page(api, browser)
    browser.click("button[data-event=%s]" % json.dumps(api.silent[0]))
    assert browser.wait_for("document.querySelectorAll('#report h2, #report h3').length >= 7",
                            PAGE_TIMEOUT_S), browser.evaluate("document.body.innerText")[:2000]
    browser.pump(0.5)
    assert not browser.evaluate("!!document.querySelector('#detail audio')")
    assert browser.evaluate("document.getElementById('error').textContent") == ""
    browser.screenshot(os.path.join(BUILD_SCREENSHOTS, "page-report-silent.png"),
                       full_page=False)
    assert not problems(browser.events), problems(browser.events)


def test_a_cancelled_token_prompt_ends_in_a_message_not_a_loop(api, browser):
    browser.prompt_text = None
    browser.call("Page.navigate", url="http://%s/" % api.addr)
    shown = browser.wait_for("document.getElementById('error').textContent", PAGE_TIMEOUT_S)
    prompts = [e for e in browser.events if e["method"] == "Page.javascriptDialogOpening"]
    assert shown and "token" in shown.lower(), shown
    assert len(prompts) <= 2, "%d prompts for one cancelled token" % len(prompts)
    assert not browser.evaluate("!!document.querySelector('#requests button')")
