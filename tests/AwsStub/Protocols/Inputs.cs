namespace EksHardening.AwsStub.Protocols;

/// <summary>Typed reads of an operation's input members that fail with the service's own validation errors.</summary>
internal sealed class Inputs(AwsCall call)
{
    private AwsService Service => call.Service;

    /// <summary>A string member of the JSON body, or of the Query parameters, or of the REST labels and query.</summary>
    public string? String(string name)
    {
        if (call.Json[name] is { } node)
        {
            if (node is JsonValue value && value.TryGetValue<string>(out var text))
            {
                return text;
            }

            throw ServiceErrors.Serialization($"Unexpected value for member '{name}': expected a string.");
        }

        if (call.Form.TryGetValue(name, out var form))
        {
            return form;
        }

        return call.Labels.TryGetValue(name, out var label) ? label : call.QueryString.GetValueOrDefault(name);
    }

    /// <summary>A nested string member; a value of another JSON type is a SerializationException, as in AWS.</summary>
    public static string? Text(JsonNode? node, string member) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => throw ServiceErrors.Serialization($"Unexpected value for member '{member}': expected a string."),
    };

    public string Required(string name, int minLength = 1, int maxLength = int.MaxValue)
    {
        var value = String(name) ?? throw Constraint(name, null, "Member must not be null");
        if (value.Length < minLength)
        {
            throw Constraint(name, value, $"Member must have length greater than or equal to {minLength}");
        }

        return value.Length > maxLength ? throw Constraint(name, value, $"Member must have length less than or equal to {maxLength}") : value;
    }

    public int? Int(string name, int min, int max)
    {
        int? parsed = null;
        if (call.Json[name] is { } node)
        {
            parsed = node is JsonValue value && value.TryGetValue<int>(out var number)
                ? number
                : throw ServiceErrors.Serialization($"Unexpected value for member '{name}': expected an integer.");
        }
        else if (String(name) is { } text)
        {
            parsed = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw Constraint(name, text, "Member must be an integer");
        }

        if (parsed is { } n && n < min)
        {
            throw Constraint(name, n.ToString(CultureInfo.InvariantCulture), $"Member must have value greater than or equal to {min}");
        }

        return parsed is { } m && m > max ? throw Constraint(name, m.ToString(CultureInfo.InvariantCulture), $"Member must have value less than or equal to {max}") : parsed;
    }

    public JsonObject? Object(string name) => call.Json[name] switch
    {
        null => null,
        JsonObject obj => obj,
        _ => throw ServiceErrors.Serialization($"Unexpected value for member '{name}': expected an object."),
    };

    public JsonArray? Array(string name) => call.Json[name] switch
    {
        null => null,
        JsonArray array => array,
        _ => throw ServiceErrors.Serialization($"Unexpected value for member '{name}': expected a list."),
    };

    /// <summary>A list of strings: a JSON array, or Query <c>Name.member.N</c> parameters.</summary>
    public IReadOnlyList<string>? Strings(string name)
    {
        if (Array(name) is { } array)
        {
            return [.. array.Select(item => item is JsonValue value && value.TryGetValue<string>(out var text)
                ? text
                : throw ServiceErrors.Serialization($"Unexpected value in list '{name}': expected a string."))];
        }

        if (call.QueryLists.TryGetValue(name, out var repeated) && repeated.Count > 0)
        {
            return repeated;
        }

        var prefix = name + ".member.";
        var members = call.Form.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        return members.Count == 0 ? null : [.. members.OrderBy(p => int.Parse(p.Key[prefix.Length..], CultureInfo.InvariantCulture)).Select(p => p.Value)];
    }

    /// <summary>A boolean member: a JSON boolean, or <c>true</c>/<c>false</c> as a REST query or Query parameter.</summary>
    public bool? Bool(string name)
    {
        if (call.Json[name] is { } node)
        {
            return node is JsonValue value && value.TryGetValue<bool>(out var flag)
                ? flag
                : throw ServiceErrors.Serialization($"Unexpected value for member '{name}': expected a boolean.");
        }

        return String(name) switch
        {
            null => null,
            var text when bool.TryParse(text, out var flag) => flag,
            var text => throw Constraint(name, text, "Member must be a boolean"),
        };
    }

    /// <summary>
    /// A constraint violation in the service's wording (ECR: "Invalid parameter at …", others: "1 validation error
    /// detected …"), naming the member in lower camel case as AWS does.
    /// </summary>
    public AwsServiceException Constraint(string member, string? value, string constraint)
    {
        var shown = value is null ? "null" : $"'{value}'";
        member = char.ToLowerInvariant(member[0]) + member[1..];
        return Service == AwsService.Ecr
            ? ServiceErrors.Validation(Service, $"Invalid parameter at '{member}' failed to satisfy constraint: '{constraint}'")
            : ServiceErrors.Validation(Service, $"1 validation error detected: Value {shown} at '{member}' failed to satisfy constraint: {constraint}");
    }
}

/// <summary>Opaque pagination tokens bound to the listing they belong to, so that a token from another listing is refused.</summary>
internal static class PageToken
{
    public static string Encode(string listing, int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"v1|{offset.ToString(CultureInfo.InvariantCulture)}|{listing}"));

    /// <summary>The offset a token continues from; 0 without a token; null when the token is not one of this listing's.</summary>
    public static int? Decode(string? token, string listing)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('|', 3);
            return parts is ["v1", var offset, var owner] && owner == listing
                && int.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>One page of <paramref name="items"/> from a token, and the token of the next page (null at the end).</summary>
    public static (IReadOnlyList<T> Page, string? Next) Page<T>(IReadOnlyList<T> items, string listing, string? token, int pageSize, Func<AwsServiceException> invalidToken)
    {
        var offset = Decode(token, listing) ?? throw invalidToken();
        if (offset > items.Count)
        {
            throw invalidToken();
        }

        var page = items.Skip(offset).Take(pageSize).ToList();
        var next = offset + page.Count < items.Count ? Encode(listing, offset + page.Count) : null;
        return (page, next);
    }
}
