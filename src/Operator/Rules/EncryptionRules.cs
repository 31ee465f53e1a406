using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Encryption duties (<c>encryption.*</c>) judged on Kubernetes objects alone: EBS volumes encrypted at rest (on the
/// StorageClass, the claim, and the workload that mounts it), and traffic encrypted at the load balancer (on the
/// Ingress and the LoadBalancer Service).
/// </summary>
public sealed class EncryptionRules : IRuleFamily
{
    public static readonly RuleDefinition Volumes = new(
        "encryption.volumes", "EBS StorageClasses set encrypted \"true\", and no claim or workload uses one that does not",
        ResponsibilityRow.DataEncryption, Severity.High, RuleScope.Object, "encryption.requireEncryptedVolumes",
        "Set parameters.encrypted: \"true\" (and kmsKeyId for a customer managed key) on the StorageClass; parameters cannot change, so create an encrypted class, point claims at it and migrate the data (e.g. from a snapshot).")
    {
        AlsoOnWorkloads = true,
    };

    public static readonly RuleDefinition IngressTls = new(
        "encryption.ingress-tls", "Ingresses and LoadBalancer Services serve TLS at the load balancer",
        ResponsibilityRow.DataEncryption, Severity.High, RuleScope.Object, "encryption.requireTlsIngress",
        "Ingress: add spec.tls, or for the AWS Load Balancer Controller an HTTPS listener (alb.ingress.kubernetes.io/certificate-arn) and alb.ingress.kubernetes.io/ssl-redirect beside any HTTP one. LoadBalancer Service: name a certificate in service.beta.kubernetes.io/aws-load-balancer-ssl-cert covering every port (aws-load-balancer-ssl-ports), or list TLS-passthrough ports in encryption.allowedPlainPorts.");

    private static readonly string VolumesUnlisted = Unlisted.Message("StorageClasses and PersistentVolumeClaims", "spec.encryption.requireEncryptedVolumes");

    public IReadOnlyList<RuleDefinition> Rules { get; } = [Volumes, IngressTls];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.Encryption is not { } duty) return [];
        var enabled = new List<RuleDefinition>(2);
        if (duty.RequireEncryptedVolumes == true) enabled.Add(Volumes);
        if (duty.RequireTlsIngress == true) enabled.Add(IngressTls);
        return enabled;
    }

    public void EvaluateObjects(ObjectContext context, ObjectFindings findings)
    {
        var duty = context.Policy.Encryption!;
        var objects = context.Snapshot.Infrastructure;
        var unlisted = context.Snapshot.Unlisted;
        if (duty.RequireEncryptedVolumes == true && unlisted.HasFlag(UnlistedObjects.Volumes))
        {
            findings.Unlisted(Unlisted.AllOf<V1StorageClass>(), [Volumes], VolumesUnlisted);
        }
        else if (duty.RequireEncryptedVolumes == true)
        {
            var byDefault = context.Snapshot.Aws?.EbsDefault;
            JudgeStorageClasses(objects, byDefault, findings);
            JudgeClaims(context, objects, byDefault, findings);
        }

        if (duty.RequireTlsIngress == true && unlisted.HasFlag(UnlistedObjects.Ingress))
        {
            findings.Unlisted(Unlisted.AllOf<V1Ingress>(), [IngressTls], Unlisted.Message("Ingresses and Services", "spec.encryption.requireTlsIngress"));
        }
        else if (duty.RequireTlsIngress == true)
        {
            var allowed = duty.AllowedPlainPorts ?? [];
            foreach (var ingress in objects.Ingresses)
            {
                if (!context.InScope(ClusterSnapshot.NamespaceOf(ingress.Metadata))) continue;
                var collector = findings.On(ingress, [IngressTls], objects.SourceOf(ingress));
                var faults = LoadBalancerTls.IngressFaults(ingress, out var note);
                foreach (var fault in faults) collector.Fail(IngressTls, fault.Message, fault.Path);
                if (note is not null) collector.PassNote(IngressTls, note);
            }

            foreach (var service in objects.Services)
            {
                if (service.Spec?.Type != "LoadBalancer" || !context.InScope(ClusterSnapshot.NamespaceOf(service.Metadata))) continue;
                var collector = findings.On(service, [IngressTls], objects.SourceOf(service));
                foreach (var fault in LoadBalancerTls.ServiceFaults(service, allowed)) collector.Fail(IngressTls, fault.Message, fault.Path);
            }
        }
    }

    /// <summary>StorageClasses are cluster-scoped: every EBS class is judged, used or not, whatever match says.</summary>
    private static void JudgeStorageClasses(InfrastructureObjects objects, EbsDefaultEncryption? byDefault, ObjectFindings findings)
    {
        foreach (var storageClass in objects.StorageClasses)
        {
            if (!EbsVolumeEncryption.IsEbs(storageClass)) continue;
            var collector = findings.On(storageClass, [Volumes], objects.SourceOf(storageClass));
            if (EbsVolumeEncryption.UnencryptedReason(storageClass) is not { } reason) continue;
            if (EncryptedByDefault(byDefault, collector)) continue;
            var isDefault = ReferenceEquals(storageClass, objects.DefaultStorageClass);
            collector.Fail(Volumes,
                $"StorageClass {storageClass.Metadata?.Name}{(isDefault ? " (the default StorageClass)" : "")} creates unencrypted EBS volumes: {reason}",
                $"parameters.{EbsVolumeEncryption.EncryptedParameter}");
        }
    }

    /// <summary>
    /// With EBS encryption by default on in the region (EC2 GetEbsEncryptionByDefault), a volume a class leaves
    /// unencrypted is encrypted anyway: a pass, with a note. Off or unknown: the class's own verdict stands.
    /// </summary>
    private static bool EncryptedByDefault(EbsDefaultEncryption? byDefault, FindingCollector findings)
    {
        if (byDefault?.Enabled != true) return false;
        findings.PassNote(Volumes, $"the StorageClass does not ask for encryption, but EBS encryption by default is on in {byDefault.Region}, so its volumes are encrypted");
        return true;
    }

    private static void JudgeClaims(ObjectContext context, InfrastructureObjects objects, EbsDefaultEncryption? byDefault, ObjectFindings findings)
    {
        foreach (var claim in objects.Claims)
        {
            var ns = ClusterSnapshot.NamespaceOf(claim.Metadata);
            if (!context.InScope(ns)) continue;
            var verdict = EbsVolumeEncryption.Judge(EbsVolumeEncryption.ClassNameOf(claim.Metadata, claim.Spec), objects);
            if (verdict.Encryption is ClassEncryption.NotEbs or ClassEncryption.StaticBinding) continue;
            var collector = findings.On(claim, [Volumes], objects.SourceOf(claim));
            Report(verdict, $"PersistentVolumeClaim {ns}/{claim.Metadata?.Name}", "spec.storageClassName", byDefault, collector);
        }
    }

    /// <summary>The workload side of encryption.volumes: every claim it mounts or creates, judged by its class.</summary>
    public void EvaluateWorkload(WorkloadContext context, FindingCollector findings)
    {
        if (context.Policy.Encryption?.RequireEncryptedVolumes != true) return;
        var workload = context.Workload;
        var objects = context.Snapshot.Infrastructure;
        var byDefault = context.Snapshot.Aws?.EbsDefault;
        if (context.Snapshot.Unlisted.HasFlag(UnlistedObjects.Volumes))
        {
            // Whether it uses claims at all is known; their classes are not yet.
            if (UsesClaims(workload)) findings.Error(Volumes, VolumesUnlisted, workload.PodSpecPath + ".volumes");
            else findings.NotApplicable(Volumes);
            return;
        }

        var judged = false;
        var volumes = workload.PodSpec.Volumes ?? [];
        for (var i = 0; i < volumes.Count; i++)
        {
            var volume = volumes[i];
            var path = $"{workload.PodSpecPath}.volumes[{i}]";
            if (volume?.PersistentVolumeClaim?.ClaimName is { } claimName)
            {
                judged = true;
                var claim = objects.FindClaim(workload.Namespace, claimName);
                if (claim is null)
                {
                    findings.Error(Volumes, $"volume {volume.Name} mounts PersistentVolumeClaim {workload.Namespace}/{claimName}, which is not among the inputs, so whether it is encrypted is unknown", path);
                    continue;
                }

                var verdict = EbsVolumeEncryption.Judge(EbsVolumeEncryption.ClassNameOf(claim.Metadata, claim.Spec), objects);
                Report(verdict, $"volume {volume.Name} (PersistentVolumeClaim {workload.Namespace}/{claimName})", path, byDefault, findings);
            }
            else if (volume?.Ephemeral?.VolumeClaimTemplate is { } template)
            {
                judged = true;
                var verdict = EbsVolumeEncryption.Judge(EbsVolumeEncryption.ClassNameOf(template.Metadata, template.Spec), objects);
                Report(verdict, $"ephemeral volume {volume.Name}", path + ".ephemeral.volumeClaimTemplate.spec.storageClassName", byDefault, findings);
            }
        }

        if (workload.Object is V1StatefulSet { Spec.VolumeClaimTemplates: { } templates })
        {
            for (var i = 0; i < templates.Count; i++)
            {
                judged = true;
                var template = templates[i];
                var verdict = EbsVolumeEncryption.Judge(EbsVolumeEncryption.ClassNameOf(template?.Metadata, template?.Spec), objects);
                Report(verdict, $"volumeClaimTemplate {template?.Metadata?.Name}", $"spec.volumeClaimTemplates[{i}].spec.storageClassName", byDefault, findings);
            }
        }

        if (!judged) findings.NotApplicable(Volumes);
    }

    /// <summary>Whether the workload mounts or creates claims: a claim volume, an ephemeral volume, or StatefulSet volumeClaimTemplates.</summary>
    public static bool UsesClaims(WorkloadView workload) =>
        workload.PodSpec.Volumes?.Any(v => v?.PersistentVolumeClaim is not null || v?.Ephemeral is not null) == true
        || workload.Object is V1StatefulSet { Spec.VolumeClaimTemplates.Count: > 0 };

    /// <param name="subject">What uses the class, the start of the message: "PersistentVolumeClaim shop/data".</param>
    private static void Report(ClassVerdict verdict, string subject, string path, EbsDefaultEncryption? byDefault, FindingCollector findings)
    {
        switch (verdict.Encryption)
        {
            case ClassEncryption.Unencrypted when EncryptedByDefault(byDefault, findings):
                break;
            case ClassEncryption.Unencrypted:
                findings.Fail(Volumes, $"{subject} uses {verdict.Describe()}, which creates unencrypted EBS volumes: {verdict.Reason}", path);
                break;
            case ClassEncryption.Unknown:
                findings.Error(Volumes, $"{subject}: {verdict.Reason}", path);
                break;
        }
    }
}
