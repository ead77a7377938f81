// npm run token -- --sub alice [--role admin] [--alg EdDSA|RS256|ES256] [--ttl 1h] [--email a@b] [--name Alice]
// Prints only the token, so TOKEN=$(npm run -s token -- --sub alice) works. Signs with the keys and
// the iss/aud that `npm run dev` left in .local/issuer/ (LOCAL_ISSUER_DIR), so the running Worker
// accepts it; the issuer need not be running now.
import { parseArgs } from "node:util";
import { devIssuerDir, keysFileIn, readDevConfig } from "./dev-config.js";
import { parseDuration } from "./duration.js";
import { readKeyFile } from "./key-file.js";
import { isSigningAlg, SIGNING_ALGS } from "./keys.js";
import { mintToken } from "./mint.js";

const USAGE =
  "usage: npm run token -- --sub ID [--role ROLE] [--alg EdDSA|RS256|ES256] [--ttl 1h] [--email ADDRESS] [--name NAME]";

function fail(code: 1 | 2, message: string): never {
  process.stderr.write(`error: ${message}${code === 2 ? " (see --help)" : ""}\n`);
  process.exit(code);
}

function readFlags() {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: {
        sub: { type: "string" },
        role: { type: "string" },
        alg: { type: "string", default: "EdDSA" },
        ttl: { type: "string", default: "1h" },
        email: { type: "string" },
        name: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    fail(2, (error as Error).message);
  }
}

async function main() {
  const flags = readFlags();
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!flags.sub) fail(2, "--sub is required (the user's id, e.g. --sub alice)");
  const alg = flags.alg;
  if (!isSigningAlg(alg)) fail(2, `--alg must be one of ${SIGNING_ALGS.join(", ")}, got "${alg}"`);
  const ttlSeconds = parseDuration(flags.ttl);
  if (ttlSeconds === undefined) fail(2, `--ttl must be a duration like 90s, 15m, 1h or 7d, got "${flags.ttl}"`);

  const dir = devIssuerDir();
  const config = readDevConfig(dir);
  if (!config) fail(1, `no local issuer in ${dir} yet: run \`npm run dev\` first (it makes the keys)`);
  const key = (await readKeyFile(keysFileIn(dir))).find((candidate) => candidate.alg === alg)!;
  const claims = { sub: flags.sub, role: flags.role, email: flags.email, name: flags.name };
  process.stdout.write(`${await mintToken(key, claims, { ...config, ttlSeconds })}\n`);
}

main().catch((error: unknown) => fail(1, error instanceof Error ? error.message : String(error)));
