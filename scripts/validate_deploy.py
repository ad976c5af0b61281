#!/usr/bin/env python3
"""Validates deploy/ against Kubernetes' schemas and against Siskin's real CLI.

Run through scripts/validate-deploy, which installs what this needs
(kubernetes-validate in a venv, a kubectl whose kustomize knows Components).

Checks, in order:
  1. every kustomization under deploy/ builds (`kubectl kustomize`), and every
     Component is used by one of them;
  2. every built object validates strictly against the Kubernetes OpenAPI
     schemas bundled in kubernetes-validate (offline), for the oldest and
     newest Kubernetes versions below; Flagger, cert-manager and Istio objects,
     whose CRD schemas are not shipped here, against CRD_FIELDS: exactly the
     fields these manifests use, with the CRDs' own names, types and enums;
  3. the Istio injection template: the copies in values.yaml and
     istiooperator.yaml are identical to siskin-agent.yaml, the rendered
     template is a valid Pod overlay, and it injects the same container and
     volumes as deploy/components/agent;
  4. references between objects: Service target ports, probe ports,
     NetworkPolicy ports, APIService -> Service -> container port, the
     Certificate's Secret and DNS names, mounted files, Canary -> Deployment
     and HPA, the agent's push URL -> the aggregator's Service, the agent's
     interval = the server's slot, the agent's resources >= the README's
     measured footprint;
  5. the CLI: every flag and environment variable the manifests pass to
     `siskin` and `siskin-agent` (and the exec probe's) appears in the `--help`
     of the built binaries;
  6. live, on loopback: `siskin serve` started with the Deployment's own
     arguments (paths moved to a temporary folder, ports to free ones), the
     agent with the injected container's own environment scraping
     `siskin-sim serve` as its Envoy; then the probes' paths and the agent's
     exec probe command must succeed, the pod must show up in `siskin query
     workloads --pods`, the Flagger judge webhooks must accept their metadata,
     the builtin Flagger queries and every MetricTemplate query must evaluate,
     and, when the binary has the metrics APIs, the HTTPS paths the
     APIServices and the HPA use must answer.

Ends with a line `N passed, M failed`; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import jsonschema
import kubernetes_validate
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPLOY = os.path.join(ROOT, "deploy")
# Oldest and newest Kubernetes whose schemas kubernetes-validate bundles and
# that these manifests target (autoscaling/v2, policy/v1, PDB
# unhealthyPodEvictionPolicy: all GA by 1.30).
KUBE_VERSIONS = ["1.30.0", "1.37.0"]

AGGREGATOR_SERVICE = ("siskin-system", "siskin")
# The metrics `siskin serve` offers on the metrics APIs (for the HPA).
BUILTIN_METRICS = {
    "Pods": {"istio_requests_per_second"},
    "Object": {"istio_request_error_ratio", "istio_request_duration_p99_milliseconds"},
    "External": {"istio_request_error_ratio", "istio_request_duration_p99_milliseconds"},
}
# Flagger's builtin Istio checks, as Flagger sends them (pkg/metrics/providers
# builtins; Tests/SiskinPromQLTests pins the same text).
FLAGGER_BUILTIN_QUERIES = {
    "request-success-rate": (
        'sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",'
        'destination_workload=~"{{ target }}",response_code!~"5.*"}[{{ interval }}])) / '
        'sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",'
        'destination_workload=~"{{ target }}"}[{{ interval }}])) * 100'),
    "request-duration": (
        'histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",'
        'destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"}[{{ interval }}])) by (le))'),
}

# Structural schemas for the custom resources used here: exactly the fields
# these manifests set, additionalProperties false, with the field names, types
# and enums of the CRDs (Flagger: artifacts/flagger/crd.yaml, canaries and
# metrictemplates v1beta1; cert-manager: cert-manager.io/v1 Issuer and
# Certificate; Istio: IstioOperator's values.sidecarInjectorWebhook). A field
# added to a manifest must be added here too, after checking it in the CRD.
CRD_FIELDS = yaml.safe_load(r"""
flagger.app/v1beta1/Canary:
  type: object
  additionalProperties: false
  required: [targetRef, analysis]
  properties:
    provider: {type: string, enum: [apisix, appmesh, "appmesh:v1beta2", contour, "gatewayapi:v1", "gatewayapi:v1beta1", gloo, istio, knative, kubernetes, kuma, linkerd, nginx, osm, skipper, "smi:v1alpha1", "smi:v1alpha2", "smi:v1alpha3", traefik]}
    metricsServer: {type: string}
    progressDeadlineSeconds: {type: number}
    targetRef: &ref
      type: object
      additionalProperties: false
      required: [apiVersion, kind, name]
      properties:
        apiVersion: {type: string}
        kind: {type: string, enum: [DaemonSet, Deployment, Service]}
        name: {type: string}
    autoscalerRef:
      type: object
      additionalProperties: false
      required: [apiVersion, kind, name]
      properties:
        apiVersion: {type: string}
        kind: {type: string, enum: [HorizontalPodAutoscaler, ScaledObject]}
        name: {type: string}
    service:
      type: object
      additionalProperties: false
      required: [port]
      properties:
        name: {type: string}
        port: {type: number}
        portName: {type: string}
        targetPort: {type: [integer, string]}
    analysis:
      type: object
      additionalProperties: false
      required: [interval, threshold]
      properties:
        interval: {type: string, pattern: "^[0-9]+(m|s)"}
        threshold: {type: number}
        maxWeight: {type: number}
        stepWeight: {type: number}
        metrics:
          type: array
          items:
            type: object
            additionalProperties: false
            required: [name]
            properties:
              name: {type: string}
              interval: {type: string, pattern: "^[0-9]+(m|s)"}
              thresholdRange:
                type: object
                additionalProperties: false
                properties: {min: {type: number}, max: {type: number}}
              templateRef:
                type: object
                additionalProperties: false
                required: [name]
                properties: {name: {type: string}, namespace: {type: string}}
        webhooks:
          type: array
          items:
            type: object
            additionalProperties: false
            required: [name, url]
            properties:
              name: {type: string}
              type: {type: string, enum: ["", confirm-rollout, pre-rollout, rollout, confirm-promotion, post-rollout, event, rollback, confirm-traffic-increase]}
              url: {type: string}
              timeout: {type: string, pattern: "^[0-9]+(m|s)"}
              metadata: {type: object, additionalProperties: {type: string}}
