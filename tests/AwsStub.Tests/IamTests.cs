namespace EksHardening.AwsStub.Tests;

/// <summary>IAM (Query/XML) requests built from the API reference and signed with the SDK's signer.</summary>
public class IamTests : StubTest
{
    private const string Trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/X:sub":"system:serviceaccount:shop:web","oidc.eks.eu-west-1.amazonaws.com/id/X:aud":"sts.amazonaws.com"}}}]}""";
    private const string AdminArn = "arn:aws:iam::aws:policy/AdministratorAccess";
    private static readonly XNamespace Ns = Responses.IamNs;

    [Fact]
    public async Task GetRole_serves_the_trust_policy_url_encoded_in_the_IAM_namespace()
    {
        var role = Stub.Iam.AddRole(new IamRole { Name = "web", Path = "/apps/", TrustPolicy = Trust, Description = "shop web", Tags = new Dictionary<string, string> { ["team"] = "shop" } });
        var root = await OkAsync("GetRole", ("RoleName", "web"));
        Assert.Equal(Ns + "GetRoleResponse", root.Name);
        Assert.False(string.IsNullOrEmpty(root.Element(Ns + "ResponseMetadata")!.Element(Ns + "RequestId")!.Value));
        var xml = root.Element(Ns + "GetRoleResult")!.Element(Ns + "Role")!;
        Assert.Equal("arn:aws:iam::123456789012:role/apps/web", xml.Element(Ns + "Arn")!.Value);
        Assert.Equal(role.RoleId, xml.Element(Ns + "RoleId")!.Value);
        Assert.Matches("^AROA[A-Z2-7]{17}$", role.RoleId);
        Assert.Equal("/apps/", xml.Element(Ns + "Path")!.Value);
        var encoded = xml.Element(Ns + "AssumeRolePolicyDocument")!.Value;
        Assert.StartsWith("%7B%22Version%22%3A%222012-10-17%22", encoded, StringComparison.Ordinal);
        Assert.Equal(Trust, Uri.UnescapeDataString(encoded));
        Assert.Equal("shop", xml.Element(Ns + "Tags")!.Element(Ns + "member")!.Element(Ns + "Value")!.Value);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", xml.Element(Ns + "CreateDate")!.Value);
    }

    [Fact]
    public async Task An_unknown_role_is_NoSuchEntity_in_the_IAM_error_shape()
    {
        using var response = await Hand.IamAsync("GetRole", ("RoleName", "ghost"));
        Assert.Equal(("Sender", "NoSuchEntity", "The role with name ghost cannot be found."),
            await Responses.QueryErrorAsync(response, HttpStatusCode.NotFound, Ns));
    }

    [Fact]
    public async Task Role_names_are_case_insensitive()
    {
        Stub.Iam.AddRole(new IamRole { Name = "Web" });
        var role = (await OkAsync("GetRole", ("RoleName", "web"))).Descendants(Ns + "RoleName").Single().Value;
        Assert.Equal("Web", role);
    }

    [Fact]
    public async Task ListRolePolicies_pages_with_Marker_IsTruncated_and_MaxItems()
    {
        Stub.Iam.AddRole(new IamRole
        {
            Name = "web",
            InlinePolicies = new Dictionary<string, string> { ["c"] = "{}", ["a"] = "{}", ["b"] = "{}" },
        });
        var first = (await OkAsync("ListRolePolicies", ("RoleName", "web"), ("MaxItems", "2"))).Element(Ns + "ListRolePoliciesResult")!;
        Assert.Equal(["a", "b"], first.Element(Ns + "PolicyNames")!.Elements(Ns + "member").Select(m => m.Value));
        Assert.Equal("true", first.Element(Ns + "IsTruncated")!.Value);
        var marker = first.Element(Ns + "Marker")!.Value;
        var second = (await OkAsync("ListRolePolicies", ("RoleName", "web"), ("MaxItems", "2"), ("Marker", marker))).Element(Ns + "ListRolePoliciesResult")!;
        Assert.Equal(["c"], second.Element(Ns + "PolicyNames")!.Elements(Ns + "member").Select(m => m.Value));
        Assert.Equal("false", second.Element(Ns + "IsTruncated")!.Value);
        Assert.Null(second.Element(Ns + "Marker"));
    }

