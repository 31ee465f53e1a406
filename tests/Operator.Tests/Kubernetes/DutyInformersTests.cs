namespace EksHardening.Operator.Tests.Kubernetes;

/// <summary>
/// The informers of the rbac, encryption and nodes duties: started by the first policy that turns the duty on, fed to
/// the snapshot once listed (unknown before, not empty), and the API server's version asked once a minute.
/// </summary>
public sealed class DutyInformersTests
{
    [Theory]
    [InlineData("rbac: {disallowClusterAdminBindings: true}", DutyInformers.Rbac)]
    [InlineData("rbac: {disallowSystemMastersMapping: true}", DutyInformers.Rbac)]
    [InlineData("rbac: {allowedSubjects: [{kind: Group, name: admins}]}", DutyInformers.None)]
    [InlineData("encryption: {requireEncryptedVolumes: true}", DutyInformers.Volumes)]
    [InlineData("encryption: {requireTlsIngress: true, allowedPlainPorts: [8443]}", DutyInformers.Ingress)]
    [InlineData("encryption: {requireEncryptedVolumes: false, requireTlsIngress: false}", DutyInformers.None)]
    [InlineData("nodes: {maxKubeletSkew: 1}", DutyInformers.Nodes)]
    [InlineData("nodes: {maxNodeAge: 720h}", DutyInformers.Nodes)]
    [InlineData("imageScanning: {disallowLatestTag: true}", DutyInformers.None)]
    public void A_policy_needs_the_informers_of_the_duties_it_turns_on(string section, DutyInformers expected) =>
        Assert.Equal(expected, ClusterInformers.Needed(PolicyWith(section).Spec));

    [Fact]
    public async Task A_duty_s_informers_start_with_the_first_policy_that_needs_them_and_feed_the_snapshot_once_listed()
    {
        await using var cluster = new FakeCluster();
        var snapshots = new SnapshotBuilder(cluster.Informers);
        await cluster.ApplyAsync(PolicyWith("imageScanning: {disallowLatestTag: true}"), Node("ip-1", "v1.30.2"), ClusterAdminBinding("ci-admin"),
            new V1ConfigMap { Metadata = new() { Name = "coredns", NamespaceProperty = "kube-system" } });
        await cluster.StartAsync();

        // No policy needs them: nothing listed, and the snapshot knows neither RBAC nor nodes.
        Assert.All(Enum.GetValues<DutyInformers>().Where(d => d != DutyInformers.None), d => Assert.False(cluster.Informers.DutySynced(d)));
        Assert.Equal(0, cluster.Informers.Nodes.Count + cluster.Informers.ClusterRoleBindings.Count);
        var before = snapshots.Build();
        Assert.Null(before.Rbac);
        Assert.Empty(before.Infrastructure.Nodes);
        Assert.Equal(UnlistedObjects.Rbac | UnlistedObjects.Volumes | UnlistedObjects.Ingress | UnlistedObjects.Nodes, before.Unlisted);

        await cluster.ApplyAsync(PolicyWith("rbac: {disallowClusterAdminBindings: true}\n  nodes: {maxKubeletSkew: 1}", "second"));
        await Eventually.True(() => cluster.Informers.DutySynced(DutyInformers.Rbac) && cluster.Informers.DutySynced(DutyInformers.Nodes), "rbac and nodes listed");
        Assert.False(cluster.Informers.DutySynced(DutyInformers.Volumes));

        var after = snapshots.Build();
        Assert.Equal(UnlistedObjects.Volumes | UnlistedObjects.Ingress, after.Unlisted);
        Assert.Equal("ip-1", Assert.Single(after.Infrastructure.Nodes).Metadata.Name);
        Assert.Equal("ci-admin", Assert.Single(after.Rbac!.Bindings).Name);
        // aws-auth is watched alone: its absence is known (none), and another kube-system ConfigMap is not it.
        Assert.True(after.Rbac.AwsAuthCollected);
        Assert.Null(after.Rbac.AwsAuth);
        Assert.Contains(cluster.Informers.Running, i => i.Resource == "nodes");
        Assert.DoesNotContain(cluster.Informers.Running, i => i.Resource == "storageclasses");

        // Unchanged, the indexes are the same instances (the findings cache compares them by reference); a change rebuilds.
        var again = snapshots.Build();
        Assert.Same(after.Rbac, again.Rbac);
        Assert.Same(after.Infrastructure, again.Infrastructure);
        await cluster.ApplyAsync(ClusterAdminBinding("ops-admin"));
        var changed = snapshots.Build();
        Assert.NotSame(after.Rbac, changed.Rbac);
        Assert.Equal(2, changed.Rbac!.Bindings.Count);
        Assert.Same(after.Infrastructure, changed.Infrastructure);
    }

