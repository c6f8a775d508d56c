#!/usr/bin/env bash
# Regenerates the bundled demo (Sources/meshtrim/Resources/demo-snapshot.json) with Envoy figures measured on real
# Envoys: the generator's mesh, served by `meshtrim lab` at the demo's parameters with one real Envoy per distinct pod
# configuration (namespace, Sidecar, inbound ports), captured with `meshtrim snapshot -n …` (the live path).
#
# All ~270 configurations at once would need ~14 GB of Envoy memory, so the namespaces are measured in batches
# (BATCH namespaces per lab, ~50 Envoys, ~3 GB); every pod still has an Envoy with exactly its own clusters.
# `meshtrim generate-demo --from-lab` then keeps the generated inventory and traffic and takes each sidecar's
# cluster count, memory and working set from the captures (it refuses a count that is not the pod's prediction).
#
# Usage: bash scripts/demo-from-lab.sh [OUTPUT]     (default: the bundled demo; takes ~5 minutes on 2 cores)
# Environment: BATCH (namespaces per lab, default 5), MESHTRIM (binary, default: swift build's debug product),
#              MESHTRIM_ENVOY (default: scripts/install-test-tools.sh's Envoy), KEEP=1 keeps the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every tool it needs, checked up front: a missing one fails here with its name, not half-way through a batch.
for tool in jq swift python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "demo-from-lab: $tool is missing (apt-get install $tool)" >&2
        exit 1
    fi
done

output=${1:-Sources/meshtrim/Resources/demo-snapshot.json}
batch=${BATCH:-5}
if [ -z "${MESHTRIM:-}" ]; then
    swift build --product meshtrim >&2
    MESHTRIM=.build/debug/meshtrim
fi
if [ -z "${MESHTRIM_ENVOY:-}" ]; then
    if ! MESHTRIM_ENVOY=$(bash scripts/install-test-tools.sh | tail -n 1) || [ ! -x "$MESHTRIM_ENVOY" ]; then
        echo "demo-from-lab: no Envoy (scripts/install-test-tools.sh failed; see its messages above)" >&2
        exit 1
    fi
fi
if [ ! -x "$MESHTRIM_ENVOY" ]; then
    echo "demo-from-lab: MESHTRIM_ENVOY=$MESHTRIM_ENVOY is not an executable" >&2
    exit 1
fi
export MESHTRIM_ENVOY
work=$(mktemp -d "${TMPDIR:-/tmp}/demo-from-lab.XXXXXX")
lab_pid=""
cleanup() {
    if [ -n "$lab_pid" ]; then kill "$lab_pid" 2>/dev/null || true; wait "$lab_pid" 2>/dev/null || true; fi
    if [ "${KEEP:-0}" != 1 ]; then rm -rf "$work"; else echo "demo-from-lab: kept $work" >&2; fi
}
trap cleanup EXIT

# The demo's parameters are generate-demo's defaults; the lab's generator takes the same defaults for the rest.
params=(--namespaces 32 --services 640 --pods 1560 --seed 20260302)
"$MESHTRIM" generate-demo -o "$work/generated.json" --force "${params[@]}" >&2
mapfile -t namespaces < <(jq -r '[.observations[].namespace] | unique | .[]' "$work/generated.json")
echo "demo-from-lab: ${#namespaces[@]} namespaces with observed sidecars, $batch per lab" >&2

# start_lab INDEX ATTEMPT ARGS...: starts a lab in the background and waits for `lab: ready`; 1 if it exited or
# did not get ready (its log and the failed Envoy's log tail are printed).
start_lab() {
    local index=$1 attempt=$2
    shift 2
    local log="$work/lab-$index-$attempt.log"
    "$MESHTRIM" lab "${params[@]}" "$@" --max-envoys 500 \
        --kubeconfig-out "$work/lab-$index.kubeconfig" --state-dir "$work/state-$index-$attempt" >"$log" 2>&1 &
    lab_pid=$!
    for ((waited = 0; waited < 600; waited++)); do
        grep -qs '^lab: ready' "$log" && return 0
        if ! kill -0 "$lab_pid" 2>/dev/null; then break; fi
        sleep 1
    done
    cat "$log" >&2
    local envoy_log
    envoy_log=$(sed -n 's/.*; see \(.*envoy\.log\).*/\1/p' "$log" | head -n 1)
    if [ -n "$envoy_log" ] && [ -f "$envoy_log" ]; then tail -n 5 "$envoy_log" >&2; fi
    kill "$lab_pid" 2>/dev/null || true
    wait "$lab_pid" 2>/dev/null || true
    lab_pid=""
    return 1
}

started=$SECONDS
captures=()
for ((first = 0; first < ${#namespaces[@]}; first += batch)); do
    group=("${namespaces[@]:first:batch}")
    index=$((first / batch))
    envoy_args=()
    snapshot_args=()
    for ns in "${group[@]}"; do envoy_args+=(--envoy-namespace "$ns"); snapshot_args+=(-n "$ns"); done
    # An Envoy can fail to start when another process takes the port it was given; the batch is then retried.
    attempt=1
    until start_lab "$index" "$attempt" "${envoy_args[@]}"; do
        if ((attempt >= 3)); then echo "demo-from-lab: batch $index failed $attempt times" >&2; exit 1; fi
        attempt=$((attempt + 1))
        echo "demo-from-lab: batch $index: the lab did not start; attempt $attempt" >&2
    done
    # server.memory_allocated is refreshed on Envoy's stats flush: the lab's bootstrap flushes every second
    # (stats_flush_interval 1s, EnvoyBootstrap), so two flushes have passed after 2 s.
    sleep 2
    "$MESHTRIM" snapshot -o "$work/capture-$index.json" "${snapshot_args[@]}" --kubeconfig "$work/lab-$index.kubeconfig" >&2
    echo "demo-from-lab: batch $index (${group[*]}): $(grep -o '[0-9]* Envoys running' "$work/lab-$index-$attempt.log"), $((SECONDS - started)) s so far" >&2
    captures+=(--from-lab "$work/capture-$index.json")
    kill "$lab_pid"
    wait "$lab_pid" || true
    lab_pid=""
done

if [ "$output" = Sources/meshtrim/Resources/demo-snapshot.json ]; then
    "$MESHTRIM" generate-demo "${params[@]}" "${captures[@]}"
else
    "$MESHTRIM" generate-demo -o "$output" --force "${params[@]}" "${captures[@]}"
fi
echo "demo-from-lab: done in $((SECONDS - started)) s" >&2
