#!/usr/bin/env node
// Validates every object of a multi-document YAML stream (e.g. `helm template` output) against the Kubernetes API
// schema, offline, with kubernetes-models: types, required fields, formats, and (which the models alone do not
// check) unknown fields — a misspelled field is the commonest chart bug, and the API server would drop it silently.
//
//   node tools/k8s/validate.mjs [FILE|-] [--modules DIR]
//
// DIR is the node_modules folder install-tools.sh filled (default: $SERVING_TOOLS_DIR/node/node_modules, else
// ~/.cache/serving/tools/node/node_modules, else node_modules beside this script). Prints one line per problem,
// `kind/name: path: message`, then a summary; exits 1 on any problem, 2 when it cannot run.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const args = process.argv.slice(2);
let input = "-";
let modules;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--modules") modules = args[++i];
  else if (args[i] === "-h" || args[i] === "--help") {
    console.log("usage: validate.mjs [FILE|-] [--modules NODE_MODULES_DIR]");
    process.exit(0);
  } else input = args[i];
}

modules ??= [
  process.env.SERVING_TOOLS_DIR && join(process.env.SERVING_TOOLS_DIR, "node", "node_modules"),
  join(homedir(), ".cache", "serving", "tools", "node", "node_modules"),
  join(dirname(fileURLToPath(import.meta.url)), "node_modules"),
].find((dir) => dir && existsSync(join(dir, "kubernetes-models")));
if (!modules || !existsSync(join(modules, "kubernetes-models"))) {
  console.error("validate: kubernetes-models not found; run tools/k8s/install-tools.sh (or pass --modules DIR)");
  process.exit(2);
}

const load = (path) => import(pathToFileURL(join(modules, path)).href);
const yaml = (await load("js-yaml/dist/js-yaml.mjs")).default;

// Custom resources come from their own model packages; built-in groups from kubernetes-models.
const crdPackages = { "monitoring.coreos.com": "@kubernetes-models/prometheus-operator" };

async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z0-9]+$/.test(kind)) return undefined;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
  const pkg = crdPackages[group] ?? "kubernetes-models";
  const file = join(pkg, ...(group ? [group, version] : [version]), `${kind}.js`);
  if (!/^[a-z0-9.-]*$/.test(group) || !/^v[0-9a-z]+$/.test(version) || !existsSync(join(modules, file))) return undefined;
  const model = (await load(file))[kind];
  // Only top-level kinds carry their apiVersion and kind (PodSpec, say, has a module but is not an object kind).
  return model?.apiVersion === apiVersion && model?.kind === kind ? model : undefined;
}

// Unknown fields: kubernetes-models' validators are compiled JSON schema that read every property the schema
// names (`data.prop !== undefined`), present or not, and enumerate the keys only of maps (additionalProperties).
// Validating through proxies that record those reads tells, for each object, which keys the schema knows; a key
// never read in an object that was not enumerated is unknown. An object nothing was read from has a free-form
// schema (no properties) and is left alone.
function tracked(value, seen) {
  if (value === null || typeof value !== "object") return value;
  let entry = seen.get(value);
  if (!entry) {
    entry = { reads: new Set(), enumerated: false, proxy: undefined };
    entry.proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === "string") entry.reads.add(key);
        return tracked(Reflect.get(target, key, receiver), seen);
      },
      has(target, key) {
        if (typeof key === "string") entry.reads.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        entry.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    seen.set(value, entry);
  }
  return entry.proxy;
}

function unknownFields(value, seen, path, out) {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => unknownFields(item, seen, `${path}/${i}`, out));
    return;
  }
  const entry = seen.get(value);
  if (!entry || (!entry.enumerated && entry.reads.size === 0)) return;
  for (const key of Object.keys(value)) {
    if (!entry.enumerated && !entry.reads.has(key)) out.push(`${path}/${key}: unknown field "${key}"`);
    else unknownFields(value[key], seen, `${path}/${key}`, out);
  }
}

function check(model, object) {
  const problems = [];
  const instance = new model(object);
  const seen = new WeakMap();
  try {
    instance.validate.call(tracked(instance, seen));
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    for (const err of e.errors) problems.push(`${err.instancePath || "/"}: ${err.message}${describe(err.params)}`);
  }
  unknownFields(instance, seen, "", problems);
  return problems;
}

function describe(params) {
  if (params?.allowedValues) return ` (${params.allowedValues.join(", ")})`;
  if (params?.additionalProperty) return ` ("${params.additionalProperty}")`;
  return "";
}

let text;
try {
  text = readFileSync(input === "-" ? 0 : input, "utf8");
} catch (e) {
  console.error(`validate: cannot read ${input}: ${e.message}`);
  process.exit(2);
}

const problems = [];
let objects = 0;
let documents;
try {
  documents = yaml.loadAll(text);
} catch (e) {
  console.log(`yaml: ${e.message.split("\n")[0]}`);
  console.log("0 objects, 1 problem");
  process.exit(1);
}
for (const object of documents) {
  if (object === null || object === undefined) continue; // an empty document (a template that rendered nothing)
  objects++;
  const kind = object?.kind ?? "?";
  const name = `${kind}/${object?.metadata?.name ?? "?"}`;
  if (typeof object !== "object" || Array.isArray(object)) {
    problems.push(`${name}: /: not an object`);
    continue;
  }
  const model = await modelFor(object.apiVersion, object.kind);
  if (!model) {
    problems.push(`${name}: /: unknown kind ${object.apiVersion}/${kind} (no model to validate it against)`);
    continue;
  }
  for (const p of check(model, object)) problems.push(`${name}: ${p}`);
}
if (objects === 0) problems.push("(input): /: no objects");

for (const p of problems) console.log(p);
console.log(`${objects} objects, ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
process.exit(problems.length > 0 ? 1 : 0);
