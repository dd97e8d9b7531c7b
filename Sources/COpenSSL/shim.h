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

#endif
