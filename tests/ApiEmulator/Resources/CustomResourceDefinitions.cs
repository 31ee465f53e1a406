namespace EksHardening.ApiEmulator.Resources;

/// <summary>Reads and writes CustomResourceDefinition objects: which resource types they serve and the status the server gives them.</summary>
internal static class CustomResourceDefinitions
{
    /// <summary>The types a CRD serves (one per served version), or an error message when the CRD is invalid.</summary>
    public static (IReadOnlyList<ResourceType> Types, string? Error) ServedTypes(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject;
        var names = spec?["names"] as JsonObject;
        var group = spec?["group"]?.GetValue<string>();
        var plural = names?["plural"]?.GetValue<string>();
        var kind = names?["kind"]?.GetValue<string>();
        var scope = spec?["scope"]?.GetValue<string>();
        if (string.IsNullOrEmpty(group) || string.IsNullOrEmpty(plural) || string.IsNullOrEmpty(kind))
        {
            return ([], "spec.group, spec.names.plural and spec.names.kind are required");
        }

        var name = crd["metadata"]?["name"]?.GetValue<string>();
        if (name != $"{plural}.{group}")
        {
            return ([], $"metadata.name: Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group");
        }

        if (scope is not ("Namespaced" or "Cluster"))
        {
            return ([], $"spec.scope: Unsupported value: \"{scope}\": supported values: \"Cluster\", \"Namespaced\"");
        }

        var shortNames = (names!["shortNames"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToList() ?? [];
        var types = new List<ResourceType>();
        foreach (var version in (spec!["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (version["served"]?.GetValue<bool>() == false)
            {
                continue;
            }

            types.Add(new ResourceType
            {
                Group = group,
                Version = version["name"]?.GetValue<string>() ?? "v1",
                Kind = kind,
                Plural = plural,
                Singular = names["singular"]?.GetValue<string>() ?? kind.ToLowerInvariant(),
                Namespaced = scope == "Namespaced",
                HasStatusSubresource = version["subresources"]?["status"] is JsonObject,
                IsCustom = true,
                ShortNames = shortNames,
                PrinterColumns = PrinterColumnsOf(version),
            });
        }

        return types.Count == 0 ? ([], "spec.versions: Invalid value: must have at least one served version") : (types, null);
    }

    private static List<PrinterColumn> PrinterColumnsOf(JsonObject version) =>
        (version["additionalPrinterColumns"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => new PrinterColumn(
                c["name"]?.GetValue<string>() ?? "",
                c["type"]?.GetValue<string>() ?? "string",
                c["format"]?.GetValue<string>(),
                c["description"]?.GetValue<string>(),
                // Seeded typed objects carry numbers as long, parsed ones as JSON elements: read the text.
                int.TryParse(c["priority"]?.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var priority) ? priority : 0,
                c["jsonPath"]?.GetValue<string>() ?? ""))
            .ToList();

    /// <summary>The status the API server gives an accepted CRD: names accepted, established.</summary>
    public static JsonObject AcceptedStatus(JsonObject crd, string timestamp)
    {
        var spec = crd["spec"]!.AsObject();
        var storage = (spec["versions"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(v => v["storage"]?.GetValue<bool>() == true)?["name"]?.GetValue<string>()
            ?? (spec["versions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault()?["name"]?.GetValue<string>()
            ?? "v1";
        JsonObject Condition(string type, string reason, string message) => new()
        {
            ["type"] = type,
            ["status"] = "True",
            ["lastTransitionTime"] = timestamp,
            ["reason"] = reason,
            ["message"] = message,
        };

        return new JsonObject
        {
            ["acceptedNames"] = spec["names"]!.DeepClone(),
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted")),
            ["storedVersions"] = new JsonArray(storage),
        };
    }

    /// <summary>A CRD object equivalent to a programmatic registration.</summary>
    public static JsonObject ToCrd(CustomResourceType type)
    {
        var versions = new JsonArray();
        for (var i = 0; i < type.Versions.Count; i++)
        {
            var version = new JsonObject
            {
                ["name"] = type.Versions[i],
                ["served"] = true,
                ["storage"] = i == 0,
                ["schema"] = new JsonObject
                {
                    ["openAPIV3Schema"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["x-kubernetes-preserve-unknown-fields"] = true,
                    },
                },
            };
            if (type.HasStatusSubresource)
            {
                version["subresources"] = new JsonObject { ["status"] = new JsonObject() };
            }

            versions.Add(version);
        }

        var names = new JsonObject
        {
            ["plural"] = type.Plural,
            ["singular"] = type.Singular ?? type.Kind.ToLowerInvariant(),
            ["kind"] = type.Kind,
            ["listKind"] = type.Kind + "List",
        };
        if (type.ShortNames.Count > 0)
        {
            names["shortNames"] = new JsonArray([.. type.ShortNames.Select(s => (JsonNode)JsonValue.Create(s))]);
        }

        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = type.CrdName },
            ["spec"] = new JsonObject
            {
                ["group"] = type.Group,
                ["names"] = names,
                ["scope"] = type.Namespaced ? "Namespaced" : "Cluster",
                ["versions"] = versions,
            },
        };
    }
}
