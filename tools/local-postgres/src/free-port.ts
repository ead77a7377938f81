import { createServer } from "node:net";

/** Asks the OS for a free TCP port on the given host (bind to 0, read it back, release it). */
export function findFreePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("could not allocate a port"))));
    });
  });
}

export class PortInUseError extends Error {
  override name = "PortInUseError";
}

/** Resolves if nothing listens on `port` yet; else rejects with one line saying so. */
export function assertPortFree(port: number, host = "127.0.0.1"): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", () =>
      reject(
        new PortInUseError(
          `port ${port} on ${host} is already in use by another program (not this starter's database)`,
        ),
      ),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
