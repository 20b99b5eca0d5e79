/* daemon/trace.h - the W3C trace context a message carries (header 'traceparent'). */
#ifndef PW_DAEMON_TRACE_H
#define PW_DAEMON_TRACE_H

#include <librdkafka/rdkafka.h>

/* Returns a copy (the caller frees it) of the message's last 'traceparent' header when it is
 * well-formed (version-traceid-parentid-flags, 55 characters, lowercase hex), else NULL. */
char *traceparent_of(const rd_kafka_message_t *rkm);

#endif
