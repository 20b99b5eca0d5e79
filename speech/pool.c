/* speech/pool.c - supervised speech worker processes, driven from the caller's libevent loop.
 *
 * Each worker is cfg->worker_exe run with cfg->worker_arg and its end of a socketpair on
 * SPEECH_WORKER_FD. A worker runs one job at a time; jobs wait in a FIFO bounded by max_queue.
 * The parent side is non-blocking: a request frame is written as the socket accepts it, a reply
 * is collected until its length prefix is satisfied (bounded by SPEECH_MAX_FRAME_).
 *
 * Failure handling, the reason this file exists: a worker that closes its socket (it crashed,
 * e.g. espeak-ng aborting on hostile text) or that exceeds the job timeout is killed with
 * SIGKILL and reaped at once, its current job - and only that one - gets its callback with an
 * error, and a new worker is started after a backoff that grows with consecutive failures
 * (0, 100 ms, 200 ms ... 5 s) and resets after a success. Workers also get PR_SET_PDEATHSIG so
 * they never outlive the parent.
 *
 * Callbacks run only from the loop, never inside speech_pool_submit() (a kick event starts the
 * work). speech_pool_free() called from a callback is deferred until the callback returns.
 * Thread: the loop thread of 'base' only.
 */
#include "speech.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "log.h"
#include "speech_int.h"
#include "xalloc.h"

#define DEFAULT_TIMEOUT_MS 30000
#define DEFAULT_MAX_QUEUE 1024
#define MAX_WORKERS 64
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 5000
#define READ_CHUNK 65536

struct job {
    struct job *next;
    struct buf frame; /* the encoded request */
    speech_done_cb *cb;
    void *arg;
};

struct worker {
    struct speech_pool *p;
    unsigned index;
    pid_t pid;                /* 0 when not running */
    int fd;                   /* parent end of the socketpair, -1 when not running */
    struct event *ev_read;    /* persistent while running */
    struct event *ev_write;   /* armed while a request is partly written */
    struct event *ev_timeout; /* the running job's deadline */
    struct event *ev_restart; /* backoff before the next start */
    struct job *job;          /* running job, or NULL when idle */
    size_t out_off;           /* bytes of job->frame already written */
    struct buf in;            /* reply bytes received so far */
    unsigned failures;        /* consecutive crashes and timeouts */
};

struct speech_pool {
    struct event_base *base;
    char *exe;
    char *arg;
    unsigned timeout_ms;
    unsigned max_queue;
    unsigned nworkers;
    struct worker *w;
    struct event *ev_kick;   /* runs dispatch() from the loop */
    struct job *head, *tail; /* waiting jobs */
    size_t queued;
    size_t running;
    unsigned long restarts;
    int in_callback;  /* callbacks on the stack */
    int free_pending; /* speech_pool_free() was called from a callback */
    int closing;      /* being freed: refuse new jobs */
};

static void on_read(evutil_socket_t fd, short what, void *arg);
static void on_write(evutil_socket_t fd, short what, void *arg);
static void pool_destroy(struct speech_pool *p);

static void
job_free(struct job *job)
{
    buf_fini(&job->frame);
    free(job);
}

/* Runs a job's callback and frees the job. Returns 1 when the pool was freed from inside the
 * callback: the caller must then return without touching 'p'. */
static int
job_finish(struct speech_pool *p, struct job *job, struct speech_result *res, const char *error)
{
    speech_done_cb *cb = job->cb;
    void *arg = job->arg;
    job_free(job);
    p->in_callback++;
    cb(res, error, arg);
    p->in_callback--;
    if (p->free_pending && p->in_callback == 0 && !p->closing) {
        pool_destroy(p);
        return 1;
    }
    return 0;
}

