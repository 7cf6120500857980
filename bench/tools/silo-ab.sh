#!/usr/bin/env bash
# Two silo builds side by side: per round and per build, a fresh redis-server (no persistence) and a silo from that
# build's directory (its worker serves another queue, so submitted tasks wait: the submit path alone), an untimed
# 8 x 200,000 warm-up, then producer-client runs; the builds' order alternates from round to round. One line per run:
# round, build (A/B), producers, submits/s, 2nd half, p50 ms, p99 ms, client and silo CPU µs a submit.
#   bench/tools/silo-ab.sh [rounds] "1 8 64" DIR_A DIR_B      (DIR: a copy of bench/Bench/bin/Release/net10.0)
# The client is always this checkout's bench build. Build first: dotnet build -c Release bench/Bench
set -euo pipefail
rounds=${1:-2}; read -r -a counts <<< "${2:-1 8 64}"; A=$3; B=$4
client_bin="$(cd "$(dirname "$0")/../Bench/bin/Release/net10.0" && pwd)"
run_build() {
  local dir=$1 tag=$2 round=$3 work rp spid rpid
  work=$(mktemp -d); rp=$((20000 + RANDOM % 10000))
  redis-server --port "$rp" --save '' --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
  rpid=$!
  trap 'kill -9 $spid 2>/dev/null || true; kill $rpid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
  sleep 0.5
  (cd "$dir" && TaskQueue__Redis=127.0.0.1:$rp TaskQueue__ClusterId=ab TaskQueue__ServiceId=ab \
    TaskQueue__AdvertisedAddress=127.0.0.1 TaskQueue__GatewayPort=$((rp + 1)) TaskQueue__SiloPort=$((rp + 2)) \
    TaskQueue__Worker__Queues__0=elsewhere exec dotnet DistributedTaskQueue.Silo.dll --urls "http://127.0.0.1:$((rp + 3))" > "$work/silo.log" 2>&1) &
  spid=$!
  until grep -q serving "$work/silo.log" 2>/dev/null; do sleep 0.2; done
  client() { dotnet "$client_bin/DistributedTaskQueue.Bench.dll" producer-client --redis "127.0.0.1:$rp" --cluster ab --service ab --queue ab "$@" 2>/dev/null; }
  client --producers 8 --tasks 200000 > /dev/null
  for n in "${counts[@]}"; do
    local tasks=$(( n == 1 ? 20000 : (n == 8 ? 100000 : 300000) )) before after line
    before=$(awk '{print $14 + $15}' "/proc/$spid/stat")
    line=$(client --producers "$n" --tasks "$tasks")
    after=$(awk '{print $14 + $15}' "/proc/$spid/stat")
    python3 -c "
import json, sys
c = json.loads(sys.argv[1])
print('$round', '$tag', $n, c['submits_per_sec'], c['second_half_submits_per_sec'], c['p50_ms'], c['p99_ms'],
      'client_us', round(c['cpu_ms_measured'] * 1000 / $tasks, 1), 'silo_us', ($after - $before) * 10000 // $tasks)" "$line"
  done
  # SIGKILL: a graceful stop would wait on the Redis killed beside it, and nothing of this silo is needed any more.
  kill -9 "$spid" 2>/dev/null || true; kill "$rpid" 2>/dev/null || true; wait "$spid" "$rpid" 2>/dev/null || true; rm -rf "$work"; trap - EXIT
}
for round in $(seq 1 "$rounds"); do
  if (( round % 2 == 1 )); then run_build "$A" A "$round"; run_build "$B" B "$round"
  else run_build "$B" B "$round"; run_build "$A" A "$round"; fi
done
