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

/** `preferred` if nothing listens there yet, else any free port (so a second stack still starts). */
export function preferPort(preferred: number, host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(findFreePort(host)));
    server.listen(preferred, host, () => server.close(() => resolve(preferred)));
  });
}
