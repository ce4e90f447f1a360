/* A complete, signed RPC request (URL and headers) for one API call.
 * Pure: the shell supplies nonce and timestamp, and sends the result. */
#ifndef DCDN_REQUEST_H
#define DCDN_REQUEST_H

#include "core/params.h"

#define DCDN_API_VERSION "2018-01-15"

typedef struct {
  int signature_version; /* 1 or 3 */
  const char *endpoint;  /* "scheme://host[:port]", no trailing slash */
  const char *host;      /* the Host header: host[:port] */
  const char *access_key_id;
  const char *access_key_secret;
  const char *security_token; /* NULL unless STS credentials */
  const char *action;
  const params_t *api_params; /* never holds an empty value */
  const char *nonce;
  const char *timestamp; /* yyyy-MM-ddTHH:mm:ssZ */
  const char *version;   /* NULL: DCDN_API_VERSION (STS has its own) */
} request_spec_t;

typedef struct {
  char *url;
  params_t headers; /* name, value */
} request_t;

/* Returns 0, or -1 when out of memory or the crypto library fails. */
int request_build(const request_spec_t *spec, request_t *out);
void request_free(request_t *req);

#endif
