/* Proxy, ProxyCredentialsFile and NoProxy: the proxy an account's API
 * requests go through, and the text of its credentials file. The shell
 * (src/shell/http.c) only hands the results to libcurl. */
#ifndef DCDN_CONF_PROXY_H
#define DCDN_CONF_PROXY_H

#include "core/conf_value.h"

#include <stddef.h>

/* The most a ProxyCredentialsFile may hold. */
#define CONF_PROXY_CREDENTIALS_MAX 4096

/* Proxy's rule: field (a char *) becomes "http[s]://host:port" without its
 * slash. A port is required (libcurl's default, 1080, surprises); a user or
 * password in the URL is refused, its value hidden from the error. */
int conf_rule_proxy(conf_ctx_t *ctx, const oconfig_item_t *item, void *field);

/* NoProxy's rule: its hosts (names, a leading dot allowed, IP addresses,
 * CIDR ranges, or "*" alone) appended to field (a char *), comma-joined
 * as CURLOPT_NOPROXY reads them. */
int conf_rule_no_proxy(conf_ctx_t *ctx, const oconfig_item_t *item,
                       void *field);

/* Once the account is read: ProxyCredentialsFile needs Proxy; a password
 * sent to an http:// proxy is warned about (Basic authentication crosses
 * the network in clear). */
int conf_proxy_finish(conf_ctx_t *ctx);

/* A ProxyCredentialsFile's text: one line "user:password" (the first ':'
 * ends the user; trailing newlines are ignored). Returns 0 with *user and
 * *password (free both with cred_wipe_free), or -1 with a reason in why
 * that holds nothing of the text. */
int conf_proxy_parse_credentials(const char *text, char **user, char **password,
                                 char *why, size_t why_size);

/* user and password as libcurl's CURLOPT_PROXYUSERPWD: "user:password",
 * each percent-encoded (RFC 3986). libcurl URL-decodes proxy credentials
 * (7.88 even those of CURLOPT_PROXYUSERNAME and CURLOPT_PROXYPASSWORD, at
 * each connection; later releases those of this option, when it is set),
 * so that every libcurl gives the proxy the text as written: a '%', ':' or
 * '@' unchanged. NULL when out of memory; free with cred_wipe_free. */
char *conf_proxy_userpwd(const char *user, const char *password);

#endif
