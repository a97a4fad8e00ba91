import 'highlight.js/styles/github.css';
import './style.css';
import type { SiteData } from '../shared/types.js';
import { graphHref, h, nodeHref } from './dom.js';
import { GraphView } from './graph-view.js';
import type { ShowResult } from './graph-view.js';
import { DocsModel } from './model.js';
import { nodePage, overviewPage, searchPage } from './pages.js';
import { sidebar } from './tree.js';

const DATA_ELEMENT_ID = 'dvt-docs-data';

/** Embedded by `dvt docs generate --static`; otherwise the artifacts beside the page. */
async function loadData(): Promise<SiteData> {
  const embedded = document.getElementById(DATA_ELEMENT_ID);
  if (embedded?.textContent) return JSON.parse(embedded.textContent) as SiteData;
  const get = async (file: string) => {
    const response = await fetch(file, { cache: 'no-cache' });
    if (!response.ok) throw new Error(`Could not load ${file}: HTTP ${response.status}`);
    return response.json();
  };
  const [manifest, catalog, dvt] = await Promise.all([get('manifest.json'), get('catalog.json'), get('dvt.json')]);
  return { manifest, catalog, dvt };
}

/** What browser tests and scripts can ask the running site. */
export interface DocsApi {
  model: DocsModel;
  graph: GraphView;
  lastGraph?: ShowResult;
  ready: true;
  /** performance.now() when the first view was on screen: load, parse, model and first view together. */
  readyAt: number;
}

declare global {
  interface Window {
    dvtDocs?: DocsApi;
  }
}

function start(data: SiteData): void {
  const model = new DocsModel(data);
  const main = h('main', { class: 'content' });
  const graph = new GraphView(model, (id) => (location.hash = nodeHref(id)));
  const api: DocsApi = { model, graph, ready: true, readyAt: 0 };

  const suggestions = h('ul', { class: 'suggestions', hidden: true });
  const searchBox = h('input', { type: 'search', class: 'search', placeholder: 'Search names, descriptions, columns…', 'aria-label': 'Search' });
  const suggest = () => {
    const query = searchBox.value.trim();
    const hits = query ? model.search.search(query, 12) : [];
    suggestions.replaceChildren(
      ...hits.map((hit) => {
        const node = model.nodes.get(hit.unique_id)!;
        return h(
          'li',
          {},
          h('a', { href: nodeHref(hit.unique_id), 'data-unique-id': hit.unique_id }, h('span', { class: 'dot', style: `background:${model.engine(node).color}` }), model.label(node), h('small', {}, ` ${node.resource_type}`)),
        );
      }),
    );
    suggestions.hidden = hits.length === 0;
  };
  searchBox.addEventListener('input', suggest);
  searchBox.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && searchBox.value.trim()) location.hash = `#!/search?q=${encodeURIComponent(searchBox.value.trim())}`;
    if (e.key === 'Escape') suggestions.hidden = true;
  });
  suggestions.addEventListener('click', () => (suggestions.hidden = true));

  const selectBox = h('input', { type: 'text', class: 'select', placeholder: '+model+  source:src.table+  @model', 'aria-label': 'Graph selection' });
  selectBox.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') location.hash = graphHref(selectBox.value.trim());
  });
  const legend = h(
    'div',
    { class: 'legend' },
    Object.entries(data.dvt.engines).map(([output, e]) => h('span', {}, h('span', { class: 'dot', style: `background:${e.color}` }), `${e.displayName} (${output})`)),
    h('span', {}, h('span', { class: 'edge-sample' }), 'data moved between engines'),
  );
  const graphPanel = h(
    'section',
    { class: 'graph-panel' },
    h(
      'div',
      { class: 'graph-toolbar' },
      selectBox,
      h('button', { type: 'button', onclick: () => (location.hash = graphHref(selectBox.value.trim())) }, 'Update'),
      h('button', { type: 'button', title: 'Zoom in', onclick: () => graph.zoom(1.25) }, '+'),
      h('button', { type: 'button', title: 'Zoom out', onclick: () => graph.zoom(0.8) }, '−'),
      h('button', { type: 'button', onclick: () => (graph.fit(), graph.redraw()) }, 'Fit'),
      legend,
    ),
    graph.element,
  );

  document.body.replaceChildren(
    h(
      'div',
      { class: 'app' },
      h(
        'header',
        { class: 'topbar' },
        h('a', { href: '#!/overview', class: 'brand' }, `${model.projectName} docs`),
        h('div', { class: 'search-wrap' }, searchBox, suggestions),
        h('a', { href: graphHref(''), class: 'graph-link' }, 'Lineage graph'),
      ),
      sidebar(model),
      main,
    ),
  );

  const route = () => {
    // `#!/node/<id>`, `#!/graph?select=<selection>`, `#!/search?q=<query>`; parts are URI-encoded.
    const [rawPath, query = ''] = location.hash.replace(/^#!?/, '').split('?');
    const path = decodeURIComponent(rawPath);
    const params = new URLSearchParams(query);
    if (path === '/graph') {
      main.replaceChildren(graphPanel);
      const selection = params.get('select') ?? '';
      selectBox.value = selection;
      api.lastGraph = graph.show(selection);
      return;
    }
    if (path.startsWith('/node/')) {
      const node = model.nodes.get(path.slice('/node/'.length));
      main.replaceChildren(node ? nodePage(model, node) : h('p', {}, `No node ${path.slice('/node/'.length)}.`));
    } else if (path === '/search') {
      main.replaceChildren(searchPage(model, params.get('q') ?? ''));
    } else {
      main.replaceChildren(overviewPage(model));
    }
    main.scrollTop = 0;
  };
  window.addEventListener('hashchange', route);
  route();
  api.readyAt = performance.now();
  window.dvtDocs = api;
}

loadData().then(start, (e: unknown) => {
  document.body.replaceChildren(h('p', { class: 'load-error' }, `The docs could not load: ${(e as Error).message}`));
});
