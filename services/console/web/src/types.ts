// Hand-written interfaces for the messages the UI uses, as protobuf's JSON mapping renders
// them (proto/recovery/v1/*.proto): lowerCamelCase names, enums as their names, Timestamps as
// RFC 3339 strings, Durations as "<seconds>s", int64 as strings. Default values are omitted
// on the wire, so every field is optional: read them with a fallback.

export type Timestamp = string; // RFC 3339
export type Duration = string; // "300s", "1.5s"
export type Int64 = string;

// ---- common.proto ----
export type Severity = "SEVERITY_UNSPECIFIED" | "SEVERITY_P1" | "SEVERITY_P2" | "SEVERITY_P3" | "SEVERITY_P4";
export const SEVERITIES: Severity[] = ["SEVERITY_P1", "SEVERITY_P2", "SEVERITY_P3", "SEVERITY_P4"];

export type Channel =
  | "CHANNEL_UNSPECIFIED"
  | "CHANNEL_PHONE"
  | "CHANNEL_EMAIL"
  | "CHANNEL_MEETING"
  | "CHANNEL_CHAT"
  | "CHANNEL_SURVEY"
  | "CHANNEL_OTHER";
export const CHANNELS: Channel[] = [
  "CHANNEL_EMAIL",
  "CHANNEL_PHONE",
  "CHANNEL_MEETING",
  "CHANNEL_CHAT",
  "CHANNEL_SURVEY",
  "CHANNEL_OTHER",
];

export type EmotionalState =
  | "EMOTIONAL_STATE_UNSPECIFIED"
  | "EMOTIONAL_STATE_CALM"
  | "EMOTIONAL_STATE_CONCERNED"
  | "EMOTIONAL_STATE_FRUSTRATED"
  | "EMOTIONAL_STATE_ANGRY"
  | "EMOTIONAL_STATE_DISTRESSED";
export const EMOTIONAL_STATES: EmotionalState[] = [
  "EMOTIONAL_STATE_CALM",
  "EMOTIONAL_STATE_CONCERNED",
  "EMOTIONAL_STATE_FRUSTRATED",
  "EMOTIONAL_STATE_ANGRY",
  "EMOTIONAL_STATE_DISTRESSED",
];

export type CaseStatus =
  | "CASE_STATUS_UNSPECIFIED"
  | "CASE_STATUS_OPEN"
  | "CASE_STATUS_ACKNOWLEDGED"
  | "CASE_STATUS_PLANNED"
  | "CASE_STATUS_RESOLVED"
  | "CASE_STATUS_CLOSED"
  | "CASE_STATUS_REOPENED";
export const CASE_STATUSES: CaseStatus[] = [
  "CASE_STATUS_OPEN",
  "CASE_STATUS_ACKNOWLEDGED",
  "CASE_STATUS_PLANNED",
  "CASE_STATUS_REOPENED",
  "CASE_STATUS_RESOLVED",
  "CASE_STATUS_CLOSED",
];

export interface Client {
  id?: string;
  name?: string;
  tier?: string;
  timeZone?: string;
  calendarId?: string;
}

export interface Contact {
  name?: string;
  email?: string;
  phone?: string;
  timeZone?: string;
}

export type ItemStatus =
  | "ITEM_STATUS_UNSPECIFIED"
  | "ITEM_STATUS_OPEN"
  | "ITEM_STATUS_IN_PROGRESS"
  | "ITEM_STATUS_DONE"
  | "ITEM_STATUS_CANCELLED";

export interface ActionItem {
  id?: string;
  what?: string;
  owner?: string;
  ownerRole?: string;
  where?: string;
  due?: Timestamp;
  why?: string;
  how?: string;
  status?: ItemStatus;
  clientVisible?: boolean;
  completionNote?: string;
}

export type CommitmentStatus =
  | "COMMITMENT_STATUS_UNSPECIFIED"
  | "COMMITMENT_STATUS_OPEN"
  | "COMMITMENT_STATUS_KEPT"
  | "COMMITMENT_STATUS_BROKEN"
  | "COMMITMENT_STATUS_RENEGOTIATED";

export interface Commitment {
  id?: string;
  text?: string;
  owner?: string;
  due?: Timestamp;
  status?: CommitmentStatus;
}

// ---- intake.proto ----
export interface StatusTransition {
  from?: CaseStatus;
  to?: CaseStatus;
  at?: Timestamp;
  actor?: string;
  reason?: string;
}

