/* daemon/web.h - the answers the page needs beyond the report itself (see web.c). */
#ifndef PW_DAEMON_WEB_H
#define PW_DAEMON_WEB_H

#include <stddef.h>

struct evhttp_request;

/* The Content-Security-Policy of the page, also sent with the diagram's SVG. */
extern const char web_csp[];

/* Answers with the diagram 'dot' rendered as SVG (image/svg+xml), or a JSON error. */
void web_reply_diagram(struct evhttp_request *req, const char *dot, size_t len);
/* Answers with the project's versions and what changed between them, from the kept versions
 * as pairs of values (version number, merged requirement); 404 when there are none. */
void web_reply_versions(struct evhttp_request *req, const char *const *values, const size_t *lens,
                        size_t n);

#endif
