namespace EksHardening.Operator.Tests.Aws;

/// <summary>IAM requests on the wire (Query protocol) and XML responses shaped like the IAM API reference's examples.</summary>
public sealed class IamClientTests
{
    private const string TrustPolicy =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub":"system:serviceaccount:default:my-service-account","oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud":"sts.amazonaws.com"}}}]}""";

    /// <summary>AdministratorAccess's document as IAM sends it: URL-encoded.</summary>
    private const string EncodedAdminDocument =
        "%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22%2C%0A%20%20%22Statement%22%3A%20%5B%0A%20%20%20%20%7B%0A%20%20%20%20%20%20%22Effect%22%3A%20%22Allow%22%2C%0A%20%20%20%20%20%20%22Action%22%3A%20%22%2A%22%2C%0A%20%20%20%20%20%20%22Resource%22%3A%20%22%2A%22%0A%20%20%20%20%7D%0A%20%20%5D%0A%7D";

    private static void AssertIamCall(RecordedRequest request, string action)
    {
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://iam.amazonaws.com/", request.Uri.AbsoluteUri);
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", request.ContentType);
        var form = request.Form();
        Assert.Equal(action, form["Action"]);
        Assert.Equal("2010-05-08", form["Version"]);
        AwsTest.AssertSigned(request, "iam", "us-east-1");
        Assert.Contains("SignedHeaders=content-type;host;x-amz-date,", request.Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRole_decodes_the_trust_policy()
    {
        var handler = new FakeAwsHandler().Xml($"""
            <GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
              <GetRoleResult>
                <Role>
                  <Path>/application_abc/component_xyz/</Path>
                  <Arn>arn:aws:iam::123456789012:role/application_abc/component_xyz/S3Access</Arn>
                  <RoleName>S3Access</RoleName>
                  <AssumeRolePolicyDocument>{Uri.EscapeDataString(TrustPolicy)}</AssumeRolePolicyDocument>
                  <CreateDate>2012-05-08T23:34:01Z</CreateDate>
                  <RoleId>AROADBQP57FF2AEXAMPLE</RoleId>
                  <RoleLastUsed>
                    <LastUsedDate>2019-11-20T17:09:20Z</LastUsedDate>
                    <Region>us-east-1</Region>
                  </RoleLastUsed>
                  <PermissionsBoundary>
                    <PermissionsBoundaryType>Policy</PermissionsBoundaryType>
                    <PermissionsBoundaryArn>arn:aws:iam::123456789012:policy/boundary</PermissionsBoundaryArn>
                  </PermissionsBoundary>
                </Role>
              </GetRoleResult>
              <ResponseMetadata>
                <RequestId>df37e965-9967-11e1-a4c3-270EXAMPLE04</RequestId>
              </ResponseMetadata>
            </GetRoleResponse>
            """);
        using var http = AwsTest.Http(handler);

        var role = await new IamClient(http).GetRoleAsync("S3Access");

        Assert.Equal(new IamRole("S3Access", "AROADBQP57FF2AEXAMPLE", "arn:aws:iam::123456789012:role/application_abc/component_xyz/S3Access",
            "/application_abc/component_xyz/", TrustPolicy, new DateTimeOffset(2012, 5, 8, 23, 34, 1, TimeSpan.Zero), "arn:aws:iam::123456789012:policy/boundary"), role);
        var request = handler.Single();
        AssertIamCall(request, "GetRole");
        Assert.Equal("Action=GetRole&Version=2010-05-08&RoleName=S3Access", request.Body);
    }

    [Fact]
    public async Task ListRolePolicies_follows_the_marker()
    {
        var handler = new FakeAwsHandler()
            .Xml("""
                <ListRolePoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
                  <ListRolePoliciesResult>
                    <PolicyNames>
                      <member>CloudwatchPutMetricPolicy</member>
                      <member>S3AccessPolicy</member>
                    </PolicyNames>
                    <IsTruncated>true</IsTruncated>
                    <Marker>AAYbWpmEbg6ZoT2+Bcm4bBEF7Fw=</Marker>
                  </ListRolePoliciesResult>
                  <ResponseMetadata><RequestId>8c7e1816-99f0-11e1-a4c3-27EXAMPLE804</RequestId></ResponseMetadata>
                </ListRolePoliciesResponse>
                """)
            .Xml("""
                <ListRolePoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
                  <ListRolePoliciesResult>
                    <PolicyNames><member>DynamoReadPolicy</member></PolicyNames>
                    <IsTruncated>false</IsTruncated>
                  </ListRolePoliciesResult>
                  <ResponseMetadata><RequestId>9d7e1816-99f0-11e1-a4c3-27EXAMPLE804</RequestId></ResponseMetadata>
                </ListRolePoliciesResponse>
                """);
        using var http = AwsTest.Http(handler);

        var names = await new IamClient(http).ListRolePoliciesAsync("S3Access");

        Assert.Equal(["CloudwatchPutMetricPolicy", "S3AccessPolicy", "DynamoReadPolicy"], names);
        var requests = handler.Requests.ToArray();
        AssertIamCall(requests[0], "ListRolePolicies");
        Assert.Equal("Action=ListRolePolicies&Version=2010-05-08&RoleName=S3Access&MaxItems=1000", requests[0].Body);
        Assert.Equal("Action=ListRolePolicies&Version=2010-05-08&RoleName=S3Access&Marker=AAYbWpmEbg6ZoT2%2BBcm4bBEF7Fw%3D&MaxItems=1000", requests[1].Body);
        Assert.Equal("AAYbWpmEbg6ZoT2+Bcm4bBEF7Fw=", requests[1].Form()["Marker"]);
    }

    [Fact]
    public async Task GetRolePolicy_decodes_the_document()
    {
        const string document = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["*"]}]}""";
        var handler = new FakeAwsHandler().Xml($"""
            <GetRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
              <GetRolePolicyResult>
                <PolicyName>S3AccessPolicy</PolicyName>
                <RoleName>S3Access</RoleName>
                <PolicyDocument>{Uri.EscapeDataString(document)}</PolicyDocument>
              </GetRolePolicyResult>
              <ResponseMetadata><RequestId>7e7cd8bc-99ef-11e1-a4c3-27EXAMPLE804</RequestId></ResponseMetadata>
            </GetRolePolicyResponse>
            """);
        using var http = AwsTest.Http(handler);

        var policy = await new IamClient(http).GetRolePolicyAsync("S3Access", "S3AccessPolicy");

        Assert.Equal(new IamRolePolicy("S3Access", "S3AccessPolicy", document), policy);
        var request = handler.Single();
        AssertIamCall(request, "GetRolePolicy");
        Assert.Equal("S3AccessPolicy", request.Form()["PolicyName"]);
        Assert.Equal("S3Access", request.Form()["RoleName"]);
    }

    [Fact]
    public async Task ListAttachedRolePolicies_follows_the_marker()
    {
        var handler = new FakeAwsHandler()
            .Xml("""
                <ListAttachedRolePoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
                  <ListAttachedRolePoliciesResult>
                    <AttachedPolicies>
                      <member>
                        <PolicyName>ReadOnlyAccess</PolicyName>
                        <PolicyArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PolicyArn>
                      </member>
                    </AttachedPolicies>
                    <IsTruncated>true</IsTruncated>
                    <Marker>m-2</Marker>
                  </ListAttachedRolePoliciesResult>
                  <ResponseMetadata><RequestId>9a3b490d-c0b7-11e4-9ff8-example</RequestId></ResponseMetadata>
                </ListAttachedRolePoliciesResponse>
                """)
            .Xml("""
                <ListAttachedRolePoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
                  <ListAttachedRolePoliciesResult>
                    <AttachedPolicies>
                      <member>
                        <PolicyName>AdministratorAccess</PolicyName>
                        <PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn>
                      </member>
                    </AttachedPolicies>
                    <IsTruncated>false</IsTruncated>
                  </ListAttachedRolePoliciesResult>
                  <ResponseMetadata><RequestId>9a3b490d-c0b7-11e4-9ff8-example2</RequestId></ResponseMetadata>
                </ListAttachedRolePoliciesResponse>
                """);
        using var http = AwsTest.Http(handler);

        var policies = await new IamClient(http).ListAttachedRolePoliciesAsync("app");

        Assert.Equal(
        [
            new IamAttachedPolicy("ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
            new IamAttachedPolicy("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess"),
        ], policies);
        var requests = handler.Requests.ToArray();
        AssertIamCall(requests[0], "ListAttachedRolePolicies");
        Assert.False(requests[0].Form().ContainsKey("Marker"));
        Assert.Equal("m-2", requests[1].Form()["Marker"]);
    }

    [Fact]
    public async Task GetPolicy_and_its_default_version()
    {
        var handler = new FakeAwsHandler()
            .Xml("""
                <GetPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
                  <GetPolicyResult>
                    <Policy>
                      <PolicyName>AdministratorAccess</PolicyName>
                      <DefaultVersionId>v1</DefaultVersionId>
                      <PolicyId>ANPAIWMBCKSKIEE64ZLYK</PolicyId>
                      <Path>/</Path>
                      <Arn>arn:aws:iam::aws:policy/AdministratorAccess</Arn>
                      <AttachmentCount>3</AttachmentCount>
                      <IsAttachable>true</IsAttachable>
                      <CreateDate>2015-02-06T18:39:46Z</CreateDate>
                      <UpdateDate>2015-02-06T18:39:46Z</UpdateDate>
                    </Policy>
                  </GetPolicyResult>
                  <ResponseMetadata><RequestId>684f0917-3d22-11e4-a4a0-cffb9EXAMPLE</RequestId></ResponseMetadata>
                </GetPolicyResponse>
                """)
            .Xml($"""
                <GetPolicyVersionResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
                  <GetPolicyVersionResult>
                    <PolicyVersion>
                      <Document>{EncodedAdminDocument}</Document>
                      <IsDefaultVersion>true</IsDefaultVersion>
                      <VersionId>v1</VersionId>
                      <CreateDate>2015-02-06T18:39:46Z</CreateDate>
                    </PolicyVersion>
                  </GetPolicyVersionResult>
                  <ResponseMetadata><RequestId>d472f28e-3d23-11e4-a4a0-cffb9EXAMPLE</RequestId></ResponseMetadata>
                </GetPolicyVersionResponse>
                """);
        using var http = AwsTest.Http(handler);
        var iam = new IamClient(http);

        var policy = await iam.GetPolicyAsync("arn:aws:iam::aws:policy/AdministratorAccess");
        var version = await iam.GetPolicyVersionAsync(policy.PolicyArn, policy.DefaultVersionId);

        Assert.Equal(new IamManagedPolicy("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "/", "v1", 3), policy);
        Assert.True(version.IsDefaultVersion);
        Assert.Equal("v1", version.VersionId);
        Assert.Equal("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}", version.Document);
        var requests = handler.Requests.ToArray();
        AssertIamCall(requests[0], "GetPolicy");
        Assert.Equal("Action=GetPolicy&Version=2010-05-08&PolicyArn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FAdministratorAccess", requests[0].Body);
        AssertIamCall(requests[1], "GetPolicyVersion");
        Assert.Equal("v1", requests[1].Form()["VersionId"]);
    }

    [Theory]
    [InlineData("%7B%22a%22%3A%22b%20c%2Bd%22%7D", "{\"a\":\"b c+d\"}")]
    [InlineData("{\"already\":\"json\"}", "{\"already\":\"json\"}")]
    [InlineData("  %7B%7D\n", "{}")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Policy_documents_are_url_decoded(string? raw, string decoded) => Assert.Equal(decoded, IamClient.DecodePolicyDocument(raw));

    [Fact]
    public async Task China_uses_its_own_IAM_endpoint_and_signing_region()
    {
        var handler = new FakeAwsHandler().Xml("""<ListRolePoliciesResponse><ListRolePoliciesResult><PolicyNames/><IsTruncated>false</IsTruncated></ListRolePoliciesResult></ListRolePoliciesResponse>""");
        using var http = AwsTest.Http(handler);

        await new IamClient(http, "cn-northwest-1").ListRolePoliciesAsync("app");

        var request = handler.Single();
        Assert.Equal("https://iam.cn-north-1.amazonaws.com.cn/", request.Uri.AbsoluteUri);
        AwsTest.AssertSigned(request, "iam", "cn-north-1");
    }

    [Fact]
    public async Task A_response_without_the_result_element_is_an_error()
    {
        var handler = new FakeAwsHandler().Xml("<Unexpected/>");
        using var http = AwsTest.Http(handler);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new IamClient(http).GetRoleAsync("app"));

        Assert.Equal(AwsErrorKind.Unknown, error.Kind);
        Assert.Equal("MalformedResponse", error.ErrorCode);
    }

    [Theory]
    [InlineData("arn:aws:iam::111122223333:role/my-role", "aws", "111122223333", "/", "my-role")]
    [InlineData("arn:aws:iam::111122223333:role/service-role/team/my-role", "aws", "111122223333", "/service-role/team/", "my-role")]
    [InlineData("arn:aws-cn:iam::111122223333:role/app", "aws-cn", "111122223333", "/", "app")]
    public void Role_arns(string arn, string partition, string account, string path, string name)
    {
        Assert.True(IamRoleArn.TryParse(arn, out var role));
        Assert.Equal(new IamRoleArn(partition, account, path, name), role);
    }

    [Theory]
    [InlineData("arn:aws:iam::111122223333:user/bob")]
    [InlineData("arn:aws:sts::111122223333:assumed-role/app/session")]
    [InlineData("arn:aws:iam::111122223333:role/")]
    [InlineData("my-role")]
    [InlineData(null)]
    public void Not_role_arns(string? arn) => Assert.False(IamRoleArn.TryParse(arn, out _));
}
