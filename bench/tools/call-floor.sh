#!/usr/bin/env bash
# What a submit costs against what the call alone costs: one warm silo (started by hand, as in bench/README.md
# "Issue 13, step 7"), then producer-client runs alternating `--call submit` and `--call read` (a read of one task:
# the same client → gateway → partition-grain path with no write behind it). Prints one JSON line per run.
#   bench/tools/call-floor.sh [rounds] [producer counts...]       e.g. bench/tools/call-floor.sh 2 1 8 64
# DTQ_FLOOR_SERVED=0: the silo's worker serves another queue, so submitted tasks wait instead of running (the submit
# path alone, without the task's own work on the same cores). DTQ_FLOOR_SILO_ENV="NAME=value ...": set for the silo only
# (a runtime knob under test; the client runs as an app would, without it).
# Build first: dotnet build -c Release bench/Bench
set -euo pipefail
rounds=${1:-2}; shift || true
counts=("${@:-1 8 64}")
[[ ${#counts[@]} -eq 1 ]] && read -r -a counts <<< "${counts[0]}"
bin="$(cd "$(dirname "$0")/../Bench/bin/Release/net10.0" && pwd)"
work=$(mktemp -d)
redis_port=$((20000 + RANDOM % 10000)); gateway=$((redis_port + 1)); silo_port=$((redis_port + 2)); web=$((redis_port + 3))
redis-server --port "$redis_port" --save '' --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
redis_pid=$!
trap 'kill $silo_pid $redis_pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 0.5
cluster=floor; service=floor-$RANDOM
(cd "$bin" && TaskQueue__Redis=127.0.0.1:$redis_port TaskQueue__ClusterId=$cluster TaskQueue__ServiceId=$service \
  TaskQueue__AdvertisedAddress=127.0.0.1 TaskQueue__GatewayPort=$gateway TaskQueue__SiloPort=$silo_port \
  TaskQueue__Worker__Queues__0=$([[ ${DTQ_FLOOR_SERVED:-1} == 0 ]] && echo elsewhere || echo floor) exec env ${DTQ_FLOOR_SILO_ENV:-} dotnet DistributedTaskQueue.Silo.dll --urls "http://127.0.0.1:$web" > "$work/silo.log" 2>&1) &
silo_pid=$!
until grep -q "serving" "$work/silo.log" 2>/dev/null; do sleep 0.2; done
client() { dotnet "$bin/DistributedTaskQueue.Bench.dll" producer-client --redis "127.0.0.1:$redis_port" --cluster $cluster \
  --service "$service" --queue floor "$@" 2>/dev/null; }
cpu() { awk '{print $14 + $15}' "/proc/$silo_pid/stat"; }
echo "warming the silo (untimed): 8 x 200,000 submits, then 8 x 200,000 reads" >&2
client --producers 8 --tasks 200000 > /dev/null
client --producers 8 --tasks 200000 --call read > /dev/null
for round in $(seq 1 "$rounds"); do
  calls=(submit read); (( round % 2 == 0 )) && calls=(read submit)
  for n in "${counts[@]}"; do
    for call in "${calls[@]}"; do
      tasks=$(( n == 1 ? 20000 : 100000 ))
      before=$(cpu)
      line=$(client --producers "$n" --tasks "$tasks" --call "$call")
      after=$(cpu)
      echo "{\"round\":$round,\"silo_cpu_us_per_call\":$(( (after - before) * 10000 / tasks )),\"client\":$line}"
    done
  done
done
