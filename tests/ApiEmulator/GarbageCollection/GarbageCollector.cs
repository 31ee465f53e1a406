namespace EksHardening.ApiEmulator.GarbageCollection;

/// <summary>The writes the garbage collector asks for; done by whoever owns the server's write rules.</summary>
internal interface IDependentWriter
{
    void DeleteDependent(GroupResource resource, StoredObject dependent);

    void RemoveOwnerReference(GroupResource resource, StoredObject dependent, string ownerUid);
}

/// <summary>
/// Owner-reference garbage collection, by uid: when an owner goes, a dependent with no other live owner is
/// deleted (in turn collecting its own dependents); one that still has a live owner, or that is orphaned,
/// only loses the reference. Runs synchronously under the store gate, so tests see it at once.
/// </summary>
internal sealed class GarbageCollector(ObjectStore store)
{
    /// <summary>Handles the dependents of an owner that is gone (or, for foreground deletion, about to go).</summary>
    public void OwnerGone(string ownerUid, PropagationPolicy policy, IDependentWriter writer)
    {
        if (ownerUid.Length == 0)
        {
            return;
        }

        foreach (var (resource, dependent) in store.DependentsOf(ownerUid))
        {
            var current = store.Table(resource).Get(dependent.Key);
            if (current is null || current.Uid != dependent.Uid || !current.OwnerUids.Contains(ownerUid))
            {
                continue;
            }

            var otherLiveOwner = current.OwnerUids.Any(uid => uid != ownerUid && store.UidExists(uid));
            if (policy == PropagationPolicy.Orphan || otherLiveOwner)
            {
                writer.RemoveOwnerReference(resource, current, ownerUid);
            }
            else if (!current.IsDeleting)
            {
                writer.DeleteDependent(resource, current);
            }
        }
    }
}
