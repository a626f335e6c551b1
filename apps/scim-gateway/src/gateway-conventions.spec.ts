import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every TypeScript source file below a folder (specs left out), by path. */
function sources(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.spec.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(root, path), readFileSync(path, 'utf8'));
  }
  return files;
}

const GATEWAY = sources(__dirname);
const SQL = /\b(SELECT\s[\s\S]*?\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b/;

describe('the gateway keeps its conventions', () => {
  it('has its SQL, and its database handle, only in *.repository.ts files', () => {
    const offenders = [...GATEWAY]
      .filter(([path]) => !path.endsWith('.repository.ts'))
      .filter(([, text]) => SQL.test(text) || /\bDataSource\b|\bEntityManager\b|\.query\(/.test(text))
      .map(([path]) => path);
    expect(offenders).toEqual([]);
  });

  it('shares no class name with the IAM service (one name, one file)', () => {
    const classes = (files: Map<string, string>) =>
      new Set(
        [...files.values()].flatMap((text) =>
          [...text.matchAll(/export (?:abstract )?class (\w+)/g)].map((m) => m[1]!),
        ),
      );
    const iam = classes(sources(join(__dirname, '../../iam-admin/src')));
    expect([...classes(GATEWAY)].filter((name) => iam.has(name))).toEqual([]);
  });

  it('imports nothing from a controller file except in modules and other controllers', () => {
    const offenders = [...GATEWAY]
      .filter(([path]) => !/\.(controller|module)\.ts$/.test(path))
      .filter(([, text]) => /from '[^']*\.controller'/.test(text))
      .map(([path]) => path);
    expect(offenders).toEqual([]);
  });
});
