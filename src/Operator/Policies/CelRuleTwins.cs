using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Policies;

/// <summary>
/// A CEL rule of the CRD (x-kubernetes-validations) and its C# twin, which decides the same thing for the
/// same <c>self</c>. <see cref="Locations"/> are the schema paths that carry the rule ("[]" is any list item).
/// </summary>
/// <param name="Hint">What the C# side adds to the message where CEL cannot say it (a suggestion); null: nothing.</param>
internal sealed record CelRuleTwin(
    string[] Locations,
    string Rule,
    string Message,
    string? FieldPath,
    string? Reason,
    Func<JsonNode, bool> Holds,
    Func<JsonNode, string?>? Hint = null);

/// <summary>
/// Every CEL rule of config/crd/responsibilitypolicies.eks-hardening.io.yaml next to its C# twin: we cannot run
/// CEL here, so the scan CLI and the operator's InvalidSpec path run these. A test checks that the rule text,
/// message, fieldPath, reason and locations match the CRD exactly, both ways.
/// </summary>
internal static class CelRuleTwins
{
    public static readonly IReadOnlyList<CelRuleTwin> All =
    [
        new(["spec.match.namespaceSelector.matchExpressions[]", "spec.exemptions[].selector.matchExpressions[]", "spec.nodes.allowHopLimit2.matchExpressions[]"],
            "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0 : !(self.operator in ['Exists', 'DoesNotExist']) || !has(self.values) || size(self.values) == 0",
            "values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist",
            ".values", null,
            self => Str(self, "operator") is "In" or "NotIn"
                ? Has(self, "values") && Size(self, "values") > 0
                : !(Str(self, "operator") is "Exists" or "DoesNotExist") || !Has(self, "values") || Size(self, "values") == 0),

        new(["spec.imageScanning.maxScanAge", "spec.evaluationInterval", "spec.nodes.maxNodeAge", "spec.nodes.maxAmiAge"],
            "duration(self) > duration('0s')",
            "must be a positive duration such as 168h or 1h30m",
            null, null,
            self => DurationParser.TryParseNanoseconds(Str(self), out var nanoseconds) && nanoseconds > 0),

        new(["spec.cluster"],
            "has(self.name) || !((has(self.requireSecretsEncryption) && self.requireSecretsEncryption) || (has(self.requireKeyRotation) && self.requireKeyRotation) || (has(self.requiredLogTypes) && size(self.requiredLogTypes) > 0) || (has(self.disallowPublicEndpoint) && self.disallowPublicEndpoint) || (has(self.disallowOpenPublicCidrs) && self.disallowOpenPublicCidrs) || (has(self.requireSupportedVersion) && self.requireSupportedVersion) || (has(self.requireCurrentAddons) && self.requireCurrentAddons) || has(self.requireThreatDetection) || (has(self.requireAuditTrail) && self.requireAuditTrail) || (has(self.restrictClusterAdmins) && self.restrictClusterAdmins) || (has(self.disallowOpenSecurityGroups) && self.disallowOpenSecurityGroups))",
            "name is required when any cluster check (require*, disallow*, restrict*, requiredLogTypes) is on",
            ".name", "FieldValueRequired",
            self => Has(self, "name") || !(
                (Has(self, "requireSecretsEncryption") && IsTrue(self, "requireSecretsEncryption"))
                || (Has(self, "requireKeyRotation") && IsTrue(self, "requireKeyRotation"))
                || (Has(self, "requiredLogTypes") && Size(self, "requiredLogTypes") > 0)
                || (Has(self, "disallowPublicEndpoint") && IsTrue(self, "disallowPublicEndpoint"))
                || (Has(self, "disallowOpenPublicCidrs") && IsTrue(self, "disallowOpenPublicCidrs"))
                || (Has(self, "requireSupportedVersion") && IsTrue(self, "requireSupportedVersion"))
                || (Has(self, "requireCurrentAddons") && IsTrue(self, "requireCurrentAddons"))
                || Has(self, "requireThreatDetection")
                || (Has(self, "requireAuditTrail") && IsTrue(self, "requireAuditTrail"))
                || (Has(self, "restrictClusterAdmins") && IsTrue(self, "restrictClusterAdmins"))
                || (Has(self, "disallowOpenSecurityGroups") && IsTrue(self, "disallowOpenSecurityGroups")))),

        new(["spec.rbac.allowedSubjects[]"],
            "self.kind == 'ServiceAccount' ? has(self.__namespace__) : !has(self.__namespace__)",
            "namespace is required for a ServiceAccount and not allowed for a User or Group",
            ".namespace", null,
            self => Str(self, "kind") == "ServiceAccount" ? Has(self, "namespace") : !Has(self, "namespace")),

        // The catalog's ids, lowered as the engine matches exemption rules (case-insensitively); patterns are left to
        // SemanticChecks (a pattern must match some id: not decidable in CEL within the cost budget).
        new(["spec.exemptions[].rules[]"],
            ExemptionRuleIdsRule,
            "names no rule: an entry without '*' must be a rule ID of the catalog (the README's rules table lists them)",
            null, null,
            self => Str(self) is { } entry && (entry.Contains('*', StringComparison.Ordinal) || LoweredRuleIds().Contains(LowerAscii(entry), StringComparer.Ordinal)),
            self => Str(self) is { } entry ? $"\"{entry}\": did you mean {SemanticChecks.ClosestRuleId(entry)}?" : null),

        new(["spec.exemptions[]"],
            "has(self.rules) && size(self.rules) > 0",
            "an exemption must name at least one rule",
            ".rules", "FieldValueRequired",
            self => Has(self, "rules") && Size(self, "rules") > 0),

        new(["spec.exemptions[]"],
            "has(self.reason) && self.reason.trim() != ''",
            "an exemption must give a reason",
            ".reason", "FieldValueRequired",
            self => Has(self, "reason") && (Str(self, "reason") ?? "").Trim() != ""),
    ];