export interface EmotionalStateRecord {
  state?: EmotionalState;
  recordedAt?: Timestamp;
  recordedBy?: string;
  source?: string;
}

export interface ContactRecord {
  contactId?: string;
  channel?: Channel;
  summary?: string;
  emotionalState?: EmotionalState;
  recordedBy?: string;
  recordedAt?: Timestamp;
  repeatReport?: boolean;
}

export interface Note {
  noteId?: string;
  text?: string;
  shareable?: boolean;
  author?: string;
  createdAt?: Timestamp;
}

export interface Case {
  id?: string;
  client?: Client;
  contact?: Contact;
  channel?: Channel;
  category?: string;
  severity?: Severity;
  summary?: string;
  description?: string;
  clientView?: string;
  firmView?: string;
  emotionalState?: EmotionalState;
  owner?: string;
  status?: CaseStatus;
  openedAt?: Timestamp;
  updatedAt?: Timestamp;
  acknowledgedAt?: Timestamp;
  plannedAt?: Timestamp;
  resolvedAt?: Timestamp;
  closedAt?: Timestamp;
  reopenedAt?: Timestamp;
  resolution?: string;
  openedBy?: string;
  openedFromSignalId?: string;
  repeatReports?: number;
  transitions?: StatusTransition[];
  emotionalHistory?: EmotionalStateRecord[];
  contacts?: ContactRecord[];
  notes?: Note[];
}

export interface GetCaseRequest {
  caseId: string;
}
export interface GetCaseResponse {
  case?: Case;
}

export interface ListCasesRequest {
  statuses?: CaseStatus[];
  severities?: Severity[];
  clientId?: string;
  owner?: string;
  openedFrom?: Timestamp;
  openedTo?: Timestamp;
  pageSize?: number;
  pageToken?: string;
}
export interface ListCasesResponse {
  cases?: Case[];
  nextPageToken?: string;
}

export interface RecordContactRequest {
  requestId: string;
  caseId: string;
  channel: Channel;
  summary: string;
  emotionalState?: EmotionalState;
}
export interface RecordContactResponse {
  case?: Case;
  contactId?: string;
}

// ---- escalation.proto ----
export type EscalationStatus =
  | "ESCALATION_STATUS_UNSPECIFIED"
  | "ESCALATION_STATUS_NEW"
  | "ESCALATION_STATUS_HELD"
  | "ESCALATION_STATUS_PAGING"
  | "ESCALATION_STATUS_ACKNOWLEDGED"
  | "ESCALATION_STATUS_RESOLVED"
  | "ESCALATION_STATUS_EXHAUSTED";

export type TargetKind = "TARGET_KIND_UNSPECIFIED" | "TARGET_KIND_PERSON" | "TARGET_KIND_SCHEDULE" | "TARGET_KIND_TEAM";

export interface TargetRef {
  kind?: TargetKind;
  id?: string;
}

export interface TierInfo {
  targets?: TargetRef[];
  ackTimeout?: Duration;
}

export interface EscalationPlanInfo {
  policyId?: string;
  tiers?: TierInfo[];
  repeats?: number;
  fallbackPersonId?: string;
}

export interface EscalationInfo {
  escalationId?: string;
  caseId?: string;
  status?: EscalationStatus;
  tier?: number;
  round?: number;
  ackDue?: Timestamp;
  holdUntil?: Timestamp;
  acknowledgedBy?: string;
  plan?: EscalationPlanInfo;
  teamId?: string;
  ruleId?: string;
  businessHours?: boolean;
  severity?: Severity;
  reason?: string;
  startedAt?: Timestamp;
  updatedAt?: Timestamp;
  resolvedBy?: string;
}

export interface AcknowledgePageRequest {
  requestId: string;
  pageId?: string;
  escalationId?: string;
}

export interface ResolveEscalationRequest {
  requestId: string;
  escalationId: string;
  reason?: string;
}

export interface ListEscalationsRequest {
  caseId?: string;
  activeOnly?: boolean;
  teamId?: string;
  statuses?: EscalationStatus[];
  pageSize?: number;
  pageToken?: string;
}
export interface ListEscalationsResponse {
  escalations?: EscalationInfo[];
  nextPageToken?: string;
}

export type PageChannel = "PAGE_CHANNEL_UNSPECIFIED" | "PAGE_CHANNEL_WEBHOOK" | "PAGE_CHANNEL_EMAIL" | "PAGE_CHANNEL_LOG";

