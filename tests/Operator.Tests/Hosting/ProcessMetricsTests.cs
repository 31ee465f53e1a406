namespace EksHardening.Operator.Tests.Hosting;

public sealed class ProcessMetricsTests
{
    [Theory]
    [InlineData("process_resident_memory_bytes", 1e6, 64e9)]
    [InlineData("process_virtual_memory_bytes", 1e6, 1e15)]
    [InlineData("process_open_fds", 1, 1e6)]
    [InlineData("dotnet_gc_heap_size_bytes", 1e3, 64e9)]
    [InlineData("dotnet_gc_committed_bytes", 0, 64e9)]
    [InlineData("dotnet_gc_allocated_bytes_total", 1e3, 1e15)]
    [InlineData("dotnet_threadpool_threads", 1, 1e5)]
    [InlineData("dotnet_threadpool_queue_length", 0, 1e7)]
    public void Each_process_gauge_and_count_reads_a_plausible_value(string name, double min, double max)
    {
        var meters = TestMeters.Create();
        using var longs = new MetricCollector<long>(meters, ProcessMetrics.MeterName, name);
        using var ints = new MetricCollector<int>(meters, ProcessMetrics.MeterName, name);
        _ = new ProcessMetrics(meters);
        longs.RecordObservableInstruments();
        ints.RecordObservableInstruments();
        var value = longs.LastMeasurement?.Value ?? ints.LastMeasurement?.Value ?? throw new Xunit.Sdk.XunitException($"{name} was not observed");
        Assert.InRange(value, min, max);
    }

    [Fact]
    public void Cpu_time_start_time_and_gc_counts_are_read_from_the_process()
    {
        var meters = TestMeters.Create();
        using var cpu = new MetricCollector<double>(meters, ProcessMetrics.MeterName, "process_cpu_seconds_total");
        using var start = new MetricCollector<double>(meters, ProcessMetrics.MeterName, "process_start_time_seconds");
        using var collections = new MetricCollector<long>(meters, ProcessMetrics.MeterName, "dotnet_gc_collections_total");
        _ = new ProcessMetrics(meters);
        GC.Collect();
        cpu.RecordObservableInstruments();
        start.RecordObservableInstruments();
        collections.RecordObservableInstruments();

        Assert.True(cpu.LastMeasurement!.Value > 0);
        var started = DateTimeOffset.FromUnixTimeMilliseconds((long)(start.LastMeasurement!.Value * 1000));
        Assert.InRange(started, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow);
        // One series per generation, each counting the collections of that generation and the higher ones (GC.CollectionCount).
        var byGeneration = collections.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["generation"]!, m => m.Value);
        Assert.Equal(Enumerable.Range(0, GC.MaxGeneration + 1).Select(g => g.ToString(System.Globalization.CultureInfo.InvariantCulture)), byGeneration.Keys.Order());
        Assert.True(byGeneration["2"] >= 1 && byGeneration["0"] >= byGeneration["2"]);
    }
}
