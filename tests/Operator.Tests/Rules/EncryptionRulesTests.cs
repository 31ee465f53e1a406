namespace EksHardening.Operator.Tests.Rules;

public class EncryptionRulesTests
{
    private const string VolumesId = "encryption.volumes";
    private const string TlsId = "encryption.ingress-tls";
    private const string Volumes = "encryption: {requireEncryptedVolumes: true}";
    private const string Tls = "encryption: {requireTlsIngress: true}";

    private static string StorageClass(string name, string provisioner, string parameters = "{}", bool isDefault = false, bool betaDefault = false)
    {
        var annotations = isDefault ? "{storageclass.kubernetes.io/is-default-class: \"true\"}"
            : betaDefault ? "{storageclass.beta.kubernetes.io/is-default-class: \"true\"}" : "{}";
        return StorageClassYaml(name, provisioner, parameters, annotations);
    }

    private static string StorageClassYaml(string name, string provisioner, string parameters, string annotations) => $$"""
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata: {name: {{name}}, annotations: {{annotations}}}
        provisioner: {{provisioner}}
        parameters: {{parameters}}
        ---

        """;

    private static readonly string Encrypted = StorageClass("gp3", "ebs.csi.aws.com", "{type: gp3, encrypted: \"true\"}");
    private static readonly string Plain = StorageClass("gp2", "kubernetes.io/aws-ebs", "{type: gp2}");

    /// <summary>A claim "data" in shop; className null leaves storageClassName out.</summary>
    private static string Claim(string? className, string annotations = "{}") => $$"""
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data, namespace: shop, annotations: {{annotations}}}
        spec: {{{(className is null ? "" : $"storageClassName: \"{className}\", ")}}accessModes: [ReadWriteOnce]}
        ---

        """;

    private static string Ingress(string annotations = "{}", string spec = "{}") => $$"""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web, namespace: shop, annotations: {{annotations}}}
        spec: {{spec}}
        """;

    private static string Service(string annotations, string ports, string type = "LoadBalancer") => $$"""
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop, annotations: {{annotations}}}
        spec: {type: {{type}}, ports: {{ports}}}
        """;

    private const string Cert = "arn:aws:acm:eu-west-1:111122223333:certificate/abc";

