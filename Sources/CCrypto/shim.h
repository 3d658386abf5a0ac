// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but the one-shot EVP path
// looks the algorithm up by name on every call, which costs more than hashing an API key.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <openssl/rand.h>
