namespace EksHardening.Operator.Tests.Manifests;

public class ManifestReaderTests
{
    private static ManifestSet Read(string yaml)
    {
        var set = new ManifestSet();
        ManifestReader.ReadText(yaml, "in.yaml", set);
        return set;
    }

    [Fact]
    public void Typed_objects_keep_int_or_string_quantities_and_dates()
    {
        var set = Read("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop, creationTimestamp: "2026-01-01T00:00:00Z"}
            spec:
              template:
                spec:
                  containers:
                  - name: app
                    image: app:1
                    ports: [{containerPort: 8080}]
                    resources: {limits: {cpu: 500m, memory: 1Gi}}
                    readinessProbe: {httpGet: {port: http}}
            """);
        var deployment = Assert.IsType<V1Deployment>(Assert.Single(set.Objects).Object);
        var container = deployment.Spec.Template.Spec.Containers[0];
        Assert.Equal("500m", container.Resources.Limits["cpu"].ToString());
        Assert.Equal("http", container.ReadinessProbe.HttpGet.Port.Value);
        Assert.Equal(2026, deployment.Metadata.CreationTimestamp!.Value.Year);
        Assert.Equal(1, set.Objects[0].Line);
    }

    [Fact]
    public void Lists_expand_and_unknown_kinds_are_counted()
    {
        var set = Read("""
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: []}}
            - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}
            ---
            apiVersion: v1
            kind: EndpointsList
            items:
            - {apiVersion: v1, kind: Endpoints, metadata: {name: s}}
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w}
            """);
        Assert.Single(set.Objects);
        Assert.Equal(4, set.Objects[0].Line);
        Assert.Equal(3, set.SkippedCount);
        Assert.Equal(1, set.SkippedKinds["v1/ConfigMap"]);
        Assert.Equal(1, set.SkippedKinds["example.com/v1/Widget"]);
    }

    [Fact]
    public void Storage_exposure_and_node_kinds_are_read_typed_from_their_lists()
    {
        var set = Read("""
            apiVersion: storage.k8s.io/v1
            kind: StorageClassList
            items:
            - {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: gp3}, provisioner: ebs.csi.aws.com, parameters: {encrypted: "true"}}
            ---
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data, namespace: shop}, spec: {storageClassName: gp3}}
            - {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {type: LoadBalancer, ports: [{port: 443}]}}
            - {apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: web}, spec: {tls: [{hosts: [a.example.com]}]}}
            - {apiVersion: v1, kind: Node, metadata: {name: n1}, status: {nodeInfo: {kubeletVersion: v1.31.2}}}
            """);
        Assert.Equal(0, set.SkippedCount);
        Assert.Collection(set.Objects.Select(o => o.Object),
            o => Assert.Equal("ebs.csi.aws.com", Assert.IsType<k8s.Models.V1StorageClass>(o).Provisioner),
            o => Assert.Equal("gp3", Assert.IsType<k8s.Models.V1PersistentVolumeClaim>(o).Spec.StorageClassName),
            o => Assert.Equal(443, Assert.IsType<k8s.Models.V1Service>(o).Spec.Ports[0].Port),
            o => Assert.Single(Assert.IsType<k8s.Models.V1Ingress>(o).Spec.Tls),
            o => Assert.Equal("v1.31.2", Assert.IsType<k8s.Models.V1Node>(o).Status.NodeInfo.KubeletVersion));
    }

    [Fact]
    public void A_policy_is_read_as_the_typed_entity()
    {
        var set = Read("""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {name: p}
            spec: {mode: Warn, podSecurity: {level: restricted}}
            """);
        var policy = Assert.IsType<ResponsibilityPolicy>(Assert.Single(set.Objects).Object);
        Assert.Equal(PolicyMode.Warn, policy.Spec.Mode);
        Assert.Equal(PodSecurityLevel.Restricted, policy.Spec.PodSecurity!.Level);
    }

    [Fact]
    public void A_wrongly_typed_field_names_the_object_field_and_line()
    {
        var e = Assert.Throws<ManifestException>(() => Read("""
            apiVersion: v1
            kind: Pod
            metadata: {name: x}
            spec:
              containers:
              - name: app
                ports: [{containerPort: eighty}]
            """));
        Assert.Equal(7, e.Line);
        Assert.Contains("Pod 'x': invalid field at spec.containers[0].ports[0].containerPort", e.Message);
    }
}
