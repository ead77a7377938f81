// Query parameters arrive as JSON; Neon turns them into Postgres text like this:
// null → NULL, string as is, bool/number/object → their JSON text, array → a Postgres
// array literal (strings quoted and escaped inside, objects as quoted JSON text).

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function toPgTextParam(value: JsonValue): string | null {
  if (value === null) return null;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return toPgArrayLiteral(value);
  return JSON.stringify(value);
}

function toPgArrayLiteral(value: JsonValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return `{${value.map((item) => toPgArrayLiteral(item) ?? "NULL").join(",")}}`;
  // Inside an array literal strings must be quoted; JSON string syntax escapes " and \ as Postgres wants.
  if (typeof value === "object") return JSON.stringify(JSON.stringify(value));
  return JSON.stringify(value);
}