flagger.app/v1beta1/MetricTemplate:
  type: object
  additionalProperties: false
  required: [provider, query]
  properties:
    provider:
      type: object
      additionalProperties: false
      required: [type]
      properties:
        type: {type: string, enum: [prometheus, influxdb, datadog, externalmetrics, stackdriver, cloudwatch, newrelic, graphite, dynatrace, keptn, splunk]}
        address: {type: string}
    query: {type: string}
cert-manager.io/v1/Issuer:
  type: object
  additionalProperties: false
  properties:
    selfSigned: {type: object, additionalProperties: false, properties: {}}
    ca:
      type: object
      additionalProperties: false
      required: [secretName]
      properties: {secretName: {type: string}}
cert-manager.io/v1/Certificate:
  type: object
  additionalProperties: false
  required: [secretName, issuerRef]
  properties:
    isCA: {type: boolean}
    secretName: {type: string}
    commonName: {type: string}
    dnsNames: {type: array, items: {type: string}}
    duration: {type: string}
    renewBefore: {type: string}
    privateKey:
      type: object
      additionalProperties: false
      properties:
        algorithm: {type: string, enum: [RSA, ECDSA, Ed25519]}
        size: {type: integer}
        encoding: {type: string, enum: [PKCS1, PKCS8]}
        rotationPolicy: {type: string, enum: [Never, Always]}
    usages:
      type: array
      items: {type: string, enum: [signing, digital signature, content commitment, key encipherment, key agreement, data encipherment, cert sign, crl sign, encipher only, decipher only, any, server auth, client auth, code signing, email protection, s/mime, ipsec end system, ipsec tunnel, ipsec user, timestamping, ocsp signing, microsoft sgc, netscape sgc]}
    issuerRef:
      type: object
      additionalProperties: false
      required: [name]
      properties: {name: {type: string}, kind: {type: string}, group: {type: string}}
install.istio.io/v1alpha1/IstioOperator:
  type: object
  additionalProperties: false
  properties:
    values:
      type: object
      additionalProperties: false
      properties:
        sidecarInjectorWebhook:
          type: object
          additionalProperties: false
          properties:
            templates: {type: object, additionalProperties: {type: string}}
