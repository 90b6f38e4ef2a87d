// The signed-in person (GET /auth/session), sign-in and logout (CONSOLE_API.md "Sign-in").
import { ApiError, errorFromResponse, getCsrfToken, setCsrfToken } from "./api";
import type { ConfigMethodName, Method } from "./api";

export interface Session {
  person: string;
  name: string;
  email: string;
  roles: string[];
  methods: string[]; // full gRPC method names the person may call
  csrfToken: string;
  expiresAt: string;
}

// null: not signed in (401).
export async function fetchSession(): Promise<Session | null> {
  let resp: Response;
  try {
    resp = await fetch("/auth/session", { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    throw new ApiError("network", "The console could not be reached. Check the connection and try again.", "", 0);
  }
  if (resp.status === 401) return null;
  if (!resp.ok) throw await errorFromResponse(resp);
  const s = (await resp.json()) as Partial<Session>;
  const session: Session = {
    person: s.person ?? "",
    name: s.name ?? s.person ?? "",
    email: s.email ?? "",
    roles: s.roles ?? [],
    methods: s.methods ?? [],
    csrfToken: s.csrfToken ?? "",
    expiresAt: s.expiresAt ?? "",
  };
  setCsrfToken(session.csrfToken);
  return session;
}

// May the person call this method? The UI shows a control only then (the services decide again).
export function can(session: Session | null, method: Method | ConfigMethodName): boolean {
  return !!session && session.methods.includes(method);
}

// A same-origin path to come back to after sign-in.
export function currentPath(): string {
  return location.pathname + location.search;
}

export function loginUrl(returnTo: string = currentPath()): string {
  return `/auth/login?return_to=${encodeURIComponent(returnTo)}`;
}

export function signIn(returnTo?: string): void {
  location.assign(loginUrl(returnTo));
}

export async function logout(): Promise<void> {
  const resp = await fetch("/auth/logout", {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRF-Token": getCsrfToken() },
  });
  // 401: already gone, which is what was asked for.
  if (!resp.ok && resp.status !== 401) throw await errorFromResponse(resp);
  setCsrfToken("");
  location.assign("/");
}
