// tsc emits only JavaScript: copy the .sql files that sit beside the
// TypeScript sources into dist/ so that compiled modules find them.
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function copySql(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copySql(path);
    else if (entry.name.endsWith('.sql')) cpSync(path, join('dist', path));
  }
}
copySql('src');
