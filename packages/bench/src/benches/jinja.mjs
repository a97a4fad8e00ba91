// Compile + render 10,000 distinct dbt model templates with @dvt/jinja, and
// the same workload with nunjucks 3.2.4 and @huggingface/jinja 0.5.11.
import { Template as HfTemplate } from '@huggingface/jinja';
import nunjucks from 'nunjucks';
import { modelTemplates, PROJECT_VARS } from '../fixtures/model-templates.mjs';

export const name = 'jinja';
export const description = 'compile + render 10,000 distinct ~25-line dbt model templates (2 ref, 1 config, for, if, 2 var)';

const TEMPLATE_COUNT = 10_000;
const CHECKED_TEMPLATES = 25;

// Host functions, the same for every engine. Keyword arguments (passed as a trailing object by
// each engine in its own way) are not needed by any of them.
const context = {
  ref: (...args) => {
    const names = args.filter((a) => typeof a === 'string');
    return `"db"."main"."${names[names.length - 1]}"`;
  },
  config: () => '',
  var: (varName, fallback) => (Object.hasOwn(PROJECT_VARS, varName) ? PROJECT_VARS[varName] : fallback),
};

async function loadOurs() {
  try {
    return await import('@dvt/jinja');
  } catch (error) {
    return { error };
  }
}

export async function prepare({ log }) {
  const ours = await loadOurs();
  if (ours.error) {
    return { unavailable: `@dvt/jinja does not load (build it: pnpm --filter @dvt/jinja build): ${ours.error.message}` };
  }
  const nunjucksEnv = new nunjucks.Environment(null, { autoescape: false });
  const engines = {
    ours: (source) => ours.renderString(source, context),
    nunjucks: (source) => nunjucksEnv.renderString(source, context),
    hf: (source) => new HfTemplate(source).render(context),
  };

  checkSameOutput(engines, log);

  let cached = { round: -1, templates: [] };
  const setup = (round) => {
    if (cached.round !== round) cached = { round, templates: modelTemplates(TEMPLATE_COUNT, round) };
    return cached.templates;
  };
  const renderAll = (render) => (templates) => {
    let chars = 0;
    for (const source of templates) chars += render(source).length;
    if (chars === 0) throw new Error('rendered nothing');
  };
  return {
    subject: { label: '@dvt/jinja', setup, run: renderAll(engines.ours) },
    baselines: [
      { label: 'nunjucks 3.2.4', setup, run: renderAll(engines.nunjucks) },
      { label: '@huggingface/jinja 0.5.11', setup, run: renderAll(engines.hf), note: 'trims blocks, so whitespace differs' },
    ],
  };
}

/**
 * A comparison is only fair if every engine did the whole job: the rendered SQL must match ours
 * exactly for nunjucks, and up to whitespace for @huggingface/jinja (it always trims blocks).
 */
function checkSameOutput(engines, log) {
  const sample = modelTemplates(CHECKED_TEMPLATES, 1_000_000);
  const squash = (s) => s.replace(/\s+/g, '');
  for (const source of sample) {
    const expected = engines.ours(source);
    const viaNunjucks = engines.nunjucks(source);
    const viaHf = engines.hf(source);
    if (viaNunjucks !== expected) throw new Error(`nunjucks renders differently:\n${source}\n--- ours\n${expected}\n--- nunjucks\n${viaNunjucks}`);
    if (squash(viaHf) !== squash(expected)) throw new Error(`@huggingface/jinja renders differently:\n${source}\n--- ours\n${expected}\n--- hf\n${viaHf}`);
  }
  log(`outputs agree on ${CHECKED_TEMPLATES} sample templates`);
}
