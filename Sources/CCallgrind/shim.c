// Wraps valgrind's Callgrind client requests (C macros) in functions. Without the header (no valgrind
// installed at build time) every function is a stub and `sluice_callgrind_compiled()` says so.
#include "CCallgrind.h"

#ifdef SLUICE_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#include <valgrind/valgrind.h>

int sluice_callgrind_compiled(void) { return 1; }

unsigned sluice_running_on_valgrind(void) { return (unsigned)RUNNING_ON_VALGRIND; }

// Collection is per thread in Callgrind: only the calling thread's instructions count between begin and end.
void sluice_callgrind_begin(void) {
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_ZERO_STATS;
    CALLGRIND_TOGGLE_COLLECT;
}

void sluice_callgrind_end(const char *reason) {
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_DUMP_STATS_AT(reason);
    CALLGRIND_STOP_INSTRUMENTATION;
}
#else
int sluice_callgrind_compiled(void) { return 0; }
unsigned sluice_running_on_valgrind(void) { return 0; }
void sluice_callgrind_begin(void) {}
void sluice_callgrind_end(const char *reason) { (void)reason; }
#endif
