/**
 * Self-contained HTML reports: one page with inline styles and charts
 * embedded as `data:` URIs, so it can be mailed, archived or opened from
 * disk and shows the same with no network and no scripts.
 *
 * @module
 */

import { formatCell } from "./table.ts";

/** A table of a report section. */
export interface ReportTable {
  /** Column titles. */
  columns: string[];
  /**
   * Cells, one array per row with one value per column. Numbers are
   * formatted like the text tables' cells and right-aligned; `null` shows
   * as `-`.
   */
  rows: (string | number | boolean | null)[][];
}

/** A chart of a report section, as rendered by `./render.ts`. */
export interface ReportChart {
  /** Caption under the chart, also its alternative text. */
  title: string;
  /** PNG file bytes. Used when given. */
  png?: Uint8Array;
  /** SVG document text. Used when `png` is not given. */
  svg?: string;
}

/** A section of a report: a heading followed by any of text, table and charts. */
export interface ReportSection {
  /** The section's heading. */
  heading: string;
  /** Plain text; blank lines separate paragraphs. */
  text?: string;
  /** A table shown after the text. */
  table?: ReportTable;
  /** Charts shown after the table, in a grid that adapts to the page width. */
  charts?: ReportChart[];
}

/** What a report shows. */
export interface ReportSpec {
  /** Page title, shown in the header and the browser tab. */
  title: string;
  /** A line under the title, e.g. the scenario and seed. */
  subtitle?: string;
  /** The tool that made the report, e.g. `"llmsim 0.1.0"`, shown in the footer. */
  generatedBy?: string;
  /** The sections, in order. */
  sections: ReportSection[];
}

/**
 * The page's styles. System font stacks need no downloads; the palette's
 * blue matches the charts' first series colour.
 */
