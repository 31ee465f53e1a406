namespace EksHardening.AwsStub.Eks;

/// <summary>
/// The operations over what a cluster is made of and what EKS offers for it: the Kubernetes version catalog, add-ons
/// and their version catalog, access entries with their policies, and managed node groups.
/// </summary>
internal sealed partial class EksOperations
{
    private static readonly string[] VersionStatuses = ["STANDARD_SUPPORT", "EXTENDED_SUPPORT", "UNSUPPORTED"];

    /// <summary>
    /// Filters as EKS documents them; without <c>includeAll=true</c> versions past extended support are left out, so
    /// a caller asking about an old version must set it. Newest version first.
    /// </summary>
    private JsonObject DescribeClusterVersions(Inputs input, DateTimeOffset now)
    {
        var wanted = input.Strings("clusterVersions");
        var clusterType = input.String("clusterType");
        var defaultOnly = input.Bool("defaultOnly") ?? false;
        var includeAll = input.Bool("includeAll") ?? false;
        var versionStatus = input.String("versionStatus");
        if (versionStatus is not null && !VersionStatuses.Contains(versionStatus))
        {
            throw input.Constraint("versionStatus", versionStatus, "Member must satisfy enum value set: [UNSUPPORTED, STANDARD_SUPPORT, EXTENDED_SUPPORT]");
        }

        var legacyStatus = input.String("status");
        if (legacyStatus is not null && !VersionStatuses.Select(LegacyStatus).Contains(legacyStatus))
        {
            throw input.Constraint("status", legacyStatus, "Member must satisfy enum value set: [unsupported, standard-support, extended-support]");
        }

        var matching = eks.ClusterVersions()
            .Select(v => (Entry: v, Status: v.VersionStatus ?? StatusAt(v, now)))
            .Where(v => wanted is null || wanted.Contains(v.Entry.Version))
            .Where(v => clusterType is null || v.Entry.ClusterType == clusterType)
            .Where(v => !defaultOnly || v.Entry.DefaultVersion)
            .Where(v => includeAll || v.Status != "UNSUPPORTED")
            .Where(v => (versionStatus is null || v.Status == versionStatus) && (legacyStatus is null || LegacyStatus(v.Status) == legacyStatus))
            .OrderByDescending(v => Version.TryParse(v.Entry.Version, out var parsed) ? parsed : new Version())
            .ThenBy(v => v.Entry.Version, StringComparer.Ordinal)
            .ToList();
        var listing = $"versions|{string.Join(',', wanted ?? [])}|{clusterType}|{defaultOnly}|{includeAll}|{versionStatus}|{legacyStatus}";
        var (page, next) = Page(input, matching, listing, null);
        return Wire.Object(
            ("clusterVersions", new JsonArray([.. page.Select(v => (JsonNode)Wire.Object(
                ("clusterVersion", v.Entry.Version),
                ("clusterType", v.Entry.ClusterType),
                ("defaultPlatformVersion", v.Entry.DefaultPlatformVersion),
                ("defaultVersion", v.Entry.DefaultVersion),
                ("releaseDate", Wire.Epoch(v.Entry.ReleaseDate)),
                ("endOfStandardSupportDate", Wire.Epoch(v.Entry.EndOfStandardSupportDate)),
                ("endOfExtendedSupportDate", Wire.Epoch(v.Entry.EndOfExtendedSupportDate)),
                ("status", LegacyStatus(v.Status)),
                ("versionStatus", v.Status),
                ("kubernetesPatchVersion", v.Entry.KubernetesPatchVersion)))])),
            ("nextToken", next));
    }

    private JsonObject ListAddons(Inputs input)
    {
        var name = input.Required("clusterName");
        Cluster(name);
        var (page, next) = Page(input, eks.AddonsOf(name).Select(a => a.Name).ToList(), $"addons|{name}", name);
        return Wire.Object(("addons", Wire.Strings(page)), ("nextToken", next));
    }

