#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A small real-browser driver for the portal's page tests.

Runs headless Chromium and drives it over the DevTools protocol, with
Debian's /usr/bin/python3 (python3-websockets 10.4) and nothing else:
    browser.py [--log DIR] [--timeout S] [--step-timeout S]
               [--resolve HOST=IP]... SCRIPT
SCRIPT is a JSON list of steps, given inline (it starts with "[") or as
a file name ("-" is stdin). A step is a list, its operation first:
    ["goto", URL]               load URL, wait for its load event
    ["wait_url", REGEX, S?]     wait until the page's URL matches
    ["fill", SELECTOR, TEXT, S?]  focus the field, replace its value
    ["fill_from", SELECTOR, FILE, S?]  fill with FILE's first line, once
                                FILE exists and is not empty
    ["click", SELECTOR, S?]     a real mouse click at the element's
                                centre; waits for a navigation if one
                                starts within a second
    ["submit", SELECTOR, S?]    a form (requestSubmit) or its button
                                (clicked); a navigation must follow
    ["text", SELECTOR, S?]      prints the element's innerText, its
                                white space collapsed
    ["expect_text", SUB, S?]    waits until the page's text contains SUB
    ["expect_no_text", SUB]     the page's text does not contain SUB
    ["screenshot", PATH]        the full page, as PNG
    ["headers"]                 the main document's response (status,
                                url, headers, names lower case) as JSON
    ["eval", JS]                prints the value (awaited) as JSON
    ["expect_eval", JS]         fails unless the value is truthy
    ["sleep", S]
