import { z } from "zod";
import type { Bindings } from "./env";
import { hostName, isLocalHost } from "./lib/loopback";
import { SPEED_LAYER_PARTS, type SpeedLayerPart } from "./lib/speed-layer-parts";

/**
 * The optional plain settings (wrangler.toml [vars] or .dev.vars), parsed strictly: a value that
 * is not exactly understood is a SettingsError naming the variable, never a silent default.
 * Unset or "" means the default.
 */
export interface Settings {
  /** Largest request body accepted, in bytes (413 above it). */
  maxBodyBytes: number;
  /** How long a request waits for the database before its 503. */
  dbConnectTimeoutMs: number;
  /** How long an interactive transaction may run, lock waits included, before it is rolled back (503). */
  dbTransactionTimeoutMs: number;
  /** Origins CORS allows. */
  corsOrigins: string[];
  /** Whether /docs and /openapi.json are served without the token. */
  publicDocs: boolean;
  /** The Postgres schema Prisma queries; undefined = the connection's default (public). */
  databaseSchema: string | undefined;
  /** Neon's transport for single statements: "http" (one round trip each) or "ws" (src/db/prisma.ts). */
  neonStatementTransport: "http" | "ws";
  /**
   * Local only (`npm run dev` sets it): the Host names answered besides the loopback ones, anything
   * else a 403 (src/middleware/host-check.ts). Undefined = no Host check, as in production.
   */
  localAllowedHosts: string[] | undefined;
  /** The speed layer's parts in use (src/db/speed); none = stock Prisma. */
  prismaSpeedLayer: ReadonlySet<SpeedLayerPart>;
  /** JWT authentication (src/auth); undefined = off (JWKS_URL unset). */
  jwt: JwtSettings | undefined;
}

/** How bearer JWTs are verified (src/auth/verify.ts). */
export interface JwtSettings {
  jwksUrl: URL;
  /** The exact `iss`, never normalised. */
  issuer: string;
  /** A token's `aud` must hold one of these. */
  audience: string[];
  /** The top-level claim that makes a user admin ("admin", or an array holding it). */
  roleClaim: string;
  clockSkewSeconds: number;
  /** An unknown kid refetches the JWKS at most once per this many seconds. */
  refetchCooldownSeconds: number;
}

/**
 * Default body limit. The largest valid request (a post of 50,000 characters, each escaped as
 * \uXXXX in JSON: 300,000 bytes, plus a 200-character title) fits with room to spare; a test
 * derives that body from the schemas and checks it against this.
 */
export const DEFAULT_MAX_BODY_BYTES = 512 * 1024;

const unset = (value: unknown) => value === undefined || value === "";

