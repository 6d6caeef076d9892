// A strict RFC 8259 JSON parser for untrusted headers. JSON.parse keeps the last of duplicate keys (so two readers
// could see different models in one file), accepts any nesting depth (stack exhaustion) and tells no positions;
// this parser rejects duplicate keys and lone surrogates, caps nesting, and records where every value starts so
// that validation errors can name a byte offset.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A parse failure at a UTF-16 index of the text. */
export class JsonSyntaxError {
  constructor(
    readonly message: string,
    readonly index: number,
    readonly duplicateKey: boolean = false,
  ) {}
}

/** Where each value of a parsed document starts (UTF-16 index into the text), per container and key/index. */
export type PositionMap = WeakMap<object, Map<string | number, number>>;

export interface ParsedJson {
  value: JsonValue;
  positions: PositionMap;
}

/** Nesting cap: deep enough for graphs with ~20 levels of subgraphs, shallow enough to never exhaust the stack. */
export const MAX_JSON_DEPTH = 160;

/**
 * Parses `text` strictly; throws {@link JsonSyntaxError}. `__proto__` becomes an ordinary own key (no prototype pollution).
 * With `withPositions`, also records where each value starts; that costs a Map per container (and GC time), so
 * readers parse without it and re-parse with it only to place an error.
 */
