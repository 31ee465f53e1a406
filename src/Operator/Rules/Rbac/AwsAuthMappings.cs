using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EksHardening.Operator.Rules.Rbac;

/// <summary>One entry of aws-auth's mapRoles or mapUsers: an IAM principal, the Kubernetes user and groups it becomes.</summary>
/// <param name="Key">The data key it sits under (<c>mapRoles</c> or <c>mapUsers</c>).</param>
/// <param name="Arn">The entry's rolearn (mapRoles) or userarn (mapUsers).</param>
public sealed record AwsAuthEntry(string Key, int Index, string? Arn, string? UserName, IReadOnlyList<string> Groups)
{
    public string Path => $"data.{Key}[{Index}]";
}

/// <summary>
/// Reads the kube-system/aws-auth ConfigMap as the AWS IAM Authenticator does: <c>data.mapRoles</c> and
/// <c>data.mapUsers</c> are YAML lists of entries with <c>rolearn</c>/<c>userarn</c>, <c>username</c> and <c>groups</c>.
/// Anything else there is a problem named with its key, never read as "no mappings".
/// </summary>
public static class AwsAuthMappings
{
    public static (List<AwsAuthEntry> Entries, List<string> Problems) Read(V1ConfigMap configMap)
    {
        var entries = new List<AwsAuthEntry>();
        var problems = new List<string>();
        foreach (var (key, arnField) in new[] { ("mapRoles", "rolearn"), ("mapUsers", "userarn") })
        {
            if (configMap.Data is null || !configMap.Data.TryGetValue(key, out var text) || string.IsNullOrWhiteSpace(text)) continue;
            ReadList(key, arnField, text, entries, problems);
        }

        return (entries, problems);
    }

    private static void ReadList(string key, string arnField, string text, List<AwsAuthEntry> entries, List<string> problems)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            problems.Add($"data.{key} is not valid YAML (line {e.Start.Line}): {e.Message}");
            return;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "null" or "[]" }) return;
        if (stream.Documents[0].RootNode is not YamlSequenceNode list)
        {
            problems.Add($"data.{key} is not a YAML list of entries");
            return;
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            if (list.Children[i] is not YamlMappingNode entry)
            {
                problems.Add($"data.{key}[{i}] is not a mapping with {arnField}, username and groups");
                continue;
            }

            var groups = new List<string>();
            if (Child(entry, "groups") is { } groupsNode)
            {
                if (groupsNode is YamlSequenceNode groupList && groupList.Children.All(g => g is YamlScalarNode))
                {
                    groups.AddRange(groupList.Children.Select(g => ((YamlScalarNode)g).Value ?? ""));
                }
                else if (groupsNode is not YamlScalarNode { Value: null or "" })
                {
                    problems.Add($"data.{key}[{i}].groups is not a list of group names");
                    continue;
                }
            }

            entries.Add(new AwsAuthEntry(key, i, Scalar(entry, arnField), Scalar(entry, "username"), groups));
        }
    }

    private static YamlNode? Child(YamlMappingNode mapping, string name) =>
        mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: { } key } && key == name).Value;

    private static string? Scalar(YamlMappingNode mapping, string name) => Child(mapping, name) is YamlScalarNode { Value: { Length: > 0 } value } ? value.Trim() : null;
}
