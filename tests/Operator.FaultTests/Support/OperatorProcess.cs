namespace EksHardening.Operator.FaultTests.Support;

/// <summary>
/// The real <c>eks-hardening</c> executable in a child process, with an environment of its own (AWS variables,
/// credentials, log levels) that the test process never sets for itself; every line it prints is kept.
/// </summary>
internal sealed class OperatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private int _disposed;

    private OperatorProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Everything written to stdout and stderr so far.</summary>
    public IReadOnlyList<string> Output => [.. _lines];

    /// <param name="environment">Set on top of this process's environment, from which AWS_*, KUBECONFIG and EKS_HARDENING_* are removed first; a null value removes a variable.</param>
    public static OperatorProcess Start(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "eks-hardening.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("EKS_HARDENING_", StringComparison.Ordinal)
                     || k is "KUBECONFIG" or "POD_NAME" or "POD_NAMESPACE").ToList())
        {
            start.Environment.Remove(key);
        }

        // No profile files and no instance metadata: only what the test hands over.
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials";
        start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/aws-config";
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var running = new OperatorProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) running._lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) running._lines.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    /// <summary>Sends SIGTERM (what the kubelet sends) and waits at most <paramref name="grace"/>; returns the exit code and how long it took.</summary>
    public async Task<(int ExitCode, TimeSpan Took)> TerminateAsync(TimeSpan grace)
    {
        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", Id.ToString(CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"the operator did not exit within {grace.TotalSeconds:0} s of SIGTERM");
        }

        _process.WaitForExit();   // the last output lines
        return (_process.ExitCode, clock.Elapsed);
    }

    /// <summary>The most resident memory the process has had (VmHWM), in bytes.</summary>
    public long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmHWM in /proc status");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
