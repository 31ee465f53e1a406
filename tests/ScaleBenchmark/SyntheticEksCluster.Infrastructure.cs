namespace EksHardening.ScaleBenchmark;

/// <summary>
/// The synthetic cluster's infrastructure, which the encryption and nodes duties judge: a Node per 30 pods (a tenth
/// with a kubelet three minors behind the API server, a twelfth older than 30 days), three StorageClasses (the
/// default gp3 encrypted, the legacy gp2 not, EFS not EBS), a claim per StatefulSet replica (one namespace in seven on
/// gp2), and a Service and an Ingress per Deployment (a twentieth of the Services are NLBs, half of them without TLS;
/// a tenth of the Ingresses serve plain HTTP).
/// </summary>
internal sealed partial class SyntheticEksCluster
{
    /// <summary>The control plane's version, which /version answers and node.kubelet-skew compares kubelets with.</summary>
    public const string ApiServerVersion = "v1.33.4-eks-1b2c3d4";

    private const string ClaimTemplateName = "data";
    private const string EncryptedClass = "gp3";
    private const string UnencryptedClass = "gp2";
    private const string CertificateArn = "arn:aws:acm:eu-west-1:111122223333:certificate/6f1c2a9e-0b7d-4c3e-9a51-2d8e4f7b1c90";
    private static readonly string[] Zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];

    public static string NodeName(int k) => $"ip-10-0-{k / 250 % 256}-{k % 250}.eu-west-1.compute.internal";

    private static string NodeIp(int k) => $"10.0.{k / 250 % 256}.{k % 250}";

    /// <summary>Whether Deployment <paramref name="d"/>'s Ingress has TLS as created (the update phase takes it away from some).</summary>
    public static bool IngressHasTls(int d) => d % 10 != 5;

    /// <summary>The StatefulSet's claim template: on the legacy unencrypted class in one namespace in seven, else the default or gp3 by name.</summary>
    private static string? ClaimTemplateClass(int n) => (n % 7) switch
    {
        3 => UnencryptedClass,
        0 or 1 => null,
        _ => EncryptedClass,
    };

    private IEnumerable<object> Infrastructure()
    {
        yield return StorageClass(EncryptedClass, Uid(14, 0), "ebs.csi.aws.com", isDefault: true,
            new Dictionary<string, string> { ["type"] = "gp3", ["encrypted"] = "true", ["kmsKeyId"] = "arn:aws:kms:eu-west-1:111122223333:key/2b7e1f0c-5a4d-4e8b-9c3f-7d1a6e0b2c48", ["csi.storage.k8s.io/fstype"] = "ext4" });
        // EKS's legacy in-tree class, kept by clusters created before 1.30: unencrypted (a finding whether used or not).
        yield return StorageClass(UnencryptedClass, Uid(14, 1), "kubernetes.io/aws-ebs", isDefault: false,
            new Dictionary<string, string> { ["type"] = "gp2", ["fsType"] = "ext4" });
        yield return StorageClass("efs-sc", Uid(14, 2), "efs.csi.aws.com", isDefault: false,
            new Dictionary<string, string> { ["provisioningMode"] = "efs-ap", ["fileSystemId"] = "fs-0a1b2c3d4e5f60718", ["directoryPerms"] = "700" });
        for (var k = 0; k < NodeCount; k++) yield return Node(k);
    }

    private V1Node Node(int k)
    {
        var name = NodeName(k);
        var zone = Zones[k % Zones.Length];
        // A tenth lag three minors (maxKubeletSkew 1 fails them), a fifth one minor; a twelfth were never replaced.
        var kubelet = (k % 10) switch
        {
            4 => "v1.30.9-eks-5e0fdde",
            1 or 6 => "v1.32.7-eks-3cfe0ce",
            _ => "v1.33.4-eks-1b2c3d4",
        };
        var created = Today.AddDays(k % 12 == 7 ? -140 : -(k % 20 + 1)).AddHours(-(k % 24));
        var nodeGroup = k % 3 == 0 ? "system" : "apps";
        var instanceType = nodeGroup == "system" ? "m6i.large" : "m6i.2xlarge";
        var ip = NodeIp(k);
        var images = new List<V1ContainerImage>
        {
            Image($"602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1", 48_220_311),
            Image($"602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni-init:v1.19.2-eksbuild.1", 63_544_102),
            Image($"602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.33.0-minimal-eksbuild.2", 31_876_227),
            Image($"602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/aws-ebs-csi-driver:v1.44.0", 39_115_983),
            Image($"602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/pause:3.10", 299_888),
            Image($"{Registry}/platform/metrics-exporter:0.9.{k % 5}", 12_511_400),
        };
        for (var i = 0; i < 8; i++) images.Add(Image($"{Registry}/team-{(k + i) % 50:d2}/app-{(k * 7 + i) % 97}:1.{i % 13}.{k % 7}", 80_000_000 + i * 1_234_567));
        var meta = new V1ObjectMeta
        {
            Name = name,
            Uid = Uid(13, k),
            CreationTimestamp = created,
            Labels = new Dictionary<string, string>
            {
                ["beta.kubernetes.io/arch"] = "amd64",
                ["beta.kubernetes.io/instance-type"] = instanceType,
                ["beta.kubernetes.io/os"] = "linux",
                ["eks.amazonaws.com/capacityType"] = "ON_DEMAND",
                ["eks.amazonaws.com/nodegroup"] = nodeGroup,
                ["eks.amazonaws.com/nodegroup-image"] = "ami-0c1f2e3d4b5a69788",
                ["failure-domain.beta.kubernetes.io/region"] = "eu-west-1",
                ["failure-domain.beta.kubernetes.io/zone"] = zone,
                ["k8s.io/cloud-provider-aws"] = "a1b2c3d4e5f60718293a4b5c6d7e8f90",
                ["kubernetes.io/arch"] = "amd64",
                ["kubernetes.io/hostname"] = name,
                ["kubernetes.io/os"] = "linux",
                ["node.kubernetes.io/instance-type"] = instanceType,
                ["topology.ebs.csi.aws.com/zone"] = zone,
                ["topology.k8s.aws/zone-id"] = $"euw1-az{k % 3 + 1}",
                ["topology.kubernetes.io/region"] = "eu-west-1",
                ["topology.kubernetes.io/zone"] = zone,
            },
            Annotations = new Dictionary<string, string>
            {
                ["alpha.kubernetes.io/provided-node-ip"] = ip,
                ["csi.volume.kubernetes.io/nodeid"] = $"{{\"ebs.csi.aws.com\":\"i-0{k:x16}\",\"efs.csi.aws.com\":\"i-0{k:x16}\"}}",
                ["node.alpha.kubernetes.io/ttl"] = "0",
                ["volumes.kubernetes.io/controller-managed-attach-detach"] = "true",
            },
            ManagedFields = [Managed("kubelet", "Update", null, LabelFields), Managed("kubelet", "Update", "status", StatusFields)],
        };
        var allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("7910m"), ["memory"] = new("31482280Ki"), ["pods"] = new("58"), ["ephemeral-storage"] = new("95551679124") };
        var heartbeat = Today.AddMinutes(-1);
        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = meta,
            Spec = new V1NodeSpec { ProviderID = $"aws:///{zone}/i-0{k:x16}" },
            Status = new V1NodeStatus
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("8"), ["memory"] = new("32386216Ki"), ["pods"] = new("58"), ["ephemeral-storage"] = new("104845292Ki") },
                Allocatable = allocatable,
                Conditions =
                [
                    new V1NodeCondition { Type = "MemoryPressure", Status = "False", Reason = "KubeletHasSufficientMemory", Message = "kubelet has sufficient memory available", LastHeartbeatTime = heartbeat, LastTransitionTime = created },
                    new V1NodeCondition { Type = "DiskPressure", Status = "False", Reason = "KubeletHasNoDiskPressure", Message = "kubelet has no disk pressure", LastHeartbeatTime = heartbeat, LastTransitionTime = created },
                    new V1NodeCondition { Type = "PIDPressure", Status = "False", Reason = "KubeletHasSufficientPID", Message = "kubelet has sufficient PID available", LastHeartbeatTime = heartbeat, LastTransitionTime = created },
                    new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", Message = "kubelet is posting ready status", LastHeartbeatTime = heartbeat, LastTransitionTime = created },
                ],
                Addresses =
                [
                    new V1NodeAddress { Type = "InternalIP", Address = ip },
                    new V1NodeAddress { Type = "InternalDNS", Address = name },
                    new V1NodeAddress { Type = "Hostname", Address = name },
                ],
                DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = 10250 } },
                NodeInfo = new V1NodeSystemInfo
                {
                    MachineID = Digest($"machine/{k}")[..32],
                    SystemUUID = $"ec2{Digest($"uuid/{k}")[..5]}-0000-4000-8000-{k:x12}",
                    BootID = Uid(23, k),
                    KernelVersion = "6.1.141-155.222.amzn2023.x86_64",
                    OsImage = "Amazon Linux 2023.7.20250623",
                    ContainerRuntimeVersion = "containerd://1.7.27",
                    KubeletVersion = kubelet,
                    KubeProxyVersion = kubelet,
                    OperatingSystem = "linux",
                    Architecture = "amd64",
                },
                Images = images,
            },
        };
    }

    private static V1ContainerImage Image(string reference, long size) =>
        new() { Names = [ImageId(reference)!, reference], SizeBytes = size };

    private static V1StorageClass StorageClass(string name, string uid, string provisioner, bool isDefault, Dictionary<string, string> parameters)
    {
        var meta = new V1ObjectMeta { Name = name, Uid = uid, CreationTimestamp = Created, ManagedFields = [Managed("kubectl-client-side-apply", "Update", null, LabelFields)] };
        if (isDefault) meta.Annotations = new Dictionary<string, string> { [InfrastructureObjects.DefaultClassAnnotation] = "true" };
        return new V1StorageClass
        {
            ApiVersion = "storage.k8s.io/v1",
            Kind = "StorageClass",
            Metadata = meta,
            Provisioner = provisioner,
            Parameters = parameters,
            ReclaimPolicy = "Delete",
            VolumeBindingMode = "WaitForFirstConsumer",
            AllowVolumeExpansion = true,
        };
    }

    /// <summary>The claim of StatefulSet replica <paramref name="r"/>, as the StatefulSet controller creates it (the default class filled in by admission).</summary>
    private static V1PersistentVolumeClaim Claim(int n, int r)
    {
        var name = $"{ClaimTemplateName}-db-{r}";
        var index = n * StatefulSetReplicas + r;
        var meta = Meta(name, NamespaceName(n), Uid(15, index), new Dictionary<string, string> { ["app"] = "db" });
        meta.Annotations = new Dictionary<string, string>
        {
            ["pv.kubernetes.io/bind-completed"] = "yes",
            ["pv.kubernetes.io/bound-by-controller"] = "yes",
            ["volume.beta.kubernetes.io/storage-provisioner"] = ClaimTemplateClass(n) == UnencryptedClass ? "kubernetes.io/aws-ebs" : "ebs.csi.aws.com",
            ["volume.kubernetes.io/selected-node"] = NodeName(index % 7),
        };
        meta.Finalizers = ["kubernetes.io/pvc-protection"];
        meta.ManagedFields = [Managed("kube-controller-manager", "Update", null, LabelFields), Managed("kube-controller-manager", "Update", "status", StatusFields)];
        meta.Generation = null;
        return new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = meta,
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                StorageClassName = ClaimTemplateClass(n) ?? EncryptedClass,
                VolumeMode = "Filesystem",
                VolumeName = $"pvc-{Uid(24, index)}",
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("20Gi") } },
            },
            Status = new V1PersistentVolumeClaimStatus
            {
                Phase = "Bound",
                AccessModes = ["ReadWriteOnce"],
                Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new("20Gi") },
            },
        };
    }

    /// <summary>Deployment <paramref name="d"/>'s Service: ClusterIP, or (one in twenty) an NLB, half of those without a certificate.</summary>
    private V1Service Service(int d)
    {
        var name = DeploymentName(d);
        var meta = Meta(name, NamespaceOf(d), Uid(16, d), new Dictionary<string, string> { ["app"] = name });
        meta.Generation = null;
        var isLoadBalancer = d % 20 == 0;
        var annotations = new Dictionary<string, string>();
        var ports = new List<V1ServicePort> { new() { Name = "http", Port = 80, TargetPort = 8080, Protocol = "TCP" } };
        if (isLoadBalancer)
        {
            annotations["service.beta.kubernetes.io/aws-load-balancer-type"] = "external";
            annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] = "ip";
            annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] = "internet-facing";
            if (d % 40 == 0)
            {
                annotations[LoadBalancerTls.NlbCertificateAnnotation] = CertificateArn;
                annotations[LoadBalancerTls.NlbTlsPortsAnnotation] = "https";
                ports = [new() { Name = "https", Port = 443, TargetPort = 8080, Protocol = "TCP" }];
            }
        }

        var service = new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = meta,
            Spec = new V1ServiceSpec
            {
                Type = isLoadBalancer ? "LoadBalancer" : "ClusterIP",
                Selector = new Dictionary<string, string> { ["app"] = name },
                Ports = ports,
                ClusterIP = $"172.20.{d / 250 % 256}.{d % 250 + 1}",
                ClusterIPs = [$"172.20.{d / 250 % 256}.{d % 250 + 1}"],
                IpFamilies = ["IPv4"],
                IpFamilyPolicy = "SingleStack",
                SessionAffinity = "None",
                InternalTrafficPolicy = "Cluster",
                ExternalTrafficPolicy = isLoadBalancer ? "Cluster" : null,
                AllocateLoadBalancerNodePorts = isLoadBalancer ? true : null,
            },
            Status = new V1ServiceStatus
            {
                LoadBalancer = isLoadBalancer
                    ? new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Hostname = $"k8s-{NamespaceOf(d)}-{name}-{Hash(d)}.elb.eu-west-1.amazonaws.com" }] }
                    : new V1LoadBalancerStatus(),
            },
        };
        annotations["kubectl.kubernetes.io/last-applied-configuration"] = k8s.KubernetesJson.Serialize(new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = meta.NamespaceProperty, Labels = meta.Labels },
            Spec = new V1ServiceSpec { Type = service.Spec.Type, Selector = service.Spec.Selector, Ports = ports },
        });
        meta.Annotations = annotations;
        meta.ManagedFields = [Managed("kubectl-client-side-apply", "Update", null, LabelFields)];
        return service;
    }

    /// <summary>
    /// Deployment <paramref name="d"/>'s Ingress: three in four for the AWS Load Balancer Controller (HTTPS with a
    /// certificate and HTTP redirected to it), one in four for ingress-nginx (spec.tls). Without <paramref name="tls"/>
    /// the ALB listens on HTTP only and the nginx Ingress has no spec.tls.
    /// </summary>
    public V1Ingress Ingress(int d, bool tls)
    {
        var name = DeploymentName(d);
        var ns = NamespaceOf(d);
        var host = $"{name}.{ns}.apps.example.com";
        var isNginx = d % 4 == 1;
        var annotations = new Dictionary<string, string>();
        if (!isNginx)
        {
            annotations["alb.ingress.kubernetes.io/scheme"] = "internet-facing";
            annotations["alb.ingress.kubernetes.io/target-type"] = "ip";
            annotations["alb.ingress.kubernetes.io/group.name"] = ns;
            annotations["alb.ingress.kubernetes.io/healthcheck-path"] = "/healthz";
            if (tls)
            {
                annotations[LoadBalancerTls.CertificateArnAnnotation] = CertificateArn;
                annotations[LoadBalancerTls.ListenPortsAnnotation] = """[{"HTTP": 80}, {"HTTPS": 443}]""";
                annotations[LoadBalancerTls.SslRedirectAnnotation] = "443";
            }
            else
            {
                annotations[LoadBalancerTls.ListenPortsAnnotation] = """[{"HTTP": 80}]""";
            }
        }
        else
        {
            annotations["nginx.ingress.kubernetes.io/proxy-body-size"] = "8m";
        }

        var meta = Meta(name, ns, Uid(17, d), new Dictionary<string, string> { ["app"] = name });
        meta.Annotations = annotations;
        meta.ManagedFields = [Managed("kubectl-client-side-apply", "Update", null, LabelFields), Managed("controller", "Update", "status", StatusFields)];
        return new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "Ingress",
            Metadata = meta,
            Spec = new V1IngressSpec
            {
                IngressClassName = isNginx ? "nginx" : "alb",
                Tls = isNginx && tls ? [new V1IngressTLS { Hosts = [host], SecretName = $"{name}-tls" }] : null,
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = host,
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths = [new V1HTTPIngressPath { Path = "/", PathType = "Prefix", Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = name, Port = new V1ServiceBackendPort { Number = d % 40 == 0 ? 443 : 80 } } } }],
                        },
                    },
                ],
            },
            Status = new V1IngressStatus
            {
                LoadBalancer = new V1IngressLoadBalancerStatus
                {
                    Ingress = [new V1IngressLoadBalancerIngress { Hostname = isNginx ? "a1b2c3d4e5f6-1234567890.eu-west-1.elb.amazonaws.com" : $"k8s-{ns}-{Hash(d)}-1234567890.eu-west-1.elb.amazonaws.com" }],
                },
            },
        };
    }

    /// <summary>The CA bundle every namespace gets (a ConfigMap the operator must not list: it watches aws-auth alone).</summary>
    private static V1ConfigMap RootCaConfigMap(string ns, string uid) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta
        {
            Name = "kube-root-ca.crt",
            NamespaceProperty = ns,
            Uid = uid,
            CreationTimestamp = Created,
            Annotations = new Dictionary<string, string> { ["kubernetes.io/description"] = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." },
            ManagedFields = [Managed("kube-controller-manager", "Update", null, LabelFields)],
        },
        Data = new Dictionary<string, string> { ["ca.crt"] = CaBundle },
    };

    private static readonly string CaBundle = "-----BEGIN CERTIFICATE-----\n"
        + string.Join("\n", Enumerable.Range(0, 17).Select(i => Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))).PadRight(64, 'A')[..64]))
        + "\n-----END CERTIFICATE-----\n";
}
