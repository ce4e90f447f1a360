/* <Plugin dcdn> configuration -> validated accounts and domains.
 * Pure: walks oconfig_item_t itself and reports through err and warn. */
#ifndef DCDN_CONF_H
#define DCDN_CONF_H

#include "core/cred.h"
#include "core/product.h"
#include "core/task.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "liboconfig/oconfig.h"

#define CONF_TYPES_ALL ((1u << TASK_TYPE_COUNT) - 1)
#define CONF_DEFAULT_TIMEOUT 10.0
#define CONF_DEFAULT_MAX_RESPONSE_SIZE (4 * 1024 * 1024)
#define CONF_MIN_MAX_RESPONSE_SIZE 4096
#define CONF_MAX_MAX_RESPONSE_SIZE (256 * 1024 * 1024)
#define CONF_DEFAULT_LOOKBACK 3600
#define CONF_MIN_LOOKBACK 60
#define CONF_MAX_LOOKBACK 259200 /* the API keeps three days */
#define CONF_DEFAULT_RATE_LIMIT 5.0
#define CONF_DOCUMENTED_RATE_LIMIT 5.0
#define CONF_WILDCARD_DOMAIN "*" /* every domain the account's tasks name */
/* collectd's names (plugin_instance, a read callback's name) hold
 * DATA_MAX_NAME_LEN (128) bytes with their NUL; longer ones are cut, and
 * two cut names may collide. */
#define CONF_COLLECTD_NAME_MAX 127
/* A domain becomes collectd's plugin_instance. */
#define CONF_MAX_DOMAIN_LEN CONF_COLLECTD_NAME_MAX
/* An account's read callback is "dcdn-<name>"; its name is also the
 * plugin_instance of its own metrics. */
#define CONF_READ_CALLBACK_PREFIX "dcdn-"
#define CONF_MAX_ACCOUNT_NAME_LEN                                              \
  (CONF_COLLECTD_NAME_MAX - (sizeof(CONF_READ_CALLBACK_PREFIX) - 1))
/* DNS limits (RFC 1035 section 2.3.4): a name and each of its labels. */
#define CONF_MAX_HOST_NAME_LEN 253
#define CONF_MAX_LABEL_LEN 63

/* Notify bits: which notifications are sent. */
#define CONF_NOTIFY_FAILED 0x1
#define CONF_NOTIFY_STUCK 0x2
#define CONF_NOTIFY_ACCOUNT 0x4
#define CONF_NOTIFY_ALL 0x7
/* Report bits: which families of a domain's values are sent (the rows of
 * report_metrics[] in core/report.c name their family). */
#define CONF_REPORT_COUNTS 0x1
#define CONF_REPORT_RATES 0x2
#define CONF_REPORT_DURATIONS 0x4
#define CONF_REPORT_PROGRESS 0x8
#define CONF_REPORT_STALENESS 0x10
#define CONF_REPORT_ALL 0x1f
#define CONF_INHERIT (-1) /* a <Domain> setting taken from its account */
#define CONF_DEFAULT_STUCK_AFTER 900
#define CONF_DEFAULT_STATE_DIR "/var/lib/collectd/dcdn"

typedef struct {
  char *name;         /* lowercase */
  unsigned type_mask; /* bit (1 << task_type_t) per reported object type */
  uint64_t site_id;   /* ESA: the domain's site; 0: found with ListSites */
  int stuck_after;    /* seconds, or CONF_INHERIT */
  int notify;         /* CONF_NOTIFY_* bits, or CONF_INHERIT */
  int report;         /* CONF_REPORT_* bits, or CONF_INHERIT */
} conf_domain_t;

#define CONF_DEFAULT_METADATA_ENDPOINT "http://100.100.100.200"

