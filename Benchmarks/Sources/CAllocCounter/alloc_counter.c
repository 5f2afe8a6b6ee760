// Counts allocations by defining the malloc family in the executable: the
// dynamic linker binds every library's malloc calls (the Swift runtime's,
// NIO's, Expat's, GnuTLS's) to these definitions, which count and forward
// to glibc's own entry points (__libc_malloc and friends). free stays
// glibc's, which is consistent because the memory comes from glibc.
// Linux/glibc only, like the rest of the library.
#include "CAllocCounter.h"

#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

// Off by default: when off, the cost is one relaxed load and a branch, so
// the other benchmarks in this executable are not slowed.
static int counting;
static uint64_t calls;
static uint64_t bytes;

static inline void count(size_t size) {
    if (__atomic_load_n(&counting, __ATOMIC_RELAXED)) {
        __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(&bytes, (uint64_t)size, __ATOMIC_RELAXED);
    }
}

void alloc_counter_reset(void) {
    __atomic_store_n(&calls, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&bytes, 0, __ATOMIC_SEQ_CST);
}

void alloc_counter_set_enabled(int enabled) {
    __atomic_store_n(&counting, enabled ? 1 : 0, __ATOMIC_SEQ_CST);
}

alloc_counts alloc_counter_read(void) {
    alloc_counts result;
    result.calls = __atomic_load_n(&calls, __ATOMIC_SEQ_CST);
    result.bytes = __atomic_load_n(&bytes, __ATOMIC_SEQ_CST);
    return result;
}

void *malloc(size_t size) {
    count(size);
    return __libc_malloc(size);
}

void *calloc(size_t number, size_t size) {
    count(number * size);
    return __libc_calloc(number, size);
}

void *realloc(void *pointer, size_t size) {
    count(size);
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    count(size);
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count(size);
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    // The checks posix_memalign makes and __libc_memalign does not.
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) {
        return EINVAL;
    }
    count(size);
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) {
        return ENOMEM;
    }
    *result = pointer;
    return 0;
}

void *valloc(size_t size) {
    count(size);
    return __libc_valloc(size);
}

void *pvalloc(size_t size) {
    count(size);
    return __libc_pvalloc(size);
}
