import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { MARIADB, serviceSkipReason } from '@dvt/adapter-testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

const skip = await serviceSkipReason(MARIADB);
const schema = `dvt_cli_${process.pid}_${Date.now().toString(36)}`;

describe.skipIf(skip)(`the CLI on MariaDB${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(async () => {
    const { default: mariadb } = await import('@dvt/adapter-mariadb');
    const logger = { debug() {}, info() {}, warn() {} };
    const conn = await mariadb.connect({ server: MARIADB.host, port: MARIADB.port, username: 'root', password: '', schema: 'test' }, { projectDir: '.', logger });
    await conn.query(`DROP DATABASE IF EXISTS \`${schema}\``);
    await conn.close();
  });

  it('the starter project builds and shows on MariaDB with --target, found as @dvt/adapter-mariadb', () => {
    const cwd = tempDir();
    expect(dvt(['init', 'shop'], { cwd }).code).toBe(0);
    const dir = join(cwd, 'shop');
    const fields = { type: 'mariadb', server: MARIADB.host, port: String(MARIADB.port), username: 'root', password: '""', schema, threads: '2' };
    appendFileSync(join(dir, 'profiles.yml'), `    maria:\n${Object.entries(fields).map(([k, v]) => `      ${k}: ${v}\n`).join('')}`);
    const build = dvt(['build', '-t', 'maria'], { cwd: dir });
    expect(build.code, build.output).toBe(0);
    expect(build.stdout).toMatch(/Registered adapter: mariadb=.* \(@dvt\/adapter-mariadb\)/);
    expect(build.stdout).toMatch(/Done\. PASS=9 WARN=0 ERROR=0 SKIP=0 TOTAL=9/);
    const show = dvt(['show', '-t', 'maria', '-s', 'rider_summary', '--limit', '2'], { cwd: dir });
    expect(show.code, show.output).toBe(0);
    expect(show.stdout.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(4);
  });
});
