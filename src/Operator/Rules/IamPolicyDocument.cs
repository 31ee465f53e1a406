namespace EksHardening.Operator.Rules;

/// <summary>
/// An IAM policy document (identity or trust policy) read tolerantly: <c>Statement</c> as an object or an
/// array, <c>Action</c>/<c>Resource</c>/principal values as a string or an array, <c>Condition</c> values as
/// strings, numbers or booleans. Structure IAM itself would reject is reported, never guessed at.
/// </summary>
public sealed class IamPolicyDocument
{
    private IamPolicyDocument(string? version, IReadOnlyList<IamStatement> statements)
    {
        Version = version;
        Statements = statements;
    }

    public string? Version { get; }
    public IReadOnlyList<IamStatement> Statements { get; }

    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>
    /// Reads a policy document; returns null with a reason when it is not valid JSON or not a policy.
    /// URL-encoded text (as IAM's Query API returns it) is decoded first.
    /// </summary>
    public static IamPolicyDocument? TryParse(string? json, out string? problem)
    {
        problem = null;
        var text = json?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            problem = "the policy document is empty";
            return null;
        }
        if (text.StartsWith('%')) text = Uri.UnescapeDataString(text);

        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(text, Options);
        }
        catch (JsonException e)
        {
            problem = $"the policy document is not valid JSON: {e.Message}";
            return null;
        }

        using (parsed)
        {
            try
            {
                return Read(parsed.RootElement);
            }
            catch (PolicyShapeException e)
            {
                problem = "the policy document is malformed: " + e.Message;
                return null;
            }
        }
    }

    private static IamPolicyDocument Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new PolicyShapeException("the top level is not a JSON object");
        string? version = null;
        JsonElement? statementElement = null;
        foreach (var property in root.EnumerateObject())
        {
            if (Is(property.Name, "Version")) version = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
            else if (Is(property.Name, "Statement")) statementElement = property.Value;
        }

        var statements = new List<IamStatement>();
        switch (statementElement?.ValueKind)
        {
            case JsonValueKind.Object:
                statements.Add(ReadStatement(statementElement.Value, 0));
                break;
            case JsonValueKind.Array:
                foreach (var item in statementElement.Value.EnumerateArray()) statements.Add(ReadStatement(item, statements.Count));
                break;
            case null:
                throw new PolicyShapeException("it has no Statement");
            default:
                throw new PolicyShapeException("Statement is neither an object nor an array");
        }
        return new IamPolicyDocument(version, statements);
    }

    private static IamStatement ReadStatement(JsonElement element, int index)
    {
        var where = $"Statement[{index}]";
        if (element.ValueKind != JsonValueKind.Object) throw new PolicyShapeException($"{where} is not an object");

        string? sid = null, effect = null;
        IamPrincipal? principal = null, notPrincipal = null;
        IReadOnlyList<string>? actions = null, notActions = null, resources = null, notResources = null;
        var conditions = new List<IamCondition>();
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name.ToUpperInvariant())
            {
                case "SID": sid = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText(); break;
                case "EFFECT": effect = value.ValueKind == JsonValueKind.String ? value.GetString() : throw new PolicyShapeException($"{where}.Effect is not a string"); break;
                case "PRINCIPAL": principal = ReadPrincipal(value, where + ".Principal"); break;
                case "NOTPRINCIPAL": notPrincipal = ReadPrincipal(value, where + ".NotPrincipal"); break;
                case "ACTION": actions = ReadStrings(value, where + ".Action"); break;
                case "NOTACTION": notActions = ReadStrings(value, where + ".NotAction"); break;
                case "RESOURCE": resources = ReadStrings(value, where + ".Resource"); break;
                case "NOTRESOURCE": notResources = ReadStrings(value, where + ".NotResource"); break;
                case "CONDITION": ReadConditions(value, where + ".Condition", conditions); break;
            }
        }

        var isAllow = effect is not null && effect.Equals("Allow", StringComparison.OrdinalIgnoreCase);
        if (!isAllow && (effect is null || !effect.Equals("Deny", StringComparison.OrdinalIgnoreCase)))
        {
            throw new PolicyShapeException(effect is null ? $"{where} has no Effect" : $"{where}.Effect is \"{effect}\", neither Allow nor Deny");
        }
        if (actions is null == notActions is null)
        {
            throw new PolicyShapeException(actions is null ? $"{where} has neither Action nor NotAction" : $"{where} has both Action and NotAction");
        }
        if (principal is not null && notPrincipal is not null) throw new PolicyShapeException($"{where} has both Principal and NotPrincipal");
        if (resources is not null && notResources is not null) throw new PolicyShapeException($"{where} has both Resource and NotResource");

        return new IamStatement(index, sid, effect!, isAllow, principal, notPrincipal, actions, notActions, resources, notResources, conditions);
    }

    private static IamPrincipal ReadPrincipal(JsonElement value, string where)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString() == "*" ? IamPrincipal.Everyone : throw new PolicyShapeException($"{where} is a string other than \"*\"");
        }
        if (value.ValueKind != JsonValueKind.Object) throw new PolicyShapeException($"{where} is neither \"*\" nor an object");

        var aws = new List<string>();
        var service = new List<string>();
        var federated = new List<string>();
        var canonical = new List<string>();
        foreach (var property in value.EnumerateObject())
        {
            var target = property.Name.ToUpperInvariant() switch
            {
                "AWS" => aws,
                "SERVICE" => service,
                "FEDERATED" => federated,
                "CANONICALUSER" => canonical,
                _ => throw new PolicyShapeException($"{where} has an unknown principal type \"{property.Name}\""),
            };
            target.AddRange(ReadStrings(property.Value, $"{where}.{property.Name}"));
        }
        return new IamPrincipal(false, aws, service, federated, canonical);
    }

    private static void ReadConditions(JsonElement value, string where, List<IamCondition> conditions)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new PolicyShapeException($"{where} is not an object");
        foreach (var block in value.EnumerateObject())
        {
            if (block.Value.ValueKind != JsonValueKind.Object) throw new PolicyShapeException($"{where}.{block.Name} is not an object");
            var (qualifier, baseOperator, ifExists) = IamCondition.SplitOperator(block.Name);
            foreach (var entry in block.Value.EnumerateObject())
            {
                var values = ReadScalars(entry.Value, $"{where}.{block.Name}[\"{entry.Name}\"]");
                conditions.Add(new IamCondition(block.Name, qualifier, baseOperator, ifExists, entry.Name, values));
            }
        }
    }

    private static List<string> ReadStrings(JsonElement value, string where)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return [value.GetString()!];
            case JsonValueKind.Array:
                var list = new List<string>();
                foreach (var item in value.EnumerateArray())
                {
                    list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new PolicyShapeException($"{where} holds a value that is not a string"));
                }
                return list;
            default:
                throw new PolicyShapeException($"{where} is neither a string nor an array of strings");
        }
    }

    // Condition values may be numbers or booleans ("aws:MultiFactorAuthPresent": true); IAM compares their text.
    private static List<string> ReadScalars(JsonElement value, string where)
    {
        var items = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [value];
        var list = new List<string>(items.Count);
        foreach (var item in items)
        {
            list.Add(item.ValueKind switch
            {
                JsonValueKind.String => item.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => item.GetRawText(),
                _ => throw new PolicyShapeException($"{where} holds a value that is not a string, number or boolean"),
            });
        }
        return list;
    }

    private static bool Is(string name, string element) => name.Equals(element, StringComparison.OrdinalIgnoreCase);

    private sealed class PolicyShapeException(string message) : Exception(message);
}

