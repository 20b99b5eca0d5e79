/* common/clock.h - milliseconds from the two clocks the daemon reads.
 *
 * Monotonic time measures intervals (timeouts, silence, backoff); wall time stamps what people
 * read (when a request was consumed). Pure wrappers of clock_gettime; thread-safe.
 */
#ifndef PW_COMMON_CLOCK_H
#define PW_COMMON_CLOCK_H

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC: for intervals only. */
int64_t clock_monotonic_ms(void);
/* Microseconds of CLOCK_MONOTONIC: for intervals shorter than a millisecond (latencies). */
int64_t clock_monotonic_us(void);
/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t clock_wall_ms(void);

#endif
