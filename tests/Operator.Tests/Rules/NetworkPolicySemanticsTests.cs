namespace EksHardening.Operator.Tests.Rules;

public class NetworkPolicySemanticsTests
{
    private static readonly IPAddress Imds = NetworkPolicySemantics.InstanceMetadataAddress;
    private static readonly Dictionary<string, string> WebLabels = new() { ["app"] = "web" };

    /// <summary>A NetworkPolicy shop/p whose spec is the given flow-style YAML mapping.</summary>
    private static V1NetworkPolicy Policy(string specYaml, string name = "p") =>
        KubernetesYaml.Deserialize<V1NetworkPolicy>(
            $"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: shop}}\nspec: {specYaml}\n");

    private static NetworkPolicyRuleMatch? EgressRule0(string specYaml, IPAddress address, string protocol = "TCP", int port = 80) =>
        NetworkPolicySemantics.RuleAdmits(Policy(specYaml), TrafficDirection.Egress, 0, address, protocol, port);

    // policyTypes: "If this field is not specified, it will default based on the existence of ingress or egress rules;
    // policies that contain an egress section are assumed to affect egress, and all policies are assumed to affect ingress."
    [Theory]
    [InlineData("{podSelector: {}}", "Ingress")]
    [InlineData("{podSelector: {}, ingress: [{}]}", "Ingress")]
    [InlineData("{podSelector: {}, egress: []}", "Ingress")]
    [InlineData("{podSelector: {}, egress: [{}]}", "Ingress,Egress")]
    [InlineData("{podSelector: {}, policyTypes: [], egress: [{}]}", "Ingress,Egress")]
    [InlineData("{podSelector: {}, policyTypes: [Egress]}", "Egress")]
    [InlineData("{podSelector: {}, policyTypes: [Egress], ingress: [{}]}", "Egress")]
    [InlineData("{podSelector: {}, policyTypes: [Ingress], egress: [{}]}", "Ingress")]
    [InlineData("{podSelector: {}, policyTypes: [Ingress, Egress]}", "Ingress,Egress")]
    public void Effective_policy_types_follow_the_api_defaulting(string spec, string expected)
    {
        Assert.Equal(expected, string.Join(",", NetworkPolicySemantics.EffectivePolicyTypes(Policy(spec))));
    }

    [Fact]
    public void A_policy_without_spec_defaults_to_deny_all_ingress()
    {
        var policy = new V1NetworkPolicy { Metadata = new V1ObjectMeta { Name = "bare", NamespaceProperty = "shop" } };
        Assert.True(NetworkPolicySemantics.IsDefaultDeny(policy, TrafficDirection.Ingress));
        Assert.False(NetworkPolicySemantics.IsDefaultDeny(policy, TrafficDirection.Egress));
    }

    [Theory]
    [InlineData("{podSelector: {}, policyTypes: [Ingress]}", TrafficDirection.Ingress, true)]
    [InlineData("{podSelector: {}, policyTypes: [Ingress], ingress: []}", TrafficDirection.Ingress, true)]
    [InlineData("{podSelector: {}}", TrafficDirection.Ingress, true)]
    [InlineData("{podSelector: {}, ingress: [{}]}", TrafficDirection.Ingress, false)]
    [InlineData("{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}", TrafficDirection.Ingress, false)]
    [InlineData("{podSelector: {}, policyTypes: [Egress]}", TrafficDirection.Egress, true)]
    [InlineData("{podSelector: {}, policyTypes: [Ingress, Egress], egress: []}", TrafficDirection.Egress, true)]
    [InlineData("{podSelector: {}, egress: []}", TrafficDirection.Egress, false)]
    [InlineData("{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 53, protocol: UDP}]}]}", TrafficDirection.Egress, false)]
    [InlineData("{podSelector: {matchExpressions: [{key: app, operator: Exists}]}, policyTypes: [Egress]}", TrafficDirection.Egress, false)]
    public void Default_deny_needs_an_empty_selector_the_type_and_no_rules(string spec, TrafficDirection direction, bool expected)
    {
        Assert.Equal(expected, NetworkPolicySemantics.IsDefaultDeny(Policy(spec), direction));
    }

