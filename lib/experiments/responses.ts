/**
 * Layer responses (He et al. 2015, Figure 7): the standard deviation of each 3×3 layer's output
 * after batch norm, before the addition and the ReLU, over a batch of test images. Residual
 * functions close to zero show as smaller responses in ResNets than in plain nets.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeFolder } from '../io/folder.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { noGrad } from '../runtime.js';
import { withForwardHooks } from '../summary/forward_hooks.js';
import type { Tensor } from '../tensor.js';
import { figure7Svg } from './figure7.js';
import type { TrainedNet } from './trained.js';

/** One network's responses, in layer order. */
export interface ResponseRun {
  name: string;
  label: string;
  kind: 'plain' | 'resnet';
  depth: number;
  layers: Array<{ name: string; std: number }>;
  meanStd: number;
}

/** responses.json. */
export interface ResponsesResult {
  experiment: 'responses';
  images: number;
  runs: ResponseRun[];
  /** Per depth with both kinds: whether the ResNet's mean response std is below the plain net's. */
  checks: Record<string, boolean>;
}

/** The batch norms that follow a 3×3 convolution: the stem's and each block's bn1 and bn2 (not a projection shortcut's). */
const isResponse = (name: string): boolean => /(^|\.)bn[12]$/.test(name) && !name.includes('shortcut');

/** Std of every 3×3 layer's response of `net` on `input` (eval mode). */
export function measureResponses(net: TrainedNet, input: Tensor): ResponseRun {
  const layers: ResponseRun['layers'] = [];
  noGrad(() =>
    withForwardHooks(
      net.model,
      {
        enter() {},
        exit(name, m, y) {
          if (!(m instanceof BatchNorm2d) || !isResponse(name)) return;
          const s = y.std(undefined, { unbiased: false });
          layers.push({ name, std: s.item() });
          s.dispose();
        },
      },
      () => net.model.forward(input).dispose(),
    ),
  );
  const meanStd = layers.reduce((a, l) => a + l.std, 0) / Math.max(layers.length, 1);
  return { name: net.name, label: net.label, kind: net.spec.kind, depth: net.spec.depth, layers, meanStd };
}

/** Whether ResNets respond less than plain nets of the same depth. */
export function responseChecks(runs: readonly ResponseRun[]): Record<string, boolean> {
  const checks: Record<string, boolean> = {};
  for (const r of runs.filter((x) => x.kind === 'resnet')) {
    const plain = runs.find((x) => x.kind === 'plain' && x.depth === r.depth);
    if (plain) checks[`resnet${r.depth}BelowPlain${r.depth}`] = r.meanStd < plain.meanStd;
  }
  return checks;
}

/** Measures every net and writes responses.json and responses.svg into `outDir`. */
export async function runResponses(
  nets: readonly TrainedNet[],
  input: Tensor,
  outDir: string,
): Promise<ResponsesResult> {
  await makeFolder(outDir);
  const runs = nets.map((n) => measureResponses(n, input));
  const result: ResponsesResult = {
    experiment: 'responses',
    images: input.shape[0]!,
    runs,
    checks: responseChecks(runs),
  };
  await writeFile(join(outDir, 'responses.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(outDir, 'responses.svg'), figure7Svg(result));
  return result;
}