    /// <summary>
    /// The CEL rule on each exemption rule entry, generated from <see cref="RuleCatalog"/>: an entry without '*' is one of
    /// the catalog's ids. Its cost stays small: a list of the catalog's size, entries at most 128 characters, at most
    /// 64 entries in each of at most 256 exemptions.
    /// </summary>
    public static string ExemptionRuleIdsRule =>
        "self.contains('*') || self.lowerAscii() in [" + string.Join(", ", LoweredRuleIds().Select(id => $"'{id}'")) + "]";

    /// <summary>The catalog's ids as CEL's lowerAscii() gives them (some have capitals: pss.windowsHostProcess).</summary>
    private static IEnumerable<string> LoweredRuleIds() => RuleCatalog.All.Select(r => LowerAscii(r.Id));

    private static readonly Dictionary<string, CelRuleTwin> ByRule = All.ToDictionary(t => t.Rule, StringComparer.Ordinal);

    public static CelRuleTwin? Find(string rule) => ByRule.GetValueOrDefault(rule);

    // CEL's view of self: has() is "present and not null"; a wrongly typed field reads as absent or false
    // (the schema check reports the type).
    private static bool Has(JsonNode self, string field) => self is JsonObject obj && obj[field] is not null;

    private static bool IsTrue(JsonNode self, string field) =>
        self is JsonObject obj && obj[field] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private static int Size(JsonNode self, string field) =>
        self is JsonObject obj && obj[field] is JsonArray array ? array.Count : 0;

    private static string? Str(JsonNode self, string field) => self is JsonObject obj && obj[field] is { } child ? Str(child) : null;

    /// <summary>CEL's lowerAscii(): only A-Z change.</summary>
    private static string LowerAscii(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++) span[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + 32) : source[i];
    });

    private static string? Str(JsonNode self) =>
        self is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
