#!/usr/bin/env bash
# Runs every test from a fresh clone: installs the servers the tests start (scripts/servers.sh), builds with
# warnings as errors, and runs the whole suite against real Redis, ZooKeeper and etcd processes on loopback.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Redis").
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/servers.sh install
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet build Padlock.sln -c Release -warnaserror -nologo -clp:ErrorsOnly

# The packages as they would ship (package validation runs here), then their metadata: license, readme, URLs, symbols.
packages=$(mktemp -d)
dotnet pack Padlock.sln -c Release --no-build -warnaserror -nologo -clp:ErrorsOnly -o "$packages"
python3 scripts/check-packages.py "$packages"
rm -rf "$packages"

results=$(mktemp -d)
status=0
# One test assembly at a time: the suites start real servers, and two cores are shared with them.
dotnet test Padlock.sln -c Release --no-build -m:1 --logger "trx" --results-directory "$results" "$@" \
  -- RunConfiguration.MaxCpuCount=1 || status=$?

# One closing line that CI reads: totals over every test assembly.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    s += int(c.get("notExecuted", 0))
print(f"{p} passed, {f} failed, {s} skipped")
PY
rm -rf "$results"
exit $status
