/** Self-describing model files: saveModel/loadModel round trips, files without metadata, refused class counts, the Trainer's checkpoint. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BasicBlock, ResNet, ArgumentError, FormatError, loadModel, nn, noGrad, randn, readModelMetadata, resnet18, resnet20, save, saveModel,
} from '../../lib/index.js'; // prettier-ignore
import { readSafetensorsFile } from '../../lib/io/safetensors_file.js';

const dir = mkdtempSync(join(tmpdir(), 'rn-model-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const same = (a: nn.Module, b: nn.Module, shape: number[]) => {
  const x = randn(shape);
  const [ya, yb] = noGrad(() => [a.eval().forward(x), b.eval().forward(x)]);
  expect(Array.from(yb!.dataSync() as Float32Array)).toEqual(Array.from(ya!.dataSync() as Float32Array));
};

describe('saveModel / loadModel', () => {
  it('writes the metadata entries and rebuilds the same network from them alone', async () => {
    const model = new ResNet(BasicBlock, [1, 1, 1, 1], { numClasses: 3, inChannels: 1 }); // a custom ResNet-10
    const path = join(dir, 'custom.safetensors');
    await saveModel(model, path, {
      classNames: ['a', 'b', 'c'],
      resizeSize: 72,
      cropSize: 64,
      mean: [0.5],
      std: [0.2],
    });
    const { metadata } = await readSafetensorsFile(path);
    expect(metadata).toMatchObject({
      model_format: 'resnet-native-model/1', arch: 'custom', num_classes: '3', class_names: '["a","b","c"]', in_channels: '1',
      mean: '[0.5]', std: '[0.2]', resize_size: '72', crop_size: '64',
    }); // prettier-ignore
    expect(metadata['resnet_native_version']).toMatch(/^\d+\.\d+\.\d+/);
    const loaded = await loadModel(path);
    expect(loaded.metadata.archConfig).toEqual({
      family: 'resnet', block: 'BasicBlock', layers: [1, 1, 1, 1], groups: 1, widthPerGroup: 64,
      replaceStrideWithDilation: [false, false, false],
    }); // prettier-ignore
    same(model, loaded.model, [2, 1, 64, 64]);
  });

  it('names a standard architecture and keeps CIFAR shortcut options', async () => {
    const path = join(dir, 'r20b.safetensors');
    const model = resnet20({ shortcut: 'B' });
    const m = await saveModel(model, path);
    expect([m.arch, m.numClasses, m.cropSize, m.classNames[0]]).toEqual(['resnet20', 10, 32, 'airplane']);
    same(model, (await loadModel(path)).model, [2, 3, 32, 32]);
  });

  it('reads a plain state dict (no metadata) by its keys, with the defaults of its family', async () => {
    const path = join(dir, 'plain.safetensors');
    const model = resnet18({ numClasses: 1000 });
    await save(model.stateDict(), path);
    expect(await readModelMetadata(path)).toBeUndefined();
    const loaded = await loadModel(path);
    expect(loaded.metadata).toMatchObject({
      arch: 'resnet18',
      numClasses: 1000,
      resizeSize: 256,
      cropSize: 224,
    });
    expect(loaded.metadata.classNames[0]).toBe('tench');
    same(model, loaded.model, [1, 3, 64, 64]);
  }, 60_000);

  it('refuses a class count other than the file’s, naming both, and a file that is not a ResNet', async () => {
    const path = join(dir, 'r20.safetensors');
    await saveModel(resnet20({ numClasses: 3 }), path, { classNames: ['x', 'y', 'z'] });
    await expect(loadModel(path, { numClasses: 10 })).rejects.toThrow(
      /holds a model of 3 classes but 10 were asked for/,
    );
    await expect(loadModel(path, { numClasses: 10 })).rejects.toBeInstanceOf(ArgumentError);
    await expect(
      saveModel(resnet20(), join(dir, 'bad.safetensors'), { classNames: ['only one'] }),
    ).rejects.toThrow(/Expected 10 class names .* but received 1/);
    const other = join(dir, 'other.safetensors');
    await save(new nn.Linear(3, 2).stateDict(), other);
    await expect(loadModel(other)).rejects.toBeInstanceOf(FormatError);
  });
});
