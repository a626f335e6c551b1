import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, MinLength } from 'class-validator';

/** Passwords: at least 12 characters (NIST SP 800-63B's floor is 8; 12 for a platform account), at most 256. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export class PasswordSignInDto {
  @ApiProperty({ example: 'temp.contractor@contoso.com' })
  @IsString({ message: 'userName must be a string' })
  @IsNotEmpty({ message: 'userName must not be empty' })
  @MaxLength(1024, { message: 'userName must be at most 1024 characters' })
  userName: string;

  @ApiProperty({ format: 'password' })
  @IsString({ message: 'password must be a string' })
  @IsNotEmpty({ message: 'password must not be empty' })
  @MaxLength(PASSWORD_MAX_LENGTH, { message: `password must be at most ${PASSWORD_MAX_LENGTH} characters` })
  password: string;
}

export class InvitationAcceptDto {
  @ApiProperty({ description: 'The one-time invitation token an operator received when creating the user' })
  @IsString({ message: 'token must be a string' })
  @IsNotEmpty({ message: 'token must not be empty' })
  @MaxLength(256, { message: 'token must be at most 256 characters' })
  token: string;

  @ApiProperty({ format: 'password', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsString({ message: 'password must be a string' })
  @MinLength(PASSWORD_MIN_LENGTH, { message: `password must be at least ${PASSWORD_MIN_LENGTH} characters` })
  @MaxLength(PASSWORD_MAX_LENGTH, { message: `password must be at most ${PASSWORD_MAX_LENGTH} characters` })
  password: string;
}
