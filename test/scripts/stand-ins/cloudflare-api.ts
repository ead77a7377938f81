// A stand-in for the part of Cloudflare's API that `wrangler deploy`, `wrangler versions upload`,
// `wrangler preview` and the Hyperdrive scripts call, on 127.0.0.1 (CLOUDFLARE_API_BASE_URL).
// What it models faithfully is what the pipeline's safety rests on:
//  - a Worker's versions are a list, newest first; an upload that keeps secrets (wrangler always
//    sends keep_bindings secret_text) inherits them from the NEWEST version, deployed or not;
//  - Worker Previews are their own resource under the Worker, with their own secrets: nothing a
//    preview sets becomes a version of the Worker;
//  - every account is separate: a token for one cannot touch another.
// Anything else wrangler asks is answered just enough to go on. A route it does not know is
// recorded in `unknown`; tests assert that list is empty, so a wrangler upgrade that calls something
// new fails loudly here instead of passing on a default.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface Version {
  id: string;
  /** Secret name → value, after inheritance. */
  secrets: Record<string, string>;
  /** How it was made: "deploy" (it took traffic at once) or "upload" (a version not deployed). */
  via: "deploy" | "upload";
}

export interface Preview {
  name: string;
  /** Secret name → value of its latest deployment. */
  secrets: Record<string, string>;
  deployments: number;
}

export interface HyperdriveConfig {
  id: string;
  name: string;
  origin: { host: string; port: number; database: string; user: string; scheme: string };
  caching: { disabled: boolean };
}

export interface Worker {
  /** Newest first, as Cloudflare lists them ("the first version in the list is the latest"). */
  versions: Version[];
  deployed?: string;
  previews: Map<string, Preview>;
}

export interface Account {
  /** The API token that may act on this account. */
  token: string;
  workers: Map<string, Worker>;
  hyperdrive: Map<string, HyperdriveConfig>;
}

export interface CloudflareApi {
  /** For CLOUDFLARE_API_BASE_URL. */
  baseUrl: string;
  accounts: Map<string, Account>;
  /** `METHOD path` of every request the stand-in had no answer for. */
  unknown: string[];
  /** A Worker with one deployed version holding these secrets (as `wrangler secret put` leaves it). */
  seedWorker(accountId: string, name: string, secrets: Record<string, string>): void;
  close(): Promise<void>;
}

interface Envelope {
  status: number;
  result?: unknown;
  errors?: Array<{ code: number; message: string }>;
}

const ok = (result: unknown, status = 200): Envelope => ({ status, result });
const fail = (status: number, code: number, message: string): Envelope => ({ status, errors: [{ code, message }] });

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A multipart/form-data body's `metadata` part, parsed (how wrangler sends a Worker's settings). */
async function metadataOf(req: IncomingMessage, body: Buffer): Promise<Record<string, unknown>> {
  const form = await new Request("http://x/", {
    method: "POST",
    headers: { "content-type": req.headers["content-type"] ?? "" },
    body: new Uint8Array(body),
  }).formData();
  const part = form.get("metadata");
  const text = typeof part === "string" ? part : part ? await part.text() : "{}";
  return JSON.parse(text) as Record<string, unknown>;
}

interface UploadedBinding {
  type: string;
  name: string;
  text?: string;
}

/** The secrets a new version gets: the newest version's (when kept), then the upload's own. */
function secretsOf(worker: Worker, metadata: Record<string, unknown>): Record<string, string> {
  const keep = (metadata.keep_bindings as string[] | undefined) ?? [];
  const bindings = (metadata.bindings as UploadedBinding[] | undefined) ?? [];
  const newest = worker.versions[0]?.secrets ?? {};
  const secrets: Record<string, string> = keep.includes("secret_text") ? { ...newest } : {};
  for (const b of bindings) {
    if (b.type === "secret_text" && b.text !== undefined) secrets[b.name] = b.text;
    if (b.type === "inherit" && newest[b.name] !== undefined) secrets[b.name] = newest[b.name]!;
  }
  return secrets;
}

