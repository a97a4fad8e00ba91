import { describe, expect, it } from 'vitest';
import type { ConfigProperty } from '../src/adapter/contract.js';
import { maskError, maskSecrets, redactConfig, secretValues } from '../src/adapter/secrets.js';

const schema: ConfigProperty[] = [
  { name: 'host', type: 'string' },
  { name: 'pass', type: 'string', secret: true, aliases: ['password'] },
  { name: 'keyfile_json', type: 'object', secret: true },
];

describe('redactConfig', () => {
  it('masks fields marked secret, their aliases and secret-looking names at any depth', () => {
    const config = { host: 'db', pass: 'p1', password: 'p2', keyfile_json: { a: 1 }, nested: [{ api_token: 't' }], empty_password: '' };
    expect(redactConfig(config, schema)).toEqual({
      host: 'db',
      pass: '****',
      password: '****',
      keyfile_json: '****',
      nested: [{ api_token: '****' }],
      empty_password: '',
    });
    expect(config.pass).toBe('p1');
  });
});

describe('maskSecrets', () => {
  it('masks plain and URL-encoded occurrences', () => {
    const secret = 'p@ss word/1';
    const text = `connect to postgres://u:${encodeURIComponent(secret)}@h failed; password ${secret} rejected`;
    const masked = maskSecrets(text, [secret]);
    expect(masked).not.toContain(secret);
    expect(masked).not.toContain(encodeURIComponent(secret));
    expect(masked).toBe('connect to postgres://u:****@h failed; password **** rejected');
  });

  it('collects secret values from a config and masks errors', () => {
    const secrets = secretValues({ host: 'h', pass: 'hunter2', extra: { token: 'abc123' } }, schema);
    expect(secrets.sort()).toEqual(['abc123', 'hunter2']);
    const err = Object.assign(new Error('auth failed for hunter2'), { code: '28P01' });
    const masked = maskError(err, secrets);
    expect(masked.message).toBe('auth failed for ****');
    expect(masked.stack).not.toContain('hunter2');
    expect((masked as Error & { code?: string }).code).toBe('28P01');
  });
});
