#!/usr/bin/env python3
"""A console client for scripts, tests and benchmarks: signs a person in to the local stack's
console the way a browser does (the OIDC code flow through the real identity provider's login
form, cookies kept per origin and path, redirects followed by hand, TLS against the stack's
CA) and calls its JSON API. Standard library only.

  tools/console_client.py --data DIR sign-in PERSON     prints {"url", "cookie", "csrfToken"}
  tools/console_client.py --data DIR call PERSON BACKEND METHOD JSON
"""
import argparse
import http.client
import json
import os
import re
import ssl
import sys
import urllib.parse

DATA = os.environ.get("CONSOLE_STACK_DATA", "")


def read(path):
    with open(os.path.join(DATA, path)) as f:
        return f.read().strip()


class Browser:
    """Cookies per origin and path, redirects followed by hand, TLS against the stack's CA."""

    def __init__(self):
        self.tls = ssl.create_default_context(cafile=os.path.join(DATA, "tls", "ca.pem"))
        self.cookies = {}  # (origin, path, name) -> (value, attributes)
        self.set_cookie_lines = []

    def _conn(self, url):
        u = urllib.parse.urlsplit(url)
        return http.client.HTTPSConnection(u.hostname, u.port, context=self.tls, timeout=20), u

    def cookie_header(self, url):
        u = urllib.parse.urlsplit(url)
        origin = f"{u.scheme}://{u.netloc}"
        pairs = [f"{name}={value}" for (o, path, name), (value, _) in self.cookies.items()
                 if o == origin and (u.path == path or u.path.startswith(path.rstrip("/") + "/") or path == "/")]
        return "; ".join(pairs)

    def store(self, url, response):
        u = urllib.parse.urlsplit(url)
        origin = f"{u.scheme}://{u.netloc}"
        for line in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_lines.append(line)
            pair, *attrs = [p.strip() for p in line.split(";")]
            name, _, value = pair.partition("=")
            path = "/"
            expired = False
            for a in attrs:
                k, _, v = a.partition("=")
                if k.lower() == "path":
                    path = v
                if k.lower() == "max-age" and v.strip() in ("0", "-1"):
                    expired = True
            key = (origin, path, name)
            if expired or value == "":
                self.cookies.pop(key, None)
            else:
                self.cookies[key] = (value, attrs)

    def request(self, method, url, body=None, headers=None, follow=True):
        headers = dict(headers or {})
        for _ in range(20):
            conn, u = self._conn(url)
            h = dict(headers)
            cookie = self.cookie_header(url)
            if cookie:
                h["Cookie"] = cookie
            path = u.path + (("?" + u.query) if u.query else "")
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            self.store(url, r)
            conn.close()
            if follow and r.status in (301, 302, 303, 307) and r.getheader("Location"):
                url = urllib.parse.urljoin(url, r.getheader("Location"))
                if r.status != 307:
                    method, body = "GET", None
                    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
                continue
            r.url = url
            r.data = data
            return r
        raise AssertionError("too many redirects")


class Console:
    def __init__(self):
        self.url = read("stack/console.url")
        self.issuer = read("stack/issuer")

    def sign_in(self, person, return_to="/now"):
        b = Browser()
        r = b.request("GET", f"{self.url}/auth/login?return_to={urllib.parse.quote(return_to)}")
        # The provider's login form (tools/idp): post the account and password to its action.
        m = re.search(r'<form id="login" method="post" action="([^"]+)"', r.data.decode())
        assert m, f"no login form at {r.url}: {r.data[:300]!r}"
        action = urllib.parse.urljoin(r.url, m.group(1).replace("&amp;", "&"))
        r = b.request("POST", action, body=urllib.parse.urlencode({"login": person, "password": "demo"}),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        return b, r

    def session(self, b):
        r = b.request("GET", f"{self.url}/auth/session")
        return r.status, json.loads(r.data or b"{}")

    def call(self, b, backend, method, body, csrf=None, extra=None):
        headers = {"Content-Type": "application/json"}
        if csrf:
            headers["X-CSRF-Token"] = csrf
        headers.update(extra or {})
        r = b.request("POST", f"{self.url}/api/{backend}/{method}", body=json.dumps(body), headers=headers)
        return r.status, json.loads(r.data or b"{}")


def main():
    global DATA
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DATA or "data", help="the stack's data directory")
    sub = parser.add_subparsers(dest="command", required=True)
    sign = sub.add_parser("sign-in")
    sign.add_argument("person")
    call = sub.add_parser("call")
    call.add_argument("person")
    call.add_argument("backend")
    call.add_argument("method")
    call.add_argument("body")
    args = parser.parse_args()
    DATA = args.data
    console = Console()
    b, r = console.sign_in(args.person)
    status, session = console.session(b)
    if status != 200:
        sys.exit(f"sign-in as {args.person} failed: {session}")
    if args.command == "sign-in":
        print(json.dumps({"url": console.url, "cookie": b.cookie_header(console.url + "/api/"),
                          "csrfToken": session["csrfToken"]}))
        return
    status, body = console.call(b, args.backend, args.method, json.loads(args.body), csrf=session["csrfToken"])
    print(json.dumps(body))
    sys.exit(0 if status == 200 else 1)


if __name__ == "__main__":
    main()
