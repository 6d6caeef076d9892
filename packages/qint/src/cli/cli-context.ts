import { SingleBar, Presets } from 'cli-progress';

/** What every command gets: where to print, and how to show progress. */
export interface CliContext {
  /** Standard output (results). */
  out(text: string): void;
  /** Standard error (progress, warnings). */
  err(text: string): void;
  /** Starts a progress bar on stderr (silent when stderr is not a terminal or `quiet`). */
  progress(label: string, total: number, quiet?: boolean): Progress;
  /** The exit code a command asks for without failing (e.g. 1 when a conformance case failed); 0 by default. */
  exitCode: number;
}

/** A running progress bar. */
export interface Progress {
  tick(count?: number): void;
  stop(): void;
}

/** The context used by the real `qint` binary. */
export function createProcessContext(): CliContext {
  return {
    exitCode: 0,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    progress(label, total, quiet = false) {
      if (quiet || !process.stderr.isTTY || total <= 1) return { tick() {}, stop() {} };
      const bar = new SingleBar(
        { format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta}s`, stream: process.stderr, hideCursor: true },
        Presets.shades_classic,
      );
      bar.start(total, 0);
      return { tick: (count = 1) => bar.increment(count), stop: () => bar.stop() };
    },
  };
}
