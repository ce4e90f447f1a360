#include "core/conf_cred.h"

#include "core/sts.h"

#include <stdlib.h>
#include <string.h>

int conf_rule_ram_role(conf_ctx_t *ctx, const oconfig_item_t *item,
                       void *field) {
  char **role = field;
  conf_free_string(role, ctx->secret);
  if (item->values_num == 1 && item->values[0].type == OCONFIG_TYPE_BOOLEAN) {
    if (item->values[0].value.boolean && (*role = strdup("")) == NULL)
      return conf_fail(ctx, item, "out of memory");
    return 0;
  }
  return conf_get_string(ctx, item, role);
}

/* AssumeRole's parameters, as far as the configuration gives them (the
 * role ARN may come from the credentials file or the environment). */
static int conf_assume_role(conf_ctx_t *ctx) {
  conf_account_t *a = ctx->account;
  char why[128];
  if (sts_check_role(&a->role, why, sizeof(why)) != 0)
    return conf_fail_account(ctx, "option %s", why);
  if (a->sts_endpoint != NULL && strncmp(a->sts_endpoint, "http://", 7) == 0)
    conf_warn(ctx,
              "Account \"%s\": STSEndpoint \"%s\" is plain http: the "
              "assumed role's secret will not be encrypted",
              a->name, a->sts_endpoint);
  return 0;
}

/* Exactly one source; AccessKeyId goes with the two that need it. */
int conf_credential_source(conf_ctx_t *ctx) {
  conf_account_t *a = ctx->account;
  const struct {
    bool set;
    const char *name;
    conf_cred_source_t source;
  } sources[] = {
      {a->access_key_secret != NULL, "AccessKeySecret", CONF_CRED_STATIC},
      {a->secret_file != NULL, "AccessKeySecretFile", CONF_CRED_SECRET_FILE},
      {a->credentials_file != NULL || a->profile != NULL,
       a->credentials_file ? "CredentialsFile" : "Profile", CONF_CRED_PROFILE},
      {a->ram_role != NULL, "RamRole", CONF_CRED_RAM_ROLE},
  };
  const char *first = NULL;
  a->cred_source = CONF_CRED_ENVIRONMENT;
  for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
    if (!sources[i].set)
      continue;
    if (first != NULL)
      return conf_fail_account(ctx,
                               "options \"%s\" and \"%s\" are two "
                               "credential sources: configure one",
                               first, sources[i].name);
    first = sources[i].name;
    a->cred_source = sources[i].source;
  }
  bool needs_id = a->cred_source == CONF_CRED_STATIC ||
                  a->cred_source == CONF_CRED_SECRET_FILE;
  if (needs_id && a->access_key_id == NULL)
    return conf_fail_account(ctx,
                             "option \"AccessKeyId\" is required with "
                             "\"%s\"",
                             first);
  if (!needs_id && a->access_key_id != NULL)
    return conf_fail_account(ctx, "option \"AccessKeyId\" needs "
                                  "\"AccessKeySecret\" or "
                                  "\"AccessKeySecretFile\"");
  if (a->security_token != NULL && !needs_id)
    return conf_fail_account(ctx, "option \"SecurityToken\" goes with "
                                  "\"AccessKeyId\"");
  return conf_assume_role(ctx);
}
