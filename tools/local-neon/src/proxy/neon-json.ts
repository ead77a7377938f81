// Converts Postgres text-format values to JSON the way Neon's proxy does when the
// client did not ask for raw text output (Neon-Raw-Text-Output: true): bool → boolean,
// int2/int4 → number, float4/float8 → number (NaN and ±Infinity stay strings),
// json/jsonb → parsed, arrays → JSON arrays of converted elements, everything else
// (int8, numeric, dates, …) → the text as a string.
import type { JsonValue } from "./params.js";

export const OID = {
  bool: 16,
  int2: 21,
  int4: 23,
  float4: 700,
  float8: 701,
  json: 114,
  jsonb: 3802,
} as const;

export interface PgTypeInfo {
  /** Element type oid when this is an array type, else undefined. */
  arrayElement?: number;
}

export type TypeLookup = (oid: number) => PgTypeInfo;

export function pgTextToJson(text: string, oid: number, types: TypeLookup): JsonValue {
  const element = types(oid).arrayElement;
  if (element !== undefined) return parsePgArray(text, element, types);
  switch (oid) {
    case OID.bool:
      return text === "t";
    case OID.int2:
    case OID.int4:
      return Number.parseInt(text, 10);
    case OID.float4:
    case OID.float8: {
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case OID.json:
    case OID.jsonb:
      return JSON.parse(text) as JsonValue;
    default:
      return text;
  }
}

/** Parses an array's text form ("{1,2}", "{{a,NULL},{\"b c\",d}}", "[0:1]={1,2}"). */
export function parsePgArray(text: string, elementOid: number, types: TypeLookup): JsonValue[] {
  let input = text;
  // Bounds decoration ("[1:2]=") has no JSON form: dropped, as Neon does.
  if (input.startsWith("[")) {
    const eq = input.indexOf("=");
    if (eq < 0) throw new Error("unbalanced array");
    input = input.slice(eq + 1);
  }
  let pos = 0;
  const skipSpace = () => {
    while (pos < input.length && /\s/.test(input[pos]!)) pos++;
  };
  const parseArray = (): JsonValue[] => {
    skipSpace();
    if (input[pos] !== "{") throw new Error("unbalanced array");
    pos++;
    const out: JsonValue[] = [];
    skipSpace();
    if (input[pos] === "}") {
      pos++;
      return out;
    }
    for (;;) {
      skipSpace();
      if (input[pos] === "{") out.push(parseArray());
      else if (input[pos] === '"') {
        pos++;
        let value = "";
        while (pos < input.length && input[pos] !== '"') {
          if (input[pos] === "\\") pos++;
          value += input[pos] ?? "";
          pos++;
        }
        if (input[pos] !== '"') throw new Error("unbalanced quoted string");
        pos++;
        out.push(pgTextToJson(value, elementOid, types));
      } else {
        const start = pos;
        while (pos < input.length && input[pos] !== "," && input[pos] !== "}") pos++;
        const item = input.slice(start, pos).trim();
        out.push(item === "NULL" ? null : pgTextToJson(item, elementOid, types));
      }
      skipSpace();
      if (input[pos] === ",") {
        pos++;
        continue;
      }
      if (input[pos] === "}") {
        pos++;
        return out;
      }
      throw new Error("unbalanced array");
    }
  };
  const result = parseArray();
  skipSpace();
  if (pos !== input.length) throw new Error("unbalanced array");
  return result;
}
