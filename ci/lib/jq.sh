# Sourced by the ci/ scripts: makes sure jq (the peer of `sluice run`) is installed, or says plainly that it is
# not. Tests comparing `sluice run` with jq skip, saying why, when it is missing.
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
if command -v jq >/dev/null 2>&1; then
    :
elif sluice_apt_install "the jq comparison test and the macro/run/filter-project/jq peer need it" jq; then
    :
else
    echo "ci: WARNING: jq is not installed and could not be (not root, no apt-get, or apt-get failed);" \
        "the jq comparison test will be skipped" >&2
fi
