#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check_json.py FAKE_FLANKCTL SCHEMA_DIR
   check_json.py --files SCHEMA_DIR COMMAND=FILE...

Runs every --json command of flankctl (check, status, stats, dump) on the
fake driver in every state fake_flankctl offers, parses the output with
Python's json module and validates it against its schema in SCHEMA_DIR
(docs/schema/flankctl-COMMAND.schema.json). The validator knows the subset
of JSON Schema those files use (type, enum, required, properties,
additionalProperties, items, minimum, maximum, anyOf, local $ref) and
refuses any other keyword, so that a schema cannot silently mean less than
it says. Every object schema must require all of its properties: the keys
are stable, always present.

With --files it validates saved outputs instead (FILE holds what
'flankctl COMMAND --json' printed): the e2e runs use it on the real
driver's output (tests/e2e/qemu-refusal.sh).
"""
import copy
import json
import os
import subprocess
import sys
import tempfile

KNOWN = {"$schema", "$id", "$defs", "$ref", "title", "description", "type",
         "enum", "required", "properties", "additionalProperties", "items",
         "minimum", "maximum", "anyOf"}
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def resolve(root, ref):
    if not ref.startswith("#/"):
        raise ValueError("only local $ref: %s" % ref)
    node = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def validate(root, schema, value, path="$"):
    """Returns a list of error strings (empty: valid)."""
    unknown = set(schema) - KNOWN
    if unknown:
        return ["%s: schema keyword(s) %s not supported" % (path,
                                                            sorted(unknown))]
    if "$ref" in schema:
        errs = validate(root, resolve(root, schema["$ref"]), value, path)
        if errs:
            return errs
    if "anyOf" in schema:
        if all(validate(root, s, value, path) for s in schema["anyOf"]):
            return ["%s: matches none of anyOf: %r" % (path, value)]
    if "type" in schema:
        types = schema["type"]
        types = types if isinstance(types, list) else [types]
        if not any(TYPES[t](value) for t in types):
            return ["%s: %r is not %s" % (path, value, "/".join(types))]
    if "enum" in schema and value not in schema["enum"]:
        return ["%s: %r not in %s" % (path, value, schema["enum"])]
    errs = []
    if "minimum" in schema and TYPES["integer"](value) and \
            value < schema["minimum"]:
        errs.append("%s: %r < minimum %r" % (path, value, schema["minimum"]))
    if "maximum" in schema and TYPES["integer"](value) and \
            value > schema["maximum"]:
        errs.append("%s: %r > maximum %r" % (path, value, schema["maximum"]))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                errs.append("%s: required key '%s' missing" % (path, key))
        for key, v in value.items():
            if key in props:
                errs += validate(root, props[key], v, "%s.%s" % (path, key))
            elif schema.get("additionalProperties", True) is False:
                errs.append("%s: key '%s' not in the schema" % (path, key))
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            errs += validate(root, schema["items"], v, "%s[%d]" % (path, i))
    return errs


def object_schemas(node, path="$"):
    if isinstance(node, dict):
        if "properties" in node:
            yield path, node
        for k, v in node.items():
            yield from object_schemas(v, "%s/%s" % (path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from object_schemas(v, "%s/%d" % (path, i))


def check_schema(name, schema):
    """Stable keys: every object requires each of its properties, and
    refuses others (a new key is a schema change, reviewed)."""
    errs = []
    for path, node in object_schemas(schema):
        if set(node.get("required", [])) != set(node["properties"]):
            errs.append("%s %s: required %s != properties %s" % (
                name, path, sorted(node.get("required", [])),
                sorted(node["properties"])))
        if node.get("additionalProperties") is not False:
            errs.append("%s %s: additionalProperties is not false" %
                        (name, path))
    return errs


# (state, command, exit code): every --json command in every state.
RUNS = [
    ("empty", "check", 0), ("novmx", "check", 1), ("loaded", "check", 0),
    ("running", "check", 0),
    ("empty", "status", 0), ("loaded", "status", 0),
    ("running", "status", 0),
    ("loaded", "stats", 0), ("running", "stats", 0),
    ("loaded", "dump", 0), ("running", "dump", 0), ("ring", "dump", 0),
    ("running", "status+params", 0),
]
# flank.ko's module parameters as sysfs shows them, for status+params.
PARAMS = {"serial_port": "1016", "serial_baud": "115200", "serial_pci": "Y",
          "ring_kib": "64"}


def self_test(schemas, samples):
    """The validator must reject broken documents, else it proves nothing."""
    broken = []
    st = copy.deepcopy(samples["status"])
    del st["cpus"]
    broken.append(("status", st, "required key 'cpus' missing"))
    st = copy.deepcopy(samples["status"])
    st["extra"] = 1
    broken.append(("status", st, "key 'extra' not in the schema"))
    st = copy.deepcopy(samples["status"])
    st["cpus"][0]["online"] = "yes"
    broken.append(("status", st, "is not boolean"))
    st = copy.deepcopy(samples["status"])
    st["driver"] = "sleeping"
    broken.append(("status", st, "not in"))
    st = copy.deepcopy(samples["stats"])
    st["cpus"][1]["exits"][0]["count"] = 0
    broken.append(("stats", st, "< minimum"))
    st = copy.deepcopy(samples["check"])
    st["image"] = "none"
    broken.append(("check", st, "matches none of anyOf"))
    st = copy.deepcopy(samples["dump"])
    st["lines"].append(7)
    broken.append(("dump", st, "is not string"))
    failed = 0
    for cmd, doc, want in broken:
        errs = validate(schemas[cmd], schemas[cmd], doc)
        if not any(want in e for e in errs):
            print("SELF-TEST FAILED: %s: expected '%s', got %s" %
                  (cmd, want, errs))
            failed += 1
    return failed


def load_schemas(schema_dir):
    schemas = {}
    failed = 0
    for cmd in ("check", "status", "stats", "dump"):
        path = os.path.join(schema_dir, "flankctl-%s.schema.json" % cmd)
        with open(path, encoding="utf-8") as f:
            schemas[cmd] = json.load(f)
        for e in check_schema(path, schemas[cmd]):
            print(e)
            failed += 1
    return schemas, failed


def check_files(schema_dir, pairs):
    schemas, failed = load_schemas(schema_dir)
    for pair in pairs:
        cmd, path = pair.split("=", 1)
        try:
            with open(path, encoding="ascii") as f:
                doc = json.load(f)
        except (ValueError, UnicodeDecodeError) as e:
            print("%s (%s): not JSON: %s" % (cmd, path, e))
            failed += 1
            continue
        errs = validate(schemas[cmd], schemas[cmd], doc)
        for e in errs:
            print("%s --json: %s" % (cmd, e))
        failed += len(errs)
        print("flankctl %s --json: %s" % (cmd, "INVALID" if errs else "valid"))
    print("check_json: %d failure(s)" % failed)
    return 1 if failed else 0


def main():
    if sys.argv[1] == "--files":
        return check_files(sys.argv[2], sys.argv[3:])
    fake, schema_dir = sys.argv[1], sys.argv[2]
    env = dict(os.environ, FLANK_PARAMS_DIR="/nonexistent/flank-params")
    schemas, failed = load_schemas(schema_dir)
    samples = {}
    params = tempfile.mkdtemp(prefix="flankctl-params-")
    for name, text in PARAMS.items():
        with open(os.path.join(params, name), "w", encoding="ascii") as f:
            f.write(text + "\n")
    for state, cmd, want_rc in RUNS:
        run_env = env
        if cmd.endswith("+params"):
            cmd = cmd[:-len("+params")]
            run_env = dict(env, FLANK_PARAMS_DIR=params)
        p = subprocess.run([fake, state, cmd, "--json"], env=run_env,
                           capture_output=True, check=False)
        what = "%s %s --json (%s)" % ("flankctl", cmd, state)
        if p.returncode != want_rc:
            print("%s: exit %d, expected %d; stderr: %s" % (
                what, p.returncode, want_rc, p.stderr.decode()))
            failed += 1
            continue
        try:
            doc = json.loads(p.stdout.decode("ascii"))
        except (ValueError, UnicodeDecodeError) as e:
            print("%s: not JSON (%s):\n%s" % (what, e, p.stdout))
            failed += 1
            continue
        errs = validate(schemas[cmd], schemas[cmd], doc)
        for e in errs:
            print("%s: %s" % (what, e))
        failed += len(errs)
        print("%s: valid" % what if not errs else "%s: INVALID" % what)
        if run_env is not env:
            samples["params"] = doc
        elif state in ("running", "ring"):
            samples[cmd] = doc
    for name in PARAMS:
        os.unlink(os.path.join(params, name))
    os.rmdir(params)
    # What the fake holds must come out as such (not just well-formed).
    exp = [
        (samples["status"]["cpus"][1]["exits"], 77),
        ([e for e in samples["stats"]["cpus"][1]["exits"]
          if e["reason"] == 10][0]["count"], 77),
        (samples["stats"]["cpus"][1]["total"], 79),
        (samples["stats"]["cpus"][1]["hidden_writes"], 3),
        (samples["stats"]["cpus"][0]["hidden_writes"], 0),
        (samples["dump"]["lines"][-1],
         "[1] cpu1 warn: odd: \"quote\" \\ tab\t byte \u00e9 end"),
        (samples["status"]["image"]["vmm"], "running"),
        (samples["check"]["usable"], True),
        (samples["params"]["serial"],
         {"port": 0x3f8, "baud": 115200, "pci": True}),
        (samples["params"]["ring"], {"kib": 64, "records": 255}),
        (samples["status"]["serial"], None),
    ]
    for got, want in exp:
        if got != want:
            print("value: got %r, expected %r" % (got, want))
            failed += 1
    failed += self_test(schemas, samples)
    print("check_json: %d failure(s)" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
