#!/usr/bin/env bash
# Prefix-aware routing against least-loaded (issue 19), side by side, on two prefill and two decode workers in one
# process (the default tiny model, 1 libtorch thread each), KV streamed over loopback gRPC as between processes.
#
#   tools/experiments/prefix-routing.sh [--out DIR] [--reps N] [--threshold T] [--parts multi,shared,goodput]
#       [--skip-build] [--quick]
#
# Parts (each run starts its own server through the load tester's --embedded, so no run inherits another's caches;
# the policies alternate which goes first in each repetition):
#   multi    8 conversations x 6 turns: a 500-word opening text and a 60-word question, then 60-word questions; 24-token
#            answers; each turn sent when the previous answer ends (closed loop, no think time). Compared: mean TTFT of
#            the turns after the first, and KV bytes moved per request (the server's serving_kv_transfer_bytes).
#   shared   8 system texts of 500 words x 8 questions of 60 words, Poisson at 2 req/s: the measured prefix hit rate
#            (usage.prompt_tokens_details.cached_tokens over the prompt tokens) against the ideal (every request after
#            the first of its group finds the group's text cached).
#   goodput  no shared prefixes (synthetic prompts, 256-768 tokens, 64 output tokens): a goodput search per policy with
#            SLOs TTFT 2 s, TPOT 150 ms, 90% attainment.
# Every run uses --short-prompt-threshold T (default 256): a prompt of at most T tokens is prefilled by its decode
# worker. Under least-loaded that counts the whole prompt (never true here); under prefix-aware, the tokens the
# chosen decode worker lacks (a conversation's new turn), which is the issue's "skip P when it does not pay". T=0
# compares the routing and the delta transfer alone.
#
# Writes DIR/<part>/<policy>-r<rep>/ (the load tester's result.json and summary.md) and DIR/summary.md (medians over
# the repetitions and their ratios). Default DIR: artifacts/bench/prefix-routing. Time: about 2 minutes per
# multi-turn or shared-prefix run pair, 6-10 minutes for the goodput part. Run it when the machine is quiet.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

out=artifacts/bench/prefix-routing; reps=3; threshold=256; parts=multi,shared,goodput; build=1; quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --threshold) threshold=$2; shift 2 ;;
    --parts) parts=$2; shift 2 ;;
    --skip-build) build=0; shift ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in dotnet jq; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

loadtest_dll=$repo/tools/Serving.LoadTest/bin/Release/net10.0/serving-loadtest.dll
if [ "$build" = 1 ]; then
  log "building serving and serving-loadtest (Release)"
  dotnet build services/Serving.Host -c Release -nologo -v q >"$out/build.log" 2>&1 || { tail -20 "$out/build.log"; exit 1; }
  dotnet build tools/Serving.LoadTest -c Release -nologo -v q >>"$out/build.log" 2>&1 || { tail -20 "$out/build.log"; exit 1; }
fi
[ -f "$loadtest_dll" ] || { echo "build first: dotnet build tools/Serving.LoadTest -c Release" >&2; exit 1; }

policies=(least-loaded prefix-aware)
server() { echo "--prefill-workers 2 --decode-workers 2 --planner off --kv-transport grpc --short-prompt-threshold $threshold --routing-policy $1 ${extra_server_args:-}"; }
common=(--embedded --endpoint chat --no-progress --no-plots --seed 1)
conversations=8; turns=6; groups=8; per_group=8
if [ "$quick" = 1 ]; then conversations=4; turns=3; groups=4; per_group=4; fi

# One load-tester run into DIR unless DIR/result.json exists already (a second invocation resumes the first).
run_once() {
  local dir=$1; shift
  if [ -f "$dir/result.json" ]; then log "kept $dir"; return; fi
  mkdir -p "$dir"
  log "run $dir"
  dotnet "$loadtest_dll" "$@" --out "$dir" >"$dir/loadtest.log" 2>&1 || { tail -30 "$dir/loadtest.log"; exit 1; }
}

order() { if [ $(( $1 % 2 )) = 1 ]; then echo "${policies[0]} ${policies[1]}"; else echo "${policies[1]} ${policies[0]}"; fi; }

for rep in $(seq 1 "$reps"); do
  for policy in $(order "$rep"); do
    if [[ ",$parts," == *",multi,"* ]]; then
      run_once "$out/multi/$policy-r$rep" run "${common[@]}" --serving-args "$(server "$policy")" --workload multi-turn \
        --conversations "$conversations" --turns "$turns" --opening-words 500 --question-words 60 --output-len 24 --think-time-ms 0
    fi
    if [[ ",$parts," == *",shared,"* ]]; then
      run_once "$out/shared/$policy-r$rep" run "${common[@]}" --serving-args "$(server "$policy")" --workload shared-prefix \
        --prefix-groups "$groups" --prompts-per-group "$per_group" --prefix-words 500 --question-words 60 --output-len 24 --rate 2
    fi
  done
