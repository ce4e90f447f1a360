#include "dcdn_config.h"

#include "shell/http.h"

#include "core/ascii.h"

#include "core/conf.h"
#include "shell/stop.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

/* A transfer in progress ends at once when collectd is stopping. */
static int http_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
                         curl_off_t ultotal, curl_off_t ulnow) {
  (void)ud, (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
  return stop_requested() ? 1 : 0;
}

/* libcurl sends a request again, on a new connection, when a reused one
 * dies before any answer. The server may have seen the first one, and the
 * second was never booked with the rate limiter: end the transfer instead,
 * and let the caller's retry (booked, with backoff) send it. */
static int http_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip,
                       int conn_primary_port, int conn_local_port) {
  (void)conn_primary_ip, (void)conn_local_ip, (void)conn_primary_port,
      (void)conn_local_port;
  http_client_t *client = ud;
  if (client->sends++ == 0)
    return CURL_PREREQFUNC_OK;
  client->resend_refused = true;
  return CURL_PREREQFUNC_ABORT;
}

/* An answer may hold a secret (the metadata service's): the strbuf wipes
 * every block it leaves. Past max_body it refuses (too large) and the
 * transfer stops, rather than let a hostile or broken peer grow memory. */
static size_t http_write(char *data, size_t size, size_t nmemb, void *ud) {
  http_client_t *client = ud;
  size_t len = size * nmemb;
  strbuf_append_len(&client->body, data, len);
  return strbuf_error(&client->body) == STRBUF_OK ? len : 0;
}

int http_client_init(http_client_t *client, double timeout,
                     const char *cacert) {
  memset(client, 0, sizeof(*client));
  client->timeout = timeout;
  client->cacert = cacert;
  client->max_body = CONF_DEFAULT_MAX_RESPONSE_SIZE;
  strbuf_init(&client->body, client->max_body);
  client->curl = curl_easy_init();
  return client->curl ? 0 : -1;
}

/* Set once, not per request: libcurl keeps a copy of the password for
 * the handle's life, and each setting would leave one more behind. */
int http_client_proxy(http_client_t *client, const char *proxy,
                      const char *no_proxy, const char *userpwd) {
  CURL *c = client->curl;
  const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
  if (proxy != NULL && ascii_strncasecmp(proxy, "https://", 8) == 0 &&
      !(curl->features & CURL_VERSION_HTTPS_PROXY)) {
    snprintf(client->error, sizeof(client->error),
             "this libcurl (%s) cannot use an https:// proxy", curl->version);
    return -1;
  }
  CURLcode rc = CURLE_OK;
  if (proxy != NULL)
    rc = curl_easy_setopt(c, CURLOPT_PROXY, proxy);
  /* Encoded (conf_proxy_userpwd): libcurl decodes it, 7.88 and later. */
  if (rc == CURLE_OK && userpwd != NULL)
    rc = curl_easy_setopt(c, CURLOPT_PROXYUSERPWD, userpwd);
  if (rc == CURLE_OK && no_proxy != NULL)
    rc = curl_easy_setopt(c, CURLOPT_NOPROXY, no_proxy);
  /* CACert is the only trust for an https:// proxy too. */
  if (rc == CURLE_OK && client->cacert != NULL)
    rc = curl_easy_setopt(c, CURLOPT_PROXY_CAINFO, client->cacert);
  if (rc == CURLE_OK && client->cacert != NULL)
    rc = curl_easy_setopt(c, CURLOPT_PROXY_CAPATH, NULL);
  if (rc != CURLE_OK)
    snprintf(client->error, sizeof(client->error), "%s",
             curl_easy_strerror(rc));
  return rc == CURLE_OK ? 0 : -1;
}

/* Header lines hold the security token and the signature: wiped. */
static void http_headers_free(struct curl_slist *list) {
  for (struct curl_slist *item = list; item != NULL; item = item->next)
    OPENSSL_cleanse(item->data, strlen(item->data));
  curl_slist_free_all(list);
}

static struct curl_slist *http_headers(const request_t *req) {
  struct curl_slist *list = NULL;
  list = curl_slist_append(list, "Accept: application/json");
  for (size_t i = 0; i < req->headers.count && list != NULL; i++) {
    char line[4096];
    snprintf(line, sizeof(line), "%s: %s", req->headers.items[i].name,
             req->headers.items[i].value);
    struct curl_slist *next = curl_slist_append(list, line);
    OPENSSL_cleanse(line, sizeof(line));
    if (next == NULL) {
      http_headers_free(list);
      return NULL;
    }
    list = next;
  }
  return list;
}

