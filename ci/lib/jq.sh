# Sourced by the ci/ scripts: makes sure jq (the peer of `sluice run`) is installed, or says plainly that it is
# not. Tests comparing `sluice run` with jq skip, saying why, when it is missing.
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
sluice_require_command jq jq "the jq comparison test and the macro/run/filter-project/jq peer need it" \
    "the jq comparison test will be skipped"
