"""Validate newline-delimited JSON documents against one of the protocol's schemas.

Usage: python3 validate.py SCHEMA.json < documents.ndjson

Prints "N: ok" or "N: <problems>" for each non-blank line N and exits 1 if any document is
invalid, 2 if the schema itself or the input is unusable. Needs `pip install jsonschema`.
"""

import json
import sys

try:
    from jsonschema import Draft202012Validator
except ImportError:
    sys.exit("validate.py: the jsonschema package is missing; install it with: pip install jsonschema")


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as file:
        schema = json.load(file)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    invalid = 0
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
        except ValueError as error:
            print(f"{number}: not JSON: {error}")
            invalid += 1
            continue
        problems = [error.message for error in validator.iter_errors(document)]
        print(f"{number}: " + ("ok" if not problems else "; ".join(problems).replace("\n", " ")))
        invalid += bool(problems)
    return 1 if invalid else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main())
