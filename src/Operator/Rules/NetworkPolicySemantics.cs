namespace EksHardening.Operator.Rules;

/// <summary>A rule of a NetworkPolicy that admits a flow, and which of its peers and ports did.</summary>
/// <param name="PeerIndex">Index in <c>to</c>/<c>from</c>; null when the rule names no peers (all of them).</param>
/// <param name="PortIndex">Index in <c>ports</c>; null when the rule names no ports (all of them).</param>
public sealed record NetworkPolicyRuleMatch(V1NetworkPolicy Policy, TrafficDirection Direction, int RuleIndex, int? PeerIndex, int? PortIndex)
{
    /// <summary>Whether the policy selects the pod is only known at run time (its podSelector compares a label set then).</summary>
    public bool SelectionUnknown { get; init; }

    /// <summary>The rule's path in the policy, e.g. <c>spec.egress[0]</c>.</summary>
    public string Path => $"spec.{NetworkPolicySemantics.RulesField(Direction)}[{RuleIndex}]";
}

/// <summary>A <c>cidr</c> or <c>except</c> entry of an ipBlock that does not parse.</summary>
/// <param name="Path">Field path in the policy, e.g. <c>spec.egress[0].to[1].ipBlock.cidr</c>.</param>
public sealed record MalformedCidr(V1NetworkPolicy Policy, string Path, string? Value);

/// <summary>How the NetworkPolicies of a namespace treat one flow to or from one pod.</summary>
/// <param name="Isolated">A policy selecting the pod has the direction in its effective policyTypes.</param>
/// <param name="AdmittedBy">Rules of those policies that admit the flow.</param>
/// <param name="Malformed">Unparsable CIDRs in the rules of those policies: what they admit cannot be known.</param>
/// <remarks>
/// A policy whose selection of the pod is undecidable (a label value only known at run time) fails closed both ways:
/// it does not make the pod isolated, but its admitting rules and malformed CIDRs count.
/// </remarks>
public sealed record NetworkFlowVerdict(bool Isolated, IReadOnlyList<NetworkPolicyRuleMatch> AdmittedBy, IReadOnlyList<MalformedCidr> Malformed)
{
    /// <summary>Policies of the direction whose selection of the pod is only known at run time.</summary>
    public IReadOnlyList<V1NetworkPolicy> Undecided { get; init; } = [];

    /// <summary>Allowed when the pod is not isolated in that direction, or a rule admits the flow.</summary>
    public bool Allowed => !Isolated || AdmittedBy.Count > 0;
}

/// <summary>
/// The NetworkPolicy API (networking.k8s.io/v1) semantics the rules and the remediation share:
/// effective policyTypes, pod selection, default-deny, and whether a rule admits an address and port.
/// Pure; parsed CIDRs are cached per policy object, which callers must treat as immutable.
/// </summary>
public static class NetworkPolicySemantics
{
    /// <summary>The EC2 instance metadata service (IMDS) as pods reach it.</summary>
    public static readonly IPAddress InstanceMetadataAddress = new([169, 254, 169, 254]);

    public const int InstanceMetadataPort = 80;

    /// <summary>The protocol a NetworkPolicyPort means when it names none.</summary>
    public const string DefaultProtocol = "TCP";

    private static readonly ConditionalWeakTable<V1NetworkPolicy, CompiledPolicy> Compiled = new();

    /// <summary>The name of the default-deny policy the operator recommends and creates for a direction.</summary>
    public static string DefaultDenyPolicyName(TrafficDirection direction) =>
        direction == TrafficDirection.Ingress ? "default-deny-ingress" : "default-deny-egress";

