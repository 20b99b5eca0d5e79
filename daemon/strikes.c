/* daemon/strikes.c - messages that made batches abort, counted so that one is skipped after
 * STRIKES_MAX (strikes.h). */
#include "strikes.h"

#include <stdlib.h>

#include "daemon.h"
#include "xalloc.h"

#define STRIKES_SLOTS 64

struct strike {
    int32_t partition;
    int64_t offset;
    int count;
};

static int
strike_find(struct daemon *d, int32_t partition, int64_t offset)
{
    if (d->strikes == NULL) return -1;
    for (int i = 0; i < STRIKES_SLOTS; i++)
        if (d->strikes[i].count && d->strikes[i].partition == partition &&
            d->strikes[i].offset == offset)
            return i;
    return -1;
}

void
strike_add(struct daemon *d, int32_t partition, int64_t offset)
{
    if (d->strikes == NULL) d->strikes = xcalloc(STRIKES_SLOTS, sizeof(*d->strikes));
    int i = strike_find(d, partition, offset);
    if (i < 0) {
        i = d->strike_next++ % STRIKES_SLOTS; /* the oldest slot gives way */
        d->strikes[i].partition = partition;
        d->strikes[i].offset = offset;
        d->strikes[i].count = 0;
    }
    d->strikes[i].count++;
}

int
strike_take_if_poison(struct daemon *d, int32_t partition, int64_t offset)
{
    int i = strike_find(d, partition, offset);
    if (i < 0) return 0;
    int count = d->strikes[i].count;
    if (count >= STRIKES_MAX) d->strikes[i].count = 0;
    return count;
}

void
strikes_free(struct daemon *d)
{
    free(d->strikes);
    d->strikes = NULL;
}
