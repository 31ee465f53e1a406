namespace EksHardening.ApiEmulator.Diagnostics;

/// <summary>
/// One request the emulator answered, with the status it got (0 when the connection was reset) and the bearer token
/// it carried as <see cref="User"/> (the emulator does not authenticate: the token stands for the caller).
/// <see cref="Time"/> is when it was answered (a watch: when its stream began), <see cref="Received"/> when it arrived.
/// </summary>
public sealed record RecordedRequest(
    DateTimeOffset Time,
    string Method,
    string Path,
    string Query,
    string Verb,
    string Group,
    string Version,
    string? Namespace,
    string? Resource,
    string? Subresource,
    string? Name,
    int StatusCode,
    string? User = null)
{
    /// <summary><c>pods</c> for the main resource, <c>pods/status</c> for a subresource.</summary>
    /// <summary>When the request arrived: a large list is answered well after it was asked.</summary>
    public DateTimeOffset Received { get; init; }

    public string? ResourceWithSubresource => Resource is null ? null : Subresource is null ? Resource : $"{Resource}/{Subresource}";
}
