/**
 * Pareto charts for reports (goodput against latency of many
 * configurations): a scatter plot per group, the Pareto front over all of
 * them ({@link paretoFront}) as a step line, and point labels placed so
 * that none overlaps ({@link placeLabels}), drawn as PNG or SVG.
 *
 * Like `./chart_canvas.ts`, this module loads chart.js and a native canvas
 * library, so it is imported lazily and needs the flags given there. {@link paretoFront}
 * and {@link placeLabels} draw nothing.
 *
 * @module
 */

import {
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  type Plugin,
  type PointStyle,
} from "npm:chart.js@^4.5.0";
import { type ChartRenderOptions, renderChartConfig } from "./chart_canvas.ts";
import {
  axisTitle,
  baseOptions,
  GRID,
  linearTicks,
  type XY,
} from "./chart_options.ts";
import {
  type FontSizes,
  fontSizes,
  seriesStyle,
  UNSTABLE_LABEL,
  UNSTABLE_POINT_STYLE,
} from "./chart_style.ts";

// Re-exported so that this module's signatures are documented in full.
export type { ChartRenderOptions } from "./chart_canvas.ts";

/** One point of a scatter plot. */
export interface ScatterPoint {
  /** X value. */
  x: number;
  /** Y value. */
  y: number;
  /** Short text drawn next to the point, e.g. a configuration's name. */
  label?: string;
  /**
   * `false` marks a run that did not reach a steady state (its queue
   * grows): drawn as a large cross, listed in the legend.
   */
  stable?: boolean;
}

/** Points drawn with one colour and legend entry. */
export interface ScatterGroup {
  /** Name shown in the legend, e.g. `"disaggregated"`. */
  label: string;
  /** The group's points. */
  points: ScatterPoint[];
}

/** What a Pareto chart shows. */
export interface ParetoChartSpec {
  /** Title above the plot. An empty string draws no title. */
  title: string;
  /** Title of the x axis; smaller x is better. */
  xLabel: string;
  /** Title of the y axis. */
  yLabel: string;
  /** Scatter groups, drawn in the palette's colours in this order. */
  groups: ScatterGroup[];
  /** Whether larger (`"max"`, the default) or smaller y is better. */
  front?: "max" | "min";
  /**
   * One line under the plot, at the left: what the chart does not show
   * (placements a plan did not search, say).
   */
  note?: string;
}

/**
 * The points of a Pareto front: those no other point beats. Smaller x is
 * always better; with `front` `"max"` (the default) larger y is better,
 * with `"min"` smaller y. A point is dominated by another that is at least
 * as good in both coordinates and better in one; of exactly equal points
 * only the first is kept. Points with a coordinate that is not finite are
 * ignored.
 *
 * @param points Candidate points, e.g. the results of a sweep.
 * @param front Whether larger (`"max"`) or smaller (`"min"`) y is better.
 * @returns The front's points (the same objects), by ascending x.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { paretoFront } from "./pareto_chart.ts";
 * const front = paretoFront([
 *   { x: 1, y: 1 },
 *   { x: 2, y: 3 },
 *   { x: 3, y: 2 }, // worse than (2, 3) in both
 * ]);
 * assert.deepEqual(front, [{ x: 1, y: 1 }, { x: 2, y: 3 }]);
 * ```
 */
export function paretoFront<P extends ScatterPoint>(
  points: readonly P[],
  front: "max" | "min" = "max",
): P[] {
  if (front !== "max" && front !== "min") {
    throw new TypeError(`Unknown Pareto front "${front}"`);
  }
  const sign = front === "max" ? 1 : -1;
  // Sorting by x, then best y first, makes a point part of the front exactly
  // when its y beats every point before it. The index keeps ties stable.
  const candidates = points
    .map((point, index) => ({ point, index }))
    .filter(({ point }) => Number.isFinite(point.x) && Number.isFinite(point.y))
    .sort((a, b) =>
      a.point.x - b.point.x || sign * (b.point.y - a.point.y) ||
      a.index - b.index
    );
  const result: P[] = [];
  let best = -Infinity;
  for (const { point } of candidates) {
    if (sign * point.y > best) {
      result.push(point);
      best = sign * point.y;
    }
  }
  return result;
}

/** Colour of the Pareto front line: dark, apart from the group colours. */
const FRONT_COLOR = "#333333";
/** Dash pattern (on, off in pixels) of the Pareto front, as in line_chart.ts. */
const FRONT_DASH = [6, 4];

/** A rectangle in canvas pixels: top-left corner and size. */
export interface Box {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Width. */
  width: number;
  /** Height. */
  height: number;
}

