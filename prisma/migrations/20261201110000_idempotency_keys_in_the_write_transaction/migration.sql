-- Idempotency keys are now written in the same transaction as the write they guard, scoped by
-- caller and route, with the whole response (status, headers, body). The old rows (a global key,
-- no headers, possibly "in progress" forever) cannot be converted: they are dropped. Keys only
-- live for a day, so at worst a retry in flight during the deploy runs its write again.
DROP TABLE "idempotency_keys";

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "caller" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "response_status" INTEGER NOT NULL,
    "response_headers" JSONB NOT NULL,
    "response_body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("caller","route","key")
);

-- CreateIndex
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");