export function parseStrictJson(text: string, maxDepth = MAX_JSON_DEPTH, withPositions = false): ParsedJson {
  const positions: PositionMap = new WeakMap();
  let i = 0;
  const n = text.length;

  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, Math.min(at, n));
  };
  const skipWs = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return;
    }
  };
  const describe = (at: number): string => (at >= n ? 'end of header' : JSON.stringify(text[at]));

  const parseString = (): string => {
    // text[i] === '"'
    const start = i;
    i++;
    let out = '';
    let runStart = i;
    for (;;) {
      if (i >= n) fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(runStart, i);
        i++;
        return out;
      }
      if (c < 0x20) fail(`control character U+${c.toString(16).padStart(4, '0')} inside a string`);
      if (c >= 0xd800 && c <= 0xdfff) {
        // Raw surrogates can only come from a well-formed pair (the UTF-8 decoder guarantees it); check anyway.
        const d = text.charCodeAt(i + 1);
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          i += 2;
          continue;
        }
        fail('lone surrogate inside a string');
      }
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(runStart, i);
      const e = text.charCodeAt(i + 1);
      switch (e) {
        case 0x22: out += '"'; i += 2; break;
        case 0x5c: out += '\\'; i += 2; break;
        case 0x2f: out += '/'; i += 2; break;
        case 0x62: out += '\b'; i += 2; break;
        case 0x66: out += '\f'; i += 2; break;
        case 0x6e: out += '\n'; i += 2; break;
        case 0x72: out += '\r'; i += 2; break;
        case 0x74: out += '\t'; i += 2; break;
        case 0x75: {
          const hi = readHex4(i + 2);
          i += 6;
          if (hi >= 0xd800 && hi <= 0xdbff) {
            if (text.charCodeAt(i) !== 0x5c || text.charCodeAt(i + 1) !== 0x75) fail('lone high surrogate escape', i - 6);
            const lo = readHex4(i + 2);
            if (lo < 0xdc00 || lo > 0xdfff) fail('high surrogate escape not followed by a low surrogate', i);
            i += 6;
            out += String.fromCharCode(hi, lo);
          } else if (hi >= 0xdc00 && hi <= 0xdfff) {
            fail('lone low surrogate escape', i - 6);
          } else {
            out += String.fromCharCode(hi);
          }
          break;
        }
        default:
          fail(`invalid escape \\${i + 1 < n ? text[i + 1] : ''}`);
      }
      runStart = i;
    }
  };

  const readHex4 = (at: number): number => {
    if (at + 4 > n) fail('truncated \\u escape', at);
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = text.charCodeAt(at + k);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else return fail('invalid hex digit in \\u escape', at + k);
      v = v * 16 + d;
    }
    return v;
  };

  const parseNumber = (): number => {
    const start = i;
    if (text.charCodeAt(i) === 0x2d) i++;
    const digitsFrom = i;
    if (text.charCodeAt(i) === 0x30) i++;
    else {
      while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
    }
    if (i === digitsFrom) fail('invalid number', start);
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      const f = i;
      while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
      if (i === f) fail('invalid number: no digits after the decimal point', start);
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const s = text.charCodeAt(i);
      if (s === 0x2b || s === 0x2d) i++;
      const f = i;
      while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
      if (i === f) fail('invalid number: no exponent digits', start);
    }
    if (i - start > 400) fail('number literal longer than 400 characters', start);
    const v = Number(text.slice(start, i));
    if (!Number.isFinite(v)) fail('number out of the float64 range', start);
    return v;
  };

  const parseValue = (depth: number): JsonValue => {
    skipWs();
    if (i >= n) fail('unexpected end of header, expected a value');
    const c = text.charCodeAt(i);
    if (c === 0x7b) return parseObject(depth + 1);
    if (c === 0x5b) return parseArray(depth + 1);
    if (c === 0x22) return parseString();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return parseNumber();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    return fail(`unexpected ${describe(i)}, expected a value`);
  };

  const parseObject = (depth: number): JsonObject => {
    if (depth > maxDepth) fail(`nesting deeper than ${maxDepth} levels`);
    i++;
    const obj: JsonObject = {};
    const pos = withPositions ? new Map<string | number, number>() : undefined;
    if (pos) positions.set(obj, pos);
    skipWs();
    if (text.charCodeAt(i) === 0x7d) {
      i++;
      return obj;
    }
    for (;;) {
      skipWs();
      if (text.charCodeAt(i) !== 0x22) fail(`unexpected ${describe(i)}, expected a string key`);
      const keyAt = i;
      const key = parseString();
      if (Object.prototype.hasOwnProperty.call(obj, key)) throw new JsonSyntaxError(`duplicate key ${JSON.stringify(key)}`, keyAt, true);
      skipWs();
      if (text.charCodeAt(i) !== 0x3a) fail(`unexpected ${describe(i)}, expected ':'`);
      i++;
      skipWs();
      pos?.set(key, i);
      const v = parseValue(depth);
      // `obj[key] = v` would set the prototype for "__proto__"; defineProperty makes it an ordinary own key.
      if (key === '__proto__') Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
      else obj[key] = v;
      skipWs();
      const c = text.charCodeAt(i);
      if (c === 0x2c) {
        i++;
        continue;
      }
      if (c === 0x7d) {
        i++;
        return obj;
      }
      fail(`unexpected ${describe(i)}, expected ',' or '}'`);
    }
  };

  const parseArray = (depth: number): JsonValue[] => {
    if (depth > maxDepth) fail(`nesting deeper than ${maxDepth} levels`);
    i++;
    const arr: JsonValue[] = [];
    const pos = withPositions ? new Map<string | number, number>() : undefined;
    if (pos) positions.set(arr, pos);
    skipWs();
    if (text.charCodeAt(i) === 0x5d) {
      i++;
      return arr;
    }
    for (;;) {
      skipWs();
      pos?.set(arr.length, i);
      arr.push(parseValue(depth));
      skipWs();
      const c = text.charCodeAt(i);
      if (c === 0x2c) {
        i++;
        continue;
      }
      if (c === 0x5d) {
        i++;
        return arr;
      }
      fail(`unexpected ${describe(i)}, expected ',' or ']'`);
    }
  };

  const value = parseValue(0);
  skipWs();
  if (i < n) fail(`unexpected ${describe(i)} after the JSON value`);
  return { value, positions };
}

/**
 * Where `container[key]` starts in `text` (UTF-16 index), for a `container` inside `root` (a fast parse of `text`):
 * finds the container's path by identity, re-parses with positions and follows the same path. Error path only.
 */
export function locate(text: string, root: JsonValue, container: object, key: string | number): number | undefined {
  const path: (string | number)[] = [];
  const find = (v: JsonValue): boolean => {
    if (v === container) return true;
    if (v === null || typeof v !== 'object') return false;
    for (const k of Array.isArray(v) ? v.keys() : Object.keys(v)) {
      path.push(k);
      if (find((v as Record<string | number, JsonValue>)[k])) return true;
      path.pop();
    }
    return false;
  };
  if (!find(root)) return undefined;
  const slow = parseStrictJson(text, MAX_JSON_DEPTH, true);
  let v = slow.value as Record<string | number, JsonValue>;
  for (const k of path) v = v[k] as Record<string | number, JsonValue>;
  return slow.positions.get(v)?.get(key);
}
