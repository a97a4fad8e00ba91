import type { ManifestNode } from '../shared/types.js';
import { PATH_LABELS, isFederated } from '../shared/types.js';
import { graphHref, h, nodeHref, textColourOn } from './dom.js';
import { renderMarkdown } from './markdown.js';
import type { DocsModel } from './model.js';
import { highlightSql } from './sql.js';

function markdown(model: DocsModel, text: string): HTMLElement {
  const el = h('div', { class: 'markdown' });
  el.innerHTML = renderMarkdown(text, model.data.manifest.docs ?? {}, model.projectName);
  return el;
}

export function engineBadge(model: DocsModel, node: ManifestNode): HTMLElement {
  const engine = model.engine(node);
  return h(
    'span',
    { class: 'engine-badge', 'data-engine': engine.type, style: `background:${engine.color};color:${textColourOn(engine.color)}` },
    `${engine.displayName} · ${model.output(node)}`,
  );
}

function nodeLink(model: DocsModel, id: string): HTMLElement {
  const node = model.nodes.get(id);
  if (!node) return h('li', {}, id);
  const engine = model.engine(node);
  return h('li', {}, h('span', { class: 'dot', style: `background:${engine.color}` }), h('a', { href: nodeHref(id) }, model.label(node)), ` ${node.resource_type}`);
}

function sqlBlock(title: string, code: string | undefined): HTMLElement | null {
  if (!code) return null;
  const pre = h('pre', { class: 'sql' });
  const el = h('code', { class: 'hljs language-sql' });
  el.innerHTML = highlightSql(code);
  pre.append(el);
  return h('section', { class: 'sql-section' }, h('h3', {}, title), pre);
}

export function overviewPage(model: DocsModel): HTMLElement {
  const docs = model.data.manifest.docs ?? {};
  const overview =
    docs[`doc.${model.projectName}.__overview__`] ?? Object.values(docs).find((d) => d.name === '__overview__' && d.package_name === model.projectName) ?? Object.values(docs).find((d) => d.name === '__overview__');
  const counts = new Map<string, number>();
  for (const n of model.nodes.values()) counts.set(n.resource_type, (counts.get(n.resource_type) ?? 0) + 1);
  const engines = Object.entries(model.data.dvt.engines);
  const errors = model.data.catalog.errors ?? [];
  return h(
    'article',
    { class: 'page overview' },
    h('h1', {}, model.projectName),
    overview ? markdown(model, overview.block_contents) : h('p', {}, 'Browse the project with the tree on the left, search above, or open the lineage graph.'),
    h('h2', {}, 'Project'),
    h('ul', { class: 'counts' }, [...counts].map(([type, n]) => h('li', {}, `${n} ${type}${n === 1 ? '' : 's'}`))),
    h('h2', {}, 'Engines'),
    h(
      'ul',
      { class: 'engines' },
      engines.map(([output, e]) => h('li', {}, h('span', { class: 'dot', style: `background:${e.color}` }), `${output}: ${e.displayName} (${e.type})`)),
    ),
    errors.length > 0 ? h('div', { class: 'catalog-errors' }, h('h2', {}, 'Catalog gaps'), h('ul', {}, errors.map((e) => h('li', {}, e)))) : null,
    h('p', {}, h('a', { href: graphHref(''), class: 'button' }, 'Open the lineage graph')),
  );
}

