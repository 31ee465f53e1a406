using static EksHardening.Operator.Tests.Admission.AdmissionReviews;

namespace EksHardening.Operator.Tests.Admission;

public class AdmissionDeciderTests
{
    private const string Ecr = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web";

    private const string Enforce = """
        mode: Enforce
        match: {namespaceSelector: {matchLabels: {env: prod}}, excludeNamespaces: [kube-system]}
        imageScanning: {allowedRegistries: ["*.dkr.ecr.*.amazonaws.com"], disallowLatestTag: true}
        podSecurity: {level: restricted}
        irsa: {disallowDefaultServiceAccount: true, requireAutomountDisabledWithoutRole: true}
        """;

    private static string WithMode(string spec, string mode) => spec.Replace("mode: Enforce", $"mode: {mode}", StringComparison.Ordinal);

    private const string Scanned = """
        mode: Enforce
        match: {namespaceSelector: {matchLabels: {env: prod}}}
        imageScanning: {vulnerabilityThresholds: {critical: 0, high: 2}, ignoreFindings: [CVE-2026-0001]}
        """;

    [Theory]
    [MemberData(nameof(EveryKind), MemberType = typeof(AdmissionReviews))]
    public void A_compliant_object_is_allowed_without_warnings(string kind)
    {
        var decision = Decide(Review(kind, CompliantSpec), policySpecs: Enforce);
        Assert.True(decision.Allowed);
        Assert.Empty(decision.Warnings);
        Assert.Null(decision.SkipReason);
    }

    [Theory]
    [MemberData(nameof(EveryKind), MemberType = typeof(AdmissionReviews))]
    public void Enforce_denies_a_violating_object_with_403_Forbidden_naming_rules_and_fields(string kind)
    {
        var decision = Decide(Review(kind, PrivilegedLatestSpec), policySpecs: Enforce);
        var path = PodSpecPath(kind);

        Assert.False(decision.Allowed);
        Assert.Equal(403, decision.Code);
        Assert.Equal("Forbidden", decision.Reason);
        Assert.Equal(["prod"], decision.DeniedBy);
        Assert.StartsWith($"{kind} shop/web violates ResponsibilityPolicy prod (Enforce): ", decision.Message, StringComparison.Ordinal);
        Assert.Contains($"pss.privileged at {path}.containers[0].securityContext.privileged", decision.Message, StringComparison.Ordinal);
        Assert.Contains($"image.tag-not-latest at {path}.containers[0].image", decision.Message, StringComparison.Ordinal);
        Assert.Equal(["image.tag-not-latest", "pss.privileged"], decision.FailedRules);
        Assert.Empty(decision.Warnings);
    }

    [Theory]
    [MemberData(nameof(EveryKind), MemberType = typeof(AdmissionReviews))]
    public void Warn_allows_with_one_warning_per_failed_rule(string kind)
    {
        var decision = Decide(Review(kind, PrivilegedLatestSpec), policySpecs: WithMode(Enforce, "Warn"));

        Assert.True(decision.Allowed);
        Assert.Equal(2, decision.Warnings.Count);
        Assert.Contains(decision.Warnings, w => w.StartsWith("[prod] pss.privileged: ", StringComparison.Ordinal) && w.Contains("container web", StringComparison.Ordinal));
        Assert.Contains(decision.Warnings, w => w.StartsWith("[prod] image.tag-not-latest: container web uses :latest", StringComparison.Ordinal));
        Assert.All(decision.Warnings, w => Assert.True(w.Length <= AdmissionText.MaxWarningLength));
    }

    [Theory]
    [MemberData(nameof(EveryKind), MemberType = typeof(AdmissionReviews))]
    public void An_exemption_covering_every_failure_allows_silently(string kind)
    {
        var exempt = Enforce + """

            exemptions:
            - {name: legacy, namespaces: [shop], selector: {matchLabels: {app: web}}, rules: ["pss.*", image.tag-not-latest], reason: "vendor image", expires: "2027-03-31T00:00:00Z"}
            """;
        var decision = Decide(Review(kind, PrivilegedLatestSpec), policySpecs: exempt);
        Assert.True(decision.Allowed);
        Assert.Empty(decision.Warnings);
    }

