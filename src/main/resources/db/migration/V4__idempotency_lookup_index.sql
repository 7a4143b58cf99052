-- The idempotency lookup of a create (user, key, newest first) must not scan the user's whole history: the
-- unique index of V1 covers only in-flight and completed generations, so it cannot serve it.
CREATE INDEX generations_idempotency_lookup
    ON generations (user_id, idempotency_key, created_at DESC, id DESC)
    WHERE idempotency_key IS NOT NULL;
