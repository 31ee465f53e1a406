namespace EksHardening.Operator.Rules;

/// <summary>What a claim's StorageClass means for encryption at rest.</summary>
public enum ClassEncryption
{
    /// <summary>An EBS class that sets encrypted "true".</summary>
    Encrypted,
    /// <summary>An EBS class whose volumes are created unencrypted.</summary>
    Unencrypted,
    /// <summary>Not an EBS class (EFS, FSx, another driver): not judged.</summary>
    NotEbs,
    /// <summary>storageClassName "": bound to a pre-provisioned volume, not judged.</summary>
    StaticBinding,
    /// <summary>The class cannot be known from the inputs: an error, never a pass.</summary>
    Unknown,
}

/// <summary>The judgement of one claim's class: the class (when known), whether it is the default, and why.</summary>
public sealed record ClassVerdict(ClassEncryption Encryption, string? ClassName, bool IsDefault, string Reason)
{
    /// <summary>How messages name the class: "StorageClass gp2" or "StorageClass gp2 (the default StorageClass)".</summary>
    public string Describe() => $"StorageClass {ClassName}{(IsDefault ? " (the default StorageClass)" : "")}";
}

/// <summary>
/// Whether EBS StorageClasses encrypt, read as the EBS CSI driver reads them (kubernetes-sigs/aws-ebs-csi-driver,
/// pkg/driver/controller.go): parameter keys are compared lower-cased, and a volume is encrypted only when the
/// value of <c>encrypted</c> is exactly "true". In-tree <c>kubernetes.io/aws-ebs</c> classes are served by the same
/// driver through CSI migration (the in-tree plugin is gone since Kubernetes 1.27), so they are read alike.
/// </summary>
public static class EbsVolumeEncryption
{
    public const string CsiProvisioner = "ebs.csi.aws.com";
    public const string InTreeProvisioner = "kubernetes.io/aws-ebs";
    public const string EncryptedParameter = "encrypted";

    /// <summary>The deprecated annotation that, where present, names a claim's class before spec.storageClassName does.</summary>
    public const string BetaClaimClassAnnotation = "volume.beta.kubernetes.io/storage-class";

    public static bool IsEbs(V1StorageClass storageClass) =>
        storageClass.Provisioner is CsiProvisioner or InTreeProvisioner;

    /// <summary>Why an EBS class's volumes are unencrypted; null when they are encrypted.</summary>
    public static string? UnencryptedReason(V1StorageClass storageClass)
    {
        var values = (storageClass.Parameters ?? new Dictionary<string, string>())
            .Where(p => string.Equals(p.Key, EncryptedParameter, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (values.Count == 0) return "it sets no encrypted parameter, so the driver creates unencrypted volumes (unless the account's EBS encryption-by-default is on, which the cluster cannot show)";
        // Several spellings of the key: the driver reads them in map order, so the last one wins at random.
        var notTrue = values.Where(p => p.Value != "true").ToList();
        if (notTrue.Count == 0) return null;
        var shown = string.Join(", ", notTrue.Select(p => $"{p.Key}: \"{p.Value}\""));
        return $"it sets {shown}, and the driver encrypts only for exactly \"true\"";
    }

    /// <summary>The class name a claim asks for: the beta annotation first, then spec.storageClassName, as Kubernetes reads it.</summary>
    public static string? ClassNameOf(V1ObjectMeta? metadata, V1PersistentVolumeClaimSpec? spec) =>
        metadata?.Annotations is { } annotations && annotations.TryGetValue(BetaClaimClassAnnotation, out var annotated)
            ? annotated
            : spec?.StorageClassName;

    /// <summary>Judges the class a claim (or a claim template) with <paramref name="className"/> gets.</summary>
    public static ClassVerdict Judge(string? className, InfrastructureObjects objects)
    {
        if (className is "") return new ClassVerdict(ClassEncryption.StaticBinding, "", false, "storageClassName \"\" binds a pre-provisioned volume");
        V1StorageClass? storageClass;
        var isDefault = className is null;
        if (className is null)
        {
            storageClass = objects.DefaultStorageClass;
            if (storageClass is null)
            {
                return new ClassVerdict(ClassEncryption.Unknown, null, true,
                    $"it names no storageClassName and no StorageClass among the inputs is the default ({InfrastructureObjects.DefaultClassAnnotation}: \"true\"), so its class is unknown");
            }
        }
        else
        {
            storageClass = objects.FindStorageClass(className);
            if (storageClass is null)
            {
                return new ClassVerdict(ClassEncryption.Unknown, className, false, $"its StorageClass {className} is not among the inputs, so whether it encrypts is unknown");
            }
        }

        var name = storageClass.Metadata?.Name ?? "";
        if (!IsEbs(storageClass)) return new ClassVerdict(ClassEncryption.NotEbs, name, isDefault, $"provisioner {storageClass.Provisioner} is not EBS");
        return UnencryptedReason(storageClass) is { } reason
            ? new ClassVerdict(ClassEncryption.Unencrypted, name, isDefault, reason)
            : new ClassVerdict(ClassEncryption.Encrypted, name, isDefault, "encrypted");
    }
}
