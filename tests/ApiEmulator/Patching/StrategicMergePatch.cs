namespace EksHardening.ApiEmulator.Patching;

/// <summary>
/// Strategic merge patch for the common cases: a merge patch in which the well-known lists merge by their key
/// (containers, env, volumes, ownerReferences, conditions…), finalizers merge as a set, and <c>$patch: delete</c>
/// entries remove list items. Other directives are ignored. Real schemas know many more merge keys.
/// </summary>
internal static class StrategicMergePatch
{
    private static readonly Dictionary<string, string> MergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["ephemeralContainers"] = "name",
        ["env"] = "name",
        ["volumes"] = "name",
        ["volumeMounts"] = "mountPath",
        ["volumeDevices"] = "devicePath",
        ["ports"] = "containerPort",
        ["imagePullSecrets"] = "name",
        ["ownerReferences"] = "uid",
        ["conditions"] = "type",
        ["hostAliases"] = "ip",
        ["topologySpreadConstraints"] = "topologyKey",
        ["resourceClaims"] = "name",
    };

    private static readonly HashSet<string> PrimitiveSets = new(StringComparer.Ordinal) { "finalizers" };

    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        if (patchObject["$patch"]?.GetValue<string>() == "replace")
        {
            var replacement = (JsonObject)patchObject.DeepClone();
            replacement.Remove("$patch");
            return replacement;
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (key.StartsWith('$'))
            {
                continue;
            }

            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            var existing = result[key];
            JsonNode? merged;
            if (value is JsonArray patchList && existing is JsonArray targetList && MergeKeys.TryGetValue(key, out var mergeKey)
                && patchList.All(item => item is JsonObject o && o[mergeKey] is not null))
            {
                merged = MergeByKey(targetList, patchList, mergeKey);
            }
            else if (value is JsonArray additions && existing is JsonArray current && PrimitiveSets.Contains(key))
            {
                merged = new JsonArray([.. current.Select(n => n?.DeepClone())]);
                foreach (var item in additions.Where(a => !current.Any(c => JsonNode.DeepEquals(c, a))))
                {
                    ((JsonArray)merged).Add(item?.DeepClone());
                }
            }
            else
            {
                merged = Apply(existing, value);
            }

            result.Remove(key);
            result[key] = merged;
        }

        return result;
    }

    private static JsonArray MergeByKey(JsonArray target, JsonArray patch, string mergeKey)
    {
        var result = new JsonArray([.. target.Select(n => n?.DeepClone())]);
        foreach (var item in patch.Cast<JsonObject>())
        {
            var key = item[mergeKey];
            var index = -1;
            for (var i = 0; i < result.Count; i++)
            {
                if (result[i] is JsonObject o && JsonNode.DeepEquals(o[mergeKey], key))
                {
                    index = i;
                    break;
                }
            }

            if (item["$patch"]?.GetValue<string>() == "delete")
            {
                if (index >= 0)
                {
                    result.RemoveAt(index);
                }

                continue;
            }

            if (index >= 0)
            {
                var merged = Apply(result[index]!.DeepClone(), item);
                result[index] = merged;
            }
            else
            {
                result.Add(Apply(new JsonObject(), item));
            }
        }

        return result;
    }
}
