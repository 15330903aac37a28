// Writes docs/openapi.json from the zod schemas (run by `npm run openapi`,
// after the build); test/openapi/openapi-document.test.ts fails when the
// committed file and the generated document differ. Biome then formats it
// as it formats every JSON file of the repository.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../dist/src/openapi/build-openapi-document.js';

const path = 'docs/openapi.json';
writeFileSync(path, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
execFileSync('npx', ['biome', 'format', '--write', path], { stdio: 'inherit' });
console.log(`wrote ${path}`);
