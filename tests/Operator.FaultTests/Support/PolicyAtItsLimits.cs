namespace EksHardening.Operator.FaultTests.Support;

/// <summary>
/// A ResponsibilityPolicy at the CRD's limits, the limits read from the CRD itself: every list at its maxItems,
/// every string at its maxLength, every number at its maximum, every switch on. Exemptions are 256 at their longest
/// name and reason; the first one also has every nested list at its limit (all 256 that way would be a 50 MB object,
/// far past what the API server stores).
/// </summary>
internal static class PolicyAtItsLimits
{
    private static readonly JsonObject Spec = (JsonObject)ResponsibilityPolicyCrd.Definition()["spec"]!["versions"]!.AsArray()
        .Single(v => (string?)v!["name"] == ResponsibilityPolicy.Version)!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!;

    /// <summary>Labels a namespace needs to be selected by <see cref="Build"/>'s matchLabels.</summary>
    public static Dictionary<string, string> SelectorLabels()
    {
        var labels = new Dictionary<string, string>();
        for (var i = 0; i < Number(Schema("match.namespaceSelector.matchLabels")["maxProperties"]); i++) labels[$"limit-{i:00}"] = Fill($"v{i:00}", MaxLength("match.namespaceSelector.matchLabels.*"));
        return labels;
    }

