/* tests/unit/test_diagram.c - the diagram's SVG rendering (daemon/diagram.c) with Graphviz.
 *
 * daemon/ objects are not in the library every test links, so diagram.c is compiled into this
 * file (the Makefile links Graphviz for it). The advisor's largest diagram (12 sources with
 * names of the longest allowed length, every consumer) must fit the bounds and render in a
 * few milliseconds; hostile DOT (too big, a NUL, attributes that read files or link out,
 * HTML-like labels, subgraphs, too many nodes or edges) must be refused before layout, and a
 * refusal must leave Graphviz able to render the next diagram.
 */
#include "../../daemon/diagram.c"

#include <stdlib.h>
#include <time.h>

#include "advisor.h"
#include "bounds.h"
#include "check.h"
#include "requirement.h"
#include "xalloc.h"

static const char small_dot[] =
    "digraph pipeline {\n  rankdir=LR;\n"
    "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n"
    "  src0 [label=\"orders <db> & \\\"quotes\\\"\\ndatabase, 5 GB/day\", shape=cylinder];\n"
    "  ing0 [label=\"Debezium\"];\n  src0 -> ing0;\n  ing0 -> lake;\n"
    "  lake [label=\"S3\\nstorage\", shape=folder];\n"
    "  orch [label=\"Airflow\", shape=note];\n  orch -> lake [style=dashed];\n}\n";

static size_t
count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

/* Renders 'dot'; returns 0 or -1, with the SVG in 'out' and why in 'err'. */
static int
render_str(const char *dot, struct buf *out, char *err, size_t size)
{
    buf_reset(out);
    return diagram_svg(dot, strlen(dot), out, err, size);
}

static void
test_renders_svg_with_escaped_labels(void)
{
    struct buf out;
    char err[160] = "";
    buf_init(&out);
    CHECK(render_str(small_dot, &out, err, sizeof(err)) == 0);
    CHECK(out.data && strstr(out.data, "<svg") != NULL);
    CHECK(out.data && strstr(out.data, "</svg>") != NULL);
    CHECK(out.data && count(out.data, "class=\"node\"") == 4);
    CHECK(out.data && count(out.data, "class=\"edge\"") == 3);
    /* Graphviz escapes the label's markup characters itself */
    CHECK(out.data && strstr(out.data, "orders &lt;db&gt; &amp; &quot;quotes&quot;") != NULL);
    CHECK(out.data && strstr(out.data, "<db>") == NULL);
    /* deterministic: the same bytes again */
    char *first = buf_detach(&out);
    CHECK(render_str(small_dot, &out, err, sizeof(err)) == 0);
    CHECK(out.data && strcmp(first, out.data) == 0);
    free(first);
    buf_fini(&out);
}

static void
expect_refused(const char *dot, size_t len, const char *why)
{
    struct buf out;
    char err[160] = "";
    buf_init(&out);
    buf_puts(&out, "kept");
    int rc = diagram_svg(dot, len, &out, err, sizeof(err));
    CHECK(rc == -1);
    CHECK(strstr(err, why) != NULL);
    if (rc == 0 || strstr(err, why) == NULL) fprintf(stderr, "  wanted '%s', got '%s'\n", why, err);
    CHECK_STR(out.data, "kept"); /* 'out' untouched */
    buf_fini(&out);
    /* Graphviz still renders afterwards */
    buf_init(&out);
    CHECK(render_str(small_dot, &out, err, sizeof(err)) == 0);
    buf_fini(&out);
}

static void
expect_refused_str(const char *dot, const char *why)
{
    expect_refused(dot, strlen(dot), why);
}

