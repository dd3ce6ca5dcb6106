/**
 * Child processes of the distributed tests: ranks started with torchrun's variables, their
 * output collected, each awaited with a bound, and every one still running killed at the end
 * (call `killAll` in a finally), so that no test leaves a process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Child {
  proc: ChildProcess;
  out: () => string;
  /** Resolves with the exit code (or the signal's name) once the child ended. */
  exit: Promise<number | string>;
}

/** A TCP port free on loopback now (for MASTER_PORT). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `node <args>` with `env` added to this process's environment. */
export function start(args: string[], env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...env } });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | string>((resolve) =>
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { proc, out: () => out, exit };
}

/** Rank `rank` of a `world`-process job whose store is at 127.0.0.1:`port`. */
export function startRank(args: string[], rank: number, world: number, port: number): Child {
  return start(args, {
    MASTER_ADDR: '127.0.0.1',
    MASTER_PORT: String(port),
    RANK: String(rank),
    LOCAL_RANK: String(rank),
    WORLD_SIZE: String(world),
  });
}

/** The child's exit, or a rejection with its output after `ms`. */
export async function exitWithin(child: Child, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`child still running after ${ms} ms: ${child.out()}`)), ms);
  });
  try {
    return await Promise.race([child.exit, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the child's output matches `pattern`, failing if it exits first or after `ms`. */
export async function waitFor(child: Child, pattern: RegExp, ms: number): Promise<void> {
  for (let waited = 0; !pattern.test(child.out()); waited += 20) {
    if (child.proc.exitCode !== null)
      throw new Error(`child exited with ${child.proc.exitCode}: ${child.out()}`);
    if (waited > ms) throw new Error(`child did not print ${pattern} within ${ms} ms: ${child.out()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SIGKILLs every child still running (SIGCONT first for a stopped one) and waits for them. */
export async function killAll(children: Child[]): Promise<void> {
  for (const c of children) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) {
      c.proc.kill('SIGCONT');
      c.proc.kill('SIGKILL');
    }
  }
  await Promise.all(children.map((c) => c.exit));
}
