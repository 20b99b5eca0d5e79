/* tests/fuzz/fuzz_wire_report.c - any bytes as a report event (what `pipewright watch` reads).
 *
 * An accepted report must encode again and decode to the same fields. Bytes are not compared,
 * since Avro allows more than one encoding of a varint.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
report_eq(const struct report_event *a, const struct report_event *b)
{
    for (int i = 0; i < 7; i++)
        if (!fuzz_str_eq(a->sections[i], b->sections[i])) return 0;
    return fuzz_str_eq(a->event_id, b->event_id) && fuzz_str_eq(a->project_id, b->project_id) &&
           fuzz_str_eq(a->report_id, b->report_id) && a->version == b->version &&
           fuzz_str_eq(a->engine_version, b->engine_version) &&
           a->created_at_ms == b->created_at_ms && fuzz_str_eq(a->markdown, b->markdown) &&
           fuzz_str_eq(a->report_json, b->report_json) &&
           fuzz_str_eq(a->audio_status, b->audio_status);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct report_event_owned out, again;
    char detail[256];
    enum wire_status st = wire_report_decode(fuzz_wire(), data, size, &out, detail, sizeof(detail));
    fuzz_require((unsigned)st < WIRE_STATUS_COUNT, "a known status");
    if (st != WIRE_OK) {
        fuzz_require(out.ev.event_id == NULL, "a refused report owns nothing");
        fuzz_require_agreement(detail);
        return 0;
    }
    struct buf b;
    buf_init(&b);
    fuzz_require(wire_report_encode(fuzz_wire(), &out.ev, &b) == 0, "a report encodes");
    st = wire_report_decode(fuzz_wire(), b.data, b.len, &again, detail, sizeof(detail));
    fuzz_require(st == WIRE_OK, "a re-encoded report decodes");
    fuzz_require(report_eq(&out.ev, &again.ev), "a re-encoded report is unchanged");
    report_event_owned_fini(&again);
    report_event_owned_fini(&out);
    buf_fini(&b);
    return 0;
}
