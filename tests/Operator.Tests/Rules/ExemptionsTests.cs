namespace EksHardening.Operator.Tests.Rules;

public class ExemptionsTests
{
    [Fact]
    public void Each_rule_glob_matches_by_its_own_text_however_often_asked()
    {
        // The regexes are kept by entry text: a glob asked again, or after others, still matches only what it says.
        for (var round = 0; round < 2; round++)
        {
            Assert.Matches(Exemptions.RuleGlob("pss.*"), "pss.privileged");
            Assert.DoesNotMatch(Exemptions.RuleGlob("pss.*"), "image.tag-not-latest");
            Assert.Matches(Exemptions.RuleGlob("image.*"), "image.tag-not-latest");
            Assert.DoesNotMatch(Exemptions.RuleGlob("image.*"), "pss.privileged");
            Assert.Matches(Exemptions.RuleGlob(" PSS.privileged "), "pss.privileged");
            Assert.DoesNotMatch(Exemptions.RuleGlob("pss.privileged"), "pss.privilegedx");
        }
    }

    [Fact]
    public void A_changed_exemption_rule_list_is_applied_as_changed()
    {
        const string Pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: shop}
            spec: {containers: [{name: app, image: "nginx:latest"}]}
            """;
        const string Policy = "imageScanning: {disallowLatestTag: true}\nexemptions:\n- {name: e, rules: [RULE], reason: r, expires: '2030-01-01T00:00:00Z'}";

        var exempt = TestEvaluation.Evaluate(Policy.Replace("RULE", "'image.*'", StringComparison.Ordinal), Pod);
        var notExempt = TestEvaluation.Evaluate(Policy.Replace("RULE", "'pss.*'", StringComparison.Ordinal), Pod);

        Assert.Equal(FindingResult.Exempt, exempt.ResultOf("Pod", "p", "image.tag-not-latest"));
        Assert.Equal(FindingResult.Fail, notExempt.ResultOf("Pod", "p", "image.tag-not-latest"));
    }
}
