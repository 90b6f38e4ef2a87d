// A small uPlot chart over categories (weeks, people, themes): bars, stacked bars or lines.
// The canvas is a picture (role="img", named by the title) described by a visible text
// summary (aria-describedby); the legend is plain HTML, and "The numbers" lists every value.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

// The palette (CSS classes .sw-0 .. .sw-7 in app.css draw the legend's swatches in the same
// colours); each at least 3:1 against white, as WCAG asks of graphics.
export const PALETTE = ["#0b57d0", "#b3261e", "#146c2e", "#8a4b00", "#5b2a86", "#00677d", "#6b5b00", "#3c4a5a"];

export interface ChartSeries {
  label: string;
  values: (number | null)[]; // one per x label; null: no value (a gap)
  color?: number; // index into PALETTE (default: the series' index)
}

export interface ChartProps {
  id: string; // unique on the page; also the data-testid ("chart-<id>")
  title: string;
  summary: ComponentChildren; // the text that says what the picture shows, with its numbers
  kind: "bars" | "stacked" | "lines";
  xLabels: string[];
  xTitle?: string;
  series: ChartSeries[];
  yTitle: string;
  yFormat?: (v: number) => string; // axis values and the numbers table
  yMax?: number; // a fixed top (rates, scores); default: the data's maximum
  integer?: boolean; // counts: whole-number ticks only
  zeroIsData?: boolean; // a rate of 0% is drawn; otherwise all-zero series read as "nothing to draw"
  height?: number;
}

const fmtDefault = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

export function Chart(props: ChartProps) {
  const { id, title, summary, kind, xLabels, series, yTitle, xTitle, height = 220 } = props;
  const box = useRef<HTMLDivElement>(null);
  const yFormat = props.yFormat ?? fmtDefault;
  const empty = xLabels.length === 0 || series.every((s) => s.values.every((v) => v === null || (v === 0 && !props.zeroIsData)));
  const key = JSON.stringify([kind, xLabels, series, props.yMax, props.integer, height]);

  useEffect(() => {
    const el = box.current;
    if (!el || empty) return;
    const n = xLabels.length;
    const xs = xLabels.map((_, i) => i);
    // Stacked: series i is drawn as the sum of series i..n-1, the tallest first, so each later
    // (shorter) bar covers the lower part of the one before: the stack shows every series.
    let data: (number | null)[][] = series.map((s) => s.values);
    if (kind === "stacked") {
      data = series.map((_, i) => xs.map((x) => series.slice(i).reduce((sum, s) => sum + (s.values[x] ?? 0), 0)));
    }
    let top = props.yMax ?? 0;
    if (props.yMax === undefined) for (const d of data) for (const v of d) if (v !== null && v > top) top = v;
    if (top <= 0) top = 1;
    const bars = kind !== "lines" ? uPlot.paths.bars?.({ size: [kind === "stacked" ? 0.6 : 0.5, 64], align: 0 }) : undefined;
    const width = () => Math.max(260, el.clientWidth);
    const opts: uPlot.Options = {
      width: width(),
      height,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: false, range: [-0.5, n - 0.5] },
        y: { range: [0, props.yMax ?? top * 1.12] },
      },
      axes: [
        {
          stroke: "#333",
          grid: { show: false },
          ticks: { stroke: "#999" },
          ...(xTitle ? { label: xTitle, labelSize: 22 } : {}),
          splits: () => xs,
          // Every k-th label when they would not fit (about 58 px each).
          values: (u, splits) => {
            const k = Math.max(1, Math.ceil((n * 58) / Math.max(1, u.bbox.width / devicePixelRatio)));
            return splits.map((i) => (i % k === 0 ? (xLabels[i] ?? "") : ""));
          },
        },
        {
          stroke: "#333",
          size: 56,
          grid: { stroke: "#e3e3e3" },
          ticks: { stroke: "#999" },
          label: yTitle,
          labelSize: 22,
          ...(props.integer ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] } : {}),
          values: (_u, splits) => splits.map((v) => yFormat(v)),
        },
      ],
      series: [
        {},
        ...series.map((s, i) => {
          const color = PALETTE[(s.color ?? i) % PALETTE.length]!;
          return kind === "lines"
            ? { label: s.label, stroke: color, width: 2, points: { show: true, size: 7, fill: color }, spanGaps: false }
            : { label: s.label, stroke: color, fill: color, width: 0, paths: bars, points: { show: false } };
        }),
      ],
    };
    const chart = new uPlot(opts, [xs, ...data] as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => chart.setSize({ width: width(), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.destroy();
    };
  }, [key, empty]);

  const titleId = `chart-${id}-h`;
  const summaryId = `chart-${id}-summary`;
  return (
    <figure class="trend-chart" data-testid={`chart-${id}`} aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      {empty ? (
        <p class="empty" id={summaryId} data-testid={`chart-${id}-summary`}>
          {summary}
        </p>
      ) : (
        <>
          <div class="chart" ref={box} role="img" aria-label={title} aria-describedby={summaryId} />
          {series.length > 1 && (
            <ul class="legend" aria-label={`Key to ${title}`}>
              {series.map((s, i) => (
                <li key={s.label}>
                  <span class={`swatch sw-${(s.color ?? i) % PALETTE.length}`} aria-hidden="true" />
                  {s.label}
                </li>
              ))}
            </ul>
          )}
          <figcaption class="chart-summary" id={summaryId} data-testid={`chart-${id}-summary`}>
            {summary}
          </figcaption>
          <details class="numbers">
            <summary>The numbers</summary>
            <div class="table-scroll">
              <table class="numbers-table">
                <caption class="visually-hidden">{title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{xTitle ?? ""}</th>
                    {series.map((s) => (
                      <th scope="col" key={s.label}>
                        {s.label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {xLabels.map((x, i) => (
                    <tr key={i}>
                      <th scope="row">{x}</th>
                      {series.map((s) => {
                        const v = s.values[i];
                        return <td key={s.label}>{v === null || v === undefined ? "-" : yFormat(v)}</td>;
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </figure>
  );
}