S? is how long the step may wait, in seconds (default --step-timeout,
15); an element a step names is waited for. Each step prints
"ok N OP: RESULT" (goto, click and submit: the URL and HTTP status);
the first that fails prints "not ok N STEP: ..." with what was
expected, what was found and the URL, and the script exits 1 (2: a bad
script, 3: the browser did not start, 124: --timeout,
128+N: signal N). Then comes "final-url URL" ("(unknown)" when the
browser has gone) unless the run timed out; the first two lines are "# browser profile DIR" and
"# browser pid PID" (its process group).
--log DIR writes DIR/requests.txt (the URL of every request the page
made, one a line, redirects included, data: and blob: left out),
DIR/requests.jsonl (the same requests, a JSON object a line: method,
url, type, referer, redirected_by: the status of the redirect that led
to it), DIR/console.txt (console messages, uncaught exceptions, browser log
entries such as CSP violations), DIR/final-url.txt and
DIR/chromium.log (its stderr).
Host names and addresses other than localhost, 127.0.0.1 and [::1]
resolve to nothing (--resolve adds HOST=IP mappings), and the flags
below stop Chromium's own traffic, so a test never leaves loopback.
The browser runs in a process group of its own, killed with its
profile directory on every exit: success, failure, timeout (--timeout,
default 60 s, with a SIGALRM backstop 15 s later, past the browser's
own bounded clean-up), SIGTERM, SIGINT or
SIGHUP; PR_SET_PDEATHSIG kills it if this script is killed outright.
FZ_CHROMIUM names another browser binary; none found is an error
(exit 3), never a skip.
"""
import argparse
import asyncio
import base64
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import websockets

BINARIES = ("/usr/lib/chromium/chromium", "chromium")

# Debian's /usr/bin/chromium wrapper adds Google API keys and remote
# extensions; the binary is run directly, with the flags that matter.
FLAGS = [
    "--headless=new",
    "--no-sandbox",  # we run as root in the tests
    "--disable-gpu",
    "--remote-debugging-port=0",
    "--remote-debugging-address=127.0.0.1",
    "--ignore-certificate-errors",  # the tests' certificates are self-signed
    "--no-first-run",
    "--no-default-browser-check",
    "--no-service-autorun",
    "--no-pings",
    "--password-store=basic",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-component-extensions-with-background-pages",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-field-trial-config",
    "--disable-search-engine-choice-screen",
    "--metrics-recording-only",
    "--safebrowsing-disable-auto-update",
    "--disable-features=" + ",".join([
        "OptimizationHints", "OptimizationGuideModelDownloading",
        "OptimizationHintsFetching", "OptimizationTargetPrediction",
        "Translate", "MediaRouter", "DialMediaRouteProvider",
        "AutofillServerCommunication", "CertificateTransparencyComponentUpdater",
        "NetworkTimeServiceQuerying", "InterestFeedContentSuggestions",
        "SafeBrowsingEnhancedProtection", "PrivacySandboxSettings4",
        "AcceptCHFrame", "SegmentationPlatform", "LensOverlay",
        "HttpsUpgrades", "HttpsFirstBalancedModeAutoEnable",
        "DnsOverHttps", "AsyncDns",
    ]),
    "--window-size=1024,768",
]

STEP_ARGS = {
    "goto": (1, 1), "wait_url": (1, 2), "fill": (2, 3), "fill_from": (2, 3),
    "click": (1, 2),
    "submit": (1, 2), "text": (1, 2), "expect_text": (1, 2),
    "expect_no_text": (1, 1), "screenshot": (1, 1), "headers": (0, 0),
    "eval": (1, 1), "expect_eval": (1, 1), "sleep": (1, 1),
}
# Steps that wait, and take an optional last argument: the seconds to
# wait at most, instead of --step-timeout.
TIMED = ("wait_url", "fill", "fill_from", "click", "submit", "text",
         "expect_text")


class StepFailed(Exception):
    pass


BACKSTOP = 15  # seconds after --timeout
POLL_ANSWER = 5  # seconds a poll waits for its answer, at least
CURRENT = ["start-up"]  # where a timeout struck, for its message
SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM)


class Browser:
    """The Chromium process, its profile directory and its cleanup."""

    def __init__(self, log_dir, resolve):
        self.tmp = tempfile.mkdtemp(prefix="fz-browser-")
        self.proc = None
        self.log_dir = log_dir
        self.resolve = resolve

    def binary(self):
        for b in ([os.environ["FZ_CHROMIUM"]] if "FZ_CHROMIUM" in os.environ
                  else BINARIES):
            path = shutil.which(b)
            if path:
                return path
        raise RuntimeError("chromium is not installed (apt-get install "
                           "chromium; .ci/install-deps.sh)")

    async def start(self, timeout):
        rules = ["MAP %s %s" % (h, ip) for h, ip in self.resolve]
        # IP literals go through the rules too: loopback is let through.
        rules += ["MAP * ~NOTFOUND", "EXCLUDE localhost", "EXCLUDE 127.0.0.1",
                  "EXCLUDE [::1]"]
        args = [self.binary()] + FLAGS + [
            "--user-data-dir=" + self.tmp,
            "--host-resolver-rules=" + ", ".join(rules),
            "about:blank",
        ]
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("GOOGLE_")}
        env["HOME"] = self.tmp  # nothing lands in the real profile
        err = os.path.join(self.log_dir or self.tmp, "chromium.log")
        # A signal between the fork and self.proc would leave the browser
        # running and unknown to the handler: held off until it is set.
        old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        try:
            with open(err, "wb") as f:
                self.proc = subprocess.Popen(
                    args, stdin=subprocess.DEVNULL, stdout=f, stderr=f,
                    env=env, start_new_session=True,
                    preexec_fn=_child_setup)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        port_file = os.path.join(self.tmp, "DevToolsActivePort")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("chromium exited with status %d: %s" %
                                   (self.proc.returncode, _tail(err)))
            try:
                with open(port_file) as f:
                    lines = f.read().split("\n")
                if len(lines) >= 2 and lines[0].isdigit() and lines[1]:
                    return int(lines[0])
            except FileNotFoundError:
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError("no DevToolsActivePort after %g s: %s" %
                           (timeout, _tail(err)))

    def stop(self):
        """Kills the whole process group (the browser and its renderer,
        GPU, network and zygote children), then what left the group
        (the crash handler daemonizes) yet names the profile directory,
        then removes the directory."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
        end = time.monotonic() + 5
        while time.monotonic() < end:
            strays = self.strays()
            if not strays:
                break
            for pid in strays:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def strays(self):
        """Processes whose arguments hold the profile directory (its
        name is random, so they are ours)."""
        me, pids = os.getpid(), []
        needle = self.tmp.encode()
        for d in os.listdir("/proc"):
            if not d.isdigit() or int(d) == me:
                continue
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    if needle in f.read():
                        pids.append(int(d))
            except OSError:
                pass
        return pids


