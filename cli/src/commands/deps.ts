import { booleanFlag } from '../args.js';
import type { CommandContext } from '../main.js';
import { projectDirOf } from '../session.js';

/**
 * `dvt deps`: installs the project's packages (core's installPackages). No
 * profile is needed: packages are installed before anything connects.
 */
export default async function deps(ctx: CommandContext): Promise<number> {
  const { installPackages } = await import('@dvt/core');
  const result = await installPackages({
    projectDir: projectDirOf(ctx),
    upgrade: booleanFlag(ctx.invocation, 'upgrade'),
    env: ctx.env,
    log: (message) => ctx.log.info('DepsLog', message),
  });
  if (result.installed.length > 0) {
    ctx.log.info('DepsSummary', `${result.installed.length} package${result.installed.length === 1 ? '' : 's'} installed${result.resolved ? '; package-lock.yml written' : ' from package-lock.yml'}.`, {
      packages: result.installed.map((p) => p.name),
      resolved: result.resolved,
    });
  }
  return 0;
}
