using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace EksHardening.AwsStub.Tests;

/// <summary>KMS through the official AWSSDK.KeyManagementService client.</summary>
public class KmsTests : StubTest
{
    [Fact]
    public async Task DescribeKey_finds_a_key_by_id_arn_alias_and_alias_arn()
    {
        var key = Stub.Kms.AddKey(new KmsKey { Description = "eks secrets", Aliases = ["alias/eks-secrets"] });
        using var kms = Kms();
        foreach (var id in new[] { key.KeyId!, key.Arn!, "alias/eks-secrets", $"arn:aws:kms:{Stub.Region}:{Stub.AccountId}:alias/eks-secrets" })
        {
            var metadata = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = id })).KeyMetadata;
            Assert.Equal((key.KeyId, key.Arn, Stub.AccountId), (metadata.KeyId, metadata.Arn, metadata.AWSAccountId));
            Assert.Equal(KeyState.Enabled, metadata.KeyState);
            Assert.Equal(KeyManagerType.CUSTOMER, metadata.KeyManager);
            Assert.Equal(KeySpec.SYMMETRIC_DEFAULT, metadata.KeySpec);
            Assert.True(metadata.Enabled);
            Assert.Equal("eks secrets", metadata.Description);
            Assert.Equal([EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT], metadata.EncryptionAlgorithms);
        }
    }

    [Fact]
    public async Task DescribeKey_reports_state_and_manager_as_seeded()
    {
        var key = Stub.Kms.AddKey(new KmsKey { KeyState = "PendingDeletion", KeyManager = "AWS" });
        using var kms = Kms();
        var metadata = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.Arn })).KeyMetadata;
        Assert.Equal(KeyState.PendingDeletion, metadata.KeyState);
        Assert.Equal(KeyManagerType.AWS, metadata.KeyManager);
        Assert.False(metadata.Enabled);
        Assert.NotNull(metadata.DeletionDate);
    }

    [Theory]
    [InlineData("11111111-2222-3333-4444-555555555555", "Key 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555' does not exist")]
    [InlineData("alias/nope", "Alias arn:aws:kms:eu-west-1:123456789012:alias/nope is not found.")]
    [InlineData("arn:aws:kms:eu-west-1:123456789012:key/0000", "Key 'arn:aws:kms:eu-west-1:123456789012:key/0000' does not exist")]
    [InlineData("not-a-key", "Invalid keyId 'not-a-key'")]
    public async Task An_unknown_key_is_a_NotFoundException(string keyId, string message)
    {
        using var kms = Kms();
        var error = await Assert.ThrowsAsync<NotFoundException>(() => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }));
        Assert.Equal(message, error.Message);
        Assert.Equal("NotFoundException", error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
    }

    [Theory]
    [InlineData(true, 180)]
    [InlineData(false, 365)]
    public async Task GetKeyRotationStatus_reports_the_seeded_rotation(bool enabled, int period)
    {
        var key = Stub.Kms.AddKey(new KmsKey { RotationEnabled = enabled, RotationPeriodInDays = period });
        using var kms = Kms();
        var status = await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });
        Assert.Equal(enabled, status.KeyRotationEnabled);
        Assert.Equal(key.Arn, status.KeyId);
        Assert.Equal(enabled ? period : null, status.RotationPeriodInDays);
        Assert.Equal(enabled, status.NextRotationDate is not null);
    }

    [Fact]
    public async Task Rotation_can_change_while_serving_and_AWS_managed_keys_always_rotate()
    {
        var key = Stub.Kms.AddKey(new KmsKey());
        var managed = Stub.Kms.AddKey(new KmsKey { KeyManager = "AWS", Aliases = ["alias/aws/eks"] });
        using var kms = Kms();
        Assert.False((await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.Arn })).KeyRotationEnabled);
        Stub.Kms.SetRotation(key.Arn!, true);
        Assert.True((await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.Arn })).KeyRotationEnabled);
        Assert.True((await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = managed.KeyId })).KeyRotationEnabled);
    }

    [Fact]
    public async Task GetKeyRotationStatus_takes_no_alias_and_refuses_asymmetric_keys()
    {
        var key = Stub.Kms.AddKey(new KmsKey { Aliases = ["alias/k"] });
        var asymmetric = Stub.Kms.AddKey(new KmsKey { KeySpec = "RSA_2048", KeyUsage = "SIGN_VERIFY" });
        using var kms = Kms();
        await Assert.ThrowsAsync<NotFoundException>(() => kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = "alias/k" }));
        await Assert.ThrowsAsync<UnsupportedOperationException>(() => kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = asymmetric.Arn }));
        Assert.NotNull(key);
    }

    [Fact]
    public async Task A_key_of_another_account_is_found_by_its_arn_only()
    {
        var key = Stub.Kms.AddKey(new KmsKey { AccountId = "999988887777", RotationEnabled = true });
        using var kms = Kms();
        Assert.True((await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.Arn })).KeyRotationEnabled);
        await Assert.ThrowsAsync<NotFoundException>(() => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }));
    }

    [Fact]
    public async Task A_missing_KeyId_is_a_ValidationException()
    {
        using var response = await Hand.SendAsync(Hand.Json11("kms", "TrentService.DescribeKey", "{}"));
        var (code, message) = await Responses.Json11ErrorAsync(response, System.Net.HttpStatusCode.BadRequest);
        Assert.Equal("ValidationException", code);
        Assert.Equal("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null", message);
    }

    [Fact]
    public async Task An_operation_the_stub_does_not_serve_is_an_UnknownOperationException()
    {
        using var kms = Kms();
        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()));
        Assert.Equal("UnknownOperationException", error.ErrorCode);
        Assert.Equal("ListKeys", Stub.Requests.Single().Operation);
    }
}