static void
test_refuses_hostile_dot(void)
{
    expect_refused("", 0, "empty");
    expect_refused("digraph g { a -> b }\0 x", 23, "NUL");
    expect_refused_str("digraph g { a -> ", "not valid DOT");
    expect_refused_str("graph { a -- b; ; } } {", "not valid DOT");
    expect_refused_str("digraph g { a [image=\"/etc/passwd\"]; }", "attribute 'image'");
    expect_refused_str("digraph g { a [shape=custom, shapefile=\"/etc/passwd\"]; }",
                       "attribute 'shapefile'");
    expect_refused_str("digraph g { a -> b [URL=\"javascript:alert(1)\"]; }", "attribute 'URL'");
    expect_refused_str("digraph g { a [href=\"http://example.org/\"]; }", "attribute 'href'");
    expect_refused_str("digraph g { stylesheet=\"http://example.org/x.css\"; a; }",
                       "attribute 'stylesheet'");
    expect_refused_str("digraph g { fontpath=\"/etc\"; a; }", "attribute 'fontpath'");
    expect_refused_str("digraph g { a [label=<<IMG SRC=\"/etc/passwd\"/>>]; }", "HTML-like");
    expect_refused_str("digraph g { node [label=<<b>x</b>>]; a; }", "HTML-like");
    expect_refused_str("digraph g { subgraph cluster_a { a; } }", "subgraphs");
}

static void
test_refuses_too_big(void)
{
    struct buf dot;
    buf_init(&dot);
    buf_puts(&dot, "digraph g {");
    while (dot.len <= DIAGRAM_DOT_MAX) buf_puts(&dot, " /* padding padding padding */");
    buf_puts(&dot, " a; }");
    expect_refused(dot.data, dot.len, "too big");
    buf_reset(&dot);
    buf_puts(&dot, "digraph g {");
    for (int i = 0; i <= DIAGRAM_NODES_MAX; i++) buf_printf(&dot, " n%d;", i);
    buf_puts(&dot, " }");
    expect_refused(dot.data, dot.len, "too many nodes");
    buf_reset(&dot);
    buf_puts(&dot, "digraph g {");
    for (int i = 0; i <= DIAGRAM_EDGES_MAX; i++) buf_printf(&dot, " n%d -> n%d;", i % 8, i % 7);
    buf_puts(&dot, " }");
    expect_refused(dot.data, dot.len, "too many edges");
    buf_fini(&dot);
}

