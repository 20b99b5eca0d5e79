/* cli/assembly.c - audio chunks reassembled by index and checked by SHA-256 (assembly.h). */
#include "assembly.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "xalloc.h"

static void
artifact_drop_chunks(struct artifact *art)
{
    for (int32_t i = 0; art->chunks != NULL && i < art->chunk_count; i++) free(art->chunks[i]);
    free(art->chunks);
    free(art->chunk_len);
    art->chunks = NULL;
    art->chunk_len = NULL;
}

void
assembly_fini(struct assembly *as)
{
    for (size_t i = 0; i < as->n; i++) artifact_drop_chunks(&as->a[i]);
    free(as->whole);
    memset(as, 0, sizeof(*as));
}

int
sha256_hex_normalise(const char *hex, char out[65])
{
    size_t i;

    for (i = 0; hex[i] != '\0' && i < 64; i++) {
        char c = hex[i];
        if (c >= 'A' && c <= 'F') c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return -1;
        out[i] = c;
    }
    if (i != 64 || hex[64] != '\0') return -1;
    out[64] = '\0';
    return 0;
}

/* Joins a complete artifact and checks its size and digest. Returns 1 and fills as->whole, or
 * -1 with the reason and the artifact spoiled. */
static int
artifact_finish(struct assembly *as, struct artifact *art, char *why, size_t why_size)
{
    unsigned char *whole;
    size_t off = 0;
    char digest[65];

    if (art->received_bytes != art->total_bytes) {
        snprintf(why, why_size, "chunks hold %lld bytes, total_bytes says %lld",
                 (long long)art->received_bytes, (long long)art->total_bytes);
        art->spoiled = 1;
        artifact_drop_chunks(art);
        return -1;
    }
    whole = xmalloc((size_t)art->total_bytes);
    for (int32_t i = 0; i < art->chunk_count; i++) {
        memcpy(whole + off, art->chunks[i], art->chunk_len[i]);
        off += art->chunk_len[i];
    }
    if (sha256_hex(whole, off, digest) != 0 || strcmp(digest, art->sha256) != 0) {
        snprintf(why, why_size, "SHA-256 of the joined chunks is %s, the events say %s", digest,
                 art->sha256);
        free(whole);
        art->spoiled = 1;
        artifact_drop_chunks(art);
        return -1;
    }
    artifact_drop_chunks(art);
    as->whole = whole;
    as->whole_len = off;
    snprintf(as->whole_codec, sizeof(as->whole_codec), "%s", art->codec);
    return 1;
}

/* Marks 'art' inconsistent: its chunks go, and later chunks of it are refused. */
static void
artifact_spoil(struct artifact *art)
{
    art->spoiled = 1;
    artifact_drop_chunks(art);
}

/* Checks one chunk on its own, 'sha' receiving its digest normalised. Returns 0 or -1. */
static int
chunk_check(const struct audio_event *ev, char sha[65], char *why, size_t why_size)
{
    int32_t idx = ev->chunk_index;
    if (ev->codec == NULL || (strcmp(ev->codec, "opus") != 0 && strcmp(ev->codec, "wav") != 0)) {
        snprintf(why, why_size, "unknown codec '%s'", ev->codec != NULL ? ev->codec : "");
        return -1;
    }
    if (ev->chunk_count < 1 || ev->chunk_count > MAX_CHUNKS) {
        snprintf(why, why_size, "chunk_count %d is outside 1..%d", (int)ev->chunk_count,
                 MAX_CHUNKS);
        return -1;
    }
    if (idx < 0 || idx >= ev->chunk_count) {
        snprintf(why, why_size, "chunk_index %d is outside 0..%d", (int)idx,
                 (int)ev->chunk_count - 1);
        return -1;
    }
    if (ev->total_bytes < 1 || ev->total_bytes > MAX_ARTIFACT_BYTES) {
        snprintf(why, why_size, "total_bytes %lld is outside 1..%lld", (long long)ev->total_bytes,
                 MAX_ARTIFACT_BYTES);
        return -1;
    }
    if ((int64_t)ev->data_len > ev->total_bytes || (ev->data_len > 0 && ev->data == NULL)) {
        snprintf(why, why_size, "chunk of %zu bytes in an artifact of %lld", ev->data_len,
                 (long long)ev->total_bytes);
        return -1;
    }
    if (ev->sha256 == NULL || sha256_hex_normalise(ev->sha256, sha) != 0) {
        snprintf(why, why_size, "sha256 is not 64 hex digits");
        return -1;
    }
    return 0;
}

