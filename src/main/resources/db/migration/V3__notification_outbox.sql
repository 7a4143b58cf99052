-- Telegram notifications: a durable outbox. Rows are inserted in the same transaction as the generation state
-- change they announce (so a crash right after the change loses nothing) and delivered by NotificationVerticle.
-- generation_id is a correlation key, not a foreign key: the outbox never holds up or fails a generation.

CREATE TABLE notification_outbox (
    id               BIGSERIAL PRIMARY KEY,
    user_id          UUID NOT NULL REFERENCES users (id),
    chat_id          BIGINT NOT NULL,
    language         TEXT NOT NULL CHECK (language IN ('en', 'ru')),
    event            TEXT NOT NULL CHECK (event IN ('started', 'completed', 'failed', 'cancelled')),
    generation_id    UUID NOT NULL,
    payload          JSONB NOT NULL DEFAULT '{}'::jsonb,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The instance sending the row right now, until when (a lease: an instance that dies mid-send lets go).
    -- A sent or failed row keeps locked_by: the instance that made the last attempt.
    locked_by        TEXT,
    locked_until     TIMESTAMPTZ,
    claimed_at       TIMESTAMPTZ,   -- start of the latest attempt (global messages-per-second budget)
    last_attempt_at  TIMESTAMPTZ,   -- end of the latest attempt (per-chat spacing)
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at          TIMESTAMPTZ,
    CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    -- One event of one generation is enqueued once, whatever retries or races happen on the generation side.
    CONSTRAINT notification_outbox_once UNIQUE (generation_id, event)
);

-- Due rows, oldest first.
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at, id) WHERE status = 'pending';
-- The head of each chat's queue (messages to one chat go out in order).
CREATE INDEX notification_outbox_chat_pending ON notification_outbox (chat_id, id) WHERE status = 'pending';
-- The latest attempt per chat (per-chat throttle).
CREATE INDEX notification_outbox_chat_last ON notification_outbox (chat_id, last_attempt_at)
    WHERE last_attempt_at IS NOT NULL;
-- Attempts started in the last second (global throttle).
CREATE INDEX notification_outbox_claimed ON notification_outbox (claimed_at) WHERE claimed_at IS NOT NULL;
-- Finished rows by age (retention).
CREATE INDEX notification_outbox_finished ON notification_outbox (created_at) WHERE status <> 'pending';
