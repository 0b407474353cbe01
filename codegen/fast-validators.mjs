// Stage 4c: a verdict-only check in front of ajv's code, for the schemas whose values can be large
// (lists: histories, unspent outputs, mempool entries, headers). ajv's code with allErrors is exact but,
// on a 125,000-entry history, its time goes almost all into checking 8 million hex digits one character
// at a time. The fast check answers only "valid or not": it walks the value with the same tests ajv's
// code makes (the same expressions for types, limits and property lookups) and, instead of testing each
// hex string on its own, gathers them and tests them a few kilobytes at a time (`hexBatch` in the shared
// module: the characters copied out by TextEncoder and checked four to a 32-bit word). When it says
// valid, the value is valid; when it says anything else, ajv's own function runs and its verdict and
// errors are the answer, so every error, path and message is ajv's by construction.
// Soundness rests on two rules: every keyword the fast check meets is one it implements exactly, or no
// fast check is emitted for that schema (compileFastCheck returns undefined); and a hex string is
// gathered whenever the branch that holds it is entered, so a string from a branch that later failed may
// fail the whole check (a needless fall back to ajv), never pass a value ajv would refuse.

/** Hex patterns the fast check knows, with the length rule each adds to "hex digits only". */
const HEX_PATTERNS = new Map([
  ['^[0-9a-fA-F]*$', () => 'true'],
  ['^(?:[0-9a-fA-F]{2})*$', (v) => `(${v}.length & 1) === 0`],
  ['^(?:[0-9a-fA-F]{2})+$', (v) => `${v}.length >= 2 && (${v}.length & 1) === 0`],
]);
const FIXED_HEX = /^\^\[0-9a-fA-F\]\{(\d+)\}\$$/;
const EVEN_HEX_AT_LEAST = /^\^\(\?:\[0-9a-fA-F\]\{2\}\)\{(\d+),\}\$$/;

function hexLengthRule(pattern, v) {
  const known = HEX_PATTERNS.get(pattern);
  if (known) return known(v);
  const fixed = FIXED_HEX.exec(pattern);
  if (fixed) return `${v}.length === ${Number(fixed[1])}`;
  const even = EVEN_HEX_AT_LEAST.exec(pattern);
  if (even) return `${v}.length >= ${Number(even[1]) * 2} && (${v}.length & 1) === 0`;
  return undefined;
}

