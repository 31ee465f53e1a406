namespace EksHardening.Operator.Tests.Policies;

/// <summary>The C# entities in src/Entities mirror the CRD (DESIGN.md §3): this keeps them in step, both ways.</summary>
public class EntitySchemaSyncTests
{
    /// <summary>String fields whose values the schema restricts further with an enum (the C# side stays a string).</summary>
    private static readonly HashSet<string> StringFieldsWithSchemaEnum = ["spec.match.kinds[]", "spec.cluster.requiredLogTypes[]", "spec.cluster.requireThreatDetection[]"];

    private static JsonObject CrdSchema() =>
        ResponsibilityPolicyCrd.Definition()["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();

    [Fact]
    public void ResponsibilityPolicy_types_match_the_crd_schema_both_ways()
    {
        var differences = EntitySchemaComparer.Compare(typeof(ResponsibilityPolicy), CrdSchema(), stringEnums: StringFieldsWithSchemaEnum);
        Assert.True(differences.Count == 0, "C# entities and config/crd differ:\n" + string.Join("\n", differences));
    }

    [Fact]
    public void The_allowed_string_enums_are_really_string_fields_with_a_schema_enum()
    {
        // Without the allowance the comparer must complain about exactly these: the list is not stale.
        var differences = EntitySchemaComparer.Compare(typeof(ResponsibilityPolicy), CrdSchema());
        Assert.Equal(StringFieldsWithSchemaEnum.Order(), differences.Select(d => d[..d.IndexOf(':', StringComparison.Ordinal)]).Order());
    }

    private sealed class Tiny
    {
        [JsonPropertyName("name")] public string? Name { get; set; }
        [JsonPropertyName("count")] public int Count { get; set; }
        [JsonPropertyName("mode")] public PolicyMode Mode { get; set; }
        [JsonPropertyName("when")] public DateTimeOffset? When { get; set; }
        [JsonPropertyName("onlyInCSharp")] public bool? OnlyInCSharp { get; set; }
        [JsonPropertyName("maxScanAge")] public string? MaxScanAge { get; set; }
        [JsonPropertyName("rows")] public List<ResponsibilityRow>? Rows { get; set; }
        [JsonPropertyName("nested")] public TinyChild? Nested { get; set; }
        public string? NoJsonName { get; set; }
    }

    private sealed class TinyChild
    {
        [JsonPropertyName("size")] public long Size { get; set; }
    }

    private const string MatchingTinySchema = """
        type: object
        properties:
          name: { type: string }
          count: { type: integer, format: int32 }
          mode: { type: string, enum: [Audit, Warn, Enforce] }
          when: { type: string, format: date-time }
          onlyInCSharp: { type: boolean }
          maxScanAge: { type: string }
          rows: { type: array, items: { type: string, enum: [InfrastructureSecurity, IdentityManagement, DataEncryption, PatchManagement, NetworkSecurity, Monitoring] } }
          nested: { type: object, properties: { size: { type: integer } } }
        """;

    private const string MismatchedTinySchema = """
        type: object
        properties:
          name: { type: string }
          count: { type: string }
          mode: { type: string, enum: [Audit, Warn] }
          when: { type: string }
          onlyInSchema: { type: boolean }
          maxScanage: { type: string }
          rows: { type: array, items: { type: string, enum: [InfrastructureSecurity, Monitoring, Billing] } }
          nested: { type: object, properties: { size: { type: integer, format: int32 }, extra: { type: string } } }
        """;

    [Fact]
    public void The_comparer_accepts_a_matching_pair_except_a_property_without_a_json_name()
    {
        var differences = EntitySchemaComparer.Compare(typeof(Tiny), PolicyFixtures.Parse(MatchingTinySchema));
        Assert.Equal(["NoJsonName: Tiny.NoJsonName has no [JsonPropertyName]"], differences);
    }

    [Fact]
    public void The_comparer_fails_on_every_kind_of_mismatch()
    {
        var differences = EntitySchemaComparer.Compare(typeof(Tiny), PolicyFixtures.Parse(MismatchedTinySchema));
        var byPath = differences.ToLookup(d => d[..d.IndexOf(':', StringComparison.Ordinal)]);

        Assert.Contains("C# Int32 is integer but the schema says string", Assert.Single(byPath["count"]));
        Assert.Contains("C# enum values [Audit, Enforce, Warn] differ from the schema's [Audit, Warn]", Assert.Single(byPath["mode"]));
        Assert.Contains("needs format date-time but the schema says no format", Assert.Single(byPath["when"]));
        Assert.Contains("in C# (Tiny.OnlyInCSharp) but not in the schema", Assert.Single(byPath["onlyInCSharp"]));
        Assert.Contains("in the schema but not in C#", Assert.Single(byPath["onlyInSchema"]));
        // A JSON name that differs only in case shows up on both sides.
        Assert.Contains("in C# (Tiny.MaxScanAge) but not in the schema", Assert.Single(byPath["maxScanAge"]));
        Assert.Contains("in the schema but not in C#", Assert.Single(byPath["maxScanage"]));
        Assert.Contains("differ from the schema's [Billing, InfrastructureSecurity, Monitoring]", Assert.Single(byPath["rows[]"]));
        Assert.Contains("needs format int64 but the schema says int32", Assert.Single(byPath["nested.size"]));
        Assert.Contains("in the schema but not in C# (TinyChild)", Assert.Single(byPath["nested.extra"]));
        Assert.Single(byPath["NoJsonName"]);
        Assert.Equal(11, differences.Count);
    }

    [Fact]
    public void A_string_field_meeting_a_schema_enum_fails_unless_allowed()
    {
        var schema = PolicyFixtures.Parse("{ type: object, properties: { name: { type: string, enum: [a, b] } } }");
        var strict = EntitySchemaComparer.Compare(typeof(TinyName), schema);
        var allowed = EntitySchemaComparer.Compare(typeof(TinyName), schema, stringEnums: new HashSet<string> { "name" });
        Assert.Equal(["name: C# enum values [none] differ from the schema's [a, b]"], strict);
        Assert.Empty(allowed);
    }

    private sealed class TinyName
    {
        [JsonPropertyName("name")] public string? Name { get; set; }
    }
}
