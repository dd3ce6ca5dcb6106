/** The networks the experiments compare: the paper's CIFAR plain nets and ResNets, by kind and depth. */
import { ArgumentError } from '../errors.js';
import { CifarResNet } from '../models/cifar_resnet.js';

/** With shortcuts ('resnet') or without ('plain', the paper's baselines). */
export type NetKind = 'plain' | 'resnet';

/** One network of an experiment. */
export interface NetSpec {
  kind: NetKind;
  /** Weighted layers, 6n+2 (20, 32, 44, 56, 110, ...). */
  depth: number;
}

/** File-safe name, torchvision style: 'plain20', 'resnet56'. */
export const netName = (s: NetSpec): string => `${s.kind}${s.depth}`;

/** The paper's label: 'plain-20', 'ResNet-56'. */
export const netLabel = (s: NetSpec): string => `${s.kind === 'plain' ? 'plain' : 'ResNet'}-${s.depth}`;

/** Checks that `depth` is 6n+2 with n ≥ 1 and returns n. */
export function blocksOf(depth: number): number {
  const n = (depth - 2) / 6;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ArgumentError(
      `Expected a depth of the form 6n+2 (20, 32, 44, 56, 110, ...) but received ${depth}`,
    );
  return n;
}

/**
 * Builds the network (option-A shortcuts for ResNets, as the paper's CIFAR experiments);
 * `zeroInitResidual` applies to ResNets only (a plain net has no shortcut to start as).
 */
export function buildNet(
  spec: NetSpec,
  options: { inChannels: number; numClasses: number; zeroInitResidual?: boolean | undefined },
): CifarResNet {
  const { zeroInitResidual = false, ...rest } = options;
  const plain = spec.kind === 'plain';
  return new CifarResNet(blocksOf(spec.depth), {
    ...rest,
    plain,
    zeroInitResidual: zeroInitResidual && !plain,
  });
}

/** Every (kind, depth) pair, plain first, in depth order within a kind. */
export const netGrid = (depths: readonly number[]): NetSpec[] =>
  (['plain', 'resnet'] as const).flatMap((kind) =>
    [...depths].sort((a, b) => a - b).map((depth) => ({ kind, depth })),
  );

/**
 * The nets of `grid` named by `only` (all without it), deepest first: the order in which
 * separate processes start them, so the longest runs never wait for a free process. A name
 * outside the grid, or a depth that is not 6n+2, is an error, not an empty or failed run.
 */
export function gridOrder(grid: NetSpec[], only?: readonly string[]): NetSpec[] {
  for (const n of grid) blocksOf(n.depth); // before any process starts
  const names = grid.map(netName);
  const unknown = (only ?? []).filter((n) => !names.includes(n));
  if (unknown.length > 0)
    throw new ArgumentError(
      `Expected --only to name nets of the grid (${names.join(', ')}) but received ${unknown.join(', ')}`,
    );
  const chosen = grid.filter((n) => only === undefined || only.includes(netName(n)));
  return chosen.sort((a, b) => b.depth - a.depth);
}
