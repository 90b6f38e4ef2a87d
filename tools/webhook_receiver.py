#!/usr/bin/env python3
"""A local webhook receiver for the demo stack: accepts page POSTs, checks the HMAC
signature, prints each page, and appends it as one JSON line to --out."""
import argparse
import hashlib
import hmac
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--secret", default=os.environ.get("RECOVERY_WEBHOOK_SECRET", ""))
    args = ap.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            sig = self.headers.get("X-Recovery-Signature", "")
            expected = "sha256=" + hmac.new(args.secret.encode(), body, hashlib.sha256).hexdigest()
            record = {
                "path": self.path,
                "idempotency_key": self.headers.get("Idempotency-Key", ""),
                "signature_ok": hmac.compare_digest(sig, expected) if args.secret else None,
            }
            try:
                record["page"] = json.loads(body)
            except ValueError:
                record["raw"] = body.decode(errors="replace")
            with open(args.out, "a") as f:
                f.write(json.dumps(record) + "\n")
            page = record.get("page", {})
            sig = "ok" if record["signature_ok"] else "unchecked" if record["signature_ok"] is None else "BAD"
            if "reminder_id" in page:
                print(f"  [webhook {self.path}] reminder for {page.get('person_id', '?')} ({page.get('kind', '')}): "
                      f"{page.get('reason', '')} (signature {sig})", flush=True)
            else:
                print(f"  [webhook {self.path}] PAGE for {page.get('person_id', '?')} tier {page.get('tier', '?')} "
                      f"round {page.get('round', '?')}: {page.get('summary', '')} (key {record['idempotency_key'][:24]}..., "
                      f"signature {sig})", flush=True)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]) + "\n")
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
