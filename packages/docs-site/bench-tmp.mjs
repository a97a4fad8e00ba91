import dagre from '@dagrejs/dagre';
const C = +process.argv[2], S = +process.argv[3];
let seed = 1; const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
let total = 0;
for (let c = 0; c < C; c++) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 10, ranksep: 60 });
  g.setDefaultEdgeLabel(() => ({}));
  for (let i = 0; i < S; i++) g.setNode('n' + i, { width: 160, height: 30 });
  for (let i = 5; i < S; i++) { const k = 1 + Math.floor(rnd() * 2); for (let j = 0; j < k; j++) g.setEdge('n' + Math.floor(rnd() * i), 'n' + i); }
  const t = performance.now(); dagre.layout(g); total += performance.now() - t;
}
console.log(C, 'x', S, 'dagre', total.toFixed(0), 'ms');
