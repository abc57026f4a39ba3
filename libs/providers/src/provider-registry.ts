import { Inject, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@external-tests/common';
import { EXTERNAL_TEST_PROVIDERS, ExternalTestProvider } from './external-test-provider';

/** Resolves a tool by its resource.metadata.toolProvider name. */
@Injectable()
export class ProviderRegistry {
  private readonly byName: Map<string, ExternalTestProvider>;

  constructor(@Inject(EXTERNAL_TEST_PROVIDERS) providers: ExternalTestProvider[]) {
    this.byName = new Map(providers.map((p) => [p.name, p]));
  }

  /** Every configured tool. */
  all(): ExternalTestProvider[] {
    return [...this.byName.values()];
  }

  get(name: string | undefined): ExternalTestProvider {
    const provider = name ? this.byName.get(name) : undefined;
    if (!provider) {
      throw AppError.invalidData(
        `Unsupported toolProvider '${name ?? ''}': expected one of ${[...this.byName.keys()].join(', ')}`,
        'resource.metadata.toolProvider',
        ErrorCode.UnsupportedTool,
      );
    }
    return provider;
  }
}
