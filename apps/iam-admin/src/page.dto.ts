import { applyDecorators, Type as Class } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  getSchemaPath,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

const MAX_OFFSET = 2_147_483_647;

/** `?limit=&offset=` of the admin API's list endpoints. */
export class PageQueryDto {
  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  /** Bounded: PostgreSQL's OFFSET is a bigint, and 1e20 is an integer to JavaScript. */
  @ApiPropertyOptional({ default: 0, maximum: MAX_OFFSET })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset?: number;
}

/** The page a PageQueryDto asks for, defaults filled in. */
export function pageOf(query: PageQueryDto): { limit: number; offset: number } {
  return { limit: query.limit ?? 100, offset: query.offset ?? 0 };
}

export class Page<T> {
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
  items: T[];
}

/** OpenAPI of a Page<T> answer: Page's fields, `items` of the item DTO (type arguments are gone at runtime). */
export const ApiPageResponse = (item: Class<unknown>): MethodDecorator =>
  applyDecorators(
    ApiExtraModels(Page, item),
    ApiOkResponse({
      schema: {
        allOf: [
          { $ref: getSchemaPath(Page) },
          { properties: { items: { type: 'array', items: { $ref: getSchemaPath(item) } } } },
        ],
      },
    }),
  );
