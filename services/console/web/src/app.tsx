// The shell: session, header with navigation, the router's screen, the sign-in screen.
import { useEffect, useState } from "preact/hooks";
import { setUnauthenticatedHandler } from "./api";
import { subscribeStatus } from "./events";
import type { LiveStatus } from "./events";
import { Link, matchPath, useLocation } from "./router";
import { fetchSession, logout, signIn } from "./session";
import type { Session } from "./session";
import { viewerZone, zoneLabel } from "./time";
import { ErrorBox, Loading } from "./ui/common";
import { NowScreen } from "./screens/now";
import { AckScreen } from "./screens/ack";
import { CasesScreen } from "./screens/cases";
import { CaseScreen } from "./screens/case";
import { WriteScreen, WritePickScreen } from "./screens/write";
import { OnCallScreen } from "./screens/oncall";
import { PrepareScreen } from "./screens/prepare";
import { FollowUpScreen } from "./screens/follow_up";
import { NotFoundScreen } from "./screens/notfound";
import { TrendsScreen } from "./screens/trends";
import { AuditScreen } from "./screens/audit";
import { SettingsScreen } from "./screens/settings";
import { can } from "./session";

type SessionState = { kind: "loading" } | { kind: "signed-out" } | { kind: "error"; error: unknown } | { kind: "in"; session: Session };

// show: only for those whose session.methods allow the screen's calls (absent: everyone).
const NAV: { href: string; label: string; active: (p: string) => boolean; show?: (s: Session) => boolean }[] = [
  { href: "/now", label: "Now", active: (p: string) => p === "/" || p === "/now" },
  { href: "/cases", label: "Cases", active: (p: string) => p === "/cases" || (p.startsWith("/cases/") && !p.endsWith("/write")) },
  { href: "/oncall", label: "On-call", active: (p: string) => p === "/oncall" },
  { href: "/follow-up", label: "Follow-up", active: (p: string) => p === "/follow-up" },
  { href: "/write", label: "Write", active: (p: string) => p === "/write" || (p.startsWith("/cases/") && p.endsWith("/write")) },
  { href: "/trends", label: "Trends", active: (p: string) => p === "/trends", show: (s) => can(s, "recovery.v1.FollowUp/GetTrends") },
  { href: "/audit", label: "Audit", active: (p: string) => p === "/audit", show: (s) => can(s, "recovery.v1.Audit/VerifyChain") },
  {
    href: "/settings",
    label: "Settings",
    active: (p: string) => p === "/settings",
    show: (s) => can(s, "recovery.v1.Configuration/UpdateResource"),
  },
];

function Screen({ session, path }: { session: Session; path: string }) {
  let m: Record<string, string> | null;
  if (path === "/" || path === "/now") return <NowScreen session={session} />;
  if (path === "/cases") return <CasesScreen session={session} />;
  if (path === "/oncall") return <OnCallScreen session={session} />;
  if (path === "/follow-up") return <FollowUpScreen session={session} />;
  if (path === "/write") return <WritePickScreen session={session} />;
  if (path === "/trends") return <TrendsScreen session={session} />;
  if (path === "/audit") return <AuditScreen session={session} />;
  if (path === "/settings") return <SettingsScreen session={session} />;
  if ((m = matchPath("/ack/:token", path))) return <AckScreen session={session} token={m.token!} />;
  if ((m = matchPath("/cases/:caseId/write", path))) return <WriteScreen session={session} caseId={m.caseId!} />;
  if ((m = matchPath("/cases/:caseId/prepare", path))) return <PrepareScreen session={session} caseId={m.caseId!} />;
  if ((m = matchPath("/cases/:caseId", path))) return <CaseScreen session={session} caseId={m.caseId!} />;
  return <NotFoundScreen />;
}

function LiveIndicator() {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  useEffect(() => subscribeStatus(setStatus), []);
  const text = status === "live" ? "Live" : status === "connecting" ? "Connecting…" : "Reconnecting…";
  return (
    <span class={`live live-${status}`} role="status" aria-live="polite" data-testid="live-status">
      <span class="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function Header({ session, path }: { session: Session | null; path: string }) {
  const [error, setError] = useState<unknown>(null);
  const onLogout = async () => {
    try {
      await logout();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <header class="top">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <div class="top-row">
        <Link href="/" class="brand">
          Service recovery console
        </Link>
        {session && (
          <div class="who">
            <LiveIndicator />
            <span class="person" data-testid="signed-in-person">
              <span class="visually-hidden">Signed in as </span>
              {session.name}
              {session.roles.length > 0 && <span class="roles"> ({session.roles.join(", ")})</span>}
            </span>
            <button type="button" class="secondary" onClick={onLogout}>
              Log out
            </button>
          </div>
        )}
      </div>
      {session && (
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !n.show || n.show(session)).map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={n.active(path) ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
          <span class="zone-note">Times in {zoneLabel(viewerZone())} unless labelled otherwise</span>
        </nav>
      )}
      <ErrorBox error={error} title="Log out failed" />
    </header>
  );
}

function SignInScreen() {
  useEffect(() => {
    document.title = "Sign in · Service recovery console";
  }, []);
  return (
    <section class="signin">
      <h1>Sign in</h1>
      <p>Sign in with your organisation's account to see cases, escalations and on-call schedules.</p>
      <button type="button" class="primary big" onClick={() => signIn()}>
        Sign in
      </button>
    </section>
  );
}

export function App() {
  const [state, setState] = useState<SessionState>({ kind: "loading" });
  const { path } = useLocation();

  const load = () => {
    fetchSession()
      .then((s) => setState(s ? { kind: "in", session: s } : { kind: "signed-out" }))
      .catch((error: unknown) => setState({ kind: "error", error }));
  };
  useEffect(() => {
    setUnauthenticatedHandler(() => setState({ kind: "signed-out" }));
    load();
  }, []);

  // An acknowledge link opened without a session goes straight to sign-in and back.
  const isAck = path.startsWith("/ack/");
  useEffect(() => {
    if (state.kind === "signed-out" && isAck) signIn();
  }, [state.kind, isAck]);

  const session = state.kind === "in" ? state.session : null;
  return (
    <div class={isAck ? "app app-ack" : "app"}>
      <Header session={session} path={path} />
      <main id="main" tabIndex={-1}>
        {state.kind === "loading" && <Loading what="your session" />}
        {state.kind === "error" && (
          <section>
            <h1>The console is not answering</h1>
            <ErrorBox error={state.error} />
            <button type="button" class="primary" onClick={load}>
              Try again
            </button>
          </section>
        )}
        {state.kind === "signed-out" && (isAck ? <Loading what="sign-in" /> : <SignInScreen />)}
        {session && <Screen session={session} path={path} />}
      </main>
    </div>
  );
}
