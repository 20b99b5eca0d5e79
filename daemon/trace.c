/* daemon/trace.c - the W3C traceparent header of a message, checked before it is carried on. */
#include "trace.h"

#include "xalloc.h"

char *
traceparent_of(const rd_kafka_message_t *rkm)
{
    rd_kafka_headers_t *hdrs;
    const void *value;
    size_t size;
    if (rd_kafka_message_headers(rkm, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_header_get_last(hdrs, "traceparent", &value, &size) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        size != 55)
        return NULL;
    const char *v = value;
    for (size_t i = 0; i < size; i++) {
        int dash = i == 2 || i == 35 || i == 52;
        if (dash ? v[i] != '-' : !((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
            return NULL;
    }
    return xstrndup(v, size);
}
