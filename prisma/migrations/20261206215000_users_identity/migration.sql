-- A user of the demo is who a verified token names: its issuer and subject (src/services/users.ts
-- creates the user on a token's first use; an admin may link an existing user instead). A token
-- need not carry an email (Auth0's and Clerk's access tokens do not), so email becomes optional.
-- The pair is unique; users without one (seeded, or created by an admin) have NULLs, which do not collide.
ALTER TABLE "users" ALTER COLUMN "email" DROP NOT NULL,
ADD COLUMN "auth_issuer" TEXT,
ADD COLUMN "auth_subject" TEXT;

CREATE UNIQUE INDEX "users_auth_issuer_auth_subject_key" ON "users"("auth_issuer", "auth_subject");
