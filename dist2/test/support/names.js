import { randomBytes } from 'node:crypto';
/** A name no other test run uses: tests isolate by topic, group, key prefix and database. */
export function uniqueName(prefix) {
    return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}
//# sourceMappingURL=names.js.map