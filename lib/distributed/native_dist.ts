/**
 * @internal The addon's distributed functions, or a clear error when this build has none
 * (built without Gloo's headers).
 */
import { native, type NativeBinding } from '../binding.js';
import { DistributedError } from '../errors.js';

type DistFns = Required<
  Pick<
    NativeBinding,
    | 'distInit'
    | 'distHasBackend'
    | 'distIsInitialized'
    | 'distRank'
    | 'distWorldSize'
    | 'distAllReduce'
    | 'distBroadcast'
    | 'distBarrier'
    | 'distAllGather'
    | 'distDiagnose'
    | 'ddpCreate'
    | 'ddpDispose'
    | 'ddpSyncBuffers'
    | 'ddpPrepareForBackward'
  >
>;

/** Whether this build of the addon has distributed training. */
export function hasDistSupport(): boolean {
  return typeof native.distInit === 'function';
}

/** The native distributed functions; a DistributedError when the build lacks them. */
export function distNative(): DistFns {
  if (!hasDistSupport())
    throw new DistributedError(
      "This build of resnet-native has no distributed training: it was compiled without Gloo's headers. " +
        'Install them (Debian: apt-get install libgloo-dev) and rebuild the addon (npx resnet-native doctor --build)',
    );
  return native as unknown as DistFns;
}