def _child_setup():
    """In the child: dies with this script, and takes the signals the
    parent held off."""
    PR_SET_PDEATHSIG = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)


def _tail(path, n=5):
    try:
        with open(path, errors="replace") as f:
            lines = [l for l in f.read().splitlines()
                     if "dbus" not in l and l.strip()]
        return " | ".join(lines[-n:]) or "(no output)"
    except OSError:
        return "(no log)"


class Page:
    """One page target's DevTools session: commands, events, waits."""

    def __init__(self, log_dir):
        self.ws = None  # set by open_page, as is task (the reader)
        self.task = None
        self.next_id = 0
        self.pending = {}
        self.events = []  # every event, in order; waits scan from a mark
        self.changed = asyncio.Event()
        self.frame_id = None
        self.loader_id = None
        self.responses = {}  # loaderId -> Network.responseReceived params
        self.extra = {}  # requestId -> [responseReceivedExtraInfo params]
        self.closed = None  # why the session is over, a RuntimeError
        self.deadline = 0  # of the step: no command waits past it
        self.requests = self.console = None
        if log_dir:
            self.requests = open(os.path.join(log_dir, "requests.txt"), "w")
            self.requests_json = open(
                os.path.join(log_dir, "requests.jsonl"), "w")
            self.console = open(os.path.join(log_dir, "console.txt"), "w")

    async def reader(self):
        try:
            async for raw in self.ws:
                msg = json.loads(raw)
                if "id" in msg:
                    fut = self.pending.pop(msg["id"], None)
                    if fut and not fut.done():
                        fut.set_result(msg)
                else:
                    self.on_event(msg["method"], msg.get("params", {}))
        except websockets.ConnectionClosed as e:
            self.closed = e
        finally:
            self.fail_all(self.closed or
                          RuntimeError("the browser went away"))

    def fail_all(self, exc):
        """Every command waiting for an answer, and every wait, fails."""
        if not isinstance(exc, RuntimeError):
            exc = RuntimeError("the browser went away (%s)" % exc)
        self.closed = exc
        for fut in self.pending.values():
            if not fut.done():
                fut.set_exception(exc)
        self.changed.set()

    def on_event(self, method, p):
        self.events.append((method, p))
        self.changed.set()
        if method == "Network.requestWillBeSent" and self.requests:
            self.log_request(p)
        elif method == "Network.responseReceived":
            if p.get("type") == "Document" and p.get("loaderId"):
                self.responses[p["loaderId"]] = p
        elif method == "Network.responseReceivedExtraInfo":
            self.extra.setdefault(p["requestId"], []).append(p)
        elif method == "Page.javascriptDialogOpening":
            # An alert would block every evaluation after it: it is
            # accepted, and logged.
            asyncio.get_running_loop().create_task(self.dismiss())
            if self.console:
                self.console.write("dialog.%s: %s\n" % (
                    p.get("type"), p.get("message", "").replace("\n", " ")))
                self.console.flush()
        elif method == "Inspector.targetCrashed":
            self.fail_all(RuntimeError("the page's renderer crashed"))
        elif method == "Page.frameNavigated":
            f = p["frame"]
            if not f.get("parentId"):
                self.frame_id, self.loader_id = f["id"], f["loaderId"]
        elif self.console:
            self.log_console(method, p)

    def log_request(self, p):
        req = p["request"]
        if req["url"].startswith(("data:", "blob:")):
            return
        self.requests.write(req["url"] + "\n")
        self.requests.flush()
        # Where a token could leak: the Referer, the method, the hop.
        h = {k.lower(): v for k, v in req.get("headers", {}).items()}
        self.requests_json.write(json.dumps({
            "method": req["method"], "url": req["url"],
            "type": p.get("type"), "referer": h.get("referer"),
            "redirected_by": p.get("redirectResponse", {}).get("status"),
        }) + "\n")
        self.requests_json.flush()

    async def dismiss(self):
        try:
            await self.send("Page.handleJavaScriptDialog", 5, accept=True)
        except (StepFailed, RuntimeError):
            pass  # the step that waits says what went wrong

    def log_console(self, method, p):
        if method == "Runtime.consoleAPICalled":
            args = [str(a.get("value", a.get("description", a.get("type"))))
                    for a in p.get("args", [])]
            line = "console.%s: %s" % (p.get("type"), " ".join(args))
        elif method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            line = "exception: %s" % d.get("exception", {}).get(
                "description", d.get("text"))
        elif method == "Log.entryAdded":
            e = p["entry"]
            line = "log.%s.%s: %s %s" % (e.get("source"), e.get("level"),
                                         e.get("text"), e.get("url", ""))
        else:
            return
        self.console.write(line.replace("\n", " ") + "\n")
        self.console.flush()

    async def send(self, method, timeout=None, **params):
        """A command and its answer, by the step's deadline (or within
        timeout seconds)."""
        if self.closed:
            raise self.closed
        self.next_id += 1
        mid = self.next_id
        fut = asyncio.get_running_loop().create_future()
        self.pending[mid] = fut
        await self.ws.send(json.dumps(
            {"id": mid, "method": method, "params": params}))
        left = timeout if timeout else self.deadline - time.monotonic()
        try:
            msg = await asyncio.wait_for(fut, max(0.1, left))
        except asyncio.TimeoutError:
            self.pending.pop(mid, None)
            raise StepFailed("no answer to %s by the step's timeout" %
                             method) from None
        if "error" in msg:
            raise StepFailed("%s: %s" % (method, msg["error"].get("message")))
        return msg.get("result", {})

    async def wait_event(self, mark, pred, deadline):
        """The first event from index mark on for which pred holds, or
        None at the deadline."""
        r = await self.wait_at(mark, pred, deadline)
        return r and r[2]

    async def wait_at(self, mark, pred, deadline):
        """As wait_event, but (index, method, params)."""
        i = mark
        while True:
            while i < len(self.events):
                m, p = self.events[i]
                if pred(m, p):
                    return i, m, p
                i += 1
            if self.closed:
                raise self.closed
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def evaluate(self, js, timeout=None):
        r = await self.send("Runtime.evaluate", timeout, expression=js,
                            awaitPromise=True, returnByValue=True,
                            userGesture=True)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise StepFailed("JavaScript threw: %s" % d.get(
                "exception", {}).get("description", d.get("text")))
        return r["result"].get("value")

    async def url(self):
        try:
            return await self.evaluate("location.href", 5)
        except Exception:
            return "(unknown)"

    async def poll(self, js, deadline, pred=bool):
        """Evaluates js until pred(value) holds or the deadline passes;
        returns the last value. A navigation in between is no error.
        Each look gets POLL_ANSWER seconds to be answered even past the
        deadline: a short wait on a loaded machine must still fail with
        what the page showed, not with a browser slow to answer."""
        while True:
            try:
                v = await self.evaluate(js, max(
                    POLL_ANSWER, deadline - time.monotonic()))
            except StepFailed as e:
                if "context" not in str(e).lower():
                    raise
                v = None
            if pred(v) or time.monotonic() >= deadline:
                return v
            await asyncio.sleep(0.1)

    async def wait_load(self, loader_id, deadline):
        """The main frame's load event for the document of loader_id,
        or, should the page move on before its load (a script, a form
        that submits itself), for the document it moved on to."""
        def nav(m, p):
            return m == "Page.frameNavigated" and \
                not p["frame"].get("parentId")
        r = await self.wait_at(0, lambda m, p: nav(m, p) and
                               p["frame"]["loaderId"] == loader_id,
                               deadline)
        while r is not None:
            i, m, p = r
            if m == "Page.lifecycleEvent":
                return
            loader_id = p["frame"]["loaderId"]
            r = await self.wait_at(
                i + 1, lambda m, p: nav(m, p) or (
                    m == "Page.lifecycleEvent" and p["name"] == "load" and
                    p["loaderId"] == loader_id and
                    p["frameId"] == self.frame_id), deadline)
        raise StepFailed("expected the page to load, it did not by the "
                         "timeout")

    async def wait_navigation(self, mark, deadline, must):
        """After a click or submit: waits for the main frame's next
        navigation (redirects included) and for its document's load."""
        p = await self.wait_event(
            mark, lambda m, p: m == "Page.frameNavigated" and
            not p["frame"].get("parentId"), deadline)
        if p is None:
            if must:
                raise StepFailed("expected a navigation, none came")
            return False
        if p["frame"]["url"].startswith("chrome-error:"):
            err = [e for m, e in self.events[mark:]
                   if m == "Network.loadingFailed" and
                   e.get("type") == "Document"]
            raise StepFailed("expected the next page to load, got %s" %
                             (err[-1]["errorText"] if err else "an error"))
        await self.wait_load(p["frame"]["loaderId"], deadline)
        return True

    async def where(self):
        """The URL and the HTTP status of the current document."""
        r = self.responses.get(self.loader_id)
        u = await self.url()
        return "%s (%s)" % (u, r["response"]["status"]) if r else u

    async def find(self, selector, deadline):
        """Waits for selector to match an element."""
        js = "document.querySelector(%s) !== null" % json.dumps(selector)
        if not await self.poll(js, deadline):
            raise StepFailed("expected an element matching %r, found none"
                             % selector)