/** A text label to be placed near its point. */
export interface LabelRequest {
  /** The point's x in pixels. */
  anchorX: number;
  /** The point's y in pixels. */
  anchorY: number;
  /** The text's width in pixels. */
  width: number;
  /** The text's height in pixels. */
  height: number;
  /** How far out the label may go: 1 (next to its point) to 3 (default). */
  maxRing?: number;
}

/** Where a label goes: its box, and whether a leader line joins it to its point. */
export interface LabelPlacement extends Box {
  /** The label sits away from its point, joined to it by a thin line. */
  leader: boolean;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width &&
    a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Places labels so that none overlaps another label, a marker or the edge
 * of the plot: each label, in the order given (most important first),
 * takes the first free spot of right, left, above, below and the four
 * diagonals of its point, then of the same spots two and three times as
 * far out (those joined to the point by a leader line), up to its
 * `maxRing`. A label with no free spot is left out (`null`), not drawn
 * over others.
 *
 * @param labels The labels, most important first.
 * @param obstacles Boxes labels must not cover (the markers).
 * @param area The box labels must stay inside (the plot).
 * @param gap Distance in pixels between a point and its label's nearest edge.
 * @returns One placement per label, or `null` where none was free.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { placeLabels } from "./pareto_chart.ts";
 * const at = { anchorX: 50, anchorY: 50, width: 30, height: 10 };
 * const [a, b] = placeLabels([at, at], [], { x: 0, y: 0, width: 200, height: 200 }, 5);
 * // Two labels of one point: both placed, in different spots.
 * assert.ok(a !== null && b !== null);
 * assert.notDeepEqual({ x: a.x, y: a.y }, { x: b.x, y: b.y });
 * ```
 */
export function placeLabels(
  labels: readonly LabelRequest[],
  obstacles: readonly Box[],
  area: Box,
  gap: number,
): (LabelPlacement | null)[] {
  const taken: Box[] = [];
  return labels.map((label) => {
    const { anchorX: ax, anchorY: ay, width: w, height: h } = label;
    for (const ring of [1, 2, 3]) {
      if (ring > (label.maxRing ?? 3)) break;
      const d = gap * ring + (ring - 1) * h;
      const spots: [number, number][] = [
        [ax + d, ay - h / 2], // right
        [ax - d - w, ay - h / 2], // left
        [ax - w / 2, ay - d - h], // above
        [ax - w / 2, ay + d], // below
        [ax + d * 0.7, ay - d * 0.7 - h], // upper right
        [ax + d * 0.7, ay + d * 0.7], // lower right
        [ax - d * 0.7 - w, ay - d * 0.7 - h], // upper left
        [ax - d * 0.7 - w, ay + d * 0.7], // lower left
      ];
      for (const [x, y] of spots) {
        const box = { x, y, width: w, height: h };
        const inside = x >= area.x && y >= area.y &&
          x + w <= area.x + area.width && y + h <= area.y + area.height;
        if (
          inside && !taken.some((t) => overlaps(t, box)) &&
          !obstacles.some((o) => overlaps(o, box))
        ) {
          taken.push(box);
          return { ...box, leader: ring > 1 };
        }
      }
    }
    return null;
  });
}

/**
 * Writes each scatter point's `label` next to it where it fits without
 * covering another label or marker (see {@link placeLabels}), Pareto-front
 * points first, then by descending y; far labels get a leader line. Static
 * images have no tooltips, so labels are the only way to tell which
 * configuration a point is; how many did not fit is said under the plot,
 * above the spec's own note (which this plugin draws too: both need the
 * room under the axis title).
 */
function pointLabelsPlugin(
  fonts: FontSizes,
  front: ReadonlySet<ScatterPoint>,
  note: string | undefined,
): Plugin {
  return {
    id: "llmsimPointLabels",
    afterDatasetsDraw(chart) {
      const { ctx, chartArea } = chart;
      ctx.save();
      ctx.font = `${fonts.label}px "DejaVu Sans"`;
      const height = fonts.label + 2;
      const obstacles: Box[] = [];
      const wanted: { point: ScatterPoint; x: number; y: number }[] = [];
      chart.data.datasets.forEach((dataset, i) => {
        const meta = chart.getDatasetMeta(i);
        if (meta.hidden || meta.type !== "scatter") return;
        (dataset.data as unknown[]).forEach((raw, j) => {
          const element = meta.data[j];
          if (!element) return;
          const r = 5;
          obstacles.push({
            x: element.x - r,
            y: element.y - r,
            width: 2 * r,
            height: 2 * r,
          });
          const point = raw as ScatterPoint;
          if (point.label) wanted.push({ point, x: element.x, y: element.y });
        });
      });
      // The front's points first, then the better ones (higher on the plot).
      wanted.sort((a, b) =>
        Number(front.has(b.point)) - Number(front.has(a.point)) || a.y - b.y
      );
      const placed = placeLabels(
        // The front's labels may sit further out, on a leader line; the
        // others only next to their points.
        wanted.map((w) => ({
          anchorX: w.x,
          anchorY: w.y,
          width: ctx.measureText(w.point.label!).width + 4,
          height,
          maxRing: front.has(w.point) ? 3 : 1,
        })),
        obstacles,
        {
          x: chartArea.left,
          y: chartArea.top,
          width: chartArea.right - chartArea.left,
          height: chartArea.bottom - chartArea.top,
        },
        8,
      );
      ctx.textBaseline = "middle";
      let omitted = 0;
      placed.forEach((box, k) => {
        if (box === null) {
          omitted++;
          return;
        }
        const w = wanted[k];
        if (box.leader) {
          // From the point to the nearest point of the label's box.
          const tx = Math.max(box.x, Math.min(w.x, box.x + box.width));
          const ty = Math.max(box.y, Math.min(w.y, box.y + box.height));
          ctx.strokeStyle = "#999999";
          ctx.lineWidth = 1;
          ctx.beginPath();
          ctx.moveTo(w.x, w.y);
          ctx.lineTo(tx, ty);
          ctx.stroke();
        }
        // A white ground keeps the text clear of grid and front lines.
        ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
        ctx.fillRect(box.x, box.y, box.width, box.height);
        ctx.fillStyle = "#333333";
        ctx.fillText(w.point.label!, box.x + 2, box.y + box.height / 2);
      });
      ctx.fillStyle = "#666666";
      ctx.textBaseline = "bottom";
      // The spec's note on the last line, this one on the line above it.
      if (omitted > 0) {
        ctx.textAlign = "right";
        ctx.fillText(
          `${omitted} of ${wanted.length} labels left out where they would overlap`,
          chart.width - 8,
          chart.height - 4 - (note ? height + 2 : 0),
        );
      }
      if (note) {
        ctx.textAlign = "left";
        ctx.fillText(note, 8, chart.height - 4);
      }
      ctx.restore();
    },
  };
}

/** The chart.js configuration of a Pareto chart (scatter and front line). */
export type ParetoChartConfig = ChartConfiguration<
  "scatter" | "line",
  (ScatterPoint | XY)[]
>;

/**
 * The chart.js configuration that {@link renderParetoChart} draws: one
 * scatter dataset per group (in the group's {@link seriesStyle} colour,
 * marker and fill, distinct for up to 80 groups; points with `stable: false` as large crosses, `pointStyle`
 * {@link UNSTABLE_POINT_STYLE}, with an {@link UNSTABLE_LABEL} legend
 * entry), then the front.
 *
 * @param spec What to draw.
 * @param options The size the chart will be drawn at (fonts scale with it).
 * @returns The configuration.
 */
export function paretoChartConfig(
  spec: ParetoChartSpec,
  options: ChartRenderOptions = {},
): ParetoChartConfig {
  const fonts = fontSizes(options.width ?? 900);
  const front = paretoFront(spec.groups.flatMap((g) => g.points), spec.front);
  const finite = (p: ScatterPoint) =>
    Number.isFinite(p.x) && Number.isFinite(p.y);
  const radius = 5;
  let anyUnstable = false;
  const datasets: ChartDataset[] = spec.groups.map((group, i) => {
    const { color, marker, hollow } = seriesStyle(i);
    const points = group.points.filter(finite);
    if (points.some((p) => p.stable === false)) anyUnstable = true;
    return {
      type: "scatter",
      label: group.label,
      data: points,
      borderColor: color,
      backgroundColor: hollow ? "#ffffff" : color,
      pointStyle: points.map((p) =>
        p.stable === false ? UNSTABLE_POINT_STYLE : marker
      ),
      pointRadius: points.map((p) => (p.stable === false ? 8 : radius)),
      pointBorderWidth: points.map((p) =>
        p.stable === false ? 3 : hollow ? 2 : 1
      ),
      order: 0,
    } as ChartDataset;
  });
  if (anyUnstable) {
    datasets.push({
      type: "scatter",
      label: UNSTABLE_LABEL,
      data: [],
      borderColor: "#333333",
      backgroundColor: "#333333",
      pointStyle: UNSTABLE_POINT_STYLE,
      pointRadius: 7,
      pointBorderWidth: 3,
      order: 0,
    } as ChartDataset);
  }
  if (front.length > 0) {
    const line = front.map(({ x, y }) => ({ x, y }));
    // Past its last point the front stays at that point's y: carrying it to
    // the largest x shows which points it beats there too.
    const last = line[line.length - 1];
    const maxX = Math.max(
      ...spec.groups.flatMap((g) => g.points.filter(finite).map((p) => p.x)),
    );
    if (maxX > last.x) line.push({ x: maxX, y: last.y });
    datasets.push({
      type: "line",
      label: "Pareto front",
      data: line,
      borderColor: FRONT_COLOR,
      backgroundColor: FRONT_COLOR,
      borderWidth: 1.5,
      borderDash: [...FRONT_DASH],
      pointRadius: 0,
      pointStyle: "line",
      // chart.js' "before" runs level to the next point, then rises (or
      // falls): the best y holds until a point beats it.
      stepped: "before",
      fill: false,
      // Drawn behind the points, which are what a reader looks up.
      order: 1,
    } as ChartDataset);
  }
  const base = baseOptions(spec.title, fonts);
  return {
    type: "scatter",
    data: { datasets },
    options: {
      ...base,
      // Room under the x axis title for the notes (left-out labels, and
      // the spec's own).
      layout: {
        padding: {
          top: 12,
          left: 12,
          right: 12,
          bottom: spec.note ? 26 + fonts.label : 24,
        },
      },
      parsing: false,
      scales: {
        // Room around the points keeps their labels inside the plot.
        x: {
          type: "linear",
          grace: "5%",
          title: axisTitle(spec.xLabel, fonts),
          grid: GRID,
          ticks: linearTicks(fonts),
        },
        y: {
          type: "linear",
          grace: "5%",
          title: axisTitle(spec.yLabel, fonts),
          grid: GRID,
          ticks: linearTicks(fonts),
        },
      },
      plugins: {
        ...base.plugins,
        legend: {
          display: datasets.length > 0,
          position: "top",
          labels: {
            font: { size: fonts.legend },
            // Markers for the groups, a dashed line for the front. chart.js
            // sizes both alike, so the line is short and its dashes shorter.
            usePointStyle: true,
            boxHeight: 10,
            generateLabels: (chart) =>
              Chart.defaults.plugins.legend.labels.generateLabels(chart)
                .map((item) => {
                  const k = item.datasetIndex ?? -1;
                  if (item.pointStyle === "line") {
                    return { ...item, lineWidth: 1.5, lineDash: [3, 2] };
                  }
                  // Markers as in the plot (the first point's may be a cross).
                  const style = chart.data.datasets[k]?.label === UNSTABLE_LABEL
                    ? UNSTABLE_POINT_STYLE
                    : seriesStyle(k).marker;
                  return {
                    ...item,
                    pointStyle: style as PointStyle,
                    lineWidth: style === UNSTABLE_POINT_STYLE ? 3 : 1,
                  };
                }),
          },
        },
      },
    },
    plugins: [pointLabelsPlugin(fonts, new Set(front), spec.note)],
  } as ParetoChartConfig;
}

/**
 * Draws each group's points as a scatter plot and the Pareto front over all
 * of them (see {@link paretoFront}) as a dark dashed step line: for any x,
 * it shows the best y reached at that x or less. Points with a `label` are
 * annotated with it where the label fits without overlapping (the front's
 * first); points with `stable: false` are drawn as crosses and listed as
 * {@link UNSTABLE_LABEL}.
 *
 * @param spec What to draw: title, axis titles, groups and which y is better.
 * @param options Size in pixels (default 900 x 560) and format (default PNG).
 * @returns The encoded image: PNG bytes, or UTF-8 SVG text starting with `<svg`.
 * @throws {RangeError} If a size is not an integer from 1 to 16384.
 *
 * @example Usage
 * ```ts ignore
 * import { renderParetoChart } from "./pareto_chart.ts";
 * const png = await renderParetoChart({
 *   title: "Throughput vs latency",
 *   xLabel: "p99 TTFT (s)",
 *   yLabel: "Goodput (req/s)",
 *   groups: [
 *     { label: "colocated", points: [{ x: 0.8, y: 10, label: "tp2" }] },
 *     { label: "disaggregated", points: [{ x: 0.4, y: 12, label: "1P1D" }] },
 *   ],
 * });
 * await Deno.writeFile("pareto.png", png);
 * ```
 */
export async function renderParetoChart(
  spec: ParetoChartSpec,
  options: ChartRenderOptions = {},
): Promise<Uint8Array> {
  return await renderChartConfig(paretoChartConfig(spec, options), options);
}
