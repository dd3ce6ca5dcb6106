/** `resnet-native info`: versions, threads, and the CUDA build and devices. */
import { getNumThreads, version } from '../index.js';
import { cudaDevices } from '../cuda_devices.js';
import { formatCudaVersion, formatCudnnVersion } from '../version.js';

const GiB = 1024 ** 3;

/** The lines `info` prints. */
export function infoLines(): string[] {
  const devices = cudaDevices();
  const lines = [
    `resnet-native ${version.resnetNative}`,
    `libtorch      ${version.libtorch}`,
    `cuda          ${version.cuda === null ? 'not built with CUDA' : `${formatCudaVersion(version.cuda)} (built for)`}`,
    `cudnn         ${version.cudnn === null ? 'not built with cuDNN' : formatCudnnVersion(version.cudnn)}`,
    `threads       ${getNumThreads()}`,
    `cuda devices  ${devices.length}${devices.length === 0 && version.cuda !== null ? ' (none present)' : ''}`,
  ];
  for (const d of devices) {
    const memory = d.totalMemory === null ? '' : `, ${(d.totalMemory / GiB).toFixed(1)} GiB`;
    const capability = d.capability === null ? '' : `, compute ${d.capability.join('.')}`;
    lines.push(`  cuda:${d.index}      ${d.name ?? 'unknown'}${memory}${capability}`);
  }
  return lines;
}
