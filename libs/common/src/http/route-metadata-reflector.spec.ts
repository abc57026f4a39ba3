import { SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RouteMetadataReflector } from './route-metadata-reflector';

const KEY = 'example:key';

@SetMetadata(KEY, 'base')
class BaseController {
  @SetMetadata(KEY, 'handler')
  overridden(): void {}

  inherited(): void {}
}

@SetMetadata(KEY, 'derived')
class DerivedController extends BaseController {}

describe('RouteMetadataReflector', () => {
  const routes: Parameters<Reflector['getAllAndOverride']>[1][] = [
    [BaseController.prototype.overridden, BaseController],
    [BaseController.prototype.inherited, BaseController],
    // The same handler function, served by another controller with its own metadata.
    [BaseController.prototype.inherited, DerivedController],
    [BaseController.prototype.overridden, DerivedController],
  ];

  it("answers Reflector's getAllAndOverride for each route, read again from its memory", () => {
    const reflector = new RouteMetadataReflector();
    const expected = routes.map((targets) => new Reflector().getAllAndOverride(KEY, targets));
    expect(expected).toEqual(['handler', 'base', 'derived', 'handler']);
    for (let round = 0; round < 2; round++) {
      expect(routes.map((targets) => reflector.getAllAndOverride(KEY, targets))).toEqual(expected);
    }
  });

  it('reads each key of a route once, an absent one too', () => {
    const reflector = new RouteMetadataReflector();
    const reads = jest.spyOn(Reflect, 'getMetadata');
    try {
      const targets = [BaseController.prototype.inherited, DerivedController];
      for (let i = 0; i < 3; i++) {
        expect(reflector.getAllAndOverride(KEY, targets)).toBe('derived');
        expect(reflector.getAllAndOverride('example:absent', targets)).toBeUndefined();
      }
      // KEY: the handler (absent), then the controller; the absent key: both.
      expect(reads).toHaveBeenCalledTimes(4);
    } finally {
      reads.mockRestore();
    }
  });

  it('reads other target lists as Reflector does, without remembering them', () => {
    const reflector = new RouteMetadataReflector();
    expect(reflector.getAllAndOverride(KEY, [DerivedController])).toBe('derived');
    expect(
      reflector.getAllAndOverride(KEY, [BaseController.prototype.inherited, BaseController, DerivedController]),
    ).toBe('base');
  });
});
