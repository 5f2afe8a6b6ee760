#ifndef SWIFT_XMPP_CCACHE_NOISE_H
#define SWIFT_XMPP_CCACHE_NOISE_H

/*
 * What another process does to a CPU between two wake-ups of a receiver,
 * done in process so that a micro-benchmark can time a cold start: run code
 * the measured path never runs (evicting it from the instruction caches and
 * the branch predictors) and read and write data it never touches (evicting
 * its data from L1 and L2).
 */

#include <stddef.h>
#include <stdint.h>

/* Bytes of machine code cache_noise_run executes, roughly. */
size_t cache_noise_code_bytes(void);

/*
 * Runs every generated noise function once, then reads and writes one byte
 * in each 64-byte line of `buffer` (`length` bytes, may be 0). Returns a
 * value the caller should keep, so that nothing is optimised away.
 */
uint64_t cache_noise_run(uint8_t *buffer, size_t length);

/* A buffer for cache_noise_run, as one pointer for C callbacks. */
typedef struct {
    uint8_t *buffer;
    size_t length;
    uint64_t sink;
} cache_noise;

/* cache_noise_run on a `cache_noise *`, keeping the result in its sink. */
void cache_noise_callback(void *noise);

#endif
