/* common/embedded.h - data files compiled into the binary (see tools/embed.c).
 *
 * The build embeds the .avsc files of schemas/ and the files of advisor/data/ and speech/data/, so
 * that the binaries run from any directory with no data path to configure. Lookup is by the path
 * in the source tree.
 */
#ifndef PW_COMMON_EMBEDDED_H
#define PW_COMMON_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *path; /* e.g. "advisor/data/pricebook.tsv" */
    const char *data; /* NUL-terminated */
    size_t len;       /* without the NUL */
};

extern const struct embedded_file embedded_files[]; /* ends with a {NULL} row */

/* Returns the bytes of 'path' (and their length in '*len' when not NULL), or NULL. */
const char *embedded_file(const char *path, size_t *len);

#endif
