import { loggableError, statementShape } from './loggable-error';

describe('loggableError', () => {
  it('keeps the SQL of a failed statement with its literals masked, drops the message that quotes values', () => {
    const e = Object.assign(
      new Error(
        `update "users" set "email" = 'o''brien - x@mail.test', "age" = 42 where now() - "t" > 1.5 - invalid input syntax for type integer: "x@mail.test"`,
      ),
      { code: '22P02', routine: 'pg_strtoint32', detail: 'Failing row contains (x@mail.test)', severity: 'ERROR' },
    );
    const logged = loggableError(e);
    expect(logged).toEqual({
      type: 'Error',
      code: '22P02',
      routine: 'pg_strtoint32',
      statement: 'update "users" set "email" = ?, "age" = ? where now() - "t" > ?',
    });
    expect(JSON.stringify(logged)).not.toContain('mail.test');
  });

  it("drops PostgreSQL's detail and hint that MikroORM appends to the message, with the message that quotes values", () => {
    const detail = 'Key (email)=(x@mail.test) already exists.';
    const hint = 'Pick another than x@mail.test';
    const e = Object.assign(
      new Error(
        `insert into "users" ("email", "n") values ('x@mail.test', 7) - refused x@mail.test\n - detail: ${detail}\n - hint: ${hint}`,
      ),
      { code: 'P0001', detail, hint, severity: 'ERROR' },
    );
    const logged = loggableError(e);
    expect(logged).toEqual({
      type: 'Error',
      code: 'P0001',
      statement: 'insert into "users" ("email", "n") values (?, ?)',
    });
    expect(JSON.stringify(logged)).not.toContain('mail.test');
  });

  it('says nothing of the statement when the message is not the driver format; other errors keep their message, never a stack', () => {
    expect(statementShape('invalid input syntax for type uuid: "abc"')).toBeUndefined();
    const logged = loggableError(new TypeError('boom'));
    expect(logged).toEqual({ type: 'TypeError', message: 'boom' });
    expect(JSON.stringify(logged)).not.toMatch(/\bat |\.[jt]s:\d+/);
    const orm = loggableError(
      new Error("Value for User.email is required, 'undefined' found\nentity: User {\n  givenName: 'Zenobia',\n}"),
    );
    expect(orm.message).toBe("Value for User.email is required, 'undefined' found");
    expect(JSON.stringify(orm)).not.toContain('Zenobia');
    expect(loggableError('text')).toEqual({ type: 'string' });
  });
});
