namespace EksHardening.Operator.Tests.Policies;

/// <summary>The structural-schema subset beyond what the ResponsibilityPolicy CRD itself uses.</summary>
public class SchemaValidatorTests
{
    private static List<string> Check(string schema, string value)
    {
        var validator = new SchemaValidator(checkStructure: true);
        validator.Validate(PolicyFixtures.Parse(schema), PolicyFixtures.Yaml(value), "v");
        return validator.Problems.Select(p => p.ToString()).ToList();
    }

    [Theory]
    [InlineData("8080", true)]
    [InlineData("http", true)]
    [InlineData("1.5", false)]
    [InlineData("true", false)]
    [InlineData("[1]", false)]
    public void Int_or_string_takes_integers_and_strings(string value, bool valid)
    {
        Assert.Equal(valid, Check("{ x-kubernetes-int-or-string: true }", value).Count == 0);
    }

    [Fact]
    public void Preserve_unknown_fields_keeps_anything_and_still_checks_known_properties()
    {
        const string schema = "{ type: object, x-kubernetes-preserve-unknown-fields: true, properties: { n: { type: integer } } }";
        Assert.Empty(Check(schema, "{ n: 1, anything: { deep: [1, 2] } }"));
        Assert.Equal(["v.n: must be an integer, got string \"one\""], Check(schema, "{ n: one }"));
    }

    [Fact]
    public void Additional_properties_validate_map_values()
    {
        const string schema = "{ type: object, maxProperties: 2, additionalProperties: { type: string, maxLength: 3 } }";
        Assert.Empty(Check(schema, "{ a: x, b: yyy }"));
        Assert.Equal(["v[b]: is 4 characters long, more than the 3 allowed"], Check(schema, "{ a: x, b: yyyy }"));
        Assert.Equal(["v: has 3 entries, more than the 2 allowed"], Check(schema, "{ a: x, b: u, c: z }"));
        Assert.Empty(Check("{ type: object, additionalProperties: true }", "{ a: 1 }"));
        Assert.Equal(["v.a: unknown field"], Check("{ type: object, additionalProperties: false }", "{ a: 1 }"));
    }

    [Fact]
    public void Numbers_honour_bounds_exclusive_bounds_and_formats()
    {
        Assert.Equal(["v: 0 is less than the minimum 0 (exclusive)"], Check("{ type: integer, minimum: 0, exclusiveMinimum: true }", "0"));
        Assert.Equal(["v: 10.5 is more than the maximum 10"], Check("{ type: number, maximum: 10 }", "10.5"));
        Assert.Empty(Check("{ type: number }", "3"));
        Assert.Equal(["v: 3000000000 does not fit in a 32-bit integer"], Check("{ type: integer, format: int32 }", "3000000000"));
        Assert.Empty(Check("{ type: integer, format: int64 }", "3000000000"));
    }

    [Fact]
    public void Lists_honour_min_items_and_strings_min_length()
    {
        Assert.Equal(["v: must not be empty"], Check("{ type: array, minItems: 1, items: { type: string } }", "[]"));
        Assert.Equal(["v: has 1 items, fewer than the 2 required"], Check("{ type: array, minItems: 2, items: { type: string } }", "[a]"));
        Assert.Equal(["v: is 1 characters long, fewer than the 2 required"], Check("{ type: string, minLength: 2 }", "a"));
        Assert.Equal(["v: is 4 characters long, more than the 3 allowed"], Check("{ type: string, maxLength: 3 }", "ééééé"[..4]));
    }

    [Fact]
    public void Patterns_end_at_the_end_of_the_text_as_in_RE2()
    {
        Assert.Single(Check("{ type: string, pattern: '^a$' }", "\"a\\n\""));
        Assert.Empty(Check("{ type: string, pattern: '^[$a]+$' }", "\"a$\""));
    }

    [Fact]
    public void A_CEL_rule_without_a_twin_is_a_programming_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Check("{ type: string, x-kubernetes-validations: [ { rule: 'self != \"\"' } ] }", "x"));
        Assert.Contains("no C# twin", error.Message);
    }

    [Fact]
    public void Without_structure_checks_only_the_CEL_twins_run()
    {
        var validator = new SchemaValidator(checkStructure: false);
        var schema = ResponsibilityPolicyCrd.Definition()["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
        var policy = PolicyFixtures.Parse("{ spec: { mode: Foo, unknown: 1, match: { kinds: [Service] }, exemptions: [ { rules: ['image.*'] } ] } }");
        validator.Validate(schema, policy, "");
        Assert.Equal(["spec.exemptions[0].reason: an exemption must give a reason"], validator.Problems.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("Service")]
    [InlineData("pod")]
    [InlineData("CronJobs")]
    public void A_match_kind_outside_the_enum_is_named_with_the_kinds_allowed(string kind)
    {
        var validator = new SchemaValidator(checkStructure: true);
        var schema = ResponsibilityPolicyCrd.Definition()["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
        validator.Validate(schema, PolicyFixtures.Parse($"{{ spec: {{ match: {{ kinds: [Pod, {kind}] }} }} }}"), "");
        Assert.Equal([$"spec.match.kinds[1]: \"{kind}\" is not one of {string.Join(", ", WorkloadView.SupportedKinds)}"], validator.Problems.Select(p => p.ToString()));
    }
}