export async function startCloudflareApi(): Promise<CloudflareApi> {
  const accounts = new Map<string, Account>();
  const unknown: string[] = [];
  let serial = 0;
  const nextId = (prefix: string) => `${prefix}-${(++serial).toString().padStart(4, "0")}`;

  const versionView = (v: Version, n: number) => ({
    id: v.id,
    number: n,
    metadata: { source: "wrangler", created_on: new Date().toISOString(), has_preview: true },
    annotations: {},
    resources: {
      bindings: Object.keys(v.secrets).map((name) => ({ type: "secret_text", name })),
      script: { etag: v.id, handlers: ["fetch", "scheduled"] },
      script_runtime: { compatibility_date: "2026-11-01", compatibility_flags: [], usage_model: "standard" },
    },
    startup_time_ms: 1,
  });

  async function route(req: IncomingMessage, path: string, body: Buffer): Promise<Envelope> {
    const method = req.method ?? "GET";
    const m = path.match(/^\/client\/v4\/accounts\/([^/]+)(\/.*)$/);
    if (!m) {
      if (method === "GET" && path === "/client/v4/memberships") return ok([]);
      return fail(404, 7003, "no route");
    }
    const [, accountId, rest] = m as unknown as [string, string, string];
    const account = accounts.get(accountId);
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (!account || token !== account.token) return fail(403, 10000, "Authentication error");

    /** `rest` against `re`: its whole match and groups, or undefined. */
    const at = (re: RegExp) => rest.match(re) ?? undefined;
    if (method === "GET" && rest === "/workers/subdomain") return ok({ subdomain: "stand-in" });
    if (method === "POST" && rest === "/workers/workers") {
      const { name } = JSON.parse(body.toString("utf8")) as { name: string };
      if (!account.workers.has(name)) account.workers.set(name, { versions: [], previews: new Map() });
      return ok({ id: name, name });
    }
    const workerRoute = at(/^\/workers\/workers\/([^/]+)$/);
    if (workerRoute && method === "GET") {
      return account.workers.has(workerRoute[1]!)
        ? ok({
            id: workerRoute[1],
            name: workerRoute[1],
            subdomain: { enabled: true, previews_enabled: true },
            previews_base_config: {},
          })
        : notFound();
    }
    const serviceRoute = at(/^\/workers\/services\/([^/]+)$/);
    if (serviceRoute && method === "GET") {
      const worker = account.workers.get(serviceRoute[1]!);
      if (!worker?.versions.length) return fail(404, 10090, "workers.api.error.service_not_found");
      return ok({
        id: serviceRoute[1],
        default_environment: {
          environment: "production",
          script: {
            id: serviceRoute[1],
            tag: `tag-${serviceRoute[1]}`,
            etag: worker.versions[0]!.id,
            last_deployed_from: "wrangler",
          },
        },
      });
    }
    const scriptRoute = at(/^\/workers\/scripts\/([^/]+)(\/.*)?$/);
    if (scriptRoute) {
      const name = scriptRoute[1]!;
      const sub = scriptRoute[2] ?? "";
      let worker = account.workers.get(name);
      // First upload of a Worker: PUT /scripts/:name creates it.
      if (!worker && method === "PUT" && sub === "") {
        worker = { versions: [], previews: new Map() };
        account.workers.set(name, worker);
      }
      if (!worker) return fail(404, 10007, "workers.api.error.script_not_found");
      if (method === "GET" && sub === "/deployments") {
        const deployments = worker.deployed
          ? [
              {
                id: `dep-${worker.deployed}`,
                source: "wrangler",
                strategy: "percentage",
                created_on: new Date().toISOString(),
                annotations: {},
                versions: [{ version_id: worker.deployed, percentage: 100 }],
              },
            ]
          : [];
        return ok({ deployments });
      }
      if (method === "POST" && sub === "/deployments") {
        const { versions } = JSON.parse(body.toString("utf8")) as { versions: Array<{ version_id: string }> };
        worker.deployed = versions[0]!.version_id;
        return ok({ id: `dep-${worker.deployed}`, versions });
      }
      if (method === "GET" && sub === "/versions") {
        return ok({ items: worker.versions.map((v, i) => versionView(v, worker.versions.length - i)) });
      }
      const version = sub.match(/^\/versions\/([^/]+)$/);
      if (method === "GET" && version) {
        const i = worker.versions.findIndex((v) => v.id === version[1]);
        return i < 0 ? notFound() : ok(versionView(worker.versions[i]!, worker.versions.length - i));
      }
      if ((method === "POST" && sub === "/versions") || (method === "PUT" && sub === "")) {
        const metadata = await metadataOf(req, body);
        const v: Version = {
          id: nextId("version"),
          secrets: secretsOf(worker, metadata),
          via: method === "PUT" ? "deploy" : "upload",
        };
        worker.versions.unshift(v);
        if (method === "PUT") worker.deployed = v.id;
        return ok({ ...versionView(v, worker.versions.length), deployment_id: null, etag: v.id });
      }
      if (sub === "/subdomain") return ok({ enabled: true, previews_enabled: true });
      if (method === "PUT" && sub === "/schedules") return ok({ schedules: JSON.parse(body.toString("utf8")) });
      if (sub === "/script-settings" || sub === "/settings") return ok({ bindings: [], observability: {} });
      if (method === "POST" && sub === "/assets-upload-session") return ok({ jwt: "assets-complete", buckets: [] });
    }
    const previewRoute = at(/^\/workers\/workers\/([^/]+)\/previews(?:\/([^/]+))?(\/deployments)?$/);
    if (previewRoute) {
      const worker = account.workers.get(previewRoute[1]!);
      if (!worker) return fail(404, 10007, "workers.api.error.script_not_found");
      // A Preview is addressed by its name or its id (wrangler uses both).
      const key = previewRoute[2] && decodeURIComponent(previewRoute[2]);
      const previewName = key && (worker.previews.has(key) ? key : key.replace(/^preview-/, ""));
      if (method === "GET" && previewName && !previewRoute[3]) {
        const p = worker.previews.get(previewName);
        return p ? ok(previewView(previewRoute[1]!, p)) : fail(404, 10241, "preview not found");
      }
      if (method === "POST" && !previewName) {
        const { name } = JSON.parse(body.toString("utf8")) as { name: string };
        const p: Preview = { name, secrets: {}, deployments: 0 };
        worker.previews.set(name, p);
        return ok(previewView(previewRoute[1]!, p));
      }
      if (method === "PATCH" && previewName && !previewRoute[3]) {
        const p = worker.previews.get(previewName);
        return p ? ok(previewView(previewRoute[1]!, p)) : notFound();
      }
      if (method === "DELETE" && previewName && !previewRoute[3]) {
        return worker.previews.delete(previewName) ? ok(null) : notFound();
      }
      if (method === "POST" && previewName && previewRoute[3]) {
        const p = worker.previews.get(previewName);
        if (!p) return notFound();
        const metadata = await metadataOf(req, body);
        const env = (metadata.env as Record<string, UploadedBinding> | undefined) ?? {};
        p.secrets = {};
        for (const [key, b] of Object.entries(env)) if (b.type === "secret_text" && b.text) p.secrets[key] = b.text;
        p.deployments += 1;
        return ok({ id: nextId("preview-deployment"), urls: previewView(previewRoute[1]!, p).urls, env });
      }
    }
    if (rest === "/hyperdrive/configs" && method === "GET") return ok([...account.hyperdrive.values()]);
    if (rest === "/hyperdrive/configs" && method === "POST") {
      const input = JSON.parse(body.toString("utf8")) as Omit<HyperdriveConfig, "id">;
      if ([...account.hyperdrive.values()].some((c) => c.name === input.name))
        return fail(409, 2017, `a Hyperdrive config named ${input.name} exists`);
      const config = { ...input, id: nextId("hyperdrive") };
      account.hyperdrive.set(config.id, config);
      return ok(config);
    }
    const hyperdriveRoute = at(/^\/hyperdrive\/configs\/([^/]+)$/);
    if (hyperdriveRoute) {
      const config = account.hyperdrive.get(hyperdriveRoute[1]!);
      if (!config) return fail(404, 2005, "Hyperdrive config not found");
      if (method === "GET") return ok(config);
      if (method === "PUT" || method === "PATCH") {
        const next = { ...config, ...(JSON.parse(body.toString("utf8")) as Partial<HyperdriveConfig>), id: config.id };
        account.hyperdrive.set(config.id, next);
        return ok(next);
      }
      if (method === "DELETE") {
        account.hyperdrive.delete(config.id);
        return ok(null);
      }
    }
    unknown.push(`${method} ${path}`);
    return fail(404, 7003, `the stand-in does not know ${method} ${path}`);
  }

  const notFound = () => fail(404, 10007, "not found");
  const previewView = (worker: string, p: Preview) => ({
    id: `preview-${p.name}`,
    name: p.name,
    slug: p.name,
    urls: [`https://${p.name}-${worker}.stand-in.workers.dev`],
  });

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const out = await route(req, path, body).catch(
        (error: unknown): Envelope => fail(500, 1, `stand-in failed: ${(error as Error).message}`),
      );
      res.writeHead(out.status, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          success: !out.errors,
          errors: out.errors ?? [],
          messages: [],
          result: out.result ?? null,
        }),
      );
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/client/v4`,
    accounts,
    unknown,
    seedWorker(accountId, name, secrets) {
      const account = accounts.get(accountId);
      if (!account) throw new Error(`no account ${accountId}`);
      const v: Version = { id: nextId("version"), secrets: { ...secrets }, via: "deploy" };
      account.workers.set(name, { versions: [v], deployed: v.id, previews: new Map() });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An account for the stand-in: its id and the one token that may use it. */
export function addAccount(api: CloudflareApi, id: string, token: string): Account {
  const account: Account = { token, workers: new Map(), hyperdrive: new Map() };
  api.accounts.set(id, account);
  return account;
}
