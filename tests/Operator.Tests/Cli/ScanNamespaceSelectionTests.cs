namespace EksHardening.Operator.Tests.Cli;

/// <summary>
/// The scan fails closed on namespace selection: a policy that selects namespaces by label, over manifests without
/// their Namespace objects (the usual <c>helm template | eks-hardening scan -f -</c>), evaluates those namespaces'
/// resources as selected and says so in every output format; <c>--namespace-labels</c> or Namespace objects decide it.
/// </summary>
public sealed class ScanNamespaceSelectionTests : ScanTestBase
{
    /// <summary>What <c>helm template</c> prints for a chart with one privileged Deployment: no Namespace object.</summary>
    private const string HelmTemplate = """
        ---
        # Source: shop/templates/deployment.yaml
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.25", securityContext: {privileged: true}}]}
        """;

    private static string Policy(string selector) => $$"""
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: prod}
        spec:
          match: {namespaceSelector: {{selector}}}
          podSecurity: {level: baseline}
        """;

    private const string ProdSelector = "{matchLabels: {env: prod}}";

    private static JsonElement PolicyJson(Outcome outcome)
    {
        using var json = JsonDocument.Parse(outcome.Stdout);
        return json.RootElement.GetProperty("policies")[0].Clone();
    }

    [Fact]
    public void Helm_template_into_the_default_policy_no_longer_reports_0_resources_and_exit_0()
    {
        // No --policy and no policy among the inputs: the shipped example policy, which selects env=prod.
        var outcome = Scan(HelmTemplate, "-f", "-");

        Assert.Equal(ScanCommand.ExitViolations, outcome.ExitCode);
        Assert.DoesNotContain("0 resources", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("pss.privileged", outcome.Stdout, StringComparison.Ordinal);
        var text = string.Join(' ', outcome.Stdout.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Note: 2 resources in namespace shop were evaluated as selected by policy production", text, StringComparison.Ordinal);
        Assert.Contains("--namespace-labels shop=KEY=VALUE[,KEY=VALUE...] (shop= for none)", text, StringComparison.Ordinal);
        Assert.Contains("Undecided: 2 resources evaluated as selected because the labels of namespaces shop were unknown", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_names_the_undecided_namespaces_counts_their_resources_and_carries_the_note()
    {
        var outcome = Scan(HelmTemplate, "-f", "-", "--policy", Write("p.yaml", Policy(ProdSelector)), "-o", "json");
        Assert.Equal(ScanCommand.ExitViolations, outcome.ExitCode);

        var policy = PolicyJson(outcome);
        Assert.Equal(["shop"], policy.GetProperty("undecidedNamespaces").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(1, policy.GetProperty("undecidedResources").GetInt32());
        Assert.Equal(1, policy.GetProperty("summary").GetProperty("resources").GetInt32());
        var note = policy.GetProperty("note").GetString()!;
        Assert.StartsWith("1 resource in namespace shop was evaluated as selected by policy prod", note, StringComparison.Ordinal);
        Assert.Contains("--namespace-labels shop=KEY=VALUE[,KEY=VALUE...] (shop= for none)", note, StringComparison.Ordinal);
        Assert.Contains("adding the Namespace manifests", note, StringComparison.Ordinal);
        // The new fields come after every existing one (the JSON contract only ever adds at the end).
        Assert.Equal(["name", "mode", "summary", "resources", "clusterFindings", "expiredExemptions", "undecidedNamespaces", "undecidedResources", "note"],
            policy.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("shop=env=prod", 1, ScanCommand.ExitViolations)]
    [InlineData("shop=env=prod,team=payments", 1, ScanCommand.ExitViolations)]
    [InlineData("shop=env=dev", 0, ScanCommand.ExitClean)]
    [InlineData("shop=", 0, ScanCommand.ExitClean)]
    [InlineData("shop=env=", 0, ScanCommand.ExitClean)]
    public void Namespace_labels_from_the_flag_decide_the_selection(string flag, int resources, int exitCode)
    {
        var outcome = Scan(HelmTemplate, "-f", "-", "--policy", Write("p.yaml", Policy(ProdSelector)), "-o", "json", "--namespace-labels", flag);
        Assert.Equal(exitCode, outcome.ExitCode);
        var policy = PolicyJson(outcome);
        Assert.Equal(resources, policy.GetProperty("summary").GetProperty("resources").GetInt32());
        Assert.Empty(policy.GetProperty("undecidedNamespaces").EnumerateArray());
        Assert.Equal(0, policy.GetProperty("undecidedResources").GetInt32());
        Assert.Equal(JsonValueKind.Null, policy.GetProperty("note").ValueKind);
    }

    [Fact]
    public void The_flag_can_be_repeated_for_one_namespace_and_for_several()
    {
        var policy = Write("p.yaml", Policy("{matchLabels: {env: prod, team: payments}}"));
        var other = HelmTemplate.Replace("namespace: shop", "namespace: billing", StringComparison.Ordinal);
        var outcome = Scan(HelmTemplate + "\n---\n" + other, "-f", "-", "--policy", policy, "-o", "json",
            "--namespace-labels", "shop=env=prod", "--namespace-labels=shop=team=payments", "--namespace-labels", "billing=env=prod");
        var json = PolicyJson(outcome);
        var selected = json.GetProperty("resources").EnumerateArray().Select(r => $"{r.GetProperty("kind").GetString()} {r.GetProperty("namespace").GetString()}").ToList();
        Assert.Equal(["Deployment shop"], selected);
        Assert.Empty(json.GetProperty("undecidedNamespaces").EnumerateArray());
    }

    [Theory]
    [InlineData("env: dev", 0)]
    [InlineData("env: prod", 1)]
    public void A_Namespace_object_in_any_input_decides_the_selection(string labels, int resources)
    {
        var ns = Write("ns.yaml", $"apiVersion: v1\nkind: Namespace\nmetadata: {{name: shop, labels: {{{labels}}}}}\n");
        var outcome = Scan(HelmTemplate, "-f", "-", "-f", ns, "--policy", Write("p.yaml", Policy(ProdSelector)), "-o", "json");
        var policy = PolicyJson(outcome);
        Assert.Equal(resources, policy.GetProperty("resources").EnumerateArray().Count(r => r.GetProperty("kind").GetString() == "Deployment"));
        Assert.Empty(policy.GetProperty("undecidedNamespaces").EnumerateArray());
    }

    [Theory]
    // The name label is known without the object: a selector on it alone is decided.
    [InlineData("{matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [shop]}]}", 1, false)]
    [InlineData("{matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [shop]}]}", 0, false)]
    [InlineData("{matchLabels: {kubernetes.io/metadata.name: other}}", 0, false)]
    // A requirement on the name that fails excludes the namespace whatever its other labels.
    [InlineData("{matchLabels: {kubernetes.io/metadata.name: other, env: prod}}", 0, false)]
    // A requirement on the name that holds leaves the other labels to decide: undecided.
    [InlineData("{matchLabels: {kubernetes.io/metadata.name: shop, env: prod}}", 1, true)]
    [InlineData("{matchExpressions: [{key: env, operator: DoesNotExist}]}", 1, true)]
    [InlineData("{matchExpressions: [{key: env, operator: NotIn, values: [dev]}]}", 1, true)]
    // An empty selector selects every namespace.
    [InlineData("{}", 1, false)]
    public void A_selector_is_decided_on_the_name_label_where_it_can_be(string selector, int resources, bool undecided)
    {
        var outcome = Scan(HelmTemplate, "-f", "-", "--policy", Write("p.yaml", Policy(selector)), "-o", "json");
        var policy = PolicyJson(outcome);
        Assert.Equal(resources, policy.GetProperty("summary").GetProperty("resources").GetInt32());
        Assert.Equal(undecided ? ["shop"] : [], policy.GetProperty("undecidedNamespaces").EnumerateArray().Select(n => n.GetString()).ToArray());
    }

    [Fact]
    public void An_excluded_namespace_is_decided_without_its_labels()
    {
        var outcome = Scan(HelmTemplate, "-f", "-", "--policy", Write("p.yaml", Policy(ProdSelector).Replace("match: {", "match: {excludeNamespaces: [shop], ", StringComparison.Ordinal)), "-o", "json");
        Assert.Equal(ScanCommand.ExitClean, outcome.ExitCode);
        var policy = PolicyJson(outcome);
        Assert.Equal(0, policy.GetProperty("summary").GetProperty("resources").GetInt32());
        Assert.Empty(policy.GetProperty("undecidedNamespaces").EnumerateArray());
    }

    [Fact]
    public void A_policy_without_a_namespace_selector_has_nothing_undecided()
    {
        var policy = Policy(ProdSelector).Replace("match: {namespaceSelector: {matchLabels: {env: prod}}}", "match: {excludeNamespaces: [kube-system]}", StringComparison.Ordinal);
        var outcome = Scan(HelmTemplate, "-f", "-", "--policy", Write("p.yaml", policy));
        Assert.DoesNotContain("Note:", outcome.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Undecided:", outcome.Stdout, StringComparison.Ordinal);
    }

    [Trait("Category", "Slow")]
    [SkippableFact]
    public void Sarif_carries_the_note_as_a_tool_execution_notification()
    {
        var outcome = Scan(HelmTemplate, "-f", "-", "--policy", Write("p.yaml", Policy(ProdSelector)), "-o", "sarif");
        using var json = JsonDocument.Parse(outcome.Stdout);
        var run = json.RootElement.GetProperty("runs")[0];
        var invocation = Assert.Single(run.GetProperty("invocations").EnumerateArray());
        Assert.True(invocation.GetProperty("executionSuccessful").GetBoolean());
        var notification = Assert.Single(invocation.GetProperty("toolExecutionNotifications").EnumerateArray());
        Assert.Equal("warning", notification.GetProperty("level").GetString());
        Assert.Equal("namespace-labels-unknown", notification.GetProperty("descriptor").GetProperty("id").GetString());
        Assert.Contains("--namespace-labels shop=KEY=VALUE", notification.GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(["shop"], notification.GetProperty("properties").GetProperty("namespaces").EnumerateArray().Select(n => n.GetString()));
        Assert.NotEmpty(run.GetProperty("results").EnumerateArray());

        // Decided: no invocation object, as before this note existed.
        var decided = Scan(HelmTemplate, "-f", "-", "--policy", Write("p2.yaml", Policy(ProdSelector)), "-o", "sarif", "--namespace-labels", "shop=env=prod");
        using var decidedJson = JsonDocument.Parse(decided.Stdout);
        Assert.False(decidedJson.RootElement.GetProperty("runs")[0].TryGetProperty("invocations", out _));

        var errors = SarifMultitool.Errors(outcome.Stdout);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [InlineData("shop", "--namespace-labels 'shop' must be NS=KEY=VALUE[,KEY=VALUE...] (or NS= for a namespace without labels)")]
    [InlineData("Shop=env=prod", "--namespace-labels 'Shop=env=prod': 'Shop' is not a namespace name")]
    [InlineData("=env=prod", "--namespace-labels '=env=prod': '' is not a namespace name")]
    [InlineData("shop=env", "--namespace-labels 'shop=env': label 'env' has no value: write env=VALUE (env= for an empty value)")]
    [InlineData("shop=env=prod,", "--namespace-labels 'shop=env=prod,': label '' has no value")]
    [InlineData("shop=-env=prod", "--namespace-labels 'shop=-env=prod': \"-env\" is not a valid label key")]
    [InlineData("shop=env=pr od", "--namespace-labels 'shop=env=pr od': label env: \"pr od\" is not a valid label value")]
    public void Bad_namespace_labels_are_usage_errors_naming_the_flag(string value, string expected)
    {
        var outcome = Scan(HelmTemplate, "-f", "-", "--namespace-labels", value);
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains(expected, outcome.Stderr, StringComparison.Ordinal);
        Assert.Empty(outcome.Stdout);
    }

    [Fact]
    public void One_label_given_two_values_is_a_usage_error()
    {
        var outcome = Scan(HelmTemplate, "-f", "-", "--namespace-labels", "shop=env=prod", "--namespace-labels", "shop=env=dev");
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains("--namespace-labels: namespace shop is given label env twice, as 'prod' and as 'dev'", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_namespace_given_by_the_flag_and_by_an_object_is_an_input_error_naming_the_object()
    {
        var ns = Write("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {env: prod}}\n");
        var outcome = Scan(HelmTemplate, "-f", "-", "-f", ns, "--namespace-labels", "shop=env=prod");
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains($"--namespace-labels shop=...: the inputs hold Namespace shop ({ns}:1)", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_help_documents_the_flag()
    {
        var help = Scan(null, "--help").Stdout;
        Assert.Contains("--namespace-labels NS=KEY=VALUE[,KEY=VALUE...]", help, StringComparison.Ordinal);
        Assert.Contains("NS= means a namespace without labels", help, StringComparison.Ordinal);
    }
}
