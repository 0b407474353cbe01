// Every error class of the SDK names itself as text, so `error.name` stays its class's name in a minified bundle
// (where new.target.name would be whatever the minifier called the class; test/browser checks one there). Every
// exported subclass of StratumSdkError must be listed below with arguments to build it: a new class fails here
// until it is, and until it declares its `name`.
import { describe, expect, it } from 'vitest';
import * as bitcoinErrors from '../../src/bitcoin/errors.js';
import * as shareRejections from '../../src/clients/share-rejections.js';
import * as networkErrors from '../../src/network/errors.js';
import * as chain from '../../src/regtest/chain.js';
import * as runtimeErrors from '../../src/runtime/errors.js';

const { StratumSdkError } = runtimeErrors;

const ARGS: Record<string, unknown[]> = {
  TimeoutError: ['m', 1],
  AbortedError: ['m'],
  ClosedError: [],
  ConnectError: ['x'],
  TlsError: ['x'],
  ProtocolError: ['invalid-json', 'x'],
  MessageTooLargeError: [1],
  ValidationError: ['m', 'result', ['x']],
  ServerError: ['m', 1, 'x'],
  VersionMismatchError: ['x'],
  WrongChainError: ['a', 'b'],
  OverflowError: ['x', 1],
  LyingServerError: ['tcp://h:1', 'history', 'm', 'x'],
  OtherChainError: ['tcp://h:1', { height: 1, hash: 'ab' }, 'x'],
  ServerLimitError: ['tcp://h:1', 'history', 'm', undefined, 'x'],
  BitcoinError: ['bad-argument', 'x'],
  ShareRejectedError: ['mining.submit', 23, 'Low difficulty share'],
  TransactionRejected: ['bad-argument', 'x'],
};

type ErrorClass = new (...args: unknown[]) => Error;

const classes = Object.entries<unknown>({ ...runtimeErrors, ...networkErrors, ...bitcoinErrors, ...shareRejections, ...chain }).filter(
  (entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && entry[1].prototype instanceof StratumSdkError,
);

describe('error names', () => {
  it('finds every class', () => {
    expect(classes.map(([name]) => name).sort()).toEqual(Object.keys(ARGS).sort());
  });

  it.each(classes)('%s is named as its class, by its own field', (name, ErrorClass) => {
    const error = new ErrorClass(...(ARGS[name] as unknown[]));
    expect(error.name).toBe(name);
    // Its own text, not new.target.name: a minifier renames the class, and that name with it.
    const renamed = { [`x${name}`]: class extends ErrorClass {} }[`x${name}`] as ErrorClass;
    expect(new renamed(...(ARGS[name] as unknown[])).name).toBe(name);
  });
});
