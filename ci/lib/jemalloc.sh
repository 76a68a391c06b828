# Sourced by the ci/ scripts: makes sure jemalloc is installed, or says plainly that it is not.
# After this, SLUICE_ALLOCATOR is "jemalloc" or "system".
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
if [ -e /usr/lib/x86_64-linux-gnu/libjemalloc.so ] || [ -e /usr/lib/aarch64-linux-gnu/libjemalloc.so ] \
    || [ -e /usr/lib/libjemalloc.so ] || [ -e /usr/local/lib/libjemalloc.so ]; then
    SLUICE_ALLOCATOR=jemalloc
elif [ "${SLUICE_JEMALLOC:-1}" = "0" ]; then
    echo "ci: WARNING: jemalloc is not installed (SLUICE_JEMALLOC=0); allocation metrics will be reported as unavailable" >&2
    SLUICE_ALLOCATOR=system
elif sluice_apt_install "allocation metrics need it" libjemalloc-dev; then
    SLUICE_ALLOCATOR=jemalloc
else
    echo "ci: WARNING: jemalloc is not installed and could not be (not root, no apt-get, or apt-get failed);" \
        "allocation metrics will be reported as unavailable" >&2
    SLUICE_ALLOCATOR=system
fi
export SLUICE_ALLOCATOR