done
if [[ ",$parts," == *",goodput,"* ]]; then
  for policy in $(order 1); do
    run_once "$out/goodput/$policy" search "${common[@]}" --serving-args "$(server "$policy")" --workload synthetic \
      --input-len 512 --input-dist uniform --input-min 256 --input-max 768 --output-len 64 --goodput ttft:2000 tpot:150 \
      --workers 4 --tolerance 0.05 --max-probes 8
  done
fi

# Summary: medians over the repetitions, prefix-aware / least-loaded.
median() { jq -s 'map(select(. != null)) | sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end'; }
metric() { # part policy jq-filter
  for f in "$out/$1/$2"-r*/result.json; do [ -f "$f" ] && jq "$3" "$f"; done | median
}
ratio() { jq -n --argjson a "$1" --argjson b "$2" 'if $a == null or $b == null or $b == 0 then "n/a" else ($a / $b * 100 | round / 100) end'; }
{
  echo "# Prefix-aware vs least-loaded routing ($(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores)"
  echo
  echo "2 prefill + 2 decode workers in one process, KV over loopback gRPC, --short-prompt-threshold $threshold; medians of $reps repetitions."
  if [[ ",$parts," == *",multi,"* ]]; then
    echo
    echo "## Multi-turn: $conversations conversations x $turns turns (500-word opening, 60-word questions, 24-token answers)"
    echo
    echo "| metric | least-loaded | prefix-aware | prefix-aware / least-loaded | target |"
    echo "|---|---:|---:|---:|---|"
    for m in "mean TTFT of later turns, ms|.runs[0].prefix_cache.later_turns.ttft_mean_ms|<= 0.6" \
             "mean TTFT of first turns, ms|.runs[0].prefix_cache.first_turns.ttft_mean_ms|" \
             "KV bytes moved per request|.runs[0].server_counters.kv_transfer_bytes_per_request|<= 0.5" \
             "prefix hit rate of later turns|.runs[0].prefix_cache.later_turns.hit_rate|" \
             "KV bytes not sent (decode cache), MB|(.runs[0].server_counters.kv_saved_bytes // 0) / 1048576|"; do
      IFS='|' read -r name filter target <<<"$m"
      a=$(metric multi least-loaded "$filter"); b=$(metric multi prefix-aware "$filter")
      echo "| $name | $a | $b | $(ratio "$b" "$a") | $target |"
    done
  fi
  if [[ ",$parts," == *",shared,"* ]]; then
    echo
    echo "## Shared prefix: $groups system texts x $per_group questions, Poisson 2 req/s"
    echo
    echo "| metric | least-loaded | prefix-aware |"
    echo "|---|---:|---:|"
    for m in "prefix hit rate|.runs[0].prefix_cache.hit_rate" "ideal hit rate|.runs[0].prefix_cache.ideal_hit_rate" \
             "mean TTFT, ms|.runs[0].summary.ttft_ms.mean" \
             "KV bytes moved per request|.runs[0].server_counters.kv_transfer_bytes_per_request"; do
      IFS='|' read -r name filter <<<"$m"
      echo "| $name | $(metric shared least-loaded "$filter") | $(metric shared prefix-aware "$filter") |"
    done
    echo
    echo "Target: prefix-aware's hit rate within 10% of the ideal."
  fi
  if [[ ",$parts," == *",goodput,"* ]]; then
    echo
    echo "## No shared prefixes: goodput search (TTFT 2 s, TPOT 150 ms, 90%)"
    echo
    echo "| policy | goodput req/s | best passing probe: offered / achieved req/s | lowest failing rate | converged |"
    echo "|---|---:|---:|---:|---|"
    for policy in "${policies[@]}"; do
      f=$out/goodput/$policy/result.json
      [ -f "$f" ] || continue
      echo "| $policy | $(jq '.search.goodput' "$f") | $(jq -r '[.search.probes[] | select(.passed)] | max_by(.rate) | if . == null then "none" else "\(.rate) / \(.achieved)" end' "$f") | $(jq '.search.lowest_failing' "$f") | $(jq '.search.converged' "$f") |"
    done
    a=$(jq '.search.goodput' "$out/goodput/least-loaded/result.json" 2>/dev/null || echo null)
    b=$(jq '.search.goodput' "$out/goodput/prefix-aware/result.json" 2>/dev/null || echo null)
    echo
    echo "prefix-aware / least-loaded: $(ratio "$b" "$a")"
    echo
    echo "Target: prefix-aware at most 5% below least-loaded (within noise)."
  fi
} >"$out/summary.md"
log "wrote $out/summary.md"
cat "$out/summary.md"
