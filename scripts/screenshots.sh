#!/usr/bin/env bash
# Renders the README screenshots: the real meshtrim binary, on the bundled demo mesh, in a detached tmux of a fixed
# size; `tmux capture-pane -e -p -N` gives the screen with its colours, and scripts/ansi2png.py draws it cell by cell.
#
# Usage: scripts/screenshots.sh            (writes Screenshots/*.png)
# Needs: tmux, python3 with venv, fonts-dejavu-core; rich and Pillow are installed into .build/venv-shots.
#
# Each shot is `shot NAME COLS ROWS KEYS...`. KEYS are tmux key names (Down, Enter, Escape, C-c, q, …) sent one at
# a time with a short pause, plus two forms of our own:
#   text:STRING   types STRING literally (send-keys -l)
#   sleep:SECONDS waits longer, e.g. for a load to finish
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/Screenshots
WORK=$ROOT/.build/shots
VENV=$ROOT/.build/venv-shots
KEY_PAUSE=${KEY_PAUSE:-0.15}

swift build --product meshtrim
BIN=$(swift build --show-bin-path)/meshtrim

if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c 'import rich, PIL' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet rich pillow
fi
mkdir -p "$OUT" "$WORK"

# shot NAME COLS ROWS KEYS...: start `meshtrim --demo` at COLS x ROWS, press KEYS, render Screenshots/NAME.png.
shot() {
    local name=$1 cols=$2 rows=$3
    shift 3
    local socket="meshtrim-shot-$name-$$"
    local tmux=(tmux -L "$socket" -f /dev/null -u)
    LANG=C.UTF-8 "${tmux[@]}" new-session -d -s shot -x "$cols" -y "$rows" \
        -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 -e SWIFT_BACKTRACE=interactive=no \
        "$(printf '%q' "$BIN") --demo; echo \"[exited \$?]\"; exec sleep 600"
    # Wait (up to 5 s) for the first frame, then let it settle.
    local tries=0
    until [[ -n $("${tmux[@]}" capture-pane -p -t shot | tr -d '[:space:]') ]] || ((tries++ >= 100)); do
        sleep 0.05
    done
    sleep 0.3
    local key
    for key in "$@"; do
        case $key in
        text:*) "${tmux[@]}" send-keys -t shot -l "${key#text:}" ;;
        sleep:*) sleep "${key#sleep:}" ;;
        *) "${tmux[@]}" send-keys -t shot "$key" ;;
        esac
        sleep "$KEY_PAUSE"
    done
    sleep 0.3
    "${tmux[@]}" capture-pane -e -p -N -t shot >"$WORK/$name.ansi"
    "${tmux[@]}" kill-server
    if grep -q '^\[exited ' "$WORK/$name.ansi"; then
        echo "screenshots: meshtrim exited during shot $name:" >&2
        cat "$WORK/$name.ansi" >&2
        return 1
    fi
    "$VENV/bin/python" scripts/ansi2png.py "$WORK/$name.ansi" "$OUT/$name.png" "$cols" "$rows"
}

# The shots for the README, all at 120x40 on the demo mesh. The demo loads in the background (about a second in a
# debug build), hence the sleep before the first key.
DOWN10=(Down Down Down Down Down Down Down Down Down Down)
# Namespaces, biggest Envoy memory first, with what the common fix would save.
shot namespaces 120 40 sleep:3
# The pods of the most bloated namespace.
shot pods 120 40 sleep:3 Enter
# One pod's sidecar: memory panel, clusters in istioctl's columns sorted by observed traffic, and why one exists.
shot detail 120 40 sleep:3 Enter Enter T Home Enter
# The egress editor on that namespace after the common fix: what it saves, and the observed traffic it would cut.
shot editor 120 40 sleep:3 e 1 "${DOWN10[@]}" Right
# The YAML preview of an already scoped namespace, trimmed to its observed traffic: validation, manifest, diff.
shot yaml 120 40 sleep:3 / text:messaging Enter e 2 y
# Help in the editor: every key of the screen, from the same table that drives the hint bar.
shot help 120 40 sleep:3 e ?
