import { neonConfig } from "@neondatabase/serverless";

/**
 * Has Neon's driver open its WebSockets the Workers-native way (`fetch()` with
 * `Upgrade: websocket`, then `accept()`), through FetchWebSocket below.
 *
 * Why: by default the driver calls `new WebSocket(url)`. In workerd, when that connection fails
 * at the socket (nothing listens, the name does not resolve), the failure is thrown as an uncaught
 * exception ("Network connection lost.", "internal error; reference = …") that ends the whole
 * request with the runtime's own 500 before any error handler runs. A failed `fetch()` is a
 * rejected promise instead, which becomes an ordinary connection error (and a 503). And the
 * driver may still write once the server has closed (a coalesced write on a timer): workerd
 * throws that too ("Can't call WebSocket send() after close()"), so after a close sends are dropped.
 * tools/reliability/test/database-failures.test.ts fails without this.
 */
export function openWebSocketsWithFetch(): void {
  neonConfig.webSocketConstructor = FetchWebSocket as unknown as typeof WebSocket;
}

/** The part of a WebSocket the driver uses, over a fetch-upgraded socket. */
class FetchWebSocket extends EventTarget {
  binaryType: "arraybuffer" | "blob" = "arraybuffer";
  #socket: WebSocket | undefined;
  /** close() was called or the socket closed: nothing more is sent. */
  #closing = false;
  #closeDispatched = false;
  /** The driver's message listeners, attached to the socket itself once it is open. */
  #messageListeners: EventListenerOrEventListenerObject[] = [];

  /** Cancels an upgrade still in flight when close() comes first. */
  #upgrade = new AbortController();

  constructor(url: string) {
    super();
    fetch(url.replace(/^ws/, "http"), { headers: { Upgrade: "websocket" }, signal: this.#upgrade.signal })
      .then((response) => {
        const socket = response.webSocket;
        if (!socket) throw new Error(`WebSocket upgrade refused: HTTP ${response.status}`);
        socket.accept();
        // workerd delivers Blobs by default; the driver reads ArrayBuffers.
        socket.binaryType = this.binaryType;
        this.#socket = socket;
        for (const listener of this.#messageListeners) socket.addEventListener("message", listener);
        socket.addEventListener("error", (event) => this.#fail(event.message));
        socket.addEventListener("close", (event) => this.#dispatchClose(event.code, event.reason));
        if (this.#closing) socket.close();
        else this.dispatchEvent(new Event("open"));
      })
      .catch((error: unknown) => this.#fail(`WebSocket connection failed: ${(error as Error)?.message ?? error}`));
  }

  /**
   * Messages go to the driver's listeners straight from the socket: re-dispatching each as a new
   * MessageEvent cost ~0.1 ms of CPU per message (docs/PERFORMANCE.md, "Design decisions").
   */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventTargetAddEventListenerOptions,
  ): void {
    if (type !== "message") super.addEventListener(type, listener, options);
    else if (this.#socket) this.#socket.addEventListener("message", listener);
    else this.#messageListeners.push(listener);
  }

  send(data: ArrayBuffer | ArrayBufferView | string): void {
    if (!this.#closing) this.#socket?.send(data);
  }

  close(code?: number, reason?: string): void {
    if (this.#closing) return;
    this.#closing = true;
    // Before the upgrade answered there is no socket to report the close: report it here, or the
    // driver's connect timeout (which closes, then waits for "close") would wait for ever.
    if (!this.#socket) {
      this.#upgrade.abort();
      this.#dispatchClose(code ?? 1006, reason ?? "closed before the WebSocket opened");
      return;
    }
    try {
      this.#socket.close(code, reason);
    } catch {
      // already closing
    }
  }

  /**
   * A socket that could not open, or broke: reported as its close (1006), which the driver turns
   * into "Connection terminated unexpectedly". (An "error" event would be rethrown by the
   * driver's event emitter as an uncaught exception.)
   */
  #fail(message: string): void {
    this.#dispatchClose(1006, message);
  }

  #dispatchClose(code: number, reason: string): void {
    this.#closing = true;
    if (this.#closeDispatched) return;
    this.#closeDispatched = true;
    this.dispatchEvent(new CloseEvent("close", { code, reason }));
  }
}
