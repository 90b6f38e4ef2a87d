#!/usr/bin/env python3
"""Checks the demo story against the topic (read with kcat) and the audit service.

usage: check_topic.py BROKERS CASE_ID SRCTL
- every event on the topic for the case, in order, with the story's event types;
- the audit log holds every distinct event id of the topic exactly once, except the audit's own
  AuditCheckpointPublished events (a checkpoint covers the records before it and is not one)
  and the events it rejected by their signature (the story's forged acknowledgement);
- every message on the topic is signed (headers sig_key and sig) or was rejected;
- no page was queued for an escalation after it was acknowledged;
- every configuration change of escalation (ConfigChanged, key config:escalation) on the topic
  is in the audit chain; the configuration was created by Mia's srctl config apply (none came
  from a file), and Sam's self-service change carries him as its actor."""
import json
import subprocess
import sys

import time

brokers, case_id, srctl_path = sys.argv[1:4]
CHECKPOINT = "AuditCheckpointPublished"
# Reads of case data keep coming while this check reads (each srctl call below is one), so
# they are compared apart: every one on the topic must be in audit, not the counts at one instant.
ACCESS = "CaseDataRead"


def read_topic():
  return subprocess.run(["kcat", "-C", "-b", brokers, "-t", "recovery.case-events", "-e", "-q",
                      "-f", "%k\t%p\t%o\t%h\n"], check=True, capture_output=True, text=True).stdout


def srctl_json(*args):
    return json.loads(subprocess.run([srctl_path, "--json", *args], check=True, capture_output=True, text=True).stdout)


def audited_without_access(stats):
    return int(stats.get("events_total", 0)) - int(stats.get("events_by_type", {}).get(ACCESS, 0))


def rejected_ids():
    return {e["event_id"] for e in srctl_json("audit", "rejected", "--limit", "1000").get("entries", [])}


# The audit consumer may still be catching up: wait (bounded) until it holds what the topic holds.
for attempt in range(60):
    out = read_topic()
    rejected = rejected_ids()
    distinct = {h.get("event_id") for h in (dict(kv.split("=", 1) for kv in l.split("\t")[3].split(",") if "=" in kv)
                                            for l in out.splitlines() if l.count("\t") >= 3)
                if h.get("type") not in (CHECKPOINT, ACCESS) and h.get("event_id") not in rejected}
    if audited_without_access(srctl_json("stats")) >= len(distinct):
        break
    time.sleep(0.5)
all_ids, case_events, config_ids, checkpoints, rejected_seen, unsigned, access_ids = set(), [], set(), set(), set(), [], set()
for line in out.splitlines():
    key, part, off, headers = (line.split("\t") + ["", "", "", ""])[:4]
    h = dict(kv.split("=", 1) for kv in headers.split(",") if "=" in kv)
    if h.get("event_id") in rejected:
        rejected_seen.add(h.get("event_id"))
        continue
    if not h.get("sig_key") or not h.get("sig"):
        unsigned.append(h.get("event_id"))
    if h.get("type") == CHECKPOINT:
        checkpoints.add(h.get("event_id"))
        continue
    if h.get("type") == ACCESS:
        access_ids.add(h.get("event_id"))
        continue
    all_ids.add(h.get("event_id"))
    if key == "config:escalation" and h.get("type") == "ConfigChanged":
        config_ids.add(h.get("event_id"))
    if key == case_id:
        case_events.append((int(off), h.get("type"), h.get("event_id")))
case_events.sort()
types = [t for _, t, _ in case_events]
print(f"  topic: {len(out.splitlines())} messages, {len(all_ids)} distinct events, {len(access_ids)} access records,"
      f" {len(checkpoints)} audit checkpoint(s) and {len(rejected_seen)} rejected forgery(ies); case {case_id}: {len(types)}")

errors = []
if unsigned:
    errors.append(f"{len(unsigned)} unsigned event(s) on the topic were not rejected: {unsigned[:5]}")
if rejected_seen != rejected:
    errors.append(f"audit lists {len(rejected)} rejected event(s), the topic holds {len(rejected_seen)} of them")
expected = ["CaseOpened", "EscalationStarted", "PageQueued", "PageDelivered", "TierAdvanced",
            "EscalationAcknowledged", "OwnerAssigned", "CaseAcknowledged", "PlanDrafted", "CommitmentMade",
            "PlanShared", "CasePlanned", "ReminderDue", "ActionItemCompleted", "CaseResolved",
            "SatisfactionRecorded", "CaseClosed", "ReviewSubmitted"]
for t in expected:
    if t not in types:
        errors.append(f"no {t} event on the topic for the case")
if types and types[0] != "CaseOpened":
    errors.append(f"first event of the case is {types[0]}, not CaseOpened")
if "EscalationAcknowledged" in types:
    ack_at = types.index("EscalationAcknowledged")
    late = [t for t in types[ack_at:] if t == "PageQueued"]
    if late:
        errors.append(f"{len(late)} page(s) queued after the acknowledgement")

stats = srctl_json("stats")
total = audited_without_access(stats)
if total != len(all_ids):
    errors.append(f"audit holds {total} events, the topic {len(all_ids)} distinct ones")
if not access_ids:
    errors.append("no CaseDataRead access record on the topic")
# The access records read from the topic reach audit too (bounded wait: they are written every 2 s).
for attempt in range(60):
    access_audited = int(srctl_json("stats").get("events_by_type", {}).get(ACCESS, 0))
    if access_audited >= len(access_ids):
        break
    time.sleep(0.5)
else:
    errors.append(f"audit holds {access_audited} access records, fewer than the {len(access_ids)} read from the topic")
timeline = srctl_json("timeline", case_id)
entries = timeline.get("entries", [])
ids = [e["event_id"] for e in entries]
if len(ids) != len(set(ids)):
    errors.append("the audit timeline holds an event twice")
case_ids = {e for _, _, e in case_events}
if set(ids) != case_ids:
    errors.append(f"audit timeline has {len(set(ids))} events, the topic {len(case_ids)} for the case")
audited = srctl_json("audit", "config", "--service", "escalation", "--limit", "1000").get("entries", [])
if not config_ids:
    errors.append("no ConfigChanged event of escalation on the topic")
if {e["event_id"] for e in audited} != config_ids:
    errors.append(f"audit holds {len(audited)} escalation configuration changes, the topic {len(config_ids)}")
changed = [json.loads(e["event_json"]).get("config_changed", {}) | {"actor": e.get("actor")} for e in audited]
if not any(c.get("kind") == "person" and c.get("id") == "sam" and c.get("actor") == "person:sam" for c in changed):
    errors.append("no ConfigChanged of person sam by person:sam in the audit chain")
# The stack's configuration came in through srctl config apply as Mia, not from a file.
if not any(c.get("kind") == "schedule" and c.get("id") == "client-services-oncall" and c.get("actor") == "person:mia"
           and c.get("type") == "CONFIG_CHANGE_TYPE_CREATED" and c.get("origin") == "apply" for c in changed):
    errors.append("the on-call schedule was not created by person:mia through an apply")
if any(c.get("origin") == "file" for c in changed):
    errors.append("an escalation resource came from its --config file")
verify = srctl_json("verify")
if not verify.get("ok"):
    errors.append(f"audit chain broken: {verify}")
if errors:
    print("TOPIC CHECK FAILED:\n  " + "\n  ".join(errors))
    sys.exit(1)
print(f"  every story event present; audit holds all {total} events exactly once; chain verified;"
      f" {len(config_ids)} configuration changes on the topic, all audited")
