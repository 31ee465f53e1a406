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

    [Fact]
    public async Task A_change_to_a_duty_s_objects_re_evaluates_only_the_policies_with_that_duty()
    {
        var objects = Objects + $$"""

            ---
            apiVersion: {{ResponsibilityPolicy.ApiVersionName}}
            kind: ResponsibilityPolicy
            metadata: {name: access}
            spec:
              rbac: {disallowClusterAdminBindings: true}
            """;
        await using var bed = await ControllerBed.StartAsync(objects);
        await Eventually.True(() => bed.Cluster.Informers.DutySynced(DutyInformers.Rbac), "the rbac duty's informers listed");
        var access = await bed.Evaluations.EvaluateAsync(bed.Policy("access"), CancellationToken.None);
        await bed.Evaluations.EvaluateAsync(bed.Policy("prod"), CancellationToken.None);
        Assert.DoesNotContain(access.Evaluation!.AllFindings, f => f.Result == FindingResult.Error);
        var (prodRevision, accessRevision) = (bed.Evaluations.RevisionFor(bed.Policy("prod").Spec), bed.Evaluations.RevisionFor(bed.Policy("access").Spec));

        await bed.Cluster.ApplyAsync(new V1ClusterRoleBinding
        {
            Metadata = new() { Name = "ci-admin" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "cluster-admin" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "ci", NamespaceProperty = "ci" }],
        });

        Assert.Equal(prodRevision, bed.Evaluations.RevisionFor(bed.Policy("prod").Spec));
        Assert.True(bed.Evaluations.RevisionFor(bed.Policy("access").Spec) > accessRevision, "the binding moved the revision the rbac policy reads");
        var evaluations = bed.Evaluations.Evaluations;
        await bed.Evaluations.EvaluateAsync(bed.Policy("prod"), CancellationToken.None);
        var after = await bed.Evaluations.EvaluateAsync(bed.Policy("access"), CancellationToken.None);
        Assert.Equal(evaluations + 1, bed.Evaluations.Evaluations);
        Assert.Equal(FindingResult.Fail, after.Evaluation!.ResultOf("ClusterRoleBinding", "ci-admin", "rbac.cluster-admin-bound"));
    }
}
