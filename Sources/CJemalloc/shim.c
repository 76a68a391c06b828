// Resolves jemalloc at run time through weak symbols, so the package builds and runs without it.
// When jemalloc is linked in (SLUICE_HAVE_JEMALLOC) or preloaded, `mallctl` is non-NULL.
#include "CJemalloc.h"
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <stdatomic.h>

extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen) __attribute__((weak));

int sluice_jemalloc_available(void) { return mallctl != NULL; }

int sluice_jemalloc_mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen) {
    if (mallctl == NULL) return ENOENT;
    return mallctl(name, oldp, oldlenp, newp, newlen);
}

const char *sluice_jemalloc_version(void) {
    const char *version = NULL;
    size_t length = sizeof(version);
    if (sluice_jemalloc_mallctl("version", &version, &length, NULL, 0) != 0) return NULL;
    return version;
}

static uint64_t *read_pointer(const char *name) {
    uint64_t *pointer = NULL;
    size_t length = sizeof(pointer);
    if (sluice_jemalloc_mallctl(name, &pointer, &length, NULL, 0) != 0) return NULL;
    return pointer;
}

uint64_t *sluice_jemalloc_thread_allocatedp(void) { return read_pointer("thread.allocatedp"); }
uint64_t *sluice_jemalloc_thread_deallocatedp(void) { return read_pointer("thread.deallocatedp"); }

int sluice_jemalloc_refresh_stats(void) {
    uint64_t epoch = 1;
    size_t length = sizeof(epoch);
    return sluice_jemalloc_mallctl("epoch", &epoch, &length, &epoch, length);
}

int sluice_jemalloc_read_u64(const char *name, uint64_t *value) {
    size_t length = sizeof(*value);
    return sluice_jemalloc_mallctl(name, value, &length, NULL, 0);
}

int sluice_jemalloc_read_size(const char *name, size_t *value) {
    size_t length = sizeof(*value);
    return sluice_jemalloc_mallctl(name, value, &length, NULL, 0);
}

// Layout of jemalloc 5.x's `hooks_t` (include/jemalloc/internal/hook.h), stable since 5.1.
typedef void (*sluice_hook_alloc)(void *extra, int type, void *result, uintptr_t result_raw, uintptr_t args_raw[3]);
typedef void (*sluice_hook_dalloc)(void *extra, int type, void *address, uintptr_t args_raw[3]);
typedef void (*sluice_hook_expand)(void *extra, int type, void *address, size_t old_usize, size_t new_usize,
                                   uintptr_t result_raw, uintptr_t args_raw[4]);
typedef struct {
    sluice_hook_alloc alloc_hook;
    sluice_hook_dalloc dalloc_hook;
    sluice_hook_expand expand_hook;
    void *extra;
} sluice_hooks_t;

static _Thread_local uint64_t thread_alloc_calls;
static _Thread_local uint64_t thread_free_calls;
static _Atomic uint64_t global_alloc_calls;
static _Atomic uint64_t global_alloc_bytes;

// The size an allocation call asked for, from the hook's raw arguments (jemalloc 5.x `hook_alloc_e` order:
// malloc, posix_memalign, aligned_alloc, calloc, memalign, valloc, pvalloc, mallocx, realloc, rallocx).
// The hook must not call back into jemalloc (malloc_usable_size does a full TSD fetch, which corrupts
// jemalloc's thread state when the allocation happens during thread teardown), so bytes are the requested
// sizes, not the usable sizes.
static uint64_t requested_size(int type, uintptr_t args_raw[3]) {
    switch (type) {
    case 0: case 5: case 6: case 7: return args_raw[0];   // malloc, valloc, pvalloc, mallocx
    case 1: return args_raw[2];                           // posix_memalign(memptr, alignment, size)
    case 2: case 4: case 8: case 9: return args_raw[1];   // aligned_alloc, memalign, realloc, rallocx
    case 3: return (uint64_t)args_raw[0] * (uint64_t)args_raw[1];  // calloc(count, size)
    default: return 0;
    }
}

static void on_alloc(void *extra, int type, void *result, uintptr_t result_raw, uintptr_t args_raw[3]) {
    (void)extra; (void)result_raw;
    thread_alloc_calls += 1;
    atomic_fetch_add_explicit(&global_alloc_calls, 1, memory_order_relaxed);
    if (result != NULL) {
        atomic_fetch_add_explicit(&global_alloc_bytes, requested_size(type, args_raw), memory_order_relaxed);
    }
}

static void on_dalloc(void *extra, int type, void *address, uintptr_t args_raw[3]) {
    (void)extra; (void)type; (void)args_raw;
    if (address != NULL) thread_free_calls += 1;
}

static bool hooks_installed;
static void *hooks_handle;

int sluice_alloc_hooks_install(void) {
    if (hooks_installed) return 0;
    static sluice_hooks_t hooks = {on_alloc, on_dalloc, NULL, NULL};
    size_t length = sizeof(hooks_handle);
    int status = sluice_jemalloc_mallctl("experimental.hooks.install", &hooks_handle, &length, &hooks, sizeof(hooks));
    if (status == 0) hooks_installed = true;
    return status;
}

uint64_t sluice_alloc_hook_thread_count(void) { return thread_alloc_calls; }
uint64_t sluice_alloc_hook_thread_free_count(void) { return thread_free_calls; }

uint64_t sluice_alloc_hook_global_count(void) { return atomic_load_explicit(&global_alloc_calls, memory_order_relaxed); }
uint64_t sluice_alloc_hook_global_bytes(void) { return atomic_load_explicit(&global_alloc_bytes, memory_order_relaxed); }

int sluice_alloc_hooks_remove(void) {
    if (!hooks_installed) return 0;
    int status = sluice_jemalloc_mallctl("experimental.hooks.remove", NULL, NULL, &hooks_handle, sizeof(hooks_handle));
    if (status == 0) hooks_installed = false;
    return status;
}
