# What share of one process's CPU samples the telemetry takes, counted where the CPU was spent, not by what is on the
# stack: the dashboard's grain-call filter wraps every grain call, so an inclusive count would charge it for the
# grain's own work. Each sample goes to the innermost frame that belongs to a named component; frames of the runtime,
# the kernel, the BCL's collections and threading (System.*, except System.Diagnostics.Metrics) are charged to the
# frame that called them. Usage: perf script -i perf.data -F pid,tid,comm,ip,sym,dso > perf.txt;
# python3 perf_telemetry.py perf.txt <pid>   (run the .NET process with DOTNET_PerfMapEnabled=1 and
# DOTNET_EnableWriteXorExecute=0 so JIT frames resolve).
import sys, re, collections
path, pid_want = sys.argv[1], sys.argv[2]
telemetry = [
 ("Orleans dashboard (grain-call filter, grain service, its telemetry exporter)", ('Orleans.Dashboard',)),
 ("OpenTelemetry SDK (aggregation, Prometheus/OTLP export)", ('OpenTelemetry',)),
 ("our metric recorders (TaskMetrics, PartitionMetrics, WorkerMetrics, gauges)", ('TaskMetrics', 'PartitionMetrics', 'WorkerMetrics', 'QueueGauges', 'PartitionGauge', 'ExecutionMetrics', 'PulledCounter')),
 ("System.Diagnostics.Metrics (instrument -> listener dispatch)", ('System.Diagnostics.Metrics',)),
]
# JIT frames read "instance void [Assembly] Namespace.Type::Method(...)": the owner is the type's full name. Frames of
# the BCL (System.* assemblies, except System.Diagnostics.Metrics' types) and of Microsoft.Extensions are charged to
# their caller; so are native frames (runtime, GC, kernel, libc).
frame = re.compile(r'\[([^\]]+)\]\s+([^:\s(]+)::')
def owner(sym):
    if sym == '[native]': return None
    m = frame.search(sym)
    if not m: return sym  # a stub or an unnamed frame of managed code: its own
    assembly, typ = m.group(1), m.group(2)
    if typ.startswith('System.Diagnostics.Metrics'): return typ
    if assembly.startswith('System') or assembly.startswith('Microsoft.Extensions') or assembly in ('netstandard', 'mscorlib'): return None
    return typ
c = collections.Counter(); n = 0; top = collections.Counter(); owners = collections.Counter()
cur = None
def flush():
    global n
    if cur is None: return
    n += 1
    for sym in cur:  # leaf first
        typ = owner(sym)
        if typ is None: continue
        owners[typ.split('+')[0][:90]] += 1
        for name, keys in telemetry:
            if any(k in typ for k in keys):
                c[name] += 1; top[sym[:120]] += 1
                return
        return  # the innermost owning frame is not telemetry
for line in open(path, errors='replace'):
    if not line.startswith('\t') and line.strip():
        flush()
        m = re.match(r'(.*?)\s+(\d+)/(\d+)', line)
        cur = [] if m and m.group(2) == pid_want else None
    elif cur is not None and line.strip():
        # "addr sym (dso)": keep the symbol; native frames keep their dso so they can be skipped
        parts = line.strip().split(' ', 1)
        sym = parts[1] if len(parts) > 1 else ''
        if sym.startswith('[unknown]') or '(/usr/lib' in sym or 'kernel.kallsyms' in sym or 'libcoreclr' in sym or 'libclrjit' in sym or 'libSystem' in sym:
            sym = '[native]'
        else:
            sym = re.sub(r'\s*\(/tmp/perf-\d+\.map\)$', '', sym)
        cur.append(sym)
flush()
print(f"{n} samples of pid {pid_want}")
total = 0
for name, _ in telemetry:
    total += c[name]
    print(f"{c[name]*100/max(n,1):5.2f}%  {name}")
print(f"{total*100/max(n,1):5.2f}%  all telemetry")
if '-v' in sys.argv:
    for sym, k in top.most_common(12): print(f"   {k:6d}  {sym}")
    print("innermost owning types overall:")
    for typ, k in owners.most_common(25): print(f"   {k*100/max(n,1):5.2f}%  {typ}")
