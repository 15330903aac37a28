/** A mistake in the command line: exit code 2 with the verb's help. */
export class UsageError extends Error {}
