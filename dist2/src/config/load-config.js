import { ConfigError } from '../errors/adgate-error.js';
import { envSchema } from './config-schema.js';
import { findUnknownVariables } from './find-unknown-variables.js';
import { DEVELOPMENT_API_KEYS, parseApiKeys } from './parse-api-keys.js';
import { FILE_SUFFIX, readSecretFiles, SECRET_VARIABLES } from './read-secret-files.js';
const KNOWN_VARIABLES = new Set([
    ...Object.keys(envSchema.shape),
    ...SECRET_VARIABLES.map((name) => `${name}${FILE_SUFFIX}`),
]);
const SECRETS = new Set(SECRET_VARIABLES);
/**
 * Parses the environment once, at start. Nothing else in adgate reads
 * process.env: the frozen result is passed down.
 */
export function loadConfig(env = process.env) {
    const relevant = {};
    for (const [name, value] of Object.entries(env)) {
        if ((name.startsWith('ADGATE_') || name === 'NODE_ENV') && value !== undefined) {
            relevant[name] = value;
        }
    }
    const unknown = findUnknownVariables(Object.keys(relevant), KNOWN_VARIABLES).map(({ name, suggestion }) => `${name}: unknown variable${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`);
    const secrets = readSecretFiles(relevant);
    const parsed = envSchema.safeParse(secrets.values);
    const problems = [...unknown, ...secrets.issues];
    if (!parsed.success || problems.length > 0) {
        const issues = parsed.success ? [] : parsed.error.issues;
        const lines = issues.map((issue) => {
            const variable = issue.path.length > 0 ? String(issue.path[0]) : '(environment)';
            const got = secrets.values[variable];
            // A secret's value is never printed, not even a wrong one.
            const shown = got === undefined || SECRETS.has(variable) ? '' : ` (got "${got}")`;
            return `${variable}: ${issue.message}${shown}`;
        });
        throw new ConfigError(`invalid configuration:\n  ${[...problems, ...lines].join('\n  ')}`);
    }
    const { ADGATE_API_KEYS, ...rest } = parsed.data;
    // Counted as in the schema: a list of separators only is as empty as an
    // unset one, and must not leave a development instance with no key at all.
    const listed = parseApiKeys(ADGATE_API_KEYS ?? '');
    const usingDevelopmentKey = listed.length === 0;
    const apiKeys = usingDevelopmentKey ? parseApiKeys(DEVELOPMENT_API_KEYS) : listed;
    return Object.freeze({ ...rest, apiKeys: Object.freeze(apiKeys), usingDevelopmentKey });
}
//# sourceMappingURL=load-config.js.map