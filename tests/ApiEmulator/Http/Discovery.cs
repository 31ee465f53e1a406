namespace EksHardening.ApiEmulator.Http;

/// <summary>The discovery documents: <c>/api</c>, <c>/apis</c>, <c>/apis/{group}</c>, the resource lists, and <c>/version</c>.</summary>
internal static class Discovery
{
    private static readonly string[] Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
        {
            ["clientCIDR"] = "0.0.0.0/0",
            ["serverAddress"] = serverAddress,
        }),
    };

    public static JsonObject Groups(IReadOnlyList<ResourceType> types) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. types.Where(t => t.Group.Length > 0)
            .GroupBy(t => t.Group)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (JsonNode)Group(g.Key, [.. g])!)]),
    };

    public static JsonObject? Group(string group, IReadOnlyList<ResourceType> types)
    {
        var ofGroup = types.Where(t => t.Group == group).ToList();
        if (ofGroup.Count == 0)
        {
            return null;
        }

        var versions = ofGroup.Select(t => t.Version).Distinct().OrderByDescending(Priority).ToList();
        JsonObject Entry(string version) => new() { ["groupVersion"] = $"{group}/{version}", ["version"] = version };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray([.. versions.Select(v => (JsonNode)Entry(v))]),
            ["preferredVersion"] = Entry(versions[0]),
        };
    }

    public static JsonObject? Resources(string group, string version, IReadOnlyList<ResourceType> types)
    {
        var served = types.Where(t => t.Group == group && t.Version == version).ToList();
        if (served.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var type in served)
        {
            var entry = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray([.. Verbs.Select(v => (JsonNode)JsonValue.Create(v))]),
            };
            if (type.ShortNames.Count > 0)
            {
                entry["shortNames"] = new JsonArray([.. type.ShortNames.Select(s => (JsonNode)JsonValue.Create(s))]);
            }

            resources.Add(entry);
            if (type.HasStatusSubresource)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = type.Plural + "/status",
                    ["singularName"] = "",
                    ["namespaced"] = type.Namespaced,
                    ["kind"] = type.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    /// <summary>The version document for a gitVersion such as v1.33.0-eks-1: major and minor as the server reports them.</summary>
    public static JsonObject Version(string gitVersion)
    {
        var numbers = gitVersion.TrimStart('v').Split('-', 2)[0].Split('.');
        return new JsonObject
        {
            ["major"] = numbers.ElementAtOrDefault(0) ?? "",
            ["minor"] = numbers.ElementAtOrDefault(1) ?? "",
            ["gitVersion"] = gitVersion,
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2025-01-01T00:00:00Z",
            ["goVersion"] = "go1.24.0",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };
    }

    /// <summary>Kubernetes version order: GA above beta above alpha, higher numbers first.</summary>
    private static (int Stage, int Major, int Minor) Priority(string version)
    {
        var match = System.Text.RegularExpressions.Regex.Match(version, "^v(\\d+)(?:(alpha|beta)(\\d+))?$");
        if (!match.Success)
        {
            return (-1, 0, 0);
        }

        var stage = match.Groups[2].Value switch { "" => 2, "beta" => 1, _ => 0 };
        var minor = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (stage, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), minor);
    }
}
