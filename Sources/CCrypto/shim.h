// Debian's libcrypto (OpenSSL 3, package libssl-dev): only the EVP digest API is used, for SHA-256.
#include <openssl/evp.h>
