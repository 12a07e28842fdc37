#!/usr/bin/env python3
"""Validates documents against their JSON schemas with an independent validator (the
jsonschema package, Debian's python3-jsonschema), formats checked.

    validate.py FILE.jsonl   each line {"schema": ..., "document": "<the generated text>"}

Prints each failure and 'N passed, N failed'; exits 1 on any failure."""
import json
import sys

import jsonschema


# The 2020-12 meaning of each format ('time' with its zone); older jsonschema names it apart.
FORMATS = (getattr(jsonschema.Draft202012Validator, "FORMAT_CHECKER", None)
           or jsonschema.draft202012_format_checker)


def main(path):
    passed = failed = 0
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            case = json.loads(line)
            try:
                document = json.loads(case["document"])
                validator = jsonschema.Draft202012Validator(
                    case["schema"], format_checker=FORMATS)
                errors = [e.message for e in validator.iter_errors(document)]
            except ValueError as e:
                errors = [f"not JSON: {e}"]
            if errors:
                failed += 1
                print(f"line {n}: {errors[0]}\n  schema: {json.dumps(case['schema'])}\n"
                      f"  document: {case['document']}")
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