/// <summary>One statement of a policy document, as written (absent elements are null).</summary>
/// <param name="Index">Zero-based position in <c>Statement</c>; 0 when <c>Statement</c> is a single object.</param>
public sealed record IamStatement(
    int Index,
    string? Sid,
    string Effect,
    bool IsAllow,
    IamPrincipal? Principal,
    IamPrincipal? NotPrincipal,
    IReadOnlyList<string>? Actions,
    IReadOnlyList<string>? NotActions,
    IReadOnlyList<string>? Resources,
    IReadOnlyList<string>? NotResources,
    IReadOnlyList<IamCondition> Conditions)
{
    /// <summary>How messages name the statement: <c>Statement[1] (Sid "AllowAdmins")</c>.</summary>
    public string Label => Sid is { Length: > 0 } ? $"Statement[{Index}] (Sid \"{Sid}\")" : $"Statement[{Index}]";

    /// <summary>
    /// Whether the statement's action element covers <paramref name="action"/>: an <c>Action</c> pattern matches
    /// it, or a <c>NotAction</c> is present and none of its patterns match it. Actions compare case-insensitively.
    /// </summary>
    public bool Covers(string action) => Actions is not null
        ? Actions.Any(pattern => IamPatterns.Matches(pattern, action, ignoreCase: true))
        : NotActions!.All(pattern => !IamPatterns.Matches(pattern, action, ignoreCase: true));

    /// <summary>Conditions on <paramref name="key"/> (context key names are case-insensitive).</summary>
    public IEnumerable<IamCondition> ConditionsOn(string key) =>
        Conditions.Where(c => c.Key.Equals(key, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A <c>Principal</c> or <c>NotPrincipal</c> element: <c>"*"</c>, or values per principal type.</summary>
/// <param name="IsEveryone">The element is the string <c>"*"</c>.</param>
public sealed record IamPrincipal(
    bool IsEveryone,
    IReadOnlyList<string> Aws,
    IReadOnlyList<string> Service,
    IReadOnlyList<string> Federated,
    IReadOnlyList<string> CanonicalUser)
{
    public static readonly IamPrincipal Everyone = new(true, [], [], [], []);

    /// <summary><c>"*"</c>, or <c>"*"</c> as the value of any principal type (<c>{"AWS": "*"}</c>): anyone at all.</summary>
    public bool IsWildcard => IsEveryone || Aws.Contains("*") || Service.Contains("*") || Federated.Contains("*") || CanonicalUser.Contains("*");
}

/// <summary>
/// One key of a condition block: <c>"Operator": { "Key": value-or-values }</c>. The operator is split into its
/// set qualifier (<c>ForAnyValue:</c>/<c>ForAllValues:</c>), base operator and <c>IfExists</c> suffix.
/// </summary>
public sealed record IamCondition(
    string Operator,
    ConditionSetQualifier Qualifier,
    string BaseOperator,
    bool IfExists,
    string Key,
    IReadOnlyList<string> Values)
{
    /// <summary>A plain operator with nothing that loosens it: no set qualifier, no <c>IfExists</c>.</summary>
    public bool IsPlain(string baseOperator) =>
        Qualifier == ConditionSetQualifier.None && !IfExists && BaseOperator.Equals(baseOperator, StringComparison.OrdinalIgnoreCase);

    internal static (ConditionSetQualifier Qualifier, string BaseOperator, bool IfExists) SplitOperator(string name)
    {
        var qualifier = ConditionSetQualifier.None;
        var rest = name;
        if (rest.StartsWith("ForAnyValue:", StringComparison.OrdinalIgnoreCase))
        {
            qualifier = ConditionSetQualifier.ForAnyValue;
            rest = rest["ForAnyValue:".Length..];
        }
        else if (rest.StartsWith("ForAllValues:", StringComparison.OrdinalIgnoreCase))
        {
            qualifier = ConditionSetQualifier.ForAllValues;
            rest = rest["ForAllValues:".Length..];
        }
        var ifExists = rest.EndsWith("IfExists", StringComparison.OrdinalIgnoreCase) && rest.Length > "IfExists".Length;
        if (ifExists) rest = rest[..^"IfExists".Length];
        return (qualifier, rest, ifExists);
    }
}

/// <summary>The set operator prefix of a condition operator.</summary>
public enum ConditionSetQualifier
{
    None,
    ForAnyValue,
    ForAllValues,
}

/// <summary>IAM's wildcard matching: <c>*</c> any run of characters, <c>?</c> any one character.</summary>
internal static class IamPatterns
{
    public static bool HasWildcard(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;

    public static bool Matches(string pattern, string value, bool ignoreCase)
    {
        // Iterative glob with single-star backtracking: linear in practice, no regex compilation per pattern.
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || Same(pattern[p], value[v], ignoreCase)))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));
}
