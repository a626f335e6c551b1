import { Module } from '@nestjs/common';
import { DirectoryController } from './directory.controller';
import { DirectoryRepository } from './directory.repository';

@Module({ controllers: [DirectoryController], providers: [DirectoryRepository] })
export class DirectoryModule {}
