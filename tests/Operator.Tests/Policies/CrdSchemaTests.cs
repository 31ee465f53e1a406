namespace EksHardening.Operator.Tests.Policies;

/// <summary>The CRD in config/crd: names, structural-schema hygiene, descriptions, bounds, printer columns, CEL twins.</summary>
public partial class CrdSchemaTests
{
    private static readonly JsonObject Definition = ResponsibilityPolicyCrd.Definition();
    private static readonly JsonObject Version = Definition["spec"]!["versions"]![0]!.AsObject();
    private static readonly JsonObject Schema = Version["schema"]!["openAPIV3Schema"]!.AsObject();

    /// <summary>Every schema node with its path: properties by name, list items as "[]", map values as "{}".</summary>
    private static IEnumerable<(string Path, JsonObject Node)> Nodes(JsonObject node, string path = "")
    {
        yield return (path, node);
        if (node["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                foreach (var n in Nodes(child!.AsObject(), path.Length == 0 ? name : $"{path}.{name}")) yield return n;
            }
        }

        if (node["items"] is JsonObject items)
        {
            foreach (var n in Nodes(items, path + "[]")) yield return n;
        }

        if (node["additionalProperties"] is JsonObject values)
        {
            foreach (var n in Nodes(values, path + "{}")) yield return n;
        }
    }

    private static bool IsField(string path) => path.Length > 0 && !path.EndsWith("[]", StringComparison.Ordinal) && !path.EndsWith("{}", StringComparison.Ordinal);

    [Fact]
    public void The_file_on_disk_is_the_embedded_one()
    {
        var file = RepositoryPaths.Of("config", "crd", "responsibilitypolicies.eks-hardening.io.yaml");
        Assert.Equal(File.ReadAllText(file), ResponsibilityPolicyCrd.Yaml);
    }

    [Fact]
    public void Names_scope_and_version_follow_the_design()
    {
        var spec = Definition["spec"]!;
        Assert.Equal("apiextensions.k8s.io/v1", (string?)Definition["apiVersion"]);
        Assert.Equal($"{ResponsibilityPolicy.Plural}.{ResponsibilityPolicy.Group}", (string?)Definition["metadata"]!["name"]);
        Assert.Equal(ResponsibilityPolicy.Group, (string?)spec["group"]);
        Assert.Equal("Cluster", (string?)spec["scope"]);
        Assert.Equal(ResponsibilityPolicy.KindName, (string?)spec["names"]!["kind"]);
        Assert.Equal(ResponsibilityPolicy.Plural, (string?)spec["names"]!["plural"]);
        Assert.Equal("responsibilitypolicy", (string?)spec["names"]!["singular"]);
        Assert.Equal(["rpol"], spec["names"]!["shortNames"]!.AsArray().Select(n => (string?)n));
        Assert.Contains("eks-hardening", spec["names"]!["categories"]!.AsArray().Select(n => (string?)n));
        Assert.Single(spec["versions"]!.AsArray());
        Assert.Equal(ResponsibilityPolicy.Version, (string?)Version["name"]);
        Assert.True((bool)Version["served"]!);
        Assert.True((bool)Version["storage"]!);
        Assert.NotNull(Version["subresources"]!["status"]);
    }

