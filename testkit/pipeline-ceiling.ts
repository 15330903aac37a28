/**
 * The ceiling of stages that share the same cores: a message costs each
 * stage 1/ceiling seconds of the machine (each ceiling was measured with
 * the machine to itself), so the stages together take Σ 1/ceiling per
 * message, and the pipeline tops out at 1 / Σ (1 / ceiling), below the
 * slowest stage alone. Ceilings that are not a positive rate (a stage
 * that could not be measured) are left out; undefined when none is left.
 */
export function pipelineCeiling(perSecond: readonly number[]): number | undefined {
  const measured = perSecond.filter((c) => Number.isFinite(c) && c > 0);
  if (measured.length === 0) return undefined;
  return 1 / measured.reduce((sum, c) => sum + 1 / c, 0);
}
