/** Search across names, descriptions and column names/descriptions, ranked by where the words matched. */

export interface SearchDocument {
  unique_id: string;
  name: string;
  description: string;
  columns: { name: string; description: string }[];
}

export interface SearchHit {
  unique_id: string;
  score: number;
  /** Where the query matched: 'name', 'description', or `column:<name>`. */
  matched: string[];
}

interface Prepared {
  id: string;
  name: string;
  description: string;
  columns: { name: string; text: string }[];
}

export class SearchIndex {
  private readonly docs: Prepared[];

  constructor(documents: Iterable<SearchDocument>) {
    this.docs = [...documents].map((d) => ({
      id: d.unique_id,
      name: d.name.toLowerCase(),
      description: d.description.toLowerCase(),
      columns: d.columns.map((c) => ({ name: c.name, text: `${c.name} ${c.description}`.toLowerCase() })),
    }));
  }

  /** Every word of the query must match somewhere in the document. */
  search(query: string, limit = 200): SearchHit[] {
    const words = query.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
    if (words.length === 0) return [];
    const hits: SearchHit[] = [];
    for (const doc of this.docs) {
      let score = 0;
      const matched = new Set<string>();
      let all = true;
      for (const word of words) {
        let found = false;
        if (doc.name.includes(word)) {
          score += doc.name === word ? 100 : doc.name.startsWith(word) ? 40 : 20;
          found = true;
          matched.add('name');
        }
        if (doc.description.includes(word)) {
          score += 5;
          found = true;
          matched.add('description');
        }
        for (const c of doc.columns) {
          if (c.text.includes(word)) {
            score += 3;
            found = true;
            matched.add(`column:${c.name}`);
          }
        }
        if (!found) {
          all = false;
          break;
        }
      }
      if (all) hits.push({ unique_id: doc.id, score, matched: [...matched] });
    }
    hits.sort((a, b) => b.score - a.score || a.unique_id.localeCompare(b.unique_id));
    return hits.slice(0, limit);
  }
}
