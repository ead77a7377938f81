-- Emails are unique whatever their case: the API stores them lowercased (src/schemas/users.ts), and
-- this CHECK holds every other writer to the same, so "users_email_key" compares them case-blind.
-- (Not a unique index on lower(email): Prisma cannot model one, so findUnique/upsert by email and
-- the 409's field name would not follow it.) Two users whose emails differ only in case make the
-- UPDATE fail on "users_email_key": merge them first.
UPDATE "users" SET "email" = lower("email") WHERE "email" <> lower("email");

ALTER TABLE "users" ADD CONSTRAINT "users_email_lowercase" CHECK ("email" = lower("email"));
