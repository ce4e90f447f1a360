#include "core/conf_url.h"
#include "core/ascii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int conf_parse_endpoint(const char *url, char **endpoint, char **host,
                        bool *tls, char *err, size_t err_size) {
  const char *rest;
  if (ascii_strncasecmp(url, "https://", 8) == 0) {
    *tls = true;
    rest = url + 8;
  } else if (ascii_strncasecmp(url, "http://", 7) == 0) {
    *tls = false;
    rest = url + 7;
  } else {
    snprintf(err, err_size, "must start with https:// or http://");
    return -1;
  }
  size_t len = strcspn(rest, "/?#");
  if (strspn(rest + len, "/") != strlen(rest + len)) {
    snprintf(err, err_size, "must not have a path, query or fragment");
    return -1;
  }
  const char *port = NULL;
  size_t host_len = len;
  if (rest[0] == '[') { /* IPv6 literal */
    const char *close = memchr(rest, ']', len);
    if (close == NULL) {
      snprintf(err, err_size, "has an unterminated IPv6 address");
      return -1;
    }
    host_len = (size_t)(close - rest) + 1;
  } else {
    const char *colon = memchr(rest, ':', len);
    if (colon != NULL)
      host_len = (size_t)(colon - rest);
  }
  if (host_len < len) {
    if (rest[host_len] != ':') {
      snprintf(err, err_size, "has junk after the host");
      return -1;
    }
    port = rest + host_len + 1;
  }
  if (host_len == 0 || (rest[0] != '[' && strcspn(rest, " @\t") < host_len)) {
    snprintf(err, err_size, "has no valid host");
    return -1;
  }
  long port_num = 0;
  if (port != NULL) {
    /* Digits only: strtol alone would take " 80" and "+80". */
    size_t digits = strspn(port, "0123456789");
    port_num = digits >= 1 && digits <= 5 ? strtol(port, NULL, 10) : 0;
    if (port + digits != rest + len || port_num < 1 || port_num > 65535) {
      snprintf(err, err_size, "has a port outside 1..65535");
      return -1;
    }
  }
  /* curl leaves the scheme's default port out of the Host header; the
   * signature covers that header, so do the same. */
  bool default_port = port_num == 0 || port_num == (*tls ? 443 : 80);
  size_t host_hdr_len = default_port ? host_len : len;
  *host = strndup(rest, host_hdr_len);
  *endpoint = strndup(url, (size_t)(rest - url) + len);
  if (*host == NULL || *endpoint == NULL) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  for (char *c = *host; *c; c++)
    *c = ascii_tolower(*c);
  return 0;
}

int conf_rule_endpoint(conf_ctx_t *ctx, const oconfig_item_t *item,
                       void *field) {
  conf_account_t *a = ctx->account;
  char **endpoint = field, *url = *endpoint, reason[128];
  *endpoint = NULL;
  free(a->endpoint_host);
  a->endpoint_host = NULL;
  int status = conf_parse_endpoint(url, endpoint, &a->endpoint_host,
                                   &a->endpoint_tls, reason, sizeof(reason));
  free(url);
  return status == 0 ? 0 : conf_fail(ctx, item, "%s", reason);
}

int conf_rule_metadata_endpoint(conf_ctx_t *ctx, const oconfig_item_t *item,
                                void *field) {
  char **url = field, *endpoint = NULL, *host = NULL, reason[128];
  bool tls;
  int status =
      conf_parse_endpoint(*url, &endpoint, &host, &tls, reason, sizeof(reason));
  free(host);
  if (status != 0) {
    free(endpoint);
    return conf_fail(ctx, item, "%s", reason);
  }
  free(*url);
  *url = endpoint;
  return 0;
}

void conf_warn_plain_http(conf_ctx_t *ctx) {
  const conf_account_t *a = ctx->account;
  if (!a->endpoint_tls)
    conf_warn(ctx,
              "Account \"%s\": Endpoint \"%s\" is plain http: requests "
              "will not be encrypted",
              a->name, a->endpoint);
}
