/* daemon/intake.c - hands a consumed message's CloudEvents headers and value to schemas/. */
#include "intake.h"

#include <string.h>
#include <strings.h>

#include "cloudevent.h"

/* Headers looked at beyond CE_MAX_HEADERS: enough for content-type and for the decoder to see
 * that there were too many ce_ headers. */
#define INTAKE_MAX_HEADERS (CE_MAX_HEADERS + 4)

enum wire_status
intake_decode(struct wire *w, const rd_kafka_message_t *rkm, struct requirement *req, char *detail,
              size_t detail_size)
{
    struct ce_header hdrs[INTAKE_MAX_HEADERS];
    size_t n = 0;
    rd_kafka_headers_t *h;
    if (rd_kafka_message_headers(rkm, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char *name;
        const void *value;
        size_t size;
        for (size_t i = 0;
             n < INTAKE_MAX_HEADERS &&
             rd_kafka_header_get_all(h, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
             i++) {
            if (strcasecmp(name, "content-type") != 0 && strncasecmp(name, "ce_", 3) != 0) continue;
            hdrs[n++] = (struct ce_header){name, strlen(name), value, value ? size : 0};
        }
    }
    return ce_requirement_decode(w, hdrs, n, rkm->payload, rkm->len, req, NULL, detail,
                                 detail_size);
}
