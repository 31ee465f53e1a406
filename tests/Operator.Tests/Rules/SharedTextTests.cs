namespace EksHardening.Operator.Tests.Rules;

public class SharedTextTests
{
    [Fact]
    public void Equal_texts_built_apart_come_back_as_one_instance()
    {
        var first = SharedText.Of(new string('x', 3) + ": securityContext.privileged is true");
        var second = SharedText.Of(new string('x', 3) + ": securityContext.privileged is true");

        Assert.Same(first, second);
    }

    [Fact]
    public void A_concatenation_reads_as_the_plain_one_and_is_shared_with_the_same_text_built_otherwise()
    {
        var path = "spec.template.spec.containers[" + 7 + "]";

        var concatenated = SharedText.Concat(path, ".securityContext", ".runAsUser");

        Assert.Equal("spec.template.spec.containers[7].securityContext.runAsUser", concatenated);
        Assert.Same(concatenated, SharedText.Concat(path, ".securityContext.runAsUser"));
        Assert.Same(concatenated, SharedText.Of(path + ".securityContext.runAsUser"));
    }

    [Fact]
    public void Texts_that_share_a_slot_replace_each_other_and_stay_themselves()
    {
        // More distinct texts than slots: whatever the table evicts, each text reads back as itself.
        var texts = Enumerable.Range(0, 40_000).Select(i => SharedText.Concat("container c", i.ToString(CultureInfo.InvariantCulture))).ToList();

        for (var i = 0; i < texts.Count; i++) Assert.Equal($"container c{i}", texts[i]);
    }

    [Fact]
    public void Empty_and_null_pass_through()
    {
        Assert.Null(SharedText.Of(null));
        Assert.Equal("", SharedText.Of(""));
        Assert.Equal("", SharedText.Concat("", ""));
    }

    [Fact]
    public void A_collector_told_not_to_share_keeps_the_text_it_was_given()
    {
        var held = SharedText.Of(new string('y', 2) + ": runAsNonRoot is not set");
        var given = new string('y', 2) + ": runAsNonRoot is not set";

        var shared = new FindingCollector();
        shared.Fail(PodSecurityRules.RunAsNonRoot, given);
        var unshared = new FindingCollector(share: false);
        unshared.Fail(PodSecurityRules.RunAsNonRoot, given);

        Assert.Same(held, shared.Findings.Single().Message);
        Assert.Same(given, unshared.Findings.Single().Message);
    }

    [Fact]
    public void Findings_of_two_resources_that_say_the_same_hold_one_message_and_one_path()
    {
        var evaluation = TestEvaluation.Evaluate("podSecurity: {level: baseline}", """
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: shop}
            spec: {containers: [{name: app, image: nginx, securityContext: {privileged: true}}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: b, namespace: shop}
            spec: {containers: [{name: app, image: nginx, securityContext: {privileged: true}}]}
            """);

        var findings = evaluation.Resources.Where(r => r.Resource.Kind == "Pod")
            .Select(r => r.Findings.Single(f => f.Rule.Id == "pss.privileged")).ToList();

        Assert.Equal(2, findings.Count);
        Assert.Equal(FindingResult.Fail, findings[0].Result);
        Assert.Same(findings[0].Message, findings[1].Message);
        Assert.Same(findings[0].Path, findings[1].Path);
    }
}
