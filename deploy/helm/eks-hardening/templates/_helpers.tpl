{{/* The chart's short name. */}}
{{- define "eks-hardening.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the prefix of every object the chart creates. */}}
{{- define "eks-hardening.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "eks-hardening.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "eks-hardening.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: eks-hardening
{{- end }}

{{/* Labels that select the operator's pods (Deployment, Services, PDB, NetworkPolicy, topology spread). */}}
{{- define "eks-hardening.selectorLabels" -}}
app.kubernetes.io/name: {{ include "eks-hardening.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "eks-hardening.serviceAccountName" -}}
{{- default (include "eks-hardening.fullname" .) .Values.serviceAccount.name }}
{{- end }}

{{/* Names the operator is told by flag, so that the chart and the operator agree whatever the release is called. */}}
{{- define "eks-hardening.leaseName" -}}
{{- printf "%s-operator" (include "eks-hardening.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Role and RoleBinding in kube-system that read aws-auth: distinct from the operator's own, should the release live in kube-system. */}}
{{- define "eks-hardening.awsAuthRoleName" -}}
{{- printf "%s-aws-auth" (include "eks-hardening.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "eks-hardening.webhookServiceName" -}}
{{- printf "%s-webhook" (include "eks-hardening.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Secret holding the operator's own webhook CA and serving certificate. */}}
{{- define "eks-hardening.webhookSecretName" -}}
{{- printf "%s-webhook-tls" (include "eks-hardening.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Secret cert-manager writes the serving certificate into (webhook.certManager.enabled). */}}
{{- define "eks-hardening.webhookCertificateSecretName" -}}
{{- printf "%s-webhook-cert" (include "eks-hardening.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "eks-hardening.webhookConfigurationName" -}}
{{- include "eks-hardening.fullname" . }}
{{- end }}

{{/* Whether the operator keeps its own CA (a Secret, and the caBundle it patches into the configuration). */}}
{{- define "eks-hardening.ownWebhookCertificates" -}}
{{- if and .Values.webhook.enabled (not .Values.webhook.certManager.enabled) }}true{{ end }}
{{- end }}

{{- define "eks-hardening.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if eq $tag "latest" }}
{{- fail "image.tag: latest is not allowed (the operator's own rule image.tag-not-latest); use a version, or leave it empty for the chart's appVersion" }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "eks-hardening.imageOf" -}}
{{- if .digest }}
{{- printf "%s:%s@%s" .repository .tag .digest }}
{{- else }}
{{- printf "%s:%s" .repository .tag }}
{{- end }}
{{- end }}

{{/* The pods' dnsPolicy: as set, else ClusterFirstWithHostNet for host-network pods (which otherwise get the node's resolver and cannot resolve Services). */}}
{{- define "eks-hardening.dnsPolicy" -}}
{{- if .Values.dnsPolicy }}{{ .Values.dnsPolicy }}{{ else if .Values.hostNetwork }}ClusterFirstWithHostNet{{ end }}
{{- end }}

{{/*
  The operator's ports must differ, and a host-network pod binds them on the node: refuse ports below 1024 (the
  non-root operator cannot bind them) and those of the node's own agents: kubelet 10248 (healthz) and 10250 (API),
  kube-proxy 10249 (metrics) and 10256 (healthz), the VPC CNI's aws-node 61678 and 61679.
*/}}
{{- define "eks-hardening.checkPorts" -}}
{{- $ports := dict "operator.healthPort" .Values.operator.healthPort "operator.metricsPort" .Values.operator.metricsPort }}
{{- if .Values.webhook.enabled }}{{ $_ := set $ports "webhook.port" .Values.webhook.port }}{{ end }}
{{- $seen := dict }}
{{- range $key := keys $ports | sortAlpha }}
{{- $port := toString (index $ports $key) }}
{{- if hasKey $seen $port }}
{{- fail (printf "%s: port %s is also %s; the operator's ports must differ" $key $port (index $seen $port)) }}
{{- end }}
{{- $_ := set $seen $port $key }}
{{- if $.Values.hostNetwork }}
{{- if lt (int $port) 1024 }}
{{- fail (printf "%s: port %s is below 1024, which the non-root operator cannot bind on the node (hostNetwork)" $key $port) }}
{{- end }}
{{- if has (int $port) (list 10248 10249 10250 10256 61678 61679) }}
{{- fail (printf "%s: port %s is taken on EKS nodes (kubelet 10248/10250, kube-proxy 10249/10256, aws-node 61678/61679); with hostNetwork choose a free port of the node" $key $port) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* Egress of the chart's pods: DNS, and TCP networkPolicy.egressPorts anywhere but the instance metadata service. */}}
{{- define "eks-hardening.networkPolicyEgress" -}}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
# The API server and the AWS APIs, but never the instance metadata service: the operator's AWS identity is
# IRSA or Pod Identity, not the node's role.
- to:
    - ipBlock:
        cidr: 0.0.0.0/0
        except: [169.254.169.254/32]
    - ipBlock:
        cidr: ::/0
        except: [fd00:ec2::254/128]
  ports:
    {{- range .Values.networkPolicy.egressPorts }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- end }}

{{/*
  The namespaces sent to the workload and object webhooks: never the release's or kube-system (the webhook must not
  stand between the cluster and its repair), ANDed with webhook.namespaceSelector.
*/}}
{{- define "eks-hardening.webhookNamespaceSelector" -}}
{{- with .Values.webhook.namespaceSelector.matchLabels }}
matchLabels:
  {{- toYaml . | nindent 2 }}
{{- end }}
matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: NotIn
    values:
      - {{ .Release.Namespace }}
      {{- if ne .Release.Namespace "kube-system" }}
      - kube-system
      {{- end }}
  {{- with .Values.webhook.namespaceSelector.matchExpressions }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}

{{/* Objects labelled eks-hardening.io/ignore=true opt out; ANDed with webhook.objectSelector (not for aws-auth). */}}
{{- define "eks-hardening.webhookObjectSelector" -}}
{{- if .user }}
{{- with .user.matchLabels }}
matchLabels:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
matchExpressions:
  - key: eks-hardening.io/ignore
    operator: NotIn
    values: ["true"]
  {{- if .user }}
  {{- with .user.matchExpressions }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  {{- end }}
{{- end }}

{{/* What automountServiceAccountToken would mount (token, cluster CA, namespace), declared for a pod that calls the API server. */}}
{{- define "eks-hardening.apiAccessVolume" -}}
projected:
  defaultMode: 292   # 0444
  sources:
    - serviceAccountToken:
        path: token
        expirationSeconds: 3607
    - configMap:
        name: kube-root-ca.crt
        items:
          - key: ca.crt
            path: ca.crt
    - downwardAPI:
        items:
          - path: namespace
            fieldRef:
              fieldPath: metadata.namespace
{{- end }}

{{/* A hook Job of the CRD path (crd-hooks.yaml): kubectl with the given args, as restricted as the operator. */}}
{{- define "eks-hardening.crdHookJob" -}}
{{- $root := .root }}
{{- $job := $root.Values.crds.job }}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .name | trunc 63 | trimSuffix "-" }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "eks-hardening.labels" $root | nindent 4 }}
    app.kubernetes.io/component: crd-hook
  annotations:
    helm.sh/hook: {{ .event }}
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: 3
  activeDeadlineSeconds: 300
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ include "eks-hardening.name" $root }}
        app.kubernetes.io/instance: {{ $root.Release.Name }}
        app.kubernetes.io/component: crd-hook
    spec:
      serviceAccountName: {{ .serviceAccount }}
      automountServiceAccountToken: false
      restartPolicy: Never
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      {{- with $root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: kubectl
          image: {{ include "eks-hardening.imageOf" $job.image | quote }}
          imagePullPolicy: {{ $job.image.pullPolicy }}
          command: [kubectl]
          args:
            {{- toYaml .args | nindent 12 }}
          env:
            # kubectl keeps its discovery cache under HOME; the root filesystem is read-only.
            - name: HOME
              value: /tmp
          resources:
            {{- toYaml $job.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: kube-api-access
              mountPath: /var/run/secrets/kubernetes.io/serviceaccount
              readOnly: true
            - name: tmp
              mountPath: /tmp
            {{- if .configMap }}
            - name: crd
              mountPath: /crd
              readOnly: true
            {{- end }}
      volumes:
        - name: kube-api-access
          {{- include "eks-hardening.apiAccessVolume" $root | nindent 10 }}
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
        {{- if .configMap }}
        - name: crd
          configMap:
            name: {{ .configMap }}
        {{- end }}
{{- end }}

{{/* The operator's arguments from the values (extraArgs come after them). */}}
{{- define "eks-hardening.operatorArgs" -}}
- run
- --leader-elect=true
- --lease-namespace={{ .Release.Namespace }}
- --lease-name={{ include "eks-hardening.leaseName" . }}
- --lease-duration={{ .Values.operator.leaseDuration }}
- --workers={{ .Values.operator.workers }}
- --max-violations={{ .Values.operator.maxViolations }}
- --evaluation-interval={{ .Values.operator.evaluationInterval }}
- --health-port={{ .Values.operator.healthPort }}
- --metrics-port={{ .Values.operator.metricsPort }}
- --aws={{ .Values.aws.enabled }}
- --policy-reports={{ .Values.policyReports.enabled }}
- --policy-report-max-results={{ .Values.policyReports.maxResults }}
{{- with .Values.aws.region }}
- --aws-region={{ . }}
{{- end }}
{{- if .Values.webhook.enabled }}
- --webhook-port={{ .Values.webhook.port }}
- --webhook-timeout={{ .Values.webhook.timeoutSeconds }}
- --webhook-failure-policy={{ .Values.webhook.failurePolicy }}
- --webhook-namespace={{ .Release.Namespace }}
- --webhook-service={{ include "eks-hardening.webhookServiceName" . }}
- --webhook-config={{ include "eks-hardening.webhookConfigurationName" . }}
{{- if .Values.webhook.certManager.enabled }}
- --webhook-cert-dir=/etc/eks-hardening/webhook-tls
{{- else }}
- --webhook-secret={{ include "eks-hardening.webhookSecretName" . }}
{{- end }}
{{- else }}
- --webhook-port=0
{{- end }}
{{- end }}

{{/* extraArgs may add flags, not repeat one the chart passes (the operator refuses a flag given twice). */}}
{{- define "eks-hardening.checkExtraArgs" -}}
{{- $chartFlags := dict }}
{{- range include "eks-hardening.operatorArgs" . | fromYamlArray }}
{{- if hasPrefix "--" . }}{{ $_ := set $chartFlags (regexReplaceAll "=.*$" . "") "" }}{{ end }}
{{- end }}
{{- range .Values.extraArgs }}
{{- $flag := regexReplaceAll "=.*$" . "" }}
{{- if hasKey $chartFlags $flag }}
{{- fail (printf "extraArgs: %s is set by the chart; use its value (see values.yaml) instead of repeating the flag" $flag) }}
{{- end }}
{{- end }}
{{- end }}
