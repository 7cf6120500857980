#!/usr/bin/env bash
# The platform's floor next to the stock silo (bench/README.md, issue 13, step 9). bench/Floor is a bare Orleans 10
# silo on Redis clustering with one grain and none of the task queue, run with the stock silo's runtime settings.
#   bench/tools/floor.sh start [runs]               launch -> Active (and -> host started), idle RSS 20 s after launch:
#                                                   bare silo without a web host, bare with one, the stock silo (alternated)
#   bench/tools/floor.sh calls [rounds] [counts]    a warm bare silo (web host on): producers each awaiting one call at a
#                                                   time, `ping` (Orleans' round trip alone), `write` (answered after
#                                                   its own Redis SET, writes overlapping), `group` (group commit: one
#                                                   ETag-checked script in flight, carrying the new records) and
#                                                   `group-tail` (the same, rewriting the last 64 records each time, as
#                                                   our tail segment); e.g. floor.sh calls 2 "1 8 64".
#                                                   DTQ_FLOOR_CALLS="ping write" picks the kinds.
# DTQ_FLOOR_BARE / DTQ_BENCH_SILO: run the bare / stock silo from a publish directory (e.g. ReadyToRun) instead of the
# build output. DTQ_FLOOR_VARIANTS="bare-web stock" picks the silos `start` launches. DTQ_FLOOR_ENV="NAME=value ...": set for every silo launched (a runtime knob under test).
# Build first: dotnet build -c Release bench/Bench && dotnet build -c Release bench/Floor
set -euo pipefail
mode=${1:?start or calls}; shift
root="$(cd "$(dirname "$0")/../.." && pwd)"
floor="${DTQ_FLOOR_BARE:-$root/bench/Floor/bin/Release/net10.0}/DistributedTaskQueue.Floor.dll"
stock="${DTQ_BENCH_SILO:-$root/bench/Bench/bin/Release/net10.0}"
work=$(mktemp -d)
redis_port=$((20000 + RANDOM % 10000)); gateway=$((redis_port + 1)); silo_port=$((redis_port + 2)); web=$((redis_port + 3))
redis-server --port "$redis_port" --save '' --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
redis_pid=$!
silo_pid=
# The silo with SIGKILL: a graceful stop would wait minutes on the Redis killed beside it.
trap '[[ -n $silo_pid ]] && kill -9 $silo_pid 2>/dev/null; kill $redis_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.5
redis="127.0.0.1:$redis_port"

# A self-contained publish (its runtimeconfig lists includedFrameworks) runs through its own executable, else `dotnet x.dll`.
host() { local dll=$1; [[ -x ${dll%.dll} ]] && grep -q includedFrameworks "${dll%.dll}.runtimeconfig.json" && echo "${dll%.dll}" || echo "dotnet $dll"; }

# Each line of the silo's stdout, prefixed with the wall clock it was read at (bash's own clock: no process per line).
stamp() { while IFS= read -r line; do echo "$EPOCHREALTIME $line"; done; }

launch() { # variant cluster -> sets silo_pid; output in $work/out
  local variant=$1 cluster=$2
  : > "$work/out"
  case $variant in
    bare) env ${DTQ_FLOOR_ENV:-} $(host "$floor") silo --redis "$redis" --cluster "$cluster" --silo-port $silo_port --gateway-port $gateway > >(stamp > "$work/out") 2>&1 & ;;
    bare-web) env ${DTQ_FLOOR_ENV:-} $(host "$floor") silo --redis "$redis" --cluster "$cluster" --silo-port $silo_port --gateway-port $gateway --web $web > >(stamp > "$work/out") 2>&1 & ;;
    stock) (cd "$stock" && TaskQueue__Redis=$redis TaskQueue__ClusterId=$cluster TaskQueue__ServiceId=$cluster \
      TaskQueue__AdvertisedAddress=127.0.0.1 TaskQueue__GatewayPort=$gateway TaskQueue__SiloPort=$silo_port \
      TaskQueue__Worker__Queues__0=floor exec env ${DTQ_FLOOR_ENV:-} $(host "$stock/DistributedTaskQueue.Silo.dll") --urls "http://127.0.0.1:$web") > >(stamp > "$work/out") 2>&1 & ;;
  esac
  silo_pid=$!
}

