// The SCRAM client key schedule (RFC 5802 §3) in C on GnuTLS, making the
// calls the library's SASLCrypto makes: the floor for the SCRAM benchmark.
#include "CGnuTLSPeer.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

int scram_salted_password(
    int sha256, const uint8_t *password, size_t password_length, const uint8_t *salt, size_t salt_length,
    unsigned iterations, uint8_t *out) {
    gnutls_datum_t key = {(unsigned char *)password, (unsigned)password_length};
    gnutls_datum_t salt_datum = {(unsigned char *)salt, (unsigned)salt_length};
    return gnutls_pbkdf2(
        sha256 ? GNUTLS_MAC_SHA256 : GNUTLS_MAC_SHA1, &key, &salt_datum, iterations, out, sha256 ? 32 : 20);
}

int scram_client_keys(
    int sha256, const uint8_t *password, size_t password_length, const uint8_t *salt, size_t salt_length,
    unsigned iterations, const uint8_t *auth_message, size_t auth_message_length, uint8_t *client_proof,
    uint8_t *server_signature) {
    gnutls_mac_algorithm_t mac = sha256 ? GNUTLS_MAC_SHA256 : GNUTLS_MAC_SHA1;
    gnutls_digest_algorithm_t digest = sha256 ? GNUTLS_DIG_SHA256 : GNUTLS_DIG_SHA1;
    size_t length = sha256 ? 32 : 20;
    uint8_t salted[32], client_key[32], stored_key[32], client_signature[32], server_key[32];
    int rc = scram_salted_password(sha256, password, password_length, salt, salt_length, iterations, salted);
    if (rc < 0) return rc;
    if ((rc = gnutls_hmac_fast(mac, salted, length, "Client Key", 10, client_key)) < 0) return rc;
    if ((rc = gnutls_hash_fast(digest, client_key, length, stored_key)) < 0) return rc;
    if ((rc = gnutls_hmac_fast(mac, stored_key, length, auth_message, auth_message_length, client_signature)) < 0)
        return rc;
    for (size_t i = 0; i < length; i++) client_proof[i] = client_key[i] ^ client_signature[i];
    if ((rc = gnutls_hmac_fast(mac, salted, length, "Server Key", 10, server_key)) < 0) return rc;
    if ((rc = gnutls_hmac_fast(mac, server_key, length, auth_message, auth_message_length, server_signature)) < 0)
        return rc;
    // As the library does: secrets do not outlive the computation.
    gnutls_memset(salted, 0, sizeof salted);
    gnutls_memset(client_key, 0, sizeof client_key);
    gnutls_memset(stored_key, 0, sizeof stored_key);
    gnutls_memset(server_key, 0, sizeof server_key);
    return 0;
}
