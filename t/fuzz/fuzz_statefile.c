/* State file text, read as the plugin reads it at start: from a file (with
 * file_read_text_nofollow), parsed, and adopted into a fresh watch. Each
 * input is read twice: as it is (so the end line is checked), and with
 * its last line replaced by a correct "end N" line (so that mutations
 * reach the line parsers instead of the byte count). The account is a
 * hand-made one with two domains, plus Domain "*" when the input's length
 * is odd; its QueryMode follows the length too. Checks, with f(x) =
 * format(adopt(parse(x))), that f(f(f(x))) == f(f(x)) and even
 * f(f(x)) == f(x) (adopting normalizes once: what was written reads back
 * as it is); that every task adopted names a domain of the watch; and
 * that the file reader hands over the input exactly. */
#include "core/statefile.h"

#include "fuzz.h"

/* The shell's file reader is plain C over the core's strbuf; t/fuzz/run
 * builds only the core, so it is compiled in here. */
#include "shell/file.c"

#include <unistd.h>

#define FUZZ_ACCOUNT "prod"

static void fuzz_account(conf_account_t *a, size_t size) {
  static conf_domain_t domains[] = {
      {"*", CONF_TYPES_ALL, CONF_INHERIT, CONF_INHERIT},
      {"example.com", CONF_TYPES_ALL, CONF_INHERIT, CONF_INHERIT},
      {"static.example.com", 1u << TASK_TYPE_FILE, 300, CONF_NOTIFY_FAILED},
  };
  static const conf_query_mode_t modes[] = {CONF_QUERY_AUTO, CONF_QUERY_ACCOUNT,
                                            CONF_QUERY_DOMAIN};
  bool wildcard = size & 1;
  memset(a, 0, sizeof(*a));
  a->name = FUZZ_ACCOUNT;
  a->endpoint = "https://dcdn.aliyuncs.com";
  a->cred_source = CONF_CRED_STATIC;
  a->access_key_id = "LTAIkey";
  a->lookback = CONF_DEFAULT_LOOKBACK;
  a->stuck_after = CONF_DEFAULT_STUCK_AFTER;
  a->notify = CONF_NOTIFY_ALL;
  /* Domain "*" needs account or auto mode, as the configuration says. */
  a->query_mode = modes[(size >> 1) % (wildcard ? 2 : 3)];
  a->domains = wildcard ? domains : domains + 1;
  a->domain_count = wildcard ? 3 : 2;
}

/* Every task of the watch names one of its domains. */
static void fuzz_check_watch(const watch_t *w) {
  FUZZ_CHECK(w->domains.count <= DOMTAB_MAX_DOMAINS);
  size_t pos = 0;
  const tracked_task_t *t;
  while ((t = tasktable_next(&w->tasks, &pos)) != NULL) {
    FUZZ_CHECK(t->domain < w->domains.count);
    FUZZ_CHECK(t->type < TASK_TYPE_COUNT && t->status < TASK_STATUS_COUNT);
  }
}

/* Parses text and adopts it into a fresh watch; on success writes the
 * watch to out. Returns the parse status. */
static statefile_status_t fuzz_read(const char *text, size_t size,
                                    strbuf_t *out) {
  conf_account_t account;
  statefile_owner_t owner;
  statefile_state_t st;
  char why[256] = "";
  fuzz_account(&account, size);
  statefile_owner(&account, &owner);
  statefile_status_t status =
      statefile_parse(text, &owner, &st, why, sizeof(why));
  FUZZ_CHECK(status == STATEFILE_OK || status == STATEFILE_BAD ||
             status == STATEFILE_FOREIGN);
  FUZZ_CHECK((status == STATEFILE_OK) == (why[0] == '\0'));
  if (status == STATEFILE_OK) {
    watch_t w;
    bool health_failed = false;
    FUZZ_CHECK(watch_init(&w, &account) == 0);
    FUZZ_CHECK(statefile_adopt(&st, &w, &health_failed) == 0);
    fuzz_check_watch(&w);
    statefile_format(out, &owner, &w, health_failed);
    FUZZ_CHECK(strbuf_str(out) != NULL);
    watch_free(&w);
  }
  statefile_state_free(&st);
  return status;
}

static void fuzz_roundtrip(const char *text, size_t size) {
  strbuf_t first = STRBUF_INIT, second = STRBUF_INIT, third = STRBUF_INIT;
  if (fuzz_read(text, size, &first) == STATEFILE_OK) {
    FUZZ_CHECK(fuzz_read(strbuf_str(&first), size, &second) == STATEFILE_OK);
    FUZZ_CHECK(fuzz_read(strbuf_str(&second), size, &third) == STATEFILE_OK);
    FUZZ_CHECK(strcmp(strbuf_str(&second), strbuf_str(&third)) == 0);
    /* Adopting normalizes once: what was written is read as it is. */
    FUZZ_CHECK(strcmp(strbuf_str(&first), strbuf_str(&second)) == 0);
  }
  strbuf_free(&first);
  strbuf_free(&second);
  strbuf_free(&third);
}

static char fuzz_path[] = "/tmp/fuzz_statefile.XXXXXX";

static void fuzz_remove_file(void) { unlink(fuzz_path); }

/* The input as the plugin reads its state file: through the file system,
 * the whole text or nothing. NULL when the reader refuses it (a NUL byte
 * makes it binary). */
static char *fuzz_through_a_file(const uint8_t *data, size_t size) {
  static int fd = -1;
  if (fd < 0) {
    if ((fd = mkstemp(fuzz_path)) < 0)
      abort();
    atexit(fuzz_remove_file);
  }
  FUZZ_CHECK(ftruncate(fd, 0) == 0);
  FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
  char why[256] = "";
  char *text = file_read_text_nofollow(fuzz_path, size + 1, why, sizeof(why));
  bool binary = size > 0 && memchr(data, '\0', size) != NULL;
  FUZZ_CHECK((text == NULL) == binary);
  FUZZ_CHECK(text != NULL || why[0] != '\0');
  FUZZ_CHECK(text == NULL || (strlen(text) == size &&
                              (size == 0 || memcmp(text, data, size) == 0)));
  return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_through_a_file(data, size);
  if (text == NULL) /* what the reader refuses is never parsed */
    text = fuzz_text(data, size);
  fuzz_roundtrip(text, size);

  /* The body: everything before the last line, then a true end line. */
  size_t len = strlen(text);
  while (len > 0 && text[len - 1] == '\n')
    len--;
  while (len > 0 && text[len - 1] != '\n')
    len--;
  strbuf_t fixed = STRBUF_INIT;
  strbuf_append_len(&fixed, text, len);
  strbuf_printf(&fixed, "end %zu\n", len);
  const char *s = strbuf_str(&fixed);
  FUZZ_CHECK(s != NULL);
  fuzz_roundtrip(s, size);
  strbuf_free(&fixed);
  free(text);
  return 0;
}
