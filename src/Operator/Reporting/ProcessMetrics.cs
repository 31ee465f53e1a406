using System.Diagnostics;

namespace EksHardening.Operator.Reporting;

/// <summary>
/// The process and .NET runtime metrics under their conventional names (<c>process_*</c> as the Prometheus client
/// libraries export them, <c>dotnet_*</c> for the GC and thread pool), read once per scrape.
/// </summary>
public static class ProcessMetrics
{
    public static IEnumerable<IMetricFamily> Families()
    {
        double resident, virtualBytes, cpuSeconds, startTime;
        using (var process = Process.GetCurrentProcess())
        {
            resident = process.WorkingSet64;
            virtualBytes = process.VirtualMemorySize64;
            cpuSeconds = process.TotalProcessorTime.TotalSeconds;
            startTime = new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        }

        var gc = GC.GetGCMemoryInfo();
        // Before the first collection there is no heap size to report: the bytes allocated so far stand in.
        double heap = gc.HeapSizeBytes > 0 ? gc.HeapSizeBytes : GC.GetTotalMemory(forceFullCollection: false);
        List<IMetricFamily> families =
        [
            new ObservedFamily("process_resident_memory_bytes", "Resident memory (working set) in bytes.", MetricType.Gauge, () => resident),
            new ObservedFamily("process_virtual_memory_bytes", "Virtual memory in bytes.", MetricType.Gauge, () => virtualBytes),
            new ObservedFamily("process_cpu_seconds_total", "User and system CPU time spent, in seconds.", MetricType.Counter, () => cpuSeconds),
            new ObservedFamily("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", MetricType.Gauge, () => startTime),
            new ObservedFamily("dotnet_gc_heap_size_bytes", "Managed heap size at the last garbage collection, in bytes.", MetricType.Gauge, () => heap),
            new ObservedFamily("dotnet_gc_committed_bytes", "Memory committed by the garbage collector at the last collection, in bytes.", MetricType.Gauge,
                () => gc.TotalCommittedBytes),
            new ObservedFamily("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started.", MetricType.Counter,
                () => GC.GetTotalAllocatedBytes()),
            new ObservedFamily("dotnet_gc_collections_total", "Garbage collections, by generation.", MetricType.Counter, ["generation"], emit =>
            {
                for (var generation = 0; generation <= GC.MaxGeneration; generation++)
                {
                    emit(GC.CollectionCount(generation), [generation.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                }
            }),
            new ObservedFamily("dotnet_gc_pause_seconds_total", "Time the runtime was paused for garbage collection, in seconds.", MetricType.Counter,
                () => GC.GetTotalPauseDuration().TotalSeconds),
            new ObservedFamily("dotnet_threadpool_threads", "Thread pool threads.", MetricType.Gauge, () => ThreadPool.ThreadCount),
            new ObservedFamily("dotnet_threadpool_queue_length", "Work items queued to the thread pool and not started.", MetricType.Gauge,
                () => ThreadPool.PendingWorkItemCount),
        ];
        if (OperatingSystem.IsLinux())
        {
            families.Add(new ObservedFamily("process_open_fds", "Open file descriptors.", MetricType.Gauge,
                () => Directory.EnumerateFileSystemEntries("/proc/self/fd").Count()));
        }

        return families;
    }
}
