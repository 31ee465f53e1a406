namespace EksHardening.Operator.Tests.Rules;

/// <summary>
/// <c>podSecurity.version</c>: each pss.* check follows the upstream definition with the greatest MinimumVersion at or
/// below the policy's version (k8s.io/pod-security-admission policy/check_*.go), checks that did not exist yet are not
/// evaluated, and versions above the newest known one are evaluated as it, as Pod Security Admission does.
/// </summary>
public class PodSecurityVersionTests
{
    private const string B = "baseline";
    private const string R = "restricted";
    private const string Web = "{name: web, image: x}";

    // ---------------------------------------------------------------- parsing (api.ParseVersion)

    [Theory]
    [InlineData(null, null)]
    [InlineData("latest", null)]
    [InlineData("v1.0", 0)]
    [InlineData("v1.8", 8)]
    [InlineData("v1.37", 37)]
    [InlineData("v1.120", 120)]
    public void Valid_versions_parse(string? text, int? minor)
    {
        Assert.True(PodSecurityVersion.TryParse(text, out var version));
        Assert.Equal(minor, version.Minor);
        Assert.Equal(minor is null, version.IsLatest);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Latest")]
    [InlineData(" latest")]
    [InlineData("1.30")]
    [InlineData("v1")]
    [InlineData("v1.")]
    [InlineData("v1.01")]
    [InlineData("v1.3a")]
    [InlineData("v1.-1")]
    [InlineData("v2.0")]
    [InlineData("v0.9")]
    [InlineData("V1.30")]
    [InlineData("v1.99999999999")]
    public void Invalid_versions_are_rejected_as_Pod_Security_Admission_rejects_them(string text) =>
        Assert.False(PodSecurityVersion.TryParse(text, out _));

    [Theory]
    [InlineData("latest", PodSecurityVersion.NewestKnownMinor)]
    [InlineData("v1.0", 0)]
    [InlineData("v1.36", 36)]
    [InlineData("v1.37", 37)]
    [InlineData("v1.38", PodSecurityVersion.NewestKnownMinor)]
    [InlineData("v1.500", PodSecurityVersion.NewestKnownMinor)]
    [InlineData("not-a-version", PodSecurityVersion.NewestKnownMinor)]
    public void Versions_above_the_newest_known_and_invalid_ones_are_evaluated_as_latest(string text, int effective) =>
        Assert.Equal(effective, PodSecurityVersion.OfPolicy(text).EffectiveMinor);

    [Fact]
    public void The_newest_known_version_is_named_consistently_in_code_CRD_and_README()
    {
        Assert.True(PodSecurityVersion.TryParse(PodSecurityVersion.NewestKnown, out var newest));
        Assert.Equal(PodSecurityVersion.NewestKnownMinor, newest.Minor);

        var crd = File.ReadAllText(RepositoryPaths.Of("config", "crd", "responsibilitypolicies.eks-hardening.io.yaml"));
        Assert.Contains($"the newest version this release knows, {PodSecurityVersion.NewestKnown}", crd, StringComparison.Ordinal);
        Assert.Contains($"newer than {PodSecurityVersion.NewestKnown} is evaluated as {PodSecurityVersion.NewestKnown}", crd, StringComparison.Ordinal);
        var readme = File.ReadAllText(RepositoryPaths.Of("README.md"));
        Assert.Contains($"`latest` is {PodSecurityVersion.NewestKnown}", readme, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- one case per versioned definition, on both sides of its version

    /// <summary>
    /// What one rule reports at one version: <c>null</c> when the rule is not evaluated at that version (the check
    /// did not exist yet).
    /// </summary>
    [Theory]
    // allowPrivilegeEscalation exists from v1.8; Windows pods are exempt from v1.25.
    [InlineData("allowPrivilegeEscalation unset, before the check", "pss.allowPrivilegeEscalation", R, "v1.7", "{containers: [" + Web + "]}", null)]
    [InlineData("allowPrivilegeEscalation unset, first version", "pss.allowPrivilegeEscalation", R, "v1.8", "{containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("allowPrivilegeEscalation on Windows before the exemption", "pss.allowPrivilegeEscalation", R, "v1.24", "{os: {name: windows}, containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("allowPrivilegeEscalation on Windows from the exemption", "pss.allowPrivilegeEscalation", R, "v1.25", "{os: {name: windows}, containers: [" + Web + "]}", FindingResult.Pass)]
    // runAsUser exists from v1.23; user-namespace pods are exempt from v1.35.
    [InlineData("runAsUser 0, before the check", "pss.runAsUser", R, "v1.22", "{securityContext: {runAsUser: 0}, containers: [" + Web + "]}", null)]
    [InlineData("runAsUser 0, first version", "pss.runAsUser", R, "v1.23", "{securityContext: {runAsUser: 0}, containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("runAsUser 0 in a user namespace before the relaxation", "pss.runAsUser", R, "v1.34", "{hostUsers: false, containers: [{name: web, image: x, securityContext: {runAsUser: 0}}]}", FindingResult.Fail)]
    [InlineData("runAsUser 0 in a user namespace from the relaxation", "pss.runAsUser", R, "v1.35", "{hostUsers: false, containers: [{name: web, image: x, securityContext: {runAsUser: 0}}]}", FindingResult.Pass)]
    // runAsNonRoot: user-namespace pods are exempt from v1.35 (before, the relaxation was behind a perma-alpha gate).
    [InlineData("runAsNonRoot unset in a user namespace before the relaxation", "pss.runAsNonRoot", R, "v1.34", "{hostUsers: false, containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("runAsNonRoot unset in a user namespace from the relaxation", "pss.runAsNonRoot", R, "v1.35", "{hostUsers: false, containers: [" + Web + "]}", FindingResult.Pass)]
    [InlineData("runAsNonRoot unset at v1.0", "pss.runAsNonRoot", R, "v1.0", "{containers: [" + Web + "]}", FindingResult.Fail)]
    // hostProbesAndHostLifecycle exists from v1.34.
    [InlineData("probe host, before the check", "pss.hostProbesAndHostLifecycle", B, "v1.33", "{containers: [{name: web, image: x, livenessProbe: {httpGet: {host: 10.0.0.1, port: 80}}}]}", null)]
    [InlineData("probe host, first version", "pss.hostProbesAndHostLifecycle", B, "v1.34", "{containers: [{name: web, image: x, livenessProbe: {httpGet: {host: 10.0.0.1, port: 80}}}]}", FindingResult.Fail)]
    // seccomp: v1.0-v1.18 the alpha annotations, from v1.19 the fields.
    [InlineData("seccompProfile Unconfined while only annotations count", "pss.seccompProfile", B, "v1.18", "{securityContext: {seccompProfile: {type: Unconfined}}, containers: [" + Web + "]}", FindingResult.Pass)]
    [InlineData("seccompProfile Unconfined once the fields count", "pss.seccompProfile", B, "v1.19", "{securityContext: {seccompProfile: {type: Unconfined}}, containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("restricted without a profile before v1.19", "pss.seccompProfile", R, "v1.18", "{containers: [" + Web + "]}", FindingResult.Pass)]
    [InlineData("restricted without a profile from v1.19", "pss.seccompProfile", R, "v1.19", "{containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("restricted Windows pod without a profile before the exemption", "pss.seccompProfile", R, "v1.24", "{os: {name: windows}, containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("restricted Windows pod without a profile from the exemption", "pss.seccompProfile", R, "v1.25", "{os: {name: windows}, containers: [" + Web + "]}", FindingResult.Pass)]
    // capabilities: restricted drop ALL / NET_BIND_SERVICE only from v1.22, Windows exempt from v1.25.
    [InlineData("restricted without drop ALL before v1.22", "pss.capabilities", R, "v1.21", "{containers: [" + Web + "]}", FindingResult.Pass)]
    [InlineData("restricted without drop ALL from v1.22", "pss.capabilities", R, "v1.22", "{containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("restricted adding CHOWN before v1.22 (baseline allows it)", "pss.capabilities", R, "v1.21", "{containers: [{name: web, image: x, securityContext: {capabilities: {add: [CHOWN]}}}]}", FindingResult.Pass)]
    [InlineData("restricted adding CHOWN from v1.22", "pss.capabilities", R, "v1.22", "{containers: [{name: web, image: x, securityContext: {capabilities: {drop: [ALL], add: [CHOWN]}}}]}", FindingResult.Fail)]
    [InlineData("restricted adding SYS_ADMIN at v1.0 (baseline forbids it)", "pss.capabilities", R, "v1.0", "{containers: [{name: web, image: x, securityContext: {capabilities: {add: [SYS_ADMIN]}}}]}", FindingResult.Fail)]
    [InlineData("restricted Windows pod without drop ALL before the exemption", "pss.capabilities", R, "v1.24", "{os: {name: windows}, containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("restricted Windows pod without drop ALL from the exemption", "pss.capabilities", R, "v1.25", "{os: {name: windows}, containers: [" + Web + "]}", FindingResult.Pass)]
    // procMount: baseline relaxes it for user-namespace pods from v1.35, restricted never does.
    [InlineData("baseline Unmasked in a user namespace before the relaxation", "pss.procMount", B, "v1.34", "{hostUsers: false, containers: [{name: web, image: x, securityContext: {procMount: Unmasked}}]}", FindingResult.Fail)]
    [InlineData("baseline Unmasked in a user namespace from the relaxation", "pss.procMount", B, "v1.35", "{hostUsers: false, containers: [{name: web, image: x, securityContext: {procMount: Unmasked}}]}", FindingResult.Pass)]
    [InlineData("restricted Unmasked in a user namespace from the relaxation", "pss.procMount", R, "v1.35", "{hostUsers: false, containers: [{name: web, image: x, securityContext: {procMount: Unmasked}}]}", FindingResult.Fail)]
    [InlineData("baseline Unmasked outside a user namespace", "pss.procMount", B, "latest", "{containers: [{name: web, image: x, securityContext: {procMount: Unmasked}}]}", FindingResult.Fail)]
    // seLinuxOptions: container_engine_t from v1.31.
    [InlineData("container_engine_t before v1.31", "pss.seLinuxOptions", B, "v1.30", "{securityContext: {seLinuxOptions: {type: container_engine_t}}, containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("container_engine_t from v1.31", "pss.seLinuxOptions", B, "v1.31", "{securityContext: {seLinuxOptions: {type: container_engine_t}}, containers: [" + Web + "]}", FindingResult.Pass)]
    [InlineData("container_kvm_t at v1.0", "pss.seLinuxOptions", B, "v1.0", "{securityContext: {seLinuxOptions: {type: container_kvm_t}}, containers: [" + Web + "]}", FindingResult.Pass)]
    // sysctls: additions at v1.27, v1.29, v1.32, v1.37.
    [InlineData("ip_local_reserved_ports before v1.27", "pss.sysctls", B, "v1.26", "{securityContext: {sysctls: [{name: net.ipv4.ip_local_reserved_ports, value: '8080'}]}, containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("ip_local_reserved_ports from v1.27", "pss.sysctls", B, "v1.27", "{securityContext: {sysctls: [{name: net.ipv4.ip_local_reserved_ports, value: '8080'}]}, containers: [" + Web + "]}", FindingResult.Pass)]
    [InlineData("tcp_keepalive_time before v1.29", "pss.sysctls", B, "v1.28", "{securityContext: {sysctls: [{name: net.ipv4.tcp_keepalive_time, value: '300'}]}, containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("tcp_keepalive_time from v1.29", "pss.sysctls", B, "v1.29", "{securityContext: {sysctls: [{name: net.ipv4.tcp_keepalive_time, value: '300'}]}, containers: [" + Web + "]}", FindingResult.Pass)]
    [InlineData("tcp_rmem before v1.32", "pss.sysctls", R, "v1.31", "{securityContext: {sysctls: [{name: net.ipv4.tcp_rmem, value: '4096 87380 6291456'}]}, containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("tcp_rmem from v1.32", "pss.sysctls", B, "v1.32", "{securityContext: {sysctls: [{name: net.ipv4.tcp_rmem, value: '4096 87380 6291456'}]}, containers: [" + Web + "]}", FindingResult.Pass)]
    [InlineData("tcp_notsent_lowat before v1.37", "pss.sysctls", B, "v1.36", "{securityContext: {sysctls: [{name: net.ipv4.tcp_notsent_lowat, value: '16384'}]}, containers: [" + Web + "]}", FindingResult.Fail)]
    [InlineData("tcp_notsent_lowat from v1.37", "pss.sysctls", B, "v1.37", "{securityContext: {sysctls: [{name: net.ipv4.tcp_notsent_lowat, value: '16384'}]}, containers: [" + Web + "]}", FindingResult.Pass)]
    [InlineData("tcp_slow_start_after_idle at latest", "pss.sysctls", B, "latest", "{securityContext: {sysctls: [{name: net.ipv4.tcp_slow_start_after_idle, value: '0'}]}, containers: [" + Web + "]}", FindingResult.Pass)]
    [InlineData("tcp_slow_start_after_idle above the newest known version", "pss.sysctls", B, "v1.99", "{securityContext: {sysctls: [{name: net.ipv4.tcp_slow_start_after_idle, value: '0'}]}, containers: [" + Web + "]}", FindingResult.Pass)]
    [InlineData("an unsafe sysctl at every version", "pss.sysctls", B, "v1.99", "{securityContext: {sysctls: [{name: kernel.msgmax, value: '65536'}]}, containers: [" + Web + "]}", FindingResult.Fail)]
    // appArmorProfile: one definition since v1.0 that reads the fields too.
    [InlineData("appArmorProfile Unconfined at v1.0", "pss.appArmorProfile", B, "v1.0", "{securityContext: {appArmorProfile: {type: Unconfined}}, containers: [" + Web + "]}", FindingResult.Fail)]
    public void A_versioned_check_follows_the_definition_in_force_at_the_policy_version(
        string name, string rule, string level, string version, string spec, FindingResult? expected)
    {
        var findings = Evaluate(level, version, spec).Of(rule);
        FindingResult? actual = findings.Count == 0 ? null : findings.Any(f => f.Result == FindingResult.Fail) ? FindingResult.Fail : findings[0].Result;
        Assert.True(expected == actual, $"{name}: expected {expected?.ToString() ?? "not evaluated"}, got {actual?.ToString() ?? "not evaluated"}: {string.Join("; ", findings.Select(f => f.Message))}");
    }

    [Theory]
    [InlineData("{seccomp.security.alpha.kubernetes.io/pod: unconfined}", FindingResult.Fail, "pod: annotation seccomp.security.alpha.kubernetes.io/pod is unconfined")]
    [InlineData("{seccomp.security.alpha.kubernetes.io/pod: ''}", FindingResult.Fail, "pod: annotation seccomp.security.alpha.kubernetes.io/pod is empty")]
    [InlineData("{container.seccomp.security.alpha.kubernetes.io/web: unconfined}", FindingResult.Fail, "container web: annotation container.seccomp.security.alpha.kubernetes.io/web is unconfined")]
    [InlineData("{container.seccomp.security.alpha.kubernetes.io/ghost: unconfined}", FindingResult.Pass, null)]
    [InlineData("{seccomp.security.alpha.kubernetes.io/pod: runtime/default, container.seccomp.security.alpha.kubernetes.io/web: docker/default}", FindingResult.Pass, null)]
    [InlineData("{container.seccomp.security.alpha.kubernetes.io/web: localhost/profiles/web.json}", FindingResult.Pass, null)]
    public void Before_v1_19_seccomp_is_read_from_the_alpha_annotations(string annotations, FindingResult expected, string? message)
    {
        var yaml = $"apiVersion: v1\nkind: Pod\nmetadata: {{name: w, namespace: shop, annotations: {annotations}}}\nspec: {{containers: [{Web}]}}\n";
        var findings = TestEvaluation.Evaluate("podSecurity: {level: baseline, version: v1.18}", yaml).FindingsOf("Pod", "w").Of("pss.seccompProfile");
        Assert.Equal(expected, findings.Any(f => f.Result == FindingResult.Fail) ? FindingResult.Fail : FindingResult.Pass);
        if (message is not null) Assert.Equal(message, Assert.Single(findings).Message);

        // From v1.19 the annotations configure nothing Pod Security Admission reads.
        var later = TestEvaluation.Evaluate("podSecurity: {level: baseline, version: v1.19}", yaml).FindingsOf("Pod", "w").Of("pss.seccompProfile");
        Assert.All(later, f => Assert.Equal(FindingResult.Pass, f.Result));
    }

    [Fact]
    public void A_message_whose_verdict_depends_on_an_older_version_names_it()
    {
        const string spec = "{securityContext: {sysctls: [{name: net.ipv4.tcp_rmem, value: '1'}]}, containers: [" + Web + "]}";
        var finding = Assert.Single(Evaluate(B, "v1.31", spec).Of("pss.sysctls"));
        Assert.Equal("pod: securityContext.sysctls[0].name is net.ipv4.tcp_rmem, which is not a safe sysctl at Pod Security Standards v1.31", finding.Message);
    }

    [Fact]
    public void The_enabled_rules_follow_the_version()
    {
        var family = new PodSecurityRules();
        IReadOnlyList<string> Ids(string level, string version) =>
            family.EnabledRules(TestEvaluation.Policy($"podSecurity: {{level: {level}, version: '{version}'}}").Spec).Select(r => r.Id).ToList();

        Assert.DoesNotContain("pss.allowPrivilegeEscalation", Ids(R, "v1.7"));
        Assert.Contains("pss.allowPrivilegeEscalation", Ids(R, "v1.8"));
        Assert.DoesNotContain("pss.runAsUser", Ids(R, "v1.22"));
        Assert.Contains("pss.runAsUser", Ids(R, "v1.23"));
        Assert.DoesNotContain("pss.hostProbesAndHostLifecycle", Ids(B, "v1.33"));
        Assert.Contains("pss.hostProbesAndHostLifecycle", Ids(B, "v1.34"));
        Assert.Equal(11, Ids(B, "v1.0").Count);
        Assert.Equal(13, Ids(R, "v1.0").Count);
        Assert.Equal(Ids(R, "latest"), Ids(R, "v1.37"));
        Assert.Equal(Ids(R, "latest"), Ids(R, "v1.40"));
        Assert.Equal(family.Rules.Select(r => r.Id), Ids(R, "latest"));
        // The lists are made once per version, not per evaluation.
        var spec = TestEvaluation.Policy("podSecurity: {level: restricted, version: v1.30}").Spec;
        Assert.Same(family.EnabledRules(spec), family.EnabledRules(spec));
    }

    [Fact]
    public void Admission_follows_the_policy_version()
    {
        const string podSpec = """{"containers": [{"name": "web", "image": "x", "securityContext": {"allowPrivilegeEscalation": true}}], "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}}}""";
        const string policy = "mode: Enforce\nmatch: {namespaceSelector: {matchLabels: {env: prod}}}\npodSecurity: {level: restricted, version: VERSION}";
        var review = Admission.AdmissionReviews.Review("Pod", podSpec);

        var old = Admission.AdmissionReviews.Decide(review, policySpecs: policy.Replace("VERSION", "v1.7", StringComparison.Ordinal));
        Assert.True(old.Allowed, old.Message);

        var latest = Admission.AdmissionReviews.Decide(review, policySpecs: policy.Replace("VERSION", "latest", StringComparison.Ordinal));
        Assert.False(latest.Allowed);
        Assert.Contains("pss.allowPrivilegeEscalation", latest.FailedRules);
        Assert.Contains("pss.capabilities", latest.FailedRules);
    }

    // ---------------------------------------------------------------- upstream fixtures (test/testdata, see PodSecurityFixtures/README.md)

    private static readonly string FixtureDirectory = RepositoryPaths.Of("tests", "Operator.Tests", "Rules", "PodSecurityFixtures");

    public static TheoryData<string> FixtureFiles() =>
        [.. Directory.EnumerateFiles(FixtureDirectory, "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Every upstream fixture at its own level and version: a pass fixture passes every pss.* rule; a fail fixture
    /// fails the rule of the check it is named after (the file of the upstream fixture names the check).
    /// </summary>
    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void Upstream_fixtures_get_the_upstream_verdict(string file)
    {
        var (level, version, expectPass) = ParseFixtureFileName(file);
        var evaluation = EvaluateFixtures(file, level, version);
        var mismatches = new List<string>();
        foreach (var resource in evaluation.Resources)
        {
            var pss = resource.Findings.Where(f => f.Rule.Id.StartsWith("pss.", StringComparison.Ordinal)).ToList();
            var failed = pss.Where(f => f.Result == FindingResult.Fail).ToList();
            if (expectPass)
            {
                if (failed.Count > 0) mismatches.Add($"{resource.Resource.Name} should pass: {string.Join("; ", failed.Select(f => $"{f.Rule.Id} {f.Message}"))}");
                continue;
            }

            var rule = RuleOfFixture(resource.Resource.Name);
            if (!failed.Any(f => f.Rule.Id == rule))
            {
                mismatches.Add($"{resource.Resource.Name} should fail {rule}; failed: [{string.Join("; ", failed.Select(f => f.Rule.Id))}]");
            }
        }

        Assert.NotEmpty(evaluation.Resources);
        Assert.True(mismatches.Count == 0, $"{file} at {level} {version}:\n" + string.Join("\n", mismatches));
    }

    /// <summary>
    /// Upstream fixtures evaluated at the version next to theirs, across the version where a definition changed:
    /// the verdict changes exactly there.
    /// </summary>
    [Theory]
    [InlineData("restricted-v1.8-fail.yaml", "allowprivilegeescalation0", "v1.7", true)]
    [InlineData("restricted-v1.7-pass.yaml", "base", "v1.8", false)]
    [InlineData("baseline-v1.18-fail.yaml", "seccompprofile_baseline0", "v1.19", true)]
    [InlineData("baseline-v1.19-fail.yaml", "seccompprofile_baseline0", "v1.18", true)]
    [InlineData("restricted-v1.19-fail.yaml", "seccompprofile_restricted0", "v1.18", true)]
    [InlineData("restricted-v1.18-pass.yaml", "base", "v1.19", false)]
    [InlineData("restricted-v1.22-fail.yaml", "capabilities_restricted0", "v1.21", true)]
    [InlineData("restricted-v1.21-pass.yaml", "base", "v1.22", false)]
    [InlineData("restricted-v1.23-fail.yaml", "runasuser0", "v1.22", true)]
    [InlineData("restricted-v1.29-pass.yaml", "base_windows", "v1.24", false)]
    [InlineData("restricted-v1.29-pass.yaml", "base_windows", "v1.25", true)]
    [InlineData("baseline-v1.27-pass.yaml", "sysctls1", "v1.26", false)]
    [InlineData("baseline-v1.29-pass.yaml", "sysctls1", "v1.28", false)]
    [InlineData("baseline-v1.32-pass.yaml", "sysctls1", "v1.31", false)]
    [InlineData("baseline-v1.37-pass.yaml", "sysctls1", "v1.36", false)]
    [InlineData("baseline-v1.37-pass.yaml", "sysctls1", "latest", true)]
    [InlineData("baseline-v1.37-pass.yaml", "sysctls1", "v1.38", true)]
    [InlineData("baseline-v1.34-fail.yaml", "hostprobesandhostlifecycle0", "v1.33", true)]
    [InlineData("baseline-v1.35-pass.yaml", "procmount1", "v1.34", false)]
    [InlineData("restricted-v1.37-fail.yaml", "procmount_restricted0", "v1.34", false)]
    public void Upstream_fixtures_change_verdict_at_the_version_their_definition_changed(string file, string pod, string version, bool passes)
    {
        var (level, _, _) = ParseFixtureFileName(file);
        var resource = EvaluateFixtures(file, level, version).Resources.Single(r => r.Resource.Name == pod);
        var failed = resource.Findings.Where(f => f.Rule.Id.StartsWith("pss.", StringComparison.Ordinal) && f.Result == FindingResult.Fail).ToList();
        Assert.True(passes == (failed.Count == 0), $"{pod} at {level} {version}: expected {(passes ? "pass" : "fail")}, failed [{string.Join("; ", failed.Select(f => f.Message))}]");
    }

    private static PolicyEvaluation EvaluateFixtures(string file, string level, string version) =>
        TestEvaluation.Evaluate($"podSecurity: {{level: {level}, version: '{version}'}}", File.ReadAllText(Path.Combine(FixtureDirectory, file)));

    /// <summary><c>restricted-v1.22-fail.yaml</c> → restricted, v1.22, fail.</summary>
    private static (string Level, string Version, bool Pass) ParseFixtureFileName(string file)
    {
        var parts = Path.GetFileNameWithoutExtension(file).Split('-');
        Assert.Equal(3, parts.Length);
        return (parts[0], parts[1], parts[2] == "pass");
    }

    /// <summary>The rule of an upstream check id: <c>capabilities_restricted3</c> → <c>pss.capabilities</c>.</summary>
    private static string RuleOfFixture(string podName)
    {
        var check = podName.TrimEnd("0123456789".ToCharArray());
        foreach (var suffix in new[] { "_baseline", "_restricted" })
        {
            if (check.EndsWith(suffix, StringComparison.Ordinal)) check = check[..^suffix.Length];
        }

        var rule = new PodSecurityRules().Rules.SingleOrDefault(r => string.Equals(r.Id, "pss." + check, StringComparison.OrdinalIgnoreCase));
        Assert.True(rule is not null, $"no pss.* rule for upstream check {check}");
        return rule.Id;
    }

    private static IReadOnlyList<Finding> Evaluate(string level, string version, string spec) =>
        TestEvaluation.Evaluate($"podSecurity: {{level: {level}, version: '{version}'}}",
            $"apiVersion: v1\nkind: Pod\nmetadata: {{name: w, namespace: shop}}\nspec: {spec}\n").FindingsOf("Pod", "w");
}
