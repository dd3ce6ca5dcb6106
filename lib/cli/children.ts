/**
 * Child processes of this CLI, supervised together: at most `concurrency` run at once, Ctrl-C
 * and SIGTERM reach every running one, and when one fails the others are stopped (SIGTERM,
 * then SIGKILL after a grace) and nothing more is started, so nothing is left running.
 * Used by `train --nproc-per-node` (one process per rank) and by `experiment degradation
 * --jobs` (one process per network).
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** One child: node run with `args` (node's own arguments excluded). */
export interface ChildSpec {
  /** How messages name it, e.g. "rank 1". */
  label: string;
  args: string[];
  /** Added to this process's environment. */
  env?: Record<string, string>;
}

/** The first child that failed: its label and exit code (a signal counts as code 1). */
export interface ChildFailure {
  label: string;
  code: number;
}

/** Grace between SIGTERM and SIGKILL when the others are stopped. */
const GRACE_MS = 5000;

/** Runs `specs` in order, `concurrency` at a time (stdio inherited); resolves with the first failure, if any. */
export async function runChildren(
  specs: ChildSpec[],
  concurrency: number,
  others = 'the others',
): Promise<ChildFailure | undefined> {
  const queue = [...specs];
  const running = new Set<ChildProcess>();
  let failure: ChildFailure | undefined;
  let killer: NodeJS.Timeout | undefined;
  const stopAll = (signal: NodeJS.Signals): void => {
    queue.length = 0;
    for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
  };
  const onInt = () => stopAll('SIGINT');
  const onTerm = () => stopAll('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  const runOne = (spec: ChildSpec): Promise<void> =>
    new Promise((resolve) => {
      const proc = spawn(process.execPath, spec.args, {
        stdio: 'inherit',
        env: { ...process.env, ...spec.env },
      });
      running.add(proc);
      proc.once('exit', (code, signal) => {
        running.delete(proc);
        if (code !== 0 && failure === undefined) {
          failure = { label: spec.label, code: code ?? 1 };
          console.error(
            `resnet-native: ${spec.label} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; stopping ${others}`,
          );
          stopAll('SIGTERM');
          killer = setTimeout(() => stopAll('SIGKILL'), GRACE_MS);
        }
        resolve();
      });
    });
  const lane = async (): Promise<void> => {
    for (let spec = queue.shift(); spec !== undefined; spec = queue.shift()) await runOne(spec);
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, specs.length)) }, lane));
  } finally {
    clearTimeout(killer);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  return failure;
}
