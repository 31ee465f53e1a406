namespace EksHardening.Operator.Tests.Policies;

/// <summary>Policies for the validator tests: the DESIGN.md §3 example, and YAML parsed the way the scan CLI reads it.</summary>
internal static class PolicyFixtures
{
    /// <summary>DESIGN.md §3's example, with the status conditions written out in full.</summary>
    public const string DesignExample = """
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: { name: production }
        spec:
          mode: Audit
          match:
            namespaceSelector: { matchLabels: { env: prod } }
            excludeNamespaces: [kube-system]
            kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob]
          imageScanning:
            allowedRegistries: ["*.dkr.ecr.*.amazonaws.com", "public.ecr.aws/eks-distro/**"]
            disallowLatestTag: true
            requireDigest: false
            requireScanOnPush: true
            maxScanAge: 168h
            vulnerabilityThresholds: { critical: 0, high: 0 }
            ignoreFindings: [CVE-2023-0001]
          networkPolicies:
            requireDefaultDeny: [Ingress, Egress]
            requirePodCoverage: true
            blockInstanceMetadata: true
            remediate: true
          irsa:
            disallowDefaultServiceAccount: true
            requireAutomountDisabledWithoutRole: true
            disallowSharedRoles: true
            requireScopedTrustPolicy: true
            disallowWildcardActions: true
            disallowPrivilegeEscalation: true
            deniedManagedPolicies: [AdministratorAccess, PowerUserAccess, IAMFullAccess]
          podSecurity:
            level: restricted
            version: latest
            requireResourceLimits: false
            requireReadOnlyRootFilesystem: false
            requireNamespaceLabel: false
          cluster:
            name: prod-cluster
            region: eu-west-1
            requireSecretsEncryption: true
            requireKeyRotation: true
            requiredLogTypes: [api, audit, authenticator]
            disallowPublicEndpoint: false
            disallowOpenPublicCidrs: true
          exemptions:
            - name: legacy-batch
              namespaces: [batch]
              selector: { matchLabels: { app: old-etl } }
              images: ["vendor.example.com/etl:*"]
              rules: [image.tag-not-latest, "pss.*"]
              reason: "vendor image, replacement tracked in JIRA-123"
              expires: "2027-03-31T00:00:00Z"
          admission:
            unknownImages: Allow
          dryRun: false
          evaluationInterval: 10m
        status:
          observedGeneration: 4
          lastEvaluated: "2026-11-28T12:00:00Z"
          conditions:
            - { type: Ready, status: "True", reason: Evaluated, observedGeneration: 4, lastTransitionTime: "2026-11-28T12:00:00Z", message: "" }
            - { type: Compliant, status: "False", reason: ViolationsFound, message: "12 of 140 resources violate", lastTransitionTime: "2026-11-28T12:00:00Z" }
            - { type: AwsReachable, status: "True", reason: Reachable, message: "", lastTransitionTime: "2026-11-28T12:00:00Z" }
          summary: { resources: 140, compliant: 126, violating: 12, exempt: 2, errors: 0 }
          responsibilities:
            - { row: NetworkSecurity, passed: 130, failed: 10 }
          totalViolations: 37
          violations:
            - { rule: image.tag-not-latest, severity: high, kind: Deployment, namespace: shop, name: web, message: "container web uses :latest" }
          clusterFindings:
            - { rule: cluster.control-plane-logging, result: fail, message: "audit log type disabled" }
          expiredExemptions: [old-one]
        """;

    public static JsonObject Parse(string yaml) => (JsonObject)YamlToJson.Parse(yaml, "test.yaml").Single().Root!;

    public static JsonObject Example() => Parse(DesignExample);

    /// <summary>The example with one change made through <paramref name="edit"/> (given the policy root).</summary>
    public static JsonObject Example(Action<JsonObject> edit)
    {
        var policy = Example();
        edit(policy);
        return policy;
    }

    public static JsonObject Spec(this JsonObject policy) => policy["spec"]!.AsObject();

    public static JsonNode? Yaml(string fragment) => YamlToJson.Parse(fragment, "fragment.yaml").Single().Root;
}
