#!/usr/bin/env python3
"""Keeps docs/openapi.json's v2 paths in step with its v1 paths (issue 10).

The server serves every Self-Service and Back-Office route under v1 and v2 from one
route table (src/http/api_versions.h); this document says so in one place too. Run it
after adding or changing a v1 path (it is idempotent; tests/http/portal_and_health_test
fails while a v1 path has no v2 twin):
    python3 docs/openapi_v2.py
It
- gives every /self-service/v1 and /backoffice/v1 path a /self-service/v2 or
  /backoffice/v2 twin that is a $ref to the v1 path item (same behaviour), placed after
  all other paths;
- lets every Self-Service operation that takes the bearer take it alone as well
  (security [{apiKey, bearerAuth}, {bearerAuth}]): the token stands for its key.
The file keeps its formatting (indent 2, UTF-8), so the diff shows only what changed."""
import json
import pathlib

PATH = pathlib.Path(__file__).with_name("openapi.json")
APIS = [("/self-service/v1/", "/self-service/v2/"), ("/backoffice/v1/", "/backoffice/v2/")]


def pointer(path):
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1")


doc = json.loads(PATH.read_text(encoding="utf-8"))
paths = {p: item for p, item in doc["paths"].items()
         if not any(p.startswith(v2) for _, v2 in APIS)}
for path, item in paths.items():
    if not path.startswith("/self-service/v1/"):
        continue
    for op in item.values():
        if not isinstance(op, dict) or "security" not in op:
            continue
        if {"apiKey": [], "bearerAuth": []} in op["security"] and {"bearerAuth": []} not in op["security"]:
            op["security"].append({"bearerAuth": []})
twins = {}
for path in paths:
    for v1, v2 in APIS:
        if path.startswith(v1):
            twins[v2 + path[len(v1):]] = {"$ref": pointer(path)}
doc["paths"] = {**paths, **twins}
PATH.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
