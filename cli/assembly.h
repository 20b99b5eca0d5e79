/* cli/assembly.h - the audio chunks of one event put back together (`pipewright watch`).
 *
 * Everything taken from the wire is bounded before it is stored: at most MAX_CHUNKS chunks and
 * MAX_ARTIFACT_BYTES per artifact, at most MAX_ARTIFACTS distinct artifacts, and a chunk that
 * contradicts its siblings (count, size, codec, digest) spoils its artifact instead of the
 * output. An artifact is whole once every chunk is in and the SHA-256 of the joined chunks is
 * the one its chunks announce. Single-threaded.
 */
#ifndef PW_CLI_ASSEMBLY_H
#define PW_CLI_ASSEMBLY_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define MAX_CHUNKS 1024
#define MAX_ARTIFACT_BYTES (64LL * 1024 * 1024)
#define MAX_ARTIFACTS 4

/* One audio artifact being put back together, keyed by the digest its chunks announce. */
struct artifact {
    char sha256[65]; /* lower-case hex, from the first chunk */
    char codec[8];   /* "opus" or "wav" */
    int32_t chunk_count;
    int64_t total_bytes;
    unsigned char **chunks; /* 'chunk_count' slots, NULL until that chunk arrives */
    size_t *chunk_len;
    int32_t received;       /* chunks present */
    int64_t received_bytes; /* their bytes */
    int spoiled;            /* a contradiction was seen: ignore the rest */
};

/* All artifacts of the watched event; 'whole' is set once one is complete and verified. */
struct assembly {
    struct artifact a[MAX_ARTIFACTS];
    size_t n;
    unsigned char *whole; /* owned, 'whole_len' bytes */
    size_t whole_len;
    char whole_codec[8];
};

/* Adds one audio chunk of the watched event. Returns 1 when it completes a verified artifact
 * (as->whole is then set), 0 when it was stored or was an exact duplicate, -1 when it was
 * refused (the reason in 'why'). Copies what it keeps; 'ev' stays the caller's. */
int assembly_add(struct assembly *as, const struct audio_event *ev, char *why, size_t why_size);
/* Describes what has arrived of the audio, for the timeout message. */
void assembly_progress(const struct assembly *as, char *out, size_t out_size);
void assembly_fini(struct assembly *as);
/* Copies 'hex' lower-cased into 'out' (65 bytes). Returns 0, or -1 unless it is exactly 64 hex
 * digits. */
int sha256_hex_normalise(const char *hex, char out[65]);

#endif