def q(selector):
    return "document.querySelector(%s)" % json.dumps(selector)


async def step_goto(pg, a, deadline):
    r = await pg.send("Page.navigate", url=a[0])
    if r.get("errorText"):
        raise StepFailed("expected %s to load, got %s" %
                         (a[0], r["errorText"]))
    if r.get("loaderId"):  # none for a same-document navigation
        await pg.wait_load(r["loaderId"], deadline)
    return await pg.where()


async def step_wait_url(pg, a, deadline):
    rx = re.compile(a[0])
    u = await pg.poll("location.href", deadline,
                      lambda v: v is not None and rx.search(v))
    if u is None or not rx.search(u):
        raise StepFailed("expected the URL to match %r, it is %s" % (a[0], u))
    return u


async def step_fill(pg, a, deadline):
    await pg.find(a[0], deadline)
    kind = await pg.evaluate(
        "(e => { e.focus(); if (e.select) e.select(); "
        "return e.tagName.toLowerCase(); })(%s)" % q(a[0]))
    if kind == "select":
        await pg.evaluate(
            "(e => { e.value = %s; e.dispatchEvent(new Event('change', "
            "{bubbles: true})); })(%s)" % (json.dumps(a[1]), q(a[0])))
    else:
        # Typed text, not a value set behind the page's back: input
        # events fire, maxlength and the like apply.
        await pg.evaluate("(e => { e.value = ''; })(%s)" % q(a[0]))
        if a[1]:
            await pg.send("Input.insertText", text=a[1])
    got = await pg.evaluate("%s.value" % q(a[0]))
    if got != a[1]:
        raise StepFailed("expected the field to hold %r, it holds %r" %
                         (a[1], got))
    return "%s = %s" % (a[0], json.dumps(a[1]))