export interface PageInfo {
  pageId?: string;
  escalationId?: string;
  caseId?: string;
  personId?: string;
  channel?: PageChannel;
  target?: string;
  tier?: number;
  round?: number;
  status?: string; // pending, sending, delivered, failed, cancelled
  attempts?: number;
  idempotencyKey?: string;
  nextAttemptAt?: Timestamp;
  lastError?: string;
}

export interface ListPagesRequest {
  escalationId: string;
}
export interface ListPagesResponse {
  pages?: PageInfo[];
}

export interface IsBusinessHoursRequest {
  calendarId: string;
  at?: Timestamp;
}
export interface IsBusinessHoursResponse {
  open?: boolean;
  nextChange?: Timestamp; // unset when it never changes within the horizon
  holiday?: string;
}

export interface WhoIsOnCallRequest {
  scheduleId?: string;
  teamId?: string;
  at?: Timestamp;
}
export interface WhoIsOnCallResponse {
  personIds?: string[];
  scheduleId?: string;
  at?: Timestamp;
}

export interface ShiftInfo {
  personId?: string;
  start?: Timestamp;
  end?: Timestamp;
  layer?: string; // layer name, or "override"
}

export interface ListShiftsRequest {
  scheduleId: string;
  from: Timestamp;
  to: Timestamp;
}
export interface ListShiftsResponse {
  shifts?: ShiftInfo[];
}

export interface ScheduleOverride {
  overrideId?: string;
  scheduleId?: string;
  personId?: string;
  start?: Timestamp;
  end?: Timestamp;
  reason?: string;
}

export interface AddOverrideRequest {
  requestId: string;
  scheduleId: string;
  personId: string;
  start: Timestamp;
  end: Timestamp;
  reason?: string;
}

export interface RemoveOverrideRequest {
  requestId: string;
  overrideId: string;
}
export interface RemoveOverrideResponse {
  removed?: ScheduleOverride;
}

export interface CheckCoverageRequest {
  scheduleId: string;
  from: Timestamp;
  to: Timestamp;
}
export interface CoverageGap {
  start?: Timestamp;
  end?: Timestamp;
}
export interface CheckCoverageResponse {
  gaps?: CoverageGap[];
}

export type GetDirectoryRequest = Record<string, never>;

export interface ContactMethodInfo {
  channel?: PageChannel;
  target?: string;
}

export interface PersonInfo {
  id?: string;
  name?: string;
  timeZone?: string;
  contactMethods?: ContactMethodInfo[];
}

export interface TeamInfo {
  id?: string;
  name?: string;
  members?: string[];
  calendarId?: string;
  scheduleId?: string;
  policyId?: string;
  owners?: TargetRef[];
  ownerAckTimeout?: Duration;
}

export interface CalendarInfo {
  id?: string;
  timeZone?: string;
  holidays?: string[];
}

export interface ScheduleInfo {
  id?: string;
  name?: string;
  timeZone?: string;
  layers?: string[];
  overrides?: ScheduleOverride[];
}

export interface Directory {
  people?: PersonInfo[];
  teams?: TeamInfo[];
  calendars?: CalendarInfo[];
  schedules?: ScheduleInfo[];
}

// The acknowledge links (CONSOLE_API.md "Acknowledge links").
export type AckLinkState = "ACK_LINK_STATE_UNSPECIFIED" | "ACK_LINK_STATE_VALID" | "ACK_LINK_STATE_USED" | "ACK_LINK_STATE_ENDED";

export interface InspectAckLinkRequest {
  token: string;
}
export interface InspectAckLinkResponse {
  state?: AckLinkState;
  page?: PageInfo;
  escalation?: EscalationInfo;
  usedAt?: Timestamp;
  usedBy?: string;
}

export interface AcknowledgeByLinkRequest {
  requestId: string;
  token: string;
}

// ---- action_plan.proto ----
export type AmendsKind =
  | "AMENDS_KIND_UNSPECIFIED"
  | "AMENDS_KIND_DISCOUNT"
  | "AMENDS_KIND_CREDIT"
  | "AMENDS_KIND_FREE_SERVICE"
  | "AMENDS_KIND_OTHER";

export interface Amends {
  amendsId?: string;
  kind?: AmendsKind;
  valueMinorUnits?: Int64;
  currency?: string;
  approver?: string;
  reason?: string;
  recordedAt?: Timestamp;
}

export interface RootCause {
  clientView?: string;
  firmView?: string;
  agreedExplanation?: string;
  category?: string;
}

export interface CommitmentHistory {
  commitmentId?: string;
  renegotiations?: number;
}

