namespace EksHardening.Operator.Rules.Rbac;

/// <summary>
/// One action a subject may be allowed, as the RBAC authorizer sees a request: a verb on a resource (with its
/// subresource and object name) in an API group, or a verb on a non-resource URL.
/// </summary>
/// <param name="Name">The object's name; null asks about some object (a rule limited by resourceNames still grants it).</param>
/// <param name="Subresource">The subresource (<c>exec</c> of <c>pods/exec</c>); <see cref="AnySubresource"/> asks about any.</param>
public sealed record RbacRequest(string Verb, string ApiGroup, string Resource, string Subresource = "", string? Name = null, string? NonResourceUrl = null)
{
    /// <summary>Stands for "some subresource of the resource" (e.g. any <c>userextras/KEY</c> to impersonate).</summary>
    public const string AnySubresource = "\0any";

    public static RbacRequest OnResource(string verb, string apiGroup, string resource, string subresource = "", string? name = null) =>
        new(verb, apiGroup, resource, subresource, name);

    public static RbacRequest OnUrl(string verb, string url) => new(verb, "", "", NonResourceUrl: url);

    public bool IsNonResource => NonResourceUrl is not null;

    /// <summary>How messages name the resource: <c>pods/exec</c>, <c>deployments.apps</c>, <c>/healthz</c>.</summary>
    public string ResourceText => IsNonResource ? NonResourceUrl!
        : (Resource + (Subresource.Length == 0 ? "" : "/" + (Subresource == AnySubresource ? "*" : Subresource))
           + (ApiGroup.Length == 0 ? "" : "." + ApiGroup));
}
