namespace EksHardening.Operator.Rules;

/// <summary>The Pod Security Standards (baseline and restricted, at the policy's <c>podSecurity.version</c>) as <c>pss.*</c> rules.</summary>
/// <remarks>
/// One rule per upstream pod-security-admission check, named after its check id. Each check follows the definition
/// with the greatest MinimumVersion at or below the policy's version (k8s.io/pod-security-admission policy/check_*.go),
/// as Pod Security Admission does for <c>enforce-version</c>: a check that did not exist yet at that version is not
/// evaluated (allowPrivilegeEscalation from v1.8, runAsUser from v1.23, hostProbesAndHostLifecycle from v1.34), and
/// <c>latest</c> is <see cref="PodSecurityVersion.NewestKnown"/>. Where upstream
/// splits a control into <c>_baseline</c> and <c>_restricted</c> checks (capabilities, seccompProfile,
/// procMount) there is one rule whose conditions depend on the level: at restricted the baseline
/// conditions still hold and the restricted ones are added. Init, regular and ephemeral containers
/// all count. Like upstream, Windows pods (<c>spec.os.name: windows</c>) are exempt from the
/// Linux-only restricted conditions (capabilities drop/add, seccomp required, allowPrivilegeEscalation) from
/// v1.25, and pods in a user namespace (<c>hostUsers: false</c>) are exempt from runAsNonRoot, runAsUser and
/// the baseline procMount condition from v1.35. Versioned definitions: seccomp (v1.0-v1.18 the
/// <c>seccomp.security.alpha.kubernetes.io</c> annotations, from v1.19 the seccompProfile fields, required at
/// restricted), restricted capabilities (v1.22), SELinux type container_engine_t (v1.31), safe sysctls (v1.27,
/// v1.29, v1.32, v1.37 additions). The AppArmor check reads the annotations and the appArmorProfile fields at
/// every version, as upstream's single v1.0 definition does.
/// </remarks>
public sealed class PodSecurityRules : IRuleFamily
{
    private const string Duty = "podSecurity.level";

    public static readonly RuleDefinition WindowsHostProcess = Define(
        "pss.windowsHostProcess", "Windows HostProcess containers are disallowed (baseline)", Severity.Critical,
        "Remove securityContext.windowsOptions.hostProcess (or set it to false) on the pod and every container.");

    public static readonly RuleDefinition HostNamespaces = Define(
        "pss.hostNamespaces", "Sharing the host network, PID or IPC namespace is disallowed (baseline)", Severity.High,
        "Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false).");

    public static readonly RuleDefinition Privileged = Define(
        "pss.privileged", "Privileged containers are disallowed (baseline)", Severity.Critical,
        "Remove securityContext.privileged (or set it to false); grant only the specific capabilities the container needs.");

    public static readonly RuleDefinition Capabilities = Define(
        "pss.capabilities", "Added capabilities stay within the default set (baseline); restricted drops ALL and adds at most NET_BIND_SERVICE",
        Severity.High,
        "Add no capabilities beyond the runtime default set; for restricted set securityContext.capabilities.drop: [ALL] and add at most NET_BIND_SERVICE.");

    public static readonly RuleDefinition HostPathVolumes = Define(
        "pss.hostPathVolumes", "hostPath volumes are disallowed (baseline)", Severity.High,
        "Replace hostPath volumes with emptyDir, configMap, secret, projected or persistentVolumeClaim volumes.");

    public static readonly RuleDefinition HostPorts = Define(
        "pss.hostPorts", "Host ports are disallowed (baseline)", Severity.Medium,
        "Remove ports[*].hostPort (or set it to 0) and expose the container through a Service instead.");

    public static readonly RuleDefinition HostProbesAndHostLifecycle = Define(
        "pss.hostProbesAndHostLifecycle", "Probes and lifecycle hooks do not target another host (baseline)", Severity.Medium,
        "Remove the host field from httpGet and tcpSocket probes and lifecycle handlers; they then target the pod IP.");