const wholeNumber = (min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (unset(value)) return fallback;
      const n = /^\d+$/.test(value!) ? Number(value) : Number.NaN;
      if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
      ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}` });
      return z.NEVER;
    });

const flag = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (unset(value)) return fallback;
      if (value === "true") return true;
      if (value === "false") return false;
      ctx.addIssue({ code: "custom", message: 'must be "true" or "false"' });
      return z.NEVER;
    });

/** Optional, used exactly as given (an issuer, a claim name): visible ASCII, no spaces. */
const exactName = z
  .string()
  .optional()
  .refine((value) => unset(value) || /^[\x21-\x7e]+$/.test(value!), "must be visible ASCII, no spaces")
  .transform((value) => (unset(value) ? undefined : value));

const SettingsSchema = z.object({
  MAX_BODY_BYTES: wholeNumber(1024, 100 * 1024 * 1024, DEFAULT_MAX_BODY_BYTES),
  DB_CONNECT_TIMEOUT_MS: wholeNumber(100, 60_000, 10_000),
  // Prisma's own default (5 s). Cloudflare lets a request wait for I/O as long as its client stays.
  DB_TRANSACTION_TIMEOUT_MS: wholeNumber(100, 300_000, 5_000),
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const origins = (value ?? "")
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean);
      for (const origin of origins) {
        if (URL.canParse(origin) && new URL(origin).origin === origin) continue;
        ctx.addIssue({ code: "custom", message: `"${origin}" is not an origin (scheme://host[:port], no path)` });
      }
      return origins;
    }),
  PUBLIC_DOCS: flag(true),
  DATABASE_SCHEMA: z
    .string()
    .optional()
    .refine((value) => unset(value) || /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(value!), "must be a Postgres identifier")
    .transform((value) => (unset(value) ? undefined : value)),
  NEON_STATEMENT_TRANSPORT: z
    .string()
    .optional()
    .refine((value) => unset(value) || value === "http" || value === "ws", 'must be "http" or "ws"')
    .transform((value) => (value === "ws" ? ("ws" as const) : ("http" as const))),
  // "on" (the default) or "off", or the parts to use, comma-separated (the bench measures each).
  PRISMA_SPEED_LAYER: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (unset(value) || value === "on") return new Set<SpeedLayerPart>(SPEED_LAYER_PARTS);
      if (value === "off") return new Set<SpeedLayerPart>();
      const parts = value!.split(",").map((part) => part.trim());
      const unknown = parts.filter((part) => !(SPEED_LAYER_PARTS as readonly string[]).includes(part));
      if (unknown.length === 0) return new Set(parts as SpeedLayerPart[]);
      ctx.addIssue({ code: "custom", message: `must be "on", "off" or some of ${SPEED_LAYER_PARTS.join(",")}` });
      return z.NEVER;
    }),
  LOCAL_ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (unset(value)) return undefined;
      const names = value!
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean);
      for (const name of names) {
        if (hostName(name) === undefined) ctx.addIssue({ code: "custom", message: `"${name}" is not a host name` });
      }
      return names;
    }),
  // Keys fetched over plain http could be swapped by anyone on the path: only this machine's issuer may use it.
  JWKS_URL: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (unset(value)) return undefined;
      const url = URL.canParse(value!) ? new URL(value!) : undefined;
      const secure = url?.protocol === "https:" || (url?.protocol === "http:" && isLocalHost(url.host));
      if (url && secure && !url.username && !url.password && !url.hash) return url;
      ctx.addIssue({ code: "custom", message: "must be an https:// URL (http:// only for a loopback host)" });
      return z.NEVER;
    }),
  JWT_ISSUER: exactName,
  JWT_AUDIENCE: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (unset(value)) return undefined;
      const audiences = value!.split(",").map((a) => a.trim());
      if (audiences.every((a) => /^[\x21-\x7e]+$/.test(a))) return audiences;
      ctx.addIssue({ code: "custom", message: "must be audiences (visible ASCII), comma-separated, none empty" });
      return z.NEVER;
    }),
  JWT_ROLE_CLAIM: exactName.transform((value) => value ?? "role"),
  JWT_CLOCK_SKEW_SECONDS: wholeNumber(0, 300, 30),
  JWKS_REFETCH_COOLDOWN_SECONDS: wholeNumber(1, 3600, 30),
});

/** Settings that only make sense together. */
const CheckedSettingsSchema = SettingsSchema.superRefine((s, ctx) => {
  // Without them any issuer's token for any audience, signed by these keys, would pass.
  for (const name of ["JWT_ISSUER", "JWT_AUDIENCE"] as const) {
    if (s.JWKS_URL && !s[name]) ctx.addIssue({ code: "custom", path: [name], message: "is required with JWKS_URL" });
  }
});

/** A setting with a value the Worker does not understand. Its message names the variable. */
export class SettingsError extends Error {
  override name = "SettingsError";
}

const parsed = new WeakMap<object, Settings>();

/** The settings of these bindings (parsed once per bindings object). Throws SettingsError. */
export function settingsOf(env: Bindings): Settings {
  const cached = parsed.get(env);
  if (cached) return cached;
  const result = CheckedSettingsSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name}=${JSON.stringify((env as unknown as Record<string, unknown>)[name])}: ${issue.message}`;
    });
    throw new SettingsError(`Invalid setting ${problems.join("; ")}`);
  }
  const s = result.data;
  const settings: Settings = {
    maxBodyBytes: s.MAX_BODY_BYTES,
    dbConnectTimeoutMs: s.DB_CONNECT_TIMEOUT_MS,
    dbTransactionTimeoutMs: s.DB_TRANSACTION_TIMEOUT_MS,
    corsOrigins: s.CORS_ORIGINS,
    publicDocs: s.PUBLIC_DOCS,
    databaseSchema: s.DATABASE_SCHEMA,
    neonStatementTransport: s.NEON_STATEMENT_TRANSPORT,
    localAllowedHosts: s.LOCAL_ALLOWED_HOSTS,
    prismaSpeedLayer: s.PRISMA_SPEED_LAYER,
    jwt: s.JWKS_URL && {
      jwksUrl: s.JWKS_URL,
      issuer: s.JWT_ISSUER!,
      audience: s.JWT_AUDIENCE!,
      roleClaim: s.JWT_ROLE_CLAIM,
      clockSkewSeconds: s.JWT_CLOCK_SKEW_SECONDS,
      refetchCooldownSeconds: s.JWKS_REFETCH_COOLDOWN_SECONDS,
    },
  };
  parsed.set(env, settings);
  return settings;
}
