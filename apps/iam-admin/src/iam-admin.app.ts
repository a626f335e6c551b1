import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '@app/platform';
import { adminValidationPipe } from './errors/validation';
import { IamAdminModule, IamAdminModuleOptions } from './iam-admin.module';

/** Builds the IAM admin HTTP app (used by main.ts and by the e2e tests alike). */
export async function createIamAdminApp(options: IamAdminModuleOptions): Promise<NestFastifyApplication> {
  const app = await createHttpApp(IamAdminModule.forRoot(options), { bodyLimit: 1024 * 1024 });
  app.useGlobalPipes(adminValidationPipe());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('IAM admin API')
      .setDescription('Tenants, Azure AD SSO identity providers and SCIM tokens')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