""")


class Report:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.warnings = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"  ok    {what}")
        else:
            self.failed += 1
            print(f"  FAIL  {what}" + (f": {detail}" if detail else ""))
        return ok

    def warn(self, what: str) -> None:
        self.warnings += 1
        print(f"  warn  {what}")


R = Report()


def section(title: str) -> None:
    print(f"\n== {title}")


def rel(path: str) -> str:
    return os.path.relpath(path, ROOT)


def key(obj: dict) -> str:
    meta = obj.get("metadata", {})
    ns = meta.get("namespace")
    return f"{obj.get('kind')}/{(ns + '/') if ns else ''}{meta.get('name')}"


# ---------------------------------------------------------------- 1. build

def kustomizations() -> tuple[list[str], list[str]]:
    overlays, components = [], []
    for dirpath, _, files in os.walk(DEPLOY):
        if "kustomization.yaml" in files:
            with open(os.path.join(dirpath, "kustomization.yaml")) as f:
                kind = (yaml.safe_load(f) or {}).get("kind", "Kustomization")
            (components if kind == "Component" else overlays).append(dirpath)
    return sorted(overlays), sorted(components)


def build_all(kubectl: str) -> dict[str, list[dict]]:
    section("kustomize builds")
    overlays, components = kustomizations()
    built: dict[str, list[dict]] = {}
    for d in overlays:
        run = subprocess.run([kubectl, "kustomize", d], capture_output=True, text=True)
        if R.check(run.returncode == 0, f"kubectl kustomize {rel(d)}", run.stderr.strip()):
            built[d] = [o for o in yaml.safe_load_all(run.stdout) if o]
    used = set()
    for d in overlays:
        with open(os.path.join(d, "kustomization.yaml")) as f:
            for c in (yaml.safe_load(f) or {}).get("components", []):
                used.add(os.path.normpath(os.path.join(d, c)))
    for c in components:
        R.check(c in used, f"component {rel(c)} is built by an overlay", "no kustomization uses it")
    return built


# ---------------------------------------------------------------- 2. schemas

def validate_object(obj: dict, where: str) -> None:
    api, kind = obj.get("apiVersion", ""), obj.get("kind", "")
    crd = CRD_FIELDS.get(f"{api}/{kind}")
    if crd is not None:
        errors = sorted(jsonschema.Draft7Validator(crd).iter_errors(obj.get("spec", {})), key=str)
        top = set(obj) - {"apiVersion", "kind", "metadata", "spec"}
        R.check(not errors and not top and "name" in obj.get("metadata", {}),
                f"{where}: {key(obj)} against the CRD's fields",
                "; ".join(f"spec.{'.'.join(map(str, e.path))}: {e.message}" for e in errors[:5]) or f"unexpected {top}")
        return
    problems = []
    for version in KUBE_VERSIONS:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            problems.append(f"no Kubernetes {version} schema and no CRD_FIELDS entry for {api}/{kind}")
        except kubernetes_validate.ValidationError as e:
            problems.append(f"{version}: {'.'.join(map(str, e.path))}: {e.message}")
    R.check(not problems, f"{where}: {key(obj)} against Kubernetes {' and '.join(KUBE_VERSIONS)} (strict)", "; ".join(problems))


def validate_schemas(built: dict[str, list[dict]]) -> None:
    section("schemas (offline)")
    for d, objs in built.items():
        for obj in objs:
            validate_object(obj, rel(d))


# ---------------------------------------------------------------- 3. Istio

ANNOTATION_CALL = re.compile(r"""\{\{-?\s*annotation\s+\.ObjectMeta\s+[`"]([^`"]+)[`"]\s+[`"]([^`"]*)[`"]\s*-?\}\}""")


def istio_template() -> dict | None:
    section("Istio injection template")
    d = os.path.join(DEPLOY, "istio")
    with open(os.path.join(d, "siskin-agent.yaml")) as f:
        source = f.read()
    body = source[source.index("\nspec:\n") + 1:]
    copies = {
        "values.yaml": lambda v: v["sidecarInjectorWebhook"]["templates"]["siskin"],
        "istiooperator.yaml": lambda v: v["spec"]["values"]["sidecarInjectorWebhook"]["templates"]["siskin"],
    }
    for name, pick in copies.items():
        with open(os.path.join(d, name)) as f:
            doc = yaml.safe_load(f)
        try:
            text = pick(doc)
        except (KeyError, TypeError):
            text = None
        R.check(text == body, f"deploy/istio/{name} holds siskin-agent.yaml's template verbatim",
                "differs: copy the text of siskin-agent.yaml from `spec:` on")
        if name == "istiooperator.yaml":
            validate_object(doc, "deploy/istio")
    # Render the only template function used: annotation .ObjectMeta KEY DEFAULT.
    rendered = ANNOTATION_CALL.sub(lambda m: m.group(2), body)
    R.check("{{" not in rendered, "the template uses no Go template action but `annotation .ObjectMeta`",
            rendered[rendered.find("{{"):][:80])
    overlay = yaml.safe_load(rendered)
    R.check(set(overlay) == {"spec"} and set(overlay["spec"]) <= {"containers", "volumes"},
            "the template only adds containers and volumes")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "podinfo-0", "namespace": "test"},
           "spec": copy.deepcopy(overlay["spec"])}
    validate_object(pod, "deploy/istio (rendered into a Pod)")
    return overlay


def agent_parts(spec: dict) -> tuple[dict | None, list[dict]]:
    agent = next((c for c in spec.get("containers", []) if c.get("name") == "siskin-agent"), None)
    names = {m["name"] for m in (agent or {}).get("volumeMounts", [])}
    return agent, sorted((v for v in spec.get("volumes", []) if v["name"] in names), key=lambda v: v["name"])


def compare_injections(built: dict[str, list[dict]], overlay: dict) -> None:
    istio_agent, istio_volumes = agent_parts(overlay["spec"])
    for d, objs in built.items():
        for obj in objs:
            if obj["kind"] != "Deployment":
                continue
            agent, volumes = agent_parts(obj["spec"]["template"]["spec"])
            if agent is None:
                continue
            R.check(agent == istio_agent and volumes == istio_volumes,
                    f"{rel(d)}: {key(obj)}'s siskin-agent equals the Istio template's (container and volumes)",
                    "deploy/components/agent/agent.yaml and deploy/istio/siskin-agent.yaml have drifted apart")


# ---------------------------------------------------------------- 4. references

def pod_specs(objs: list[dict]):
    for obj in objs:
        if obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet"):
            yield obj, obj["spec"]["template"]
        elif obj["kind"] == "Pod":
            yield obj, obj


def selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def flag_value(args: list[str], flag: str) -> str | None:
    for i, a in enumerate(args):
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
        if a == flag and i + 1 < len(args):
            return args[i + 1]
    return None


def env_of(container: dict) -> dict[str, str | None]:
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def mount_for(container: dict, spec: dict, path: str) -> tuple[dict, dict] | None:
    """The volumeMount (and its volume) under which `path` lies."""
    best = None
    for m in container.get("volumeMounts", []):
        mp = m["mountPath"].rstrip("/")
        if path == mp or path.startswith(mp + "/"):
            if best is None or len(mp) > len(best["mountPath"]):
                best = m
    if best is None:
        return None
    volume = next((v for v in spec.get("volumes", []) if v["name"] == best["name"]), None)
    return (best, volume) if volume else None


def resolve_service(url: str, services: dict) -> tuple[dict, dict] | None:
    """The (Service, port) an in-cluster URL names, or None."""
    u = urllib.parse.urlsplit(url)
    parts = (u.hostname or "").split(".")
    if len(parts) < 2 or (len(parts) > 2 and parts[2] != "svc"):
        return None
    svc = services.get((parts[1], parts[0]))
    port = u.port or (443 if u.scheme == "https" else 80)
    if svc is None:
        return None
    p = next((p for p in svc["spec"]["ports"] if p["port"] == port), None)
    return (svc, p) if p else None


def memory_mb(q: str) -> float:
    units = {"Ki": 1024, "Mi": 1024 ** 2, "Gi": 1024 ** 3, "k": 1e3, "M": 1e6, "G": 1e9}
    for u, f in units.items():
        if q.endswith(u):
            return float(q[: -len(u)]) * f / 1e6
    return float(q) / 1e6


def cpu_cores(q: str) -> float:
    return float(q[:-1]) / 1000 if q.endswith("m") else float(q)


def readme_footprint() -> tuple[float, float] | None:
    """(RSS max MB, CPU % of a core) of siskin-agent from the README's table."""
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    rss = re.search(r"^\| RSS, median \(max\) \| [\d.]+ MB \(([\d.]+)\)", text, re.M)
    cpu = re.search(r"^\| CPU \| ([\d.]+) % of a core", text, re.M)
    return (float(rss.group(1)), float(cpu.group(1))) if rss and cpu else None


