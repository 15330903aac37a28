import { readFileSync } from 'node:fs';

/** Reads a .sql file that sits beside the calling module (copied to dist/ by the build). */
export function readSql(moduleUrl: string, relativePath: string): string {
  return readFileSync(new URL(relativePath, moduleUrl), 'utf8');
}
