#!/usr/bin/env bash
# The demo story, end to end, on the local stack (tools/stack.sh) with srctl. Every step is
# printed and checked; the script exits non-zero if any step did not happen.
#
# The stack runs on a simulated clock (--manual-clock) that starts on a Tuesday at 21:40 in
# London, after the client's business hours, so the after-hours story plays the same at any
# hour of the real day; `srctl clock advance` moves every service's clock together.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
DATA=${DEMO_DATA:-$ROOT/data/demo}
START="2026-11-24T21:40:00Z"
export RECOVERY_STACK_DIR=$DATA/stack
SRCTL="$BUILD/tools/srctl/srctl"
STEP=0

cleanup() { "$ROOT/tools/stack.sh" stop --data "$DATA" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# DEMO_KILL="escalation:5 intake:7": SIGKILL that service as step N begins and restart it
# (the end-to-end crash test uses this; the story must still complete).
step() {
  STEP=$((STEP + 1))
  printf '\n\033[1m== %d. %s\033[0m\n' "$STEP" "$*"
  local k
  for k in ${DEMO_KILL:-}; do
    if [[ ${k#*:} == "$STEP" ]]; then
      echo "  !! chaos: SIGKILL ${k%%:*} and restart it"
      "$ROOT/tools/stack.sh" restart "${k%%:*}" --data "$DATA" || fail "restart of ${k%%:*} failed"
    fi
  done
}
# as <person> <command...>: runs the command signed in as that demo account (an access token
# from the stack's identity provider; tools/stack.sh token).
as() {
  local who=$1 token; shift
  token=$("$ROOT/tools/stack.sh" token "$who" --data "$DATA") || fail "could not sign in as $who"
  RECOVERY_TOKEN=$token "$@"
}
fail() { printf '\n\033[31mDEMO FAILED at step %d: %s\033[0m\n(logs in %s/logs)\n' "$STEP" "$*" "$DATA" >&2; exit 1; }
run() { echo "\$ srctl $*"; "$SRCTL" "$@" || fail "srctl $1 failed"; }
json() { "$SRCTL" --json "$@" || fail "srctl $1 failed"; }
# run_when_ready: like run, for a call that depends on events another service is still
# consuming (e.g. follow-up learning that the case was resolved): retried for up to 30 s.
run_when_ready() {
  echo "\$ srctl $*"
  local deadline=$((SECONDS + 30)) out
  until out=$("$SRCTL" "$@" 2>&1); do
    ((SECONDS < deadline)) || { echo "$out"; fail "srctl $1 failed"; }
    sleep 0.3
  done
  echo "$out"
}
# field <json> <python expression on d>
field() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($2)" "$1"; }
# eventually <seconds> <description> <command...>: retries the command until it succeeds.
eventually() {
  local secs=$1 what=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "$what did not happen within ${secs}s"
    sleep 0.2
  done
}
# Pages (not reminders, which reach people through the same channels) delivered to a person.
pages_for() {
  python3 -c 'import json,sys
n = 0
try:
    for line in open(sys.argv[1]):
        p = json.loads(line).get("page", {})
        n += "escalation_id" in p and p.get("person_id") == sys.argv[2]
except FileNotFoundError:
    pass
print(n)' "$DATA/webhook-pages.jsonl" "$1"
}
has_page_for() { [[ $(pages_for "$1") -ge 1 ]]; }

step "Start the local stack (dev broker, webhook receiver, five services) on a simulated clock at $START; its configuration goes in through srctl"
rm -rf "$DATA"
"$ROOT/tools/stack.sh" start --data "$DATA" --manual-clock "$START"
# Everyone signs in at the identity provider; steps nobody in particular takes run as Mia
# (head of client services, an admin), the others as the person who takes them.
export RECOVERY_TOKEN
RECOVERY_TOKEN=$("$ROOT/tools/stack.sh" token mia --data "$DATA") || fail "could not sign in as mia"
run clock show
echo "console: $(cat "$DATA/stack/console.url") (the story as it happens; sign in as lee, mia or vic, password demo)"
# No service read its people, schedules, policies, SLAs or playbook owners from a file: the
# stack applied deploy/resources through the Configuration API as Mia. Applying it again
# would change nothing (diff exits 2 when something would), and audit holds every resource's
# creation by person:mia.
run config diff -f "$DATA/resources"
created_by_mia() {
  [[ $(field "$(json audit config --kind schedule --id client-services-oncall)" \
    "[(e['actor'], e['type']) for e in d['entries']][-1]") == "('person:mia', 'ConfigChanged')" ]]
}
eventually 30 "audit recording Mia's creation of the on-call schedule" created_by_mia
run audit config --kind schedule --id client-services-oncall
# An auditor keeps audit's signed checkpoint from the start of the story (and the public key
# from whoever holds the signing key, not from the service): at the end the exported trail is
# checked offline against it.
mkdir -p "$DATA/auditor"
openssl pkey -in "$DATA/audit-signing.pem" -pubout -out "$DATA/auditor/audit-public-key.pem" 2>/dev/null ||
  fail "could not derive the audit public key"
eventually 30 "audit's first signed checkpoint" "$SRCTL" audit checkpoint --out "$DATA/auditor/checkpoint-start.txt"
run audit checkpoint --out "$DATA/auditor/checkpoint-start.txt"

step "After hours (Tue 21:40 London): who is on call for client services?"
run oncall --schedule client-services-oncall
run business-hours --calendar acme-london

step "A distressed client reports an urgent problem after business hours"
OPEN=$(as reception json open --client-id acme --client-name "Acme Ltd" --tier enterprise \
  --client-tz Europe/London --calendar acme-london --contact-name "Dana Reyes" --email dana@acme.example \
  --phone "+44 20 7946 0000" --contact-tz Europe/London --channel phone --category unreachable --severity P1 \
  --summary "Payroll export failed and nobody answered the support line" \
  --description "Tonight's payroll export failed at 20:55; the client called support twice and got voicemail." \
  --client-view "Your system broke and you were unreachable when we needed you" \
  --firm-view "Export job failed on a schema change; after-hours line was not forwarded" --emotion distressed)
CASE=$(field "$OPEN" "d['case']['id']")
echo "case opened: $CASE"
run show "$CASE"

step "Escalation sees after hours and pages the on-call engineer (webhook + log channel)"
ONCALL=$(field "$(json oncall --schedule client-services-oncall)" "d['person_ids'][0]")
eventually 30 "the page to the on-call engineer ($ONCALL)" has_page_for "$ONCALL"
run escalations "$CASE"

step "Nobody acknowledges for 2 minutes: the next tier (the account lead) is paged"
run clock advance 2m
eventually 20 "the page to the account lead" has_page_for lee
tail -n 3 "$DATA/logs/webhook.log"

step "The account lead acknowledges the page; intake makes them the case owner"
ESC=$(field "$(json escalations "$CASE")" "d['escalations'][0]['escalation_id']")
as lee run ack-page --escalation "$ESC"
owner_is_lee() { [[ $(field "$(json show "$CASE")" "d['case'].get('owner','')") == lee ]]; }
eventually 20 "the owner assignment" owner_is_lee
LEE_PAGES=$(pages_for lee); ONCALL_PAGES=$(pages_for "$ONCALL")

step "The case is acknowledged to the client, with the emotional state recorded"
as lee run ack "$CASE" --emotion concerned \
  --message "Dana, I'm sorry we missed your calls tonight. I own this now; the export is being rerun and I will call you at 22:30."

step "The plan drafted from the 'unreachable' playbook now has owners"
plan_has_owner() { [[ $(field "$(json plan "$CASE")" "sum(1 for i in d['plan'].get('items',[]) if i.get('owner')=='lee')") -ge 1 ]]; }
eventually 20 "the drafted plan with owners" plan_has_owner
run plan "$CASE"

step "A commitment: report back by 10:00 tomorrow, client time"
as lee run add-commitment "$CASE" --text "We will report back with the root cause and the fix by 10:00 tomorrow" \
  --owner lee --due "2026-11-25T10:00:00" --tz Europe/London

step "Wording review: a draft that over-apologises and accepts liability is flagged"
BAD="We are so sorry. Sorry again, this is entirely our fault and we will compensate all losses."
REVIEW=$(json review-message --text "$BAD")
field "$REVIEW" "'\n'.join('  - %s: %s' % (f.get('category'), f.get('reason')) for f in d.get('findings',[]))"
[[ $(field "$REVIEW" "len(d.get('findings',[]))") -ge 2 ]] || fail "the bad draft was not flagged"

step "... and the fixed message passes"
GOOD="Dana, thank you for your patience tonight. I have taken ownership of the payroll export issue. The export has been rerun and I will report back with the root cause by 10:00 tomorrow."
REVIEW=$(json review-message --text "$GOOD" --commitment-recorded)
[[ $(field "$REVIEW" "len(d.get('findings',[]))") -eq 0 ]] || fail "the fixed message was flagged: $REVIEW"
echo "  no findings"

step "The plan is shared with the client as a summary"
run share "$CASE"
planned() { [[ $(field "$(json show "$CASE")" "d['case']['status']") == CASE_STATUS_PLANNED ]]; }
eventually 20 "the case moving to PLANNED" planned
# Barrier before time jumps: follow-up has consumed the case's events up to PlanShared (its
# written-recap reminder exists; events of a case arrive in order, so the acknowledgement is
# in too). Otherwise a follow-up that is still catching up (e.g. just restarted) would see
# its acknowledgement SLA fall due before it learns of the acknowledgement.
recap_scheduled() { json reminders --case "$CASE" | grep -q 'written/recap'; }
eventually 30 "follow-up to learn that the plan was shared" recap_scheduled

step "Time passes; reminders fire along the way"
run clock advance 45m
# A reminder fired (follow-up's timer) and reached its owner through escalation's channels.
reminder_delivered() { grep -q '"reminder_id"' "$DATA/webhook-pages.jsonl" 2>/dev/null; }
eventually 30 "a reminder delivered to its owner" reminder_delivered
grep 'reminder for' "$DATA/logs/webhook.log" | head -n 3
echo "still to come:"
run reminders --case "$CASE"

step "The action items are completed"
for ITEM in $(field "$(json plan "$CASE")" "' '.join(i['id'] for i in d['plan'].get('items',[]) if i.get('status') in ('ITEM_STATUS_OPEN','ITEM_STATUS_IN_PROGRESS'))"); do
  as lee run complete-item "$CASE" "$ITEM" --note "Done"
done
run keep-commitment "$CASE"

step "The case is resolved; the satisfaction check comes due and is recorded"
as lee run resolve "$CASE" --resolution "Export rerun, payroll delivered 22:20; after-hours line now forwards to on-call."
run clock advance 2h
as lee run_when_ready satisfaction "$CASE" --score 4 --comment "Rough night, but Lee took charge and kept every promise."
as lee run close "$CASE" --reason "Client confirmed payroll delivered"

step "The quality review is submitted"
as lee run_when_ready submit-review "$CASE" \
  --expected "Support line answered after hours; export succeeds" \
  --happened "Export failed on a schema change; calls went to voicemail for 45 minutes" \
  --went-well "Escalation reached the account lead within minutes; the plan and promise were kept" \
  --improve "Forward the after-hours line to the on-call phone; add schema checks to the export job" \
  --next "Audit all after-hours forwarding rules this week" --theme after-hours --theme export --root-cause "unforwarded support line"
run trends

step "No page was sent after the acknowledgement"
sleep 1
[[ $(pages_for lee) -eq $LEE_PAGES && $(pages_for "$ONCALL") -eq $ONCALL_PAGES ]] || fail "a page was delivered after the acknowledgement"
echo "  pages: $ONCALL $ONCALL_PAGES, lee $LEE_PAGES; none after the ack"

step "Self-service: Sam changes his own notification rules; the audit chain says who changed what"
as sam run config update person sam --mask notification_rules \
  --spec '{"notification_rules": [{"channel": "webhook", "delay": "0s"}, {"channel": "log", "delay": "1m"}]}' \
  --reason "log channel a minute after the webhook"
changed_by_sam() { [[ $(field "$(json audit config --kind person --id sam)" "d['entries'][0]['actor']") == person:sam ]]; }
eventually 30 "audit recording Sam's change" changed_by_sam
run audit config --kind person --id sam
as sam "$SRCTL" config update person sam --mask name --spec '{"name": "Sam the Great"}' >/dev/null 2>&1 &&
  fail "a responder renamed himself (people.edit is the admins')"
echo "  and renaming himself is refused: people.edit is the admins'"

step "A cover request: Priya asks Sam to take Thursday night of her week; Sam accepts"
THU_FROM="2026-11-26T18:00:00Z" THU_TO="2026-11-27T09:00:00Z"
[[ $(field "$(json oncall --schedule client-services-oncall --at 2026-11-26T20:00:00Z)" "d['person_ids'][0]") == priya ]] ||
  fail "priya is not on call on Thursday night before the cover"
COVER=$(as priya json cover request --schedule client-services-oncall --person sam --from "$THU_FROM" --to "$THU_TO" \
  --reason "family dinner")
COVER_ID=$(field "$COVER" "d['cover_request_id']")
as sam run cover accept "$COVER_ID"
[[ $(field "$(json oncall --schedule client-services-oncall --at 2026-11-26T20:00:00Z)" "d['person_ids'][0]") == sam ]] ||
  fail "sam is not on call on Thursday night after accepting the cover"
run oncall --schedule client-services-oncall --at 2026-11-26T20:00:00Z
cover_audited() { [[ $(field "$(json timeline schedule:client-services-oncall)" "','.join(e['type']+'='+e.get('actor','') for e in d.get('entries',[]) if e['type'].startswith('Cover'))") == "CoverRequested=person:priya,CoverAccepted=person:sam" ]]; }
eventually 30 "audit recording the cover request and its acceptance" cover_audited
run timeline schedule:client-services-oncall

step "GitOps: the live configuration exported as YAML; a diff against it finds nothing to change"
run config export -o "$DATA/gitops"
ls "$DATA/gitops"
run config diff -f "$DATA/gitops"

step "The audit timeline of the case, and the hash chain verified"
timeline_complete() { [[ $(field "$(json timeline "$CASE")" "sum(1 for e in d.get('entries',[]) if e['type']=='ReviewSubmitted')") -ge 1 ]]; }
eventually 30 "the audit log catching up" timeline_complete
run timeline "$CASE"
# Who did what is who signed in: the actors of people's writes are their authenticated ids.
actor_of() { field "$(json timeline "$CASE")" "next((e.get('actor','') for e in d.get('entries',[]) if e['type']=='$1'), '')"; }
for pair in CaseOpened=person:reception CaseAcknowledged=person:lee EscalationAcknowledged=person:lee \
            CommitmentMade=person:lee CaseClosed=person:lee PlanShared=person:mia; do
  got=$(actor_of "${pair%%=*}")
  [[ $got == "${pair#*=}" ]] || fail "the actor of ${pair%%=*} is '$got', not the signed-in ${pair#*=}"
done
echo "actors: every write above carries the person who signed in (reception, lee, mia)"
run verify

step "A forged acknowledgement published straight to the topic with kcat is rejected, not believed"
# Someone who can write to Kafka but holds no service's key publishes "Sam acknowledged the
# escalation" for the case. Every service verifies each event's signature before acting.
FORGED_ID="forged-$(date +%s%N)"
cat >"$DATA/forged.txt" <<FORGED
event_id: "$FORGED_ID"
case_id: "$CASE"
source: "escalation"
actor: "person:sam"
occurred_at { seconds: $(date -d "$START" +%s) }
escalation_acknowledged { escalation_id: "$ESC" acknowledged_by: "sam" page_id: "forged" }
FORGED
protoc -I "$ROOT/proto" -I /usr/include --encode=recovery.v1.Event recovery/v1/events.proto \
  <"$DATA/forged.txt" >"$DATA/forged.bin" || fail "protoc could not encode the forged event"
echo "\$ kcat -P -t recovery.case-events -k $CASE -H type=EscalationAcknowledged $DATA/forged.bin"
kcat -P -b "$(cat "$DATA/stack/broker.addr")" -t recovery.case-events -k "$CASE" -H type=EscalationAcknowledged \
  -H "event_id=$FORGED_ID" "$DATA/forged.bin" || fail "kcat could not publish"
forged_rejected() {
  [[ $(field "$(json audit rejected)" "any(e['event_id'] == '$FORGED_ID' for e in d.get('entries', []))") == True ]] &&
    [[ $(field "$(json dead-letters --service intake)" \
      "any(e.get('event_id') == '$FORGED_ID' for e in d.get('dead_letters', []))") == True ]]
}
eventually 30 "audit and intake rejecting the forged event" forged_rejected
run audit rejected
run dead-letters --service intake
[[ $(field "$(json show "$CASE")" "d['case'].get('owner','')") == lee ]] || fail "the forged acknowledgement changed the owner"
echo "the case's owner is still lee: no service acted on the forged event"

step "Who read the case: every service records reads of case data with the reader, aggregated"
read_by_mia() {
  [[ $(field "$(json audit access --case "$CASE")" \
    "any(e['reader'] == 'person:mia' and e['method'] == 'recovery.v1.Intake/GetCase' for e in d.get('entries', []))") == True ]]
}
eventually 30 "the access records of the case" read_by_mia
run audit access --case "$CASE" --limit 12

step "An outside auditor verifies the exported trail offline against the checkpoint kept at the start"
# The latest checkpoint, the whole trail as JSON lines, and the public key the auditor holds:
# srctl and an independent Python verifier (tools/audit_verify.py) must both pass it.
run audit checkpoint --out "$DATA/auditor/checkpoint-end.txt"
"$SRCTL" audit export >"$DATA/auditor/trail.jsonl" || fail "srctl audit export failed"
echo "exported $(wc -l <"$DATA/auditor/trail.jsonl") records to $DATA/auditor/trail.jsonl"
run audit verify --export "$DATA/auditor/trail.jsonl" --public-key "$DATA/auditor/audit-public-key.pem" \
  --checkpoint "$DATA/auditor/checkpoint-start.txt" --checkpoint "$DATA/auditor/checkpoint-end.txt" --allow-tail
echo "\$ tools/audit_verify.py --export trail.jsonl --public-key audit-public-key.pem --checkpoint ... --allow-tail"
python3 "$ROOT/tools/audit_verify.py" --export "$DATA/auditor/trail.jsonl" \
  --public-key "$DATA/auditor/audit-public-key.pem" --checkpoint "$DATA/auditor/checkpoint-start.txt" \
  --checkpoint "$DATA/auditor/checkpoint-end.txt" --allow-tail || fail "the independent verifier refused the trail"

if [[ -n ${DEMO_CHECK:-} ]]; then
  step "Check every event on the topic (kcat) against the audit log"
  python3 "$ROOT/tests/e2e/check_topic.py" "$(cat "$DATA/stack/broker.addr")" "$CASE" "$SRCTL" || fail "topic check"
fi

printf '\n\033[32mDemo complete: every step happened.\033[0m\n'
# At a terminal the stack stays up so the story can be looked at in the console.
if [[ -t 0 && -t 1 && -z ${DEMO_CHECK:-} && -z ${DEMO_KILL:-} && ${DEMO_KEEP:-1} != 0 ]]; then
  printf 'The story is in the console at %s: sign in as lee (or mia, vic), password demo.\n' \
    "$(cat "$DATA/stack/console.url")"
  printf 'Press Ctrl-C to stop the stack (DEMO_KEEP=0 stops it at once).\n'
  trap 'echo; cleanup; exit 0' INT TERM
  while sleep 3600; do :; done
fi
