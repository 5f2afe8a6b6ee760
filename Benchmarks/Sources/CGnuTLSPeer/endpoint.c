// GnuTLS sessions over two in-memory byte buffers, driven step by step by
// the benchmark: no sockets, no threads, so a handshake or a record costs
// only what GnuTLS (and the code under test) spends on it.
#include "CGnuTLSPeer.h"
#include "peer_internal.h"

#include <gnutls/x509.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct byte_buffer {
    uint8_t *bytes;
    size_t start;
    size_t end;
    size_t capacity;
} byte_buffer;

struct tlspeer_endpoint {
    gnutls_session_t session;
    byte_buffer input;
    byte_buffer output;
    // Only for clients: the typed data gnutls_session_set_verify_cert2
    // keeps pointers to for the session's lifetime.
    gnutls_typed_vdata_st verify_data[2];
    char *verify_name;
};

static int append(byte_buffer *buffer, const uint8_t *bytes, size_t count) {
    if (buffer->start == buffer->end) buffer->start = buffer->end = 0;
    if (buffer->end + count > buffer->capacity) {
        // Compact first; grow only if that is not enough.
        size_t live = buffer->end - buffer->start;
        memmove(buffer->bytes, buffer->bytes + buffer->start, live);
        buffer->start = 0;
        buffer->end = live;
        if (live + count > buffer->capacity) {
            size_t capacity = buffer->capacity ? buffer->capacity : 4096;
            while (capacity < live + count) capacity *= 2;
            uint8_t *grown = realloc(buffer->bytes, capacity);
            if (grown == NULL) return GNUTLS_E_MEMORY_ERROR;
            buffer->bytes = grown;
            buffer->capacity = capacity;
        }
    }
    memcpy(buffer->bytes + buffer->end, bytes, count);
    buffer->end += count;
    return 0;
}

static ssize_t pull(gnutls_transport_ptr_t pointer, void *data, size_t size) {
    tlspeer_endpoint *endpoint = pointer;
    byte_buffer *input = &endpoint->input;
    size_t available = input->end - input->start;
    if (available == 0) {
        // No bytes yet: "try again", which GnuTLS reports as GNUTLS_E_AGAIN.
        gnutls_transport_set_errno(endpoint->session, EAGAIN);
        return -1;
    }
    size_t count = available < size ? available : size;
    memcpy(data, input->bytes + input->start, count);
    input->start += count;
    return (ssize_t)count;
}

static ssize_t push(gnutls_transport_ptr_t pointer, const void *data, size_t size) {
    tlspeer_endpoint *endpoint = pointer;
    if (append(&endpoint->output, data, size) != 0) {
        gnutls_transport_set_errno(endpoint->session, ENOMEM);
        return -1;
    }
    return (ssize_t)size;
}

static tlspeer_endpoint *new_endpoint(unsigned flags, const char **error) {
    tlspeer_endpoint *endpoint = calloc(1, sizeof *endpoint);
    if (endpoint == NULL) {
        *error = "out of memory";
        return NULL;
    }
    if (gnutls_init(&endpoint->session, flags) < 0) {
        free(endpoint);
        *error = "gnutls_init failed";
        return NULL;
    }
    gnutls_transport_set_ptr(endpoint->session, endpoint);
    gnutls_transport_set_pull_function(endpoint->session, pull);
    gnutls_transport_set_push_function(endpoint->session, push);
    return endpoint;
}

tlspeer_endpoint *tlspeer_server_new(const tlspeer_pki *pki, const char **error) {
    tlspeer_endpoint *endpoint = new_endpoint(GNUTLS_SERVER, error);
    if (endpoint == NULL) return NULL;
    if (gnutls_set_default_priority(endpoint->session) < 0
        || gnutls_credentials_set(endpoint->session, GNUTLS_CRD_CERTIFICATE, pki->server_credentials) < 0) {
        *error = "server session setup failed";
        tlspeer_free(endpoint);
        return NULL;
    }
    return endpoint;
}

