{{/*
Shared names, labels and pod fragments. Every helper takes the root context (.).
*/}}

{{/* Chart name, overridable with nameOverride. */}}
{{- define "switchboard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name, 63 characters at most (DNS label limit). The longest
suffix the templates add is "-migrate" / "-worker"; names are truncated to 52
first so that suffixed names still fit.
*/}}
{{- define "switchboard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "switchboard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: stable for the life of a release (Deployment selectors are immutable). */}}
{{- define "switchboard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "switchboard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Common labels for every object. */}}
{{- define "switchboard.labels" -}}
helm.sh/chart: {{ include "switchboard.chart" . }}
{{ include "switchboard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: switchboard
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* ServiceAccount used by the web and worker pods. */}}
{{- define "switchboard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "switchboard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference: by digest when one is given, else by tag (default: appVersion). */}}
{{- define "switchboard.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* Secret holding DATABASE_URL and SWITCHBOARD_MASTER_KEY. */}}
{{- define "switchboard.secretName" -}}
{{- default (include "switchboard.fullname" .) .Values.secret.existingSecret }}
{{- end }}

{{/* PersistentVolumeClaim of the data dir. */}}
{{- define "switchboard.claimName" -}}
{{- default (printf "%s-data" (include "switchboard.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{/* TRUST_PROXY: the explicit setting (hop count, or true for one), else one hop exactly when traffic comes through the Ingress. */}}
{{- define "switchboard.trustProxy" -}}
{{- if not (kindIs "invalid" .Values.config.trustProxy) }}
{{- .Values.config.trustProxy }}
{{- else }}
{{- .Values.ingress.enabled }}
{{- end }}
{{- end }}

{{/*
PUBLIC_URL: the explicit setting, else the first Ingress host (https when a TLS
entry lists it); empty without either, and the app then uses each request's own
protocol and host.
*/}}
{{- define "switchboard.publicUrl" -}}
{{- if .Values.config.publicUrl }}
{{- .Values.config.publicUrl | trimSuffix "/" }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- $host := (first .Values.ingress.hosts).host }}
{{- $scheme := "http" }}
{{- range .Values.ingress.tls }}
{{- if has $host (.hosts | default list) }}
{{- $scheme = "https" }}
{{- end }}
{{- end }}
{{- printf "%s://%s" $scheme $host }}
{{- end }}
{{- end }}

{{/*
Pod securityContext. The hardening is fixed here, not in values: the image is
built to run as a non-root user on a read-only root filesystem.
*/}}
{{- define "switchboard.podSecurityContext" -}}
runAsNonRoot: true
{{- with .Values.securityContext.runAsUser }}
runAsUser: {{ . }}
{{- end }}
{{- with .Values.securityContext.runAsGroup }}
runAsGroup: {{ . }}
{{- end }}
{{- with .Values.securityContext.fsGroup }}
fsGroup: {{ . }}
{{- /* Re-own a volume's files only when its root does not match yet: a large media volume would otherwise be walked on every pod start. */}}
fsGroupChangePolicy: OnRootMismatch
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container securityContext (see podSecurityContext). */}}
{{- define "switchboard.containerSecurityContext" -}}
runAsNonRoot: true
{{- with .Values.securityContext.runAsUser }}
runAsUser: {{ . }}
{{- end }}
{{- with .Values.securityContext.runAsGroup }}
runAsGroup: {{ . }}
{{- end }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
Environment shared by every container (web, worker, migration job). The role
(SWITCHBOARD_ROLE) is set by each Deployment. extraEnv comes last so that it
overrides the chart's variables of the same name.
*/}}
{{- define "switchboard.env" -}}
- name: PORT
  value: {{ .Values.containerPort | quote }}
- name: HOST
  value: "0.0.0.0"
- name: LOG_LEVEL
  value: {{ .Values.config.logLevel | quote }}
- name: SESSION_IDLE_MINUTES
  value: {{ .Values.config.sessionIdleMinutes | quote }}
- name: SESSION_ABSOLUTE_HOURS
  value: {{ .Values.config.sessionAbsoluteHours | quote }}
- name: TRUST_PROXY
  value: {{ include "switchboard.trustProxy" . | quote }}
{{- with include "switchboard.publicUrl" . }}
- name: PUBLIC_URL
  value: {{ . | quote }}
{{- end }}
- name: TEMPORARY_PASSWORD_HOURS
  value: {{ .Values.config.temporaryPasswordHours | quote }}
- name: SWITCHBOARD_SANDBOX
  value: {{ .Values.config.sandbox | quote }}
- name: SWITCHBOARD_BOOTSTRAP_ADMIN_EMAIL
  value: {{ .Values.config.bootstrapAdminEmail | quote }}
- name: GRAPH_ALLOWED_HOSTS
  value: {{ .Values.config.graphAllowedHosts | quote }}
- name: MEDIA_ALLOWED_HOSTS
  value: {{ .Values.config.mediaAllowedHosts | quote }}
- name: WEBHOOK_INFLIGHT_MAX_MB
  value: {{ .Values.config.webhookInflightMaxMb | quote }}
- name: AVAILABILITY_HEARTBEAT_TIMEOUT_SECONDS
  value: {{ .Values.config.availabilityHeartbeatTimeoutSeconds | quote }}
- name: REASSIGN_GRACE_SECONDS
  value: {{ .Values.config.reassignGraceSeconds | quote }}
- name: FIRST_RESPONSE_TARGET_SECONDS
  value: {{ .Values.config.firstResponseTargetSeconds | quote }}
- name: ROUTING_SWEEP_SECONDS
  value: {{ .Values.config.routingSweepSeconds | quote }}
- name: AUDIT_ANCHOR_CRON
  value: {{ .Values.config.auditAnchorCron | quote }}
{{- /* The migration Job migrates before pods start; without it, pods migrate at boot. */}}
- name: SWITCHBOARD_MIGRATE_ON_BOOT
  value: {{ (not .Values.migrations.enabled) | quote }}
- name: SWITCHBOARD_DATA_DIR
  value: /var/lib/switchboard
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "switchboard.secretName" . }}
      key: {{ .Values.secret.keys.databaseUrl }}
