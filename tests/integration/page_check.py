#!/usr/bin/python3
"""Drives headless Chromium (Debian's) over the DevTools protocol against the
coordinator's status page, as a person watching it would see it:

  page_check.py CHROMIUM URL SCREENSHOT VICTIM_PID VICTIM_NAME SUBMIT...

1. the page loads and updates (body[data-updates] counts polls);
2. SUBMIT (a command) starts a job; the job's row shows its files done
   increasing, at least three distinct values, then the job appears in the
   finished list and leaves the running list;
3. VICTIM_PID is killed with SIGKILL; within 15 s the page lists
   VICTIM_NAME under gone workers and no longer among the workers;
4. no console error, uncaught exception or failed load happened at all;
5. a screenshot (PNG) is written to SCREENSHOT.
Exits 0 when all hold; prints what it saw either way. Bounded in time.
"""
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # Debian's python3-websocket


class Page:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=10)
        self.next_id = 0
        self.errors = []

    def _event(self, msg):
        method = msg.get("method")
        p = msg.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            self.errors.append("exception: " + d.get("exception", {}).get(
                "description", d.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            self.errors.append("console.%s: %s" % (p["type"], " ".join(
                str(a.get("value", a.get("description", ""))) for a in p["args"])))
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
            e = p["entry"]
            self.errors.append("log: %s %s" % (e.get("text"), e.get("url", "")))

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            self._event(msg)

    def eval(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError("evaluate %s: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")


def wait_for(what, seconds, probe):
    end = time.time() + seconds
    while time.time() < end:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out after %ss waiting for %s" % (seconds, what))


def main():
    chromium, url, png, victim_pid, victim = sys.argv[1:6]
    submit = sys.argv[6:]
    profile = tempfile.mkdtemp(prefix="logsweep-chromium-")
    browser = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions",
         "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
         "--user-data-dir=" + profile, "--window-size=1200,1400", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    job = None
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        wait_for("Chromium's DevTools port", 30, lambda: os.path.exists(port_file)
                 and open(port_file).read().count("\n") >= 1)
        port = int(open(port_file).read().split()[0])
        targets = json.load(urllib.request.urlopen(
            "http://127.0.0.1:%d/json/list" % port, timeout=10))
        ws_url = [t for t in targets if t["type"] == "page"][0]["webSocketDebuggerUrl"]
        page = Page(ws_url)
        for domain in ("Runtime", "Log", "Page"):
            page.call(domain + ".enable")
        page.call("Page.navigate", url=url)
        wait_for("the first update", 15,
                 lambda: int(page.eval("document.body && document.body.dataset.updates || 0")) >= 1)
        print("ok 1 - page loaded and updating")

        job = subprocess.Popen(submit)
        seen = []
        def job_done():
            row = page.eval("(() => { const r = document.querySelector('#jobs tr[data-job]');"
                            " return r ? [Number(r.dataset.done), Number(r.dataset.total)] : null })()")
            if row and (not seen or seen[-1] != row[0]):
                seen.append(row[0])
            return page.eval("document.querySelectorAll('#history tr[data-job]').length") >= 1 and \
                page.eval("document.querySelectorAll('#jobs tr[data-job]').length") == 0
        wait_for("the job to finish on the page", 60, job_done)
        state = page.eval("document.querySelector('#history tr[data-job]').dataset.state")
        print("progress seen on the page:", seen, "then", state)
        assert seen == sorted(seen), "progress went down: %s" % seen
        assert len(set(seen)) >= 3, "progress did not move on the page: %s" % seen
        assert state == "done", state
        print("ok 2 - progress increased, then finished")

        os.kill(int(victim_pid), signal.SIGKILL)
        sel = "[data-worker=%s]" % json.dumps(victim)
        wait_for("the killed worker to show as gone", 15, lambda: page.eval(
            "!!document.querySelector('#gone li%s') && !document.querySelector('#workers tr%s')"
            % (sel, sel)))
        print("ok 3 - killed worker %s shows as gone" % victim)

        time.sleep(1.2)  # one more update, then the picture
        shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        with open(png, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        page.eval("1")  # drains pending events
        assert not page.errors, "console errors: %s" % page.errors
        print("ok 4 - no console errors; screenshot in %s" % png)
        return 0
    except (AssertionError, RuntimeError, OSError) as e:
        print("FAIL: %s" % e, file=sys.stderr)
        return 1
    finally:
        if job is not None:
            try:
                job.wait(timeout=30)
            except subprocess.TimeoutExpired:
                job.kill()
        browser.kill()
        browser.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
