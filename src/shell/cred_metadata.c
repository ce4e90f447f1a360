#include "dcdn_config.h"

#include "shell/cred_metadata.h"

#include "core/params.h"
#include "core/request.h"
#include "shell/http.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define CRED_METADATA_PATH "/latest/meta-data/ram/security-credentials/"

/* The headers' copy of the token is wiped before it is freed. */
static void cred_metadata_headers_free(params_t *headers) {
  for (size_t i = 0; i < headers->count; i++)
    OPENSSL_cleanse(headers->items[i].value, strlen(headers->items[i].value));
  params_free(headers);
}

/* One request; returns the body (the caller wipes and frees it with
 * cred_wipe_free: the token and the credentials are secrets) of a 200
 * answer, or NULL with why. */
static char *cred_metadata_call(http_client_t *http, const char *url,
                                const char *token, bool put, char *why,
                                size_t why_size) {
  request_t req = {(char *)url, PARAMS_INIT};
  if (put)
    params_add(&req.headers, "X-aliyun-ecs-metadata-token-ttl-seconds",
               "21600");
  if (token != NULL)
    params_add(&req.headers, "X-aliyun-ecs-metadata-token", token);
  http_response_t rsp;
  int rc = put ? http_put_empty(http, &req, &rsp) : http_get(http, &req, &rsp);
  cred_metadata_headers_free(&req.headers);
  if (rc != 0) {
    snprintf(why, why_size, "%s: %s", url, http->error);
    return NULL;
  }
  if (rsp.status != 200) {
    snprintf(why, why_size, "%s: HTTP %ld", url, rsp.status);
    return NULL;
  }
  return strdup(rsp.body);
}

static int cred_metadata_with(http_client_t *http, const char *endpoint,
                              const char *role, cred_t *out, char **role_found,
                              char *why, size_t why_size) {
  char url[1024], ignored[256];
  snprintf(url, sizeof(url), "%s/latest/api/token", endpoint);
  /* No token (an older service): carry on without, as the SDKs do. */
  char *token =
      cred_metadata_call(http, url, NULL, true, ignored, sizeof(ignored));
  int status = -1;
  if (role == NULL) {
    snprintf(url, sizeof(url), "%s" CRED_METADATA_PATH, endpoint);
    char *listing = cred_metadata_call(http, url, token, false, why, why_size);
    *role_found = listing ? cred_first_role(listing) : NULL;
    if (listing != NULL && *role_found == NULL)
      snprintf(why, why_size, "%s: the instance has no RAM role", url);
    cred_wipe_free(listing);
    role = *role_found;
  }
  if (role != NULL) {
    snprintf(url, sizeof(url), "%s" CRED_METADATA_PATH "%s", endpoint, role);
    char *body = cred_metadata_call(http, url, token, false, why, why_size);
    char reason[200];
    if (body != NULL &&
        cred_parse_metadata(body, out, reason, sizeof(reason)) != 0)
      snprintf(why, why_size, "%s: %s", url, reason);
    else if (body != NULL)
      status = 0;
    cred_wipe_free(body);
  }
  cred_wipe_free(token);
  return status;
}

int cred_metadata_fetch(const char *endpoint, const char *role, cred_t *out,
                        char **role_found, char *why, size_t why_size) {
  http_client_t http;
  *role_found = NULL;
  memset(out, 0, sizeof(*out));
  if (http_client_init(&http, CRED_METADATA_TIMEOUT, NULL) != 0) {
    snprintf(why, why_size, "libcurl failed");
    return -1;
  }
  /* The token and the role's secret go to the instance's own service and
   * to nothing in between: never through http_proxy or ALL_PROXY. */
  http.direct = true;
  int status =
      cred_metadata_with(&http, endpoint, role, out, role_found, why, why_size);
  http_client_free(&http); /* wipes the answers */
  return status;
}
