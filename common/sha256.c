/* common/sha256.c - SHA-256 as hex, for audio artifacts and the audio cache's keys. */
#include "sha256.h"

#include <openssl/evp.h>

int
sha256_hex(const void *data, size_t len, char out[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    if (EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) != 1 || md_len != 32) {
        out[0] = '\0';
        return -1;
    }
    for (unsigned int i = 0; i < 32; i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 0x0f];
    }
    out[64] = '\0';
    return 0;
}
