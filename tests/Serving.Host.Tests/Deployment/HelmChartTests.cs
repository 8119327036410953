using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using static Serving.Host.Tests.Deployment.RenderedChart;

namespace Serving.Host.Tests.Deployment;

/// <summary>
/// helm/serving, checked offline (no cluster here): `helm lint --strict`, every rendered object against the
/// Kubernetes API schema (tools/k8s/validate.mjs), and what the chart promises: one workload per pool with its role,
/// probes, locked-down pods, secrets by reference, NetworkPolicies, GPUs, drain-aware grace periods, optional
/// ServiceMonitor and HPAs, only variables `serving` reads, and a values schema that rejects bad values.
/// </summary>
public sealed class HelmChartTests
{
    static readonly string[] ReleasePodLabels = ["app.kubernetes.io/instance", "app.kubernetes.io/name"];

    public static TheoryData<string> ValueSets() => new(HelmChart.ValueSets());

    [Fact]
    public void ValueSets_CoverTheExamplesUnderCi()
    {
        Assert.Equal(
            [HelmChart.Defaults, "api-keys-values.yaml", "autoscaling-values.yaml", "cpu-values.yaml", "external-redis-values.yaml", "gpu-values.yaml"],
            HelmChart.ValueSets());
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Lint_ValueSet_PassesStrict(string valueSet)
    {
        var result = HelmChart.Lint(HelmChart.ValuesArgs(valueSet));

        Assert.True(result.ExitCode == 0, $"helm lint --strict ({valueSet}) failed:\n{result.Output}");
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Template_ValueSet_EveryObjectPassesTheApiSchema(string valueSet)
    {
        var rendered = HelmChart.RenderValueSet(valueSet);

        var result = HelmChart.Validate(rendered.Text);

        Assert.True(result.ExitCode == 0, $"validate.mjs found problems in the {valueSet} rendering:\n{result.Output}");
        Assert.Contains($"{rendered.Objects.Count} objects, 0 problems", result.Stdout);
    }

    [Fact]
    public void Validator_MisspelledFieldAndUnknownKind_AreReported()
    {
        // The default rendering with one field misspelled, and an object of a kind no model knows.
        var rendered = HelmChart.Render();
        var at = rendered.Text.IndexOf("readOnlyRootFilesystem:", StringComparison.Ordinal);
        Assert.True(at > 0);
        var yaml = string.Concat(rendered.Text.AsSpan(0, at), "readOnlyRootFilesytem:", rendered.Text.AsSpan(at + "readOnlyRootFilesystem:".Length))
            + "---\napiVersion: serving.dev/v1\nkind: Encoder\nmetadata:\n  name: e\n";

        var result = HelmChart.Validate(yaml);

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"(?m)^[A-Za-z]+/serving-[a-z]+: /spec/template/spec/containers/0/securityContext/readOnlyRootFilesytem: unknown field", result.Stdout);
        Assert.Contains("Encoder/e: /: unknown kind serving.dev/v1/Encoder", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{rendered.Objects.Count + 1} objects, 2 problems", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Template_ValueSet_OneWorkloadPerPoolCarryingItsRole(string valueSet)
    {
        var rendered = HelmChart.RenderValueSet(valueSet);

        var byRole = rendered.ServingPods().GroupBy(p => p.Role).ToDictionary(g => g.Key ?? "?", g => g.ToList());

        Assert.Equal(["decode", "gateway", "prefill"], byRole.Keys.Order(StringComparer.Ordinal));
        foreach (var (role, pods) in byRole)
        {
            var pod = Assert.Single(pods);
            Assert.StartsWith("Deployment/", pod.Owner, StringComparison.Ordinal);
            var env = pod.Env();
            Assert.Equal(role, env["SERVING_ROLES"]);
            var advertise = Items(pod.Serving!["env"]).Single(e => Str(e["name"]) == "SERVING_ADVERTISE_ADDRESS");
            Assert.Equal("status.podIP", Str(advertise["valueFrom"]?["fieldRef"]?["fieldPath"]));
            Assert.Equal(HelmChart.Release, env["SERVING_CLUSTER_ID"]);
            Assert.False(string.IsNullOrEmpty(env["SERVING_REDIS"]), $"{pod.Owner} has no SERVING_REDIS");

            // Every pod is an Orleans silo with a metrics port; the gateway serves HTTP, each worker KV.
            var ports = Items(pod.Serving["ports"]).ToDictionary(p => Str(p["name"])!, p => Str(p["containerPort"]));
            string[] expected = role == "gateway" ? ["http", "metrics", "orleans-client", "silo"] : ["kv", "metrics", "orleans-client", "silo"];
            Assert.Equal(expected, ports.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(ports["silo"], env["SERVING_SILO_PORT"]);
            Assert.Equal(ports["orleans-client"], env["SERVING_ORLEANS_CLIENT_PORT"]);
            Assert.Equal(ports["metrics"], env["SERVING_METRICS_PORT"]);
            if (role == "gateway")
                Assert.Equal(ports["http"], env["SERVING_HTTP_PORT"]);
            else
            {
                Assert.Equal(ports["kv"], env["SERVING_KV_PORT"]);
                Assert.Equal("1", env[$"SERVING_{role.ToUpperInvariant()}_WORKERS"]); // one worker, one device per pod
            }
        }
    }

    // What the schema validator cannot see: references between objects (the API server rejects a workload whose
    // selector misses its pods; a Service, PDB or probe naming no pod or port silently does nothing).
    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Template_ValueSet_SelectorsAndNamedPortsPointAtRealPods(string valueSet)
    {
        var rendered = HelmChart.RenderValueSet(valueSet);
        var pods = rendered.Pods().Where(p => !p.Owner.StartsWith("Pod/", StringComparison.Ordinal)).ToList();
        Func<RenderedPod, HashSet<string?>> portNames = pod => pod.Containers.SelectMany(c => Items(c["ports"])).Select(port => Str(port["name"])).ToHashSet();

        foreach (var pod in pods)
        {
            Assert.True(Selects(pod.Object["spec"]!["selector"]!.AsObject(), pod.Metadata["labels"]!.AsObject()), $"{pod.Owner}'s selector misses its own pods");
            foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
                foreach (var container in pod.Containers)
                    if (Str(container[probe]?["httpGet"]?["port"] ?? container[probe]?["tcpSocket"]?["port"]) is { } port)
                        Assert.Contains(port, portNames(pod));
        }
        foreach (var service in rendered.OfKind("Service"))
        {
            var selected = pods.Where(p => Selects(new JsonObject { ["matchLabels"] = service["spec"]!["selector"]!.DeepClone() }, p.Metadata["labels"]!.AsObject())).ToList();
            Assert.True(selected.Count == 1, $"Service/{Name(service)} selects {selected.Count} workloads");
            foreach (var port in Items(service["spec"]!["ports"]))
                Assert.Contains(Str(port["targetPort"]), portNames(selected[0]));
        }
        foreach (var pdb in rendered.OfKind("PodDisruptionBudget"))
            Assert.Single(pods, p => Selects(pdb["spec"]!["selector"]!.AsObject(), p.Metadata["labels"]!.AsObject()));
        foreach (var hpa in rendered.OfKind("HorizontalPodAutoscaler"))
            Assert.Contains(pods, p => p.Owner == $"{Str(hpa["spec"]!["scaleTargetRef"]!["kind"])}/{Str(hpa["spec"]!["scaleTargetRef"]!["name"])}");
    }

    [Fact]
    public void Template_MixedPoolEnabled_AddsItsOwnWorkload()
    {
        var rendered = HelmChart.Render("--set", "mixed.enabled=true", "--set", "mixed.replicas=3");

        var mixed = Assert.Single(rendered.ServingPods(), p => p.Role == "mixed");

        Assert.Equal("mixed", mixed.Env()["SERVING_ROLES"]);
        Assert.Equal("3", Str(mixed.Object["spec"]!["replicas"]));
        Assert.Contains(rendered.OfKind("PodDisruptionBudget"), p => Label(p, "serving.dev/role") == "mixed");
        Assert.Equal(0, HelmChart.Validate(rendered.Text).ExitCode);
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Template_ValueSet_EveryServingContainerHasStartupReadinessAndLivenessProbes(string valueSet)
    {
        foreach (var pod in HelmChart.RenderValueSet(valueSet).ServingPods())
        {
            var port = pod.Role == "gateway" ? "http" : "metrics";
            foreach (var (probe, path) in new[] { ("startupProbe", "/livez"), ("readinessProbe", "/readyz"), ("livenessProbe", "/livez") })
            {
                var get = pod.Serving![probe]?["httpGet"];
                Assert.True(get is not null, $"{pod.Owner} has no {probe} httpGet");
                Assert.Equal(path, Str(get["path"]));
                Assert.Equal(port, Str(get["port"]));
            }
            // The port opens once the model is loaded: the startup probe must wait long enough for a load.
            var startup = pod.Serving!["startupProbe"]!;
            var window = Int(startup["periodSeconds"]) * Int(startup["failureThreshold"]);
            Assert.True(window >= 300, $"{pod.Owner}'s startup probe gives the model load only {window} s");
        }
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Template_ValueSet_EveryContainerRunsNonRootReadOnlyWithoutCapabilities(string valueSet)
    {
        var pods = HelmChart.RenderValueSet(valueSet).Pods().ToList();
        Assert.Contains(pods, p => p.Owner.StartsWith("Pod/", StringComparison.Ordinal)); // the helm test hook too

        foreach (var pod in pods)
        {
            var podContext = pod.Spec["securityContext"];
            Assert.Equal("false", Str(pod.Spec["automountServiceAccountToken"]));
            foreach (var c in pod.Containers.Concat(pod.InitContainers))
            {
                var where = $"{pod.Owner} container {Str(c["name"])}";
                var sc = c["securityContext"];
                Assert.True(sc is not null, $"{where} has no securityContext");
                Assert.Equal("true", Str(sc["runAsNonRoot"] ?? podContext?["runAsNonRoot"]));
                var user = Str(sc["runAsUser"] ?? podContext?["runAsUser"]);
                Assert.True(int.TryParse(user, CultureInfo.InvariantCulture, out var uid) && uid > 0, $"{where} runs as user '{user}'");
                Assert.Equal("true", Str(sc["readOnlyRootFilesystem"]));
                Assert.Equal("false", Str(sc["allowPrivilegeEscalation"]));
                Assert.Contains("ALL", sc["capabilities"]?["drop"]?.AsArray().Select(Str) ?? []);
                Assert.Equal("RuntimeDefault", Str(sc["seccompProfile"]?["type"] ?? podContext?["seccompProfile"]?["type"]));
            }
            if (pod.Serving is not null)
            {
                // The image's app user, numerically, so runAsNonRoot can be checked; fsGroup for the mounted secrets.
                foreach (var field in new[] { "runAsUser", "runAsGroup", "fsGroup" })
                    Assert.Equal("1654", Str(podContext?[field]));
                Assert.Equal("/home/app", pod.Env()["HOME"]);
                // A read-only root: /tmp, the cache (profiles) and the default model's folder are volumes.
                var mounts = Items(pod.Serving["volumeMounts"]).Select(m => Str(m["mountPath"])).ToList();
                Assert.Contains("/tmp", mounts);
                Assert.Contains("/home/app/.cache", mounts);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Template_ValueSet_SecretsOnlyByReference(string valueSet)
    {
        var rendered = HelmChart.RenderValueSet(valueSet);
        AssertSecretsByReference(rendered);
    }

    [Theory]
    [InlineData("decode", "colocated,disaggregated", "set planner.shapes=disaggregated")]
    [InlineData("mixed", "colocated,disaggregated", "set planner.shapes=colocated")]
    public void Template_AutoscaledPool_WhileThePlannerMayChooseAnotherShape_IsRefused(string pool, string shapes, string message)
    {
        var refused = HelmChart.TryRender("--set", $"{pool}.autoscaling.enabled=true", "--set", "mixed.enabled=true", "--set", $"planner.shapes={shapes.Replace(",", "\\,", StringComparison.Ordinal)}");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains(message, refused.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_ApiKeysAsValues_AreRefused_OnlyAnExistingSecretIsTaken()
    {
        var refused = HelmChart.TryRender("--set", "apiKeys.keys={alpha-key-1}");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("keys", refused.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_Defaults_RedisAppendsEveryWriteToItsClaimedVolume_SoARestartKeepsTheMembershipTable()
    {
        var rendered = HelmChart.Render();
        var redis = Assert.Single(rendered.OfKind("StatefulSet"));
        var pod = rendered.Pods().Single(p => p.Owner == $"StatefulSet/{Name(redis)}");
        var container = Assert.Single(pod.Containers);

        // redis.conf as the start script writes it: one `echo "directive value"` per line.
        var conf = string.Join("\n", container["command"]!.AsArray().Select(Str)).Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("echo \"", StringComparison.Ordinal) && l.EndsWith('"'))
            .Select(l => l["echo \"".Length..^1].Split(' ', 2))
            .ToDictionary(d => d[0], d => d[1]);
        Assert.Equal("yes", conf["appendonly"]);
        // Flushed every second: a crash loses at most that much; "no" would leave it to the kernel.
        Assert.Equal("everysec", conf["appendfsync"]);
        // The root filesystem is read-only, and only the claimed volume outlives the pod: the file must go there.
        var mount = Assert.Single(Items(container["volumeMounts"]), m => Str(m["mountPath"]) == conf["dir"]);
        Assert.Contains(Items(redis["spec"]!["volumeClaimTemplates"]), c => Str(c["metadata"]!["name"]) == Str(mount["name"]));
        Assert.DoesNotContain(Items(pod.Spec["volumes"]), v => Str(v["name"]) == Str(mount["name"]));
    }

    [Fact]
    public void Template_Defaults_RedisPersistsAndReadsItsPasswordFromTheSecretFile()
    {
        var rendered = HelmChart.Render();
        var redis = Assert.Single(rendered.OfKind("StatefulSet"));
        var pod = rendered.Pods().Single(p => p.Owner == $"StatefulSet/{Name(redis)}");
        var container = Assert.Single(pod.Containers);

        var script = string.Join("\n", container["command"]!.AsArray().Select(Str));
        Assert.Contains("appendonly yes", script, StringComparison.Ordinal);
        Assert.Contains("exec redis-server /etc/redis/redis.conf", script, StringComparison.Ordinal);
        Assert.Contains("< /var/run/secrets/redis/password", script, StringComparison.Ordinal);
        Assert.Null(container["env"]);
        var claim = Assert.Single(Items(redis["spec"]!["volumeClaimTemplates"]));
        Assert.Equal("data", Str(claim["metadata"]!["name"]));
        Assert.Contains(Items(container["volumeMounts"]), m => Str(m["name"]) == "data" && Str(m["mountPath"]) == "/data");
        // Redis 7.2, the last BSD-licensed line (7.4 and later are RSALv2/SSPL), or a digest the user pinned.
        Assert.Matches(@"^redis(:7\.2(\.[0-9]+)?(-[a-z]+)?|@sha256:[a-f0-9]+)$", Str(container["image"]));

        // Every serving pod joins it with the generated Secret's password, mounted as a file.
        var secret = Assert.Single(rendered.OfKind("Secret"), s => Name(s) == "serving-redis");
        Assert.Equal(32, Convert.FromBase64String(Str(secret["data"]!["password"])!).Length);
        foreach (var serving in rendered.ServingPods())
        {
            Assert.Equal("serving-redis:6379", serving.Env()["SERVING_REDIS"]);
            Assert.Equal("/var/run/secrets/serving/redis/password", serving.Env()["SERVING_REDIS_PASSWORD_FILE"]);
            Assert.Contains(Items(serving.Spec["volumes"]), v => Str(v["secret"]?["secretName"]) == "serving-redis");
        }
    }

    [Fact]
    public void Template_ExternalRedis_NoBuiltInRedisAndPodsJoinTheGivenOne()
    {
        var rendered = HelmChart.RenderValueSet("external-redis-values.yaml");

        Assert.Empty(rendered.OfKind("StatefulSet"));
        Assert.DoesNotContain(rendered.OfKind("Secret"), s => Name(s) == "serving-redis" && Label(s, "app.kubernetes.io/component") == "redis");
        Assert.DoesNotContain(rendered.OfKind("NetworkPolicy"), n => Name(n) == "serving-redis");
        foreach (var pod in rendered.ServingPods())
        {
            Assert.Equal("redis.infra.svc.cluster.local:6380,ssl=true", pod.Env()["SERVING_REDIS"]);
            var volume = Items(pod.Spec["volumes"]).Single(v => Str(v["name"]) == "redis-password");
            Assert.Equal("serving-redis", Str(volume["secret"]!["secretName"]));
        }
    }

    [Fact]
    public void Template_Defaults_NetworkPoliciesOpenOnlyTheGatewayHttpPortBeyondTheRelease()
    {
        var rendered = HelmChart.Render();
        var policies = rendered.OfKind("NetworkPolicy").ToList();

        foreach (var pod in rendered.Pods().Where(p => !p.Owner.StartsWith("Pod/", StringComparison.Ordinal)))
        {
            var labels = pod.Metadata["labels"]!.AsObject();
            var selecting = policies.Where(p => Selects(p["spec"]!["podSelector"]!.AsObject(), labels)).ToList();
            var policy = Assert.Single(selecting);
            Assert.Equal(["Ingress"], policy["spec"]!["policyTypes"]!.AsArray().Select(Str));
            var rules = Items(policy["spec"]!["ingress"]).ToList();

            foreach (var port in pod.Containers.SelectMany(c => Items(c["ports"])).Select(p => Str(p["name"])!))
            {
                var rule = Assert.Single(rules, r => Items(r["ports"]).Any(p => Str(p["port"]) == port));
                var from = Items(rule["from"]).ToList();
                switch (port)
                {
                    case "http":
                        Assert.Empty(from); // the API: open unless networkPolicy.gateway.from narrows it
                        break;
                    case "metrics":
                        var peer = Assert.Single(from);
                        Assert.Equal("{}", peer["namespaceSelector"]?.ToJsonString()); // networkPolicy.metrics.namespaceSelector
                        break;
                    default: // kv, silo, orleans-client, redis: the release's pods only
                        var release = Assert.Single(from);
                        Assert.Null(release["namespaceSelector"]);
                        Assert.Equal(ReleasePodLabels, release["podSelector"]!["matchLabels"]!.AsObject().Select(l => l.Key).Order(StringComparer.Ordinal));
                        Assert.Equal(HelmChart.Release, Str(release["podSelector"]!["matchLabels"]!["app.kubernetes.io/instance"]));
                        break;
                }
            }
        }
    }

    [Fact]
    public void Template_NetworkPolicyValues_NarrowTheGatewayAndMetricsPeers()
    {
        var rendered = HelmChart.RenderValueSet("api-keys-values.yaml");
        var policies = rendered.OfKind("NetworkPolicy").ToDictionary(Name);

        var http = Items(policies["serving-gateway"]["spec"]!["ingress"]).Single(r => Items(r["ports"]).Any(p => Str(p["port"]) == "http"));
        Assert.Equal("ingress-nginx", Str(Assert.Single(Items(http["from"]))["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]));
        var metrics = Items(policies["serving-workers"]["spec"]!["ingress"]).Single(r => Items(r["ports"]).Any(p => Str(p["port"]) == "metrics"));
        Assert.Equal("monitoring", Str(Assert.Single(Items(metrics["from"]))["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]));

        Assert.Empty(HelmChart.Render("--set", "networkPolicy.enabled=false").OfKind("NetworkPolicy"));
    }

    [Fact]
    public void Template_GpuValues_OneGpuPerWorkerPodOnItsNodePool()
    {
        var pods = HelmChart.RenderValueSet("gpu-values.yaml").ServingPods().ToDictionary(p => p.Role!);

        foreach (var (role, replicas) in new[] { ("prefill", "2"), ("decode", "4") })
        {
            var pod = pods[role];
            Assert.Equal(replicas, Str(pod.Object["spec"]!["replicas"]));
            var resources = pod.Serving!["resources"]!;
            Assert.Equal("1", Str(resources["limits"]?["nvidia.com/gpu"]));
            Assert.Equal("1", Str(resources["requests"]?["nvidia.com/gpu"]));
            Assert.Equal($"gpu-{role}", Str(pod.Spec["nodeSelector"]?["node-pool"]));
            Assert.Contains(Items(pod.Spec["tolerations"]), t => Str(t["key"]) == "nvidia.com/gpu");
            Assert.Equal("cuda", pod.Env()["SERVING_DEVICE"]);
            Assert.Equal("/model/llama-3.1-8b-instruct", pod.Env()["SERVING_MODEL"]);
        }
        Assert.Null(pods["gateway"].Serving!["resources"]?["limits"]?["nvidia.com/gpu"]);
    }

    [Fact]
    public void Template_Defaults_RequestNoGpu()
    {
        Assert.DoesNotContain("nvidia.com/gpu", HelmChart.Render().Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Template_ValueSet_GracePeriodCoversTheDrain(string valueSet)
    {
        // The host shuts down for about 15 s after the drain (membership, silo); a preStop sleep comes first.
        const int hostShutdownSeconds = 15;
        foreach (var pod in HelmChart.RenderValueSet(valueSet).ServingPods())
        {
            var drain = double.Parse(pod.Env()["SERVING_DRAIN_TIMEOUT_S"]!, CultureInfo.InvariantCulture);
            var grace = Int(pod.Spec["terminationGracePeriodSeconds"]);
            Assert.True(grace >= PreStopSleepSeconds(pod) + drain + hostShutdownSeconds,
                $"{pod.Owner}: terminationGracePeriodSeconds {grace} < preStop {PreStopSleepSeconds(pod)} + drain {drain} + {hostShutdownSeconds}");
        }
    }

    [Fact]
    public void Template_OlderKubernetes_PreStopSleepsThroughExec()
    {
        var rendered = HelmChart.Render("--kube-version", "1.29.0");

        foreach (var pod in rendered.ServingPods())
        {
            Assert.Null(pod.Serving!["lifecycle"]!["preStop"]!["sleep"]);
            Assert.Equal(5, PreStopSleepSeconds(pod));
        }
        Assert.Equal(0, HelmChart.Validate(rendered.Text).ExitCode);
    }

    [Fact]
    public void Template_ServiceMonitor_OnlyWhenEnabledAndTheCrdExists()
    {
        const string crd = "monitoring.coreos.com/v1/ServiceMonitor";
        Assert.Empty(HelmChart.Render().OfKind("ServiceMonitor"));
        Assert.Empty(HelmChart.Render("--api-versions", crd).OfKind("ServiceMonitor"));
        Assert.Empty(HelmChart.Render("--set", "metrics.serviceMonitor.enabled=true").OfKind("ServiceMonitor"));

        var rendered = HelmChart.Render("--set", "metrics.serviceMonitor.enabled=true", "--api-versions", crd);

        var monitor = Assert.Single(rendered.OfKind("ServiceMonitor"));
        // Every Service's metrics port: the gateway's API port would want an API key for /metrics when keys are on.
        Assert.Equal(["metrics"], Items(monitor["spec"]!["endpoints"]).Select(e => Str(e["port"])!));
        var selector = monitor["spec"]!["selector"]!["matchLabels"]!.AsObject();
        var scraped = rendered.OfKind("Service").Where(s => selector.All(l => Label(s, l.Key) == Str(l.Value))).Select(Name).Order(StringComparer.Ordinal);
        Assert.Equal(["serving-decode", "serving-gateway", "serving-prefill"], scraped);
        Assert.Equal(0, HelmChart.Validate(rendered.Text).ExitCode);
    }

    [Fact]
    public void Template_Defaults_NoAutoscalerAndEveryPoolSetsItsReplicas()
    {
        var rendered = HelmChart.Render();

        Assert.Empty(rendered.OfKind("HorizontalPodAutoscaler"));
        Assert.All(rendered.OfKind("Deployment"), d => Assert.Equal("1", Str(d["spec"]!["replicas"])));
    }

    [Fact]
    public void Template_AutoscalingValues_HpaPerPoolOnThePlannersDesiredWorkersAndNoDeploymentReplicas()
    {
        var rendered = HelmChart.RenderValueSet("autoscaling-values.yaml");
        var deployments = rendered.OfKind("Deployment").ToDictionary(d => Label(d, "serving.dev/role")!);

        var hpas = rendered.OfKind("HorizontalPodAutoscaler").ToList();

        Assert.Equal(["decode", "prefill"], hpas.Select(h => Label(h, "serving.dev/role")!).Order(StringComparer.Ordinal));
        foreach (var hpa in hpas)
        {
            var role = Label(hpa, "serving.dev/role")!;
            var spec = hpa["spec"]!;
            Assert.Equal("autoscaling/v2", Str(hpa["apiVersion"]));
            Assert.Equal(("Deployment", Name(deployments[role])), (Str(spec["scaleTargetRef"]!["kind"]), Str(spec["scaleTargetRef"]!["name"])));
            var external = Assert.Single(Items(spec["metrics"]))["external"]!;
            Assert.Equal("serving_planner_desired_workers", Str(external["metric"]!["name"]));
            Assert.Equal(role, Str(external["metric"]!["selector"]!["matchLabels"]!["role"]));
            Assert.Equal(("AverageValue", "1"), (Str(external["target"]!["type"]), Str(external["target"]!["averageValue"])));
            Assert.Null(deployments[role]["spec"]!["replicas"]); // the HPA owns it; an upgrade must not reset it
        }
        Assert.Equal("1", Str(deployments["gateway"]["spec"]!["replicas"]));
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Template_ValueSet_SetsOnlyVariablesServingReads(string valueSet)
    {
        var known = ServingVariables.All();

        foreach (var pod in HelmChart.RenderValueSet(valueSet).Pods())
            foreach (var container in pod.Containers.Concat(pod.InitContainers))
                foreach (var name in pod.Env(container).Keys.Where(k => k.StartsWith("SERVING_", StringComparison.Ordinal)))
                    Assert.True(known.Contains(name), $"{pod.Owner} sets {name}, which `serving` does not read");
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Template_ValueSet_PlannerSettingsAreTheSameInEveryPod(string valueSet)
    {
        var settings = HelmChart.RenderValueSet(valueSet).ServingPods()
            .Select(p => string.Join("\n", p.Env().Where(e => ServingVariables.IsPlannerSetting(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}")))
            .ToList();

        Assert.True(settings.Count >= 3, "expected a gateway and worker pools");
        var first = Assert.Single(settings.Distinct());
        foreach (var variable in new[] { "SERVING_PLANNER=", "SERVING_SLO_TTFT_MS=", "SERVING_SLO_TPOT_MS=", "SERVING_SLO_ATTAINMENT=", "SERVING_REPLAN_INTERVAL_S=", "SERVING_REPLAN_MIN_INTERVAL_S=" })
            Assert.Contains(variable, first, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_PlannerProfileConfigMap_IsMountedWhereServingProfilePoints()
    {
        var rendered = HelmChart.Render("--set", "planner.profile.configMap.name=profiles", "--set", "planner.profile.configMap.key=p.json");

        foreach (var pod in rendered.ServingPods())
        {
            Assert.Equal("/etc/serving/profile/p.json", pod.Env()["SERVING_PROFILE"]);
            var volume = Items(pod.Spec["volumes"]).Single(v => Str(v["name"]) == "profile");
            Assert.Equal("profiles", Str(volume["configMap"]!["name"]));
            Assert.Equal("p.json", Str(Assert.Single(Items(volume["configMap"]!["items"]))["path"]));
            Assert.Contains(Items(pod.Serving!["volumeMounts"]), m => Str(m["name"]) == "profile" && Str(m["mountPath"]) == "/etc/serving/profile");
        }
    }

    [Fact]
    public void Template_Defaults_EveryServingPodReadsTheClusterCertificatesWhereServingTlsDirPoints()
    {
        var rendered = HelmChart.Render();

        foreach (var pod in rendered.ServingPods())
        {
            Assert.Equal("/var/run/secrets/serving/tls", pod.Env()["SERVING_TLS_DIR"]);
            Assert.False(pod.Env().ContainsKey("SERVING_INSECURE"), $"{pod.Owner} runs without TLS");
            var volume = Items(pod.Spec["volumes"]).Single(v => Str(v["name"]) == "tls");
            Assert.Equal("serving-tls", Str(volume["secret"]!["secretName"]));
            Assert.Equal(["ca.crt", "tls.crt", "tls.key"], Items(volume["secret"]!["items"]).Select(i => Str(i["path"])!));
            Assert.Contains(Items(pod.Serving!["volumeMounts"]), m => Str(m["name"]) == "tls" && Str(m["mountPath"]) == "/var/run/secrets/serving/tls" && m["readOnly"]?.ToString() is "true" or "True");
        }
        // Without cert-manager the Secret is the user's (NOTES.txt says how to make it); the chart writes no key.
        Assert.Empty(rendered.OfKind("Certificate"));
        Assert.DoesNotContain(rendered.OfKind("Secret"), s => Name(s) == "serving-tls");
    }

    [Fact]
    public void Template_CertManagerIssuer_IssuesTheClusterCertificateIntoTheSecret_OnlyWhenTheCrdExists()
    {
        const string crd = "cert-manager.io/v1/Certificate";
        string[] issuer = ["--set", "tls.certManager.issuerRef.name=cluster-ca", "--set", "tls.certManager.issuerRef.kind=ClusterIssuer"];
        Assert.Empty(HelmChart.Render(issuer).OfKind("Certificate"));
        Assert.Empty(HelmChart.Render("--api-versions", crd).OfKind("Certificate"));

        var rendered = HelmChart.Render([.. issuer, "--api-versions", crd]);

        var certificate = Assert.Single(rendered.OfKind("Certificate"));
        var spec = certificate["spec"]!;
        Assert.Equal("serving-tls", Str(spec["secretName"]));
        Assert.Equal(("cluster-ca", "ClusterIssuer"), (Str(spec["issuerRef"]!["name"]), Str(spec["issuerRef"]!["kind"])));
        // One certificate serves every pod both ways: it listens and it connects.
        var usages = spec["usages"]!.AsArray().Select(Str).ToList();
        Assert.Contains("server auth", usages);
        Assert.Contains("client auth", usages);
    }

    [Fact]
    public void Template_TlsDisabled_PodsRunInsecureExplicitly_AndTheNotesWarn()
    {
        var rendered = HelmChart.Render("--set", "tls.enabled=false");

        foreach (var pod in rendered.ServingPods())
        {
            Assert.Equal("true", pod.Env()["SERVING_INSECURE"]);
            Assert.False(pod.Env().ContainsKey("SERVING_TLS_DIR"));
            Assert.DoesNotContain(Items(pod.Spec["volumes"]), v => Str(v["name"]) == "tls");
        }
        Assert.Contains("WARNING: tls.enabled is false", HelmChart.Notes("--set", "tls.enabled=false"), StringComparison.Ordinal);
    }

    public static TheoryData<string[], string?, string> ModelSources() => new()
    {
        { [], null, "emptyDir" },
        { ["--set", "model.persistentVolumeClaim.claimName=models", "--set", "model.persistentVolumeClaim.subPath=llama", "--set", "model.name=llama"], "/model/llama", "persistentVolumeClaim" },
        { ["--set", "model.hostPath.path=/srv/models/llama", "--set", "model.name=llama"], "/model/llama", "hostPath" },
        { ["--set", "model.image.repository=registry.example.com/llama-weights", "--set", "model.name=llama"], "/model/llama", "emptyDir" },
    };

    [Theory]
    [MemberData(nameof(ModelSources))]
    public void Template_ModelSource_EveryPodReadsTheCheckpointFromItsVolume(string[] args, string? modelPath, string volumeKind)
    {
        var rendered = HelmChart.Render(args);

        foreach (var pod in rendered.ServingPods())
        {
            var env = pod.Env();
            var mountPath = modelPath ?? env["SERVING_MODEL_DIR"];
            Assert.Equal(modelPath, env.GetValueOrDefault("SERVING_MODEL"));
            var mount = Items(pod.Serving!["volumeMounts"]).Single(m => Str(m["mountPath"]) == mountPath);
            // A given checkpoint is read-only; the built-in model is written on first start.
            Assert.Equal(modelPath is null ? null : "true", Str(mount["readOnly"]));
            var volume = Items(pod.Spec["volumes"]).Single(v => Str(v["name"]) == Str(mount["name"]));
            Assert.NotNull(volume[volumeKind]);
            if (args.Any(a => a.StartsWith("model.image", StringComparison.Ordinal)))
            {
                var copy = Assert.Single(pod.InitContainers);
                Assert.Contains(Items(copy["volumeMounts"]), m => Str(m["name"]) == Str(mount["name"]));
            }
        }
        Assert.Equal(0, HelmChart.Validate(rendered.Text).ExitCode);
    }

    public static TheoryData<string[], string[]> BadValues() => new()
    {
        { ["--set", "decode.replicas=-1"], ["/decode/replicas", "minimum"] },
        { ["--set", "encode.replicas=1"], ["encode", "additional properties"] },
        { ["--set", "redis.enabled=false"], ["/redis/external/host"] },
        { ["--set-string", "prefill.engine.kvCacheMb=512"], ["/prefill/engine/kvCacheMb", "want integer"] },
        { ["--set", "gateway.replicas=true"], ["/gateway/replicas", "want integer"] },
        { ["--set", "decode.engine.dtype=fp8"], ["/decode/engine/dtype"] },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Schema_BadValues_AreRejectedNamingTheProblem(string[] args, string[] message)
    {
        var result = HelmChart.TryRender(args);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("values don't meet the specifications of the schema", result.Stderr, StringComparison.Ordinal);
        foreach (var part in message)
            Assert.Contains(part, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_TwoModelSources_FailsNamingThem()
    {
        var result = HelmChart.TryRender("--set", "model.hostPath.path=/srv/m", "--set", "model.image.repository=weights");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("hostPath and image", result.Stderr, StringComparison.Ordinal);
    }

    // Literal env values must not carry secrets (a *_FILE variable names a file in a mounted Secret instead), and no
    // Secret's content may appear in a container's command, args or env.
    static void AssertSecretsByReference(RenderedChart rendered)
    {
        var secretValues = rendered.OfKind("Secret")
            .SelectMany(s => (s["data"]?.AsObject() ?? []).Select(d => Encoding.UTF8.GetString(Convert.FromBase64String(Str(d.Value)!)))
                .Concat((s["stringData"]?.AsObject() ?? []).Select(d => Str(d.Value)!)))
            .SelectMany(v => v.Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(v => v.Length >= 4)
            .ToList();
        foreach (var pod in rendered.Pods())
        {
            var secretMounts = SecretMountPaths(pod);
            foreach (var container in pod.Containers.Concat(pod.InitContainers))
            {
                var where = $"{pod.Owner} container {Str(container["name"])}";
                foreach (var (name, value) in pod.Env(container))
                {
                    if (value is null || !LooksSecret(name))
                        continue;
                    Assert.True(name.EndsWith("_FILE", StringComparison.Ordinal), $"{where}: {name} has a literal value; secrets go through secretKeyRef or a mounted Secret");
                    Assert.True(secretMounts.Any(m => value.StartsWith(m + "/", StringComparison.Ordinal)), $"{where}: {name}={value} is not in a mounted Secret");
                }
                var strings = (container["command"]?.AsArray() ?? []).Concat(container["args"]?.AsArray() ?? []).Select(Str)
                    .Concat(pod.Env(container).Values).Where(s => s is not null).ToList();
                foreach (var secret in secretValues)
                    Assert.DoesNotContain(strings, s => s!.Contains(secret, StringComparison.Ordinal));
            }
        }
    }

    static readonly HashSet<string> SecretWords = new(["KEY", "KEYS", "PASSWORD", "PASS", "SECRET", "TOKEN", "CREDENTIALS", "AUTH"], StringComparer.OrdinalIgnoreCase);

    static bool LooksSecret(string name) => name.Split('_').Any(SecretWords.Contains);

    static List<string> SecretMountPaths(RenderedPod pod)
    {
        var secretVolumes = Items(pod.Spec["volumes"]).Where(v => v["secret"] is not null).Select(v => Str(v["name"])).ToHashSet();
        return pod.Containers.SelectMany(c => Items(c["volumeMounts"])).Where(m => secretVolumes.Contains(Str(m["name"]))).Select(m => Str(m["mountPath"])!).ToList();
    }

    static int PreStopSleepSeconds(RenderedPod pod)
    {
        var preStop = pod.Serving!["lifecycle"]?["preStop"];
        if (preStop?["sleep"] is { } sleep)
            return Int(sleep["seconds"]);
        if (preStop?["exec"]?["command"]?.AsArray().Select(Str).ToArray() is ["sleep", var seconds])
            return int.Parse(seconds!, CultureInfo.InvariantCulture);
        return 0;
    }

    static int Int(JsonNode? node) => int.Parse(Str(node) ?? throw new InvalidOperationException("missing number"), CultureInfo.InvariantCulture);

    // A NetworkPolicy's podSelector against a pod's labels (matchLabels and the In/NotIn/Exists operators).
    static bool Selects(JsonObject selector, JsonObject labels)
    {
        foreach (var (key, value) in selector["matchLabels"]?.AsObject() ?? [])
            if (Str(labels[key]) != Str(value))
                return false;
        foreach (var expression in Items(selector["matchExpressions"]))
        {
            var label = Str(labels[Str(expression["key"])!]);
            var values = expression["values"]?.AsArray().Select(Str).ToList() ?? [];
            var match = Str(expression["operator"]) switch
            {
                "In" => label is not null && values.Contains(label),
                "NotIn" => label is null || !values.Contains(label),
                "Exists" => label is not null,
                "DoesNotExist" => label is null,
                var op => throw new InvalidOperationException($"unknown operator {op}"),
            };
            if (!match)
                return false;
        }
        return true;
    }
}
