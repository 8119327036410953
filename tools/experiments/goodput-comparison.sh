#!/usr/bin/env bash
# Goodput of colocated, chunked, layered, disaggregated and planned configurations of 2 workers, measured with the load
# tester and predicted by the simulator (issue 6). On the default tiny model, each worker with 1 libtorch thread.
#
#   tools/experiments/goodput-comparison.sh [--out DIR] [--profile FILE] [--quick] [--force] [--skip-build]
#       [--input-min N] [--input-max N] [--output-len N] [--ttft-ms MS] [--tpot-ms MS] [--rates r1,r2,...]
#       [--chunk-tokens C] [--num-prompts N] [--sweep-prompts N] [--seed S] [--no-calibrate] [--kv-transport grpc|local]
#       [--no-runtime-planner]
#
# Steps (each skipped when its output is already in --out, so a second run reuses or resumes the first):
#   1. profile one engine (`serving profile --threads 1`), or take --profile;
#   1b. calibrate it (unless --no-calibrate): two short runs of 2 mixed workers and of 1P+1D with step traces, then
#      `serving calibrate`: the profile's terms fitted to the steps the workers ran while serving;
#   2. `serving plan --workers 2` for the workload and SLOs (calibrated profile): the planner's pick and its G;
#   3. per configuration: start `serving` on free ports, wait for /health, warm it up, run a goodput search and a
#      sweep at fixed rates with `serving-loadtest`, stop it;
#   4. `serving simulate --from-result` on every sweep (and search): the same requests in the simulator;
#   5. summary: goodput per configuration and its ratio to (a); measured vs simulated attainment per rate; the runtime
#      planner's decisions in (f).
#
# Configurations:
#   a  mixed-prefill-first  2 mixed workers, whole prompts first (prefill-first, the colocated baseline)
#   b  mixed-chunked        2 mixed workers, chunked prefill (--prefill-chunk-tokens C)
#   c  mixed-layered        2 mixed workers, layered prefill with the best G > 1 the plan ranks for 2M
#   d  disaggregated        1 prefill + 1 decode worker (1P+1D); KV streamed over loopback gRPC as between processes
#                           (--kv-transport grpc, the default; `local` copies it in-process, which the profile's
#                           transfer figure, measured over gRPC, does not describe)
#   e  planned              the plan's best row (shape and G); skipped as a duplicate when it is (a), (c) or (d)
#   f  runtime planner      starts as (a), with the runtime planner on (the calibrated profile, the experiment's SLOs,
#                           re-planning every 10 s): a settling run at the plan's rate lets it change the setup, then
#                           the same search and sweep. Not simulated (its setup changes under it). --no-runtime-planner
#                           leaves it out.
# The server has no options for the plan's prefill token budget, decode batch limit or short-prompt threshold: they run
# with the engine's defaults (4096 tokens, 64 sequences, no local prefill on decode workers), and the simulator is
# given the same, so what is simulated is what is measured. With these prompts (≥ 1024 tokens) the plan's thresholds
# (≤ 512) never apply anyway.
#
# Everything is written under --out (default /tmp/goodput-exp; /tmp/goodput-exp-quick with --quick). A search probe is
# a sustained load (issue 14): 20 s of arrivals and at least --num-prompts requests, passing only when the server kept
# up (achieved ≥ 95% of the offered rate, no growing queue) — the rule the simulator's goodput follows too. Time: the
# probes alone are ≥ 5 × 20 s per configuration, plus 60 requests per sweep rate (binomial noise on 30 requests is
# already ±9 points, about the simulator's 10-point tolerance) and ~7 s of drain and setup per run. Runs 8 and 9
# (2026-11-29, 40-request probes) took 26–28 minutes in all; expect more now. --quick uses 5 s probes.
# Run it when the machine is quiet: other builds and tests on the same cores skew every latency.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

