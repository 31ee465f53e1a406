namespace EksHardening.Operator.Hosting;

/// <summary>
/// The process and .NET runtime metrics under their conventional names (<c>process_*</c> as the Prometheus client
/// libraries export them, <c>dotnet_*</c> for the GC and thread pool), read when scraped. Our own instruments rather
/// than the runtime's <c>System.Runtime</c> meter: that one names them differently and counts GC generations
/// exclusively, where <c>dotnet_gc_collections_total</c> has always used <see cref="GC.CollectionCount"/>.
/// </summary>
public sealed class ProcessMetrics
{
    public const string MeterName = "EksHardening.Hosting";

    public ProcessMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        double startTime;
        using (var process = Process.GetCurrentProcess())
        {
            startTime = new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        }

        meter.CreateObservableGauge("process_resident_memory_bytes", () => Environment.WorkingSet, description: "Resident memory (working set) in bytes.");
        meter.CreateObservableGauge("process_virtual_memory_bytes", VirtualMemoryBytes, description: "Virtual memory in bytes.");
        meter.CreateObservableCounter("process_cpu_seconds_total", () => Environment.CpuUsage.TotalTime.TotalSeconds,
            description: "User and system CPU time spent, in seconds.");
        meter.CreateObservableGauge("process_start_time_seconds", () => startTime, description: "Start time of the process since the Unix epoch, in seconds.");
        // Before the first collection there is no heap size to report: the bytes allocated so far stand in.
        meter.CreateObservableGauge("dotnet_gc_heap_size_bytes",
            () => GC.GetGCMemoryInfo() is { HeapSizeBytes: > 0 } gc ? gc.HeapSizeBytes : GC.GetTotalMemory(forceFullCollection: false),
            description: "Managed heap size at the last garbage collection, in bytes.");
        meter.CreateObservableGauge("dotnet_gc_committed_bytes", () => GC.GetGCMemoryInfo().TotalCommittedBytes,
            description: "Memory committed by the garbage collector at the last collection, in bytes.");
        meter.CreateObservableCounter("dotnet_gc_allocated_bytes_total", () => GC.GetTotalAllocatedBytes(),
            description: "Bytes allocated on the managed heap since the process started.");
        meter.CreateObservableCounter("dotnet_gc_collections_total", () => Enumerable.Range(0, GC.MaxGeneration + 1)
                .Select(g => new Measurement<long>(GC.CollectionCount(g), new KeyValuePair<string, object?>("generation", g.ToString(CultureInfo.InvariantCulture)))),
            description: "Garbage collections, by generation.");
        meter.CreateObservableCounter("dotnet_gc_pause_seconds_total", () => GC.GetTotalPauseDuration().TotalSeconds,
            description: "Time the runtime was paused for garbage collection, in seconds.");
        meter.CreateObservableGauge("dotnet_threadpool_threads", () => ThreadPool.ThreadCount, description: "Thread pool threads.");
        meter.CreateObservableGauge("dotnet_threadpool_queue_length", () => ThreadPool.PendingWorkItemCount,
            description: "Work items queued to the thread pool and not started.");
        if (OperatingSystem.IsLinux())
        {
            meter.CreateObservableGauge("process_open_fds", () => Directory.EnumerateFileSystemEntries("/proc/self/fd").Count(), description: "Open file descriptors.");
        }
    }

    private static long VirtualMemoryBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.VirtualMemorySize64;
    }
}
