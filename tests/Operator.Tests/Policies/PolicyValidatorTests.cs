namespace EksHardening.Operator.Tests.Policies;

public class PolicyValidatorTests
{
    private static IReadOnlyList<SpecProblem> WithSpec(Action<JsonObject> edit) => PolicyValidator.Validate(PolicyFixtures.Example(p => edit(p.Spec())));

    private static string Only(IReadOnlyList<SpecProblem> problems) => Assert.Single(problems).ToString();

    [Fact]
    public void The_design_example_is_valid()
    {
        Assert.Empty(PolicyValidator.Validate(PolicyFixtures.Example()));
    }

    [Fact]
    public void A_minimal_policy_is_valid()
    {
        Assert.Empty(PolicyValidator.Validate(PolicyFixtures.Parse("""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: { name: minimal }
            spec: {}
            """)));
    }

    [Fact]
    public void The_design_example_is_valid_typed()
    {
        var policy = PolicyFixtures.Example().Deserialize<ResponsibilityPolicy>()!;
        Assert.Equal(PodSecurityLevel.Restricted, policy.Spec.PodSecurity!.Level);
        Assert.Empty(PolicyValidator.ValidateSemantics(policy));
        Assert.Empty(PolicyValidator.ValidateSemantics(new ResponsibilityPolicy()));
    }

    [Fact]
    public void A_bad_enum_names_the_field_and_the_allowed_values()
    {
        Assert.Equal("spec.mode: \"Foo\" is not one of Audit, Warn, Enforce", Only(WithSpec(s => s["mode"] = "Foo")));
        Assert.Equal("spec.podSecurity.level: \"Restricted\" is not one of baseline, restricted",
            Only(WithSpec(s => s["podSecurity"]!["level"] = "Restricted")));
        Assert.Equal("spec.cluster.requiredLogTypes[1]: \"controllermanager\" is not one of api, audit, authenticator, controllerManager, scheduler",
            Only(WithSpec(s => s["cluster"]!["requiredLogTypes"] = new JsonArray("api", "controllermanager"))));
        Assert.Equal("spec.networkPolicies.requireDefaultDeny[0]: \"ingress\" is not one of Ingress, Egress",
            Only(WithSpec(s => s["networkPolicies"]!["requireDefaultDeny"] = new JsonArray("ingress"))));
    }

    [Fact]
    public void An_exemption_rule_that_names_no_rule_is_an_error_with_the_closest_id()
    {
        const string noRule = "names no rule: an entry without '*' must be a rule ID of the catalog (the README's rules table lists them)";
        Assert.Equal($"spec.exemptions[0].rules[1]: {noRule}; \"image.tag-not-latset\": did you mean image.tag-not-latest?",
            Only(WithSpec(s => s["exemptions"]![0]!["rules"] = new JsonArray("pss.*", "image.tag-not-latset", "node.max-age", "cluster.*"))));
        Assert.Equal($"spec.exemptions[0].rules[0]: {noRule}; \"network.imds-block\": did you mean network.imds-blocked?",
            Only(WithSpec(s => s["exemptions"]![0]!["rules"] = new JsonArray("network.imds-block"))));
        // The typed path (status of a policy the API server admitted) reports it too.
        var policy = TestEvaluation.Policy("exemptions: [{name: x, rules: [rbac.cluster-admin-bond], reason: typo}]");
        Assert.Contains(PolicyValidator.ValidateSemantics(policy), p => p.Path == "spec.exemptions[0].rules[0]");
    }

    /// <summary>The engine matches exemption rules case-insensitively; so does the CRD's rule (lowerAscii on both sides).</summary>
    [Theory]
    [InlineData("pss.windowsHostProcess")]
    [InlineData("pss.windowshostprocess")]
    [InlineData("image.Tag-Not-Latest")]
    [InlineData("image.*")]
    [InlineData("*")]
    public void An_exemption_rule_naming_a_rule_in_any_case_or_a_matching_pattern_is_valid(string entry) =>
        Assert.Empty(WithSpec(s => s["exemptions"]![0]!["rules"] = new JsonArray(entry)));

