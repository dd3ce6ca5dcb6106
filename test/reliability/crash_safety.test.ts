/**
 * Crash safety of weight files: a child process saving state dicts (save()), and one training
 * with a checkpoint after every batch, are each killed with SIGKILL at random moments (20
 * each; CRASH_KILLS=<n> changes it). After every kill the previous file is whole and loadable,
 * and a run resumed from the last checkpoint continues from where it stood and finishes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, nn, optim } from '../../lib/index.js';
import { readSafetensorsFile } from '../../lib/io/safetensors_file.js';

const KILLS = Number(process.env['CRASH_KILLS'] ?? 20);
const SEED = Number(process.env['CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const child = fileURLToPath(new URL('save_child.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rn-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
console.log(`[crash] ${KILLS} kills per case, seed ${SEED} (CRASH_SEED=${SEED} replays the delays)`);

/** A small LCG so that a failing run's delays can be replayed from its printed seed. */
let state = SEED >>> 0;
const random = (): number => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;

function start(args: string[], env: Record<string, string> = {}): { proc: ChildProcess; out: () => string } {
  const proc = spawn(process.execPath, [child, ...args], { env: { ...process.env, ...env } });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return { proc, out: () => out };
}

const exited = (proc: ChildProcess): Promise<void> =>
  new Promise((resolve) =>
    proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve()),
  );

/** Waits until `ready()` holds (polling), failing with the child's output if it exits first. */
async function until(ready: () => boolean, proc: ChildProcess, out: () => string): Promise<void> {
  for (let waited = 0; !ready(); waited += 10) {
    if (proc.exitCode !== null) throw new Error(`child exited with ${proc.exitCode}: ${out()}`);
    if (waited > 120_000) throw new Error(`child not ready after 120 s: ${out()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts the child, waits until `file` exists, lets it run 0-400 ms more, then SIGKILLs it. */
async function killSomewhere(args: string[], file: string): Promise<number> {
  const { proc, out } = start(args);
  await until(() => out().includes('ready') && existsSync(file), proc, out);
  const delay = Math.floor(random() * 400);
  await new Promise((r) => setTimeout(r, delay));
  proc.kill('SIGKILL');
  await exited(proc);
  expect(proc.signalCode, out()).toBe('SIGKILL');
  return delay;
}

describe('files survive SIGKILL', () => {
  it(`save(): ${KILLS} kills, each leaving a whole file of one version`, async () => {
    const path = join(dir, 'weights.safetensors');
    for (let k = 0; k < KILLS; k++) {
      const delay = await killSomewhere(['save', path], path);
      const { tensors, metadata } = await readSafetensorsFile(path);
      const version = Number(metadata['version']);
      expect(version, `kill ${k} after ${delay} ms`).toBeGreaterThanOrEqual(1);
      for (const [name, raw] of tensors) {
        const values = new Float32Array(raw.bytes.slice().buffer);
        expect(
          values.every((v) => v === version),
          `kill ${k}: ${name} mixes versions`,
        ).toBe(true);
      }
    }
  }, 600_000);

  it(`checkpoints: ${KILLS} kills of a training run, each leaving a loadable checkpoint; a resumed run finishes`, async () => {
    const outDir = join(dir, 'run');
    const path = join(outDir, 'checkpoint.safetensors');
    const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(64, 3));
    const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    let last = { epoch: 0, batch: 0 };
    for (let k = 0; k < KILLS; k++) {
      // Each run resumes from what the previous kill left, so the 20 kills fall all along a run.
      const args = k === 0 ? ['train', outDir] : ['train', outDir, 'resume'];
      const delay = await killSomewhere(args, path);
      const s = await loadCheckpoint(path, model, opt);
      expect(s.epoch * 8 + s.batch, `kill ${k} after ${delay} ms`).toBeGreaterThanOrEqual(
        last.epoch * 8 + last.batch,
      );
      last = { epoch: s.epoch, batch: s.batch };
    }
    const { proc, out } = start(['train', outDir, 'resume'], { EPOCHS: String(last.epoch + 1) });
    await exited(proc);
    expect(proc.exitCode, out()).toBe(0);
    expect(out()).toContain(`resumed ${last.epoch} ${last.batch}`);
    expect(out()).toContain('done');
    const end = await loadCheckpoint(path, model, opt);
    expect(end).toMatchObject({ epoch: last.epoch + 1, batch: 0 });
  }, 600_000);
});
