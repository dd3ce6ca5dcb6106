/**
 * The public load/save against PyTorch: a torchvision resnet50 saved with torch.save loads
 * into our resnet50 and gives PyTorch's eval output; a state dict written by save() loads in
 * PyTorch (strict) with the same keys and values.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, resnet50, save, tensor, type Tensor } from '../../lib/index.js';
import { readSafetensorsFile } from '../../lib/io/safetensors_file.js';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'rn-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const seed = Number(process.env['REF_SEED'] ?? Math.floor(Math.random() * 1e6));

const python = (code: string) => exec('/usr/bin/python3', ['-c', code], { cwd: dir, maxBuffer: 1 << 26 });

beforeAll(async () => {
  console.log(`weights reference seed ${seed} (REF_SEED reproduces)`);
  // torchvision's resnet50 with non-trivial BN statistics, its eval output for an odd-sized
  // input, saved the way torchvision publishes weights.
  await python(`
import struct, json, torch, torchvision
torch.manual_seed(${seed})
m = torchvision.models.resnet50()
with torch.no_grad():
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.normal_(0, 0.1); mod.running_var.uniform_(0.5, 2.0)
            mod.weight.uniform_(0.5, 1.5); mod.bias.normal_(0, 0.1)
m.eval()
torch.save(m.state_dict(), 'resnet50.pth')
x = torch.randn(2, 3, 67, 59)
y = m(x).detach()
def put(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        b = t.contiguous().numpy().tobytes()
        header[k] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header).encode(); h += b' ' * (-len(h) % 8)
    open(path, 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
put('io.safetensors', {'x': x, 'y': y})
`);
}, 300_000);

const values = (t: Tensor) => Array.from(t.dataSync() as Float32Array);

describe('load and save against PyTorch', () => {
  it("loads torch.save'd torchvision resnet50 weights and reproduces PyTorch's eval output", async () => {
    const model = resnet50();
    const sd = await load(join(dir, 'resnet50.pth'));
    expect(Object.keys(sd)).toEqual(Object.keys(model.stateDict()));
    model.loadStateDict(sd);
    const io = (await readSafetensorsFile(join(dir, 'io.safetensors'))).tensors;
    const raw = (name: string) => io.get(name)!;
    const x = tensor(new Float32Array(raw('x').bytes.slice().buffer), { shape: raw('x').shape });
    const expected = new Float32Array(raw('y').bytes.slice().buffer);
    const y = await model.eval().forwardAsync(x);
    expect(y.shape).toEqual([2, 1000]);
    const actual = values(y);
    expect(actual).toHaveLength(expected.length);
    // Every element of both rows against the output's scale (a relative norm over the whole
    // output would let a few wrong logits hide among the right ones). Measured: ~8e-7.
    const scale = Math.max(...expected.map(Math.abs));
    const worst = Math.max(...actual.map((v, i) => Math.abs(v - expected[i]!)));
    expect(worst / scale).toBeLessThan(1e-5);
  });

  it('writes state dicts that PyTorch loads strictly, with the same keys and values', async () => {
    const model = resnet50({ numClasses: 7 });
    const path = join(dir, 'ours.safetensors');
    await save(model.stateDict(), path);
    // Exact values: a hash of each tensor's bytes on both sides.
    const sums = Object.fromEntries(
      Object.entries(model.stateDict()).map(([k, t]) => {
        const data = t.dataSync() as ArrayBufferView;
        return [
          k,
          createHash('sha256')
            .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
            .digest('hex'),
        ];
      }),
    );
    const { stdout } = await python(`
import hashlib, json, struct, torch, torchvision
buf = open('ours.safetensors', 'rb').read()
n = struct.unpack('<Q', buf[:8])[0]
header = json.loads(buf[8:8 + n])
types = {'F32': torch.float32, 'I64': torch.int64}
sd = {}
for k, v in header.items():
    if k == '__metadata__': continue
    b, e = v['data_offsets']
    sd[k] = torch.frombuffer(bytearray(buf[8 + n + b:8 + n + e]), dtype=types[v['dtype']]).reshape(v['shape'])
m = torchvision.models.resnet50(num_classes=7)
m.load_state_dict(sd, strict=True)
print(json.dumps({'keys': list(m.state_dict().keys()), 'sums': {k: hashlib.sha256(t.contiguous().numpy().tobytes()).hexdigest() for k, t in m.state_dict().items()}}))
`);
    const torch = JSON.parse(stdout) as { keys: string[]; sums: Record<string, string> };
    expect(torch.keys).toEqual(Object.keys(sums));
    for (const [k, s] of Object.entries(sums)) expect(torch.sums[k]).toBe(s);
  });
});
