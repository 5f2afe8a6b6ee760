/*
 * Raw-Expat baseline: the practical speed limit for any Expat-based stream
 * reader. It does the work a tree-building reader cannot avoid (copy every
 * name, attribute and text run out of Expat's buffers into heap memory it
 * owns) and nothing more, so the Swift reader's overhead over it is the cost
 * of its own data structures.
 */
#define _GNU_SOURCE
#include "CExpatBaseline.h"

#include <dlfcn.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One element of a stanza tree. */
typedef struct bl_node {
    char *name;          /* "namespace\x1Flocal" or "local", copied */
    char **attributes;   /* name0, value0, name1, value1, ... copied */
    size_t attribute_count;
    struct bl_node *parent;
    struct bl_node *first_child;
    struct bl_node *last_child;
    struct bl_node *next_sibling;
    char *text;          /* all character data directly inside, concatenated */
    size_t text_length;
    size_t text_capacity;
} bl_node;

typedef struct {
    XML_Parser parser;
    unsigned open;       /* elements currently open, the stream root included */
    bl_node *current;    /* innermost open element of the stanza being built */
    uint64_t stanzas;
    uint64_t weight;
} bl_state;

/* A benchmark cannot do anything useful without memory: stop loudly. */
static void *bl_malloc(size_t size) {
    void *pointer = malloc(size);
    if (pointer == NULL) {
        fputs("CExpatBaseline: out of memory\n", stderr);
        abort();
    }
    return pointer;
}

static char *bl_strdup(const char *string) {
    size_t length = strlen(string) + 1;
    char *copy = bl_malloc(length);
    memcpy(copy, string, length);
    return copy;
}

static bl_node *bl_node_create(const char *name, const char **atts) {
    bl_node *node = bl_malloc(sizeof *node);
    memset(node, 0, sizeof *node);
    node->name = bl_strdup(name);
    size_t count = 0;
    while (atts[2 * count] != NULL) count++;
    if (count > 0) {
        node->attributes = bl_malloc(2 * count * sizeof(char *));
        for (size_t i = 0; i < 2 * count; i++) node->attributes[i] = bl_strdup(atts[i]);
    }
    node->attribute_count = count;
    return node;
}

/* Frees a subtree and returns its weight (elements + attributes + text bytes),
 * the same figure the Swift side computes from its XMLElement. Weighing during
 * the free walk keeps the baseline at one traversal per stanza. */
static uint64_t bl_node_free(bl_node *node) {
    uint64_t weight = 1 + node->attribute_count + node->text_length;
    bl_node *child = node->first_child;
    while (child != NULL) {
        bl_node *next = child->next_sibling;
        weight += bl_node_free(child);
        child = next;
    }
    for (size_t i = 0; i < 2 * node->attribute_count; i++) free(node->attributes[i]);
    free(node->attributes);
    free(node->text);
    free(node->name);
    free(node);
    return weight;
}

static void XMLCALL bl_tree_start(void *data, const XML_Char *name, const XML_Char **atts) {
    bl_state *state = data;
    /* open == 0 is the stream header; the baseline keeps nothing of it. */
    if (state->open >= 1) {
        bl_node *node = bl_node_create(name, atts);
        bl_node *parent = state->current;
        if (parent != NULL) {
            node->parent = parent;
            if (parent->last_child != NULL) parent->last_child->next_sibling = node;
            else parent->first_child = node;
            parent->last_child = node;
        }
        state->current = node;
    }
    state->open++;
}

static void XMLCALL bl_tree_end(void *data, const XML_Char *name) {
    (void)name;
    bl_state *state = data;
    state->open--;
    if (state->open >= 1) {
        bl_node *node = state->current;
        state->current = node->parent;
        if (state->open == 1) {
            state->stanzas++;
            state->weight += bl_node_free(node);
        }
    }
}

static void XMLCALL bl_tree_text(void *data, const XML_Char *text, int length) {
    bl_state *state = data;
    bl_node *node = state->current;
    /* Text between stanzas (whitespace keepalives) belongs to no stanza. */
    if (node == NULL || length <= 0) return;
    size_t needed = node->text_length + (size_t)length;
    if (needed > node->text_capacity) {
        size_t capacity = node->text_capacity == 0 ? 64 : node->text_capacity;
        while (capacity < needed) capacity *= 2;
        char *grown = realloc(node->text, capacity);
        if (grown == NULL) {
            fputs("CExpatBaseline: out of memory\n", stderr);
            abort();
        }
        node->text = grown;
        node->text_capacity = capacity;
    }
    memcpy(node->text + node->text_length, text, (size_t)length);
    node->text_length = needed;
}

