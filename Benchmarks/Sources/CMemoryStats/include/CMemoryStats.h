#ifndef SWIFT_XMPP_CMEMORY_STATS_H
#define SWIFT_XMPP_CMEMORY_STATS_H

/*
 * glibc's heap counters for the idle-sessions benchmark. Swift's Glibc
 * module does not export <malloc.h>, so mallinfo2 is reached through this
 * shim, which hands back plain integers.
 */

#include <stddef.h>

typedef struct {
    /* Bytes in chunks handed out by malloc and not freed (all arenas),
     * mmapped chunks included. */
    size_t in_use;
    /* Bytes malloc holds from the system: arenas plus mmapped chunks. */
    size_t held;
    /* Number of mmapped chunks (large allocations). */
    size_t mmapped_chunks;
} cmemory_heap_stats;

/* The counters now; all zero if this glibc has no mallinfo2. */
cmemory_heap_stats cmemory_heap_stats_now(void);

#endif
