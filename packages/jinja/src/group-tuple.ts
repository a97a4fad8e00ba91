// groupby's result rows: tuples that also answer `.grouper` and `.list`.
import { PyTuple } from './values.js';

export class GroupTuple extends PyTuple {
  get grouper(): unknown {
    return this[0];
  }
  get list(): unknown {
    return this[1];
  }
}

export function groupTuple(grouper: unknown, list: unknown[]): GroupTuple {
  const g = new GroupTuple();
  g.push(grouper, list);
  return g;
}
