namespace EksHardening.Operator.Tests.Admission;

/// <summary>
/// admission.k8s.io/v1 AdmissionReview documents shaped as the API reference shows them (uid, kind, resource,
/// requestKind, requestResource, name, namespace, operation, userInfo, object, oldObject, options, dryRun), for
/// every workload kind with a given pod spec.
/// </summary>
internal static class AdmissionReviews
{
    public const string Uid = "705ab4f5-6393-11e8-b7cc-42010a800002";

    public static readonly string[] Kinds = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "PodTemplate"];

    public static TheoryData<string> EveryKind() => new(Kinds);

    /// <summary>Restricted-compliant, ECR image by version tag, own ServiceAccount without a role, token not mounted.</summary>
    public const string CompliantSpec = """
        {"serviceAccountName": "web", "automountServiceAccountToken": false,
         "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
         "containers": [{"name": "web", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.2",
           "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}
        """;

    /// <summary>The compliant spec with a privileged container running :latest.</summary>
    public const string PrivilegedLatestSpec = """
        {"serviceAccountName": "web", "automountServiceAccountToken": false,
         "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
         "containers": [{"name": "web", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:latest",
           "securityContext": {"privileged": true, "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}
        """;

    public static string Review(string kind, string podSpec, string operation = "CREATE", string ns = "shop", string name = "web",
        string? oldPodSpec = null, string? subResource = null, bool dryRun = false, JsonObject? labels = null, JsonArray? ownerReferences = null)
    {
        var (group, version, resource) = Gvr(kind);
        var request = new JsonObject
        {
            ["uid"] = Uid,
            ["kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = kind },
            ["resource"] = new JsonObject { ["group"] = group, ["version"] = version, ["resource"] = resource },
            ["requestKind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = kind },
            ["requestResource"] = new JsonObject { ["group"] = group, ["version"] = version, ["resource"] = resource },
            ["name"] = name,
            ["namespace"] = ns,
            ["operation"] = operation,
            ["userInfo"] = JsonNode.Parse("""
                {"username": "admin", "uid": "014fbff9a07c", "groups": ["system:authenticated", "my-admin-group"],
                 "extra": {"some-key": ["some-value1", "some-value2"]}}
                """),
            ["object"] = Object(kind, podSpec, ns, name, labels, ownerReferences),
            ["oldObject"] = oldPodSpec is null ? null : Object(kind, oldPodSpec, ns, name, labels, ownerReferences),
            ["options"] = new JsonObject
            {
                ["apiVersion"] = "meta.k8s.io/v1",
                ["kind"] = operation == "UPDATE" ? "UpdateOptions" : "CreateOptions",
            },
            ["dryRun"] = dryRun,
        };
        if (subResource is not null)
        {
            request["subResource"] = subResource;
            request["requestSubResource"] = subResource;
        }

        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request }.ToJsonString();
    }

    /// <summary>
    /// A review of an object other than a workload (a binding, a ConfigMap, a StorageClass, a claim, an Ingress, a
    /// Service) given as YAML; its kind, resource, namespace and name come from the object.
    /// </summary>
    public static string ObjectReview(string objectYaml, string operation = "CREATE", string? oldObjectYaml = null, string user = "admin", string? subResource = null)
    {
        var obj = JsonNode.Parse(KubernetesJson.Serialize(KubernetesYaml.LoadAllFromString(objectYaml).Single()))!.AsObject();
        var apiVersion = obj["apiVersion"]!.GetValue<string>();
        var kind = obj["kind"]!.GetValue<string>();
        var (group, version) = apiVersion.Contains('/', StringComparison.Ordinal) ? (apiVersion.Split('/')[0], apiVersion.Split('/')[1]) : ("", apiVersion);
        var resource = AdmittedKinds.Objects.Single(k => k.Kind == kind).Resource;
        var request = new JsonObject
        {
            ["uid"] = Uid,
            ["kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = kind },
            ["resource"] = new JsonObject { ["group"] = group, ["version"] = version, ["resource"] = resource },
            ["name"] = obj["metadata"]?["name"]?.GetValue<string>(),
            ["namespace"] = obj["metadata"]?["namespace"]?.GetValue<string>(),
            ["operation"] = operation,
            ["userInfo"] = new JsonObject { ["username"] = user, ["groups"] = new JsonArray("system:authenticated") },
            ["object"] = obj,
            ["oldObject"] = oldObjectYaml is null ? null : JsonNode.Parse(KubernetesJson.Serialize(KubernetesYaml.LoadAllFromString(oldObjectYaml).Single())),
            ["dryRun"] = false,
        };
        if (subResource is not null) request["subResource"] = subResource;
        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request }.ToJsonString();
    }

    /// <summary>The object as the API server sends it: typed meta, metadata and the kind's spec around the pod spec.</summary>
    public static JsonObject Object(string kind, string podSpec, string ns = "shop", string name = "web", JsonObject? labels = null, JsonArray? ownerReferences = null)
    {
        var (group, version, _) = Gvr(kind);
        var spec = JsonNode.Parse(podSpec)!;
        var podLabels = labels?.DeepClone() ?? new JsonObject { ["app"] = name };
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["uid"] = "9a7c1b2e-1f6b-4d1f-9a0e-5b8d7c6e4f3a",
            ["creationTimestamp"] = "2026-11-28T11:59:00Z",
            ["labels"] = podLabels.DeepClone(),
        };
        if (ownerReferences is not null) metadata["ownerReferences"] = ownerReferences.DeepClone();
        var template = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = podLabels.DeepClone() }, ["spec"] = spec.DeepClone() };
        var selector = new JsonObject { ["matchLabels"] = podLabels.DeepClone() };
        JsonNode kindSpec = kind switch
        {
            "Pod" => spec,
            "Deployment" or "ReplicaSet" => new JsonObject { ["replicas"] = 2, ["selector"] = selector, ["template"] = template },
            "ReplicationController" => new JsonObject { ["replicas"] = 2, ["selector"] = podLabels.DeepClone(), ["template"] = template },
            "PodTemplate" => template,
            "StatefulSet" => new JsonObject { ["replicas"] = 1, ["serviceName"] = name, ["selector"] = selector, ["template"] = template },
            "DaemonSet" => new JsonObject { ["selector"] = selector, ["template"] = template },
            "Job" => new JsonObject { ["backoffLimit"] = 2, ["template"] = template },
            "CronJob" => new JsonObject { ["schedule"] = "*/15 * * * *", ["jobTemplate"] = new JsonObject { ["spec"] = new JsonObject { ["template"] = template } } },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return new JsonObject
        {
            ["apiVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["kind"] = kind,
            ["metadata"] = metadata,
            // A PodTemplate has no spec: its template sits at the top.
            [kind == "PodTemplate" ? "template" : "spec"] = kindSpec,
        };
    }

    /// <summary>Where the pod spec sits in the kind: <c>spec</c>, <c>spec.template.spec</c>, <c>spec.jobTemplate.spec.template.spec</c>.</summary>
    public static string PodSpecPath(string kind) => kind switch
    {
        "Pod" => "spec",
        "CronJob" => "spec.jobTemplate.spec.template.spec",
        "PodTemplate" => "template.spec",
        _ => "spec.template.spec",
    };

    public static (string Group, string Version, string Resource) Gvr(string kind) => kind switch
    {
        "Pod" => ("", "v1", "pods"),
        "Deployment" => ("apps", "v1", "deployments"),
        "StatefulSet" => ("apps", "v1", "statefulsets"),
        "DaemonSet" => ("apps", "v1", "daemonsets"),
        "ReplicaSet" => ("apps", "v1", "replicasets"),
        "Job" => ("batch", "v1", "jobs"),
        "CronJob" => ("batch", "v1", "cronjobs"),
        "ReplicationController" => ("", "v1", "replicationcontrollers"),
        "PodTemplate" => ("", "v1", "podtemplates"),
        "ConfigMap" => ("", "v1", "configmaps"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Namespaces shop (env=prod) and dev (env=dev).</summary>
    public const string Namespaces = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: {env: prod}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: dev, labels: {env: dev}}
        """;

    /// <summary>Namespaces shop (env=prod) and dev (env=dev), ServiceAccount shop/web without an IAM role.</summary>
    public static ClusterSnapshot Cluster() => ClusterSnapshot.FromObjects(TestEvaluation.Objects(Namespaces + """

        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: web, namespace: shop}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: web, namespace: dev}
        """));

    public static AdmissionRequest Parse(string review, out JsonDocument document)
    {
        document = JsonDocument.Parse(review, AdmissionReviewJson.DocumentOptions);
        return AdmissionReviewJson.ReadRequest(document.RootElement);
    }

    /// <summary>Decides a review document against policies given as spec YAML (named p0, p1, ...), at the tests' fixed instant.</summary>
    public static AdmissionDecision Decide(string review, IImageFacts? images = null, ClusterSnapshot? cluster = null, params string[] policySpecs)
    {
        var policies = policySpecs.Select((spec, i) =>
        {
            var policy = TestEvaluation.Policy(spec);
            policy.Metadata.Name = policySpecs.Length == 1 ? "prod" : $"p{i}";
            return policy;
        }).ToList();
        return Decide(review, policies, images, cluster);
    }

    public static AdmissionDecision Decide(string review, IReadOnlyList<ResponsibilityPolicy> policies, IImageFacts? images = null, ClusterSnapshot? cluster = null)
    {
        var request = Parse(review, out var document);
        using (document)
        {
            var context = new StaticAdmissionContext(policies, cluster ?? Cluster());
            return new AdmissionDecider(new FixedClock(TestEvaluation.Now)).Decide(request, context.Policies, context, images ?? NoImageFacts.Instance);
        }
    }
}

/// <summary>Image facts from a table keyed by the image as written; everything else unknown.</summary>
internal sealed class TableImageFacts : IImageFacts
{
    private readonly Dictionary<string, ImageScanFacts> _facts = new(StringComparer.Ordinal);

    public List<string> Lookups { get; } = [];

    public TableImageFacts With(string image, int critical = 0, int high = 0, int medium = 0, int low = 0, params ImageVulnerability[] findings)
    {
        _facts[image] = ImageScanFacts.Known(TestEvaluation.Now.AddDays(-1),
            new Dictionary<Severity, int> { [Severity.Critical] = critical, [Severity.High] = high, [Severity.Medium] = medium, [Severity.Low] = low },
            findings);
        return this;
    }

    public ImageScanFacts Lookup(ImageLocation image)
    {
        Lookups.Add(image.Image);
        return _facts.GetValueOrDefault(image.Image) ?? ImageScanFacts.Unknown;
    }
}
