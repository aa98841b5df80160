/* check.h — the unit tests' check.  CHECK(cond) or CHECK(cond, "format",
 * ...) counts a check in `checks`; a failed one also in `failures`, and is
 * reported on stderr as "FAIL file:line: cond: message".  A test's main
 * returns failures != 0.  The counters belong to the including file (one
 * per test program). */
#ifndef MLG_TEST_CHECK_H
#define MLG_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int checks, failures;

__attribute__((format(printf, 4, 5), unused))
static void check_failed(const char *file, int line, const char *cond, const char *fmt, ...)
{
    failures++;
    fprintf(stderr, "FAIL %s:%d: %s", file, line, cond);
    if (fmt[1]) {   /* fmt is " " and the message */
        va_list ap;
        va_start(ap, fmt);
        fputc(':', stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
}

/* the message, when given, must be a string literal (" " pastes onto it) */
#define CHECK(cond, ...) \
    do { checks++; if (!(cond)) check_failed(__FILE__, __LINE__, #cond, " " __VA_ARGS__); } while (0)

#endif
