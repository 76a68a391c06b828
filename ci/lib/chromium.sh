# Sourced by ci/test: makes sure Debian's chromium is installed, so TrendBrowserTests renders the trend page
# headless, checks its DOM and saves screenshots (1280x800, 390x844) to reports/test-artifacts/; or says plainly
# that it is not, and the test then reports itself skipped with that reason. The install takes about a minute
# on a fresh machine; SLUICE_INSTALL_CHROMIUM=0 skips it.
# After this, SLUICE_CHROMIUM is "yes" (the browser test must run, and fails if it cannot) or "no".
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    SLUICE_CHROMIUM=yes
elif [ "${SLUICE_INSTALL_CHROMIUM:-1}" = "0" ]; then
    echo "ci: WARNING: chromium is not installed (SLUICE_INSTALL_CHROMIUM=0); the trend page's browser test will be skipped" >&2
    SLUICE_CHROMIUM=no
elif sluice_apt_install "the trend page's browser test renders it headless" chromium; then
    SLUICE_CHROMIUM=yes
else
    echo "ci: WARNING: chromium is not installed and could not be (not root, no apt-get, or apt-get failed);" \
        "the trend page's browser test will be skipped" >&2
    SLUICE_CHROMIUM=no
fi
export SLUICE_CHROMIUM
