# Sourced by ci/nightly, ci/compare and ci/publish-trends: sets SLUICE_BENCH to a release build of sluice-bench.
# SLUICE_BENCH_BIN=<path> uses a prebuilt binary instead (and skips the build); a SLUICE_BENCH exported by a
# calling ci/ script is reused.
if [ -n "${SLUICE_BENCH_BIN:-}" ]; then
    SLUICE_BENCH="$SLUICE_BENCH_BIN"
elif [ -n "${SLUICE_BENCH:-}" ] && [ -x "$SLUICE_BENCH" ]; then
    : # already built by the calling script
else
    echo "ci: building sluice-bench (release)" >&2
    swift build -c release --product sluice-bench >&2
    SLUICE_BENCH="$(swift build -c release --show-bin-path)/sluice-bench"
fi
export SLUICE_BENCH
