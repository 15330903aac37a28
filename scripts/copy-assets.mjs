// tsc emits only JavaScript: copy the .sql and .lua files that sit beside
// the TypeScript sources into dist/ so that compiled modules find them.
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function copyAssets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(path);
    else if (/\.(sql|lua)$/.test(entry.name)) cpSync(path, join('dist', path));
  }
}
copyAssets('src');
