namespace EksHardening.AwsStub.Ec2;

/// <summary>
/// The EC2 read operations (EC2 Query protocol) the node and network rules need. Filters behave as EC2's: values of
/// one filter are ORed (with <c>*</c> and <c>?</c> wildcards), filters are ANDed, a value that matches nothing
/// (unknown or malformed id alike) just matches nothing, and more than 200 values is FilterLimitExceeded. Id lists
/// (<c>InstanceId.N</c>, …) behave as EC2's too: one unknown id fails the whole call (<c>….NotFound</c>), one
/// malformed id is <c>….Malformed</c>.
/// </summary>
internal sealed class Ec2Operations(Ec2Stub ec2)
{
    /// <summary>EC2's limit on the values of one filter.</summary>
    public const int MaxFilterValues = 200;

    public static IReadOnlySet<string> Operations { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "DescribeInstances", "DescribeImages", "DescribeSecurityGroups", "GetEbsEncryptionByDefault",
    };

    private static readonly FrozenDictionary<string, int> StateCodes = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["pending"] = 0, ["running"] = 16, ["shutting-down"] = 32, ["terminated"] = 48, ["stopping"] = 64, ["stopped"] = 80,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public AwsResponse Handle(AwsCall call, string signingRegion)
    {
        object?[] result = call.Operation switch
        {
            "DescribeInstances" => DescribeInstances(call),
            "DescribeImages" => DescribeImages(call),
            "DescribeSecurityGroups" => DescribeSecurityGroups(call),
            "GetEbsEncryptionByDefault" =>
            [
                new XElement("ebsEncryptionByDefault", ec2.EbsEncryptionByDefault(signingRegion) ? "true" : "false"),
                new XElement("sseType", "sse-ebs"),
            ],
            _ => throw ServiceErrors.UnknownOperation(call.Service, call.Operation),
        };
        return Wire.Ec2Result(call.Service, call.Operation, call.RequestId, result);
    }

    private object?[] DescribeInstances(AwsCall call)
    {
        var listed = ListedIds(call, "InstanceId", "i-", "InvalidInstanceID");
        var filters = Filters(call, new Dictionary<string, Func<Ec2Instance, IEnumerable<string>>>(StringComparer.Ordinal)
        {
            ["instance-id"] = i => [i.InstanceId!],
            ["image-id"] = i => [i.ImageId],
            ["instance-state-name"] = i => [i.State],
            ["instance.group-id"] = i => i.SecurityGroupIds,
            ["vpc-id"] = i => [i.VpcId],
        });
        var matching = Select(ec2.Instances, i => i.InstanceId!, listed, "InvalidInstanceID", id => $"The instance ID '{id}' does not exist",
            ids => $"The instance IDs '{string.Join(", ", ids)}' do not exist").Where(filters).ToList();
        var (page, next) = Page(call, matching, min: 5, listed is not null, "instancesSet");
        return
        [
            Wire.Items("reservationSet", page.Select(i => (object)new object[]
            {
                new XElement("reservationId", "r-" + i.InstanceId![2..]),
                new XElement("ownerId", ec2.Context.AccountId),
                new XElement("groupSet"),
                Wire.Items("instancesSet", [Instance(i)]),
            })),
            Wire.Element("nextToken", next),
        ];
    }

    private object?[] DescribeImages(AwsCall call)
    {
        var listed = ListedIds(call, "ImageId", "ami-", "InvalidAMIID");
        var includeDeprecated = Bool(call, "IncludeDeprecated");
        var includeDisabled = Bool(call, "IncludeDisabled");
        var owners = Strings(call, "Owner");
        var filters = Filters(call, new Dictionary<string, Func<Ec2Image, IEnumerable<string>>>(StringComparer.Ordinal)
        {
            ["image-id"] = i => [i.ImageId!],
            ["owner-id"] = i => [i.OwnerId],
            ["name"] = i => [i.Name],
            ["state"] = i => [i.State],
        });
        var caller = call.Caller?.Account ?? ec2.Context.AccountId;
        var visible = ec2.Images.Where(i => i.Public || i.OwnerId == caller)
            // Deprecated and disabled images are hidden from other accounts unless asked for, or (deprecated) listed by id.
            .Where(i => i.OwnerId == caller || includeDeprecated || listed?.Contains(i.ImageId!) == true || !(i.DeprecationTime <= call.Now))
            .Where(i => i.State != "disabled" || includeDisabled)
            .Where(i => owners.Count == 0 || owners.Contains(i.OwnerId) || (owners.Contains("self") && i.OwnerId == caller)
                || (owners.Contains("amazon") && i.OwnerId != caller))
            .ToList();
        var matching = Select(visible, i => i.ImageId!, listed, "InvalidAMIID", id => $"The image id '[{id}]' does not exist",
            ids => $"The image ids '[{string.Join(", ", ids)}]' do not exist").Where(filters).ToList();
        var (page, next) = Page(call, matching, min: 1, listed is not null, "imagesSet");
        return
        [
            Wire.Items("imagesSet", page.Select(i => (object)new object?[]
            {
                new XElement("imageId", i.ImageId),
                new XElement("imageLocation", $"{i.OwnerId}/{i.Name}"),
                new XElement("imageState", i.State),
                new XElement("imageOwnerId", i.OwnerId),
                new XElement("creationDate", Iso8601WithMillis(i.CreationDate!.Value)),
                new XElement("isPublic", i.Public ? "true" : "false"),
                new XElement("architecture", "x86_64"),
                new XElement("imageType", "machine"),
                new XElement("name", i.Name),
                new XElement("rootDeviceType", "ebs"),
                new XElement("virtualizationType", "hvm"),
                i.DeprecationTime is { } deprecated ? new XElement("deprecationTime", Iso8601WithMillis(deprecated)) : null,
            })),
            Wire.Element("nextToken", next),
        ];
    }

