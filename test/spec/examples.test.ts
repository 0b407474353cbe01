// Every example in spec/ must validate with the generated validators, every invalidExample must be
// rejected, and mechanical mutations of the examples (wrong arity, missing field, wrong type) must fail.
import { describe, expect, it } from 'vitest';
import { electrumProtocol } from '../../src/generated/electrum/methods.js';
import { miningProtocol } from '../../src/generated/mining/methods.js';
import type { ValidationOutcome } from '../../src/runtime/validation.js';
import { specFiles, type SpecFile } from '../helpers/spec-files.js';

const registries = { electrum: electrumProtocol, mining: miningProtocol };

function expectValid(outcome: ValidationOutcome, what: string) {
  expect(outcome.valid ? [] : outcome.errors, what).toEqual([]);
}

function expectInvalid(outcome: ValidationOutcome, what: string) {
  expect(outcome.valid, what).toBe(false);
  if (!outcome.valid) expect(outcome.errors.length, what).toBeGreaterThan(0);
}

/**
 * A value of another JSON type than `value`, for wrong-type mutations. Structured results become a
 * fractional number rather than a string, because some results legitimately accept a string in
 * place of the structure (ckpool answers mining.subscribe with an error string as the result).
 */
function otherType(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return { unexpected: [value] };
  return 123456.5;
}

function requiredKeysOf(schema: unknown): string[] {
  if (schema && typeof schema === 'object' && 'required' in schema && Array.isArray(schema.required)) {
    return schema.required as string[];
  }
  return [];
}

describe.each(specFiles().map((f) => [f.method, f] as const))('%s', (_name, spec: SpecFile) => {
  const registry = registries[spec.protocol];
  const info = registry.get(spec.method);

  it('is in the generated registry', () => {
    expect(info?.method).toBe(spec.method);
    expect(info?.kind).toBe(spec.kind);
  });

  it.each(spec.examples.map((e) => [e.name, e] as const))('example "%s" validates', (_n, ex) => {
    const context = { protocolVersion: ex.protocolVersion, params: ex.params };
    expectValid(registry.validateParams(spec.method, ex.params, { protocolVersion: ex.protocolVersion }), 'params');
    if ('result' in ex) expectValid(registry.validateResult(spec.method, ex.result, context), 'result');
    if (ex.notification) expectValid(registry.validateNotification(spec.method, ex.notification, context), 'notification');
    if (ex.error) {
      // An example error is either a generic JSON-RPC one or a code the method declares.
      const generic = ex.error.code <= -32600 && ex.error.code >= -32700;
      expect(generic || (info?.errors ?? []).some((e) => e.code === ex.error!.code), `error ${ex.error.code} is not declared`).toBe(true);
    }
  });

  if (spec.invalidExamples?.length) {
    it.each(spec.invalidExamples.map((e) => [e.name, e] as const))('invalid example "%s" is rejected', (_n, ex) => {
      const context = { protocolVersion: ex.protocolVersion, params: Array.isArray(ex.params) ? ex.params : [] };
      if ('result' in ex) expectInvalid(registry.validateResult(spec.method, ex.result, context), ex.why);
      else if ('notification' in ex) expectInvalid(registry.validateNotification(spec.method, ex.notification, context), ex.why);
      else expectInvalid(registry.validateParams(spec.method, ex.params), ex.why);
    });
  }

  it('rejects params of the wrong arity', () => {
    const ex = spec.examples[0]!;
    if (!spec.additionalParams) {
      const tooMany = [...spec.params.map((_, i) => ex.params[i] ?? null), 'extra'];
      expectInvalid(registry.validateParams(spec.method, tooMany), 'one param too many');
    }
    const required = spec.params.filter((p) => p.required !== false).length;
    if (required > 0) expectInvalid(registry.validateParams(spec.method, ex.params.slice(0, required - 1)), 'a required param missing');
    expectInvalid(registry.validateParams(spec.method, 'x'), 'params neither a list nor an object');
    expectInvalid(registry.validateParams(spec.method, null), 'params null');
  });

  // JSON-RPC 2.0 params by name (ElectrumX takes them): each example's params, named by the spec, check
  // as the same params by position; a name the method does not have is refused, unless it takes extra params.
  const named = spec.examples.filter((e) => e.params.length <= spec.params.length);
  if (named.length) {
    it('accepts each example by name as by position, and refuses an unknown name', () => {
      for (const ex of named) {
        const byName = Object.fromEntries(ex.params.map((value, i) => [spec.params[i]!.name, value]));
        const context = { protocolVersion: ex.protocolVersion };
        expect(registry.validateParams(spec.method, byName, context), ex.name).toEqual(registry.validateParams(spec.method, ex.params, context));
        const unknown = registry.validateParams(spec.method, { ...byName, no_such_param: 1 }, context);
        if (spec.additionalParams) expect(unknown, `${ex.name}: extra name ignored`).toEqual(registry.validateParams(spec.method, ex.params, context));
        else expect(unknown.valid ? [] : unknown.errors, `${ex.name}: unknown name`).toEqual([expect.stringMatching(/^params: unknown param "no_such_param" \(/)]);
      }
    });
  }

  const withResult = spec.examples.filter((e) => 'result' in e);
  if (withResult.length) {
    it('rejects results of the wrong type or missing a required field', () => {
      for (const ex of withResult) {
        const context = { protocolVersion: ex.protocolVersion, params: ex.params };
        const variants = info?.selectResultVariants(context) ?? [];
        const schemas = spec.result?.variants?.filter((v) => variants.includes(v.name)).map((v) => v.schema) ?? [spec.result?.schema];
        if (schemas.some((s) => s === true || (s !== null && typeof s === 'object' && Object.keys(s).length === 0))) continue;
        expectInvalid(registry.validateResult(spec.method, otherType(ex.result), context), `${ex.name}: wrong type`);
        const result = ex.result;
        if (result && typeof result === 'object' && !Array.isArray(result)) {
          // Only keys every applicable shape requires: dropping one must break all of them.
          const keys = schemas.map(requiredKeysOf).reduce((a, b) => a.filter((k) => b.includes(k)));
          for (const key of keys) {
            const { [key]: _dropped, ...rest } = result as Record<string, unknown>;
            expectInvalid(registry.validateResult(spec.method, rest, context), `${ex.name}: without "${key}"`);
          }
        }
      }
    });
  }

  const withNotification = spec.examples.filter((e) => e.notification);
  if (withNotification.length) {
    it('rejects notifications of the wrong arity', () => {
      for (const ex of withNotification) {
        const n = ex.notification!;
        expectInvalid(registry.validateNotification(spec.method, [...n, 'extra']), `${ex.name}: one param too many`);
        if (n.length) expectInvalid(registry.validateNotification(spec.method, n.slice(0, -1)), `${ex.name}: one param missing`);
      }
    });
  }
});

describe('coverage of the protocols', () => {
  it('declares at least 45 Electrum and 17 Stratum V1 methods', () => {
    expect(electrumProtocol.names.length).toBeGreaterThanOrEqual(45);
    expect(miningProtocol.names.length).toBeGreaterThanOrEqual(17);
  });
});
