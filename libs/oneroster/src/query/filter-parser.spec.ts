import { FilterSyntaxError, parseFilter } from './filter-parser';

describe('the 1EdTech filter language', () => {
  it('parses conditions joined by AND / OR, AND binding tighter', () => {
    expect(parseFilter("status='active' AND givenName~'ada' OR role@'student,teacher'")).toEqual([
      [
        { field: 'status', op: '=', value: 'active' },
        { field: 'givenName', op: '~', value: 'ada' },
      ],
      [{ field: 'role', op: '@', value: 'student,teacher' }],
    ]);
  });

  it('reads every operator, dotted fields and doubled quotes', () => {
    for (const op of ['=', '!=', '>', '>=', '<', '<=', '~', '@'])
      expect(parseFilter(`score${op}'5'`)[0][0].op).toBe(op);
    expect(parseFilter("student.sourcedId='s1'")[0][0].field).toBe('student.sourcedId');
    expect(parseFilter("familyName='O''Brien'")[0][0].value).toBe("O'Brien");
  });

  it.each(['', '   ', "='x'", "name 'x'", "name='x", "name='x' AND", "name='x' XOR b='y'", "1name='x'"])(
    '%j is a syntax error',
    (text) => {
      expect(() => parseFilter(text)).toThrow(FilterSyntaxError);
    },
  );

  it('refuses more than 20 conditions', () => {
    expect(() => parseFilter(Array.from({ length: 21 }, (_, i) => `f${i}='x'`).join(' AND '))).toThrow(
      FilterSyntaxError,
    );
  });
});