out=""; profile=""; quick=0; force=0; build=1; calibrate=1; kv_transport=grpc; runtime_planner=1
input_min=1024; input_max=2048; output_len=96
ttft_ms=""; tpot_ms=""; rates=""; chunk_tokens=256; num_prompts=""; sweep_prompts=""; seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --force) force=1; shift ;;
    --skip-build) build=0; shift ;;
    --no-calibrate) calibrate=0; shift ;;
    --no-runtime-planner) runtime_planner=0; shift ;;
    --kv-transport) kv_transport=$2; shift 2 ;;
    --input-min) input_min=$2; shift 2 ;;
    --input-max) input_max=$2; shift 2 ;;
    --output-len) output_len=$2; shift 2 ;;
    --ttft-ms) ttft_ms=$2; shift 2 ;;
    --tpot-ms) tpot_ms=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    --chunk-tokens) chunk_tokens=$2; shift 2 ;;
    --num-prompts) num_prompts=$2; shift 2 ;;
    --sweep-prompts) sweep_prompts=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

# Request counts bound the run time: a probe of N requests at r req/s lasts about N/r seconds plus the drain.
if [ "$quick" = 1 ]; then
  out=${out:-/tmp/goodput-exp-quick}
  num_prompts=${num_prompts:-6}; sweep_prompts=${sweep_prompts:-6}; max_probes=2; warmup=0; cal_prompts=8; probe_seconds=5
else
  out=${out:-/tmp/goodput-exp}
  num_prompts=${num_prompts:-40}; sweep_prompts=${sweep_prompts:-60}; max_probes=5; warmup=1; cal_prompts=40; probe_seconds=20
fi
input_mean=$(( (input_min + input_max) / 2 ))
for tool in dotnet jq curl; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done

mkdir -p "$out"
log() { printf '[%s +%4ds] %s\n' "$(date +%H:%M:%S)" "$SECONDS" "$*" | tee -a "$out/run.log"; }

serving_dll=$repo/services/Serving.Host/bin/Release/net10.0/serving.dll
loadtest_dll=$repo/tools/Serving.LoadTest/bin/Release/net10.0/serving-loadtest.dll
if [ "$build" = 1 ]; then
  log "building serving and serving-loadtest (Release)"
  # The load tester's project builds the host first (a build-order reference).
  dotnet build tools/Serving.LoadTest -c Release -nologo -v q >"$out/build.log" 2>&1 || { tail -20 "$out/build.log"; exit 1; }
fi
[ -f "$serving_dll" ] && [ -f "$loadtest_dll" ] || { echo "build first: dotnet build tools/Serving.LoadTest -c Release" >&2; exit 1; }
serving() { dotnet "$serving_dll" "$@"; }
loadtest() { dotnet "$loadtest_dll" "$@"; }

# --- servers ----------------------------------------------------------------------------------------------------
used_ports=" "
free_port() {
  local p
  while :; do
    p=$(( (RANDOM % 30000) + 20000 ))
    case "$used_ports" in *" $p "*) continue ;; esac
    # Nothing answers on a free port: the connection is refused at once.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then used_ports="$used_ports$p "; echo "$p"; return; fi
  done
}

server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

# Starts serving with the given arguments on free ports and waits for /health; sets $base_url.
start_server() {
  local dir=$1; shift
  local http silo gw kv
  http=$(free_port); silo=$(free_port); gw=$(free_port); kv=$(free_port)
  # The runtime planner stays off unless the arguments turn it on ((f)): each configuration is measured as set.
  local planner=(--planner off)
  case " $* " in *" --planner "*) planner=() ;; esac
  # shellcheck disable=SC2068
  # Every worker traces its steps (serving calibrate reads them; a few bytes per step).
  dotnet "$serving_dll" "${planner[@]}" --http-port "$http" --silo-port "$silo" --orleans-client-port "$gw" --kv-port "$kv" \
    --step-trace "$dir/trace" $@ >"$dir/server.log" 2>&1 &
  server_pid=$!
  base_url="http://127.0.0.1:$http"
  local deadline=$((SECONDS + 180))
  until curl -fsS -m 5 "$base_url/health" >/dev/null 2>&1; do
    if ! kill -0 "$server_pid" 2>/dev/null; then echo "serving exited; see $dir/server.log" >&2; tail -20 "$dir/server.log" >&2; return 1; fi
    if [ "$SECONDS" -gt "$deadline" ]; then echo "serving not healthy in 180 s; see $dir/server.log" >&2; return 1; fi
    sleep 1
  done
}


