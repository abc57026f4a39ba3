import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { HostModule } from './host.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(HostModule);
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3100));
}

void bootstrap();