/* Starts worker 'w'. Returns 0, or -1 with 'errstr'. */
static int
worker_spawn(struct worker *w, char *errstr, size_t errstr_size)
{
    struct speech_pool *p = w->p;
    int sv[2];
    char *const argv[] = {p->exe, p->arg, NULL};

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
        snprintf(errstr, errstr_size, "socketpair: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid == -1) {
        snprintf(errstr, errstr_size, "fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        /* Child: async-signal-safe calls only until exec (the parent may have threads). */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (sv[1] == SPEECH_WORKER_FD) {
            fcntl(sv[1], F_SETFD, 0);
        } else if (dup2(sv[1], SPEECH_WORKER_FD) == -1) {
            _exit(127);
        }
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0 && null != 0) dup2(null, 0);
        /* nothing of the parent's (Kafka sockets, other workers) leaks into the worker */
        close_range(SPEECH_WORKER_FD + 1, ~0U, 0);
        execv(p->exe, argv);
        _exit(127);
    }
    close(sv[1]);
    int fl = fcntl(sv[0], F_GETFL);
    if (fl == -1 || fcntl(sv[0], F_SETFL, fl | O_NONBLOCK) == -1) {
        snprintf(errstr, errstr_size, "fcntl: %s", strerror(errno));
        close(sv[0]);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    w->pid = pid;
    w->fd = sv[0];
    w->ev_read = event_new(p->base, w->fd, EV_READ | EV_PERSIST, on_read, w);
    w->ev_write = event_new(p->base, w->fd, EV_WRITE, on_write, w);
    PW_ASSERT(w->ev_read != NULL && w->ev_write != NULL);
    event_add(w->ev_read, NULL);
    log_debug("speech", "WORKER_START", "worker=%u pid=%d", w->index, (int)pid);
    return 0;
}

/* Kills and reaps worker 'w' and releases its descriptor. Writes how it ended into 'how'. */
static void
worker_stop(struct worker *w, char *how, size_t how_size)
{
    int status = 0;
    if (w->ev_read) event_free(w->ev_read);
    if (w->ev_write) event_free(w->ev_write);
    w->ev_read = w->ev_write = NULL;
    event_del(w->ev_timeout);
    if (w->fd >= 0) close(w->fd);
    w->fd = -1;
    snprintf(how, how_size, "worker gone");
    if (w->pid > 0) {
        kill(w->pid, SIGKILL); /* harmless if it already exited: it is a zombie until reaped */
        pid_t r;
        while ((r = waitpid(w->pid, &status, 0)) == -1 && errno == EINTR) continue;
        if (r == w->pid && WIFSIGNALED(status)) {
            snprintf(how, how_size, "worker died of signal %d (%s)", WTERMSIG(status),
                     strsignal(WTERMSIG(status)));
        } else if (r == w->pid && WIFEXITED(status)) {
            snprintf(how, how_size, "worker exited with status %d", WEXITSTATUS(status));
        }
    }
    w->pid = 0;
    w->out_off = 0;
    buf_reset(&w->in);
}

static unsigned
backoff_ms(unsigned failures)
{
    if (failures <= 1) return 0;
    unsigned ms = BACKOFF_FIRST_MS;
    for (unsigned i = 2; i < failures && ms < BACKOFF_MAX_MS; i++) ms *= 2;
    return ms < BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS;
}

static void
schedule_restart(struct worker *w)
{
    unsigned ms = backoff_ms(w->failures);
    struct timeval tv = {ms / 1000, (long)(ms % 1000) * 1000};
    evtimer_add(w->ev_restart, &tv);
}

/* The worker failed ('why'): stop it, fail its job, schedule a fresh one. Returns 1 when the
 * pool was freed from the job's callback. */
static int
worker_failed(struct worker *w, const char *why)
{
    struct speech_pool *p = w->p;
    char how[128], msg[320];
    pid_t pid = w->pid;
    struct job *job = w->job;
    worker_stop(w, how, sizeof(how));
    w->job = NULL;
    w->failures++;
    p->restarts++;
    log_warn("speech", "WORKER_FAILED", "worker=%u pid=%d reason=\"%s\" how=\"%s\" job=%s",
             w->index, (int)pid, why, how, job ? "failed" : "none");
    schedule_restart(w);
    if (job == NULL) return 0;
    p->running--;
    snprintf(msg, sizeof(msg), "%s: %s", why, how);
    return job_finish(p, job, NULL, msg);
}

/* Writes what the socket accepts of the running job's request. Returns 1 if the pool was freed
 * (through a failure callback), else 0. */
