// libtorch's CPU allocator for large blocks, replaced by one that maps them itself and keeps
// freed ones for reuse (see the .cc for why).
#pragma once
#include <cstddef>

namespace rn {

// Installs the caching allocator as libtorch's CPU allocator, once per process. Not under
// AddressSanitizer (it must see every block), nor with RESNET_NATIVE_CPU_ALLOCATOR=system.
void InstallCpuCacheAllocator();

// The bytes of freed large blocks kept for reuse (0 where the allocator is not installed).
size_t CpuCachedBytes();

// Unmaps every kept block: emptyCpuCache(), for a process whose peak has passed.
void EmptyCpuCache();

}  // namespace rn
