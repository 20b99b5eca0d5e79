/* daemon/txn.h - the batch's actions performed on the loop (internal to daemon/).
 *
 * daemon/batch.c decides; this file does: it begins, commits and aborts the Kafka transaction
 * (settled in bounded steps from a timer), arms the batch timer, rewinds the input after an
 * abort, pauses intake while the schema registry is unreachable, and turns intake on and off.
 *
 * Thread: the loop thread.
 */
#ifndef PW_DAEMON_TXN_H
#define PW_DAEMON_TXN_H

struct daemon;

/* Performs the actions 'act' (BATCH_DO_* bits) in their declared order; 'why' is the reason
 * logged when a commit turned into an abort. */
void txn_perform(struct daemon *d, unsigned act, const char *why);
/* Opens a transaction for the first message of a batch. Returns 0 or -1 (fatal: stopping). */
int txn_open(struct daemon *d);
/* Aborts the open batch (nothing when idle or settling); 'rewind' seeks the input back to the
 * committed offsets once the abort is settled. The batch's jobs become stale at once. */
void txn_abort(struct daemon *d, const char *why, int rewind);
/* Intake runs unless something says stop (see txn.c). */
void intake_update(struct daemon *d);
/* Intake waits a while: the schema registry did not give a writer schema. */
void registry_pause(struct daemon *d);
/* The seconds registry_pause() waits. */
#define REGISTRY_RETRY_S 6 /* a little over the wire's own 5 s pause after a failed lookup */

#endif