async def step_fill_from(pg, a, deadline):
    """fill with the first line of a file another process writes (a code
    from a mailbox): waits for the file to exist and not be empty."""
    while not (os.path.exists(a[1]) and os.path.getsize(a[1])):
        if time.monotonic() >= deadline:
            raise StepFailed("expected the file %s, it did not come" % a[1])
        await asyncio.sleep(0.1)
    with open(a[1]) as f:
        text = f.readline().strip()
    return await step_fill(pg, [a[0], text], deadline)


async def mouse_click(pg, selector):
    box = await pg.evaluate(
        "(e => { e.scrollIntoView({block: 'center'}); "
        "const r = e.getBoundingClientRect(); "
        "return [r.x + r.width / 2, r.y + r.height / 2, r.width, "
        "r.height]; })(%s)" % q(selector))
    x, y, w, h = box
    if w == 0 or h == 0:
        raise StepFailed("expected %r to be visible, it has no size" %
                         selector)
    for t in ("mousePressed", "mouseReleased"):
        await pg.send("Input.dispatchMouseEvent", type=t, x=x, y=y,
                      button="left", clickCount=1)


async def step_click(pg, a, deadline):
    await pg.find(a[0], deadline)
    mark = len(pg.events)
    await mouse_click(pg, a[0])
    soon = min(deadline, time.monotonic() + 1.0)
    p = await pg.wait_event(
        mark, lambda m, p: m in ("Page.frameRequestedNavigation",
                                 "Page.frameStartedLoading") and
        p["frameId"] == pg.frame_id, soon)
    if p is not None:
        await pg.wait_navigation(mark, deadline, True)
    return await pg.where()