    /// <summary>The canonical default-deny policy: selects every pod of the namespace and admits nothing.</summary>
    public static V1NetworkPolicy DefaultDenyPolicy(string ns, TrafficDirection direction) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new V1ObjectMeta { Name = DefaultDenyPolicyName(direction), NamespaceProperty = ns },
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector(),
            PolicyTypes = [direction.ToString()],
        },
    };

    /// <summary>
    /// The policyTypes the policy enforces. When the field is absent (or empty) the API server defaults it
    /// to Ingress, plus Egress when the policy has at least one egress rule; <c>egress: []</c> adds nothing.
    /// </summary>
    public static IReadOnlyList<TrafficDirection> EffectivePolicyTypes(V1NetworkPolicy policy)
    {
        var compiled = Compile(policy);
        return (compiled.Ingress, compiled.Egress) switch
        {
            (true, true) => [TrafficDirection.Ingress, TrafficDirection.Egress],
            (true, false) => [TrafficDirection.Ingress],
            (false, true) => [TrafficDirection.Egress],
            _ => [],
        };
    }

    /// <summary>Whether the policy's effective policyTypes include <paramref name="direction"/>.</summary>
    public static bool AppliesTo(V1NetworkPolicy policy, TrafficDirection direction) => Compile(policy).AppliesTo(direction);

    /// <summary>Whether the policy certainly selects pods with these labels; an absent podSelector means <c>{}</c>.</summary>
    public static bool SelectsPod(V1NetworkPolicy policy, IDictionary<string, string>? podLabels) =>
        Selection(policy, podLabels) == SelectorMatch.Yes;

    /// <summary>Whether the policy selects pods with these labels, or cannot be told before the pods exist (<see cref="LabelSelectors.Decide"/>).</summary>
    public static SelectorMatch Selection(V1NetworkPolicy policy, IDictionary<string, string>? podLabels)
    {
        var selector = policy.Spec?.PodSelector;
        return selector is null ? SelectorMatch.Yes : LabelSelectors.Decide(selector, podLabels);
    }

    /// <summary>The policies of any of <paramref name="directions"/> whose selection of the pod is only known at run time, each once (by direction, then policy).</summary>
    public static IReadOnlyList<V1NetworkPolicy> UndecidedSelections(IReadOnlyList<V1NetworkPolicy> policies, IDictionary<string, string>? podLabels, IReadOnlyList<TrafficDirection> directions)
    {
        // Indexed, no LINQ: every pod that a namespace leaves uncovered asks.
        List<V1NetworkPolicy>? undecided = null;
        for (var d = 0; d < directions.Count; d++)
        {
            for (var i = 0; i < policies.Count; i++)
            {
                var policy = policies[i];
                if (AppliesTo(policy, directions[d]) && Selection(policy, podLabels) == SelectorMatch.Unknown && undecided?.Contains(policy) != true) (undecided ??= []).Add(policy);
            }
        }

        return undecided ?? [];
    }

    /// <summary>Whether the podSelector is empty (or absent), so that the policy selects every pod of its namespace.</summary>
    public static bool SelectsAllPods(V1NetworkPolicy policy) =>
        policy.Spec?.PodSelector is not { } selector || LabelSelectors.IsEmpty(selector);

    /// <summary>
    /// A default-deny policy for <paramref name="direction"/>: it selects all pods, its effective policyTypes
    /// include the direction, and it has no rules for it (absent or empty list).
    /// </summary>
    public static bool IsDefaultDeny(V1NetworkPolicy policy, TrafficDirection direction) =>
        SelectsAllPods(policy) && AppliesTo(policy, direction) && RuleCount(policy, direction) == 0;

    /// <summary>How many rules the policy lists for <paramref name="direction"/>.</summary>
    public static int RuleCount(V1NetworkPolicy policy, TrafficDirection direction) =>
        (direction == TrafficDirection.Ingress ? policy.Spec?.Ingress?.Count : policy.Spec?.Egress?.Count) ?? 0;

    /// <summary>
    /// The pod is isolated for <paramref name="direction"/> when a policy certainly selecting it applies to that
    /// direction; one whose selection is only known at run time does not count.
    /// </summary>
    public static bool IsIsolated(IReadOnlyList<V1NetworkPolicy> policies, IDictionary<string, string>? podLabels, TrafficDirection direction)
    {
        // Indexed, not foreach over the interface: that would allocate an enumerator per template and direction.
        for (var i = 0; i < policies.Count; i++)
        {
            var policy = policies[i];
            if (AppliesTo(policy, direction) && SelectsPod(policy, podLabels)) return true;
        }

        return false;
    }

    /// <summary>
    /// Evaluates one flow of a pod against the policies of its namespace: egress to, or ingress from,
    /// <paramref name="address"/> on <paramref name="protocol"/>/<paramref name="port"/>. Policies are additive:
    /// the flow is allowed when no policy isolates the pod, or when any rule of an isolating policy admits it.
    /// </summary>
    public static NetworkFlowVerdict EvaluateFlow(
        IReadOnlyList<V1NetworkPolicy> policies,
        IDictionary<string, string>? podLabels,
        TrafficDirection direction,
        IPAddress address,
        string protocol,
        int port)
    {
        var isolated = false;
        List<NetworkPolicyRuleMatch>? admitted = null;
        List<MalformedCidr>? malformed = null;
        List<V1NetworkPolicy>? undecided = null;
        for (var p = 0; p < policies.Count; p++)
        {
            var policy = policies[p];
            var compiled = Compile(policy);
            if (!compiled.AppliesTo(direction)) continue;
            var selection = Selection(policy, podLabels);
            if (selection == SelectorMatch.No) continue;
            if (selection == SelectorMatch.Yes) isolated = true;
            else (undecided ??= []).Add(policy);
            var rules = compiled.Rules(direction);
            for (var i = 0; i < rules.Length; i++)
            {
                if (rules[i].Admits(address, protocol, port) is { } match)
                {
                    (admitted ??= []).Add(new NetworkPolicyRuleMatch(policy, direction, i, match.Peer, match.Port) { SelectionUnknown = selection == SelectorMatch.Unknown });
                }
            }

            foreach (var (path, value) in compiled.MalformedCidrs(direction))
            {
                (malformed ??= []).Add(new MalformedCidr(policy, path, value));
            }
        }

        // The verdicts with nothing to report are shared (records, immutable): the passing path allocates none.
        if (admitted is null && malformed is null && undecided is null) return isolated ? IsolatedVerdict : OpenVerdict;
        return new NetworkFlowVerdict(isolated, admitted ?? [], malformed ?? []) { Undecided = undecided ?? [] };
    }

    private static readonly NetworkFlowVerdict IsolatedVerdict = new(true, [], []);
    private static readonly NetworkFlowVerdict OpenVerdict = new(false, [], []);

    /// <summary>
    /// Whether rule <paramref name="ruleIndex"/> for <paramref name="direction"/> admits the address, protocol and
    /// port, ignoring whether the policy applies to that direction. Peers with an unparsable CIDR admit nothing.
    /// </summary>
    public static NetworkPolicyRuleMatch? RuleAdmits(V1NetworkPolicy policy, TrafficDirection direction, int ruleIndex, IPAddress address, string protocol, int port)
    {
        var rules = Compile(policy).Rules(direction);
        if (ruleIndex < 0 || ruleIndex >= rules.Length) return null;
        return rules[ruleIndex].Admits(address, protocol, port) is { } match
            ? new NetworkPolicyRuleMatch(policy, direction, ruleIndex, match.Peer, match.Port)
            : null;
    }

    /// <summary>The unparsable <c>cidr</c> and <c>except</c> entries in the rules for <paramref name="direction"/>.</summary>
    public static IReadOnlyList<MalformedCidr> MalformedCidrs(V1NetworkPolicy policy, TrafficDirection direction) =>
        Compile(policy).MalformedCidrs(direction).Select(m => new MalformedCidr(policy, m.Path, m.Value)).ToList();

    /// <summary>
    /// Whether one NetworkPolicyPort matches: protocol defaults to TCP; an absent port matches every port; a numeric
    /// port with endPort is the inclusive range. A named port resolves against the destination pod's container ports,
    /// so it never matches an address that is not a pod (such as the instance metadata service).
    /// </summary>
    public static bool PortAdmits(V1NetworkPolicyPort entry, string protocol, int port)
    {
        var entryProtocol = string.IsNullOrEmpty(entry.Protocol) ? DefaultProtocol : entry.Protocol;
        if (!string.Equals(entryProtocol, protocol, StringComparison.OrdinalIgnoreCase)) return false;
        var value = entry.Port?.Value;
        // An endPort without a port is invalid in the API; reading it as "any port" errs towards admitting.
        if (string.IsNullOrEmpty(value)) return true;
        if (!TryParseNumber(value, out var number)) return false;
        return entry.EndPort is { } end ? number <= port && port <= end : number == port;
    }

    /// <summary>Whether a list of NetworkPolicyPorts admits the port: an absent or empty list admits all ports.</summary>
    public static bool PortsAdmit(IList<V1NetworkPolicyPort>? ports, string protocol, int port) => MatchPorts(ports, protocol, port) is not null;

    /// <summary>
    /// Parses a CIDR as the API server does (the "sloppy" parser): IPv4 dotted decimal (leading zeros are decimal)
    /// or IPv6, then /prefix; host bits may be set and are masked. IPv4-mapped IPv6 networks of prefix 96 or more
    /// are read as the IPv4 network they map, as Go's net.IPNet does.
    /// </summary>
    public static bool TryParseCidr(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrEmpty(text)) return false;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1) return false;
        if (!TryParseAddress(text.AsSpan(0, slash), out var address)) return false;
        if (!TryParseNumber(text.AsSpan(slash + 1), out var prefix)) return false;
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > bits) return false;

        if (address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            address = address.MapToIPv4();
            prefix -= 96;
        }

        network = new IPNetwork(Mask(address, prefix), prefix);
        return true;
    }

    /// <summary>Whether an ipBlock admits the address: inside <c>cidr</c> and inside no <c>except</c> entry.</summary>
    public static bool IpBlockAdmits(IPNetwork cidr, IReadOnlyList<IPNetwork> except, IPAddress address)
    {
        address = Normalize(address);
        if (!cidr.Contains(address)) return false;
        foreach (var excluded in except)
        {
            if (excluded.Contains(address)) return false;
        }

        return true;
    }

    internal static string RulesField(TrafficDirection direction) => direction == TrafficDirection.Ingress ? "ingress" : "egress";

    private static string PeersField(TrafficDirection direction) => direction == TrafficDirection.Ingress ? "from" : "to";

    private static CompiledPolicy Compile(V1NetworkPolicy policy) => Compiled.GetValue(policy, static p => new CompiledPolicy(p));

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Index of the first matching port entry, -1 when the list admits all ports, null when none matches.</summary>
    private static int? MatchPorts(IList<V1NetworkPolicyPort>? ports, string protocol, int port)
    {
        if (ports is null || ports.Count == 0) return -1;
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i] is { } entry && PortAdmits(entry, protocol, port)) return i;
        }

        return null;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 9) return false;
        foreach (var c in text)
        {
            if (c is < '0' or > '9') return false;
            value = (value * 10) + (c - '0');
        }

        return true;
    }

    private static bool TryParseAddress(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains(':'))
        {
            // Zones ("%eth0") and brackets are not part of a CIDR.
            if (text.ContainsAny('%', '[') || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6) return false;
            address = v6;
            return true;
        }

        // Exactly four decimal octets: IPAddress.TryParse would also take "10.1", hex and octal forms.
        Span<byte> octets = stackalloc byte[4];
        var part = 0;
        foreach (var range in text.Split('.'))
        {
            if (part == 4 || !TryParseNumber(text[range], out var octet) || octet > 255) return false;
            octets[part++] = (byte)octet;
        }

        if (part != 4) return false;
        address = new IPAddress(octets);
        return true;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    /// <summary>A policy with its policyTypes resolved and its ipBlocks parsed once.</summary>
    private sealed class CompiledPolicy
    {
        private static readonly CompiledRule[] NoRules = [];

        private readonly CompiledRule[] _ingressRules;
        private readonly CompiledRule[] _egressRules;
        private readonly (string, string?)[] _ingressMalformed;
        private readonly (string, string?)[] _egressMalformed;

        public CompiledPolicy(V1NetworkPolicy policy)
        {
            var spec = policy.Spec;
            if (spec?.PolicyTypes is { Count: > 0 } types)
            {
                foreach (var type in types)
                {
                    Ingress |= string.Equals(type, nameof(TrafficDirection.Ingress), StringComparison.OrdinalIgnoreCase);
                    Egress |= string.Equals(type, nameof(TrafficDirection.Egress), StringComparison.OrdinalIgnoreCase);
                }
            }
            else
            {
                Ingress = true;
                Egress = spec?.Egress is { Count: > 0 };
            }

            _ingressRules = CompileRules(spec?.Ingress, TrafficDirection.Ingress, r => r?.FromProperty, r => r?.Ports);
            _egressRules = CompileRules(spec?.Egress, TrafficDirection.Egress, r => r?.To, r => r?.Ports);
            _ingressMalformed = Collect(_ingressRules);
            _egressMalformed = Collect(_egressRules);
        }

        public bool Ingress { get; }
        public bool Egress { get; }

        public bool AppliesTo(TrafficDirection direction) => direction == TrafficDirection.Ingress ? Ingress : Egress;

        public CompiledRule[] Rules(TrafficDirection direction) => direction == TrafficDirection.Ingress ? _ingressRules : _egressRules;

        public (string Path, string? Value)[] MalformedCidrs(TrafficDirection direction) =>
            direction == TrafficDirection.Ingress ? _ingressMalformed : _egressMalformed;

        private static (string, string?)[] Collect(CompiledRule[] rules) =>
            rules.Any(r => r.Malformed.Length > 0) ? rules.SelectMany(r => r.Malformed).ToArray() : [];

        private static CompiledRule[] CompileRules<TRule>(
            IList<TRule>? rules,
            TrafficDirection direction,
            Func<TRule?, IList<V1NetworkPolicyPeer>?> peersOf,
            Func<TRule?, IList<V1NetworkPolicyPort>?> portsOf)
        {
            if (rules is null || rules.Count == 0) return NoRules;
            var compiled = new CompiledRule[rules.Count];
            for (var i = 0; i < rules.Count; i++)
            {
                compiled[i] = new CompiledRule(peersOf(rules[i]), portsOf(rules[i]), $"spec.{RulesField(direction)}[{i}].{PeersField(direction)}");
            }

            return compiled;
        }
    }

    /// <summary>One ingress or egress rule: its peers (null = all) and ports (null or empty = all).</summary>
    private sealed class CompiledRule
    {
        private static readonly (string, string?)[] NoErrors = [];

        private readonly CompiledPeer[]? _peers;
        private readonly IList<V1NetworkPolicyPort>? _ports;

        public CompiledRule(IList<V1NetworkPolicyPeer>? peers, IList<V1NetworkPolicyPort>? ports, string peersPath)
        {
            _ports = ports;
            Malformed = NoErrors;
            if (peers is null || peers.Count == 0) return;

            _peers = new CompiledPeer[peers.Count];
            List<(string, string?)>? malformed = null;
            for (var i = 0; i < peers.Count; i++)
            {
                if (peers[i]?.IpBlock is not { } block)
                {
                    // podSelector / namespaceSelector peers select pods, never an address outside the pod network.
                    _peers[i] = CompiledPeer.NoAddress;
                    continue;
                }

                var valid = TryParseCidr(block.Cidr, out var cidr);
                // A peer with an unparsable entry admits nothing here; the rule reports it as malformed instead.
                if (!valid) (malformed ??= []).Add(($"{peersPath}[{i}].ipBlock.cidr", block.Cidr));
                var except = new List<IPNetwork>(block.Except?.Count ?? 0);
                for (var e = 0; e < (block.Except?.Count ?? 0); e++)
                {
                    if (TryParseCidr(block.Except![e], out var excluded)) except.Add(excluded);
                    else
                    {
                        valid = false;
                        (malformed ??= []).Add(($"{peersPath}[{i}].ipBlock.except[{e}]", block.Except[e]));
                    }
                }

                _peers[i] = valid ? new CompiledPeer(cidr, except) : CompiledPeer.NoAddress;
            }

            if (malformed is not null) Malformed = malformed.ToArray();
        }

        public (string Path, string? Value)[] Malformed { get; }

        public (int? Peer, int? Port)? Admits(IPAddress address, string protocol, int port)
        {
            if (MatchPorts(_ports, protocol, port) is not { } portIndex) return null;
            int? peerIndex = null;
            if (_peers is not null)
            {
                for (var i = 0; i < _peers.Length && peerIndex is null; i++)
                {
                    if (_peers[i].Admits(address)) peerIndex = i;
                }

                if (peerIndex is null) return null;
            }

            return (peerIndex, portIndex < 0 ? null : portIndex);
        }
    }

    /// <summary>A peer as far as addresses go: a parsed ipBlock, or one that admits no address (selector peers, unparsable ipBlocks).</summary>
    private sealed class CompiledPeer(IPNetwork? cidr, IReadOnlyList<IPNetwork> except)
    {
        public static readonly CompiledPeer NoAddress = new(null, []);

        public bool Admits(IPAddress address) => cidr is { } block && IpBlockAdmits(block, except, address);
    }
}
