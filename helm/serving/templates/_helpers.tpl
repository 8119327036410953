{{/* Names, labels and images: every object's app.kubernetes.io/* labels come from here. */}}

{{- define "serving.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "serving.fullname" -}}
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

{{/* The name of one component's objects: <fullname>-<component>. */}}
{{- define "serving.componentName" -}}
{{- printf "%s-%s" (include "serving.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "serving.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that pick the release's pods: every pod of the release carries them. */}}
{{- define "serving.releaseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "serving.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of every object of the release. */}}
{{- define "serving.labels" -}}
helm.sh/chart: {{ include "serving.chart" . }}
{{ include "serving.releaseSelectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: serving
{{- end }}

{{/* Labels that pick one component's pods; a serving pool's role is its pod label serving.dev/role. */}}
{{- define "serving.componentSelectorLabels" -}}
{{ include "serving.releaseSelectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- if ne .component "redis" }}
serving.dev/role: {{ .component }}
{{- end }}
{{- end }}

{{- define "serving.componentLabels" -}}
{{ include "serving.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- if ne .component "redis" }}
serving.dev/role: {{ .component }}
{{- end }}
{{- end }}

{{/* repository:tag, or repository@digest when a digest is given. Argument: dict image, default (tag). */}}
{{- define "serving.imageRef" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (toString (default .default .image.tag)) }}
{{- end }}
{{- end }}

{{- define "serving.image" -}}
{{- include "serving.imageRef" (dict "image" .Values.image "default" .Chart.AppVersion) }}
{{- end }}

{{- define "serving.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "serving.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The worker pools that are on, in a fixed order. */}}
{{- define "serving.workerPools" -}}
{{- $pools := list }}
{{- range $role := list "prefill" "decode" "mixed" }}
{{- if (index $.Values $role).enabled }}
{{- $pools = append $pools $role }}
{{- end }}
{{- end }}
{{- join "," $pools }}
{{- end }}

{{/* Redis: SERVING_REDIS (host:port[,options]) and the Secret holding its password ("" = none). */}}
{{- define "serving.redisAddress" -}}
{{- if .Values.redis.enabled }}
{{- printf "%s:6379" (include "serving.componentName" (dict "root" . "component" "redis")) }}
{{- else }}
{{- $address := printf "%s:%v" .Values.redis.external.host .Values.redis.external.port }}
{{- if .Values.redis.external.options }}
{{- $address = printf "%s,%s" $address .Values.redis.external.options }}
{{- end }}
{{- $address }}
{{- end }}
{{- end }}

{{- define "serving.redisSecretName" -}}
{{- if .Values.redis.enabled }}
{{- default (include "serving.componentName" (dict "root" . "component" "redis")) .Values.redis.auth.existingSecret }}
{{- else }}
{{- .Values.redis.external.existingSecret }}
{{- end }}
{{- end }}

{{- define "serving.redisSecretKey" -}}
{{- if .Values.redis.enabled }}
{{- if .Values.redis.auth.existingSecret }}{{ .Values.redis.auth.existingSecretKey }}{{ else }}password{{ end }}
{{- else }}
{{- .Values.redis.external.existingSecretKey }}
{{- end }}
{{- end }}

{{/* API keys: the existing Secret holding them ("" = none: the API is open). Keys are never chart values. */}}
{{- define "serving.apiKeysSecretName" -}}
{{- .Values.apiKeys.existingSecret }}
{{- end }}

{{- define "serving.apiKeysSecretKey" -}}
{{- .Values.apiKeys.existingSecretKey }}
{{- end }}

{{/* Cluster TLS: the Secret with ca.crt, tls.crt and tls.key ("" = TLS off). */}}
{{- define "serving.tlsSecretName" -}}
{{- if .Values.tls.enabled }}
{{- default (printf "%s-tls" (include "serving.fullname" .)) .Values.tls.existingSecret }}
{{- end }}
{{- end }}

{{/* The model: which source is set ("pvc", "hostPath", "image" or "default") and the folder the pods read. */}}
{{- define "serving.modelSource" -}}
{{- $m := .Values.model }}
{{- $sources := list }}
{{- if $m.persistentVolumeClaim.claimName }}{{ $sources = append $sources "pvc" }}{{ end }}
{{- if $m.hostPath.path }}{{ $sources = append $sources "hostPath" }}{{ end }}
{{- if $m.image.repository }}{{ $sources = append $sources "image" }}{{ end }}
{{- if gt (len $sources) 1 }}
{{- fail (printf "model: give one of persistentVolumeClaim.claimName, hostPath.path or image.repository, not %s" (join " and " $sources)) }}
{{- end }}
{{- default "default" (first $sources) }}
{{- end }}

{{- define "serving.modelName" -}}
{{- if eq (include "serving.modelSource" .) "default" }}tiny-llama-v1{{ else }}{{ default "model" .Values.model.name }}{{ end }}
{{- end }}

{{- define "serving.modelPath" -}}
{{- printf "%s/%s" (trimSuffix "/" .Values.model.mountRoot) (default "model" .Values.model.name) }}
{{- end }}

{{/* terminationGracePeriodSeconds: the preStop sleep, the drain, then the host's own shutdown. Argument: dict root, pool. */}}
{{- define "serving.drainTimeout" -}}
{{- $drain := .root.Values.lifecycle.drainTimeoutSeconds }}
{{- if not (kindIs "invalid" .pool.drainTimeoutSeconds) }}{{ $drain = .pool.drainTimeoutSeconds }}{{ end }}
{{- int $drain }}
{{- end }}

{{- define "serving.terminationGracePeriod" -}}
{{- $l := .root.Values.lifecycle }}
{{- add (int $l.preStopSleepSeconds) (include "serving.drainTimeout" . | int) (int $l.shutdownMarginSeconds) }}
{{- end }}
