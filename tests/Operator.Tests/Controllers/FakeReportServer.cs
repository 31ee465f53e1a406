namespace EksHardening.Operator.Tests.Controllers;

/// <summary>
/// The wgpolicyk8s.io part of an API server behind a <see cref="ScriptedApiHandler"/>: discovery serves both report
/// kinds, and creates, merge patches and deletes change a store and are answered with a new resourceVersion. The
/// <see cref="FakeCluster"/>'s report informers see a write only when the test calls <see cref="DeliverAsync"/>, so a
/// test can reconcile before the informer has caught up.
/// </summary>
internal sealed class FakeReportServer
{
    private const string Prefix = "/apis/" + PolicyReport.Group + "/" + PolicyReport.Version;
    private readonly FakeCluster _cluster;
    private readonly Dictionary<string, JsonObject> _stored = new(StringComparer.Ordinal);
    private readonly HashSet<string> _undelivered = new(StringComparer.Ordinal);

    public FakeReportServer(ScriptedApiHandler api, FakeCluster cluster)
    {
        _cluster = cluster;
        var answer = api.Answer;
        var respond = api.Respond;
        api.Answer = (method, path) => path.StartsWith(Prefix, StringComparison.Ordinal) ? Answer(method, path) : answer(method, path);
        api.Respond = (method, path, body) => path.StartsWith(Prefix, StringComparison.Ordinal) ? Respond(method, path, body) : respond(method, path, body);
    }

    /// <summary>Stored reports the informers have not been told of yet.</summary>
    public int Undelivered
    {
        get
        {
            lock (_stored) return _undelivered.Count;
        }
    }

    /// <summary>Hands every write since the last delivery to the informers (as watch events) and waits until they are handled.</summary>
    public async Task DeliverAsync()
    {
        List<(string Key, JsonObject? Stored)> changes;
        lock (_stored)
        {
            changes = _undelivered.Select(k => (k, _stored.GetValueOrDefault(k)?.DeepClone().AsObject())).ToList();
            _undelivered.Clear();
        }

        foreach (var (key, stored) in changes)
        {
            if (stored is not null) await _cluster.ApplyAsync(Typed(key, stored));
            else await _cluster.DeleteAsync(Typed(key, new JsonObject { ["metadata"] = Metadata(key) }));
        }
    }

    /// <summary>Someone else changes a stored report (the informer sees it at once).</summary>
    public async Task EditAsync(string key, Action<JsonObject> edit)
    {
        JsonObject stored;
        lock (_stored)
        {
            edit(_stored[key]);
            stored = _stored[key].DeepClone().AsObject();
        }

        await _cluster.ApplyAsync(Typed(key, stored));
    }

    /// <summary>Someone else deletes a stored report (the informer sees it at once).</summary>
    public async Task DeleteAsync(string key)
    {
        lock (_stored) _stored.Remove(key);
        await _cluster.DeleteAsync(Typed(key, new JsonObject { ["metadata"] = Metadata(key) }));
    }

    public bool Contains(string key)
    {
        lock (_stored) return _stored.ContainsKey(key);
    }

    /// <summary><c>policyreports/ns/name</c> or <c>clusterpolicyreports/name</c> for a request path.</summary>
    private static (string Collection, string? Name) Parse(string path)
    {
        var parts = path[Prefix.Length..].Trim('/').Split('/');
        return parts switch
        {
            ["namespaces", var ns, var plural] => ($"{plural}/{ns}", null),
            ["namespaces", var ns, var plural, var name] => ($"{plural}/{ns}", name),
            [var plural] => (plural, null),
            [var plural, var name] => (plural, name),
            _ => ("", null),
        };
    }

    private HttpStatusCode Answer(string method, string path)
    {
        var (collection, name) = Parse(path);
        if (collection.Length == 0 || (method == "POST") != (name is null)) return HttpStatusCode.OK;
        lock (_stored)
        {
            if (method == "POST") return HttpStatusCode.OK;
            return _stored.ContainsKey($"{collection}/{name}") ? HttpStatusCode.OK : HttpStatusCode.NotFound;
        }
    }

    private string? Respond(string method, string path, string body)
    {
        var (collection, name) = Parse(path);
        if (collection.Length == 0)
        {
            return $$"""
                {"kind":"APIResourceList","groupVersion":"{{PolicyReport.ApiVersionName}}","resources":[
                  {"name":"{{PolicyReport.Plural}}","namespaced":true,"kind":"{{PolicyReport.KindName}}","verbs":["list","watch","create","patch","delete"]},
                  {"name":"{{ClusterPolicyReport.Plural}}","namespaced":false,"kind":"{{ClusterPolicyReport.KindName}}","verbs":["list","watch","create","patch","delete"]}]}
                """;
        }

        lock (_stored)
        {
            JsonObject stored;
            string key;
            switch (method)
            {
                case "POST":
                    stored = JsonNode.Parse(body)!.AsObject();
                    key = $"{collection}/{stored["metadata"]!["name"]}";
                    stored["metadata"]!["uid"] = Uid(key);
                    break;
                case "PATCH":
                    key = $"{collection}/{name}";
                    stored = _stored[key];
                    Merge(stored, JsonNode.Parse(body)!.AsObject());
                    break;
                case "DELETE":
                    key = $"{collection}/{name}";
                    _stored.Remove(key);
                    _undelivered.Add(key);
                    return """{"kind":"Status","status":"Success"}""";
                default:
                    return null;
            }

            stored["metadata"]!["resourceVersion"] = _cluster.NextResourceVersion();
            _stored[key] = stored;
            _undelivered.Add(key);
            return stored.ToJsonString();
        }
    }

    /// <summary>RFC 7386 JSON merge patch.</summary>
    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (property, value) in patch.ToList())
        {
            if (value is null) target.Remove(property);
            else if (value is JsonObject child && target[property] is JsonObject existing) Merge(existing, child);
            else target[property] = value.DeepClone();
        }
    }

    private static JsonObject Metadata(string key)
    {
        var parts = key.Split('/');
        return parts.Length == 3
            ? new JsonObject { ["name"] = parts[2], ["namespace"] = parts[1] }
            : new JsonObject { ["name"] = parts[1] };
    }

    /// <summary>The uid the fake cluster would give the object, so that both sides agree.</summary>
    private static string Uid(string key)
    {
        var parts = key.Split('/');
        return parts.Length == 3 ? $"uid-{parts[0]}-{parts[1]}-{parts[2]}" : $"uid-{parts[0]}--{parts[1]}";
    }

    private static IKubernetesObject<V1ObjectMeta> Typed(string key, JsonObject stored) => key.StartsWith(PolicyReport.Plural + "/", StringComparison.Ordinal)
        ? KubernetesJson.Deserialize<PolicyReport>(stored.ToJsonString())
        : KubernetesJson.Deserialize<ClusterPolicyReport>(stored.ToJsonString());
}
