#!/usr/bin/env bash
# Runs every test project in Serving.sln and prints the totals over all of them as the last line:
# "N passed, N failed" (CI reads that line).
set -uo pipefail
cd "$(dirname "$0")/.."

# The multi-process cluster tests start their own redis-server (Orleans membership), and the deployment tests check
# docker-compose.yml with Debian's docker-compose (which validates a file without a Docker engine): install both
# where missing.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (needed by the cluster and deployment tests)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { echo "could not install ${missing[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

bash tools/k8s/install-tools.sh || { echo "could not install the chart tools (helm, the validator)"; echo "0 passed, 1 failed"; exit 1; }
dotnet build Serving.sln -c Release -nologo -v q || { echo "0 passed, 1 failed"; exit 1; }

status=0
# One test project at a time (-m:1): several suites measure latencies against scripted delays, and on two cores
# running them beside the engine's and the cluster's suites would make those measurements the neighbours' noise.
dotnet test Serving.sln -c Release --no-build -nologo -m:1 \
  --logger "trx;LogFilePrefix=run" --results-directory "$results" "$@" || status=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the runner failed without a failing test (crash, timeout): count it
fi
echo "$passed passed, $failed failed"
exit "$status"
