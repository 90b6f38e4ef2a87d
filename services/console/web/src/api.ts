// The typed client of the console's JSON API (CONSOLE_API.md): POST
// /api/<backend>/<package.Service>/<Method> with the request message as protobuf JSON and the
// session's CSRF token. Errors come back as one shape, thrown as ApiError.
import type * as T from "./types";

// Every method the UI calls: its full gRPC name (as in session.methods) -> request and response.
export interface Methods {
  "recovery.v1.Intake/GetCase": [T.GetCaseRequest, T.GetCaseResponse];
  "recovery.v1.Intake/ListCases": [T.ListCasesRequest, T.ListCasesResponse];
  "recovery.v1.Intake/RecordContact": [T.RecordContactRequest, T.RecordContactResponse];
  "recovery.v1.Escalation/ListEscalations": [T.ListEscalationsRequest, T.ListEscalationsResponse];
  "recovery.v1.Escalation/ListPages": [T.ListPagesRequest, T.ListPagesResponse];
  "recovery.v1.Escalation/AcknowledgePage": [T.AcknowledgePageRequest, T.EscalationInfo];
  "recovery.v1.Escalation/ResolveEscalation": [T.ResolveEscalationRequest, T.EscalationInfo];
  "recovery.v1.Escalation/WhoIsOnCall": [T.WhoIsOnCallRequest, T.WhoIsOnCallResponse];
  "recovery.v1.Escalation/IsBusinessHours": [T.IsBusinessHoursRequest, T.IsBusinessHoursResponse];
  "recovery.v1.Escalation/RequestCover": [T.RequestCoverRequest, T.CoverRequestInfo];
  "recovery.v1.Escalation/AcceptCover": [T.AnswerCoverRequest, T.CoverRequestInfo];
  "recovery.v1.Escalation/DeclineCover": [T.AnswerCoverRequest, T.CoverRequestInfo];
  "recovery.v1.Escalation/CancelCover": [T.AnswerCoverRequest, T.CoverRequestInfo];
  "recovery.v1.Escalation/ListCoverRequests": [T.ListCoverRequestsRequest, T.ListCoverRequestsResponse];
  "recovery.v1.Escalation/ListShifts": [T.ListShiftsRequest, T.ListShiftsResponse];
  "recovery.v1.Escalation/CheckCoverage": [T.CheckCoverageRequest, T.CheckCoverageResponse];
  "recovery.v1.Escalation/AddOverride": [T.AddOverrideRequest, T.ScheduleOverride];
  "recovery.v1.Escalation/RemoveOverride": [T.RemoveOverrideRequest, T.RemoveOverrideResponse];
  "recovery.v1.Escalation/GetDirectory": [T.GetDirectoryRequest, T.Directory];
  "recovery.v1.Escalation/InspectAckLink": [T.InspectAckLinkRequest, T.InspectAckLinkResponse];
  "recovery.v1.Escalation/AcknowledgeByLink": [T.AcknowledgeByLinkRequest, T.EscalationInfo];
  "recovery.v1.ActionPlan/GetPlan": [T.GetPlanRequest, T.GetPlanResponse];
  "recovery.v1.ActionPlan/ReviewMessage": [T.ReviewMessageRequest, T.ReviewMessageResponse];
  "recovery.v1.Audit/GetTimeline": [T.GetTimelineRequest, T.GetTimelineResponse];
  "recovery.v1.Audit/VerifyChain": [T.VerifyChainRequest, T.VerifyChainResponse];
  "recovery.v1.Audit/GetStats": [T.GetStatsRequest, T.GetStatsResponse];
  "recovery.v1.Audit/ListConfigChanges": [T.ListConfigChangesRequest, T.ListConfigChangesResponse];
  "recovery.v1.FollowUp/GetTrends": [T.GetTrendsRequest, T.GetTrendsResponse];
  "recovery.v1.ActionPlan/GetPlaybook": [T.GetPlaybookRequest, T.GetPlaybookResponse];
  "recovery.v1.FollowUp/ListReminders": [T.ListRemindersRequest, T.ListRemindersResponse];
  "recovery.v1.FollowUp/SnoozeReminder": [T.SnoozeReminderRequest, T.Reminder];
  "recovery.v1.FollowUp/RecordSatisfaction": [T.RecordSatisfactionRequest, T.RecordSatisfactionResponse];
  "recovery.v1.FollowUp/SubmitReview": [T.SubmitReviewRequest, T.Review];
  "recovery.v1.FollowUp/GetReview": [T.GetReviewRequest, T.Review];
  "recovery.v1.FollowUp/BatchGetCaseFollowUps": [T.BatchGetCaseFollowUpsRequest, T.BatchGetCaseFollowUpsResponse];
}
export type Method = keyof Methods;
export type Req<M extends Method> = Methods[M][0];
export type Res<M extends Method> = Methods[M][1];

// The console's path segment for each service.
const BACKENDS: Record<string, string> = {
  "recovery.v1.Intake": "intake",
  "recovery.v1.Escalation": "escalation",
  "recovery.v1.ActionPlan": "action-plan",
  "recovery.v1.FollowUp": "follow-up",
  "recovery.v1.Audit": "audit",
};

