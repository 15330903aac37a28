import { readFileSync } from 'node:fs';
/**
 * Reads a text file (SQL, Lua) that sits beside the calling module; the
 * build copies such files into dist/ next to the compiled modules.
 */
export function readBeside(moduleUrl, relativePath) {
    return readFileSync(new URL(relativePath, moduleUrl), 'utf8');
}
//# sourceMappingURL=read-beside.js.map