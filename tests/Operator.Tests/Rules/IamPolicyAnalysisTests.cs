namespace EksHardening.Operator.Tests.Rules;

public class IamPolicyAnalysisTests
{
    private const string Account = "111122223333";
    private const string Issuer = "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    private const string Provider = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    private const string ProviderArn = "arn:aws:iam::" + Account + ":oidc-provider/" + Provider;
    private const string ClusterArn = "arn:aws:eks:us-west-2:" + Account + ":cluster/my-cluster";

    // The trust policy of the EKS user guide, "Assign IAM roles to Kubernetes service accounts".
    private static string IrsaDocsTrust(string ns = "default", string sa = "my-service-account") => $$"""
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": { "Federated": "{{ProviderArn}}" },
              "Action": "sts:AssumeRoleWithWebIdentity",
              "Condition": {
                "StringEquals": {
                  "{{Provider}}:sub": "system:serviceaccount:{{ns}}:{{sa}}",
                  "{{Provider}}:aud": "sts.amazonaws.com"
                }
              }
            }
          ]
        }
        """;

    /// <summary>One IRSA statement with the given condition block (JSON object text).</summary>
    private static string IrsaTrust(string condition, string action = "\"sts:AssumeRoleWithWebIdentity\"", string extraStatements = "") => $$"""
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": { "Federated": "{{ProviderArn}}" },
              "Action": {{action}},
              "Condition": {{condition}}
            }{{extraStatements}}
          ]
        }
        """;

    private static TrustPolicyVerdict Irsa(string json, string? issuer = Issuer) =>
        IamPolicyAnalysis.CheckIrsaTrust(json, issuer, "default", "my-service-account");

    private static void AssertProblem(TrustPolicyVerdict verdict, params string[] fragments)
    {
        Assert.Equal(TrustPolicyOutcome.NotScoped, verdict.Outcome);
        Assert.False(verdict.IsScoped);
        Assert.Contains(verdict.Problems, p => fragments.All(f => p.Contains(f, StringComparison.Ordinal)));
    }

    // ------------------------------------------------------------------ IRSA: passes

    [Fact]
    public void The_EKS_guide_trust_policy_is_scoped()
    {
        var verdict = Irsa(IrsaDocsTrust());
        Assert.Equal(TrustPolicyOutcome.Scoped, verdict.Outcome);
        Assert.Empty(verdict.Problems);
        Assert.Empty(verdict.Notes);
        Assert.Equal("the trust policy is scoped", verdict.Message);
    }

    [Fact]
    public void Tolerates_the_written_forms_IAM_accepts()
    {
        // Statement as an object, principal, action and values as arrays, condition keys in another case,
        // the issuer with a trailing slash.
        var json = $$"""
            {
              "Statement": {
                "Effect": "Allow",
                "Principal": { "Federated": ["{{ProviderArn}}"] },
                "Action": ["sts:AssumeRoleWithWebIdentity"],
                "Condition": { "StringEquals": {
                  "{{Provider.ToUpperInvariant()}}:SUB": ["system:serviceaccount:default:my-service-account"],
                  "{{Provider}}:Aud": "sts.amazonaws.com" } }
              }
            }
            """;
        Assert.True(Irsa(json, Issuer + "/").IsScoped);
    }

    [Fact]
    public void URL_encoded_documents_are_decoded()
    {
        Assert.True(Irsa(Uri.EscapeDataString(IrsaDocsTrust())).IsScoped);
    }

