#!/usr/bin/env python3
"""Makes many API keys at once for deploy/bench's memory scenario.

    bulk-keys.py COUNT TENANT_ID[,TENANT_ID...] KEYS_FILE ROWS_FILE

writes COUNT raw keys (one a line, in the format `aegis key create` prints) to KEYS_FILE, readable by
its owner only, and the matching api_keys rows (id, key_hash, prefix, tenant_id) as CSV to
ROWS_FILE for one COPY. Keys are spread over the tenants in turn. Only the SHA-256 of each key goes
into the rows, as the database never holds a raw key.
"""

import hashlib
import os
import secrets
import sys
import time
import uuid


def uuid7(counter):
    """A UUIDv7 like the ones Aegis makes: milliseconds first, so the rows land in index order."""
    millis = int(time.time() * 1000)
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (counter & 0xFFF) << 64
    value |= 0b10 << 62
    value |= secrets.randbits(62)
    return uuid.UUID(int=value)


def main(argv):
    if len(argv) != 5:
        sys.exit("usage: bulk-keys.py COUNT TENANT_ID[,TENANT_ID...] KEYS_FILE ROWS_FILE")
    try:
        count = int(argv[1])
    except ValueError:
        sys.exit(f"bulk-keys.py: COUNT must be a whole number, not {argv[1]!r}")
    if not 1 <= count <= 10_000_000:
        sys.exit("bulk-keys.py: COUNT must be between 1 and 10,000,000")
    tenants = [str(uuid.UUID(tenant)) for tenant in argv[2].split(",") if tenant]
    if not tenants:
        sys.exit("bulk-keys.py: give at least one tenant id")

    descriptor = os.open(argv[3], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as keys, open(argv[4], "w") as rows:
        for index in range(count):
            key = "ak_" + secrets.token_urlsafe(32)
            digest = hashlib.sha256(key.encode()).hexdigest()
            tenant = tenants[index % len(tenants)]
            keys.write(key + "\n")
            rows.write(f"{uuid7(index)},{digest},{key[:8]},{tenant}\n")


if __name__ == "__main__":
    main(sys.argv)
