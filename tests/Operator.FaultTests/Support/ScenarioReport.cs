namespace EksHardening.Operator.FaultTests.Support;

/// <summary>One row of the fault suite's table: the scenario, what was injected, how long until the status was correct, what was retried, what was lost.</summary>
internal sealed record ScenarioOutcome(string Scenario, string Injected, TimeSpan? TimeToCorrect, string Retried, string Lost)
{
    public string ToMarkdown() =>
        $"| {Scenario} | {Injected} | {(TimeToCorrect is { } t ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "n/a")} | {Retried} | {Lost} |";
}

/// <summary>
/// Prints each scenario's row into the test output and, when <c>FAULT_SUITE_REPORT</c> names a file, appends it
/// there, so that CI can show the whole table.
/// </summary>
internal static class ScenarioReport
{
    public const string Header = "| scenario | injected | correct status after | requests retried | lost |\n|---|---|---|---|---|";
    private static readonly Lock Gate = new();

    public static void Add(ITestOutputHelper output, ScenarioOutcome outcome)
    {
        var row = outcome.ToMarkdown();
        output.WriteLine(Header);
        output.WriteLine(row);
        if (Environment.GetEnvironmentVariable("FAULT_SUITE_REPORT") is not { Length: > 0 } path) return;
        lock (Gate)
        {
            File.AppendAllText(path, row + Environment.NewLine);
        }
    }
}
