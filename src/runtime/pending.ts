// The session's table of requests awaiting their answer: each request's fields in one array, in the order
// the session gives them to `add` (its id first). This table is the small one every client carries: a
// Map of an array per request, oldest first. The client of stratum-sdk/electrum swaps in the ring
// (pending-ring.ts), which makes nothing per request, for pipelined throughput.

/** Ids are positive safe integers; a request's fields start with its id. `keys()` gives them oldest first. */
export class PendingTable extends Map<number, unknown[]> {
  add(...fields: [id: number, ...rest: unknown[]]): void {
    this.set(fields[0], fields);
  }

  /**
   * Removes the request with this id (any value a peer sent: only our own number ids are keys) and gives
   * its fields, to be read before anything else uses the table (the ring reuses the array it gives).
   */
  take(id: unknown): unknown[] | undefined {
    const fields = this.get(id as number);
    this.delete(id as number);
    return fields;
  }
}
