/* tests/fuzz/fuzz_wire_audio.c - any bytes as an audio chunk event.
 *
 * An accepted chunk must encode again and decode to the same fields and data bytes.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
audio_eq(const struct audio_event *a, const struct audio_event *b)
{
    return fuzz_str_eq(a->event_id, b->event_id) && fuzz_str_eq(a->project_id, b->project_id) &&
           fuzz_str_eq(a->report_id, b->report_id) && fuzz_str_eq(a->codec, b->codec) &&
           fuzz_str_eq(a->voice, b->voice) && a->sample_rate == b->sample_rate &&
           a->duration_ms == b->duration_ms && fuzz_str_eq(a->text, b->text) &&
           fuzz_str_eq(a->sha256, b->sha256) && a->chunk_index == b->chunk_index &&
           a->chunk_count == b->chunk_count && a->total_bytes == b->total_bytes &&
           a->data_len == b->data_len && memcmp(a->data, b->data, a->data_len) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct audio_event_owned out, again;
    char detail[256];
    enum wire_status st = wire_audio_decode(fuzz_wire(), data, size, &out, detail, sizeof(detail));
    fuzz_require((unsigned)st < WIRE_STATUS_COUNT, "a known status");
    if (st != WIRE_OK) {
        fuzz_require(out.data == NULL && out.ev.event_id == NULL, "a refused chunk owns nothing");
        fuzz_require_agreement(detail);
        return 0;
    }
    fuzz_require(out.ev.data != NULL, "an accepted chunk has a data pointer");
    struct buf b;
    buf_init(&b);
    fuzz_require(wire_audio_encode(fuzz_wire(), &out.ev, &b) == 0, "a chunk encodes");
    st = wire_audio_decode(fuzz_wire(), b.data, b.len, &again, detail, sizeof(detail));
    fuzz_require(st == WIRE_OK, "a re-encoded chunk decodes");
    fuzz_require(audio_eq(&out.ev, &again.ev), "a re-encoded chunk is unchanged");
    audio_event_owned_fini(&again);
    audio_event_owned_fini(&out);
    buf_fini(&b);
    return 0;
}
