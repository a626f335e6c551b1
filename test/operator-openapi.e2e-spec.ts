import { http, RunningApp, startIamAdmin } from '@test/support';

type Schema = { $ref?: string; allOf?: Schema[]; properties?: Record<string, Schema>; items?: Schema };
type Operation = {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  description?: string;
};

/** The operator API of issue 12 (tenant provisioning policy) as IAM's OpenAPI document describes it. */
describe("IAM's OpenAPI document covers the tenant-policy operator API", () => {
  let iam: RunningApp;
  let doc: {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, Schema> };
  };

  beforeAll(async () => {
    iam = await startIamAdmin();
    const res = await http(iam.url, 'GET', '/docs-json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => iam?.close());

  const operation = (path: string, method: string): Operation => {
    const found = doc.paths[path]?.[method];
    if (!found) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
    return found;
  };
  /** The component a $ref names, with its properties. */
  const component = (schema: Schema | undefined): Schema => {
    const name = schema?.$ref?.replace('#/components/schemas/', '');
    const found = name ? doc.components.schemas[name] : undefined;
    if (!found?.properties) throw new Error(`no documented schema behind ${JSON.stringify(schema)}`);
    return found;
  };
  const bodyOf = (path: string, method: string) =>
    component(operation(path, method).requestBody?.content['application/json']?.schema);
  const answerOf = (path: string, method: string, status: string) =>
    operation(path, method).responses[status]?.content?.['application/json']?.schema;
  /** A Page<T> answer: Page's fields and `items` of T. */
  const pageItems = (path: string) => {
    const schema = answerOf(path, 'get', '200');
    const [page, withItems] = schema?.allOf ?? [];
    expect(Object.keys(component(page).properties!)).toEqual(
      expect.arrayContaining(['total', 'limit', 'offset']),
    );
    return component(withItems?.properties?.items?.items);
  };
  const propertiesOf = (schema: Schema) => Object.keys(schema.properties!);

  it('documents every write with its request body schema', () => {
    const bodies: Array<[string, string, string[]]> = [
      [
        '/v1/provisioning/settings',
        'put',
        [
          'defaultRole',
          'defaultUserType',
          'requireVerifiedDomain',
          'ignoreUnknownFolders',
          'allowedMetadataKeys',
        ],
      ],
      ['/v1/folders', 'post', ['displayName', 'externalId']],
      ['/v1/folders/{id}', 'patch', ['displayName', 'externalId']],
      ['/v1/domains', 'post', ['domain']],
      ['/v1/subjects', 'post', ['userName', 'roles', 'userType', 'folders', 'metadata', 'loginMethod']],
      [
        '/v1/subjects/{id}',
        'patch',
        ['displayName', 'active', 'roles', 'userType', 'folders', 'metadata', 'loginMethod'],
      ],
      ['/v1/login/{tenantId}/password', 'post', ['userName', 'password']],
    ];
    for (const [path, method, fields] of bodies) {
      expect({ path, method, fields: propertiesOf(bodyOf(path, method)) }).toEqual({
        path,
        method,
        fields: expect.arrayContaining(fields),
      });
    }
  });

  it('documents the other operations of each endpoint, with their answers', () => {
    expect(propertiesOf(component(answerOf('/v1/provisioning/settings', 'get', '200')))).toEqual(
      expect.arrayContaining(['defaultRole', 'defaultUserType', 'version', 'updatedBy']),
    );
    expect(operation('/v1/provisioning/settings', 'delete').responses['204']).toBeDefined();
    expect(propertiesOf(pageItems('/v1/folders'))).toEqual(
      expect.arrayContaining(['id', 'displayName', 'externalId']),
    );
    expect(operation('/v1/folders/{id}', 'delete').responses['204']).toBeDefined();
    expect(propertiesOf(component(answerOf('/v1/domains/{domain}/verify', 'post', '200')))).toEqual(
      expect.arrayContaining(['domain', 'status', 'verifiedAt']),
    );
    expect(answerOf('/v1/domains/{domain}/verify', 'post', '422')).toBeDefined();
    expect(operation('/v1/domains/{domain}', 'delete')).toBeDefined();
    expect(operation('/v1/subjects/{id}', 'delete').responses['204']).toBeDefined();
    expect(propertiesOf(pageItems('/v1/subjects/{id}/folders'))).toEqual(
      expect.arrayContaining(['id', 'displayName']),
    );
    expect(propertiesOf(component(answerOf('/v1/subjects/{id}', 'get', '200')))).toEqual(
      expect.arrayContaining([
        'roles',
        'userType',
        'access',
        'folders',
        'metadata',
        'managedBy',
        'loginMethod',
      ]),
    );
  });

  it('documents the audit log with its filters and cursor paging', () => {
    const list = operation('/v1/audit/provisioning', 'get');
    expect(list.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'from',
        'to',
        'subjectId',
        'outcome',
        'operation',
        'resourceType',
        'limit',
        'cursor',
      ]),
    );
    expect(propertiesOf(component(answerOf('/v1/audit/provisioning', 'get', '200')))).toEqual(
      expect.arrayContaining(['items', 'nextCursor']),
    );
  });

  it('documents the Azure AD provider with the connector details the customer copies into Entra', () => {
    const provider = component(answerOf('/v1/sso/azuread/{scheme}', 'get', '200'));
    const connector = component(provider.properties!.connector);
    expect(propertiesOf(connector)).toEqual(['scimBaseUrl', 'redirectUris']);
    expect(propertiesOf(component(connector.properties!.redirectUris))).toEqual(['web', 'mobileAndDesktop']);
  });

  it('documents the subject search filter and the event history with its retention', () => {
    for (const path of ['/v1/subjects', '/v1/groups'])
      expect(operation(path, 'get').parameters!.map((p) => p.name)).toContain('filter');
    expect(propertiesOf(pageItems('/v1/subjects'))).toContain('loginMethod');
    const events = operation('/v1/subjects/{id}/events', 'get');
    expect(events.description).toContain('RETENTION_EVENTS_DAYS');
    expect(events.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['limit', 'before']));
    expect(propertiesOf(component(answerOf('/v1/subjects/{id}/events', 'get', '200')))).toEqual([
      'items',
      'limit',
      'nextBefore',
    ]);
  });
});
