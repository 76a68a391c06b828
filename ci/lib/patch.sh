# Sourced by ci/test: makes sure `patch` is installed (sluice-bench selftest applies the mutation patches
# in ci/selftest/ with it, and SelftestPatchTests checks that they apply), or says plainly that it is not.
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
if command -v patch >/dev/null 2>&1; then
    :
elif sluice_apt_install "the self-test's mutation patches are applied with it" patch; then
    :
else
    echo "ci: WARNING: patch is not installed and could not be (not root, no apt-get, or apt-get failed);" \
        "SelftestPatchTests will fail and sluice-bench selftest cannot build its mutants" >&2
fi
