import { AppError } from '../errors/app-error';
import { decimalInteger } from './decimal-integer';
import { jsonDepthExceeds } from './json-depth';
import { findUnstorableValue } from './storable-values';

describe('jsonDepthExceeds', () => {
  const deep = (n: number) => Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`);
  it('counts arrays and objects, not brackets inside strings or after escaped quotes', () => {
    expect(jsonDepthExceeds(deep(64), 64)).toBe(false);
    expect(jsonDepthExceeds(deep(65), 64)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from(`{"a":"${'{['.repeat(100)}","b":"\\"[[[[","c":[[1]]}`), 3)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from('{"a":"\\\\",  "b":[[[[1]]]]}'), 3)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from('{"ü€😀":[{"x":"]]]]"}]}'), 3)).toBe(false);
  });
});

describe('findUnstorableValue', () => {
  it('names the first NUL or lone surrogate by path, keys included', () => {
    expect(findUnstorableValue({ a: [1, { b: 'x\u0000' }] }, '')).toEqual({
      field: 'a[1].b',
      problem: 'must not contain NUL characters',
    });
    expect(findUnstorableValue({ a: { ['k\u0000']: 1 } }, '')).toEqual({
      field: 'a',
      problem: 'keys must not contain NUL characters',
    });
    expect(findUnstorableValue('\ud800', 'sourcedId')).toEqual({
      field: 'sourcedId',
      problem: 'must be well-formed Unicode (no lone surrogates)',
    });
    expect(findUnstorableValue({ ok: 'ü😀\u0001', n: 1, z: null }, '')).toBeUndefined();
    // JSON.parse reads 1e400 as Infinity: no column holds it.
    expect(findUnstorableValue(JSON.parse('{"a":{"max":1e400}}'), 'body')).toEqual({
      field: 'body.a.max',
      problem: 'must be a number within the range of a double',
    });
    expect(findUnstorableValue([-1e308, 0, 1.5e-320], '')).toBeUndefined();
  });
});

describe('decimalInteger', () => {
  it('takes base-10 digits only, within range', () => {
    expect(decimalInteger('limit', undefined, 100, 1, 3000)).toBe(100);
    expect(decimalInteger('limit', '16', 100, 1, 3000)).toBe(16);
    for (const raw of ['0x10', '1e1', '+16', ' 16', '16.0', '0b10', '3001', '0', ['1', '2'], '99999999999999999']) {
      expect(() => decimalInteger('limit', raw, 100, 1, 3000)).toThrow(AppError);
    }
  });
});