static void XMLCALL bl_count_start(void *data, const XML_Char *name, const XML_Char **atts) {
    (void)name;
    (void)atts;
    ((bl_state *)data)->open++;
}

static void XMLCALL bl_count_end(void *data, const XML_Char *name) {
    (void)name;
    bl_state *state = data;
    state->open--;
    if (state->open == 1) state->stanzas++;
}

static void XMLCALL bl_count_text(void *data, const XML_Char *text, int length) {
    (void)data;
    (void)text;
    (void)length;
}

typedef XML_Bool (*bl_set_deferral_fn)(XML_Parser, XML_Bool);

/* Looked up at run time, as the Swift reader does, so the baseline builds
 * against any Expat and disables deferral wherever it exists (2.6.0+ and
 * distribution backports such as Debian's 2.5.0-1+deb12u5). Deferral would
 * otherwise hold back large tokens across chunks and distort the timing. */
static bl_set_deferral_fn bl_deferral_setter(void) {
    static int looked_up = 0;
    static bl_set_deferral_fn setter = NULL;
    if (!looked_up) {
        setter = (bl_set_deferral_fn)dlsym(RTLD_DEFAULT, "XML_SetReparseDeferralEnabled");
        looked_up = 1;
    }
    return setter;
}

int cexpat_reparse_deferral_available(void) {
    return bl_deferral_setter() != NULL;
}

const char *cexpat_version_string(void) {
    return XML_ExpatVersion();
}

const char *cexpat_error_string(int code) {
    const XML_LChar *message = XML_ErrorString((enum XML_Error)code);
    return message != NULL ? message : "unknown error";
}

static double bl_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cexpat_baseline_run_timed(const uint8_t *bytes, size_t length, size_t chunk_size,
                               cexpat_mode mode, void (*before_chunk)(void *), void *context,
                               cexpat_result *result, double *parse_seconds) {
    memset(result, 0, sizeof *result);
    *parse_seconds = 0;
    bl_state state;
    memset(&state, 0, sizeof state);
    state.parser = XML_ParserCreateNS("UTF-8", '\x1F');
    if (state.parser == NULL) {
        result->error_code = XML_ERROR_NO_MEMORY;
        return;
    }
    bl_set_deferral_fn setter = bl_deferral_setter();
    if (setter != NULL) setter(state.parser, XML_FALSE);
    XML_SetUserData(state.parser, &state);
    if (mode == CEXPAT_MODE_TREE) {
        XML_SetElementHandler(state.parser, bl_tree_start, bl_tree_end);
        XML_SetCharacterDataHandler(state.parser, bl_tree_text);
    } else {
        XML_SetElementHandler(state.parser, bl_count_start, bl_count_end);
        XML_SetCharacterDataHandler(state.parser, bl_count_text);
    }

    int ok = 1;
    for (size_t offset = 0; ok && offset < length; offset += chunk_size) {
        size_t piece = length - offset < chunk_size ? length - offset : chunk_size;
        if (before_chunk != NULL) before_chunk(context);
        double start = bl_now();
        ok = XML_Parse(state.parser, (const char *)bytes + offset, (int)piece, XML_FALSE) == XML_STATUS_OK;
        *parse_seconds += bl_now() - start;
    }
    if (ok) ok = XML_Parse(state.parser, "", 0, XML_TRUE) == XML_STATUS_OK;

    result->ok = ok;
    if (!ok) {
        result->error_code = (int)XML_GetErrorCode(state.parser);
        result->error_line = (unsigned long)XML_GetCurrentLineNumber(state.parser);
        result->error_column = (unsigned long)XML_GetCurrentColumnNumber(state.parser);
    }
    /* A stanza left open by an error is still ours to free. */
    bl_node *node = state.current;
    while (node != NULL && node->parent != NULL) node = node->parent;
    if (node != NULL) bl_node_free(node);

    result->stanzas = state.stanzas;
    result->weight = state.weight;
    XML_ParserFree(state.parser);
}

void cexpat_baseline_run(const uint8_t *bytes, size_t length, size_t chunk_size,
                         cexpat_mode mode, cexpat_result *result) {
    double unused;
    cexpat_baseline_run_timed(bytes, length, chunk_size, mode, NULL, NULL, result, &unused);
}
