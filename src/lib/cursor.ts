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

/** Undefined when the string is not a cursor this API issued. */
export function decodeCursor(cursor: string): CursorKey | undefined {
  try {
    const json = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    const [createdAt, id] = JSON.parse(json) as unknown[];
    if (typeof createdAt !== "string" || typeof id !== "string") return undefined;
    const date = new Date(createdAt);
    return Number.isNaN(date.getTime()) ? undefined : { createdAt: date, id };
  } catch {
    return undefined;
  }
}

/** The Prisma `where` fragment for "rows after this cursor" in (createdAt DESC, id DESC) order. */
export function afterCursor(key: CursorKey | undefined) {
  if (!key) return {};
  return { OR: [{ createdAt: { lt: key.createdAt } }, { createdAt: key.createdAt, id: { lt: key.id } }] };
}

export const NEWEST_FIRST = [{ createdAt: "desc" as const }, { id: "desc" as const }];

/** Given limit+1 rows, the page to return and the cursor of its last row (null on the last page). */
export function page<T extends CursorKey>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
