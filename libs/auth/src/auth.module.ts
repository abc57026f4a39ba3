import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AUTH_OPTIONS, AuthOptions } from './auth-options';
import { DevSigningKey } from './dev-issuer/dev-signing-key';
import { DevTokenController } from './dev-issuer/dev-token.controller';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { ScopesGuard } from './scopes.guard';
import { SelfUrl } from './self-url';

/**
 * Bearer-token authentication and scope checks for every route (global guards), plus the development
 * token issuer when configured.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: AUTH_OPTIONS, useValue: options },
      SelfUrl,
      JwtStrategy,
      // Order matters: who is calling, then the optional guard that needs to know it, then may they.
      { provide: APP_GUARD, useClass: JwtAuthGuard },
      ...(options.afterAuthentication ? [{ provide: APP_GUARD, useClass: options.afterAuthentication }] : []),
      { provide: APP_GUARD, useClass: ScopesGuard },
    ];
    if (options.devIssuer) providers.push(DevSigningKey);
    return {
      module: AuthModule,
      imports: [PassportModule],
      controllers: options.devIssuer ? [DevTokenController] : [],
      providers,
      exports: [AUTH_OPTIONS],
    };
  }
}
