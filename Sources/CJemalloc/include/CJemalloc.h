#ifndef SLUICE_CJEMALLOC_H
#define SLUICE_CJEMALLOC_H

#include <stddef.h>
#include <stdint.h>

/// 1 when jemalloc is this process's allocator (linked in or preloaded), else 0.
int sluice_jemalloc_available(void);

/// jemalloc's `mallctl`, or -1 (ENOENT-like) when jemalloc is not available.
int sluice_jemalloc_mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

/// The jemalloc version string, or NULL when jemalloc is not available.
const char *sluice_jemalloc_version(void);

/// Pointers to this thread's cumulative allocated and deallocated byte counters
/// (`thread.allocatedp`, `thread.deallocatedp`); NULL when unavailable. Reading them costs a load.
uint64_t *sluice_jemalloc_thread_allocatedp(void);
uint64_t *sluice_jemalloc_thread_deallocatedp(void);

/// Refreshes jemalloc's statistics epoch, so that `stats.*` reads are current. Returns 0 on success.
int sluice_jemalloc_refresh_stats(void);

/// Reads a `uint64_t` / `size_t` statistic by name. Returns 0 on success.
int sluice_jemalloc_read_u64(const char *name, uint64_t *value);
int sluice_jemalloc_read_size(const char *name, size_t *value);

/// Installs jemalloc's experimental allocation hooks, which count allocation calls per thread.
/// Returns 0 on success; idempotent. After that, `sluice_alloc_hook_thread_count()` is exact for this thread.
int sluice_alloc_hooks_install(void);
/// Allocation calls (malloc, calloc, realloc, posix_memalign, ...) made by this thread since hooks were installed.
uint64_t sluice_alloc_hook_thread_count(void);
/// Deallocation calls made by this thread since hooks were installed.
uint64_t sluice_alloc_hook_thread_free_count(void);
/// Allocation calls made by all threads while hooks were installed (for async code that hops threads).
uint64_t sluice_alloc_hook_global_count(void);
/// Requested bytes of those allocations, all threads (the hook cannot ask jemalloc for usable sizes safely;
/// `thread.allocatedp`, used for synchronous blocks, counts usable sizes).
uint64_t sluice_alloc_hook_global_bytes(void);
/// Removes the hooks again, so jemalloc's fast path returns (the hooks force its slow path).
/// Returns 0 on success or when no hooks were installed.
int sluice_alloc_hooks_remove(void);

#endif
