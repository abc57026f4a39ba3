/**
 * OpenTelemetry tracing: on when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, with
 * the http, pg and Nest instrumentations and the OTLP exporter the standard OTEL_* variables configure. Imported
 * first by the entry points, since instrumentations patch modules as they load. Off, it loads nothing.
 */
import type { NodeSDK } from '@opentelemetry/sdk-node';

export function startTracing(env: NodeJS.ProcessEnv = process.env): NodeSDK | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { NestInstrumentation } =
    require('@opentelemetry/instrumentation-nestjs-core') as typeof import('@opentelemetry/instrumentation-nestjs-core');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? 'external-test-assignments',
    instrumentations: [
      // Health probes and metrics scrapes are not worth a trace each.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(health|metrics)/.test(req.url ?? '') }),
      // Statement text only: values may carry personal data.
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new NestInstrumentation(),
    ],
  });
  sdk.start();
  // Flush the last spans on the way out (the app's own SIGTERM handling closes the server first).
  process.once('beforeExit', () => void sdk.shutdown());
  return sdk;
}

export const tracing = startTracing();
