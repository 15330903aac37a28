/** One process's Prometheus text exposition, and the name it is served under. */
export interface Exposition {
  readonly worker: string;
  readonly text: string;
}

interface Family {
  readonly comments: string[];
  readonly samples: string[];
}

/**
 * The instance's one /metrics from its processes' own (src/workers/): each
 * sample gains a `worker` label, so that two workers' series never collide
 * and a dashboard can split CPU or memory by role, and each family's HELP
 * and TYPE lines appear once, before all of its samples, as the text format
 * requires. Families keep the order in which they first appear.
 */
export function mergeExpositions(expositions: readonly Exposition[]): string {
  const families = new Map<string, Family>();
  for (const { worker, text } of expositions) {
    let current: Family | undefined;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const comment = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (comment !== null) {
        current = familyOf(families, comment[2] as string);
        // The first process's HELP and TYPE stand for all of them.
        const kind = `# ${comment[1]} `;
        if (!current.comments.some((c) => c.startsWith(kind))) current.comments.push(line);
        continue;
      }
      if (line.startsWith('#')) continue;
      current ??= familyOf(families, sampleName(line));
      current.samples.push(withWorkerLabel(line, worker));
    }
  }
  const lines: string[] = [];
  for (const family of families.values()) lines.push(...family.comments, ...family.samples);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function familyOf(families: Map<string, Family>, name: string): Family {
  let family = families.get(name);
  if (family === undefined) {
    family = { comments: [], samples: [] };
    families.set(name, family);
  }
  return family;
}

function sampleName(line: string): string {
  return /^[^{\s]+/.exec(line)?.[0] ?? line;
}

/** `name{a="b"} 1` → `name{worker="w",a="b"} 1`; `name 1` → `name{worker="w"} 1`. */
function withWorkerLabel(line: string, worker: string): string {
  const name = sampleName(line);
  const rest = line.slice(name.length);
  const label = `worker="${worker.replace(/["\\\n]/g, '_')}"`;
  if (rest.startsWith('{}')) return `${name}{${label}}${rest.slice(2)}`;
  if (rest.startsWith('{')) return `${name}{${label},${rest.slice(1)}`;
  return `${name}{${label}}${rest}`;
}
