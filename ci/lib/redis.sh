# Sourced by ci/test: makes sure Debian's redis-server is installed (the Redis Streams tests start their own on a
# free port), or says plainly that it is not; the redis tests then report themselves skipped with that reason.
# After this, SLUICE_REDIS is "yes" or "no".
if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then
    SLUICE_REDIS=yes
elif [ "${SLUICE_INSTALL_REDIS:-1}" != "0" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ci: installing redis-server (the Redis Streams connector's tests need it)" >&2
    if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null 2>&1; then
        SLUICE_REDIS=yes
    else
        echo "ci: WARNING: could not install redis-server; the Redis Streams tests will be skipped" >&2
        SLUICE_REDIS=no
    fi
else
    echo "ci: WARNING: redis-server is not installed (not root or no apt-get); the Redis Streams tests will be skipped" >&2
    SLUICE_REDIS=no
fi
export SLUICE_REDIS
