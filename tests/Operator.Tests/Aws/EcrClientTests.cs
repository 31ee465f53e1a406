namespace EksHardening.Operator.Tests.Aws;

/// <summary>ECR requests on the wire (JSON 1.1) and responses shaped like the ECR API reference's examples.</summary>
public sealed class EcrClientTests
{
    private static readonly EcrRegistry Registry = new("012345678910", "us-west-2");

    private static JsonElement Body(RecordedRequest request) => JsonDocument.Parse(request.Body).RootElement;

    private static void AssertEcrCall(RecordedRequest request, string operation)
    {
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.ecr.us-west-2.amazonaws.com/", request.Uri.AbsoluteUri);
        Assert.Equal("AmazonEC2ContainerRegistry_V20150921." + operation, request.Header("X-Amz-Target"));
        Assert.Equal("application/x-amz-json-1.1", request.ContentType);
        AwsTest.AssertSigned(request, "ecr", "us-west-2");
        Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target,", request.Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeRepositories_lists_every_page_of_the_registry()
    {
        var handler = new FakeAwsHandler()
            .Json("""
                {
                  "repositories": [
                    {
                      "createdAt": 1.479333425E9,
                      "imageScanningConfiguration": { "scanOnPush": false },
                      "imageTagMutability": "MUTABLE",
                      "registryId": "012345678910",
                      "repositoryArn": "arn:aws:ecr:us-west-2:012345678910:repository/ubuntu",
                      "repositoryName": "ubuntu",
                      "repositoryUri": "012345678910.dkr.ecr.us-west-2.amazonaws.com/ubuntu",
                      "encryptionConfiguration": { "encryptionType": "AES256" }
                    }
                  ],
                  "nextToken": "eyJlbmNyeXB0ZWREYXRhIjpbXX0="
                }
                """)
            .Json("""
                {
                  "repositories": [
                    {
                      "createdAt": 1.479333427E9,
                      "imageScanningConfiguration": { "scanOnPush": true },
                      "imageTagMutability": "IMMUTABLE",
                      "registryId": "012345678910",
                      "repositoryArn": "arn:aws:ecr:us-west-2:012345678910:repository/test",
                      "repositoryName": "test",
                      "repositoryUri": "012345678910.dkr.ecr.us-west-2.amazonaws.com/test",
                      "encryptionConfiguration": { "encryptionType": "KMS", "kmsKey": "arn:aws:kms:us-west-2:012345678910:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
                    }
                  ]
                }
                """);
        using var http = AwsTest.Http(handler);

        var repositories = await new EcrClient(http).DescribeRepositoriesAsync(Registry);

        Assert.Equal(
        [
            new EcrRepository("012345678910", "ubuntu", "arn:aws:ecr:us-west-2:012345678910:repository/ubuntu", "012345678910.dkr.ecr.us-west-2.amazonaws.com/ubuntu",
                false, "MUTABLE", "AES256", null, DateTimeOffset.FromUnixTimeSeconds(1479333425)),
            new EcrRepository("012345678910", "test", "arn:aws:ecr:us-west-2:012345678910:repository/test", "012345678910.dkr.ecr.us-west-2.amazonaws.com/test",
                true, "IMMUTABLE", "KMS", "arn:aws:kms:us-west-2:012345678910:key/1234abcd-12ab-34cd-56ef-1234567890ab", DateTimeOffset.FromUnixTimeSeconds(1479333427)),
        ], repositories);
        var requests = handler.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        AssertEcrCall(requests[0], "DescribeRepositories");
        Assert.Equal("""{"registryId":"012345678910","maxResults":1000}""", requests[0].Body);
        Assert.Equal("""{"registryId":"012345678910","maxResults":1000,"nextToken":"eyJlbmNyeXB0ZWREYXRhIjpbXX0="}""", requests[1].Body);
    }

    [Fact]
    public async Task DescribeRepositories_by_name_sends_batches_of_100_without_maxResults()
    {
        var handler = new FakeAwsHandler { Fallback = _ => FakeAwsHandler.Response(HttpStatusCode.OK, """{"repositories":[]}""") };
        using var http = AwsTest.Http(handler);
        var names = Enumerable.Range(0, 130).Select(i => $"team/app-{i}").ToList();

        await new EcrClient(http).DescribeRepositoriesAsync(Registry, names);

        var bodies = handler.Requests.Select(Body).ToArray();
        Assert.Equal([100, 30], bodies.Select(b => b.GetProperty("repositoryNames").GetArrayLength()));
        Assert.All(bodies, b => Assert.False(b.TryGetProperty("maxResults", out _)));
        Assert.Equal("team/app-100", bodies[1].GetProperty("repositoryNames")[0].GetString());
    }

    [Fact]
    public async Task DescribeImages_batches_image_ids_by_100()
    {
        var handler = new FakeAwsHandler { Fallback = DescribeImagesAnswer() };
        using var http = AwsTest.Http(handler);
        var ids = Enumerable.Range(0, 150).Select(i => EcrImageId.ByDigest($"sha256:{i:x64}")).Append(EcrImageId.ByDigest($"sha256:{0:x64}")).ToList();

        var images = await new EcrClient(http).DescribeImagesAsync(Registry, "ubuntu", ids);

        Assert.Equal(150, images.Count);
        var requests = handler.Requests.ToArray();
        Assert.Equal([100, 50], requests.Select(r => Body(r).GetProperty("imageIds").GetArrayLength()));
        AssertEcrCall(requests[0], "DescribeImages");
        var first = Body(requests[0]);
        Assert.Equal("012345678910", first.GetProperty("registryId").GetString());
        Assert.Equal("ubuntu", first.GetProperty("repositoryName").GetString());
        Assert.Equal($"sha256:{0:x64}", first.GetProperty("imageIds")[0].GetProperty("imageDigest").GetString());
        Assert.False(first.TryGetProperty("maxResults", out _));
        Assert.Equal(100, EcrClient.BatchImageIds(ids).First().Length);
    }

    [Fact]
    public async Task DescribeImages_leaves_out_images_that_do_not_exist()
    {
        var missing = "sha256:" + new string('f', 64);
        var handler = new FakeAwsHandler { Fallback = DescribeImagesAnswer(missing) };
        using var http = AwsTest.Http(handler);
        string[] digests = ["sha256:" + new string('a', 64), "sha256:" + new string('b', 64), "sha256:" + new string('c', 64), missing];

        var images = await new EcrClient(http).DescribeImagesAsync(Registry, "ubuntu", digests.Select(EcrImageId.ByDigest).ToList());

        Assert.Equal(digests[..3], images.Select(i => i.Digest));
        Assert.Equal(5, handler.Requests.Count); // [a b c f] → [a b] ✓, [c f] → [c] ✓, [f] ✗
    }

    [Fact]
    public async Task DescribeImages_reads_the_scan_summary()
    {
        var handler = new FakeAwsHandler().Json("""
            {
              "imageDetails": [
                {
                  "registryId": "012345678910",
                  "repositoryName": "ubuntu",
                  "imageDigest": "sha256:f3ecb1c3a5c2c8f7b0d8e2a1c0ad4b4f9b6c3e5d7a8f9b0c1d2e3f4a5b6c7d8e",
                  "imageTags": ["latest", "22.04"],
                  "imageSizeInBytes": 29546487,
                  "imagePushedAt": 1.582843024E9,
                  "imageScanStatus": { "status": "COMPLETE", "description": "The scan was completed successfully." },
                  "imageScanFindingsSummary": {
                    "imageScanCompletedAt": 1.582843026E9,
                    "vulnerabilitySourceUpdatedAt": 1.582821012E9,
                    "findingSeverityCounts": { "HIGH": 2, "MEDIUM": 7, "LOW": 11, "INFORMATIONAL": 3 }
                  },
                  "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json"
                }
              ]
            }
            """);
        using var http = AwsTest.Http(handler);

        var image = Assert.Single(await new EcrClient(http).DescribeImagesAsync(Registry, "ubuntu", [EcrImageId.ByTag("latest")]));

        Assert.Equal(["latest", "22.04"], image.Tags);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1582843024), image.PushedAt);
        Assert.Equal("COMPLETE", image.ScanStatus);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1582843026), image.ScanCompletedAt);
        Assert.Equal(2, image.SeverityCounts["HIGH"]);
        Assert.Equal("""{"imageTag":"latest"}""", Body(handler.Single()).GetProperty("imageIds")[0].GetRawText());
    }

    [Fact]
    public async Task DescribeImages_without_ids_lists_every_page()
    {
        var handler = new FakeAwsHandler()
            .Json("""{"imageDetails":[{"imageDigest":"sha256:1","imageTags":["a"]}],"nextToken":"page-2"}""")
            .Json("""{"imageDetails":[{"imageDigest":"sha256:2"}]}""");
        using var http = AwsTest.Http(handler);

        var images = await new EcrClient(http).DescribeImagesAsync(Registry, "ubuntu");

        Assert.Equal(["sha256:1", "sha256:2"], images.Select(i => i.Digest));
        Assert.Equal(["012345678910", "012345678910"], images.Select(i => i.RegistryId));
        var bodies = handler.Requests.Select(Body).ToArray();
        Assert.Equal(1000, bodies[0].GetProperty("maxResults").GetInt32());
        Assert.Equal("page-2", bodies[1].GetProperty("nextToken").GetString());
    }

    [Fact]
    public async Task DescribeImageScanFindings_reads_basic_findings_across_pages()
    {
        var handler = new FakeAwsHandler()
            .Json("""
                {
                  "imageId": { "imageDigest": "sha256:5a2fd1e1b1e1e0b8b1e3d5f5c2f0a7f1f3c6d4a1e5b0c9d8e7f6a5b4c3d2e1f0", "imageTag": "latest" },
                  "imageScanFindings": {
                    "findings": [
                      {
                        "attributes": [
                          { "key": "package_version", "value": "2.28-10" },
                          { "key": "package_name", "value": "glibc" },
                          { "key": "CVSS2_VECTOR", "value": "AV:N/AC:L/Au:N/C:P/I:P/A:P" },
                          { "key": "CVSS2_SCORE", "value": "7.5" }
                        ],
                        "description": "In the GNU C Library (aka glibc or libc6) through 2.29, proceed_next_node in posix/regexec.c has a heap-based buffer over-read via an attempted case-insensitive regular-expression match.",
                        "name": "CVE-2019-9169",
                        "severity": "HIGH",
                        "uri": "https://security-tracker.debian.org/tracker/CVE-2019-9169"
                      }
                    ],
                    "findingSeverityCounts": { "HIGH": 1, "MEDIUM": 1 },
                    "imageScanCompletedAt": 1.569617612E9,
                    "vulnerabilitySourceUpdatedAt": 1.569611438E9
                  },
                  "imageScanStatus": { "description": "The scan was completed successfully.", "status": "COMPLETE" },
                  "registryId": "012345678910",
                  "repositoryName": "ubuntu",
                  "nextToken": "findings-2"
                }
                """)
            .Json("""
                {
                  "imageId": { "imageDigest": "sha256:5a2fd1e1b1e1e0b8b1e3d5f5c2f0a7f1f3c6d4a1e5b0c9d8e7f6a5b4c3d2e1f0", "imageTag": "latest" },
                  "imageScanFindings": {
                    "findings": [
                      { "name": "CVE-2018-20796", "severity": "MEDIUM", "uri": "https://security-tracker.debian.org/tracker/CVE-2018-20796",
                        "attributes": [ { "key": "package_name", "value": "glibc" }, { "key": "package_version", "value": "2.28-10" } ] }
                    ],
                    "findingSeverityCounts": { "HIGH": 1, "MEDIUM": 1 },
                    "imageScanCompletedAt": 1.569617612E9,
                    "vulnerabilitySourceUpdatedAt": 1.569611438E9
                  },
                  "imageScanStatus": { "description": "The scan was completed successfully.", "status": "COMPLETE" },
                  "registryId": "012345678910",
                  "repositoryName": "ubuntu"
                }
                """);
        using var http = AwsTest.Http(handler);
        var digest = "sha256:5a2fd1e1b1e1e0b8b1e3d5f5c2f0a7f1f3c6d4a1e5b0c9d8e7f6a5b4c3d2e1f0";

        var scan = await new EcrClient(http).DescribeImageScanFindingsAsync(Registry, "ubuntu", EcrImageId.ByDigest(digest));

        Assert.Equal("COMPLETE", scan.Status);
        Assert.Equal("The scan was completed successfully.", scan.StatusDescription);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1569617612), scan.CompletedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1569611438), scan.VulnerabilitySourceUpdatedAt);
        Assert.Equal(new Dictionary<string, int> { ["HIGH"] = 1, ["MEDIUM"] = 1 }, scan.SeverityCounts);
        Assert.Equal(new EcrImageId(digest, "latest"), scan.ImageId);
        Assert.Equal(2, scan.Findings.Count);
        var first = scan.Findings[0];
        Assert.Equal(EcrFindingSource.Basic, first.Source);
        Assert.Equal("CVE-2019-9169", first.VulnerabilityId);
        Assert.Equal("HIGH", first.Severity);
        Assert.Equal("glibc", first.PackageName);
        Assert.Equal("2.28-10", first.PackageVersion);
        Assert.Equal(7.5, first.Score);
        Assert.Equal("https://security-tracker.debian.org/tracker/CVE-2019-9169", first.Uri);
        Assert.Equal("CVE-2018-20796", scan.Findings[1].VulnerabilityId);

        var requests = handler.Requests.ToArray();
        AssertEcrCall(requests[0], "DescribeImageScanFindings");
        Assert.Equal($$"""{"registryId":"012345678910","repositoryName":"ubuntu","imageId":{"imageDigest":"{{digest}}"},"maxResults":1000}""", requests[0].Body);
        Assert.Equal("findings-2", Body(requests[1]).GetProperty("nextToken").GetString());
    }

    [Fact]
    public async Task DescribeImageScanFindings_reads_enhanced_findings()
    {
        var handler = new FakeAwsHandler().Json("""
            {
              "imageId": { "imageDigest": "sha256:9b2d6c5a0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b" },
              "imageScanFindings": {
                "enhancedFindings": [
                  {
                    "awsAccountId": "012345678910",
                    "description": "In libexpat before 2.4.5, there is an integer overflow in copyString.",
                    "findingArn": "arn:aws:inspector2:us-west-2:012345678910:finding/0d5f3b2a8c1e4f6a9b7c5d3e1f2a4b6c",
                    "firstObservedAt": 1.645031512893E9,
                    "lastObservedAt": 1.645031512893E9,
                    "packageVulnerabilityDetails": {
                      "cvss": [ { "baseScore": 9.8, "scoringVector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "source": "NVD", "version": "3.1" } ],
                      "referenceUrls": [ "https://github.com/libexpat/libexpat/pull/558" ],
                      "source": "NVD",
                      "sourceUrl": "https://nvd.nist.gov/vuln/detail/CVE-2022-25235",
                      "vendorCreatedAt": 1.645031512E9,
                      "vendorSeverity": "CRITICAL",
                      "vulnerabilityId": "CVE-2022-25235",
                      "vulnerablePackages": [
                        { "arch": "X86_64", "epoch": 0, "name": "expat", "packageManager": "OS", "release": "2.el7", "version": "2.1.0", "fixedInVersion": "0:2.1.0-14.el7_9" }
                      ]
                    },
                    "remediation": { "recommendation": { "text": "None Provided" } },
                    "resources": [ { "id": "arn:aws:ecr:us-west-2:012345678910:repository/ubuntu/sha256:9b2d", "type": "AWS_ECR_CONTAINER_IMAGE" } ],
                    "score": 9.8,
                    "severity": "CRITICAL",
                    "status": "ACTIVE",
                    "title": "CVE-2022-25235 - expat",
                    "type": "PACKAGE_VULNERABILITY",
                    "updatedAt": 1.645031512893E9,
                    "fixAvailable": "YES",
                    "exploitAvailable": "NO"
                  }
                ],
                "findingSeverityCounts": { "CRITICAL": 1 },
                "imageScanCompletedAt": 1.645031515E9
              },
              "imageScanStatus": { "description": "Continuous scan is selected for image.", "status": "ACTIVE" },
              "registryId": "012345678910",
              "repositoryName": "ubuntu"
            }
            """);
        using var http = AwsTest.Http(handler);

        var scan = await new EcrClient(http).DescribeImageScanFindingsAsync(Registry, "ubuntu", EcrImageId.ByDigest("sha256:9b2d6c5a0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b"));

        Assert.Equal("ACTIVE", scan.Status);
        Assert.Equal(1, scan.SeverityCounts["CRITICAL"]);
        var finding = Assert.Single(scan.Findings);
        Assert.Equal(new EcrFinding(EcrFindingSource.Enhanced, "CVE-2022-25235", "CRITICAL", "CVE-2022-25235 - expat", "https://nvd.nist.gov/vuln/detail/CVE-2022-25235",
            "expat", "2.1.0", "0:2.1.0-14.el7_9", "ACTIVE", 9.8, "arn:aws:inspector2:us-west-2:012345678910:finding/0d5f3b2a8c1e4f6a9b7c5d3e1f2a4b6c"), finding);
    }

    [Fact]
    public async Task A_scan_still_in_progress_has_no_findings()
    {
        var handler = new FakeAwsHandler().Json("""
            {"imageId":{"imageDigest":"sha256:1"},"imageScanStatus":{"status":"IN_PROGRESS","description":"Scan in progress"},"registryId":"012345678910","repositoryName":"ubuntu"}
            """);
        using var http = AwsTest.Http(handler);

        var scan = await new EcrClient(http).DescribeImageScanFindingsAsync(Registry, "ubuntu", EcrImageId.ByDigest("sha256:1"));

        Assert.Equal("IN_PROGRESS", scan.Status);
        Assert.Null(scan.CompletedAt);
        Assert.Empty(scan.Findings);
        Assert.Empty(scan.SeverityCounts);
    }

    [Fact]
    public async Task GetRegistryScanningConfiguration()
    {
        var handler = new FakeAwsHandler().Json("""
            {
              "registryId": "012345678910",
              "scanningConfiguration": {
                "rules": [
                  { "repositoryFilters": [ { "filter": "prod-*", "filterType": "WILDCARD" } ], "scanFrequency": "CONTINUOUS_SCAN" },
                  { "repositoryFilters": [ { "filter": "*", "filterType": "WILDCARD" } ], "scanFrequency": "SCAN_ON_PUSH" }
                ],
                "scanType": "ENHANCED"
              }
            }
            """);
        using var http = AwsTest.Http(handler);

        var configuration = await new EcrClient(http).GetRegistryScanningConfigurationAsync("us-west-2");

        Assert.Equal("012345678910", configuration.RegistryId);
        Assert.Equal("ENHANCED", configuration.ScanType);
        Assert.Equal(["CONTINUOUS_SCAN", "SCAN_ON_PUSH"], configuration.Rules.Select(r => r.ScanFrequency));
        Assert.Equal(new EcrScanningFilter("prod-*", "WILDCARD"), configuration.Rules[0].RepositoryFilters.Single());
        var request = handler.Single();
        AssertEcrCall(request, "GetRegistryScanningConfiguration");
        Assert.Equal("{}", request.Body);
    }

    [Fact]
    public async Task BatchGetRepositoryScanningConfiguration_in_batches_of_25_with_failures()
    {
        var handler = new FakeAwsHandler { Fallback = request =>
        {
            var names = Body(request).GetProperty("repositoryNames").EnumerateArray().Select(n => n.GetString()!).ToList();
            var configurations = names.Where(n => n != "gone").Select(n =>
                $$"""{"repositoryArn":"arn:aws:ecr:us-west-2:012345678910:repository/{{n}}","repositoryName":"{{n}}","scanOnPush":true,"scanFrequency":"SCAN_ON_PUSH","appliedScanFilters":[{"filter":"*","filterType":"WILDCARD"}]}""");
            var failures = names.Where(n => n == "gone").Select(n => $$"""{"repositoryName":"{{n}}","failureCode":"REPOSITORY_NOT_FOUND","failureReason":"REPOSITORY_NOT_FOUND"}""");
            return FakeAwsHandler.Response(HttpStatusCode.OK, $$"""{"scanningConfigurations":[{{string.Join(",", configurations)}}],"failures":[{{string.Join(",", failures)}}]}""");
        } };
        using var http = AwsTest.Http(handler);
        var names = Enumerable.Range(0, 29).Select(i => $"app-{i}").Append("gone").ToList();

        var result = await new EcrClient(http).BatchGetRepositoryScanningConfigurationAsync("us-west-2", names);

        Assert.Equal(29, result.Configurations.Count);
        Assert.All(result.Configurations, c => Assert.True(c.ScanOnPush));
        Assert.Equal(new EcrScanningFilter("*", "WILDCARD"), result.Configurations[0].AppliedScanFilters.Single());
        Assert.Equal(new EcrScanningConfigurationFailure("gone", "REPOSITORY_NOT_FOUND", "REPOSITORY_NOT_FOUND"), Assert.Single(result.Failures));
        var requests = handler.Requests.ToArray();
        Assert.Equal([25, 5], requests.Select(r => Body(r).GetProperty("repositoryNames").GetArrayLength()));
        AssertEcrCall(requests[0], "BatchGetRepositoryScanningConfiguration");
        Assert.False(Body(requests[0]).TryGetProperty("registryId", out _));
    }

    [Fact]
    public async Task A_repeated_next_token_stops_instead_of_looping()
    {
        var handler = new FakeAwsHandler { Fallback = _ => FakeAwsHandler.Response(HttpStatusCode.OK, """{"repositories":[],"nextToken":"same"}""") };
        using var http = AwsTest.Http(handler);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new EcrClient(http).DescribeRepositoriesAsync(Registry));

        Assert.Equal("PaginationLoop", error.ErrorCode);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_fips_registry_is_reached_through_the_fips_endpoint()
    {
        var handler = new FakeAwsHandler().Json("""{"repositories":[]}""");
        using var http = AwsTest.Http(handler);

        await new EcrClient(http).DescribeRepositoriesAsync(EcrRegistry.Parse("012345678910.dkr.ecr-fips.us-east-1.amazonaws.com/app")!);

        Assert.Equal("https://api.ecr-fips.us-east-1.amazonaws.com/", handler.Single().Uri.AbsoluteUri);
    }

    /// <summary>Answers DescribeImages with one detail per requested digest, failing the call when <paramref name="missing"/> is asked for.</summary>
    private static Func<RecordedRequest, HttpResponseMessage> DescribeImagesAnswer(string? missing = null) => request =>
    {
        var digests = Body(request).GetProperty("imageIds").EnumerateArray().Select(i => i.GetProperty("imageDigest").GetString()!).ToList();
        if (missing is not null && digests.Contains(missing))
        {
            return FakeAwsHandler.Response(HttpStatusCode.BadRequest,
                $$"""{"__type":"ImageNotFoundException","message":"The image with imageId {imageDigest:'{{missing}}', imageTag:'null'} does not exist within the repository with name 'ubuntu' in the registry with id '012345678910'"}""");
        }

        var details = digests.Select(d => $$"""{"registryId":"012345678910","repositoryName":"ubuntu","imageDigest":"{{d}}","imageTags":[]}""");
        return FakeAwsHandler.Response(HttpStatusCode.OK, $$"""{"imageDetails":[{{string.Join(",", details)}}]}""");
    };
}