export interface Plan {
  planId?: string;
  caseId?: string;
  playbookId?: string;
  clientName?: string;
  clientTimeZone?: string;
  clientCalendarId?: string;
  items?: ActionItem[];
  commitments?: Commitment[];
  amends?: Amends[];
  rootCause?: RootCause;
  complete?: boolean;
  createdAt?: Timestamp;
  updatedAt?: Timestamp;
  commitmentHistory?: CommitmentHistory[];
}

export interface GetPlanRequest {
  planId?: string;
  caseId?: string;
}
export interface GetPlanResponse {
  plan?: Plan;
}

export type WordingCategory =
  | "WORDING_CATEGORY_UNSPECIFIED"
  | "WORDING_CATEGORY_OVER_APOLOGISING"
  | "WORDING_CATEGORY_ACCEPTING_LIABILITY"
  | "WORDING_CATEGORY_OVER_PROMISING"
  | "WORDING_CATEGORY_BLAMING_CLIENT"
  | "WORDING_CATEGORY_DEFENSIVENESS"
  | "WORDING_CATEGORY_MISSING_NEXT_STEP";

export type FindingSeverity =
  | "FINDING_SEVERITY_UNSPECIFIED"
  | "FINDING_SEVERITY_INFO"
  | "FINDING_SEVERITY_WARNING"
  | "FINDING_SEVERITY_ERROR";

export interface ReviewContext {
  commitmentRecorded?: boolean;
}

export interface ReviewMessageRequest {
  text: string;
  context?: ReviewContext;
}

export interface Finding {
  ruleId?: string;
  category?: WordingCategory;
  severity?: FindingSeverity;
  hasSpan?: boolean;
  begin?: number; // UTF-8 byte offsets into the text, when hasSpan
  end?: number;
  excerpt?: string;
  reason?: string;
}

export interface ReviewMessageResponse {
  findings?: Finding[];
}

export interface PlaybookItem {
  id?: string;
  what?: string;
  why?: string;
  how?: string;
  where?: string;
  ownerRole?: string;
  due?: string; // as written: "2h", "1d", "next business day 10:00"
  clientVisible?: boolean;
}

export interface Playbook {
  id?: string;
  category?: string;
  title?: string;
  items?: PlaybookItem[];
}

export interface GetPlaybookRequest {
  id?: string;
  category?: string; // falls back to the generic playbook
}
export interface GetPlaybookResponse {
  playbook?: Playbook;
}

// ---- follow_up.proto ----
export type ReminderKind =
  | "REMINDER_KIND_UNSPECIFIED"
  | "REMINDER_KIND_ACTION_ITEM"
  | "REMINDER_KIND_COMMITMENT"
  | "REMINDER_KIND_WRITTEN_FOLLOW_UP";

export interface Reminder {
  reminderId?: string;
  caseId?: string;
  kind?: ReminderKind;
  subjectId?: string;
  recipient?: string;
  reason?: string;
  stage?: string; // "item_before_due", "commitment_due", "written_follow_up", ...
  nextDue?: Timestamp;
  subjectDue?: Timestamp;
  repeat?: number;
}

export interface ListRemindersRequest {
  caseId?: string;
  recipient?: string;
  dueFrom?: Timestamp;
  dueTo?: Timestamp;
  limit?: number; // 0: 100; at most 1000
}
export interface ListRemindersResponse {
  reminders?: Reminder[];
}

export interface SnoozeReminderRequest {
  requestId: string;
  reminderId: string;
  until: Timestamp;
}

export interface RecordSatisfactionRequest {
  requestId: string;
  caseId: string;
  score: number; // 1..5
  comment?: string;
}
export interface RecordSatisfactionResponse {
  low?: boolean;
}

// The quality review: the five questions, then themes, root cause and follow-on actions.
export interface SubmitReviewRequest {
  requestId: string;
  caseId: string;
  expected: string;
  happened: string;
  wentWell: string;
  toImprove: string;
  nextSteps: string;
  themes?: string[];
  rootCause?: string;
  followOnActions?: string[];
}

export interface Review {
  reviewId?: string;
  caseId?: string;
  expected?: string;
  happened?: string;
  wentWell?: string;
  toImprove?: string;
  nextSteps?: string;
  themes?: string[];
  rootCause?: string;
  followOnActions?: string[];
  submittedBy?: string;
  submittedAt?: Timestamp;
}

export interface GetReviewRequest {
  caseId: string;
}

