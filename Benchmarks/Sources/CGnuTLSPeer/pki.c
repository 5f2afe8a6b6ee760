// A throwaway PKI made with GnuTLS's X.509 API at start-up, so the TLS
// benchmark needs no files and no certtool: a self-signed CA and a server
// certificate for one DNS name (subjectAltName, serverAuth), ECDSA P-256.
#include "CGnuTLSPeer.h"
#include "peer_internal.h"

#include <gnutls/x509.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(call, message)      \
    do {                          \
        if ((call) < 0) {         \
            *error = (message);   \
            goto fail;            \
        }                         \
    } while (0)

static int new_key(gnutls_x509_privkey_t *key) {
    int rc = gnutls_x509_privkey_init(key);
    if (rc < 0) return rc;
    return gnutls_x509_privkey_generate(
        *key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
}

/// Version, serial, validity (an hour ago to a month ahead), CN and key.
static int fill_common(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, const char *cn, unsigned char serial) {
    time_t now = time(NULL);
    int rc;
    if ((rc = gnutls_x509_crt_set_version(crt, 3)) < 0) return rc;
    if ((rc = gnutls_x509_crt_set_serial(crt, &serial, 1)) < 0) return rc;
    if ((rc = gnutls_x509_crt_set_activation_time(crt, now - 3600)) < 0) return rc;
    if ((rc = gnutls_x509_crt_set_expiration_time(crt, now + 30 * 86400)) < 0) return rc;
    if ((rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, (unsigned)strlen(cn))) < 0) return rc;
    if ((rc = gnutls_x509_crt_set_key(crt, key)) < 0) return rc;
    unsigned char id[64];
    size_t id_size = sizeof id;
    if ((rc = gnutls_x509_crt_get_key_id(crt, 0, id, &id_size)) < 0) return rc;
    return gnutls_x509_crt_set_subject_key_id(crt, id, id_size);
}

tlspeer_pki *tlspeer_pki_create(const char *dns_name, const char **error) {
    tlspeer_pki *pki = calloc(1, sizeof *pki);
    gnutls_x509_privkey_t ca_key = NULL, server_key = NULL;
    gnutls_x509_crt_t ca = NULL, server = NULL;
    gnutls_datum_t pem = {NULL, 0};
    if (pki == NULL) {
        *error = "out of memory";
        return NULL;
    }
    CHECK(new_key(&ca_key), "CA key generation failed");
    CHECK(gnutls_x509_crt_init(&ca), "certificate init failed");
    CHECK(fill_common(ca, ca_key, "MicroBenchmark throwaway CA", 1), "CA fields refused");
    CHECK(gnutls_x509_crt_set_basic_constraints(ca, 1, -1), "CA constraints refused");
    CHECK(gnutls_x509_crt_set_key_usage(ca, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), "CA usage refused");
    CHECK(gnutls_x509_crt_sign2(ca, ca, ca_key, GNUTLS_DIG_SHA256, 0), "CA signing failed");

    CHECK(new_key(&server_key), "server key generation failed");
    CHECK(gnutls_x509_crt_init(&server), "certificate init failed");
    CHECK(fill_common(server, server_key, dns_name, 2), "server fields refused");
    CHECK(gnutls_x509_crt_set_subject_alt_name(
              server, GNUTLS_SAN_DNSNAME, dns_name, (unsigned)strlen(dns_name), GNUTLS_FSAN_SET),
        "server name refused");
    CHECK(gnutls_x509_crt_set_basic_constraints(server, 0, -1), "server constraints refused");
    CHECK(gnutls_x509_crt_set_key_usage(server, GNUTLS_KEY_DIGITAL_SIGNATURE), "server usage refused");
    CHECK(gnutls_x509_crt_set_key_purpose_oid(server, GNUTLS_KP_TLS_WWW_SERVER, 0), "server purpose refused");
    {
        unsigned char id[64];
        size_t id_size = sizeof id;
        CHECK(gnutls_x509_crt_get_subject_key_id(ca, id, &id_size, NULL), "CA key id missing");
        CHECK(gnutls_x509_crt_set_authority_key_id(server, id, id_size), "authority key id refused");
    }
    CHECK(gnutls_x509_crt_sign2(server, ca, ca_key, GNUTLS_DIG_SHA256, 0), "server signing failed");

    CHECK(gnutls_certificate_allocate_credentials(&pki->server_credentials), "credentials failed");
    CHECK(gnutls_certificate_set_x509_key(pki->server_credentials, &server, 1, server_key), "server key pair refused");
    CHECK(gnutls_certificate_allocate_credentials(&pki->client_credentials), "credentials failed");
    CHECK(gnutls_certificate_set_x509_trust(pki->client_credentials, &ca, 1), "CA refused as trust anchor");

    CHECK(gnutls_x509_crt_export2(ca, GNUTLS_X509_FMT_PEM, &pem), "CA export failed");
    pki->ca_pem = malloc(pem.size + 1);
    if (pki->ca_pem == NULL) {
        *error = "out of memory";
        goto fail;
    }
    memcpy(pki->ca_pem, pem.data, pem.size);
    pki->ca_pem[pem.size] = '\0';
    gnutls_free(pem.data);
    gnutls_x509_crt_deinit(server);
    gnutls_x509_crt_deinit(ca);
    gnutls_x509_privkey_deinit(server_key);
    gnutls_x509_privkey_deinit(ca_key);
    return pki;

fail:
    if (pem.data != NULL) gnutls_free(pem.data);
    if (server != NULL) gnutls_x509_crt_deinit(server);
    if (ca != NULL) gnutls_x509_crt_deinit(ca);
    if (server_key != NULL) gnutls_x509_privkey_deinit(server_key);
    if (ca_key != NULL) gnutls_x509_privkey_deinit(ca_key);
    tlspeer_pki_free(pki);
    return NULL;
}

const char *tlspeer_pki_ca_pem(const tlspeer_pki *pki) { return pki->ca_pem; }

void tlspeer_pki_free(tlspeer_pki *pki) {
    if (pki == NULL) return;
    if (pki->server_credentials != NULL) gnutls_certificate_free_credentials(pki->server_credentials);
    if (pki->client_credentials != NULL) gnutls_certificate_free_credentials(pki->client_credentials);
    free(pki->ca_pem);
    free(pki);
}
