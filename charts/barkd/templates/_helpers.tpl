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

{{/* The pull policy: the given one; else Always while the tag moves (CD re-pushes the
     appVersion and latest tags), IfNotPresent for a pinned tag or digest. */}}
{{- define "barkd.pullPolicy" -}}
{{- if .Values.image.pullPolicy }}{{ .Values.image.pullPolicy }}
{{- else if and (not .Values.image.digest) (has (default .Chart.AppVersion .Values.image.tag) (list .Chart.AppVersion "latest")) }}Always
{{- else }}IfNotPresent
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
{{- else if .Values.database.tls.caSecret }}
{{- $url := .Values.database.url }}
{{- $options := list (printf "tls-ca=%s" (include "barkd.databaseCAFile" .)) }}
{{- if not (include "barkd.databaseTLSMode" .) }}
{{- $options = prepend $options "tls=verify-identity" }}
{{- end }}
{{- printf "%s%s%s" $url (ternary "&" "?" (contains "?" $url)) (join "&" $options) }}
{{- else }}
{{- .Values.database.url }}
{{- end }}
{{- end }}

{{/* Where the database CA (database.tls.caSecret) is mounted, and the file barkd reads. */}}
{{- define "barkd.databaseCADirectory" -}}/etc/barkd/db-ca{{- end }}
{{- define "barkd.databaseCAFile" -}}{{ include "barkd.databaseCADirectory" . }}/ca.crt{{- end }}

{{/* The TLS mode database.url names (tls=, ssl=, ssl-mode= or sslmode=), lowercased, or "". */}}
{{- define "barkd.databaseTLSMode" -}}
{{- $option := regexFind "[?&](tls|ssl|ssl-mode|sslmode)=[^&]*" .Values.database.url }}
{{- if $option }}{{ regexReplaceAll "^.*=" $option "" | lower | replace "_" "-" }}{{ end }}
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

{{/* The embedded SQLite: no shared database, so exactly one pod may serve. */}}
{{- define "barkd.sqlite" -}}
{{- if not (include "barkd.sharedDatabase" .) }}true{{ end }}
{{- end }}

{{/* Whether the data directory is a PersistentVolumeClaim (the SQLite database lives there). */}}
{{- define "barkd.persistentData" -}}
{{- if and (include "barkd.sqlite" .) .Values.persistence.enabled }}true{{ end }}
{{- end }}

