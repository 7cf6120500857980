#!/usr/bin/env bash
# Faults on real processes with a loss and duplicate checker: ./chaos.sh <kill|pause|redis|redis-everysec|control|rolling> [--short] [--results DIR]
# Builds the bench, runs its chaos scenario (three silo processes, a Redis under test, a ledger Redis, a producer,
# a nemesis), prints the checker's figures and, last, one machine-readable line:
#   chaos <scenario>: lost=N duplicate_effects=N reexecuted=N inflight_at_faults=N recovery_s=X submit_errors=N submit_p99_ms=X unexpected=N
# Exits non-zero when a target (lost, duplicate_effects, unexpected, submit_errors all 0; re-executions no more than the
# tasks in flight at the faults; recovery within 15 s; the queue drains) is missed. redis-everysec reports its losses
# without failing; control (Redis without persistence) exits zero exactly when the checker reports a loss.
set -euo pipefail
cd "$(dirname "$0")"

scenario="${1:-}"
case "$scenario" in
  kill|pause|redis|redis-everysec|control|rolling) ;;
  *) echo "usage: ./chaos.sh <kill|pause|redis|redis-everysec|control|rolling> [--short] [--results DIR]" >&2; exit 2 ;;
esac
shift
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --short) args+=(--quick) ;;
    --results) [ $# -ge 2 ] || { echo "--results needs a directory" >&2; exit 2; }; args+=(--results "$2"); shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

command -v redis-server >/dev/null || { echo "redis-server is missing (apt-get install redis-server)" >&2; exit 2; }
dotnet build -c Release bench/Bench -nologo -v:q -clp:NoSummary
dotnet run -c Release --no-build --project bench/Bench -- "chaos-$scenario" ${args[@]+"${args[@]}"}
