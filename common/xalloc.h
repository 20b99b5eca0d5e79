/* common/xalloc.h - allocation that aborts on out-of-memory.
 *
 * Untrusted sizes are bounded by the caller *before* they reach these functions (see
 * common/bounds.h); past that point an allocation failure is not something the service can
 * recover from, so these abort with a message instead of returning NULL (as Redis's zmalloc does).
 * Callers therefore never check the result for NULL.
 */
#ifndef PW_COMMON_XALLOC_H
#define PW_COMMON_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
/* Returns the new block; the old pointer 'p' is dead after the call. */
void *xrealloc(void *p, size_t size);
/* Returns a copy of 's', or NULL when 's' is NULL. */
char *xstrdup(const char *s);
/* Returns a NUL-terminated copy of the 'len' bytes at 's'. */
char *xstrndup(const char *s, size_t len);

#define PW_ASSERT(cond) ((cond) ? (void)0 : pw_assert_fail(#cond, __FILE__, __LINE__))
void pw_assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));

#define PW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
