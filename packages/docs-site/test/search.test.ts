import { describe, expect, it } from 'vitest';
import { SearchIndex } from '../src/shared/search.js';

describe('search', () => {
  const index = new SearchIndex([
    { unique_id: 'model.p.customers', name: 'customers', description: 'One row per customer', columns: [{ name: 'lifetime_value', description: 'Sum of orders' }] },
    { unique_id: 'model.p.orders', name: 'orders', description: 'Orders with payments', columns: [{ name: 'customer_id', description: '' }] },
    { unique_id: 'model.p.stg_customers', name: 'stg_customers', description: '', columns: [] },
  ]);
  it('ranks an exact name first, then names containing the word, then other matches', () => {
    expect(index.search('customers').map((h) => h.unique_id)).toEqual(['model.p.customers', 'model.p.stg_customers']);
    expect(index.search('customer').map((h) => h.unique_id)).toEqual(['model.p.customers', 'model.p.stg_customers', 'model.p.orders']);
  });
  it('finds columns and says where it matched', () => {
    const [hit] = index.search('lifetime');
    expect(hit).toMatchObject({ unique_id: 'model.p.customers', matched: ['column:lifetime_value'] });
  });
  it('needs every word', () => {
    expect(index.search('orders payments').map((h) => h.unique_id)).toEqual(['model.p.orders']);
    expect(index.search('orders nowhere')).toEqual([]);
  });
});