    private JsonObject DescribeAddon(Inputs input)
    {
        var name = input.Required("clusterName");
        var addonName = input.Required("addonName");
        Cluster(name);
        var addon = eks.AddonsOf(name).FirstOrDefault(a => a.Name == addonName)
            ?? throw new AwsServiceException("ResourceNotFoundException", 404, $"No addon: {addonName} found in cluster: {name}",
                ServiceErrors.Fields(("clusterName", name), ("addonName", addonName)));
        var catalog = eks.AddonVersions().FirstOrDefault(v => v.AddonName == addonName);
        return new JsonObject
        {
            ["addon"] = Wire.Object(
                ("addonName", addon.Name),
                ("clusterName", addon.ClusterName),
                ("status", addon.Status),
                ("addonVersion", addon.Version),
                ("health", new JsonObject { ["issues"] = new JsonArray() }),
                ("addonArn", addon.Arn),
                ("createdAt", Wire.Epoch(addon.CreatedAt)),
                ("modifiedAt", Wire.Epoch(addon.CreatedAt)),
                ("serviceAccountRoleArn", addon.ServiceAccountRoleArn),
                ("tags", new JsonObject()),
                ("publisher", catalog?.Publisher),
                ("owner", catalog?.Owner)),
        };
    }

    /// <summary>
    /// Pages over add-ons (not versions), as EKS does. With <c>kubernetesVersion</c> only versions compatible with it
    /// are listed, each with all of its compatibilities; an unknown add-on name gives an empty list.
    /// </summary>
    private JsonObject DescribeAddonVersions(Inputs input)
    {
        var addonName = input.String("addonName");
        var kubernetesVersion = input.String("kubernetesVersion");
        var types = input.Strings("types");
        var publishers = input.Strings("publishers");
        var owners = input.Strings("owners");
        var addons = eks.AddonVersions()
            .Where(v => addonName is null || v.AddonName == addonName)
            .Where(v => kubernetesVersion is null || v.Compatibilities.Any(c => c.ClusterVersion == kubernetesVersion))
            .GroupBy(v => v.AddonName, StringComparer.Ordinal)
            .Select(g => (First: g.First(), Versions: g.ToList()))
            .Where(a => (types is null || types.Contains(a.First.Type)) && (publishers is null || publishers.Contains(a.First.Publisher))
                && (owners is null || owners.Contains(a.First.Owner)))
            .OrderBy(a => a.First.AddonName, StringComparer.Ordinal)
            .ToList();
        var listing = $"addon-versions|{addonName}|{kubernetesVersion}|{string.Join(',', types ?? [])}|{string.Join(',', publishers ?? [])}|{string.Join(',', owners ?? [])}";
        var (page, next) = Page(input, addons, listing, null);
        return Wire.Object(
            ("addons", new JsonArray([.. page.Select(a => (JsonNode)Wire.Object(
                ("addonName", a.First.AddonName),
                ("type", a.First.Type),
                ("addonVersions", new JsonArray([.. a.Versions.Select(v => (JsonNode)Wire.Object(
                    ("addonVersion", v.Version),
                    ("architecture", Wire.Strings(v.Architecture)),
                    ("computeTypes", Wire.Strings(["ec2"])),
                    ("compatibilities", new JsonArray([.. v.Compatibilities.Select(c => (JsonNode)new JsonObject
                    {
                        ["clusterVersion"] = c.ClusterVersion,
                        ["platformVersions"] = Wire.Strings(["*"]),
                        ["defaultVersion"] = c.DefaultVersion,
                    })])),
                    ("requiresConfiguration", false),
                    ("requiresIamPermissions", false)))])),
                ("publisher", a.First.Publisher),
                ("owner", a.First.Owner)))])),
            ("nextToken", next));
    }

    private JsonObject ListAccessEntries(Inputs input)
    {
        var name = input.Required("clusterName");
        Cluster(name);
        var policy = input.String("associatedPolicyArn");
        var principals = eks.AccessEntriesOf(name)
            .Where(e => policy is null || e.Policies.Any(p => p.PolicyArn == policy))
            .Select(e => e.PrincipalArn)
            .ToList();
        var (page, next) = Page(input, principals, $"access-entries|{name}|{policy}", name);
        return Wire.Object(("accessEntries", Wire.Strings(page)), ("nextToken", next));
    }

