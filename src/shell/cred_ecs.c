#include "dcdn_config.h"

#include "shell/cred_ecs.h"

#include "core/params.h"
#include "core/request.h"
#include "shell/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CRED_ECS_PATH "/latest/meta-data/ram/security-credentials/"

/* One request; returns the body (caller frees) of a 200 answer, or NULL
 * with why. */
static char *cred_ecs_call(http_client_t *http, const char *url,
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
  params_free(&req.headers);
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

static int cred_ecs_with(http_client_t *http, const char *endpoint,
                         const char *role, cred_t *out, char **role_found,
                         char *why, size_t why_size) {
  char url[1024], ignored[256];
  snprintf(url, sizeof(url), "%s/latest/api/token", endpoint);
  /* No token (an older service): carry on without, as the SDKs do. */
  char *token = cred_ecs_call(http, url, NULL, true, ignored, sizeof(ignored));
  int status = -1;
  if (role == NULL) {
    snprintf(url, sizeof(url), "%s" CRED_ECS_PATH, endpoint);
    char *listing = cred_ecs_call(http, url, token, false, why, why_size);
    *role_found = listing ? cred_first_role(listing) : NULL;
    if (listing != NULL && *role_found == NULL)
      snprintf(why, why_size, "%s: the instance has no RAM role", url);
    free(listing);
    role = *role_found;
  }
  if (role != NULL) {
    snprintf(url, sizeof(url), "%s" CRED_ECS_PATH "%s", endpoint, role);
    char *body = cred_ecs_call(http, url, token, false, why, why_size);
    char reason[200];
    if (body != NULL &&
        cred_parse_metadata(body, out, reason, sizeof(reason)) != 0)
      snprintf(why, why_size, "%s: %s", url, reason);
    else if (body != NULL)
      status = 0;
    if (body != NULL)
      memset(body, 0, strlen(body));
    free(body);
  }
  free(token);
  return status;
}

int cred_ecs_fetch(const char *endpoint, const char *role, cred_t *out,
                   char **role_found, char *why, size_t why_size) {
  http_client_t http;
  *role_found = NULL;
  memset(out, 0, sizeof(*out));
  if (http_client_init(&http, CRED_ECS_TIMEOUT, NULL) != 0) {
    snprintf(why, why_size, "libcurl failed");
    return -1;
  }
  int status =
      cred_ecs_with(&http, endpoint, role, out, role_found, why, why_size);
  /* The answer held the secret: wipe the buffer before it is freed. */
  if (http.body != NULL)
    memset(http.body, 0, http.body_len);
  http_client_free(&http);
  return status;
}
