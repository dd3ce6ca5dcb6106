/**
 * Which architecture a state dict is, read from its keys and a few shapes by the naming rules of
 * the families themselves (no table of configurations to keep in step with lib/models): CIFAR
 * ResNets have depth 6n + 2 and a `linear` classifier; torchvision's have `fc`, depth 2 + the
 * blocks' layers, and name their grouped and wide variants by groups × width per group.
 */
type Shapes = Readonly<Record<string, { readonly shape: readonly number[] }>>;

/** Blocks in stage `l`: the distinct indices i of `layer<l>.<i>.` keys. */
function blocks(sd: Shapes, l: number): number {
  const prefix = `layer${l}.`;
  const ids = new Set<string>();
  for (const k of Object.keys(sd)) if (k.startsWith(prefix)) ids.add(k.slice(prefix.length).split('.')[0]!);
  return ids.size;
}

/** The architecture name (as `--arch` spells it) that `sd` looks like, or undefined. */
export function guessArch(sd: Shapes): string | undefined {
  if (sd['linear.weight'] !== undefined) return `resnet${6 * blocks(sd, 1) + 2}`;
  if (sd['fc.weight'] === undefined) return undefined;
  const layers = [1, 2, 3, 4].map((l) => blocks(sd, l));
  const bottleneck = sd['layer1.0.conv3.weight'] !== undefined;
  const depth = 2 + layers.reduce((a, b) => a + b, 0) * (bottleneck ? 3 : 2);
  const conv2 = sd['layer1.0.conv2.weight']?.shape;
  if (!bottleneck || conv2 === undefined) return `resnet${depth}`;
  const [width = 64, perGroup = 64] = conv2; // (width, width / groups, 3, 3)
  const groups = width / perGroup;
  if (groups > 1) return `resnext${depth}_${groups}x${perGroup}d`;
  return width === 64 ? `resnet${depth}` : `wide_resnet${depth}_${width / 64}`;
}