/* Where an account's credentials come from: exactly one per account. */
typedef enum {
  CONF_CRED_ENVIRONMENT, /* none configured: the SDKs' default chain */
  CONF_CRED_STATIC,      /* AccessKeyId + AccessKeySecret [+ SecurityToken] */
  CONF_CRED_SECRET_FILE, /* AccessKeyId + AccessKeySecretFile */
  CONF_CRED_PROFILE,     /* CredentialsFile and/or Profile */
  CONF_CRED_RAM_ROLE     /* RamRole: the ECS metadata service */
} conf_cred_source_t;

typedef enum {
  CONF_QUERY_AUTO,    /* account-wide, domain by domain on Forbidden.RAM */
  CONF_QUERY_ACCOUNT, /* one scan of all the account's tasks */
  CONF_QUERY_DOMAIN   /* DomainName + ObjectType queries, for RAM policies */
} conf_query_mode_t;

typedef struct {
  char *name;
  product_id_t product; /* which edge product: its row of products[] */
  char *region;         /* ESA: the endpoint's region; NULL: none given */
  char *access_key_id;
  char *access_key_secret;
  char *endpoint;      /* scheme://host[:port], no trailing slash */
  char *endpoint_host; /* host[:port] exactly as sent in the Host header */
  bool endpoint_tls;
  int signature_version; /* 1 or 3 */
  double timeout;        /* seconds per HTTP request */
  int max_response_size; /* bytes read of an answer before giving up */
  char *cacert;          /* NULL: the system's CA store */
  char *proxy;           /* "http[s]://host:port"; NULL: the environment's */
  char *proxy_credentials_file; /* "user:password"; NULL: none */
  char *no_proxy;               /* comma-joined hosts; NULL: $no_proxy */
  conf_cred_source_t cred_source;
  char *security_token;   /* static STS credentials */
  char *secret_file;      /* AccessKeySecretFile */
  char *credentials_file; /* NULL: the SDKs' default path */
  char *profile;          /* NULL: the SDKs' default profile */
  char *ram_role;         /* "" with RamRole true: discover it */
  char *metadata_endpoint;
  cred_role_t role;   /* RoleArn and the rest of AssumeRole's parameters */
  char *sts_endpoint; /* NULL: by ALIBABA_CLOUD_STS_REGION, or the public */
  double interval;    /* seconds; 0: collectd's interval */
  int lookback;       /* seconds of task history */
  double rate_limit;  /* calls per second */
  conf_query_mode_t query_mode;
  int stuck_after; /* seconds in flight before a task is stuck */
  int notify;      /* CONF_NOTIFY_* bits */
  int report;      /* CONF_REPORT_* bits */
  bool collect_quota;
  char *state_dir;
  conf_domain_t *domains; /* sorted by name */
  size_t domain_count;
} conf_account_t;

typedef struct {
  conf_account_t *accounts;
  size_t count;
} conf_t;

#define CONF_INIT                                                              \
  { NULL, 0 }

typedef void (*conf_warn_fn)(void *ctx, const char *message);

/* Adds the accounts of one <Plugin dcdn> block. On error returns -1 with a
 * message in err that names the account, the option and the value (never a
 * secret's value); conf then holds no account of this block. */
int conf_add_block(conf_t *conf, const oconfig_item_t *block, char *err,
                   size_t err_size, conf_warn_fn warn, void *warn_ctx);

/* Splits "scheme://host[:port][/]" for the request layer. Returns 0, or -1
 * with a reason in err. */
int conf_parse_endpoint(const char *url, char **endpoint, char **host,
                        bool *tls, char *err, size_t err_size);

/* Whether name is a host name (RFC 1123): at most CONF_MAX_HOST_NAME_LEN
 * characters, dot-separated labels of 1 to CONF_MAX_LABEL_LEN letters,
 * digits and '-', none starting or ending with '-'. "*" is none: configured
 * domains allow it besides. Punycode ("xn--...") is such a name. */
bool conf_valid_domain_name(const char *name);

/* Finds a configured domain by its lowercase name (binary search). */
const conf_domain_t *conf_find_domain(const conf_account_t *account,
                                      const char *name);

void conf_account_free(conf_account_t *account);
void conf_free(conf_t *conf);

#endif