def check_references(built: dict[str, list[dict]]) -> None:
    section("references between objects")
    everything = [o for objs in built.values() for o in objs]
    services = {(o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in everything if o["kind"] == "Service"}
    aggregator = services.get(AGGREGATOR_SERVICE)
    R.check(aggregator is not None, f"the aggregator Service {'/'.join(AGGREGATOR_SERVICE)} is built")
    serve_slot = None
    for d, objs in built.items():
        where = rel(d)
        pods = list(pod_specs(objs))
        for owner, template in pods:
            spec, labels = template["spec"], template.get("metadata", {}).get("labels", {})
            port_names = {p["name"]: p["containerPort"] for c in spec["containers"] for p in c.get("ports", []) if "name" in p}
            volume_names = {v["name"] for v in spec.get("volumes", [])}
            for c in spec["containers"]:
                for m in c.get("volumeMounts", []):
                    R.check(m["name"] in volume_names, f"{where}: {key(owner)}/{c['name']} mounts volume {m['name']}, which exists")
                for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                    port = c.get(probe, {}).get("httpGet", {}).get("port")
                    if isinstance(port, str):
                        R.check(port in port_names, f"{where}: {key(owner)}/{c['name']} {probe} port '{port}' is a container port")
            # Services, NetworkPolicies and PDBs that select these pods.
            for obj in objs:
                if obj["kind"] == "Service" and selects(obj["spec"].get("selector", {}), labels):
                    for p in obj["spec"]["ports"]:
                        tp = p.get("targetPort", p["port"])
                        R.check(tp in port_names if isinstance(tp, str) else tp in port_names.values(),
                                f"{where}: {key(obj)} port {p['port']} -> container port {tp!r}")
                if obj["kind"] == "NetworkPolicy" and selects(obj["spec"]["podSelector"].get("matchLabels", {}), labels):
                    for rule in obj["spec"].get("ingress", []):
                        for p in rule.get("ports", []):
                            R.check(p["port"] in port_names or p["port"] in port_names.values(),
                                    f"{where}: {key(obj)} allows port {p['port']!r}, a port of {key(owner)}")
            for c in spec["containers"]:
                cmd = (c.get("command") or [None])[0]
                if cmd == "siskin":
                    serve_slot = check_serve_container(where, owner, c, spec, port_names, objs)
                elif cmd == "siskin-agent":
                    check_agent_container(where, owner, c, spec, services)
    # The agents' interval is the server's slot (docs: --slot, match the agents' interval).
    for d, objs in built.items():
        for owner, template in pod_specs(objs):
            for c in template["spec"]["containers"]:
                if (c.get("command") or [None])[0] == "siskin-agent" and serve_slot:
                    R.check(env_of(c).get("SISKIN_INTERVAL") == serve_slot,
                            f"{rel(d)}: {key(owner)} agent SISKIN_INTERVAL = siskin serve --slot ({serve_slot})",
                            f"{env_of(c).get('SISKIN_INTERVAL')} vs {serve_slot}")
    for d, objs in built.items():
        for pdb in (o for o in objs if o["kind"] == "PodDisruptionBudget"):
            R.check(any(selects(pdb["spec"]["selector"]["matchLabels"], t.get("metadata", {}).get("labels", {})) for _, t in pod_specs(objs)),
                    f"{rel(d)}: {key(pdb)} selects pods of this kustomization")
    check_flagger_and_hpa(built, services)


def check_serve_container(where, owner, c, spec, port_names, objs) -> str | None:
    args = c.get("args", [])
    name = f"{where}: {key(owner)}/{c['name']}"
    listen = flag_value(args, "--listen")
    R.check(listen is not None and port_names.get("http") == int(listen.rsplit(":", 1)[1]),
            f"{name} containerPort http = --listen's port", f"--listen {listen}, ports {port_names}")
    metrics_listen = flag_value(args, "--metrics-api-listen")
    R.check(metrics_listen is not None and port_names.get("metrics-api") == int(metrics_listen.rsplit(":", 1)[1]),
            f"{name} containerPort metrics-api = --metrics-api-listen's port", f"{metrics_listen}, ports {port_names}")
    for flag in ("--data-dir", "--token-file", "--tls-cert-file", "--tls-key-file"):
        value = flag_value(args, flag)
        found = value and mount_for(c, spec, value)
        R.check(bool(found), f"{name} {flag} {value} lies on a mounted volume")
        if found and flag == "--data-dir":
            R.check(bool(found[1].get("persistentVolumeClaim")) and not found[0].get("readOnly"),
                    f"{name} --data-dir is a writable persistent volume")
        if found and flag.startswith("--tls"):
            secret = found[1].get("secret", {}).get("secretName")
            cert = next((o for o in objs if o["kind"] == "Certificate" and o["spec"]["secretName"] == secret), None)
            R.check(cert is not None and os.path.basename(value) in ("tls.crt", "tls.key"),
                    f"{name} {flag} is cert-manager's {os.path.basename(value)} in Secret {secret} of a Certificate")
    if c.get("securityContext", {}).get("readOnlyRootFilesystem"):
        R.check(mount_for(c, spec, "/tmp") is not None, f"{name} has a writable /tmp with a read-only root")
    # APIServices -> this Service -> the metrics-api port.
    for obj in objs:
        if obj["kind"] != "APIService":
            continue
        s = obj["spec"]["service"]
        svc = next((o for o in objs if o["kind"] == "Service" and o["metadata"]["name"] == s["name"]
                    and o["metadata"].get("namespace") == s["namespace"]), None)
        port = svc and next((p for p in svc["spec"]["ports"] if p["port"] == s.get("port", 443)), None)
        R.check(bool(port) and port.get("targetPort") in ("metrics-api", port_names.get("metrics-api")),
                f"{where}: {key(obj)} -> Service {s['namespace']}/{s['name']}:{s.get('port', 443)} -> metrics-api")
        explicit = obj["spec"].get("insecureSkipTLSVerify") is False
        ca_from = obj["metadata"].get("annotations", {}).get("cert-manager.io/inject-ca-from", "")
        cert = next((o for o in objs if o["kind"] == "Certificate"
                     and f"{o['metadata'].get('namespace')}/{o['metadata']['name']}" == ca_from), None)
        R.check(explicit and (cert is not None or obj["spec"].get("caBundle")),
                f"{where}: {key(obj)} verifies TLS (insecureSkipTLSVerify: false; caBundle injected from {ca_from or '?'})")
        if cert is not None:
            R.check(f"{s['name']}.{s['namespace']}.svc" in cert["spec"].get("dnsNames", []),
                    f"{where}: Certificate {ca_from} names {s['name']}.{s['namespace']}.svc, the name the API server checks")
            issuer = next((o for o in objs if o["kind"] == "Issuer" and o["metadata"]["name"] == cert["spec"]["issuerRef"]["name"]), None)
            ca_secret = (issuer or {}).get("spec", {}).get("ca", {}).get("secretName")
            ca_cert = next((o for o in objs if o["kind"] == "Certificate" and o["spec"]["secretName"] == ca_secret), None)
            R.check(ca_cert is not None and ca_cert["spec"].get("isCA") is True,
                    f"{where}: Certificate {ca_from} is signed by a CA Issuer whose CA is a cert-manager Certificate (stable caBundle)")
    return flag_value(args, "--slot")


def check_agent_container(where, owner, c, spec, services) -> None:
    name = f"{where}: {key(owner)}/{c['name']}"
    env = env_of(c)
    fields = {e["name"]: e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") for e in c.get("env", [])}
    R.check(fields.get("POD_NAME") == "metadata.name" and fields.get("POD_NAMESPACE") == "metadata.namespace",
            f"{name} POD_NAME/POD_NAMESPACE come from the downward API")
    labels_file = env.get("SISKIN_POD_LABELS_FILE") or ""
    found = mount_for(c, spec, labels_file)
    items = (found[1].get("downwardAPI", {}).get("items", []) if found else [])
    R.check(any(found[0]["mountPath"].rstrip("/") + "/" + i["path"] == labels_file
                and i.get("fieldRef", {}).get("fieldPath") == "metadata.labels" for i in items),
            f"{name} SISKIN_POD_LABELS_FILE {labels_file} is the downward API's metadata.labels")
    token = env.get("SISKIN_TOKEN_FILE") or ""
    found = mount_for(c, spec, token)
    R.check(bool(found and found[1].get("secret")), f"{name} SISKIN_TOKEN_FILE {token} is in a mounted Secret")
    status = env.get("SISKIN_STATUS_FILE") or "/tmp/siskin-agent.status"
    found = mount_for(c, spec, status)
    R.check(bool(found and "emptyDir" in found[1] and not found[0].get("readOnly")),
            f"{name} SISKIN_STATUS_FILE {status} is on a writable emptyDir (the root filesystem is read-only)")
    for url in (env.get("SISKIN_PUSH_URL") or "").split(","):
        target = resolve_service(url.strip(), services)
        R.check(target is not None and target[0]["metadata"]["name"] == AGGREGATOR_SERVICE[1]
                and target[0]["metadata"]["namespace"] == AGGREGATOR_SERVICE[0] and target[1]["name"] == "http",
                f"{name} SISKIN_PUSH_URL {url} is the aggregator Service's http port")
    footprint = readme_footprint()
    res = c.get("resources", {})
    if R.check(footprint is not None, "README's agent footprint table is readable"):
        rss, cpu = footprint
        req_mem = memory_mb(res.get("requests", {}).get("memory", "0"))
        lim_mem = memory_mb(res.get("limits", {}).get("memory", "0"))
        req_cpu = cpu_cores(res.get("requests", {}).get("cpu", "0"))
        R.check(rss <= req_mem and lim_mem >= 2 * rss and req_cpu >= cpu / 100 and lim_mem <= 256,
                f"{name} resources fit the measured footprint ({rss} MB RSS, {cpu} % CPU): "
                f"requests {req_mem:.1f} MB / {req_cpu * 1000:.0f}m, limit {lim_mem:.1f} MB")


def check_flagger_and_hpa(built, services) -> None:
    for d, objs in built.items():
        where = rel(d)
        by_kind = lambda kind, name: next((o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name), None)
        for obj in objs:
            if obj["kind"] == "Canary":
                spec = obj["spec"]
                R.check(by_kind("Deployment", spec["targetRef"]["name"]) is not None, f"{where}: {key(obj)} targetRef is built")
                if "autoscalerRef" in spec:
                    R.check(by_kind("HorizontalPodAutoscaler", spec["autoscalerRef"]["name"]) is not None,
                            f"{where}: {key(obj)} autoscalerRef is built")
                target = resolve_service(spec.get("metricsServer", ""), services)
                R.check(target is not None and target[1]["name"] == "http",
                        f"{where}: {key(obj)} metricsServer {spec.get('metricsServer')} is Siskin's Prometheus API")
                for m in spec["analysis"].get("metrics", []):
                    if "templateRef" in m:
                        R.check(by_kind("MetricTemplate", m["templateRef"]["name"]) is not None,
                                f"{where}: {key(obj)} metric {m['name']} -> MetricTemplate {m['templateRef']['name']}")
                    else:
                        R.check(m["name"] in FLAGGER_BUILTIN_QUERIES, f"{where}: {key(obj)} metric {m['name']} is a Flagger builtin")
                siskin_hooks = [w for w in spec["analysis"].get("webhooks", []) if resolve_service(w["url"], services)]
                R.check(any(w.get("type") in ("rollout", "confirm-promotion") for w in siskin_hooks)
                        and all(w.get("type") in ("rollout", "confirm-promotion") for w in siskin_hooks),
                        f"{where}: {key(obj)} calls Siskin's judge as rollout/confirm-promotion webhooks only")
                rollout_timeout = sum(int(w.get("timeout", "0s")[:-1]) * (60 if w.get("timeout", "s").endswith("m") else 1)
                                      for w in spec["analysis"]["webhooks"] if w.get("type") == "rollout")
                interval = spec["analysis"]["interval"]
                interval_s = int(interval[:-1]) * (60 if interval.endswith("m") else 1)
                R.check(rollout_timeout < interval_s, f"{where}: {key(obj)} rollout webhook timeouts ({rollout_timeout}s) < interval ({interval})")
            if obj["kind"] == "MetricTemplate":
                target = resolve_service(obj["spec"]["provider"].get("address", ""), services)
                R.check(target is not None and target[1]["name"] == "http", f"{where}: {key(obj)} provider address is Siskin's Prometheus API")
            if obj["kind"] == "HorizontalPodAutoscaler":
                for m in obj["spec"].get("metrics", []):
                    if m["type"] in BUILTIN_METRICS:
                        name = m[m["type"].lower()]["metric"]["name"]
                        R.check(name in BUILTIN_METRICS[m["type"]], f"{where}: {key(obj)} {m['type']} metric {name} is one Siskin serves",
                                f"Siskin's {m['type']} metrics: {sorted(BUILTIN_METRICS[m['type']])}")


# ---------------------------------------------------------------- 5. CLI

SUBCOMMANDS = {"siskin": ["serve", "query", "canary", "decode"], "siskin-agent": ["run", "inspect", "health"]}
# Options deploy/ and docs/deploy.md rely on whether or not a manifest passes
# them today (the metrics APIs for the HPA): flag -> its environment variable.
EXPECTED_OPTIONS = {
    ("siskin", "serve"): {
        "--metrics-api-listen": "SISKIN_METRICS_API_LISTEN",
        "--tls-cert-file": "SISKIN_TLS_CERT_FILE",
        "--tls-key-file": "SISKIN_TLS_KEY_FILE",
        "--metrics-catalogue": "SISKIN_METRICS_CATALOGUE",
        # Commented in deploy/aggregator/deployment.yaml (read tokens, HTTPS on :9090).
        "--token-file": "SISKIN_TOKEN_FILE",
        "--read-token-file": "SISKIN_READ_TOKEN_FILE",
        "--listen-tls-cert-file": "SISKIN_LISTEN_TLS_CERT_FILE",
        "--listen-tls-key-file": "SISKIN_LISTEN_TLS_KEY_FILE",
    },
    # Commented in deploy/components/agent/agent.yaml (HTTPS to the aggregator).
    ("siskin-agent", "run"): {
        "--ca-file": "SISKIN_CA_FILE",
    },
}
DEFAULT_SUBCOMMAND = {"siskin-agent": "run"}


class CLI:
    def __init__(self, bin_dir: str) -> None:
        self.bin_dir = bin_dir
        self.cache: dict[tuple[str, str], tuple[set[str], set[str]]] = {}

    def path(self, program: str) -> str:
        return os.path.join(self.bin_dir, program)

    def options(self, program: str, sub: str) -> tuple[set[str], set[str]]:
        """Flags and environment variables `program sub --help` documents."""
        if (program, sub) not in self.cache:
            out = subprocess.run([self.path(program), sub, "--help"], capture_output=True, text=True, timeout=30)
            text = " ".join(out.stdout.split())
            options = text.split("OPTIONS:", 1)[1] if "OPTIONS:" in text else ""
            flags = set(re.findall(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*)", options))
            envs = set()
            for bracket in re.findall(r"\[env: ([^\]]*)\]", text):
                envs.update(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", bracket))
            self.cache[(program, sub)] = (flags, envs)
        return self.cache[(program, sub)]


def split_command(argv: list[str]) -> tuple[str, str, list[str]]:
    program = os.path.basename(argv[0])
    rest = argv[1:]
    if rest and rest[0] in SUBCOMMANDS.get(program, []):
        return program, rest[0], rest[1:]
    return program, DEFAULT_SUBCOMMAND.get(program, ""), rest


def containers_running_siskin(built: dict[str, list[dict]], overlay: dict) -> list[tuple[str, dict, dict]]:
    found = []
    for d, objs in built.items():
        for owner, template in pod_specs(objs):
            for c in template["spec"]["containers"]:
                if os.path.basename((c.get("command") or [""])[0]) in SUBCOMMANDS:
                    found.append((f"{rel(d)}: {key(owner)}/{c['name']}", c, template["spec"]))
    for c in overlay["spec"]["containers"]:
        found.append((f"deploy/istio/siskin-agent.yaml: {c['name']}", c, overlay["spec"]))
    return found


def check_cli(cli: CLI, containers, pending: set[str]) -> None:
    section(f"flags and environment against the built CLI ({rel(cli.bin_dir) if cli.bin_dir.startswith(ROOT) else cli.bin_dir})")
    for (program, sub), options in EXPECTED_OPTIONS.items():
        flags, envs = cli.options(program, sub)
        for flag, env in options.items():
            ok = flag in flags and env in envs
            if not ok and flag in pending:
                R.warn(f"`{program} {sub}` has no {flag} / {env} yet (pending, allowed by --pending-flag)")
            else:
                R.check(ok, f"`{program} {sub}` has {flag} [env: {env}], which deploy/ relies on",
                        f"flag {'present' if flag in flags else 'missing'}, env {'present' if env in envs else 'missing'}")
    for where, c, _ in containers:
        program, sub, args = split_command(c["command"] + c.get("args", []))
        flags, envs = cli.options(program, sub)
        R.check(bool(flags), f"{where}: `{program} {sub} --help` lists options")
        for a in args:
            if not a.startswith("--"):
                continue
            flag = a.split("=", 1)[0]
            if flag in flags:
                R.check(True, f"{where}: {program} {sub} {flag}")
            elif flag in pending:
                R.warn(f"{where}: {program} {sub} {flag} is not in this binary's --help (pending, allowed by --pending-flag)")
            else:
                R.check(False, f"{where}: {program} {sub} {flag}", f"not an option of `{program} {sub}`: {sorted(flags)}")
        for e in c.get("env", []):
            R.check(e["name"] in envs, f"{where}: env {e['name']} is read by {program} {sub}",
                    f"`{program} {sub} --help` names {sorted(envs)}")
        if program == "siskin-agent" and sub == "run" and "SISKIN_SCRAPE_URL" not in env_of(c) and not flag_value(args, "--scrape-url"):
            help_text = " ".join(subprocess.run([cli.path(program), sub, "--help"], capture_output=True, text=True).stdout.split())
            R.check("(default: http://127.0.0.1:15090/stats/prometheus)" in help_text,
                    f"{where}: the agent's default scrape URL is istio-proxy's 127.0.0.1:15090/stats/prometheus")
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            command = c.get(probe, {}).get("exec", {}).get("command")
            if not command:
                continue
            p_program, p_sub, p_args = split_command(command)
            R.check(p_program in SUBCOMMANDS and p_sub in SUBCOMMANDS[p_program],
                    f"{where}: {probe} runs a subcommand of the image's binaries ({' '.join(command)})")
            p_flags, p_envs = cli.options(p_program, p_sub)
            for a in p_args:
                if a.startswith("--"):
                    R.check(a.split("=", 1)[0] in p_flags, f"{where}: {probe} {p_program} {p_sub} {a.split('=', 1)[0]}")
            # The probe reads the agent's status file from the same environment.
            status = env_of(c).get("SISKIN_STATUS_FILE")
            if status:
                R.check("SISKIN_STATUS_FILE" in p_envs or "--status-file" in p_args,
                        f"{where}: {probe} finds the status file the agent writes ({status})")


# ---------------------------------------------------------------- 6. live

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
         context: ssl.SSLContext | None = None, timeout: float = 10) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, ConnectionError, socket.timeout, ValueError) as e:
        return 0, str(e).encode()


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


class Live:
    """siskin serve, siskin-sim and siskin-agent on loopback, as the manifests run them."""

    def __init__(self, cli: CLI, work: str) -> None:
        self.cli, self.work = cli, work
        self.processes: list[subprocess.Popen] = []
        self.token = os.urandom(16).hex()

    def start(self, argv: list[str], env: dict, log: str) -> subprocess.Popen:
        out = open(os.path.join(self.work, log), "wb")
        p = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(p)
        return p

    def stop(self) -> None:
        for p in reversed(self.processes):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()

    def local_path(self, container: dict, spec: dict, path: str) -> str:
        """A container path, moved under the work folder by volume."""
        found = mount_for(container, spec, path)
        if found is None:
            return os.path.join(self.work, "rootfs", path.lstrip("/"))
        mount, volume = found
        local = os.path.normpath(os.path.join(self.work, "volumes", volume["name"], os.path.relpath(path, mount["mountPath"])))
        os.makedirs(local if os.path.normpath(path) == os.path.normpath(mount["mountPath"]) else os.path.dirname(local), exist_ok=True)
        return os.path.normpath(local)

    def log(self, name: str) -> str:
        with open(os.path.join(self.work, name), "rb") as f:
            return f.read().decode(errors="replace")[-2000:]


def check_live(cli: CLI, built: dict[str, list[dict]], containers, pending: set[str]) -> None:
    section("live on loopback: siskin serve, the agent, probes, Flagger and HPA paths")
    serve = next(((w, c, s) for w, c, s in containers if split_command(c["command"] + c.get("args", []))[:2] == ("siskin", "serve")), None)
    agent = next(((w, c, s) for w, c, s in containers if split_command(c["command"] + c.get("args", []))[:2] == ("siskin-agent", "run")
                  and not w.startswith("deploy/istio")), None)
    if not R.check(serve is not None and agent is not None, "the manifests run `siskin serve` and `siskin-agent run`"):
        return
    work = tempfile.mkdtemp(prefix="siskin-validate-deploy-")
    live = Live(cli, work)
    try:
        run_live(live, serve, agent, built, pending)
    finally:
        live.stop()
        if R.failed == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"  (logs kept in {work})")


def run_live(live: Live, serve, agent, built, pending: set[str]) -> None:
    where, c, spec = serve
    flags, _ = live.cli.options("siskin", "serve")
    ports: dict[int, int] = {}  # containerPort -> local port
    argv = [live.cli.path("siskin"), "serve"]
    tls = None
    for a in split_command(c["command"] + c.get("args", []))[2]:
        flag, _, value = a.partition("=")
        if flag not in flags and flag in pending:
            print(f"  note  {flag} left out of the live run: this binary does not have it yet")
            continue
        if flag in ("--listen", "--metrics-api-listen"):
            port = int(value.rsplit(":", 1)[1])
            ports[port] = free_port()
            value = f"127.0.0.1:{ports[port]}"
        elif value.startswith("/"):
            value = live.local_path(c, spec, value)
            if flag == "--token-file":
                with open(value, "w") as f:
                    f.write(live.token + "\n")
            if flag in ("--tls-cert-file", "--tls-key-file"):
                tls = tls or make_certificate(os.path.dirname(value))
        argv.append(f"{flag}={value}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SISKIN_")}
    server = live.start(argv, env, "serve.log")
    base = f"http://127.0.0.1:{ports[int(flag_value(c['args'], '--listen').rsplit(':', 1)[1])]}"
    up = wait_for(lambda: server.poll() is not None or http("GET", base + "/healthz")[0] == 200, 60)
    if not R.check(up and server.poll() is None, f"siskin serve starts with {where}'s arguments", live.log("serve.log")):
        return
    port_by_name = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        get = c.get(probe, {}).get("httpGet")
        if get:
            local = ports.get(port_by_name.get(get["port"], get["port"]))
            status, body = http("GET", f"http://127.0.0.1:{local}{get['path']}")
            R.check(status == 200, f"{where}: {probe} GET {get['path']} on port {get['port']} -> {status}", body[:200].decode(errors="replace"))

    # The sidecar's Envoy: siskin-sim on the port the agent scrapes by default.
    a_where, a, a_spec = agent
    a_env = {k: v for k, v in os.environ.items() if not k.startswith("SISKIN_") and k not in ("POD_NAME", "POD_NAMESPACE")}
    pod, namespace = "podinfo-7d9c5c7b8-x2x4q", "test"
    envoy_port = 15090 if port_free(15090) else free_port()
    sim = live.start([live.cli.path("siskin-sim"), "serve", "--preset", "small", "--tick", "1", "--port", str(envoy_port)], a_env, "sim.log")
    wait_for(lambda: http("GET", f"http://127.0.0.1:{envoy_port}/stats/prometheus")[0] == 200 or sim.poll() is not None, 30)
    if envoy_port != 15090:
        a_env["SISKIN_SCRAPE_URL"] = f"http://127.0.0.1:{envoy_port}/stats/prometheus"
        print(f"  note  :15090 is busy here; the agent scrapes the simulator on :{envoy_port} instead")
    for e in a.get("env", []):
        name, value = e["name"], e.get("value")
        field = e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
        if field == "metadata.name":
            value = pod
        elif field == "metadata.namespace":
            value = namespace
        elif name == "SISKIN_PUSH_URL":
            value = base
        elif value and value.startswith("/"):
            value = live.local_path(a, a_spec, value)
            if name == "SISKIN_TOKEN_FILE":
                with open(value, "w") as f:
                    f.write(live.token)
            if name == "SISKIN_POD_LABELS_FILE":
                with open(value, "w") as f:
                    f.write('app="podinfo"\npod-template-hash="7d9c5c7b8"\nsecurity.istio.io/tlsMode="istio"')
        a_env[name] = value
    a_program, a_sub, a_args = split_command(a["command"] + a.get("args", []))
    agent_process = live.start([live.cli.path(a_program), a_sub] + a_args, a_env, "agent.log")
    probe = a.get("livenessProbe", {}).get("exec", {}).get("command")
    if probe:
        p_program, p_sub, p_args = split_command(probe)
        ok = wait_for(lambda: subprocess.run([live.cli.path(p_program), p_sub] + p_args, env=a_env,
                                             capture_output=True).returncode == 0, 30)
        R.check(ok, f"{a_where}: the liveness probe `{' '.join(probe)}` succeeds beside a running agent", live.log("agent.log"))
    ready = subprocess.run([live.cli.path("siskin-agent"), "health", "--require-envoy"], env=a_env, capture_output=True, text=True)
    R.check(ready.returncode == 0, "`siskin-agent health --require-envoy` (docs/deploy.md's check) sees Envoy scraped", ready.stdout)

    def pod_listed() -> bool:
        out = subprocess.run([live.cli.path("siskin"), "query", "workloads", "--pods", "--server", base],
                             capture_output=True, text=True)
        return out.returncode == 0 and pod in out.stdout
    R.check(wait_for(pod_listed, 30), f"`siskin query workloads --pods` lists {namespace}/{pod} after the agent's pushes",
            live.log("agent.log") + live.log("serve.log"))
    status, _ = http("POST", base + "/api/v1/siskin/summaries", b"x", {"Content-Type": "application/x-siskin-summary"})
    R.check(status == 401, f"ingest without the token is refused (401, got {status}): --token-file is in force")

    services = {(o["metadata"].get("namespace"), o["metadata"]["name"]): o for objs in built.values() for o in objs if o["kind"] == "Service"}
    for d, objs in built.items():
        for obj in objs:
            if obj["kind"] == "Canary":
                spec = obj["spec"]
                variables = {"namespace": obj["metadata"]["namespace"], "target": spec["targetRef"]["name"]}
                for m in spec["analysis"].get("metrics", []):
                    variables["interval"] = m.get("interval", "1m")
                    if m["name"] in FLAGGER_BUILTIN_QUERIES:
                        check_query(base, f"{rel(d)}: {key(obj)} builtin {m['name']}", FLAGGER_BUILTIN_QUERIES[m["name"]], variables)
                    elif "templateRef" in m:
                        template = next(o for o in objs if o["kind"] == "MetricTemplate" and o["metadata"]["name"] == m["templateRef"]["name"])
                        check_query(base, f"{rel(d)}: {key(obj)} {key(template)}", template["spec"]["query"], variables)
                for w in spec["analysis"].get("webhooks", []):
                    if not resolve_service(w["url"], services):
                        continue
                    payload = {"name": obj["metadata"]["name"], "namespace": obj["metadata"]["namespace"],
                               "phase": "Progressing", "checksum": "0", "metadata": w.get("metadata", {})}
                    path = urllib.parse.urlsplit(w["url"]).path
                    status, body = http("POST", base + path, json.dumps(payload).encode(), {"Content-Type": "application/json"})
                    # No canary traffic here: the verdict is inconclusive (412);
                    # 400 would mean unusable metadata, 404 a wrong path.
                    R.check(status in (200, 412), f"{rel(d)}: {key(obj)} webhook {w['name']} POST {path} -> {status}",
                            body[:300].decode(errors="replace"))
    check_metrics_api(live, c, ports, port_by_name, built, tls)
    agent_process.send_signal(signal.SIGTERM)
    try:
        code = agent_process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        code = None
    R.check(code == 0, f"the agent exits 0 on SIGTERM (got {code})")


