// Types for tests that check the schemas the generator compiles.
import type { Ajv } from 'ajv';

export declare const SCHEMA_BASE: string;

/** A compiled pattern: what ajv's `code.regExp` engine must return. */
export interface CompiledPattern {
  readonly source: string;
  test(text: string): boolean;
}
export declare function patternEngine(pattern: string, flags: string): CompiledPattern;
export declare function newAjv(): Ajv;
export declare function addDefinitions(ajv: Ajv, definitions: Record<string, unknown>): void;
export declare function inlineDefinitions(schema: unknown, definitions: Record<string, unknown>): unknown;
export interface MethodSchema {
  readonly role: 'params' | 'result' | 'condition' | 'notification';
  readonly name: string;
  readonly id: string;
  readonly schema: unknown;
  readonly variant?: string;
  readonly param?: string;
}
export declare function methodSchemas(doc: unknown, definitions?: Record<string, unknown>): MethodSchema[];
