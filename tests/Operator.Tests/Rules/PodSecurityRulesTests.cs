namespace EksHardening.Operator.Tests.Rules;

/// <summary>
/// The pss.* family against the upstream Pod Security Standards definitions: every rule passes and
/// fails as the standard says, on the pod-level and container-level fields, for init, regular and
/// ephemeral containers, for Windows and user-namespace pods, at baseline and at restricted.
/// </summary>
public class PodSecurityRulesTests
{
    private const string B = "baseline";
    private const string R = "restricted";
    private const string Image = "registry.example.com/shop/web:1.4.2";
    private const string Web = "{name: web, image: '" + Image + "'}";

    // ---------------------------------------------------------------- table-driven cases

    /// <summary>One workload evaluated at one level, and what one rule must report on it.</summary>
    public sealed record PssCase(
        string Name, string Rule, string Level, string Kind, string Spec, FindingResult Expected,
        string? Message = null, string? Path = null, string? TemplateAnnotations = null)
    {
        public override string ToString() => $"{Rule}: {Name}";
    }

    public static TheoryData<TheoryCase<PssCase>> Cases() => TheoryCases.Of<PssCase>(
    [
        // pss.windowsHostProcess — spec.securityContext.windowsOptions.hostProcess and the containers': undefined or false.
        new("hostProcess unset", "pss.windowsHostProcess", B, "Pod", $"{{containers: [{Web}]}}", FindingResult.Pass),
        new("hostProcess false on pod and container", "pss.windowsHostProcess", B, "Pod",
            $"{{securityContext: {{windowsOptions: {{hostProcess: false}}}}, containers: [{{name: web, image: x, securityContext: {{windowsOptions: {{hostProcess: false}}}}}}]}}",
            FindingResult.Pass),
        new("pod-level hostProcess true", "pss.windowsHostProcess", B, "Pod",
            $"{{os: {{name: windows}}, hostNetwork: true, securityContext: {{windowsOptions: {{hostProcess: true}}}}, containers: [{Web}]}}",
            FindingResult.Fail, "pod: securityContext.windowsOptions.hostProcess is true", "spec.securityContext.windowsOptions.hostProcess"),
        new("init container hostProcess true", "pss.windowsHostProcess", B, "Deployment",
            $"{{initContainers: [{{name: setup, image: x, securityContext: {{windowsOptions: {{hostProcess: true}}}}}}], containers: [{Web}]}}",
            FindingResult.Fail, "init container setup: securityContext.windowsOptions.hostProcess is true",
            "spec.template.spec.initContainers[0].securityContext.windowsOptions.hostProcess"),
        new("ephemeral container hostProcess true at restricted", "pss.windowsHostProcess", R, "Pod",
            $"{{containers: [{Web}], ephemeralContainers: [{{name: debug, image: x, securityContext: {{windowsOptions: {{hostProcess: true}}}}}}]}}",
            FindingResult.Fail, "ephemeral container debug: securityContext.windowsOptions.hostProcess is true",
            "spec.ephemeralContainers[0].securityContext.windowsOptions.hostProcess"),

        // pss.hostNamespaces — spec.hostNetwork, spec.hostPID, spec.hostIPC: undefined or false.
        new("host namespaces unset", "pss.hostNamespaces", B, "Pod", $"{{containers: [{Web}]}}", FindingResult.Pass),
        new("host namespaces false", "pss.hostNamespaces", R, "Deployment",
            $"{{hostNetwork: false, hostPID: false, hostIPC: false, containers: [{Web}]}}", FindingResult.Pass),
        new("hostNetwork true", "pss.hostNamespaces", B, "Pod", $"{{hostNetwork: true, containers: [{Web}]}}",
            FindingResult.Fail, "pod: hostNetwork is true", "spec.hostNetwork"),
        new("hostPID true on a CronJob", "pss.hostNamespaces", R, "CronJob", $"{{hostPID: true, containers: [{Web}]}}",
            FindingResult.Fail, "pod: hostPID is true", "spec.jobTemplate.spec.template.spec.hostPID"),
        new("hostIPC true on a Deployment", "pss.hostNamespaces", B, "Deployment", $"{{hostIPC: true, containers: [{Web}]}}",
            FindingResult.Fail, "pod: hostIPC is true", "spec.template.spec.hostIPC"),

        // pss.privileged — containers[*].securityContext.privileged (init and ephemeral too): undefined or false.
        new("privileged unset", "pss.privileged", B, "Pod", $"{{containers: [{Web}]}}", FindingResult.Pass),
        new("privileged false", "pss.privileged", B, "Pod",
            "{containers: [{name: web, image: x, securityContext: {privileged: false}}]}", FindingResult.Pass),
        new("privileged container", "pss.privileged", B, "Pod",
            "{containers: [{name: web, image: x, securityContext: {privileged: true}}]}",
            FindingResult.Fail, "container web: securityContext.privileged is true", "spec.containers[0].securityContext.privileged"),
        new("privileged ephemeral container", "pss.privileged", B, "Pod",
            $"{{containers: [{Web}], ephemeralContainers: [{{name: debug, image: busybox, securityContext: {{privileged: true}}}}]}}",
            FindingResult.Fail, "ephemeral container debug: securityContext.privileged is true", "spec.ephemeralContainers[0].securityContext.privileged"),
        new("privileged init container in a CronJob", "pss.privileged", R, "CronJob",
            $"{{initContainers: [{{name: setup, image: x, securityContext: {{privileged: true}}}}], containers: [{Web}]}}",
            FindingResult.Fail, "init container setup: securityContext.privileged is true",
            "spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.privileged"),

        // pss.capabilities — baseline: add only from the default set; restricted: drop ALL, add only NET_BIND_SERVICE (not on Windows).
        new("baseline: no capabilities block", "pss.capabilities", B, "Pod", $"{{containers: [{Web}]}}", FindingResult.Pass),
        new("baseline: SYS_ADMIN added", "pss.capabilities", B, "Pod",
            "{containers: [{name: web, image: x, securityContext: {capabilities: {add: [CHOWN, SYS_ADMIN]}}}]}",
            FindingResult.Fail, "container web: securityContext.capabilities.add includes SYS_ADMIN, which is outside the default set",
            "spec.containers[0].securityContext.capabilities.add[1]"),
        new("baseline: NET_RAW added by an init container", "pss.capabilities", B, "Deployment",
            $"{{initContainers: [{{name: setup, image: x, securityContext: {{capabilities: {{add: [NET_RAW]}}}}}}], containers: [{Web}]}}",
            FindingResult.Fail, "init container setup: securityContext.capabilities.add includes NET_RAW",
            "spec.template.spec.initContainers[0].securityContext.capabilities.add[0]"),
        new("baseline: capability names are case-sensitive", "pss.capabilities", B, "Pod",
            "{containers: [{name: web, image: x, securityContext: {capabilities: {add: [chown]}}}]}",
            FindingResult.Fail, "add includes chown", "spec.containers[0].securityContext.capabilities.add[0]"),
        new("restricted: drop ALL, add NET_BIND_SERVICE", "pss.capabilities", R, "Pod",
            "{containers: [{name: web, image: x, securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}}]}", FindingResult.Pass),
        new("restricted: drop ALL among others", "pss.capabilities", R, "Deployment",
            "{containers: [{name: web, image: x, securityContext: {capabilities: {drop: [NET_RAW, ALL]}}}]}", FindingResult.Pass),
        new("restricted: no capabilities block", "pss.capabilities", R, "Pod", $"{{containers: [{Web}]}}",
            FindingResult.Fail, "container web: securityContext.capabilities.drop is not set (restricted requires drop: [ALL])",
            "spec.containers[0].securityContext.capabilities.drop"),
        new("restricted: drop without ALL", "pss.capabilities", R, "CronJob",
            "{containers: [{name: web, image: x, securityContext: {capabilities: {drop: [NET_RAW]}}}]}",
            FindingResult.Fail, "container web: securityContext.capabilities.drop is missing ALL",
            "spec.jobTemplate.spec.template.spec.containers[0].securityContext.capabilities.drop"),
        new("restricted: CHOWN is default but not NET_BIND_SERVICE", "pss.capabilities", R, "Pod",
            "{containers: [{name: web, image: x, securityContext: {capabilities: {drop: [ALL], add: [CHOWN]}}}]}",
            FindingResult.Fail, "container web: securityContext.capabilities.add includes CHOWN; restricted allows only NET_BIND_SERVICE",
            "spec.containers[0].securityContext.capabilities.add[0]"),
        new("restricted: ephemeral container must drop ALL too", "pss.capabilities", R, "Pod",
            "{containers: [{name: web, image: x, securityContext: {capabilities: {drop: [ALL]}}}], ephemeralContainers: [{name: debug, image: busybox}]}",
            FindingResult.Fail, "ephemeral container debug: securityContext.capabilities.drop is not set",
            "spec.ephemeralContainers[0].securityContext.capabilities.drop"),
        new("restricted: Windows pod needs no drop", "pss.capabilities", R, "Pod",
            $"{{os: {{name: windows}}, containers: [{Web}]}}", FindingResult.Pass),
        new("restricted: Windows pod still may not add SYS_ADMIN", "pss.capabilities", R, "Pod",
            "{os: {name: windows}, containers: [{name: web, image: x, securityContext: {capabilities: {add: [SYS_ADMIN]}}}]}",
            FindingResult.Fail, "includes SYS_ADMIN, which is outside the default set", "spec.containers[0].securityContext.capabilities.add[0]"),

        // pss.hostPathVolumes — spec.volumes[*].hostPath: undefined.
        new("no hostPath", "pss.hostPathVolumes", B, "Pod",
            $"{{volumes: [{{name: cache, emptyDir: {{}}}}, {{name: cfg, configMap: {{name: cfg}}}}], containers: [{Web}]}}", FindingResult.Pass),
        new("hostPath volume", "pss.hostPathVolumes", B, "Pod",
            $"{{volumes: [{{name: sock, hostPath: {{path: /var/run/docker.sock}}}}], containers: [{Web}]}}",
            FindingResult.Fail, "volume sock: hostPath is set (path /var/run/docker.sock)", "spec.volumes[0].hostPath"),
        new("hostPath as second volume of a Deployment at restricted", "pss.hostPathVolumes", R, "Deployment",
            $"{{volumes: [{{name: cache, emptyDir: {{}}}}, {{name: logs, hostPath: {{path: /var/log, type: Directory}}}}], containers: [{Web}]}}",
            FindingResult.Fail, "volume logs: hostPath is set (path /var/log)", "spec.template.spec.volumes[1].hostPath"),

        // pss.hostPorts — containers[*].ports[*].hostPort: undefined or 0.
        new("container port without hostPort", "pss.hostPorts", B, "Pod",
            "{containers: [{name: web, image: x, ports: [{containerPort: 8080}]}]}", FindingResult.Pass),
        new("hostPort 0", "pss.hostPorts", B, "Pod",
            "{containers: [{name: web, image: x, ports: [{containerPort: 8080, hostPort: 0}]}]}", FindingResult.Pass),
        new("hostPort set", "pss.hostPorts", B, "Pod",
            "{containers: [{name: web, image: x, ports: [{containerPort: 8080, hostPort: 8080}]}]}",
            FindingResult.Fail, "container web: ports[0].hostPort is 8080", "spec.containers[0].ports[0].hostPort"),
        new("hostPort on the second port of an init container", "pss.hostPorts", R, "Deployment",
            $"{{initContainers: [{{name: setup, image: x, ports: [{{containerPort: 80}}, {{containerPort: 9090, hostPort: 9090}}]}}], containers: [{Web}]}}",
            FindingResult.Fail, "init container setup: ports[1].hostPort is 9090", "spec.template.spec.initContainers[0].ports[1].hostPort"),

        // pss.hostProbesAndHostLifecycle — probes' and lifecycle handlers' httpGet.host / tcpSocket.host: undefined or "".
        new("probes without host", "pss.hostProbesAndHostLifecycle", B, "Pod",
            "{containers: [{name: web, image: x, livenessProbe: {httpGet: {path: /healthz, port: 8080}}, readinessProbe: {tcpSocket: {port: 8080}}, startupProbe: {exec: {command: [cat, /tmp/ready]}}, lifecycle: {preStop: {httpGet: {path: /stop, port: 8080}}}}]}",
            FindingResult.Pass),
        new("empty host", "pss.hostProbesAndHostLifecycle", B, "Pod",
            "{containers: [{name: web, image: x, livenessProbe: {httpGet: {host: '', port: 8080}}}]}", FindingResult.Pass),
        new("liveness probe httpGet host", "pss.hostProbesAndHostLifecycle", B, "Pod",
            "{containers: [{name: web, image: x, livenessProbe: {httpGet: {host: 169.254.169.254, path: /latest/meta-data, port: 80}}}]}",
            FindingResult.Fail, "container web: livenessProbe.httpGet.host is 169.254.169.254", "spec.containers[0].livenessProbe.httpGet.host"),
        new("readiness probe tcpSocket host", "pss.hostProbesAndHostLifecycle", B, "Deployment",
            "{containers: [{name: web, image: x, readinessProbe: {tcpSocket: {host: db.internal, port: 5432}}}]}",
            FindingResult.Fail, "container web: readinessProbe.tcpSocket.host is db.internal", "spec.template.spec.containers[0].readinessProbe.tcpSocket.host"),
        new("startup probe httpGet host at restricted", "pss.hostProbesAndHostLifecycle", R, "CronJob",
            "{containers: [{name: web, image: x, startupProbe: {httpGet: {host: 10.0.0.1, port: 80}}}]}",
            FindingResult.Fail, "container web: startupProbe.httpGet.host is 10.0.0.1",
            "spec.jobTemplate.spec.template.spec.containers[0].startupProbe.httpGet.host"),
        new("postStart httpGet host", "pss.hostProbesAndHostLifecycle", B, "Pod",
            "{containers: [{name: web, image: x, lifecycle: {postStart: {httpGet: {host: example.com, port: 80}}}}]}",
            FindingResult.Fail, "container web: lifecycle.postStart.httpGet.host is example.com", "spec.containers[0].lifecycle.postStart.httpGet.host"),
        new("preStop tcpSocket host on an init container", "pss.hostProbesAndHostLifecycle", B, "Pod",
            $"{{initContainers: [{{name: sidecar, image: x, restartPolicy: Always, lifecycle: {{preStop: {{tcpSocket: {{host: 127.0.0.1, port: 9000}}}}}}}}], containers: [{Web}]}}",
            FindingResult.Fail, "init container sidecar: lifecycle.preStop.tcpSocket.host is 127.0.0.1",
            "spec.initContainers[0].lifecycle.preStop.tcpSocket.host"),

        // pss.appArmorProfile — securityContext.appArmorProfile.type: undefined, RuntimeDefault, Localhost;
        // annotations container.apparmor.security.beta.kubernetes.io/*: undefined, empty, runtime/default, localhost/*.
        new("no AppArmor settings", "pss.appArmorProfile", B, "Pod", $"{{containers: [{Web}]}}", FindingResult.Pass),
        new("RuntimeDefault on pod, Localhost on container", "pss.appArmorProfile", B, "Pod",
            "{securityContext: {appArmorProfile: {type: RuntimeDefault}}, containers: [{name: web, image: x, securityContext: {appArmorProfile: {type: Localhost, localhostProfile: k8s-web}}}]}",
            FindingResult.Pass),
        new("allowed annotation values", "pss.appArmorProfile", B, "Deployment", $"{{containers: [{Web}, {{name: api, image: x}}, {{name: job, image: x}}]}}",
            FindingResult.Pass, TemplateAnnotations:
            "{container.apparmor.security.beta.kubernetes.io/web: runtime/default, container.apparmor.security.beta.kubernetes.io/api: localhost/k8s-api, container.apparmor.security.beta.kubernetes.io/job: ''}"),
        new("pod-level Unconfined", "pss.appArmorProfile", B, "Pod",
            $"{{securityContext: {{appArmorProfile: {{type: Unconfined}}}}, containers: [{Web}]}}",
            FindingResult.Fail, "pod: securityContext.appArmorProfile.type is Unconfined", "spec.securityContext.appArmorProfile.type"),
        new("container-level Unconfined", "pss.appArmorProfile", R, "Deployment",
            "{containers: [{name: web, image: x, securityContext: {appArmorProfile: {type: Unconfined}}}]}",
            FindingResult.Fail, "container web: securityContext.appArmorProfile.type is Unconfined",
            "spec.template.spec.containers[0].securityContext.appArmorProfile.type"),
        new("unconfined annotation on a Deployment template", "pss.appArmorProfile", B, "Deployment", $"{{containers: [{Web}]}}",
            FindingResult.Fail, "container web: annotation container.apparmor.security.beta.kubernetes.io/web is unconfined",
            "spec.template.metadata.annotations['container.apparmor.security.beta.kubernetes.io/web']",
            "{container.apparmor.security.beta.kubernetes.io/web: unconfined}"),
        new("unconfined annotation on a CronJob template", "pss.appArmorProfile", B, "CronJob", $"{{containers: [{Web}]}}",
            FindingResult.Fail, "annotation container.apparmor.security.beta.kubernetes.io/web is unconfined",
            "spec.jobTemplate.spec.template.metadata.annotations['container.apparmor.security.beta.kubernetes.io/web']",
            "{container.apparmor.security.beta.kubernetes.io/web: unconfined}"),
        new("unknown profile annotation on a Pod", "pss.appArmorProfile", B, "Pod", $"{{containers: [{Web}]}}",
            FindingResult.Fail, "container web: annotation container.apparmor.security.beta.kubernetes.io/web is docker-default",
            "metadata.annotations['container.apparmor.security.beta.kubernetes.io/web']",
            "{container.apparmor.security.beta.kubernetes.io/web: docker-default}"),

        // pss.seLinuxOptions — type: undefined/"", container_t, container_init_t, container_kvm_t, container_engine_t; user, role: undefined/"".
        new("no SELinux options", "pss.seLinuxOptions", B, "Pod", $"{{containers: [{Web}]}}", FindingResult.Pass),
        new("level only", "pss.seLinuxOptions", B, "Pod",
            $"{{securityContext: {{seLinuxOptions: {{level: 's0:c123,c456'}}}}, containers: [{Web}]}}", FindingResult.Pass),
        new("pod-level spc_t", "pss.seLinuxOptions", B, "Pod",
            $"{{securityContext: {{seLinuxOptions: {{type: spc_t}}}}, containers: [{Web}]}}",
            FindingResult.Fail, "pod: securityContext.seLinuxOptions.type is spc_t", "spec.securityContext.seLinuxOptions.type"),
        new("container-level user", "pss.seLinuxOptions", B, "Deployment",
            "{containers: [{name: web, image: x, securityContext: {seLinuxOptions: {user: system_u}}}]}",
            FindingResult.Fail, "container web: securityContext.seLinuxOptions.user is system_u",
            "spec.template.spec.containers[0].securityContext.seLinuxOptions.user"),
        new("init container role", "pss.seLinuxOptions", R, "Pod",
            $"{{initContainers: [{{name: setup, image: x, securityContext: {{seLinuxOptions: {{role: sysadm_r, type: container_t}}}}}}], containers: [{Web}]}}",
            FindingResult.Fail, "init container setup: securityContext.seLinuxOptions.role is sysadm_r",
            "spec.initContainers[0].securityContext.seLinuxOptions.role"),
        new("ephemeral container unconfined_t", "pss.seLinuxOptions", B, "Pod",
            $"{{containers: [{Web}], ephemeralContainers: [{{name: debug, image: x, securityContext: {{seLinuxOptions: {{type: unconfined_t}}}}}}]}}",
            FindingResult.Fail, "ephemeral container debug: securityContext.seLinuxOptions.type is unconfined_t",
            "spec.ephemeralContainers[0].securityContext.seLinuxOptions.type"),

        // pss.procMount — containers[*].securityContext.procMount: undefined or Default; baseline relaxes it for hostUsers: false.
        new("procMount unset", "pss.procMount", B, "Pod", $"{{containers: [{Web}]}}", FindingResult.Pass),
        new("procMount Default", "pss.procMount", R, "Pod",
            "{containers: [{name: web, image: x, securityContext: {procMount: Default}}]}", FindingResult.Pass),
        new("procMount Unmasked", "pss.procMount", B, "Pod",
            "{containers: [{name: web, image: x, securityContext: {procMount: Unmasked}}]}",
            FindingResult.Fail, "container web: securityContext.procMount is Unmasked", "spec.containers[0].securityContext.procMount"),
        new("baseline: Unmasked in a user namespace", "pss.procMount", B, "Pod",
            "{hostUsers: false, containers: [{name: web, image: x, securityContext: {procMount: Unmasked}}]}", FindingResult.Pass),
        new("restricted: Unmasked even in a user namespace", "pss.procMount", R, "Deployment",
            "{hostUsers: false, initContainers: [{name: setup, image: x, securityContext: {procMount: Unmasked}}], containers: [{name: web, image: x}]}",
            FindingResult.Fail, "init container setup: securityContext.procMount is Unmasked (restricted disallows it even with hostUsers: false)",
            "spec.template.spec.initContainers[0].securityContext.procMount"),

        // pss.seccompProfile — baseline: type undefined, RuntimeDefault or Localhost; restricted: set on the pod or on every container.
        new("baseline: nothing set", "pss.seccompProfile", B, "Pod", $"{{containers: [{Web}]}}", FindingResult.Pass),
        new("baseline: RuntimeDefault and Localhost", "pss.seccompProfile", B, "Pod",
            "{securityContext: {seccompProfile: {type: RuntimeDefault}}, containers: [{name: web, image: x, securityContext: {seccompProfile: {type: Localhost, localhostProfile: profiles/web.json}}}]}",
            FindingResult.Pass),
        new("baseline: pod-level Unconfined", "pss.seccompProfile", B, "Pod",
            $"{{securityContext: {{seccompProfile: {{type: Unconfined}}}}, containers: [{Web}]}}",
            FindingResult.Fail, "pod: securityContext.seccompProfile.type is Unconfined", "spec.securityContext.seccompProfile.type"),
        new("baseline: ephemeral container Unconfined", "pss.seccompProfile", B, "Pod",
            $"{{containers: [{Web}], ephemeralContainers: [{{name: debug, image: x, securityContext: {{seccompProfile: {{type: Unconfined}}}}}}]}}",
            FindingResult.Fail, "ephemeral container debug: securityContext.seccompProfile.type is Unconfined",
            "spec.ephemeralContainers[0].securityContext.seccompProfile.type"),
        new("restricted: pod-level RuntimeDefault covers containers", "pss.seccompProfile", R, "Deployment",
            $"{{securityContext: {{seccompProfile: {{type: RuntimeDefault}}}}, initContainers: [{{name: setup, image: x}}], containers: [{Web}]}}",
            FindingResult.Pass),
        new("restricted: every container sets Localhost", "pss.seccompProfile", R, "Pod",
            "{containers: [{name: web, image: x, securityContext: {seccompProfile: {type: Localhost, localhostProfile: p.json}}}]}", FindingResult.Pass),
        new("restricted: nothing set", "pss.seccompProfile", R, "Pod", $"{{containers: [{Web}]}}",
            FindingResult.Fail, "container web: securityContext.seccompProfile is not set and the pod sets no RuntimeDefault or Localhost profile",
            "spec.containers[0].securityContext.seccompProfile.type"),
        new("restricted: one container overrides with Unconfined", "pss.seccompProfile", R, "CronJob",
            $"{{securityContext: {{seccompProfile: {{type: RuntimeDefault}}}}, containers: [{Web}, {{name: tool, image: x, securityContext: {{seccompProfile: {{type: Unconfined}}}}}}]}}",
            FindingResult.Fail, "container tool: securityContext.seccompProfile.type is Unconfined",
            "spec.jobTemplate.spec.template.spec.containers[1].securityContext.seccompProfile.type"),
        new("restricted: Windows pod needs no profile", "pss.seccompProfile", R, "Pod",
            $"{{os: {{name: windows}}, containers: [{Web}]}}", FindingResult.Pass),
        new("restricted: Windows pod still may not be Unconfined", "pss.seccompProfile", R, "Pod",
            $"{{os: {{name: windows}}, securityContext: {{seccompProfile: {{type: Unconfined}}}}, containers: [{Web}]}}",
            FindingResult.Fail, "pod: securityContext.seccompProfile.type is Unconfined", "spec.securityContext.seccompProfile.type"),

        // pss.sysctls — spec.securityContext.sysctls[*].name: the safe set only.
        new("no sysctls", "pss.sysctls", B, "Pod", $"{{containers: [{Web}]}}", FindingResult.Pass),
        new("unsafe sysctl", "pss.sysctls", B, "Pod",
            $"{{securityContext: {{sysctls: [{{name: kernel.msgmax, value: '65536'}}]}}, containers: [{Web}]}}",
            FindingResult.Fail, "pod: securityContext.sysctls[0].name is kernel.msgmax, which is not a safe sysctl",
            "spec.securityContext.sysctls[0].name"),
        new("unsafe sysctl after a safe one", "pss.sysctls", R, "Deployment",
            $"{{securityContext: {{sysctls: [{{name: net.ipv4.tcp_syncookies, value: '1'}}, {{name: net.core.somaxconn, value: '1024'}}]}}, containers: [{Web}]}}",
            FindingResult.Fail, "pod: securityContext.sysctls[1].name is net.core.somaxconn",
            "spec.template.spec.securityContext.sysctls[1].name"),

        // pss.restrictedVolumes — only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret.
        new("no volumes", "pss.restrictedVolumes", R, "Pod", $"{{containers: [{Web}]}}", FindingResult.Pass),
        new("nfs volume", "pss.restrictedVolumes", R, "Pod",
            $"{{volumes: [{{name: share, nfs: {{server: nfs.internal, path: /exports}}}}], containers: [{Web}]}}",
            FindingResult.Fail, "volume share: volume type nfs is not allowed", "spec.volumes[0].nfs"),
        new("hostPath volume", "pss.restrictedVolumes", R, "Deployment",
            $"{{volumes: [{{name: cache, emptyDir: {{}}}}, {{name: sock, hostPath: {{path: /run/containerd}}}}], containers: [{Web}]}}",
            FindingResult.Fail, "volume sock: volume type hostPath is not allowed", "spec.template.spec.volumes[1].hostPath"),
        new("gitRepo volume", "pss.restrictedVolumes", R, "CronJob",
            $"{{volumes: [{{name: src, gitRepo: {{repository: 'https://example.com/repo.git'}}}}], containers: [{Web}]}}",
            FindingResult.Fail, "volume src: volume type gitRepo is not allowed", "spec.jobTemplate.spec.template.spec.volumes[0].gitRepo"),
        new("awsElasticBlockStore volume", "pss.restrictedVolumes", R, "Pod",
            $"{{volumes: [{{name: data, awsElasticBlockStore: {{volumeID: vol-0123}}}}], containers: [{Web}]}}",
            FindingResult.Fail, "volume data: volume type awsElasticBlockStore is not allowed", "spec.volumes[0].awsElasticBlockStore"),

        // pss.allowPrivilegeEscalation — containers[*].securityContext.allowPrivilegeEscalation: false (Windows pods exempt).
        new("allowPrivilegeEscalation false everywhere", "pss.allowPrivilegeEscalation", R, "Pod",
            "{initContainers: [{name: setup, image: x, securityContext: {allowPrivilegeEscalation: false}}], containers: [{name: web, image: x, securityContext: {allowPrivilegeEscalation: false}}]}",
            FindingResult.Pass),
        new("allowPrivilegeEscalation unset", "pss.allowPrivilegeEscalation", R, "Pod", $"{{containers: [{Web}]}}",
            FindingResult.Fail, "container web: securityContext.allowPrivilegeEscalation is not set (it must be false)",
            "spec.containers[0].securityContext.allowPrivilegeEscalation"),
        new("allowPrivilegeEscalation true on an init container", "pss.allowPrivilegeEscalation", R, "Deployment",
            "{initContainers: [{name: setup, image: x, securityContext: {allowPrivilegeEscalation: true}}], containers: [{name: web, image: x, securityContext: {allowPrivilegeEscalation: false}}]}",
            FindingResult.Fail, "init container setup: securityContext.allowPrivilegeEscalation is true",
            "spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation"),
        new("ephemeral container without allowPrivilegeEscalation", "pss.allowPrivilegeEscalation", R, "Pod",
            "{containers: [{name: web, image: x, securityContext: {allowPrivilegeEscalation: false}}], ephemeralContainers: [{name: debug, image: x}]}",
            FindingResult.Fail, "ephemeral container debug: securityContext.allowPrivilegeEscalation is not set",
            "spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation"),
        new("Windows pod is exempt", "pss.allowPrivilegeEscalation", R, "Pod",
            $"{{os: {{name: windows}}, containers: [{Web}]}}", FindingResult.Pass),

        // pss.runAsNonRoot — runAsNonRoot: true on the pod, or on every container; never false (hostUsers: false exempt).
        new("pod-level true", "pss.runAsNonRoot", R, "Pod",
            $"{{securityContext: {{runAsNonRoot: true}}, initContainers: [{{name: setup, image: x}}], containers: [{Web}]}}", FindingResult.Pass),
        new("every container true", "pss.runAsNonRoot", R, "Deployment",
            "{containers: [{name: web, image: x, securityContext: {runAsNonRoot: true}}, {name: api, image: x, securityContext: {runAsNonRoot: true}}]}",
            FindingResult.Pass),
        new("user namespace pod", "pss.runAsNonRoot", R, "Pod", $"{{hostUsers: false, containers: [{Web}]}}", FindingResult.Pass),
        new("unset everywhere", "pss.runAsNonRoot", R, "Pod", $"{{containers: [{Web}]}}",
            FindingResult.Fail, "container web: securityContext.runAsNonRoot is not set and the pod does not set it to true",
            "spec.containers[0].securityContext.runAsNonRoot"),
        new("pod-level false", "pss.runAsNonRoot", R, "CronJob",
            "{securityContext: {runAsNonRoot: false}, containers: [{name: web, image: x, securityContext: {runAsNonRoot: true}}]}",
            FindingResult.Fail, "pod: securityContext.runAsNonRoot is false", "spec.jobTemplate.spec.template.spec.securityContext.runAsNonRoot"),
        new("container false overrides pod true", "pss.runAsNonRoot", R, "Pod",
            $"{{securityContext: {{runAsNonRoot: true}}, containers: [{Web}], ephemeralContainers: [{{name: debug, image: x, securityContext: {{runAsNonRoot: false}}}}]}}",
            FindingResult.Fail, "ephemeral container debug: securityContext.runAsNonRoot is false",
            "spec.ephemeralContainers[0].securityContext.runAsNonRoot"),
        new("one container unset without pod-level true", "pss.runAsNonRoot", R, "Deployment",
            "{initContainers: [{name: setup, image: x}], containers: [{name: web, image: x, securityContext: {runAsNonRoot: true}}]}",
            FindingResult.Fail, "init container setup: securityContext.runAsNonRoot is not set",
            "spec.template.spec.initContainers[0].securityContext.runAsNonRoot"),

        // pss.runAsUser — runAsUser: undefined or non-zero on the pod and every container (hostUsers: false exempt).
        new("runAsUser unset", "pss.runAsUser", R, "Pod", $"{{containers: [{Web}]}}", FindingResult.Pass),
        new("non-zero UIDs", "pss.runAsUser", R, "Pod",
            "{securityContext: {runAsUser: 1000}, containers: [{name: web, image: x, securityContext: {runAsUser: 65534}}]}", FindingResult.Pass),
        new("user namespace pod may run as 0", "pss.runAsUser", R, "Pod",
            "{hostUsers: false, securityContext: {runAsUser: 0}, containers: [{name: web, image: x}]}", FindingResult.Pass),
        new("pod-level 0", "pss.runAsUser", R, "Deployment",
            $"{{securityContext: {{runAsUser: 0}}, containers: [{Web}]}}",
            FindingResult.Fail, "pod: securityContext.runAsUser is 0", "spec.template.spec.securityContext.runAsUser"),
        new("container-level 0", "pss.runAsUser", R, "Pod",
            "{securityContext: {runAsUser: 1000}, containers: [{name: web, image: x, securityContext: {runAsUser: 0}}]}",
            FindingResult.Fail, "container web: securityContext.runAsUser is 0", "spec.containers[0].securityContext.runAsUser"),
        new("init container 0 in a CronJob", "pss.runAsUser", R, "CronJob",
            $"{{initContainers: [{{name: setup, image: x, securityContext: {{runAsUser: 0}}}}], containers: [{Web}]}}",
            FindingResult.Fail, "init container setup: securityContext.runAsUser is 0",
            "spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.runAsUser"),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_follows_the_standard(TheoryCase<PssCase> row)
    {
        var c = row.Value;
        var findings = Evaluate(c.Level, c.Kind, c.Spec, c.TemplateAnnotations).Of(c.Rule);

        Assert.NotEmpty(findings);
        if (c.Expected == FindingResult.Pass)
        {
            var finding = Assert.Single(findings);
            Assert.True(finding.Result == FindingResult.Pass, $"expected a pass, got: {finding.Message} at {finding.Path}");
            return;
        }

        Assert.All(findings, f => Assert.Equal(c.Expected, f.Result));
        Assert.Contains(findings, f => f.Message.Contains(c.Message!, StringComparison.Ordinal) && f.Path == c.Path);
    }

    /// <summary>The acceptance bar: every rule of the family has a passing and at least two failing cases.</summary>
    [Fact]
    public void Every_rule_has_a_passing_and_two_failing_cases() =>
        TestEvaluation.AssertEveryRuleHasAPassAndTwoFailures(new PodSecurityRules(), TheoryCases.Rows(Cases()).Select(c => (c.Rule, c.Expected)));

    // ---------------------------------------------------------------- each allowed value

    /// <summary>Baseline allows adding the capabilities of the default set and no other.</summary>
    [Theory]
    [InlineData("AUDIT_WRITE", FindingResult.Pass)]
    [InlineData("CHOWN", FindingResult.Pass)]
    [InlineData("DAC_OVERRIDE", FindingResult.Pass)]
    [InlineData("FOWNER", FindingResult.Pass)]
    [InlineData("FSETID", FindingResult.Pass)]
    [InlineData("KILL", FindingResult.Pass)]
    [InlineData("MKNOD", FindingResult.Pass)]
    [InlineData("NET_BIND_SERVICE", FindingResult.Pass)]
    [InlineData("SETFCAP", FindingResult.Pass)]
    [InlineData("SETGID", FindingResult.Pass)]
    [InlineData("SETPCAP", FindingResult.Pass)]
    [InlineData("SETUID", FindingResult.Pass)]
    [InlineData("SYS_CHROOT", FindingResult.Pass)]
    [InlineData("SYS_ADMIN", FindingResult.Fail)]
    [InlineData("NET_ADMIN", FindingResult.Fail)]
    [InlineData("NET_RAW", FindingResult.Fail)]
    [InlineData("SYS_PTRACE", FindingResult.Fail)]
    [InlineData("SYS_MODULE", FindingResult.Fail)]
    [InlineData("BPF", FindingResult.Fail)]
    [InlineData("ALL", FindingResult.Fail)]
    public void Baseline_allows_adding_only_the_default_capabilities(string capability, FindingResult expected)
    {
        var spec = $"{{containers: [{{name: web, image: x, securityContext: {{capabilities: {{add: [{capability}]}}}}}}]}}";
        Assert.Equal(expected, Result(B, "Pod", spec, "pss.capabilities"));
    }

    [Theory]
    [InlineData("kernel.shm_rmid_forced", FindingResult.Pass)]
    [InlineData("net.ipv4.ip_local_port_range", FindingResult.Pass)]
    [InlineData("net.ipv4.tcp_syncookies", FindingResult.Pass)]
    [InlineData("net.ipv4.ping_group_range", FindingResult.Pass)]
    [InlineData("net.ipv4.ip_unprivileged_port_start", FindingResult.Pass)]
    [InlineData("net.ipv4.ip_local_reserved_ports", FindingResult.Pass)]
    [InlineData("net.ipv4.tcp_keepalive_time", FindingResult.Pass)]
    [InlineData("net.ipv4.tcp_fin_timeout", FindingResult.Pass)]
    [InlineData("net.ipv4.tcp_keepalive_intvl", FindingResult.Pass)]
    [InlineData("net.ipv4.tcp_keepalive_probes", FindingResult.Pass)]
    [InlineData("net.ipv4.tcp_rmem", FindingResult.Pass)]
    [InlineData("net.ipv4.tcp_wmem", FindingResult.Pass)]
    [InlineData("kernel.msgmax", FindingResult.Fail)]
    [InlineData("kernel.shmmax", FindingResult.Fail)]
    [InlineData("net.core.somaxconn", FindingResult.Fail)]
    [InlineData("net.ipv4.ip_forward", FindingResult.Fail)]
    [InlineData("vm.max_map_count", FindingResult.Fail)]
    public void Only_safe_sysctls_are_allowed(string sysctl, FindingResult expected)
    {
        var spec = $"{{securityContext: {{sysctls: [{{name: {sysctl}, value: '1'}}]}}, containers: [{Web}]}}";
        Assert.Equal(expected, Result(B, "Pod", spec, "pss.sysctls"));
    }

    [Theory]
    [InlineData("container_t")]
    [InlineData("container_init_t")]
    [InlineData("container_kvm_t")]
    [InlineData("container_engine_t")]
    [InlineData("''")]
    public void Each_allowed_SELinux_type_passes_on_pod_and_container(string type)
    {
        var spec = $"{{securityContext: {{seLinuxOptions: {{type: {type}}}}}, containers: [{{name: web, image: x, securityContext: {{seLinuxOptions: {{type: {type}}}}}}}]}}";
        Assert.Equal(FindingResult.Pass, Result(B, "Pod", spec, "pss.seLinuxOptions"));
    }

    [Theory]
    [InlineData("spc_t")]
    [InlineData("unconfined_t")]
    [InlineData("Container_t")]
    public void Other_SELinux_types_fail(string type)
    {
        var spec = $"{{containers: [{{name: web, image: x, securityContext: {{seLinuxOptions: {{type: {type}}}}}}}]}}";
        Assert.Equal(FindingResult.Fail, Result(B, "Pod", spec, "pss.seLinuxOptions"));
    }

    [Theory]
    [InlineData("configMap: {name: cfg}")]
    [InlineData("csi: {driver: ebs.csi.aws.com}")]
    [InlineData("downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}")]
    [InlineData("emptyDir: {}")]
    [InlineData("ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}}")]
    [InlineData("image: {reference: 'registry.example.com/models/llm:1', pullPolicy: IfNotPresent}")]
    [InlineData("persistentVolumeClaim: {claimName: data}")]
    [InlineData("projected: {sources: [{serviceAccountToken: {path: token}}]}")]
    [InlineData("secret: {secretName: tls}")]
    [InlineData("{}")]
    public void Restricted_allows_each_core_volume_type(string source)
    {
        // A volume without a source is defaulted to emptyDir by the API server.
        var volume = source == "{}" ? "{name: v}" : $"{{name: v, {source}}}";
        var spec = $"{{volumes: [{volume}], containers: [{Web}]}}";
        Assert.Equal(FindingResult.Pass, Result(R, "Pod", spec, "pss.restrictedVolumes"));
    }

    [Theory]
    [InlineData("hostPath: {path: /data}", "hostPath")]
    [InlineData("gcePersistentDisk: {pdName: d}", "gcePersistentDisk")]
    [InlineData("awsElasticBlockStore: {volumeID: vol-1}", "awsElasticBlockStore")]
    [InlineData("gitRepo: {repository: r}", "gitRepo")]
    [InlineData("nfs: {server: s, path: /p}", "nfs")]
    [InlineData("iscsi: {targetPortal: 't:3260', iqn: 'iqn.2001-04.com.example:storage', lun: 0}", "iscsi")]
    [InlineData("glusterfs: {endpoints: e, path: p}", "glusterfs")]
    [InlineData("rbd: {monitors: [m], image: i}", "rbd")]
    [InlineData("flexVolume: {driver: example/lvm}", "flexVolume")]
    [InlineData("cinder: {volumeID: v}", "cinder")]
    [InlineData("cephfs: {monitors: [m]}", "cephfs")]
    [InlineData("flocker: {datasetName: d}", "flocker")]
    [InlineData("fc: {wwids: [w]}", "fc")]
    [InlineData("azureFile: {secretName: s, shareName: sh}", "azureFile")]
    [InlineData("vsphereVolume: {volumePath: p}", "vsphereVolume")]
    [InlineData("quobyte: {registry: r, volume: v}", "quobyte")]
    [InlineData("azureDisk: {diskName: d, diskURI: u}", "azureDisk")]
    [InlineData("photonPersistentDisk: {pdID: p}", "photonPersistentDisk")]
    [InlineData("portworxVolume: {volumeID: v}", "portworxVolume")]
    [InlineData("scaleIO: {gateway: g, system: s, secretRef: {name: sio-secret}}", "scaleIO")]
    [InlineData("storageos: {volumeName: v}", "storageos")]
    public void Restricted_rejects_each_non_core_volume_type(string source, string type)
    {
        var spec = $"{{volumes: [{{name: v, {source}}}], containers: [{Web}]}}";
        var finding = Assert.Single(Evaluate(R, "Pod", spec).Of("pss.restrictedVolumes"));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Equal($"volume v: volume type {type} is not allowed", finding.Message);
        Assert.Equal($"spec.volumes[0].{type}", finding.Path);
    }

    [Theory]
    [InlineData("RuntimeDefault", FindingResult.Pass)]
    [InlineData("Localhost", FindingResult.Pass)]
    [InlineData("Unconfined", FindingResult.Fail)]
    public void AppArmor_profile_types(string type, FindingResult expected)
    {
        var spec = $"{{containers: [{{name: web, image: x, securityContext: {{appArmorProfile: {{type: {type}}}}}}}]}}";
        Assert.Equal(expected, Result(B, "Pod", spec, "pss.appArmorProfile"));
    }

    [Theory]
    [InlineData("runtime/default", FindingResult.Pass)]
    [InlineData("localhost/my-profile", FindingResult.Pass)]
    [InlineData("''", FindingResult.Pass)]
    [InlineData("unconfined", FindingResult.Fail)]
    [InlineData("docker/default", FindingResult.Fail)]
    [InlineData("RuntimeDefault", FindingResult.Fail)]
    public void AppArmor_annotation_values(string value, FindingResult expected)
    {
        var annotations = $"{{container.apparmor.security.beta.kubernetes.io/web: {value}}}";
        Assert.Equal(expected, Result(B, "Deployment", $"{{containers: [{Web}]}}", "pss.appArmorProfile", annotations));
    }

    [Theory]
    [InlineData("Default", FindingResult.Pass)]
    [InlineData("Unmasked", FindingResult.Fail)]
    public void ProcMount_values(string value, FindingResult expected)
    {
        var spec = $"{{containers: [{{name: web, image: x, securityContext: {{procMount: {value}}}}}]}}";
        Assert.Equal(expected, Result(B, "Pod", spec, "pss.procMount"));
        Assert.Equal(expected, Result(R, "Pod", spec, "pss.procMount"));
    }

    // ---------------------------------------------------------------- levels

    [Fact]
    public void No_rules_without_a_podSecurity_section()
    {
        var family = new PodSecurityRules();
        Assert.Empty(family.EnabledRules(TestEvaluation.Policy("mode: Audit").Spec));

        var evaluation = TestEvaluation.Evaluate("imageScanning: {disallowLatestTag: true}", PodYaml("{containers: [{name: web, image: x, securityContext: {privileged: true}}]}"));
        Assert.DoesNotContain(evaluation.Resources.SelectMany(r => r.Findings), f => f.Rule.Id.StartsWith("pss.", StringComparison.Ordinal));
    }

    [Fact]
    public void Baseline_enables_the_baseline_checks_and_restricted_adds_its_own_in_stable_order()
    {
        var family = new PodSecurityRules();
        string[] baseline =
        [
            "pss.windowsHostProcess", "pss.hostNamespaces", "pss.privileged", "pss.capabilities", "pss.hostPathVolumes", "pss.hostPorts",
            "pss.hostProbesAndHostLifecycle", "pss.appArmorProfile", "pss.seLinuxOptions", "pss.procMount", "pss.seccompProfile", "pss.sysctls",
        ];
        string[] restrictedOnly = ["pss.restrictedVolumes", "pss.allowPrivilegeEscalation", "pss.runAsNonRoot", "pss.runAsUser"];

        Assert.Equal(baseline, family.EnabledRules(TestEvaluation.Policy("podSecurity: {level: baseline}").Spec).Select(r => r.Id));
        Assert.Equal([.. baseline, .. restrictedOnly], family.EnabledRules(TestEvaluation.Policy("podSecurity: {level: restricted}").Spec).Select(r => r.Id));
        Assert.Equal([.. baseline, .. restrictedOnly], family.Rules.Select(r => r.Id));
        Assert.Same(family.EnabledRules(TestEvaluation.Policy("podSecurity: {level: restricted}").Spec), family.EnabledRules(TestEvaluation.Policy("podSecurity: {level: restricted}").Spec));
    }

    [Fact]
    public void Rule_definitions_follow_the_catalog_conventions()
    {
        var rules = new PodSecurityRules().Rules;
        Assert.Equal(rules.Count, rules.Select(r => r.Id).Distinct().Count());
        foreach (var rule in rules)
        {
            Assert.StartsWith("pss.", rule.Id, StringComparison.Ordinal);
            Assert.Equal(ResponsibilityRow.InfrastructureSecurity, rule.Row);
            Assert.Equal(RuleScope.Workload, rule.Scope);
            Assert.Equal("podSecurity.level", rule.Duty);
            Assert.True(rule.Title.Contains("(baseline", StringComparison.Ordinal) || rule.Title.Contains("(restricted)", StringComparison.Ordinal), rule.Title);
            Assert.DoesNotContain("|", rule.Title, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(rule.Remediation), rule.Id);
            Assert.Same(rule, RuleCatalog.Find(rule.Id));
        }

        Assert.Equal(Severity.Critical, RuleCatalog.Find("pss.privileged")!.Severity);
        Assert.Equal(Severity.Critical, RuleCatalog.Find("pss.windowsHostProcess")!.Severity);
        Assert.True(RuleCatalog.Find("pss.hostNamespaces")!.Severity >= Severity.High);
        Assert.True(RuleCatalog.Find("pss.hostPathVolumes")!.Severity >= Severity.High);
    }

    [Fact]
    public void Missing_runAsNonRoot_passes_at_baseline_and_fails_at_restricted()
    {
        const string spec = "{containers: [{name: web, image: x}]}";
        var baseline = Evaluate(B, "Pod", spec);
        Assert.Empty(baseline.Of("pss.runAsNonRoot"));
        Assert.All(baseline, f => Assert.Equal(FindingResult.Pass, f.Result));

        Assert.Equal(FindingResult.Fail, Result(R, "Pod", spec, "pss.runAsNonRoot"));
    }

    [Theory]
    [InlineData("pss.restrictedVolumes", "{volumes: [{name: share, nfs: {server: s, path: /p}}], containers: [{name: web, image: x}]}")]
    [InlineData("pss.allowPrivilegeEscalation", "{containers: [{name: web, image: x, securityContext: {allowPrivilegeEscalation: true}}]}")]
    [InlineData("pss.runAsUser", "{securityContext: {runAsUser: 0}, containers: [{name: web, image: x}]}")]
    public void Restricted_only_rules_are_not_evaluated_at_baseline(string rule, string spec)
    {
        Assert.Empty(Evaluate(B, "Pod", spec).Of(rule));
        Assert.Equal(FindingResult.Fail, Result(R, "Pod", spec, rule));
    }

    [Fact]
    public void Baseline_capabilities_pass_where_restricted_demands_more()
    {
        const string spec = "{containers: [{name: web, image: x, securityContext: {capabilities: {add: [CHOWN]}}}]}";
        Assert.Equal(FindingResult.Pass, Result(B, "Pod", spec, "pss.capabilities"));

        var restricted = Evaluate(R, "Pod", spec).Of("pss.capabilities");
        Assert.Equal(2, restricted.Count);
        Assert.Contains(restricted, f => f.Message.Contains("add includes CHOWN; restricted allows only NET_BIND_SERVICE", StringComparison.Ordinal));
        Assert.Contains(restricted, f => f.Message.Contains("drop is missing ALL", StringComparison.Ordinal) || f.Message.Contains("drop is not set", StringComparison.Ordinal));
    }

    [Fact]
    public void A_capability_outside_the_default_set_is_reported_once_at_restricted()
    {
        const string spec = "{containers: [{name: web, image: x, securityContext: {capabilities: {drop: [ALL], add: [SYS_ADMIN]}}}]}";
        var finding = Assert.Single(Evaluate(R, "Pod", spec).Of("pss.capabilities"));
        Assert.Contains("SYS_ADMIN, which is outside the default set", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seccomp_unset_passes_at_baseline_and_fails_at_restricted()
    {
        const string spec = "{containers: [{name: web, image: x}]}";
        Assert.Equal(FindingResult.Pass, Result(B, "Pod", spec, "pss.seccompProfile"));
        Assert.Equal(FindingResult.Fail, Result(R, "Pod", spec, "pss.seccompProfile"));
    }

    // ---------------------------------------------------------------- whole workloads

    [Fact]
    public void A_default_pod_passes_every_baseline_rule()
    {
        var findings = Evaluate(B, "Deployment", "{containers: [{name: web, image: x, ports: [{containerPort: 8080}]}]}");
        Assert.Equal(12, findings.Count(f => f.Rule.Id.StartsWith("pss.", StringComparison.Ordinal)));
        Assert.All(findings, f => Assert.Equal(FindingResult.Pass, f.Result));
    }

    [Theory]
    [InlineData("Pod")]
    [InlineData("Deployment")]
    [InlineData("CronJob")]
    public void A_hardened_pod_passes_every_restricted_rule(string kind)
    {
        const string hardened =
            "{securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}, sysctls: [{name: net.ipv4.ip_local_port_range, value: '1024 65535'}]},"
            + " volumes: [{name: tmp, emptyDir: {}}, {name: token, projected: {sources: [{serviceAccountToken: {path: token}}]}}],"
            + " initContainers: [{name: setup, image: x, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}],"
            + " containers: [{name: web, image: x, ports: [{containerPort: 8080}], livenessProbe: {httpGet: {path: /healthz, port: 8080}},"
            + " securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}, privileged: false, procMount: Default,"
            + " appArmorProfile: {type: RuntimeDefault}, seLinuxOptions: {type: container_t}}}],"
            + " ephemeralContainers: [{name: debug, image: busybox, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}]}";
        var findings = Evaluate(R, kind, hardened, "{container.apparmor.security.beta.kubernetes.io/web: runtime/default}");
        Assert.Equal(16, findings.Count(f => f.Rule.Id.StartsWith("pss.", StringComparison.Ordinal)));
        Assert.All(findings, f => Assert.True(f.Result == FindingResult.Pass, $"{f.Rule.Id}: {f.Message} at {f.Path}"));
    }

    [Fact]
    public void A_Windows_pod_passes_restricted_without_Linux_only_settings()
    {
        const string spec = "{os: {name: windows}, securityContext: {runAsNonRoot: true, windowsOptions: {runAsUserName: ContainerUser}}, containers: [{name: web, image: x}]}";
        var findings = Evaluate(R, "Deployment", spec);
        Assert.All(findings, f => Assert.True(f.Result == FindingResult.Pass, $"{f.Rule.Id}: {f.Message}"));
    }

    [Fact]
    public void Each_violation_is_its_own_finding()
    {
        const string spec = "{hostNetwork: true, hostPID: true, hostIPC: true,"
            + " initContainers: [{name: setup, image: x, securityContext: {privileged: true}}],"
            + " containers: [{name: web, image: x, securityContext: {privileged: true}}, {name: api, image: x, securityContext: {privileged: true}}]}";
        var findings = Evaluate(B, "Pod", spec);

        Assert.Equal(["pod: hostNetwork is true", "pod: hostPID is true", "pod: hostIPC is true"], findings.Of("pss.hostNamespaces").Select(f => f.Message));
        Assert.Equal(
            ["spec.initContainers[0].securityContext.privileged", "spec.containers[0].securityContext.privileged", "spec.containers[1].securityContext.privileged"],
            findings.Of("pss.privileged").Select(f => f.Path));
        Assert.All(findings.Of("pss.privileged"), f => Assert.Equal(FindingResult.Fail, f.Result));
    }

    [Fact]
    public void Container_findings_carry_the_image_and_pod_findings_do_not()
    {
        const string spec = "{hostNetwork: true, containers: [{name: web, image: 'registry.example.com/shop/web:1.4.2', securityContext: {privileged: true}}],"
            + " ephemeralContainers: [{name: debug, image: 'busybox:1.36', securityContext: {privileged: true}}]}";
        var findings = Evaluate(B, "Pod", spec, "{container.apparmor.security.beta.kubernetes.io/debug: unconfined}");

        Assert.Null(Assert.Single(findings.Of("pss.hostNamespaces")).Image);
        Assert.Equal(["registry.example.com/shop/web:1.4.2", "busybox:1.36"], findings.Of("pss.privileged").Select(f => f.Image));
        var appArmor = Assert.Single(findings.Of("pss.appArmorProfile"));
        Assert.Equal("busybox:1.36", appArmor.Image);
        Assert.StartsWith("ephemeral container debug: ", appArmor.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AppArmor_annotation_for_an_unknown_container_is_reported_on_the_pod()
    {
        var findings = Evaluate(B, "Pod", "{containers: [{name: web, image: x}]}", "{container.apparmor.security.beta.kubernetes.io/ghost: unconfined}");
        var finding = Assert.Single(findings.Of("pss.appArmorProfile"));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Equal("pod: annotation container.apparmor.security.beta.kubernetes.io/ghost is unconfined", finding.Message);
        Assert.Null(finding.Image);
    }

    [Fact]
    public void AppArmor_annotations_on_the_workload_itself_are_not_the_pod_template()
    {
        var yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: w
              namespace: shop
              annotations: {container.apparmor.security.beta.kubernetes.io/web: unconfined}
            spec:
              selector: {matchLabels: {app: w}}
              template:
                metadata: {labels: {app: w}}
                spec: {containers: [{name: web, image: x}]}
            """;
        var evaluation = TestEvaluation.Evaluate("podSecurity: {level: baseline}", yaml);
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Deployment", "w", "pss.appArmorProfile"));
    }

    [Fact]
    public void An_image_exemption_covers_only_the_matching_container()
    {
        const string policy = "podSecurity: {level: baseline}\n"
            + "exemptions:\n- {name: debug-tools, images: ['registry.example.com/tools/*'], rules: ['pss.*'], reason: 'break-glass debugging'}\n";
        var yaml = PodYaml("{containers: [{name: web, image: 'registry.example.com/shop/web:1', securityContext: {privileged: true}},"
            + " {name: tool, image: 'registry.example.com/tools/netshoot:1', securityContext: {privileged: true}}]}");
        var findings = TestEvaluation.Evaluate(policy, yaml).FindingsOf("Pod", "w").Of("pss.privileged");

        Assert.Equal([FindingResult.Fail, FindingResult.Exempt], findings.Select(f => f.Result));
        Assert.Equal("debug-tools", findings[1].Exemption);
    }

    // ---------------------------------------------------------------- helpers

    private static FindingResult Result(string level, string kind, string spec, string rule, string? templateAnnotations = null)
    {
        var findings = Evaluate(level, kind, spec, templateAnnotations).Of(rule);
        Assert.NotEmpty(findings);
        return findings.Any(f => f.Result == FindingResult.Fail) ? FindingResult.Fail : findings[0].Result;
    }

    /// <summary>Evaluates a workload named "w" in namespace "shop" whose pod spec is the given flow-style YAML.</summary>
    private static IReadOnlyList<Finding> Evaluate(string level, string kind, string spec, string? templateAnnotations = null) =>
        TestEvaluation.Evaluate($"podSecurity: {{level: {level}}}", WorkloadYaml(kind, spec, templateAnnotations)).FindingsOf(kind, "w");

    private static string PodYaml(string spec) => WorkloadYaml("Pod", spec, null);

    private static string WorkloadYaml(string kind, string spec, string? templateAnnotations)
    {
        var annotations = templateAnnotations is null ? "" : $", annotations: {templateAnnotations}";
        var template = $"{{metadata: {{labels: {{app: w}}{annotations}}}, spec: {spec}}}";
        return kind switch
        {
            "Pod" => $"apiVersion: v1\nkind: Pod\nmetadata: {{name: w, namespace: shop, labels: {{app: w}}{annotations}}}\nspec: {spec}\n",
            "Deployment" => $"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w, namespace: shop}}\nspec: {{selector: {{matchLabels: {{app: w}}}}, template: {template}}}\n",
            "CronJob" => $"apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: w, namespace: shop}}\nspec: {{schedule: '0 * * * *', jobTemplate: {{spec: {{template: {template}}}}}}}\n",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unsupported kind in this test"),
        };
    }
}
