import type { AdapterContext, AdapterDefinition } from '../adapter/contract.js';
import type { NodeRuntime } from '../compile/index.js';
import { DvtError } from '../errors.js';
import { planFederation, testTargets } from '../plan/planner.js';
import type { FederationPlan, NodePlan } from '../plan/types.js';
import type { MaterializationResult, NodeExecution } from '../run/context.js';
import type { RunCommandOptions } from '../run/types.js';
import { cacheRelation } from './cache.js';
import { FederatedRun } from './execute.js';
import { chooseAutoPath, TargetFederation, type InputReads } from './on-target.js';
import { comparePlanWithLastRun } from './plan-history.js';
import type { MoveProgressSink } from './progress.js';

const FEDERATION_ENGINE = 'duckdb';

/**
 * What the runner asks of federation: the plan of the run's nodes, and for
 * a node that is not pushed down, its materialization (or, for `dvt
 * compile`, its SQL against the cache tables). Connections and the cache are
 * opened only when a federated node actually runs.
 */
export class RunFederation {
  private run: FederatedRun | undefined;
  private onTarget: TargetFederation | undefined;

  private constructor(
    readonly plan: FederationPlan,
    private readonly opts: RunCommandOptions,
    private readonly threads: number,
    private readonly ctx: AdapterContext,
    private readonly progress: MoveProgressSink | undefined,
  ) {}

  /** `progress`: where moves report while they run (the run's `move_progress` events), when someone shows them. */
  static create(opts: RunCommandOptions, threads: number, ctx: AdapterContext, progress?: MoveProgressSink): RunFederation {
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
    return new RunFederation(plan, opts, threads, ctx, progress);
  }

  /** The node's plan when it does not run on its target as dbt would. */
  federated(node: { unique_id: string; resource_type: string }): NodePlan | undefined {
    if (node.resource_type !== 'model') return undefined;
    const plan = this.plan.nodes.get(node.unique_id);
    return plan && plan.path !== 'pushdown' ? plan : undefined;
  }

  async materialize(x: NodeExecution, plan: NodePlan): Promise<MaterializationResult> {
    const chosen = await this.resolve(x, plan, true);
    if (chosen.path === 'federate-target') return this.targetFederation().materialize(x, chosen);
    return this.federatedRun().materialize(x, chosen);
  }

  /** `dvt compile` of a federated node: its SQL as it runs, in DuckDB against the cache tables or on its target against the staged ones. */
  async compile(x: NodeExecution, plan: NodePlan, runtime: NodeRuntime): Promise<string> {
    const chosen = await this.resolve(x, plan, false);
    if (chosen.path === 'federate-target') return this.targetFederation().compile(x, chosen, runtime);
    const duckdb = this.engine();
    const copies = new Map(chosen.inputs.filter((i) => i.cacheTable).map((i) => [i.unique_id, i.cacheTable!]));
    const relationFor = (id: string) => {
      const table = copies.get(id);
      return table === undefined ? undefined : cacheRelation(duckdb, table);
    };
    return x.compile({ ...runtime, federated: { adapterType: duckdb.type, relationFor } });
  }

  /**
   * The concrete plan of a node: `federate-auto` picks DuckDB or the target
   * from its inputs' estimated sizes now, and says which and why.
   */
  private async resolve(x: NodeExecution, plan: NodePlan, running: boolean): Promise<NodePlan> {
    if (!plan.auto) return plan;
    const onTarget = this.targetFederation();
    const choice = chooseAutoPath(await onTarget.estimate(plan.auto.target), plan.auto.thresholdRows, plan.target);
    const where = choice.path === 'federate-target' ? `on its target '${plan.target}'` : 'in DuckDB';
    x.log(running ? 'info' : 'debug', `federation='auto' runs ${x.node.unique_id} ${where}: ${choice.why}`);
    if (choice.path === 'federate-target') return plan.auto.target;
    if (running) await onTarget.release(plan.auto.target);
    return plan.auto.duckdb;
  }

  async close(): Promise<unknown[]> {
    return [...(this.onTarget ? await this.onTarget.close() : []), ...(this.run ? await this.run.close() : [])];
  }

  /** The run's federated plans as they read their inputs (auto ones as on DuckDB, where every input is read). */
  private federatedPlans(): NodePlan[] {
    return this.opts.selection.map((id) => this.plan.nodes.get(id)).filter((p): p is NodePlan => p !== undefined && p.path !== 'pushdown');
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
      // Models staged on their target count as readers too: a filter never shrinks a copy another model reads.
      federatedNodes: this.federatedPlans().map((p) => p.auto?.duckdb ?? (p.path === 'federate-target' ? { ...p, inputs: p.inputs.filter((i) => i.moves) } : p)),
      log: (level, message) => this.ctx.logger[level](message),
      ...(this.progress ? { progress: this.progress } : {}),
    });
    return this.run;
  }

  private targetFederation(): TargetFederation {
    this.onTarget ??= new TargetFederation({
      project: this.opts.project,
      compiler: this.opts.compiler,
      resolveAdapter: this.opts.resolveAdapter,
      threads: this.threads,
      fullRefresh: this.opts.fullRefresh ?? false,
      ctx: this.ctx,
      nodes: this.federatedPlans().flatMap((p) => (p.auto ? [p.auto.target] : p.path === 'federate-target' ? [p] : [])),
      reads: (reader, input) => this.reads(reader, input),
      // Watermark subqueries are found by DuckDB's parser and evaluated in the cache: without DuckDB, none travel.
      watermarkTerms: async (x, plan) => (this.hasEngine() ? this.federatedRun().watermarkTerms(x, plan) : { terms: new Map(), thisRows: 0 }),
      log: (level, message) => this.ctx.logger[level](message),
      ...(this.progress ? { progress: this.progress } : {}),
    });
    return this.onTarget;
  }

  /** Column pruning and filters are found by DuckDB's parser; without DuckDB, staged copies take every column and row. */
  private async reads(reader: string, input: string): Promise<InputReads> {
    if (!this.hasEngine()) return {};
    return this.federatedRun().reads(reader, input);
  }

  private hasEngine(): boolean {
    try {
      this.opts.compiler.adapter(FEDERATION_ENGINE);
      return true;
    } catch {
      return false;
    }
  }

  private engine(): AdapterDefinition {
    try {
      return this.opts.compiler.adapter(FEDERATION_ENGINE);
    } catch {
      throw new DvtError('adapter', 'federated models run in DuckDB: install @dvt/adapter-duckdb (the compiler was created without it)');
    }
  }
}
