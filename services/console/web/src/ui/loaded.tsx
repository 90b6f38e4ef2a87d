// What a screen loaded: loading, the value, nothing to show (with why: not found, not allowed),
// or an error; and the case screens' shared "could not load / not found" section.
import { ApiError } from "../api";
import { Link } from "../router";
import { ErrorBox } from "./common";

export type Loaded<T> = { kind: "loading" } | { kind: "ok"; value: T } | { kind: "none"; why: string } | { kind: "error"; error: unknown };

// 404 reads as "none" with noneOn404, 403 as "none" (not allowed), anything else as an error.
export async function load<T>(fn: () => Promise<T>, noneOn404: string): Promise<Loaded<T>> {
  try {
    return { kind: "ok", value: await fn() };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { kind: "none", why: noneOn404 };
    if (error instanceof ApiError && error.status === 403) return { kind: "none", why: "Your role may not see this." };
    return { kind: "error", error };
  }
}

// The section a case screen shows instead of the case when it could not load it or it has none.
export function CaseUnavailable({ c, title }: { c: Loaded<unknown>; title: string }) {
  if (c.kind === "error")
    return (
      <section>
        <h1>{title}</h1>
        <ErrorBox error={c.error} title="Could not load the case" />
      </section>
    );
  return (
    <section>
      <h1>Case not found</h1>
      <p>{c.kind === "none" ? c.why : "No such case."}</p>
      <p>
        <Link href="/cases">All cases</Link>
      </p>
    </section>
  );
}
