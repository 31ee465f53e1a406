namespace EksHardening.Operator.Aws;

/// <summary>Following a list call's continuation token to the end, with a guard against a server that repeats one.</summary>
internal static class AwsPagination
{
    /// <summary>
    /// Calls <paramref name="fetchPage"/> with no token, then with each token it returns until it returns none (null or
    /// empty). A token seen before would loop forever, so it fails the call with <c>PaginationLoop</c>.
    /// </summary>
    /// <param name="serviceTitle">The service as the error names it (default: its signing name in capitals).</param>
    public static async Task FollowAsync(string service, string operation, string tokenName, Func<string?, Task<string?>> fetchPage, string? serviceTitle = null)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            token = await fetchPage(token).ConfigureAwait(false);
            if (token is { Length: 0 }) token = null;
            if (token is not null && !seen.Add(token))
            {
                throw new AwsServiceException(AwsErrorKind.Unknown, service, operation,
                    $"{serviceTitle ?? service.ToUpperInvariant()} returned the same {tokenName} twice.", errorCode: "PaginationLoop");
            }
        }
        while (token is not null);
    }
}
