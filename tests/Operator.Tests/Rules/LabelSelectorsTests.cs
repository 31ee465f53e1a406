namespace EksHardening.Operator.Tests.Rules;

public class LabelSelectorsTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web", ["tier"] = "front" };

    [Fact]
    public void Null_selector_selects_nothing_and_empty_selects_everything()
    {
        Assert.False(LabelSelectors.Matches(null, Labels));
        Assert.True(LabelSelectors.Matches(new V1LabelSelector(), Labels));
        Assert.True(LabelSelectors.Matches(new V1LabelSelector(), null));
    }

    [Theory]
    [InlineData("In", new[] { "web", "api" }, true)]
    [InlineData("In", new[] { "api" }, false)]
    [InlineData("NotIn", new[] { "api" }, true)]
    [InlineData("NotIn", new[] { "web" }, false)]
    [InlineData("Exists", null, true)]
    [InlineData("DoesNotExist", null, false)]
    public void Expressions_follow_the_api_semantics(string op, string[]? values, bool expected)
    {
        var selector = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = op, Values = values }] };
        Assert.Equal(expected, LabelSelectors.Matches(selector, Labels));
    }

    [Fact]
    public void NotIn_and_DoesNotExist_select_objects_without_the_key()
    {
        var notIn = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "missing", OperatorProperty = "NotIn", Values = ["x"] }] };
        var absent = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "missing", OperatorProperty = "DoesNotExist" }] };
        Assert.True(LabelSelectors.Matches(notIn, Labels));
        Assert.True(LabelSelectors.Matches(absent, Labels));
    }

    [Fact]
    public void MatchLabels_and_expressions_are_ANDed()
    {
        var selector = new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["back"] }],
        };
        Assert.False(LabelSelectors.Matches(selector, Labels));
    }
}