    [Fact]
    public async Task GetRolePolicy_serves_the_inline_document_url_encoded()
    {
        const string document = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}""";
        Stub.Iam.AddRole(new IamRole { Name = "web", InlinePolicies = new Dictionary<string, string> { ["s3"] = document } });
        var result = (await OkAsync("GetRolePolicy", ("RoleName", "web"), ("PolicyName", "s3"))).Element(Ns + "GetRolePolicyResult")!;
        Assert.Equal(("web", "s3"), (result.Element(Ns + "RoleName")!.Value, result.Element(Ns + "PolicyName")!.Value));
        Assert.Equal(document, Uri.UnescapeDataString(result.Element(Ns + "PolicyDocument")!.Value));
        using var missing = await Hand.IamAsync("GetRolePolicy", ("RoleName", "web"), ("PolicyName", "nope"));
        Assert.Equal("The role policy with name nope cannot be found.", (await Responses.QueryErrorAsync(missing, HttpStatusCode.NotFound, Ns)).Message);
    }

    [Fact]
    public async Task ListAttachedRolePolicies_lists_names_and_arns_and_filters_by_path_prefix()
    {
        Stub.Iam.AddRole(new IamRole
        {
            Name = "web",
            AttachedPolicyArns = [AdminArn, "arn:aws:iam::aws:policy/service-role/AmazonEKSClusterPolicy", "arn:aws:iam::123456789012:policy/team/ReadOnly"],
        });
        var all = (await OkAsync("ListAttachedRolePolicies", ("RoleName", "web"))).Descendants(Ns + "member")
            .Select(m => (m.Element(Ns + "PolicyName")!.Value, m.Element(Ns + "PolicyArn")!.Value)).ToList();
        Assert.Equal(("AdministratorAccess", AdminArn), all[0]);
        Assert.Equal(3, all.Count);
        var team = (await OkAsync("ListAttachedRolePolicies", ("RoleName", "web"), ("PathPrefix", "/team/"))).Descendants(Ns + "PolicyName").Select(n => n.Value);
        Assert.Equal(["ReadOnly"], team);
        var paged = (await OkAsync("ListAttachedRolePolicies", ("RoleName", "web"), ("MaxItems", "1"))).Element(Ns + "ListAttachedRolePoliciesResult")!;
        Assert.Equal("true", paged.Element(Ns + "IsTruncated")!.Value);
    }

    [Fact]
    public async Task GetPolicy_and_GetPolicyVersion_serve_the_default_version_document()
    {
        const string v1 = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";
        const string v2 = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}""";
        Stub.Iam.AddManagedPolicy(IamManagedPolicy.Create("AdministratorAccess", v1, awsManaged: true));
        var custom = Stub.Iam.AddManagedPolicy(new IamManagedPolicy
        {
            Name = "Describe", Path = "/team/", Versions = [new IamPolicyVersion("v1", v1), new IamPolicyVersion("v2", v2)], DefaultVersionId = "v2",
        });
        Stub.Iam.AddRole(new IamRole { Name = "a", AttachedPolicyArns = [AdminArn] });
        Stub.Iam.AddRole(new IamRole { Name = "b", AttachedPolicyArns = [AdminArn, custom.Arn!] });

