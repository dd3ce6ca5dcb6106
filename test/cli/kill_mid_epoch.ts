/**
 * Kills a training process at a mid-epoch checkpoint, without timing guesses: the child is
 * frozen with SIGSTOP before each look at its checkpoint, so what the test reads is exactly
 * where the child stands when SIGKILL arrives, on a fast machine as on a loaded one.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readSafetensorsFile } from '../../lib/io/safetensors_file.js';
import type { TrainingState } from '../../lib/train/checkpoint.js';

/** How long the child runs between two looks: far shorter than one training batch. */
const STEP_MS = 10;

/** The training state a checkpoint records (read with the library's own reader), or undefined before the first one. */
export async function checkpointState(path: string): Promise<TrainingState | undefined> {
  if (!existsSync(path)) return undefined;
  const { metadata } = await readSafetensorsFile(path);
  return (JSON.parse(metadata['training']!) as { state: TrainingState }).state;
}

/** Whether the kernel has stopped `pid` (state T in /proc/<pid>/stat, after the command name). */
function isStopped(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false; // it has just exited: the caller sees that through its exit event
  }
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
}

/**
 * Lets `child` train in short steps until its checkpoint says `epoch` epochs are done and a
 * batch of the next one too (batch > 0), then SIGKILLs it while it is stopped and returns that
 * state. Rejects if the child ends first.
 */
export async function killAtMidEpoch(
  child: ChildProcess,
  checkpoint: string,
  epoch: number,
): Promise<TrainingState> {
  const exited = new Promise<string>((resolve) =>
    child.on('exit', (code, signal) => resolve(`exited (code ${code}, signal ${signal})`)),
  );
  let ended: string | undefined;
  void exited.then((how) => (ended = how));
  const pid = child.pid!;
  for (;;) {
    await new Promise((r) => setTimeout(r, STEP_MS));
    if (ended !== undefined) break;
    child.kill('SIGSTOP');
    while (ended === undefined && !isStopped(pid)) await new Promise((r) => setImmediate(r));
    if (ended !== undefined) break;
    const state = await checkpointState(checkpoint);
    if (state !== undefined && state.epoch === epoch && state.batch > 0) {
      child.kill('SIGKILL');
      await exited;
      return state;
    }
    child.kill('SIGCONT');
  }
  throw new Error(`the training process ${ended} before a checkpoint inside epoch ${epoch + 1} was seen`);
}
