#!/usr/bin/env bash
# bench-import.sh FILE — time importing a capture: tshark's HTTP dissection
# against mapiscope's importer, side by side (elapsed time, MB/s, CPU time,
# peak RSS), each run under /usr/bin/time -v.
#
#   go run ./scripts/genpcap -size 1GiB -o /tmp/mapi.pcap
#   scripts/bench-import.sh /tmp/mapi.pcap
#
# Runs:
#   tshark -r FILE -Y http -T fields -e http.request.method > /dev/null
#   mapiscope import FILE --trace T          (when the command exists)
#   genpcap -read FILE                       (capture/pcap.Read alone)
# tshark is installed with apt-get when missing (as root, non-interactive).
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	echo "usage: $0 CAPTURE-FILE" >&2
	exit 2
fi
file=$1
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x /usr/bin/time ]; then
	echo "installing time…" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
fi
if ! command -v tshark >/dev/null 2>&1; then
	echo "installing tshark…" >&2
	export DEBIAN_FRONTEND=noninteractive
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
	apt-get update -qq
	apt-get install -y -qq tshark >/dev/null
fi

echo "building genpcap and mapiscope…" >&2
(cd "$root" && go build -o "$work/genpcap" ./scripts/genpcap)
(cd "$root" && go build -o "$work/mapiscope" ./cmd/mapiscope) || echo "mapiscope does not build: its import is skipped" >&2

size=$(stat -c %s "$file")
results=()

# run NAME COMMAND…: times the command, keeps one result line.
run() {
	local name=$1
	shift
	echo "running: $*" >&2
	if ! /usr/bin/time -v -o "$work/time" "$@" >"$work/out" 2>"$work/err"; then
		echo "  failed:" >&2
		tail -5 "$work/err" >&2
		results+=("$(printf '%-28s %s' "$name" "failed")")
		return
	fi
	results+=("$(awk -v name="$name" -v size="$size" '
		/Elapsed \(wall clock\)/ {
			n = split($NF, p, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + p[i]
			wall = s
		}
		/User time/   { user = $NF }
		/System time/ { sys = $NF }
		/Maximum resident set size/ { rss = $NF }
		END {
			cpu = user + sys
			if (wall <= 0) wall = 0.001
			if (cpu <= 0) cpu = 0.001
			printf "%-28s %9.2fs %10.1f %9.2fs %10.1f %10.1f MiB\n", name, wall, size / 1e6 / wall, cpu, size / 1e6 / cpu, rss / 1024
		}' "$work/time")")
}

run "tshark -Y http" tshark -r "$file" -Y http -T fields -e http.request.method
if [ -x "$work/mapiscope" ] && "$work/mapiscope" --help 2>/dev/null | grep -qE '^[[:space:]]+import[[:space:]]'; then
	run "mapiscope import" "$work/mapiscope" import "$file" --trace "$work/trace.db"
else
	echo "mapiscope has no import command yet: skipped" >&2
fi
run "capture/pcap.Read (genpcap)" "$work/genpcap" -read "$file"
grep -h '^warning:' "$work/out" >&2 || true

echo
awk -v f="$file" -v s="$size" 'BEGIN { printf "file: %s (%.1f MB)\n", f, s / 1e6 }'
printf '%-28s %10s %10s %10s %10s %14s\n' "" "elapsed" "MB/s" "cpu" "MB/s(cpu)" "peak RSS"
for r in "${results[@]}"; do
	echo "$r"
done
