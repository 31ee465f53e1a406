namespace EksHardening.ApiEmulator.Http;

/// <summary>
/// Server-side printing: a <c>meta.k8s.io/v1</c> Table for clients that ask for one (<c>kubectl get</c> sends
/// <c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c>). Custom resources get their CRD's printer columns with
/// cells typed as the apiextensions server types them (dates as ages); built-in resources get Name and Age only.
/// </summary>
internal static class TableRendering
{
    private static readonly PrinterColumn Age = new("Age", "date", null,
        "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp");

    public static bool Wanted(string? accept) =>
        accept is not null && accept.Split(',').Any(media =>
        {
            var parameters = media.Split(';').Select(p => p.Trim()).ToList();
            return parameters.Contains("as=Table") && parameters.Contains("g=meta.k8s.io") && parameters.Contains("v=v1");
        });

    public static JsonObject Render(ResourceType type, IReadOnlyList<StoredObject> items, JsonObject listMetadata, string? includeObject, DateTimeOffset now)
    {
        var columns = type.PrinterColumns.Count > 0 ? type.PrinterColumns : [Age];
        var definitions = new JsonArray(new JsonObject
        {
            ["name"] = "Name", ["type"] = "string", ["format"] = "name", ["priority"] = 0,
            ["description"] = "Name must be unique within a namespace.",
        });
        foreach (var column in columns)
        {
            definitions.Add(new JsonObject
            {
                ["name"] = column.Name, ["type"] = column.Type, ["format"] = column.Format ?? "",
                ["description"] = column.Description ?? "", ["priority"] = column.Priority,
            });
        }

        var rows = new JsonArray();
        foreach (var item in items)
        {
            var node = item.ToNode();
            var cells = new JsonArray(JsonValue.Create(item.Name));
            foreach (var column in columns)
            {
                cells.Add(Cell(column.Type, node, column.JsonPath, now));
            }

            var row = new JsonObject { ["cells"] = cells };
            if (RowObject(node, type, includeObject) is { } rowObject)
            {
                row["object"] = rowObject;
            }

            rows.Add(row);
        }

        return new JsonObject
        {
            ["kind"] = "Table", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = listMetadata,
            ["columnDefinitions"] = definitions, ["rows"] = rows,
        };
    }

    /// <summary>The row's object per <c>includeObject</c>: <c>Metadata</c> (the default) a PartialObjectMetadata, <c>Object</c> all of it.</summary>
    private static JsonObject? RowObject(JsonObject node, ResourceType type, string? includeObject) => includeObject switch
    {
        "None" => null,
        "Object" => node,
        _ => new JsonObject
        {
            ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = node["metadata"]?.DeepClone() ?? new JsonObject(),
        },
    };

    private static JsonNode? Cell(string type, JsonObject node, string path, DateTimeOffset now)
    {
        var value = SimpleJsonPath.Evaluate(node, path);
        if (value is null)
        {
            return null;
        }

        return type switch
        {
            "integer" when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number,
            "number" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) => real,
            "boolean" when bool.TryParse(value, out var flag) => flag,
            "date" when DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) => HumanDuration(now - time),
            _ => value,
        };
    }

    /// <summary>An age as the API server prints it (apimachinery's <c>duration.HumanDuration</c>): <c>95s</c>, <c>5m10s</c>, <c>3h</c>, <c>4d5h</c>.</summary>
    public static string HumanDuration(TimeSpan age)
    {
        var seconds = (long)age.TotalSeconds;
        if (seconds < -1) return "<invalid>";
        if (seconds < 0) return "0s";
        if (seconds < 60 * 2) return $"{seconds}s";
        var minutes = seconds / 60;
        if (minutes < 10) return seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s";
        if (minutes < 60 * 3) return $"{minutes}m";
        var hours = minutes / 60;
        if (hours < 8) return minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m";
        if (hours < 48) return $"{hours}h";
        if (hours < 24 * 8) return hours % 24 == 0 ? $"{hours / 24}d" : $"{hours / 24}d{hours % 24}h";
        if (hours < 24 * 365 * 2) return $"{hours / 24}d";
        if (hours < 24 * 365 * 8) return (hours / 24) % 365 == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{(hours / 24) % 365}d";
        return $"{hours / 24 / 365}y";
    }
}
