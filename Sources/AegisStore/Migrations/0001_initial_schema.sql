-- The tables Aegis keeps in PostgreSQL. Primary keys are UUIDv7 values made by Aegis, so new rows
-- land at the right-hand end of their indexes.

CREATE TABLE plans (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name <> ''),
    -- Token-bucket capacity, refilled at this many tokens per second.
    burst_rps integer NOT NULL CHECK (burst_rps > 0),
    -- Most requests any rolling 60-second interval may admit.
    sustained_rpm integer NOT NULL CHECK (sustained_rpm > 0),
    -- Requests per UTC calendar month.
    monthly_quota bigint NOT NULL CHECK (monthly_quota >= 0),
    -- 'hard' denies past the quota; 'soft' admits with reason quota_overage.
    enforcement_type text NOT NULL CHECK (enforcement_type IN ('hard', 'soft')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name <> ''),
    plan_id uuid NOT NULL REFERENCES plans (id),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX tenants_plan_id_idx ON tenants (plan_id);

-- Only the SHA-256 of a key is kept; the raw key is shown once, when it is made.
CREATE TABLE api_keys (
    id uuid PRIMARY KEY,
    -- Lowercase hex SHA-256 of the raw key. Its unique index serves the daemon's lookup, which
    -- then reaches the tenant and the plan through their primary keys.
    key_hash text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    -- The raw key's first characters, for telling keys apart in listings; not enough to use it.
    prefix text NOT NULL,
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE INDEX api_keys_tenant_id_idx ON api_keys (tenant_id);

-- Requests counted against each tenant's quota per UTC month. The daemon's Redis counter is the
-- live value; this row follows it (never moving backwards) and seeds it when Redis has lost it.
CREATE TABLE monthly_usage (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    year integer NOT NULL CHECK (year BETWEEN 1970 AND 9999),
    month integer NOT NULL CHECK (month BETWEEN 1 AND 12),
    requests_used bigint NOT NULL DEFAULT 0 CHECK (requests_used >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, year, month)
);

-- One row per decision. The id is the daemon's decision id, so shipping a batch twice is harmless.
-- No foreign keys: the log outlives what it mentions, and unknown keys are logged too.
CREATE TABLE request_logs (
    id uuid PRIMARY KEY,
    tenant_id uuid,
    api_key_id uuid,
    decision text NOT NULL CHECK (decision IN ('allowed', 'blocked')),
    reason text NOT NULL,
    status integer NOT NULL,
    method text,
    path text,
    client_ip text,
    cost integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL
);

CREATE INDEX request_logs_tenant_id_created_at_idx ON request_logs (tenant_id, created_at);

-- Every change a running daemon must apply at once. Each row is also announced with
-- NOTIFY aegis_changes '<kind>:<target>' in the same transaction; daemons poll this table too, so a
-- notice lost with a dropped connection is still seen.
CREATE TABLE change_log (
    seq bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('tenant', 'key', 'plan')),
    target uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
