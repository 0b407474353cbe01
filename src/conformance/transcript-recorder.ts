// Writing transcripts (the format is in transcript.ts) and watching the regtest world's traffic: what
// `stratum-sdk serve --record` and `--check-clients` and the proxy's `--record` use. Node only.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { World } from '../regtest/world.js';
import { transcriptHeader, transcriptLine, type TranscriptEntry } from './transcript.js';
import type { TrafficMessage } from './traffic/checker.js';
import type { TrafficProtocol } from './traffic/findings.js';

/**
 * Bytes of transcript allowed to wait for the disk. A recorder that falls this far behind stops recording
 * (and says so) rather than hold the process's memory hostage to a slow disk.
 */
export const DEFAULT_MAX_RECORDER_BACKLOG = 64 * 1024 * 1024;

export interface TranscriptRecorderOptions {
  readonly protocol?: TrafficProtocol | undefined;
  readonly source?: string | undefined;
  readonly maxBacklog?: number | undefined;
  /** Called once if recording stopped early (a write error, or the backlog limit). */
  readonly onStopped?: ((reason: string) => void) | undefined;
}

export class TranscriptRecorder {
  readonly #stream: WriteStream;
  readonly #maxBacklog: number;
  readonly #onStopped: ((reason: string) => void) | undefined;
  #stopped: string | undefined;
  #lines = 0;

  private constructor(stream: WriteStream, options: TranscriptRecorderOptions) {
    this.#stream = stream;
    this.#maxBacklog = options.maxBacklog ?? DEFAULT_MAX_RECORDER_BACKLOG;
    this.#onStopped = options.onStopped;
    stream.on('error', (e) => this.#stop(`could not write the transcript: ${e.message}`));
    stream.write(`${transcriptHeader({ protocol: options.protocol, source: options.source })}\n`);
  }

  /** Opens (and truncates) the file; rejects when it cannot be created. */
  static open(path: string, options: TranscriptRecorderOptions = {}): Promise<TranscriptRecorder> {
    return new Promise((resolve, reject) => {
      const stream = createWriteStream(path, { flags: 'w' });
      stream.once('error', reject);
      stream.once('open', () => {
        stream.off('error', reject);
        resolve(new TranscriptRecorder(stream, options));
      });
    });
  }

  /** Messages written so far. */
  get lines(): number {
    return this.#lines;
  }

  write(entry: TranscriptEntry): void {
    if (this.#stopped) return;
    if (this.#stream.writableLength > this.#maxBacklog) {
      this.#stop(`the disk fell more than ${this.#maxBacklog} bytes behind; recording stopped`);
      return;
    }
    this.#stream.write(`${transcriptLine(entry)}\n`);
    this.#lines++;
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stream.closed || this.#stream.destroyed) resolve();
      else this.#stream.end(() => resolve());
    });
  }

  #stop(reason: string): void {
    if (this.#stopped) return;
    this.#stopped = reason;
    this.#onStopped?.(reason);
  }
}

/**
 * Every message of the world's Electrum and Stratum servers, from the connections made after this call:
 * connections are named "electrum-<n>" and "stratum-<n>", `end` is called when one closes. Returns the
 * way to stop watching.
 */
export function tapWorld(world: Pick<World, 'electrum' | 'stratum'>, watch: { message(m: TrafficMessage & { conn: string }): void; end?(conn: string): void }): () => void {
  const offs: (() => void)[] = [];
  const servers = [
    ['electrum', world.electrum],
    ['stratum', world.stratum],
  ] as const;
  for (const [name, server] of servers) {
    offs.push(server.tap((session, direction, text) => watch.message({ t: Date.now(), conn: `${name}-${session}`, dir: direction === 'in' ? 'c2s' : 's2c', line: text })));
    if (watch.end) {
      const end = watch.end;
      offs.push(server.on('disconnect', (session) => end(`${name}-${session.id}`)));
    }
  }
  return () => {
    for (const off of offs) off();
  };
}