def check_query(base: str, what: str, query: str, variables: dict) -> None:
    text = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: variables.get(m.group(1), m.group(0)), query)
    status, body = http("POST", base + "/api/v1/query", urllib.parse.urlencode({"query": text}).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded"})
    ok = status == 200 and json.loads(body or b"{}").get("status") == "success"
    R.check(ok, f"{what}: the query evaluates on Siskin's Prometheus API", f"{status} {body[:300].decode(errors='replace')}")


def make_certificate(folder: str) -> tuple[str, str]:
    """A self-signed certificate as cert-manager would write it (tls.crt, tls.key)."""
    os.makedirs(folder, exist_ok=True)
    crt, key_file = os.path.join(folder, "tls.crt"), os.path.join(folder, "tls.key")
    # ECDSA P-256 and a PKCS#8 key, as certificate.yaml asks cert-manager for.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key_file, "-out", crt, "-days", "1", "-subj", "/CN=siskin.siskin-system.svc",
                    "-addext", "subjectAltName=DNS:siskin.siskin-system.svc,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return crt, key_file


def check_metrics_api(live: Live, c: dict, ports: dict, port_by_name: dict, built, tls) -> None:
    flags, _ = live.cli.options("siskin", "serve")
    if "--metrics-api-listen" not in flags:
        R.warn("this siskin binary has no --metrics-api-listen: the metrics APIs' HTTPS paths were not exercised")
        return
    local = ports.get(port_by_name.get("metrics-api"))
    context = ssl.create_default_context(cafile=tls[0]) if tls else ssl._create_unverified_context()
    scheme = "https" if tls else "http"
    base = f"{scheme}://127.0.0.1:{local}"
    for path in ("/healthz", "/readyz", "/livez"):
        status, body = http("GET", base + path, context=context)
        R.check(status == 200, f"metrics API port: GET {path} -> {status}", body[:200].decode(errors="replace"))
    apis = [o for objs in built.values() for o in objs if o["kind"] == "APIService"]
    for api in apis:
        path = f"/apis/{api['spec']['group']}/{api['spec']['version']}"
        status, body = http("GET", base + path, context=context)
        R.check(status == 200, f"{key(api)}: GET {path} over {scheme.upper()} -> {status}", body[:200].decode(errors="replace"))
        if status == 200 and api["spec"]["group"] == "custom.metrics.k8s.io":
            names = {r.get("name", "") for r in json.loads(body).get("resources", [])}
            for objs in built.values():
                for hpa in (o for o in objs if o["kind"] == "HorizontalPodAutoscaler"):
                    for m in hpa["spec"].get("metrics", []):
                        if m["type"] == "Pods":
                            name = m["pods"]["metric"]["name"]
                            R.check(f"pods/{name}" in names, f"{key(hpa)}: {path} lists pods/{name}", str(sorted(names)[:10]))


# ---------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kubectl", default="kubectl")
    parser.add_argument("--bin-dir", required=True, help="folder with the built siskin, siskin-agent and siskin-sim")
    parser.add_argument("--pending-flag", action="append", default=[], metavar="FLAG",
                        help="a flag the manifests pass that this binary may lack yet (warned, not failed); "
                             "for trying a branch before the code it depends on is merged, never in CI")
    parser.add_argument("--no-live", action="store_true", help="skip starting the binaries")
    opts = parser.parse_args()
    pending = set(opts.pending_flag)

    built = build_all(opts.kubectl)
    validate_schemas(built)
    overlay = istio_template()
    compare_injections(built, overlay)
    check_references(built)
    cli = CLI(os.path.abspath(opts.bin_dir))
    missing = [p for p in ("siskin", "siskin-agent", "siskin-sim") if not os.access(cli.path(p), os.X_OK)]
    if not R.check(not missing, f"built binaries in {opts.bin_dir}", f"missing {missing}: run swift build"):
        print(f"\n{R.passed} passed, {R.failed} failed")
        return 1
    containers = containers_running_siskin(built, overlay)
    check_cli(cli, containers, pending)
    if not opts.no_live:
        check_live(cli, built, containers, pending)
    if pending:
        print(f"\nnote: --pending-flag {' '.join(sorted(pending))} was given: those flags were not required")
    print(f"\nvalidate-deploy: {R.warnings} warnings")
    print(f"{R.passed} passed, {R.failed} failed")
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main())
