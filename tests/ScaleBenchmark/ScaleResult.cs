namespace EksHardening.ScaleBenchmark;

/// <summary>What one size of the scenario measured.</summary>
internal sealed class ScaleResult
{
    public int Pods { get; init; }
    /// <summary>Objects seeded that the operator caches (the CRD, the policies and the ConfigMaps but aws-auth not counted).</summary>
    public int Objects { get; set; }
    public double SeedSeconds { get; set; }
    /// <summary>A bare client in a fresh process: start, list everything once, deserialize.</summary>
    public double FloorSeconds { get; set; }
    /// <summary>The same list in the benchmark's warm process.</summary>
    public double WarmListSeconds { get; set; }
    public double ColdSeconds { get; set; }
    /// <summary>Process start to its first list request (runtime, host and client start-up).</summary>
    public double StartupSeconds { get; set; }
    /// <summary>First list request to the last list page answered (the informers' initial list).</summary>
    public double ListSeconds { get; set; }
    /// <summary>Lists started (first pages); the other list requests are further pages.</summary>
    public int Lists { get; set; }
    public double Ratio => ColdSeconds / FloorSeconds;
    /// <summary>Change latency of the burst phase (<c>--rate</c>, 20 changes a second by default).</summary>
    public double? P50Ms { get; set; }
    public double? P99Ms { get; set; }
    public double? MaxMs { get; set; }
    /// <summary>Change latency of the steady phase (<c>--steady-rate</c>, 1 change a second by default): what one change after a quiet spell costs.</summary>
    public double? SteadyP50Ms { get; set; }
    public double? SteadyP99Ms { get; set; }
    public int? SteadyStatusWrites { get; set; }
    public long PeakWorkingSet { get; set; }
    public long QuiescentWorkingSet { get; set; }
    /// <summary>The operator's <c>dotnet_gc_heap_size_bytes</c> after quiescence; null when it does not export it.</summary>
    public double? HeapBytes { get; set; }
    public SortedDictionary<string, int> StartRequests { get; set; } = [];
    public int StartStatusWrites { get; set; }
    public SortedDictionary<string, int> QuiescentRequests { get; set; } = [];
    public int QuiescentStatusWrites { get; set; }
    public SortedDictionary<string, int> UpdateRequests { get; set; } = [];
    public int UpdateStatusWrites { get; set; }
    public double UpdateSeconds { get; set; }
    public double? StatusWritesPerPolicyPerSecond { get; set; }
    public int? MaxStatusWritesInOneSecond { get; set; }
    /// <summary>The same by the times the emulator recorded the writes' answers.</summary>
    public int? MaxStatusAnswersInOneSecond { get; set; }
    public int AfterUpdateStatusWrites { get; set; }

    /// <summary>The machine-readable line the issue specifies; status_writes counts the status patches of the update phase.</summary>
    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"scale N={Pods} cold_s={ColdSeconds:0.000} floor_s={FloorSeconds:0.000} ratio={Ratio:0.00} p50_ms={Ms(P50Ms)} p99_ms={Ms(P99Ms)} rss_mb={PeakWorkingSet / 1048576.0:0} status_writes={UpdateStatusWrites} steady_p50_ms={Ms(SteadyP50Ms)} steady_p99_ms={Ms(SteadyP99Ms)}");

    private static string Ms(double? ms) => ms is { } v ? v.ToString("0", CultureInfo.InvariantCulture) : "na";
}