    public static readonly RuleDefinition AppArmorProfile = Define(
        "pss.appArmorProfile", "AppArmor is not disabled or overridden: RuntimeDefault or Localhost only (baseline)", Severity.Medium,
        "Set securityContext.appArmorProfile.type to RuntimeDefault or Localhost (or leave it unset) and drop unconfined AppArmor annotations.");

    public static readonly RuleDefinition SeLinuxOptions = Define(
        "pss.seLinuxOptions", "SELinux type is a container type and user and role are unset (baseline)", Severity.Medium,
        "Leave seLinuxOptions.user and .role unset and use type container_t, container_init_t, container_kvm_t or container_engine_t (or none).");

    public static readonly RuleDefinition ProcMount = Define(
        "pss.procMount", "The /proc mount keeps the default masks (baseline; restricted also for user-namespace pods)", Severity.Medium,
        "Remove securityContext.procMount or set it to Default.");

    public static readonly RuleDefinition SeccompProfile = Define(
        "pss.seccompProfile", "Seccomp is not Unconfined (baseline); restricted requires RuntimeDefault or Localhost", Severity.Medium,
        "Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost with a profile) and never Unconfined.");

    public static readonly RuleDefinition Sysctls = Define(
        "pss.sysctls", "Only namespaced, safe sysctls are set (baseline)", Severity.Medium,
        "Remove unsafe entries from securityContext.sysctls; tune node-level sysctls on the node instead.");

    public static readonly RuleDefinition RestrictedVolumes = Define(
        "pss.restrictedVolumes", "Only core volume types are used (restricted)", Severity.Medium,
        "Use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes; mount other storage through a PersistentVolumeClaim.");

    public static readonly RuleDefinition AllowPrivilegeEscalation = Define(
        "pss.allowPrivilegeEscalation", "Privilege escalation is disallowed (restricted)", Severity.Medium,
        "Set securityContext.allowPrivilegeEscalation: false on every container.");

    public static readonly RuleDefinition RunAsNonRoot = Define(
        "pss.runAsNonRoot", "Containers must run as non-root users (restricted)", Severity.Medium,
        "Set securityContext.runAsNonRoot: true on the pod (or on every container) and never false.");

    public static readonly RuleDefinition RunAsUser = Define(
        "pss.runAsUser", "Containers must not run as UID 0 (restricted)", Severity.Medium,
        "Remove runAsUser: 0 from the pod and container security contexts; use a non-zero UID.");

    private static readonly RuleDefinition[] BaselineRules =
    [
        WindowsHostProcess, HostNamespaces, Privileged, Capabilities, HostPathVolumes, HostPorts, HostProbesAndHostLifecycle,
        AppArmorProfile, SeLinuxOptions, ProcMount, SeccompProfile, Sysctls,
    ];

    private static readonly RuleDefinition[] RestrictedRules =
    [
        .. BaselineRules,
        RestrictedVolumes, AllowPrivilegeEscalation, RunAsNonRoot, RunAsUser,
    ];

    /// <summary>The minor version in which a check first exists (its first MinimumVersion); the others exist since v1.0.</summary>
    private static readonly Dictionary<RuleDefinition, int> FirstVersion = new()
    {
        [AllowPrivilegeEscalation] = 8,
        [RunAsUser] = 23,
        [HostProbesAndHostLifecycle] = 34,
    };

    /// <summary>The enabled rules per level and effective minor version, made once.</summary>
    private static readonly RuleDefinition[][] BaselineByVersion = RulesByVersion(BaselineRules);
    private static readonly RuleDefinition[][] RestrictedByVersion = RulesByVersion(RestrictedRules);

    /// <summary>Capabilities of the container runtime's default set (baseline may add these).</summary>
    private static readonly HashSet<string> DefaultCapabilities = new(StringComparer.Ordinal)
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
        "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    };