        var admin = (await OkAsync("GetPolicy", ("PolicyArn", AdminArn))).Descendants(Ns + "Policy").Single();
        Assert.Equal(("AdministratorAccess", "v1", "2", "true"),
            (admin.Element(Ns + "PolicyName")!.Value, admin.Element(Ns + "DefaultVersionId")!.Value, admin.Element(Ns + "AttachmentCount")!.Value, admin.Element(Ns + "IsAttachable")!.Value));
        Assert.Equal("arn:aws:iam::123456789012:policy/team/Describe", custom.Arn);
        var policy = (await OkAsync("GetPolicy", ("PolicyArn", custom.Arn!))).Descendants(Ns + "Policy").Single();
        Assert.Equal("v2", policy.Element(Ns + "DefaultVersionId")!.Value);
        var version = (await OkAsync("GetPolicyVersion", ("PolicyArn", custom.Arn!), ("VersionId", "v2"))).Descendants(Ns + "PolicyVersion").Single();
        Assert.Equal(v2, Uri.UnescapeDataString(version.Element(Ns + "Document")!.Value));
        Assert.Equal("true", version.Element(Ns + "IsDefaultVersion")!.Value);
        var old = (await OkAsync("GetPolicyVersion", ("PolicyArn", custom.Arn!), ("VersionId", "v1"))).Descendants(Ns + "PolicyVersion").Single();
        Assert.Equal("false", old.Element(Ns + "IsDefaultVersion")!.Value);
    }

    [Theory]
    [InlineData("GetPolicy", "arn:aws:iam::aws:policy/Nope", null, 404, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.")]
    [InlineData("GetPolicyVersion", "arn:aws:iam::aws:policy/AdministratorAccess", "v9", 404, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/AdministratorAccess version v9 does not exist or is not attachable.")]
    [InlineData("GetPolicy", "arn:aws:s3:::bucket/key-long-enough", null, 400, "InvalidInput", "ARN arn:aws:s3:::bucket/key-long-enough is not valid.")]
    [InlineData("GetPolicyVersion", "arn:aws:iam::aws:policy/AdministratorAccess", "1", 400, "ValidationError", @"1 validation error detected: Value '1' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?")]
    public async Task Policy_errors_follow_IAM(string action, string arn, string? version, int status, string code, string message)
    {
        Stub.Iam.AddManagedPolicy(IamManagedPolicy.Create("AdministratorAccess", "{}", awsManaged: true));
        (string, string)[] parameters = version is null ? [("PolicyArn", arn)] : [("PolicyArn", arn), ("VersionId", version)];
        using var response = await Hand.IamAsync(action, parameters);
        Assert.Equal(("Sender", code, message), await Responses.QueryErrorAsync(response, (HttpStatusCode)status, Ns));
    }

    [Theory]
    [InlineData("0", "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")]
    [InlineData("1001", "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")]
    public async Task MaxItems_out_of_range_is_a_ValidationError(string maxItems, string message)
    {
        Stub.Iam.AddRole(new IamRole { Name = "web" });
        using var response = await Hand.IamAsync("ListRolePolicies", ("RoleName", "web"), ("MaxItems", maxItems));
        Assert.Equal(("Sender", "ValidationError", message), await Responses.QueryErrorAsync(response, HttpStatusCode.BadRequest, Ns));
    }

    [Fact]
    public async Task An_invalid_role_name_and_an_unknown_action_are_refused()
    {
        using var invalid = await Hand.IamAsync("GetRole", ("RoleName", "has space"));
        Assert.Equal("ValidationError", (await Responses.QueryErrorAsync(invalid, HttpStatusCode.BadRequest, Ns)).Code);
        using var unknown = await Hand.IamAsync("CreateRole", ("RoleName", "x"));
        Assert.Equal(("Sender", "InvalidAction", "Could not find operation CreateRole for version 2010-05-08"),
            await Responses.QueryErrorAsync(unknown, HttpStatusCode.BadRequest, Ns));
        using var wrongVersion = await Hand.SendAsync(Hand.Query("iam", "us-east-1", "2011-06-15", "GetRole", ("RoleName", "x")));
        Assert.Equal(("Sender", "InvalidAction", "Could not find operation GetRole for version 2011-06-15"),
            await Responses.QueryErrorAsync(wrongVersion, HttpStatusCode.BadRequest, Ns));
    }

    private async Task<XElement> OkAsync(string action, params (string Name, string Value)[] parameters)
    {
        using var response = await Hand.IamAsync(action, parameters);
        return await Responses.XmlAsync(response);
    }
}
