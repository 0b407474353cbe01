// Types for tests that check the fast checks the generator puts in front of ajv's code.

/** Whether a result schema gets a fast check: it holds a list holding hex strings, or a hex string of no bounded length. */
export declare function worthFastCheck(schema: unknown): boolean;
/** The source of `function name(data)`, or undefined when the schema uses a keyword it does not implement. */
export declare function compileFastCheck(schema: unknown, name: string): string | undefined;
/** The source of the shared hex batch (an expression). */
export declare const HEX_BATCH_CODE: string;