# --- 1. profile -------------------------------------------------------------------------------------------------
if [ -n "$profile" ]; then
  cp "$profile" "$out/profile.json.new" && mv "$out/profile.json.new" "$out/profile.json"
elif [ ! -s "$out/profile.json" ]; then
  log "profiling one engine, 1 thread"
  serving profile --threads 1 $([ "$quick" = 1 ] && echo --quick) --out "$out/profile.json.new" >"$out/profile.txt" 2>&1
  mv "$out/profile.json.new" "$out/profile.json"
fi
log "profile: $out/profile.json"

# --- SLOs from the profile ----------------------------------------------------------------------------------------
# TPOT: 2× a plain decode step at batch 4 with these contexts. A worker decoding alone meets it with room to spare;
#   each whole prompt prefilled on the same worker stalls its decodes for a prefill (~200–500 ms for 1024–2048 tokens,
#   i.e. 10–25 plain steps), so colocated prefill-first misses it as soon as a few prompts land inside a request's
#   ~100 steps: the interference the layered, chunked and disaggregated configurations try to avoid.
# TTFT: 4× the prefill of the longest prompt, at least 2 s: a few prompts may queue, a backlog may not.
if [ -z "$tpot_ms" ]; then
  tpot_ms=$(jq -r --argjson ctx $((input_mean + output_len / 2)) \
    '.decode as $d | (2 * ($d.fixed + 4 * $d.perRequest + 4 * $ctx * $d.perContextToken) * 1000) | ceil' "$out/profile.json")
fi
if [ -z "$ttft_ms" ]; then
  ttft_ms=$(jq -r --argjson l "$input_max" \
    '.prefill as $p | (4 * ($p.fixed + $l * $p.perToken + $l * $l * $p.perSquaredToken + ($p.perPrompt // 0)) * 1000) | ceil | if . < 2000 then 2000 else . end' "$out/profile.json")
fi
workload=(--input-len "$input_mean" --input-dist uniform --input-min "$input_min" --input-max "$input_max" --output-len "$output_len")

# A second run with other settings in the same folder would mix results: refuse unless --force.
settings="profile=$(cksum <"$out/profile.json" | cut -d' ' -f1) quick=$quick in=$input_min..$input_max out=$output_len ttft=$ttft_ms tpot=$tpot_ms rates=$rates chunk=$chunk_tokens n=$num_prompts/$sweep_prompts seed=$seed calibrate=$calibrate kv=$kv_transport runtime=$runtime_planner"
if [ -f "$out/settings.txt" ] && [ "$(cat "$out/settings.txt")" != "$settings" ]; then
  if [ "$force" = 1 ]; then
    log "settings changed: removing the earlier results (--force)"
    rm -rf "$out"/config-* "$out"/calibration "$out/profile.calibrated.json" "$out/calibration.txt" "$out/plan.txt" "$out/summary.txt"
  else
    echo "$out holds results of other settings ($(cat "$out/settings.txt")); use another --out or --force" >&2
    exit 2
  fi
fi
echo "$settings" >"$out/settings.txt"
log "workload: prompts uniform $input_min..$input_max, $output_len output tokens; SLO TTFT ≤ $ttft_ms ms, TPOT ≤ $tpot_ms ms"

