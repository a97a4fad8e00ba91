import { describe, expect, it } from 'vitest';
import { grantsFromRows, grantsMissingFrom } from '../src/compile/grant-maps.js';

describe('grant maps (diff_of_two_dicts, standardize_grants_dict)', () => {
  it('what one side lacks, privileges and grantees compared without case, in the first side spelling', () => {
    const configured = { select: ['Reporter', 'analyst'], insert: ['loader'] };
    const current = { SELECT: ['reporter', 'old_role'], UPDATE: ['editor'] };
    expect(grantsMissingFrom(configured, current)).toEqual({ select: ['analyst'], insert: ['loader'] });
    expect(grantsMissingFrom(current, configured)).toEqual({ SELECT: ['old_role'], UPDATE: ['editor'] });
    expect(grantsMissingFrom(configured, { SELECT: ['REPORTER', 'ANALYST'], INSERT: ['LOADER'] })).toEqual({});
  });

  it('reads show-grant rows by column name, whatever the order and case of the columns', () => {
    const rows = [
      ['SELECT', 'r1'],
      ['SELECT', 'r2'],
      ['INSERT', 'r1'],
    ];
    expect(grantsFromRows(['PRIVILEGE_TYPE', 'Grantee'], rows)).toEqual({ SELECT: ['r1', 'r2'], INSERT: ['r1'] });
    expect(() => grantsFromRows(['grantee', 'privilege'], rows)).toThrow(/grantee and privilege_type/);
  });
});
