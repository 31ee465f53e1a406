namespace EksHardening.Operator.IntegrationTests;

public sealed class ApiLoadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartWithMixedWorkloadsAsync();
        _bed.Emulator.ClearRequests();
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task From_start_to_quiescence_the_operator_lists_and_watches_once_per_informer_and_writes_status_once()
    {
        await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("production");
        await Task.Delay(TimeSpan.FromSeconds(2));

        var byVerb = _bed.Emulator.Requests.GroupBy(r => r.Verb).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}={g.Count()}").ToList();
        var byResource = _bed.Emulator.Requests.GroupBy(r => $"{r.Verb} {r.Resource}{(r.Subresource is null ? "" : "/" + r.Subresource)}")
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}").ToList();
        output.WriteLine("requests by verb: " + string.Join(", ", byVerb));
        output.WriteLine("requests by verb and resource: " + string.Join(", ", byResource));

        // Policies, namespaces, NetworkPolicies, ServiceAccounts, pods and the eight workload kinds (ReplicationControllers and
        // PodTemplates included); none of the rbac, encryption or nodes duties' informers, which this policy does not turn on.
        const int informers = 13;
        Assert.Equal(informers, _bed.Emulator.CountRequests("list"));
        Assert.Equal(informers, _bed.Emulator.CountRequests("watch"));
        Assert.Equal(0, _bed.Emulator.Requests.Count(r => r.Verb == "get" && r.Resource is not null));
        // One discovery request: are wgpolicyk8s.io PolicyReports served? (Not here, so no report request follows.) And the
        // API server's version, asked at start and then once a minute.
        Assert.Equal(["/apis/wgpolicyk8s.io/v1alpha2", "/version/"],
            _bed.Emulator.Requests.Where(r => r.Verb == "get" && r.Resource is null).Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.Equal(1, _bed.Emulator.CountRequests("patch", "responsibilitypolicies/status"));
        Assert.Equal(0, _bed.Emulator.CountRequests("update"));
    }
}