    [Theory]
    [InlineData(TrafficDirection.Ingress)]
    [InlineData(TrafficDirection.Egress)]
    public void The_canonical_default_deny_policy_is_recognised(TrafficDirection direction)
    {
        var policy = NetworkPolicySemantics.DefaultDenyPolicy("shop", direction);
        Assert.Equal($"default-deny-{direction.ToString().ToLowerInvariant()}", policy.Metadata.Name);
        Assert.True(NetworkPolicySemantics.IsDefaultDeny(policy, direction));
        var other = direction == TrafficDirection.Ingress ? TrafficDirection.Egress : TrafficDirection.Ingress;
        Assert.False(NetworkPolicySemantics.AppliesTo(policy, other));
    }

    [Fact]
    public void Pod_selection_uses_the_label_selector_and_an_absent_selector_selects_all()
    {
        Assert.True(NetworkPolicySemantics.SelectsPod(Policy("{podSelector: {matchLabels: {app: web}}}"), WebLabels));
        Assert.False(NetworkPolicySemantics.SelectsPod(Policy("{podSelector: {matchLabels: {app: api}}}"), WebLabels));
        Assert.True(NetworkPolicySemantics.SelectsPod(Policy("{podSelector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}}"), WebLabels));
        Assert.False(NetworkPolicySemantics.SelectsPod(Policy("{podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [web]}]}}"), WebLabels));
        Assert.True(NetworkPolicySemantics.SelectsPod(Policy("{policyTypes: [Ingress]}"), null));
        Assert.True(NetworkPolicySemantics.SelectsAllPods(Policy("{policyTypes: [Ingress]}")));
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("169.254.169.254/32", "169.254.169.254/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("192.168.1.1/24", "192.168.1.0/24")]        // the API's own example: host bits are masked
    [InlineData("010.000.0.1/8", "10.0.0.0/8")]             // leading zeros are decimal, as the API's parser reads them
    [InlineData("fd00:ec2::254/128", "fd00:ec2::254/128")]
    [InlineData("::/0", "::/0")]
    [InlineData("2001:db8::1/32", "2001:db8::/32")]
    [InlineData("::ffff:169.254.0.0/112", "169.254.0.0/16")] // IPv4-mapped networks are their IPv4 network
    public void Cidrs_parse_as_the_api_server_accepts_them(string text, string expected)
    {
        Assert.True(NetworkPolicySemantics.TryParseCidr(text, out var network));
        Assert.Equal(expected, network.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-cidr")]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/")]
    [InlineData("/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0/8")]
    [InlineData("10.0.0.0.0/8")]
    [InlineData("256.0.0.0/8")]
    [InlineData("0x0A.0.0.0/8")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/8 ")]
    [InlineData("::/129")]
    [InlineData("fe80::1%eth0/64")]
    [InlineData("2001:db8:::1/64")]
    [InlineData("[2001:db8::]/64")]
    public void Malformed_cidrs_are_rejected(string? text)
    {
        Assert.False(NetworkPolicySemantics.TryParseCidr(text, out _));
    }

    [Theory]
    [InlineData("0.0.0.0/0", null, true)]
    [InlineData("169.254.0.0/16", null, true)]
    [InlineData("169.254.169.254/32", null, true)]
    [InlineData("0.0.0.0/0", "169.254.169.254/32", false)]
    [InlineData("0.0.0.0/0", "169.254.0.0/16", false)]
    [InlineData("0.0.0.0/0", "10.0.0.0/8", true)]
    [InlineData("10.0.0.0/8", null, false)]
    [InlineData("::/0", null, false)]
    [InlineData("::ffff:0.0.0.0/96", null, true)]
    public void IpBlock_admits_inside_cidr_and_outside_every_except(string cidr, string? except, bool expected)
    {
        Assert.True(NetworkPolicySemantics.TryParseCidr(cidr, out var block));
        IPNetwork[] excluded = [];
        if (except is not null)
        {
            Assert.True(NetworkPolicySemantics.TryParseCidr(except, out var e));
            excluded = [e];
        }

        Assert.Equal(expected, NetworkPolicySemantics.IpBlockAdmits(block, excluded, Imds));
        Assert.Equal(expected, NetworkPolicySemantics.IpBlockAdmits(block, excluded, Imds.MapToIPv6()));
    }

    [Theory]
    [InlineData("{port: 80}", "TCP", 80, true)]                       // protocol defaults to TCP
    [InlineData("{protocol: TCP}", "TCP", 80, true)]                  // no port: every port of the protocol
    [InlineData("{protocol: UDP, port: 80}", "TCP", 80, false)]
    [InlineData("{protocol: UDP}", "TCP", 80, false)]
    [InlineData("{port: 443}", "TCP", 80, false)]
    [InlineData("{port: 1, endPort: 1024}", "TCP", 80, true)]
    [InlineData("{port: 80, endPort: 80}", "TCP", 80, true)]
    [InlineData("{port: 81, endPort: 8080}", "TCP", 80, false)]
    [InlineData("{port: 1, endPort: 79}", "TCP", 80, false)]
    [InlineData("{port: http}", "TCP", 80, false)]                    // named ports resolve against destination pods
    [InlineData("{protocol: SCTP, port: 80}", "SCTP", 80, true)]
    public void Ports_follow_protocol_default_ranges_and_named_ports(string portYaml, string protocol, int port, bool expected)
    {
        var entry = KubernetesYaml.Deserialize<V1NetworkPolicyPort>(portYaml);
        Assert.Equal(expected, NetworkPolicySemantics.PortAdmits(entry, protocol, port));
    }

    [Fact]
    public void Absent_or_empty_ports_admit_every_port()
    {
        Assert.True(NetworkPolicySemantics.PortsAdmit(null, "TCP", 80));
        Assert.True(NetworkPolicySemantics.PortsAdmit([], "UDP", 53));
    }

    [Fact]
    public void A_rule_without_to_admits_every_destination()
    {
        var match = EgressRule0("{podSelector: {}, policyTypes: [Egress], egress: [{}]}", Imds);
        Assert.NotNull(match);
        Assert.Null(match.PeerIndex);
        Assert.Null(match.PortIndex);
        Assert.Equal("spec.egress[0]", match.Path);
        Assert.NotNull(EgressRule0("{egress: [{to: []}]}", Imds));
    }

    [Fact]
    public void A_rule_must_match_both_its_peers_and_its_ports()
    {
        Assert.Null(EgressRule0("{egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 443}]}]}", Imds));
        var match = EgressRule0("{egress: [{to: [{podSelector: {}}, {ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 443}, {port: 80}]}]}", Imds);
        Assert.NotNull(match);
        Assert.Equal(1, match.PeerIndex);
        Assert.Equal(1, match.PortIndex);
    }

    [Theory]
    [InlineData("{egress: [{to: [{podSelector: {}}]}]}")]
    [InlineData("{egress: [{to: [{namespaceSelector: {}}]}]}")]
    [InlineData("{egress: [{to: [{namespaceSelector: {}, podSelector: {}}]}]}")]
    public void Selector_peers_select_pods_and_never_an_address(string spec)
    {
        Assert.Null(EgressRule0(spec, Imds));
    }

    [Fact]
    public void Ingress_rules_read_from_peers()
    {
        var policy = Policy("{ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]}]}");
        Assert.NotNull(NetworkPolicySemantics.RuleAdmits(policy, TrafficDirection.Ingress, 0, IPAddress.Parse("10.2.3.4"), "TCP", 8080));
        Assert.Null(NetworkPolicySemantics.RuleAdmits(policy, TrafficDirection.Ingress, 0, IPAddress.Parse("10.1.3.4"), "TCP", 8080));
        Assert.Null(NetworkPolicySemantics.RuleAdmits(policy, TrafficDirection.Egress, 0, IPAddress.Parse("10.2.3.4"), "TCP", 8080));
    }

    [Fact]
    public void Malformed_cidrs_are_reported_with_their_field_and_admit_nothing()
    {
        var policy = Policy("{policyTypes: [Egress], egress: [{ports: [{port: 443}]}, {to: [{podSelector: {}}, {ipBlock: {cidr: 169.254.0.0/33}}, {ipBlock: {cidr: 0.0.0.0/0, except: [bogus]}}]}]}");
        var malformed = NetworkPolicySemantics.MalformedCidrs(policy, TrafficDirection.Egress);
        Assert.Equal(["spec.egress[1].to[1].ipBlock.cidr", "spec.egress[1].to[2].ipBlock.except[0]"], malformed.Select(m => m.Path));
        Assert.Equal(["169.254.0.0/33", "bogus"], malformed.Select(m => m.Value));
        Assert.Null(NetworkPolicySemantics.RuleAdmits(policy, TrafficDirection.Egress, 1, Imds, "TCP", 80));
        Assert.Empty(NetworkPolicySemantics.MalformedCidrs(policy, TrafficDirection.Ingress));
    }

    [Fact]
    public void Flows_are_allowed_without_isolation_and_otherwise_only_by_a_rule()
    {
        V1NetworkPolicy[] ingressOnly = [Policy("{podSelector: {}}")];
        var open = NetworkPolicySemantics.EvaluateFlow(ingressOnly, WebLabels, TrafficDirection.Egress, Imds, "TCP", 80);
        Assert.False(open.Isolated);
        Assert.True(open.Allowed);

        V1NetworkPolicy[] denyAndAllow =
        [
            Policy("{podSelector: {}, policyTypes: [Egress]}", "deny"),
            Policy("{podSelector: {matchLabels: {app: api}}, egress: [{}]}", "api-open"),
            Policy("{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}, {ports: [{port: 80}]}]}", "web"),
        ];
        var verdict = NetworkPolicySemantics.EvaluateFlow(denyAndAllow, WebLabels, TrafficDirection.Egress, Imds, "TCP", 80);
        Assert.True(verdict.Isolated);
        Assert.True(verdict.Allowed);
        var match = Assert.Single(verdict.AdmittedBy);
        Assert.Equal("web", match.Policy.Metadata.Name);
        Assert.Equal(1, match.RuleIndex);
        Assert.Equal(0, match.PortIndex);

        Assert.False(NetworkPolicySemantics.EvaluateFlow(denyAndAllow, WebLabels, TrafficDirection.Egress, Imds, "TCP", 443).Allowed);
    }

    [Fact]
    public void Egress_rules_of_a_policy_without_Egress_type_are_ignored()
    {
        V1NetworkPolicy[] policies =
        [
            Policy("{podSelector: {}, policyTypes: [Egress]}", "deny"),
            Policy("{podSelector: {}, policyTypes: [Ingress], egress: [{}]}", "ingress-only"),
        ];
        var verdict = NetworkPolicySemantics.EvaluateFlow(policies, WebLabels, TrafficDirection.Egress, Imds, "TCP", 80);
        Assert.True(verdict.Isolated);
        Assert.False(verdict.Allowed);
    }

    [Fact]
    public void Parsing_is_cached_per_policy_object_and_results_are_stable()
    {
        var policy = Policy("{egress: [{to: [{ipBlock: {cidr: 169.254.0.0/16}}]}]}");
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(NetworkPolicySemantics.RuleAdmits(policy, TrafficDirection.Egress, 0, Imds, "TCP", 80));
        }

        Assert.Null(NetworkPolicySemantics.RuleAdmits(policy, TrafficDirection.Egress, 5, Imds, "TCP", 80));
    }
}