    public static JsonObject Build(string name)
    {
        var expressions = new JsonArray(new JsonObject
        {
            ["key"] = "env", ["operator"] = "In",
            ["values"] = new JsonArray([(JsonNode)"prod", .. Enumerable.Range(1, MaxItems("match.namespaceSelector.matchExpressions[].values") - 1)
                .Select(i => (JsonNode)Fill($"x{i:00}", MaxLength("match.namespaceSelector.matchExpressions[].values[]")))]),
        });
        for (var i = 1; i < MaxItems("match.namespaceSelector.matchExpressions"); i++)
        {
            expressions.Add(new JsonObject { ["key"] = LabelKey($"absent-{i:00}-", MaxLength("match.namespaceSelector.matchExpressions[].key")), ["operator"] = "DoesNotExist" });
        }

        var exemptions = new JsonArray();
        for (var i = 0; i < MaxItems("exemptions"); i++)
        {
            var exemption = new JsonObject
            {
                ["name"] = Fill($"exemption-{i:000}-", MaxLength("exemptions[].name")),
                ["namespaces"] = i == 0 ? Labels("exemptions[].namespaces", "ns") : new JsonArray("prod-a"),
                ["rules"] = i == 0
                    // Patterns at the length limit that each match a rule (every rule id is checked against the catalog).
                    ? Strings("exemptions[].rules", n => Fill("pss.*" + new string('*', n) + "e", MaxLength("exemptions[].rules[]"), '*'))
                    : new JsonArray("image.tag-not-latest"),
                ["reason"] = Fill($"reason {i}: ", MaxLength("exemptions[].reason"), 'r'),
                ["expires"] = "2099-12-31T00:00:00Z",
            };
            if (i == 0)
            {
                exemption["selector"] = new JsonObject
                {
                    ["matchLabels"] = new JsonObject(Enumerable.Range(0, Number(Schema("exemptions[].selector.matchLabels")["maxProperties"]))
                        .Select(n => KeyValuePair.Create($"app-{n:00}", (JsonNode?)Fill("a", MaxLength("exemptions[].selector.matchLabels.*"))))),
                    ["matchExpressions"] = new JsonArray([.. Enumerable.Range(0, MaxItems("exemptions[].selector.matchExpressions")).Select(n => (JsonNode)new JsonObject
                    {
                        ["key"] = LabelKey($"k{n:00}-", MaxLength("exemptions[].selector.matchExpressions[].key")),
                        ["operator"] = "NotIn",
                        ["values"] = Strings("exemptions[].selector.matchExpressions[].values", v => Fill($"v{v:00}", MaxLength("exemptions[].selector.matchExpressions[].values[]"))),
                    })]),
                };
                exemption["images"] = Strings("exemptions[].images", n => Fill($"vendor{n:00}.example.com/", MaxLength("exemptions[].images[]")));
            }

            exemptions.Add(exemption);
        }

        var spec = new JsonObject
        {
            ["mode"] = "Warn",
            ["match"] = new JsonObject
            {
                ["namespaceSelector"] = new JsonObject
                {
                    ["matchLabels"] = new JsonObject(SelectorLabels().Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
                    ["matchExpressions"] = expressions,
                },
                ["excludeNamespaces"] = Labels("match.excludeNamespaces", "excluded"),
                ["kinds"] = new JsonArray("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"),
            },
            ["imageScanning"] = new JsonObject
            {
                ["allowedRegistries"] = Strings("imageScanning.allowedRegistries", n => n == 0 ? "*.dkr.ecr.*.amazonaws.com" : Fill($"registry{n:000}.example.com/", MaxLength("imageScanning.allowedRegistries[]"))),
                ["disallowLatestTag"] = true,
                ["requireDigest"] = true,
                ["requireScanOnPush"] = true,
                ["maxScanAge"] = Fill("", MaxLength("imageScanning.maxScanAge") - 4, '0') + "168h",
                ["vulnerabilityThresholds"] = new JsonObject(new[] { "critical", "high", "medium", "low" }
                    .Select(s => KeyValuePair.Create(s, (JsonNode?)Number(Schema($"imageScanning.vulnerabilityThresholds.{s}")["maximum"])))),
                ["ignoreFindings"] = Strings("imageScanning.ignoreFindings", n => Fill($"CVE-2024-{n:00000}-", MaxLength("imageScanning.ignoreFindings[]"))),
            },
            ["networkPolicies"] = new JsonObject
            {
                ["requireDefaultDeny"] = new JsonArray("Ingress", "Egress"),
                ["requirePodCoverage"] = true, ["blockInstanceMetadata"] = true, ["remediate"] = true,
            },
            ["irsa"] = new JsonObject
            {
                ["disallowDefaultServiceAccount"] = true, ["requireAutomountDisabledWithoutRole"] = true, ["disallowSharedRoles"] = true,
                ["requireScopedTrustPolicy"] = true, ["disallowWildcardActions"] = true, ["disallowPrivilegeEscalation"] = true,
                ["deniedManagedPolicies"] = Strings("irsa.deniedManagedPolicies", n => Fill($"arn:aws:iam::aws:policy/Denied{n:00}", MaxLength("irsa.deniedManagedPolicies[]"))),
            },
            ["podSecurity"] = new JsonObject
            {
                ["level"] = "restricted", ["requireResourceLimits"] = true, ["requireReadOnlyRootFilesystem"] = true, ["requireNamespaceLabel"] = true,
            },
            ["cluster"] = new JsonObject
            {
                ["name"] = Fill("cluster-", MaxLength("cluster.name")),
                ["region"] = Fill("abcd-", MaxLength("cluster.region") - 3) + "-12",
                ["requireSecretsEncryption"] = true, ["requireKeyRotation"] = true,
                ["requiredLogTypes"] = new JsonArray("api", "audit", "authenticator", "controllerManager", "scheduler"),
                ["disallowPublicEndpoint"] = true, ["disallowOpenPublicCidrs"] = true,
            },
            ["exemptions"] = exemptions,
            ["admission"] = new JsonObject { ["unknownImages"] = "Deny" },
            ["dryRun"] = true,
            ["evaluationInterval"] = Fill("", MaxLength("evaluationInterval") - 3, '0') + "10m",
        };
        return new JsonObject
        {
            ["apiVersion"] = ResponsibilityPolicy.ApiVersionName,
            ["kind"] = ResponsibilityPolicy.KindName,
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = spec,
        };
    }

    /// <summary>The schema at a dotted path; <c>[]</c> steps into a list's items, <c>.*</c> into a map's values.</summary>
    private static JsonObject Schema(string path)
    {
        JsonObject node = Spec;
        foreach (var segment in path.Split('.'))
        {
            if (segment == "*")
            {
                node = (JsonObject)node["additionalProperties"]!;
                continue;
            }

            var name = segment.TrimEnd('[', ']');
            node = (JsonObject)node["properties"]![name]!;
            for (var depth = 0; depth < (segment.Length - name.Length) / 2; depth++) node = (JsonObject)node["items"]!;
        }

        return node;
    }

    private static int MaxItems(string path) => Number(Schema(path)["maxItems"]);

    private static int MaxLength(string path) => Number(Schema(path)["maxLength"]);

    /// <summary>Schema numbers come from YAML as whatever integer type fits.</summary>
    private static int Number(JsonNode? value) => (int)value!.GetValue<long>();

    /// <summary>A label key of <paramref name="length"/> characters: a DNS subdomain prefix, '/', and a name of at most 63.</summary>
    private static string LabelKey(string name, int length)
    {
        var prefixLength = length - 64;
        var prefix = string.Join('.', Enumerable.Range(0, (prefixLength + 63) / 64).Select(i => new string((char)('a' + i), 63)))[..prefixLength].TrimEnd('.');
        prefix = Fill(prefix, prefixLength, 'z');
        return $"{prefix}/{Fill(name, 63)}";
    }

    private static string Fill(string prefix, int length, char pad = 'a') => prefix.Length >= length ? prefix[..length] : prefix + new string(pad, length - prefix.Length);

    private static JsonArray Strings(string path, Func<int, string> item) => new([.. Enumerable.Range(0, MaxItems(path)).Select(n => (JsonNode)item(n))]);

    /// <summary>DNS labels at the list's maxItems and the items' maxLength.</summary>
    private static JsonArray Labels(string path, string prefix) =>
        Strings(path, n => Fill($"{prefix}-{n.ToString("000", CultureInfo.InvariantCulture)}-", MaxLength(path + "[]")));
}
