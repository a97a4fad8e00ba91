import type { AdapterDefinition, FederationPlan, Project } from '@dvt/core';
import { listFlag, stringFlag } from '../args.js';
import type { CommandContext } from '../main.js';
import { selectFromFlags } from '../selection.js';
import { openSession, type Session } from '../session.js';

const RESOURCE_TYPES = ['model', 'seed', 'test', 'unit_test', 'snapshot', 'analysis', 'source', 'exposure'];
/** What `dvt ls` lists when no --resource-type is given (dbt leaves out analyses). */
const DEFAULT_TYPES = ['model', 'seed', 'test', 'unit_test', 'snapshot', 'source', 'exposure'];

/** `dvt list` / `dvt ls`: the selected resources as selectors, names, paths or JSON. */
export default async function list(ctx: CommandContext): Promise<number> {
  const { invocation, log } = ctx;
  const requested = listFlag(invocation, 'resource-type');
  const excluded = listFlag(invocation, 'exclude-resource-type') ?? [];
  const types = (!requested || requested.includes('default') ? DEFAULT_TYPES : requested.includes('all') ? RESOURCE_TYPES : requested).filter((t) => !excluded.includes(t));
  const output = stringFlag(invocation, 'output') ?? 'selector';
  const session = await openSession(ctx, { header: false });
  const ids = await selectFromFlags(session.project, invocation, log, types);
  const core = await import('@dvt/core');
  const plan = output === 'json' ? planOf(core, session) : undefined;
  for (const id of ids) {
    const item = describe(session.project, id);
    if (!item) continue;
    const nodePlan = plan?.nodes.get(id);
    if (nodePlan) item.json.plan = core.describePlan(nodePlan);
    if (output === 'json') {
      log.result('ListItem', JSON.stringify(item.json), { item: item.json });
    } else {
      log.result('ListItem', output === 'name' ? item.name : output === 'path' ? item.path : item.selector, { unique_id: id });
    }
  }
  return 0;
}

/** Each node's execution path (pushdown or federated) and the inputs that move, as core plans it. */
function planOf(core: typeof import('@dvt/core'), session: Session): FederationPlan {
  const { compiler } = session;
  const adapterOf = (type: string): AdapterDefinition | undefined => {
    try {
      return compiler.adapter(type);
    } catch {
      return undefined;
    }
  };
  return core.planFederation(session.project, { adapterOf });
}

interface Listed {
  name: string;
  path: string;
  selector: string;
  json: Record<string, unknown>;
}

function describe(project: Project, id: string): Listed | undefined {
  const node = project.nodes.get(id);
  if (node) {
    return {
      name: node.name,
      path: node.original_file_path,
      selector: node.fqn.join('.'),
      json: {
        name: node.name,
        resource_type: node.resource_type,
        package_name: node.package_name,
        original_file_path: node.original_file_path,
        unique_id: node.unique_id,
        alias: node.alias,
        config: node.config,
        tags: node.tags,
        depends_on: node.depends_on,
      },
    };
  }
  const source = project.sources.get(id);
  if (source) {
    return {
      name: `${source.source_name}.${source.name}`,
      path: source.original_file_path,
      selector: `source:${source.fqn.join('.')}`,
      json: {
        name: source.name,
        source_name: source.source_name,
        resource_type: 'source',
        package_name: source.package_name,
        original_file_path: source.original_file_path,
        unique_id: source.unique_id,
        config: source.config,
        tags: source.tags,
        ...(source.connection ? { connection: source.connection } : {}),
      },
    };
  }
  const unitTest = project.unitTests.get(id);
  if (unitTest) {
    return {
      name: unitTest.name,
      path: unitTest.original_file_path,
      selector: `unit_test:${unitTest.fqn.join('.')}`,
      json: {
        name: unitTest.name, resource_type: 'unit_test', package_name: unitTest.package_name, original_file_path: unitTest.original_file_path,
        unique_id: unitTest.unique_id, model: unitTest.model, config: unitTest.config, tags: unitTest.tags, depends_on: unitTest.depends_on,
      },
    };
  }
  const exposure = project.exposures.get(id);
  if (exposure) {
    return {
      name: exposure.name,
      path: exposure.original_file_path,
      selector: `exposure:${exposure.package_name}.${exposure.name}`,
      json: { name: exposure.name, resource_type: 'exposure', package_name: exposure.package_name, unique_id: exposure.unique_id, depends_on: exposure.depends_on },
    };
  }
  return undefined;
}
