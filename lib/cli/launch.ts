/**
 * `train --nproc-per-node N`: starts N local processes of the same command, as `torchrun`
 * does, each with torchrun's variables (`MASTER_ADDR`, `MASTER_PORT`, `RANK`, `LOCAL_RANK`,
 * `WORLD_SIZE`). With `--nnodes M --node-rank K` (and `MASTER_ADDR` set to the machine of
 * node 0) the processes of M machines form one job. When one process fails the launcher stops
 * the others and exits with its code, so nothing is left running.
 */
import { createServer } from 'node:net';
import { InvalidArgumentError } from 'commander';
import { runChildren } from './children.js';

/** How a launch is laid out. */
export interface LaunchPlan {
  nprocPerNode: number;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  masterPort: number | undefined;
  /** The command line each process runs (node's own arguments excluded). */
  args: string[];
}

/** Whether this process was started by a launcher (or torchrun) rather than by the user. */
export function isLaunchedRank(): boolean {
  return process.env.RANK !== undefined && process.env.WORLD_SIZE !== undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 29500));
    });
  });
}

/** Runs the plan's processes; resolves with the exit code for the launcher. */
export async function launch(plan: LaunchPlan): Promise<number> {
  const world = plan.nprocPerNode * plan.nnodes;
  // A single machine picks a free port; several must agree on one (MASTER_PORT or 29500).
  const port = plan.masterPort ?? (plan.nnodes === 1 ? await freePort() : 29500);
  const ranks = Array.from({ length: plan.nprocPerNode }, (_, local) => {
    const rank = plan.nodeRank * plan.nprocPerNode + local;
    return {
      label: `rank ${rank}`,
      args: plan.args,
      env: {
        MASTER_ADDR: plan.masterAddr,
        MASTER_PORT: String(port),
        RANK: String(rank),
        LOCAL_RANK: String(local),
        WORLD_SIZE: String(world),
        LOCAL_WORLD_SIZE: String(plan.nprocPerNode),
      },
    };
  });
  // Every rank runs at once: they meet at the rendezvous.
  const failure = await runChildren(ranks, ranks.length, 'the other ranks');
  return failure?.code ?? 0;
}

/** What `train --nproc-per-node` needs of its flags. */
interface LaunchFlags {
  nprocPerNode?: number | undefined;
  nnodes: number;
  nodeRank: number;
  outputDir?: string | undefined;
}

/**
 * The launcher side of `train --nproc-per-node`: checks the layout, picks the one run folder
 * every process writes into (`folder`, unless --output-dir names it), and runs the processes
 * with this command line. Resolves with the exit code.
 */
export async function launchTraining<F extends LaunchFlags>(
  flags: F,
  folder: (f: F) => string,
): Promise<number> {
  if (flags.nodeRank >= flags.nnodes)
    throw new InvalidArgumentError(`--node-rank ${flags.nodeRank} must be below --nnodes ${flags.nnodes}`);
  const args = process.argv.slice(1);
  if (flags.outputDir === undefined) args.push('--output-dir', folder(flags));
  const port = process.env.MASTER_PORT;
  return launch({
    nprocPerNode: flags.nprocPerNode ?? 1,
    nnodes: flags.nnodes,
    nodeRank: flags.nodeRank,
    masterAddr: process.env.MASTER_ADDR ?? '127.0.0.1',
    masterPort: port === undefined ? undefined : Number(port),
    args,
  });
}
