#ifndef MNTRADING_COPENSSLCRYPTO_SHIM_H
#define MNTRADING_COPENSSLCRYPTO_SHIM_H
// SHA-256 for the exchange archives' .CHECKSUM files.
#include <openssl/evp.h>
#endif
