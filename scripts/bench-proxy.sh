#!/usr/bin/env bash
# bench-proxy.sh — the proxy benchmark of issue 8 in one run on one upstream:
# direct, through mapiscope (recording on), through a bare
# httputil.ReverseProxy and through mitmproxy (reverse mode), at 1 and 16
# clients. Prints every run and the median per path.
#
#   scripts/bench-proxy.sh [COUNT] [REQUESTS]      (defaults: 5 runs, 4000 requests)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5}
n=${2:-4000}
if ! command -v mitmdump >/dev/null; then
  echo "installing mitmproxy (Debian package)…" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mitmproxy >/dev/null
fi
export MITMDUMP=$(command -v mitmdump)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3)"
out=$(go test -run XXX -bench BenchmarkProxy -benchtime "${n}x" -count "$count" ./proxy/ | grep '^BenchmarkProxy')
echo "$out"
echo
echo "medians over $count runs:"
echo "$out" | awk '
{
  name = $1; sub(/-[0-9]+$/, "", name); sub(/^BenchmarkProxy\//, "", name)
  for (i = 5; i < NF; i += 2) { v[name, $(i+1), ++c[name, $(i+1)]] = $i; units[$(i+1)] = 1 }
  if (!(name in seen)) { seen[name] = 1; order[++k] = name }
}
function median(name, u,    n, i, j, t, a) {
  n = c[name, u]; if (n == 0) return "-"
  for (i = 1; i <= n; i++) a[i] = v[name, u, i] + 0
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
END {
  printf "%-30s %10s %10s %10s %12s %16s\n", "path", "p50-ms", "p99-ms", "req/s", "cpu-us/req", "proxy-cpu-us/req"
  for (i = 1; i <= k; i++) { n = order[i]
    printf "%-30s %10s %10s %10s %12s %16s\n", n, median(n, "p50-ms"), median(n, "p99-ms"), median(n, "req/s"), median(n, "cpu-us/req"), median(n, "proxy-cpu-us/req") }
}'