export type SlaKind = "SLA_KIND_UNSPECIFIED" | "SLA_KIND_ACKNOWLEDGE" | "SLA_KIND_RESOLVE" | "SLA_KIND_COMMITMENT";

export type SlaClockState =
  | "SLA_CLOCK_STATE_UNSPECIFIED"
  | "SLA_CLOCK_STATE_RUNNING"
  | "SLA_CLOCK_STATE_PAUSED"
  | "SLA_CLOCK_STATE_MET"
  | "SLA_CLOCK_STATE_BREACHED";

export interface SlaClock {
  caseId?: string;
  kind?: SlaKind;
  state?: SlaClockState; // unset: no clock (no target for the severity)
  due?: Timestamp; // running or breached
  remaining?: Duration; // paused
}

export interface BatchGetCaseFollowUpsRequest {
  caseIds: string[]; // 1..500
}
export interface CaseFollowUp {
  caseId?: string;
  known?: boolean; // false: follow-up has not seen the case yet
  acknowledge?: SlaClock;
  resolve?: SlaClock;
  breaches?: number;
  satisfactionScore?: number; // 0 / unset: none
  satisfactionComment?: string;
  satisfactionCheckPending?: boolean;
}
export interface BatchGetCaseFollowUpsResponse {
  caseFollowUps?: CaseFollowUp[];
}

// ---- audit.proto ----
export interface GetTimelineRequest {
  caseId: string;
}

export interface TimelineEntry {
  seq?: Int64;
  caseSeq?: Int64;
  eventId?: string;
  type?: string;
  occurredAt?: Timestamp;
  source?: string;
  actor?: string;
  summary?: string;
  eventJson?: string;
  recordedAt?: Timestamp;
}

export interface GetTimelineResponse {
  caseId?: string;
  entries?: TimelineEntry[];
}

export type VerifyChainRequest = Record<string, never>;

export type ChainCheck =
  | "CHAIN_CHECK_UNSPECIFIED"
  | "CHAIN_CHECK_SEQUENCE"
  | "CHAIN_CHECK_EVENT_HASH"
  | "CHAIN_CHECK_PREV_LINK"
  | "CHAIN_CHECK_RECORD_HASH"
  | "CHAIN_CHECK_EVENT_CONTENT"
  | "CHAIN_CHECK_CASE_SEQUENCE"
  | "CHAIN_CHECK_HEAD";

export interface ChainBreak {
  seq?: Int64;
  eventId?: string;
  check?: ChainCheck;
  detail?: string;
}

export interface VerifyChainResponse {
  ok?: boolean;
  recordsChecked?: Int64;
  headHash?: string;
  firstBreak?: ChainBreak;
}

export type GetStatsRequest = Record<string, never>;
export interface GetStatsResponse {
  eventsTotal?: Int64;
  eventsByType?: Record<string, Int64>;
  eventsBySource?: Record<string, Int64>;
  cases?: Int64;
  lastSeq?: Int64;
  headHash?: string;
}

export interface ListConfigChangesRequest {
  service?: string; // intake, escalation, action-plan, follow-up; empty: every service
  kind?: string;
  id?: string; // needs kind
  limit?: number; // 0: 100; at most 1000
}
export interface ListConfigChangesResponse {
  entries?: TimelineEntry[]; // newest first
}

// ---- follow_up.proto: trends ----
export type TrendGroupBy =
  | "TREND_GROUP_BY_UNSPECIFIED"
  | "TREND_GROUP_BY_CATEGORY"
  | "TREND_GROUP_BY_CLIENT"
  | "TREND_GROUP_BY_THEME"
  | "TREND_GROUP_BY_ROOT_CAUSE";

export interface GetTrendsRequest {
  from: Timestamp; // cases opened in [from, to)
  to: Timestamp;
  groupBy?: TrendGroupBy;
}

export interface TrendGroup {
  key?: string; // "(none)" when unset
  cases?: number;
  breachedCases?: number;
  slaBreachRate?: number;
  meanTimeToAcknowledge?: Duration; // over acknowledged cases
  meanTimeToResolve?: Duration; // over resolved cases
  satisfactionAverage?: number; // over scored cases; 0 when none
  satisfactionCount?: number;
  repeatOffenders?: string[];
  acknowledgedCases?: number;
  resolvedCases?: number;
}

export interface GetTrendsResponse {
  groups?: TrendGroup[];
  totalCases?: number;
  repeatOffenders?: string[];
}