/* The artifact of digest 'sha', a new one (shaped by 'ev') if none has it yet. Returns NULL
 * past MAX_ARTIFACTS. */
static struct artifact *
artifact_for(struct assembly *as, const struct audio_event *ev, const char sha[65], char *why,
             size_t why_size)
{
    for (size_t i = 0; i < as->n; i++)
        if (strcmp(as->a[i].sha256, sha) == 0) return &as->a[i];
    if (as->n == MAX_ARTIFACTS) {
        snprintf(why, why_size, "more than %d different artifacts for one event", MAX_ARTIFACTS);
        return NULL;
    }
    struct artifact *art = &as->a[as->n++];
    memset(art, 0, sizeof(*art));
    memcpy(art->sha256, sha, 65);
    snprintf(art->codec, sizeof(art->codec), "%s", ev->codec);
    art->chunk_count = ev->chunk_count;
    art->total_bytes = ev->total_bytes;
    art->chunks = xcalloc((size_t)art->chunk_count, sizeof(*art->chunks));
    art->chunk_len = xcalloc((size_t)art->chunk_count, sizeof(*art->chunk_len));
    return art;
}

int
assembly_add(struct assembly *as, const struct audio_event *ev, char *why, size_t why_size)
{
    struct artifact *art;
    char sha[65];
    int32_t idx = ev->chunk_index;

    if (as->whole != NULL) return 0;
    if (chunk_check(ev, sha, why, why_size) != 0) return -1;
    if ((art = artifact_for(as, ev, sha, why, why_size)) == NULL) return -1;
    if (art->spoiled) {
        snprintf(why, why_size, "artifact %.12s... was already found inconsistent", sha);
        return -1;
    }
    if (art->chunk_count != ev->chunk_count || art->total_bytes != ev->total_bytes ||
        strcmp(art->codec, ev->codec) != 0) {
        snprintf(why, why_size,
                 "chunk %d disagrees with its siblings on chunk_count, "
                 "total_bytes or codec",
                 (int)idx);
        artifact_spoil(art);
        return -1;
    }
    if (art->chunks[idx] != NULL) {
        if (art->chunk_len[idx] == ev->data_len &&
            memcmp(art->chunks[idx], ev->data, ev->data_len) == 0)
            return 0; /* a redelivered chunk: harmless */
        snprintf(why, why_size, "two different chunks with index %d", (int)idx);
        artifact_spoil(art);
        return -1;
    }
    if (art->received_bytes + (int64_t)ev->data_len > art->total_bytes) {
        snprintf(why, why_size, "chunks exceed total_bytes %lld", (long long)art->total_bytes);
        artifact_spoil(art);
        return -1;
    }
    /* One byte more than the data, so that an empty chunk still marks its slot as present. */
    art->chunks[idx] = xmalloc(ev->data_len + 1);
    if (ev->data_len > 0) memcpy(art->chunks[idx], ev->data, ev->data_len);
    art->chunk_len[idx] = ev->data_len;
    art->received++;
    art->received_bytes += (int64_t)ev->data_len;
    if (art->received < art->chunk_count) return 0;
    return artifact_finish(as, art, why, why_size);
}

void
assembly_progress(const struct assembly *as, char *out, size_t out_size)
{
    const struct artifact *best = NULL;

    if (as->whole != NULL) {
        snprintf(out, out_size, "audio complete");
        return;
    }
    for (size_t i = 0; i < as->n; i++)
        if (!as->a[i].spoiled && (best == NULL || as->a[i].received > best->received))
            best = &as->a[i];
    if (best != NULL)
        snprintf(out, out_size, "audio %d of %d chunks", (int)best->received,
                 (int)best->chunk_count);
    else if (as->n > 0)
        snprintf(out, out_size, "audio chunks seen but inconsistent");
    else
        snprintf(out, out_size, "no audio");
}