    /// <summary>The safe sysctls by the version that added them (upstream sysctlsAllowedV1Dot0 … V1Dot37).</summary>
    private static readonly (int Since, string Name)[] SafeSysctlsSince =
    [
        (0, "kernel.shm_rmid_forced"),
        (0, "net.ipv4.ip_local_port_range"),
        (0, "net.ipv4.tcp_syncookies"),
        (0, "net.ipv4.ping_group_range"),
        (0, "net.ipv4.ip_unprivileged_port_start"),
        (27, "net.ipv4.ip_local_reserved_ports"),
        (29, "net.ipv4.tcp_keepalive_time"),
        (29, "net.ipv4.tcp_fin_timeout"),
        (29, "net.ipv4.tcp_keepalive_intvl"),
        (29, "net.ipv4.tcp_keepalive_probes"),
        (32, "net.ipv4.tcp_rmem"),
        (32, "net.ipv4.tcp_wmem"),
        (37, "net.ipv4.tcp_slow_start_after_idle"),
        (37, "net.ipv4.tcp_notsent_lowat"),
    ];

    /// <summary>SELinux types a pod may request, by the version that allowed them (container_engine_t since v1.31); empty means unset.</summary>
    private static readonly (int Since, string Type)[] SeLinuxTypesSince =
    [
        (0, ""), (0, "container_t"), (0, "container_init_t"), (0, "container_kvm_t"), (31, "container_engine_t"),
    ];

    /// <summary>The version-dependent allowed values for each effective minor version, made once.</summary>
    private static readonly VersionedValues[] ValuesByVersion =
        [.. Enumerable.Range(0, PodSecurityVersion.NewestKnownMinor + 1).Select(minor => new VersionedValues(minor))];

    /// <summary>The seccomp annotations the v1.0-v1.18 definition reads (upstream annotationKeyPod and annotationKeyContainerPrefix).</summary>
    internal const string SeccompPodAnnotation = "seccomp.security.alpha.kubernetes.io/pod";
    internal const string SeccompContainerAnnotationPrefix = "container.seccomp.security.alpha.kubernetes.io/";

    internal const string AppArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/";
    private const string NetBindService = "NET_BIND_SERVICE";

    /// <summary>Field names of <see cref="ContainerView.Probes"/>, in its order.</summary>
    private static readonly string[] ProbeFields = ["livenessProbe", "readinessProbe", "startupProbe"];

