#ifndef SLUICE_CCALLGRIND_H
#define SLUICE_CCALLGRIND_H

/// 1 when this build has valgrind's client requests (valgrind/callgrind.h was found), else 0.
int sluice_callgrind_compiled(void);

/// How many valgrind layers this process runs under: 0 natively (always 0 when not compiled in).
unsigned sluice_running_on_valgrind(void);

/// Starts counting on the calling thread: instrumentation on, statistics zeroed, collection toggled on.
/// Needs `--instr-atstart=no --collect-atstart=no`. Outside valgrind: a few instructions, no effect.
void sluice_callgrind_begin(void);

/// Stops counting on the calling thread: collection toggled off, the statistics dumped under `reason`
/// (a new `<out-file>.<n>` file), instrumentation off. Outside valgrind: no effect.
void sluice_callgrind_end(const char *reason);

#endif
