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
    [['run', '--log-format', 'xml'], /expected one of text, json, default, debug/],
    [['run', '--select'], /Flag --select needs a value/],
    [['ls', '--output', 'yaml'], /expected one of selector, name, path, json/],
    [['ls', '--resource-type', 'model', 'macro'], /Invalid value 'macro' for --resource-type/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});

describe('flags from the environment, as dbt reads them', () => {
  const none = {};

  it('fills in a flag the command line does not give, from DBT_* or (first) DVT_*', () => {
    expect(parseCommandLine(['run'], { DBT_TARGET: 'prod', DBT_FAIL_FAST: 'true' }).flags).toMatchObject({ target: 'prod', 'fail-fast': true });
    expect(parseCommandLine(['run'], { DBT_TARGET: 'prod', DVT_TARGET: 'ci' }).flags.target).toBe('ci');
    expect(parseCommandLine(['build'], { DBT_RESOURCE_TYPES: 'model  seed' }).flags['resource-type']).toEqual(['model', 'seed']);
    expect(parseCommandLine(['run'], { DBT_LOG_FORMAT: 'json', DBT_QUIET: '1', DBT_WARN_ERROR: 'Yes' }).flags).toMatchObject({ 'log-format': 'json', quiet: true, 'warn-error': true });
  });

  it('lets the command line win, and --no-<flag> turn off what the environment turned on', () => {
    const env = { DBT_TARGET: 'prod', DBT_FAIL_FAST: 'on', DBT_DEBUG: '1' };
    expect(parseCommandLine(['run', '-t', 'dev', '--no-fail-fast'], env).flags).toMatchObject({ target: 'dev', 'fail-fast': false, debug: true });
    expect(parseCommandLine(['run', '--no-debug'], env).flags.debug).toBe(false);
  });

  it('reads false words as false, and an empty variable as unset', () => {
    expect(parseCommandLine(['seed'], { DBT_FULL_REFRESH: 'False' }).flags['full-refresh']).toBe(false);
    expect(parseCommandLine(['seed'], { DBT_FULL_REFRESH: '0', DBT_TARGET: '' }).flags).toEqual({ 'full-refresh': false });
    expect(parseCommandLine(['seed'], none).flags).toEqual({});
  });

  it('ignores a variable whose flag the command does not take', () => {
    expect(parseCommandLine(['parse'], { DBT_FULL_REFRESH: '1', DBT_EMPTY: 'true' }).flags).toEqual({});
  });

  it.each([
    [['run'], { DBT_FAIL_FAST: 'maybe' }, /Invalid value 'maybe' for environment variable DBT_FAIL_FAST: expected true or false/],
    [['run'], { DVT_LOG_FORMAT: 'xml' }, /Invalid value 'xml' for environment variable DVT_LOG_FORMAT: expected one of text, json/],
    [['ls'], { DBT_RESOURCE_TYPES: 'model macro' }, /Invalid value 'macro' for environment variable DBT_RESOURCE_TYPES/],
  ])('rejects %j with %j, naming the variable', (argv, env, message) => {
    expect(() => parseCommandLine(argv, env)).toThrow(UsageError);
    expect(() => parseCommandLine(argv, env)).toThrow(message);
  });

  it('shows each flag\'s variable and negation in help', () => {
    expect(helpText('run')).toMatch(/--fail-fast \/ --no-fail-fast .*\[env: DBT_FAIL_FAST\]/);
    expect(helpText('run')).toMatch(/--target NAME .*\[env: DBT_TARGET\]/);
  });
});

describe('helpText', () => {
  it('lists every command, and each command its own flags', () => {
    expect(helpText()).toMatch(/list, ls/);
    expect(helpText('show')).toMatch(/--inline SQL/);
    expect(helpText('show')).not.toMatch(/--full-refresh/);
  });
});
