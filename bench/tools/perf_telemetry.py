# What share of one process's CPU samples the telemetry takes: each sample whose stack holds a frame of the Orleans
# dashboard, of the OpenTelemetry SDK (metric aggregation, exporters), of System.Diagnostics.Metrics' listener path,
# or of our own metric recorders, counted once, in the first group that matches (inclusive of what those frames call).
# Usage: perf script -i perf.data -F pid,tid,comm,ip,sym,dso > perf.txt; python3 perf_telemetry.py perf.txt <pid>
# (run the .NET process with DOTNET_PerfMapEnabled=1 so JIT frames resolve).
import sys, re, collections
path, pid_want = sys.argv[1], sys.argv[2]
groups = [
 ("Orleans dashboard (its grain-call filter, grain service, telemetry exporter)", ('Orleans.Dashboard',)),
 ("OpenTelemetry SDK (aggregation, Prometheus/OTLP export)", ('OpenTelemetry.',)),
 ("our metric recorders (TaskMetrics, PartitionMetrics, WorkerMetrics, gauges)", ('TaskMetrics', 'PartitionMetrics', 'WorkerMetrics', 'QueueGauges', 'PartitionGauge')),
 ("System.Diagnostics.Metrics (instrument -> listener dispatch)", ('System.Diagnostics.Metrics.',)),
]
c = collections.Counter(); n = 0
cur = None
def flush():
    global n
    if cur is None: return
    n += 1
    for name, keys in groups:
        if any(k in f for f in cur for k in keys):
            c[name] += 1
            return
for line in open(path, errors='replace'):
    if not line.startswith('\t') and line.strip():
        flush()
        m = re.match(r'(.*?)\s+(\d+)/(\d+)', line)
        cur = [] if m and m.group(2) == pid_want else None
    elif cur is not None and line.strip():
        cur.append(line.strip())
flush()
print(f"{n} samples of pid {pid_want}")
total = 0
for name, _ in groups:
    total += c[name]
    print(f"{c[name]*100/max(n,1):5.2f}%  {name}")
print(f"{total*100/max(n,1):5.2f}%  all telemetry")
