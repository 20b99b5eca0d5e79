"""tests/integration/cdp.py - headless Chromium driven over the Chrome DevTools Protocol.

Standard library only: the browser is started with --remote-debugging-port=0 and its own
profile folder, the port is read from the DevToolsActivePort file it writes, and one page
target is spoken to over a WebSocket (RFC 6455: masked client frames, text messages,
continuation frames, ping answered with pong). Events that arrive while a command waits are
kept in 'events', so a test can look for console errors, exceptions and dialogs afterwards.
The browser is stopped by its own pid.
"""

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import time
import urllib.request


def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class WebSocket:
    def __init__(self, url, timeout=30):
        assert url.startswith("ws://"), url
        hostport, _, path = url[5:].partition("/")
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n" % (path, hostport, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("WebSocket handshake: connection closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError("WebSocket handshake refused: %r" % head[:200])

    def _exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise ConnectionError("WebSocket closed")
            out += chunk
        return out

    def _send_frame(self, opcode, payload):
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + body)

    def send(self, text):
        self._send_frame(0x1, text.encode("utf-8"))

    def recv(self, timeout):
        """One whole text message, or None when 'timeout' passes first."""
        self.sock.settimeout(timeout)
        parts = []
        while True:
            try:
                b0, b1 = self._exact(2)
            except socket.timeout:
                if parts:
                    raise
                return None
            self.sock.settimeout(30)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            mask = self._exact(4) if b1 & 0x80 else None
            payload = self._exact(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            opcode = b0 & 0x0F
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0x8:
                raise ConnectionError("WebSocket closed by the browser")
            if opcode in (0x0, 0x1, 0x2):
                parts.append(payload)
                if b0 & 0x80:
                    return b"".join(parts).decode("utf-8")

    def close(self):
        try:
            self._send_frame(0x8, b"")
        except OSError:
            pass
        self.sock.close()


class Browser:
    """One headless Chromium with one page; call() sends a CDP command and returns its
    result, keeping the events that arrive meanwhile."""

    def __init__(self, folder, width=1280, height=900):
        self.folder = folder
        profile = os.path.join(folder, "profile")
        os.makedirs(profile, exist_ok=True)
        self.log_path = os.path.join(folder, "chromium.log")
        argv = [chromium_path(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--mute-audio",
                "--autoplay-policy=no-user-gesture-required",
                "--remote-debugging-port=0", "--remote-allow-origins=*",
                "--user-data-dir=" + profile, "--window-size=%d,%d" % (width, height),
                "about:blank"]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT)
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while not (os.path.exists(port_file) and open(port_file).read().count("\n") >= 1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("chromium did not start its DevTools endpoint; log:\n%s"
                                   % self.log_tail())
            time.sleep(0.1)
        port = int(open(port_file).read().split("\n")[0])
        with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=10) as r:
            targets = json.load(r)
        page = [t for t in targets if t.get("type") == "page"]
        if not page:
            self.stop()
            raise RuntimeError("chromium has no page target: %s" % targets)
        self.ws = WebSocket(page[0]["webSocketDebuggerUrl"])
        self.next_id = 0
        self.events = []

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def call(self, method, timeout=30, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("CDP %s: no answer within %d s" % (method, timeout))
            text = self.ws.recv(left)
            if text is None:
                continue
            msg = json.loads(text)
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError("CDP %s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self.on_event(msg)

    def on_event(self, msg):
        """Keeps the event; a dialog is answered at once with self.prompt_text, or dismissed
        when that is None (a dialog left open would block the page's script)."""
        self.events.append(msg)
        if msg["method"] == "Page.javascriptDialogOpening":
            text = getattr(self, "prompt_text", None)
            params = {"accept": text is not None}
            if text is not None:
                params["promptText"] = text
            self.ws.send(json.dumps({"id": 0, "method": "Page.handleJavaScriptDialog",
                                     "params": params}))

    def pump(self, seconds):
        """Reads events for 'seconds'."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = self.ws.recv(max(0.01, deadline - time.monotonic()))
            if text:
                msg = json.loads(text)
                if "method" in msg:
                    self.on_event(msg)

    def evaluate(self, expression, await_promise=False):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=await_promise)
        if "exceptionDetails" in r:
            raise RuntimeError("evaluate %r: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")

    def wait_for(self, expression, timeout):
        """Evaluates 'expression' until it is truthy; returns its value or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except RuntimeError:
                value = None  # the page is still loading: its elements are not there yet
            if value:
                return value
            self.pump(0.2)
        return None

    def click(self, selector):
        """A real mouse click in the middle of the element (scrolled into view first)."""
        box = self.evaluate(
            "(() => { const e = document.querySelector(%s); if (!e) return null;"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()" % json.dumps(selector))
        if box is None:
            raise RuntimeError("no element %s" % selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1],
                      button="left", clickCount=1)

    def screenshot(self, path, full_page=True):
        params = {"format": "png"}
        if full_page:
            size = self.evaluate("[document.documentElement.scrollWidth,"
                                 " document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": min(size[1], 6000),
                              "scale": 1}
            params["captureBeyondViewport"] = True
        r = self.call("Page.captureScreenshot", timeout=60, **params)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def stop(self):
        ws = getattr(self, "ws", None)
        if ws is not None:
            ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
