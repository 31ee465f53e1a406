namespace EksHardening.AwsStub.Tests;

/// <summary>Regions beyond the stub's own can be allowed for the regional services.</summary>
public class AdditionalRegionTests : StubTest
{
    protected override void Configure(AwsStubOptions options) => options.AdditionalRegions.Add("us-west-2");

    [Fact]
    public async Task A_scope_in_an_additional_region_is_accepted()
    {
        Hand.Region = "us-west-2";
        using var response = await Hand.EcrAsync("GetRegistryScanningConfiguration", "{}");
        var body = await Responses.JsonAsync(response);
        Assert.Equal("BASIC", body["scanningConfiguration"]!["scanType"]!.GetValue<string>());
    }
}