# --- 1b. calibrate -------------------------------------------------------------------------------------------------
# The profile times one engine alone. Served, two workers share 2 vCPUs and a memory bus, and batches mix lengths:
# each configuration's steps run slower than the profile says (docs/benchmarks.md). Two short traced runs — 2 mixed
# workers and 1P+1D, the experiment's workload at the rate that keeps one worker's prefill busy — and
# `serving calibrate` fit the profile's terms to the steps the workers ran. The planner and the simulator use the
# calibrated profile; the SLOs above stay derived from the engine-alone one.
plan_profile=$out/profile.json
if [ "$calibrate" = 1 ]; then
  if [ ! -s "$out/profile.calibrated.json" ]; then
    cal_rate=$(jq -r --argjson l "$input_mean" '.prefill as $p | (1 / ($p.fixed + $l * $p.perToken + $l * $l * $p.perSquaredToken + ($p.perPrompt // 0))) * 100 | round / 100' "$out/profile.json")
    for cal in "2m|--roles gateway,mixed --mixed-workers 2" "1p1d|--roles gateway,prefill,decode --prefill-workers 1 --decode-workers 1 --kv-transport $kv_transport"; do
      IFS='|' read -r cal_name cal_args <<<"$cal"
      dir=$out/calibration/$cal_name
      rm -rf "$dir"; mkdir -p "$dir"
      log "calibration: $cal_name at $cal_rate req/s ($cal_prompts requests), steps traced"
      # shellcheck disable=SC2086
      start_server "$dir" $cal_args
      loadtest run --base-url "$base_url" "${workload[@]}" --no-progress --no-plots --seed $((seed + 2000)) --rate 1 --num-prompts 4 --out "$dir/warmup" >"$dir/warmup.log" 2>&1 || true
      loadtest run --base-url "$base_url" "${workload[@]}" --no-progress --no-plots --seed $((seed + 3000)) --rate "$cal_rate" \
        --num-prompts "$cal_prompts" --out "$dir/run" >"$dir/run.log" 2>&1
      stop_server
    done
    serving calibrate --profile "$out/profile.json" --trace "$out/calibration/2m/trace" "$out/calibration/1p1d/trace" \
      --out "$out/profile.calibrated.json.new" >"$out/calibration.txt" 2>&1 || { cat "$out/calibration.txt"; exit 1; }
    mv "$out/profile.calibrated.json.new" "$out/profile.calibrated.json"
  fi
  plan_profile=$out/profile.calibrated.json
  log "calibrated: $(jq -r '.calibration | "decode ×\(.decodeFixedFactor * 100 | round / 100) (fixed) ×\(.decodeContextFactor * 100 | round / 100) (context), prefill ×\(.prefillFactor * 100 | round / 100)"' "$plan_profile")"
fi

# --- 2. plan ----------------------------------------------------------------------------------------------------
if [ ! -s "$out/plan.txt" ]; then
  log "planning 2 workers"
  serving plan --profile "$plan_profile" --workers 2 --ttft-ms "$ttft_ms" --tpot-ms "$tpot_ms" "${workload[@]}" \
    --seed "$seed" --top 1000 >"$out/plan.txt.new"
  mv "$out/plan.txt.new" "$out/plan.txt"
fi
# Rows after the dashed line: rank, workers, G, short≤, prefill tok, decode batch, goodput, per worker, attainment.
# (One awk over the file each time: an early exit in a pipe would kill the writer with SIGPIPE under pipefail.)
read -r plan_shape plan_g plan_goodput < <(awk 'found { print $2, $3, $7; exit } /^-+ +-+/ { found = 1 }' "$out/plan.txt") || true
[ -n "${plan_goodput:-}" ] || { echo "no plan rows in $out/plan.txt" >&2; exit 1; }
layered_g=$(awk 'found && $2 == "2M" && $3 > 1 { print $3; exit } /^-+ +-+/ { found = 1 }' "$out/plan.txt")
layered_g=${layered_g:-4}
log "plan: best $plan_shape G$plan_g at $plan_goodput req/s simulated; best layered colocated G = $layered_g"

