import { listResponse } from './render';
import { ResourceTypeDefinition, SchemaDefinition } from './schemas';

/** What this server really supports, for /ServiceProviderConfig (RFC 7643 §5). */
export interface ServiceProviderFeatures {
  maxResults: number;
  documentationUri?: string;
}

export function serviceProviderConfig(
  features: ServiceProviderFeatures,
  baseUrl: string,
): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    ...(features.documentationUri ? { documentationUri: features.documentationUri } : {}),
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: features.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description:
          'A SCIM token created with POST /v1/scim on the IAM admin API, sent as Authorization: Bearer',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypeResource(type: ResourceTypeDefinition, baseUrl: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.schema.description,
    schema: type.schema.id,
    schemaExtensions: type.extensions.map((e) => ({ schema: e.id, required: false })),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${type.name}` },
  };
}

export function schemaResource(schema: SchemaDefinition, baseUrl: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

export function schemasOf(types: ResourceTypeDefinition[]): SchemaDefinition[] {
  const all = types.flatMap((t) => [t.schema, ...t.extensions]);
  return all.filter((s, i) => all.findIndex((o) => o.id === s.id) === i);
}

export function discoveryList(resources: Record<string, unknown>[]): Record<string, unknown> {
  return listResponse(resources, resources.length, { startIndex: 1, count: resources.length });
}
