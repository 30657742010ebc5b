/** A type guard for the names of a constant table: `isKeyOf(TABLE)(s)` says whether s names an entry. */
export const isKeyOf = <T extends object>(table: T) => (s: string): s is Extract<keyof T, string> =>
  Object.prototype.hasOwnProperty.call(table, s);
