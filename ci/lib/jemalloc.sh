# Sourced by the ci/ scripts: makes sure jemalloc is installed, or says plainly that it is not.
# After this, SLUICE_ALLOCATOR is "jemalloc" or "system".
if [ -e /usr/lib/x86_64-linux-gnu/libjemalloc.so ] || [ -e /usr/lib/aarch64-linux-gnu/libjemalloc.so ] \
    || [ -e /usr/lib/libjemalloc.so ] || [ -e /usr/local/lib/libjemalloc.so ]; then
    SLUICE_ALLOCATOR=jemalloc
elif [ "${SLUICE_JEMALLOC:-1}" != "0" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ci: installing libjemalloc-dev (allocation metrics need it)" >&2
    if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjemalloc-dev) >/dev/null 2>&1; then
        SLUICE_ALLOCATOR=jemalloc
    else
        echo "ci: WARNING: could not install libjemalloc-dev; allocation metrics will be reported as unavailable" >&2
        SLUICE_ALLOCATOR=system
    fi
else
    echo "ci: WARNING: jemalloc is not installed; allocation metrics will be reported as unavailable" >&2
    SLUICE_ALLOCATOR=system
fi
export SLUICE_ALLOCATOR
