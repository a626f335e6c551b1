import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { FoldersController } from './folders.controller';
import { FoldersRepository } from './folders.repository';
import { FoldersService } from './folders.service';
import { SubjectFoldersRepository } from './subject-folders.repository';

/** Folders of a tenant (/v1/folders) and subjects' folder access: owns folders and subject_folders. */
@Module({
  imports: [AuthModule],
  controllers: [FoldersController],
  providers: [FoldersRepository, SubjectFoldersRepository, FoldersService],
  exports: [FoldersRepository, SubjectFoldersRepository],
})
export class FoldersModule {}
