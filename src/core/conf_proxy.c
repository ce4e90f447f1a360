#include "core/conf_proxy.h"

#include "core/ascii.h"
#include "core/cred.h"
#include "core/sign.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <openssl/crypto.h>

/* Whether the URL's authority (after "://", before any '/') holds '@':
 * a user, and perhaps a password. */
static bool conf_proxy_has_userinfo(const char *url) {
  const char *rest = strstr(url, "://");
  rest = rest != NULL ? rest + 3 : url;
  size_t len = strcspn(rest, "/?#");
  return memchr(rest, '@', len) != NULL;
}

/* Whether "scheme://host[:port]" (as conf_parse_endpoint returns it) names
 * its port. */
static bool conf_proxy_has_port(const char *endpoint) {
  const char *host = strstr(endpoint, "://") + 3;
  if (host[0] == '[')
    host = strchr(host, ']');
  return strchr(host, ':') != NULL;
}

int conf_rule_proxy(conf_ctx_t *ctx, const oconfig_item_t *item, void *field) {
  char **url = field, *endpoint = NULL, *host = NULL, reason[128];
  bool tls;
  if (conf_proxy_has_userinfo(*url)) {
    OPENSSL_cleanse(*url, strlen(*url));
    ctx->secret = true; /* the walk restores it after this option */
    return conf_fail(ctx, item,
                     "must not hold a user or password: put them in "
                     "ProxyCredentialsFile");
  }
  int status =
      conf_parse_endpoint(*url, &endpoint, &host, &tls, reason, sizeof(reason));
  free(host);
  if (status == 0 && !conf_proxy_has_port(endpoint)) {
    snprintf(reason, sizeof(reason),
             "needs a port: http://host:port or https://host:port");
    status = -1;
  }
  if (status != 0) {
    free(endpoint);
    return conf_fail(ctx, item, "%s", reason);
  }
  free(*url);
  *url = endpoint;
  return 0;
}

/* Characters of a host name, an IP address or a CIDR range. */
static bool conf_no_proxy_chars(const char *s) {
  for (; *s; s++)
    if (!ascii_is_alnum((unsigned char)*s) && strchr(".-:[]/", *s) == NULL)
      return false;
  return true;
}

/* An IPv4 or IPv6 address (brackets allowed), with an optional /prefix of
 * at most 32 or 128 bits: a typo would silently never match, and its
 * requests would go through the proxy. */
static bool conf_valid_address(const char *s) {
  char addr[64];
  const char *slash = strchr(s, '/');
  size_t len = slash ? (size_t)(slash - s) : strlen(s);
  if (len == 0 || len >= sizeof(addr))
    return false;
  memcpy(addr, s, len);
  addr[len] = '\0';
  char *a = addr;
  if (a[0] == '[' && a[len - 1] == ']') {
    a[len - 1] = '\0';
    a++;
  }
  unsigned char bytes[16];
  int max_bits = inet_pton(AF_INET, a, bytes) == 1    ? 32
                 : inet_pton(AF_INET6, a, bytes) == 1 ? 128
                                                      : -1;
  if (max_bits < 0 || slash == NULL)
    return max_bits > 0;
  const char *bits = slash + 1;
  size_t digits = strspn(bits, "0123456789");
  return digits > 0 && digits <= 3 && bits[digits] == '\0' &&
         atoi(bits) <= max_bits;
}

/* One NoProxy host as libcurl reads it: "*", a host name (a leading dot
 * allowed, as in ".example.com"), or an address or range. */
static bool conf_valid_no_proxy(const char *s) {
  if (!conf_no_proxy_chars(s))
    return false;
  /* Digits and dots alone are an IPv4 address, not a host name. */
  if (strpbrk(s, ":/[]") != NULL || strspn(s, "0123456789.") == strlen(s))
    return conf_valid_address(s);
  return conf_valid_domain_name(s[0] == '.' ? s + 1 : s);
}

static int conf_no_proxy_append(char **list, const char *host) {
  size_t had = *list ? strlen(*list) + 1 : 0;
  char *grown = realloc(*list, had + strlen(host) + 1);
  if (grown == NULL)
    return -1;
  if (had > 0)
    grown[had - 1] = ',';
  strcpy(grown + had, host);
  *list = grown;
  return 0;
}

int conf_rule_no_proxy(conf_ctx_t *ctx, const oconfig_item_t *item,
                       void *field) {
  char **list = field;
  if (item->values_num == 0)
    return conf_fail(ctx, item, "expected one or more host names");
  for (int i = 0; i < item->values_num; i++) {
    const oconfig_value_t *v = &item->values[i];
    const char *host = v->type == OCONFIG_TYPE_STRING ? v->value.string : NULL;
    bool star = host != NULL && strcmp(host, "*") == 0;
    if (host == NULL || (star && (item->values_num > 1 || *list != NULL)) ||
        (!star && (!conf_valid_no_proxy(host) ||
                   (*list != NULL && strcmp(*list, "*") == 0))))
      return conf_fail(ctx, item,
                       "each value must be a host name (\".example.com\" "
                       "for its subdomains too), an IP address or a CIDR "
                       "range; or \"*\" alone, for every host");
    if (conf_no_proxy_append(list, host) != 0)
      return conf_fail(ctx, item, "out of memory");
  }
  return 0;
}

int conf_proxy_finish(conf_ctx_t *ctx) {
  const conf_account_t *a = ctx->account;
  if (a->proxy_credentials_file != NULL && a->proxy == NULL)
    return conf_fail_account(ctx, "option \"ProxyCredentialsFile\" needs "
                                  "option \"Proxy\"");
  if (a->proxy_credentials_file != NULL &&
      ascii_strncasecmp(a->proxy, "http://", 7) == 0)
    conf_warn(ctx,
              "Account \"%s\": Proxy \"%s\" is plain http: the proxy "
              "password from ProxyCredentialsFile crosses the network "
              "unencrypted (Basic authentication)",
              a->name, a->proxy);
  return 0;
}

int conf_proxy_parse_credentials(const char *text, char **user, char **password,
                                 char *why, size_t why_size) {
  size_t len = strlen(text);
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
    len--;
  const char *colon = memchr(text, ':', len);
  *user = *password = NULL;
  if (memchr(text, '\n', len) != NULL || memchr(text, '\r', len) != NULL ||
      colon == NULL || colon == text || colon + 1 == text + len) {
    snprintf(why, why_size,
             "must hold one line user:password (both non-empty)");
    return -1;
  }
  *user = strndup(text, (size_t)(colon - text));
  *password = strndup(colon + 1, (size_t)(text + len - colon - 1));
  if (*user == NULL || *password == NULL) {
    cred_wipe_free(*user);
    cred_wipe_free(*password);
    *user = *password = NULL;
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  return 0;
}

char *conf_proxy_userpwd(const char *user, const char *password) {
  strbuf_t sb = STRBUF_INIT; /* wipes every block it leaves */
  sign_percent_encode(&sb, user);
  strbuf_append_char(&sb, ':');
  sign_percent_encode(&sb, password);
  return strbuf_take(&sb);
}
