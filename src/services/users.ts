import type { Database } from "../db/prisma";
import type { Principal } from "../env";
import { ProblemError } from "../errors/problem";

/** Who a request acts as in the demo: its user (none for the service credential), and whether it may do everything. */
export interface Me {
  userId: string | undefined;
  admin: boolean;
}

/** How long an isolate trusts what it looked up: a role change or a deleted user shows within this. */
const CACHE_MS = 60_000;
const MAX_CACHED = 1000;
const known = new Map<string, { me: Me; until: number }>();

/**
 * The caller as a demo user. A token's issuer and subject name one user, created on the token's
 * first use (an admin may link an existing user instead: PUT /users/{id}/identity). Admin by the
 * token's role claim or by the user's role; the service credential is an admin and no user. A
 * found user is remembered per isolate for a minute, so a warm request costs no query.
 */
export async function currentUser(prisma: Database, principal: Principal | undefined): Promise<Me> {
  if (!principal) throw new ProblemError(401, "This route needs a bearer credential.");
  if (principal.kind === "service") return { userId: undefined, admin: true };
  const key = `${principal.issuer}\n${principal.subject}`;
  const cached = known.get(key);
  if (cached && cached.until > Date.now()) return withClaims(cached.me, principal.admin);

  const identity = { authIssuer: principal.issuer, authSubject: principal.subject };
  let user = await prisma.user.findUnique({ where: { authIssuer_authSubject: identity }, select: FIELDS });
  if (!user) {
    // ON CONFLICT DO NOTHING: a concurrent first request may create it too, and a unique violation
    // would abort the transaction a keyed write runs in. Not remembered: that transaction may roll back.
    await prisma.user.createMany({ data: [{ ...identity, name: principal.name }], skipDuplicates: true });
    user = await prisma.user.findUniqueOrThrow({ where: { authIssuer_authSubject: identity }, select: FIELDS });
    return withClaims({ userId: user.id, admin: user.role === "ADMIN" }, principal.admin);
  }
  const me = { userId: user.id, admin: user.role === "ADMIN" };
  if (known.size >= MAX_CACHED) known.delete(known.keys().next().value as string);
  known.set(key, { me, until: Date.now() + CACHE_MS });
  return withClaims(me, principal.admin);
}

/** Drops what this isolate remembers of a user (deleted, or its identity or role changed). */
export function forgetUser(userId: string): void {
  for (const [key, { me }] of known) if (me.userId === userId) known.delete(key);
}

const FIELDS = { id: true, role: true } as const;
const withClaims = (me: Me, claimsAdmin: boolean): Me => (claimsAdmin ? { ...me, admin: true } : me);