export function nodePage(model: DocsModel, node: ManifestNode): HTMLElement {
  const catalog = model.catalogOf(node);
  const path = model.data.dvt.paths[node.unique_id];
  const columns = model.columnsOf(node);
  const stats = Object.values(catalog?.stats ?? {}).filter((s) => s.include);
  const relation = node.relation_name ?? [node.database, node.schema, node.alias ?? node.identifier ?? node.name].filter(Boolean).join('.');
  const config = { ...(node.config ?? {}) };
  const parents = model.parents.get(node.unique_id) ?? [];
  const children = model.children.get(node.unique_id) ?? [];
  const selection = node.resource_type === 'source' ? `+source:${node.source_name}.${node.name}+` : `+${node.name}+`;
  return h(
    'article',
    { class: 'page node-page', 'data-unique-id': node.unique_id },
    h('header', {}, h('h1', {}, model.label(node)), h('span', { class: 'resource-type' }, node.resource_type), engineBadge(model, node), path ? h('span', { class: `path-badge ${isFederated(path) ? 'federated' : 'pushdown'}`, 'data-path': path }, PATH_LABELS[path]) : null),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Relation'),
      h('dd', {}, h('code', {}, relation)),
      h('dt', {}, 'Engine'),
      h('dd', { class: 'engine' }, model.engine(node).displayName),
      h('dt', {}, node.resource_type === 'source' ? 'Connection' : 'Target'),
      h('dd', { class: 'output' }, model.output(node)),
      ...(model.data.dvt.reasons?.[node.unique_id] ? [h('dt', {}, 'Federated because'), h('dd', { class: 'reason' }, `it ${model.data.dvt.reasons[node.unique_id]}`)] : []),
      h('dt', {}, 'File'),
      h('dd', {}, node.original_file_path),
      ...stats.flatMap((s) => [h('dt', {}, s.label), h('dd', {}, String(s.value))]),
    ),
    h('p', {}, h('a', { href: graphHref(selection), class: 'button' }, 'View lineage')),
    h('h2', {}, 'Description'),
    node.description ? markdown(model, node.description) : h('p', { class: 'muted' }, 'No description.'),
    h('h2', {}, 'Columns'),
    columns.length === 0
      ? h('p', { class: 'muted' }, catalog ? 'No columns.' : 'Not in the catalog (not built yet, or its connection was not reachable).')
      : h(
          'table',
          { class: 'columns' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Column'), h('th', {}, 'Type'), h('th', {}, 'Description'), h('th', {}, 'Tests'))),
          h(
            'tbody',
            {},
            columns.map((c) =>
              h(
                'tr',
                { 'data-column': c.name },
                h('td', { class: 'column-name' }, c.name),
                h('td', { class: 'column-type' }, h('code', {}, c.type)),
                h('td', {}, c.description ? markdown(model, c.description) : c.comment),
                h('td', { class: 'column-tests' }, model.testsOf(node, c.name).map((t) => h('span', { class: 'test-badge', title: t.unique_id }, t.name))),
              ),
            ),
          ),
        ),
    h('h2', {}, 'Lineage'),
    h('div', { class: 'lineage-lists' }, h('div', {}, h('h3', {}, 'Parents'), h('ul', { class: 'parents' }, parents.map((id) => nodeLink(model, id)))), h('div', {}, h('h3', {}, 'Children'), h('ul', { class: 'children' }, children.map((id) => nodeLink(model, id))))),
    sqlBlock('Source code', node.raw_code),
    sqlBlock('Compiled SQL', node.compiled_code),
    h('h2', {}, 'Config'),
    h('pre', { class: 'config' }, JSON.stringify(config, null, 2)),
  );
}

export function searchPage(model: DocsModel, query: string): HTMLElement {
  const hits = model.search.search(query);
  return h(
    'article',
    { class: 'page search-page' },
    h('h1', {}, `Search: ${query}`),
    h('p', { class: 'muted' }, `${hits.length}${hits.length === 200 ? '+' : ''} results`),
    h(
      'ul',
      { class: 'search-results' },
      hits.map((hit) => {
        const node = model.nodes.get(hit.unique_id)!;
        return h(
          'li',
          {},
          h('span', { class: 'dot', style: `background:${model.engine(node).color}` }),
          h('a', { href: nodeHref(hit.unique_id) }, model.label(node)),
          h('span', { class: 'muted' }, ` ${node.resource_type} · matched ${hit.matched.join(', ')}`),
          node.description ? h('div', { class: 'snippet' }, node.description.slice(0, 160)) : null,
        );
      }),
    ),
  );
}