# Sweep rates, the same for every configuration so that they compare: half, once and 1.5 times the plan's best.
if [ -z "$rates" ]; then
  if [ "$quick" = 1 ]; then
    rates=$(jq -rn --argjson g "$plan_goodput" '[$g * 0.5, $g] | map(. * 100 | round / 100 | if . < 0.05 then 0.05 else . end) | join(",")')
  else
    rates=$(jq -rn --argjson g "$plan_goodput" '[$g * 0.5, $g, $g * 1.5] | map(. * 100 | round / 100 | if . < 0.05 then 0.05 else . end) | join(",")')
  fi
fi

# --- configurations -----------------------------------------------------------------------------------------------
# name | serving arguments | simulate arguments ("-" when the simulator does not model it)
configs=(
  "a-mixed-prefill-first|--roles gateway,mixed --mixed-workers 2|--config 2M --layer-groups 1"
  "b-mixed-chunked-$chunk_tokens|--roles gateway,mixed --mixed-workers 2 --prefill-chunk-tokens $chunk_tokens|--config 2M --prefill-chunk-tokens $chunk_tokens"
  "c-mixed-layered-g$layered_g|--roles gateway,mixed --mixed-workers 2 --prefill-layer-groups $layered_g|--config 2M --layer-groups $layered_g"
  "d-disaggregated|--roles gateway,prefill,decode --prefill-workers 1 --decode-workers 1 --kv-transport $kv_transport|--config 1P+1D"
)
planned=""
case "$plan_shape" in
  2M) [ "$plan_g" = 1 ] && planned="a-mixed-prefill-first"; [ "$plan_g" = "$layered_g" ] && planned="c-mixed-layered-g$layered_g"
      [ -z "$planned" ] && configs+=("e-planned-2M-g$plan_g|--roles gateway,mixed --mixed-workers 2 --prefill-layer-groups $plan_g|--config 2M --layer-groups $plan_g") ;;
  1P+1D) planned="d-disaggregated" ;;
  *P+*D) p=${plan_shape%%P+*}; d=${plan_shape#*P+}; d=${d%D}
         configs+=("e-planned-$plan_shape-g$plan_g|--roles gateway,prefill,decode --prefill-workers $p --decode-workers $d --prefill-layer-groups $plan_g --kv-transport $kv_transport|--config $plan_shape --layer-groups $plan_g") ;;
  *) log "plan: shape $plan_shape is not one this script can start; (e) skipped" ;;
esac
[ -n "$planned" ] && log "(e) the planned configuration is $planned: not run twice"
# (f): the runtime planner from (a)'s setup. Short intervals so that it can act within the settling run; the same
# hysteresis (15%) as a deployment. Its KV transport is the experiment's, for when it splits the workers.
if [ "$runtime_planner" = 1 ]; then
  configs+=("f-runtime-planner-from-2M|--roles gateway,mixed --mixed-workers 2 --kv-transport $kv_transport --planner on --profile $plan_profile --slo-ttft-ms $ttft_ms --slo-tpot-ms $tpot_ms --replan-interval-s 10 --replan-min-interval-s 30 --planner-window-s 60|-")
fi

# --- 3. measure -------------------------------------------------------------------------------------------------
# Warm-up, search and sweep draw their prompts from different seeds: a prompt sent twice to one server is answered from
# its prefix cache (the load tester already sends new prompts for every run after the first of a sweep or search).
common=(--base-url PLACEHOLDER "${workload[@]}" --goodput "ttft:$ttft_ms" "tpot:$tpot_ms" --no-progress)
[ "$quick" = 1 ] && common+=(--no-plots)

