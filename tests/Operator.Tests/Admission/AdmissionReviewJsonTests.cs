namespace EksHardening.Operator.Tests.Admission;

public class AdmissionReviewJsonTests
{
    [Fact]
    public void Reads_every_field_of_a_request_from_the_api_reference_shape()
    {
        var review = AdmissionReviews.Review("Deployment", AdmissionReviews.CompliantSpec, "UPDATE", oldPodSpec: AdmissionReviews.CompliantSpec, subResource: "scale", dryRun: true);
        var request = AdmissionReviews.Parse(review, out var document);
        using (document)
        {
            Assert.Equal(AdmissionReviews.Uid, request.Uid);
            Assert.Equal(new GroupVersionKind("apps", "v1", "Deployment"), request.Kind);
            Assert.Equal(new GroupVersionResource("apps", "v1", "deployments"), request.Resource);
            Assert.Equal("scale", request.SubResource);
            Assert.Equal("web", request.Name);
            Assert.Equal("shop", request.Namespace);
            Assert.Equal(AdmissionOperation.Update, request.Operation);
            Assert.Equal("admin", request.UserName);
            Assert.True(request.DryRun);
            Assert.Equal(JsonValueKind.Object, request.Object!.Value.ValueKind);
            Assert.Equal(JsonValueKind.Object, request.OldObject!.Value.ValueKind);
        }
    }

    [Theory]
    [InlineData("""[]""", "body must be a JSON object")]
    [InlineData("""{"kind": "AdmissionReview", "request": {}}""", "apiVersion is required")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview", "request": {}}""", "apiVersion must be admission.k8s.io/v1")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "Pod", "request": {}}""", "kind must be AdmissionReview")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": 7}""", "kind must be a string")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}""", "request must be an object")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": "x"}""", "request must be an object")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {}}""", "request.uid is required")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": ""}}""", "request.uid must be 1 to 128 characters")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": 42}}""", "request.uid must be a string")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "a\nb"}}""", "request.uid must not contain control characters")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "1"}}""", "request.kind must be an object")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "1", "kind": {"group": "", "kind": "Pod"}}}""", "request.kind.version is required")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "1", "kind": {"version": "v1", "kind": "Pod"}}}""", "request.operation is required")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "1", "kind": {"version": "v1", "kind": "Pod"}, "operation": "PATCH"}}""", "request.operation must be CREATE, UPDATE, DELETE or CONNECT")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "1", "kind": {"version": "v1", "kind": "Pod"}, "operation": "CREATE", "dryRun": "yes"}}""", "request.dryRun must be a boolean")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "1", "kind": {"version": "v1", "kind": "Pod"}, "operation": "CREATE", "object": [1]}}""", "request.object must be an object")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "1", "kind": {"version": "v1", "kind": "Pod"}, "operation": "CREATE", "userInfo": 3}}""", "request.userInfo must be an object")]
    [InlineData("""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "1", "kind": {"version": "v1", "kind": "Pod"}, "operation": "CREATE", "resource": []}}""", "request.resource must be an object")]
    public void A_bad_envelope_names_the_field_in_our_words(string json, string expected)
    {
        using var document = JsonDocument.Parse(json);
        var error = Assert.Throws<AdmissionReviewException>(() => AdmissionReviewJson.ReadRequest(document.RootElement));
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void A_long_uid_is_refused_without_echoing_it()
    {
        var uid = new string('x', 5000);
        using var document = JsonDocument.Parse($$$"""{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "{{{uid}}}"}}""");
        var error = Assert.Throws<AdmissionReviewException>(() => AdmissionReviewJson.ReadRequest(document.RootElement));
        Assert.DoesNotContain("xxxx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_keys_and_deep_nesting_are_not_json_the_webhook_reads()
    {
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse("""{"apiVersion": "a", "apiVersion": "admission.k8s.io/v1"}""", AdmissionReviewJson.DocumentOptions));
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(new string('[', 65) + new string(']', 65), AdmissionReviewJson.DocumentOptions));
    }

    [Fact]
    public void A_denial_is_written_with_the_uid_status_403_Forbidden_and_warnings()
    {
        var json = Write("abc-123", AdmissionDecision.Deny("Deployment shop/web violates <policy> \"quoted\"", ["w1"]));
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("admission.k8s.io/v1", root.GetProperty("apiVersion").GetString());
        Assert.Equal("AdmissionReview", root.GetProperty("kind").GetString());
        var response = root.GetProperty("response");
        Assert.Equal("abc-123", response.GetProperty("uid").GetString());
        Assert.False(response.GetProperty("allowed").GetBoolean());
        Assert.Equal(403, response.GetProperty("status").GetProperty("code").GetInt32());
        Assert.Equal("Forbidden", response.GetProperty("status").GetProperty("reason").GetString());
        Assert.Equal("Deployment shop/web violates <policy> \"quoted\"", response.GetProperty("status").GetProperty("message").GetString());
        Assert.Equal(["w1"], response.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()));
        // Markup characters are escaped on the wire, never passed through raw.
        Assert.DoesNotContain("<policy>", json, StringComparison.Ordinal);
    }

    [Fact]
    public void An_allowed_response_has_neither_status_nor_empty_warnings()
    {
        var json = Write("u", AdmissionDecision.Allow());
        Assert.Equal("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true}}""", json);
    }

    private static string Write(string uid, AdmissionDecision decision)
    {
        var buffer = new ArrayBufferWriter<byte>();
        AdmissionReviewJson.WriteResponse(buffer, uid, decision);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
