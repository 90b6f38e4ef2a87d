#!/usr/bin/env python3
"""A fake OAuth issuer for srctl's login and refresh tests (not the real provider: the lead's
tests run oidc-provider). Serves discovery, a device authorisation endpoint and a token
endpoint whose answers are fixed, logs every token-side request as a JSON line, and writes its
port to a file once it listens on 127.0.0.1 (port 0: the kernel picks one).

usage: fake_oidc_provider.py PORT_FILE LOG_FILE
"""
import base64
import os
import json
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_jwt(claims: dict) -> str:
    # Signature bytes are junk on purpose: srctl only decodes the payload, for display.
    header = b64url(json.dumps({"alg": "ES256", "typ": "at+jwt", "kid": "test"}).encode())
    return f"{header}.{b64url(json.dumps(claims).encode())}.{b64url(b'not-a-signature')}"


class Handler(BaseHTTPRequestHandler):
    polls = 0  # device-code polls so far: the first is pending, the second approved

    def log_message(self, *args):
        pass

    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self, form: dict) -> None:
        with open(self.server.log_file, "a") as log:
            log.write(json.dumps({"path": self.path, "form": form}) + "\n")

    def do_GET(self):
        if self.path == "/.well-known/openid-configuration":
            self.record({})
            issuer = self.issuer()
            self.answer(200, {"issuer": issuer, "device_authorization_endpoint": issuer + "/device",
                              "token_endpoint": issuer + "/token"})
        else:
            self.answer(404, {"error": "not_found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
        self.record(form)
        if self.path == "/device":
            self.answer(200, {"device_code": "device-1", "user_code": "WDJB-MJHT",
                              "verification_uri": self.issuer() + "/activate",
                              "verification_uri_complete": self.issuer() + "/activate?user_code=WDJB-MJHT",
                              "expires_in": 60, "interval": 1})
        elif self.path == "/token" and form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") == "refresh-1":
                self.answer(200, {"access_token": "access-2", "refresh_token": "refresh-2", "expires_in": 3600,
                                  "token_type": "Bearer"})
            else:
                self.answer(400, {"error": "invalid_grant", "error_description": "grant request is invalid"})
        elif self.path == "/token" and form.get("grant_type") == "urn:ietf:params:oauth:grant-type:device_code":
            Handler.polls += 1
            if Handler.polls == 1:
                self.answer(400, {"error": "authorization_pending"})
            else:
                token = unsigned_jwt({"sub": "sam", "email": "sam@example.test", "groups": ["responders"],
                                      "iss": self.issuer(), "aud": "urn:recovery:api",
                                      "exp": int(time.time()) + 3600})
                self.answer(200, {"access_token": token, "refresh_token": "refresh-1", "expires_in": 3600,
                                  "token_type": "Bearer"})
        else:
            self.answer(400, {"error": "unsupported_grant_type"})


def main() -> None:
    port_file, log_file = sys.argv[1], sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.log_file = log_file
    with open(port_file + ".tmp", "w") as f:
        f.write(f"{server.server_address[1]}\n")
    os.replace(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