    public IReadOnlyList<RuleDefinition> Rules => RestrictedRules;

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.PodSecurity is not { } duty) return [];
        var minor = PodSecurityVersion.OfPolicy(duty.Version).EffectiveMinor;
        return duty.Level switch
        {
            PodSecurityLevel.Baseline => BaselineByVersion[minor],
            PodSecurityLevel.Restricted => RestrictedByVersion[minor],
            _ => [],
        };
    }

    public void EvaluateWorkload(WorkloadContext context, FindingCollector findings)
    {
        if (context.Policy.PodSecurity is not { } duty) return;
        var version = PodSecurityVersion.OfPolicy(duty.Version);
        var check = new Evaluation(context.Workload, findings, duty.Level == PodSecurityLevel.Restricted, ValuesByVersion[version.EffectiveMinor]);
        check.Pod();
        var containers = context.Workload.Containers;
        for (var i = 0; i < containers.Count; i++) check.Container(containers[i]);
        check.TemplateAnnotations();
    }

    /// <summary>True for an annotation a pss.* rule reads at some version (AppArmor's, and seccomp's before v1.19).</summary>
    internal static bool IsCheckedAnnotation(string key) =>
        key.StartsWith(AppArmorAnnotationPrefix, StringComparison.Ordinal)
        || key == SeccompPodAnnotation
        || key.StartsWith(SeccompContainerAnnotationPrefix, StringComparison.Ordinal);

    private static RuleDefinition[][] RulesByVersion(RuleDefinition[] rules) =>
        [.. Enumerable.Range(0, PodSecurityVersion.NewestKnownMinor + 1)
            .Select(minor => rules.Where(rule => FirstVersion.GetValueOrDefault(rule) <= minor).ToArray())];

    /// <summary>What the definitions in force at one minor version allow, and which of their conditions apply.</summary>
    private sealed class VersionedValues(int minor)
    {
        public int Minor { get; } = minor;
        public HashSet<string> SafeSysctls { get; } = SafeSysctlsSince.Where(s => s.Since <= minor).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        public HashSet<string> SeLinuxTypes { get; } = SeLinuxTypesSince.Where(s => s.Since <= minor).Select(s => s.Type).ToHashSet(StringComparer.Ordinal);
        /// <summary>v1.19: seccomp moved from the alpha annotations to the seccompProfile fields, and restricted requires a profile.</summary>
        public bool SeccompFields { get; } = minor >= 19;
        /// <summary>v1.22: restricted drops ALL and adds at most NET_BIND_SERVICE.</summary>
        public bool RestrictedCapabilities { get; } = minor >= 22;
        /// <summary>v1.25: Windows pods are exempt from the Linux-only restricted conditions.</summary>
        public bool WindowsExemption { get; } = minor >= 25;
        /// <summary>v1.35: pods in a user namespace are exempt from runAsNonRoot, runAsUser and baseline procMount.</summary>
        public bool UserNamespaceRelaxation { get; } = minor >= 35;
        public bool AllowPrivilegeEscalation { get; } = minor >= FirstVersion[PodSecurityRules.AllowPrivilegeEscalation];
        public bool RunAsUser { get; } = minor >= FirstVersion[PodSecurityRules.RunAsUser];
        public bool HostProbes { get; } = minor >= FirstVersion[HostProbesAndHostLifecycle];
    }

    /// <summary>
    /// The volume sources a volume sets that the restricted level forbids (the non-core ones, hostPath among them),
    /// by field name; none for the core sources (configMap, secret, projected, emptyDir, persistentVolumeClaim, …).
    /// </summary>
    internal static IEnumerable<string> NonCoreVolumeSources(V1Volume volume)
    {
        if (volume.HostPath is not null) yield return "hostPath";
        if (volume.GcePersistentDisk is not null) yield return "gcePersistentDisk";
        if (volume.AwsElasticBlockStore is not null) yield return "awsElasticBlockStore";
        if (volume.GitRepo is not null) yield return "gitRepo";
        if (volume.Nfs is not null) yield return "nfs";
        if (volume.Iscsi is not null) yield return "iscsi";
        if (volume.Glusterfs is not null) yield return "glusterfs";
        if (volume.Rbd is not null) yield return "rbd";
        if (volume.FlexVolume is not null) yield return "flexVolume";
        if (volume.Cinder is not null) yield return "cinder";
        if (volume.Cephfs is not null) yield return "cephfs";
        if (volume.Flocker is not null) yield return "flocker";
        if (volume.Fc is not null) yield return "fc";
        if (volume.AzureFile is not null) yield return "azureFile";
        if (volume.VsphereVolume is not null) yield return "vsphereVolume";
        if (volume.Quobyte is not null) yield return "quobyte";
        if (volume.AzureDisk is not null) yield return "azureDisk";
        if (volume.PhotonPersistentDisk is not null) yield return "photonPersistentDisk";
        if (volume.PortworxVolume is not null) yield return "portworxVolume";
        if (volume.ScaleIO is not null) yield return "scaleIO";
        if (volume.Storageos is not null) yield return "storageos";
    }

    private static RuleDefinition Define(string id, string title, Severity severity, string remediation) =>
        new(id, title, ResponsibilityRow.InfrastructureSecurity, severity, RuleScope.Workload, Duty, remediation);

    /// <summary>The checks of one workload at one level; strings are built only for failures.</summary>
    private readonly struct Evaluation
    {
        private readonly WorkloadView _workload;
        private readonly FindingCollector _findings;
        private readonly bool _restricted;
        private readonly V1PodSpec _spec;
        private readonly V1PodSecurityContext? _pod;
        private readonly bool _windows;
        private readonly bool _userNamespace;
        private readonly bool _podRunAsNonRoot;
        private readonly VersionedValues _version;
        /// <summary>The restricted conditions that exempt Windows pods apply (not Windows, or before v1.25).</summary>
        private readonly bool _restrictedLinux;
        /// <summary>The pod is in a user namespace and the version relaxes runAsNonRoot, runAsUser and baseline procMount for it.</summary>
        private readonly bool _userNamespaceRelaxed;

        public Evaluation(WorkloadView workload, FindingCollector findings, bool restricted, VersionedValues version)
        {
            _workload = workload;
            _findings = findings;
            _restricted = restricted;
            _version = version;
            _spec = workload.PodSpec;
            _pod = _spec.SecurityContext;
            _windows = workload.IsWindows;
            _userNamespace = _spec.HostUsers == false;
            _podRunAsNonRoot = _pod?.RunAsNonRoot == true;
            _restrictedLinux = restricted && !(_windows && version.WindowsExemption);
            _userNamespaceRelaxed = _userNamespace && version.UserNamespaceRelaxation;
        }

        public void Pod()
        {
            var spec = _spec;
            if (spec.HostNetwork == true) PodFail(HostNamespaces, "hostNetwork is true", ".hostNetwork");
            if (spec.HostPID == true) PodFail(HostNamespaces, "hostPID is true", ".hostPID");
            if (spec.HostIPC == true) PodFail(HostNamespaces, "hostIPC is true", ".hostIPC");

            if (spec.Volumes is { } volumes)
            {
                for (var i = 0; i < volumes.Count; i++)
                {
                    if (volumes[i] is { } volume) Volume(volume, i);
                }
            }

            if (_pod is not { } pod) return;
            if (pod.WindowsOptions?.HostProcess == true)
            {
                PodFail(WindowsHostProcess, "securityContext.windowsOptions.hostProcess is true", ".securityContext.windowsOptions.hostProcess");
            }

            if (pod.SeLinuxOptions is { } seLinux) SeLinux(seLinux, null);
            if (_version.SeccompFields && pod.SeccompProfile is { } seccomp && !IsValidSeccomp(seccomp))
            {
                PodFail(SeccompProfile, $"securityContext.seccompProfile.type is {Shown(seccomp.Type)}", ".securityContext.seccompProfile.type");
            }

            if (pod.AppArmorProfile is { } appArmor && !IsAllowedAppArmorType(appArmor.Type))
            {
                PodFail(AppArmorProfile, $"securityContext.appArmorProfile.type is {Shown(appArmor.Type)}", ".securityContext.appArmorProfile.type");
            }

            if (pod.Sysctls is { } sysctls)
            {
                for (var i = 0; i < sysctls.Count; i++)
                {
                    var name = sysctls[i]?.Name ?? "";
                    if (!_version.SafeSysctls.Contains(name))
                    {
                        PodFail(Sysctls, $"securityContext.sysctls[{i}].name is {Shown(name)}, which is not a safe sysctl{AtVersion()}", $".securityContext.sysctls[{i}].name");
                    }
                }
            }

            if (!_restricted || _userNamespaceRelaxed) return;
            if (pod.RunAsNonRoot == false) PodFail(RunAsNonRoot, "securityContext.runAsNonRoot is false", ".securityContext.runAsNonRoot");
            if (_version.RunAsUser && pod.RunAsUser == 0) PodFail(RunAsUser, "securityContext.runAsUser is 0", ".securityContext.runAsUser");
        }

        public void Container(ContainerView container)
        {
            var context = container.SecurityContext;
            if (context is not null)
            {
                if (context.Privileged == true) Fail(Privileged, container, "securityContext.privileged is true", ".securityContext.privileged");
                if (context.WindowsOptions?.HostProcess == true)
                {
                    Fail(WindowsHostProcess, container, "securityContext.windowsOptions.hostProcess is true", ".securityContext.windowsOptions.hostProcess");
                }

                if (context.AppArmorProfile is { } appArmor && !IsAllowedAppArmorType(appArmor.Type))
                {
                    Fail(AppArmorProfile, container, $"securityContext.appArmorProfile.type is {Shown(appArmor.Type)}", ".securityContext.appArmorProfile.type");
                }

                if (context.SeLinuxOptions is { } seLinux) SeLinux(seLinux, container);
                // Baseline allows any procMount in a user namespace from v1.35; restricted never does.
                if (context.ProcMount is { } procMount && procMount != "Default" && (_restricted || !_userNamespaceRelaxed))
                {
                    var note = !_userNamespace ? ""
                        : _userNamespaceRelaxed ? " (restricted disallows it even with hostUsers: false)"
                        : $" (hostUsers: false relaxes it only from Pod Security Standards v1.35; the policy follows v1.{_version.Minor})";
                    Fail(ProcMount, container, $"securityContext.procMount is {Shown(procMount)}{note}", ".securityContext.procMount");
                }
            }

            CheckCapabilities(container, context?.Capabilities);
            CheckSeccomp(container, context?.SeccompProfile);
            Ports(container);
            if (_version.HostProbes) ProbeAndLifecycleHosts(container);

            if (!_restricted) return;
            if (_version.AllowPrivilegeEscalation && _restrictedLinux && context?.AllowPrivilegeEscalation != false)
            {
                var value = context?.AllowPrivilegeEscalation is null ? "not set (it must be false)" : "true";
                Fail(AllowPrivilegeEscalation, container, $"securityContext.allowPrivilegeEscalation is {value}", ".securityContext.allowPrivilegeEscalation");
            }

            if (_userNamespaceRelaxed) return;
            if (context?.RunAsNonRoot is { } nonRoot)
            {
                if (!nonRoot) Fail(RunAsNonRoot, container, "securityContext.runAsNonRoot is false", ".securityContext.runAsNonRoot");
            }
            else if (!_podRunAsNonRoot)
            {
                Fail(RunAsNonRoot, container, "securityContext.runAsNonRoot is not set and the pod does not set it to true", ".securityContext.runAsNonRoot");
            }

            if (_version.RunAsUser && context?.RunAsUser == 0) Fail(RunAsUser, container, "securityContext.runAsUser is 0", ".securityContext.runAsUser");
        }

        /// <summary>Legacy annotations on the pod template: AppArmor's, and seccomp's where the version reads them (before v1.19).</summary>
        public void TemplateAnnotations()
        {
            var annotations = _workload.TemplateMetadata.Annotations;
            if (annotations is null || annotations.Count == 0) return;
            if (annotations is Dictionary<string, string> dictionary)
            {
                foreach (var (key, value) in dictionary) TemplateAnnotation(key, value);
            }
            else
            {
                foreach (var (key, value) in annotations) TemplateAnnotation(key, value);
            }
        }

        private void TemplateAnnotation(string key, string? value)
        {
            if (key.StartsWith(AppArmorAnnotationPrefix, StringComparison.Ordinal))
            {
                if (!IsAllowedAppArmorAnnotation(value)) AnnotationFail(AppArmorProfile, key, value, FindContainer(key.AsSpan(AppArmorAnnotationPrefix.Length)));
            }
            else if (!_version.SeccompFields && !IsAllowedSeccompAnnotation(value))
            {
                // Upstream reads the pod's annotation and one per container that exists; others configure nothing.
                if (key == SeccompPodAnnotation) AnnotationFail(SeccompProfile, key, value, null);
                else if (key.StartsWith(SeccompContainerAnnotationPrefix, StringComparison.Ordinal)
                         && FindContainer(key.AsSpan(SeccompContainerAnnotationPrefix.Length)) is { } container)
                {
                    AnnotationFail(SeccompProfile, key, value, container);
                }
            }
        }

        private void AnnotationFail(RuleDefinition rule, string key, string? value, ContainerView? container)
        {
            var path = $"{TemplateMetadataPath(_workload.PodSpecPath)}.annotations['{key}']";
            var who = container?.Label ?? "pod";
            _findings.Fail(rule, $"{who}: annotation {key} is {Shown(value)}", path, container?.Image);
        }

        private void Volume(V1Volume volume, int index)
        {
            if (volume.HostPath is { } hostPath)
            {
                _findings.Fail(HostPathVolumes, $"volume {volume.Name}: hostPath is set (path {Shown(hostPath.Path)})",
                    $"{_workload.PodSpecPath}.volumes[{index}].hostPath");
            }

            // The restricted fields are the non-core sources, hostPath among them as the standard lists it (so at
            // restricted a hostPath volume fails both rules). Each source set is its own violation; a volume with no
            // source at all is defaulted to emptyDir by the API server and so passes.
            if (!_restricted) return;
            foreach (var type in NonCoreVolumeSources(volume)) RestrictedVolume(volume, index, type);
        }

        private void RestrictedVolume(V1Volume volume, int index, string type) =>
            _findings.Fail(RestrictedVolumes, $"volume {volume.Name}: volume type {type} is not allowed",
                $"{_workload.PodSpecPath}.volumes[{index}].{type}");

        private void SeLinux(V1SELinuxOptions options, ContainerView? container)
        {
            if (!_version.SeLinuxTypes.Contains(options.Type ?? ""))
            {
                Fail(SeLinuxOptions, container, $"securityContext.seLinuxOptions.type is {Shown(options.Type)}{AtVersion()}", ".securityContext.seLinuxOptions.type");
            }

            if (!string.IsNullOrEmpty(options.User))
            {
                Fail(SeLinuxOptions, container, $"securityContext.seLinuxOptions.user is {Shown(options.User)}", ".securityContext.seLinuxOptions.user");
            }

            if (!string.IsNullOrEmpty(options.Role))
            {
                Fail(SeLinuxOptions, container, $"securityContext.seLinuxOptions.role is {Shown(options.Role)}", ".securityContext.seLinuxOptions.role");
            }
        }

        private void CheckCapabilities(ContainerView container, V1Capabilities? capabilities)
        {
            var restrictedLinux = _restrictedLinux && _version.RestrictedCapabilities;
            if (capabilities?.Add is { } add)
            {
                for (var i = 0; i < add.Count; i++)
                {
                    var capability = add[i] ?? "";
                    if (!DefaultCapabilities.Contains(capability))
                    {
                        Fail(Capabilities, container, $"securityContext.capabilities.add includes {Shown(capability)}, which is outside the default set",
                            $".securityContext.capabilities.add[{i}]");
                    }
                    else if (restrictedLinux && capability != NetBindService)
                    {
                        Fail(Capabilities, container, $"securityContext.capabilities.add includes {capability}; restricted allows only NET_BIND_SERVICE",
                            $".securityContext.capabilities.add[{i}]");
                    }
                }
            }

            if (!restrictedLinux || DropsAll(capabilities)) return;
            var value = capabilities?.Drop is null ? "not set" : "missing ALL";
            Fail(Capabilities, container, $"securityContext.capabilities.drop is {value} (restricted requires drop: [ALL])", ".securityContext.capabilities.drop");
        }

        private void CheckSeccomp(ContainerView container, V1SeccompProfile? profile)
        {
            // Before v1.19 the fields are not read at all (the annotations are).
            if (!_version.SeccompFields) return;
            if (profile is not null)
            {
                if (!IsValidSeccomp(profile))
                {
                    Fail(SeccompProfile, container, $"securityContext.seccompProfile.type is {Shown(profile.Type)}", ".securityContext.seccompProfile.type");
                }
            }
            else if (_restrictedLinux && _pod?.SeccompProfile is null)
            {
                // A pod-level profile that is set (valid or not) covers the container; an invalid one is reported on the pod.
                Fail(SeccompProfile, container, "securityContext.seccompProfile is not set and the pod sets no RuntimeDefault or Localhost profile",
                    ".securityContext.seccompProfile.type");
            }
        }

        private void Ports(ContainerView container)
        {
            if (container.Ports is not { } ports) return;
            for (var i = 0; i < ports.Count; i++)
            {
                if (ports[i]?.HostPort is { } hostPort && hostPort != 0)
                {
                    Fail(HostPorts, container, $"ports[{i}].hostPort is {hostPort}", $".ports[{i}].hostPort");
                }
            }
        }

        private void ProbeAndLifecycleHosts(ContainerView container)
        {
            var probes = container.Probes;
            for (var i = 0; i < probes.Count && i < ProbeFields.Length; i++)
            {
                if (probes[i] is { } probe) Hosts(container, ProbeFields[i], probe.HttpGet?.Host, probe.TcpSocket?.Host);
            }

            if (container.Lifecycle is not { } lifecycle) return;
            if (lifecycle.PostStart is { } postStart) Hosts(container, "lifecycle.postStart", postStart.HttpGet?.Host, postStart.TcpSocket?.Host);
            if (lifecycle.PreStop is { } preStop) Hosts(container, "lifecycle.preStop", preStop.HttpGet?.Host, preStop.TcpSocket?.Host);
        }

        private void Hosts(ContainerView container, string field, string? httpGetHost, string? tcpSocketHost)
        {
            if (!string.IsNullOrEmpty(httpGetHost))
            {
                Fail(HostProbesAndHostLifecycle, container, $"{field}.httpGet.host is {Shown(httpGetHost)}", $".{field}.httpGet.host");
            }

            if (!string.IsNullOrEmpty(tcpSocketHost))
            {
                Fail(HostProbesAndHostLifecycle, container, $"{field}.tcpSocket.host is {Shown(tcpSocketHost)}", $".{field}.tcpSocket.host");
            }
        }

        private ContainerView? FindContainer(ReadOnlySpan<char> name)
        {
            var containers = _workload.Containers;
            for (var i = 0; i < containers.Count; i++)
            {
                if (name.SequenceEqual(containers[i].Name)) return containers[i];
            }

            return null;
        }

        /// <summary>A container-level failure, or a pod-level one when <paramref name="container"/> is null.</summary>
        private void Fail(RuleDefinition rule, ContainerView? container, string what, string fieldPath)
        {
            if (container is null)
            {
                PodFail(rule, what, fieldPath);
                return;
            }

            _findings.Fail(rule, SharedText.Concat(container.Label, ": ", what), SharedText.Concat(container.Path, fieldPath), container.Image);
        }

        private void PodFail(RuleDefinition rule, string what, string fieldPath) =>
            _findings.Fail(rule, SharedText.Concat("pod: ", what), SharedText.Concat(_workload.PodSpecPath, fieldPath));

        /// <summary>Names a pinned older version in messages whose verdict depends on it; nothing at the newest.</summary>
        private string AtVersion() => _version.Minor < PodSecurityVersion.NewestKnownMinor ? $" at Pod Security Standards v1.{_version.Minor}" : "";
    }

    private static bool IsValidSeccomp(V1SeccompProfile? profile) =>
        profile?.Type is "RuntimeDefault" or "Localhost";

    private static bool IsAllowedAppArmorType(string? type) => type is "RuntimeDefault" or "Localhost";

    /// <summary>Upstream validSeccompAnnotationValue: runtime/default, docker/default or localhost/*; anything else (unconfined, empty) is forbidden.</summary>
    private static bool IsAllowedSeccompAnnotation(string? value) =>
        value is "runtime/default" or "docker/default" || (value is not null && value.StartsWith("localhost/", StringComparison.Ordinal));

    private static bool IsAllowedAppArmorAnnotation(string? value) =>
        string.IsNullOrEmpty(value) || value == "runtime/default" || value.StartsWith("localhost/", StringComparison.Ordinal);

    private static bool DropsAll(V1Capabilities? capabilities)
    {
        if (capabilities?.Drop is not { } drop) return false;
        for (var i = 0; i < drop.Count; i++)
        {
            if (drop[i] == "ALL") return true;
        }

        return false;
    }

    /// <summary>A value as messages show it: empty values are named, not left blank.</summary>
    private static string Shown(string? value) => string.IsNullOrEmpty(value) ? "empty" : value;

    /// <summary>JSON path of the pod template metadata: <c>spec.template.spec</c> → <c>spec.template.metadata</c>.</summary>
    private static string TemplateMetadataPath(string podSpecPath) =>
        podSpecPath == "spec" ? "metadata"
        : podSpecPath.EndsWith(".spec", StringComparison.Ordinal) ? string.Concat(podSpecPath.AsSpan(0, podSpecPath.Length - 5), ".metadata")
        : podSpecPath + ".metadata";
}
