/* HTTP GET through libcurl, one reusable handle per account. TLS 1.2 or
 * later only; every answer buffer and header line is wiped when freed. */
#ifndef DCDN_HTTP_H
#define DCDN_HTTP_H

#include "core/request.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <curl/curl.h>

typedef struct {
  CURL *curl;
  double timeout;     /* seconds */
  const char *cacert; /* NULL: system store; else the only trust */
  bool direct;        /* never through a proxy (the metadata service) */
  /* The last request's answer: at most max_body bytes (by default
   * CONF_DEFAULT_MAX_RESPONSE_SIZE), wiped when it grows or is freed. */
  strbuf_t body;
  size_t max_body;
  unsigned sends; /* times libcurl began sending the last request */
  bool resend_refused;
  time_t date; /* the last answer's Date header, 0 when it had none */
  char error[CURL_ERROR_SIZE];
} http_client_t;

typedef struct {
  long status;      /* HTTP status, 0 when no answer arrived */
  const char *body; /* owned by the client, valid until the next call */
  double seconds;   /* how long the exchange took */
  time_t date;      /* its Date header (the server's clock), 0: none */
} http_response_t;

int http_client_init(http_client_t *client, double timeout, const char *cacert);
/* Sends every request through proxy ("http[s]://host:port"; NULL: the
 * environment's proxy variables, libcurl's default), authenticating with
 * userpwd when it is not NULL (Basic; conf_proxy_userpwd's encoded
 * "user:password"), except to the hosts of no_proxy (comma-joined; NULL:
 * $no_proxy). An https:// proxy's certificate is verified as the peer's
 * (cacert). libcurl copies the strings: the caller wipes its own. Returns
 * 0, or -1 with the reason in client->error. */
int http_client_proxy(http_client_t *client, const char *proxy,
                      const char *no_proxy, const char *userpwd);
/* Returns 0 when an HTTP answer arrived (any status), or -1 with a
 * transport error in client->error. */
int http_get(http_client_t *client, const request_t *req, http_response_t *out);
/* The same with an empty-bodied PUT (the metadata service's token). */
int http_put_empty(http_client_t *client, const request_t *req,
                   http_response_t *out);
void http_client_free(http_client_t *client);

#endif
