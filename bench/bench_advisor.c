/* bench/bench_advisor.c - reports per second of the advisor on one core, start-up excluded.
 *
 *   bench_advisor [-n ITERATIONS] [--scripts DIR] FILE...
 *
 * A FILE is either a scenario (an object with "structured" and "text", as in
 * tests/scenarios/q*.json: it yields two requirements, the structured and the free-text form, built
 * the way the scenario scorer builds them) or a plain requirement JSON object. Every requirement
 * is parsed once; the advisor is built once (not timed); then advisor_run() runs round-robin over
 * the requirements ITERATIONS times on this thread. Prints one logfmt line with the wall-clock and
 * CPU-time rates. --scripts writes each requirement's audio script to DIR/NNN.txt, the input of
 * bench_speech, so that speech is measured on the text the daemon would speak.
 *
 * A benchmark, not a test: it never fails on speed, only on an advisor or input error.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "advisor.h"
#include "buf.h"
#include "requirement.h"
#include "wire.h"
#include "xalloc.h"

#define MAX_INPUT_BYTES (4u << 20) /* a scenario is a few kilobytes; refuse anything absurd */

struct corpus {
    struct requirement *reqs;
    int n;
    int cap;
};

static double
clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
corpus_add_json(struct corpus *c, json_t *obj, const char *what)
{
    char *text = json_dumps(obj, JSON_COMPACT);
    if (text == NULL) {
        fprintf(stderr, "%s: cannot serialise\n", what);
        return -1;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->reqs = xrealloc(c->reqs, (size_t)c->cap * sizeof(*c->reqs));
    }
    char detail[256];
    enum wire_status st = requirement_json_parse(text, strlen(text), &c->reqs[c->n], detail,
                                                 sizeof(detail));
    free(text);
    if (st != WIRE_OK) {
        fprintf(stderr, "%s: %s: %s\n", what, wire_status_str(st), detail);
        return -1;
    }
    c->n++;
    return 0;
}

/* Ids are required by the parser but play no part in the report's content. */
static void
set_ids(json_t *req, const char *path, const char *form)
{
    char id[512];
    snprintf(id, sizeof(id), "bench-%s-%s", form, path);
    if (json_object_get(req, "event_id") == NULL)
        json_object_set_new(req, "event_id", json_string(id));
    if (json_object_get(req, "project_id") == NULL)
        json_object_set_new(req, "project_id", json_string(id));
}

/* The two forms of a scenario, as the scenario scorer sends them. */
static int
corpus_add_scenario(struct corpus *c, json_t *sc, const char *path)
{
    json_t *title = json_object_get(sc, "title");
    json_t *structured = json_object_get(sc, "structured");
    json_t *text = json_object_get(sc, "text");
    if (!json_is_object(structured) || !json_is_string(text)) {
        fprintf(stderr, "%s: a scenario needs 'structured' and 'text'\n", path);
        return -1;
    }
    json_t *req = json_deep_copy(structured);
    if (title) json_object_set(req, "title", title);
    json_object_set_new(req, "description", json_string(""));
    set_ids(req, path, "structured");
    int rc = corpus_add_json(c, req, path);
    json_decref(req);
    if (rc) return -1;

    req = json_object();
    if (title) json_object_set(req, "title", title);
    json_object_set(req, "description", text);
    set_ids(req, path, "text");
    rc = corpus_add_json(c, req, path);
    json_decref(req);
    return rc;
}

static int
corpus_load(struct corpus *c, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > MAX_INPUT_BYTES) {
        fprintf(stderr, "%s: not a regular file of at most %u bytes\n", path, MAX_INPUT_BYTES);
        return -1;
    }
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL) {
        fprintf(stderr, "%s:%d: %s\n", path, jerr.line, jerr.text);
        return -1;
    }
    int rc;
    if (!json_is_object(root)) {
        fprintf(stderr, "%s: not a JSON object\n", path);
        rc = -1;
    } else if (json_object_get(root, "structured") != NULL) {
        rc = corpus_add_scenario(c, root, path);
    } else {
        set_ids(root, path, "plain");
        rc = corpus_add_json(c, root, path);
    }
    json_decref(root);
    return rc;
}

static int
write_scripts(const struct advisor *a, const struct corpus *c, const char *dir)
{
    char err[256];
    for (int i = 0; i < c->n; i++) {
        struct report rep;
        if (advisor_run(a, &c->reqs[i], NULL, &rep, err, sizeof(err)) != 0) {
            fprintf(stderr, "advisor_run: %s\n", err);
            return -1;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/%03d.txt", dir, i);
        FILE *f = fopen(path, "w");
        int ok = f != NULL && fputs(rep.audio_script, f) >= 0;
        if (f != NULL && fclose(f) != 0) ok = 0;
        report_fini(&rep);
        if (!ok) {
            perror(path);
            return -1;
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    long iterations = 20000;
    const char *scripts_dir = NULL;
    int first = 1;
    while (first < argc && argv[first][0] == '-') {
        if (strcmp(argv[first], "-n") == 0 && first + 1 < argc) {
            iterations = strtol(argv[first + 1], NULL, 10);
        } else if (strcmp(argv[first], "--scripts") == 0 && first + 1 < argc) {
            scripts_dir = argv[first + 1];
        } else {
            break;
        }
        first += 2;
    }
    if (first >= argc || iterations < 0) {
        fprintf(stderr, "usage: bench_advisor [-n ITERATIONS] [--scripts DIR] FILE...\n");
        return 64;
    }
    struct corpus c = {0};
    int status = 0;
    for (int i = first; i < argc; i++)
        if (corpus_load(&c, argv[i])) status = 65;
    char err[256];
    struct advisor *a = status ? NULL : advisor_new(err, sizeof(err));
    if (status == 0 && a == NULL) {
        fprintf(stderr, "advisor_new: %s\n", err);
        status = 70;
    }
    if (status == 0 && scripts_dir != NULL && write_scripts(a, &c, scripts_dir) != 0) status = 73;

    size_t bytes = 0;
    double wall0 = clock_s(CLOCK_MONOTONIC), cpu0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    for (long i = 0; status == 0 && i < iterations; i++) {
        struct report rep;
        if (advisor_run(a, &c.reqs[i % c.n], NULL, &rep, err, sizeof(err)) != 0) {
            fprintf(stderr, "advisor_run: %s\n", err);
            status = 70;
            break;
        }
        bytes += strlen(rep.json) + strlen(rep.markdown);
        report_fini(&rep);
    }
    double wall = clock_s(CLOCK_MONOTONIC) - wall0, cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    if (status == 0 && iterations > 0) {
        printf("bench=advisor requirements=%d reports=%ld wall_s=%.3f cpu_s=%.3f "
               "reports_per_s=%.0f reports_per_cpu_s=%.0f us_per_report=%.1f "
               "report_kb=%.1f\n",
               c.n, iterations, wall, cpu, (double)iterations / wall, (double)iterations / cpu,
               cpu / (double)iterations * 1e6, (double)bytes / (double)iterations / 1024.0);
    }
    for (int i = 0; i < c.n; i++) requirement_fini(&c.reqs[i]);
    free(c.reqs);
    advisor_free(a);
    return status;
}
