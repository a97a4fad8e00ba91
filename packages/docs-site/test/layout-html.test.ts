import { describe, expect, it } from 'vitest';
import { NODE_HEIGHT, NODE_WIDTH, layeredLayout } from '../src/shared/layout.js';
// The built package: pages inline the Vite build in dist/app.
import { buildDocsInfo, renderIndexHtml, renderStaticHtml } from '../dist/node/index.js';
import type { Manifest } from '../dist/node/index.js';

describe('layered layout', () => {
  it('puts parents left of children and keeps nodes apart', () => {
    const ids = ['a', 'b', 'c', 'd', 'lonely'];
    const pos = layeredLayout(ids, [['a', 'b'], ['b', 'c'], ['a', 'c'], ['d', 'c']]);
    expect(pos.size).toBe(5);
    expect(pos.get('a')![0]).toBeLessThan(pos.get('b')![0]);
    expect(pos.get('b')![0]).toBeLessThan(pos.get('c')![0]);
    const boxes = [...pos.values()];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const apart = Math.abs(boxes[i][0] - boxes[j][0]) >= NODE_WIDTH || Math.abs(boxes[i][1] - boxes[j][1]) >= NODE_HEIGHT;
        expect(apart).toBe(true);
      }
    }
  });
});

const manifest: Manifest = {
  metadata: { project_name: 'p' },
  nodes: {
    'model.p.a': { unique_id: 'model.p.a', name: 'a', resource_type: 'model', package_name: 'p', original_file_path: 'models/a.sql', description: 'has </script><script>alert(1)</script> in it' },
    'test.p.t': { unique_id: 'test.p.t', name: 't', resource_type: 'test', package_name: 'p', original_file_path: 'models/s.yml' },
  },
  sources: { 'source.p.s.t': { unique_id: 'source.p.s.t', name: 't', source_name: 's', resource_type: 'source', package_name: 'p', original_file_path: 'models/s.yml' } },
  child_map: { 'source.p.s.t': ['model.p.a'], 'model.p.a': ['test.p.t'] },
  parent_map: { 'model.p.a': ['source.p.s.t'], 'test.p.t': ['model.p.a'] },
};

describe('site data and pages', () => {
  const dvt = buildDocsInfo({ manifest, engines: { dev: { type: 'duckdb', displayName: 'DuckDB', color: '#FFF000' } }, defaultTarget: 'dev', paths: { 'model.p.a': 'pushdown' } });

  it('lays out the lineage graph without tests', () => {
    expect(Object.keys(dvt.layout).sort()).toEqual(['model.p.a', 'source.p.s.t']);
    expect(dvt.layout['source.p.s.t'][0]).toBeLessThan(dvt.layout['model.p.a'][0]);
  });

  it('index.html carries the app inline and no data', () => {
    const html = renderIndexHtml();
    expect(html).toMatch(/<script type="module">/);
    expect(html).toMatch(/<style>/);
    expect(html).not.toMatch(/src="\.\/assets|href="\.\/assets/);
    expect(html).not.toMatch(/<script type="application\/json"/);
  });

  it('the static page embeds the data so that no text in it can close the element', () => {
    const html = renderStaticHtml({ manifest, catalog: { nodes: {}, sources: {} }, dvt });
    const start = html.indexOf('<script type="application/json" id="dvt-docs-data">');
    expect(start).toBeGreaterThan(-1);
    const body = html.slice(start).replace(/^<script[^>]*>/, '');
    const json = body.slice(0, body.indexOf('</script>'));
    const data = JSON.parse(json) as { manifest: Manifest };
    expect(data.manifest.nodes['model.p.a'].description).toContain('</script><script>alert(1)</script>');
  });
});