async def step_submit(pg, a, deadline):
    await pg.find(a[0], deadline)
    mark = len(pg.events)
    tag = await pg.evaluate("%s.tagName.toLowerCase()" % q(a[0]))
    if tag == "form":
        await pg.evaluate("%s.requestSubmit()" % q(a[0]))
    else:
        await mouse_click(pg, a[0])
    await pg.wait_navigation(mark, deadline, True)
    return await pg.where()


async def step_text(pg, a, deadline):
    await pg.find(a[0], deadline)
    t = await pg.evaluate("%s.innerText" % q(a[0]))
    return " ".join((t or "").split())


async def step_expect_text(pg, a, deadline):
    js = "document.body ? document.body.innerText : ''"
    t = await pg.poll(js, deadline, lambda v: v and a[0] in v)
    if not t or a[0] not in t:
        found = " ".join((t or "").split())
        raise StepFailed("expected the page to contain %r, its text is %r" %
                         (a[0], found[:300]))
    return a[0]


async def step_expect_no_text(pg, a, deadline):
    t = await pg.evaluate("document.body ? document.body.innerText : ''")
    if t and a[0] in t:
        i = t.index(a[0])
        raise StepFailed("expected no %r in the page, found it in %r" %
                         (a[0], " ".join(t[max(0, i - 60):i + 60].split())))
    return a[0]


async def step_screenshot(pg, a, deadline):
    m = await pg.send("Page.getLayoutMetrics")
    size = m.get("cssContentSize") or m["contentSize"]
    w, h = max(1, int(size["width"])), max(1, int(size["height"]))
    r = await pg.send("Page.captureScreenshot", format="png",
                      captureBeyondViewport=True,
                      clip={"x": 0, "y": 0, "width": w, "height": h,
                            "scale": 1})
    data = base64.b64decode(r["data"])
    d = os.path.dirname(a[0])
    if d:
        os.makedirs(d, exist_ok=True)
    with open(a[0], "wb") as f:
        f.write(data)
    return "%s (%dx%d, %d bytes)" % (a[0], w, h, len(data))


