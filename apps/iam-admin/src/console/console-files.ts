import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/**
 * Where `npm run build` put the console (`vite build` → dist/console): from the sources (tests)
 * that is <repo>/dist/console, from the built service (<repo>/dist/apps/iam-admin/src/console,
 * also in the container image) it is dist/console beside the service's own dist folder.
 */
export function findConsoleDir(): string | undefined {
  const candidates = [
    resolve(__dirname, '../../../../console'),
    resolve(__dirname, '../../../../dist/console'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/** Every file of the build, as URL paths below /console/ (`assets/index-3f2a.js`). Nothing else is served. */
export function listConsoleFiles(dir: string): Set<string> {
  const files = new Set<string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.add(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return files;
}

/**
 * Only the console's own origin: its script, styles and API calls (the admin API is same-origin).
 * No inline script or style, no frames, no form posts elsewhere.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Vite names built assets by content hash: cache them for good; index.html must be revalidated. */
export function cacheControlFor(file: string): string {
  return file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}
