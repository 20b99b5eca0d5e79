/* common/embedded.c - lookup of data files compiled into the binary. */
#include "embedded.h"

#include <string.h>

const char *
embedded_file(const char *path, size_t *len)
{
    for (const struct embedded_file *f = embedded_files; f->path; f++) {
        if (strcmp(f->path, path) == 0) {
            if (len) *len = f->len;
            return f->data;
        }
    }
    return NULL;
}