async def step_headers(pg, a, deadline):
    r = pg.responses.get(pg.loader_id)
    if r is None:
        raise StepFailed("expected a response for the current document, "
                         "none was seen")
    resp = r["response"]
    headers = {k.lower(): v for k, v in resp.get("headers", {}).items()}
    # The extra info holds what the renderer is not shown (Set-Cookie);
    # one per hop of a redirect chain, so the last with this status.
    for x in reversed(pg.extra.get(r["requestId"], [])):
        if x.get("statusCode", resp["status"]) == resp["status"]:
            headers.update({k.lower(): v for k, v in x["headers"].items()})
            break
    return json.dumps({"status": resp["status"], "url": resp["url"],
                       "headers": headers}, sort_keys=True)


async def step_eval(pg, a, deadline):
    return json.dumps(await pg.evaluate(a[0]))


async def step_expect_eval(pg, a, deadline):
    v = await pg.evaluate(a[0])
    if not v:
        raise StepFailed("expected %s to be true, it is %s" %
                         (a[0], json.dumps(v)))
    return json.dumps(v)


async def step_sleep(pg, a, deadline):
    await asyncio.sleep(float(a[0]))
    return a[0]


async def http_get_json(port, path):
    """GET from the DevTools HTTP endpoint on the event loop (urllib
    would block it, and with it every timeout)."""
    r, w = await asyncio.open_connection("127.0.0.1", port)
    try:
        # The Host names the port: the target's WebSocket URL is built
        # from it.
        w.write(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" %
                (path.encode(), port))
        head = (await r.readuntil(b"\r\n\r\n")).decode("latin-1")
        if not head.startswith("HTTP/1.1 200"):
            raise RuntimeError("DevTools %s: %s" % (path, head.split("\r")[0]))
        m = re.search(r"(?im)^content-length:\s*(\d+)", head)
        body = await (r.readexactly(int(m.group(1))) if m else r.read())
        return json.loads(body)
    finally:
        w.close()


async def open_page(pg, port):
    targets = await http_get_json(port, "/json/list")
    # Headless Chromium also lists its own UI pages (browser_ui).
    t = next(t for t in targets if t["type"] == "page")
    pg.ws = await websockets.connect(t["webSocketDebuggerUrl"],
                                     max_size=None, ping_interval=None)
    pg.task = asyncio.get_running_loop().create_task(pg.reader())
    # Pipelined: one round trip, not six, on a slow machine.
    *_, tree = await asyncio.gather(
        pg.send("Page.enable"),
        pg.send("Page.setLifecycleEventsEnabled", enabled=True),
        pg.send("Network.enable"), pg.send("Runtime.enable"),
        pg.send("Log.enable"), pg.send("Inspector.enable"),
        pg.send("Page.getFrameTree"))
    pg.frame_id = tree["frameTree"]["frame"]["id"]
    pg.loader_id = tree["frameTree"]["frame"]["loaderId"]


def describe(step):
    s = " ".join(str(x) for x in step)
    return s if len(s) < 200 else s[:197] + "..."


async def run(steps, args, browser):
    print("# browser profile %s" % browser.tmp, flush=True)
    pg = Page(args.log)
    try:
        port = await browser.start(args.start_timeout)
        print("# browser pid %d" % browser.proc.pid, flush=True)
        pg.deadline = time.monotonic() + args.start_timeout
        await open_page(pg, port)
        return await run_steps(pg, steps, args)
    finally:
        # The browser goes first: its socket closes under the session,
        # and nothing is left waiting on a close handshake (a cancelled
        # run, a timeout, would otherwise hang in asyncio's cleanup).
        browser.stop()
        if pg.ws is not None:
            pg.ws.transport.abort()
        if pg.task is not None:
            pg.task.cancel()


