#ifndef NACHET_COPENSSL_SHIM_H
#define NACHET_COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/hmac.h>

#endif
