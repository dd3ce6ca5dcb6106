/** `resnet-native summary --arch <name>`: the layer table of an architecture (torchinfo's layout). */
import { Command, InvalidArgumentError, Option } from 'commander';
import '../summary/index.js';
import { architectures, factory } from './models.js';

const size = (v: string): number[] => {
  const dims = v.split(/[x,]/).map(Number);
  if (dims.length !== 4 || dims.some((d) => !Number.isSafeInteger(d) || d < 1))
    throw new InvalidArgumentError(`Expected an input shape NxCxHxW such as 1x3x224x224 but received ${v}`);
  return dims;
};

interface SummaryFlags {
  arch: string;
  inputSize?: number[];
  depth: number;
  numClasses?: number;
  blocks: boolean;
}

/** Default input: 1×3×224×224 for the ImageNet family, 1×3×32×32 for the CIFAR networks. */
export function summaryInput(arch: string): number[] {
  return /^resnet(20|32|44|56|110|1202)$/.test(arch) ? [1, 3, 32, 32] : [1, 3, 224, 224];
}

/** The command. */
export function summaryCommand(): Command {
  return new Command('summary')
    .description('layer-by-layer table: output shapes, parameters, multiply-adds, totals')
    .addOption(
      new Option('--arch <name>', 'architecture').choices(Object.keys(architectures)).default('resnet50'),
    )
    .option('--input-size <NxCxHxW>', 'input shape (default 1x3x224x224; CIFAR nets 1x3x32x32)', size)
    .option('--depth <n>', 'nesting depth of the rows shown', (v) => Number.parseInt(v, 10), 3)
    .option('--num-classes <n>', 'classes of the classifier', (v) => Number.parseInt(v, 10))
    .option('--no-blocks', 'leave out the bottleneck-versus-two-3×3 comparison')
    .action((f: SummaryFlags) => {
      const input = f.inputSize ?? summaryInput(f.arch);
      const model = factory(f.arch)({
        inChannels: input[1]!,
        ...(f.numClasses ? { numClasses: f.numClasses } : {}),
      });
      console.log(model.summary(input).format({ depth: f.depth, blocks: f.blocks }));
      model.dispose();
    });
}
