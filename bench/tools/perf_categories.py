# Splits one process's CPU samples from `perf script` into the categories of bench/README.md's profile tables.
# Usage: perf script -i perf.data -F pid,tid,comm,ip,sym,dso > perf.txt; python3 perf_categories.py perf.txt <pid>
# (run the .NET processes with DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0 so JIT frames resolve).
import sys, re, collections
path, pid_want = sys.argv[1], sys.argv[2]
cats = [
 ("JIT (tiered compilation thread)", lambda t, fr: 'Tiered Com' in t),
 ("serializing segments/head (Orleans codecs of TaskSegment/TaskRecord)", lambda t, fr: any(('Codec_TaskSegment' in f or 'Codec_TaskRecord' in f or 'Codec_PartitionHead' in f) for f in fr)),
 ("Redis client + grain storage provider (SE.Redis, its socket threads)", lambda t, fr: 'DefaultSocketMa' in t or any(('StackExchange.Redis' in f or 'RedisGrainStorage' in f or 'Pipelines.Sockets' in f) for f in fr)),
 ("worker loop + handler (lease, run, complete)", lambda t, fr: any(('PartitionWorker' in f or 'TaskExecutor' in f or 'CompletionReporter' in f or 'TaskWorker' in f) for f in fr)),
 ("TaskClient (submit path)", lambda t, fr: any('DistributedTaskQueue.TaskClient' in f or 'ProducerClient' in f for f in fr)),
 ("partition grain logic (TaskQueueGrain, QueuePartition, GroupCommit, other)", lambda t, fr: any(('TaskQueueGrain' in f or 'QueuePartition' in f or 'GroupCommit' in f or 'PartitionStore' in f) for f in fr)),
 ("Orleans messaging + scheduling", lambda t, fr: any('Orleans' in f for f in fr)),
 ("thread-pool wait/spin/wake (LowLevelLifoSemaphore, futex, sched_yield)", lambda t, fr: any(k in f for f in fr for k in ('LowLevelLifoSemaphore','futex','sched_yield','PortableThreadPool'))),
 ("sockets / kernel network", lambda t, fr: any(k in f for f in fr for k in ('tcp_','Socket','epoll'))),
]
c = collections.Counter(); n = 0
cur = None; thread = None
def flush():
    global n
    if cur is None: return
    n += 1
    for name, test in cats:
        if test(thread, cur): c[name] += 1; return
    c["other (GC, runtime, kernel)"] += 1
for line in open(path, errors='replace'):
    if not line.startswith('\t') and line.strip():
        flush()
        m = re.match(r'(.*?)\s+(\d+)/(\d+)', line)
        if m and m.group(2) == pid_want: cur = []; thread = m.group(1)
        else: cur = None
    elif cur is not None and line.strip():
        cur.append(line.strip())
flush()
print(f"{n} samples ({n/999:.1f} CPU-s at the sampling rate (999 Hz assumed))")
for k, v in c.most_common(): print(f"{v*100/n:5.1f}%  {k}")