    [Fact]
    public void An_exemption_pattern_that_matches_no_rule_is_an_error_with_the_closest_id()
    {
        Assert.Equal("spec.exemptions[0].rules[0]: \"image.tag-*-latset\" matches no rule (did you mean image.tag-not-latest? the README's rules table lists them all)",
            Only(WithSpec(s => s["exemptions"]![0]!["rules"] = new JsonArray("image.tag-*-latset"))));
    }

    [Fact]
    public void An_unknown_field_is_an_error()
    {
        Assert.Equal("spec.podSecurity.lvl: unknown field", Only(WithSpec(s => s["podSecurity"]!["lvl"] = "restricted")));
        Assert.Equal("spec.imageScaning: unknown field", Only(WithSpec(s => s["imageScaning"] = new JsonObject())));
        Assert.Equal("spec.exemptions[0].expiry: unknown field", Only(WithSpec(s => s["exemptions"]![0]!["expiry"] = "2027-01-01T00:00:00Z")));
        Assert.Equal("metadata.nmae: unknown field", Only(PolicyValidator.Validate(PolicyFixtures.Example(p => p["metadata"]!["nmae"] = "x"))));
        Assert.Equal("extra: unknown field", Only(PolicyValidator.Validate(PolicyFixtures.Example(p => p["extra"] = 1))));
    }

    [Fact]
    public void A_wrong_type_names_what_was_found()
    {
        Assert.Equal("spec.imageScanning.disallowLatestTag: must be a boolean, got string \"yes\"",
            Only(WithSpec(s => s["imageScanning"]!["disallowLatestTag"] = "yes")));
        Assert.Equal("spec.imageScanning.vulnerabilityThresholds.high: must be an integer, got number 1.5",
            Only(WithSpec(s => s["imageScanning"]!["vulnerabilityThresholds"]!["high"] = 1.5)));
        Assert.Equal("spec.match.excludeNamespaces: must be a list, got string \"kube-system\"",
            Only(WithSpec(s => s["match"]!["excludeNamespaces"] = "kube-system")));
        Assert.Equal("spec.cluster: must be an object, got boolean true", Only(WithSpec(s => s["cluster"] = true)));
        Assert.Equal("spec.irsa.disallowPrivilegeEscalation: must be a boolean, got string \"true\"",
            Only(WithSpec(s => s["irsa"]!["disallowPrivilegeEscalation"] = "true")));
    }

    [Fact]
    public void Yaml_booleans_and_whole_numbers_are_read_as_Kubernetes_reads_them()
    {
        var policy = PolicyFixtures.Parse("""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: { name: yaml-scalars }
            spec:
              imageScanning: { disallowLatestTag: yes, vulnerabilityThresholds: { critical: 2.0 } }
            """);
        Assert.Empty(PolicyValidator.Validate(policy));
    }

    [Fact]
    public void A_pattern_mismatch_shows_the_value_and_the_pattern()
    {
        var problem = Assert.Single(WithSpec(s => s["imageScanning"]!["maxScanAge"] = "7d"));
        Assert.Equal("spec.imageScanning.maxScanAge", problem.Path);
        Assert.Equal("\"7d\" does not match ^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", problem.Message);

        Assert.Equal("spec.cluster.region", Assert.Single(WithSpec(s => s["cluster"]!["region"] = "Ireland")).Path);
        Assert.Equal("spec.match.excludeNamespaces[0]", Assert.Single(WithSpec(s => s["match"]!["excludeNamespaces"] = new JsonArray("Kube_System"))).Path);
        Assert.Equal("spec.exemptions[0].rules[1]", Assert.Single(WithSpec(s => s["exemptions"]![0]!["rules"] = new JsonArray("pss.*", "psss.*"))).Path);
    }

