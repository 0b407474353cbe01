// The platform WebSocket connector's connect timeout (what browser and React Native clients get): a socket that
// does not open in time is closed and the connection fails with a ConnectError; one that opens too late is closed
// at once; one that opens in time is used, and no timer is left behind.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectError } from '../../src/runtime/errors.js';
import type { TransportHandlers } from '../../src/runtime/transport.js';
import { webSocketConnector, type WebSocketConstructor } from '../../src/runtime/websocket.js';

class FakeSocket {
  static last: FakeSocket | undefined;
  readonly readyState = 0;
  readonly closed: (number | undefined)[] = [];
  readonly listeners = new Map<string, ((event: unknown) => void)[]>();
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(): void {}
  close(code?: number): void {
    this.closed.push(code);
    this.emit('close', { code: code ?? 1005, reason: '' });
  }
  addEventListener(type: string, listener: (event: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(type: string, event: unknown): void {
    for (const l of this.listeners.get(type) ?? []) l(event);
  }
}

const handlers: TransportHandlers = { message: () => undefined, error: () => undefined, close: () => undefined };
const WebSocket = FakeSocket as unknown as WebSocketConstructor;

describe('webSocketConnector connectTimeout', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks for binary frames as ArrayBuffers (a browser gives Blobs otherwise), and decodes them as text', async () => {
    const seen: string[] = [];
    const connecting = webSocketConnector('wss://binary.example', { WebSocket })({ ...handlers, message: (text) => void seen.push(text) });
    const socket = FakeSocket.last!;
    expect((socket as { binaryType?: string }).binaryType).toBe('arraybuffer');
    socket.emit('open', {});
    await connecting;
    socket.emit('message', { data: new TextEncoder().encode('{"id":1,"result":null}').buffer });
    expect(seen).toEqual(['{"id":1,"result":null}']);
  });

  it('closes a socket that does not open in time and fails with a ConnectError', async () => {
    const connecting = webSocketConnector('wss://slow.example', { WebSocket, connectTimeout: 50 })(handlers);
    const outcome = connecting.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(49);
    expect(FakeSocket.last!.closed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toBe('wss://slow.example: no connection within 50 ms');
    expect(FakeSocket.last!.closed).toHaveLength(1);
  });

  it('closes a socket that opens after the timeout, and reports nothing of it', async () => {
    const close = vi.fn();
    const connecting = webSocketConnector('wss://late.example', { WebSocket, connectTimeout: 50 })({ ...handlers, close });
    const outcome = connecting.catch((e: unknown) => e);
    const socket = FakeSocket.last!;
    // A socket that ignores close() while connecting, and opens anyway.
    socket.close = (code?: number) => void socket.closed.push(code);
    await vi.advanceTimersByTimeAsync(50);
    expect(await outcome).toBeInstanceOf(ConnectError);
    socket.emit('open', {});
    expect(socket.closed).toEqual([undefined, 1000]);
    expect(close).not.toHaveBeenCalled();
  });

  it('uses a socket that opens in time, with no timer left', async () => {
    const connecting = webSocketConnector('wss://fast.example', { WebSocket, connectTimeout: 50 })(handlers);
    FakeSocket.last!.emit('open', {});
    await expect(connecting).resolves.toHaveProperty('send');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails at once when the socket closes before it opens, with no timer left', async () => {
    const connecting = webSocketConnector('wss://refused.example', { WebSocket, connectTimeout: 50 })(handlers);
    FakeSocket.last!.emit('close', { code: 1006, reason: '' });
    await expect(connecting).rejects.toThrow(/the WebSocket did not open/);
    expect(vi.getTimerCount()).toBe(0);
  });
});