    private object?[] DescribeSecurityGroups(AwsCall call)
    {
        var listed = ListedIds(call, "GroupId", "sg-", "InvalidGroupId");
        var filters = Filters(call, new Dictionary<string, Func<Ec2SecurityGroup, IEnumerable<string>>>(StringComparer.Ordinal)
        {
            ["group-id"] = g => [g.GroupId!],
            ["group-name"] = g => [g.GroupName],
            ["vpc-id"] = g => [g.VpcId],
        });
        var matching = Select(ec2.SecurityGroups, g => g.GroupId!, listed, "InvalidGroup", id => $"The security group '{id}' does not exist",
            ids => $"The security groups '{string.Join(", ", ids)}' do not exist").Where(filters).ToList();
        var (page, next) = Page(call, matching, min: 5, listed is not null, "groupIdSet");
        return
        [
            Wire.Items("securityGroupInfo", page.Select(g => (object)new object[]
            {
                new XElement("ownerId", g.OwnerId),
                new XElement("groupId", g.GroupId),
                new XElement("groupName", g.GroupName),
                new XElement("groupDescription", g.Description),
                new XElement("vpcId", g.VpcId),
                Wire.Items("ipPermissions", g.Ingress.Select(Permission)),
                Wire.Items("ipPermissionsEgress", [Permission(new Ec2IpPermission { Protocol = "-1", Ipv4Ranges = ["0.0.0.0/0"] })]),
            })),
            Wire.Element("nextToken", next),
        ];
    }

    private object[] Instance(Ec2Instance i) =>
    [
        new XElement("instanceId", i.InstanceId),
        new XElement("imageId", i.ImageId),
        new XElement("instanceState", new XElement("code", StateCodes.GetValueOrDefault(i.State, 16)), new XElement("name", i.State)),
        new XElement("instanceType", i.InstanceType),
        new XElement("launchTime", Iso8601WithMillis(i.LaunchTime!.Value)),
        new XElement("vpcId", i.VpcId),
        Wire.Items("groupSet", i.SecurityGroupIds.Select(id => (object)new object[]
        {
            new XElement("groupId", id),
            new XElement("groupName", ec2.SecurityGroups.FirstOrDefault(g => g.GroupId == id)?.GroupName ?? "unknown"),
        })),
        new XElement("metadataOptions",
            new XElement("state", "applied"),
            new XElement("httpTokens", i.HttpTokens),
            new XElement("httpPutResponseHopLimit", i.HttpPutResponseHopLimit),
            new XElement("httpEndpoint", i.HttpEndpoint),
            new XElement("httpProtocolIpv6", "disabled"),
            new XElement("instanceMetadataTags", "disabled")),
    ];

    private static object Permission(Ec2IpPermission p) => new object?[]
    {
        new XElement("ipProtocol", p.Protocol),
        Wire.Element("fromPort", p.FromPort),
        Wire.Element("toPort", p.ToPort),
        Wire.Items("groups", p.SourceGroupIds.Select(g => (object)new XElement("groupId", g))),
        Wire.Items("ipRanges", p.Ipv4Ranges.Select(c => (object)new XElement("cidrIp", c))),
        Wire.Items("ipv6Ranges", p.Ipv6Ranges.Select(c => (object)new XElement("cidrIpv6", c))),
        Wire.Items("prefixListIds", p.PrefixListIds.Select(c => (object)new XElement("prefixListId", c))),
    };

