# Sourced by the ci/ scripts: makes sure valgrind (with valgrind/callgrind.h) is installed before the build, or
# says plainly that it is not. The instruction lane counts with Callgrind; without valgrind it reports the
# `instructions` metric as unavailable and its tests skip, saying why.
# After this, SLUICE_VALGRIND is "yes" or "no".
if command -v valgrind >/dev/null 2>&1 && [ -e /usr/include/valgrind/callgrind.h ]; then
    SLUICE_VALGRIND=yes
elif [ "${SLUICE_INSTALL_VALGRIND:-1}" != "0" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ci: installing valgrind (the instruction lane needs Callgrind)" >&2
    if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind) >/dev/null 2>&1; then
        SLUICE_VALGRIND=yes
    else
        echo "ci: WARNING: could not install valgrind; instruction counts will be reported as unavailable" >&2
        SLUICE_VALGRIND=no
    fi
else
    echo "ci: WARNING: valgrind is not installed; instruction counts will be reported as unavailable" >&2
    SLUICE_VALGRIND=no
fi
export SLUICE_VALGRIND