static double
now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Renders 'dot' once, then 'runs' times; 't[0]' is the first render (which also pays for the
 * process's cold caches), 't[1]' the fastest and 't[2]' the slowest of the others, in
 * milliseconds. Returns -1 when a render fails. The bounds are checked on the fastest (other
 * processes only ever add time) with room for valgrind and the sanitizers, 20-40 times slower. */
static int
times_ms(const char *dot, int runs, size_t *svg_len, double t[3])
{
    struct buf out;
    char err[160];
    int rc = 0;
    t[0] = t[2] = 0;
    t[1] = 1e9;
    buf_init(&out);
    for (int i = -1; i < runs; i++) {
        double t0 = now_ms();
        if (render_str(dot, &out, err, sizeof(err)) != 0) {
            fprintf(stderr, "  render failed: %s\n", err);
            rc = -1;
            break;
        }
        double ms = now_ms() - t0;
        if (i < 0) t[0] = ms;
        if (i >= 0 && ms < t[1]) t[1] = ms;
        if (i >= 0 && ms > t[2]) t[2] = ms;
    }
    *svg_len = out.len;
    buf_fini(&out);
    return rc;
}

/* The advisor's largest diagram: every source it draws, names of the longest allowed length
 * with characters DOT and SVG must escape, every consumer. */
static void
test_the_advisors_largest_diagram_renders_in_milliseconds(void)
{
    static const char *const kinds[] = {"database",    "cdc",      "api",  "saas",
                                        "files",       "events",   "logs", "iot",
                                        "clickstream", "database", "cdc",  "events"};
    static const char *const consumers[] = {"bi",          "ml",  "operational",
                                            "reverse_etl", "api", "data_science"};
    char err[256];
    struct advisor *a = advisor_new(err, sizeof(err));
    CHECK(a != NULL);
    if (a == NULL) return;
    struct requirement req;
    requirement_init(&req);
    req.event_id = xstrdup("e-diagram");
    req.project_id = xstrdup("p-diagram");
    req.title = xstrdup("every source at once");
    req.cloud = xstrdup("aws");
    req.freshness_seconds = 5;
    req.n_sources = 12;
    req.sources = xcalloc(req.n_sources, sizeof(*req.sources));
    for (size_t i = 0; i < req.n_sources; i++) {
        char name[PW_MAX_NAME_BYTES];
        int n = snprintf(name, sizeof(name), "source \"%zu\" <%s> & ", i, kinds[i]);
        memset(name + n, 'x', sizeof(name) - 1 - (size_t)n);
        name[sizeof(name) - 1] = '\0';
        req.sources[i].name = xstrdup(name);
        req.sources[i].kind = source_kind_parse(kinds[i]);
        req.sources[i].volume_gb_per_day = 50.0 * (double)(i + 1);
        req.sources[i].peak_events_per_sec = 2000.0 * (double)(i + 1);
        req.sources[i].avg_record_bytes = NAN;
        req.sources[i].contains_pii = 1;
    }
    for (size_t i = 0; i < PW_ARRAY_LEN(consumers); i++) strlist_push(&req.consumers, consumers[i]);
    struct report rep;
    report_init(&rep);
    CHECK(advisor_run(a, &req, NULL, &rep, err, sizeof(err)) == 0);
    if (rep.dot) {
        size_t svg_len = 0;
        double t[3];
        CHECK(strlen(rep.dot) < DIAGRAM_DOT_MAX / 2);
        CHECK(times_ms(rep.dot, 20, &svg_len, t) == 0);
        printf("largest advisor diagram: %zu bytes of DOT, %zu bytes of SVG; first render "
               "%.2f ms, then fastest %.2f ms, slowest %.2f ms of 20\n",
               strlen(rep.dot), svg_len, t[0], t[1], t[2]);
        CHECK(t[1] < 100);
    }
    report_fini(&rep);
    requirement_fini(&req);
    advisor_free(a);
}

/* A dense graph at the node and edge bounds: the worst a planted diagram can cost. */
static void
test_a_graph_at_the_bounds_stays_bounded(void)
{
    struct buf dot;
    buf_init(&dot);
    buf_puts(&dot, "digraph g { rankdir=LR; node [shape=box];");
    for (int i = 0; i < DIAGRAM_NODES_MAX; i++)
        buf_printf(&dot, " n%d [label=\"node number %d with a label\"];", i, i);
    unsigned x = 12345;
    for (int i = 0; i < DIAGRAM_EDGES_MAX; i++) {
        x = x * 1103515245u + 12345u;
        unsigned a = (x >> 8) % DIAGRAM_NODES_MAX;
        x = x * 1103515245u + 12345u;
        unsigned b = (x >> 8) % DIAGRAM_NODES_MAX;
        buf_printf(&dot, " n%u -> n%u;", a, b);
    }
    buf_puts(&dot, " }");
    size_t svg_len = 0;
    double t[3];
    CHECK(times_ms(dot.data, 3, &svg_len, t) == 0);
    printf("random graph at the bounds (%d nodes, %d edges): first render %.1f ms, then "
           "fastest %.1f ms, slowest %.1f ms of 3\n",
           DIAGRAM_NODES_MAX, DIAGRAM_EDGES_MAX, t[0], t[1], t[2]);
    CHECK(t[1] < 1000);
    buf_fini(&dot);
}

static const struct check_case cases[] = {
    {"renders_svg_with_escaped_labels", test_renders_svg_with_escaped_labels},
    {"refuses_hostile_dot", test_refuses_hostile_dot},
    {"refuses_too_big", test_refuses_too_big},
    {"largest_advisor_diagram", test_the_advisors_largest_diagram_renders_in_milliseconds},
    {"graph_at_the_bounds", test_a_graph_at_the_bounds_stays_bounded},
};

CHECK_MAIN(cases)
