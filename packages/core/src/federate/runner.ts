import type { AdapterContext, AdapterDefinition } from '../adapter/contract.js';
import type { NodeRuntime } from '../compile/index.js';
import { DvtError } from '../errors.js';
import { planFederation, testTargets } from '../plan/planner.js';
import type { FederationPlan, NodePlan } from '../plan/types.js';
import type { MaterializationResult, NodeExecution } from '../run/context.js';
import type { RunCommandOptions } from '../run/types.js';
import { cacheRelation } from './cache.js';
import { FederatedRun } from './execute.js';
import { comparePlanWithLastRun } from './plan-history.js';

const FEDERATION_ENGINE = 'duckdb';

/**
 * What the runner asks of federation: the plan of the run's nodes, and for
 * a node that is not pushed down, its materialization (or, for `dvt
 * compile`, its SQL against the cache tables). Connections and the cache are
 * opened only when a federated node actually runs.
 */
export class RunFederation {
  private run: FederatedRun | undefined;

  private constructor(
    readonly plan: FederationPlan,
    private readonly opts: RunCommandOptions,
    private readonly threads: number,
    private readonly ctx: AdapterContext,
  ) {}

  static create(opts: RunCommandOptions, threads: number, ctx: AdapterContext): RunFederation {
    // A test runs where the model it tests was built; compile and connection follow config.target.
    for (const [id, target] of testTargets(opts.project)) opts.project.nodes.get(id)!.config.target = target;
    const adapterOf = (type: string): AdapterDefinition | undefined => {
      try {
        return opts.compiler.adapter(type);
      } catch {
        return undefined;
      }
    };
    const plan = planFederation(opts.project, { adapterOf });
    const models = opts.selection.filter((id) => opts.project.nodes.get(id)?.resource_type === 'model');
    for (const warning of comparePlanWithLastRun(opts.project.config.rootDir, plan, models, opts.command !== 'compile')) ctx.logger.warn(warning);
    return new RunFederation(plan, opts, threads, ctx);
  }

  /** The node's plan when it does not run on its target as dbt would. */
  federated(node: { unique_id: string; resource_type: string }): NodePlan | undefined {
    if (node.resource_type !== 'model') return undefined;
    const plan = this.plan.nodes.get(node.unique_id);
    return plan && plan.path !== 'pushdown' ? plan : undefined;
  }

  async materialize(x: NodeExecution, plan: NodePlan): Promise<MaterializationResult> {
    if (plan.path === 'federate-target') {
      throw new DvtError('runtime', `${x.node.unique_id}: federation='target' is planned (${plan.reason}) but not built yet; use federation='duckdb'`, {
        location: { file: x.node.original_file_path },
      });
    }
    return this.federatedRun().materialize(x, plan);
  }

  /** `dvt compile` of a federated node: its SQL as it runs in DuckDB, against the cache tables. */
  compile(x: NodeExecution, plan: NodePlan, runtime: NodeRuntime): string {
    const duckdb = this.engine();
    const copies = new Map(plan.inputs.filter((i) => i.cacheTable).map((i) => [i.unique_id, i.cacheTable!]));
    const relationFor = (id: string) => {
      const table = copies.get(id);
      return table === undefined ? undefined : cacheRelation(duckdb, table);
    };
    return x.compile({ ...runtime, federated: { adapterType: duckdb.type, relationFor } });
  }

  async close(): Promise<unknown[]> {
    return this.run ? this.run.close() : [];
  }

  private federatedRun(): FederatedRun {
    this.run ??= new FederatedRun({
      project: this.opts.project,
      compiler: this.opts.compiler,
      duckdb: this.engine(),
      resolveAdapter: this.opts.resolveAdapter,
      threads: this.threads,
      fullRefresh: this.opts.fullRefresh ?? false,
      ctx: this.ctx,
      federatedNodes: this.opts.selection.map((id) => this.plan.nodes.get(id)).filter((p): p is NodePlan => p?.path === 'federate-duckdb'),
      log: (level, message) => this.ctx.logger[level](message),
    });
    return this.run;
  }

  private engine(): AdapterDefinition {
    try {
      return this.opts.compiler.adapter(FEDERATION_ENGINE);
    } catch {
      throw new DvtError('adapter', 'federated models run in DuckDB: install @dvt/adapter-duckdb (the compiler was created without it)');
    }
  }
}

