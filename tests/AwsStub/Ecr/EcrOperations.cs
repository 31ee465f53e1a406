namespace EksHardening.AwsStub.Ecr;

/// <summary>The ECR operations (JSON 1.1) over the seeded registries, with ECR's errors and pagination.</summary>
internal sealed partial class EcrOperations(EcrStub ecr)
{
    private static readonly string[] SeverityOrder = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED", "UNTRIAGED"];

    public static IReadOnlySet<string> Operations { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "DescribeRepositories", "DescribeImages", "DescribeImageScanFindings", "GetRegistryScanningConfiguration",
        "BatchGetRepositoryScanningConfiguration",
    };

    public AwsResponse Handle(AwsCall call)
    {
        var input = new Inputs(call);
        var body = call.Operation switch
        {
            "DescribeRepositories" => DescribeRepositories(call, input),
            "DescribeImages" => DescribeImages(call, input),
            "DescribeImageScanFindings" => DescribeImageScanFindings(call, input),
            "GetRegistryScanningConfiguration" => GetRegistryScanningConfiguration(call),
            "BatchGetRepositoryScanningConfiguration" => BatchGetRepositoryScanningConfiguration(call, input),
            _ => throw ServiceErrors.UnknownOperation(call.Service, call.Operation),
        };
        return Wire.Json(call.Service, body);
    }

