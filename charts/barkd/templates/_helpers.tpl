{{/* Chart name, truncated to the 63 characters Kubernetes names allow. */}}
{{- define "barkd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart unless the release name already contains the chart name. */}}
{{- define "barkd.fullname" -}}
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

{{- define "barkd.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "barkd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "barkd.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "barkd.labels" -}}
helm.sh/chart: {{ include "barkd.chart" . }}
{{ include "barkd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: barkd
{{- end }}

{{- define "barkd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "barkd.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image reference: repository@digest when a digest is given, else repository:tag. */}}
{{- define "barkd.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "barkd.secretName" -}}
{{- default (printf "%s-secrets" (include "barkd.fullname" .)) .Values.existingSecret }}
{{- end }}

{{- define "barkd.mariadbName" -}}
{{- printf "%s-mariadb" (include "barkd.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The database URL barkd gets: the demo MariaDB's, the external one, or empty (SQLite). */}}
{{- define "barkd.databaseURL" -}}
{{- if .Values.mariadb.enabled }}
{{- printf "mariadb://%s@%s:3306/%s" .Values.mariadb.user (include "barkd.mariadbName" .) .Values.mariadb.database }}
{{- else }}
{{- .Values.database.url }}
{{- end }}
{{- end }}

{{/* Whether pods share a database (so more than one replica is safe). */}}
{{- define "barkd.sharedDatabase" -}}
{{- if or .Values.mariadb.enabled .Values.database.url }}true{{ end }}
{{- end }}

{{/* A secret value: the given one, the one already in the cluster, or a new random one. */}}
{{- define "barkd.secretValue" -}}
{{- $given := index . 0 }}
{{- $existing := index . 1 }}
{{- $key := index . 2 }}
{{- if $given }}
{{- $given | b64enc }}
{{- else if and $existing (hasKey $existing.data $key) }}
{{- index $existing.data $key }}
{{- else }}
{{- randAlphaNum 32 | b64enc }}
{{- end }}
{{- end }}

{{/* Fails rendering on combinations that cannot work. */}}
{{- define "barkd.validate" -}}
{{- $needed := add .Values.config.shutdownGraceSeconds .Values.lifecycle.preStopSleepSeconds }}
{{- if le (int .Values.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed config.shutdownGraceSeconds + lifecycle.preStopSleepSeconds (%v)" .Values.terminationGracePeriodSeconds $needed) }}
{{- end }}
{{- if and (not (include "barkd.sharedDatabase" .)) (or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1)) }}
{{- fail "more than one replica needs a shared database: set database.url or mariadb.enabled (the embedded SQLite lives in each pod)" }}
{{- end }}
{{- if and .Values.mariadb.enabled .Values.database.url }}
{{- fail "set either database.url or mariadb.enabled, not both" }}
{{- end }}
{{- end }}
