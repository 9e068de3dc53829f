/**
 * One progress reporter for long commands, on stderr only (stdout is for
 * results): a bar redrawn in place when stderr is a terminal, otherwise a
 * line every few seconds and one when done, so logs of batch jobs show how
 * far a run got. Rate-limited, so calling it per task costs nothing.
 *
 * @module
 */

/** A running progress report. */
export interface Progress {
  /** Counts `n` more units done (default 1). */
  tick(n?: number): void;
  /** Sets the units done so far (and the total, when it becomes known). */
  update(done: number, total?: number): void;
  /**
   * Ends the report (idempotent): the bar's line ends and a last line is
   * written; with `ok` false (the run failed) only the bar's line ends, so
   * the error message stands alone.
   */
  done(ok?: boolean): void;
}

/** Options of {@linkcode createProgress}, mainly for tests. */
export interface ProgressOptions {
  /** Draw a bar in place (default: whether stderr is a terminal). */
  terminal?: boolean;
  /** Least milliseconds between lines when not a terminal (default 5000). */
  intervalMs?: number;
  /** Where text goes (default: stderr). */
  write?: (text: string) => void;
  /** The clock, in milliseconds (default: `performance.now`). */
  now?: () => number;
}

const BAR_WIDTH = 30;
const BAR_REDRAW_MS = 100;

function stderrWriter(): (text: string) => void {
  const enc = new TextEncoder();
  return (text) => {
    try {
      Deno.stderr.writeSync(enc.encode(text));
    } catch {
      // A closed stderr must not fail the run.
    }
  };
}

function isTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

// The terminal bar drawn last and not yet done: an error ends its line first.
let openBar: (() => void) | undefined;

/**
 * Ends the line of a terminal progress bar that is still drawn (a command
 * failed part way), so that an error message starts on a line of its own.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProgress, endOpenProgress } from "./progress.ts";
 * const out: string[] = [];
 * const p = createProgress("plan", 2, { terminal: true, write: (t) => out.push(t) });
 * p.tick();
 * endOpenProgress(); // the bar's line ends, so an error starts on its own
 * assert.equal(out.at(-1), "\n");
 * endOpenProgress(); // nothing drawn any more: nothing written
 * assert.equal(out.filter((t) => t === "\n").length, 1);
 * ```
 */
export function endOpenProgress(): void {
  const end = openBar;
  openBar = undefined;
  end?.();
}

/**
 * Starts a progress report.
 *
 * @param label What is running, e.g. `plan`.
 * @param total The units to do, if known (then a bar and a share are shown).
 * @param options Output and timing (defaults: stderr, its terminal-ness).
 * @returns The report: call `tick` or `update` as work is done, then `done`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProgress } from "./progress.ts";
 * const lines: string[] = [];
 * const p = createProgress("plan", 4, { terminal: false, write: (t) => lines.push(t) });
 * for (let k = 0; k < 4; k++) p.tick();
 * p.done();
 * assert.match(lines.join(""), /^llmsim: plan: 4\/4 done in \d/);
 * ```
 */
export function createProgress(
  label: string,
  total?: number,
  options: ProgressOptions = {},
): Progress {
  const terminal = options.terminal ?? isTerminal();
  const interval = options.intervalMs ?? 5000;
  const write = options.write ?? stderrWriter();
  const now = options.now ?? (() => performance.now());
  const start = now();
  let count = 0;
  let all = total;
  let last = -Infinity;
  let finished = false;
  let drawn = false;
  const endLine = () => {
    if (!drawn) return;
    drawn = false;
    write("\n");
  };

  const counts = () =>
    all !== undefined && all > 0
      ? `${count}/${all} (${Math.floor(100 * Math.min(count, all) / all)}%)`
      : `${count}`;
  const bar = () => {
    if (all === undefined || all <= 0) return "";
    const full = Math.round(BAR_WIDTH * Math.min(count, all) / all);
    return `[${"#".repeat(full)}${".".repeat(BAR_WIDTH - full)}] `;
  };
  // The time left if the rest goes at the pace so far: an estimate, said
  // as one ("about"), and only once something is done.
  const left = (t: number) =>
    all !== undefined && all > count && count > 0
      ? `, about ${seconds((t - start) / count * (all - count))} left`
      : "";
  const show = (force: boolean) => {
    const t = now();
    if (!force && t - last < (terminal ? BAR_REDRAW_MS : interval)) return;
    last = t;
    if (terminal) {
      write(
        `\r\x1b[Kllmsim: ${label} ${bar()}${counts()}, ${seconds(t - start)}${
          left(t)
        }`,
      );
      drawn = true;
      openBar = endLine;
    } else {
      write(
        `llmsim: ${label}: ${counts()}, ${seconds(t - start)}${left(t)}\n`,
      );
    }
  };
  // Not a terminal: the first line comes after one interval, not at once.
  if (!terminal) last = start;
  return {
    tick(n = 1) {
      if (finished) return;
      count += n;
      show(false);
    },
    update(done, newTotal) {
      if (finished) return;
      count = done;
      if (newTotal !== undefined) all = newTotal;
      show(false);
    },
    done(ok = true) {
      if (finished) return;
      finished = true;
      if (openBar === endLine) openBar = undefined;
      if (!ok) {
        if (terminal && drawn) write("\n");
        return;
      }
      const t = now();
      const what = all !== undefined && all > 0 ? `${count}/${all}` : count;
      if (terminal) {
        if (!drawn) return;
        write(
          `\r\x1b[Kllmsim: ${label} ${bar()}${what} done in ${
            seconds(t - start)
          }\n`,
        );
      } else {
        write(`llmsim: ${label}: ${what} done in ${seconds(t - start)}\n`);
      }
    },
  };
}

/**
 * A progress report as a `(done, total)` callback (what
 * `runTasks`'s `onProgress` takes); it ends itself when done reaches total.
 *
 * @param label What is running.
 * @param options As for {@linkcode createProgress}.
 * @returns The callback.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressCallback } from "./progress.ts";
 * const out: string[] = [];
 * const onProgress = progressCallback("sweep", { terminal: false, write: (t) => out.push(t) });
 * onProgress(1, 2);
 * onProgress(2, 2);
 * // Not a terminal: no line within the first interval, one when done.
 * assert.equal(out.length, 1);
 * assert.match(out[0], /^llmsim: sweep: 2\/2 done in /);
 * ```
 */
export function progressCallback(
  label: string,
  options: ProgressOptions = {},
): (done: number, total: number) => void {
  const p = createProgress(label, undefined, options);
  return (done, total) => {
    p.update(done, total);
    if (done >= total) p.done();
  };
}
