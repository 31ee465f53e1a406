using Microsoft.Extensions.Logging.Console;

namespace EksHardening.Operator.Tests.Hosting;

/// <summary>
/// <c>--log-format</c>: the console provider's formatter as the host configures it, and what a JSON line holds — one
/// object per line, UTC timestamp, level, category, message, the message's named values and the scopes.
/// </summary>
public sealed class OperatorLoggingTests
{
    [Theory]
    [InlineData(LogFormat.Text, ConsoleFormatterNames.Simple)]
    [InlineData(LogFormat.Json, ConsoleFormatterNames.Json)]
    public void The_format_picks_the_console_formatter(LogFormat format, string formatterName)
    {
        using var services = Logging(format);

        Assert.Equal(formatterName, services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public void A_json_entry_is_one_line_with_utc_timestamp_level_category_message_state_and_scopes()
    {
        var scopes = new LoggerExternalScopeProvider();
        using var _ = scopes.Push(new Dictionary<string, object?> { ["Kind"] = "ResponsibilityPolicy", ["Name"] = "production" });

        var line = WriteJson(LogLevel.Warning, "EksHardening.Operator.Controllers.PolicyController", "Status of {Policy} not written: {Reason}",
            [new("Policy", "production"), new("Reason", "conflict")], "Status of production not written: conflict", scopes, exception: null);

        var entry = JsonNode.Parse(line)!.AsObject();
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", entry["Timestamp"]!.GetValue<string>());
        Assert.Equal(DateTimeKind.Utc, DateTime.Parse(entry["Timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal).Kind);
        Assert.Equal("Warning", entry["LogLevel"]!.GetValue<string>());
        Assert.Equal("EksHardening.Operator.Controllers.PolicyController", entry["Category"]!.GetValue<string>());
        Assert.Equal("Status of production not written: conflict", entry["Message"]!.GetValue<string>());
        Assert.Equal("production", entry["State"]!["Policy"]!.GetValue<string>());
        Assert.Equal("conflict", entry["State"]!["Reason"]!.GetValue<string>());
        var scope = Assert.Single(entry["Scopes"]!.AsArray())!;
        Assert.Equal("production", scope["Name"]!.GetValue<string>());
    }

    [Fact]
    public void A_json_entry_with_a_multi_line_exception_stays_on_one_line()
    {
        Exception error;
        try
        {
            throw new InvalidOperationException("first line\nsecond line");
        }
        catch (InvalidOperationException e)
        {
            error = e;
        }

        var line = WriteJson(LogLevel.Critical, "EksHardening.Operator.Cli.RunCommand", "The failure in full", [], "The failure in full",
            new LoggerExternalScopeProvider(), error);

        var entry = JsonNode.Parse(line)!.AsObject();
        Assert.Contains("first line\nsecond line", entry["Exception"]!.GetValue<string>());
        Assert.Contains(" at ", entry["Exception"]!.GetValue<string>());
    }

    private static ServiceProvider Logging(LogFormat format) =>
        new ServiceCollection().AddLogging(logging => OperatorLogging.AddConsole(logging, format)).BuildServiceProvider();

    /// <summary>One entry through the JSON formatter the host configures; returns the single line it wrote (without its newline).</summary>
    private static string WriteJson(LogLevel level, string category, string template, KeyValuePair<string, object?>[] values, string message,
        IExternalScopeProvider scopes, Exception? exception)
    {
        using var services = Logging(LogFormat.Json);
        var formatter = services.GetRequiredService<IEnumerable<ConsoleFormatter>>().Single(f => f.Name == ConsoleFormatterNames.Json);
        IReadOnlyList<KeyValuePair<string, object?>> state = [.. values, new("{OriginalFormat}", template)];
        using var output = new StringWriter();

        formatter.Write(new LogEntry<IReadOnlyList<KeyValuePair<string, object?>>>(level, category, new EventId(7), state, exception, (_, _) => message),
            scopes, output);

        var text = output.ToString();
        Assert.EndsWith(Environment.NewLine, text);
        var lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got {lines.Length}:\n{text}");
        return lines[0];
    }
}
