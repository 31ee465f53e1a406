namespace EksHardening.ScaleBenchmark;

/// <summary>
/// The operator as a child process (<c>dotnet eks-hardening.dll run</c>), so that the memory it is measured by is
/// its own: peak and current resident set from /proc, managed heap from its /metrics endpoint.
/// </summary>
internal sealed class OperatorProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private const int KeptOutputLines = 40;
    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly int _metricsPort;

    private OperatorProcess(Process process, int metricsPort)
    {
        _process = process;
        _metricsPort = metricsPort;
    }

    /// <summary>When the process was started (a Stopwatch timestamp).</summary>
    public long StartedAt { get; private init; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The operator's last lines of output, for a failure report.</summary>
    public string RecentOutput
    {
        get
        {
            lock (_output) return string.Join('\n', _output);
        }
    }

    /// <param name="operatorPath">A JIT build's eks-hardening.dll (run by <c>dotnet exec</c>) or a native binary.</param>
    public static OperatorProcess Start(string operatorPath, string kubeconfig)
    {
        var metricsPort = FreePort();
        var jit = operatorPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(jit ? "dotnet" : operatorPath,
        [
            .. jit ? new[] { "exec", operatorPath } : [],
            "run",
            "--kubeconfig", kubeconfig,
            "--leader-elect", "false",
            "--aws", "false",
            "--webhook-port", "0",
            "--health-port", "0",
            "--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture),
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Remove("KUBECONFIG");
        // As the container image runs it (Dockerfile): workstation GC.
        start.Environment["DOTNET_gcServer"] = "0";
        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the operator");
        var child = new OperatorProcess(process, metricsPort) { StartedAt = startedAt };
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Peak resident set (VmHWM) and current resident set (VmRSS), in bytes.</summary>
    public (long Peak, long Current) ResidentSet()
    {
        long peak = 0, current = 0;
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kilobytes(line);
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) current = Kilobytes(line);
        }

        return (peak, current);
    }

    /// <summary>One sample (without labels) from the operator's /metrics, or null when it does not export it.</summary>
    public async Task<double?> MetricAsync(string name, CancellationToken cancellationToken)
    {
        var text = await _http.GetStringAsync(new Uri($"http://127.0.0.1:{_metricsPort}/metrics"), cancellationToken).ConfigureAwait(false);
        // The exporter adds labels (otel_scope_name) to every sample: read it as Prometheus text, not by prefix.
        return PrometheusExposition.Parse(text).Samples(name).Select(s => (double?)s.Value).FirstOrDefault();
    }

    /// <summary>Stops the operator as Kubernetes would (SIGTERM, then SIGKILL after a grace period).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync().ConfigureAwait(false);
            }

            using var grace = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        _process.Dispose();
        _http.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > KeptOutputLines) _output.Dequeue();
        }
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
