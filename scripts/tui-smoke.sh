#!/usr/bin/env bash
# Smoke test of `mapiscope tui` in a real terminal (tmux): builds the
# binary, writes the sample trace, drives the UI with keys and checks the
# screen after each step. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "tui-smoke: tmux is required" >&2; exit 2; }
work=$(mktemp -d)
sock="mapiscope-smoke-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/mapiscope" ./cmd/mapiscope
go run ./scripts/mksample "$work/s.mapiscope"

tmux -L "$sock" new-session -d -x 160 -y 48 "$work/mapiscope tui $work/s.mapiscope; echo EXITED; sleep 30"
screen() { tmux -L "$sock" capture-pane -p; }
expect() { # expect TEXT STEP: wait up to 5 s for TEXT on screen
	for _ in $(seq 50); do
		if screen | grep -qF -- "$1"; then echo "ok: $2"; return 0; fi
		sleep 0.1
	done
	echo "FAIL: $2: \"$1\" not on screen:" >&2
	screen >&2
	exit 1
}
reject() { # reject TEXT STEP
	if screen | grep -qF -- "$1"; then echo "FAIL: $2: \"$1\" still on screen" >&2; screen >&2; exit 1; fi
}
keys() { tmux -L "$sock" send-keys "$@"; sleep 0.2; }

expect "OpenFolder, GetContentsTable, SetColumns" "first screen shows the exchanges"
expect "exchanges (8)" "total count"
if [ -n "${SMOKE_CAPTURE:-}" ]; then screen >"$SMOKE_CAPTURE"; fi
keys / '~rop QueryRows'
expect "valid filter" "filter validates as typed"
keys Enter
expect "exchanges (1) / ~rop QueryRows" "/~rop QueryRows filters"
reject "NotificationWait" "filtered rows hidden"
keys Enter
expect "ROPs of exchange 6 (2)" "enter shows the ROPs"
expect "RopQueryRows" "ROP listed"
keys Enter
expect "RopQueryRows" "enter on a ROP shows its tree"
keys '?'
expect "this help" "? shows help"
keys Escape
keys q
expect "EXITED" "q quits"
echo "tui-smoke: all steps passed"
