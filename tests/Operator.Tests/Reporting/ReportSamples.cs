namespace EksHardening.Operator.Tests.Reporting;

/// <summary>Hand-built scan reports (rules defined here, independent of the catalog's state) for the output formats.</summary>
internal static class ReportSamples
{
    public static readonly RuleDefinition Privileged = new("pss.privileged", "Privileged containers are disallowed",
        ResponsibilityRow.InfrastructureSecurity, Severity.Critical, RuleScope.Workload, "podSecurity.level",
        "Remove securityContext.privileged or set it to false.");

    public static readonly RuleDefinition LatestTag = new("image.tag-not-latest", "Images are not tagged latest",
        ResponsibilityRow.InfrastructureSecurity, Severity.High, RuleScope.Workload, "imageScanning.disallowLatestTag",
        "Pin a version tag or a digest.");

    public static readonly RuleDefinition TokenAutomount = new("irsa.token-automount", "Service account tokens are mounted only where needed",
        ResponsibilityRow.IdentityManagement, Severity.Medium, RuleScope.Workload, "irsa.requireAutomountDisabledWithoutRole",
        "Set automountServiceAccountToken: false on pods without an IAM role.");

    public static readonly RuleDefinition Vulnerabilities = new("image.vulnerabilities", "Running images stay within the vulnerability thresholds",
        ResponsibilityRow.PatchManagement, Severity.Critical, RuleScope.Workload, "imageScanning.vulnerabilityThresholds",
        "Rebuild the image on a patched base and redeploy.");

    public static readonly RuleDefinition PsaLabel = new("namespace.psa-label", "Namespaces enforce Pod Security Admission",
        ResponsibilityRow.InfrastructureSecurity, Severity.Low, RuleScope.Namespace, "podSecurity.requireNamespaceLabel",
        "Label the namespace pod-security.kubernetes.io/enforce with the policy's level.");

    public static readonly RuleDefinition DefaultDenyIngress = new("network.default-deny-ingress", "Namespaces deny ingress by default",
        ResponsibilityRow.NetworkSecurity, Severity.High, RuleScope.Namespace, "networkPolicies.requireDefaultDeny",
        "Add a NetworkPolicy with an empty podSelector and policyTypes [Ingress].");

    public static readonly RuleDefinition ControlPlaneLogging = new("cluster.control-plane-logging", "Control-plane log types are enabled",
        ResponsibilityRow.Monitoring, Severity.Medium, RuleScope.Cluster, "cluster.requiredLogTypes",
        "Enable the required log types on the EKS cluster.");

    public const string LongMessage =
        "container api uses image registry.example.com/team/api:latest, which is tagged latest; a later pull can run different code "
        + "than the one that was reviewed and scanned, so pin a version tag or a sha256 digest instead of relying on the moving tag";

    public static readonly DateTimeOffset ExpiredAt = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Two policies. production (Audit): web fails, db is exempt, job-1 errs, namespace shop (no own
    /// manifest) fails, namespace batch passes, one failed cluster finding, one expired exemption.
    /// staging (Enforce): api, from an absolute path, fails with a long message.
    /// </summary>
    public static ScanReport Full(string absoluteRoot = "/abs/repo")
    {
        var web = new ResourceEvaluation(
            new ResourceRef("apps/v1", "Deployment", "shop", "web"), new SourceLocation("deploy/shop/web.yaml", 12),
            [
                new Finding(Privileged, FindingResult.Fail, "container web sets securityContext.privileged: true", "spec.template.spec.containers[0].securityContext.privileged"),
                new Finding(LatestTag, FindingResult.Fail, "container web uses :latest", "spec.template.spec.containers[0].image", "nginx:latest"),
                new Finding(TokenAutomount, FindingResult.Pass, "ok"),
                new Finding(Vulnerabilities, FindingResult.Error, "ECR denied ecr:DescribeImageScanFindings", "spec.template.spec.containers[0].image", "nginx:latest"),
            ]);
        var db = new ResourceEvaluation(
            new ResourceRef("apps/v1", "StatefulSet", "shop", "db"), new SourceLocation(@"deploy\shop\db.yaml", 3),
            [
                new Finding(Privileged, FindingResult.Pass, "ok"),
                new Finding(LatestTag, FindingResult.Exempt, "container db uses :latest", "spec.template.spec.containers[0].image", "postgres:latest", "legacy-db"),
                new Finding(TokenAutomount, FindingResult.Pass, "ok"),
            ]);
        var job = new ResourceEvaluation(
            new ResourceRef("v1", "Pod", "batch", "job-1"), null,
            [
                new Finding(Privileged, FindingResult.Pass, "ok"),
                new Finding(Vulnerabilities, FindingResult.Error, "ECR throttled the request", "spec.containers[0].image", "busybox:1.36"),
            ]);
        var shop = new ResourceEvaluation(
            new ResourceRef("v1", "Namespace", null, "shop"), null,
            [
                new Finding(PsaLabel, FindingResult.Fail, "namespace shop has no pod-security.kubernetes.io/enforce label", "metadata.labels"),
                new Finding(DefaultDenyIngress, FindingResult.Fail, "no NetworkPolicy in shop denies all ingress"),
            ]);
        var batch = new ResourceEvaluation(
            new ResourceRef("v1", "Namespace", null, "batch"), new SourceLocation("./deploy/namespaces.yaml", 1),
            [
                new Finding(PsaLabel, FindingResult.Pass, "ok"),
                new Finding(DefaultDenyIngress, FindingResult.Pass, "ok"),
            ]);
        var production = new PolicyEvaluation("production", PolicyMode.Audit, [web, db, job, shop, batch],
            [new Finding(ControlPlaneLogging, FindingResult.Fail, "audit log type disabled")],
            [new ExpiredExemption("old-vendor", ExpiredAt, "vendor image, replacement tracked in JIRA-123")]);

        var api = new ResourceEvaluation(
            new ResourceRef("apps/v1", "Deployment", "staging", "api"), new SourceLocation($"{absoluteRoot}/deploy/staging/api.yaml", 7),
            [
                new Finding(Privileged, FindingResult.Pass, "ok"),
                new Finding(LatestTag, FindingResult.Fail, LongMessage, "spec.template.spec.containers[0].image", "registry.example.com/team/api:latest"),
            ]);
        var staging = new PolicyEvaluation("staging", PolicyMode.Enforce, [api], [], []);

        return new ScanReport("1.2.3", [production, staging],
            new Dictionary<string, int> { ["v1/Service"] = 2, ["v1/ConfigMap"] = 3 });
    }

    public static ScanReport Empty() => new("1.2.3", [], new Dictionary<string, int>());

    public static string Render(IScanReportWriter writer, ScanReport report)
    {
        using var output = new StringWriter { NewLine = "\n" };
        writer.Write(report, output);
        return output.ToString();
    }
}
