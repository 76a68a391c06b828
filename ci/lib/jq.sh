# Sourced by the ci/ scripts: makes sure jq (the peer of `sluice run`) is installed, or says plainly that it is
# not. Tests comparing `sluice run` with jq skip, saying why, when it is missing.
if command -v jq >/dev/null 2>&1; then
    :
elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ci: installing jq (the jq comparison test and the macro/run/filter-project/jq peer need it)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq) >/dev/null 2>&1 \
        || echo "ci: WARNING: could not install jq; the jq comparison test will be skipped" >&2
else
    echo "ci: WARNING: jq is not installed; the jq comparison test will be skipped" >&2
fi