    /// <summary>EC2 writes timestamps as ISO 8601 with milliseconds: <c>2024-05-01T12:34:56.000Z</c>.</summary>
    private static string Iso8601WithMillis(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The items an id list names, failing the whole call as EC2 does on an unknown id; all items without a list.
    /// </summary>
    private static IEnumerable<T> Select<T>(IReadOnlyList<T> items, Func<T, string> idOf, HashSet<string>? listed, string codePrefix,
        Func<string, string> oneMissing, Func<IReadOnlyList<string>, string> severalMissing)
    {
        if (listed is null)
        {
            return items;
        }

        var known = items.Select(idOf).ToHashSet(StringComparer.Ordinal);
        var missing = listed.Where(id => !known.Contains(id)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new AwsServiceException(codePrefix + ".NotFound", 400, missing.Count == 1 ? oneMissing(missing[0]) : severalMissing(missing));
        }

        return items.Where(i => listed.Contains(idOf(i)));
    }

    /// <summary>An id list (<c>InstanceId.1</c>, <c>InstanceId.2</c>, …), checking each id's shape; null when none was sent.</summary>
    private static HashSet<string>? ListedIds(AwsCall call, string member, string prefix, string codePrefix)
    {
        var ids = Strings(call, member);
        if (ids.Count == 0)
        {
            return null;
        }

        foreach (var id in ids)
        {
            if (!IsWellFormed(id, prefix))
            {
                throw new AwsServiceException(codePrefix + ".Malformed", 400, $"Invalid id: \"{id}\" (expecting \"{prefix}...\")");
            }
        }

        return ids.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>EC2 ids: a prefix and 8 or 17 lower-case hex digits.</summary>
    private static bool IsWellFormed(string id, string prefix) =>
        id.StartsWith(prefix, StringComparison.Ordinal) && id.Length - prefix.Length is 8 or 17 && id[prefix.Length..].All(char.IsAsciiHexDigitLower);

    /// <summary>
    /// The <c>Filter.N.Name</c> / <c>Filter.N.Value.M</c> parameters as one predicate. An unknown filter name is
    /// InvalidParameterValue, more than <see cref="MaxFilterValues"/> values FilterLimitExceeded, as in EC2.
    /// </summary>
    private static Func<T, bool> Filters<T>(AwsCall call, IReadOnlyDictionary<string, Func<T, IEnumerable<string>>> supported)
    {
        var predicates = new List<Func<T, bool>>();
        for (var n = 1; call.Form.TryGetValue($"Filter.{n.ToString(CultureInfo.InvariantCulture)}.Name", out var name); n++)
        {
            if (!supported.TryGetValue(name, out var values))
            {
                throw new AwsServiceException("InvalidParameterValue", 400, $"The filter '{name}' is invalid");
            }

            var patterns = Strings(call, $"Filter.{n.ToString(CultureInfo.InvariantCulture)}.Value");
            if (patterns.Count > MaxFilterValues)
            {
                throw new AwsServiceException("FilterLimitExceeded", 400, $"The maximum number of filter values specified on a single call is {MaxFilterValues}");
            }

            var matchers = patterns.Select(Glob).ToList();
            predicates.Add(item => values(item).Any(value => matchers.Any(m => m.IsMatch(value))));
        }

        return item => predicates.TrueForAll(p => p(item));
    }

    /// <summary>EC2 filter values take <c>*</c> (any characters) and <c>?</c> (one character) as wildcards; the match is case-sensitive.</summary>
    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant | RegexOptions.Singleline);

    /// <summary>
    /// One page: all items without MaxResults; else MaxResults of them (capped by <see cref="Ec2Stub.MaxPageSize"/>)
    /// and a NextToken bound to this listing. MaxResults cannot go with an id list.
    /// </summary>
    private (IReadOnlyList<T> Page, string? Next) Page<T>(AwsCall call, IReadOnlyList<T> items, int min, bool idsListed, string listParameter)
    {
        var token = call.Form.GetValueOrDefault("NextToken");
        var maxText = call.Form.GetValueOrDefault("MaxResults");
        if (maxText is null && token is null)
        {
            return (items, null);
        }

        if (maxText is not null && idsListed)
        {
            throw new AwsServiceException("InvalidParameterCombination", 400, $"The parameter {listParameter} cannot be used with the parameter maxResults");
        }

        var max = 1000;
        if (maxText is not null && (!int.TryParse(maxText, NumberStyles.Integer, CultureInfo.InvariantCulture, out max) || max < min || max > 1000))
        {
            throw new AwsServiceException("InvalidParameterValue", 400, $"Value ( {maxText} ) for parameter maxResults is invalid. Expecting a value between {min} and 1000.");
        }

        var listing = call.Operation + "|" + string.Join('&', call.Form.Where(p => p.Key.StartsWith("Filter.", StringComparison.Ordinal)
            || p.Key.StartsWith("Include", StringComparison.Ordinal) || p.Key.StartsWith("Owner.", StringComparison.Ordinal))
            .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        var pageSize = ec2.MaxPageSize is { } cap ? Math.Min(cap, max) : max;
        return PageToken.Page(items, listing, token, pageSize,
            () => new AwsServiceException("InvalidParameterValue", 400, $"Invalid value '{token}' for nextToken"));
    }

    /// <summary>A Query list in EC2's shape: <c>Name.1</c>, <c>Name.2</c>, … in index order.</summary>
    private static IReadOnlyList<string> Strings(AwsCall call, string name)
    {
        var prefix = name + ".";
        return [.. call.Form
            .Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(p.Key[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .OrderBy(p => int.Parse(p.Key[prefix.Length..], CultureInfo.InvariantCulture))
            .Select(p => p.Value)];
    }

    private static bool Bool(AwsCall call, string name) => call.Form.GetValueOrDefault(name) switch
    {
        null => false,
        var text when bool.TryParse(text, out var flag) => flag,
        var text => throw new AwsServiceException("InvalidParameterValue", 400, $"Value ({text}) for parameter {char.ToLowerInvariant(name[0])}{name[1..]} is invalid. Expecting a boolean."),
    };
}
