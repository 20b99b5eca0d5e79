/* speech/worker.c - the body of a speech worker process: read a job, render it, answer.
 *
 * A worker is the daemon binary re-executed with its socket on SPEECH_WORKER_FD (see pool.c).
 * It serves one job at a time with blocking I/O and exits on EOF, when its parent goes away.
 * It owns the process-global synthesiser state, so a synthesiser crash ends this process only;
 * the pool then fails that one job and starts a fresh worker. SIGINT and SIGTERM are ignored:
 * a terminal's Ctrl-C or a service manager's group signal reaches the parent, which decides.
 */
#include "speech_int.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "xalloc.h"

/* A request holds a bounded text plus a few fixed fields. */
#define MAX_REQUEST_FRAME (SPEECH_MAX_REQ_TEXT_ + SPEECH_MAX_VOICE_ + 64)

/* Reads exactly 'n' bytes. Returns 1, 0 on EOF before the first byte, -1 on error or a short
 * read. */
static int
read_full(int fd, unsigned char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r > 0) {
            got += (size_t)r;
        } else if (r == 0) {
            return got == 0 ? 0 : -1;
        } else if (errno != EINTR) {
            return -1;
        }
    }
    return 1;
}

static int
write_full(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && errno != EINTR) {
            return -1;
        }
    }
    return 0;
}

int
speech_worker_main(int fd)
{
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    struct buf reply;
    buf_init(&reply);
    int rc = 0;
    for (;;) {
        unsigned char hdr[4];
        int r = read_full(fd, hdr, sizeof(hdr));
        if (r == 0) break; /* the pool closed the socket: done */
        if (r < 0) {
            rc = 1;
            break;
        }
        size_t len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
        if (len > MAX_REQUEST_FRAME) {
            rc = 1; /* not our protocol: stop rather than guess */
            break;
        }
        unsigned char *payload = xmalloc(len ? len : 1);
        if (read_full(fd, payload, len) != 1 && len > 0) {
            free(payload);
            rc = 1;
            break;
        }
        struct speech_request req;
        struct speech_result res;
        char err[512];
        buf_reset(&reply);
        if (speech_proto_request_decode_(payload, len, &req) != 0) {
            speech_proto_reply_encode_(NULL, "malformed request", &reply);
        } else if (speech_render(&req, &res, err, sizeof(err)) != 0) {
            speech_proto_reply_encode_(NULL, err, &reply);
        } else {
            speech_proto_reply_encode_(&res, NULL, &reply);
            speech_result_fini(&res);
        }
        free(payload);
        free((char *)req.text);
        free((char *)req.voice);
        if (write_full(fd, reply.data, reply.len) != 0) {
            rc = 1;
            break;
        }
    }
    buf_fini(&reply);
    close(fd);
    return rc;
}