ms_to() { # pattern launched_at -> ms from launch to the first line matching, waiting up to 30 s
  local pattern=$1 at=$2 line
  for _ in $(seq 1 3000); do
    line=$(grep -m1 -E "$pattern" "$work/out" 2>/dev/null || true)
    [[ -n $line ]] && { awk -v t="${line%% *}" -v a="$at" 'BEGIN { printf "%d", (t - a) * 1000 }'; return; }
    sleep 0.01
  done
  echo "timeout"
}

stop() { kill "$silo_pid" 2>/dev/null || true; wait "$silo_pid" 2>/dev/null || true; silo_pid=; sleep 0.5; }

if [[ $mode == start ]]; then
  runs=${1:-3}
  for run in $(seq 1 "$runs"); do
    read -r -a variants <<< "${DTQ_FLOOR_VARIANTS:-bare bare-web stock}"
    if (( run % 2 == 0 )); then for ((i = 0, j = ${#variants[@]} - 1; i < j; i++, j--)); do t=${variants[i]}; variants[i]=${variants[j]}; variants[j]=$t; done; fi
    for variant in "${variants[@]}"; do
      cluster="floor-$variant-$run-$RANDOM"
      at=$EPOCHREALTIME
      launch "$variant" "$cluster"
      if [[ $variant == stock ]]; then active=$(ms_to "serving" "$at"); started=$(ms_to "Application started|Now listening" "$at")
      else active=$(ms_to "silo-active" "$at"); started=$(ms_to "host-started" "$at"); fi
      sleep "$(awk -v a="$at" -v now="$EPOCHREALTIME" 'BEGIN { d = 20 - (now - a); print (d > 0 ? d : 0) }')"
      rss=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$silo_pid/status")
      echo "{\"run\":$run,\"variant\":\"$variant\",\"launch_to_active_ms\":\"$active\",\"launch_to_host_started_ms\":\"$started\",\"idle_rss_mb_at_20s\":$rss}"
      stop
    done
  done
else
  rounds=${1:-2}; shift || true
  counts=("${@:-1 8 64}")
  [[ ${#counts[@]} -eq 1 ]] && read -r -a counts <<< "${counts[0]}"
  cluster="floor-calls-$RANDOM"
  launch bare-web "$cluster"
  [[ $(ms_to "host-started" "$EPOCHREALTIME") != timeout ]]
  # The client runs as an app would: without the silo's two runtime settings.
  grep -v -e UnfairSemaphoreSpinLimit -e CallCountingDelayMs "${floor%.dll}.runtimeconfig.json" > "$work/client.runtimeconfig.json"
  client() { dotnet exec --runtimeconfig "$work/client.runtimeconfig.json" "$floor" client --redis "$redis" --cluster "$cluster" "$@" 2>/dev/null; }
  cpu() { awk '{print $14 + $15}' "/proc/$silo_pid/stat"; }
  echo "warming the silo (untimed): 8 x 100,000 calls of each kind" >&2
  for call in ${DTQ_FLOOR_CALLS:-ping write group group-tail}; do client --producers 8 --calls 100000 --call "$call" > /dev/null; done
  for round in $(seq 1 "$rounds"); do
    read -r -a calls <<< "${DTQ_FLOOR_CALLS:-ping write group group-tail}"
    if (( round % 2 == 0 )); then for ((i = 0, j = ${#calls[@]} - 1; i < j; i++, j--)); do t=${calls[i]}; calls[i]=${calls[j]}; calls[j]=$t; done; fi
    for n in "${counts[@]}"; do
      for call in "${calls[@]}"; do
        total=$(( n == 1 ? 20000 : 100000 ))
        before=$(cpu)
        line=$(client --producers "$n" --calls "$total" --call "$call")
        after=$(cpu)
        echo "{\"round\":$round,\"silo_cpu_us_per_call\":$(( (after - before) * 10000 / total )),\"client\":$line}"
      done
    done
  done
fi
