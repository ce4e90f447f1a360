/* State file text. Each input is read twice: as it is (so the end line is
 * checked), and with its last line replaced by a correct "end N" line (so
 * that mutations reach the line parsers instead of the byte count). The
 * domain table is a hand-made account's: two domains, plus Domain "*" when
 * the input's length is odd. Checks that a file read back is written
 * again unchanged: format(parse(format(parse(x)))) == format(parse(x)). */
#include "core/statefile.h"

#include "fuzz.h"

#define FUZZ_ACCOUNT "prod"

static void fuzz_account(conf_account_t *a, int wildcard) {
  static conf_domain_t domains[] = {
      {"*", CONF_TYPES_ALL, CONF_INHERIT, CONF_INHERIT},
      {"example.com", CONF_TYPES_ALL, CONF_INHERIT, CONF_INHERIT},
      {"static.example.com", 1u << TASK_TYPE_FILE, 300, CONF_NOTIFY_FAILED},
  };
  memset(a, 0, sizeof(*a));
  a->name = FUZZ_ACCOUNT;
  a->stuck_after = CONF_DEFAULT_STUCK_AFTER;
  a->notify = CONF_NOTIFY_ALL;
  a->domains = wildcard ? domains : domains + 1;
  a->domain_count = wildcard ? 3 : 2;
}

/* Parses text into a fresh table; on success writes the state to out. */
static int fuzz_parse(const char *text, int wildcard, strbuf_t *out) {
  conf_account_t account;
  domtab_t tab;
  statefile_state_t st;
  char why[256];
  fuzz_account(&account, wildcard);
  FUZZ_CHECK(domtab_init(&tab, &account) == 0);
  why[0] = '\0';
  int status = statefile_parse(text, FUZZ_ACCOUNT, &tab, &st, why, sizeof(why));
  FUZZ_CHECK(status == 0 || status == -1);
  if (status != 0) {
    FUZZ_CHECK(why[0] != '\0');
  } else {
    FUZZ_CHECK(tab.count <= DOMTAB_MAX_DOMAINS);
    size_t pos = 0;
    const tracked_task_t *t;
    while ((t = tracker_next(&st.tracker, &pos)) != NULL)
      FUZZ_CHECK(t->domain == DOMTAB_NONE || t->domain < tab.count);
    statefile_format(out, FUZZ_ACCOUNT, &tab, &st);
    FUZZ_CHECK(strbuf_str(out) != NULL);
  }
  statefile_state_free(&st);
  domtab_free(&tab);
  return status;
}

static void fuzz_roundtrip(const char *text, int wildcard) {
  strbuf_t first = STRBUF_INIT, second = STRBUF_INIT;
  if (fuzz_parse(text, wildcard, &first) == 0) {
    FUZZ_CHECK(fuzz_parse(strbuf_str(&first), wildcard, &second) == 0);
    FUZZ_CHECK(strcmp(strbuf_str(&first), strbuf_str(&second)) == 0);
  }
  strbuf_free(&first);
  strbuf_free(&second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  int wildcard = (int)(size & 1);
  fuzz_roundtrip(text, wildcard);

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
  fuzz_roundtrip(s, wildcard);
  strbuf_free(&fixed);
  free(text);
  return 0;
}
