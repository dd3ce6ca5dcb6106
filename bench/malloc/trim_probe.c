// Allocator probe for the leak checks (LEAK_TRIM=1 in bench/leakcheck.ts): preloaded into a leak
// child, a thread of its own watches for the file named by TRIM_PROBE_FILE; when it appears, it
// calls glibc's malloc_trim(0), which returns freed heap memory to the system, and deletes the
// file (the child waits for that, then samples RSS again). RSS that malloc_trim gives back was
// freed memory glibc kept (fragmentation, caching); RSS that stays is memory still allocated.
//   gcc -shared -fPIC -O2 -o trim_probe.so bench/malloc/trim_probe.c -lpthread
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static void *trim_on_request(void *path) {
  for (;;) {
    if (access((const char *)path, F_OK) == 0) {
      malloc_trim(0);
      unlink((const char *)path);
    }
    usleep(20000);
  }
  return 0;
}

__attribute__((constructor)) static void trim_probe_start(void) {
  const char *path = getenv("TRIM_PROBE_FILE");
  if (path == 0) return;
  pthread_t thread;
  if (pthread_create(&thread, 0, trim_on_request, (void *)path) == 0) pthread_detach(thread);
}
