namespace EksHardening.Operator.Tests.Reporting;

public class ComplianceStatusTests
{
    private const string Objects = """
        apiVersion: v1
        kind: Pod
        metadata: {name: ok, namespace: shop}
        spec: {containers: [{name: c, image: "app:1"}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: bad, namespace: shop}
        spec: {hostNetwork: true, containers: [{name: c, image: "app:latest", securityContext: {privileged: true}}, {name: d, image: "x"}]}
        """;

    private const string Spec = "imageScanning: {disallowLatestTag: true}\npodSecurity: {level: baseline}";

    private static (ResponsibilityPolicy Policy, ResponsibilityPolicyStatus Status) Build(string objects = Objects, ResponsibilityPolicyStatus? previous = null, int max = 50, DateTimeOffset? now = null)
    {
        var policy = TestEvaluation.Policy(Spec);
        policy.Metadata.Generation = 3;
        var evaluation = TestEvaluation.Evaluate(policy, TestEvaluation.Objects(objects));
        return (policy, ComplianceStatus.FromEvaluation(policy, evaluation, previous, now ?? TestEvaluation.Now, max));
    }

    [Fact]
    public void Status_holds_summary_rows_violations_and_conditions()
    {
        var (_, status) = Build();
        Assert.Equal(new ComplianceSummary { Resources = 2, Compliant = 1, Violating = 1 }, status.Summary);
        Assert.Equal(3, status.ObservedGeneration);
        Assert.Equal(4, status.TotalViolations);   // hostNamespaces, privileged, 2x tag-not-latest
        Assert.Equal([ResponsibilityRow.InfrastructureSecurity], status.Responsibilities!.Select(r => r.Row));
        Assert.Equal(4, status.Responsibilities![0].Failed);
        Assert.Equal(Severity.Critical, status.Violations![0].Severity);
        Assert.All(status.Violations, v => Assert.Equal("bad", v.Name));
        var compliant = status.Conditions!.Single(c => c.Type == "Compliant");
        Assert.Equal(("False", "ViolationsFound", "1 of 2 resources violate"), (compliant.Status, compliant.Reason, compliant.Message));
        Assert.All(status.Conditions!, c => Assert.Equal(3, c.ObservedGeneration));
    }

    [Fact]
    public void Violations_are_capped_but_counted()
    {
        var (_, status) = Build(max: 2);
        Assert.Equal(2, status.Violations!.Count);
        Assert.Equal(4, status.TotalViolations);
    }

    [Fact]
    public void Transition_time_moves_only_when_a_condition_flips_and_lastEvaluated_is_not_content()
    {
        var (_, first) = Build();
        first.LastEvaluated = TestEvaluation.Now;
        var (_, same) = Build(previous: first, now: TestEvaluation.Now.AddMinutes(5));
        Assert.False(ComplianceStatus.ContentDiffers(first, same));
        Assert.Equal(first.Conditions![1].LastTransitionTime, same.Conditions![1].LastTransitionTime);

        var (_, fixedStatus) = Build(objects: Objects.Split("---")[0], previous: first, now: TestEvaluation.Now.AddMinutes(10));
        Assert.True(ComplianceStatus.ContentDiffers(first, fixedStatus));
        var compliant = fixedStatus.Conditions!.Single(c => c.Type == "Compliant");
        Assert.Equal("True", compliant.Status);
        Assert.Equal(TestEvaluation.Now.AddMinutes(10).UtcDateTime, compliant.LastTransitionTime);
        Assert.Equal(first.Conditions![0].LastTransitionTime, fixedStatus.Conditions!.Single(c => c.Type == "Ready").LastTransitionTime);
    }

    [Fact]
    public void An_invalid_spec_is_Ready_False_with_the_message()
    {
        var policy = TestEvaluation.Policy(Spec);
        var status = ComplianceStatus.InvalidSpec(policy, "spec.x: bad", null, TestEvaluation.Now);
        var ready = status.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "InvalidSpec", "spec.x: bad"), (ready.Status, ready.Reason, ready.Message));
        Assert.Equal("Unknown", status.Conditions!.Single(c => c.Type == "Compliant").Status);
    }

    [Fact]
    public void A_status_never_written_differs_from_any_evaluation()
    {
        var (_, status) = Build();
        Assert.True(ComplianceStatus.ContentDiffers(new ResponsibilityPolicyStatus(), status));
        Assert.True(ComplianceStatus.ContentDiffers(null, status));
    }
}
