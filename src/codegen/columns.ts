import type { CanonicalQP } from "../canon/index.js";
import { indexRange, oneLine } from "./text.js";

/** A named run of columns of z: a user variable, or the auxiliary columns of one atom. */
export interface ColumnOwner {
  name: string;
  start: number;
  size: number;
}

/** Auxiliary columns are named aux1, aux2, … in column order, so summaries can refer to them. */
export function auxiliaryName(index: number): string {
  return `aux${index + 1}`;
}

export function columnOwners(canon: CanonicalQP): ColumnOwner[] {
  const owners: ColumnOwner[] = [
    ...canon.variables.map((v) => ({ name: oneLine(v.name), start: v.column, size: v.size })),
    ...canon.auxiliaries.map((a, i) => ({ name: auxiliaryName(i), start: a.column, size: a.size })),
  ];
  return owners.filter((o) => o.size > 0).sort((a, b) => a.start - b.start);
}

/** Names a run of columns of z by what they hold: `z`, `z, aux1`, `z[1..2]` or `columns 4..6`. */
export function nameColumns(owners: readonly ColumnOwner[], start: number, count: number): string {
  const end = start + count;
  const covering = owners.filter((o) => o.start < end && o.start + o.size > start);
  const exact =
    covering.length > 0 &&
    covering[0]!.start === start &&
    covering.at(-1)!.start + covering.at(-1)!.size === end &&
    covering.every((o, i) => i === 0 || o.start === covering[i - 1]!.start + covering[i - 1]!.size);
  if (exact) return covering.map((o) => o.name).join(", ");
  if (covering.length === 1) {
    const owner = covering[0]!;
    if (owner.start <= start && end <= owner.start + owner.size) {
      return `${owner.name}[${indexRange(start - owner.start, count)}]`;
    }
  }
  return `columns ${indexRange(start, count)}`;
}
