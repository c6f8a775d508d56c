#!/usr/bin/env bash
# Renders the README screenshots: the real meshtrim binary, on the bundled demo mesh, in a detached tmux of a fixed
# size; `tmux capture-pane -e -p -N` gives the screen with its colours, and scripts/ansi2png.py draws it cell by cell.
#
# Usage: scripts/screenshots.sh            (writes Screenshots/*.png)
# Needs: tmux, python3 with venv, fonts-dejavu-core; rich and Pillow are installed into .build/venv-shots.
# Environment: MESHTRIM (a meshtrim binary to use instead of building one).
#
# Each shot is `shot NAME COLS ROWS KEYS...`. KEYS are tmux key names (Down, Enter, Escape, C-c, q, …) sent one at
# a time, plus two forms of our own:
#   text:STRING   types STRING literally (send-keys -l)
#   wait:TEXT     waits until the screen shows TEXT (e.g. the header that appears when the demo has loaded)
# Nothing sleeps for a fixed time: after each key the script waits until the screen has changed (keys that change
# nothing, such as Home on the first row, give up after a second), and a shot fails if a wait:TEXT never shows.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/Screenshots
WORK=$ROOT/.build/shots
VENV=$ROOT/.build/venv-shots
SOCKETS=()
# Every tmux server this script starts is ended when it exits, however it exits.
cleanup() {
    local socket
    for socket in "${SOCKETS[@]}"; do tmux -L "$socket" kill-server 2>/dev/null || true; done
}
trap cleanup EXIT

# MESHTRIM=PATH uses that binary instead of building one (e.g. a clean clone's).
if [[ -n ${MESHTRIM:-} ]]; then
    BIN=$MESHTRIM
else
    swift build --product meshtrim
    BIN=$(swift build --show-bin-path)/meshtrim
fi

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
    SOCKETS+=("$socket")
    screen() { "${tmux[@]}" capture-pane -p -t shot; }
    # Each wait polls every 50 ms.
    wait_for_text() {
        local tries=0
        until screen | grep -qF -- "$1"; do
            if ((tries++ >= 400)); then
                echo "screenshots: shot $name never showed '$1'; the screen was:" >&2
                screen >&2
                return 1
            fi
            sleep 0.05
        done
    }
    wait_for_change() {
        local before=$1 tries=0
        while [[ $(screen) == "$before" ]] && ((tries++ < 20)); do sleep 0.05; done
    }
    wait_for_change ""
    local key before
    for key in "$@"; do
        before=$(screen)
        case $key in
        text:*) "${tmux[@]}" send-keys -t shot -l "${key#text:}"; wait_for_change "$before" ;;
        wait:*) wait_for_text "${key#wait:}" ;;
        *) "${tmux[@]}" send-keys -t shot "$key"; wait_for_change "$before" ;;
        esac
    done
    # The capture waits until the screen has stopped changing (two reads 100 ms apart agree, at most 2 s).
    local last tries=0
    last=$(screen)
    while ((tries++ < 20)); do
        sleep 0.1
        [[ $(screen) == "$last" ]] && break
        last=$(screen)
    done
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
# debug build): every shot first waits for the header's sidecar count, which appears when it has loaded.
DOWN10=(Down Down Down Down Down Down Down Down Down Down)
# Namespaces, biggest Envoy memory first, with what the common fix would save.
shot namespaces 120 40 wait:sidecars ·
# The pods of the most bloated namespace.
shot pods 120 40 wait:sidecars · Enter
# One pod's sidecar: memory panel, clusters in istioctl's columns sorted by observed traffic, and why one exists.
shot detail 120 40 wait:sidecars · Enter Enter T Home Enter
# The egress editor on that namespace after the common fix: what it saves, and the observed traffic it would cut.
shot editor 120 40 wait:sidecars · e 1 "${DOWN10[@]}" Right
# The YAML preview of an already scoped namespace, trimmed to its observed traffic: validation, manifest, diff.
shot yaml 120 40 wait:sidecars · / text:messaging Enter e 2 y
# Help in the editor: every key of the screen, from the same table that drives the hint bar.
shot help 120 40 wait:sidecars · e ?
# The mesh-wide default (E): the traffic it would cut per source namespace, totals, and the breakdown per namespace.
shot meshdefault 120 40 wait:sidecars · E "wait:PER NAMESPACE"
# The plan of the whole mesh (:plan): totals, the waves with their Sidecars, cut risks, unknown destinations.
shot plan 120 40 wait:sidecars · : text:plan Enter "wait:WAVE 1"
