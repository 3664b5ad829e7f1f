/** KFP `make_name_unique_by_adding_index`. */
export function uniqueName(name: string, taken: (n: string) => boolean): string {
  if (!taken(name)) return name;
  let i = 2;
  while (taken(`${name}-${i}`)) i++;
  return `${name}-${i}`;
}