for entry in "${configs[@]}"; do
  IFS='|' read -r name serve_args sim_args <<<"$entry"
  dir=$out/config-$name
  mkdir -p "$dir"
  if [ -s "$dir/search/result.json" ] && [ -s "$dir/sweep/result.json" ]; then
    log "$name: measured already"
    continue
  fi
  # The search starts at the simulator's goodput for this configuration; for (f), at the plan's, the setup it should reach.
  start_rate=$(jq -rn --argjson g "$plan_goodput" 'if $g > 0.05 then ($g * 100 | round / 100) else 0.05 end')
  if [ "$sim_args" != "-" ]; then
    # shellcheck disable=SC2086
    serving simulate --profile "$plan_profile" $sim_args --ttft-ms "$ttft_ms" --tpot-ms "$tpot_ms" "${workload[@]}" \
      --seed "$seed" --rates "$plan_goodput" --out "$dir/predicted.json" >"$dir/predicted.txt"
    start_rate=$(jq -r '.goodput | if . > 0.05 then (. * 100 | round / 100) else 0.05 end' "$dir/predicted.json")
  fi

  log "$name: starting serving $serve_args"
  start_server "$dir" $serve_args
  common[1]=$base_url
  if [ "$warmup" = 1 ]; then
    # JIT and first batches: kept out of the measured runs.
    loadtest run "${common[@]}" --seed $((seed + 1000)) --rate 1 --num-prompts 4 --no-plots --out "$dir/warmup" >"$dir/warmup.log" 2>&1 || true
  fi
  if [[ $name == f-* ]]; then
    # Traffic for the planner to observe (it decides from ≥ 30 finished requests): the plan's rate, 60 requests.
    log "$name: settling run at $plan_goodput req/s (60 requests) for the runtime planner"
    loadtest run "${common[@]}" --seed $((seed + 4000)) --rate "$plan_goodput" --num-prompts 60 --out "$dir/settle" >"$dir/settle.log" 2>&1 || true
    sleep 12 # one more round after the last requests finish
    log "$name: planner so far: $(grep -o 'Planner: applying.*' "$dir/server.log" | tr '\n' ' ' || true)"
  fi
  log "$name: goodput search from $start_rate req/s (probes of $probe_seconds s, at least $num_prompts requests, at most $max_probes probes)"
  loadtest search "${common[@]}" --seed "$seed" --num-prompts "$num_prompts" --min-probe-requests "$num_prompts" \
    --probe-seconds "$probe_seconds" --workers 2 --start-rate "$start_rate" \
    --min-rate "$(jq -rn --argjson s "$start_rate" '$s / 4')" --max-rate "$(jq -rn --argjson s "$start_rate" '$s * 4')" \
    --tolerance 0.15 --max-probes "$max_probes" --out "$dir/search" >"$dir/search.log" 2>&1
  log "$name: sweep at $rates req/s ($sweep_prompts requests each)"
  loadtest sweep "${common[@]}" --seed $((seed + 1)) --num-prompts "$sweep_prompts" --rates "$rates" --out "$dir/sweep" >"$dir/sweep.log" 2>&1
  stop_server
  log "$name: $(jq -r '"goodput \(.search.goodput) req/s\(if .search.converged then "" else " (not converged)" end)"' "$dir/search/result.json")"
done

# --- 4. simulate the measured requests ----------------------------------------------------------------------------
for entry in "${configs[@]}"; do
  IFS='|' read -r name serve_args sim_args <<<"$entry"
  dir=$out/config-$name
  [ "$sim_args" = "-" ] && continue
  for run in sweep search; do
    # shellcheck disable=SC2086
    serving simulate --profile "$plan_profile" $sim_args --from-result "$dir/$run/result.json" \
      --out "$dir/simulate-$run.json" >"$dir/simulate-$run.txt"
  done
done

