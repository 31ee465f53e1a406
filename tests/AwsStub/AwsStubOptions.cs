namespace EksHardening.AwsStub;

/// <summary>How an <see cref="AwsEndpointStub"/> starts.</summary>
public sealed class AwsStubOptions
{
    /// <summary>The account that owns everything seeded without an explicit account, and the default ECR registry id.</summary>
    public string AccountId { get; set; } = "123456789012";

    /// <summary>The region ARNs and repository URIs are built with; a credential scope must name it (or one of <see cref="AdditionalRegions"/>).</summary>
    public string Region { get; set; } = "eu-west-1";

    /// <summary>Further regions a credential scope may name for the regional services (ECR, EKS, KMS, STS). IAM is always us-east-1.</summary>
    public IList<string> AdditionalRegions { get; } = [];

    /// <summary>The long-term test credentials every request may be signed with (AWS's documented example key pair).</summary>
    public StubCredentials Credentials { get; set; } = new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

    /// <summary>The IAM principal the long-term credentials belong to, as GetCallerIdentity reports it.</summary>
    public string CallerUserName { get; set; } = "aws-stub";

    /// <summary>Clock for signature skew, credential expiry and default timestamps.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Overrides how far a signature's date may be from the clock. Null: as AWS does, 5 minutes for the JSON and
    /// REST-JSON services (ECR, EKS, KMS) and 15 minutes for the Query services (IAM, STS).
    /// </summary>
    public TimeSpan? MaxClockSkew { get; set; }

    /// <summary>How many answered requests <see cref="AwsEndpointStub.Requests"/> keeps.</summary>
    public int RequestLogLimit { get; set; } = 100_000;

    /// <summary>Seed for generated ids and fault rates, so that runs repeat.</summary>
    public int RandomSeed { get; set; } = 20_240_601;
}

/// <summary>An access key pair, with the session token and expiry of temporary credentials.</summary>
public sealed record StubCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null, DateTimeOffset? Expiration = null);
