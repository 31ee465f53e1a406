namespace EksHardening.Operator.Tests.Controllers;

public sealed class PolicyEvaluationsTests
{
    private static readonly string Objects = $$"""
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: {{ResponsibilityPolicy.ApiVersionName}}
        kind: ResponsibilityPolicy
        metadata: {name: prod}
        spec:
          podSecurity: {level: baseline}
        """;

    [Fact]
    public async Task A_new_generation_of_the_policy_is_evaluated_again_and_a_status_write_is_not()
    {
        await using var bed = await ControllerBed.StartAsync(Objects);
        var first = await bed.Evaluations.EvaluateAsync(bed.Policy("prod"), CancellationToken.None);

        await bed.StatusWriter.WriteAsync("prod", new ResponsibilityPolicyStatus { ObservedGeneration = 1 }, CancellationToken.None);
        var afterStatus = await bed.Evaluations.EvaluateAsync(bed.Policy("prod"), CancellationToken.None);
        var changed = bed.Policy("prod");
        await bed.Cluster.ApplyAsync(new ResponsibilityPolicy { Metadata = new() { Name = "prod", Uid = changed.Metadata.Uid }, Spec = changed.Spec });
        var afterSpec = await bed.Evaluations.EvaluateAsync(bed.Policy("prod"), CancellationToken.None);

        Assert.Same(first, afterStatus);
        Assert.NotSame(first, afterSpec);
        Assert.Equal((1L, 2L), (first.Stamp.Generation!.Value, afterSpec.Stamp.Generation!.Value));
        Assert.Equal(2, bed.Evaluations.Evaluations);
    }

    [Fact]
    public async Task A_policy_recreated_under_the_same_name_does_not_see_its_predecessors_evaluation()
    {
        await using var bed = await ControllerBed.StartAsync(Objects);
        var old = bed.Policy("prod");
        await bed.Evaluations.EvaluateAsync(old, CancellationToken.None);

        await bed.Cluster.DeleteAsync(old);
        await bed.Cluster.ApplyAsync(new ResponsibilityPolicy { Metadata = new() { Name = "prod", Uid = "another-uid" }, Spec = old.Spec });

        Assert.NotNull(bed.Evaluations.Latest(old));
        Assert.Null(bed.Evaluations.Latest(bed.Policy("prod")));
        Assert.NotSame(bed.Evaluations.Latest(old), await bed.Evaluations.EvaluateAsync(bed.Policy("prod"), CancellationToken.None));
    }

    [Fact]
    public async Task Every_new_evaluation_is_announced_and_a_reused_one_is_not()
    {
        await using var bed = await ControllerBed.StartAsync(Objects);
        var announced = new List<string>();
        bed.Evaluations.OnEvaluated(announced.Add);

        await bed.Evaluations.EvaluateAsync(bed.Policy("prod"), CancellationToken.None);
        await bed.Evaluations.EvaluateAsync(bed.Policy("prod"), CancellationToken.None);
        await bed.Cluster.ApplyAsync(new k8s.Models.V1Namespace { Metadata = new() { Name = "team" } });
        await bed.Evaluations.EvaluateAsync(bed.Policy("prod"), CancellationToken.None);

        Assert.Equal(["prod", "prod"], announced);
    }
}
