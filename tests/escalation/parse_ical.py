#!/usr/bin/env python3
"""Reads an .ics file with an independent parser (Debian's python3-icalendar) and prints its
events, one per line: UID, DTSTART, DTEND (RFC 3339, UTC) and SUMMARY, tab-separated, in file
order. First checks what the parser forgives: every line ends with CRLF and is at most 75
octets, and the calendar has VERSION 2.0 and a PRODID. Exits 1 with the reason on stderr when
the file is not a valid feed. Used by calendar_feed_integration_test.cc.
"""
import datetime
import sys

import icalendar


def fail(why):
    print(why, file=sys.stderr)
    sys.exit(1)


def utc(value):
    if not isinstance(value, datetime.datetime) or value.tzinfo is None:
        fail(f"not a UTC date-time: {value!r}")
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main(path):
    with open(path, "rb") as f:
        data = f.read()
    if not data.endswith(b"\r\n"):
        fail("the text does not end with CRLF")
    for n, line in enumerate(data[:-2].split(b"\r\n"), 1):
        if b"\n" in line or b"\r" in line:
            fail(f"line {n}: a bare CR or LF")
        if len(line) > 75:
            fail(f"line {n}: {len(line)} octets, more than 75")
    cal = icalendar.Calendar.from_ical(data)
    if cal.name != "VCALENDAR":
        fail(f"top component is {cal.name}")
    if str(cal.get("VERSION")) != "2.0":
        fail(f"VERSION is {cal.get('VERSION')!r}")
    if not str(cal.get("PRODID", "")):
        fail("no PRODID")
    uids = set()
    for event in cal.walk("VEVENT"):
        uid = str(event.get("UID"))
        if uid in uids:
            fail(f"UID {uid} twice")
        uids.add(uid)
        for required in ("DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            if required not in event:
                fail(f"event {uid}: no {required}")
        print("\t".join([uid, utc(event.decoded("DTSTART")), utc(event.decoded("DTEND")), str(event.get("SUMMARY"))]))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: parse_ical.py FILE.ics")
    main(sys.argv[1])