export type ErrorCode =
  | "invalid_argument"
  | "failed_precondition"
  | "out_of_range"
  | "unauthenticated"
  | "permission_denied"
  | "not_found"
  | "already_exists"
  | "aborted"
  | "resource_exhausted"
  | "internal"
  | "unknown"
  | "data_loss"
  | "unimplemented"
  | "unavailable"
  | "deadline_exceeded"
  | "cancelled"
  | "network";

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field: string;
  readonly status: number; // HTTP status; 0 when the request never got an answer

  constructor(code: ErrorCode, message: string, field: string, status: number) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.field = field;
    this.status = status;
  }
}

let csrfToken = "";
export function setCsrfToken(token: string): void {
  csrfToken = token;
}
export function getCsrfToken(): string {
  return csrfToken;
}

// Called when any call answers 401 (the session ended): the app shows the sign-in screen.
let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return "invalid_argument";
    case 401:
      return "unauthenticated";
    case 403:
      return "permission_denied";
    case 404:
      return "not_found";
    case 409:
      return "aborted";
    case 429:
      return "resource_exhausted";
    case 501:
      return "unimplemented";
    case 503:
      return "unavailable";
    case 504:
      return "deadline_exceeded";
    default:
      return "unknown";
  }
}

// Reads the one error shape; an answer that is not it (a proxy's HTML page) still gives a
// typed error from the HTTP status.
export async function errorFromResponse(resp: Response): Promise<ApiError> {
  let body: unknown = undefined;
  try {
    body = await resp.json();
  } catch {
    // not JSON
  }
  if (body && typeof body === "object") {
    const b = body as { code?: unknown; message?: unknown; field?: unknown };
    if (typeof b.code === "string") {
      return new ApiError(
        b.code as ErrorCode,
        typeof b.message === "string" ? b.message : b.code,
        typeof b.field === "string" ? b.field : "",
        resp.status,
      );
    }
  }
  return new ApiError(codeForStatus(resp.status), `HTTP ${resp.status} ${resp.statusText}`.trim(), "", resp.status);
}

export function backendOf(method: Method): string {
  const service = method.slice(0, method.indexOf("/"));
  const backend = BACKENDS[service];
  if (!backend) throw new Error(`no backend for ${service}`);
  return backend;
}

export async function call<M extends Method>(method: M, request: Req<M>, signal?: AbortSignal): Promise<Res<M>> {
  return (await post(`/api/${backendOf(method)}/${method}`, request, signal)) as Res<M>;
}

// recovery.v1.Configuration is served by every backend (each for its own kinds): the backend
// is named by the caller. Its methods, as named in session.methods:
export interface ConfigMethods {
  ListKinds: [T.ListKindsRequest, T.ListKindsResponse];
  ListResources: [T.ListResourcesRequest, T.ListResourcesResponse];
  GetResource: [T.GetResourceRequest, T.ConfigResource];
  UpdateResource: [T.UpdateResourceRequest, T.ChangeResult];
  ListResourceVersions: [T.ListResourceVersionsRequest, T.ListResourceVersionsResponse];
}
export type ConfigMethod = keyof ConfigMethods;
export type ConfigMethodName = `recovery.v1.Configuration/${ConfigMethod}`;
// The backends that hold configuration (audit has none).
export const CONFIG_BACKENDS = ["escalation", "intake", "action-plan", "follow-up"] as const;
export type ConfigBackend = (typeof CONFIG_BACKENDS)[number];

export async function callConfig<M extends ConfigMethod>(
  backend: ConfigBackend,
  method: M,
  request: ConfigMethods[M][0],
  signal?: AbortSignal,
): Promise<ConfigMethods[M][1]> {
  return (await post(`/api/${backend}/recovery.v1.Configuration/${method}`, request, signal)) as ConfigMethods[M][1];
}

async function post(path: string, request: unknown, signal?: AbortSignal): Promise<unknown> {
  let resp: Response;
  try {
    resp = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
      body: JSON.stringify(request),
      credentials: "same-origin",
      signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError("network", "The console could not be reached. Check the connection and try again.", "", 0);
  }
  if (!resp.ok) {
    const err = await errorFromResponse(resp);
    if (resp.status === 401) onUnauthenticated();
    throw err;
  }
  const text = await resp.text();
  return text ? JSON.parse(text) : {};
}

// A fresh idempotency key per press of a button.
export function requestId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; the console is served over TLS, this is a fallback.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Runs fn over items with at most `limit` calls in flight.
export async function mapLimit<A, B>(items: A[], limit: number, fn: (a: A) => Promise<B>): Promise<B[]> {
  const out: B[] = new Array<B>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    switch (e.code) {
      case "permission_denied":
        return `Not allowed: ${e.message}`;
      case "not_found":
        return `Not found: ${e.message}`;
      case "unavailable":
        return `A service is unavailable right now (${e.message}). Try again shortly.`;
      default:
        return e.message;
    }
  }
  return e instanceof Error ? e.message : String(e);
}
