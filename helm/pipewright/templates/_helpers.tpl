{{/* helm/pipewright/templates/_helpers.tpl - names, labels and the checks every template shares. */}}

{{/* The chart name, or nameOverride; 63 characters at most (a DNS label). */}}
{{- define "pipewright.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The name of every resource: the release name, with the chart name unless already in it. */}}
{{- define "pipewright.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels that select the pods; never change them after the first install. */}}
{{- define "pipewright.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pipewright.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: daemon
{{- end -}}

{{/* Labels of every resource. */}}
{{- define "pipewright.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "pipewright.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: pipewright
{{- end -}}

{{- define "pipewright.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "pipewright.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "pipewright.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Whether a Secret for the HTTP read API (token, tenants) is mounted for the daemon. */}}
{{- define "pipewright.hasHttpSecrets" -}}
{{- if or .Values.http.token.existingSecret .Values.http.tenants.existingSecret -}}
true
{{- end -}}
{{- end -}}

{{/* Whether any Secret is mounted for the init container to render. */}}
{{- define "pipewright.hasSecrets" -}}
{{- if or .Values.redis.url.existingSecret .Values.redis.password.existingSecret .Values.kafka.saslPassword.existingSecret -}}
true
{{- end -}}
{{- end -}}

{{/*
Refuses values that would deploy something broken or leak a secret; called from the workload,
so `helm template` and `helm install` stop with the reason before anything is applied.
*/}}
{{- define "pipewright.validate" -}}
{{- $kind := .Values.workload.kind -}}
{{- if not (has $kind (list "StatefulSet" "Deployment")) -}}
{{- fail (printf "workload.kind must be StatefulSet or Deployment, not %q" $kind) -}}
{{- end -}}
{{- $parts := int .Values.kafka.requirementsPartitions -}}
{{- if lt $parts 1 -}}
{{- fail "kafka.requirementsPartitions must be at least 1" -}}
{{- end -}}
{{- if .Values.autoscaling.enabled -}}
{{- if gt (int .Values.autoscaling.maxReplicas) $parts -}}
{{- fail (printf "autoscaling.maxReplicas (%d) exceeds kafka.requirementsPartitions (%d): the extra consumers would stay idle; add partitions first" (int .Values.autoscaling.maxReplicas) $parts) -}}
{{- end -}}
{{- if gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas) -}}
{{- fail "autoscaling.minReplicas exceeds autoscaling.maxReplicas" -}}
{{- end -}}
{{- else if gt (int .Values.replicaCount) $parts -}}
{{- fail (printf "replicaCount (%d) exceeds kafka.requirementsPartitions (%d): the extra consumers would stay idle; add partitions first" (int .Values.replicaCount) $parts) -}}
{{- end -}}
{{- range $k, $v := .Values.kafka.properties -}}
{{- if or (contains "password" $k) (contains "secret" $k) (contains "sasl.oauthbearer.config" $k) (contains "ssl.key.pem" $k) -}}
{{- fail (printf "kafka.properties.%s looks secret and would land in a ConfigMap: use kafka.saslPassword.existingSecret" $k) -}}
{{- end -}}
{{- if regexMatch "[\r\n]" (toString $v) -}}
{{- fail (printf "kafka.properties.%s spans several lines" $k) -}}
{{- end -}}
{{- end -}}
{{- range $k, $v := .Values.config -}}
{{- if has $k (list "brokers" "redis" "http" "http_token" "http_token_file" "http_tenants_file" "group" "topic_prefix" "instance_id" "kafka" "bootstrap_file" "embedded_partitions") -}}
{{- fail (printf "config.%s is set by the chart: use the kafka, redis or http values" $k) -}}
{{- end -}}
{{- if not (regexMatch "^[a-z][a-z0-9_]*$" $k) -}}
{{- fail (printf "config.%s is not an option name (lower case and underscores)" $k) -}}
{{- end -}}
{{- if regexMatch "[\r\n]" (toString $v) -}}
{{- fail (printf "config.%s spans several lines" $k) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.redis.username (not .Values.redis.password.existingSecret) -}}
{{- fail "redis.username needs redis.password.existingSecret (or put both in redis.url.existingSecret)" -}}
{{- end -}}
{{- if not (regexMatch "^[^'\\s@/]+$" (toString .Values.redis.host)) -}}
{{- fail (printf "redis.host %q is not a host name or address" (toString .Values.redis.host)) -}}
{{- end -}}
{{- if and .Values.redis.username (not (regexMatch "^[^'\\s@:/]+$" (toString .Values.redis.username))) -}}
{{- fail "redis.username may not contain quotes, spaces, '@', ':' or '/'" -}}
{{- end -}}
{{- if and .Values.redis.url.existingSecret .Values.redis.password.existingSecret -}}
{{- fail "set redis.url.existingSecret or redis.password.existingSecret, not both" -}}
{{- end -}}
{{- end -}}

{{/* A value as the daemon's parser wants it: integers without exponent, booleans as words. */}}
{{- define "pipewright.confValue" -}}
{{- if kindIs "float64" . -}}
{{- if eq . (floor .) -}}{{- printf "%d" (int64 .) -}}{{- else -}}{{- . -}}{{- end -}}
{{- else if kindIs "int64" . -}}
{{- printf "%d" . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}
