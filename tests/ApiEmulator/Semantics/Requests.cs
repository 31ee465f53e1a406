namespace EksHardening.ApiEmulator.Semantics;

/// <summary>How deleting an owner treats its dependents (<c>DeleteOptions.propagationPolicy</c>).</summary>
internal enum PropagationPolicy
{
    Background,
    Foreground,
    Orphan,
}

/// <summary>The parts of <c>DeleteOptions</c> the emulator honours.</summary>
internal sealed record DeleteRequest
{
    public PropagationPolicy Propagation { get; init; } = PropagationPolicy.Background;

    public string? PreconditionUid { get; init; }

    public string? PreconditionResourceVersion { get; init; }

    public bool DryRun { get; init; }

    public static DeleteRequest Default { get; } = new();
}

/// <summary>The outcome of a delete: the object's last state and whether it is gone (or waits on finalizers).</summary>
internal sealed record DeleteResult(StoredObject Object, bool Removed);

/// <summary>A list request: scope, selectors and chunking.</summary>
internal sealed record ListRequest
{
    public string? Namespace { get; init; }

    public LabelSelector Labels { get; init; } = LabelSelector.Everything;

    public FieldSelector Fields { get; init; } = FieldSelector.Everything;

    public int Limit { get; init; }

    public string? Continue { get; init; }

    public string? ResourceVersion { get; init; }
}

/// <summary>One page of a list, with the revision it reflects and the token for the next page.</summary>
internal sealed record ListResult(IReadOnlyList<StoredObject> Items, long ResourceVersion, string? Continue);

/// <summary>Which part of an object a write may change.</summary>
internal enum WriteScope
{
    /// <summary>The main resource: everything but status when the resource has a status subresource.</summary>
    Main,

    /// <summary>The status subresource: only status.</summary>
    Status,

    /// <summary>A pod's ephemeralcontainers subresource (<c>kubectl debug</c>): only spec.ephemeralContainers, which may grow but not lose or change entries.</summary>
    EphemeralContainers,

    /// <summary>A test seeding state directly: everything, without the checks a client request gets.</summary>
    Seed,
}
