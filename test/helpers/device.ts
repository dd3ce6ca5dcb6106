/**
 * The device of the suite's device-parametrized tests: RESNET_NATIVE_TEST_DEVICE ('cpu', the
 * default; 'cuda' or 'cuda:N' on a GPU runner). On a CUDA device TF32 is turned off, so float32
 * results compare with PyTorch's float32 references (test/tolerances.json's `cuda:` entries).
 * When the device asked for cannot be used here, `deviceSkip` says why: those tests report that
 * they did not run (vitest's skip), and the reason is printed once.
 */
import { backends, cuda, type Device } from '../../lib/index.js';
import { noCudaMessage } from '../../lib/device.js';

const asked = process.env['RESNET_NATIVE_TEST_DEVICE'] ?? 'cpu';
if (!/^(cpu|cuda|cuda:\d+)$/.test(asked))
  throw new Error(`RESNET_NATIVE_TEST_DEVICE must be cpu, cuda or cuda:N, not ${asked}`);

/** The device under test ('cuda' spelled 'cuda:0'). */
export const TEST_DEVICE = (asked === 'cuda' ? 'cuda:0' : asked) as Device;
export const onCuda = TEST_DEVICE !== 'cpu';

/** Why the CUDA tests cannot run here (null when a CUDA device is present). */
export const cudaSkip: string | null =
  cuda.deviceCount() > 0 ? null : `CUDA tests did not run: ${noCudaMessage('these tests')}`;

/** Why the tests on TEST_DEVICE cannot run here (null when they can). */
export const deviceSkip: string | null = (() => {
  if (!onCuda) return null;
  if (cudaSkip !== null) return `RESNET_NATIVE_TEST_DEVICE=${asked}: ${cudaSkip}`;
  const index = Number(TEST_DEVICE.slice(5));
  if (index >= cuda.deviceCount())
    return `RESNET_NATIVE_TEST_DEVICE=${asked}: tests did not run: only ${cuda.deviceCount()} CUDA device(s)`;
  return null;
})();

const printed = new Set<string>();
/** Prints a skip reason once per test file, so the report says why tests did not run. */
export function announceSkip(reason: string | null, what: string): boolean {
  if (reason === null) return false;
  if (!printed.has(what)) {
    printed.add(what);
    console.warn(`[device] ${what}: ${reason}`);
  }
  return true;
}

if (onCuda && deviceSkip === null) {
  // cuDNN convolutions use TF32 by default on Ampere and later: float32 parity needs it off.
  backends.cudnn.allowTF32 = false;
  backends.cuda.matmul.allowTF32 = false;
}
