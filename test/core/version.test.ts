/**
 * `version` against the PyTorch of the reference harness (PYTHON: Debian's CPU 1.13 for the
 * default build; scripts/cuda_variant.sh sets REF_PYTHON to the pip torch 2.14.1 + CUDA 13
 * that its addon is built from). The CUDA and cuDNN versions are the build's, known without
 * a GPU; whether a device is present is asked apart.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cuda, version } from '../../lib/index.js';
import { formatCudaVersion, formatCudnnVersion } from '../../lib/version.js';
import { infoLines } from '../../lib/cli/info.js';
import { PYTHON } from '../helpers/reference.js';

interface TorchBuild {
  torch: string;
  cuda: string | null;
  cudnn: number | null;
}

/** What that PyTorch says it was built with (torch.version.cuda, torch.backends.cudnn.version()). */
function torchBuild(): TorchBuild {
  const snippet =
    'import json, torch\n' +
    'cudnn = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None\n' +
    'print(json.dumps({"torch": torch.__version__, "cuda": torch.version.cuda, "cudnn": cudnn}))';
  const out = execFileSync(PYTHON, ['-c', snippet], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as TorchBuild;
}

describe('version', () => {
  it(
    "reports the libtorch, CUDA and cuDNN versions of the reference's PyTorch build",
    { timeout: 60_000 },
    () => {
      const ref = torchBuild();
      // The harness's PyTorch is the addon's libtorch (Debian's, or the wheel of the CUDA variant).
      expect(ref.torch.startsWith(version.libtorch), `${ref.torch} vs ${version.libtorch}`).toBe(true);
      if (ref.cuda === null) {
        expect(version.cuda).toBeNull();
      } else {
        expect(version.cuda).not.toBeNull();
        expect(formatCudaVersion(version.cuda!)).toBe(ref.cuda);
      }
      expect(version.cudnn).toBe(ref.cudnn);
    },
  );

  it('says apart whether a CUDA device is present, and info lists the devices', () => {
    expect(version.cudaAvailable).toBe(cuda.isAvailable());
    const lines = infoLines();
    const count = cuda.isAvailable() ? cuda.deviceCount() : 0;
    expect(lines).toContain(
      `cuda devices  ${count}${count === 0 && version.cuda !== null ? ' (none present)' : ''}`,
    );
    expect(lines.filter((l) => /^ {2}cuda:\d+ /.test(l))).toHaveLength(count);
    expect(lines.find((l) => l.startsWith('cudnn'))).toBe(
      `cudnn         ${version.cudnn === null ? 'not built with cuDNN' : formatCudnnVersion(version.cudnn)}`,
    );
  });

  it('formats CUDA and cuDNN version numbers as their releases are named', () => {
    // CUDART_VERSION is major * 1000 + minor * 10; CUDNN_VERSION changed layout with cuDNN 9.
    expect([13000, 12040, 11080].map(formatCudaVersion)).toEqual(['13.0', '12.4', '11.8']);
    expect([92400, 90100, 8906, 8700].map(formatCudnnVersion)).toEqual(['9.24.0', '9.1.0', '8.9.6', '8.7.0']);
  });
});
