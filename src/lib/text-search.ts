/**
 * A case-insensitive "contains" filter for user input. Prisma passes `contains` to LIKE as is, so
 * `%` would match everything and `_` any character: escaped here (backslash is Postgres' default
 * LIKE escape), the text matches literally.
 */
export function containsText(text: string) {
  return { contains: text.replaceAll(/[\\%_]/g, (ch) => `\\${ch}`), mode: "insensitive" as const };
}
