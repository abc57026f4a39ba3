import { USERS } from '../collections/definitions';
import { collectionController } from './collection.controller';

describe('collectionController', () => {
  it('refuses at boot a collection whose search names no field (every search would fail)', () => {
    expect(() => collectionController({ ...USERS, search: ['givenName', 'nope'] })).toThrow(
      'users: search names no field nope',
    );
    expect(() => collectionController(USERS)).not.toThrow();
  });
});
