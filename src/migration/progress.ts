/**
 * Progress of a run: one bar per phase with rows/s and ETA on a terminal (cli-progress), plain
 * lines otherwise (logs, CI), nothing in tests.
 */
import cliProgress from 'cli-progress';

export interface PhaseProgress {
  tick(n: number): void;
  done(): void;
}

export interface Progress {
  /** @param total - rows expected, or null when unknown (the bar then shows the count and rate). */
  phase(name: string, total: number | null): PhaseProgress;
}

export const silentProgress: Progress = { phase: () => ({ tick: () => undefined, done: () => undefined }) };

/** Plain lines: one when a phase ends, with its rows and rate. */
export function lineProgress(write: (line: string) => void): Progress {
  return {
    phase(name) {
      const started = Date.now();
      let rows = 0;
      return {
        tick: (n) => {
          rows += n;
        },
        done: () => {
          const s = (Date.now() - started) / 1000;
          write(`${name}: ${rows ? `${rows} rows, ${Math.round(rows / Math.max(s, 0.001))} rows/s, ` : ''}${s.toFixed(1)} s`);
        },
      };
    },
  };
}

export function barProgress(stream: NodeJS.WriteStream): Progress {
  return {
    phase(name, total) {
      const bar = new cliProgress.SingleBar(
        {
          stream,
          format: total === null ? `${name.padEnd(28)} {value} rows | {rate} rows/s | {duration_formatted}` : `${name.padEnd(28)} [{bar}] {percentage}% | {value}/{total} | {rate} rows/s | ETA {eta_formatted}`,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      const started = Date.now();
      let rows = 0;
      bar.start(total ?? 0, 0, { rate: 0 });
      return {
        tick(n) {
          rows += n;
          bar.update(rows, { rate: Math.round(rows / Math.max((Date.now() - started) / 1000, 0.001)) });
        },
        done() {
          if (total === null) bar.setTotal(rows);
          bar.update(rows, { rate: Math.round(rows / Math.max((Date.now() - started) / 1000, 0.001)) });
          bar.stop();
        },
      };
    },
  };
}

/** Bars on a TTY, lines otherwise. */
export function progressFor(stream: NodeJS.WriteStream): Progress {
  return stream.isTTY ? barProgress(stream) : lineProgress((l) => stream.write(`${l}\n`));
}
