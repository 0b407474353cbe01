// The session's table of requests awaiting their answer, and how the session reads a request's fields:
// `find` gives an index into `slots` where they start, at the offsets below. This table is the small one
// every client carries: a Map of an array per request. The client of stratum-sdk/electrum swaps in the
// ring (pending-ring.ts), which makes nothing per request, for pipelined throughput.

/** A request's fields, at these offsets from its index; its id is at the index itself. */
export const METHOD = 1;
export const PARAMS = 2;
export const RESOLVE = 3;
export const REJECT = 4;
export const CHECK = 5;
export const ABORT = 6;
export const QUEUE = 7;

const NONE: unknown[] = [];

/** Ids are positive safe integers. After `find`, the caller reads what it needs, then calls `free` before anything else uses the table. */
export class PendingTable {
  /** Where the request `find` found has its fields. */
  slots: unknown[] = NONE;
  /** Requests by id, each its fields in the order of the offsets. */
  protected readonly byId = new Map<number, unknown[]>();

  get size(): number {
    return this.byId.size;
  }

  add(id: number, method: string, params: unknown, resolve: unknown, reject: unknown, check: unknown, abort: unknown, queue: unknown): void {
    this.byId.set(id, [id, method, params, resolve, reject, check, abort, queue]);
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** The index of the request with this id (any value a peer sent: only our own number ids are keys), or -1. */
  find(id: unknown): number {
    const fields = this.byId.get(id as number);
    if (fields === undefined) return -1;
    this.byId.delete(id as number);
    this.slots = fields;
    return 0;
  }

  /** Lets go of the request found at `at`. */
  free(at: number): void {
    void at;
    this.slots = NONE;
  }

  /** Every pending id, oldest first (the Map's order). */
  ids(): number[] {
    return [...this.byId.keys()];
  }
}
