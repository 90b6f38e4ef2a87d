// The client's recorded emotional state over time: a small stepped uPlot chart. The canvas is
// a picture (role="img" with a text summary); the same data is listed beside it as text.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { emotionLabel } from "../labels";
import { EMOTIONAL_STATES } from "../types";
import type { EmotionalStateRecord } from "../types";
import { fmtDateTime, fmtDay, viewerZone, zonedParts, zoneLabel } from "../time";
import type { ZonedParts } from "../time";

const LEVEL = new Map(EMOTIONAL_STATES.map((s, i) => [s as string, i + 1]));

export function EmotionChart({ history }: { history: EmotionalStateRecord[] }) {
  const box = useRef<HTMLDivElement>(null);
  const points = history
    .map((h) => ({ t: Date.parse(h.recordedAt ?? "") / 1000, y: LEVEL.get(h.state ?? "") }))
    .filter((p): p is { t: number; y: number } => Number.isFinite(p.t) && p.y !== undefined)
    .sort((a, b) => a.t - b.t);

  useEffect(() => {
    const el = box.current;
    if (!el || points.length === 0) return;
    const xs = points.map((p) => p.t);
    const ys = points.map((p) => p.y);
    // One more point at now so the last state shows as a step to the present.
    xs.push(Math.max(Date.now() / 1000, xs[xs.length - 1]! + 1));
    ys.push(ys[ys.length - 1]!);
    const zone = viewerZone();
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height: 170,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
      legend: { show: false },
      cursor: { show: false },
      scales: { y: { range: [0.5, 5.5] } },
      axes: [
        {
          stroke: "#333",
          grid: { stroke: "#e3e3e3" },
          ticks: { stroke: "#999" },
          label: `Time (${zoneLabel(zone)})`,
          labelSize: 22,
          size: 48,
          // "14:05", with the day under each midnight (under the first tick when none is one)
          values: (_u, splits) => {
            const parts = splits.map((t) => zonedParts(new Date(t * 1000), zone));
            const midnight = (p: ZonedParts) => p.hour === 0 && p.minute === 0;
            const anyMidnight = parts.some(midnight);
            return splits.map((t, i) => {
              const p = parts[i]!;
              const hm = `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
              const withDay = anyMidnight ? midnight(p) : i === 0;
              return withDay ? `${hm}\n${fmtDay(new Date(t * 1000), zone)}` : hm;
            });
          },
        },
        {
          stroke: "#333",
          size: 90,
          grid: { stroke: "#e3e3e3" },
          ticks: { stroke: "#999" },
          splits: () => [1, 2, 3, 4, 5],
          values: (_u, splits) => splits.map((v) => emotionLabel(EMOTIONAL_STATES[v - 1])),
        },
      ],
      series: [
        {},
        {
          label: "Emotional state",
          stroke: "#b3261e",
          width: 2,
          paths: uPlot.paths.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
          points: { show: true, size: 7, fill: "#b3261e" },
        },
      ],
    };
    const chart = new uPlot(opts, [xs, ys], el);
    const ro = new ResizeObserver(() => chart.setSize({ width: Math.max(240, el.clientWidth), height: 170 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.destroy();
    };
  }, [JSON.stringify(points)]);

  if (points.length === 0) return <p class="empty">No emotional state recorded yet.</p>;
  const last = history[history.length - 1];
  const label = `Emotional state over time, ${points.length} record${points.length === 1 ? "" : "s"}; latest ${emotionLabel(
    last?.state,
  )} at ${fmtDateTime(last?.recordedAt)}. Times in ${zoneLabel(viewerZone())}.`;
  return <div class="chart" ref={box} role="img" aria-label={label} data-testid="emotion-chart" />;
}
