/**
 * Opaque keyset cursor for lists ordered by (createdAt DESC, id DESC): the last row's sort key,
 * base64url-encoded. Keyset, not OFFSET: pages stay stable while rows are inserted, and the
 * query uses the (created_at, id) index however deep the page.
 */
export interface CursorKey {
  createdAt: Date;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  const json = JSON.stringify([key.createdAt.toISOString(), key.id]);
  return btoa(json).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Undefined when the string is not a cursor this API could have issued: what it carries is
 * checked as strictly as a query parameter (a UUID id; a timestamp in the canonical form
 * encodeCursor writes, years 1–9999, which Postgres accepts), so a tampered cursor is a 400,
 * never a database error. Cursors are not signed: one only says where a list the caller may
 * read anyway resumes, so forging one gains nothing a filter would not.
 */
export function decodeCursor(cursor: string): CursorKey | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== "string" || typeof id !== "string" || !UUID.test(id)) return undefined;
  const date = new Date(createdAt);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1 || date.toISOString() !== createdAt) return undefined;
  return { createdAt: date, id };
}

/** The Prisma `where` fragment for "rows after this cursor" in (createdAt DESC, id DESC) order. */
export function afterCursor(key: CursorKey | undefined) {
  if (!key) return {};
  return {
    // Redundant with the OR, and what lets the index scan start at the cursor: Postgres reads an OR
    // as a filter only, so without it every page scans all the rows newer than itself.
    createdAt: { lte: key.createdAt },
    OR: [{ createdAt: { lt: key.createdAt } }, { createdAt: key.createdAt, id: { lt: key.id } }],
  };
}

export const NEWEST_FIRST = [{ createdAt: "desc" as const }, { id: "desc" as const }];

/** Given limit+1 rows, the page to return and the cursor of its last row (null on the last page). */
export function page<T extends CursorKey>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
