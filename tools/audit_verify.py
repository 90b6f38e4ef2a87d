#!/usr/bin/env python3
"""Offline verifier of an audit export against signed checkpoints: the independent twin of
`srctl audit verify --export` (services/audit/domain/export_verifier.cc), written from the
formats in services/audit/README.md with the Python standard library and `cryptography`
(Debian: python3-cryptography). Both must give the same verdicts, word for word.

    tools/audit_verify.py --export audit.jsonl --public-key audit.pub \\
        --checkpoint cp-2026-11.txt --checkpoint cp-2026-12.txt [--allow-tail]

Exit code 0 when everything verifies, 3 when something broke, 2 on bad usage.

What it checks: every record once, in seq order, none missing; each record_hash against the
record's bytes (the chain); the rendered event's envelope (ids, source, actor, time) against
the bytes, decoded from the protobuf wire format without the schema (the C++ verifier also
compares the whole rendering); the RFC 9162 Merkle root of the records at each checkpoint's
size against the checkpoint's signed root; each checkpoint's Ed25519 signature (C2SP signed
note) by the given key; and that no record lies beyond the newest checkpoint.
"""

import argparse
import base64
import binascii
import datetime
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EM_DASH = "\u2014".encode()


def sha256(data):
    return hashlib.sha256(data).digest()


# ---- RFC 9162 Merkle tree, straight from the definitions ----

def leaf_hash(data):
    return sha256(b"\x00" + data)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def mth(leaves, begin, end, memo):
    """MTH(D[begin:end]) over leaf hashes; memo caches the complete subtrees."""
    n = end - begin
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[begin]
    key = (begin, end)
    if key in memo:
        return memo[key]
    k = 1
    while k * 2 < n:
        k *= 2
    h = node_hash(mth(leaves, begin, begin + k, memo), mth(leaves, begin + k, end, memo))
    if n & (n - 1) == 0:
        memo[key] = h
    return h


# ---- the protobuf wire format, just enough for the Event envelope ----

class WireError(Exception):
    pass


