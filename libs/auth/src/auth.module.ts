import { CanActivate, DynamicModule, FactoryProvider, Module, ModuleMetadata, Provider, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { RouteMetadataReflector } from '@external-tests/common';
import { AUTH_OPTIONS, AuthOptions } from './auth-options';
import { DevSigningKey } from './dev-issuer/dev-signing-key';
import { DevTokenController } from './dev-issuer/dev-token.controller';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { ScopesGuard } from './scopes.guard';
import { SelfUrl } from './self-url';

type FactoryOptions = Omit<AuthOptions, 'afterAuthentication'>;

/** AuthOptions from a factory (e.g. the host's ConfigService); what shapes the module is given here, statically. */
export interface AuthModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: FactoryProvider['inject'];
  useFactory: FactoryProvider<FactoryOptions | Promise<FactoryOptions>>['useFactory'];
  /** Serve the development issuer's endpoints; its options (`devIssuer`) then come from the factory. */
  devIssuer?: boolean;
  afterAuthentication?: Type<CanActivate>;
}

/**
 * Bearer-token authentication and scope checks for every route (global guards), plus the development
 * token issuer when configured.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    return AuthModule.build(
      { provide: AUTH_OPTIONS, useValue: options },
      !!options.devIssuer,
      options.afterAuthentication,
    );
  }

  static forRootAsync(o: AuthModuleAsyncOptions): DynamicModule {
    const options: FactoryProvider<AuthOptions> = {
      provide: AUTH_OPTIONS,
      inject: o.inject ?? [],
      useFactory: async (...args: unknown[]) => {
        const made: FactoryOptions = await o.useFactory(...args);
        // Controllers are fixed when the module is built: the factory cannot turn the issuer on or off.
        if (!!made.devIssuer !== !!o.devIssuer)
          throw new Error(
            o.devIssuer
              ? 'AuthModule.forRootAsync({ devIssuer: true }): the factory returned no devIssuer options'
              : 'AuthModule.forRootAsync: the factory returned devIssuer options; set devIssuer: true to serve the issuer',
          );
        return { ...made, afterAuthentication: o.afterAuthentication };
      },
    };
    return {
      ...AuthModule.build(options, !!o.devIssuer, o.afterAuthentication),
      imports: [PassportModule, ...(o.imports ?? [])],
    };
  }

  private static build(
    options: Provider,
    devIssuer: boolean,
    afterAuthentication: Type<CanActivate> | undefined,
  ): DynamicModule {
    const providers: Provider[] = [
      options,
      SelfUrl,
      RouteMetadataReflector,
      JwtStrategy,
      // Order matters: who is calling, then the optional guard that needs to know it, then may they.
      { provide: APP_GUARD, useClass: JwtAuthGuard },
      ...(afterAuthentication ? [{ provide: APP_GUARD, useClass: afterAuthentication }] : []),
      { provide: APP_GUARD, useClass: ScopesGuard },
    ];
    if (devIssuer) providers.push(DevSigningKey);
    return {
      module: AuthModule,
      imports: [PassportModule],
      controllers: devIssuer ? [DevTokenController] : [],
      providers,
      exports: [AUTH_OPTIONS, RouteMetadataReflector],
    };
  }
}
