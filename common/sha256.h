/* common/sha256.h - the SHA-256 of a buffer as 64 lower-case hex digits (libcrypto). */
#ifndef PW_COMMON_SHA256_H
#define PW_COMMON_SHA256_H

#include <stddef.h>

/* Writes the SHA-256 of 'len' bytes at 'data' into 'out' (65 bytes, NUL-terminated). Returns 0,
 * or -1 (then 'out' is the empty string) if libcrypto fails. */
int sha256_hex(const void *data, size_t len, char out[65]);

#endif