    [Fact]
    public void An_unknown_cluster_accepts_any_EKS_provider_and_says_so()
    {
        var verdict = Irsa(IrsaDocsTrust(), issuer: null);
        Assert.True(verdict.IsScoped);
        Assert.Contains(verdict.Notes, n => n.Contains("issuer is unknown", StringComparison.Ordinal) && n.Contains(Provider, StringComparison.Ordinal));
        Assert.Contains("issuer is unknown", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Further_ANDed_conditions_and_Deny_statements_do_not_spoil_a_scoped_statement()
    {
        var json = IrsaTrust($$"""
            {
              "StringEquals": { "{{Provider}}:sub": "system:serviceaccount:default:my-service-account", "{{Provider}}:aud": "sts.amazonaws.com" },
              "StringLike": { "{{Provider}}:sub": "system:serviceaccount:*" }
            }
            """, extraStatements: """
            ,
            { "Effect": "Deny", "Principal": "*", "Action": "*" }
            """);
        Assert.True(Irsa(json).IsScoped);
    }

    [Fact]
    public void The_roles_own_account_root_is_a_note_not_a_failure()
    {
        var json = IrsaTrust(Conditions(), extraStatements: $$"""
            ,
            { "Sid": "Admins", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::{{Account}}:root" }, "Action": "sts:AssumeRole" }
            """);
        var verdict = Irsa(json);
        Assert.True(verdict.IsScoped);
        Assert.Contains(verdict.Notes, n => n.Contains("Statement[1] (Sid \"Admins\")", StringComparison.Ordinal) && n.Contains("own account", StringComparison.Ordinal));
    }

    private static string Conditions(string sub = "\"system:serviceaccount:default:my-service-account\"", string aud = "\"sts.amazonaws.com\"", string op = "StringEquals") =>
        $$"""{ "{{op}}": { "{{Provider}}:sub": {{sub}}, "{{Provider}}:aud": {{aud}} } }""";

    // ------------------------------------------------------------------ IRSA: failures

    [Fact]
    public void A_missing_sub_condition_fails()
    {
        var json = IrsaTrust($$"""{ "StringEquals": { "{{Provider}}:aud": "sts.amazonaws.com" } }""");
        AssertProblem(Irsa(json), "Statement[0]", $"no StringEquals condition on \"{Provider}:sub\"", "every service account");
    }

    [Fact]
    public void StringLike_on_sub_fails_even_though_it_admits_the_service_account()
    {
        // The pattern from third-party guides: every service account of the namespace.
        var verdict = Irsa(IrsaTrust(Conditions(sub: "\"system:serviceaccount:default:*\"", op: "StringLike")));
        AssertProblem(verdict, "Statement[0]", "StringLike", "instead of StringEquals", "wildcards");
        Assert.DoesNotContain(verdict.Problems, p => p.StartsWith("no statement lets", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ForAnyValue:StringEquals", "ForAnyValue")]
    [InlineData("ForAllValues:StringEquals", "ForAllValues")]
    [InlineData("StringEqualsIfExists", "IfExists")]
    public void Loosened_StringEquals_on_sub_fails(string op, string reason)
    {
        var json = IrsaTrust($$"""
            { "{{op}}": { "{{Provider}}:sub": "system:serviceaccount:default:my-service-account" },
              "StringEquals": { "{{Provider}}:aud": "sts.amazonaws.com" } }
            """);
        AssertProblem(Irsa(json), "Statement[0]", op, reason);
    }

    [Fact]
    public void A_sub_for_another_service_account_fails_and_the_role_is_unusable()
    {
        var verdict = Irsa(IrsaDocsTrust(ns: "batch", sa: "etl"));
        AssertProblem(verdict, "Statement[0]", "restricts", "\"system:serviceaccount:batch:etl\"", "not \"system:serviceaccount:default:my-service-account\"");
        AssertProblem(verdict, "no statement lets system:serviceaccount:default:my-service-account assume the role", "IRSA cannot use this role");
    }

    [Fact]
    public void Several_subs_including_this_one_mean_a_shared_role()
    {
        var subs = """["system:serviceaccount:default:my-service-account", "system:serviceaccount:batch:etl"]""";
        var verdict = Irsa(IrsaTrust(Conditions(sub: subs)));
        AssertProblem(verdict, "Statement[0]", "\"system:serviceaccount:batch:etl\"", "shared with other service accounts");
        Assert.Single(verdict.Problems);
    }

    [Fact]
    public void Several_subs_of_other_service_accounts_fail()
    {
        var subs = """["system:serviceaccount:batch:etl", "system:serviceaccount:shop:web"]""";
        var verdict = Irsa(IrsaTrust(Conditions(sub: subs)));
        AssertProblem(verdict, "restricts", "\"system:serviceaccount:batch:etl\", \"system:serviceaccount:shop:web\"");
        AssertProblem(verdict, "no statement lets");
    }

    [Fact]
    public void A_second_statement_for_another_service_account_fails()
    {
        var other = $$"""
            ,
            { "Sid": "Etl", "Effect": "Allow", "Principal": { "Federated": "{{ProviderArn}}" }, "Action": "sts:AssumeRoleWithWebIdentity",
              "Condition": { "StringEquals": { "{{Provider}}:sub": "system:serviceaccount:batch:etl", "{{Provider}}:aud": "sts.amazonaws.com" } } }
            """;
        var verdict = Irsa(IrsaTrust(Conditions(), extraStatements: other));
        AssertProblem(verdict, "Statement[1] (Sid \"Etl\")", "system:serviceaccount:batch:etl");
        Assert.DoesNotContain(verdict.Problems, p => p.StartsWith("no statement lets", StringComparison.Ordinal));
    }

    [Fact]
    public void A_literal_star_in_StringEquals_is_called_out()
    {
        AssertProblem(Irsa(IrsaTrust(Conditions(sub: "\"system:serviceaccount:default:*\""))), "compares literally");
    }

    [Fact]
    public void A_missing_aud_condition_fails()
    {
        var json = IrsaTrust($$"""{ "StringEquals": { "{{Provider}}:sub": "system:serviceaccount:default:my-service-account" } }""");
        var verdict = Irsa(json);
        AssertProblem(verdict, "Statement[0]", $"no StringEquals condition on \"{Provider}:aud\"", "any audience");
        Assert.Single(verdict.Problems);
    }

    [Fact]
    public void Another_or_an_extra_audience_fails()
    {
        AssertProblem(Irsa(IrsaTrust(Conditions(aud: "\"my-app\""))), "Statement[0]", "restricts", $"\"{Provider}:aud\"", "\"my-app\"", "not \"sts.amazonaws.com\"");
        AssertProblem(Irsa(IrsaTrust(Conditions(aud: """["sts.amazonaws.com", "my-app"]"""))), "\"my-app\"", "other audiences");
    }

    [Fact]
    public void A_condition_key_with_the_scheme_does_not_apply_and_says_why()
    {
        // A frequent slip: the issuer URL with https:// as the key prefix; IAM never sets such a key.
        var json = IrsaTrust($$"""
            { "StringEquals": { "https://{{Provider}}:sub": "system:serviceaccount:default:my-service-account", "{{Provider}}:aud": "sts.amazonaws.com" } }
            """);
        AssertProblem(Irsa(json), $"no StringEquals condition on \"{Provider}:sub\"", $"\"https://{Provider}:sub\" does not apply");
    }

    [Theory]
    [InlineData("\"*\"", "\"*\"")]
    [InlineData("{ \"AWS\": \"*\" }", "a \"*\" principal")]
    [InlineData("{ \"Federated\": \"*\" }", "a \"*\" principal")]
    public void A_wildcard_principal_fails(string principal, string how)
    {
        var json = IrsaTrust(Conditions(), extraStatements: $$"""
            ,
            { "Effect": "Allow", "Principal": {{principal}}, "Action": "sts:AssumeRole", "Condition": { "StringEquals": { "aws:PrincipalOrgID": "o-123" } } }
            """);
        AssertProblem(Irsa(json), "Statement[1]", "any principal", how, "not counted as scoping");
    }

    [Fact]
    public void Another_accounts_root_fails_in_either_form()
    {
        var json = IrsaTrust(Conditions(), extraStatements: """
            ,
            { "Effect": "Allow", "Principal": { "AWS": ["arn:aws:iam::999988887777:root", "444455556666"] }, "Action": "sts:AssumeRole" }
            """);
        var verdict = Irsa(json);
        AssertProblem(verdict, "Statement[1]", "every principal of account 999988887777");
        AssertProblem(verdict, "Statement[1]", "every principal of account 444455556666 assume");
    }

    [Fact]
    public void A_specific_role_of_another_account_is_only_noted()
    {
        var json = IrsaTrust(Conditions(), extraStatements: """
            ,
            { "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::999988887777:role/deployer" }, "Action": "sts:AssumeRole" }
            """);
        var verdict = Irsa(json);
        Assert.True(verdict.IsScoped);
        Assert.Contains(verdict.Notes, n => n.Contains("arn:aws:iam::999988887777:role/deployer", StringComparison.Ordinal));
    }

    [Fact]
    public void NotPrincipal_with_Allow_fails()
    {
        var json = IrsaTrust(Conditions(), extraStatements: """
            ,
            { "Effect": "Allow", "NotPrincipal": { "AWS": "arn:aws:iam::999988887777:root" }, "Action": "sts:AssumeRole" }
            """);
        AssertProblem(Irsa(json), "Statement[1]", "NotPrincipal");
    }

    [Fact]
    public void Another_clusters_provider_fails()
    {
        const string other = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
        var json = IrsaDocsTrust().Replace(Provider, other, StringComparison.Ordinal);
        var verdict = Irsa(json);
        AssertProblem(verdict, "Statement[0]", $"trusts the OIDC provider {other}, not this cluster's ({Provider})");
        AssertProblem(verdict, "no statement lets", $"the cluster's OIDC provider {Provider}");
    }

    [Fact]
    public void A_provider_that_is_not_an_EKS_cluster_fails()
    {
        var json = IrsaTrust(Conditions(), extraStatements: """
            ,
            { "Effect": "Allow", "Principal": { "Federated": "cognito-identity.amazonaws.com" }, "Action": "sts:AssumeRoleWithWebIdentity",
              "Condition": { "StringEquals": { "cognito-identity.amazonaws.com:aud": "us-east-1:12345678-abcd-abcd-abcd-123456789012" } } }
            """);
        AssertProblem(Irsa(json), "Statement[1]", "cognito-identity.amazonaws.com", "not an EKS cluster's OIDC provider");
    }

    [Fact]
    public void Action_wildcards_and_NotAction_count_as_granting_web_identity()
    {
        var noConditions = "{}";
        AssertProblem(Irsa(IrsaTrust(noConditions, action: "\"sts:*\"")), "no StringEquals condition on");
        AssertProblem(Irsa(IrsaTrust(noConditions, action: "\"*\"")), "no StringEquals condition on");
        AssertProblem(Irsa(IrsaTrust(noConditions, action: "\"STS:AssumeRoleWith*\"")), "no StringEquals condition on");

        var notAction = IrsaTrust(noConditions, action: "\"sts:AssumeRole\"").Replace("\"Action\"", "\"NotAction\"", StringComparison.Ordinal);
        AssertProblem(Irsa(notAction), "no StringEquals condition on");

        // NotAction excluding web identity: the statement grants it nothing, so the role is unusable by IRSA.
        var excluded = IrsaTrust(Conditions(), action: "\"sts:AssumeRoleWithWebIdentity\"").Replace("\"Action\"", "\"NotAction\"", StringComparison.Ordinal);
        var verdict = Irsa(excluded);
        AssertProblem(verdict, "no statement lets");
        Assert.Single(verdict.Problems);
    }

    [Fact]
    public void An_AWS_service_principal_fails_and_alone_is_unusable()
    {
        var verdict = Irsa("""
            { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Principal": { "Service": "ec2.amazonaws.com" }, "Action": "sts:AssumeRole" } ] }
            """);
        AssertProblem(verdict, "Statement[0]", "the AWS service ec2.amazonaws.com");
        AssertProblem(verdict, "no statement lets");
    }

    [Fact]
    public void A_scoped_Pod_Identity_statement_beside_IRSA_is_noted()
    {
        var json = IrsaTrust(Conditions(), extraStatements: $$"""
            ,
            { "Effect": "Allow", "Principal": { "Service": "pods.eks.amazonaws.com" }, "Action": ["sts:AssumeRole", "sts:TagSession"],
              "Condition": { "StringEquals": { "aws:SourceAccount": "{{Account}}" } } }
            """);
        var verdict = Irsa(json);
        Assert.True(verdict.IsScoped, verdict.Message);
        Assert.Contains(verdict.Notes, n => n.Contains("EKS Pod Identity", StringComparison.Ordinal));

        var unscoped = IrsaTrust(Conditions(), extraStatements: """
            ,
            { "Effect": "Allow", "Principal": { "Service": "pods.eks.amazonaws.com" }, "Action": ["sts:AssumeRole", "sts:TagSession"] }
            """);
        AssertProblem(Irsa(unscoped), "Statement[1]", "without an aws:SourceAccount or aws:SourceArn condition");
    }

    // ------------------------------------------------------------------ Unreadable documents

    [Theory]
    [InlineData("")]
    [InlineData("{ \"Version\": \"2012-10-17\", \"Statement\": [ ")]
    [InlineData("[]")]
    [InlineData("{ \"Version\": \"2012-10-17\" }")]
    [InlineData("{ \"Statement\": \"Allow\" }")]
    [InlineData("{ \"Statement\": [ { \"Action\": \"*\" } ] }")]
    [InlineData("{ \"Statement\": [ { \"Effect\": \"Maybe\", \"Action\": \"*\" } ] }")]
    [InlineData("{ \"Statement\": [ { \"Effect\": \"Allow\", \"Action\": 7 } ] }")]
    [InlineData("{ \"Statement\": [ { \"Effect\": \"Allow\", \"Action\": \"*\", \"NotAction\": \"s3:*\" } ] }")]
    [InlineData("{ \"Statement\": [ { \"Effect\": \"Allow\", \"Principal\": \"me\", \"Action\": \"*\" } ] }")]
    [InlineData("{ \"Statement\": [ { \"Effect\": \"Allow\", \"Principal\": { \"Robot\": \"x\" }, \"Action\": \"*\" } ] }")]
    [InlineData("{ \"Statement\": [ { \"Effect\": \"Allow\", \"Action\": \"*\", \"Condition\": { \"StringEquals\": \"x\" } } ] }")]
    public void Malformed_documents_are_unreadable_never_scoped(string json)
    {
        var irsa = Irsa(json);
        Assert.Equal(TrustPolicyOutcome.Unreadable, irsa.Outcome);
        Assert.False(irsa.IsScoped);
        Assert.StartsWith("the trust policy could not be read: the policy document", irsa.Message, StringComparison.Ordinal);

        Assert.Equal(TrustPolicyOutcome.Unreadable, IamPolicyAnalysis.CheckPodIdentityTrust(json, ClusterArn, Account).Outcome);
        Assert.Throws<FormatException>(() => IamPolicyAnalysis.FindWildcardActions(json));
        Assert.Null(IamPolicyDocument.TryParse(json, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void The_parser_keeps_what_was_written()
    {
        var policy = IamPolicyDocument.TryParse("""
            { "Version": "2012-10-17", "Statement": { "Sid": "S", "Effect": "Allow", "Principal": { "AWS": "123456789012", "Service": ["a.amazonaws.com", "b.amazonaws.com"] },
              "Action": "sts:AssumeRole", "Condition": { "ForAnyValue:StringLikeIfExists": { "aws:TagKeys": ["a", "b"] }, "Bool": { "aws:SecureTransport": true } } } }
            """, out var problem);
        Assert.Null(problem);
        Assert.NotNull(policy);
        Assert.Equal("2012-10-17", policy.Version);
        var statement = Assert.Single(policy.Statements);
        Assert.Equal("Statement[0] (Sid \"S\")", statement.Label);
        Assert.Equal(["123456789012"], statement.Principal!.Aws);
        Assert.Equal(2, statement.Principal.Service.Count);
        var set = statement.Conditions[0];
        Assert.Equal((ConditionSetQualifier.ForAnyValue, "StringLike", true, "aws:TagKeys"), (set.Qualifier, set.BaseOperator, set.IfExists, set.Key));
        Assert.Equal(["true"], statement.Conditions[1].Values);
    }

    // ------------------------------------------------------------------ EKS Pod Identity

    // The trust policy of the EKS user guide, "Create IAM role with trust policy required by EKS Pod Identity",
    // with an optional condition block.
    private static string PodTrust(string? condition = null, string actions = """["sts:AssumeRole", "sts:TagSession"]""", string extraStatements = "") => $$"""
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Sid": "AllowEksAuthToAssumeRoleForPodIdentity",
              "Effect": "Allow",
              "Principal": { "Service": "pods.eks.amazonaws.com" },
              "Action": {{actions}}{{(condition is null ? "" : ",\n      \"Condition\": " + condition)}}
            }{{extraStatements}}
          ]
        }
        """;

    private static TrustPolicyVerdict Pod(string json, string? cluster = ClusterArn) =>
        IamPolicyAnalysis.CheckPodIdentityTrust(json, cluster, Account);

    [Fact]
    public void The_EKS_guide_minimal_Pod_Identity_trust_is_not_scoped()
    {
        AssertProblem(Pod(PodTrust()), "Statement[0] (Sid \"AllowEksAuthToAssumeRoleForPodIdentity\")", "without an aws:SourceAccount or aws:SourceArn condition", "any cluster");
    }

    [Fact]
    public void The_EKS_guide_namespace_and_service_account_tags_alone_do_not_bound_the_account()
    {
        var json = PodTrust("""
            { "StringEquals": { "aws:RequestTag/kubernetes-namespace": ["default"], "aws:RequestTag/kubernetes-service-account": ["my-service-account"] } }
            """);
        AssertProblem(Pod(json), "without an aws:SourceAccount or aws:SourceArn condition");
    }

    [Fact]
    public void The_cluster_ARN_as_source_is_scoped_without_notes()
    {
        var verdict = Pod(PodTrust($$"""
            { "StringEquals": { "aws:SourceAccount": "{{Account}}" }, "ArnEquals": { "aws:SourceArn": "{{ClusterArn}}" } }
            """));
        Assert.True(verdict.IsScoped, verdict.Message);
        Assert.Empty(verdict.Notes);
    }

    [Fact]
    public void The_eks_cluster_arn_session_tag_counts_like_the_source_ARN()
    {
        var verdict = Pod(PodTrust($$"""
            { "StringEquals": { "aws:RequestTag/eks-cluster-arn": "{{ClusterArn}}", "aws:RequestTag/kubernetes-namespace": "default" } }
            """));
        Assert.True(verdict.IsScoped, verdict.Message);
        Assert.Empty(verdict.Notes);
    }

    [Fact]
    public void The_source_account_alone_is_scoped_with_a_note()
    {
        var verdict = Pod(PodTrust($$"""{ "StringEquals": { "aws:SourceAccount": "{{Account}}" } }"""));
        Assert.True(verdict.IsScoped);
        Assert.Contains(verdict.Notes, n => n.Contains($"account {Account} but not to one cluster", StringComparison.Ordinal));
    }

    [Fact]
    public void A_source_ARN_pattern_within_the_account_is_account_scoped()
    {
        var verdict = Pod(PodTrust($$"""{ "ArnLike": { "aws:SourceArn": "arn:aws:eks:*:{{Account}}:cluster/*" } }"""));
        Assert.True(verdict.IsScoped, verdict.Message);
        Assert.Contains(verdict.Notes, n => n.Contains("not to one cluster", StringComparison.Ordinal));

        AssertProblem(Pod(PodTrust("""{ "ArnLike": { "aws:SourceArn": "arn:aws:eks:*:*:cluster/*" } }""")), "reach beyond account");
    }

    [Fact]
    public void An_unknown_cluster_accepts_a_cluster_ARN_of_the_account_and_says_so()
    {
        var verdict = Pod(PodTrust($$"""{ "ArnEquals": { "aws:SourceArn": "{{ClusterArn}}" } }"""), cluster: null);
        Assert.True(verdict.IsScoped, verdict.Message);
        Assert.Contains(verdict.Notes, n => n.Contains("cluster is unknown", StringComparison.Ordinal));
    }

    [Fact]
    public void Another_source_account_fails()
    {
        var verdict = Pod(PodTrust("""{ "StringEquals": { "aws:SourceAccount": "999988887777" } }"""));
        AssertProblem(verdict, "Statement[0]", "reach beyond account 111122223333", "aws:SourceAccount \"999988887777\"", "clusters of other accounts");
        AssertProblem(verdict, "no statement lets EKS Pod Identity");
    }

    [Fact]
    public void Another_cluster_as_source_makes_the_role_unusable_here()
    {
        var verdict = Pod(PodTrust($$"""{ "ArnEquals": { "aws:SourceArn": "arn:aws:eks:us-west-2:{{Account}}:cluster/other" } }"""));
        AssertProblem(verdict, $"no statement lets EKS Pod Identity (pods.eks.amazonaws.com) on cluster {ClusterArn}");
        Assert.Single(verdict.Problems);
        Assert.Empty(verdict.Notes);
    }

    [Fact]
    public void Loosened_source_conditions_do_not_scope()
    {
        AssertProblem(Pod(PodTrust($$"""{ "StringEqualsIfExists": { "aws:SourceAccount": "{{Account}}" } }""")), "without an aws:SourceAccount");
        AssertProblem(Pod(PodTrust($$"""{ "ForAnyValue:StringEquals": { "aws:SourceAccount": "{{Account}}" } }""")), "without an aws:SourceAccount");
    }

    [Fact]
    public void Missing_TagSession_is_a_note()
    {
        var verdict = Pod(PodTrust($$"""{ "StringEquals": { "aws:SourceAccount": "{{Account}}" } }""", actions: "\"sts:AssumeRole\""));
        Assert.True(verdict.IsScoped);
        Assert.Contains(verdict.Notes, n => n.Contains("sts:TagSession", StringComparison.Ordinal));
    }

    [Fact]
    public void Broad_other_principals_fail_beside_a_scoped_Pod_Identity_statement()
    {
        var scoped = $$"""{ "StringEquals": { "aws:SourceAccount": "{{Account}}" } }""";
        AssertProblem(Pod(PodTrust(scoped, extraStatements: """
            ,
            { "Effect": "Allow", "Principal": { "AWS": "*" }, "Action": "sts:AssumeRole" }
            """)), "Statement[1]", "any principal");
        AssertProblem(Pod(PodTrust(scoped, extraStatements: """
            ,
            { "Effect": "Allow", "Principal": { "AWS": "999988887777" }, "Action": "sts:*" }
            """)), "Statement[1]", "every principal of account 999988887777");
        AssertProblem(Pod(PodTrust(scoped, extraStatements: """
            ,
            { "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" }, "Action": "sts:AssumeRole" }
            """)), "Statement[1]", "lambda.amazonaws.com");
        AssertProblem(Pod(PodTrust(scoped, extraStatements: $$"""
            ,
            { "Effect": "Allow", "Principal": { "Federated": "{{ProviderArn}}" }, "Action": "sts:AssumeRoleWithWebIdentity" }
            """)), "Statement[1]", "every identity of web identity provider");

        var ownRoot = Pod(PodTrust(scoped, extraStatements: $$"""
            ,
            { "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::{{Account}}:root" }, "Action": "sts:AssumeRole" }
            """));
        Assert.True(ownRoot.IsScoped, ownRoot.Message);
    }

    [Fact]
    public void A_trust_policy_without_Pod_Identity_is_unusable()
    {
        AssertProblem(Pod(IrsaDocsTrust()), "no statement lets EKS Pod Identity");
    }

    // ------------------------------------------------------------------ Wildcard actions

    // AWS managed AdministratorAccess.
    private const string AdministratorAccess = """
        { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "*", "Resource": "*" } ] }
        """;

    // Shaped like AWS managed PowerUserAccess: everything but IAM, Organizations and Account, plus a few IAM reads.
    private const string PowerUserAccess = """
        {
          "Version": "2012-10-17",
          "Statement": [
            { "Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*" },
            { "Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization"], "Resource": "*" }
          ]
        }
        """;

    // Shaped like AWS managed IAMFullAccess.
    private const string IamFullAccess = """
        {
          "Version": "2012-10-17",
          "Statement": [ { "Effect": "Allow", "Action": ["iam:*", "organizations:DescribeAccount", "organizations:ListRoots"], "Resource": "*" } ]
        }
        """;

    [Fact]
    public void AdministratorAccess_grants_everything_on_everything()
    {
        var grant = Assert.Single(IamPolicyAnalysis.FindWildcardActions(AdministratorAccess));
        Assert.Equal(new WildcardGrant(0, null, "*", WildcardKind.AllActions, true), grant);
        Assert.Equal("Statement[0] allows \"*\" on all resources", grant.Description);
    }

    [Fact]
    public void A_service_wildcard_is_found_among_specific_actions()
    {
        var grant = Assert.Single(IamPolicyAnalysis.FindWildcardActions(IamFullAccess));
        Assert.Equal(("iam:*", WildcardKind.ServiceWide, true), (grant.Action, grant.Kind, grant.AllResources));
    }

    [Fact]
    public void NotAction_with_Allow_is_a_wildcard_grant()
    {
        var grant = Assert.Single(IamPolicyAnalysis.FindWildcardActions(PowerUserAccess));
        Assert.Equal(WildcardKind.NotAction, grant.Kind);
        Assert.Equal("iam:*, organizations:*, account:*", grant.Action);
        Assert.Equal("Statement[0] allows every action except iam:*, organizations:*, account:* (NotAction) on all resources", grant.Description);
    }

    [Theory]
    [InlineData("\"*\"", WildcardKind.AllActions)]
    [InlineData("\"*:*\"", WildcardKind.AllActions)]
    [InlineData("[\"s3:GetObject\", \"S3:*\"]", WildcardKind.ServiceWide)]
    [InlineData("\"IAM:*\"", WildcardKind.ServiceWide)]
    [InlineData("[\"ec2:**\"]", WildcardKind.ServiceWide)]
    public void Whole_service_wildcards_are_found_in_any_case_and_form(string action, WildcardKind kind)
    {
        var json = $$"""{ "Statement": [ { "Sid": "Broad", "Effect": "Allow", "Action": {{action}}, "Resource": "arn:aws:s3:::bucket/*" } ] }""";
        var grant = Assert.Single(IamPolicyAnalysis.FindWildcardActions(json));
        Assert.Equal(kind, grant.Kind);
        Assert.Equal("Broad", grant.Sid);
        Assert.False(grant.AllResources);
        Assert.StartsWith("Statement[0] (Sid \"Broad\") allows", grant.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("s3:Get*")]
    [InlineData("iam:Pass*")]
    [InlineData("s3:*Object")]
    [InlineData("*:Get*")]
    [InlineData("ec2:Describe*")]
    public void Partial_wildcards_are_not_reported(string action)
    {
        var json = $$"""{ "Statement": [ { "Effect": "Allow", "Action": "{{action}}", "Resource": "*" } ] }""";
        Assert.Empty(IamPolicyAnalysis.FindWildcardActions(json));
    }

    [Fact]
    public void Deny_statements_are_ignored()
    {
        var json = """
            { "Statement": [
              { "Effect": "Deny", "Action": "*", "Resource": "*" },
              { "Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*" },
              { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" } ] }
            """;
        Assert.Empty(IamPolicyAnalysis.FindWildcardActions(json));
    }

    [Fact]
    public void Each_grant_names_its_statement_and_NotResource_counts_as_all_resources()
    {
        var json = """
            { "Statement": [
              { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" },
              { "Effect": "Allow", "Action": ["sqs:*", "sns:*"], "Resource": ["arn:aws:sqs:*:111122223333:q", "*"] },
              { "Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::audit-logs/*" } ] }
            """;
        var grants = IamPolicyAnalysis.FindWildcardActions(json);
        Assert.Equal(
            [(1, "sqs:*", true), (1, "sns:*", true), (2, "*", true)],
            grants.Select(g => (g.StatementIndex, g.Action, g.AllResources)));
    }

    // ------------------------------------------------------------------ Managed policies

    private static readonly string[] DesignDefaults = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

    [Theory]
    [InlineData("AdministratorAccess", true)]
    [InlineData("arn:aws:iam::aws:policy/AdministratorAccess", true)]
    [InlineData("arn:aws-cn:iam::aws:policy/PowerUserAccess", true)]
    [InlineData("arn:aws-us-gov:iam::aws:policy/IAMFullAccess", true)]
    [InlineData("  arn:aws:iam::aws:policy/AdministratorAccess ", true)]
    [InlineData("arn:aws:iam::aws:policy/job-function/AdministratorAccess", true)]
    [InlineData("administratoraccess", false)]
    [InlineData("arn:aws:iam::aws:policy/administratoraccess", false)]
    [InlineData("arn:aws:iam::aws:policy/AdministratorAccess-Amplify", false)]
    [InlineData("arn:aws:iam::aws:policy/ReadOnlyAccess", false)]
    [InlineData("arn:aws:iam::111122223333:policy/AdministratorAccess", false)]
    [InlineData("arn:aws:iam::aws:role/AdministratorAccess", false)]
    [InlineData("", false)]
    public void Denied_managed_policies_match_by_name_case_sensitively(string policy, bool denied) =>
        Assert.Equal(denied, IamPolicyAnalysis.IsDeniedManagedPolicy(policy, DesignDefaults));

    [Theory]
    [InlineData("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "job-function/ViewOnlyAccess", true)]
    [InlineData("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "ViewOnlyAccess", true)]
    [InlineData("arn:aws:iam::aws:policy/ViewOnlyAccess", "job-function/ViewOnlyAccess", false)]
    [InlineData("arn:aws-cn:iam::aws:policy/job-function/DataScientist", "arn:aws:iam::aws:policy/job-function/DataScientist", true)]
    [InlineData("DataScientist", "arn:aws:iam::aws:policy/job-function/DataScientist", true)]
    [InlineData("arn:aws:iam::111122223333:policy/team/Everything", "arn:aws:iam::111122223333:policy/team/Everything", true)]
    [InlineData("arn:aws:iam::111122223333:policy/team/Everything", "Everything", false)]
    [InlineData("arn:aws:iam::444455556666:policy/team/Everything", "arn:aws:iam::111122223333:policy/team/Everything", false)]
    public void Denied_entries_may_be_paths_or_ARNs(string policy, string entry, bool denied) =>
        Assert.Equal(denied, IamPolicyAnalysis.IsDeniedManagedPolicy(policy, [entry]));
}
