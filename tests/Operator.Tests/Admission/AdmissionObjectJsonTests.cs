namespace EksHardening.Operator.Tests.Admission;

public class AdmissionObjectJsonTests
{
    private const string RichSpec = """
        {"serviceAccountName": "web", "activeDeadlineSeconds": 600, "terminationGracePeriodSeconds": 30,
         "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "fsGroup": 2000, "seccompProfile": {"type": "RuntimeDefault"}},
         "resources": {"limits": {"cpu": 2, "memory": "1Gi"}},
         "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 30}],
         "containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 8080, "hostPort": 0, "protocol": "TCP"}],
           "resources": {"limits": {"cpu": "500m", "memory": "256Mi", "ephemeral-storage": "1.5Gi"}, "requests": {"cpu": 0.25, "memory": "128974848"}},
           "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTPS"}, "periodSeconds": 10},
           "readinessProbe": {"tcpSocket": {"port": 8080}},
           "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}, "readOnlyRootFilesystem": true}}],
         "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi", "medium": "Memory"}}]}
        """;

    [Theory]
    [MemberData(nameof(AdmissionReviews.EveryKind), MemberType = typeof(AdmissionReviews))]
    public void Objects_read_the_same_as_with_KubernetesJson(string kind)
    {
        var json = AdmissionReviews.Object(kind, RichSpec);
        json["metadata"]!["creationTimestamp"] = "2026-11-28T11:59:00Z";
        json["metadata"]!["deletionTimestamp"] = "2026-11-28T12:01:02Z";
        using var document = JsonDocument.Parse(json.ToJsonString());
        var admitted = AdmittedKinds.All.Single(k => k.Kind == kind);

        var ours = admitted.Read(document.RootElement)!;
        var reference = ReadWithKubernetesJson(kind, json.ToJsonString());
        Assert.Equal(KubernetesJson.Serialize(reference), KubernetesJson.Serialize(ours));
    }

    [Fact]
    public void Quantities_keep_their_values_and_bad_ones_fail()
    {
        using var document = JsonDocument.Parse("""{"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": 0.5}}""");
        var requirements = AdmissionObjectJson.Deserialize<V1ResourceRequirements>(document.RootElement)!;
        Assert.Equal(0.5m, requirements.Limits["cpu"].ToDecimal());
        Assert.Equal(268435456m, requirements.Limits["memory"].ToDecimal());
        Assert.Equal(0.5m, requirements.Requests["cpu"].ToDecimal());

        using var bad = JsonDocument.Parse("""{"limits": {"cpu": "lots"}}""");
        Assert.ThrowsAny<Exception>(() => AdmissionObjectJson.Deserialize<V1ResourceRequirements>(bad.RootElement));
        using var wrong = JsonDocument.Parse("""{"limits": {"cpu": true}}""");
        Assert.ThrowsAny<JsonException>(() => AdmissionObjectJson.Deserialize<V1ResourceRequirements>(wrong.RootElement));
    }

    private static object ReadWithKubernetesJson(string kind, string json) => kind switch
    {
        "Pod" => KubernetesJson.Deserialize<V1Pod>(json),
        "Deployment" => KubernetesJson.Deserialize<V1Deployment>(json),
        "StatefulSet" => KubernetesJson.Deserialize<V1StatefulSet>(json),
        "DaemonSet" => KubernetesJson.Deserialize<V1DaemonSet>(json),
        "ReplicaSet" => KubernetesJson.Deserialize<V1ReplicaSet>(json),
        "Job" => KubernetesJson.Deserialize<V1Job>(json),
        "CronJob" => KubernetesJson.Deserialize<V1CronJob>(json),
        "ReplicationController" => KubernetesJson.Deserialize<V1ReplicationController>(json),
        "PodTemplate" => KubernetesJson.Deserialize<V1PodTemplate>(json),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
