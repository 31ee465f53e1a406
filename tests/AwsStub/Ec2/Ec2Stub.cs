namespace EksHardening.AwsStub.Ec2;

/// <summary>The instances, images, security groups and per-region EBS encryption default the stub's EC2 serves.</summary>
public sealed class Ec2Stub
{
    private readonly Lock _gate = new();
    private readonly StubContext _context;
    private readonly Dictionary<string, Ec2Instance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ec2Image> _images = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ec2SecurityGroup> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _ebsEncryptionByDefault = new(StringComparer.Ordinal);

    internal Ec2Stub(StubContext context) => _context = context;

    internal StubContext Context => _context;

    /// <summary>
    /// When set, a page holds at most this many items even if MaxResults asks for more (EC2 may return fewer items
    /// than MaxResults with a NextToken); lets a test make a client follow several pages. Null: MaxResults decides.
    /// </summary>
    public int? MaxPageSize { get; set; }

    public IReadOnlyList<Ec2Instance> Instances => Snapshot(_instances);

    public IReadOnlyList<Ec2Image> Images => Snapshot(_images);

    public IReadOnlyList<Ec2SecurityGroup> SecurityGroups => Snapshot(_groups);

    /// <summary>Creates or replaces an instance (by id); returns it with id and launch time filled in.</summary>
    public Ec2Instance AddInstance(Ec2Instance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var stored = instance with { InstanceId = instance.InstanceId ?? HexId("i-"), LaunchTime = instance.LaunchTime ?? _context.Now };
        return Store(_instances, stored.InstanceId!, stored);
    }

    /// <summary>Creates or replaces an image (by id); returns it with id and creation date filled in.</summary>
    public Ec2Image AddImage(Ec2Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var stored = image with { ImageId = image.ImageId ?? HexId("ami-"), CreationDate = image.CreationDate ?? _context.Now };
        return Store(_images, stored.ImageId!, stored);
    }

    /// <summary>Creates or replaces a security group (by id); returns it with id and owner filled in.</summary>
    public Ec2SecurityGroup AddSecurityGroup(Ec2SecurityGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var stored = group with { GroupId = group.GroupId ?? HexId("sg-"), OwnerId = group.OwnerId ?? _context.AccountId };
        return Store(_groups, stored.GroupId!, stored);
    }

    /// <summary>Gone from the API, as a terminated instance is an hour after termination.</summary>
    public bool RemoveInstance(string instanceId) => Remove(_instances, instanceId);

    public bool RemoveImage(string imageId) => Remove(_images, imageId);

    public bool RemoveSecurityGroup(string groupId) => Remove(_groups, groupId);

    /// <summary>Turns EBS encryption by default on or off in a region (default: the stub's); it is off until set, as in EC2.</summary>
    public void SetEbsEncryptionByDefault(bool enabled, string? region = null)
    {
        lock (_gate)
        {
            _ebsEncryptionByDefault[region ?? _context.Region] = enabled;
        }
    }

    public bool EbsEncryptionByDefault(string region)
    {
        lock (_gate)
        {
            return _ebsEncryptionByDefault.GetValueOrDefault(region);
        }
    }

    private string HexId(string prefix) => prefix + _context.NewGuid().ToString("N")[..17];

    private T Store<T>(Dictionary<string, T> items, string id, T item)
    {
        lock (_gate)
        {
            items[id] = item;
        }

        return item;
    }

    private bool Remove<T>(Dictionary<string, T> items, string id)
    {
        lock (_gate)
        {
            return items.Remove(id);
        }
    }

    private IReadOnlyList<T> Snapshot<T>(Dictionary<string, T> items)
    {
        lock (_gate)
        {
            return [.. items.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)];
        }
    }
}
