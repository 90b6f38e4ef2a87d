#!/usr/bin/env python3
"""A local webhook receiver for the demo stack: accepts page POSTs, checks the signature
(version 2: X-Recovery-Signature-V2: t=<unix seconds>,v2=<hex HMAC-SHA256(secret, "<t>." +
body)>,... with a replay window; version 1, X-Recovery-Signature: sha256=<hex HMAC of the
body>, when only that is sent), prints each page, and appends it as one JSON line to --out.
It answers 200 either way: it is a demo's record of what arrived, and says BAD when a
signature does not verify. A receiver of your own should answer 401 instead."""
import argparse
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--secret", default=os.environ.get("RECOVERY_WEBHOOK_SECRET", ""))
    ap.add_argument("--replay-window", type=float, default=300.0,
                    help="seconds a version 2 timestamp may differ from this receiver's clock; 0: not checked "
                         "(a stack on a manual clock)")
    args = ap.parse_args()

    def check(headers, body):
        """(ok, why): ok is None when there is no secret to check with."""
        if not args.secret:
            return None, "no secret"
        v2 = headers.get("X-Recovery-Signature-V2")
        if v2 is not None:
            parts = [p.strip() for p in v2.split(",")]
            ts = [p[2:] for p in parts if p.startswith("t=")]
            macs = [p[3:] for p in parts if p.startswith("v2=")]
            if len(ts) != 1 or not ts[0].isdigit() or not macs:
                return False, "malformed v2 header"
            if args.replay_window and abs(time.time() - int(ts[0])) > args.replay_window:
                return False, "v2 timestamp outside the replay window"
            want = hmac.new(args.secret.encode(), ts[0].encode() + b"." + body, hashlib.sha256).hexdigest()
            ok = False
            for mac in macs:
                ok |= hmac.compare_digest(mac, want)
            return ok, "v2" if ok else "no v2 signature matches"
        v1 = headers.get("X-Recovery-Signature")
        if v1 is None:
            return False, "unsigned"
        want = "sha256=" + hmac.new(args.secret.encode(), body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(v1, want)
        return ok, "v1" if ok else "v1 does not match"

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            ok, why = check(self.headers, body)
            record = {
                "path": self.path,
                "idempotency_key": self.headers.get("Idempotency-Key", ""),
                "signature_ok": ok,
                "signature": why,
            }
            try:
                record["page"] = json.loads(body)
            except ValueError:
                record["raw"] = body.decode(errors="replace")
            with open(args.out, "a") as f:
                f.write(json.dumps(record) + "\n")
            page = record.get("page", {})
            sig = f"ok, {why}" if ok else "unchecked" if ok is None else f"BAD: {why}"
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
