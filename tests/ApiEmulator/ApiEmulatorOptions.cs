namespace EksHardening.ApiEmulator;

/// <summary>How an <see cref="ApiServerEmulator"/> starts.</summary>
public sealed class ApiEmulatorOptions
{
    /// <summary>Clock for creation and deletion timestamps and downtime windows.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How many recent changes watches can replay from; an older resourceVersion gets 410 Expired.</summary>
    public int WatchHistoryLimit { get; set; } = 10_000;

    /// <summary>How often watches that allow bookmarks get a BOOKMARK (the real server: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Custom resources served from the start, as if their CRDs had been applied.</summary>
    public IList<CustomResourceType> CustomResources { get; } = [];

    /// <summary>
    /// The gitVersion <c>/version</c> answers (major and minor are read from it); may be changed while the emulator runs,
    /// as an upgrade of the control plane.
    /// </summary>
    public string ServerVersion
    {
        get => Volatile.Read(ref _serverVersion);
        set => Volatile.Write(ref _serverVersion, value);
    }

    private string _serverVersion = "v1.33.0-eks-hardening-emulator";

    /// <summary>Namespaces that exist from the start, as in a fresh cluster.</summary>
    public IList<string> InitialNamespaces { get; } = ["default", "kube-system", "kube-public", "kube-node-lease"];

    /// <summary>Whether API creates in a namespace that does not exist fail with 404, as on a real server. Seeding never checks.</summary>
    public bool RequireNamespaceExists { get; set; } = true;

    /// <summary>How many answered requests <see cref="ApiServerEmulator.Requests"/> keeps.</summary>
    public int RequestLogLimit { get; set; } = 100_000;

    /// <summary>Seed for generated names and error rates, so that runs repeat.</summary>
    public int RandomSeed { get; set; } = 20_240_601;
}