    [Fact]
    public async Task A_duty_no_policy_needs_any_more_stops_and_drops_its_cache_and_a_later_policy_lists_it_again()
    {
        await using var cluster = new FakeCluster();
        var snapshots = new SnapshotBuilder(cluster.Informers);
        var policy = PolicyWith("nodes: {maxNodeAge: 720h}");
        await cluster.ApplyAsync(policy, Node("ip-1", "v1.30.2"));
        await cluster.StartAsync();
        await Eventually.True(() => cluster.Informers.DutySynced(DutyInformers.Nodes), "nodes listed");
        Assert.Equal(1, cluster.Informers.Nodes.Count);

        await cluster.DeleteAsync(policy);
        await Eventually.True(() => cluster.Informers.Nodes.Count == 0 && !cluster.Informers.Nodes.HasSynced, "the nodes cache dropped");
        Assert.False(cluster.Informers.DutySynced(DutyInformers.Nodes));
        Assert.DoesNotContain(cluster.Informers.Running, i => i.Resource == "nodes");
        Assert.True(snapshots.Build().Unlisted.HasFlag(UnlistedObjects.Nodes));

        // A node added while nobody watches (the fake source hands its event to the next watch; the relist has it already).
        var added = cluster.ApplyAsync(Node("ip-2", "v1.31.0"));
        await cluster.ApplyAsync(PolicyWith("nodes: {maxKubeletSkew: 1}", "again"));
        await Eventually.True(() => cluster.Informers.DutySynced(DutyInformers.Nodes), "nodes listed again");
        await added;
        Assert.Equal(["ip-1", "ip-2"], snapshots.Build().Infrastructure.Nodes.Select(n => n.Metadata.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_API_server_version_is_unknown_until_the_first_answer_then_asked_once_a_minute()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var cluster = new FakeCluster(clock: clock);
        var changes = 0;
        // A version change concerns the nodes duty only (node.kubelet-skew reads it).
        cluster.Informers.OnClusterChange(changed => { if (changed == DutyInformers.Nodes) Interlocked.Increment(ref changes); });
        Assert.Null(cluster.Informers.ApiServerVersion);
        Assert.Null(new SnapshotBuilder(cluster.Informers).Build().ApiServerVersion);

        cluster.ApiServerVersion = "v1.31.2-eks-7f9249a";
        await cluster.StartAsync();
        await Eventually.True(() => cluster.Informers.ApiServerVersion == "v1.31.2-eks-7f9249a", "first answer read");
        // The handlers run just after the version is published.
        await Eventually.True(() => Volatile.Read(ref changes) == 1, "the first answer is a change");

        cluster.ApiServerVersion = "v1.32.0-eks-1";
        clock.Advance(ClusterInformers.VersionInterval - TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.Equal("v1.31.2-eks-7f9249a", cluster.Informers.ApiServerVersion);
        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => cluster.Informers.ApiServerVersion == "v1.32.0-eks-1", "asked again after a minute");
        await Eventually.True(() => Volatile.Read(ref changes) == 2, "the new answer is a change");

        // The same answer again is no change.
        clock.Advance(ClusterInformers.VersionInterval);
        await Task.Delay(50);
        Assert.Equal(2, Volatile.Read(ref changes));
    }

    private static ResponsibilityPolicy PolicyWith(string section, string name = "p")
    {
        var set = new Operator.Manifests.ManifestSet();
        Operator.Manifests.ManifestReader.ReadText($"""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {"{"}name: {name}{"}"}
            spec:
              mode: Audit
              {section}
            """, "policy.yaml", set);
        return (ResponsibilityPolicy)Assert.Single(set.Objects).Object;
    }

    private static V1Node Node(string name, string kubelet) => new()
    {
        Metadata = new() { Name = name },
        Status = new V1NodeStatus { NodeInfo = new V1NodeSystemInfo { KubeletVersion = kubelet } },
    };

    private static V1ClusterRoleBinding ClusterAdminBinding(string name) => new()
    {
        Metadata = new() { Name = name },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "cluster-admin" },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "ci", NamespaceProperty = "shop" }],
    };
}
