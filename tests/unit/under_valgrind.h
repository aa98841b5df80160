/* under_valgrind.h — RUNNING_ON_VALGRIND for the unit tests that shrink
 * or skip their timing and big-data parts under valgrind (memcheck runs
 * them ~50x slower); 0 where valgrind's header is not installed. */
#ifndef MLG_TEST_UNDER_VALGRIND_H
#define MLG_TEST_UNDER_VALGRIND_H

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#endif
