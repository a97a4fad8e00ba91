import type { ManifestNode } from '../shared/types.js';
import { h, nodeHref } from './dom.js';
import type { DocsModel } from './model.js';

interface Folder {
  folders: Map<string, Folder>;
  leaves: ManifestNode[];
}

function emptyFolder(): Folder {
  return { folders: new Map(), leaves: [] };
}

/** By package and folder of the file, dbt docs' "Project" tree; sources by source name. */
function projectTree(model: DocsModel): Folder {
  const root = emptyFolder();
  for (const node of model.nodes.values()) {
    if (node.resource_type === 'source') continue;
    const dirs = [node.package_name, ...node.original_file_path.split('/').slice(0, -1)];
    let at = root;
    for (const dir of dirs) {
      let next = at.folders.get(dir);
      if (!next) at.folders.set(dir, (next = emptyFolder()));
      at = next;
    }
    at.leaves.push(node);
  }
  return root;
}

function sourceTree(model: DocsModel): Folder {
  const root = emptyFolder();
  for (const node of model.nodes.values()) {
    if (node.resource_type !== 'source') continue;
    const name = node.source_name ?? 'sources';
    let folder = root.folders.get(name);
    if (!folder) root.folders.set(name, (folder = emptyFolder()));
    folder.leaves.push(node);
  }
  return root;
}

/** Folders render their contents when first opened: a 5,000-node project stays a short DOM. */
function folderList(model: DocsModel, folder: Folder, openOnly = false): HTMLElement {
  const list = h('ul', { class: 'tree' });
  // A lone top folder (the project's package) starts open.
  const openFirst = openOnly && folder.folders.size === 1;
  for (const [name, child] of [...folder.folders].sort(([a], [b]) => a.localeCompare(b))) {
    const details = h('details', {}, h('summary', {}, name));
    if (openFirst) {
      details.open = true;
      details.append(folderList(model, child));
    }
    details.addEventListener('toggle', () => {
      if (details.open && details.children.length === 1) details.append(folderList(model, child));
    });
    list.append(h('li', { class: 'folder' }, details));
  }
  for (const leaf of [...folder.leaves].sort((a, b) => a.name.localeCompare(b.name))) {
    list.append(
      h('li', { class: 'leaf' }, h('span', { class: 'dot', style: `background:${model.engine(leaf).color}` }), h('a', { href: nodeHref(leaf.unique_id), title: leaf.unique_id }, leaf.name)),
    );
  }
  return list;
}

export function sidebar(model: DocsModel): HTMLElement {
  const body = h('div', { class: 'tree-body' });
  const tabs = { project: () => folderList(model, projectTree(model), true), sources: () => folderList(model, sourceTree(model)) };
  const buttons = Object.entries(tabs).map(([name, build]) =>
    h('button', {
      type: 'button',
      class: 'tab',
      'data-tab': name,
      onclick: (e: Event) => {
        for (const b of buttons) b.classList.toggle('active', b === e.currentTarget);
        body.replaceChildren(build());
      },
    }, name === 'project' ? 'Project' : 'Sources'),
  );
  buttons[0].classList.add('active');
  body.append(tabs.project());
  return h('nav', { class: 'sidebar' }, h('div', { class: 'tabs' }, buttons), body);
}