- name: SWITCHBOARD_MASTER_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "switchboard.secretName" . }}
      key: {{ .Values.secret.keys.masterKey }}
{{- include "switchboard.mediaEnv" . }}
{{- /* Pods that migrate at boot need the owner's URL; with the Job, only the Job gets it. */}}
{{- if not .Values.migrations.enabled }}
{{- include "switchboard.ownerEnv" . }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
MEDIA_STORE and, for an S3-compatible bucket, where it is. The access keys come
from the Secret and are optional there: without them the AWS SDK finds
credentials itself (IRSA, EKS Pod Identity, instance profile).
*/}}
{{- define "switchboard.mediaEnv" }}
- name: MEDIA_STORE
  value: {{ .Values.media.store | quote }}
{{- if eq .Values.media.store "s3" }}
- name: S3_BUCKET
  value: {{ required "media.s3.bucket is required when media.store is s3" .Values.media.s3.bucket | quote }}
- name: S3_REGION
  value: {{ .Values.media.s3.region | quote }}
{{- with .Values.media.s3.endpoint }}
- name: S3_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- with .Values.media.s3.prefix }}
- name: S3_PREFIX
  value: {{ . | quote }}
{{- end }}
{{- if kindIs "bool" .Values.media.s3.forcePathStyle }}
- name: S3_FORCE_PATH_STYLE
  value: {{ .Values.media.s3.forcePathStyle | quote }}
{{- end }}
- name: S3_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ include "switchboard.secretName" . }}
      key: {{ .Values.secret.keys.s3AccessKeyId }}
      optional: true
- name: S3_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "switchboard.secretName" . }}
      key: {{ .Values.secret.keys.s3SecretAccessKey }}
      optional: true
{{- end }}
{{- end }}

{{/* Writable mounts: the root filesystem is read-only. */}}
{{- define "switchboard.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /var/lib/switchboard
{{- end }}

{{/* Volumes behind switchboard.volumeMounts: the data dir is a shared PVC, or an emptyDir per pod. */}}
{{- define "switchboard.volumes" -}}
- name: tmp
  emptyDir: {}
- name: data
{{- if .Values.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ include "switchboard.claimName" . }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end }}

{{/* Scheduling constraints shared by every pod. */}}
{{- define "switchboard.scheduling" -}}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
DATABASE_OWNER_URL: the schema owner's credentials, for migrations only. Optional
in the Secret: without it, DATABASE_URL's role migrates (and owns the schema).
*/}}
{{- define "switchboard.ownerEnv" }}
- name: DATABASE_OWNER_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "switchboard.secretName" . }}
      key: {{ .Values.secret.keys.databaseOwnerUrl }}
      optional: true
{{- end }}
