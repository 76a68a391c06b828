# Sourced by ci/test: makes sure Debian's redis-server is installed (the Redis Streams tests start their own on a
# free port), or says plainly that it is not; the redis tests then report themselves skipped with that reason.
# After this, SLUICE_REDIS is "yes" or "no".
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then
    SLUICE_REDIS=yes
elif [ "${SLUICE_INSTALL_REDIS:-1}" = "0" ]; then
    echo "ci: WARNING: redis-server is not installed (SLUICE_INSTALL_REDIS=0); the Redis Streams tests will be skipped" >&2
    SLUICE_REDIS=no
elif sluice_apt_install "the Redis Streams connector's tests need it" redis-server; then
    SLUICE_REDIS=yes
else
    echo "ci: WARNING: redis-server is not installed and could not be (not root, no apt-get, or apt-get failed);" \
        "the Redis Streams tests will be skipped" >&2
    SLUICE_REDIS=no
fi
export SLUICE_REDIS
