// Leaks planted on purpose (scripts/lsan_check.sh preloads this): LeakSanitizer must report
// them, which shows that the leak check ran at the process's exit; any other report is a
// finding. The scan is conservative: a stale register or stack copy of a pointer (even one
// into the block) makes that block look reachable, so 64 blocks are planted and their
// pointers kept only XOR-masked; some of them are always reported.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PLANTED 64
uintptr_t planted_leak_masked[PLANTED];

__attribute__((constructor)) static void planted_leak(void) {
  for (int i = 0; i < PLANTED; i++) {
    char *p = malloc(4242);
    memset(p, 1, 4242);
    planted_leak_masked[i] = (uintptr_t)p ^ (uintptr_t)0x5a5a5a5a5a5a5a5aULL;
  }
}
