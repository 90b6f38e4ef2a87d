// A resource's spec as text (YAML or JSON, keys sorted so two versions line up) and the line
// differences between two of them.
import { parse, stringify } from "yaml";
import type { JsonValue } from "../types";

export type SpecFormat = "yaml" | "json";

// Keys sorted at every level: the service's Struct has no order of its own.
export function sortKeys(v: JsonValue | undefined): JsonValue {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out: { [k: string]: JsonValue } = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

export function specText(v: JsonValue | undefined, format: SpecFormat): string {
  if (v === undefined || v === null) return "";
  const sorted = sortKeys(v);
  return format === "json" ? `${JSON.stringify(sorted, null, 2)}\n` : stringify(sorted, { lineWidth: 0 });
}

// The text as a spec; throws an Error naming the line when it does not parse.
export function parseSpec(text: string, format: SpecFormat): JsonValue {
  if (format === "json") {
    try {
      return JSON.parse(text) as JsonValue;
    } catch (e) {
      throw new Error(`spec: not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  let v: unknown;
  try {
    // YAML 1.2's core schema (yes/no stay strings, dates stay strings); no aliases.
    v = parse(text, { schema: "core", uniqueKeys: true, maxAliasCount: 0 });
  } catch (e) {
    throw new Error(`spec: not YAML (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
  }
  return toJson(v);
}

function toJson(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error("spec: a number that JSON cannot hold");
    return v;
  }
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === "object") {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toJson(x);
    return out;
  }
  throw new Error(`spec: a ${typeof v} that JSON cannot hold`);
}

export interface DiffLine {
  op: "same" | "add" | "del";
  text: string;
}

// Line differences by longest common subsequence (specs are small).
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before ? before.replace(/\n$/, "").split("\n") : [];
  const b = after ? after.replace(/\n$/, "").split("\n") : [];
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: "same", text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ op: "del", text: a[i++]! });
    else out.push({ op: "add", text: b[j++]! });
  }
  while (i < n) out.push({ op: "del", text: a[i++]! });
  while (j < m) out.push({ op: "add", text: b[j++]! });
  return out;
}

// The differences, with a few lines of context around each change ("⋯" between hunks).
export function Diff({ before, after, format, testid }: { before: JsonValue | undefined; after: JsonValue | undefined; format: SpecFormat; testid?: string }) {
  const lines = diffLines(specText(before, format), specText(after, format));
  const changed = lines.filter((l) => l.op !== "same").length;
  if (changed === 0) return <p class="muted-text" data-testid={testid}>No differences.</p>;
  const CONTEXT = 3;
  const keep = lines.map((_, k) => lines.slice(Math.max(0, k - CONTEXT), k + CONTEXT + 1).some((l) => l.op !== "same"));
  const adds = lines.filter((l) => l.op === "add").length;
  const dels = changed - adds;
  return (
    <div class="diff-box" data-testid={testid}>
      <p class="visually-hidden">
        {adds} line{adds === 1 ? "" : "s"} added, {dels} removed.
      </p>
      <pre class="diff">
        {lines.map((l, k) => {
          if (!keep[k]) return k > 0 && keep[k - 1] ? <span key={k} class="diff-gap">⋯{"\n"}</span> : null;
          const sign = l.op === "add" ? "+" : l.op === "del" ? "-" : " ";
          return (
            <span key={k} class={`diff-${l.op}`}>
              {l.op === "add" && <span class="visually-hidden">added: </span>}
              {l.op === "del" && <span class="visually-hidden">removed: </span>}
              <span aria-hidden="true">{sign} </span>
              {l.text}
              {"\n"}
            </span>
          );
        })}
      </pre>
    </div>
  );
}