tlspeer_endpoint *tlspeer_client_new(
    const tlspeer_pki *pki, const char *name, const char *priority_append, const char **error) {
    tlspeer_endpoint *endpoint = new_endpoint(GNUTLS_CLIENT, error);
    if (endpoint == NULL) return NULL;
    const char *error_position = NULL;
    endpoint->verify_name = strdup(name);
    if (endpoint->verify_name == NULL
        || gnutls_set_default_priority_append(endpoint->session, priority_append, &error_position, 0) < 0
        || gnutls_credentials_set(endpoint->session, GNUTLS_CRD_CERTIFICATE, pki->client_credentials) < 0
        || gnutls_server_name_set(endpoint->session, GNUTLS_NAME_DNS, name, strlen(name)) < 0) {
        *error = "client session setup failed";
        tlspeer_free(endpoint);
        return NULL;
    }
    // The same check the library's verify function makes: chain, DNS name
    // and TLS-server key purpose, inside the handshake.
    endpoint->verify_data[0].type = GNUTLS_DT_DNS_HOSTNAME;
    endpoint->verify_data[0].data = (unsigned char *)endpoint->verify_name;
    endpoint->verify_data[0].size = (unsigned)strlen(name);
    endpoint->verify_data[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
    endpoint->verify_data[1].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
    endpoint->verify_data[1].size = (unsigned)strlen(GNUTLS_KP_TLS_WWW_SERVER);
    gnutls_session_set_verify_cert2(endpoint->session, endpoint->verify_data, 2, 0);
    return endpoint;
}

void tlspeer_free(tlspeer_endpoint *endpoint) {
    if (endpoint == NULL) return;
    gnutls_deinit(endpoint->session);
    free(endpoint->input.bytes);
    free(endpoint->output.bytes);
    free(endpoint->verify_name);
    free(endpoint);
}

int tlspeer_feed(tlspeer_endpoint *endpoint, const uint8_t *bytes, size_t count) {
    return append(&endpoint->input, bytes, count);
}

int tlspeer_transfer(tlspeer_endpoint *from, tlspeer_endpoint *to) {
    byte_buffer *output = &from->output;
    int rc = append(&to->input, output->bytes + output->start, output->end - output->start);
    output->start = output->end = 0;
    return rc;
}

const uint8_t *tlspeer_output(const tlspeer_endpoint *endpoint, size_t *count) {
    *count = endpoint->output.end - endpoint->output.start;
    return endpoint->output.bytes + endpoint->output.start;
}

void tlspeer_clear_output(tlspeer_endpoint *endpoint) { endpoint->output.start = endpoint->output.end = 0; }

size_t tlspeer_pending_input(const tlspeer_endpoint *endpoint) {
    return endpoint->input.end - endpoint->input.start;
}

int tlspeer_handshake(tlspeer_endpoint *endpoint) {
    for (;;) {
        int rc = gnutls_handshake(endpoint->session);
        if (rc == GNUTLS_E_SUCCESS) return 0;
        if (rc == GNUTLS_E_AGAIN) return 1;
        if (rc == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal(rc)) continue;
        return rc;
    }
}

int tlspeer_send(tlspeer_endpoint *endpoint, const uint8_t *bytes, size_t count, size_t record_size) {
    size_t offset = 0;
    while (offset < count) {
        size_t chunk = count - offset < record_size ? count - offset : record_size;
        ssize_t sent = gnutls_record_send(endpoint->session, bytes + offset, chunk);
        if (sent == GNUTLS_E_AGAIN || sent == GNUTLS_E_INTERRUPTED) continue;
        if (sent < 0) return (int)sent;
        offset += (size_t)sent;
    }
    return 0;
}

int tlspeer_receive_all(tlspeer_endpoint *endpoint, uint8_t *scratch, size_t capacity, uint64_t *total) {
    for (;;) {
        ssize_t received = gnutls_record_recv(endpoint->session, scratch, capacity);
        if (received > 0) {
            *total += (uint64_t)received;
            continue;
        }
        if (received == 0 || received == GNUTLS_E_AGAIN) return 0;
        if (received == GNUTLS_E_INTERRUPTED) continue;
        return (int)received;
    }
}

void tlspeer_bye(tlspeer_endpoint *endpoint) { (void)gnutls_bye(endpoint->session, GNUTLS_SHUT_WR); }

void tlspeer_describe(const tlspeer_endpoint *endpoint, char *buffer, size_t capacity) {
    if (capacity == 0) return;
    char *description = gnutls_session_get_desc(endpoint->session);
    if (description == NULL) {
        buffer[0] = '\0';
        return;
    }
    strncpy(buffer, description, capacity - 1);
    buffer[capacity - 1] = '\0';
    gnutls_free(description);
}

const char *tlspeer_error_string(int code) { return gnutls_strerror(code); }