/// <summary>The one table the benchmark prints: a row per figure, a column per size, and the issue's target.</summary>
internal static class ResultTable
{
    public static string Render(ScaleResult empty, IReadOnlyList<ScaleResult> results)
    {
        var rows = new List<(string Figure, Func<ScaleResult, string> Value, string Target)>
        {
            ("objects cached", r => N(r.Objects), ""),
            ("floor: bare client process lists all (s)", r => F(r.FloorSeconds, "0.000"), ""),
            ("  the same list, warm, in process (s)", r => F(r.WarmListSeconds, "0.000"), ""),
            ("cold start to correct status (s)", r => F(r.ColdSeconds, "0.000"), ""),
            ("  process start to first list (s)", r => F(r.StartupSeconds, "0.000"), ""),
            ("  first list to last list page (s)", r => F(r.ListSeconds, "0.000"), ""),
            ("  last list page to correct status (s)", r => F(r.ColdSeconds - r.StartupSeconds - r.ListSeconds, "0.000"), ""),
            ("ratio cold / floor", r => F(r.Ratio, "0.00"), "<= 2.0"),
            ("  ratio cold / warm list", r => F(r.ColdSeconds / r.WarmListSeconds, "0.00"), ""),
            ("change latency, steady phase p50 (ms)", r => F(r.SteadyP50Ms, "0"), "<= 100"),
            ("  p99 (ms)", r => F(r.SteadyP99Ms, "0"), ""),
            ("  status writes", r => F(r.SteadyStatusWrites, "0"), ""),
            ("change latency, burst phase p50 (ms)", r => F(r.P50Ms, "0"), "<= 500"),
            ("  p99 (ms)", r => F(r.P99Ms, "0"), "<= 1000"),
            ("  max (ms)", r => F(r.MaxMs, "0"), ""),
            ("peak working set (MB)", r => F(r.PeakWorkingSet / 1048576.0, "0"), "<= 250; 1024 at 50k"),
            ("working set after quiescence (MB)", r => F(r.QuiescentWorkingSet / 1048576.0, "0"), ""),
            ("managed heap after quiescence (MB)", r => F(r.HeapBytes / 1048576.0, "0.0"), ""),
            ("heap bytes per cached object", r => F(PerObject(r.HeapBytes, empty.HeapBytes, r.Objects - empty.Objects), "0"), ""),
            ("working-set bytes per cached object", r => F(PerObject(r.QuiescentWorkingSet, empty.QuiescentWorkingSet, r.Objects - empty.Objects), "0"), ""),
            ("start→quiescence requests", r => Verbs(r.StartRequests), "list+watch 1 per informer, no get"),
            ("  lists started (first pages)", r => N(r.Lists), "23 (one per informer)"),
            ("  status writes (4 policies)", r => N(r.StartStatusWrites), ""),
            ("  status writes while idle", r => N(r.QuiescentStatusWrites), "0"),
            ("  requests while idle", r => Verbs(r.QuiescentRequests), "events only"),
            ("update phase requests", r => Verbs(r.UpdateRequests), "no get"),
            ("  status writes", r => N(r.UpdateStatusWrites), ""),
            ("  status writes of a policy in any 1 s (max)", r => F(r.MaxStatusWritesInOneSecond, "0"), "<= 1"),
            ("    the same by their answers' times", r => F(r.MaxStatusAnswersInOneSecond, "0"), ""),
            ("  status writes per policy per s (mean, max)", r => F(r.StatusWritesPerPolicyPerSecond, "0.00"), ""),
            ("  status writes while idle after", r => N(r.AfterUpdateStatusWrites), "0"),
        };

        var headers = results.Select(r => $"N={r.Pods}").ToList();
        var cells = rows.Select(row => results.Select(row.Value).ToList()).ToList();
        var figureWidth = rows.Max(r => r.Figure.Length);
        var widths = headers.Select((h, i) => Math.Max(h.Length, cells.Max(c => c[i].Length))).ToList();
        var text = new StringBuilder();
        void Line(string figure, IEnumerable<string> values, string target) =>
            text.Append(figure.PadRight(figureWidth)).Append(" | ")
                .AppendJoin(" | ", values.Select((v, i) => v.PadLeft(widths[i]))).Append(" | ").Append(target).Append('\n');
        Line("figure", headers, "target (N=10000)");
        text.Append(new string('-', figureWidth + widths.Sum() + 3 * (widths.Count + 1) + 16)).Append('\n');
        for (var i = 0; i < rows.Count; i++) Line(rows[i].Figure, cells[i], rows[i].Target);
        text.Append(Growth(empty, results));
        text.Append(string.Create(CultureInfo.InvariantCulture,
            $"empty cluster (policies only): working set {empty.QuiescentWorkingSet / 1048576.0:0} MB, heap {F(empty.HeapBytes / 1048576.0, "0.0")} MB\n"));
        return text.ToString();
    }

    /// <summary>Growth between the two largest sizes against the growth in objects (linear: within ±20 %).</summary>
    private static string Growth(ScaleResult empty, IReadOnlyList<ScaleResult> results)
    {
        if (results.Count < 2) return "";
        var sorted = results.OrderBy(r => r.Objects).ToList();
        var (small, large) = (sorted[^2], sorted[^1]);
        var objects = (double)(large.Objects - empty.Objects) / (small.Objects - empty.Objects);
        var peak = (double)(large.PeakWorkingSet - empty.PeakWorkingSet) / (small.PeakWorkingSet - empty.PeakWorkingSet);
        var heap = large.HeapBytes - empty.HeapBytes is { } l && small.HeapBytes - empty.HeapBytes is { } s && s > 0 ? l / s : (double?)null;
        return string.Create(CultureInfo.InvariantCulture,
            $"growth N={small.Pods}→{large.Pods} above the empty cluster: objects ×{objects:0.00}, peak working set ×{peak:0.00} ({peak / objects - 1:+0%;-0%}), "
            + $"heap ×{F(heap, "0.00")}{(heap is { } h ? string.Create(CultureInfo.InvariantCulture, $" ({h / objects - 1:+0%;-0%})") : "")} (target: linear ±20 %)\n");
    }

    private static double? PerObject(double? value, double? empty, int objects) => value - empty is { } d && objects > 0 ? d / objects : null;

    private static string Verbs(SortedDictionary<string, int> byVerb) => byVerb.Count == 0 ? "none" : string.Join(", ", byVerb.Select(p => $"{p.Key}={p.Value}"));

    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}
