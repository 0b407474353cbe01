// `await using client = ...`: the key of an async disposer. Node 20 and current browsers have
// Symbol.asyncDispose; older engines do not, and the compilers that lower `await using` (TypeScript,
// esbuild) then look for Symbol.for('Symbol.asyncDispose'), so that is the key there.

declare global {
  interface SymbolConstructor {
    /**
     * Declared for consumers whose TypeScript lib predates ES2024's disposables (lib "esnext.disposable"
     * declares the same member); @types/node declares it the same way.
     */
    readonly asyncDispose: unique symbol;
  }
}

/** Symbol.asyncDispose where the engine has it, else the registered symbol that lowered `await using` looks up. */
export const asyncDispose: typeof Symbol.asyncDispose = ((Symbol as { asyncDispose?: symbol }).asyncDispose ??
  Symbol.for('Symbol.asyncDispose')) as typeof Symbol.asyncDispose;