    private JsonObject DescribeRepositories(AwsCall call, Inputs input)
    {
        var registry = Registry(call, input);
        var names = input.Strings("repositoryNames");
        var maxResults = input.Int("maxResults", 1, 1000);
        var token = input.String("nextToken");
        if (names is not null)
        {
            if (names.Count is 0 or > 100)
            {
                throw input.Constraint("repositoryNames", null, names.Count == 0 ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 100");
            }

            if (maxResults is not null || token is not null)
            {
                throw ServiceErrors.Validation(call.Service, "Invalid parameter at 'repositoryNames' failed to satisfy constraint: 'maxResults and nextToken cannot be used with repositoryNames'");
            }

            var found = names.Distinct().Select(n => ecr.FindRepository(registry, n) ?? throw RepositoryNotFound(n, registry)).ToList();
            return new JsonObject { ["repositories"] = new JsonArray([.. found.Select(Repository)]) };
        }

        var (page, next) = PageToken.Page(ecr.RepositoriesOf(registry), $"repositories|{registry}", token, maxResults ?? 100, () => InvalidToken(call));
        return Wire.Object(("repositories", new JsonArray([.. page.Select(Repository)])), ("nextToken", next));
    }

    private JsonObject DescribeImages(AwsCall call, Inputs input)
    {
        var registry = Registry(call, input);
        var repository = RepositoryName(input);
        var images = ecr.ImagesOf(registry, repository) ?? throw RepositoryNotFound(repository, registry);
        var maxResults = input.Int("maxResults", 1, 1000);
        var token = input.String("nextToken");
        if (input.Array("imageIds") is { } ids)
        {
            if (ids.Count is 0 or > 100)
            {
                throw input.Constraint("imageIds", null, ids.Count == 0 ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 100");
            }

            if (maxResults is not null || token is not null)
            {
                throw ServiceErrors.Validation(call.Service, "Invalid parameter at 'imageIds' failed to satisfy constraint: 'maxResults and nextToken cannot be used with imageIds'");
            }

            var details = new List<EcrImage>();
            foreach (var id in ids)
            {
                var image = Resolve(images, ImageIdOf(input, id as JsonObject), repository, registry);
                if (details.All(d => d.Digest != image.Digest))
                {
                    details.Add(image);
                }
            }

            return new JsonObject { ["imageDetails"] = new JsonArray([.. details.Select(ImageDetail)]) };
        }

        var tagStatus = Inputs.Text(input.Object("filter")?["tagStatus"], "tagStatus") ?? "ANY";
        var filtered = images.Where(i => tagStatus switch
        {
            "TAGGED" => i.Tags.Count > 0,
            "UNTAGGED" => i.Tags.Count == 0,
            "ANY" => true,
            _ => throw input.Constraint("filter.tagStatus", tagStatus, "Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]"),
        }).ToList();
        var (page, next) = PageToken.Page(filtered, $"images|{registry}|{repository}|{tagStatus}", token, maxResults ?? 100, () => InvalidToken(call));
        return Wire.Object(("imageDetails", new JsonArray([.. page.Select(ImageDetail)])), ("nextToken", next));
    }

    private JsonObject DescribeImageScanFindings(AwsCall call, Inputs input)
    {
        var registry = Registry(call, input);
        var repository = RepositoryName(input);
        var images = ecr.ImagesOf(registry, repository) ?? throw RepositoryNotFound(repository, registry);
        var imageId = ImageIdOf(input, input.Object("imageId") ?? throw input.Constraint("imageId", null, "Member must not be null"));
        var maxResults = input.Int("maxResults", 1, 1000) ?? 100;
        var image = Resolve(images, imageId, repository, registry);
        var scan = image.Scan ?? throw new AwsServiceException("ScanNotFoundException", 400,
            $"Image scan does not exist for the image with '{Describe(imageId)}' in the repository with name '{repository}' in the registry with id '{registry}'");
        var result = Wire.Object(
            ("registryId", registry),
            ("repositoryName", repository),
            ("imageId", Wire.Object(("imageDigest", image.Digest), ("imageTag", imageId.Tag))),
            ("imageScanStatus", ScanStatus(scan)));
        if (scan.Status is not ("COMPLETE" or "ACTIVE"))
        {
            return result;
        }

        var findings = Wire.Object(
            ("imageScanCompletedAt", Wire.Epoch(scan.CompletedAt)),
            ("vulnerabilitySourceUpdatedAt", Wire.Epoch(scan.VulnerabilitySourceUpdatedAt ?? scan.CompletedAt)),
            ("findingSeverityCounts", SeverityCounts(scan)));
        var listing = $"findings|{registry}|{repository}|{image.Digest}";
        string? next;
        if (scan.IsEnhanced)
        {
            var all = EnhancedFindingsOf(scan);
            (var page, next) = PageToken.Page(all, listing, input.String("nextToken"), maxResults, () => InvalidToken(call));
            findings["enhancedFindings"] = new JsonArray([.. page.Select(f => (JsonNode)EnhancedFinding(f, image))]);
        }
        else
        {
            var all = BasicFindingsOf(scan);
            (var page, next) = PageToken.Page(all, listing, input.String("nextToken"), maxResults, () => InvalidToken(call));
            findings["findings"] = new JsonArray([.. page.Select(BasicFinding)]);
        }

        result["imageScanFindings"] = findings;
        if (next is not null)
        {
            result["nextToken"] = next;
        }

        return result;
    }

    private JsonObject GetRegistryScanningConfiguration(AwsCall call)
    {
        var registry = CallerAccount(call);
        var configuration = ecr.ScanningConfiguration(registry);
        return new JsonObject
        {
            ["registryId"] = registry,
            ["scanningConfiguration"] = new JsonObject
            {
                ["scanType"] = configuration.ScanType,
                ["rules"] = new JsonArray([.. configuration.Rules.Select(rule => (JsonNode)new JsonObject
                {
                    ["scanFrequency"] = rule.ScanFrequency,
                    ["repositoryFilters"] = Filters(rule.RepositoryFilters),
                })]),
            },
        };
    }

    private JsonObject BatchGetRepositoryScanningConfiguration(AwsCall call, Inputs input)
    {
        var names = input.Strings("repositoryNames") ?? throw input.Constraint("repositoryNames", null, "Member must not be null");
        if (names.Count is 0 or > 25)
        {
            throw input.Constraint("repositoryNames", null, names.Count == 0 ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 25");
        }

        var registry = CallerAccount(call);
        var configuration = ecr.ScanningConfiguration(registry);
        var found = new JsonArray();
        var failures = new JsonArray();
        foreach (var name in names.Distinct())
        {
            if (ecr.FindRepository(registry, name) is not { } repository)
            {
                failures.Add(new JsonObject { ["repositoryName"] = name, ["failureCode"] = "REPOSITORY_NOT_FOUND", ["failureReason"] = "REPOSITORY_NOT_FOUND" });
                continue;
            }

            var (frequency, filters) = Applied(configuration, repository);
            found.Add(new JsonObject
            {
                ["repositoryArn"] = repository.Arn,
                ["repositoryName"] = repository.Name,
                ["scanOnPush"] = frequency is "SCAN_ON_PUSH" or "CONTINUOUS_SCAN",
                ["scanFrequency"] = frequency,
                ["appliedScanFilters"] = Filters(filters),
            });
        }

        return new JsonObject { ["scanningConfigurations"] = found, ["failures"] = failures };
    }

    /// <summary>
    /// The scan frequency a repository gets: of the rules with a matching filter, continuous scanning wins over scan
    /// on push; without a matching rule, basic scanning falls back to the repository's own scanOnPush.
    /// </summary>
    internal static (string Frequency, IReadOnlyList<string> Filters) Applied(RegistryScanningConfiguration configuration, EcrRepository repository)
    {
        var matching = configuration.Rules
            .Select(rule => (rule.ScanFrequency, Filters: (IReadOnlyList<string>)[.. rule.RepositoryFilters.Where(f => WildcardMatches(f, repository.Name))]))
            .Where(r => r.Filters.Count > 0)
            .ToList();
        foreach (var frequency in new[] { "CONTINUOUS_SCAN", "SCAN_ON_PUSH" })
        {
            if (matching.FirstOrDefault(r => r.ScanFrequency == frequency) is { Filters: not null } rule)
            {
                return (frequency, rule.Filters);
            }
        }

        return configuration.ScanType == "BASIC" && repository.ScanOnPush ? ("SCAN_ON_PUSH", []) : ("MANUAL", []);
    }

    internal static bool WildcardMatches(string filter, string name) =>
        Regex.IsMatch(name, "^" + string.Join(".*", filter.Split('*').Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static JsonArray Filters(IEnumerable<string> filters) =>
        [.. filters.Select(f => (JsonNode)new JsonObject { ["filter"] = f, ["filterType"] = "WILDCARD" })];

    private string Registry(AwsCall call, Inputs input)
    {
        var registry = input.String("registryId");
        if (registry is not null && !AccountPattern().IsMatch(registry))
        {
            throw input.Constraint("registryId", registry, "Member must satisfy regular expression pattern: [0-9]{12}");
        }

        return registry ?? CallerAccount(call);
    }

    private string CallerAccount(AwsCall call) => call.Caller?.Account ?? ecr.Context.AccountId;

    private static string RepositoryName(Inputs input)
    {
        var name = input.Required("repositoryName", 2, 256);
        return RepositoryPattern().IsMatch(name)
            ? name
            : throw input.Constraint("repositoryName", name, "Member must satisfy regular expression pattern: (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
    }

    private static ImageId ImageIdOf(Inputs input, JsonObject? id)
    {
        if (id is null)
        {
            throw ServiceErrors.Serialization("Unexpected value in 'imageIds': expected an object.");
        }

        var digest = Inputs.Text(id["imageDigest"], "imageDigest");
        var tag = Inputs.Text(id["imageTag"], "imageTag");
        if (digest is null && tag is null)
        {
            throw ServiceErrors.Validation(AwsService.Ecr, "Invalid parameter at 'imageId' failed to satisfy constraint: 'Either imageDigest or imageTag must be specified'");
        }

        if (digest is not null && !DigestPattern().IsMatch(digest))
        {
            throw input.Constraint("imageDigest", digest, "Member must satisfy regular expression pattern: [a-zA-Z0-9-_+.]+:[a-fA-F0-9]+");
        }

        return tag is { Length: 0 or > 300 } ? throw input.Constraint("imageTag", tag, "Member must have length between 1 and 300") : new ImageId(digest, tag);
    }

    private static EcrImage Resolve(IReadOnlyList<EcrImage> images, ImageId id, string repository, string registry)
    {
        var image = images.FirstOrDefault(i => (id.Digest is null || i.Digest == id.Digest) && (id.Tag is null || i.Tags.Contains(id.Tag)));
        if (image is not null)
        {
            return image;
        }

        throw new AwsServiceException("ImageNotFoundException", 400,
            $"The image with imageId {Describe(id)} does not exist within the repository with name '{repository}' in the registry with id '{registry}'");
    }

    private static string Describe(ImageId id) => $"{{imageDigest:'{id.Digest ?? "null"}', imageTag:'{id.Tag ?? "null"}'}}";

    private static JsonNode Repository(EcrRepository repository) => Wire.Object(
        ("repositoryArn", repository.Arn),
        ("registryId", repository.RegistryId),
        ("repositoryName", repository.Name),
        ("repositoryUri", repository.Uri),
        ("createdAt", Wire.Epoch(repository.CreatedAt)),
        ("imageTagMutability", repository.ImageTagMutability),
        ("imageScanningConfiguration", new JsonObject { ["scanOnPush"] = repository.ScanOnPush }),
        ("encryptionConfiguration", Wire.Object(("encryptionType", repository.EncryptionType), ("kmsKey", repository.KmsKey))));

    private static JsonNode ImageDetail(EcrImage image)
    {
        var detail = Wire.Object(
            ("registryId", image.RegistryId),
            ("repositoryName", image.Repository),
            ("imageDigest", image.Digest),
            ("imageTags", image.Tags.Count > 0 ? Wire.Strings(image.Tags) : null),
            ("imageSizeInBytes", image.SizeInBytes),
            ("imagePushedAt", Wire.Epoch(image.PushedAt)),
            ("imageManifestMediaType", image.ManifestMediaType),
            ("artifactMediaType", "application/vnd.docker.container.image.v1+json"));
        if (image.Scan is { } scan)
        {
            detail["imageScanStatus"] = ScanStatus(scan);
            if (scan.Status is "COMPLETE" or "ACTIVE")
            {
                detail["imageScanFindingsSummary"] = Wire.Object(
                    ("imageScanCompletedAt", Wire.Epoch(scan.CompletedAt)),
                    ("vulnerabilitySourceUpdatedAt", Wire.Epoch(scan.VulnerabilitySourceUpdatedAt ?? scan.CompletedAt)),
                    ("findingSeverityCounts", SeverityCounts(scan)));
            }
        }

        return detail;
    }

    private static JsonObject ScanStatus(EcrImageScan scan) => Wire.Object(
        ("status", scan.Status),
        ("description", scan.Description ?? scan.Status switch
        {
            "COMPLETE" => "The scan was completed successfully.",
            "ACTIVE" => "Continuous scan is selected for image.",
            _ => null,
        }));

    private static JsonObject SeverityCounts(EcrImageScan scan)
    {
        var counts = new JsonObject();
        foreach (var (severity, count) in Counts(scan).OrderBy(c => Array.IndexOf(SeverityOrder, c.Key)))
        {
            if (count > 0)
            {
                counts[severity] = count;
            }
        }

        return counts;
    }

    private static Dictionary<string, int> Counts(EcrImageScan scan)
    {
        if (scan.SeverityCounts is { } given)
        {
            return given.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }

        var severities = scan.IsEnhanced
            ? scan.EnhancedFindings.Where(f => f.Status == "ACTIVE").Select(f => f.Severity)
            : scan.Findings.Select(f => f.Severity);
        return severities.GroupBy(s => s, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    private static List<EcrFinding> BasicFindingsOf(EcrImageScan scan) =>
        scan.Findings.Count > 0 || scan.SeverityCounts is null
            ? [.. scan.Findings]
            : [.. Synthetic(scan.SeverityCounts).Select(s => new EcrFinding(s.Id, s.Severity) { Uri = $"https://nvd.nist.gov/vuln/detail/{s.Id}" })];

    private static List<EcrEnhancedFinding> EnhancedFindingsOf(EcrImageScan scan) =>
        scan.EnhancedFindings.Count > 0 || scan.SeverityCounts is null
            ? [.. scan.EnhancedFindings]
            : [.. Synthetic(scan.SeverityCounts).Select(s => new EcrEnhancedFinding(s.Id, s.Severity))];

    private static IEnumerable<(string Id, string Severity)> Synthetic(IReadOnlyDictionary<string, int> counts) =>
        counts.OrderBy(c => Array.IndexOf(SeverityOrder, c.Key))
            .SelectMany(c => Enumerable.Range(1, Math.Max(0, c.Value)).Select(i => ($"CVE-STUB-{c.Key}-{i:0000}", c.Key)));

    private static JsonNode BasicFinding(EcrFinding finding) => Wire.Object(
        ("name", finding.Name),
        ("description", finding.Description),
        ("uri", finding.Uri),
        ("severity", finding.Severity),
        ("attributes", new JsonArray([.. finding.Attributes.Select(a => (JsonNode)new JsonObject { ["key"] = a.Key, ["value"] = a.Value })])));

    private JsonObject EnhancedFinding(EcrEnhancedFinding finding, EcrImage image)
    {
        var region = ecr.Context.Region;
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(image.Digest + finding.VulnerabilityId)))[..32];
        var observed = finding.FirstObservedAt ?? image.Scan?.CompletedAt ?? image.PushedAt;
        var score = finding.Score ?? finding.Severity switch { "CRITICAL" => 9.8, "HIGH" => 7.5, "MEDIUM" => 5.3, "LOW" => 3.1, _ => 0.0 };
        return Wire.Object(
            ("awsAccountId", image.RegistryId),
            ("description", finding.Description ?? $"{finding.VulnerabilityId} in {finding.PackageName} {finding.PackageVersion}."),
            ("findingArn", $"arn:aws:inspector2:{region}:{image.RegistryId}:finding/{id}"),
            ("firstObservedAt", Wire.Epoch(observed)),
            ("lastObservedAt", Wire.Epoch(finding.LastObservedAt ?? observed)),
            ("updatedAt", Wire.Epoch(finding.LastObservedAt ?? observed)),
            ("packageVulnerabilityDetails", Wire.Object(
                ("cvss", new JsonArray(Wire.Object(("baseScore", score), ("scoringVector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), ("source", "NVD"), ("version", "3.1")))),
                ("referenceUrls", new JsonArray()),
                ("source", "NVD"),
                ("sourceUrl", $"https://nvd.nist.gov/vuln/detail/{finding.VulnerabilityId}"),
                ("vendorSeverity", finding.Severity),
                ("vulnerabilityId", finding.VulnerabilityId),
                ("vulnerablePackages", new JsonArray(Wire.Object(
                    ("name", finding.PackageName),
                    ("version", finding.PackageVersion),
                    ("packageManager", finding.PackageManager),
                    ("fixedInVersion", finding.FixedInVersion ?? "NotAvailable"),
                    ("arch", "X86_64"),
                    ("epoch", 0)))))),
            ("remediation", new JsonObject { ["recommendation"] = new JsonObject { ["text"] = finding.FixedInVersion is null ? "None Provided" : $"Upgrade {finding.PackageName} to {finding.FixedInVersion}." } }),
            ("resources", new JsonArray(Wire.Object(
                ("details", new JsonObject
                {
                    ["awsEcrContainerImage"] = Wire.Object(
                        ("imageHash", image.Digest),
                        ("imageTags", Wire.Strings(image.Tags)),
                        ("registry", image.RegistryId),
                        ("repositoryName", image.Repository),
                        ("pushedAt", Wire.Epoch(image.PushedAt)),
                        ("architecture", "amd64")),
                }),
                ("id", $"arn:aws:ecr:{region}:{image.RegistryId}:repository/{image.Repository}/{image.Digest}"),
                ("type", "AWS_ECR_CONTAINER_IMAGE")))),
            ("score", score),
            ("severity", finding.Severity),
            ("status", finding.Status),
            ("title", finding.Title ?? $"{finding.VulnerabilityId} - {finding.PackageName}"),
            ("type", finding.Type),
            ("fixAvailable", finding.FixAvailable ?? (finding.FixedInVersion is null ? "NO" : "YES")),
            ("exploitAvailable", finding.ExploitAvailable ?? "NO"));
    }

    private static AwsServiceException RepositoryNotFound(string name, string registry) =>
        new("RepositoryNotFoundException", 400, $"The repository with name '{name}' does not exist in the registry with id '{registry}'");

    private static AwsServiceException InvalidToken(AwsCall call) =>
        ServiceErrors.Validation(call.Service, "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'");

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountPattern();

    [GeneratedRegex("^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$")]
    private static partial Regex DigestPattern();

    private sealed record ImageId(string? Digest, string? Tag);
}
