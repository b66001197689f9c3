/**
 * Expected failures are values, not exceptions: a parser returns
 * `{ ok: false, reason }` and the UI renders the reason for the analyst.
 */
export type Result<T, E = string> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly reason: E };

export const ok = <T>(data: T): { readonly ok: true; readonly data: T } => ({ ok: true, data });
export const fail = <E>(reason: E): { readonly ok: false; readonly reason: E } => ({ ok: false, reason });
