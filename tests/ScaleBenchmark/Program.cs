// dotnet run -c Release --project tests/ScaleBenchmark -- [--sizes 1000,10000,50000] [--updates 200] [--rate 20] [--steady-updates 20] [--steady-rate 1]
// Progress goes to stderr; the table and the machine-readable lines to stdout.
if (args is [ListingFloor.ListOnceCommand, var server]) return await ListingFloor.ListOnceAsync(server);

ScaleOptions options;
try
{
    options = ScaleOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"scale-benchmark: {e.Message}");
    if (Environment.GetEnvironmentVariable("SCALE_DEBUG") == "1") Console.Error.WriteLine(e);
    Console.Error.WriteLine(ScaleOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(ScaleOptions.Usage);
    return 0;
}

if (options.Operators.FirstOrDefault(path => !File.Exists(path)) is { } missing)
{
    Console.Error.WriteLine($"scale-benchmark: the operator is not at {missing}; build the solution or pass --operator");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    var tables = new List<(string Operator, ScaleResult Empty, List<ScaleResult> Results)>();
    foreach (var operatorPath in options.Operators)
    {
        var scenario = new ScaleScenario(options, operatorPath, Console.Error);
        // An empty cluster (the policies only) first: the operator's fixed cost, subtracted for bytes per object.
        var empty = await scenario.RunAsync(0, updates: 0, cancel.Token);
        var results = new List<ScaleResult>();
        foreach (var size in options.Sizes) results.Add(await scenario.RunAsync(size, options.Updates, cancel.Token));
        tables.Add((operatorPath, empty, results));
    }

    foreach (var (operatorPath, empty, results) in tables)
    {
        Console.WriteLine();
        Console.WriteLine($"operator: {operatorPath}");
        Console.Write(ResultTable.Render(empty, results));
        Console.WriteLine();
        foreach (var result in results) Console.WriteLine(result.Line());
    }

    return 0;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException)
{
    Console.Error.WriteLine($"scale-benchmark: {e.Message}");
    if (Environment.GetEnvironmentVariable("SCALE_DEBUG") == "1") Console.Error.WriteLine(e);
    return 1;
}
