/**
 * True when PostgreSQL can store the string unchanged (SPEC §1): text and
 * jsonb refuse U+0000 (SQLSTATE 22P05), and an unpaired surrogate is no
 * Unicode character at all: jsonb refuses its `\ud800` escape and a text
 * column would get U+FFFD in its place.
 */
export function isStorableText(text) {
    return !text.includes('\0') && text.isWellFormed();
}
/**
 * Every string of an event that PostgreSQL could not store, keys included:
 * the top-level fields and the attributes, which is all an event may hold
 * (SPEC §1 admits no other nesting, so nothing deeper can be valid anyway).
 */
export function findUnstorableText(input) {
    const issues = [];
    if (!isPlainObject(input))
        return issues;
    checkEntries(input, '', issues);
    const { attributes } = input;
    if (isPlainObject(attributes))
        checkEntries(attributes, 'attributes.', issues);
    return issues;
}
// for...in, not Object.entries: this runs for every event on the sink's
// hot path, and entries' arrays cost three times the checks themselves.
function checkEntries(object, prefix, issues) {
    for (const key in object) {
        if (!Object.hasOwn(object, key))
            continue;
        const value = object[key];
        if (!isStorableText(key)) {
            issues.push({ path: `${prefix}${key}`, message: `key ${UNSTORABLE}` });
        }
        if (typeof value === 'string' && !isStorableText(value)) {
            issues.push({ path: `${prefix}${key}`, message: UNSTORABLE });
        }
    }
}
const UNSTORABLE = 'holds U+0000 or an unpaired surrogate, which PostgreSQL cannot store';
function isPlainObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
//# sourceMappingURL=find-unstorable-text.js.map