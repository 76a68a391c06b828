# Sourced by ci/test: makes sure `patch` is installed (sluice-bench selftest applies the mutation patches in
# ci/selftest/ with it, and SelftestPatchTests checks that they apply), or says plainly that it is not.
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
sluice_require_command patch patch "the self-test's mutation patches are applied with it" \
    "SelftestPatchTests will fail and sluice-bench selftest cannot build its mutants"