    private JsonObject ListAssociatedAccessPolicies(Inputs input)
    {
        var name = input.Required("clusterName");
        var principal = input.Required("principalArn");
        Cluster(name);
        if (!principal.StartsWith("arn:", StringComparison.Ordinal) || principal.Split(':').Length < 6)
        {
            throw new AwsServiceException("InvalidParameterException", 400, $"The principalArn parameter format is not valid: {principal}",
                ServiceErrors.Fields(("clusterName", name)));
        }

        var entry = eks.AccessEntriesOf(name).FirstOrDefault(e => e.PrincipalArn == principal)
            ?? throw new AwsServiceException("ResourceNotFoundException", 404,
                "The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.",
                ServiceErrors.Fields(("clusterName", name)));
        var (page, next) = Page(input, entry.Policies, $"access-policies|{name}|{principal}", name);
        return Wire.Object(
            ("clusterName", name),
            ("principalArn", principal),
            ("nextToken", next),
            ("associatedAccessPolicies", new JsonArray([.. page.Select(p => (JsonNode)Wire.Object(
                ("policyArn", p.PolicyArn),
                ("accessScope", Wire.Object(("type", p.ScopeType), ("namespaces", Wire.Strings(p.Namespaces ?? [])))),
                ("associatedAt", Wire.Epoch(entry.CreatedAt)),
                ("modifiedAt", Wire.Epoch(entry.CreatedAt))))])));
    }

    private JsonObject ListNodegroups(Inputs input)
    {
        var name = input.Required("clusterName");
        Cluster(name);
        var (page, next) = Page(input, eks.NodegroupsOf(name).Select(g => g.Name).ToList(), $"nodegroups|{name}", name);
        return Wire.Object(("nodegroups", Wire.Strings(page)), ("nextToken", next));
    }

    private JsonObject DescribeNodegroup(Inputs input)
    {
        var name = input.Required("clusterName");
        var groupName = input.Required("nodegroupName");
        var cluster = Cluster(name);
        var group = eks.NodegroupsOf(name).FirstOrDefault(g => g.Name == groupName)
            ?? throw new AwsServiceException("ResourceNotFoundException", 404, $"No node group found for name: {groupName}.",
                ServiceErrors.Fields(("clusterName", name), ("nodegroupName", groupName)));
        return new JsonObject
        {
            ["nodegroup"] = Wire.Object(
                ("nodegroupName", group.Name),
                ("nodegroupArn", group.Arn),
                ("clusterName", group.ClusterName),
                ("version", group.Version ?? cluster.Version),
                ("releaseVersion", group.ReleaseVersion),
                ("createdAt", Wire.Epoch(group.CreatedAt)),
                ("modifiedAt", Wire.Epoch(group.CreatedAt)),
                ("status", group.Status),
                ("capacityType", group.CapacityType),
                ("scalingConfig", new JsonObject { ["minSize"] = 0, ["maxSize"] = Math.Max(group.DesiredSize, 1), ["desiredSize"] = group.DesiredSize }),
                ("instanceTypes", group.LaunchTemplate is null ? Wire.Strings(group.InstanceTypes) : null),
                ("subnets", Wire.Strings(cluster.SubnetIds)),
                ("amiType", group.AmiType),
                ("nodeRole", group.NodeRole),
                ("labels", new JsonObject()),
                ("resources", Wire.Object(
                    ("autoScalingGroups", new JsonArray([.. (group.AutoScalingGroups ?? []).Select(g => (JsonNode)new JsonObject { ["name"] = g })])),
                    ("remoteAccessSecurityGroup", group.RemoteAccessSecurityGroup))),
                ("health", new JsonObject { ["issues"] = new JsonArray() }),
                ("updateConfig", new JsonObject { ["maxUnavailable"] = 1 }),
                ("launchTemplate", group.LaunchTemplate is { } template
                    ? Wire.Object(("name", template.Name), ("version", template.Version), ("id", template.Id))
                    : null),
                ("tags", new JsonObject())),
        };
    }

    /// <summary>The support status a version's dates give at <paramref name="now"/>.</summary>
    private static string StatusAt(EksClusterVersion version, DateTimeOffset now) =>
        version.EndOfStandardSupportDate is not { } standardEnd || now < standardEnd ? "STANDARD_SUPPORT"
        : version.EndOfExtendedSupportDate is not { } extendedEnd || now < extendedEnd ? "EXTENDED_SUPPORT"
        : "UNSUPPORTED";

    /// <summary>The deprecated <c>status</c> spelling: <c>STANDARD_SUPPORT</c> is <c>standard-support</c>.</summary>
    private static string LegacyStatus(string versionStatus) => versionStatus.ToLowerInvariant().Replace('_', '-');
}
