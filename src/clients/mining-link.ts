// One connection to a pool: the transport, its JSON-RPC 1.0 session, and a look at every reply before the
// session settles it. The look is synchronous, so a mining.subscribe result is in the client's state
// before the mining.notify that follows it in the same chunk is dispatched; a promise continuation would
// run only after the whole chunk.
import { ClosedError, type MessageTooLargeError, type ProtocolError, type ServerError, type StratumSdkError } from '../runtime/errors.js';
import { parseMessage, type IncomingMessage, type MessageId, type ParseOptions } from '../runtime/messages.js';
import { RpcSession, type IncomingRequestHandler, type RequestOptions } from '../runtime/session.js';
import type { Connector, Transport } from '../runtime/transport.js';

export type ReplyMessage = Extract<IncomingMessage, { type: 'result' | 'error' }>;

/** A request whose reply the client wants to see as it arrives. */
export interface TrackedRequest {
  readonly method: string;
  readonly params: readonly unknown[];
}

export interface LinkHandlers {
  readonly notification: (link: MiningLink, method: string, params: unknown[] | Record<string, unknown>) => void;
  readonly request: (link: MiningLink, method: string, params: unknown[] | Record<string, unknown>) => unknown;
  readonly protocolError: (link: MiningLink, error: ProtocolError | ServerError | MessageTooLargeError) => void;
  /** Sees every reply before the session settles it, with its request when tracked; may turn it into an error. */
  readonly reply: (link: MiningLink, message: ReplyMessage, request: TrackedRequest | undefined) => ReplyMessage;
  readonly close: (link: MiningLink, error: StratumSdkError | undefined) => void;
}

export class MiningLink {
  readonly #session: RpcSession;
  readonly #tracked = new Map<MessageId, TrackedRequest>();
  readonly #handlers: LinkHandlers;
  #transport: Transport | undefined;
  readonly #parse: ParseOptions;
  // Set around session.request so that `send` can note the id the session chose.
  #tracking: TrackedRequest | undefined;
  #trackedId: MessageId | undefined;
  /** A mining.subscribe was answered on this connection (pools like ckpool never answer a second one). */
  subscribed = false;

  private constructor(handlers: LinkHandlers, timeout: number, parse: ParseOptions) {
    this.#handlers = handlers;
    this.#parse = parse;
    const onRequest: IncomingRequestHandler = (method, params) => handlers.request(this, method, params);
    this.#session = new RpcSession({
      dialect: '1.0',
      send: (text) => this.#send(text),
      timeout,
      onNotification: (method, params) => handlers.notification(this, method, params),
      onRequest,
      onProtocolError: (error) => handlers.protocolError(this, error),
    });
  }

  static async open(connector: Connector, handlers: LinkHandlers, timeout: number, maxDepth?: number): Promise<MiningLink> {
    const link = new MiningLink(handlers, timeout, { maxDepth });
    link.#transport = await connector({
      message: (text) => link.#message(text),
      error: (error) => handlers.protocolError(link, error),
      close: (error) => {
        link.#session.close(error);
        link.#tracked.clear();
        handlers.close(link, error);
      },
    });
    return link;
  }

  get pendingCount(): number {
    return this.#session.pendingCount;
  }

  /** Sends a request; with `track`, its reply goes through `handlers.reply` with the request attached. */
  request(method: string, params: readonly unknown[], options: RequestOptions, track: boolean): Promise<unknown> {
    this.#tracking = track ? { method, params } : undefined;
    this.#trackedId = undefined;
    let promise: Promise<unknown>;
    try {
      promise = this.#session.request(method, params, options);
    } finally {
      this.#tracking = undefined;
    }
    const id = this.#trackedId;
    if (id !== undefined) {
      // A timeout, an abort or a close settles it without a reply; the entry must not outlive the request.
      const forget = () => this.#tracked.delete(id);
      void promise.then(forget, forget);
    }
    return promise;
  }

  /** Closes the connection; pending requests reject with `cause`. The close handler still runs. */
  close(cause: ClosedError): void {
    this.#session.close(cause);
    this.#transport?.close();
  }

  #send(text: string): void {
    if (!this.#transport) throw new ClosedError('not connected');
    if (this.#tracking) {
      // Our own encodeRequest output, so it parses; only tracked requests pay for it.
      const id = (JSON.parse(text) as { id: MessageId }).id;
      this.#tracked.set(id, this.#tracking);
      this.#trackedId = id;
    }
    this.#transport.send(text);
  }

  #message(text: string): void {
    this.#session.handle(this.#look(parseMessage(text, this.#parse)));
  }

  #look(message: IncomingMessage): IncomingMessage {
    if (message.type === 'batch') return { type: 'batch', items: message.items.map((item) => this.#look(item)) };
    if (message.type !== 'result' && message.type !== 'error') return message;
    let request: TrackedRequest | undefined;
    if (message.id !== null) {
      request = this.#tracked.get(message.id);
      this.#tracked.delete(message.id);
    }
    return this.#handlers.reply(this, message, request);
  }
}
