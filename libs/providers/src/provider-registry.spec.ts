import { AppError, ErrorCode } from '@external-tests/common';
import { ExternalTestProvider } from './external-test-provider';
import { ProviderRegistry } from './provider-registry';

const fake = (name: 'edulastic' | 'mastery-track') => ({ name }) as unknown as ExternalTestProvider;

describe('ProviderRegistry', () => {
  const edulastic = fake('edulastic');
  const masteryTrack = fake('mastery-track');
  const registry = new ProviderRegistry([edulastic, masteryTrack]);

  it('resolves a provider by name', () => {
    expect(registry.get('mastery-track')).toBe(masteryTrack);
    expect(registry.get('edulastic')).toBe(edulastic);
  });

  it.each(['khan-academy', 'Edulastic', undefined, ''])(
    'answers unprocessable for %j, naming it and the known tools',
    (name) => {
      let err: unknown;
      try {
        registry.get(name);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe(ErrorCode.UnsupportedTool);
      expect((err as AppError).message).toContain(`'${name ?? ''}'`);
      expect((err as AppError).message).toContain('edulastic, mastery-track');
      expect((err as AppError).options.details).toEqual([
        expect.objectContaining({ field: 'resource.metadata.toolProvider' }),
      ]);
    },
  );
});
