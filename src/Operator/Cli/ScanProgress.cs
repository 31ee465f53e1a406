namespace EksHardening.Operator.Cli;

/// <summary>
/// One line of progress on stderr for inputs over <see cref="ScanCommand.ProgressThreshold"/> objects: on a terminal,
/// redrawn in place (\r) as each policy is evaluated; elsewhere (CI logs, tests) a single line once the evaluation is
/// done, so that logs stay readable and outputs deterministic. Smaller inputs print nothing.
/// </summary>
internal sealed class ScanProgress(TextWriter stderr, bool terminal, int objects, int policies)
{
    private readonly bool _shown = objects > ScanCommand.ProgressThreshold;
    private int _evaluated;
    private int _lastWidth;

    public void Evaluating(string policy)
    {
        _evaluated++;
        if (!_shown || !terminal) return;
        Redraw($"scanning {Count(objects)} objects: policy {_evaluated}/{policies} ({policy})…");
    }

    public void Done()
    {
        if (!_shown) return;
        var line = $"scanned {Count(objects)} objects against {policies} {(policies == 1 ? "policy" : "policies")}";
        if (terminal)
        {
            Redraw(line);
            stderr.Write('\n');
        }
        else
        {
            stderr.WriteLine($"{EksHardeningCommand.Name} {ScanCommand.Name}: {line}");
        }

        stderr.Flush();
    }

    private void Redraw(string line)
    {
        // Blank out what a longer earlier line left behind.
        stderr.Write('\r' + line + new string(' ', Math.Max(0, _lastWidth - line.Length)));
        stderr.Flush();
        _lastWidth = line.Length;
    }

    private static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