// Keywords that say nothing about validity.
const IGNORED = new Set(['$id', '$comment', 'title', 'description', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly']);
const SUPPORTED = new Set([
  ...IGNORED,
  'type', 'const', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'pattern',
  'items', 'minItems', 'maxItems', 'required', 'properties', 'additionalProperties', 'anyOf', 'allOf',
]);

class Unsupported extends Error {}

// Byte strings of no bounded length (a transaction, a run of headers): the ones that can be megabytes.
// A single header, an extranonce or ping data is short, and is left to ajv's code.
const UNBOUNDED_HEX = /^\^\(\?:\[0-9a-fA-F\]\{2\}\)[*+]\$$/;

/** Whether a schema holds a byte string in hex of no bounded length. */
function hasLongHex(schema) {
  if (!schema || typeof schema !== 'object') return false;
  if (typeof schema.pattern === 'string' && UNBOUNDED_HEX.test(schema.pattern)) return true;
  return Object.entries(schema).some(([k, v]) => {
    if (k === 'enum' || k === 'const' || k === 'required') return false;
    if (k === 'properties') return Object.values(v).some(hasLongHex);
    return Array.isArray(v) ? v.some(hasLongHex) : hasLongHex(v);
  });
}

/** Whether a schema holds a hex pattern the fast check knows. */
function hasHex(schema) {
  if (!schema || typeof schema !== 'object') return false;
  if (typeof schema.pattern === 'string' && hexLengthRule(schema.pattern, 'x') !== undefined) return true;
  return Object.entries(schema).some(([k, v]) => {
    if (k === 'enum' || k === 'const' || k === 'required') return false;
    if (k === 'properties') return Object.values(v).some(hasHex);
    return Array.isArray(v) ? v.some(hasHex) : hasHex(v);
  });
}

/** Whether a schema holds a list of hex strings or of values holding some (histories, unspent outputs). */
function hasHexList(schema) {
  if (!schema || typeof schema !== 'object') return false;
  if (schema.items && !Array.isArray(schema.items) && hasHex(schema.items)) return true;
  return Object.entries(schema).some(([k, v]) => {
    if (k === 'enum' || k === 'const' || k === 'required') return false;
    if (k === 'properties') return Object.values(v).some(hasHexList);
    return Array.isArray(v) ? v.some(hasHexList) : hasHexList(v);
  });
}

/**
 * The results worth a fast check: those whose time goes into hex digits, as lists of them or as long
 * strings. Elsewhere ajv's code is already close to a bare walk, and a fast check would only add to
 * every bundle that carries the method (about 0.1-0.3 kB gzipped each).
 */
export function worthFastCheck(schema) {
  return hasHexList(schema) || hasLongHex(schema);
}

/**
 * The source of `function name(data)` (and the walk it calls) returning true only for values the schema accepts, or undefined
 * when the schema uses a keyword (or a pattern, or a const) this check does not implement exactly.
 * `hexBatch` is the shared module's, under that name.
 */
export function compileFastCheck(schema, name) {
  let vars = 0;
  let labels = 0;
  const v = () => `d${vars++}`;
  const obj = (x) => `(${x} && typeof ${x} == "object" && !Array.isArray(${x}))`;
  // ajv's own type tests (lib/compile/validate/dataType.ts), so that NaN, Infinity and -0 fare alike.
  const typeTest = (t, x) => {
    switch (t) {
      case 'integer':
        return `(typeof ${x} == "number" && !(${x} % 1) && !isNaN(${x}) && isFinite(${x}))`;
      case 'number':
        return `(typeof ${x} == "number" && isFinite(${x}))`;
      case 'string':
      case 'boolean':
        return `(typeof ${x} == "${t}")`;
      case 'null':
        return `(${x} === null)`;
      case 'object':
        return obj(x);
      case 'array':
        return `Array.isArray(${x})`;
      default:
        throw new Unsupported(`type ${t}`);
    }
  };
  const primitive = (c) => c === null || ['string', 'number', 'boolean'].includes(typeof c);

  /** Statements that run `fail` unless `x` is valid against `s`. */
  const node = (s, x, fail) => {
    if (s === true) return '';
    if (s === false) return `${fail}\n`;
    if (!s || typeof s !== 'object' || Array.isArray(s)) throw new Unsupported('schema');
    for (const k of Object.keys(s)) if (!SUPPORTED.has(k)) throw new Unsupported(k);
    let out = '';
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? s.type : [s.type];
      out += `if (!(${types.map((t) => typeTest(t, x)).join(' || ')})) ${fail}\n`;
    }
    if ('const' in s) {
      if (!primitive(s.const)) throw new Unsupported('const');
      out += `if (${x} !== ${JSON.stringify(s.const)}) ${fail}\n`;
    }
    if (s.enum !== undefined) {
      if (!s.enum.every(primitive)) throw new Unsupported('enum');
      out += `if (!(${s.enum.map((c) => `${x} === ${JSON.stringify(c)}`).join(' || ')})) ${fail}\n`;
    }
    const limits = [
      ['minimum', '<'],
      ['maximum', '>'],
      ['exclusiveMinimum', '<='],
      ['exclusiveMaximum', '>='],
    ].filter(([k]) => s[k] !== undefined);
    if (limits.length) {
      for (const [k] of limits) if (typeof s[k] !== 'number' || !Number.isFinite(s[k])) throw new Unsupported(k);
      out += `if (typeof ${x} == "number" && isFinite(${x}) && (${limits.map(([k, op]) => `${x} ${op} ${s[k]}`).join(' || ')})) ${fail}\n`;
    }
    if (s.pattern !== undefined) {
      const rule = hexLengthRule(s.pattern, x);
      if (rule === undefined) throw new Unsupported(`pattern ${s.pattern}`);
      out += `if (typeof ${x} == "string") {\n${rule === 'true' ? '' : `if (!(${rule})) ${fail}\n`}if (!hexBatch.add(${x})) return false;\n}\n`;
    }
    if (s.minItems !== undefined || s.maxItems !== undefined || s.items !== undefined) {
      let inner = '';
      if (s.minItems !== undefined) inner += `if (${x}.length < ${Number(s.minItems)}) ${fail}\n`;
      if (s.maxItems !== undefined) inner += `if (${x}.length > ${Number(s.maxItems)}) ${fail}\n`;
      if (Array.isArray(s.items)) {
        s.items.forEach((item, i) => {
          const d = v();
          inner += `if (${x}.length > ${i}) {\nconst ${d} = ${x}[${i}];\n${node(item, d, fail)}}\n`;
        });
      } else if (s.items !== undefined) {
        const i = `i${vars}`;
        const d = v();
        inner += `for (let ${i} = 0, n = ${x}.length; ${i} < n; ${i}++) {\nconst ${d} = ${x}[${i}];\n${node(s.items, d, fail)}}\n`;
      }
      // Under a type that is only "array", the type test has already failed anything else.
      out += s.type === 'array' ? inner : `if (Array.isArray(${x})) {\n${inner}}\n`;
    }
    if (s.required !== undefined || s.properties !== undefined || s.additionalProperties !== undefined) {
      let inner = '';
      // ajv's test for a missing property (ownProperties off): the property reads undefined.
      if (s.required?.length) inner += `if (${s.required.map((k) => `${x}[${JSON.stringify(k)}] === undefined`).join(' || ')}) ${fail}\n`;
      for (const [k, sub] of Object.entries(s.properties ?? {})) {
        const d = v();
        const body = node(sub, d, fail);
        if (body) inner += `{\nconst ${d} = ${x}[${JSON.stringify(k)}];\nif (${d} !== undefined) {\n${body}}\n}\n`;
      }
      if (s.additionalProperties !== undefined && s.additionalProperties !== true) {
        const key = `k${vars++}`;
        const known = Object.keys(s.properties ?? {}).map((k) => `${key} === ${JSON.stringify(k)}`);
        const d = v();
        const body = node(s.additionalProperties, d, fail);
        // for...in, as ajv's code iterates, so an inherited enumerable property counts alike.
        if (body) inner += `for (const ${key} in ${x}) {\n${known.length ? `if (${known.join(' || ')}) continue;\n` : ''}const ${d} = ${x}[${key}];\n${body}}\n`;
      }
      out += s.type === 'object' ? inner : `if (${obj(x)}) {\n${inner}}\n`;
    }
    for (const sub of s.allOf ?? []) out += node(sub, x, fail);
    if (s.anyOf !== undefined) {
      const ok = `any${labels++}`;
      out += `let ${ok} = false;\n`;
      for (const sub of s.anyOf) {
        const label = `branch${labels++}`;
        out += `if (!${ok}) ${label}: {\n${node(sub, x, `break ${label};`)}${ok} = true;\n}\n`;
      }
      out += `if (!${ok}) ${fail}\n`;
    }
    return out;
  };
  try {
    const body = node(schema, 'data', 'return false;');
    // The walk is a function of its own: V8 optimises a long walk while it runs (on-stack replacement),
    // and a property read it had not yet reached then (the batch's verdict, after the loop) threw the
    // optimised code away at the end of every large result.
    return `function ${name}(data) {\nconst started = hexBatch.start();\nreturn ${name}Walk(data) && hexBatch.done(started);\n}\n\nfunction ${name}Walk(data) {\n${body}return true;\n}`;
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

/**
 * The batch check in WebAssembly, where the engine has it with SIMD (every current browser and Node; not
 * Hermes): `c(end)` answers 1 when the bytes [0, end) of its memory `m` are all hex digits, 16 to an
 * instruction, end a multiple of 16. Per byte b: b - 0x30 < 10 (unsigned, so bytes below '0' wrap
 * high) or (b | 0x20) - 0x61 < 6; any byte from 0x80 fails both. Written out here, instruction by
 * instruction, and emitted as hex: the module is 214 bytes, checks a 4 KiB batch in about 60% of the
 * time the JavaScript words take (Node 20), and takes about 15% off the validation of a large history.
 */
function simdModule() {
  const splat = (b) => [0xfd, 0x0c, ...Array(16).fill(b)]; // v128.const with b in every lane
  const body = [
    0x02, 0x01, 0x7f, 0x02, 0x7b, // locals: 1 = i (i32); 2 = good, 3 = v (v128)
    ...splat(0xff), 0x21, 0x02, // good = all ones
    0x02, 0x40, 0x03, 0x40, // block, loop
    0x20, 0x01, 0x20, 0x00, 0x4f, 0x0d, 0x01, // if i >= end (unsigned): leave the block
    0x20, 0x01, 0xfd, 0x00, 0x00, 0x00, 0x21, 0x03, // v = v128.load(i)
    0x20, 0x03, ...splat(0x30), 0xfd, 0x71, ...splat(0x0a), 0xfd, 0x26, // i8x16.lt_u(v - '0', 10)
    0x20, 0x03, ...splat(0x20), 0xfd, 0x50, ...splat(0x61), 0xfd, 0x71, ...splat(0x06), 0xfd, 0x26, // i8x16.lt_u((v | 0x20) - 'a', 6)
    0xfd, 0x50, 0x20, 0x02, 0xfd, 0x4e, 0x21, 0x02, // good &= either
    0x20, 0x01, 0x41, 0x10, 0x6a, 0x21, 0x01, 0x0c, 0x00, // i += 16; again
    0x0b, 0x0b, // end loop, end block
    0x20, 0x02, 0xfd, 0x63, 0x0b, // i8x16.all_true(good)
  ];
  const leb = (n) => {
    const out = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const section = (id, content) => [id, ...leb(content.length), ...content];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f]), // one type: (i32) -> i32
    ...section(3, [0x01, 0x00]), // one function, of that type
    ...section(5, [0x01, 0x00, 0x01]), // one memory of one 64 KiB page, never grown (so its buffer stays)
    ...section(7, [0x02, 0x01, 0x6d, 0x02, 0x00, 0x01, 0x63, 0x00, 0x00]), // exports "m" (memory), "c" (function)
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The hex test of the fast checks: `start()` when a check begins, `add(s)` for each string (false as soon
 * as `s` is surely not hex digits only), `done(started)` for the verdict on all the strings added. The strings
 * are copied by TextEncoder.encodeInto side by side into one 4 KiB buffer (each written as one byte per
 * character only if all are ASCII) and checked there, 16 bytes an instruction by the WebAssembly module
 * above where the engine takes it, else four characters to a 32-bit word, two words a turn. Per byte b below 0x80 and c = b | 0x20, the high bits of b + 0x50, b + 0x46, c + 0x1f and
 * c + 0x19 say b >= '0', b > '9', c >= 'a' and c > 'f' (no carry crosses a byte). Each of these implies
 * the one before it (c >= 'a' only when b > '9'), so the four are set as 0000, 1000, 1100, 1110 or
 * 1111, and their exclusive or has the high bit set exactly for 1000, '0'-'9', and 1110, 'a'-'f' and
 * 'A'-'F'. Nine operations a word, where the earlier (b + 0x50) & ~(b + 0x46) | ... took thirteen, for
 * 5-10% less time on the whole validation of a large history. The encodeInto call per string is now
 * most of the cost (about 35 ns, where one table lookup per character took about 75 ns, and a RegExp
 * test 300 ns: irregexp branches per character, and on random hex digits the branch that tells digits
 * from letters mispredicts). Nothing is allocated per string but encodeInto's small result (which V8
 * removes once the call is inlined): concatenating the strings to copy many per call made the
 * young-generation collector copy the freshly parsed reply, several times over (3-4x slower, measured).
 * Short strings (a nonce, a version), and all of them without TextEncoder, take one lookup per
 * character, cheaper there than a call to encodeInto. Source text, not a function's toString(): the emitted
 * code must not depend on who loaded the generator.
 */
export const HEX_BATCH_CODE = `/* @__PURE__ */ (() => {
  const SIZE = 4096;
  const SIMD = "${simdModule()}";
  let table;
  let encoder;
  let bytes;
  let words;
  let views;
  let simd;
  let at = 0;
  const wordsHex = (end) => {
    const ws = words;
    let good = -1;
    let i = 0;
    const n = end >> 2;
    for (; i + 2 <= n; i += 2) {
      const w = ws[i];
      const l = w | 0x20202020;
      const x = ws[i + 1];
      const m = x | 0x20202020;
      good &= ((w + 0x50505050) ^ (w + 0x46464646) ^ (l + 0x1f1f1f1f) ^ (l + 0x19191919)) & ((x + 0x50505050) ^ (x + 0x46464646) ^ (m + 0x1f1f1f1f) ^ (m + 0x19191919));
    }
    if (i < n) {
      const w = ws[i];
      const l = w | 0x20202020;
      good &= (w + 0x50505050) ^ (w + 0x46464646) ^ (l + 0x1f1f1f1f) ^ (l + 0x19191919);
    }
    return (good & -2139062144) === -2139062144;
  };
  const batchHex = (end) => {
    if (simd === undefined) return wordsHex(end);
    while ((end & 15) !== 0) bytes[end++] = 48;
    return simd(end) === 1;
  };
  const add = (s) => {
    const n = s.length;
    if (encoder === undefined || n < 24) {
      let ok = 1;
      for (let i = 0; i < n; i++) ok &= table[s.charCodeAt(i)];
      return ok === 1;
    }
    if (n > SIZE) {
      for (let from = 0; from < n; from += SIZE) if (!add(s.slice(from, from + SIZE))) return false;
      return true;
    }
    if (at + n > SIZE) {
      if (!batchHex(at)) return false;
      at = 0;
    }
    const view = views[at >> 2] ??= bytes.subarray(at);
    const r = encoder.encodeInto(s, view);
    if (r.read !== n || r.written !== n) return false;
    let end = at + n;
    while ((end & 3) !== 0) bytes[end++] = 48;
    at = end;
    return true;
  };
  // A getter in the value (never in parsed JSON, but a caller may pass anything) could start another
  // check in the middle of one; the first one's done() then says no, and ajv's code answers.
  let check = 0;
  return {
    start() {
      at = 0;
      check++;
      if (table !== undefined) return check;
      table = new Uint8Array(65536);
      for (const c of "0123456789abcdefABCDEF") table[c.charCodeAt(0)] = 1;
      if (typeof TextEncoder === "function") {
        encoder = new TextEncoder();
        let memory;
        if (typeof WebAssembly === "object") {
          try {
            const code = new Uint8Array(SIMD.length >> 1);
            for (let i = 0; i < code.length; i++) code[i] = parseInt(SIMD.slice(2 * i, 2 * i + 2), 16);
            const { exports } = new WebAssembly.Instance(new WebAssembly.Module(code));
            memory = exports.m.buffer;
            simd = exports.c;
          } catch {
            // No SIMD in this engine, or compiling refused (a Content-Security-Policy without
            // 'wasm-unsafe-eval'): the words are checked in JavaScript.
            simd = undefined;
          }
        }
        bytes = memory === undefined ? new Uint8Array(SIZE + 16) : new Uint8Array(memory, 0, SIZE + 16);
        words = new Int32Array(bytes.buffer, 0, (SIZE + 16) >> 2);
        views = [];
      }
      return check;
    },
    add,
    done(started) {
      return started === check && (at === 0 || batchHex(at));
    },
    // Whether the batches are checked by the WebAssembly module (known after the first start()). A
    // method, not a getter: an accessor on this object kept V8 from inlining add() into the walks.
    simd() {
      return simd !== undefined;
    },
  };
})()`;
