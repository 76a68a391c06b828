# Sourced by the ci/ scripts: makes sure valgrind (with valgrind/callgrind.h) is installed before the build, or
# says plainly that it is not. The instruction lane counts with Callgrind; without valgrind it reports the
# `instructions` metric as unavailable and its tests skip, saying why.
# After this, SLUICE_VALGRIND is "yes" or "no".
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
if command -v valgrind >/dev/null 2>&1 && [ -e /usr/include/valgrind/callgrind.h ]; then
    SLUICE_VALGRIND=yes
elif [ "${SLUICE_INSTALL_VALGRIND:-1}" = "0" ]; then
    echo "ci: WARNING: valgrind is not installed (SLUICE_INSTALL_VALGRIND=0); instruction counts will be reported as unavailable" >&2
    SLUICE_VALGRIND=no
elif sluice_apt_install "the instruction lane needs Callgrind" valgrind; then
    SLUICE_VALGRIND=yes
else
    echo "ci: WARNING: valgrind is not installed and could not be (not root, no apt-get, or apt-get failed);" \
        "instruction counts will be reported as unavailable" >&2
    SLUICE_VALGRIND=no
fi
export SLUICE_VALGRIND