    [Theory]
    [MemberData(nameof(EveryKind), MemberType = typeof(AdmissionReviews))]
    public void An_expired_exemption_no_longer_applies_and_the_denial_stands(string kind)
    {
        var expired = Enforce + """

            exemptions:
            - {name: legacy, namespaces: [shop], rules: ["pss.*", image.tag-not-latest], reason: "vendor image", expires: "2026-01-01T00:00:00Z"}
            """;
        var decision = Decide(Review(kind, PrivilegedLatestSpec), policySpecs: expired);
        Assert.False(decision.Allowed);
    }

    [Fact]
    public void An_exemption_changed_in_place_is_matched_as_it_is_now_not_as_first_compiled()
    {
        var review = Review("Deployment", PrivilegedLatestSpec);
        var policy = TestEvaluation.Policy(Enforce + """

            exemptions:
            - {name: legacy, namespaces: [shop], images: ["123456789012.dkr.ecr.*.amazonaws.com/shop/*"], rules: ["pss.*", image.tag-not-latest], reason: "vendor image"}
            """);
        var exemption = policy.Spec.Exemptions![0];
        Assert.True(Decide(review, [policy]).Allowed);

        exemption.Rules.RemoveAt(0);
        Assert.Equal(["pss.privileged"], Decide(review, [policy]).FailedRules);
        exemption.Rules.Insert(0, "pss.*");
        Assert.True(Decide(review, [policy]).Allowed);

        exemption.Namespaces![0] = "batch";
        Assert.False(Decide(review, [policy]).Allowed);
        exemption.Namespaces[0] = "shop";
        Assert.True(Decide(review, [policy]).Allowed);

        exemption.Images![0] = "123456789012.dkr.ecr.*.amazonaws.com/other/*";
        Assert.False(Decide(review, [policy]).Allowed);
    }

    [Fact]
    public void A_new_generation_of_a_policy_is_judged_by_its_own_exemptions()
    {
        var review = Review("Deployment", PrivilegedLatestSpec);
        var exempting = TestEvaluation.Policy(Enforce + """

            exemptions:
            - {name: legacy, namespaces: [shop], rules: ["pss.*", image.tag-not-latest], reason: "vendor image"}
            """);
        exempting.Metadata.Generation = 1;
        var narrowed = TestEvaluation.Policy(Enforce + """

            exemptions:
            - {name: legacy, namespaces: [shop], rules: [image.tag-not-latest], reason: "vendor image"}
            """);
        narrowed.Metadata.Generation = 2;

        Assert.True(Decide(review, [exempting]).Allowed);
        Assert.False(Decide(review, [narrowed]).Allowed);
    }

    [Theory]
    [MemberData(nameof(EveryKind), MemberType = typeof(AdmissionReviews))]
    public void Unknown_images_follow_admission_unknownImages(string kind)
    {
        var review = Review(kind, CompliantSpec);
        var facts = new TableImageFacts();

        var allowed = Decide(review, facts, policySpecs: Scanned);
        Assert.True(allowed.Allowed);
        Assert.Empty(allowed.Warnings);
        Assert.Equal([$"{Ecr}:1.4.2"], facts.Lookups);

        var denied = Decide(review, facts, policySpecs: Scanned + "\nadmission: {unknownImages: Deny}");
        Assert.False(denied.Allowed);
        Assert.Contains($"image.vulnerabilities at {PodSpecPath(kind)}.containers[0].image", denied.Message, StringComparison.Ordinal);

        var warned = Decide(review, facts, policySpecs: WithMode(Scanned, "Warn") + "\nadmission: {unknownImages: Deny}");
        Assert.True(warned.Allowed);
        Assert.Equal([$"[prod] image.vulnerabilities: container web: scan findings of image {Ecr}:1.4.2 are not known yet (admission.unknownImages: Deny)"], warned.Warnings);
    }

