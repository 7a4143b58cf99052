-- Users, their API keys and the credit ledger. Invariant (checked by the ledger check and by tests):
-- users.credits = sum(ledger_entries.amount) per user, at every instant.

CREATE TABLE users (
    id                   UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    telegram_id          BIGINT UNIQUE,
    language             TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ru')),
    credits              BIGINT NOT NULL DEFAULT 0 CHECK (credits >= 0),
    is_premium           BOOLEAN NOT NULL DEFAULT FALSE,
    active_generations   INTEGER NOT NULL DEFAULT 0 CHECK (active_generations >= 0),
    total_spent_credits  BIGINT NOT NULL DEFAULT 0 CHECK (total_spent_credits >= 0),
    total_generations    BIGINT NOT NULL DEFAULT 0 CHECK (total_generations >= 0),
    last_active_at       TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Keys are stored only as SHA-256 hashes; the clear key is shown once, at creation.
CREATE TABLE api_keys (
    key_hash    BYTEA PRIMARY KEY CHECK (octet_length(key_hash) = 32),
    user_id     UUID NOT NULL REFERENCES users (id),
    key_prefix  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX api_keys_user ON api_keys (user_id);

CREATE TABLE generations (
    id                UUID PRIMARY KEY,
    user_id           UUID NOT NULL REFERENCES users (id),
    status            TEXT NOT NULL
                      CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
    model             TEXT NOT NULL,
    prompt            TEXT NOT NULL,
    params            JSONB NOT NULL DEFAULT '{}'::jsonb,
    credits_charged   BIGINT NOT NULL CHECK (credits_charged >= 0),
    idempotency_key   VARCHAR(64),
    request_hash      TEXT,
    result            JSONB,
    error_code        TEXT,
    error_message     TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    lease_owner       TEXT,
    lease_expires_at  TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at        TIMESTAMPTZ,
    finished_at       TIMESTAMPTZ,
    timeout_at        TIMESTAMPTZ NOT NULL,
    -- failed and cancelled always carry a reason; terminal states always carry their time.
    CHECK ((status IN ('failed', 'cancelled')) = (error_code IS NOT NULL)),
    CHECK ((status IN ('completed', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
);
-- Idempotency per (user, key): at most one generation that is in flight or completed. Failed and cancelled
-- ones leave the index, so the key may be used again. Concurrent inserts with one key race on this index.
CREATE UNIQUE INDEX generations_idempotency
    ON generations (user_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL AND status IN ('pending', 'processing', 'completed');
CREATE INDEX generations_user_newest ON generations (user_id, created_at DESC, id DESC);
-- The durable work queue: unfinished generations by deadline.
CREATE INDEX generations_unfinished ON generations (timeout_at) WHERE status IN ('pending', 'processing');

-- Images the service stores itself (demo renders, b64_json answers), served at /v1/generations/{id}/images/{n}.
CREATE TABLE generation_images (
    generation_id  UUID NOT NULL REFERENCES generations (id),
    n              INTEGER NOT NULL CHECK (n >= 0),
    content_type   TEXT NOT NULL DEFAULT 'image/png',
    content        BYTEA NOT NULL,
    PRIMARY KEY (generation_id, n)
);

CREATE TABLE ledger_entries (
    id               BIGSERIAL PRIMARY KEY,
    user_id          UUID NOT NULL REFERENCES users (id),
    generation_id    UUID REFERENCES generations (id),
    type             TEXT NOT NULL CHECK (type IN ('TOPUP', 'CHARGE', 'REFUND', 'ADJUSTMENT')),
    amount           BIGINT NOT NULL CHECK (amount <> 0),
    balance_after    BIGINT NOT NULL CHECK (balance_after >= 0),
    reason           TEXT,
    idempotency_key  VARCHAR(64),
    request_hash     TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (type <> 'TOPUP' OR amount > 0),
    CHECK (type <> 'CHARGE' OR (amount < 0 AND generation_id IS NOT NULL)),
    CHECK (type <> 'REFUND' OR (amount > 0 AND generation_id IS NOT NULL))
);
CREATE INDEX ledger_entries_user ON ledger_entries (user_id, id DESC);
-- A generation is charged at most once and refunded at most once, whatever races.
CREATE UNIQUE INDEX ledger_one_charge_per_generation ON ledger_entries (generation_id) WHERE type = 'CHARGE';
CREATE UNIQUE INDEX ledger_one_refund_per_generation ON ledger_entries (generation_id) WHERE type = 'REFUND';
-- Admin credit changes with an Idempotency-Key are applied once per (user, key).
CREATE UNIQUE INDEX ledger_entries_idempotency
    ON ledger_entries (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
