#ifndef MICROBENCH_GNUTLS_PEER_H
#define MICROBENCH_GNUTLS_PEER_H

#include <stddef.h>
#include <stdint.h>

// ---- Throwaway PKI (pki.c) ----

/// A CA and a server certificate for one DNS name, both ECDSA P-256 and
/// SHA-256 signed, made in memory at start-up, plus the credentials each
/// end needs: the server's key pair and a client trust store holding the CA.
typedef struct tlspeer_pki tlspeer_pki;

/// Makes the PKI; NULL on failure with a static message in *error.
tlspeer_pki *tlspeer_pki_create(const char *dns_name, const char **error);
/// The CA certificate, PEM, NUL-terminated; owned by the PKI.
const char *tlspeer_pki_ca_pem(const tlspeer_pki *pki);
void tlspeer_pki_free(tlspeer_pki *pki);

// ---- In-memory endpoints (endpoint.c) ----

/// A GnuTLS session whose transport is two byte buffers: what the peer sent
/// (pulled by GnuTLS) and what GnuTLS pushed (taken by the driver).
typedef struct tlspeer_endpoint tlspeer_endpoint;

/// A server using the PKI's certificate and GnuTLS's default priorities.
tlspeer_endpoint *tlspeer_server_new(const tlspeer_pki *pki, const char **error);
/// A plain C client configured like the library's: default priorities with
/// `priority_append` appended, SNI `name`, the chain, name and TLS-server
/// purpose verified against the PKI's CA during the handshake.
tlspeer_endpoint *tlspeer_client_new(
    const tlspeer_pki *pki, const char *name, const char *priority_append, const char **error);
void tlspeer_free(tlspeer_endpoint *endpoint);

/// Appends bytes the peer sent.
int tlspeer_feed(tlspeer_endpoint *endpoint, const uint8_t *bytes, size_t count);
/// Moves everything `from` pushed into `to`'s input.
int tlspeer_transfer(tlspeer_endpoint *from, tlspeer_endpoint *to);
/// What the endpoint pushed since the last clear.
const uint8_t *tlspeer_output(const tlspeer_endpoint *endpoint, size_t *count);
void tlspeer_clear_output(tlspeer_endpoint *endpoint);
/// Unread input bytes.
size_t tlspeer_pending_input(const tlspeer_endpoint *endpoint);

/// One handshake step: 0 complete, 1 needs input, negative a GnuTLS error.
int tlspeer_handshake(tlspeer_endpoint *endpoint);
/// Sends `count` bytes as records of at most `record_size` plaintext bytes
/// (one gnutls_record_send each); 0 or a negative GnuTLS error.
int tlspeer_send(tlspeer_endpoint *endpoint, const uint8_t *bytes, size_t count, size_t record_size);
/// Decrypts every complete record in the input into `scratch` (discarded),
/// adding the plaintext bytes to *total; 0, or a negative GnuTLS error.
int tlspeer_receive_all(tlspeer_endpoint *endpoint, uint8_t *scratch, size_t capacity, uint64_t *total);
/// Sends close_notify without waiting for the peer's.
void tlspeer_bye(tlspeer_endpoint *endpoint);
/// GnuTLS's description of the negotiated session, e.g.
/// "(TLS1.3)-(ECDHE-X25519)-(ECDSA-SECP256R1-SHA256)-(AES-256-GCM)", into
/// `buffer` (NUL-terminated, truncated to `capacity`).
void tlspeer_describe(const tlspeer_endpoint *endpoint, char *buffer, size_t capacity);
/// GnuTLS's text for an error code.
const char *tlspeer_error_string(int code);

// ---- SCRAM in C (scram.c) ----

/// SaltedPassword = Hi(password, salt, iterations) with HMAC-SHA-1
/// (`sha256` 0) or HMAC-SHA-256: gnutls_pbkdf2, the floor of any SCRAM
/// client built on GnuTLS. Writes 20 or 32 bytes; 0 or a GnuTLS error.
int scram_salted_password(
    int sha256, const uint8_t *password, size_t password_length, const uint8_t *salt, size_t salt_length,
    unsigned iterations, uint8_t *out);

/// The whole RFC 5802 §3 client key schedule from the password: salted
/// password, ClientKey, StoredKey, ClientSignature, ClientProof and
/// ServerSignature, with the GnuTLS calls the library makes. Writes 20 or
/// 32 bytes to each output; 0 or a GnuTLS error.
int scram_client_keys(
    int sha256, const uint8_t *password, size_t password_length, const uint8_t *salt, size_t salt_length,
    unsigned iterations, const uint8_t *auth_message, size_t auth_message_length, uint8_t *client_proof,
    uint8_t *server_signature);

#endif
