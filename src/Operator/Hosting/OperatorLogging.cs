using Microsoft.Extensions.Logging.Console;

namespace EksHardening.Operator.Hosting;

/// <summary>How <c>eks-hardening run</c> writes its log lines to the console (<c>--log-format</c>).</summary>
public enum LogFormat
{
    /// <summary>One readable line per entry (Microsoft.Extensions.Logging's simple console formatter).</summary>
    Text,

    /// <summary>One JSON object per line, for log pipelines (Fluent Bit, Vector, CloudWatch Logs Insights).</summary>
    Json,
}

/// <summary>The operator's console logging, in the format the options name.</summary>
public static class OperatorLogging
{
    /// <summary>
    /// The JSON lines' timestamp: UTC, ISO 8601 with milliseconds and a Z, so that a pipeline need not guess the zone.
    /// </summary>
    public const string JsonTimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>
    /// The console provider with the simple (text) or JSON formatter. JSON: Microsoft.Extensions.Logging's JsonConsole
    /// formatter, one object per line with Timestamp, EventId, LogLevel, Category, Message, Exception (when there is
    /// one), State (the message's named values) and Scopes.
    /// </summary>
    public static void AddConsole(ILoggingBuilder logging, LogFormat format)
    {
        if (format == LogFormat.Json)
        {
            logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = JsonTimestampFormat;
                json.IncludeScopes = true;
                json.JsonWriterOptions = new JsonWriterOptions { Indented = false };
            });
        }
        else
        {
            logging.AddSimpleConsole(text => text.SingleLine = true);
        }
    }
}