static int
worker_flush(struct worker *w)
{
    struct job *job = w->job;
    while (w->out_off < job->frame.len) {
        ssize_t n = send(w->fd, job->frame.data + w->out_off, job->frame.len - w->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            w->out_off += (size_t)n;
        } else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            event_add(w->ev_write, NULL);
            return 0;
        } else if (!(n == -1 && errno == EINTR)) {
            char why[96];
            snprintf(why, sizeof(why), "write to worker: %s", strerror(errno));
            return worker_failed(w, why);
        }
    }
    return 0;
}

/* Gives waiting jobs to idle workers. Returns 1 if the pool was freed meanwhile. */
static int
dispatch(struct speech_pool *p)
{
    for (unsigned i = 0; i < p->nworkers && p->head != NULL; i++) {
        struct worker *w = &p->w[i];
        if (w->pid == 0 || w->job != NULL) continue;
        struct job *job = p->head;
        p->head = job->next;
        if (p->head == NULL) p->tail = NULL;
        job->next = NULL;
        p->queued--;
        p->running++;
        w->job = job;
        w->out_off = 0;
        struct timeval tv = {p->timeout_ms / 1000, (long)(p->timeout_ms % 1000) * 1000};
        evtimer_add(w->ev_timeout, &tv);
        if (worker_flush(w)) return 1;
    }
    return 0;
}

static void
on_kick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    dispatch(arg);
}

static void
on_write(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    (void)fd;
    (void)what;
    if (w->job != NULL) worker_flush(w);
}

/* A whole reply frame of 'len' bytes sits at the start of w->in: hand it to the job. Returns 1
 * if the pool was freed from the callback. */
static int
reply_complete(struct worker *w, size_t len)
{
    struct speech_pool *p = w->p;
    struct speech_result res;
    char err[1100];
    struct job *job = w->job;
    int rc = speech_proto_reply_decode_((const unsigned char *)w->in.data + 4, len, &res, err,
                                        sizeof(err));
    if (rc < 0) return worker_failed(w, "malformed reply");
    /* the worker is idle and healthy again before anyone else runs */
    size_t rest = w->in.len - 4 - len;
    memmove(w->in.data, w->in.data + 4 + len, rest);
    w->in.len = rest;
    w->in.data[rest] = '\0';
    w->job = NULL;
    w->failures = 0;
    event_del(w->ev_timeout);
    p->running--;
    /* on success the callee takes the contents of 'res' (speech.h) */
    return rc == 0 ? job_finish(p, job, &res, NULL) : job_finish(p, job, NULL, err);
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    struct speech_pool *p = w->p;
    (void)what;
    for (;;) {
        buf_reserve(&w->in, READ_CHUNK);
        ssize_t n = recv(fd, w->in.data + w->in.len, w->in.cap - w->in.len - 1, MSG_DONTWAIT);
        if (n > 0) {
            w->in.len += (size_t)n;
            w->in.data[w->in.len] = '\0';
        } else if (n == 0) {
            if (!worker_failed(w, "worker closed its socket")) dispatch(p);
            return;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        } else if (errno != EINTR) {
            char why[96];
            snprintf(why, sizeof(why), "read from worker: %s", strerror(errno));
            if (!worker_failed(w, why)) dispatch(p);
            return;
        }
    }
    while (w->in.len >= 4) {
        const unsigned char *h = (const unsigned char *)w->in.data;
        size_t len = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
        if (len > SPEECH_MAX_FRAME_ || w->job == NULL) {
            if (!worker_failed(w, w->job ? "reply too large" : "reply without a job")) dispatch(p);
            return;
        }
        if (w->in.len - 4 < len) break;
        if (reply_complete(w, len)) return;
        if (w->pid == 0) break; /* the reply was bad and the worker is gone */
    }
    dispatch(p);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    struct speech_pool *p = w->p;
    char why[96];
    (void)fd;
    (void)what;
    snprintf(why, sizeof(why), "speech job timed out after %u ms", p->timeout_ms);
    if (!worker_failed(w, why)) dispatch(p);
}

static void
on_restart(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    char err[160];
    (void)fd;
    (void)what;
    if (w->p->closing || w->pid != 0) return;
    if (worker_spawn(w, err, sizeof(err)) != 0) {
        w->failures++;
        log_error("speech", "WORKER_SPAWN_FAILED", "worker=%u error=\"%s\"", w->index, err);
        schedule_restart(w);
        return;
    }
    dispatch(w->p);
}