{{- define "barkd.claimName" -}}
{{- default (printf "%s-data" (include "barkd.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{/* The fewest pods that run: autoscaling.minReplicas, or replicaCount. */}}
{{- define "barkd.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.minReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end }}
{{- end }}

{{/* Where the files in /var/run/secrets/barkd come from: vault-agent, csi or secret. */}}
{{- define "barkd.secretSource" -}}
{{- if .Values.vault.agentInject.enabled }}vault-agent
{{- else if .Values.secretsStoreCSI.enabled }}csi
{{- else }}secret
{{- end }}
{{- end }}

{{/* The secret files barkd reads from /var/run/secrets/barkd, as a JSON list of
     {file, path, key} (path and key: where Vault keeps it): db-password with a shared
     database (BARKD_DB_PASSWORD_FILE), admin-token with the admin API (BARKD_ADMIN_TOKEN_FILE). */}}
{{- define "barkd.secretFiles" -}}
{{- $files := list }}
{{- if include "barkd.sharedDatabase" . }}
{{- $files = append $files (dict "file" "db-password" "path" .Values.vault.dbPassword.path "key" .Values.vault.dbPassword.key) }}
{{- end }}
{{- if .Values.adminApi.enabled }}
{{- $files = append $files (dict "file" "admin-token" "path" .Values.vault.adminToken.path "key" .Values.vault.adminToken.key) }}
{{- end }}
{{- toJson $files }}
{{- end }}

{{/* Pod annotations for the Vault Agent injector: each secret file rendered, value only,
     into /var/run/secrets/barkd (the path BARKD_*_FILE name). Argument: (list . files). */}}
{{- define "barkd.vaultAgentAnnotations" -}}
{{- $ctx := index . 0 }}
{{- $agent := $ctx.Values.vault.agentInject }}
vault.hashicorp.com/agent-inject: "true"
vault.hashicorp.com/role: {{ $ctx.Values.vault.role | quote }}
vault.hashicorp.com/agent-pre-populate-only: {{ $agent.prePopulateOnly | toString | quote }}
vault.hashicorp.com/agent-inject-containers: barkd
vault.hashicorp.com/secret-volume-path: /var/run/secrets/barkd
vault.hashicorp.com/agent-service-account-token-volume-name: vault-token
vault.hashicorp.com/agent-run-as-same-user: "true"
{{- range index . 1 }}
vault.hashicorp.com/agent-inject-secret-{{ .file }}: {{ .path | quote }}
{{- $data := ternary ".Data.data" ".Data" (eq (int $ctx.Values.vault.kvVersion) 2) }}
vault.hashicorp.com/agent-inject-template-{{ .file }}: {{ printf "{{- with secret %q -}}{{ index %s %q }}{{- end }}" .path $data .key | quote }}
vault.hashicorp.com/agent-inject-perms-{{ .file }}: "0440"
{{- end }}
{{- with $agent.annotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Fails rendering on combinations that cannot work. */}}
{{- define "barkd.validate" -}}
{{- $needed := add .Values.config.shutdownGraceSeconds .Values.lifecycle.preStopSleepSeconds }}
{{- if le (int .Values.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed config.shutdownGraceSeconds + lifecycle.preStopSleepSeconds (%v)" .Values.terminationGracePeriodSeconds $needed) }}
{{- end }}
{{- if and (include "barkd.sqlite" .) (or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1)) }}
{{- fail "more than one replica (or autoscaling) needs MariaDB: set database.url or mariadb.enabled. The embedded SQLite is one file on one pod's volume and must never be served by two pods" }}
{{- end }}
{{- if and .Values.mariadb.enabled .Values.database.url }}
{{- fail "set either database.url or mariadb.enabled, not both" }}
{{- end }}
{{- if .Values.database.tls.caSecret }}
{{- if not .Values.database.url }}
{{- fail "database.tls.caSecret is the CA of the server database.url names: set database.url" }}
{{- end }}
{{- if regexMatch "[?&](tls-ca|ssl-ca)=" .Values.database.url }}
{{- fail "database.url names a tls-ca and database.tls.caSecret mounts one: keep only database.tls.caSecret" }}
{{- end }}
{{- $mode := include "barkd.databaseTLSMode" . }}
{{- if and $mode (not (has $mode (list "verify-ca" "verify-identity" "verify"))) }}
{{- fail (printf "database.tls.caSecret needs a verifying mode: database.url has tls=%s, which does not verify the certificate (use verify-identity or verify-ca, or leave tls out for verify-identity)" $mode) }}
{{- end }}
{{- end }}
{{- if and .Values.vault.agentInject.enabled .Values.secretsStoreCSI.enabled }}
{{- fail "set either vault.agentInject.enabled or secretsStoreCSI.enabled, not both: each supplies /var/run/secrets/barkd" }}
{{- end }}
{{- if ne (include "barkd.secretSource" .) "secret" }}
{{- if .Values.existingSecret }}
{{- fail "existingSecret names a Kubernetes Secret, but Vault or the Secrets Store CSI driver supplies the secret files: unset existingSecret" }}
{{- end }}
{{- if .Values.mariadb.enabled }}
{{- fail "the demo MariaDB (mariadb.enabled) reads its passwords from a Kubernetes Secret: with Vault or the Secrets Store CSI driver point database.url at your database" }}
{{- end }}
{{- end }}
{{- if and .Values.secretsStoreCSI.enabled (ne .Values.secretsStoreCSI.provider "vault") (not .Values.secretsStoreCSI.parameters) }}
{{- fail (printf "secretsStoreCSI.provider %s needs secretsStoreCSI.parameters (objects named db-password and admin-token)" .Values.secretsStoreCSI.provider) }}
{{- end }}
{{- with .Values.podDisruptionBudget.minAvailable }}
{{- $min := int (include "barkd.minReplicas" $) }}
{{- if or (eq (toString .) "100%") (and (not (hasSuffix "%" (toString .))) (ge (int .) $min)) }}
{{- fail (printf "podDisruptionBudget.minAvailable (%v) must be below the replica count (%d), or no pod could ever be evicted and node drains would block" . $min) }}
{{- end }}
{{- end }}
{{- end }}
