import { readFileSync } from 'node:fs';
/**
 * The variables that may hold a secret: each may instead be read from a
 * file named by `<NAME>_FILE`, as container platforms mount secrets, and
 * none has its value printed in a configuration error.
 */
export const SECRET_VARIABLES = [
    'ADGATE_API_KEYS',
    'ADGATE_DATABASE_URL',
    'ADGATE_REDIS_URL',
    'ADGATE_KAFKA_SASL_PASSWORD',
];
export const FILE_SUFFIX = '_FILE';
/**
 * Reads `<NAME>_FILE` for every secret variable. The file's text is taken
 * whole but for one trailing newline (what `echo` and most editors add).
 * Setting both `<NAME>` and `<NAME>_FILE` is an error: which one wins
 * would be a guess.
 */
export function readSecretFiles(env, read = (path) => readFileSync(path, 'utf8')) {
    const values = { ...env };
    const issues = [];
    for (const name of SECRET_VARIABLES) {
        const fileVariable = `${name}${FILE_SUFFIX}`;
        const path = env[fileVariable];
        if (path === undefined)
            continue;
        delete values[fileVariable];
        if (env[name] !== undefined) {
            issues.push(`${fileVariable}: set ${name} or ${fileVariable}, not both`);
            continue;
        }
        try {
            values[name] = read(path).replace(/\r?\n$/, '');
        }
        catch (error) {
            issues.push(`${fileVariable}: cannot read "${path}": ${error.message}`);
        }
    }
    return { values, issues };
}
//# sourceMappingURL=read-secret-files.js.map