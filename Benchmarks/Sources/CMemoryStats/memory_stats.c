#include "CMemoryStats.h"

#include <malloc.h>

cmemory_heap_stats cmemory_heap_stats_now(void) {
    cmemory_heap_stats stats = {0, 0, 0};
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    /* mallinfo2 sums every arena (the NIO threads allocate in their own). */
    struct mallinfo2 info = mallinfo2();
    stats.in_use = info.uordblks + info.hblkhd;
    stats.held = info.arena + info.hblkhd;
    stats.mmapped_chunks = info.hblks;
#endif
    return stats;
}
