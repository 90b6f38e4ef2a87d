#!/usr/bin/env python3
"""The console's HTTP contract on the real local stack (tools/stack.sh): sign-in through the
real identity provider (OIDC code flow with PKCE, the provider's own login form), the session
cookie, CSRF, the JSON API over the services, Server-Sent Events, logout, and a session that
survives a SIGKILL of the console. Standard library only: tools/console_client.py stands in
for the browser (the Playwright tests under tests/browser drive a real one).

Usage: console_api_test.py DATA_DIR (a stack started with tools/stack.sh start --data DATA_DIR)
"""
import json
import os
import subprocess
import sys
import threading
import unittest
import urllib.parse
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import console_client  # noqa: E402
from console_client import Browser, Console  # noqa: E402

DATA = ""


def open_case_body(summary):
    # A client of its own each time: a second report of one client within the window is linked
    # to its open case instead of opening one.
    return {"requestId": str(uuid.uuid4()), "client": {"id": f"acme-{uuid.uuid4().hex[:8]}", "name": "Acme"},
            "contact": {"name": "Dana", "email": "dana@acme.example"}, "channel": "CHANNEL_PHONE",
            "category": "communication", "severity": "SEVERITY_P3", "summary": summary}


class ConsoleApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.console = Console()

    def test_refuses_without_a_session(self):
        b = Browser()
        status, body = self.console.session(b)
        self.assertEqual(status, 401)
        self.assertEqual(body["code"], "unauthenticated")
        status, body = self.console.call(b, "intake", "recovery.v1.Intake/ListCases", {})
        self.assertEqual(status, 401)
        r = b.request("GET", f"{self.console.url}/api/events")
        self.assertEqual(r.status, 401)

    def test_sign_in_sets_a_safe_cookie_and_lands_on_return_to(self):
        b, r = self.console.sign_in("lee", "/cases?x=1")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.url, f"{self.console.url}/cases?x=1")
        session_lines = [l for l in b.set_cookie_lines if l.startswith("__Host-recovery-session=")]
        self.assertEqual(len(session_lines), 1, b.set_cookie_lines)
        for attribute in ("Path=/", "Secure", "HttpOnly", "SameSite=Lax"):
            self.assertIn(attribute, session_lines[0])
        self.assertNotIn("Domain", session_lines[0])
        status, s = self.console.session(b)
        self.assertEqual(status, 200, s)
        self.assertEqual(s["person"], "lee")
        self.assertEqual(s["email"], "lee@demo.example")
        self.assertIn("recovery.v1.Intake/OpenCase", s["methods"])
        self.assertIn("responder", s["roles"])
        self.assertTrue(s["csrfToken"])
        # The page shell carries the policy: no inline script or style anywhere.
        csp = r.getheader("Content-Security-Policy")
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(r.getheader("Referrer-Policy"), "no-referrer")

    def test_return_to_elsewhere_lands_home(self):
        for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
            b, r = self.console.sign_in("lee", target)
            self.assertEqual(r.url, f"{self.console.url}/", target)

    def test_a_callback_from_another_browser_is_refused(self):
        b = Browser()
        r = b.request("GET", f"{self.console.url}/auth/login?return_to=/", follow=False)
        self.assertEqual(r.status, 302)
        state = urllib.parse.parse_qs(urllib.parse.urlsplit(r.getheader("Location")).query)["state"][0]
        other = Browser()  # no login cookie: someone else's callback URL
        r = other.request("GET", f"{self.console.url}/auth/callback?code=x&state={state}")
        self.assertEqual(r.status, 400)
        self.assertIn(b"another browser", r.data)
        status, _ = self.console.session(other)
        self.assertEqual(status, 401)

    def test_writes_need_the_csrf_token_and_this_origin(self):
        b, _ = self.console.sign_in("lee")
        _, s = self.console.session(b)
        status, body = self.console.call(b, "intake", "recovery.v1.Intake/OpenCase", open_case_body("no csrf"))
        self.assertEqual(status, 403)
        self.assertEqual(body["field"], "X-CSRF-Token")
        status, body = self.console.call(b, "intake", "recovery.v1.Intake/OpenCase", open_case_body("bad csrf"),
                                         csrf="not-the-token")
        self.assertEqual(status, 403)
        status, body = self.console.call(b, "intake", "recovery.v1.Intake/OpenCase", open_case_body("cross origin"),
                                         csrf=s["csrfToken"], extra={"Origin": "https://evil.example"})
        self.assertEqual(status, 403)
        self.assertEqual(body["field"], "Origin")
        # Nothing of the refused calls was stored.
        status, listed = self.console.call(b, "intake", "recovery.v1.Intake/ListCases", {"pageSize": 500},
                                           csrf=s["csrfToken"])
        self.assertEqual(status, 200, listed)
        summaries = [c.get("summary") for c in listed.get("cases", [])]
        for refused in ("no csrf", "bad csrf", "cross origin"):
            self.assertNotIn(refused, summaries)

    def test_the_services_decide_as_the_person(self):
        b, _ = self.console.sign_in("lee")
        _, s = self.console.session(b)
        status, opened = self.console.call(b, "intake", "recovery.v1.Intake/OpenCase", open_case_body("as lee"),
                                           csrf=s["csrfToken"])
        self.assertEqual(status, 200, opened)
        case_id = opened["case"]["id"]
        self.assertEqual(opened["case"]["openedBy"], "person:lee")
        # A viewer sees no write in its methods, and the service refuses the write anyway.
        v, _ = self.console.sign_in("vic")
        _, vs = self.console.session(v)
        self.assertNotIn("recovery.v1.Intake/OpenCase", vs["methods"])
        self.assertIn("recovery.v1.Intake/GetCase", vs["methods"])
        status, body = self.console.call(v, "intake", "recovery.v1.Intake/OpenCase", open_case_body("as vic"),
                                         csrf=vs["csrfToken"])
        self.assertEqual(status, 403, body)
        self.assertEqual(body["code"], "permission_denied")
        status, got = self.console.call(v, "intake", "recovery.v1.Intake/GetCase", {"caseId": case_id},
                                        csrf=vs["csrfToken"])
        self.assertEqual(status, 200, got)
        # Bad input names the field; nothing unknown is reachable.
        status, body = self.console.call(b, "intake", "recovery.v1.Intake/OpenCase",
                                         dict(open_case_body("x"), client={"name": "no id"}), csrf=s["csrfToken"])
        self.assertEqual(status, 400, body)
        self.assertTrue(body["field"].startswith("client"), body)
        status, body = self.console.call(b, "intake", "recovery.v1.Intake/NoSuchMethod", {}, csrf=s["csrfToken"])
        self.assertEqual(status, 404)
        status, body = self.console.call(b, "nowhere", "recovery.v1.Intake/GetCase", {}, csrf=s["csrfToken"])
        self.assertEqual(status, 404)

    def test_an_event_reaches_an_open_stream(self):
        b, _ = self.console.sign_in("lee")
        _, s = self.console.session(b)
        conn, u = b._conn(self.console.url)
        conn.request("GET", "/api/events", headers={"Cookie": b.cookie_header(self.console.url + "/api/events"),
                                                     "Accept": "text/event-stream"})
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        self.assertTrue(r.getheader("Content-Type").startswith("text/event-stream"))
        self.assertEqual(r.readline(), b"retry: 2000\n")  # the stream is open before the case is
        summary = f"live {uuid.uuid4()}"
        found = {}

        def read_until_opened():
            data = None
            while True:
                line = r.readline()
                if not line:
                    return
                if line.startswith(b"data: "):
                    data = json.loads(line[6:])
                    if data.get("caseOpened", {}).get("summary") == summary:
                        found.update(data)
                        return

        reader = threading.Thread(target=read_until_opened, daemon=True)
        reader.start()
        status, opened = self.console.call(b, "intake", "recovery.v1.Intake/OpenCase", open_case_body(summary),
                                           csrf=s["csrfToken"])
        self.assertEqual(status, 200, opened)
        reader.join(timeout=30)  # a bound for a failure, not a measurement (tools/bench measures)
        conn.sock.close() if conn.sock else None
        self.assertEqual(found.get("caseId"), opened["case"]["id"])
        self.assertEqual(found.get("actor"), "person:lee")

    def test_logout_ends_the_session(self):
        b, _ = self.console.sign_in("lee")
        _, s = self.console.session(b)
        r = b.request("POST", f"{self.console.url}/auth/logout", body="", headers={})
        self.assertEqual(r.status, 403)  # without the CSRF token
        r = b.request("POST", f"{self.console.url}/auth/logout", body="", headers={"X-CSRF-Token": s["csrfToken"]})
        self.assertEqual(r.status, 204)
        status, _ = self.console.session(b)
        self.assertEqual(status, 401)

    def test_zz_a_session_survives_a_killed_console(self):
        b, _ = self.console.sign_in("lee")
        _, before = self.console.session(b)
        subprocess.run([os.path.join(ROOT, "tools", "stack.sh"), "restart", "console", "--data", DATA], check=True,
                       stdout=subprocess.DEVNULL)
        self.console = Console()
        status, after = self.console.session(b)
        self.assertEqual(status, 200, after)
        self.assertEqual(after["person"], "lee")
        self.assertEqual(after["csrfToken"], before["csrfToken"])


if __name__ == "__main__":
    if len(sys.argv) > 1:
        DATA = sys.argv.pop(1)
    if not DATA:
        sys.exit("usage: console_api_test.py DATA_DIR")
    console_client.DATA = DATA
    unittest.main(verbosity=2)
