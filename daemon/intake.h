/* daemon/intake.h - a consumed requirement message, headers and value, to a requirement.
 *
 * The message's "content-type" and "ce_*" headers decide whether it is a CloudEvent
 * (schemas/cloudevent.h: binary or structured content mode) or a plain requirement message
 * (schemas/wire.h); either way the result is the decoder's status and detail, for the DLQ.
 * Thread: the loop thread (uses the daemon's 'struct wire').
 */
#ifndef PW_DAEMON_INTAKE_H
#define PW_DAEMON_INTAKE_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "requirement.h"
#include "wire.h"

/* Decodes 'rkm' into 'req' (initialised here; owns nothing on failure). */
enum wire_status intake_decode(struct wire *w, const rd_kafka_message_t *rkm,
                               struct requirement *req, char *detail, size_t detail_size);

#endif
