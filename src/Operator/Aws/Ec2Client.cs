using EksHardening.Operator.Facts;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace EksHardening.Operator.Aws;

/// <summary>
/// EC2 through the official AWSSDK.EC2 client, configured like <see cref="KmsClient"/>. Lookups by id use the
/// <c>instance-id</c> / <c>image-id</c> / <c>group-id</c> filters rather than the id lists: EC2 fails a whole call
/// with <c>InvalidInstanceID.NotFound</c> (and the like) when one listed id is unknown, while a filter value that
/// matches nothing simply returns nothing. Ids go in batches of <see cref="MaxFilterValues"/> and every page of
/// each batch is followed (<c>NextToken</c>).
/// </summary>
public sealed class Ec2Client : IEc2Client, IDisposable
{
    /// <summary>
    /// EC2 refuses more values than this in one filter (FilterLimitExceeded): "The maximum number of filter values
    /// specified on a single call is 200".
    /// </summary>
    public const int MaxFilterValues = 200;

    /// <summary>The largest page DescribeInstances, DescribeImages and DescribeSecurityGroups accept (MaxResults).</summary>
    private const int PageSize = 1000;

    private readonly AwsSdkClientPool<AmazonEC2Client, AmazonEC2Config> _clients;

    /// <param name="handler">The HTTP handler for the SDK client (tests answer in-process); default: the SDK's own.</param>
    public Ec2Client(IAwsCredentialsSource credentials, AwsEndpoints? endpoints = null, AwsRetryOptions? retry = null, AwsCallCounters? counters = null, HttpMessageHandler? handler = null) =>
        _clients = new(AwsServices.Ec2, "EC2", (c, config) => new AmazonEC2Client(c, config), credentials, endpoints, retry, counters, handler);

    public Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(string region, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken = default) =>
        DescribeByIdAsync(region, "DescribeInstances", "instance-id", instanceIds, i => i.InstanceId, async (client, filter, token) =>
        {
            var response = await client.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [filter], MaxResults = PageSize, NextToken = token },
                cancellationToken).ConfigureAwait(false);
            var instances = (response.Reservations ?? []).SelectMany(r => r.Instances ?? []).Select(ToInstance).ToList();
            return (instances, response.NextToken);
        }, cancellationToken);

    /// <remarks>Deprecated and disabled images are asked for too: a node may well run on an AMI that was deprecated since.</remarks>
    public Task<IReadOnlyList<Ec2Image>> DescribeImagesAsync(string region, IReadOnlyList<string> imageIds, CancellationToken cancellationToken = default) =>
        DescribeByIdAsync(region, "DescribeImages", "image-id", imageIds, i => i.ImageId, async (client, filter, token) =>
        {
            var response = await client.DescribeImagesAsync(new DescribeImagesRequest
            {
                Filters = [filter],
                IncludeDeprecated = true,
                IncludeDisabled = true,
                MaxResults = PageSize,
                NextToken = token,
            }, cancellationToken).ConfigureAwait(false);
            return ((response.Images ?? []).Select(ToImage).ToList(), response.NextToken);
        }, cancellationToken);

    public Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(string region, IReadOnlyList<string> groupIds, CancellationToken cancellationToken = default) =>
        DescribeByIdAsync(region, "DescribeSecurityGroups", "group-id", groupIds, g => g.GroupId, async (client, filter, token) =>
        {
            var response = await client.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [filter], MaxResults = PageSize, NextToken = token },
                cancellationToken).ConfigureAwait(false);
            return ((response.SecurityGroups ?? []).Select(ToSecurityGroup).ToList(), response.NextToken);
        }, cancellationToken);

    public Task<bool> GetEbsEncryptionByDefaultAsync(string region, CancellationToken cancellationToken = default) =>
        _clients.CallAsync(region, "GetEbsEncryptionByDefault", async client =>
        {
            var response = await client.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest(), cancellationToken).ConfigureAwait(false);
            // No answer is not "off" and not "on": the fact is unknown.
            return response.EbsEncryptionByDefault
                ?? throw new AwsServiceException(AwsErrorKind.Unknown, AwsServices.Ec2, "GetEbsEncryptionByDefault", "EC2 answered without ebsEncryptionByDefault.");
        }, cancellationToken);

    public void Dispose() => _clients.Dispose();

    /// <summary>
    /// Asks for the distinct ids in batches of <see cref="MaxFilterValues"/>, page by page, and keeps only what was
    /// asked for. An id that is not a plain EC2 id (letters, digits and dashes) is never sent, since filter values
    /// take <c>*</c> and <c>?</c> as wildcards; it is absent from the answer like any unknown id.
    /// </summary>
    private async Task<IReadOnlyList<T>> DescribeByIdAsync<T>(string region, string operation, string filterName, IReadOnlyList<string> ids, Func<T, string> idOf,
        Func<AmazonEC2Client, Filter, string?, Task<(List<T> Items, string? NextToken)>> page, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentNullException.ThrowIfNull(ids);
        var wanted = ids.Where(IsPlainId).Distinct(StringComparer.Ordinal).ToList();
        var asked = wanted.ToHashSet(StringComparer.Ordinal);
        var found = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var batch in wanted.Chunk(MaxFilterValues))
        {
            var filter = new Filter(filterName, [.. batch]);
            string? token = null;
            do
            {
                var (items, next) = await _clients.CallAsync(region, operation, client => page(client, filter, token), cancellationToken).ConfigureAwait(false);
                foreach (var item in items)
                {
                    if (asked.Contains(idOf(item))) found.TryAdd(idOf(item), item);
                }

                token = string.IsNullOrEmpty(next) ? null : next;
            }
            while (token is not null);
        }

        return [.. found.Values];
    }

    private static bool IsPlainId(string? id) => !string.IsNullOrEmpty(id) && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static Ec2Instance ToInstance(Instance instance) => new(
        instance.InstanceId ?? "",
        instance.ImageId,
        instance.MetadataOptions?.HttpTokens?.Value,
        instance.MetadataOptions?.HttpPutResponseHopLimit,
        instance.MetadataOptions?.HttpEndpoint?.Value,
        [.. (instance.SecurityGroups ?? []).Select(g => g.GroupId).OfType<string>()],
        instance.State?.Name?.Value);

    private static Ec2Image ToImage(Image image) => new(image.ImageId ?? "", image.Name, image.OwnerId, ParseIso8601(image.CreationDate));

    private static Ec2SecurityGroup ToSecurityGroup(SecurityGroup group) => new(
        group.GroupId ?? "",
        group.GroupName,
        group.VpcId,
        [.. (group.IpPermissions ?? []).Select(p => new Ec2IngressRule(
            p.IpProtocol ?? "",
            p.FromPort,
            p.ToPort,
            [.. (p.Ipv4Ranges ?? []).Select(r => r.CidrIp).OfType<string>()],
            [.. (p.Ipv6Ranges ?? []).Select(r => r.CidrIpv6).OfType<string>()],
            [.. (p.PrefixListIds ?? []).Select(r => r.Id).OfType<string>()],
            [.. (p.UserIdGroupPairs ?? []).Select(r => r.GroupId).OfType<string>()]))]);

    /// <summary>EC2 sends <c>CreationDate</c> as an ISO 8601 string (<c>2024-05-01T12:34:56.000Z</c>); anything else is no date.</summary>
    internal static DateTimeOffset? ParseIso8601(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value) ? value : null;
}
