import { DynamicModule, Global, Module, Type } from '@nestjs/common';

/** Makes a service's validated config instance injectable everywhere by its class. */
@Global()
@Module({})
export class TypedConfigModule {
  static with<T extends object>(cls: Type<T>, config: T): DynamicModule {
    return { module: TypedConfigModule, providers: [{ provide: cls, useValue: config }], exports: [cls] };
  }
}
