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