    public static TheoryData<string, string, string, string, string, FindingResult, string?> Cases => new()
    {
        // encryption.volumes on StorageClasses: EBS classes must set encrypted "true"; keys case-insensitively, value exactly "true".
        { "an encrypted CSI class passes", Volumes, Encrypted, "StorageClass gp3", VolumesId, FindingResult.Pass, null },
        { "a key in another case counts, as the driver lower-cases keys", Volumes, StorageClass("gp3", "ebs.csi.aws.com", "{Encrypted: \"true\"}"), "StorageClass gp3", VolumesId, FindingResult.Pass, null },
        { "an in-tree class without encrypted fails", Volumes, Plain, "StorageClass gp2", VolumesId, FindingResult.Fail,
            "StorageClass gp2 creates unencrypted EBS volumes: it sets no encrypted parameter" },
        { "encrypted \"True\" fails: the driver encrypts only for exactly \"true\"", Volumes, StorageClass("gp3", "ebs.csi.aws.com", "{encrypted: \"True\"}"), "StorageClass gp3",
            VolumesId, FindingResult.Fail, "it sets encrypted: \"True\", and the driver encrypts only for exactly \"true\"" },
        { "encrypted \"false\" on the default class names it", Volumes, StorageClass("gp3", "ebs.csi.aws.com", "{encrypted: \"false\"}", isDefault: true), "StorageClass gp3",
            VolumesId, FindingResult.Fail, "StorageClass gp3 (the default StorageClass) creates unencrypted EBS volumes" },
        { "an exemption covers the class", Volumes + "\nexemptions: [{name: old, rules: [encryption.volumes], reason: JIRA-1}]", Plain, "StorageClass gp2", VolumesId, FindingResult.Exempt, null },

        // encryption.volumes on claims: by class, the default one when none is named.
        { "a claim of an encrypted class passes", Volumes, Encrypted + Claim("gp3"), "PersistentVolumeClaim data", VolumesId, FindingResult.Pass, null },
        { "a claim without a class takes the encrypted default", Volumes, StorageClass("gp3", "ebs.csi.aws.com", "{encrypted: \"true\"}", isDefault: true) + Plain + Claim(null),
            "PersistentVolumeClaim data", VolumesId, FindingResult.Pass, null },
        { "a claim of an unencrypted class fails naming it", Volumes, Plain + Claim("gp2"), "PersistentVolumeClaim data", VolumesId, FindingResult.Fail,
            "PersistentVolumeClaim shop/data uses StorageClass gp2, which creates unencrypted EBS volumes" },
        { "a claim without a class takes the default by the beta annotation, named", Volumes, StorageClass("gp2", "ebs.csi.aws.com", betaDefault: true) + Claim(null),
            "PersistentVolumeClaim data", VolumesId, FindingResult.Fail, "uses StorageClass gp2 (the default StorageClass), which creates unencrypted EBS volumes" },
        { "the beta class annotation wins over storageClassName", Volumes, Encrypted + Plain + Claim("gp3", "{volume.beta.kubernetes.io/storage-class: gp2}"),
            "PersistentVolumeClaim data", VolumesId, FindingResult.Fail, "uses StorageClass gp2" },
        { "a claim whose class is not in the inputs is an error naming it", Volumes, Claim("fast"), "PersistentVolumeClaim data", VolumesId, FindingResult.Error,
            "its StorageClass fast is not among the inputs" },
        { "a claim without a class and no default is an error", Volumes, Plain + Claim(null), "PersistentVolumeClaim data", VolumesId, FindingResult.Error,
            "no StorageClass among the inputs is the default" },

        // encryption.ingress-tls on Ingresses.
        { "an Ingress with spec.tls passes", Tls, Ingress(spec: "{ingressClassName: nginx, tls: [{hosts: [a.example.com], secretName: a}]}"), "Ingress web", TlsId, FindingResult.Pass, null },
        { "an Ingress without spec.tls fails", Tls, Ingress(spec: "{ingressClassName: nginx}"), "Ingress web", TlsId, FindingResult.Fail, "Ingress shop/web has no spec.tls" },
        { "an ALB certificate without listen-ports means HTTPS:443", Tls, Ingress($"{{alb.ingress.kubernetes.io/certificate-arn: '{Cert}'}}", "{ingressClassName: alb}"),
            "Ingress web", TlsId, FindingResult.Pass, null },
        { "ALB HTTP beside HTTPS with ssl-redirect passes", Tls,
            Ingress($"{{alb.ingress.kubernetes.io/certificate-arn: '{Cert}', alb.ingress.kubernetes.io/listen-ports: '[{{\"HTTP\": 80}}, {{\"HTTPS\": 443}}]', alb.ingress.kubernetes.io/ssl-redirect: '443'}}", "{ingressClassName: alb}"),
            "Ingress web", TlsId, FindingResult.Pass, null },
        { "ALB HTTP beside HTTPS without ssl-redirect fails", Tls,
            Ingress($"{{alb.ingress.kubernetes.io/certificate-arn: '{Cert}', alb.ingress.kubernetes.io/listen-ports: '[{{\"HTTP\": 80}}, {{\"HTTPS\": 443}}]'}}", "{ingressClassName: alb}"),
            "Ingress web", TlsId, FindingResult.Fail, "serves plain HTTP on port 80 beside HTTPS without alb.ingress.kubernetes.io/ssl-redirect" },
        { "ALB ssl-redirect to a port that is not an HTTPS listener fails", Tls,
            Ingress($"{{alb.ingress.kubernetes.io/certificate-arn: '{Cert}', alb.ingress.kubernetes.io/listen-ports: '[{{\"HTTP\": 80}}, {{\"HTTPS\": 443}}]', alb.ingress.kubernetes.io/ssl-redirect: '8443'}}", "{ingressClassName: alb}"),
            "Ingress web", TlsId, FindingResult.Fail, "ssl-redirect \"8443\" is not one of its HTTPS listen ports (443)" },
        { "ALB spec.tls without a certificate or listen-ports is HTTP:80 only", Tls, Ingress("{}", "{ingressClassName: alb, tls: [{hosts: [a.example.com]}]}"),
            "Ingress web", TlsId, FindingResult.Fail, "the controller listens on HTTP:80 only (spec.tls does not make an HTTPS listener on an ALB)" },
        { "the legacy class annotation makes an ALB Ingress", Tls, Ingress("{kubernetes.io/ingress.class: alb, alb.ingress.kubernetes.io/listen-ports: '[{\"HTTP\": 8080}]'}"),
            "Ingress web", TlsId, FindingResult.Fail, "serves plain HTTP on port 8080: alb.ingress.kubernetes.io/listen-ports lists no HTTPS port" },
        { "ALB listen-ports that do not parse is a fail naming the value", Tls, Ingress("{alb.ingress.kubernetes.io/listen-ports: 'HTTPS:443'}", "{ingressClassName: alb}"),
            "Ingress web", TlsId, FindingResult.Fail, "listen-ports \"HTTPS:443\" is not a list" },
        { "ALB HTTPS listen-ports without a certificate passes with a note", Tls, Ingress("{alb.ingress.kubernetes.io/listen-ports: '[{\"HTTPS\": 443}]'}", "{ingressClassName: alb}"),
            "Ingress web", TlsId, FindingResult.Pass, "certificate discovery" },

        // encryption.ingress-tls on LoadBalancer Services: every port covered by the NLB TLS annotations, but allowedPlainPorts.
        { "a certificate without ssl-ports covers every port", Tls, Service($"{{service.beta.kubernetes.io/aws-load-balancer-ssl-cert: '{Cert}'}}", "[{port: 443}, {port: 8443}]"),
            "Service web", TlsId, FindingResult.Pass, null },
        { "ssl-ports by name covers that port", Tls,
            Service($"{{service.beta.kubernetes.io/aws-load-balancer-ssl-cert: '{Cert}', service.beta.kubernetes.io/aws-load-balancer-ssl-ports: 'https'}}", "[{name: https, port: 443}]"),
            "Service web", TlsId, FindingResult.Pass, null },
        { "a plain port listed in allowedPlainPorts passes", "encryption: {requireTlsIngress: true, allowedPlainPorts: [443]}", Service("{}", "[{name: tls, port: 443}]"),
            "Service web", TlsId, FindingResult.Pass, null },
        { "no certificate fails every port", Tls, Service("{}", "[{name: http, port: 80}]"), "Service web", TlsId, FindingResult.Fail,
            "Service shop/web (LoadBalancer) exposes port 80 (http) without TLS at the load balancer: no service.beta.kubernetes.io/aws-load-balancer-ssl-cert annotation names a certificate" },
        { "a port ssl-ports names neither by number nor by name fails", Tls,
            Service($"{{service.beta.kubernetes.io/aws-load-balancer-ssl-cert: '{Cert}', service.beta.kubernetes.io/aws-load-balancer-ssl-ports: '443'}}", "[{name: https, port: 443}, {name: http, port: 80}]"),
            "Service web", TlsId, FindingResult.Fail, "exposes port 80 (http) without TLS at the load balancer: service.beta.kubernetes.io/aws-load-balancer-ssl-ports \"443\" names neither" },
        { "a UDP port cannot carry TLS", Tls, Service($"{{service.beta.kubernetes.io/aws-load-balancer-ssl-cert: '{Cert}'}}", "[{port: 53, protocol: UDP}]"),
            "Service web", TlsId, FindingResult.Fail, "exposes port 53 without TLS at the load balancer: it is UDP" },
        { "an exemption by namespace covers a Service", Tls + "\nexemptions: [{name: shop-plain, namespaces: [shop], rules: [encryption.ingress-tls], reason: JIRA-2}]",
            Service("{}", "[{port: 80}]"), "Service web", TlsId, FindingResult.Exempt, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encryption_rules_judge_the_object_with_the_fault(string because, string policy, string objects, string resource, string rule, FindingResult expected, string? message)
    {
        var (kind, name) = (resource[..resource.IndexOf(' ')], resource[(resource.IndexOf(' ') + 1)..]);
        var findings = TestEvaluation.Evaluate(policy, objects).FindingsOf(kind, name).Of(rule);
        var finding = Assert.Single(findings);
        Assert.True(expected == finding.Result, $"{because}: {finding.Result} {finding.Message}");
        if (message is not null) Assert.Contains(message, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_case_table_has_a_pass_and_two_failures_per_rule() =>
        TestEvaluation.AssertEveryRuleHasAPassAndTwoFailures(new EncryptionRules(), Cases.Select(c => ((string)c[4], (FindingResult)c[5])));

    [Theory]
    [InlineData("storageClassName: \"\"", "a static binding")]
    [InlineData("storageClassName: efs", "a class that is not EBS")]
    public void Claims_the_rule_does_not_concern_are_not_judged(string classField, string because)
    {
        var objects = StorageClass("efs", "efs.csi.aws.com") + $$"""
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: data, namespace: shop}
            spec: {{{classField}}, volumeName: pv-1}
            """;
        var evaluation = TestEvaluation.Evaluate(Volumes, objects);
        Assert.True(evaluation.Resources.All(r => r.Resource.Kind != "PersistentVolumeClaim"), because);
        Assert.True(evaluation.Resources.All(r => r.Resource.Kind != "StorageClass"), "an EFS class is not judged");
    }

    [Fact]
    public void Among_several_default_classes_the_newest_is_the_default_as_upstream_chooses()
    {
        var older = StorageClass("gp3", "ebs.csi.aws.com", "{encrypted: \"true\"}", isDefault: true).Replace("{name: gp3,", "{name: gp3, creationTimestamp: \"2024-01-01T00:00:00Z\",");
        var newer = StorageClass("gp2", "ebs.csi.aws.com", "{}", isDefault: true).Replace("{name: gp2,", "{name: gp2, creationTimestamp: \"2025-01-01T00:00:00Z\",");
        var finding = Assert.Single(TestEvaluation.Evaluate(Volumes, older + newer + Claim(null)).FindingsOf("PersistentVolumeClaim", "data").Of(VolumesId));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("StorageClass gp2 (the default StorageClass)", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StorageClasses_are_judged_whatever_match_excludes_while_claims_follow_match()
    {
        var evaluation = TestEvaluation.Evaluate("match: {excludeNamespaces: [shop]}\n" + Volumes, Plain + Claim("gp2"));
        Assert.Equal(FindingResult.Fail, evaluation.ResultOf("StorageClass", "gp2", VolumesId));
        Assert.DoesNotContain(evaluation.Resources, r => r.Resource.Kind == "PersistentVolumeClaim");
        Assert.Equal(new ResourceRef("storage.k8s.io/v1", "StorageClass", null, "gp2"), Assert.Single(evaluation.Resources).Resource);
    }

    [Fact]
    public void Services_other_than_LoadBalancer_are_not_judged() =>
        Assert.Empty(TestEvaluation.Evaluate(Tls, Service("{}", "[{port: 80}]", type: "ClusterIP")).Resources);

    [Fact]
    public void Without_the_encryption_section_no_object_is_judged() =>
        Assert.Empty(TestEvaluation.Evaluate("podSecurity: {level: baseline}", Plain + Claim("gp2") + Service("{}", "[{port: 80}]")).Resources);

    // The workload side of encryption.volumes, evaluated as written and as the operator's cache trims it (TestEvaluation).

    private static string Deployment(string volumes) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: shop}
        spec:
          template:
            spec:
              containers: [{name: app, image: "app:1"}]
              volumes: {{volumes}}
        """;

    public static TheoryData<string, string, FindingResult, string?> WorkloadCases => new()
    {
        { "mounting a claim of an encrypted class passes", Encrypted + Claim("gp3") + Deployment("[{name: data, persistentVolumeClaim: {claimName: data}}]"), FindingResult.Pass, null },
        { "mounting a claim of an unencrypted class fails", Plain + Claim("gp2") + Deployment("[{name: data, persistentVolumeClaim: {claimName: data}}]"), FindingResult.Fail,
            "volume data (PersistentVolumeClaim shop/data) uses StorageClass gp2, which creates unencrypted EBS volumes" },
        { "mounting a claim not in the inputs is an error", Encrypted + Deployment("[{name: data, persistentVolumeClaim: {claimName: other}}]"), FindingResult.Error,
            "mounts PersistentVolumeClaim shop/other, which is not among the inputs" },
        { "an ephemeral volume of an unencrypted class fails", Plain + Deployment("[{name: scratch, ephemeral: {volumeClaimTemplate: {spec: {storageClassName: gp2}}}}]"),
            FindingResult.Fail, "ephemeral volume scratch uses StorageClass gp2" },
        { "the beta class annotation of an ephemeral volume takes precedence over storageClassName",
            Plain + Encrypted + Deployment("[{name: scratch, ephemeral: {volumeClaimTemplate: {metadata: {annotations: {volume.beta.kubernetes.io/storage-class: gp2}}, spec: {storageClassName: gp3}}}}]"),
            FindingResult.Fail, "ephemeral volume scratch uses StorageClass gp2" },
        { "an exemption covers the workload", Plain + Claim("gp2") + Deployment("[{name: data, persistentVolumeClaim: {claimName: data}}]"), FindingResult.Exempt, null },
    };

    [Theory]
    [MemberData(nameof(WorkloadCases))]
    public void The_workload_mounting_a_claim_is_judged_by_its_class(string because, string objects, FindingResult expected, string? message)
    {
        var policy = expected == FindingResult.Exempt ? Volumes + "\nexemptions: [{name: api, namespaces: [shop], rules: [encryption.*], reason: JIRA-3}]" : Volumes;
        var finding = Assert.Single(TestEvaluation.Evaluate(policy, objects).FindingsOf("Deployment", "api").Of(VolumesId));
        Assert.True(expected == finding.Result, $"{because}: {finding.Result} {finding.Message}");
        if (message is not null) Assert.Contains(message, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StatefulSet_volumeClaimTemplates_count()
    {
        var objects = Plain + """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: shop}
            spec:
              template: {spec: {containers: [{name: db, image: "db:1"}]}}
              volumeClaimTemplates: [{metadata: {name: data}, spec: {storageClassName: gp2}}]
            """;
        var finding = Assert.Single(TestEvaluation.Evaluate(Volumes, objects).FindingsOf("StatefulSet", "db").Of(VolumesId));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Equal("spec.volumeClaimTemplates[0].spec.storageClassName", finding.Path);
        Assert.Contains("volumeClaimTemplate data uses StorageClass gp2", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_workload_without_claims_has_no_volume_finding() =>
        Assert.Empty(TestEvaluation.Evaluate(Volumes, Deployment("[{name: tmp, emptyDir: {}}]")).FindingsOf("Deployment", "api").Of(VolumesId));

    [Fact]
    public void The_findings_cache_re_evaluates_a_workload_when_its_claims_change()
    {
        var policy = TestEvaluation.Policy(Volumes);
        var cache = new FindingsCache();
        var evaluator = new PolicyEvaluator(new FixedClock(TestEvaluation.Now));
        var deployment = TestEvaluation.Objects(Deployment("[{name: data, persistentVolumeClaim: {claimName: data}}]"));
        var first = ClusterSnapshot.FromObjects([.. deployment, .. TestEvaluation.Objects(Plain + Claim("gp2"))]);
        Assert.Equal(FindingResult.Fail, evaluator.Evaluate(policy, first, cache).ResultOf("Deployment", "api", VolumesId));
        var fixedClass = ClusterSnapshot.FromObjects([.. deployment, .. TestEvaluation.Objects(Encrypted + Claim("gp3"))]);
        Assert.Equal(FindingResult.Pass, evaluator.Evaluate(policy, fixedClass, cache).ResultOf("Deployment", "api", VolumesId));
    }

    [Theory]
    [InlineData(true, FindingResult.Pass)]
    [InlineData(false, FindingResult.Fail)]
    [InlineData(null, FindingResult.Fail)]
    public void With_ebs_encryption_by_default_on_an_unencrypted_class_still_gives_encrypted_volumes(bool? byDefault, FindingResult expected)
    {
        var aws = new AwsFacts
        {
            EbsDefault = new EbsDefaultEncryption("eu-west-1", byDefault, byDefault is null ? new FactError("ec2", "GetEbsEncryptionByDefault", "AccessDenied", "not allowed") : null),
        };
        var evaluation = TestEvaluation.Evaluate(Volumes, Plain + Claim("gp2") + Deployment("[{name: data, persistentVolumeClaim: {claimName: data}}]"), aws);
        foreach (var (kind, name) in new[] { ("StorageClass", "gp2"), ("PersistentVolumeClaim", "data"), ("Deployment", "api") })
        {
            var finding = Assert.Single(evaluation.FindingsOf(kind, name).Of(VolumesId));
            Assert.True(finding.Result == expected, $"{kind} {name}: {finding.Result} {finding.Message}");
            if (expected == FindingResult.Pass) Assert.Contains("EBS encryption by default is on in eu-west-1", finding.Message, StringComparison.Ordinal);
        }
    }
}
