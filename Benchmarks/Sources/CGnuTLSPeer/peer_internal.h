#ifndef MICROBENCH_GNUTLS_PEER_INTERNAL_H
#define MICROBENCH_GNUTLS_PEER_INTERNAL_H

#include <gnutls/gnutls.h>

struct tlspeer_pki {
    gnutls_certificate_credentials_t server_credentials;
    gnutls_certificate_credentials_t client_credentials;
    char *ca_pem;
};

#endif
