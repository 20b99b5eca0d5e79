/* daemon/api.h - the read API and the page (see api.c for the routes). */
#ifndef PW_DAEMON_API_H
#define PW_DAEMON_API_H

#include "daemon.h"

struct evhttp_request;

/* Answers 'req' if 'path' is one of the API's routes (now or once Redis answers) and returns 1;
 * returns 0 when the path is not the API's. */
int api_route(struct daemon *d, struct evhttp_request *req, const char *path);
void api_reply_json_error(struct evhttp_request *req, int code, const char *reason,
                          const char *msg);

#endif
