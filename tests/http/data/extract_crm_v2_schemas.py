#!/usr/bin/env python3
"""Extracts, from CRM.COM's Self-Service v2 OpenAPI document, the request and answer
schemas of the endpoints contactd serves, into crm_self_service_v2.json (read by
tests/http/crm_v2_sdk_test.cpp; CI cannot fetch the SDK, so the shapes are kept here).

The document is `.speakeasy/out.openapi.yaml` of github.com/mioannoucrmcom/crm-typescript
(the generated TypeScript SDK). Usage:
    extract_crm_v2_schemas.py out.openapi.yaml COMMIT > crm_self_service_v2.json
$refs are resolved, allOf kept; descriptions and examples are dropped."""
import json
import sys

import yaml

OPERATIONS = [
    ("post", "/self-service/v2/contacts/register"),
    ("post", "/self-service/v2/contacts/otp"),
    ("post", "/self-service/v2/contacts/validate_otp"),
    ("post", "/self-service/v2/contacts/authenticate"),
    ("post", "/self-service/v2/contacts/refresh"),
    ("post", "/self-service/v2/contacts/forgot_password"),
    ("get", "/self-service/v2/contacts/{id}"),
    ("put", "/self-service/v2/contacts/{id}"),
    ("post", "/self-service/v2/contacts/{id}/identities"),
    ("post", "/self-service/v2/contacts/{id}/sign_out"),
    ("post", "/self-service/v2/contacts/{id}/change_password"),
]

doc = yaml.load(open(sys.argv[1]), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def resolve(node, depth=0):
    if isinstance(node, dict):
        if "$ref" in node and depth < 20:
            target = doc
            for key in node["$ref"].lstrip("#/").split("/"):
                target = target[key]
            return resolve(target, depth + 1)
        return {k: resolve(v, depth) for k, v in node.items()
                if k not in ("description", "example", "examples", "summary", "tags")}
    if isinstance(node, list):
        return [resolve(item, depth) for item in node]
    return node


out = {
    "source": "github.com/mioannoucrmcom/crm-typescript .speakeasy/out.openapi.yaml",
    "commit": sys.argv[2] if len(sys.argv) > 2 else "",
    "operations": {},
}
for method, path in OPERATIONS:
    op = resolve(doc["paths"][path][method])
    entry = {"operationId": op.get("operationId"), "security": op.get("security"),
             "parameters": op.get("parameters", []), "responses": {}}
    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        entry["request"] = body["schema"]
    for status, answer in op.get("responses", {}).items():
        content = (answer or {}).get("content", {}).get("application/json")
        if content:
            entry["responses"][status] = content["schema"]
    out["operations"][method.upper() + " " + path] = entry
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