// ---- config.proto (recovery.v1.Configuration, on every backend) ----
// spec is a google.protobuf.Value: any JSON value (a map for every kind but "names").
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export interface ResourceKind {
  kind?: string;
  section?: string;
  shape?: string; // list, map, names, settings
  keys?: string[];
  writePermission?: string;
  ordered?: boolean;
}

export type ListKindsRequest = Record<string, never>;
export interface ListKindsResponse {
  service?: string;
  kinds?: ResourceKind[];
  fileOnlySections?: string[];
}

export interface ConfigResource {
  kind?: string;
  id?: string;
  spec?: JsonValue;
  version?: Int64;
  etag?: string;
  contentHash?: string;
  updatedBy?: string;
  updateTime?: Timestamp;
  reason?: string;
  position?: number;
  origin?: string;
  deleted?: boolean;
}

export interface GetResourceRequest {
  kind: string;
  id: string;
}

export interface ListResourcesRequest {
  kind: string;
  pageSize?: number;
  pageToken?: string;
}
export interface ListResourcesResponse {
  resources?: ConfigResource[];
  nextPageToken?: string;
}

export interface UpdateResourceRequest {
  resource: { kind: string; id: string; spec: JsonValue; etag?: string };
  updateMask?: string; // FieldMask in JSON: "a,b.c"
  reason?: string;
  validateOnly?: boolean;
}

export interface SafetyFinding {
  code?: string;
  path?: string;
  message?: string;
}

export interface ShiftDifference {
  scheduleId?: string;
  start?: Timestamp;
  end?: Timestamp;
  before?: string[];
  after?: string[];
}

export type ConfigChangeType =
  | "CONFIG_CHANGE_TYPE_UNSPECIFIED"
  | "CONFIG_CHANGE_TYPE_CREATED"
  | "CONFIG_CHANGE_TYPE_UPDATED"
  | "CONFIG_CHANGE_TYPE_DELETED";

export interface ResourceChange {
  kind?: string;
  id?: string;
  type?: ConfigChangeType;
  before?: JsonValue;
  after?: JsonValue;
  version?: Int64;
  positionBefore?: number;
  positionAfter?: number;
}

export interface ChangeResult {
  resource?: ConfigResource;
  change?: ResourceChange;
  warnings?: SafetyFinding[];
  shiftDifferences?: ShiftDifference[];
  validateOnly?: boolean;
}

export interface ListResourceVersionsRequest {
  kind: string;
  id: string;
  pageSize?: number;
  pageToken?: string;
}
export interface ListResourceVersionsResponse {
  versions?: ConfigResource[];
  nextPageToken?: string;
}

// ---- events.proto: the envelope (the SSE stream's data) ----
// The oneof body arrives as one field named after its type (e.g. "escalationAcknowledged");
// the UI reads only the envelope, the body's name and a few ids.
export interface RecoveryEvent {
  eventId?: string;
  caseId?: string;
  occurredAt?: Timestamp;
  source?: string;
  actor?: string;
  causationId?: string;
  [body: string]: unknown;
}

// Cover requests (Escalation/RequestCover, AcceptCover, DeclineCover, CancelCover, ListCoverRequests).
export type CoverRequestStatus =
  | "COVER_REQUEST_STATUS_UNSPECIFIED"
  | "COVER_REQUEST_STATUS_PENDING"
  | "COVER_REQUEST_STATUS_ACCEPTED"
  | "COVER_REQUEST_STATUS_DECLINED"
  | "COVER_REQUEST_STATUS_CANCELLED"
  | "COVER_REQUEST_STATUS_EXPIRED";
export interface CoverRequestInfo {
  coverRequestId?: string;
  scheduleId?: string;
  requesterId?: string;
  personId?: string;
  start?: Timestamp;
  end?: Timestamp;
  reason?: string;
  status?: CoverRequestStatus;
  requestedAt?: Timestamp;
  answeredBy?: string;
  answeredAt?: Timestamp;
  answerReason?: string;
  overrideId?: string;
}
export interface RequestCoverRequest {
  requestId: string;
  scheduleId: string;
  start: Timestamp;
  end: Timestamp;
  personId: string;
  reason?: string;
}
export interface AnswerCoverRequest {
  requestId: string;
  coverRequestId: string;
  reason?: string;
}
export interface ListCoverRequestsRequest {
  mine?: boolean;
  addressedToMe?: boolean;
  scheduleId?: string;
  status?: CoverRequestStatus;
  pageSize?: number;
}
export interface ListCoverRequestsResponse {
  coverRequests?: CoverRequestInfo[];
  nextPageToken?: string;
}
