import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, locate, parseStrictJson } from './strict-json';

const parse = (t: string) => parseStrictJson(t).value;
const failsAt = (t: string): JsonSyntaxError => {
  try {
    parse(t);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return e;
    throw e;
  }
  throw new Error(`accepted ${t}`);
};

describe('parseStrictJson', () => {
  it('agrees with JSON.parse on valid documents (JSON.parse is the reference)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (v, pretty) => {
        const text = JSON.stringify(v, null, pretty ? 2 : 0);
        expect(parse(text)).toEqual(JSON.parse(text));
      }),
      { seed: 1125, numRuns: 500 },
    );
  });

  it('never accepts what JSON.parse rejects, and agrees when both accept', () => {
    const chars = fc.constantFrom(...'{}[]:,"\\ \n0123456789-+.eEtruefalsn\u00e9\ud83c\udf0dabu'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 40 }).map((a) => a.join('')), (text) => {
        let reference: unknown;
        let ok = true;
        try {
          reference = JSON.parse(text);
        } catch {
          ok = false;
        }
        let mine: unknown;
        let mineOk = true;
        try {
          mine = parse(text);
        } catch (e) {
          expect(e).toBeInstanceOf(JsonSyntaxError);
          mineOk = false;
        }
        if (!ok) expect(mineOk, text).toBe(false);
        if (mineOk) expect(mine).toEqual(reference);
      }),
      { seed: 2026, numRuns: 3000 },
    );
  });

  it('rejects duplicate keys at any depth, pointing at the second key', () => {
    const text = '{"a":1,"b":{"c":2,"c":3}}';
    const e = failsAt(text);
    expect(e.duplicateKey).toBe(true);
    expect(text.slice(e.index)).toBe('"c":3}}');
    expect(failsAt('{"__proto__":1,"__proto__":2}').duplicateKey).toBe(true);
  });

  it('rejects the non-JSON that lenient parsers accept', () => {
    for (const bad of ['01', '+1', '.5', '1.', '1e', '-', 'NaN', 'Infinity', "'a'", '[1,]', '{"a":1,}', '{a:1}', '"\\x41"', '"a\tb"', '"\\ud800"', '"\\udc00x"', '1 2', '', ' ', 'nul', 'tru', '"abc', '[', '1e999', '\ufeff1']) {
      expect(() => parse(bad), bad).toThrow(JsonSyntaxError);
    }
  });

  it('keeps __proto__ as a plain key and caps nesting', () => {
    const v = parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(v.__proto__).toEqual({ polluted: true });
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parse('['.repeat(160) + ']'.repeat(160))).toBeDefined();
    expect(failsAt('['.repeat(161) + ']'.repeat(161)).message).toMatch(/nesting/);
    expect(failsAt('['.repeat(100000)).message).toMatch(/nesting/);
  });

  it('records where each value starts', () => {
    const text = '{"a": [10, "x"], "b": null}';
    const { value, positions } = parseStrictJson(text, undefined, true);
    const root = value as Record<string, unknown>;
    expect(positions.get(root)!.get('a')).toBe(text.indexOf('['));
    expect(positions.get(root)!.get('b')).toBe(text.indexOf('null'));
    expect(positions.get(root.a as object)!.get(1)).toBe(text.indexOf('"x"'));
    // locate() finds the same place from a fast parse (no positions recorded)
    const fast = parseStrictJson(text).value as Record<string, unknown>;
    expect(locate(text, fast as never, fast.a as object, 1)).toBe(text.indexOf('"x"'));
    expect(locate(text, fast as never, {}, 1)).toBeUndefined();
  });

  it('decodes escapes and surrogate pairs', () => {
    expect(parse('"\\u00e9\\ud83c\\udf0d\\n\\"\\/\\\\"')).toBe('é🌍\n"/\\');
  });
});
