/**
 * Role choices on top of a role map: the analyst's edits in the Data step and
 * the CLI's `--target`, `--time`, `--series` and `--levers` flags go through
 * the same rule, so both keep at most one time and one target column.
 *
 * Pure TypeScript: takes and returns plain role maps.
 */
import type { Role, RoleMap } from './types';

/** One choice: give `column` the role `role`. */
export interface RoleOverride {
  readonly column: string;
  readonly role: Role;
}

/**
 * Roles only one column may hold, and what the previous holder becomes:
 * a former time axis is still a useful input (`covariate`); a former target
 * would leak the answer if it stayed an input (`ignore`).
 */
const DEMOTED: Readonly<Partial<Record<Role, Role>>> = { time: 'covariate', target: 'ignore' };

/**
 * Applies `overrides` in order to `roles` (column name → role) and returns a
 * new map; `roles` is not changed. Choosing `time` for a column turns any
 * other `time` column into `covariate`; choosing `target` turns any other
 * `target` into `ignore`. `series`, `lever`, `covariate` and `ignore` may be
 * held by any number of columns and demote nothing. A column missing from
 * `roles` is added. With two choices for one column, the later one wins.
 *
 * `applyRoleOverrides({ d: 'time', a: 'target', b: 'lever' }, [{ column: 'b', role: 'target' }])`
 * → `{ d: 'time', a: 'ignore', b: 'target' }`.
 */
export function applyRoleOverrides(roles: RoleMap, overrides: readonly RoleOverride[]): RoleMap {
  const next: Record<string, Role> = { ...roles };
  for (const { column, role } of overrides) {
    const demoted = DEMOTED[role];
    if (demoted !== undefined) {
      for (const [name, held] of Object.entries(next)) if (held === role && name !== column) next[name] = demoted;
    }
    next[column] = role;
  }
  return next;
}
