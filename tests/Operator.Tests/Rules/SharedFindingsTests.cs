namespace EksHardening.Operator.Tests.Rules;

public class SharedFindingsTests
{
    private static readonly string Message = SharedText.Of("container app: securityContext.privileged is true");
    private static readonly string Path = SharedText.Of("spec.containers[0].securityContext.privileged");

    [Fact]
    public void Findings_with_the_same_parts_come_back_as_one_instance()
    {
        var first = SharedFindings.Of(new Finding(PodSecurityRules.Privileged, FindingResult.Fail, Message, Path, "nginx"));
        var second = SharedFindings.Of(new Finding(PodSecurityRules.Privileged, FindingResult.Fail, Message, Path, "nginx"));

        Assert.Same(first, second);
    }

    [Fact]
    public void Findings_that_differ_in_any_part_stay_apart()
    {
        var fail = SharedFindings.Of(new Finding(PodSecurityRules.Privileged, FindingResult.Fail, Message, Path));

        Assert.NotSame(fail, SharedFindings.Of(new Finding(PodSecurityRules.Privileged, FindingResult.Error, Message, Path)));
        Assert.NotSame(fail, SharedFindings.Of(new Finding(PodSecurityRules.HostNamespaces, FindingResult.Fail, Message, Path)));
        Assert.NotSame(fail, SharedFindings.Of(new Finding(PodSecurityRules.Privileged, FindingResult.Fail, Message, Path) { RestsOnRunTimeLabels = true }));
        var other = SharedFindings.Of(new Finding(PodSecurityRules.Privileged, FindingResult.Fail, Message + " ", Path));
        Assert.NotSame(fail, other);
        Assert.Equal(Message + " ", other.Message);
    }

    [Fact]
    public void Lists_of_the_same_instances_in_the_same_order_are_one_list()
    {
        var a = SharedFindings.Of(new Finding(PodSecurityRules.Privileged, FindingResult.Fail, Message, Path));
        var b = SharedFindings.Of(new Finding(PodSecurityRules.HostNamespaces, FindingResult.Pass, "ok"));

        var first = SharedFindings.Of([a, b]);

        Assert.Same(first, SharedFindings.Of([a, b]));
        var reordered = SharedFindings.Of([b, a]);
        Assert.NotSame(first, reordered);
        Assert.Equal([b, a], reordered);
    }

    [Fact]
    public void A_gathered_list_is_the_held_one_with_the_same_instances_else_a_new_one_of_its_own()
    {
        var a = SharedFindings.Of(new Finding(PodSecurityRules.Privileged, FindingResult.Fail, Message, Path, "gathered"));
        var b = SharedFindings.Of(new Finding(PodSecurityRules.HostNamespaces, FindingResult.Pass, "ok"));
        Finding[] buffer = [a, b];

        var first = SharedFindings.OfGathered(buffer);

        Assert.Equal([a, b], first);
        Assert.Same(first, SharedFindings.OfGathered(buffer));
        Assert.Same(first, SharedFindings.Of([a, b]));
        // The list never aliases the buffer it was gathered in, and other findings get a list of their own.
        buffer[0] = b;
        Assert.Equal([a, b], first);
        var other = SharedFindings.OfGathered(buffer);
        Assert.NotSame(first, other);
        Assert.Equal([b, b], other);
    }

    [Fact]
    public void Identical_workloads_hold_one_findings_list_and_different_ones_their_own()
    {
        const string Deployment = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: NAME, namespace: shop}
            spec: {template: {spec: {hostPID: HOSTPID, containers: [{name: app, image: nginx:1.27, securityContext: {privileged: true}}]}}}
            """;
        var evaluation = TestEvaluation.Evaluate("podSecurity: {level: baseline}", string.Join("\n---\n",
            Deployment.Replace("NAME", "a", StringComparison.Ordinal).Replace("HOSTPID", "false", StringComparison.Ordinal),
            Deployment.Replace("NAME", "b", StringComparison.Ordinal).Replace("HOSTPID", "false", StringComparison.Ordinal),
            Deployment.Replace("NAME", "c", StringComparison.Ordinal).Replace("HOSTPID", "true", StringComparison.Ordinal)));

        var findings = evaluation.Resources.Where(r => r.Resource.Kind == "Deployment").ToDictionary(r => r.Resource.Name, r => r.Findings);

        Assert.Same(findings["a"], findings["b"]);
        Assert.NotSame(findings["a"], findings["c"]);
        Assert.Equal(FindingResult.Fail, findings["c"].Single(f => f.Rule.Id == "pss.hostNamespaces").Result);
        Assert.Equal(FindingResult.Pass, findings["a"].Single(f => f.Rule.Id == "pss.hostNamespaces").Result);
        // The failure both say is one instance, the one only c says is c's.
        Assert.Same(findings["a"].Single(f => f.Rule.Id == "pss.privileged"), findings["c"].Single(f => f.Rule.Id == "pss.privileged"));
    }
}
