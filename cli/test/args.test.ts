import { describe, expect, it } from 'vitest';
import { helpText, parseCommandLine, UsageError } from '../src/args.js';

describe('parseCommandLine', () => {
  it('finds the command after global flags that take values', () => {
    const inv = parseCommandLine(['--log-format', 'json', 'run', '--threads', '3']);
    expect(inv.command).toBe('run');
    expect(inv.flags['log-format']).toBe('json');
    expect(inv.flags.threads).toBe('3');
  });

  it('accepts the ls alias', () => {
    expect(parseCommandLine(['ls', '-o', 'json']).command).toBe('list');
  });

  it('collects several selectors after one -s, and repeated -s, as dbt does', () => {
    const inv = parseCommandLine(['run', '-s', 'a', 'b+', '--exclude', 'c', '-s', 'tag:x', '--full-refresh']);
    expect(inv.flags.select).toEqual(['a', 'b+', 'tag:x']);
    expect(inv.flags.exclude).toEqual(['c']);
    expect(inv.flags['full-refresh']).toBe(true);
  });

  it('splits a quoted selector list on spaces', () => {
    expect(parseCommandLine(['build', '--select', 'a b']).flags.select).toEqual(['a', 'b']);
  });

  it('takes short flags -t, -x, -f, -d', () => {
    const inv = parseCommandLine(['build', '-t', 'prod', '-x', '-f', '-d']);
    expect(inv.flags).toMatchObject({ target: 'prod', 'fail-fast': true, 'full-refresh': true, debug: true });
  });

  it('reads a negative number after a flag as its value (--limit -1), and still refuses a negative --threads', () => {
    expect(parseCommandLine(['show', '-s', 'm', '--limit', '-1']).flags).toMatchObject({ select: ['m'], limit: '-1' });
    expect(() => parseCommandLine(['show', '--threads', '-2'])).toThrow(/--threads expects a positive integer/);
  });

  it('takes the init project name as its positional argument', () => {
    expect(parseCommandLine(['init', 'shop', '--skip-profile-setup'])).toMatchObject({ command: 'init', positional: 'shop' });
  });

  it.each([
    [['frobnicate'], /Unknown command 'frobnicate'/],
    [['run', '--bogus'], /Unknown flag '--bogus'/],
    [['run', '--inline', 'select 1'], /Unknown flag '--inline'/],
    [['seed', 'extra'], /Unexpected argument 'extra'/],
    [['run', '--log-format', 'xml'], /expected one of text, json/],
    [['run', '--select'], /Flag --select needs a value/],
    [['ls', '--output', 'yaml'], /expected one of selector, name, path, json/],
    [['ls', '--resource-type', 'model', 'macro'], /Invalid value 'macro' for --resource-type/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});

describe('helpText', () => {
  it('lists every command, and each command its own flags', () => {
    expect(helpText()).toMatch(/list, ls/);
    expect(helpText('show')).toMatch(/--inline SQL/);
    expect(helpText('show')).not.toMatch(/--full-refresh/);
  });
});