    [Theory]
    [InlineData("latest", true)]
    [InlineData("v1.0", true)]
    [InlineData("v1.37", true)]
    [InlineData("v1.40", true)]
    [InlineData("v1.01", false)]
    [InlineData("1.30", false)]
    [InlineData("v2.0", false)]
    [InlineData("v0.9", false)]
    [InlineData("Latest", false)]
    [InlineData("", false)]
    public void PodSecurity_version_is_latest_or_v1_N(string version, bool valid)
    {
        var problems = WithSpec(s => s["podSecurity"]!["version"] = version);
        if (valid)
        {
            Assert.Empty(problems);
            return;
        }

        var problem = Assert.Single(problems);
        Assert.Equal("spec.podSecurity.version", problem.Path);
        Assert.Contains("does not match ^(latest|v1\\.(0|[1-9][0-9]{0,5}))$", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_required_fields_are_named()
    {
        Assert.Equal("spec.exemptions[0].name: is required", Only(WithSpec(s => s["exemptions"]![0]!.AsObject().Remove("name"))));
        Assert.Equal("spec: is required", Only(PolicyValidator.Validate(PolicyFixtures.Example(p => p.Remove("spec")))));
        Assert.Equal("metadata.name: is required", Only(PolicyValidator.Validate(PolicyFixtures.Example(p => p["metadata"]!.AsObject().Remove("name")))));
        Assert.Equal("status.responsibilities[0].row: is required",
            Only(PolicyValidator.Validate(PolicyFixtures.Example(p => p["status"]!["responsibilities"]![0]!.AsObject().Remove("row")))));
    }

    [Fact]
    public void A_null_field_counts_as_absent_as_the_API_server_prunes_it()
    {
        Assert.Empty(WithSpec(s => s["imageScanning"]!["maxScanAge"] = null));
        Assert.Equal("spec.exemptions[0].name: is required", Only(WithSpec(s => s["exemptions"]![0]!["name"] = null)));
    }

    [Fact]
    public void Bounds_on_lists_strings_and_numbers()
    {
        var many = new JsonArray(Enumerable.Range(0, 257).Select(i => (JsonNode)$"ns-{i}").ToArray());
        Assert.Equal("spec.match.excludeNamespaces: has 257 items, more than the 256 allowed", Only(WithSpec(s => s["match"]!["excludeNamespaces"] = many)));
        Assert.Equal("spec.exemptions[0].name: is 64 characters long, more than the 63 allowed", Only(WithSpec(s => s["exemptions"]![0]!["name"] = new string('a', 64))));
        Assert.Equal("spec.imageScanning.vulnerabilityThresholds.critical: -1 is less than the minimum 0",
            Only(WithSpec(s => s["imageScanning"]!["vulnerabilityThresholds"]!["critical"] = -1)));
        Assert.Equal("spec.cluster.name: must not be empty", Only(WithSpec(s => s["cluster"]!["name"] = "")));
    }

    [Fact]
    public void Sets_and_map_lists_reject_duplicates()
    {
        Assert.Equal("spec.match.excludeNamespaces[1]: duplicate value \"kube-system\"",
            Only(WithSpec(s => s["match"]!["excludeNamespaces"] = new JsonArray("kube-system", "kube-system"))));
        Assert.Equal("spec.exemptions[1]: duplicate entry: name \"legacy-batch\" is already used by spec.exemptions[0]",
            Only(WithSpec(s => s["exemptions"]!.AsArray().Add(s["exemptions"]![0]!.DeepClone()))));
    }

    [Fact]
    public void Expires_must_be_an_RFC3339_time()
    {
        Assert.Equal("spec.exemptions[0].expires: \"next year\" is not an RFC 3339 date-time such as 2027-03-31T00:00:00Z",
            Only(WithSpec(s => s["exemptions"]![0]!["expires"] = "next year")));
        Assert.Single(WithSpec(s => s["exemptions"]![0]!["expires"] = "2027-02-30T00:00:00Z"));
        Assert.Single(WithSpec(s => s["exemptions"]![0]!["expires"] = "2027-03-31"));
        Assert.Empty(WithSpec(s => s["exemptions"]![0]!["expires"] = "2027-03-31T00:00:00.5+02:00"));
    }

    [Fact]
    public void The_type_fields_must_name_this_resource()
    {
        Assert.Equal("apiVersion: must be eks-hardening.io/v1alpha1, got string \"eks-hardening.io/v1\"",
            Only(PolicyValidator.Validate(PolicyFixtures.Example(p => p["apiVersion"] = "eks-hardening.io/v1"))));
        Assert.Equal("kind: is required (must be ResponsibilityPolicy)", Only(PolicyValidator.Validate(PolicyFixtures.Example(p => p.Remove("kind")))));
        Assert.Equal("metadata.name", Assert.Single(PolicyValidator.Validate(PolicyFixtures.Example(p => p["metadata"]!["name"] = "Production"))).Path);
    }

    [Fact]
    public void Status_is_checked_too_when_present()
    {
        Assert.Equal("status.clusterFindings[0].result: \"passed\" is not one of pass, fail, exempt, error",
            Only(PolicyValidator.Validate(PolicyFixtures.Example(p => p["status"]!["clusterFindings"]![0]!["result"] = "passed"))));
        Assert.Equal("status.conditions[0].status: \"true\" is not one of True, False, Unknown",
            Only(PolicyValidator.Validate(PolicyFixtures.Example(p => p["status"]!["conditions"]![0]!["status"] = "true"))));
    }

    // CEL twins, one test per rule.

    [Fact]
    public void Match_kinds_come_from_the_supported_list()
    {
        Assert.Equal("spec.match.kinds[1]: \"Service\" is not one of Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate",
            Only(WithSpec(s => s["match"]!["kinds"] = new JsonArray("Pod", "Service"))));
    }

    [Fact]
    public void Cel_cluster_name_is_required_when_a_cluster_check_is_on()
    {
        const string message = "spec.cluster.name: name is required when any cluster check (require*, disallow*, restrict*, requiredLogTypes) is on";
        Assert.Equal(message, Only(WithSpec(s => s["cluster"]!.AsObject().Remove("name"))));
        Assert.Equal(message, Only(WithSpec(s => s["cluster"] = new JsonObject { ["requiredLogTypes"] = new JsonArray("audit") })));
        Assert.Empty(WithSpec(s => s["cluster"] = new JsonObject { ["region"] = "eu-west-1", ["requireKeyRotation"] = false, ["requiredLogTypes"] = new JsonArray() }));
    }

    [Fact]
    public void Cel_an_exemption_names_a_rule_and_gives_a_reason()
    {
        Assert.Equal("spec.exemptions[0].rules: an exemption must name at least one rule", Only(WithSpec(s => s["exemptions"]![0]!.AsObject().Remove("rules"))));
        Assert.Equal("spec.exemptions[0].rules: an exemption must name at least one rule", Only(WithSpec(s => s["exemptions"]![0]!["rules"] = new JsonArray())));
        Assert.Equal("spec.exemptions[0].reason: an exemption must give a reason", Only(WithSpec(s => s["exemptions"]![0]!.AsObject().Remove("reason"))));
        Assert.Equal("spec.exemptions[0].reason: an exemption must give a reason", Only(WithSpec(s => s["exemptions"]![0]!["reason"] = "  ")));
    }

    [Fact]
    public void Cel_selector_values_follow_the_operator()
    {
        var noValues = JsonNode.Parse("""{ "matchExpressions": [ { "key": "env", "operator": "In" } ] }""");
        var valuesWithExists = JsonNode.Parse("""{ "matchExpressions": [ { "key": "env", "operator": "Exists", "values": ["prod"] } ] }""");
        const string message = "values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist";
        Assert.Equal($"spec.match.namespaceSelector.matchExpressions[0].values: {message}", Only(WithSpec(s => s["match"]!["namespaceSelector"] = noValues)));
        Assert.Equal($"spec.exemptions[0].selector.matchExpressions[0].values: {message}", Only(WithSpec(s => s["exemptions"]![0]!["selector"] = valuesWithExists)));
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("0h0m")]
    [InlineData("9999999999h")]
    public void Cel_durations_are_positive_and_in_range(string duration)
    {
        Assert.Equal("spec.evaluationInterval: must be a positive duration such as 168h or 1h30m", Only(WithSpec(s => s["evaluationInterval"] = duration)));
        Assert.Equal("spec.imageScanning.maxScanAge: must be a positive duration such as 168h or 1h30m",
            Only(WithSpec(s => s["imageScanning"]!["maxScanAge"] = duration)));
    }

    [Theory]
    [InlineData("{maxKubeletSkew: 0, maxNodeAge: 720h}", null)]
    [InlineData("{maxKubeletSkew: 3}", null)]
    [InlineData("{maxKubeletSkew: 4}", "spec.nodes.maxKubeletSkew: 4 is more than the maximum 3")]
    [InlineData("{maxKubeletSkew: -1}", "spec.nodes.maxKubeletSkew: -1 is less than the minimum 0")]
    [InlineData("{maxNodeAge: 0s}", "spec.nodes.maxNodeAge: must be a positive duration such as 168h or 1h30m")]
    [InlineData("{maxNodeAge: 30d}", "spec.nodes.maxNodeAge: \"30d\" does not match")]
    [InlineData("{maxAge: 30h}", "spec.nodes.maxAge")]
    public void Nodes_section_bounds_the_skew_and_the_age(string section, string? problem)
    {
        var problems = WithSpec(s => s["nodes"] = JsonNode.Parse(YamlFlowToJson(section)));
        if (problem is null) Assert.Empty(problems);
        else Assert.StartsWith(problem, Only(problems), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{requireEncryptedVolumes: true, requireTlsIngress: true, allowedPlainPorts: [443, 8443]}", null)]
    [InlineData("{allowedPlainPorts: [0]}", "spec.encryption.allowedPlainPorts[0]: 0 is less than the minimum 1")]
    [InlineData("{allowedPlainPorts: [65536]}", "spec.encryption.allowedPlainPorts[0]: 65536 is more than the maximum 65535")]
    [InlineData("{allowedPlainPorts: [443, 443]}", "spec.encryption.allowedPlainPorts[1]: duplicate value")]
    [InlineData("{allowedPlainPorts: [https]}", "spec.encryption.allowedPlainPorts[0]")]
    [InlineData("{requireTlsIngress: yes please}", "spec.encryption.requireTlsIngress")]
    public void Encryption_section_checks_ports_and_switches(string section, string? problem)
    {
        var problems = WithSpec(s => s["encryption"] = JsonNode.Parse(YamlFlowToJson(section)));
        if (problem is null) Assert.Empty(problems);
        else Assert.StartsWith(problem, Only(problems), StringComparison.Ordinal);
    }

    /// <summary>The flow-style YAML of a section as JSON, read as the scan reads manifests.</summary>
    private static string YamlFlowToJson(string yaml) =>
        Assert.Single(YamlToJson.Parse(yaml, "section.yaml")).Root!.ToJsonString();

    [Fact]
    public void A_malformed_duration_is_reported_once_by_its_pattern()
    {
        Assert.Contains("does not match", Only(WithSpec(s => s["evaluationInterval"] = "1 week")));
    }

    // Semantic checks.

    [Fact]
    public void Selector_operators_and_label_syntax_are_checked()
    {
        var badOperator = JsonNode.Parse("""{ "matchExpressions": [ { "key": "env", "operator": "Equals", "values": ["prod"] } ] }""");
        Assert.Equal("spec.match.namespaceSelector.matchExpressions[0].operator: \"Equals\" is not one of In, NotIn, Exists, DoesNotExist",
            Only(WithSpec(s => s["match"]!["namespaceSelector"] = badOperator)));

        var badKey = JsonNode.Parse("""{ "matchLabels": { "bad key": "x" } }""");
        Assert.StartsWith("spec.match.namespaceSelector.matchLabels[bad key]: \"bad key\" is not a valid label key", Only(WithSpec(s => s["match"]!["namespaceSelector"] = badKey)));

        var badValue = JsonNode.Parse("""{ "matchExpressions": [ { "key": "team.example.com/owner", "operator": "NotIn", "values": ["ok", "-bad"] } ] }""");
        Assert.StartsWith("spec.exemptions[0].selector.matchExpressions[0].values[1]: \"-bad\" is not a valid label value",
            Only(WithSpec(s => s["exemptions"]![0]!["selector"] = badValue)));

        var goodKeys = JsonNode.Parse("""{ "matchLabels": { "app.kubernetes.io/name": "web", "empty": "" } }""");
        Assert.Empty(WithSpec(s => s["match"]!["namespaceSelector"] = goodKeys));
    }

    // The typed path (after the API server applied the schema).

    [Fact]
    public void ValidateSemantics_runs_the_CEL_twins_and_semantic_checks_on_typed_policies()
    {
        var policy = new ResponsibilityPolicy
        {
            Metadata = new V1ObjectMeta { Name = "typed" },
            Spec = new ResponsibilityPolicySpec
            {
                Match = new PolicyMatch
                {
                    Kinds = ["Deployment", "Service"],
                    NamespaceSelector = new V1LabelSelector
                    {
                        MatchExpressions = [new V1LabelSelectorRequirement { Key = "env", OperatorProperty = "Equals", Values = ["prod"] }],
                    },
                },
                ImageScanning = new ImageScanningDuty { MaxScanAge = "0s" },
                Cluster = new ClusterDuty { RequireSecretsEncryption = true },
                Exemptions = [new PolicyExemption { Name = "no-rules", Reason = "" }, new PolicyExemption { Name = "typo", Rules = ["image.tag-not-latset"], Reason = "x" }],
                EvaluationInterval = "10m",
            },
        };

        var problems = PolicyValidator.ValidateSemantics(policy).Select(p => p.ToString()).ToList();
        Assert.Equal(
        [
            "spec.imageScanning.maxScanAge: must be a positive duration such as 168h or 1h30m",
            "spec.cluster.name: name is required when any cluster check (require*, disallow*, restrict*, requiredLogTypes) is on",
            "spec.exemptions[0].rules: an exemption must name at least one rule",
            "spec.exemptions[0].reason: an exemption must give a reason",
            "spec.exemptions[1].rules[0]: names no rule: an entry without '*' must be a rule ID of the catalog (the README's rules table lists them); \"image.tag-not-latset\": did you mean image.tag-not-latest?",
            "spec.match.namespaceSelector.matchExpressions[0].operator: \"Equals\" is not one of In, NotIn, Exists, DoesNotExist",
            "spec.match.kinds[1]: \"Service\" is not one of Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate",
        ], problems);
    }

    [Fact]
    public void ValidateSemantics_checks_In_without_values()
    {
        var policy = new ResponsibilityPolicy
        {
            Spec = new ResponsibilityPolicySpec
            {
                Exemptions =
                [
                    new PolicyExemption
                    {
                        Name = "x", Rules = ["pss.*"], Reason = "r",
                        Selector = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "In" }] },
                    },
                ],
            },
        };
        Assert.Equal("spec.exemptions[0].selector.matchExpressions[0].values: values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist",
            Only(PolicyValidator.ValidateSemantics(policy)));
    }

    [Fact]
    public void Problems_map_back_to_source_lines()
    {
        var yaml = PolicyFixtures.DesignExample.Replace("mode: Audit", "mode: Strict", StringComparison.Ordinal);
        var document = YamlToJson.Parse(yaml, "policy.yaml").Single();
        var problem = Assert.Single(PolicyValidator.Validate((JsonObject)document.Root!));
        Assert.Equal(5, document.LineOfPath(problem.Path));
    }

    [Fact]
    public void Summarize_keeps_a_condition_message_short()
    {
        var problems = Enumerable.Range(0, 5).Select(i => new SpecProblem($"spec.f{i}", "bad")).ToList();
        Assert.Equal("spec.f0: bad; spec.f1: bad; spec.f2: bad (and 2 more)", PolicyValidator.Summarize(problems));
    }
}
