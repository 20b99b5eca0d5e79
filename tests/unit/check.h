/* tests/unit/check.h - the unit-test harness: CHECK continues, the binary fails at the end.
 *
 * Each tests/unit/test_<module>.c defines   static const struct check_case cases[] = {...};
 * and ends with   CHECK_MAIN(cases)   which runs every case (or those named on the command
 * line), prints one line per failure with file:line, and exits non-zero if any failed.
 */
#ifndef PW_TESTS_CHECK_H
#define PW_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

struct check_case {
    const char *name;
    void (*fn)(void);
};

static int check_failures_;
static int check_count_;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        check_count_++;                                                                            \
        if (!(cond)) {                                                                             \
            check_failures_++;                                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        check_count_++;                                                                            \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                                     \
            check_failures_++;                                                                     \
            fprintf(stderr, "%s:%d: CHECK_STR failed: %s == %s\n  got:  \"%s\"\n  want: \"%s\"\n", \
                    __FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");           \
        }                                                                                          \
    } while (0)

#define CHECK_NEAR(a, b, eps)                                                                      \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        check_count_++;                                                                            \
        if (!(fabs(a_ - b_) <= (eps))) {                                                           \
            check_failures_++;                                                                     \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %g, want %g\n", __FILE__, __LINE__,    \
                    #a, a_, b_);                                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_MAIN(cases)                                                                          \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        int ran = 0;                                                                               \
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {                            \
            int want = argc < 2;                                                                   \
            for (int a = 1; a < argc; a++)                                                         \
                if (strcmp(argv[a], cases[i].name) == 0) want = 1;                                 \
            if (!want) continue;                                                                   \
            int before = check_failures_;                                                          \
            cases[i].fn();                                                                         \
            ran++;                                                                                 \
            if (check_failures_ != before) fprintf(stderr, "FAIL %s\n", cases[i].name);            \
        }                                                                                          \
        printf("%s: %d cases, %d checks, %d failed\n", argv[0], ran, check_count_,                 \
               check_failures_);                                                                   \
        return check_failures_ ? 1 : 0;                                                            \
    }

#endif