    [Fact]
    public void It_reads_as_a_CustomResourceDefinition_without_losing_a_field()
    {
        // A misspelled keyword (maxitems, x-kubernetes-list-typ) is dropped by the typed model and shows up here.
        var json = Definition.ToJsonString();
        var typed = KubernetesJson.Deserialize<V1CustomResourceDefinition>(json);
        var roundTrip = JsonNode.Parse(KubernetesJson.Serialize(typed))!;
        var differences = new List<string>();
        CompareJson(Definition, roundTrip, "", differences);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    [Fact]
    public void Every_field_has_a_description()
    {
        var missing = Nodes(Schema)
            .Where(n => (IsField(n.Path) || n.Path.Length == 0 || (string?)n.Node["type"] == "object")
                        && string.IsNullOrWhiteSpace((string?)n.Node["description"]))
            .Select(n => n.Path.Length == 0 ? "(root)" : n.Path)
            .ToList();
        Assert.True(missing.Count == 0, "fields without a description: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_schema_is_structural()
    {
        var problems = new List<string>();
        foreach (var (path, node) in Nodes(Schema))
        {
            var typeless = node["x-kubernetes-int-or-string"] is not null || node["x-kubernetes-preserve-unknown-fields"] is not null;
            if (node["type"] is null && !typeless) problems.Add($"{path}: no type");
            if (node["properties"] is not null && node["additionalProperties"] is not null) problems.Add($"{path}: properties and additionalProperties");
            if (node["nullable"] is not null) problems.Add($"{path}: nullable (noise in GitOps diffs)");
            if ((string?)node["x-kubernetes-list-type"] is "set" && (string?)node["items"]!["type"] is "object" or "array")
                problems.Add($"{path}: a set of non-scalars");
            if ((string?)node["x-kubernetes-list-type"] is "map")
            {
                var items = node["items"]!.AsObject();
                var required = items["required"]?.AsArray().Select(r => (string?)r).ToList() ?? [];
                foreach (var key in node["x-kubernetes-list-map-keys"]!.AsArray().Select(k => (string)k!))
                {
                    if (!required.Contains(key) && items["properties"]![key]!["default"] is null) problems.Add($"{path}: map key {key} is neither required nor defaulted");
                }
            }

            foreach (var required in node["required"]?.AsArray().Select(r => (string)r!) ?? [])
            {
                if (node["properties"]?[required] is null) problems.Add($"{path}: required {required} is not a property");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>An enum, not a CEL rule, so that `kubectl explain rpol.spec.match.kinds` lists the kinds.</summary>
    [Fact]
    public void Match_kinds_is_an_enum_of_every_kind_the_engine_evaluates()
    {
        var items = Nodes(Schema).Single(n => n.Path == "spec.match.kinds[]").Node;
        Assert.Equal(WorkloadView.SupportedKinds, items["enum"]!.AsArray().Select(k => (string?)k));
        Assert.Null(items["x-kubernetes-validations"]);
    }

    [Fact]
    public void Every_spec_and_status_string_list_and_map_is_bounded()
    {
        // maxLength/maxItems keep CEL cost estimates within the API server's budget and objects within etcd's.
        var unbounded = Nodes(Schema)
            .Where(n => n.Path.StartsWith("spec", StringComparison.Ordinal) || n.Path.StartsWith("status", StringComparison.Ordinal))
            .Where(n => (string?)n.Node["type"] switch
            {
                "string" => n.Node["maxLength"] is null && n.Node["enum"] is null && n.Node["format"] is null,
                "array" => n.Node["maxItems"] is null,
                "object" => n.Node["additionalProperties"] is not null && n.Node["maxProperties"] is null,
                _ => false,
            })
            .Select(n => n.Path)
            .ToList();
        Assert.True(unbounded.Count == 0, "unbounded: " + string.Join(", ", unbounded));
    }

    [Fact]
    public void Defaults_are_valid_for_their_own_schema()
    {
        var defaults = Nodes(Schema).Where(n => n.Node["default"] is not null).ToList();
        Assert.Equal(["spec.mode", "spec.podSecurity.level", "spec.podSecurity.version", "spec.admission.unknownImages", "spec.dryRun", "spec.evaluationInterval"],
            defaults.Select(d => d.Path));
        foreach (var (path, node) in defaults)
        {
            var validator = new SchemaValidator(checkStructure: true);
            validator.Validate(node, node["default"]!.DeepClone(), path);
            Assert.Empty(validator.Problems);
        }
    }

    [Fact]
    public void Patterns_use_only_syntax_that_RE2_and_dotnet_read_alike()
    {
        var patterns = Nodes(Schema).Where(n => n.Node["pattern"] is not null).Select(n => (n.Path, Pattern: (string)n.Node["pattern"]!)).ToList();
        Assert.NotEmpty(patterns);
        foreach (var (path, pattern) in patterns)
        {
            Assert.True(pattern.StartsWith('^') && pattern.EndsWith('$'), $"{path}: anchor the pattern");
            Assert.DoesNotMatch(@"\(\?[=!<]|\\[1-9dDwWbB]|\(\?<", pattern); // no lookaround, backreferences or Unicode-sensitive classes
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
    }

    [Theory]
    [InlineData("spec.imageScanning.maxScanAge", "168h", true)]
    [InlineData("spec.imageScanning.maxScanAge", "1h30m", true)]
    [InlineData("spec.imageScanning.maxScanAge", "1.5h", true)]
    [InlineData("spec.imageScanning.maxScanAge", "500ms", true)]
    [InlineData("spec.imageScanning.maxScanAge", "7d", false)]
    [InlineData("spec.imageScanning.maxScanAge", "1 h", false)]
    [InlineData("spec.imageScanning.maxScanAge", "10m\n", false)]
    [InlineData("spec.nodes.maxNodeAge", "720h", true)]
    [InlineData("spec.nodes.maxNodeAge", "30d", false)]
    [InlineData("spec.cluster.region", "eu-west-1", true)]
    [InlineData("spec.cluster.region", "us-gov-west-1", true)]
    [InlineData("spec.cluster.region", "eusc-de-east-1", true)]
    [InlineData("spec.cluster.region", "EU-WEST-1", false)]
    [InlineData("spec.cluster.region", "eu-west", false)]
    [InlineData("spec.cluster.name", "prod-cluster_2", true)]
    [InlineData("spec.cluster.name", "-prod", false)]
    [InlineData("spec.match.excludeNamespaces[]", "kube-system", true)]
    [InlineData("spec.match.excludeNamespaces[]", "Kube-System", false)]
    [InlineData("spec.match.excludeNamespaces[]", "kube-", false)]
    [InlineData("spec.exemptions[].rules[]", "pss.*", true)]
    [InlineData("spec.exemptions[].rules[]", "pss.hostNamespaces", true)]
    [InlineData("spec.exemptions[].rules[]", "image.tag-not-latest", true)]
    [InlineData("spec.exemptions[].rules[]", "*", true)]
    [InlineData("spec.exemptions[].rules[]", "cluster*", true)]
    [InlineData("spec.exemptions[].rules[]", "encryption.volumes", true)]
    [InlineData("spec.exemptions[].rules[]", "node.*", true)]
    [InlineData("spec.exemptions[].rules[]", "rbac.cluster-admin-bound", true)]
    [InlineData("spec.exemptions[].rules[]", "rbac*", true)]
    [InlineData("spec.exemptions[].rules[]", "nodes.max-age", false)]
    [InlineData("spec.exemptions[].rules[]", "pss", false)]
    [InlineData("spec.exemptions[].rules[]", "images.tag-not-latest", false)]
    [InlineData("spec.exemptions[].rules[]", "pss. privileged", false)]
    [InlineData("spec.imageScanning.allowedRegistries[]", "*.dkr.ecr.*.amazonaws.com", true)]
    [InlineData("spec.imageScanning.allowedRegistries[]", "public.ecr.aws/eks-distro/**", true)]
    [InlineData("spec.imageScanning.allowedRegistries[]", "registry example", false)]
    [InlineData("spec.irsa.deniedManagedPolicies[]", "arn:aws:iam::aws:policy/AdministratorAccess", true)]
    [InlineData("status.conditions[].reason", "InvalidSpec", true)]
    [InlineData("status.conditions[].reason", "Invalid Spec", false)]
    public void Patterns_accept_and_reject_as_documented(string path, string value, bool valid)
    {
        var pattern = (string)Nodes(Schema).Single(n => n.Path == path).Node["pattern"]!;
        Assert.Equal(valid, SchemaPatterns.IsMatch(pattern, value));
    }

    [Fact]
    public void Printer_columns_follow_the_design_and_their_paths_exist()
    {
        var columns = Version["additionalPrinterColumns"]!.AsArray().Select(c => c!.AsObject()).ToList();
        var defaultColumns = columns.Where(c => (long?)c["priority"] is null or 0).Select(c => ((string)c["name"]!).ToUpperInvariant());
        Assert.Equal(["MODE", "RESOURCES", "VIOLATING", "COMPLIANT", "LAST EVALUATED", "AGE"], defaultColumns);

        foreach (var column in columns)
        {
            var jsonPath = (string)column["jsonPath"]!;
            var (schemaType, format) = ResolveColumn(jsonPath);
            var expected = (string)column["type"]! switch
            {
                "date" => ("string", "date-time"),
                "integer" => ("integer", (string?)null),
                var other => (other, (string?)null),
            };
            Assert.True(expected.Item1 == schemaType && (expected.Item2 is null || expected.Item2 == format),
                $"column {column["name"]}: {jsonPath} is {schemaType}/{format}, column type {column["type"]}");
        }
    }

    [Fact]
    public void The_column_resolver_rejects_paths_that_do_not_exist()
    {
        Assert.Throws<KeyNotFoundException>(() => ResolveColumn(".status.summary.violatingx"));
        Assert.Throws<KeyNotFoundException>(() => ResolveColumn(".status.conditions[?(@.kind==\"Compliant\")].status"));
        Assert.Throws<KeyNotFoundException>(() => ResolveColumn(".metadata.createdAt"));
    }

    /// <summary>The schema type and format a printer column's JSONPath reads; metadata resolves through ObjectMeta.</summary>
    private static (string? Type, string? Format) ResolveColumn(string jsonPath)
    {
        var segments = Regex.Matches(jsonPath, @"\.(?<field>[A-Za-z0-9_]+)|\[\?\(@\.(?<filter>[A-Za-z0-9_]+)==""[^""]*""\)\]");
        var node = Schema;
        var first = true;
        foreach (Match segment in segments)
        {
            if (segment.Groups["filter"].Success)
            {
                if ((string?)node["type"] != "array") throw new KeyNotFoundException($"{jsonPath}: filter on a non-list");
                node = node["items"]!.AsObject();
                if (node["properties"]?[segment.Groups["filter"].Value] is null) throw new KeyNotFoundException($"{jsonPath}: no {segment.Groups["filter"].Value} to filter on");
                continue;
            }

            var field = segment.Groups["field"].Value;
            if (first && field == "metadata")
            {
                var rest = jsonPath[(segment.Index + segment.Length)..].TrimStart('.');
                var property = typeof(V1ObjectMeta).GetProperties()
                                   .SingleOrDefault(p => p.GetCustomAttributes(typeof(JsonPropertyNameAttribute), false)
                                       .OfType<JsonPropertyNameAttribute>().Any(a => a.Name == rest))
                               ?? throw new KeyNotFoundException($"{jsonPath}: ObjectMeta has no {rest}");
                return (Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType) == typeof(DateTime) ? ("string", "date-time") : ("string", null);
            }

            first = false;
            node = node["properties"]?[field]?.AsObject() ?? throw new KeyNotFoundException($"{jsonPath}: no field {field}");
        }

        return ((string?)node["type"], (string?)node["format"]);
    }

    /// <summary>
    /// The exemption rule entries' CEL rule lists the catalog's ids (generated, in both copies of the CRD on disk); a rule
    /// added to or renamed in the catalog changes it. UPDATE_CRD_RULE_IDS=1 rewrites it.
    /// </summary>
    [Fact]
    public void Exemption_rule_ids_in_the_crd_are_the_catalogs()
    {
        const string regenerate = "UPDATE_CRD_RULE_IDS=1 dotnet test tests/Operator.Tests --filter Exemption_rule_ids_in_the_crd, then rebuild and "
                                  + "UPDATE_INSTALL_YAML=1 dotnet test tests/Operator.Tests --filter Install_yaml";
        var expected = CelRuleTwins.ExemptionRuleIdsRule;
        foreach (var file in new[] { RepositoryPaths.Of("config", "crd", "responsibilitypolicies.eks-hardening.io.yaml"),
                     RepositoryPaths.Of("deploy", "helm", "eks-hardening", "crds", "responsibilitypolicies.eks-hardening.io.yaml") })
        {
            var text = File.ReadAllText(file);
            if (Environment.GetEnvironmentVariable("UPDATE_CRD_RULE_IDS") == "1")
            {
                text = GeneratedRuleIdsLine().Replace(text, m => $"{m.Groups["indent"].Value}\"{expected}\"");
                File.WriteAllText(file, text);
            }

            var definition = YamlToJson.Parse(text, file).Single().Root!;
            var schema = definition["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
            var rules = Nodes(schema).Single(n => n.Path == "spec.exemptions[].rules[]").Node["x-kubernetes-validations"]!.AsArray();
            Assert.True(rules.Any(r => (string?)r!["rule"] == expected),
                $"{Path.GetRelativePath(RepositoryPaths.Root, file)}: the exemption rule ids differ from the rule catalog; run `{regenerate}`");
        }
    }

    [GeneratedRegex(@"(?<indent>^\s*- rule: )""self\.contains\('\*'\) \|\| self\.lowerAscii\(\) in \[[^\]]*\]""$", RegexOptions.Multiline)]
    private static partial Regex GeneratedRuleIdsLine();

    [Fact]
    public void Every_CEL_rule_has_its_CSharp_twin_and_every_twin_its_rule()
    {
        var inCrd = Nodes(Schema)
            .SelectMany(n => (n.Node["x-kubernetes-validations"]?.AsArray() ?? []).Select(r => Site(n.Path, r!.AsObject())))
            .Order(StringComparer.Ordinal)
            .ToList();
        var inCSharp = CelRuleTwins.All
            .SelectMany(t => t.Locations.Select(l => $"{l} | {t.Rule} | {t.Message} | {t.FieldPath} | {t.Reason}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(inCSharp, inCrd);
        Assert.Equal(7, CelRuleTwins.All.Count);
        Assert.Equal(12, inCrd.Count);

        static string Site(string path, JsonObject rule) =>
            $"{path} | {rule["rule"]} | {rule["message"]} | {rule["fieldPath"]} | {rule["reason"]}";
    }

    [Fact]
    public void CEL_fieldPaths_name_existing_fields()
    {
        foreach (var (path, node) in Nodes(Schema))
        {
            foreach (var rule in node["x-kubernetes-validations"]?.AsArray() ?? [])
            {
                if ((string?)rule!["fieldPath"] is { } fieldPath)
                    Assert.True(node["properties"]?[fieldPath.TrimStart('.')] is not null, $"{path}: fieldPath {fieldPath} is not a field");
            }
        }
    }

    private static void CompareJson(JsonNode? expected, JsonNode? actual, string path, List<string> differences)
    {
        switch (expected)
        {
            case JsonObject obj:
                if (actual is not JsonObject other)
                {
                    differences.Add($"{path}: object became {actual?.ToJsonString() ?? "nothing"}");
                    return;
                }

                foreach (var (key, value) in obj) CompareJson(value, other[key], $"{path}.{key}", differences);
                break;
            case JsonArray array:
                if (actual is not JsonArray otherArray || otherArray.Count != array.Count)
                {
                    differences.Add($"{path}: list became {actual?.ToJsonString() ?? "nothing"}");
                    return;
                }

                for (var i = 0; i < array.Count; i++) CompareJson(array[i], otherArray[i], $"{path}[{i}]", differences);
                break;
            default:
                if (expected?.ToJsonString() != actual?.ToJsonString())
                    differences.Add($"{path}: {expected?.ToJsonString()} became {actual?.ToJsonString() ?? "nothing"}");
                break;
        }
    }

}
