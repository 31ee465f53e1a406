namespace EksHardening.Operator.Tests.Serialization;

/// <summary>
/// The operator's JSON metadata stands alone: the native build drops the client's own context
/// (src/Operator/ILLink.Substitutions.xml), so nothing may depend on it.
/// </summary>
public class OperatorJsonTests
{
    [Fact]
    public void The_clients_options_resolve_through_the_operators_context_alone()
    {
        var chain = OperatorJson.Options.TypeInfoResolverChain;

        // After it only the tests' own models (TestJson: CRDs and the chart's objects), which the operator never uses.
        Assert.Same(OperatorJson.Resolver, chain[0]);
        Assert.All(chain.Skip(1), r => Assert.Equal("TestJsonContext", r.GetType().Name));
    }

    [Fact]
    public void A_model_the_operator_does_not_use_has_no_metadata_so_the_dropped_context_is_never_asked()
    {
        Assert.Null(OperatorJson.Resolver.GetTypeInfo(typeof(V1CertificateSigningRequest), OperatorJson.Options));
        Assert.Throws<NotSupportedException>(() => KubernetesJson.Serialize(new V1CertificateSigningRequest()));
    }

    [Theory]
    [InlineData(typeof(V1PodList))]
    [InlineData(typeof(V1Lease))]
    [InlineData(typeof(Corev1Event))]
    [InlineData(typeof(k8s.Models.VersionInfo))]
    [InlineData(typeof(V1Patch))]
    public void Models_the_operator_reads_or_writes_have_metadata(Type model)
    {
        Assert.NotNull(OperatorJson.Resolver.GetTypeInfo(model, OperatorJson.Options));
    }

    [Fact]
    public void Dates_keep_the_clients_format()
    {
        var created = new DateTime(2026, 12, 6, 22, 4, 44, DateTimeKind.Utc);
        var json = KubernetesJson.Serialize(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop", CreationTimestamp = created } });

        Assert.Contains("\"creationTimestamp\":\"2026-12-06T22:04:44Z\"", json, StringComparison.Ordinal);
        Assert.Equal(created, KubernetesJson.Deserialize<V1Namespace>(json).Metadata.CreationTimestamp);
    }
}
