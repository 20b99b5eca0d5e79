/* tests/unit/test_records.c - the short title a request record keeps (daemon/records.c).
 *
 * daemon/ objects are not in the library every test links, so records.c is compiled into this
 * file, which also reaches its static short_title(). The title is what the page lists for a
 * request, so it must stay one short line, whole words where it can, whole UTF-8 characters
 * always.
 */
#include "../../daemon/records.c"

#include "check.h"

static int
valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80             ? 0
                : (*p & 0xE0) == 0xC0 ? 1
                : (*p & 0xF0) == 0xE0 ? 2
                : (*p & 0xF8) == 0xF0 ? 3
                                      : -1;
        if (n < 0) return 0;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80) return 0;
    }
    return 1;
}

static void
test_short_titles(void)
{
    char *t = short_title("  Orders\tinto\n\n  the   lake  ");
    CHECK_STR(t, "Orders into the lake");
    free(t);
    CHECK(short_title(NULL) == NULL);
    CHECK(short_title(" \t\n ") == NULL);
    CHECK(short_title("") == NULL);

    /* exactly the limit: kept whole */
    char exact[RECORDS_TITLE_MAX + 1];
    memset(exact, 'a', RECORDS_TITLE_MAX);
    exact[RECORDS_TITLE_MAX] = '\0';
    t = short_title(exact);
    CHECK(t && strcmp(t, exact) == 0);
    free(t);

    /* words: cut at the last space that fits, with an ellipsis */
    char words[700] = "";
    for (int i = 0; i < 60; i++) strcat(words, "lakehouse ");
    t = short_title(words);
    CHECK(t && strlen(t) <= RECORDS_TITLE_MAX);
    CHECK(t && strcmp(t + strlen(t) - 3, "\xE2\x80\xA6") == 0);
    CHECK(t && strncmp(t, "lakehouse lakehouse", 19) == 0);
    CHECK(t && t[strlen(t) - 4] == 'e'); /* "...lakehouse…": a whole word before the ellipsis */
    free(t);

    /* one long word of two-byte characters: cut at a character, never inside one */
    char accents[601];
    for (int i = 0; i < 300; i++) memcpy(accents + 2 * i, "\xC3\xA9", 2);
    accents[600] = '\0';
    t = short_title(accents);
    CHECK(t && strlen(t) <= RECORDS_TITLE_MAX && valid_utf8(t));
    free(t);
    accents[0] = 'x'; /* the characters now start at odd bytes: "x" then 299 of them */
    for (int i = 0; i < 299; i++) memcpy(accents + 1 + 2 * i, "\xC3\xA9", 2);
    accents[599] = '\0';
    t = short_title(accents);
    CHECK(t && strlen(t) <= RECORDS_TITLE_MAX && valid_utf8(t));
    free(t);
}

static const struct check_case cases[] = {
    {"short_titles", test_short_titles},
};

CHECK_MAIN(cases)
