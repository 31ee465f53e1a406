using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>
/// The ECR calls the image rules need (JSON 1.1, <c>AmazonEC2ContainerRegistry_V20150921</c>). Every paginated
/// call follows <c>nextToken</c> to the end. Calls taking an <see cref="EcrRegistry"/> send its account as
/// <c>registryId</c>, so cross-account registries work where the caller has been granted access.
/// </summary>
public interface IEcrClient
{
    /// <summary>The named repositories (in batches of 100), or every repository of the registry when no names are given.</summary>
    Task<IReadOnlyList<EcrRepository>> DescribeRepositoriesAsync(EcrRegistry registry, IReadOnlyCollection<string>? repositoryNames = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The given images (in batches of 100; images that do not exist are left out), or every image of the
    /// repository when no ids are given.
    /// </summary>
    Task<IReadOnlyList<EcrImageDetail>> DescribeImagesAsync(EcrRegistry registry, string repositoryName, IReadOnlyCollection<EcrImageId>? imageIds = null, CancellationToken cancellationToken = default);

    /// <summary>The latest scan of one image with all its findings, basic and enhanced.</summary>
    Task<EcrScanFindings> DescribeImageScanFindingsAsync(EcrRegistry registry, string repositoryName, EcrImageId imageId, CancellationToken cancellationToken = default);

    /// <summary>The scanning configuration of the caller's registry in <paramref name="region"/> (AWS takes no registry id here).</summary>
    Task<EcrRegistryScanningConfiguration> GetRegistryScanningConfigurationAsync(string region, CancellationToken cancellationToken = default);

    /// <summary>How each named repository of the caller's registry is scanned (in batches of 25; AWS takes no registry id here).</summary>
    Task<EcrRepositoryScanningConfigurations> BatchGetRepositoryScanningConfigurationAsync(string region, IReadOnlyCollection<string> repositoryNames, CancellationToken cancellationToken = default);
}
