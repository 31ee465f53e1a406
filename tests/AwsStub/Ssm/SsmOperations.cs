namespace EksHardening.AwsStub.Ssm;

/// <summary>The Systems Manager operation (JSON 1.1, <c>AmazonSSM.&lt;Op&gt;</c>) the recommended-AMI rule needs: GetParameter.</summary>
internal sealed class SsmOperations(SsmStub ssm)
{
    public static IReadOnlySet<string> Operations { get; } = new HashSet<string>(StringComparer.Ordinal) { "GetParameter" };

    public AwsResponse Handle(AwsCall call, string signingRegion) => call.Operation switch
    {
        "GetParameter" => Wire.Json(call.Service, GetParameter(call, signingRegion)),
        _ => throw ServiceErrors.UnknownOperation(call.Service, call.Operation),
    };

    private JsonObject GetParameter(AwsCall call, string region)
    {
        var input = new Inputs(call);
        var name = input.Required("Name", 1, 2048);
        _ = input.Bool("WithDecryption");
        // SSM says nothing more than the code when a parameter does not exist.
        var parameter = ssm.FindParameter(name) ?? throw new AwsServiceException("ParameterNotFound", 400, "");
        // AWS's public parameters belong to no account: their ARNs leave it out.
        var account = name.StartsWith("/aws/", StringComparison.Ordinal) ? "" : call.Caller?.Account ?? ssm.Context.AccountId;
        return new JsonObject
        {
            ["Parameter"] = Wire.Object(
                ("Name", parameter.Name),
                ("Type", parameter.Type),
                ("Value", parameter.Value),
                ("Version", parameter.Version),
                ("LastModifiedDate", Wire.Epoch(parameter.LastModified)),
                ("ARN", $"arn:aws:ssm:{region}:{account}:parameter/{parameter.Name.TrimStart('/')}"),
                ("DataType", "text")),
        };
    }
}
