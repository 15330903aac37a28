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
] as const;

export const FILE_SUFFIX = '_FILE';

export interface SecretFiles {
  /** The environment with each `<NAME>_FILE` replaced by `<NAME>` and the file's text. */
  readonly values: Record<string, string>;
  readonly issues: readonly string[];
}

/**
 * Reads `<NAME>_FILE` for every secret variable. The file's text is taken
 * whole but for one trailing newline (what `echo` and most editors add).
 * Setting both `<NAME>` and `<NAME>_FILE` is an error: which one wins
 * would be a guess.
 */
export function readSecretFiles(
  env: Readonly<Record<string, string>>,
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): SecretFiles {
  const values: Record<string, string> = { ...env };
  const issues: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const fileVariable = `${name}${FILE_SUFFIX}`;
    const path = env[fileVariable];
    if (path === undefined) continue;
    delete values[fileVariable];
    if (env[name] !== undefined) {
      issues.push(`${fileVariable}: set ${name} or ${fileVariable}, not both`);
      continue;
    }
    try {
      values[name] = read(path).replace(/\r?\n$/, '');
    } catch (error) {
      issues.push(`${fileVariable}: cannot read "${path}": ${(error as Error).message}`);
    }
  }
  return { values, issues };
}
