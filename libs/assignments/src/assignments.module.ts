import { DynamicModule, Module, Provider } from '@nestjs/common';
import { AssignmentService } from './assignment.service';
import { AssignmentsController } from './assignments.controller';
import { ASSIGNMENTS_OPTIONS, AssignmentsOptions } from './assignments-options';

export interface AssignmentsModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: unknown[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...args: any[]) => AssignmentsOptions | Promise<AssignmentsOptions>;
}

/**
 * The PowerPath external-test endpoints. Needs ProviderRegistry (ProviderModule) and MikroORM
 * (PersistenceModule) from the importing application.
 */
@Module({})
export class AssignmentsModule {
  static forRoot(options: AssignmentsOptions & { imports?: DynamicModule['imports'] }): DynamicModule {
    return this.build({ provide: ASSIGNMENTS_OPTIONS, useValue: options }, options.imports);
  }

  static forRootAsync(options: AssignmentsModuleAsyncOptions): DynamicModule {
    return this.build(
      { provide: ASSIGNMENTS_OPTIONS, useFactory: options.useFactory, inject: (options.inject ?? []) as never[] },
      options.imports,
    );
  }

  private static build(optionsProvider: Provider, imports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: AssignmentsModule,
      imports,
      controllers: [AssignmentsController],
      providers: [optionsProvider, AssignmentService],
      exports: [AssignmentService],
    };
  }
}
