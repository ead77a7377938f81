// Counters the tests and benchmarks read to see what a piece of code cost.
//
// Database round trip: one client→server flight followed by the server's reply.
// - WebSocket: per connection, the first client message after the last reply opens a
//   flight (more client messages before any reply join the same flight, e.g. a pipelined
//   startup + password + query); the first server message that follows closes it and
//   counts 1. Server messages with no flight open (notices, the rest of a long reply)
//   count nothing. So a pipelined connect counts 1, a simple query 1, a transaction with
//   k statements about k+2.
// - HTTP (/sql): 1 per request, single query or batch — that is what the client pays on
//   Neon (the proxy's own flights to compute are inside Neon's datacenter).
// - TCP (the endpoint a local Hyperdrive binding points at): as WebSocket, per connection.

export interface LocalNeonCounters {
  wsOpened: number;
  wsClosed: number;
  wsOpen: number;
  /** Plain TCP connections (pg through a Hyperdrive binding), as the ws* ones. */
  tcpOpened: number;
  tcpClosed: number;
  tcpOpen: number;
  /** Tunnels' TCP connections to the database still open (a leak shows here). */
  upstreamOpen: number;
  httpRequests: number;
  /** wsRoundTrips + httpRoundTrips + tcpRoundTrips */
  roundTrips: number;
  wsRoundTrips: number;
  httpRoundTrips: number;
  tcpRoundTrips: number;
  /** connections refused by the allow-list or the refuse fault */
  refused: number;
  /** wake-ups simulated (first connection after idle) */
  wakeups: number;
  /** connections cut by the cutAfterMessages and cutAfterCommit faults */
  cut: number;
  /** connections frozen by the freezeAtCommit fault */
  frozen: number;
  /** upstream connections /sql opened (the rest of its requests reused a pooled one) */
  httpUpstreamOpened: number;
  /** upstream sessions the TCP endpoint opened (the rest of its connections reused a pooled one) */
  tcpUpstreamOpened: number;
  /** the TCP endpoint's idle pooled sessions now (read from the pool; not reset) */
  tcpSessionsIdle: number;
}

export class CounterSet {
  private values: LocalNeonCounters = CounterSet.zero();

  static zero(): LocalNeonCounters {
    return {
      wsOpened: 0,
      wsClosed: 0,
      wsOpen: 0,
      tcpOpened: 0,
      tcpClosed: 0,
      tcpOpen: 0,
      upstreamOpen: 0,
      httpRequests: 0,
      roundTrips: 0,
      wsRoundTrips: 0,
      httpRoundTrips: 0,
      tcpRoundTrips: 0,
      refused: 0,
      wakeups: 0,
      cut: 0,
      frozen: 0,
      httpUpstreamOpened: 0,
      tcpUpstreamOpened: 0,
      tcpSessionsIdle: 0,
    };
  }

  snapshot(): LocalNeonCounters {
    const { wsRoundTrips, httpRoundTrips, tcpRoundTrips } = this.values;
    return { ...this.values, roundTrips: wsRoundTrips + httpRoundTrips + tcpRoundTrips };
  }

  /** Zeroes everything except the *Open counts, which describe connections still alive. */
  reset(): void {
    const { wsOpen, tcpOpen, upstreamOpen } = this.values;
    this.values = { ...CounterSet.zero(), wsOpen, tcpOpen, upstreamOpen };
  }

  add(name: Exclude<keyof LocalNeonCounters, "roundTrips">, by = 1): void {
    this.values[name] += by;
  }
}

/** Tracks flights on one WebSocket connection (see the definition above). */
export class RoundTripTracker {
  private flightOpen = false;
  constructor(private readonly onRoundTrip: () => void) {}
  clientSent(): void {
    this.flightOpen = true;
  }
  serverReplied(): void {
    if (!this.flightOpen) return;
    this.flightOpen = false;
    this.onRoundTrip();
  }
}
