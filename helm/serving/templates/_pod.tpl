{{/*
The pod of every serving pool: one `serving` process (one Orleans silo; a worker pod runs one worker on one device).
Argument: dict root (the chart's context), component (gateway, prefill, decode or mixed), pool (its values block).
*/}}
{{- define "serving.podTemplate" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $component := .component }}
{{- $pool := .pool }}
{{- $gateway := eq $component "gateway" }}
{{- $probePort := ternary "http" "metrics" $gateway }}
{{- $probes := mergeOverwrite (deepCopy $v.probes) (deepCopy (default (dict) $pool.probes)) }}
{{- $model := include "serving.modelSource" $root }}
{{- $redisSecret := include "serving.redisSecretName" $root }}
{{- $apiKeysSecret := include "serving.apiKeysSecretName" $root }}
{{- $tlsSecret := include "serving.tlsSecretName" $root }}
{{- $profile := $v.planner.profile }}
metadata:
  labels:
    {{- include "serving.componentSelectorLabels" (dict "root" $root "component" $component) | nindent 4 }}
    app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
    {{- with $pool.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- $annotations := dict }}
  {{- if $v.metrics.podAnnotations }}
  {{- $_ := set $annotations "prometheus.io/scrape" "true" }}
  {{- $_ := set $annotations "prometheus.io/port" (toString $v.ports.metrics) }}
  {{- $_ := set $annotations "prometheus.io/path" "/metrics" }}
  {{- end }}
  {{- $annotations = merge (deepCopy (default (dict) $pool.podAnnotations)) $annotations }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "serving.serviceAccountName" $root }}
  automountServiceAccountToken: false
  # Service links would put <SERVICE>_PORT variables in the environment; some look like SERVING_* options.
  enableServiceLinks: false
  terminationGracePeriodSeconds: {{ include "serving.terminationGracePeriod" (dict "root" $root "pool" $pool) }}
  {{- with $pool.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with $pool.runtimeClassName }}
  runtimeClassName: {{ . }}
  {{- end }}
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    runAsNonRoot: true
    runAsUser: {{ $v.securityContext.runAsUser }}
    runAsGroup: {{ $v.securityContext.runAsGroup }}
    fsGroup: {{ $v.securityContext.fsGroup }}
    seccompProfile:
      type: RuntimeDefault
  {{- with $pool.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $pool.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $pool.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if $pool.topologySpread.enabled }}
  topologySpreadConstraints:
    - maxSkew: {{ $pool.topologySpread.maxSkew }}
      topologyKey: {{ $pool.topologySpread.topologyKey }}
      whenUnsatisfiable: {{ $pool.topologySpread.whenUnsatisfiable }}
      labelSelector:
        matchLabels:
          {{- include "serving.componentSelectorLabels" (dict "root" $root "component" $component) | nindent 10 }}
  {{- end }}
  {{- if eq $model "image" }}
  initContainers:
    # Copies the checkpoint out of its image into the pod's model volume.
    - name: model
      image: {{ include "serving.imageRef" (dict "image" $v.model.image "default" "latest") }}
      imagePullPolicy: {{ $v.model.image.pullPolicy }}
      command: ["cp", "-R", "{{ trimSuffix "/" $v.model.image.path }}/.", "/target/"]
      securityContext:
        {{- include "serving.containerSecurityContext" $root | nindent 8 }}
      volumeMounts:
        - name: model
          mountPath: /target
  {{- end }}
  containers:
    - name: serving
      image: {{ include "serving.image" $root }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      securityContext:
        {{- include "serving.containerSecurityContext" $root | nindent 8 }}
      ports:
        {{- if $gateway }}
        - name: http
          containerPort: {{ $v.ports.http }}
          protocol: TCP
        {{- else }}
        - name: kv
          containerPort: {{ $v.ports.kv }}
          protocol: TCP
        {{- end }}
        # /metrics for scrapers (no API key) and the probes; the gateway's API port serves /metrics only with a key.
        - name: metrics
          containerPort: {{ $v.ports.metrics }}
          protocol: TCP
        - name: silo
          containerPort: {{ $v.ports.silo }}
          protocol: TCP
        - name: orleans-client
          containerPort: {{ $v.ports.orleansClient }}
          protocol: TCP
      env:
        - name: SERVING_ROLES
          value: {{ $component }}
        - name: SERVING_ADVERTISE_ADDRESS
          valueFrom:
            fieldRef:
              fieldPath: status.podIP
        - name: SERVING_CLUSTER_ID
          value: {{ include "serving.fullname" $root }}
        - name: SERVING_REDIS
          value: {{ include "serving.redisAddress" $root | quote }}
        {{- if $redisSecret }}
        - name: SERVING_REDIS_PASSWORD_FILE
          value: /var/run/secrets/serving/redis/password
        {{- end }}
        {{- if $tlsSecret }}
        - name: SERVING_TLS_DIR
          value: /var/run/secrets/serving/tls
        {{- else }}
        - name: SERVING_INSECURE
          value: "true"
        {{- end }}
        - name: SERVING_SILO_PORT
          value: {{ int $v.ports.silo | quote }}
        - name: SERVING_ORLEANS_CLIENT_PORT
          value: {{ int $v.ports.orleansClient | quote }}
        {{- if $gateway }}
        - name: SERVING_HTTP_PORT
          value: {{ int $v.ports.http | quote }}
        - name: SERVING_MAX_CONCURRENT_REQUESTS
          value: {{ int $pool.maxConcurrentRequests | quote }}
        {{- if $apiKeysSecret }}
        - name: SERVING_API_KEY_FILE
          value: /var/run/secrets/serving/api-keys/api-keys
        {{- end }}
        - name: SERVING_METRICS_PORT
          value: {{ int $v.ports.metrics | quote }}
        {{- else }}
        - name: SERVING_KV_PORT
          value: {{ int $v.ports.kv | quote }}
        - name: SERVING_METRICS_PORT
          value: {{ int $v.ports.metrics | quote }}
        # One worker per pod: the pod's device is that worker's.
        - name: SERVING_{{ upper $component }}_WORKERS
          value: "1"
        - name: SERVING_DTYPE
          value: {{ $pool.engine.dtype | quote }}
        - name: SERVING_DEVICE
          value: {{ $pool.engine.device | quote }}
        - name: SERVING_KV_CACHE_MB
          value: {{ int $pool.engine.kvCacheMb | quote }}
        - name: SERVING_PREFILL_LAYER_GROUPS
          value: {{ int $pool.engine.prefillLayerGroups | quote }}
        - name: SERVING_PREFILL_CHUNK_TOKENS
          value: {{ int $pool.engine.prefillChunkTokens | quote }}
        {{- end }}
        {{- if eq $model "default" }}
        - name: SERVING_MODEL_DIR
          value: {{ $v.model.defaultModelDir | quote }}
        {{- else }}
        - name: SERVING_MODEL
          value: {{ include "serving.modelPath" $root | quote }}
        {{- end }}
        - name: SERVING_KV_TRANSPORT
          value: {{ $v.routing.kvTransport | quote }}
        - name: SERVING_ROUTING_POLICY
          value: {{ $v.routing.policy | quote }}
        - name: SERVING_DRAIN_TIMEOUT_S
          value: {{ include "serving.drainTimeout" (dict "root" $root "pool" $pool) | quote }}
        - name: SERVING_LIVENESS_STALL_S
          value: {{ $v.lifecycle.livenessStallSeconds | quote }}
        {{- include "serving.plannerEnv" $root | trim | nindent 8 }}
        {{- with $v.telemetry.otlpEndpoint }}
        - name: SERVING_OTLP_ENDPOINT
          value: {{ . | quote }}
        {{- end }}
        - name: SERVING_OTLP_PROTOCOL
          value: {{ $v.telemetry.otlpProtocol | quote }}
        - name: HOME
          value: /home/app
        {{- with $pool.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $pool.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      startupProbe:
        httpGet:
          path: {{ $probes.startup.path }}
          port: {{ $probePort }}
        periodSeconds: {{ $probes.startup.periodSeconds }}
        timeoutSeconds: {{ $probes.startup.timeoutSeconds }}
        failureThreshold: {{ $probes.startup.failureThreshold }}
      readinessProbe:
        httpGet:
          path: {{ $probes.readiness.path }}
          port: {{ $probePort }}
        periodSeconds: {{ $probes.readiness.periodSeconds }}
        timeoutSeconds: {{ $probes.readiness.timeoutSeconds }}
        failureThreshold: {{ $probes.readiness.failureThreshold }}
      livenessProbe:
        httpGet:
          path: {{ $probes.liveness.path }}
          port: {{ $probePort }}
        periodSeconds: {{ $probes.liveness.periodSeconds }}
        timeoutSeconds: {{ $probes.liveness.timeoutSeconds }}
        failureThreshold: {{ $probes.liveness.failureThreshold }}
      {{- with int $v.lifecycle.preStopSleepSeconds }}
      lifecycle:
        # Lets the endpoint leave the Services before SIGTERM starts the drain.
        preStop:
          {{- if semverCompare ">=1.30-0" $root.Capabilities.KubeVersion.Version }}
          sleep:
            seconds: {{ . }}
          {{- else }}
          exec:
            command: ["sleep", "{{ . }}"]
          {{- end }}
      {{- end }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        # ~/.cache: the default profile lookup (~/.cache/serving/profiles) and other caches.
        - name: cache
          mountPath: /home/app/.cache
        {{- if eq $model "default" }}
        - name: models
          mountPath: {{ $v.model.defaultModelDir }}
        {{- else }}
        - name: model
          mountPath: {{ include "serving.modelPath" $root }}
          readOnly: true
          {{- if and (eq $model "pvc") $v.model.persistentVolumeClaim.subPath }}
          subPath: {{ $v.model.persistentVolumeClaim.subPath }}
          {{- end }}
        {{- end }}
        {{- if $redisSecret }}
        - name: redis-password
          mountPath: /var/run/secrets/serving/redis
          readOnly: true
        {{- end }}
        {{- if and $gateway $apiKeysSecret }}
        - name: api-keys
          mountPath: /var/run/secrets/serving/api-keys
          readOnly: true
        {{- end }}
        {{- if $tlsSecret }}
        - name: tls
          mountPath: /var/run/secrets/serving/tls
          readOnly: true
        {{- end }}
        {{- if or $profile.configMap.name $profile.volume }}
        - name: profile
          mountPath: /etc/serving/profile
          readOnly: true
        {{- end }}
  volumes:
    - name: tmp
      emptyDir: {}
    - name: cache
      emptyDir: {}
    {{- if eq $model "default" }}
    - name: models
      emptyDir: {}
    {{- else if eq $model "pvc" }}
    - name: model
      persistentVolumeClaim:
        claimName: {{ $v.model.persistentVolumeClaim.claimName }}
        readOnly: true
    {{- else if eq $model "hostPath" }}
    - name: model
      hostPath:
        path: {{ $v.model.hostPath.path }}
        type: {{ $v.model.hostPath.type }}
    {{- else }}
    - name: model
      emptyDir: {}
    {{- end }}
    {{- if $redisSecret }}
    - name: redis-password
      secret:
        secretName: {{ $redisSecret }}
        # 0440: the owner and the pod's fsGroup.
        defaultMode: 288
        items:
          - key: {{ include "serving.redisSecretKey" $root }}
            path: password
    {{- end }}
    {{- if and $gateway $apiKeysSecret }}
    - name: api-keys
      secret:
        secretName: {{ $apiKeysSecret }}
        defaultMode: 288
        items:
          - key: {{ include "serving.apiKeysSecretKey" $root }}
            path: api-keys
    {{- end }}
    {{- if $tlsSecret }}
    - name: tls
      secret:
        secretName: {{ $tlsSecret }}
        defaultMode: 288
        items:
          - key: ca.crt
            path: ca.crt
          - key: tls.crt
            path: tls.crt
          - key: tls.key
            path: tls.key
    {{- end }}
    {{- if $profile.configMap.name }}
    - name: profile
      configMap:
        name: {{ $profile.configMap.name }}
        items:
          - key: {{ $profile.configMap.key }}
            path: {{ $profile.configMap.key }}
    {{- else if $profile.volume }}
    - name: profile
      {{- toYaml $profile.volume | nindent 6 }}
    {{- end }}
{{- end }}

{{/* The runtime planner's settings: the same in every pod (its grain runs on whichever silo activates it). */}}
{{- define "serving.plannerEnv" -}}
{{- $p := .Values.planner }}
- name: SERVING_PLANNER
  value: {{ ternary "on" "off" $p.enabled | quote }}
{{- if $p.profile.configMap.name }}
- name: SERVING_PROFILE
  value: {{ printf "/etc/serving/profile/%s" $p.profile.configMap.key | quote }}
{{- else if $p.profile.volume }}
- name: SERVING_PROFILE
  value: {{ printf "/etc/serving/profile/%s" (trimPrefix "/" $p.profile.path) | quote }}
{{- end }}
- name: SERVING_SLO_TTFT_MS
  value: {{ $p.sloTtftMs | quote }}
- name: SERVING_SLO_TPOT_MS
  value: {{ $p.sloTpotMs | quote }}
- name: SERVING_SLO_ATTAINMENT
  value: {{ $p.sloAttainment | quote }}
- name: SERVING_REPLAN_INTERVAL_S
  value: {{ $p.replanIntervalSeconds | quote }}
- name: SERVING_REPLAN_MIN_INTERVAL_S
  value: {{ $p.replanMinIntervalSeconds | quote }}
- name: SERVING_PLANNER_WINDOW_S
  value: {{ $p.windowSeconds | quote }}
- name: SERVING_PLANNER_HYSTERESIS
  value: {{ $p.hysteresis | quote }}
- name: SERVING_PLANNER_HEADROOM
  value: {{ $p.headroom | quote }}
- name: SERVING_PLANNER_SHAPES
  value: {{ $p.shapes | quote }}
{{- with $p.layerGroups }}
- name: SERVING_PLANNER_LAYER_GROUPS
  value: {{ . | quote }}
{{- end }}
{{- with $p.thresholds }}
- name: SERVING_PLANNER_THRESHOLDS
  value: {{ . | quote }}
{{- end }}
{{- end }}

{{/* Every container of the release: non-root, read-only root, no privilege escalation, no capabilities. */}}
{{- define "serving.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}
