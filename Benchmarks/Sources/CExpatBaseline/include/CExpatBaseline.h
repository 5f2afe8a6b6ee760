#ifndef SWIFT_XMPP_CEXPAT_BASELINE_H
#define SWIFT_XMPP_CEXPAT_BASELINE_H

/*
 * The C reference the Swift XMLStreamReader is measured against: raw Expat
 * fed in fixed-size chunks, building a minimal tree per top-level stanza.
 * The header deliberately does not include <expat.h> so that the Swift
 * benchmark sees only plain C types.
 */

#include <stddef.h>
#include <stdint.h>

/* What the baseline does with each stanza. */
typedef enum {
    /* Build a minimal malloc'd tree per stanza, weigh it, free it. */
    CEXPAT_MODE_TREE = 0,
    /* Only count stanzas: the cost of Expat's tokenizer and callbacks alone. */
    CEXPAT_MODE_TOKENS_ONLY = 1,
} cexpat_mode;

/* The outcome of one pass over a corpus. */
typedef struct {
    /* Completed top-level children of the stream (depth 1). */
    uint64_t stanzas;
    /* Sum over stanzas of elements + attributes + text bytes (TREE mode only). */
    uint64_t weight;
    /* 1 if Expat accepted the whole corpus, 0 otherwise. */
    int ok;
    /* Expat's XML_Error code when ok == 0. */
    int error_code;
    /* Where Expat stopped when ok == 0. */
    unsigned long error_line;
    unsigned long error_column;
} cexpat_result;

/*
 * Parses `length` bytes of one XML stream, handing them to XML_Parse in
 * `chunk_size` pieces, then finishes the document. Creates and frees its own
 * parser, so every call does the same work.
 */
void cexpat_baseline_run(const uint8_t *bytes, size_t length, size_t chunk_size,
                         cexpat_mode mode, cexpat_result *result);

/*
 * As cexpat_baseline_run, but times only the XML_Parse calls (their sum in
 * seconds goes to `*parse_seconds`) and, unless `before_chunk` is NULL,
 * calls it with `context` before each chunk (untimed).
 */
void cexpat_baseline_run_timed(const uint8_t *bytes, size_t length, size_t chunk_size,
                               cexpat_mode mode, void (*before_chunk)(void *), void *context,
                               cexpat_result *result, double *parse_seconds);

/* 1 if this Expat exports XML_SetReparseDeferralEnabled (found via dlsym). */
int cexpat_reparse_deferral_available(void);

/* Expat's own version string, e.g. "expat_2.5.0". */
const char *cexpat_version_string(void);

/* Expat's message for an XML_Error code. */
const char *cexpat_error_string(int code);

#endif
