const PREFIX = 'ADGATE_';
export function findUnknownVariables(names, known) {
    const unknown = [];
    for (const name of names) {
        if (!name.startsWith(PREFIX) || known.has(name))
            continue;
        const suggestion = nearest(name, known);
        unknown.push(suggestion === undefined ? { name } : { name, suggestion });
    }
    return unknown.sort((a, b) => a.name.localeCompare(b.name));
}
/** The known name at the smallest edit distance, if within a third of its length. */
function nearest(name, known) {
    let best;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const candidate of known) {
        const distance = editDistance(name.slice(PREFIX.length), candidate.slice(PREFIX.length));
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    const limit = Math.max(2, Math.floor((name.length - PREFIX.length) / 3));
    return bestDistance <= limit ? best : undefined;
}
/** Levenshtein distance, one row at a time. */
export function editDistance(a, b) {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i += 1) {
        const current = [i];
        for (let j = 1; j <= b.length; j += 1) {
            const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
            current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
        }
        previous = current;
    }
    return previous[b.length] ?? 0;
}
//# sourceMappingURL=find-unknown-variables.js.map