import { PrismaNeon, PrismaNeonHttp } from "@prisma/adapter-neon";
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient } from "../generated/prisma/client";
import type { Bindings, Transport } from "../env";
import { useLocalNeonProxy } from "./local-neon";

/**
 * A PrismaClient for one request. Never keep it beyond the request: Workers refuse to reuse
 * I/O objects (sockets, pools) across requests.
 *
 * - "ws": PrismaNeon, a Pool over WebSocket; supports interactive transactions.
 * - "http": PrismaNeonHttp, one HTTPS round trip per query; no transactions (Prisma error P2036).
 */
export function createPrismaClient(env: Bindings, transport: Transport): PrismaClient {
  useLocalNeonProxy(env.NEON_LOCAL_PROXY);
  const schema = env.DATABASE_SCHEMA || undefined;
  const adapter =
    transport === "ws"
      ? new PrismaNeon({ connectionString: env.DATABASE_URL }, { schema })
      : withSchema(new PrismaNeonHttp(env.DATABASE_URL, {}), schema);
  return new PrismaClient({ adapter });
}

/**
 * PrismaNeonHttp takes no `schema` option (unlike PrismaNeon), and Prisma reads the schema it
 * qualifies table names with from the adapter's getConnectionInfo(). Supply it there.
 */
function withSchema(factory: SqlDriverAdapterFactory, schema: string | undefined): SqlDriverAdapterFactory {
  if (!schema) return factory;
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const adapter = await factory.connect();
      const info = adapter.getConnectionInfo?.() ?? { supportsRelationJoins: true };
      adapter.getConnectionInfo = () => ({ ...info, schemaName: schema });
      return adapter;
    },
  };
}
