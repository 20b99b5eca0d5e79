/* speech/speech.h - spoken summaries: normalise text, synthesise, encode.
 *
 * Three layers, each usable alone:
 *  - speech_normalise(): pure text rewriting for the ear (numbers, units, money, acronyms and
 *    product names from a lexicon kept as data). No I/O.
 *  - speech_render(): synthesise and encode in *this* process (CLI use: `pipewright speak`,
 *    `pipewright advise --audio`). espeak-ng keeps global state and may abort on hostile text,
 *    so a long-lived process must not call this; it uses the pool.
 *  - struct speech_pool: supervised worker processes (the daemon re-executes itself with
 *    --speech-worker) driven from the caller's libevent loop. A worker crash costs one restart
 *    and fails only the job it was running.
 *
 * Voices are named "ENGINE:VOICE": "espeak-ng:en-us", "flite:rms", "flite:slt", "flite:kal16".
 */
#ifndef PW_SPEECH_SPEECH_H
#define PW_SPEECH_SPEECH_H

#include <stddef.h>

struct event_base;
struct buf;

enum speech_codec { SPEECH_CODEC_OPUS = 0, SPEECH_CODEC_WAV };

#define SPEECH_DEFAULT_VOICE "espeak-ng:en-us"
#define SPEECH_MIN_WPM 80 /* rate_wpm bounds; 0 means the voice's default */
#define SPEECH_MAX_WPM 450
/* A worker process finds its end of the socketpair on this descriptor (see speech_pool_new). */
#define SPEECH_WORKER_FD 3

struct speech_request {
    const char *text;  /* borrowed; UTF-8, any length (bounded by the library) */
    const char *voice; /* "ENGINE:VOICE" or NULL for SPEECH_DEFAULT_VOICE */
    int rate_wpm;      /* words per minute, 0 for the voice's default */
    enum speech_codec codec;
    int verbatim; /* 1: skip speech_normalise() and speak 'text' exactly (reproducing
                              * an engine bug, tests); the daemon leaves it 0 */
};

struct speech_result {
    unsigned char *audio; /* owned: Ogg Opus or WAV bytes */
    size_t audio_len;
    int sample_rate;   /* of the synthesiser, Hz */
    double duration_s; /* audio duration */
    char *spoken_text; /* owned: the normalised text actually synthesised */
    char *voice;       /* owned: the voice used, "ENGINE:VOICE" */
    enum speech_codec codec;
};

void speech_result_init(struct speech_result *res);
void speech_result_fini(struct speech_result *res);

/* Returns "opus" / "wav"; speech_codec_parse() returns -1 on an unknown name. */
const char *speech_codec_name(enum speech_codec c);
int speech_codec_parse(const char *s);

/* Checks that 'voice' names an engine and voice this build can speak. Returns 0 or -1. */
int speech_voice_check(const char *voice, char *errstr, size_t errstr_size);

/* Rewrites 'text' for a synthesiser into 'out' (appended): numbers and units as words,
 * lexicon respellings, control characters removed, at most PW_MAX_SPEECH_CHARS bytes. */
void speech_normalise(const char *text, struct buf *out);

/* Synthesises and encodes 'req' in this process. Returns 0, or -1 with 'errstr'. */
int speech_render(const struct speech_request *req, struct speech_result *res, char *errstr,
                  size_t errstr_size);

/* Entry point of a worker process: serves jobs on file descriptor 'fd' until EOF. */
int speech_worker_main(int fd);

struct speech_pool;

/* Called on the loop thread when a job ends. On success 'res' is non-NULL and the callee takes
 * its contents (it may move them out and must speech_result_fini() what it keeps); on failure
 * 'res' is NULL and 'error' says why (a worker crash, a timeout, a synthesis error). */
typedef void speech_done_cb(struct speech_result *res, const char *error, void *arg);

struct speech_pool_config {
    unsigned workers;        /* processes; 0 for one per core */
    const char *worker_exe;  /* program to run, e.g. "/proc/self/exe" */
    const char *worker_arg;  /* its argument, e.g. "--speech-worker" */
    unsigned job_timeout_ms; /* a job running longer kills its worker; 0 for 30000 */
    unsigned max_queue;      /* jobs waiting beyond it are refused by submit; 0 for 1024 */
};

/* Starts the workers: each runs 'worker_exe worker_arg' with its socket on SPEECH_WORKER_FD and
 * must call speech_worker_main(SPEECH_WORKER_FD). Returns NULL with 'errstr' when the program
 * cannot be executed or a process cannot be started. Thread: the loop of 'base' only. */
struct speech_pool *speech_pool_new(struct event_base *base, const struct speech_pool_config *cfg,
                                    char *errstr, size_t errstr_size);
/* Queues a job ('req' is copied). Returns 0, or -1 when the queue is full. */
int speech_pool_submit(struct speech_pool *p, const struct speech_request *req, speech_done_cb *cb,
                       void *arg);
/* Jobs queued or running. */
size_t speech_pool_depth(const struct speech_pool *p);
/* Worker restarts since start (crashes and timeouts). */
unsigned long speech_pool_restarts(const struct speech_pool *p);
/* Stops the workers; pending jobs get their callback with an error. */
void speech_pool_free(struct speech_pool *p);

#endif