def varint(data, pos):
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise WireError()
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def fields(data):
    """Top-level fields: {number: last value} (bytes for length-delimited, int for varints)."""
    out = {}
    pos = 0
    while pos < len(data):
        tag, pos = varint(data, pos)
        number, wire = tag >> 3, tag & 7
        if number == 0:
            raise WireError()
        if wire == 0:
            out[number], pos = varint(data, pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            length, pos = varint(data, pos)
            if pos + length > len(data):
                raise WireError()
            out[number] = data[pos:pos + length]
            pos += length
        else:
            raise WireError()
        if pos > len(data):
            raise WireError()
    return out


def timestamp_json(data):
    """google.protobuf.Timestamp as protobuf's JSON mapping renders it."""
    f = fields(data)
    seconds = f.get(1, 0)
    if seconds >= 1 << 63:
        seconds -= 1 << 64
    nanos = f.get(2, 0)
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=seconds)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    if nanos:
        if nanos % 1000000 == 0:
            text += ".%03d" % (nanos // 1000000)
        elif nanos % 1000 == 0:
            text += ".%06d" % (nanos // 1000)
        else:
            text += ".%09d" % nanos
    return text + "Z"


def envelope_mismatch(event_bytes, event):
    """The first envelope field whose rendering differs from the bytes; None when all agree."""
    f = fields(event_bytes)

    def text(n):
        v = f.get(n, b"")
        if not isinstance(v, bytes):
            raise WireError()
        return v.decode("utf-8")

    def rendered(name):
        v = event.get(name, "")
        return v if isinstance(v, str) else ""

    for name, number in (("event_id", 1), ("case_id", 2), ("source", 4), ("actor", 5), ("causation_id", 6)):
        if rendered(name) != text(number):
            return name
    occurred = timestamp_json(f[3]) if isinstance(f.get(3), bytes) else ""
    if rendered("occurred_at") != occurred:
        return "occurred_at"
    return None


# ---- checkpoints: C2SP checkpoint text in a C2SP signed note, Ed25519 ----

class Unreadable(Exception):
    pass


def parse_body(body):
    if not body.endswith(b"\n"):
        raise Unreadable("no final newline")
    lines = body[:-1].split(b"\n")
    if len(lines) < 3:
        raise Unreadable("fewer than 3 lines")
    origin = lines[0].decode("utf-8", "replace")
    if not origin:
        raise Unreadable("line 1 (origin) is empty")
    size = lines[1]
    if not size.isdigit() or (len(size) > 1 and size[:1] == b"0") or len(size) > 18:
        raise Unreadable("line 2 (tree size) is not a decimal number")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error:
        root = b""
    if len(root) != 32 or base64.b64encode(root) != lines[2]:
        raise Unreadable("line 3 (root hash) is not base64 of 32 bytes")
    for i, line in enumerate(lines[3:], 4):
        if line.startswith(b"time "):
            try:
                datetime.datetime.strptime(line[5:].decode(), "%Y-%m-%dT%H:%M:%S.%fZ")
            except ValueError:
                raise Unreadable("line %d (time)" % i)
    return origin, int(size), root


def verify_checkpoint(note, key_raw, key):
    """(tree size, root) of a note signed by key; raises ValueError with the verdict."""
    split = note.find(b"\n\n")
    if split < 0:
        raise ValueError("checkpoint unreadable: no blank line before the signatures")
    body = note[:split + 1]
    try:
        origin, size, root = parse_body(body)
    except Unreadable as e:
        raise ValueError("checkpoint unreadable: %s" % e)
    want = sha256(origin.encode() + b"\n\x01" + key_raw)[:4]
    prefix = EM_DASH + b" " + origin.encode() + b" "
    others = []
    for line in note[split + 2:].split(b"\n"):
        if not line or not line.startswith(prefix):
            continue
        try:
            sig = base64.b64decode(line[len(prefix):], validate=True)
        except binascii.Error:
            continue
        if len(sig) != 68:
            continue
        if sig[:4] != want:
            others.append(sig[:4].hex())
            continue
        try:
            key.verify(sig[4:], body)
        except InvalidSignature:
            raise ValueError("checkpoint signature invalid: the signature of key %s does not verify" % want.hex())
        return size, root
    if others:
        raise ValueError("checkpoint signature invalid: signed by key %s, not by the given key %s"
                         % (", ".join(others), want.hex()))
    raise ValueError("checkpoint signature invalid: no signature for %s" % origin)


# ---- the export ----

def parse_line(text):
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    seq, record_hash, event_bytes, event = (obj.get("seq"), obj.get("record_hash"), obj.get("event_bytes"),
                                            obj.get("event"))
    if isinstance(seq, bool) or not isinstance(seq, (int, float)) or seq < 1 or seq != int(seq):
        return None
    if not isinstance(record_hash, str) or not isinstance(event_bytes, str) or not isinstance(event, dict):
        return None
    try:
        raw = base64.b64decode(event_bytes, validate=True)
    except binascii.Error:
        return None
    return {"seq": int(seq), "record_hash": record_hash, "bytes": raw, "event": event}


def verify(lines, key_pem, notes, allow_tail):
    problems, notes_out = [], []
    records = []
    for i, text in enumerate(lines, 1):
        if not text.strip(" \t\r\n"):
            continue
        r = parse_line(text)
        if r is None:
            problems.append("line %d: not an export record" % i)
            continue
        r["line"] = i
        records.append(r)

    structure_ok = True
    line_of = {}
    for r in records:
        if r["seq"] in line_of:
            problems.append("record seq %d appears twice (lines %d and %d)" % (r["seq"], line_of[r["seq"]], r["line"]))
            structure_ok = False
        else:
            line_of[r["seq"]] = r["line"]
    for a, b in zip(records, records[1:]):
        if b["seq"] < a["seq"]:
            problems.append("records out of order at seq %d (line %d)" % (b["seq"], b["line"]))
            structure_ok = False
            break
    previous = 0
    for seq in sorted(line_of):
        if seq > previous + 1:
            problems.append("record missing between seq %d and seq %d" % (previous, seq))
            structure_ok = False
        previous = seq

    if structure_ok:
        prev = bytes(32)
        for i, r in enumerate(records, 1):
            at = "record %d (seq %d) changed: " % (i, r["seq"])
            event_id = r["event"].get("event_id", "")
            event_id = event_id if isinstance(event_id, str) else ""
            expect = sha256(prev + sha256(r["bytes"]) + r["seq"].to_bytes(8, "big") + event_id.encode())
            if expect.hex() != r["record_hash"]:
                problems.append(at + "its record_hash does not match its bytes")
                break
            try:
                field = envelope_mismatch(r["bytes"], r["event"])
            except (WireError, UnicodeDecodeError):
                problems.append(at + "its bytes are not an event")
                break
            if field is not None:
                problems.append(at + "its event's %s does not match its bytes" % field)
                break
            prev = expect

    leaves = [leaf_hash(r["bytes"]) for r in records]
    memo = {}
    n = len(records)
    root_hex = mth(leaves, 0, n, memo).hex()
    last_seq = records[-1]["seq"] if records else 0

    if not notes:
        notes_out.append("no checkpoint given: the export is only checked against itself")
    elif key_pem is None:
        problems.append("no public key given: the checkpoints cannot be checked")
    else:
        key = serialization.load_pem_public_key(key_pem)
        if not isinstance(key, Ed25519PublicKey):
            raise SystemExit("--public-key: not an Ed25519 key")
        key_raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        valid = []
        for k, note in enumerate(notes, 1):
            try:
                valid.append(verify_checkpoint(note, key_raw, key))
            except ValueError as e:
                problems.append("checkpoint %d: %s" % (k, e))
        valid.sort(key=lambda c: c[0])
        matched = []
        for size, root in valid:
            if size > n:
                problems.append("record missing after seq %d: the checkpoint at size %d covers more than the "
                                "export's %d records" % (last_seq, size, n))
                continue
            ours = mth(leaves, 0, size, memo)
            if ours != root:
                problems.append("checkpoint at size %d does not match the export: signed root %s, the export's "
                                "root %s" % (size, root.hex(), ours.hex()))
                continue
            matched.append(size)
            notes_out.append("checkpoint at size %d matches the export" % size)
        if len(matched) >= 2:
            notes_out.append("the log only grew from size %d to size %d (consistent by recomputation)"
                             % (matched[0], matched[-1]))
        if valid:
            newest = valid[-1][0]
            if n > newest:
                tail = ("records after the checkpoint are not in it: seq %d to %d (%d records appended after size %d)"
                        % (records[newest]["seq"], last_seq, n - newest, newest))
                (notes_out if allow_tail else problems).append(tail)

    ok = not problems
    out = ["%s: %d records, root %s" % ("OK" if ok else "FAIL", n, root_hex)]
    out += ["problem: " + p for p in problems]
    out += ["note: " + x for x in notes_out]
    return ok, "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", required=True, help="the export file (JSON lines)")
    parser.add_argument("--public-key", help="the checkpoint signing key (PEM)")
    parser.add_argument("--checkpoint", action="append", default=[], help="a kept checkpoint (signed note); repeatable")
    parser.add_argument("--allow-tail", action="store_true", help="records after the newest checkpoint are a note")
    args = parser.parse_args()
    try:
        with open(args.export, "rb") as f:
            lines = f.read().decode("utf-8", "replace").split("\n")
        key_pem = None
        if args.public_key:
            with open(args.public_key, "rb") as f:
                key_pem = f.read()
        notes = []
        for path in args.checkpoint:
            with open(path, "rb") as f:
                notes.append(f.read())
    except OSError as e:
        print("audit_verify: %s" % e, file=sys.stderr)
        return 2
    ok, text = verify(lines, key_pem, notes, args.allow_tail)
    sys.stdout.write(text)
    return 0 if ok else 3


if __name__ == "__main__":
    sys.exit(main())