# --- 5. summary ---------------------------------------------------------------------------------------------------
{
  echo "goodput comparison, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "workload: prompts uniform $input_min..$input_max tokens, $output_len output tokens; SLO TTFT ≤ $ttft_ms ms, TPOT ≤ $tpot_ms ms, 90% attainment"
  echo "plan: $plan_shape G$plan_g predicted $plan_goodput req/s${planned:+ (= $planned)}"
  echo "profile: $plan_profile$(jq -r 'if .calibration then " (calibrated: decode ×\(.calibration.decodeFixedFactor * 100 | round / 100) fixed, ×\(.calibration.decodeContextFactor * 100 | round / 100) context; prefill ×\(.calibration.prefillFactor * 100 | round / 100))" else " (engine alone)" end' "$plan_profile")"
  echo
  base=$(jq -r '.search.goodput' "$out/config-a-mixed-prefill-first/search/result.json")
  printf '%-26s %13s %9s %10s %13s\n' configuration "goodput r/s" "vs (a)" converged "simulated r/s"
  for entry in "${configs[@]}"; do
    IFS='|' read -r name _ sim_args <<<"$entry"
    dir=$out/config-$name
    g=$(jq -r '.search.goodput' "$dir/search/result.json")
    conv=$(jq -r '.search.converged' "$dir/search/result.json")
    sim=$([ -f "$dir/simulate-sweep.json" ] && jq -r '.goodput // "-" | if type == "number" then (. * 1000 | round / 1000) else . end' "$dir/simulate-sweep.json" || echo "n/a")
    ratio=$(jq -rn --argjson g "$g" --argjson b "$base" 'if $b > 0 then ($g / $b * 100 | round / 100 | tostring) + "x" else "-" end')
    printf '%-26s %13s %9s %10s %13s\n' "$name" "$g" "$ratio" "$conv" "$sim"
  done
  echo
  echo "attainment per sweep rate: measured vs simulated (same requests), Δ = simulated − measured in percentage points"
  printf '%-26s %7s %10s %10s %8s %18s %18s\n' configuration rate measured simulated "Δ pp" "TPOT p50 meas/sim" "TTFT p50 meas/sim"
  for entry in "${configs[@]}"; do
    IFS='|' read -r name _ sim_args <<<"$entry"
    dir=$out/config-$name
    if [ "$sim_args" = "-" ]; then
      jq -r --arg n "$name" '.runs[] | [$n, .rate, (.summary.slo_attainment * 1000 | round / 10 | tostring) + "%", "n/a", "-",
        ((.summary.tpot_ms.median // 0) | round | tostring) + " / -", ((.summary.ttft_ms.median // 0) | round | tostring) + " / -"] | @tsv' \
        "$dir/sweep/result.json"
    else
      jq -r --arg n "$name" '.rates[] | [$n, .rate, (.measured.attainment * 1000 | round / 10 | tostring) + "%",
        (.simulated.attainment * 1000 | round / 10 | tostring) + "%", (.attainmentDeltaPoints * 10 | round / 10),
        "\(.measured.tpotP50Ms // 0 | round) / \(.simulated.tpotP50Ms // 0 | round)", "\(.measured.ttftP50Ms // 0 | round) / \(.simulated.ttftP50Ms // 0 | round)"] | @tsv' \
        "$dir/simulate-sweep.json"
    fi
  done | while IFS=$'\t' read -r n r m s d t f; do printf '%-26s %7s %10s %10s %8s %18s %18s\n' "$n" "$r" "$m" "$s" "$d" "$t" "$f"; done
  echo
  for entry in "${configs[@]}"; do
    IFS='|' read -r name _ _ <<<"$entry"
    [[ $name == f-* ]] || continue
    echo "runtime planner decisions in ($name), from its server log:"
    grep -E 'Planner: (applying|worker)' "$out/config-$name/server.log" | sed -E 's/^.*(Planner: )/  \1/' || echo "  none: it kept 2M"
    echo
  done
  echo "(f) changes its setup as it goes, so it is not simulated (n/a). Full tables: $out/config-*/simulate-*.txt, load-test summaries: $out/config-*/*/summary.md"
} | tee "$out/summary.txt"
log "done in $((SECONDS / 60)) min $((SECONDS % 60)) s; summary in $out/summary.txt"
