namespace EksHardening.ScaleBenchmark;

/// <summary>The benchmark's command line.</summary>
internal sealed class ScaleOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/ScaleBenchmark -- [flags]

        Seeds the API emulator with a synthetic cluster of N pods and runs the operator against it as a child
        process: list floor, cold start, change latency, API load and memory, for each N. (It also runs itself as
        `list-once URL`, the bare client of the floor.)

          --sizes N,N,...   cluster sizes in pods (default 1000,10000,50000)
          --updates N       workload updates in the change-latency phase (default 200; 0 skips the phase)
          --rate N          updates per second (default 20)
          --steady-updates N  updates of the steady phase, before the burst, one change after a quiet spell (default 20;
                            0 skips it)
          --steady-rate N   updates per second of the steady phase (default 1)
          --idle SECONDS    quiet time after start and after the updates in which no status write may happen (default 10)
          --operator PATH,...  the operator: a JIT build's eks-hardening.dll (run with `dotnet exec`) or a native
                            eks-hardening binary (scripts/publish-native); several, comma-separated, are measured one
                            after another in the same run, each over every size (default: the dll built next to the
                            benchmark)
          --hold SECONDS    after quiescence, wait this long before the updates and print the operator's pid, to attach
                            dotnet-trace, dotnet-counters or dotnet-gcdump, or read /proc/PID/smaps; the empty
                            cluster's run holds too (default 0)
        """;

    public IReadOnlyList<int> Sizes { get; private set; } = [1_000, 10_000, 50_000];
    public int Updates { get; private set; } = 200;
    public double Rate { get; private set; } = 20;
    public int SteadyUpdates { get; private set; } = 20;
    public double SteadyRate { get; private set; } = 1;
    public TimeSpan Idle { get; private set; } = TimeSpan.FromSeconds(10);
    public TimeSpan Hold { get; private set; } = TimeSpan.Zero;
    public IReadOnlyList<string> Operators { get; private set; } = [Path.Combine(AppContext.BaseDirectory, "eks-hardening.dll")];
    public bool Help { get; private set; }

    public static ScaleOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ScaleOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                options.Help = true;
                continue;
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[..eq] : arg;
            var value = eq > 0 ? arg[(eq + 1)..] : i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--sizes":
                    options.Sizes = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => Int(name, s, 20))];
                    if (options.Sizes.Count == 0) throw new ArgumentException("--sizes needs at least one size");
                    break;
                case "--updates":
                    options.Updates = Int(name, value, 0);
                    break;
                case "--rate":
                    options.Rate = PositiveNumber(name, value);
                    break;
                case "--steady-updates":
                    options.SteadyUpdates = Int(name, value, 0);
                    break;
                case "--steady-rate":
                    options.SteadyRate = PositiveNumber(name, value);
                    break;
                case "--idle":
                    options.Idle = TimeSpan.FromSeconds(Int(name, value, 1));
                    break;
                case "--hold":
                    options.Hold = TimeSpan.FromSeconds(Int(name, value, 0));
                    break;
                case "--operator":
                    options.Operators = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Path.GetFullPath)];
                    if (options.Operators.Count == 0) throw new ArgumentException("--operator needs a path");
                    break;
                default:
                    throw new ArgumentException($"unknown flag {arg}");
            }
        }

        return options;
    }

    private static double PositiveNumber(string flag, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0
            ? rate
            : throw new ArgumentException($"{flag} must be a positive number, not '{value}'");

    private static int Int(string flag, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new ArgumentException($"{flag} must be a whole number of at least {min}, not '{value}'");
}