/* The Date header tells the server's clock (whole seconds), which the
 * plan follows; curl_getdate reads the HTTP date formats. */
static size_t http_header(char *data, size_t size, size_t nmemb, void *ud) {
  http_client_t *client = ud;
  size_t len = size * nmemb;
  char line[128];
  if (len > 5 && len < sizeof(line) &&
      ascii_strncasecmp(data, "Date:", 5) == 0) {
    memcpy(line, data + 5, len - 5);
    line[len - 5] = '\0';
    time_t date = curl_getdate(line, NULL);
    client->date = date > 0 ? date : 0;
  }
  return len;
}

static void http_set_options(http_client_t *client, const request_t *req,
                             struct curl_slist *headers) {
  CURL *c = client->curl;
  long timeout_ms = (long)(client->timeout * 1000);
  curl_easy_setopt(c, CURLOPT_URL, req->url);
  curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "collectd-dcdn/" DCDN_VERSION);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, client);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, client);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, client->error);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, http_progress);
  curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, http_prereq);
  curl_easy_setopt(c, CURLOPT_PREREQDATA, client);
  /* TLS 1.0 and 1.1 are refused (to the peer and to an https:// proxy),
   * even where OpenSSL's configuration still allows them. */
  curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
  curl_easy_setopt(c, CURLOPT_PROXY_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
  /* CACert is the only trust: Debian's libcurl would also trust the
   * directory /etc/ssl/certs besides it. */
  if (client->cacert != NULL) {
    curl_easy_setopt(c, CURLOPT_CAINFO, client->cacert);
    curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
  }
  /* http_proxy, ALL_PROXY and the like are not for this peer. */
  if (client->direct)
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
}

static int http_send(http_client_t *client, const request_t *req,
                     const char *method, http_response_t *out) {
  struct curl_slist *headers = http_headers(req);
  client->sends = 0;
  client->resend_refused = false;
  client->date = 0;
  client->error[0] = '\0';
  strbuf_free(&client->body);
  strbuf_init(&client->body, client->max_body);
  /* An empty answer is "", never NULL. */
  const char *empty = strbuf_str(&client->body);
  *out = (http_response_t){0, empty, 0, 0};
  if (headers == NULL || empty == NULL) {
    http_headers_free(headers);
    snprintf(client->error, sizeof(client->error), "out of memory");
    return -1;
  }
  http_set_options(client, req, headers);
  curl_easy_setopt(client->curl, CURLOPT_CUSTOMREQUEST, method);
  CURLcode rc = curl_easy_perform(client->curl);
  curl_off_t micros = 0;
  curl_easy_getinfo(client->curl, CURLINFO_TOTAL_TIME_T, &micros);
  out->seconds = (double)micros / 1e6;
  http_headers_free(headers);
  curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, NULL);
  if (rc != CURLE_OK) {
    if (strbuf_error(&client->body) == STRBUF_TOO_LARGE)
      snprintf(client->error, sizeof(client->error),
               "answer larger than %zu bytes", client->max_body);
    else if (strbuf_error(&client->body) == STRBUF_NO_MEMORY)
      snprintf(client->error, sizeof(client->error),
               "out of memory reading the answer");
    else if (client->resend_refused)
      snprintf(client->error, sizeof(client->error),
               "the connection closed before any answer");
    else if (client->error[0] == '\0')
      snprintf(client->error, sizeof(client->error), "%s",
               curl_easy_strerror(rc));
    return -1;
  }
  curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE, &out->status);
  /* Every write was taken whole, or the transfer would have failed. */
  out->body = strbuf_str(&client->body);
  assert(out->body != NULL);
  out->date = client->date;
  return 0;
}

int http_get(http_client_t *client, const request_t *req,
             http_response_t *out) {
  return http_send(client, req, NULL, out);
}

int http_put_empty(http_client_t *client, const request_t *req,
                   http_response_t *out) {
  return http_send(client, req, "PUT", out);
}

void http_client_free(http_client_t *client) {
  if (client->curl != NULL)
    curl_easy_cleanup(client->curl);
  strbuf_free(&client->body);
  memset(client, 0, sizeof(*client));
}
