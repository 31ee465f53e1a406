namespace EksHardening.Operator.Aws;

/// <summary>
/// Makes AWS error messages safe to log and to show in status. A signature error quotes the canonical request and
/// the string to sign that AWS expected, and the canonical request carries the signed headers, the session token
/// among them: only the text before that quote is kept, and the caller's secret key and session token never are.
/// </summary>
internal static class AwsErrorMessages
{
    public const string Redacted = "[redacted]";

    private static readonly string[] Quotes = ["The Canonical String for this request should have been", "The String-to-Sign should have been"];

    public static string Clean(string message, AwsCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (var quote in Quotes)
        {
            var at = message.IndexOf(quote, StringComparison.OrdinalIgnoreCase);
            if (at >= 0) message = message[..at];
        }

        if (credentials is not null)
        {
            foreach (var secret in (string?[])[credentials.SecretAccessKey, credentials.SessionToken])
            {
                if (!string.IsNullOrEmpty(secret)) message = message.Replace(secret, Redacted, StringComparison.Ordinal);
            }
        }

        message = message.TrimEnd();
        return message.Length > 0 ? message : "(the message quoted the signed request and is withheld)";
    }
}
