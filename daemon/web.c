/* daemon/web.c - the page's answers beyond the report: the diagram as SVG, project versions.
 *
 *   GET /v1/reports/{report_id}/diagram.svg   the data-flow diagram rendered by Graphviz
 *                                             (diagram.c), image/svg+xml, with the page's CSP
 *   GET /v1/projects/{project_id}/versions    the kept requirement versions, newest first,
 *                                             each with the fields that changed (versions.c)
 *
 * api.c routes them, checks the token and the tenant, and reads Redis; this file only turns
 * what was read into an answer. The diagram is rendered on the loop: the advisor's largest
 * takes under a millisecond (5 ms at worst on a loaded machine), and diagram.c bounds what a
 * planted one can cost, to about 20 ms (tests/unit/test_diagram.c measures both). The render time is sent as a Server-Timing header.
 * Thread: the loop thread.
 */
#include "web.h"

#include <stdio.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api.h"
#include "buf.h"
#include "clock.h"
#include "diagram.h"
#include "log.h"
#include "versions.h"

const char web_csp[] = "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                       "script-src 'self' 'unsafe-inline'; media-src 'self' blob:";

static void
reply(struct evhttp_request *req, const char *type, const struct buf *body, const char *timing)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, body->data, body->len);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", type);
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Content-Security-Policy", web_csp);
    if (timing) evhttp_add_header(h, "Server-Timing", timing);
    evhttp_send_reply(req, 200, "OK", b);
    evbuffer_free(b);
}

static double
now_ms(void)
{
    return (double)clock_monotonic_us() / 1e3;
}

void
web_reply_diagram(struct evhttp_request *req, const char *dot, size_t len)
{
    struct buf svg;
    char err[160], timing[48];
    buf_init(&svg);
    double t0 = now_ms();
    if (diagram_svg(dot, len, &svg, err, sizeof(err)) != 0) {
        log_warn("api", "DIAGRAM_REFUSED", "reason=\"%s\" dot_bytes=%zu", err, len);
        api_reply_json_error(req, 500, "Internal Server Error", "the diagram cannot be rendered");
    } else {
        snprintf(timing, sizeof(timing), "render;dur=%.3f", now_ms() - t0);
        reply(req, "image/svg+xml", &svg, timing);
    }
    buf_fini(&svg);
}

void
web_reply_versions(struct evhttp_request *req, const char *const *values, const size_t *lens,
                   size_t n)
{
    struct buf out;
    buf_init(&out);
    if (versions_json(values, lens, n, &out) == 0)
        api_reply_json_error(req, 404, "Not Found", "not found");
    else
        reply(req, "application/json", &out, NULL);
    buf_fini(&out);
}