const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d0d7de; --head: #eef1f4; --zebra: #f6f8fa; --accent: #0072b2; }
* { box-sizing: border-box; }
body { margin: 0; background: #ffffff; color: var(--fg); font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
.wrap { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { background: var(--zebra); border-bottom: 1px solid var(--line); border-top: 4px solid var(--accent); padding: 28px 0 22px; }
h1 { margin: 0; font-size: 1.8rem; line-height: 1.25; }
.subtitle { margin: 6px 0 0; color: var(--muted); font-size: 1.05rem; }
nav { margin: 24px 0 0; font-size: 0.95rem; }
nav ol { margin: 4px 0 0; padding-left: 1.4em; columns: 2 18em; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
section { margin: 36px 0; }
h2 { margin: 0 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); font-size: 1.3rem; }
p { margin: 0 0 12px; max-width: 80ch; }
.table-wrap { overflow-x: auto; margin: 16px 0; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 6px 12px; text-align: left; white-space: nowrap; }
th { background: var(--head); border-bottom: 1px solid var(--line); font-weight: 600; }
tbody tr:nth-child(even) { background: var(--zebra); }
tbody tr:hover { background: #e8f1f8; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 460px), 1fr)); gap: 20px; margin: 16px 0; }
figure { margin: 0; padding: 10px; border: 1px solid var(--line); border-radius: 6px; background: #ffffff; }
figure img { display: block; width: 100%; height: auto; }
figcaption { margin-top: 6px; color: var(--muted); font-size: 13px; text-align: center; }
footer { margin-top: 48px; padding: 16px 0 32px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
@media print { header { background: none; } figure, tr { break-inside: avoid; } .table-wrap { overflow: visible; } }
`.trim();

/**
 * Allows nothing but the inline styles and `data:` images, so even content
 * that slipped past escaping could neither run nor fetch anything.
 */
const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for use in element content and quoted attributes alike. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Bytes per `btoa` call; a multiple of 3, so the pieces join without padding. */
const BASE64_CHUNK = 3 * 8192;

/**
 * Base64 of bytes, in chunks so that huge images do not overflow the call
 * stack.
 *
 * @param bytes The bytes.
 * @returns Their base64 text.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { toBase64 } from "./html.ts";
 * assert.equal(toBase64(new TextEncoder().encode("hi")), "aGk=");
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += BASE64_CHUNK) {
    parts.push(
      btoa(String.fromCharCode(...bytes.subarray(i, i + BASE64_CHUNK))),
    );
  }
  return parts.join("");
}

/**
 * Gives an SVG without a `viewBox` one from its width and height, so that it
 * scales with the page instead of being cropped.
 */
function withViewBox(svg: string): string {
  return svg.replace(/<svg\b[^>]*>/, (tag) => {
    if (/\sviewBox\s*=/.test(tag)) return tag;
    const size = (name: string) =>
      tag.match(new RegExp(`\\s${name}\\s*=\\s*["']([\\d.]+)(?:px)?["']`))
        ?.[1];
    const width = size("width");
    const height = size("height");
    if (width === undefined || height === undefined) return tag;
    return tag.replace(/^<svg\b/, `<svg viewBox="0 0 ${width} ${height}"`);
  });
}

function renderText(text: string): string {
  return text.split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== "")
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
    .join("\n");
}

function renderTableHtml(table: ReportTable, where: string): string {
  table.rows.forEach((row, i) => {
    if (row.length !== table.columns.length) {
      throw new RangeError(
        `${where}: table row ${i} has ${row.length} cells for ${table.columns.length} columns`,
      );
    }
  });
  // A column of numbers (and gaps) is right-aligned throughout, heading and
  // gaps included, so that digits line up.
  const numeric = table.columns.map((_, c) =>
    table.rows.some((row) => typeof row[c] === "number") &&
    table.rows.every((row) => row[c] === null || typeof row[c] === "number")
  );
  const cls = (c: number) => numeric[c] ? ' class="num"' : "";
  const head = table.columns
    .map((column, c) => `<th scope="col"${cls(c)}>${escapeHtml(column)}</th>`)
    .join("");
  const body = table.rows.map((row) =>
    "<tr>" +
    row.map((cell, c) =>
      `<td${numeric[c] || typeof cell === "number" ? ' class="num"' : ""}>${
        escapeHtml(formatCell(cell))
      }</td>`
    ).join("") +
    "</tr>"
  ).join("\n");
  return `<div class="table-wrap"><table>\n<thead><tr>${head}</tr></thead>\n` +
    `<tbody>\n${body}\n</tbody>\n</table></div>`;
}

/**
 * One table as an HTML fragment (for notebooks), numbers right-aligned.
 *
 * @param table Columns and rows.
 * @returns The `<table>` markup, its text escaped.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderHtmlTable } from "./html.ts";
 * const html = renderHtmlTable({ columns: ["a"], rows: [["<b>"]] });
 * assert.ok(html.includes("&lt;b&gt;"), html);
 * ```
 */
export function renderHtmlTable(table: ReportTable): string {
  return renderTableHtml(table, "table");
}

function renderChart(chart: ReportChart, where: string): string {
  let src: string;
  if (chart.png !== undefined) {
    src = `data:image/png;base64,${toBase64(chart.png)}`;
  } else if (chart.svg !== undefined) {
    // An <img> rather than inline <svg>: every chart's SVG reuses the same
    // clip-path ids, which would clash within one document, and an image
    // cannot run scripts an SVG might carry.
    src = `data:image/svg+xml;base64,${
      toBase64(new TextEncoder().encode(withViewBox(chart.svg)))
    }`;
  } else {
    throw new TypeError(
      `${where}: chart "${chart.title}" has neither png nor svg`,
    );
  }
  const title = escapeHtml(chart.title);
  return `<figure><img src="${src}" alt="${title}">` +
    `<figcaption>${title}</figcaption></figure>`;
}

/**
 * Renders a report as one self-contained HTML page: styles are inline,
 * charts are embedded as `data:` URIs (PNG, or SVG shown as an image), and
 * the page makes no requests and runs no scripts, which its
 * Content-Security-Policy also forbids. All text is escaped, so names from
 * scenarios or traces cannot inject markup.
 *
 * The page has a header with title and subtitle, a list of contents when
 * there is more than one section, and per section its text, table (numbers
 * right-aligned, rows striped) and charts (in a grid that fits the width).
 *
 * @param spec The report's title, subtitle, generator and sections.
 * @returns The HTML document, starting with `<!DOCTYPE html>`.
 * @throws {RangeError} If a table row has not one cell per column.
 * @throws {TypeError} If a chart has neither `png` nor `svg`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderReport } from "./html.ts";
 * const html = renderReport({
 *   title: "Scheduler comparison",
 *   subtitle: "chat workload, seed 1",
 *   sections: [{
 *     heading: "Summary",
 *     text: "FCFS against <sjf>.",
 *     table: { columns: ["policy", "p99 TTFT (s)"], rows: [["fcfs", 0.123456]] },
 *   }],
 * });
 * // Text is escaped; numbers are shown to four significant digits.
 * assert.ok(html.includes("&lt;sjf&gt;"));
 * assert.ok(html.includes(">0.1235</td>"));
 * ```
 */
export function renderReport(spec: ReportSpec): string {
  const sections = spec.sections.map((section, i) => {
    const where = `Section "${section.heading}"`;
    const parts = [`<h2>${escapeHtml(section.heading)}</h2>`];
    if (section.text !== undefined) parts.push(renderText(section.text));
    if (section.table !== undefined) {
      parts.push(renderTableHtml(section.table, where));
    }
    if (section.charts !== undefined && section.charts.length > 0) {
      parts.push(
        `<div class="charts">\n${
          section.charts.map((c) => renderChart(c, where)).join("\n")
        }\n</div>`,
      );
    }
    return `<section id="section-${i + 1}">\n${parts.join("\n")}\n</section>`;
  });
  const contents = spec.sections.length > 1
    ? `<nav aria-label="Contents"><strong>Contents</strong><ol>${
      spec.sections.map((s, i) =>
        `<li><a href="#section-${i + 1}">${escapeHtml(s.heading)}</a></li>`
      ).join("")
    }</ol></nav>`
    : "";
  const title = escapeHtml(spec.title);
  const generator = spec.generatedBy === undefined
    ? ""
    : escapeHtml(spec.generatedBy);
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    generator === "" ? "" : `<meta name="generator" content="${generator}">`,
    `<title>${title}</title>`,
    `<style>\n${STYLE}\n</style>`,
    "</head>",
    "<body>",
    '<header><div class="wrap">',
    `<h1>${title}</h1>`,
    spec.subtitle === undefined
      ? ""
      : `<p class="subtitle">${escapeHtml(spec.subtitle)}</p>`,
    "</div></header>",
    '<main class="wrap">',
    contents,
    ...sections,
    "</main>",
    generator === ""
      ? ""
      : `<footer><div class="wrap">Generated by ${generator}</div></footer>`,
    "</body>",
    "</html>",
    "",
  ].filter((line, i, all) => line !== "" || i === all.length - 1).join("\n");
}