struct speech_pool *
speech_pool_new(struct event_base *base, const struct speech_pool_config *cfg, char *errstr,
                size_t errstr_size)
{
    if (cfg->worker_exe == NULL || cfg->worker_arg == NULL) {
        snprintf(errstr, errstr_size, "speech pool: worker_exe and worker_arg are required");
        return NULL;
    }
    if (access(cfg->worker_exe, X_OK) != 0) {
        /* caught here, a wrong path is a configuration error rather than endless restarts */
        snprintf(errstr, errstr_size, "speech pool: %s: %s", cfg->worker_exe, strerror(errno));
        return NULL;
    }
    struct speech_pool *p = xcalloc(1, sizeof(*p));
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    p->base = base;
    p->exe = xstrdup(cfg->worker_exe);
    p->arg = xstrdup(cfg->worker_arg);
    p->timeout_ms = cfg->job_timeout_ms ? cfg->job_timeout_ms : DEFAULT_TIMEOUT_MS;
    p->max_queue = cfg->max_queue ? cfg->max_queue : DEFAULT_MAX_QUEUE;
    p->nworkers = cfg->workers ? cfg->workers : (cores > 0 ? (unsigned)cores : 1);
    if (p->nworkers > MAX_WORKERS) p->nworkers = MAX_WORKERS;
    p->w = xcalloc(p->nworkers, sizeof(*p->w));
    p->ev_kick = event_new(base, -1, 0, on_kick, p);
    PW_ASSERT(p->ev_kick != NULL);
    for (unsigned i = 0; i < p->nworkers; i++) {
        struct worker *w = &p->w[i];
        w->p = p;
        w->index = i;
        w->fd = -1;
        buf_init(&w->in);
        w->ev_timeout = evtimer_new(base, on_timeout, w);
        w->ev_restart = evtimer_new(base, on_restart, w);
        PW_ASSERT(w->ev_timeout != NULL && w->ev_restart != NULL);
    }
    for (unsigned i = 0; i < p->nworkers; i++) {
        if (worker_spawn(&p->w[i], errstr, errstr_size) != 0) {
            pool_destroy(p);
            return NULL;
        }
    }
    return p;
}

int
speech_pool_submit(struct speech_pool *p, const struct speech_request *req, speech_done_cb *cb,
                   void *arg)
{
    if (p->closing || p->free_pending || p->queued >= p->max_queue) return -1;
    struct job *job = xcalloc(1, sizeof(*job));
    buf_init(&job->frame);
    speech_proto_request_encode_(req, &job->frame);
    job->cb = cb;
    job->arg = arg;
    if (p->tail) {
        p->tail->next = job;
    } else {
        p->head = job;
    }
    p->tail = job;
    p->queued++;
    event_active(p->ev_kick, 0, 0);
    return 0;
}

size_t
speech_pool_depth(const struct speech_pool *p)
{
    return p->queued + p->running;
}

unsigned long
speech_pool_restarts(const struct speech_pool *p)
{
    return p->restarts;
}

static void
pool_destroy(struct speech_pool *p)
{
    char how[128];
    p->closing = 1;
    p->in_callback++; /* callbacks below may call speech_pool_free(): already under way */
    for (unsigned i = 0; i < p->nworkers; i++) {
        struct worker *w = &p->w[i];
        struct job *job = w->job;
        if (w->pid != 0 || w->fd >= 0) worker_stop(w, how, sizeof(how));
        w->job = NULL;
        if (w->ev_timeout) event_free(w->ev_timeout);
        if (w->ev_restart) event_free(w->ev_restart);
        w->ev_timeout = w->ev_restart = NULL;
        buf_fini(&w->in);
        if (job) {
            p->running--;
            job_finish(p, job, NULL, "speech pool stopped");
        }
    }
    while (p->head) {
        struct job *job = p->head;
        p->head = job->next;
        p->queued--;
        job_finish(p, job, NULL, "speech pool stopped");
    }
    event_free(p->ev_kick);
    free(p->w);
    free(p->exe);
    free(p->arg);
    free(p);
}

void
speech_pool_free(struct speech_pool *p)
{
    if (p == NULL) return;
    if (p->in_callback) {
        p->free_pending = 1;
        return;
    }
    pool_destroy(p);
}
