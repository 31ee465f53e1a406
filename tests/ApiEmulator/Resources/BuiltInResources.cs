namespace EksHardening.ApiEmulator.Resources;

/// <summary>The built-in resources the emulator serves, with the server behaviour of each.</summary>
internal static class BuiltInResources
{
    public static readonly ResourceType Namespaces = new()
    {
        Group = "", Version = "v1", Kind = "Namespace", Plural = "namespaces", Singular = "namespace",
        Namespaced = false, HasStatusSubresource = true, HasGeneration = false, ShortNames = ["ns"],
        ExtraFieldLabels = ["status.phase"],
    };

    public static readonly ResourceType CustomResourceDefinitions = new()
    {
        Group = "apiextensions.k8s.io", Version = "v1", Kind = "CustomResourceDefinition",
        Plural = "customresourcedefinitions", Singular = "customresourcedefinition",
        Namespaced = false, HasStatusSubresource = true, ShortNames = ["crd", "crds"],
    };

    public static IReadOnlyList<ResourceType> All { get; } =
    [
        Namespaces,
        new()
        {
            Group = "", Version = "v1", Kind = "Pod", Plural = "pods", Singular = "pod", Namespaced = true,
            HasStatusSubresource = true, ShortNames = ["po"],
            ExtraFieldLabels =
            [
                "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
            ],
        },
        new()
        {
            Group = "", Version = "v1", Kind = "ReplicationController", Plural = "replicationcontrollers",
            Singular = "replicationcontroller", Namespaced = true, HasStatusSubresource = true, ShortNames = ["rc"],
        },
        new()
        {
            // The API server bumps a PodTemplate's generation when its template changes (podtemplate strategy).
            Group = "", Version = "v1", Kind = "PodTemplate", Plural = "podtemplates", Singular = "podtemplate", Namespaced = true,
        },
        new()
        {
            Group = "", Version = "v1", Kind = "ServiceAccount", Plural = "serviceaccounts", Singular = "serviceaccount",
            Namespaced = true, HasGeneration = false, ShortNames = ["sa"],
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Event", Plural = "events", Singular = "event", Namespaced = true,
            HasGeneration = false, ShortNames = ["ev"],
            ExtraFieldLabels =
            [
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                "reason", "reportingComponent", "source", "type",
            ],
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Secret", Plural = "secrets", Singular = "secret", Namespaced = true,
            HasGeneration = false, ExtraFieldLabels = ["type"],
        },
        new()
        {
            Group = "", Version = "v1", Kind = "ConfigMap", Plural = "configmaps", Singular = "configmap",
            Namespaced = true, HasGeneration = false, ShortNames = ["cm"],
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Service", Plural = "services", Singular = "service", Namespaced = true,
            HasStatusSubresource = true, HasGeneration = false, ShortNames = ["svc"],
        },
        new()
        {
            Group = "apps", Version = "v1", Kind = "Deployment", Plural = "deployments", Singular = "deployment",
            Namespaced = true, HasStatusSubresource = true, ShortNames = ["deploy"],
        },
        new()
        {
            Group = "apps", Version = "v1", Kind = "StatefulSet", Plural = "statefulsets", Singular = "statefulset",
            Namespaced = true, HasStatusSubresource = true, ShortNames = ["sts"],
        },
        new()
        {
            Group = "apps", Version = "v1", Kind = "DaemonSet", Plural = "daemonsets", Singular = "daemonset",
            Namespaced = true, HasStatusSubresource = true, ShortNames = ["ds"],
        },
        new()
        {
            Group = "apps", Version = "v1", Kind = "ReplicaSet", Plural = "replicasets", Singular = "replicaset",
            Namespaced = true, HasStatusSubresource = true, ShortNames = ["rs"], ExtraFieldLabels = ["status.replicas"],
        },
        new()
        {
            Group = "batch", Version = "v1", Kind = "Job", Plural = "jobs", Singular = "job", Namespaced = true,
            HasStatusSubresource = true, ExtraFieldLabels = ["status.successful"],
        },
        new()
        {
            Group = "batch", Version = "v1", Kind = "CronJob", Plural = "cronjobs", Singular = "cronjob",
            Namespaced = true, HasStatusSubresource = true, ShortNames = ["cj"],
        },
        new()
        {
            Group = "networking.k8s.io", Version = "v1", Kind = "NetworkPolicy", Plural = "networkpolicies",
            Singular = "networkpolicy", Namespaced = true, ShortNames = ["netpol"],
        },
        new()
        {
            Group = "coordination.k8s.io", Version = "v1", Kind = "Lease", Plural = "leases", Singular = "lease",
            Namespaced = true, HasGeneration = false,
        },
        new()
        {
            Group = "admissionregistration.k8s.io", Version = "v1", Kind = "ValidatingWebhookConfiguration",
            Plural = "validatingwebhookconfigurations", Singular = "validatingwebhookconfiguration", Namespaced = false,
        },
        // Nodes, PersistentVolumeClaims, StorageClasses and the RBAC kinds keep no metadata.generation on a real server
        // (their strategies do not set it); Ingresses do, and have a status subresource.
        new()
        {
            Group = "", Version = "v1", Kind = "Node", Plural = "nodes", Singular = "node", Namespaced = false,
            HasStatusSubresource = true, HasGeneration = false, ShortNames = ["no"], ExtraFieldLabels = ["spec.unschedulable"],
        },
        new()
        {
            Group = "", Version = "v1", Kind = "PersistentVolumeClaim", Plural = "persistentvolumeclaims", Singular = "persistentvolumeclaim",
            Namespaced = true, HasStatusSubresource = true, HasGeneration = false, ShortNames = ["pvc"],
        },
        new()
        {
            Group = "storage.k8s.io", Version = "v1", Kind = "StorageClass", Plural = "storageclasses", Singular = "storageclass",
            Namespaced = false, HasGeneration = false, ShortNames = ["sc"],
        },
        new()
        {
            Group = "networking.k8s.io", Version = "v1", Kind = "Ingress", Plural = "ingresses", Singular = "ingress",
            Namespaced = true, HasStatusSubresource = true, ShortNames = ["ing"],
        },
        new()
        {
            Group = "rbac.authorization.k8s.io", Version = "v1", Kind = "ClusterRole", Plural = "clusterroles", Singular = "clusterrole",
            Namespaced = false, HasGeneration = false,
        },
        new()
        {
            Group = "rbac.authorization.k8s.io", Version = "v1", Kind = "ClusterRoleBinding", Plural = "clusterrolebindings",
            Singular = "clusterrolebinding", Namespaced = false, HasGeneration = false,
        },
        new()
        {
            Group = "rbac.authorization.k8s.io", Version = "v1", Kind = "Role", Plural = "roles", Singular = "role",
            Namespaced = true, HasGeneration = false,
        },
        new()
        {
            Group = "rbac.authorization.k8s.io", Version = "v1", Kind = "RoleBinding", Plural = "rolebindings", Singular = "rolebinding",
            Namespaced = true, HasGeneration = false,
        },
        CustomResourceDefinitions,
    ];
}
