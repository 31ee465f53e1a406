namespace EksHardening.AwsStub.Tests;

/// <summary>ECR (JSON 1.1) requests built from the API reference and signed with the SDK's signer.</summary>
public class EcrTests : StubTest
{
    private static readonly DateTimeOffset ScannedAt = new(2026, 1, 10, 8, 0, 0, TimeSpan.Zero);
    private static readonly string Web = Digests.Of("web-1");

    [Fact]
    public async Task DescribeRepositories_lists_the_registry_with_scan_settings_and_uris()
    {
        Stub.Ecr.AddRepository(new EcrRepository { Name = "shop/web", ScanOnPush = true });
        Stub.Ecr.AddRepository(new EcrRepository { Name = "shop/api" });
        Stub.Ecr.AddRepository(new EcrRepository { Name = "other", RegistryId = "999988887777" });
        var body = await OkAsync("DescribeRepositories", "{}");
        var repositories = body["repositories"]!.AsArray();
        Assert.Equal(["shop/api", "shop/web"], repositories.Select(r => r!["repositoryName"]!.GetValue<string>()));
        var web = repositories[1]!;
        Assert.Equal("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web", web["repositoryUri"]!.GetValue<string>());
        Assert.Equal("arn:aws:ecr:eu-west-1:123456789012:repository/shop/web", web["repositoryArn"]!.GetValue<string>());
        Assert.True(web["imageScanningConfiguration"]!["scanOnPush"]!.GetValue<bool>());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, web["createdAt"]!.GetValueKind());
        Assert.Null(body["nextToken"]);
    }

    [Fact]
    public async Task DescribeRepositories_honours_a_cross_account_registryId()
    {
        Stub.Ecr.AddRepository(new EcrRepository { Name = "shared/base", RegistryId = "999988887777" });
        var body = await OkAsync("DescribeRepositories", """{"registryId":"999988887777","repositoryNames":["shared/base"]}""");
        Assert.Equal("999988887777", body["repositories"]![0]!["registryId"]!.GetValue<string>());
        var (code, message) = await ErrorAsync("DescribeRepositories", """{"repositoryNames":["shared/base"]}""");
        Assert.Equal("RepositoryNotFoundException", code);
        Assert.Equal("The repository with name 'shared/base' does not exist in the registry with id '123456789012'", message);
    }

    [Fact]
    public async Task DescribeRepositories_pages_with_maxResults_and_nextToken()
    {
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            Stub.Ecr.AddRepository(new EcrRepository { Name = name });
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var request = new JsonObject { ["maxResults"] = 2 };
            if (token is not null)
            {
                request["nextToken"] = token;
            }

            var body = await OkAsync("DescribeRepositories", request.ToJsonString());
            names.AddRange(body["repositories"]!.AsArray().Select(r => r!["repositoryName"]!.GetValue<string>()));
            token = body["nextToken"]?.GetValue<string>();
            pages++;
        }
        while (token is not null);
        Assert.Equal(["a", "b", "c", "d", "e"], names);
        Assert.Equal(3, pages);
    }

    [Theory]
    [InlineData("""{"maxResults":0}""", "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value greater than or equal to 1'")]
    [InlineData("""{"maxResults":1001}""", "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'")]
    [InlineData("""{"registryId":"12"}""", "Invalid parameter at 'registryId' failed to satisfy constraint: 'Member must satisfy regular expression pattern: [0-9]{12}'")]
    [InlineData("""{"nextToken":"bogus"}""", "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'")]
    public async Task Invalid_parameters_are_InvalidParameterExceptions(string json, string message) =>
        Assert.Equal(("InvalidParameterException", message), await ErrorAsync("DescribeRepositories", json));

    [Fact]
    public async Task DescribeImages_by_digest_and_tag_reports_scan_status_and_severity_counts()
    {
        Stub.Ecr.AddImage(new EcrImage
        {
            Repository = "shop/web",
            Digest = Web,
            Tags = ["1.0", "latest"],
            Scan = EcrImageScan.Completed(ScannedAt, new EcrFinding("CVE-2024-1", "CRITICAL"), new EcrFinding("CVE-2024-2", "HIGH"), new EcrFinding("CVE-2024-3", "HIGH")),
        });
        var body = await OkAsync("DescribeImages", $$"""{"repositoryName":"shop/web","imageIds":[{"imageDigest":"{{Web}}"},{"imageTag":"latest"}]}""");
        var detail = Assert.Single(body["imageDetails"]!.AsArray())!;
        Assert.Equal(Web, detail["imageDigest"]!.GetValue<string>());
        Assert.Equal(["1.0", "latest"], detail["imageTags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("COMPLETE", detail["imageScanStatus"]!["status"]!.GetValue<string>());
        var summary = detail["imageScanFindingsSummary"]!;
        Assert.Equal(ScannedAt.ToUnixTimeSeconds(), (long)summary["imageScanCompletedAt"]!.GetValue<decimal>());
        Assert.Equal("""{"CRITICAL":1,"HIGH":2}""", summary["findingSeverityCounts"]!.ToJsonString());
    }

    [Fact]
    public async Task An_unscanned_image_has_no_scan_status_and_an_in_progress_one_no_summary()
    {
        Stub.Ecr.AddImage(new EcrImage { Repository = "app", Digest = Digests.Of("a") });
        Stub.Ecr.AddImage(new EcrImage { Repository = "app", Digest = Digests.Of("b"), Scan = EcrImageScan.InProgress() });
        var details = (await OkAsync("DescribeImages", """{"repositoryName":"app"}"""))["imageDetails"]!.AsArray();
        Assert.Null(details[0]!["imageScanStatus"]);
        Assert.Equal("IN_PROGRESS", details[1]!["imageScanStatus"]!["status"]!.GetValue<string>());
        Assert.Null(details[1]!["imageScanFindingsSummary"]);
    }

    [Fact]
    public async Task DescribeImages_takes_at_most_100_image_ids()
    {
        Stub.Ecr.AddRepository(new EcrRepository { Name = "app" });
        var ids = new JsonArray([.. Enumerable.Range(0, 101).Select(i => (JsonNode)new JsonObject { ["imageDigest"] = Digests.Of($"i{i}") })]);
        var (code, message) = await ErrorAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = ids }.ToJsonString());
        Assert.Equal("InvalidParameterException", code);
        Assert.Equal("Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to 100'", message);
    }

    [Fact]
    public async Task DescribeImages_of_a_missing_image_or_repository_fails_with_the_not_found_errors()
    {
        Stub.Ecr.AddImage(new EcrImage { Repository = "app", Digest = Web });
        var missing = Digests.Of("missing");
        var (code, message) = await ErrorAsync("DescribeImages", $$"""{"repositoryName":"app","imageIds":[{"imageDigest":"{{Web}}"},{"imageDigest":"{{missing}}"}]}""");
        Assert.Equal("ImageNotFoundException", code);
        Assert.Equal($"The image with imageId {{imageDigest:'{missing}', imageTag:'null'}} does not exist within the repository with name 'app' in the registry with id '123456789012'", message);
        Assert.Equal("RepositoryNotFoundException", (await ErrorAsync("DescribeImages", """{"repositoryName":"nope"}""")).Code);
        Assert.Equal("InvalidParameterException", (await ErrorAsync("DescribeImages", """{"repositoryName":"app","imageIds":[{"imageDigest":"not-a-digest"}]}""")).Code);
    }

    [Fact]
    public async Task DescribeImages_filters_by_tag_status_and_pages()
    {
        for (var i = 0; i < 5; i++)
        {
            Stub.Ecr.AddImage(new EcrImage { Repository = "app", Digest = Digests.Of($"i{i}"), Tags = i % 2 == 0 ? [$"v{i}"] : [], PushedAt = ScannedAt.AddMinutes(i) });
        }

        var untagged = await OkAsync("DescribeImages", """{"repositoryName":"app","filter":{"tagStatus":"UNTAGGED"}}""");
        Assert.Equal(2, untagged["imageDetails"]!.AsArray().Count);
        var first = await OkAsync("DescribeImages", """{"repositoryName":"app","maxResults":3}""");
        Assert.Equal(3, first["imageDetails"]!.AsArray().Count);
        var second = await OkAsync("DescribeImages", $$"""{"repositoryName":"app","maxResults":3,"nextToken":"{{first["nextToken"]}}"}""");
        Assert.Equal(2, second["imageDetails"]!.AsArray().Count);
        Assert.Null(second["nextToken"]);
    }

    [Fact]
    public async Task DescribeImageScanFindings_pages_basic_findings_and_repeats_the_counts()
    {
        var findings = Enumerable.Range(1, 5).Select(i => new EcrFinding($"CVE-2025-{i}", i == 1 ? "CRITICAL" : "MEDIUM")
        {
            Description = "d",
            Uri = $"https://nvd.example/{i}",
            Attributes = new Dictionary<string, string> { ["package_name"] = "openssl", ["package_version"] = "3.0.2" },
        }).ToArray();
        Stub.Ecr.AddImage(new EcrImage { Repository = "shop/web", Digest = Web, Tags = ["1.0"], Scan = EcrImageScan.Completed(ScannedAt, findings) });
        var names = new List<string>();
        string? token = null;
        do
        {
            var request = new JsonObject { ["repositoryName"] = "shop/web", ["imageId"] = new JsonObject { ["imageTag"] = "1.0" }, ["maxResults"] = 2 };
            if (token is not null)
            {
                request["nextToken"] = token;
            }

            var body = await OkAsync("DescribeImageScanFindings", request.ToJsonString());
            Assert.Equal(Web, body["imageId"]!["imageDigest"]!.GetValue<string>());
            Assert.Equal("1.0", body["imageId"]!["imageTag"]!.GetValue<string>());
            Assert.Equal("COMPLETE", body["imageScanStatus"]!["status"]!.GetValue<string>());
            var scan = body["imageScanFindings"]!;
            Assert.Equal("""{"CRITICAL":1,"MEDIUM":4}""", scan["findingSeverityCounts"]!.ToJsonString());
            Assert.Null(scan["enhancedFindings"]);
            var page = scan["findings"]!.AsArray();
            Assert.InRange(page.Count, 1, 2);
            Assert.Equal("openssl", page[0]!["attributes"]!.AsArray().Single(a => a!["key"]!.GetValue<string>() == "package_name")!["value"]!.GetValue<string>());
            names.AddRange(page.Select(f => f!["name"]!.GetValue<string>()));
            token = body["nextToken"]?.GetValue<string>();
        }
        while (token is not null);
        Assert.Equal(findings.Select(f => f.Name), names);
    }

    [Fact]
    public async Task DescribeImageScanFindings_serves_enhanced_findings_in_the_Inspector_shape()
    {
        Stub.Ecr.AddImage(new EcrImage
        {
            Repository = "shop/web",
            Digest = Web,
            Scan = EcrImageScan.Enhanced(ScannedAt,
                new EcrEnhancedFinding("CVE-2025-0001", "HIGH") { PackageName = "zlib", PackageVersion = "1.2.11", FixedInVersion = "1.2.13" },
                new EcrEnhancedFinding("CVE-2025-0002", "LOW") { Status = "SUPPRESSED" }),
        });
        var body = await OkAsync("DescribeImageScanFindings", $$$"""{"repositoryName":"shop/web","imageId":{"imageDigest":"{{{Web}}}"}}""");
        Assert.Equal("ACTIVE", body["imageScanStatus"]!["status"]!.GetValue<string>());
        var scan = body["imageScanFindings"]!;
        Assert.Equal("""{"HIGH":1}""", scan["findingSeverityCounts"]!.ToJsonString());
        Assert.Null(scan["findings"]);
        var finding = scan["enhancedFindings"]!.AsArray()[0]!;
        Assert.Equal("HIGH", finding["severity"]!.GetValue<string>());
        Assert.Equal("ACTIVE", finding["status"]!.GetValue<string>());
        Assert.Equal("YES", finding["fixAvailable"]!.GetValue<string>());
        Assert.StartsWith("arn:aws:inspector2:eu-west-1:123456789012:finding/", finding["findingArn"]!.GetValue<string>(), StringComparison.Ordinal);
        var details = finding["packageVulnerabilityDetails"]!;
        Assert.Equal("CVE-2025-0001", details["vulnerabilityId"]!.GetValue<string>());
        Assert.Equal("1.2.13", details["vulnerablePackages"]![0]!["fixedInVersion"]!.GetValue<string>());
        Assert.Equal(Web, finding["resources"]![0]!["details"]!["awsEcrContainerImage"]!["imageHash"]!.GetValue<string>());
        Assert.Equal("AWS_ECR_CONTAINER_IMAGE", finding["resources"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Counts_alone_are_served_with_made_up_findings_that_add_up()
    {
        Stub.Ecr.AddImage(new EcrImage { Repository = "app", Digest = Web, Scan = EcrImageScan.WithCounts(ScannedAt, ("HIGH", 2), ("CRITICAL", 1)) });
        var body = await OkAsync("DescribeImageScanFindings", $$$"""{"repositoryName":"app","imageId":{"imageDigest":"{{{Web}}}"}}""");
        Assert.Equal(["CVE-STUB-CRITICAL-0001", "CVE-STUB-HIGH-0001", "CVE-STUB-HIGH-0002"],
            body["imageScanFindings"]!["findings"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()));
        Assert.Equal("""{"CRITICAL":1,"HIGH":2}""", body["imageScanFindings"]!["findingSeverityCounts"]!.ToJsonString());
    }

    [Fact]
    public async Task DescribeImageScanFindings_answers_scan_not_found_and_unfinished_scans_as_ECR_does()
    {
        Stub.Ecr.AddImage(new EcrImage { Repository = "app", Digest = Web });
        Stub.Ecr.AddImage(new EcrImage { Repository = "app", Digest = Digests.Of("busy"), Scan = EcrImageScan.InProgress() });
        Stub.Ecr.AddImage(new EcrImage { Repository = "app", Digest = Digests.Of("bad"), Scan = EcrImageScan.Failed() });
        var (code, message) = await ErrorAsync("DescribeImageScanFindings", $$$"""{"repositoryName":"app","imageId":{"imageDigest":"{{{Web}}}"}}""");
        Assert.Equal("ScanNotFoundException", code);
        Assert.Equal($"Image scan does not exist for the image with '{{imageDigest:'{Web}', imageTag:'null'}}' in the repository with name 'app' in the registry with id '123456789012'", message);
        var busy = await OkAsync("DescribeImageScanFindings", $$$"""{"repositoryName":"app","imageId":{"imageDigest":"{{{Digests.Of("busy")}}}"}}""");
        Assert.Equal("IN_PROGRESS", busy["imageScanStatus"]!["status"]!.GetValue<string>());
        Assert.Null(busy["imageScanFindings"]);
        var bad = await OkAsync("DescribeImageScanFindings", $$$"""{"repositoryName":"app","imageId":{"imageDigest":"{{{Digests.Of("bad")}}}"}}""");
        Assert.Equal("FAILED", bad["imageScanStatus"]!["status"]!.GetValue<string>());
        Assert.StartsWith("UnsupportedImageError", bad["imageScanStatus"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ImageNotFoundException", (await ErrorAsync("DescribeImageScanFindings", """{"repositoryName":"app","imageId":{"imageTag":"nope"}}""")).Code);
        Assert.Equal("RepositoryNotFoundException", (await ErrorAsync("DescribeImageScanFindings", """{"repositoryName":"nope","imageId":{"imageTag":"nope"}}""")).Code);
    }

    [Fact]
    public async Task A_scan_can_complete_while_the_stub_serves()
    {
        Stub.Ecr.AddImage(new EcrImage { Repository = "app", Digest = Web, Scan = EcrImageScan.InProgress() });
        Stub.Ecr.SetScan("app", Web, EcrImageScan.WithCounts(ScannedAt, ("LOW", 1)));
        var body = await OkAsync("DescribeImageScanFindings", $$$"""{"repositoryName":"app","imageId":{"imageDigest":"{{{Web}}}"}}""");
        Assert.Equal("COMPLETE", body["imageScanStatus"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_nextToken_from_another_image_is_refused()
    {
        var findings = Enumerable.Range(1, 3).Select(i => new EcrFinding($"CVE-{i}", "LOW")).ToArray();
        Stub.Ecr.AddImage(new EcrImage { Repository = "app", Digest = Web, Scan = EcrImageScan.Completed(ScannedAt, findings) });
        Stub.Ecr.AddImage(new EcrImage { Repository = "app", Digest = Digests.Of("other"), Scan = EcrImageScan.Completed(ScannedAt, findings) });
        var first = await OkAsync("DescribeImageScanFindings", $$"""{"repositoryName":"app","imageId":{"imageDigest":"{{Web}}"},"maxResults":1}""");
        var (code, _) = await ErrorAsync("DescribeImageScanFindings",
            $$"""{"repositoryName":"app","imageId":{"imageDigest":"{{Digests.Of("other")}}"},"nextToken":"{{first["nextToken"]}}"}""");
        Assert.Equal("InvalidParameterException", code);
    }

    [Fact]
    public async Task GetRegistryScanningConfiguration_defaults_to_basic_and_reports_seeded_rules()
    {
        var basic = await OkAsync("GetRegistryScanningConfiguration", "{}");
        Assert.Equal("""{"registryId":"123456789012","scanningConfiguration":{"scanType":"BASIC","rules":[]}}""", basic.ToJsonString());
        Stub.Ecr.SetScanningConfiguration(new RegistryScanningConfiguration
        {
            ScanType = "ENHANCED",
            Rules = [new RegistryScanningRule("CONTINUOUS_SCAN", ["prod/*"]), new RegistryScanningRule("SCAN_ON_PUSH", ["*"])],
        });
        var enhanced = await OkAsync("GetRegistryScanningConfiguration", "{}");
        Assert.Equal("ENHANCED", enhanced["scanningConfiguration"]!["scanType"]!.GetValue<string>());
        Assert.Equal("""{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"prod/*","filterType":"WILDCARD"}]}""",
            enhanced["scanningConfiguration"]!["rules"]![0]!.ToJsonString());
    }

    [Fact]
    public async Task BatchGetRepositoryScanningConfiguration_applies_the_rules_and_reports_missing_repositories()
    {
        Stub.Ecr.AddRepository(new EcrRepository { Name = "prod/web" });
        Stub.Ecr.AddRepository(new EcrRepository { Name = "dev/web" });
        Stub.Ecr.AddRepository(new EcrRepository { Name = "tools" });
        Stub.Ecr.SetScanningConfiguration(new RegistryScanningConfiguration
        {
            ScanType = "ENHANCED",
            Rules = [new RegistryScanningRule("SCAN_ON_PUSH", ["*/web"]), new RegistryScanningRule("CONTINUOUS_SCAN", ["prod/*"])],
        });
        var body = await OkAsync("BatchGetRepositoryScanningConfiguration", """{"repositoryNames":["prod/web","dev/web","tools","gone"]}""");
        var configurations = body["scanningConfigurations"]!.AsArray().ToDictionary(c => c!["repositoryName"]!.GetValue<string>(), c => c!);
        Assert.Equal("CONTINUOUS_SCAN", configurations["prod/web"]["scanFrequency"]!.GetValue<string>());
        Assert.Equal("""[{"filter":"prod/*","filterType":"WILDCARD"}]""", configurations["prod/web"]["appliedScanFilters"]!.ToJsonString());
        Assert.Equal("SCAN_ON_PUSH", configurations["dev/web"]["scanFrequency"]!.GetValue<string>());
        Assert.True(configurations["dev/web"]["scanOnPush"]!.GetValue<bool>());
        Assert.Equal("MANUAL", configurations["tools"]["scanFrequency"]!.GetValue<string>());
        Assert.False(configurations["tools"]["scanOnPush"]!.GetValue<bool>());
        Assert.Equal("""[{"repositoryName":"gone","failureCode":"REPOSITORY_NOT_FOUND","failureReason":"REPOSITORY_NOT_FOUND"}]""", body["failures"]!.ToJsonString());
    }

    [Fact]
    public async Task Basic_scanning_without_rules_falls_back_to_the_repositorys_scan_on_push()
    {
        Stub.Ecr.AddRepository(new EcrRepository { Name = "a", ScanOnPush = true });
        Stub.Ecr.AddRepository(new EcrRepository { Name = "b" });
        var body = await OkAsync("BatchGetRepositoryScanningConfiguration", """{"repositoryNames":["a","b"]}""");
        Assert.Equal(["SCAN_ON_PUSH", "MANUAL"], body["scanningConfigurations"]!.AsArray().Select(c => c!["scanFrequency"]!.GetValue<string>()));
    }

    [Fact]
    public async Task BatchGetRepositoryScanningConfiguration_takes_at_most_25_names()
    {
        var names = new JsonArray([.. Enumerable.Range(0, 26).Select(i => (JsonNode)$"r{i}")]);
        Assert.Equal("InvalidParameterException", (await ErrorAsync("BatchGetRepositoryScanningConfiguration", new JsonObject { ["repositoryNames"] = names }.ToJsonString())).Code);
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_a_SerializationException_and_an_unknown_target_an_UnknownOperationException()
    {
        Stub.Ecr.AddRepository(new EcrRepository { Name = "app" });
        Assert.Equal("SerializationException", (await ErrorAsync("DescribeRepositories", "{not json")).Code);
        Assert.Equal("UnknownOperationException", (await ErrorAsync("PutImage", "{}")).Code);
        Assert.Equal("SerializationException", (await ErrorAsync("DescribeImages", """{"repositoryName":"app","imageIds":[{"imageDigest":5}]}""")).Code);
        Assert.Equal("SerializationException", (await ErrorAsync("DescribeRepositories", """{"maxResults":"ten"}""")).Code);
    }

    private async Task<JsonObject> OkAsync(string operation, string json)
    {
        using var response = await Hand.EcrAsync(operation, json);
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
        return await Responses.JsonAsync(response);
    }

    private async Task<(string Code, string Message)> ErrorAsync(string operation, string json)
    {
        using var response = await Hand.EcrAsync(operation, json);
        return await Responses.Json11ErrorAsync(response, HttpStatusCode.BadRequest);
    }
}
