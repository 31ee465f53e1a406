namespace EksHardening.ApiEmulator.Watch;

/// <summary>The open watches, and the fan-out of each stored change to the watches of its resource.</summary>
internal sealed class WatchHub
{
    private readonly Lock _gate = new();
    private readonly Dictionary<GroupResource, List<WatchSubscription>> _subscriptions = [];

    public int OpenWatches
    {
        get
        {
            lock (_gate)
            {
                return _subscriptions.Values.Sum(s => s.Count);
            }
        }
    }

    /// <summary>Called under the store gate, so that subscriptions see changes in revision order.</summary>
    public void Publish(ChangeEvent change)
    {
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(change.Resource, out var list))
            {
                return;
            }

            foreach (var subscription in list)
            {
                if (subscription.Namespace is null || subscription.Namespace == change.Object.Namespace)
                {
                    subscription.Offer(new ChangeItem(change));
                }
            }
        }
    }

    /// <summary>Registers a subscription; call under the store gate together with the replay that precedes it.</summary>
    public void Add(WatchSubscription subscription)
    {
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(subscription.Resource, out var list))
            {
                list = [];
                _subscriptions[subscription.Resource] = list;
            }

            list.Add(subscription);
        }
    }

    public void Remove(WatchSubscription subscription)
    {
        lock (_gate)
        {
            if (_subscriptions.TryGetValue(subscription.Resource, out var list))
            {
                list.Remove(subscription);
            }
        }
    }

    /// <summary>Ends open watches (all, or those of one resource): their responses complete as a server closing them would.</summary>
    public int DropAll(GroupResource? resource = null)
    {
        List<WatchSubscription> victims;
        lock (_gate)
        {
            victims = [.. _subscriptions.Where(p => resource is null || p.Key == resource).SelectMany(p => p.Value)];
        }

        foreach (var subscription in victims)
        {
            subscription.Drop();
        }

        return victims.Count;
    }

    public IReadOnlyList<WatchSubscription> Snapshot()
    {
        lock (_gate)
        {
            return [.. _subscriptions.Values.SelectMany(s => s)];
        }
    }
}
