/* bench/bench_advisor.c - reports per second of the advisor on one core, start-up excluded.
 *
 *   bench_advisor [-n ITERATIONS] REQUIREMENT.json...
 *
 * Parses each JSON requirement once, builds the advisor once (not timed), then runs
 * advisor_run() round-robin over the requirements ITERATIONS times on this thread and prints
 * the rate and the mean time per report. A benchmark, not a test: it never fails on speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "advisor.h"
#include "buf.h"
#include "requirement.h"
#include "wire.h"
#include "xalloc.h"

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
load(const char *path, struct requirement *req)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    struct buf b;
    buf_init(&b);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) buf_append(&b, chunk, n);
    fclose(f);
    char detail[256];
    enum wire_status st = requirement_json_parse(b.data ? b.data : "", b.len, req, detail,
                                                 sizeof(detail));
    buf_fini(&b);
    if (st != WIRE_OK) {
        fprintf(stderr, "%s: %s: %s\n", path, wire_status_str(st), detail);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    long iterations = 20000;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        iterations = strtol(argv[2], NULL, 10);
        first = 3;
    }
    int nreq = argc - first;
    if (nreq < 1 || iterations < 1) {
        fprintf(stderr, "usage: bench_advisor [-n ITERATIONS] REQUIREMENT.json...\n");
        return 64;
    }
    struct requirement *reqs = xcalloc((size_t)nreq, sizeof(*reqs));
    for (int i = 0; i < nreq; i++)
        if (load(argv[first + i], &reqs[i])) return 65;
    char err[256];
    struct advisor *a = advisor_new(err, sizeof(err));
    if (a == NULL) {
        fprintf(stderr, "advisor_new: %s\n", err);
        return 70;
    }
    size_t bytes = 0;
    double t0 = now_s();
    for (long i = 0; i < iterations; i++) {
        struct report rep;
        if (advisor_run(a, &reqs[i % nreq], NULL, &rep, err, sizeof(err)) != 0) {
            fprintf(stderr, "advisor_run: %s\n", err);
            return 70;
        }
        bytes += strlen(rep.json) + strlen(rep.markdown);
        report_fini(&rep);
    }
    double dt = now_s() - t0;
    printf("advisor: %ld reports over %d requirements in %.3f s: %.0f reports/s, %.1f us per "
           "report, %.1f KB of JSON+Markdown per report\n",
           iterations, nreq, dt, (double)iterations / dt, dt / (double)iterations * 1e6,
           (double)bytes / (double)iterations / 1024.0);
    for (int i = 0; i < nreq; i++) requirement_fini(&reqs[i]);
    free(reqs);
    advisor_free(a);
    return 0;
}
