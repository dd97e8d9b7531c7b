#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H

// Compile against the OpenSSL 3.0 API only: declarations deprecated in or before 3.0
// (SHA256_Init, HMAC_CTX_new, ...) are hidden, so Swift cannot call them.
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED 1

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

// Swift imports no function-like macros: these name the few that the TLS code needs. Each is
// the macro itself, nothing more.

static inline int mw_ssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline long mw_ssl_ctx_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

static inline long mw_ssl_mode_partial_write_moving_buffer(void) {
    return SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
}

/// No renegotiation (TLS 1.2), no compression (CRIME), an EOF without close_notify reads as an
/// orderly end, the server's cipher order wins.
static inline uint64_t mw_ssl_server_options(void) {
    return SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF
        | SSL_OP_CIPHER_SERVER_PREFERENCE;
}

static inline long mw_ssl_ctx_set_session_cache_server(SSL_CTX *ctx) {
    return SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
}

/// RFC 2253 form of a name (`CN=…,O=…`), UTF-8 kept as is.
static inline unsigned long mw_xn_flags_rfc2253_utf8(void) {
    return XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
}

#endif
