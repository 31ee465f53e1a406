using EksHardening.Entities;
using EksHardening.Operator.Controllers;
using EksHardening.Operator.Controllers.Evaluation;
using EksHardening.Operator.Controllers.Remediation;
using EksHardening.Operator.Controllers.Status;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Testing.Kubernetes;
using EksHardening.Operator.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EksHardening.Operator.Tests.Controllers;

/// <summary>
/// The leader's controllers over a <see cref="FakeCluster"/>, a fake clock, a recording status writer and a scripted
/// API: each reconcile is called directly, so a test sees exactly what one reconcile does.
/// </summary>
internal sealed class ControllerBed : IAsyncDisposable
{
    private ControllerBed(PolicyControllerOptions options)
    {
        Options = options;
        var meters = TestMeters.Create();
        Cluster = new FakeCluster(meters: meters, clock: Clock);
        StatusWriter = new RecordingStatusWriter(Cluster);
        Evaluations = new PolicyEvaluations(Cluster.Informers, new SnapshotBuilder(Cluster.Informers), options, Clock);
        var metrics = new ControllerMetrics(meters, "policy", serveUnlabelled: false);
        Status = new StatusController(Cluster.Informers, Evaluations, Outcomes, StatusWriter, options, metrics, Clock, NullLoggerFactory.Instance, meters);
        Remediator = new Remediator(Api.Client());
        Remediation = new RemediationController(Cluster.Informers, Evaluations, Outcomes, Remediator, options, metrics, Clock, NullLoggerFactory.Instance);
    }

    public FakeTimeProvider Clock { get; } = new(TestEvaluation.Now);
    public FakeCluster Cluster { get; }
    public PolicyControllerOptions Options { get; }
    public PolicyEvaluations Evaluations { get; }
    public RemediationOutcomes Outcomes { get; } = new();
    public RecordingStatusWriter StatusWriter { get; }
    public ScriptedApiHandler Api { get; } = new();
    public Remediator Remediator { get; }
    public StatusController Status { get; }
    public RemediationController Remediation { get; }

    /// <summary>A bed over the objects of <paramref name="yaml"/> (policies included), listed by the informers before it returns.</summary>
    public static async Task<ControllerBed> StartAsync(string yaml, PolicyControllerOptions? options = null)
    {
        var bed = new ControllerBed(options ?? new PolicyControllerOptions { MinStatusWriteInterval = TimeSpan.Zero });
        await bed.Cluster.ApplyAsync([.. TestEvaluation.Objects(yaml).Cast<IKubernetesObject<V1ObjectMeta>>()]);
        await bed.Cluster.StartAsync();
        return bed;
    }

    public ResponsibilityPolicy Policy(string name) => Cluster.Informers.Policies.Get(null, name) ?? throw new InvalidOperationException($"no policy {name}");

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
