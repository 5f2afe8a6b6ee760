#ifndef MICROBENCH_ALLOC_COUNTER_H
#define MICROBENCH_ALLOC_COUNTER_H

#include <stdint.h>

/// Calls to malloc, calloc, realloc, posix_memalign, aligned_alloc,
/// memalign, valloc and pvalloc, and the bytes they asked for, since the
/// last reset, counted only while counting is on (every thread).
typedef struct alloc_counts {
    uint64_t calls;
    uint64_t bytes;
} alloc_counts;

void alloc_counter_reset(void);
void alloc_counter_set_enabled(int enabled);
alloc_counts alloc_counter_read(void);

#endif