    [Theory]
    [InlineData("Deployment")]
    [InlineData("Pod")]
    public void An_invalid_reference_fails_every_image_rule_at_admission_too(string kind)
    {
        var review = Review(kind, CompliantSpec.Replace("shop/web:1.4.2", "shop/web:1.4.2+build", StringComparison.Ordinal));
        var facts = new TableImageFacts();
        var problem = $"container web: image '{Ecr}:1.4.2+build' is not a valid reference: tag '1.4.2+build' is invalid";

        var scanned = Decide(review, facts, policySpecs: WithMode(Scanned, "Warn"));
        Assert.StartsWith($"[prod] image.vulnerabilities: {problem}", Assert.Single(scanned.Warnings), StringComparison.Ordinal);
        Assert.Empty(facts.Lookups);

        var provenance = Decide(review, facts, policySpecs: WithMode(Enforce, "Warn"));
        Assert.Equal(["image.registry-allowed", "image.tag-not-latest"], provenance.FailedRules);
        Assert.All(provenance.Warnings, w => Assert.Contains(problem, w, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(EveryKind), MemberType = typeof(AdmissionReviews))]
    public void Known_findings_over_the_thresholds_deny_and_ignored_findings_do_not_count(string kind)
    {
        var review = Review(kind, CompliantSpec);
        var image = $"{Ecr}:1.4.2";

        var clean = Decide(review, new TableImageFacts().With(image, critical: 0, high: 2, medium: 40), policySpecs: Scanned);
        Assert.True(clean.Allowed);

        var vulnerable = Decide(review, new TableImageFacts().With(image, critical: 1, high: 3), policySpecs: Scanned);
        Assert.False(vulnerable.Allowed);
        Assert.Contains("image.vulnerabilities", vulnerable.Message, StringComparison.Ordinal);

        var ignored = Decide(review, new TableImageFacts().With(image, critical: 1, high: 2, findings: new ImageVulnerability("CVE-2026-0001", Severity.Critical)), policySpecs: Scanned);
        Assert.True(ignored.Allowed);

        var warned = Decide(review, new TableImageFacts().With(image, critical: 1, high: 3), policySpecs: WithMode(Scanned, "Warn"));
        Assert.True(warned.Allowed);
        Assert.Equal([$"[prod] image.vulnerabilities: container web: image {image} has 1 critical (max 0), 3 high (max 2) findings (scanned 2026-11-27)"], warned.Warnings);
    }

    [Fact]
    public void Image_facts_are_exempted_by_image_pattern()
    {
        var spec = Scanned + $$"""

            exemptions:
            - {name: vendor, images: ["{{Ecr}}:*"], rules: [image.vulnerabilities], reason: "patched upstream next week"}
            """;
        var decision = Decide(Review("Deployment", CompliantSpec), new TableImageFacts().With($"{Ecr}:1.4.2", critical: 5), policySpecs: spec);
        Assert.True(decision.Allowed);
    }

    [Theory]
    [MemberData(nameof(EveryKind), MemberType = typeof(AdmissionReviews))]
    public void Audit_allows_silently_and_evaluates_nothing(string kind)
    {
        var facts = new TableImageFacts();
        var decision = Decide(Review(kind, PrivilegedLatestSpec), facts, policySpecs: WithMode(Enforce, "Audit") + "\nadmission: {unknownImages: Deny}");
        Assert.True(decision.Allowed);
        Assert.Empty(decision.Warnings);
        Assert.Empty(facts.Lookups);
        Assert.Equal("no Warn or Enforce policy", decision.SkipReason);
    }

    [Theory]
    [MemberData(nameof(EveryKind), MemberType = typeof(AdmissionReviews))]
    public void Update_is_judged_on_the_new_object(string kind)
    {
        var fixedUpdate = Decide(Review(kind, CompliantSpec, "UPDATE", oldPodSpec: PrivilegedLatestSpec), policySpecs: Enforce);
        Assert.True(fixedUpdate.Allowed);
        Assert.Null(fixedUpdate.SkipReason);

        var breakingUpdate = Decide(Review(kind, PrivilegedLatestSpec, "UPDATE", oldPodSpec: CompliantSpec), policySpecs: Enforce);
        Assert.False(breakingUpdate.Allowed);
        Assert.Contains("pss.privileged", breakingUpdate.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(EveryKind), MemberType = typeof(AdmissionReviews))]
    public void An_update_that_leaves_the_pod_template_alone_is_allowed_so_controllers_can_scale_and_relabel(string kind)
    {
        var review = JsonNode.Parse(Review(kind, PrivilegedLatestSpec, "UPDATE", oldPodSpec: PrivilegedLatestSpec))!;
        review["request"]!["object"]!["metadata"]!["labels"]!["touched"] = "yes";
        var decision = Decide(review.ToJsonString(), policySpecs: Enforce);
        Assert.True(decision.Allowed);
        Assert.Equal("pod template unchanged", decision.SkipReason);
    }

    [Fact]
    public void An_update_of_an_object_being_deleted_is_allowed_so_finalizers_can_be_removed()
    {
        var review = JsonNode.Parse(Review("Deployment", PrivilegedLatestSpec, "UPDATE", oldPodSpec: CompliantSpec))!;
        review["request"]!["object"]!["metadata"]!["deletionTimestamp"] = "2026-11-28T11:59:30Z";
        var decision = Decide(review.ToJsonString(), policySpecs: Enforce);
        Assert.True(decision.Allowed);
        Assert.Equal("object is being deleted", decision.SkipReason);
    }

    [Theory]
    [InlineData("dev")]           // namespace selector does not match
    [InlineData("kube-system")]   // excluded
    [InlineData("unknown-ns")]    // not cached: only the kubernetes.io/metadata.name label, which env does not match
    public void Namespaces_out_of_scope_are_not_judged(string ns)
    {
        var decision = Decide(Review("Deployment", PrivilegedLatestSpec, ns: ns), policySpecs: Enforce);
        Assert.True(decision.Allowed);
        Assert.Empty(decision.Warnings);
    }

    [Fact]
    public void Kinds_outside_the_policy_match_are_not_judged()
    {
        var podsOnly = Enforce.Replace("excludeNamespaces: [kube-system]}", "excludeNamespaces: [kube-system], kinds: [Pod]}", StringComparison.Ordinal);
        Assert.True(Decide(Review("Deployment", PrivilegedLatestSpec), policySpecs: podsOnly).Allowed);
        Assert.False(Decide(Review("Pod", PrivilegedLatestSpec), policySpecs: podsOnly).Allowed);
    }

    [Theory]
    [InlineData("Pod", "status")]
    [InlineData("Pod", "binding")]
    [InlineData("Deployment", "scale")]
    [InlineData("Deployment", "status")]
    [InlineData("StatefulSet", "scale")]
    public void Subresources_other_than_ephemeral_containers_are_allowed_untouched(string kind, string subResource)
    {
        var decision = Decide(Review(kind, PrivilegedLatestSpec, "UPDATE", oldPodSpec: CompliantSpec, subResource: subResource), policySpecs: Enforce);
        Assert.True(decision.Allowed);
        Assert.Equal("subresource is not checked", decision.SkipReason);
    }

    [Fact]
    public void Adding_a_privileged_ephemeral_container_is_judged_like_the_pod()
    {
        var debug = CompliantSpec.TrimEnd().TrimEnd('}') + """
            , "ephemeralContainers": [{"name": "debugger", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/tools/debug:2", "targetContainerName": "web",
               "securityContext": {"privileged": true}}]}
            """;
        var decision = Decide(Review("Pod", debug, "UPDATE", oldPodSpec: CompliantSpec, subResource: "ephemeralcontainers"), policySpecs: Enforce);
        Assert.False(decision.Allowed);
        Assert.Contains("pss.privileged at spec.ephemeralContainers[0].securityContext.privileged", decision.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DELETE")]
    [InlineData("CONNECT")]
    public void Other_operations_are_allowed_untouched(string operation)
    {
        var decision = Decide(Review("Pod", PrivilegedLatestSpec, operation), policySpecs: Enforce);
        Assert.True(decision.Allowed);
        Assert.Equal("operation is not checked", decision.SkipReason);
    }

    [Fact]
    public void Other_kinds_and_versions_are_allowed_untouched()
    {
        var secret = """
            {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "1", "kind": {"group": "", "version": "v1", "kind": "Secret"},
             "resource": {"group": "", "version": "v1", "resource": "secrets"}, "operation": "CREATE", "namespace": "shop",
             "object": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, "data": {"privileged": "dHJ1ZQ=="}}}}
            """;
        Assert.Equal("kind is not checked", Decide(secret, policySpecs: Enforce).SkipReason);

        var oldVersion = Review("Deployment", PrivilegedLatestSpec).Replace("\"version\":\"v1\",\"kind\":\"Deployment\"", "\"version\":\"v1beta2\",\"kind\":\"Deployment\"", StringComparison.Ordinal);
        Assert.Equal("kind is not checked", Decide(oldVersion, policySpecs: Enforce).SkipReason);
    }

    [Fact]
    public void A_pod_owned_by_a_deployment_is_still_judged()
    {
        var owners = JsonNode.Parse("""
            [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d4f8", "uid": "0c1d2e3f-aaaa-bbbb-cccc-000000000001", "controller": true, "blockOwnerDeletion": true}]
            """)!.AsArray();
        var decision = Decide(Review("Pod", PrivilegedLatestSpec, name: "web-5d4f8-x2x9q", ownerReferences: owners), policySpecs: Enforce);
        Assert.False(decision.Allowed);
        Assert.StartsWith("Pod shop/web-5d4f8-x2x9q violates", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dry_run_requests_get_the_same_verdict()
    {
        var live = Decide(Review("Deployment", PrivilegedLatestSpec), policySpecs: Enforce);
        var dryRun = Decide(Review("Deployment", PrivilegedLatestSpec, dryRun: true), policySpecs: Enforce);
        Assert.Equal(live.Allowed, dryRun.Allowed);
        Assert.Equal(live.Message, dryRun.Message);
    }

    [Fact]
    public void Rules_that_are_not_decidable_at_admission_are_left_to_the_reconciler()
    {
        // A namespace without default-deny, a role shared with another namespace, no PSA label: none of it is judged here.
        var spec = """
            mode: Enforce
            networkPolicies: {requireDefaultDeny: [Ingress, Egress], requirePodCoverage: true, blockInstanceMetadata: true}
            irsa: {disallowSharedRoles: true}
            podSecurity: {level: baseline, requireNamespaceLabel: true}
            """;
        var cluster = EksHardening.Operator.Rules.ClusterSnapshot.FromObjects(Support.TestEvaluation.Objects("""
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: web, namespace: shop, annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::123456789012:role/shared"}}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: web, namespace: dev, annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::123456789012:role/shared"}}
            """));
        var decision = Decide(Review("Deployment", CompliantSpec), cluster: cluster, policySpecs: spec);
        Assert.True(decision.Allowed);
        Assert.Empty(decision.FailedRules);
        Assert.DoesNotContain(AdmissionRules.All, r => r.Id.StartsWith("network.", StringComparison.Ordinal) || r.Id is "irsa.role-not-shared" or "namespace.psa-label");
    }

    [Fact]
    public void A_rule_whose_facts_are_not_cached_yet_warns_and_never_denies()
    {
        var spec = "mode: Enforce\nirsa: {requireAutomountDisabledWithoutRole: true}";
        var mounting = CompliantSpec.Replace("\"serviceAccountName\": \"web\", \"automountServiceAccountToken\": false", "\"serviceAccountName\": \"brand-new\"", StringComparison.Ordinal);
        var decision = Decide(Review("Deployment", mounting), policySpecs: spec);
        Assert.True(decision.Allowed);
        var warning = Assert.Single(decision.Warnings);
        Assert.StartsWith("[prod] irsa.token-automount: could not be decided: ServiceAccount shop/brand-new is not among the inputs", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_policies_combine_denials_and_warnings()
    {
        var warnOnly = "mode: Warn\nimageScanning: {requireDigest: true}";
        var decision = Decide(Review("Deployment", PrivilegedLatestSpec), null, null, Enforce, warnOnly, WithMode(Enforce, "Audit"));
        Assert.False(decision.Allowed);
        Assert.Equal(["p0"], decision.DeniedBy);
        Assert.Contains("ResponsibilityPolicy p0 (Enforce)", decision.Message, StringComparison.Ordinal);
        var warning = Assert.Single(decision.Warnings);
        Assert.StartsWith("[p1] image.digest-pinned: container web: image ", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void The_denial_message_is_bounded_and_lists_the_first_fields_of_each_rule()
    {
        var containers = string.Join(", ", Enumerable.Range(0, 60).Select(i =>
            $$$"""{"name": "c{{{i}}}", "image": "nginx", "securityContext": {"privileged": true}}"""));
        var spec = $$"""{"containers": [{{containers}}]}""";
        var decision = Decide(Review("Deployment", spec), policySpecs: Enforce);
        Assert.False(decision.Allowed);
        Assert.True(decision.Message.Length <= AdmissionText.MaxMessageLength, $"{decision.Message.Length} characters");
        Assert.Contains("pss.privileged at spec.template.spec.containers[0].securityContext.privileged, spec.template.spec.containers[1].securityContext.privileged, spec.template.spec.containers[2].securityContext.privileged (+57 more)", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_are_capped_in_number_and_length_and_cleaned_of_control_characters()
    {
        var spec = "mode: Warn\nimageScanning: {allowedRegistries: [\"*.dkr.ecr.*.amazonaws.com\"]}";
        var containers = string.Join(", ", Enumerable.Range(0, 3).Select(i =>
            $$"""{"name": "c{{i}}\u001b[31m\u202e", "image": "evil.example.com/{{new string('a', 250)}}:1"}"""));
        var decision = Decide(Review("Pod", $$"""{"containers": [{{containers}}]}"""), policySpecs: spec);
        var warning = Assert.Single(decision.Warnings);
        Assert.True(warning.Length <= AdmissionText.MaxWarningLength);
        Assert.EndsWith("… (+2 more)", warning, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', warning);
        Assert.DoesNotContain('\u202e', warning);
        Assert.StartsWith("[prod] image.registry-allowed: container c0?[31m?: image evil.example.com/aaa", warning, StringComparison.Ordinal);

        var many = Enumerable.Range(0, 30).Select(i => $"mode: Warn\nimageScanning: {{disallowLatestTag: true}}").ToArray();
        var capped = Decide(Review("Pod", PrivilegedLatestSpec), null, null, many);
        Assert.Equal(AdmissionText.MaxWarnings, capped.Warnings.Count);
        Assert.Equal("... and 11 more warnings", capped.Warnings[^1]);
    }

    [Theory]
    [InlineData("""{"containers": "not a list"}""")]
    [InlineData("""{"containers": [{"name": 5, "image": ["x"]}]}""")]
    [InlineData("""{"containers": [{"name": "a", "resources": {"limits": {"cpu": "lots"}}}]}""")]
    public void An_object_that_is_not_a_valid_kind_is_a_bad_request(string podSpec)
    {
        var error = Assert.Throws<AdmissionReviewException>(() => Decide(Review("Deployment", podSpec), policySpecs: Enforce));
        Assert.Equal("request.object is not a valid Deployment", error.Message);
    }

    [Fact]
    public void Create_with_generate_name_and_no_namespace_in_the_object_uses_the_request()
    {
        var review = JsonNode.Parse(Review("Pod", PrivilegedLatestSpec, name: ""))!;
        var metadata = review["request"]!["object"]!["metadata"]!.AsObject();
        metadata.Remove("name");
        metadata.Remove("namespace");
        metadata["generateName"] = "web-";
        review["request"]!.AsObject().Remove("name");
        var decision = Decide(review.ToJsonString(), policySpecs: Enforce);
        Assert.False(decision.Allowed);
        Assert.StartsWith("Pod shop/web-* violates", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_decidable_rule_list_names_every_pss_and_workload_rule_and_the_listed_image_and_irsa_rules()
    {
        var ids = AdmissionRules.All.Select(r => r.Id).ToList();
        Assert.Contains("pss.privileged", ids);
        Assert.Contains("pss.runAsNonRoot", ids);
        Assert.Contains("workload.resource-limits", ids);
        Assert.Contains("workload.read-only-root-filesystem", ids);
        Assert.Contains("image.registry-allowed", ids);
        Assert.Contains("image.tag-not-latest", ids);
        Assert.Contains("image.digest-pinned", ids);
        Assert.Contains("irsa.dedicated-service-account", ids);
        Assert.Contains("irsa.token-automount", ids);
        Assert.DoesNotContain("irsa.role-not-shared", ids);
        Assert.DoesNotContain("namespace.psa-label", ids);
        Assert.DoesNotContain(ids, id => id.StartsWith("network.", StringComparison.Ordinal));
        // And the six object rules decided on bindings, aws-auth, StorageClasses, claims, Ingresses and Services.
        Assert.Equal(16 + 2 + 3 + 2 + 6, ids.Count);
    }
}
