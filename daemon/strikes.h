/* daemon/strikes.h - messages whose own output made a batch abort (poison messages).
 *
 * After STRIKES_MAX aborts a message is skipped (logged and counted as failed), so one message
 * can never hold its partition for long. A fixed number of slots is kept; the oldest gives way.
 *
 * Thread: the loop thread.
 */
#ifndef PW_DAEMON_STRIKES_H
#define PW_DAEMON_STRIKES_H

#include <stdint.h>

#define STRIKES_MAX 3

struct daemon;

/* Counts one abort against the message at 'partition'/'offset'. */
void strike_add(struct daemon *d, int32_t partition, int64_t offset);
/* How many aborts the message has on its record (0 if none). When it has STRIKES_MAX or more,
 * its record is cleared: the caller skips it this once. */
int strike_take_if_poison(struct daemon *d, int32_t partition, int64_t offset);
void strikes_free(struct daemon *d);

#endif
