#!/usr/bin/env bash
# Start-up of `padlock run` against flock(1): how long until the command under the lock starts ("to child") and until
# everything has exited ("total"), median and p90 of N runs each, for the native (Native AOT) padlock and the .NET one.
#   bench/cli/start-time.sh NATIVE_PADLOCK [RUNS]      (docs/benchmarks/cli.md; publish the native one as docs/aot.md says)
set -euo pipefail
native=${1:?usage: start-time.sh NATIVE_PADLOCK [RUNS]}
runs=${2:-21}
root="$(cd "$(dirname "$0")/../.." && pwd)"
jit=(dotnet "$root/src/Padlock.Cli/bin/Release/net10.0/Padlock.Cli.dll")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mark="$work/child"

now() { date +%s%N; }

# measure LABEL CMD...: the command must run `sh -c 'date +%s%N > $mark'` as what it starts under the lock.
measure() {
  local label=$1; shift
  local child=() total=()
  for _ in $(seq "$runs"); do
    rm -f "$mark"
    local t0; t0=$(now)
    "$@" sh -c "date +%s%N > '$mark'" >/dev/null
    local t1; t1=$(now)
    child+=($(( ($(cat "$mark") - t0) / 1000 )))
    total+=($(( (t1 - t0) / 1000 )))
  done
  python3 - "$label" "${child[*]}" "${total[*]}" <<'PY'
import sys
label, child, total = sys.argv[1], [int(x) for x in sys.argv[2].split()], [int(x) for x in sys.argv[3].split()]
def q(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(p * len(v)))] / 1000
print(f"| {label} | {q(child, .5):.1f} ms | {q(child, .9):.1f} ms | {q(total, .5):.1f} ms | {q(total, .9):.1f} ms |")
PY
}

echo "| | to child, median | to child, p90 | total, median | total, p90 |"
echo "|---|---:|---:|---:|---:|"
measure '`sh -c` alone' env
measure '`flock FILE`' flock "$work/flock.lock"
measure '`padlock run` native, file://' "$native" run job --store "file://$work/locks" --
measure '`padlock run` .NET (JIT), file://' "${jit[@]}" run job --store "file://$work/locks" --
