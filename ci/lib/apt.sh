# Sourced by the ci/lib/ helpers: installs Debian packages when this is root with apt-get, quietly, once per
# script run (one `apt-get update`). Callers say plainly what is missing when it returns non-zero.
#   sluice_apt_install WHY PACKAGE...   returns 0 when installed, 1 when it cannot (not root, no apt-get, failure)
sluice_apt_install() {
    local why="$1"
    shift
    if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
        return 1
    fi
    echo "ci: installing $* ($why)" >&2
    if [ -z "${SLUICE_APT_UPDATED:-}" ]; then
        apt-get update -qq >/dev/null 2>&1 || return 1
        SLUICE_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

#   sluice_require_command COMMAND PACKAGE WHY CONSEQUENCE
# Makes sure COMMAND exists, installing PACKAGE (for WHY) when it does not; otherwise warns that CONSEQUENCE.
sluice_require_command() {
    command -v "$1" >/dev/null 2>&1 && return 0
    sluice_apt_install "$3" "$2" && return 0
    echo "ci: WARNING: $1 is not installed and could not be (not root, no apt-get, or apt-get failed); $4" >&2
}