async def run_steps(pg, steps, args):
    status = 0
    for n, step in enumerate(steps, 1):
        op, a = step[0], step[1:]
        deadline = time.monotonic() + args.step_timeout
        if op in TIMED and len(a) == STEP_ARGS[op][1]:
            deadline = time.monotonic() + float(a[-1])
            a = a[:-1]
        pg.deadline = deadline
        CURRENT[0] = "step %d (%s)" % (n, describe(step))
        try:
            res = await globals()["step_" + op](pg, a, deadline)
        except (StepFailed, RuntimeError, OSError, KeyError,
                TypeError, ValueError) as e:
            why = e if isinstance(e, StepFailed) else \
                "%s: %s" % (type(e).__name__, e)
            print("not ok %d %s: %s (at %s)" %
                  (n, describe(step), why, await pg.url()), flush=True)
            status = 1
            break
        print("ok %d %s: %s" % (n, op, res), flush=True)
    final = await pg.url()
    print("final-url %s" % final, flush=True)
    if args.log:
        with open(os.path.join(args.log, "final-url.txt"), "w") as f:
            f.write(final + "\n")
    return status


def load_steps(script):
    if script.lstrip().startswith("["):
        text = script
    elif script == "-":
        text = sys.stdin.read()
    else:
        with open(script) as f:
            text = f.read()
    steps = json.loads(text)
    if not isinstance(steps, list):
        raise ValueError("the script is not a JSON list of steps")
    for n, s in enumerate(steps, 1):
        if not isinstance(s, list) or not s or s[0] not in STEP_ARGS:
            raise ValueError("step %d: not [OP, ARG...] with a known OP: %r"
                             % (n, s))
        lo, hi = STEP_ARGS[s[0]]
        if not lo <= len(s) - 1 <= hi or \
                not all(isinstance(x, (str, int, float)) for x in s[1:]):
            raise ValueError("step %d: %s takes %d to %d arguments: %r" %
                             (n, s[0], lo, hi, s))
    return steps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--log", metavar="DIR")
    ap.add_argument("--timeout", type=float, default=60,
                    help="the whole run, seconds")
    ap.add_argument("--step-timeout", type=float, default=15)
    ap.add_argument("--start-timeout", type=float, default=30)
    ap.add_argument("--resolve", action="append", default=[],
                    metavar="HOST=IP")
    ap.add_argument("script")
    args = ap.parse_args()
    try:
        steps = load_steps(args.script)
        args.resolve = [tuple(r.split("=", 1)) for r in args.resolve]
        if any(len(r) != 2 for r in args.resolve):
            raise ValueError("--resolve takes HOST=IP")
    except (OSError, ValueError) as e:
        print("browser.py: %s" % e, file=sys.stderr)
        return 2
    if args.log:
        os.makedirs(args.log, exist_ok=True)

    browser = Browser(args.log, args.resolve)

    def on_signal(sig, frame):
        browser.stop()
        if sig == signal.SIGALRM:
            msg = "timeout after %g s in %s (the run had not stopped %d s " \
                "later)" % (args.timeout, CURRENT[0], BACKSTOP)
        else:
            msg = "killed by signal %d in %s" % (sig, CURRENT[0])
        print("not ok browser.py: %s" % msg, flush=True)
        print("browser.py: %s" % msg, file=sys.stderr, flush=True)
        os._exit(124 if sig == signal.SIGALRM else 128 + sig)

    for s in SIGNALS:
        signal.signal(s, on_signal)
    # A backstop should the event loop itself hang. asyncio's timeout
    # fires first, and its clean-up (Browser.stop: up to 5 s for the
    # group to die, 5 s for strays) must finish inside the backstop:
    # at 5 s, a loaded machine (load 12 on two cores: 1.4 to 3.8 s of
    # clean-up) reached it and the run ended with the backstop's words.
    signal.alarm(int(args.timeout) + BACKSTOP)
    try:
        return asyncio.run(asyncio.wait_for(run(steps, args, browser),
                                            args.timeout))
    except asyncio.TimeoutError:
        msg = "timeout after %g s in %s" % (args.timeout, CURRENT[0])
        print("not ok browser.py: %s" % msg, flush=True)
        print("browser.py: %s" % msg, file=sys.stderr)
        return 124
    except Exception as e:
        print("not ok browser.py: %s: %s" % (type(e).__name__, e),
              flush=True)
        print("browser.py: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 3
    finally:
        signal.alarm(0)
        browser.stop()


if __name__ == "__main__":
    sys.exit(main())
