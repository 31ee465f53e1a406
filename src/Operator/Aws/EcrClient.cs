using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>ECR over JSON 1.1: POST / with <c>X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.&lt;Op&gt;</c>.</summary>
public sealed class EcrClient(AwsHttpClient http) : IEcrClient
{
    public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";
    public const string ContentType = AwsJsonRequests.Json11ContentType;

    /// <summary>The most image ids DescribeImages takes in one call.</summary>
    public const int ImageIdsPerCall = 100;

    /// <summary>The most repository names DescribeRepositories takes in one call.</summary>
    public const int RepositoryNamesPerCall = 100;

    /// <summary>The most repository names BatchGetRepositoryScanningConfiguration takes in one call.</summary>
    public const int ScanningConfigurationNamesPerCall = 25;

    private const int MaxResults = 1000;

    /// <summary>Distinct image ids in batches that DescribeImages accepts.</summary>
    public static IEnumerable<EcrImageId[]> BatchImageIds(IEnumerable<EcrImageId> imageIds) => imageIds.Distinct().Chunk(ImageIdsPerCall);

    public async Task<IReadOnlyList<EcrRepository>> DescribeRepositoriesAsync(EcrRegistry registry, IReadOnlyCollection<string>? repositoryNames = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var repositories = new List<EcrRepository>();
        var batches = repositoryNames is null ? [null] : repositoryNames.Distinct(StringComparer.Ordinal).Chunk(RepositoryNamesPerCall).ToList<string[]?>();
        foreach (var names in batches)
        {
            await PaginateAsync(registry.Region, registry.Fips, "DescribeRepositories", (writer, token) =>
            {
                WriteRegistryId(writer, registry);
                if (names is not null) WriteStrings(writer, "repositoryNames", names);
                else writer.WriteNumber("maxResults", MaxResults);
                if (token is not null) writer.WriteString("nextToken", token);
            }, page =>
            {
                foreach (var repository in page.Array("repositories")) repositories.Add(ReadRepository(repository));
            }, cancellationToken).ConfigureAwait(false);
        }

        return repositories;
    }

    public async Task<IReadOnlyList<EcrImageDetail>> DescribeImagesAsync(EcrRegistry registry, string repositoryName, IReadOnlyCollection<EcrImageId>? imageIds = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrWhiteSpace(repositoryName);
        var images = new List<EcrImageDetail>();
        if (imageIds is null)
        {
            await DescribeImagePagesAsync(registry, repositoryName, null, images, cancellationToken).ConfigureAwait(false);
            return images;
        }

        foreach (var batch in BatchImageIds(imageIds))
        {
            await DescribeImageBatchAsync(registry, repositoryName, batch, images, cancellationToken).ConfigureAwait(false);
        }

        return images;
    }

    /// <summary>
    /// One batch; AWS fails the whole call when one image is missing, so a failing batch is split in halves
    /// until the missing images are found and left out.
    /// </summary>
    private async Task DescribeImageBatchAsync(EcrRegistry registry, string repositoryName, EcrImageId[] batch, List<EcrImageDetail> images, CancellationToken cancellationToken)
    {
        var found = new List<EcrImageDetail>();
        try
        {
            await DescribeImagePagesAsync(registry, repositoryName, batch, found, cancellationToken).ConfigureAwait(false);
            images.AddRange(found);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ImageNotFoundException")
        {
            if (batch.Length == 1) return;
            var half = batch.Length / 2;
            await DescribeImageBatchAsync(registry, repositoryName, batch[..half], images, cancellationToken).ConfigureAwait(false);
            await DescribeImageBatchAsync(registry, repositoryName, batch[half..], images, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task DescribeImagePagesAsync(EcrRegistry registry, string repositoryName, EcrImageId[]? batch, List<EcrImageDetail> images, CancellationToken cancellationToken) =>
        PaginateAsync(registry.Region, registry.Fips, "DescribeImages", (writer, token) =>
        {
            WriteRegistryId(writer, registry);
            writer.WriteString("repositoryName", repositoryName);
            if (batch is not null)
            {
                writer.WriteStartArray("imageIds");
                foreach (var id in batch) WriteImageId(writer, id);
                writer.WriteEndArray();
            }
            else
            {
                writer.WriteNumber("maxResults", MaxResults);
            }

            if (token is not null) writer.WriteString("nextToken", token);
        }, page =>
        {
            foreach (var detail in page.Array("imageDetails")) images.Add(ReadImageDetail(detail, registry, repositoryName));
        }, cancellationToken);

    public async Task<EcrScanFindings> DescribeImageScanFindingsAsync(EcrRegistry registry, string repositoryName, EcrImageId imageId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrWhiteSpace(repositoryName);
        ArgumentNullException.ThrowIfNull(imageId);
        EcrScanFindings? result = null;
        var findings = new List<EcrFinding>();
        await PaginateAsync(registry.Region, registry.Fips, "DescribeImageScanFindings", (writer, token) =>
        {
            WriteRegistryId(writer, registry);
            writer.WriteString("repositoryName", repositoryName);
            writer.WritePropertyName("imageId");
            WriteImageId(writer, imageId);
            writer.WriteNumber("maxResults", MaxResults);
            if (token is not null) writer.WriteString("nextToken", token);
        }, page =>
        {
            var status = page.Object("imageScanStatus");
            var scan = page.Object("imageScanFindings");
            var id = page.Object("imageId");
            result ??= new EcrScanFindings(
                page.String("registryId") ?? registry.AccountId,
                page.String("repositoryName") ?? repositoryName,
                id.ValueKind == JsonValueKind.Object ? new EcrImageId(id.String("imageDigest") ?? imageId.Digest, id.String("imageTag") ?? imageId.Tag) : imageId,
                status.String("status") ?? "UNKNOWN",
                status.String("description"),
                scan.Timestamp("imageScanCompletedAt"),
                scan.Timestamp("vulnerabilitySourceUpdatedAt"),
                scan.Counts("findingSeverityCounts"),
                findings);
            foreach (var finding in scan.Array("findings")) findings.Add(ReadBasicFinding(finding));
            foreach (var finding in scan.Array("enhancedFindings")) findings.Add(ReadEnhancedFinding(finding));
        }, cancellationToken).ConfigureAwait(false);
        return result!;
    }

    public async Task<EcrRegistryScanningConfiguration> GetRegistryScanningConfigurationAsync(string region, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        using var page = await CallAsync(region, false, "GetRegistryScanningConfiguration", _ => { }, cancellationToken).ConfigureAwait(false);
        var root = page.RootElement;
        var configuration = root.Object("scanningConfiguration");
        var rules = configuration.Array("rules")
            .Select(rule => new EcrScanningRule(rule.String("scanFrequency") ?? "", ReadFilters(rule, "repositoryFilters")))
            .ToList();
        return new EcrRegistryScanningConfiguration(root.String("registryId") ?? "", configuration.String("scanType") ?? "BASIC", rules);
    }

    public async Task<EcrRepositoryScanningConfigurations> BatchGetRepositoryScanningConfigurationAsync(string region, IReadOnlyCollection<string> repositoryNames, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentNullException.ThrowIfNull(repositoryNames);
        var configurations = new List<EcrRepositoryScanningConfiguration>();
        var failures = new List<EcrScanningConfigurationFailure>();
        foreach (var batch in repositoryNames.Distinct(StringComparer.Ordinal).Chunk(ScanningConfigurationNamesPerCall))
        {
            using var page = await CallAsync(region, false, "BatchGetRepositoryScanningConfiguration", writer => WriteStrings(writer, "repositoryNames", batch), cancellationToken).ConfigureAwait(false);
            var root = page.RootElement;
            foreach (var configuration in root.Array("scanningConfigurations"))
            {
                configurations.Add(new EcrRepositoryScanningConfiguration(
                    configuration.String("repositoryName") ?? "",
                    configuration.String("repositoryArn"),
                    configuration.Bool("scanOnPush") ?? false,
                    configuration.String("scanFrequency"),
                    ReadFilters(configuration, "appliedScanFilters")));
            }

            foreach (var failure in root.Array("failures"))
            {
                failures.Add(new EcrScanningConfigurationFailure(failure.String("repositoryName") ?? "", failure.String("failureCode") ?? "", failure.String("failureReason")));
            }
        }

        return new EcrRepositoryScanningConfigurations(configurations, failures);
    }

    private Task PaginateAsync(string region, bool fips, string operation, Action<Utf8JsonWriter, string?> writeBody, Action<JsonElement> readPage, CancellationToken cancellationToken) =>
        AwsPagination.FollowAsync(AwsServices.Ecr, operation, "nextToken", async token =>
        {
            using var page = await CallAsync(region, fips, operation, writer => writeBody(writer, token), cancellationToken).ConfigureAwait(false);
            readPage(page.RootElement);
            return page.RootElement.String("nextToken");
        });

    private Task<JsonDocument> CallAsync(string region, bool fips, string operation, Action<Utf8JsonWriter> writeBody, CancellationToken cancellationToken) =>
        http.SendForJsonAsync(AwsJsonRequests.Json11(AwsServices.Ecr, TargetPrefix, operation, writeBody), http.Endpoints.Resolve(AwsServices.Ecr, region, fips), cancellationToken);

    private static void WriteRegistryId(Utf8JsonWriter writer, EcrRegistry registry)
    {
        if (!string.IsNullOrEmpty(registry.AccountId)) writer.WriteString("registryId", registry.AccountId);
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values) writer.WriteStringValue(value);
        writer.WriteEndArray();
    }

    private static void WriteImageId(Utf8JsonWriter writer, EcrImageId id)
    {
        writer.WriteStartObject();
        if (id.Digest is not null) writer.WriteString("imageDigest", id.Digest);
        if (id.Tag is not null) writer.WriteString("imageTag", id.Tag);
        writer.WriteEndObject();
    }

    private static EcrRepository ReadRepository(JsonElement repository)
    {
        var encryption = repository.Object("encryptionConfiguration");
        return new EcrRepository(
            repository.String("registryId") ?? "",
            repository.String("repositoryName") ?? "",
            repository.String("repositoryArn") ?? "",
            repository.String("repositoryUri") ?? "",
            repository.Object("imageScanningConfiguration").Bool("scanOnPush") ?? false,
            repository.String("imageTagMutability"),
            encryption.String("encryptionType"),
            encryption.String("kmsKey"),
            repository.Timestamp("createdAt"));
    }

    private static EcrImageDetail ReadImageDetail(JsonElement detail, EcrRegistry registry, string repositoryName)
    {
        var summary = detail.Object("imageScanFindingsSummary");
        return new EcrImageDetail(
            detail.String("registryId") ?? registry.AccountId,
            detail.String("repositoryName") ?? repositoryName,
            detail.String("imageDigest") ?? "",
            detail.Strings("imageTags"),
            detail.Timestamp("imagePushedAt"),
            detail.Object("imageScanStatus").String("status"),
            summary.Timestamp("imageScanCompletedAt"),
            summary.Counts("findingSeverityCounts"));
    }

    private static List<EcrScanningFilter> ReadFilters(JsonElement element, string name) =>
        element.Array(name).Select(f => new EcrScanningFilter(f.String("filter") ?? "", f.String("filterType") ?? "")).ToList();

    private static EcrFinding ReadBasicFinding(JsonElement finding)
    {
        string? Attribute(string key) => finding.Array("attributes").FirstOrDefault(a => a.String("key") == key).String("value");
        var score = Attribute("CVSS3_SCORE") ?? Attribute("CVSS2_SCORE");
        return new EcrFinding(
            EcrFindingSource.Basic,
            finding.String("name") ?? "",
            finding.String("severity") ?? "UNDEFINED",
            finding.String("description"),
            finding.String("uri"),
            Attribute("package_name"),
            Attribute("package_version"),
            null,
            null,
            double.TryParse(score, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null,
            null);
    }

    private static EcrFinding ReadEnhancedFinding(JsonElement finding)
    {
        var details = finding.Object("packageVulnerabilityDetails");
        var package = details.Array("vulnerablePackages").FirstOrDefault();
        return new EcrFinding(
            EcrFindingSource.Enhanced,
            details.String("vulnerabilityId") ?? finding.String("title") ?? "",
            finding.String("severity") ?? "UNTRIAGED",
            finding.String("title"),
            details.String("sourceUrl"),
            package.String("name"),
            package.String("version"),
            package.String("fixedInVersion"),
            finding.String("status"),
            finding.Number("score"),
            finding.String("findingArn"));
    }
}
